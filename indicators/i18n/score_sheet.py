"""Words for score sheets (得分表), several raters' values and series a scheme reads but the database lacks
(keys "err.sheet.<code>", "err.values.<code>", "sheet.<...>"), in English and Chinese, same keys and parameters."""

EN: dict[str, str] = {
    # ---- reading a sheet (each problem is shown after its file, row, column and value)
    "err.sheet.no_header": "no header row found for a score sheet of scheme {scheme}: expected a station id column "
                           "(站点编号, 编号 or station_id) and a column per item headed by its code, its name or both, "
                           "or items as rows (code and/or name in the first column) and stations as columns",
    "err.sheet.unknown_header": "is neither an item of scheme {scheme} (by code, name, or both) nor a known column "
                                "(站点编号, 站点名称, 一票否决, 扣分说明/备注, 总分/合计, 小计)",
    "err.sheet.unknown_item": "is not an item of scheme {scheme} (by code, name, or both)",
    "err.sheet.ambiguous": "names several items ({codes}); write the item's code in the header",
    "err.sheet.points_differ": "says {given} points, but item {item} has {points}",
    "err.sheet.same_column": "repeats the column of \"{before}\"",
    "err.sheet.item_twice": "item {item} is given twice",
    "err.sheet.not_number": "expected the points awarded, a number from 0 to {points}",
    "err.sheet.negative": "is below 0; the points awarded are from 0 to the item's points",
    "err.sheet.over_points": "is above the {points} points of item {item}",
    "err.sheet.no_station": "is not a station of the database; import the stations first (Records page, or "
                            "`import --table stations`)",
    "err.sheet.station_twice": "this station is already given ({where})",
    "err.sheet.no_station_id": "has points but no station id",
    "err.sheet.unknown_station_column": "is neither a station id nor a station name of the database",
    "err.sheet.no_item_label": "has points but no item code or name in its first column(s)",
    "err.sheet.total_not_number": "expected the total, a number",
    "err.sheet.total_differs": "the total {total} is not the sum of the row's items, {sum}: check the sheet",
    "err.sheet.beyond_header": "lies beyond the last column of the header",
    "err.sheet.no_header_cell": "has a value under a column with no header",
    "err.sheet.blank": "blank: counted as missing (缺项)",
    "err.sheet.no_rows": "holds no station",
    "err.sheet.period_order": "the period ends before it starts ({start})",
    "err.sheet.period_required": "a score sheet needs its period: give --from and --to (the dates its points are "
                                 "for)",
    "err.sheet.scheme_required": "{file} is not in the indicator_values shape (station_id, indicator_id, "
                                 "period_start, period_end, value): to read it as a score sheet (得分表), give "
                                 "--scheme (the scheme whose items its headers name) and --from/--to",
    "err.sheet.export_scheme": "export_sheet of a table of values needs its scheme",
    "err.sheet.no_layout": "no score sheet was imported for scheme {scheme} and the period {start} – {end}: "
                           "its layout is what the export writes back (import one with `import --table "
                           "indicator_values SHEET --scheme … --from … --to …`)",
    # ---- series the database does not hold
    "err.values.no_series": "the scheme reads {n} series that the database does not hold at all (no row in "
                            "indicator_values, in any period): {items}. Import their values on the Records page or "
                            "with `python -m indicators import --table indicator_values FILE` (a score sheet: add "
                            "--scheme and --from/--to); a series with no figure at all is not scored as the median "
                            "of the others",
    "err.values.series_of": "{series} (indicator {indicators})",
    # ---- summaries (CLI and Records page)
    "sheet.read": "{file}: a {shape} score sheet of scheme {scheme}: {stations} station(s), {items} item(s), "
                  "period {start} – {end}, rater {rater}",
    "sheet.shape.wide": "wide",
    "sheet.shape.transposed": "transposed",
    "sheet.no_rater": "(none)",
    "sheet.blanks": "{n} blank cell(s), counted as missing (缺项):",
    "sheet.blanks_more": "… and {n} more",
    "sheet.vetoed": "{n} station(s) vetoed (一票否决): {stations}",
    "sheet.replaces": "Replaces the {n} value(s) this rater already had for this period, stations and items.",
    "sheet.done": "{ins} value(s) written to indicator_values ({replaced} replaced); source score_sheet.",
    # ---- the Records page
    "sheet.panel_note": "A score sheet (得分表) of the current scheme {scheme}: one row a station and one column an "
                        "item, or items as rows and stations as columns. Give the period its points are for and "
                        "the rater; importing a sheet again for the same rater and period replaces that rater's "
                        "values.",
    "sheet.from": "Period from",
    "sheet.to": "to",
    "sheet.rater": "Rater (evaluator)",
    "sheet.rater_help": "Several raters' sheets for one period are kept apart and combined when scoring (mean, or "
                        "median when the indicator says so). Leave empty for a single source.",
    "sheet.import_button": "Import {n} value(s) from the score sheet",
    "sheet.col.item": "Item",
    "sheet.col.raters": "Raters",
    "sheet.col.stations": "Stations",
    "sheet.col.mean": "Mean",
    "sheet.col.spread": "Largest spread",
    "sheet.col.alpha": "Krippendorff's α",
    "sheet.agreement": "Agreement between raters in this period (overall α {alpha})",
    "sheet.download": "Score sheet (as imported)",
    "sheet.download_help": "The score sheet of this scheme and period in the shape it was imported in (same "
                           "columns and order), with each module's subtotal, the total, the grade and the veto; "
                           "several raters' values combined.",
}

ZH: dict[str, str] = {
    "err.sheet.no_header": "未找到得分表（方案{scheme}）的表头：应有社工站编号列（社工站编号、编号或 station_id）和每个评分项一列"
                           "（表头为评分项的编号、名称或两者），或评分项为行（第一列为编号和/或名称）、社工站为列",
    "err.sheet.unknown_header": "既不是方案{scheme}的评分项（按编号、名称或两者），也不是可识别的列"
                                "（社工站编号、社工站名称、一票否决、扣分说明/备注、总分/合计、小计）",
    "err.sheet.unknown_item": "不是方案{scheme}的评分项（按编号、名称或两者）",
    "err.sheet.ambiguous": "对应多个评分项（{codes}）；请在表头写明评分项编号",
    "err.sheet.points_differ": "写的是{given}分，但评分项{item}的分值为{points}分",
    "err.sheet.same_column": "与“{before}”列重复",
    "err.sheet.item_twice": "评分项{item}出现了两次",
    "err.sheet.not_number": "应为所得分数：0至{points}的数字",
    "err.sheet.negative": "小于0；得分应在0至该项分值之间",
    "err.sheet.over_points": "超过评分项{item}的分值{points}分",
    "err.sheet.no_station": "不是数据库中的社工站；请先导入社工站（“记录”页，或 `import --table stations`）",
    "err.sheet.station_twice": "该社工站已出现过（{where}）",
    "err.sheet.no_station_id": "有得分但没有社工站编号",
    "err.sheet.unknown_station_column": "既不是数据库中的社工站编号，也不是社工站名称",
    "err.sheet.no_item_label": "有得分但前几列没有评分项编号或名称",
    "err.sheet.total_not_number": "应为总分（数字）",
    "err.sheet.total_differs": "总分{total}不等于该行各项之和{sum}，请核对得分表",
    "err.sheet.beyond_header": "超出了表头的最后一列",
    "err.sheet.no_header_cell": "所在列没有表头却有数值",
    "err.sheet.blank": "空白：按缺项处理",
    "err.sheet.no_rows": "没有任何社工站",
    "err.sheet.period_order": "期间的结束日期早于开始日期（{start}）",
    "err.sheet.period_required": "得分表需要注明期间：请给出 --from 和 --to（得分所属的日期范围）",
    "err.sheet.scheme_required": "{file}不是指标数值表的格式（station_id、indicator_id、period_start、period_end、"
                                 "value）：如要作为得分表读取，请给出 --scheme（表头所对应评分项所在的方案）和 --from/--to",
    "err.sheet.export_scheme": "按数值表导出得分表时需要给出方案",
    "err.sheet.no_layout": "方案{scheme}在期间{start}～{end}没有导入过得分表：导出时按导入时的格式写回"
                           "（请先用 `import --table indicator_values 得分表 --scheme … --from … --to …` 导入）",
    "err.values.no_series": "方案读取的{n}个序列在数据库中完全没有（indicator_values 中任何期间都没有一行）：{items}。"
                            "请在“记录”页导入其数值，或使用命令“python -m indicators import --table indicator_values 文件”"
                            "（得分表另加 --scheme 和 --from/--to）；完全没有数值的序列不会用其他社工站的中位数代替",
    "err.values.series_of": "{series}（指标{indicators}）",
    "sheet.read": "{file}：{shape}得分表（方案{scheme}）：{stations}个社工站、{items}个评分项，期间{start}～{end}，"
                  "评分人{rater}",
    "sheet.shape.wide": "横排（每行一个社工站）",
    "sheet.shape.transposed": "竖排（每列一个社工站）",
    "sheet.no_rater": "（未填）",
    "sheet.blanks": "{n}个空白单元格，按缺项处理：",
    "sheet.blanks_more": "……另有{n}个",
    "sheet.vetoed": "{n}个社工站一票否决：{stations}",
    "sheet.replaces": "将替换该评分人在此期间、这些社工站和评分项上已有的{n}个数值。",
    "sheet.done": "已写入 indicator_values {ins}个数值（替换{replaced}个）；来源 score_sheet。",
    "sheet.panel_note": "当前方案{scheme}的得分表：每行一个社工站、每列一个评分项，或每行一个评分项、每列一个社工站。"
                        "请填写得分所属期间和评分人；同一评分人同一期间再次导入时，替换其原有数值。",
    "sheet.from": "期间自",
    "sheet.to": "至",
    "sheet.rater": "评分人（评估员）",
    "sheet.rater_help": "同一期间多位评分人的得分表分别保存，计分时合并（取平均值；指标设为中位数时取中位数）。"
                        "单一来源可留空。",
    "sheet.import_button": "从得分表导入{n}个数值",
    "sheet.col.item": "评分项",
    "sheet.col.raters": "评分人数",
    "sheet.col.stations": "社工站数",
    "sheet.col.mean": "平均分",
    "sheet.col.spread": "最大差异",
    "sheet.col.alpha": "Krippendorff α",
    "sheet.agreement": "本期间评分人之间的一致性（总体 α {alpha}）",
    "sheet.download": "得分表（按导入格式）",
    "sheet.download_help": "本方案本期间的得分表，按导入时的格式（相同的列和顺序），并加上各模块小计、总分、等级和一票否决；"
                           "多位评分人的分数已合并。",
}
