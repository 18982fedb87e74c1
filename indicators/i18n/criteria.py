"""Words for the 评分标准 reader's proposals (indicators/scheme/criteria.py `describe`), in English and Chinese
(same keys in both)."""

EN: dict[str, str] = {
    "criteria.kind.awarded": "Awarded by the evaluator",
    "criteria.kind.bands": "Bands",
    "criteria.kind.deduct": "Deduct from full points",
    "criteria.kind.linear": "In proportion",
    "criteria.kind.yes_no": "Yes / no",
    "criteria.step_higher": "≥ {threshold}: {points:g}",
    "criteria.step_lower": "≤ {threshold}: {points:g}",
    "criteria.else": "otherwise {points:g}",
    "criteria.deduct": "full points at {target} or more, {per:g} off for each {unit} short, never below 0",
    "criteria.linear": "points × value / {full_at}, at most full points",
    "criteria.yes_no": "full points for yes, 0 for no",
    "criteria.awarded": "the points the evaluator awards are the score",
}

ZH: dict[str, str] = {
    "criteria.kind.awarded": "评估人员打分",
    "criteria.kind.bands": "分档计分",
    "criteria.kind.deduct": "扣分制",
    "criteria.kind.linear": "按比例计分",
    "criteria.kind.yes_no": "是否",
    "criteria.step_higher": "≥ {threshold}：{points:g}分",
    "criteria.step_lower": "≤ {threshold}：{points:g}分",
    "criteria.else": "其余{points:g}分",
    "criteria.deduct": "达到{target}得满分，每少{unit}扣{per:g}分，扣完为止",
    "criteria.linear": "分值 × 实际值 / {full_at}，最高得满分",
    "criteria.yes_no": "是得满分，否不得分",
    "criteria.awarded": "以评估人员所给分数为准",
}
