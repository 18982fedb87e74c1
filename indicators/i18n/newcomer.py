"""Words for the fixes a new evaluator asked for (form hints, imputed values, small-group notice, grade bands),
in English and Chinese (same keys in both)."""

EN: dict[str, str] = {
    # ---- indicator editor: a half-filled form says what is missing
    "nc.missing": "Fill in {fields} to see the preview.",
    "nc.sep": ", ",
    "nc.field.filter": "the counted rows (numerator)",
    "nc.field.column": "the value",
    "nc.field.levels": "the levels",
    "nc.field.table": "the table",
    "nc.preview_failed": "The preview could not be computed: {msg}",
    "nc.rubric_ids": "Rubric ids found in the ratings: {ids}",
    "nc.rubric_none": "The ratings hold no rubric yet: rows are picked by indicator_id.",
    # ---- strengths and weaknesses
    "nc.imputed": "no data ({rule})",
    "nc.imputed_note": "Indicators without data (filled by a rule, never counted as a strength or weakness): {names}",
    # ---- workshop: small groups
    "nc.small_groups": "Groups of fewer than {k} people are shown together as “{other}” (or not at all), so that "
                       "no one's own answer can be read off this screen.",
    "wsg.other": "Other groups (pooled)",
    "nc.dim_covers": "Covers: {names}",
    "nc.io_switched": "The headers of {file} are those of {table}: it is checked as {table} (choose another table "
                      "above if that is wrong).",
    "nc.chart.other": "Other {camp} indicators",
    # ---- grades
    "nc.grade_basis": "Grade bands",
    "nc.grade.bands": "Absolute bands on the score",
    "nc.grade.rank": "By rank among the stations",
    # every indicator min-max (each rule's words are in zhui_words.py, ex.*; the bands' sentence is ex.bands.relative)
    "nc.grade_note": "Scores are relative: min–max puts the best station at 100 and the weakest at 0 on each "
                     "indicator, so a score says how a station stands among these stations, not against a standard.",
    "nc.grade_note_rank": "Grades here are given by rank: the stations are split into equal shares, one per grade, "
                          "best first (the bands {bands} are not used); a failed gate still caps the grade.",
    # ---- AHP
    "nc.ahp_confirm": "Apply these weights although CR = {cr:.2f} is above 0.10 (the judgments contradict each other)",
    "nc.ahp_need_confirm": "CR = {cr:.2f}: tick the box above to apply inconsistent judgments anyway.",
}

ZH: dict[str, str] = {
    "nc.missing": "请填写{fields}后查看预览。",
    "nc.sep": "、",
    "nc.field.filter": "计入的记录（分子）",
    "nc.field.column": "数值",
    "nc.field.levels": "等级",
    "nc.field.table": "数据表",
    "nc.preview_failed": "无法计算预览：{msg}",
    "nc.rubric_ids": "评分记录中已有的评分细则编号：{ids}",
    "nc.rubric_none": "评分记录中还没有评分细则：按 indicator_id 选取记录。",
    "nc.imputed": "无数据（{rule}）",
    "nc.imputed_note": "无数据的指标（按规则填补，不计为优势或不足）：{names}",
    "nc.small_groups": "人数少于{k}人的组合并显示为“{other}”（或不显示），这块屏幕上读不出任何个人的回答。",
    "wsg.other": "其他群体（合并）",
    "nc.dim_covers": "包括：{names}",
    "nc.io_switched": "{file}的表头属于{table}：已按{table}检查（如不对，请在上方另选数据表）。",
    "nc.chart.other": "其他{camp}指标",
    "nc.grade_basis": "等级划分",
    "nc.grade.bands": "按得分的固定分段",
    "nc.grade.rank": "按社工站间排名",
    "nc.grade_note": "得分是相对的：极差标准化把每个指标上最好的社工站记为100、最弱的记为0，得分说明的是社工站在这些社工站中的"
                     "位置，而不是与某个标准的差距。",
    "nc.grade_note_rank": "此处等级按排名给出：社工站按排名平均分成与等级数相同的几份，从高到低依次评定（不使用分段{bands}）；"
                          "未通过否决项仍会限制等级。",
    "nc.ahp_confirm": "尽管 CR = {cr:.2f}高于0.10（判断相互矛盾），仍然应用这些权重",
    "nc.ahp_need_confirm": "CR = {cr:.2f}：如仍要应用不一致的判断，请先勾选上方的确认框。",
}
