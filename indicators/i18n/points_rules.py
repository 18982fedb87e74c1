"""Words for points schemes (千分制): scoring rules, look-alike codes, veto, grades on points, completeness; zh and en."""

EN: dict[str, str] = {
    "err.scheme.bad_code": "{id!r} must be 1 to 64 characters without spaces or control characters",
    "err.scheme.look_alike": "{id!r} differs from {other!r} (at {where}) only by case or full-width letters: "
                             "a reader cannot tell them apart; give one of them another code",
    "err.scheme.scoring_or_relative": "is required for an indicator computed from records in a points scheme: a "
                                      "rule that turns its value into points (bands, deduct, linear, yes_no), or "
                                      "an explicit normalisation (method: minmax) to score it against the other "
                                      "stations",
    "err.scheme.scoring_needs_points": "applies to points schemes only (weighting: points)",
    "err.scheme.step_pair": "must be a pair [threshold, points], e.g. [0.9, 50]",
    "err.scheme.above_zero": "must be a number above 0, got {value}",
    "err.scheme.step_points": "gives {got} points, outside 0 to the item's {points}",
    "err.scheme.steps_order_higher": "thresholds must go down from step to step (the first one reached wins)",
    "err.scheme.steps_order_lower": "thresholds must go up from step to step when lower is better",
    "err.scheme.steps_points_order": "gives more points than the step before it: a better value must never earn less",
    "err.scheme.else_points": "must be between 0 and the last step's {last} points",
    "err.scheme.points_all_zero": "the items' points add up to 0: at least one item must carry points",
    "err.scheme.points_arithmetic": "a points scheme adds up the points earned: its aggregation must be arithmetic, "
                                    "not {value}",
    "err.scheme.grade_scale_points": "grades in points need a points scheme (weighting: points)",
    "err.scheme.share_range": "must be a share from 0 to 1, got {value}",
    "err.scheme.not_flag": "must be true or false, got {value!r}",
    "cli.col.veto": "veto", "cli.col.status": "status",
    "err.cli.no_values_in_period": "the period {period} holds none of this scheme's values in indicator_values, "
                                   "so every station would tie; periods that hold them (rows): {periods}",
    "cli.status.ranked": "ranked", "cli.status.vetoed": "vetoed", "cli.status.insufficient": "too little data",
    "cli.status.refused": "item missing",
}

ZH: dict[str, str] = {
    "err.scheme.bad_code": "{id!r}须为1到64个字符，不含空格或控制字符",
    "err.scheme.look_alike": "{id!r}与{other!r}（位于{where}）只差大小写或全角字母，读者无法区分，请给其中一个另起代码",
    "err.scheme.scoring_or_relative": "分值制方案中由记录计算的指标必须填写：把数值换算成得分的规则（bands 分档、deduct 扣分、"
                                      "linear 按比例、yes_no 有无），或明确写出标准化方法（method: minmax）以与其他社工站相对比较计分",
    "err.scheme.scoring_needs_points": "只适用于分值制方案（weighting: points）",
    "err.scheme.step_pair": "须为一对 [阈值, 得分]，如 [0.9, 50]",
    "err.scheme.above_zero": "必须是大于0的数，实际是{value}",
    "err.scheme.step_points": "给出{got}分，超出0至本项分值{points}分的范围",
    "err.scheme.steps_order_higher": "各档阈值须逐档递减（先达到的一档生效）",
    "err.scheme.steps_order_lower": "越低越好时，各档阈值须逐档递增",
    "err.scheme.steps_points_order": "得分高于上一档：更好的数值不能得更少的分",
    "err.scheme.else_points": "须在0至最后一档的{last}分之间",
    "err.scheme.points_all_zero": "各项分值合计为0：至少一项须有分值",
    "err.scheme.points_arithmetic": "分值制方案的总分是各项得分之和，汇总方式须为 arithmetic（加权算术平均），不能是{value}",
    "err.scheme.grade_scale_points": "按得分划分等级须为分值制方案（weighting: points）",
    "err.scheme.share_range": "须为0到1之间的比例，实际是{value}",
    "err.scheme.not_flag": "须为 true 或 false，实际是{value!r}",
    "cli.col.veto": "一票否决", "cli.col.status": "状态",
    "err.cli.no_values_in_period": "评估期{period}内没有本评估方案的任何指标数值（indicator_values），所有社工站将得分相同；"
                                   "有数值的评估期（行数）：{periods}",
    "cli.status.ranked": "参与排名", "cli.status.vetoed": "一票否决", "cli.status.insufficient": "数据不足",
    "cli.status.refused": "缺项未评",
}
