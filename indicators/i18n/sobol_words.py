"""Words for the Sobol indices' intervals and the "uncertain" mark (audit findings, tables, chart, CLI), EN and ZH."""

EN: dict[str, str] = {
    # an index with its 95% interval; one too wide to read is given as the range only
    "sobol.value": "{value} ({lo}–{hi})",
    "sobol.uncertain": "uncertain ({lo}–{hi})",
    "sobol.uncertain_bare": "uncertain",
    "sobol.share": "{value} ({lo}–{hi})",
    "sobol.share_uncertain": "an uncertain share ({lo}–{hi})",
    "sobol.find.choice": "The {factor} choice ({options}) explains {first} of the movement in stations' ranks on "
                         "its own and {total} with its interactions.",
    "sobol.find.station": "{name} ranks {rank} but anywhere from {lo} to {hi} under plausible choices; mostly "
                          "because of the {factor}: total index {index}.",
    "sobol.rule": "In brackets: the 95% interval from {resamples} bootstrap resamples. An index whose interval is "
                  "wider than {wide} is marked uncertain and shown as its range: the runs cannot tell a small "
                  "effect from a middling one. Raise N to narrow it.",
    "sobol.per_station_caption": "Each station's own indices: first order (the choice alone) and total (with its "
                                 "interactions). A station whose rank seldom moves has few runs to go on, so its "
                                 "indices are often uncertain; one whose rank never moves has none (–).",
    "sobol.col.first": "{factor}: first order",
    "sobol.col.total": "{factor}: total",
    "sobol.chart.interval": "Line: the 95% interval\nPale bar: uncertain (interval wider than {wide})",
    "sobol.chart.reading": "Reading",
    "sobol.chart.certain": "clear",
    "sobol.chart.uncertain": "uncertain (interval wider than {wide})",
    "sobol.cli.rule": "  (95% intervals from {resamples} bootstrap resamples; wider than {wide}: uncertain)",
}

ZH: dict[str, str] = {
    "sobol.value": "{value}（{lo}～{hi}）",
    "sobol.uncertain": "不确定（{lo}～{hi}）",
    "sobol.uncertain_bare": "不确定",
    "sobol.share": "{value}（{lo}～{hi}）",
    "sobol.share_uncertain": "不确定的份额（{lo}～{hi}）",
    "sobol.find.choice": "{factor}（{options}）单独解释了社工站排名变动的{first}，连同交互作用共{total}。",
    "sobol.find.station": "{name}排名第{rank}，在合理的不同选择下介于第{lo}至第{hi}位；主要取决于{factor}：总效应指数{index}。",
    "sobol.rule": "括号内为95% 置信区间（自助法重抽样{resamples}次）。区间宽度超过{wide}的指数标为“不确定”，只给出区间："
                  "这些模拟分不清影响是小还是中等。增大 N 可使区间变窄。",
    "sobol.per_station_caption": "各社工站自己的指数：一阶（单独作用）与总效应（含交互作用）。排名很少变动的社工站可依据的模拟少，"
                                 "指数常常不确定；排名从不变动的社工站没有指数（–）。",
    "sobol.col.first": "{factor}：一阶",
    "sobol.col.total": "{factor}：总效应",
    "sobol.chart.interval": "细线：95% 置信区间\n浅色柱：不确定（区间宽于{wide}）",
    "sobol.chart.reading": "可读性",
    "sobol.chart.certain": "清楚",
    "sobol.chart.uncertain": "不确定（区间宽于{wide}）",
    "sobol.cli.rule": "  （95% 置信区间，自助法重抽样{resamples}次；宽于{wide}为不确定）",
}
