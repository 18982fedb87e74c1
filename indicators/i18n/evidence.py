"""Words for the evidence audit (which kind of evidence earns a scheme's points), in English and Chinese."""

EN: dict[str, str] = {
    "ev.kind.paper": "Paper records",
    "ev.kind.site": "Site checks",
    "ev.kind.residents": "Residents' own voice",
    "ev.kind.other": "Other",
    "ev.short.paper": "paper",
    "ev.short.site": "site check",
    "ev.short.residents": "residents",
    "ev.short.other": "other",

    # ---- why an item is in its class
    "ev.place.source": "数据来源 “{text}”",
    "ev.place.criteria": "评分标准",
    "ev.place.name": "name",
    "ev.place.measure": "measure",
    "ev.why.cues": "{place}: {cues}",
    "ev.why.cue": "{cue} ({kind})",
    "ev.why.mixed": "several kinds named: counted as {kind} (residents first, then site checks, then paper)",
    "ev.why.none": "nothing in the 数据来源, 评分标准, name or measure says which evidence",
    "ev.why.scheme": "set in the scheme (evidence: {kind})",
    "ev.why.corrected": "corrected by the evaluator (was {kind})",
    "ev.m.activities": "counts activities held",
    "ev.m.photos": "counts photos",
    "ev.m.media": "counts media reports",
    "ev.m.headcount": "counts reported head-count",
    "ev.m.attendance": "attendance sign-in records",
    "ev.m.inspections": "inspection preparation records",
    "ev.m.expenditures": "financial records",
    "ev.m.image": "spending on image and publicity",
    "ev.m.register": "the residents' register",
    "ev.m.needs": "needs residents raised, and whether they were resolved",
    "ev.m.feedback": "residents' feedback",
    "ev.m.ratings": "a rater's judgement",

    # ---- the paragraph
    "ev.sentence.points": "{paper} of this table's {total} points can be earned from paper records alone; "
                          "{residents} come from residents.",
    "ev.sentence.weights": "{paper} of this scheme's weight can be earned from paper records alone; "
                           "{residents} comes from residents.",
    "ev.sentence.site": "{site} rest on site checks.",
    "ev.sentence.other": "{other} rest on other evidence.",
    "ev.gain.points": "Perfect paperwork and no change for residents would add {mean} points to a station on "
                      "average (up to {max}, at {station}).",
    "ev.gain.score": "Perfect paperwork and no change for residents would add {mean} points of the 0-100 score to a "
                     "station on average (up to {max}, at {station}).",
    "ev.cli.head": "Which evidence earns the points (residents first, then site checks, then paper; "
                   "paper = nothing but paper named):",
    "ev.cli.gain_head": "Points a station could still gain from paper items alone:",

    # ---- the Audit page
    "ev.title": "Which evidence earns the points",
    "ev.caption": "Each item is classed from its 数据来源, its 评分标准, its name and its measure: paper records "
                  "(台账, 档案, 照片, 宣传报道, counts of activities), site checks (实地查看, 暗访) or residents' own "
                  "voice (满意度调查, 访谈, 评议, needs resolved). When several are named, residents decide, then "
                  "site checks, then paper: an item counts as paper only when nothing but paper is named, so the "
                  "paper share is a floor. Correct any item's class in the table.",
    "ev.items": "Items and their evidence",
    "ev.corrected": "{n} item(s) corrected on this page (kept while you work, not saved). To keep them, add to "
                    "each indicator in the scheme's YAML:",
    "ev.reset": "Undo the corrections",
    "ev.keep": "Put these classes into the scheme",
    "ev.keep_help": "Sets `evidence:` on the corrected items in a working copy of the scheme (a built-in scheme gets "
                    "a copy of its own); save it on the Schemes page.",
    "ev.kept": "The classes of {n} item(s) are now in the working scheme {scheme}; save it on the Schemes page to "
               "keep them.",
    "ev.gain": "Points from paperwork alone, per station",
    "ev.gain_caption": "What each station could still gain on the paper items: their points less what it earned, "
                       "with nothing changed for residents.",
    "ev.col.code": "Code",
    "ev.col.name": "Item",
    "ev.col.points": "Points",
    "ev.col.score": "Weight (of 100)",
    "ev.col.kind": "Evidence",
    "ev.col.why": "Why",
    "ev.col.relative": "Relative",   # scored against the other stations
    "ev.col.station": "Station",
    "ev.col.gain": "Gain from paperwork",
    "ev.chart.title": "Which evidence earns the points",
    "ev.chart.subtitle": "{total} points in all",
    "ev.chart.subtitle_weights": "Share of the scheme's weight",
    "ev.chart.kind": "Evidence",
    "ev.chart.points": "Points",
    "ev.chart.share": "Share",
    "ev.chart.items": "Items",
}

ZH: dict[str, str] = {
    "ev.kind.paper": "台账资料",
    "ev.kind.site": "实地查看",
    "ev.kind.residents": "居民本人的评价",
    "ev.kind.other": "其他",
    "ev.short.paper": "台账资料",
    "ev.short.site": "实地查看",
    "ev.short.residents": "居民评价",
    "ev.short.other": "其他",

    "ev.place.source": "数据来源“{text}”",
    "ev.place.criteria": "评分标准",
    "ev.place.name": "名称",
    "ev.place.measure": "计量方法",
    "ev.why.cues": "{place}：{cues}",
    "ev.why.cue": "{cue}（{kind}）",
    "ev.why.mixed": "涉及多类证据，按居民评价、实地查看、台账资料的顺序归为{kind}",
    "ev.why.none": "数据来源、评分标准、名称和计量方法均未表明证据类型",
    "ev.why.scheme": "方案中指定（evidence: {kind}）",
    "ev.why.corrected": "评估人员更正（原为{kind}）",
    "ev.m.activities": "统计开展活动场次",
    "ev.m.photos": "统计活动照片",
    "ev.m.media": "统计媒体报道",
    "ev.m.headcount": "统计上报人次",
    "ev.m.attendance": "签到记录",
    "ev.m.inspections": "检查准备记录",
    "ev.m.expenditures": "财务记录",
    "ev.m.image": "形象宣传支出",
    "ev.m.register": "居民名册",
    "ev.m.needs": "居民提出的需求及其解决情况",
    "ev.m.feedback": "居民反馈",
    "ev.m.ratings": "评估人员评定",

    "ev.sentence.points": "这张表{total}分中，{paper}仅凭台账资料即可得到；{residents}来自居民本人的评价。",
    "ev.sentence.weights": "这套方案的权重中，{paper}仅凭台账资料即可得到；{residents}来自居民本人的评价。",
    "ev.sentence.site": "{site}要靠实地查看。",
    "ev.sentence.other": "{other}来自其他证据。",
    "ev.gain.points": "只把台账资料做到完美、居民处境不变，社工站平均还能多得{mean}分（最多{max}分，{station}）。",
    "ev.gain.score": "只把台账资料做到完美、居民处境不变，社工站的百分制得分平均还能提高{mean}分（最多{max}分，{station}）。",
    "ev.cli.head": "哪类证据挣得分数（居民评价优先，其次实地查看，再次台账资料；只提到台账资料的才算台账资料）：",
    "ev.cli.gain_head": "仅靠台账资料类指标，各社工站还能多得的分数：",

    "ev.title": "哪类证据挣得分数",
    "ev.caption": "每个指标按其数据来源、评分标准、名称和计量方法归类：台账资料（台账、档案、照片、宣传报道、活动场次）、"
                  "实地查看（实地查看、暗访）或居民本人的评价（满意度调查、访谈、评议、需求解决）。涉及多类时，居民评价优先，"
                  "其次实地查看，再次台账资料：只有除台账资料外别无其他证据的指标才算台账资料，因此台账资料的占比是下限。"
                  "可在表中更正任一指标的类别。",
    "ev.items": "各指标及其证据",
    "ev.corrected": "本页更正了{n}个指标（仅在本次使用中保留，未保存）。如需保留，请在方案文件 的相应指标下加上：",
    "ev.reset": "撤销更正",
    "ev.keep": "把这些类别写入方案",
    "ev.keep_help": "在评估方案的草稿（未保存）中为更正过的指标设置 `evidence:`（内置评估方案会另建一份草稿）；请到“评估方案管理”页面保存。",
    "ev.kept": "{n}个指标的类别已写入草稿{scheme}（未保存）；请到“评估方案管理”页面保存以便保留。",
    "ev.gain": "仅靠台账资料可多得的分数（按社工站）",
    "ev.gain_caption": "各社工站在台账资料类指标上还能多得的分数：这些指标的分值减去已得分，居民处境不变。",
    "ev.col.code": "代码",
    "ev.col.name": "指标",
    "ev.col.points": "分值",
    "ev.col.score": "权重（百分制）",
    "ev.col.kind": "证据类型",
    "ev.col.why": "依据",
    "ev.col.relative": "相对计分",
    "ev.col.station": "社工站",
    "ev.col.gain": "靠台账资料可多得",
    "ev.chart.title": "哪类证据挣得分数",
    "ev.chart.subtitle": "共{total}分",
    "ev.chart.subtitle_weights": "占方案权重的比例",
    "ev.chart.kind": "证据类型",
    "ev.chart.points": "分数",
    "ev.chart.share": "占比",
    "ev.chart.items": "指标数",
}
