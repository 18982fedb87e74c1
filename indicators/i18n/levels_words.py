"""Words for the level column of a long framework table (issue 22): which way it counts, and a level that does not
fit its row's place under the parent links. A table counts either from the top (Chinese 层级: 一级指标 = 1) or from
the indicators (COINr's `level`: 1 = indicator); docs/frameworks.md says how the way is read."""

EN: dict[str, str] = {
    "err.framework.level_count_top": "expected a whole number from 1 to {limit}: this table counts its levels from "
                                     "the top (1 = the top level, 一级指标; 2 = the level below it, ...); 一级, "
                                     "二级指标 ... are read too",
    "err.framework.level_count_bottom": "expected a whole number from 1 to {limit}: this table counts its levels "
                                        "from the indicators (1 = indicator, 2 = the level above, ...)",
    "err.framework.level_top": "should be {level}: this table counts its levels from the top (1 = 一级指标), and "
                               "this row sits under {parent}, at level {level}",
    "err.framework.level_top_root": "should be 1: this table counts its levels from the top (1 = 一级指标), and a "
                                    "row without a parent is a top-level one",
    "err.framework.level_bottom": "should be below {level}, the level of its parent {parent}: this table counts its "
                                  "levels from the indicators (1 = indicator, 2 = the level above)",
    "err.framework.level_bottom_leaf": "should be 1: this table counts its levels from the indicators (1 = "
                                       "indicator), and a row that no row names as its parent is an indicator",
    "err.framework.level_outline": "is {level} right below a row of level {above}: without a parent column the "
                                   "rows are read as an outline, each under the nearest row above it one level "
                                   "up; add the missing level or a parent column",
    "err.framework.level_needs_parent": "counts the levels from the indicators (1 = indicator, as COINr does) and "
                                        "no row names a parent: add a parent column (the code of each row's "
                                        "dimension), or count from the top under the header 层级 (1 = 一级指标), "
                                        "and the rows are read as an outline, each under the nearest row above it "
                                        "one level up",
    "err.framework.leaf_only": "applies to indicators only (the rows that hold no other row), not to a level "
                               "above them",
}

ZH: dict[str, str] = {
    "err.framework.level_count_top": "应为1～{limit}的整数：本表层级从上往下数（一级指标为1，二级指标为2，依此类推）；"
                                    "也可写作“一级”“二级指标”等",
    "err.framework.level_count_bottom": "应为1～{limit}的整数：本表层级从末级指标往上数（末级指标为1，上一级为2，依此类推）",
    "err.framework.level_top": "应为{level}：本表层级从上往下数（一级指标为1），本行在{parent}之下，是第{level}级",
    "err.framework.level_top_root": "应为1：本表层级从上往下数（一级指标为1），没有上级的行是一级指标",
    "err.framework.level_bottom": "应小于上级{parent}的层级{level}：本表层级从末级指标往上数（末级指标为1，"
                                  "上一级为2）",
    "err.framework.level_bottom_leaf": "应为1：本表层级从末级指标往上数（末级指标为1），没有下级的行是末级指标",
    "err.framework.level_outline": "是第{level}级，但上方最近的上级是第{above}级：没有“上级”列时，按行的先后"
                                   "确定上下级，每行归入上方最近的、高一级的行；请补上缺少的一级，或增加“上级”列",
    "err.framework.level_needs_parent": "从末级指标往上数层级（末级指标为1），而没有一行填写上级：请增加“上级”列"
                                        "（填写每行所属上级指标的代码），或把层级改为从上往下数（表头写“层级”，一级指标为1），"
                                        "各行即按先后归入上方最近的、高一级的行",
    "err.framework.leaf_only": "只适用于末级指标（其下没有其他指标的行），不适用于上级指标",
}
