"""Words of the Overview page, the app's first screen (the two built-in rankings side by side, who moved and why),
in Chinese and English (same keys in both)."""

ZH: dict[str, str] = {
    "page.overview": "概览",
    "ov.title": "概览：计数产出，还是看需求解决？",
    "ov.intro": "同一批社工站、同一评估期，用两套内置方案打分：{a}只数活动、照片和报道，{b}看居民的需求是否得到解决。"
                "两份排名并排放在下面，差别一目了然。",
    "ov.headline": "同样**{n}**个社工站：按{a}排前{k}名的，按{b}仍在前{k}名的有**{kept}**个；"
                   "**{moved}**个社工站名次变动{places}位以上。",
    "ov.flat": "这一评估期内，按{scheme}所有社工站得分相同，排名无从比较：这段时间没有它所计的记录。请在侧栏选择有记录的评估期。",
    "ov.and": "和",
    "ov.tau": "两份排名的一致度（肯德尔 τ，1为完全相同，0为互不相关，−1为完全颠倒）：{tau}。",
    "ov.tau_none": "社工站太少或得分都相同，算不出两份排名的一致度。",
    "ov.chart_title": "按{scheme}排名",
    "ov.chart_sub": "满分100；深色为名次变动最大的社工站",
    "ov.movers": "谁的名次变化最大",
    "ov.movers_help": "点社工站名称，打开它在评分页的单站得分明细。",
    "ov.up": "第{a}名 → 第{b}名，上升{n}位",
    "ov.down": "第{a}名 → 第{b}名，下降{n}位",
    "ov.no_movers": "两套方案下所有社工站名次相同。",
    "ov.card_below": "{station}的单站得分明细在本页下方：[跳到“{heading}”](#{anchor})",
    "ov.to_records": "查看记录",
    "ov.to_scores": "评分与单站得分明细",
    "ov.to_compare": "完整的评估方案对比",
    "ov.current": "侧栏当前方案是“{scheme}”，它的排名见评分页；这里始终对照两套内置方案。",
    "ov.no_stations": "数据库里还没有社工站。先在记录页导入社工站和活动记录。",
}

EN: dict[str, str] = {
    "page.overview": "Overview",
    "ov.title": "Overview: counting outputs, or meeting needs?",
    "ov.intro": "The same stations over the same period, scored by the two built-in schemes: {a} counts activities, "
                "photos and reports; {b} asks whether residents' needs were met. The two rankings stand side by "
                "side below.",
    "ov.headline": "The same **{n}** stations: of the top {k} by {a}, **{kept}** stay in the top {k} by {b}; "
                   "**{moved}** stations move {places} places or more.",
    "ov.flat": "In this period every station scores the same by {scheme}, so the rankings cannot be compared: the "
               "period holds none of the records it counts. Choose a period with records in the sidebar.",
    "ov.and": " and ",
    "ov.tau": "How far the two rankings agree (Kendall τ: 1 identical, 0 unrelated, −1 reversed): {tau}.",
    "ov.tau_none": "Too few stations, or all scores equal: the rankings' agreement cannot be computed.",
    "ov.chart_title": "Ranked by {scheme}",
    "ov.chart_sub": "Out of 100; dark bars: the biggest moves",
    "ov.movers": "Who moves most",
    "ov.movers_help": "Click a station's name to open its station card on the Scores page.",
    "ov.up": "rank {a} → {b}, up {n}",
    "ov.down": "rank {a} → {b}, down {n}",
    "ov.no_movers": "Every station holds the same rank under both schemes.",
    "ov.card_below": "The station card of {station} is further down this page: [go to “{heading}”](#{anchor})",
    "ov.to_records": "See the records",
    "ov.to_scores": "Scores and station cards",
    "ov.to_compare": "The full comparison",
    "ov.current": "The sidebar's current scheme is “{scheme}”; its ranking is on the Scores page. This page always "
                  "sets the two built-in schemes side by side.",
    "ov.no_stations": "The database holds no stations yet. Import stations and activity records on the Records page "
                      "first.",
}
