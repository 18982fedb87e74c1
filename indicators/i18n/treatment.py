"""Words for the data-treatment stage (why a value was filled or changed, and the station card's treatment columns),
in English and Chinese (same keys in both)."""

EN: dict[str, str] = {
    # ---- why a gap was filled (one key per imputation rule as the treatment log records it)
    "tr.why.mean": "no data: the mean of the stations with data",
    "tr.why.group_mean": "no data: the mean of the stations with data in {group} {gname}",
    "tr.why.fallback_empty_group": "no data, and no station in {group} {gname} has data: the overall mean",
    "tr.why.fallback_no_group": "no data and no {group} recorded: the overall mean",
    "tr.why.median": "no data: the median score (0–100) of the stations with data",
    "tr.why.worst": "no data: the worst score, 0 of 100",
    "tr.why.zero": "no data: counted as 0",
    "tr.why.none": "no station has data: the neutral score, 50 of 100",
    # ---- why a value was changed as an outlier (the log keeps the figures)
    "tr.limits": "skew {skew}, kurtosis {kurtosis} (limits |skew| < {skew_max} or kurtosis < {kurt_max})",
    "tr.why.winsorise": "outlier: {limits}; Winsorised ({n} of at most {winmax} points) to the next value in line",
    "tr.why.log": "outlier: {limits}; Winsorising {winmax} points was not enough, so the values are log "
                  "transformed, log(x - min + 0.01 (max - min)){still}",
    "tr.still": "; still outside the limits after it",
    # ---- the station card says it shortly
    "tr.card.winsorise": "an extreme value: set to the next value in line (Winsorised)",
    "tr.card.log": "a skewed indicator: every value log-transformed, log(x − min + 0.01 × (max − min))",
    "tr.score_of_100": "{value} of 100",
    "tr.sep": "; then ",
    "tr.head": "Data treatment: the value normalised is not the raw one",
    "tr.line": "{indicator}: raw {raw} → treated {treated} → normalised {norm} ({why})",
    # ---- station columns a group mean may average over
    "tr.group.district": "district",
    "tr.group.street": "street",
}

ZH: dict[str, str] = {
    "tr.why.mean": "无数据：用有数据社工站的均值填补",
    "tr.why.group_mean": "无数据：用同一{group}（{gname}）有数据社工站的均值填补",
    "tr.why.fallback_empty_group": "无数据，且同一{group}（{gname}）没有社工站有数据：改用全部社工站的均值",
    "tr.why.fallback_no_group": "无数据且未记录{group}：改用全部社工站的均值",
    "tr.why.median": "无数据：用有数据社工站得分（0～100）的中位数填补",
    "tr.why.worst": "无数据：按最差计，0分（百分制）",
    "tr.why.zero": "无数据：按零计",
    "tr.why.none": "所有社工站均无数据：取中间分50（百分制）",
    "tr.limits": "偏度{skew}、峰度{kurtosis}（限值：|偏度| < {skew_max}或峰度 < {kurt_max}）",
    "tr.why.winsorise": "异常值：{limits}；缩尾处理（{n}个点，最多{winmax}个），改为相邻的下一个值",
    "tr.why.log": "异常值：{limits}；缩尾{winmax}个点仍不够，改为对数变换 log(x − 最小值 + 0.01 ×（最大值 − 最小值）)"
                  "{still}",
    "tr.still": "；变换后仍超出限值",
    "tr.card.winsorise": "极端值：改为相邻的下一个值（缩尾处理）",
    "tr.card.log": "分布偏斜：所有值取对数 log(x − 最小值 + 0.01 ×（最大值 − 最小值）)",
    "tr.score_of_100": "{value}分（百分制）",
    "tr.sep": "；随后",
    "tr.head": "数据处理：参与标准化的不是原始值",
    "tr.line": "{indicator}：原始值{raw} → 处理后{treated} → 标准化得分{norm}（{why}）",
    "tr.group.district": "区",
    "tr.group.street": "街道",
}
