"""Words for framework tables and values from elsewhere (indicator_values, the `value` measure), zh and en."""

EN: dict[str, str] = {
    "table.indicator_values": "Indicator values",
    "kind.value": "Value from indicator_values",
    "column.population": "population served",
    # ---- Schemes page: a framework table in
    "fw.title": "Import a framework table",
    "fw.help": "An indicator framework (指标体系) as a CSV or XLSX table: the long form (one row a node: code, "
               "name, level, parent, weight or points ...; the level counts from the top, 1 = 一级指标, or as "
               "in COINr from the indicators, 1 = indicator: the parent column tells which) or the wide form of "
               "evaluation manuals (一级指标, 二级指标, 三级指标 ..., 分值 or 权重, 评分标准, 数据来源). An "
               "indicator that names no measure reads its values from the indicator_values ledger (import it on "
               "the Records page).",
    "fw.upload": "Framework table (CSV or XLSX)",
    "fw.id": "Scheme id",
    "fw.ok": "Read {n} indicators in {d} dimensions ({weighting}). Check them below, then open the scheme "
              "(and save it under The current scheme).",
    "fw.problems": "The table cannot be imported ({n} problems); nothing was saved:",
    "fw.points": "points",
    "fw.weights": "weights",
    "fw.download": "Download as framework table",
    "fw.shape": "Table shape",
    "fw.shape.long": "Long form (one row a node)",
    "fw.shape.wide": "Wide form (一级/二级/三级指标)",
}

ZH: dict[str, str] = {
    "table.indicator_values": "指标数值",
    "kind.value": "外来指标数值",
    "column.population": "服务人口",
    "fw.title": "导入指标体系表",
    "fw.help": "CSV 或 XLSX 格式的指标体系表：长表（每行一个指标：代码、名称、层级、上级、权重或分值……，层级从上往下数，"
               "一级指标为1）或评估手册常用的宽表（一级指标、二级指标、三级指标……，分值或权重，评分标准，数据来源）。"
               "未写明计量方法的指标从“指标数值”台账（在“记录”页导入）读取数值。",
    "fw.upload": "指标体系表（CSV 或 XLSX）",
    "fw.id": "评估方案编号",
    "fw.ok": "已读取{n}个末级指标，分属{d}个上级指标（{weighting}）。请核对后打开为草稿（未保存），"
             "再在“当前评估方案”中保存。",
    "fw.problems": "表格无法导入（{n}个问题），未保存任何内容：",
    "fw.points": "分值",
    "fw.weights": "权重",
    "fw.download": "下载为指标体系表",
    "fw.shape": "表格形式",
    "fw.shape.long": "长表（每行一个指标）",
    "fw.shape.wide": "宽表（一级/二级/三级指标）",
}
