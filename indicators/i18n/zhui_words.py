"""Streamlit's own words on a page (the file box, the hints under text boxes, the skip link), as the app puts them
in the reader's language, and the word for an address that names no page (the English of the sw. keys is what
Streamlit says itself; the page frame, app_pages/frame.py, puts the Chinese in its place); and how a scheme's
indicators become 0-100, each by its own normalisation (ex., indicators/outputs/explain.py)."""

EN: dict[str, str] = {
    "sw.upload": "Upload",
    "sw.per_file": "{size} per file",
    "sw.drop_here": "Drag and drop files here",
    "sw.press_apply": "Press Enter to apply",
    "sw.press_keys_apply": "Press {mod}+Enter to apply",
    "sw.press_submit": "Press Enter to submit form",
    "sw.press_keys_submit": "Press {mod}+Enter to submit form",
    "sw.skip": "Skip to main content",
    "sw.no_results": "No results",
    "sw.stop": "Stop",
    "sw.stopping": "Stopping...",
    "sw.connecting": "Connecting",
    "sw.choose_one": "Choose an option",
    "sw.choose_some": "Choose options",
    "sw.no_page": "There is no page at /{page}: the first page is open instead.",
    # ---- how each indicator's raw value becomes 0-100 (indicators/outputs/explain.py), as its scheme says
    "ex.rank.all": "Scores are relative: each indicator scores the stations by their order, the best 100, the "
                   "weakest 0 and equal steps between, so a score says how a station stands among these stations, "
                   "not by how much.",
    "ex.goalposts.all": "Scores are measured against fixed goalposts: on each indicator a value at its lower "
                        "goalpost scores 0 and one at its upper goalpost 100 (beyond them, 0 or 100; reversed when "
                        "lower is better), so a score says how a station stands against the scheme's standard, "
                        "whatever the other stations did.",
    "ex.target.all": "Scores are distances to targets: on each indicator a station that reaches its target scores "
                     "100 and one short of it the share of the target it reached, so a score says how near a "
                     "station is to the scheme's targets, whatever the other stations did.",
    "ex.mixed": "Each indicator is put on 0–100 by its own rule: {parts}.",
    "ex.part": "{method} for {n}",
    "ex.method.minmax": "min–max", "ex.method.rank": "rank", "ex.method.goalposts": "goalposts",
    "ex.method.target": "distance to target",
    "ex.part_sep": "; ",
    "ex.tail.relative": "Every rule is relative, so a score says how a station stands among these stations, not "
                        "against a standard.",
    "ex.tail.absolute": "Every rule compares with fixed values, so a score says how a station stands against the "
                        "scheme's standards, whatever the other stations did.",
    "ex.tail.both": "Part of the score is therefore relative to these stations (min–max, rank) and part measured "
                    "against the scheme's fixed values (goalposts, targets).",
    "ex.bands.relative": "The grade bands ({bands}) are fixed cut-offs on that relative score.",
    "ex.bands": "The grade bands ({bands}) are fixed cut-offs on that score.",
    "ex.head": "How each indicator's value becomes 0–100",
    "ex.line.minmax": "{name}: min–max, the best station 100 and the weakest 0",
    "ex.line.minmax_lower": "{name}: min–max (lower is better), the lowest value 100 and the highest 0",
    "ex.line.rank": "{name}: by rank, the best station 100, the weakest 0, equal steps between",
    "ex.line.goalposts": "{name}: goalposts, {low} or less scores 0, {high} or more 100, in proportion between",
    "ex.line.goalposts_lower": "{name}: goalposts (lower is better), {low} or less scores 100, {high} or more 0, in "
                               "proportion between",
    "ex.line.target": "{name}: distance to target, {target} or more scores 100, less in proportion (value ÷ "
                      "{target})",
    "ex.line.target_lower": "{name}: distance to target (lower is better), {target} or less scores 100, more as "
                            "{target} ÷ value",
}

ZH: dict[str, str] = {
    "sw.upload": "上传",
    "sw.per_file": "单个文件不超过{size}",
    "sw.drop_here": "把文件拖到这里",
    "sw.press_apply": "按回车键确认",
    "sw.press_keys_apply": "按{mod}+回车键确认",
    "sw.press_submit": "按回车键提交",
    "sw.press_keys_submit": "按{mod}+回车键提交",
    "sw.skip": "跳到正文",
    "sw.no_results": "没有匹配的选项",
    "sw.stop": "停止",
    "sw.stopping": "正在停止…",
    "sw.connecting": "正在连接",
    "sw.choose_one": "请选择",
    "sw.choose_some": "请选择（可多选）",
    "sw.no_page": "没有 /{page}这个页面，已为您打开首页。",
    "ex.rank.all": "得分是相对的：每个指标按社工站的排序计分，最好的记100、最弱的记0，中间等距，得分说明的是社工站在这些社工站中的"
                   "位置，而不是差距大小。",
    "ex.goalposts.all": "得分按固定上下限计算：每个指标的数值达到下限记0、达到上限记100（超出按0或100计；越低越好的指标"
                        "反过来），得分说明的是社工站与方案所定标准的差距，与其他社工站的表现无关。",
    "ex.target.all": "得分按与目标的距离计算：每个指标达到目标值记100，未达到的按完成目标的比例计分，得分说明的是社工站离方案"
                     "目标还有多远，与其他社工站的表现无关。",
    "ex.mixed": "各指标按各自的规则换算为0～100：{parts}。",
    "ex.part": "{method} {n}个",
    "ex.method.minmax": "极差标准化", "ex.method.rank": "排序法", "ex.method.goalposts": "固定上下限",
    "ex.method.target": "目标值法",
    "ex.part_sep": "；",
    "ex.tail.relative": "这些规则都是相对的，得分说明的是社工站在这些社工站中的位置，而不是与某个标准的差距。",
    "ex.tail.absolute": "这些规则都与固定数值比较，得分说明的是社工站与方案所定标准的差距，与其他社工站的表现无关。",
    "ex.tail.both": "因此得分一部分相对于这些社工站（极差标准化、排序法），一部分与方案所定的固定数值比较（固定上下限、目标值法）。",
    "ex.bands.relative": "等级分段（{bands}）是对这一相对得分的固定切分。",
    "ex.bands": "等级分段（{bands}）是对这一得分的固定切分。",
    "ex.head": "各指标的数值如何换算为0～100",
    "ex.line.minmax": "{name}：极差标准化，最好的社工站记100、最弱的记0",
    "ex.line.minmax_lower": "{name}：极差标准化（越低越好），最低值记100、最高值记0",
    "ex.line.rank": "{name}：排序法，最好的社工站记100、最弱的记0，中间等距",
    "ex.line.goalposts": "{name}：固定上下限，{low}及以下记0、{high}及以上记100，其间按比例",
    "ex.line.goalposts_lower": "{name}：固定上下限（越低越好），{low}及以下记100、{high}及以上记0，其间按比例",
    "ex.line.target": "{name}：目标值法，达到{target}记100，不足的按比例（数值 ÷ {target}）",
    "ex.line.target_lower": "{name}：目标值法（越低越好），{target}及以下记100，超出的按{target} ÷ 数值",
}
