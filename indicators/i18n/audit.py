"""Words for the statistical audit and the data-treatment view (page, CLI, charts), in English and Chinese."""

EN: dict[str, str] = {
    "page.audit": "Audit",
    "missing.mean": "Mean of others (raw)",
    "missing.group_mean": "Mean of the group (raw)",

    "sa.kind.redundant": "redundant",
    "sa.find.redundant": "{a} and {b} are almost the same measurement (r = {r}): counting both gives the same thing "
                         "two weights.",
    "sa.find.opposite": "{a} and {b} measure the same thing in opposite directions (r = {r}): a station's score on "
                        "one undoes its score on the other, so counting both adds weight but tells stations apart "
                        "by little.",
    "sa.kind.negative": "against its dimension",
    "sa.kind.near_constant": "near-constant",
    "sa.kind.low_alpha": "weak dimension",
    "sa.kind.importance_gap": "weight gap",
    "sa.kind.sensitivity": "what moves ranks",
    "sa.kind.station": "uncertain rank",
    "sa.factor.weights": "Weights",
    "sa.factor.normalisation": "Normalisation",
    "sa.factor.missing": "Missing rule",
    "sa.factor.aggregation": "Aggregation",

    "sa.cli.head": "Audit of {scheme}: {n} stations, {k} indicators",
    "sa.cli.importance": "Effective importance (nominal weight, share of the total's variance explained):",
    "sa.cli.alpha": "Cronbach's alpha per dimension (indicators):",
    "sa.cli.sobol": "Sobol indices of the ranks (first order, total; Saltelli 2010 / Jansen; N = {runs}, seed {seed}):",
    "sa.cli.treated": "Data treatment changed {n} values:",
    "sa.cli.time": "audit took {seconds} s (load average {load})",

    "sa.title": "Statistical audit",
    "sa.intro": "Does the scheme measure what its weights say? Correlations between indicators, how well each "
                   "dimension hangs together, the weight each indicator really carries, and which of your choices "
                   "move the stations' ranks. Scheme: {scheme}; period {period}; {n} stations.",
    "sa.findings": "Findings",
    "sa.no_findings": "Nothing to flag.",
    "sa.corr": "Correlations between indicators",
    "sa.corr_caption": "Pearson r of the normalised values (0–100) across stations. |r| > 0.9 marks two "
                          "indicators that measure almost the same thing.",
    "sa.nodes": "Indicators against their dimensions and the total",
    "sa.nodes_caption": "r of each indicator with every dimension score and the total; the own dimension "
                           "is the one to watch: a negative r there means the indicator pulls against it.",
    "sa.alpha": "Cronbach's alpha",
    "sa.alpha_caption": "How consistently the indicators under a dimension move together (1 = as one; below "
                           "0.7 = they measure different things). Dimensions with one indicator have none.",
    "sa.importance": "Nominal weight vs. effective importance",
    "sa.importance_caption": "Effective importance = r² with the total, as a share. Where the bars differ, "
                                "the weights you chose are not the weights you get.",
    "sa.sobol": "What moves the ranks (Sobol indices)",
    "sa.sobol_caption": "Share of the variation in stations' ranks explained by each choice: first order "
                           "(the choice alone) and total (with its interactions). Estimators: Saltelli 2010 "
                           "(first order) and Jansen 1999 (total); N = {runs} ({evals} scorings), seed {seed}; "
                           "weights vary by ±{spread}. Took {seconds} s.",
    "sa.sobol_stations": "Per station",
    "sa.runs": "Sample size N",
    "sa.more": "{n} more",
    "sa.try_impute": "Try: fill gaps with the district mean",
    "sa.try_impute_help": "Scores as if every indicator's missing rule were group_mean (by district); the scheme "
                          "itself is not changed.",
    "sa.try_outliers": "Try: treat outliers (Winsorise, else log)",
    "sa.try_outliers_help": "Scores as if the scheme said treatment: outliers: winsorise (COINr's defaults: up to 5 "
                            "points, |skew| 2, kurtosis 3.5); the scheme itself is not changed.",
    "sa.spread": "Weight uncertainty (±)",
    "sa.treatment": "Data treatment",
    "sa.treatment_none": "This scheme asks for no data treatment: the treated values are the raw values. To "
                            "impute by mean or group mean set an indicator's `missing` to `mean` or `group_mean`; "
                            "to treat outliers add to the scheme's YAML:",
    "sa.treatment_log": "{n} values changed by the treatment (imputed, Winsorised or log-transformed):",
    "sa.treated_values": "Treated values of the indicators it changed (changed cells marked ●)",

    "col.total": "Total",
    "col.kind": "Finding",
    "col.finding": "What it means",
    "col.r": "r",
    "col.alpha": "α",
    "col.n_indicators": "Indicators",
    "col.nominal": "Nominal weight",
    "col.effective_importance": "Effective importance",
    "col.factor": "Choice",
    "col.options": "Options",
    "col.first": "First order",
    "col.total_index": "Total",
    "col.rank_range": "Rank range",
    "col.step": "Step",
    "col.before": "Before",
    "col.after": "After",
    "col.why": "Why",
    "chart.corr": "Correlation of indicators (r)",
    "chart.importance": "Weight chosen vs. weight that counts",
    "chart.measure": "Measure",
    "chart.sobol": "Share of rank variation explained",
    "chart.index": "Index",
    "chart.sa_share": "Share",
    "step.impute": "imputed",
    "step.winsorise": "Winsorised",
    "step.log": "log-transformed",
}

ZH: dict[str, str] = {
    "page.audit": "统计审查",
    "missing.mean": "其他社工站均值（原始值）",
    "missing.group_mean": "同组均值（原始值）",

    "sa.kind.redundant": "重复",
    "sa.find.redundant": "{a}与{b}几乎在测同一件事（r = {r}）：同时计入等于给同一内容加了两份权重。",
    "sa.find.opposite": "{a}与{b}在相反方向上测同一件事（r = {r}）：一项得分高的社工站另一项得分就低，两者相互抵消，"
                        "同时计入占了权重却几乎不能区分社工站。",
    "sa.kind.negative": "与所属上级指标方向相反",
    "sa.kind.near_constant": "几乎不变",
    "sa.kind.low_alpha": "上级指标内部一致性弱",
    "sa.kind.importance_gap": "权重落差",
    "sa.kind.sensitivity": "影响排名的因素",
    "sa.kind.station": "排名不稳",
    "sa.factor.weights": "权重",
    "sa.factor.normalisation": "标准化方法",
    "sa.factor.missing": "缺失值规则",
    "sa.factor.aggregation": "汇总方法",

    "sa.cli.head": "{scheme}的统计审查：{n}个社工站，{k}个指标",
    "sa.cli.importance": "实际重要性（名义权重、对总分方差的解释份额）：",
    "sa.cli.alpha": "各上级指标的克隆巴赫α（指标数）：",
    "sa.cli.sobol": "排名的 Sobol 指数（一阶、总效应；Saltelli 2010 / Jansen；N = {runs}，种子{seed}）：",
    "sa.cli.treated": "数据处理改动了{n}个值：",
    "sa.cli.time": "审查耗时{seconds}秒（系统负载{load}）",

    "sa.title": "统计审查",
    "sa.intro": "方案是否在衡量它的权重所声称的东西？这里看指标之间的相关、各上级指标内部是否一致、每个指标实际承担的权重，"
                   "以及哪些设定会改变社工站排名。方案：{scheme}；评估期{period}；{n}个社工站。",
    "sa.findings": "发现",
    "sa.no_findings": "没有需要提示的问题。",
    "sa.corr": "指标之间的相关",
    "sa.corr_caption": "各社工站标准化得分（0～100）的皮尔逊相关系数 r。|r| > 0.9表示两个指标几乎在测同一件事（r < −0.9：方向相反）。",
    "sa.nodes": "指标与各上级指标及总分的相关",
    "sa.nodes_caption": "每个指标与每个上级指标得分及总分的 r；重点看所属上级指标：若为负，说明该指标与上级指标方向相反。",
    "sa.alpha": "克隆巴赫α",
    "sa.alpha_caption": "同一上级指标下的指标是否一起变动（1 = 完全一致；低于0.7 = 测的是不同的东西）。只有一个指标的上级指标没有α。",
    "sa.importance": "名义权重与实际重要性",
    "sa.importance_caption": "实际重要性 = 与总分相关系数的平方所占份额。两者不一致时，你设定的权重并不是实际起作用的权重。",
    "sa.sobol": "哪些设定改变排名（Sobol 指数）",
    "sa.sobol_caption": "各项设定对社工站排名变动的解释份额：一阶（单独作用）与总效应（含交互作用）。估计方法：一阶用 "
                           "Saltelli 2010，总效应用 Jansen 1999；N = {runs}（共评分{evals}次），种子{seed}；权重浮动 ±{spread}。"
                           "耗时{seconds}秒。",
    "sa.sobol_stations": "各社工站",
    "sa.runs": "样本量 N",
    "sa.more": "另有{n}条",
    "sa.try_impute": "试一试：用同区均值填补缺失",
    "sa.try_impute_help": "按每个指标的缺失规则都是 group_mean（按区）来计分；方案本身不变。",
    "sa.try_outliers": "试一试：处理异常值（缩尾，不行则取对数）",
    "sa.try_outliers_help": "按方案设置了 treatment: outliers: winsorise 来计分（COINr 默认：最多5个点，|偏度| 2，峰度3.5）；方案本身不变。",
    "sa.spread": "权重不确定度（±）",
    "sa.treatment": "数据处理",
    "sa.treatment_none": "本方案未设置数据处理：处理后的值即原始值。若要按均值或同组均值填补缺失，把指标的 `missing` 设为 "
                            "`mean` 或 `group_mean`；若要处理异常值，在方案文件 中加入：",
    "sa.treatment_log": "数据处理改动了{n}个值（填补、缩尾或对数变换）：",
    "sa.treated_values": "被改动指标处理后的值（● 表示被改动的单元格）",

    "col.total": "总分",
    "col.kind": "发现",
    "col.finding": "含义",
    "col.r": "r",
    "col.alpha": "α",
    "col.n_indicators": "指标数",
    "col.nominal": "名义权重",
    "col.effective_importance": "实际重要性",
    "col.factor": "设定",
    "col.options": "选项",
    "col.first": "一阶",
    "col.total_index": "总效应",
    "col.rank_range": "排名范围",
    "col.step": "步骤",
    "col.before": "处理前",
    "col.after": "处理后",
    "col.why": "原因",
    "chart.corr": "指标相关系数（r）",
    "chart.importance": "设定的权重与实际起作用的权重",
    "chart.measure": "度量",
    "chart.sobol": "对排名变动的解释份额",
    "chart.index": "指数",
    "chart.sa_share": "份额",
    "step.impute": "填补",
    "step.winsorise": "缩尾",
    "step.log": "对数变换",
}
