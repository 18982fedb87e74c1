"""Words for the importer's file-level, header, row and reference problems and for framework tables (keys
"err.import.<code>" and "err.framework.<code>"), in English and Chinese.

Same keys and the same parameters in both; the English is the message as the engine writes it. A `detail` or
`reason` parameter is English text from a library (a codec, openpyxl, csv): the Chinese may leave it out.
The cell-level problems (expected a number, a date ...) are in errors.py.
"""

_TABLES_ZH = {"stations": "站点", "residents": "居民", "needs": "需求", "activities": "活动", "attendance": "签到",
              "inspections": "检查", "feedback": "居民评议", "expenditures": "支出", "ratings": "第三方评级",
              "indicator_values": "指标数值"}

EN: dict[str, str] = {
    # ---- where a problem is, and the list's head line
    "err.import.problems": "{files}: {n} problems; nothing was imported",
    "err.import.problems_one": "{files}: {n} problem; nothing was imported",
    "err.import.the_import": "the import",
    "err.import.more": "... and {n} more",
    "err.import.at.row": "row {row}",
    "err.import.at.file_row": "{file} row {row}",
    "err.import.at.column": 'column "{column}"',
    "err.import.at.value": "value {value}",
    "err.import.at.empty": "value (empty)",
    "err.import.empty_value": "(empty)",
    **{f"err.import.table.{t}": t for t in _TABLES_ZH},
    "err.import.a.stations": "a station", "err.import.a.residents": "a resident", "err.import.a.needs": "a need",
    "err.import.a.activities": "an activity",
    # ---- the file as a whole
    "err.import.not_table": "is not a record table; tables: {tables}",
    "err.import.template_lang": "expected a language: zh, en or both",
    "err.import.file_mb": "is {mb} MB; the limit is {limit} MB: split the file",
    "err.import.more_than_mb": "is more than {limit} MB; split the file",
    "err.import.unzipped_mb": "unpacks to {mb} MB; the limit is {limit} MB",
    "err.import.unreadable": "cannot be read: {detail}",
    "err.import.utf16": "starts like UTF-16 text but byte {at} is not UTF-16",
    "err.import.encoding": "is neither UTF-8 nor GBK/GB18030 text (byte {at} is 0x{byte}, line {line}); save it as "
                           "'CSV UTF-8' or as .xlsx",
    "err.import.mixed": "is neither UTF-8 nor GBK/GB18030 text ({why}: mixed encodings); save it as 'CSV UTF-8' or "
                        "as .xlsx",
    "err.import.mixed.not_utf8": "not UTF-8 in row {rows} while {n} other rows are UTF-8",
    "err.import.mixed.utf8": "UTF-8 in row {rows} while {n} other rows are GBK/GB18030",
    "err.import.bad_csv": "is not valid CSV near line {line}: {detail}",
    "err.import.bad_xlsx": "is not a readable .xlsx workbook ({detail}); save it again from Excel or as CSV",
    "err.import.no_sheet": "has no worksheet",
    "err.import.damaged_sheet": "has a damaged worksheet near row {row} ({detail}); save it again from Excel or as CSV",
    "err.import.xls": "is an old .xls workbook (or an encrypted one); save it as .xlsx or CSV UTF-8",
    "err.import.not_xlsx": "is named .xlsx but is not an Excel workbook (damaged or renamed?)",
    "err.import.empty": "is empty: expected a header row and at least one data row",
    "err.import.no_rows": "has a header row but no data rows",
    "err.import.too_many_columns": "has more than {limit} columns",
    "err.import.too_many_rows": "the file has more than {limit} data rows; split it",
    # ---- the header
    "err.import.unknown_column": "is not a column of {table}; known columns: {known}",
    "err.import.unknown_column_hint": 'is not a column of {table}; did you mean "{header}" ({column})? known '
                                      "columns: {known}",
    "err.import.same_column": 'means {column}, like column "{before}" before it; keep one of them',
    "err.import.missing_column": "missing required column {columns}",
    "err.import.missing_columns": "missing required columns {columns}",
    # ---- a row
    "err.import.short_row": "has {n} cells but the header has {width}: is the row cut short?",
    "err.import.beyond_header": "is in column {column}, beyond the {width} columns of the header",
    "err.import.no_header": "has no header; give the column a header or delete it",
    "err.import.required": "is required; the cell is empty",
    "err.import.resolved_required": "is required when the status is resolved (已解决): the day the need was resolved",
    "err.import.resolved_not_empty": "must be empty when the status is {status}: only resolved needs have a resolved "
                                     "date",
    "err.import.before_raised": "is before the day the need was raised ({date})",
    "err.import.before_start": "is before the start of the period ({date})",
    "err.import.feedback_needs": "a feedback row needs a rating (1-5) or a need_met answer (yes/no)",
    # ---- rows against each other and against the database
    "err.import.repeats_key": "repeats the key of {where}; each record may appear once",
    "err.import.differs": "{column}: {there} there, {here} here",
    "err.import.exists_different": "is already in the database with different content ({diffs}); records are never "
                                   "overwritten: correct the row or leave it out",
    "err.import.missing_refs": "{rows} rows name {n} {table} that are neither in the database nor in this import "
                               "({sample}); import {table} first (or in the same import)",
    "err.import.missing_ref": "names {what} that is neither in the database nor in this import; import {table} first "
                              "(or in the same import)",
    "err.import.stale": "the database changed since the file was checked; check it again",
    "err.import.keys_added": "{n} of its keys were added to {table} since the file was checked; check it again",
    # ---- a database with nothing to score (scoring.engine)
    "err.records.no_tables": "the database holds no record tables: import records or build the demo first",
    "err.records.no_stations": "the database has no stations: import records or build the demo first",
    # ---- framework tables (scheme.framework)
    "err.framework.empty": "is empty: expected a header row and one row per indicator",
    "err.framework.repeat_level": "repeats a level column; keep one of them",
    "err.framework.unknown_column": "is not a column of a framework table; known: {known}, and 一级指标, 二级指标 ... "
                                    "(level 1, level 2 ...) for the wide form",
    "err.framework.weights_and_points": "a table gives weights (权重) or points (分值), not both",
    "err.framework.no_rows": "has a header row but no rows of indicators",
    "err.framework.no_header": "is in column {column}, which has no header",
    "err.framework.no_level_names": "has level columns but no level names (一级指标, 二级指标 ...)",
    "err.framework.no_code": 'missing the column "code" (代码); or use the wide form with columns 一级指标, 二级指标, '
                             "三级指标 ...",
    "err.framework.number": "expected a number",
    "err.framework.too_large": "expected a number no larger than {limit}",
    "err.framework.positive": "expected a number above 0",
    "err.framework.zero_or_more": "expected a number, 0 or more",
    "err.framework.one_of": "expected one of {codes} (or {labels})",
    "err.framework.normalisation": "expected minmax, rank, target VALUE (e.g. target 80) or goalposts LOW HIGH "
                                   "(e.g. goalposts 0 100)",
    "err.framework.measure_yaml": "is not a measure ({detail}); write it as in the scheme YAML, e.g. "
                                  "{{kind: count, table: activities, filter: \"kind = 'group'\"}}",
    "err.framework.measure_mapping": "expected a mapping such as {{kind: count, table: activities}}",
    "err.framework.measures_too_long": "the measures of this table hold more than {limit} characters together; a "
                                       "measure is a short mapping such as {{kind: count, table: activities}}",
    "err.framework.denominator": "applies to indicators read from indicator_values (no measure, or kind value); a "
                                 "record measure divides with kind ratio or per_1000",
    "err.framework.level_whole": "expected a whole number: 1 for an indicator, 2 for the level above, ...",
    "err.framework.code_used": "is already used in row {row}; codes are unique",
    "err.framework.bad_code": "a code is 1 to 64 characters without spaces (e.g. B11, 1.1.2, visits)",
    "err.framework.code_like": "differs from {other} (row {row}) only by case or full-width letters; codes must "
                               "differ in more than that",
    "err.framework.note_inside": "reads as a note (text in one cell, or starting 注/说明/备注) but items follow it "
                                 "down to row {last}; put notes below the last item, or fill the row's cells",
    "err.framework.name_points": "differs from the {named} points written in the name",
    "err.framework.scoring_yaml": "is not a scoring rule ({detail}); write it as in the scheme YAML, e.g. "
                                  "{{rule: bands, steps: [[0.9, 50], [0.8, 40]], else: 0}}",
    "err.framework.scoring_mapping": "expected a scoring rule such as {{rule: deduct, target: 30, per: 2}} or "
                                     "awarded",
    "err.framework.total_row": "is not the total of the items' points ({total})",
    "err.framework.grades_no_floor": "gives grade bands ({bands}) but none from 0; add the lowest band (e.g. "
                                     "600分以下为不合格) or give the bands yourself (--grades)",
    "err.framework.grade_above": "a grade band starts above the {limit} points a station can earn",
    "err.framework.grades_option": "{option}: expected LABEL:MIN pairs separated by commas, one of them from 0, "
                                   "labels unique, e.g. 优秀:900,良好:800,合格:600,不合格:0 (got {text})",
    "err.framework.indicator_only": "applies to indicators (level 1) only",
    "err.framework.points_required": "is required for every indicator of a points table",
    "err.framework.no_parent": "an indicator needs a parent: the dimension it belongs to",
    "err.framework.not_parent": "is not the code of any dimension row",
    "err.framework.not_parent_leaf": "is not the code of any dimension row (it is an indicator's)",
    "err.framework.level_below": "must be below its parent's level ({level})",
    "err.framework.points_sum": "is not the sum of the points below it ({total})",
    "err.framework.loop": "makes a loop: a node is its own ancestor",
    "err.framework.too_deep": "makes a chain of more than {limit} levels (dimension levels and the indicator "
                              "level); a scheme may have at most {limit}",
    "err.framework.too_many_rows": "the table has {n} rows of items; a scheme may hold at most {limit} dimensions "
                                   "and indicators",
    "err.framework.control": "holds a control character ({char}, character {at}); cells may not hold control or "
                             "text-direction characters, which hide or reorder what a reader sees",
    "err.framework.not_loadable": "the scheme this table makes would not load back as a scheme file ({field}: "
                                  "{problem})",
    "err.framework.no_name": "names no indicator: every row needs a name in a level column",
    "err.framework.no_above": "is empty and there is no row above to repeat",
    "err.framework.differs": "differs from the {given} given above for {name}",
    "err.framework.no_dimension": "an indicator needs a dimension above it: put it in the 二级指标 column (or deeper) "
                                  "under a 一级指标",
    "err.framework.dimension_points": "its points ({given}) are not the sum of its indicators' points ({total})",
    "err.framework.field": "{field}: {problem}",
    "err.framework.in_node": "{problem} (node {node})",
}

ZH: dict[str, str] = {
    "err.import.problems": "{files}：发现 {n} 个问题，未导入任何记录",
    "err.import.problems_one": "{files}：发现 {n} 个问题，未导入任何记录",
    "err.import.the_import": "本次导入",
    "err.import.more": "……另有 {n} 个问题",
    "err.import.at.row": "第 {row} 行",
    "err.import.at.file_row": "{file} 第 {row} 行",
    "err.import.at.column": "“{column}”列",
    "err.import.at.value": "值 {value}",
    "err.import.at.empty": "值为空",
    "err.import.empty_value": "（空）",
    **{f"err.import.table.{t}": zh for t, zh in _TABLES_ZH.items()},
    "err.import.a.stations": "站点", "err.import.a.residents": "居民", "err.import.a.needs": "需求",
    "err.import.a.activities": "活动",
    "err.import.not_table": "不是记录数据表；可选：{tables}",
    "err.import.template_lang": "语言应为 zh、en 或 both",
    "err.import.file_mb": "有 {mb} MB，上限为 {limit} MB：请拆分文件",
    "err.import.more_than_mb": "超过 {limit} MB，请拆分文件",
    "err.import.unzipped_mb": "解压后有 {mb} MB，上限为 {limit} MB",
    "err.import.unreadable": "无法读取（{detail}）",
    "err.import.utf16": "开头像 UTF-16 文本，但第 {at} 字节不是 UTF-16",
    "err.import.encoding": "既不是 UTF-8 也不是 GBK/GB18030 编码（第 {line} 行第 {at} 字节为 0x{byte}）；"
                           "请另存为“CSV UTF-8”或 .xlsx",
    "err.import.mixed": "既不是 UTF-8 也不是 GBK/GB18030 编码（{why}：编码混杂）；请另存为“CSV UTF-8”或 .xlsx",
    "err.import.mixed.not_utf8": "第 {rows} 行不是 UTF-8，而其他 {n} 行是",
    "err.import.mixed.utf8": "第 {rows} 行是 UTF-8，而其他 {n} 行是 GBK/GB18030",
    "err.import.bad_csv": "不是有效的 CSV：第 {line} 行附近格式有误（多为引号不配对）",
    "err.import.bad_xlsx": "不是可读取的 .xlsx 工作簿；请用 Excel 重新保存或另存为 CSV",
    "err.import.no_sheet": "没有工作表",
    "err.import.damaged_sheet": "工作表在第 {row} 行附近已损坏；请用 Excel 重新保存或另存为 CSV",
    "err.import.xls": "是旧版 .xls 工作簿（或已加密）；请另存为 .xlsx 或“CSV UTF-8”",
    "err.import.not_xlsx": "扩展名是 .xlsx，但不是 Excel 工作簿（已损坏或被改名？）",
    "err.import.empty": "是空文件：应有一行表头和至少一行数据",
    "err.import.no_rows": "只有表头，没有数据行",
    "err.import.too_many_columns": "超过 {limit} 列",
    "err.import.too_many_rows": "文件超过 {limit} 行数据，请拆分",
    "err.import.unknown_column": "不是{table}表的列；已知的列：{known}",
    "err.import.unknown_column_hint": "不是{table}表的列；是否应为“{header}”（{column}）？已知的列：{known}",
    "err.import.same_column": "与前面的“{before}”列含义相同（{column}）；请只保留一列",
    "err.import.missing_column": "缺少必填列 {columns}",
    "err.import.missing_columns": "缺少必填列 {columns}",
    "err.import.short_row": "只有 {n} 个单元格，但表头有 {width} 列：这一行是否不完整？",
    "err.import.beyond_header": "位于第 {column} 列，超出了表头的 {width} 列",
    "err.import.no_header": "该列没有表头：请给该列加上表头或删除该列",
    "err.import.required": "为必填项，此单元格为空",
    "err.import.resolved_required": "处理状态为已解决时必填：需求解决的日期",
    "err.import.resolved_not_empty": "处理状态为 {status} 时必须为空：只有已解决的需求才有解决日期",
    "err.import.before_raised": "早于需求提出日期（{date}）",
    "err.import.before_start": "早于统计期的开始日期（{date}）",
    "err.import.feedback_needs": "每条反馈需要评分（1-5）或“需求是否满足”（是/否）",
    "err.import.repeats_key": "与{where}的编号重复；每条记录只能出现一次",
    "err.import.differs": "{column}：库中为 {there}，此处为 {here}",
    "err.import.exists_different": "已在数据库中，但内容不同（{diffs}）；已有记录不会被覆盖：请更正此行或将其删去",
    "err.import.missing_refs": "有 {rows} 行引用的 {n} 个{table}既不在数据库中，也不在本次导入中（{sample}）；"
                               "请先导入{table}（或在同一次导入中一并上传）",
    "err.import.missing_ref": "所指的{what}既不在数据库中，也不在本次导入中；请先导入{table}（或在同一次导入中一并上传）",
    "err.import.stale": "检查之后数据库发生了变化，请重新检查",
    "err.import.keys_added": "检查之后，{table}表中新增了其中 {n} 个编号，请重新检查",
    "err.records.no_tables": "数据库中没有记录表：请先导入记录或生成演示数据",
    "err.records.no_stations": "数据库中没有站点：请先导入记录或生成演示数据",
    "err.framework.empty": "是空表：应有表头，每个指标一行",
    "err.framework.repeat_level": "重复的层级列；请只保留一列",
    "err.framework.unknown_column": "不是指标体系表的列；可用的列：{known}，宽表还可用一级指标、二级指标……",
    "err.framework.weights_and_points": "一张表只能用权重或分值之一，不能同时使用",
    "err.framework.no_rows": "只有表头，没有指标行",
    "err.framework.no_header": "位于第 {column} 列，该列没有表头",
    "err.framework.no_level_names": "有层级列，但没有层级名称列（一级指标、二级指标……）",
    "err.framework.no_code": "缺少“代码”列；或改用含一级指标、二级指标、三级指标……列的宽表",
    "err.framework.number": "应为数字",
    "err.framework.too_large": "应为不超过 {limit} 的数",
    "err.framework.positive": "应为大于 0 的数",
    "err.framework.zero_or_more": "应为不小于 0 的数",
    "err.framework.one_of": "应为以下之一：{labels}（或代码 {codes}）",
    "err.framework.normalisation": "应为 minmax、rank、target 目标值（如 target 80）或 goalposts 下限 上限"
                                   "（如 goalposts 0 100）",
    "err.framework.measure_yaml": "不是计量方法；请按方案 YAML 的写法填写，例如 "
                                  "{{kind: count, table: activities, filter: \"kind = 'group'\"}}",
    "err.framework.measure_mapping": "应为映射，例如 {{kind: count, table: activities}}",
    "err.framework.measures_too_long": "本表的计量方法合计超过 {limit} 个字符；计量方法应是简短的映射，"
                                       "例如 {{kind: count, table: activities}}",
    "err.framework.denominator": "只适用于从指标数值表读取的指标（未写计量方法，或 kind 为 value）；"
                                 "记录计量请用 kind ratio 或 per_1000 做除法",
    "err.framework.level_whole": "应为整数：指标为 1，上一级为 2，依此类推",
    "err.framework.code_used": "已在第 {row} 行使用；代码不能重复",
    "err.framework.bad_code": "代码应为 1 至 64 个字符，不含空格（如 B11、1.1.2、visits）",
    "err.framework.code_like": "与第 {row} 行的 {other} 仅有大小写或全角半角之别；代码须有实质区别",
    "err.framework.note_inside": "看似注释行（仅一格有文字，或以注/说明/备注开头），但其下直到第 {last} 行仍有指标；"
                                 "请把注释放在最后一个指标之后，或补全该行",
    "err.framework.name_points": "与名称中写明的 {named} 分不一致",
    "err.framework.scoring_yaml": "不是计分规则（{detail}）；请按方案 YAML 的写法填写，例如 "
                                  "{{rule: bands, steps: [[0.9, 50], [0.8, 40]], else: 0}}",
    "err.framework.scoring_mapping": "应为计分规则，例如 {{rule: deduct, target: 30, per: 2}} 或 awarded",
    "err.framework.total_row": "不等于各指标分值之和（{total}）",
    "err.framework.grades_no_floor": "列出了等次（{bands}），但没有从 0 分起的最低等次；请补上最低等次"
                                     "（如“600分以下为不合格”），或自行给出等次（--grades）",
    "err.framework.grade_above": "有等次的下限高于可得的 {limit} 分",
    "err.framework.grades_option": "{option}：应为以逗号分隔的“等次:下限”，其中一个从 0 起，等次不重复，"
                                   "例如 优秀:900,良好:800,合格:600,不合格:0（收到 {text}）",
    "err.framework.indicator_only": "只适用于指标（层级 1）",
    "err.framework.points_required": "分值表中每个指标都须填写分值",
    "err.framework.no_parent": "指标须填写上级：它所属的维度",
    "err.framework.not_parent": "不是任何维度行的代码",
    "err.framework.not_parent_leaf": "不是任何维度行的代码（它是一个指标的代码）",
    "err.framework.level_below": "层级须低于上级的层级（{level}）",
    "err.framework.points_sum": "不等于下级分值之和（{total}）",
    "err.framework.loop": "上级关系形成循环：某节点成了自己的上级",
    "err.framework.too_deep": "上级关系形成超过 {limit} 层的链（维度层级加指标层）；方案最多 {limit} 层",
    "err.framework.too_many_rows": "表中有 {n} 行指标；方案的维度与指标合计最多 {limit} 个",
    "err.framework.control": "含控制字符（{char}，第 {at} 个字符）；单元格不得含控制字符或文字方向字符，"
                             "它们会隐藏或颠倒读者看到的内容",
    "err.framework.not_loadable": "此表生成的方案无法作为方案文件重新读入（{field}：{problem}）",
    "err.framework.no_name": "该行没有指标名称：每行须在某一级指标列中填写名称",
    "err.framework.no_above": "为空，且上方没有可沿用的行",
    "err.framework.differs": "与上方为“{name}”填写的 {given} 不一致",
    "err.framework.no_dimension": "指标上方须有维度：请把它放在一级指标之下的二级（或更深）指标列",
    "err.framework.dimension_points": "其分值（{given}）不等于所含指标分值之和（{total}）",
    "err.framework.field": "{field}：{problem}",
    "err.framework.in_node": "{problem}（节点 {node}）",
}
