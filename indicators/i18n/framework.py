"""Words for framework tables and values from elsewhere (indicator_values, the `value` measure), zh and en."""

EN: dict[str, str] = {
    "table.indicator_values": "Indicator values",
    "kind.value": "Value from indicator_values",
    "column.population": "population served",
    # ---- Schemes page: a framework table in
    "fw.title": "Import a framework table",
    "fw.help": "An indicator framework (指标体系) as a CSV or XLSX table: the long form (one row a node: code, "
               "name, level, parent, weight or points ...) or the wide form of evaluation manuals (一级指标, 二级指标, "
               "三级指标 ..., 分值 or 权重, 评分标准, 数据来源). An indicator that names no measure reads its values "
               "from the indicator_values ledger (import it on the Records page).",
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
    "fw.help": "CSV 或 XLSX 格式的指标体系表：长表（每行一个节点：代码、名称、层级、上级、权重或分值……）或评估手册常用的宽表"
               "（一级指标、二级指标、三级指标……，分值或权重，评分标准，数据来源）。未写明计量方法的指标从“指标数值”台账"
               "（在“记录”页导入）读取数值。",
    "fw.upload": "指标体系表（CSV 或 XLSX）",
    "fw.id": "方案编号",
    "fw.ok": "已读取 {d} 个维度下的 {n} 个指标（{weighting}）。请核对后打开为工作方案（再在“当前方案”中保存）。",
    "fw.problems": "表格无法导入（{n} 个问题），未保存任何内容：",
    "fw.points": "分值",
    "fw.weights": "权重",
    "fw.download": "下载为指标体系表",
    "fw.shape": "表格形式",
    "fw.shape.long": "长表（每行一个节点）",
    "fw.shape.wide": "宽表（一级/二级/三级指标）",
}

# Framework-table problems in Chinese: (pattern of the English message, Chinese with {0}, {1} ... for its groups).
PROBLEMS_ZH: list[tuple[str, str]] = [
    (r"is required; the cell is empty", "必填，单元格为空"),
    (r"is already used in row (\d+); codes are unique", "已在第 {0} 行使用；代码不能重复"),
    (r"expected a number above 0", "应为大于 0 的数"),
    (r"expected a number, 0 or more", "应为不小于 0 的数"),
    (r"expected a number", "应为数字"),
    (r"expected a whole number.*", "应为整数：指标为 1，上一级为 2，依此类推"),
    (r"expected one of (.*)", "应为以下之一：{0}"),
    (r"an indicator's code must start with.*", "指标代码须以小写字母开头，只含小写字母、数字、“-”或“_”（如 a1、b2-3）"),
    (r"is not the code of any dimension row.*", "不是任何维度行的代码"),
    (r"an indicator needs a parent.*", "指标须填写上级：它所属的维度"),
    (r"must be below its parent's level \((.*)\)", "层级须低于上级的层级（{0}）"),
    (r"applies to indicators \(level 1\) only", "只适用于指标（层级 1）"),
    (r"is required for every indicator of a points table", "分值表中每个指标都须填写分值"),
    (r"is not the sum of the points below it \((.*)\)", "不等于下级分值之和（{0}）"),
    (r"its points \((.*)\) are not the sum of its indicators' points \((.*)\)", "其分值（{0}）不等于所含指标分值之和（{1}）"),
    (r"is not a column of a framework table.*", "不是指标体系表的列（可用的列见 docs/frameworks.md）"),
    (r"has a header row but no rows of indicators", "只有表头，没有指标行"),
    (r"is empty: expected.*", "是空表：应有表头，每个指标一行"),
    (r"a table gives weights.*", "一张表只能用权重或分值之一"),
    (r"makes a loop.*", "上级关系形成循环：某节点成了自己的上级"),
    (r"names no indicator.*", "该行没有指标名称：每行须在某一级指标列中填写名称"),
    (r"is empty and there is no row above to repeat", "为空，且上方没有可沿用的行"),
    (r"an indicator needs a dimension above it.*", "指标上方须有维度：请把它放在一级指标之下的二级（或更深）指标列"),
    (r"differs from the (.*) given above for (.*)", "与上方为“{1}”填写的 {0} 不一致"),
    (r"expected minmax, rank, target.*",
     "应为 minmax、rank、target 目标值（如 target 80）或 goalposts 下限 上限（如 goalposts 0 100）"),
    (r"applies to indicators read from indicator_values.*", "只适用于从指标数值表读取的指标（未写计量方法，或 kind 为 value）"),
    (r"missing the column \"code\".*", "缺少“代码”列；或改用含一级指标、二级指标……列的宽表"),
    (r"is in column (\d+), which has no header", "位于第 {0} 列，该列没有表头"),
]
