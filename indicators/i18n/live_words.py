"""Words for the live sessions' shared outputs (issue 20): why a projected workshop reveal compares no groups, and
the meeting notice's item labels and its rule for answers all alike; EN and ZH."""

EN: dict[str, str] = {
    # ---- workshop reveal: why fewer than two groups are compared (counts per group in {counts})
    "ws.compare.pooled": "The {n} submissions come from {groups} groups, each with fewer than {k} people ({counts}): "
                         "they are shown together as “{other}”, so no one's weights can be read off this screen. "
                         "No comparison between groups yet.",
    "ws.compare.withheld": "Submissions by group: {counts}. A group is shown on its own only with at least {k} "
                           "people, and only while the rest hold none or at least {k} too, so no comparison "
                           "between groups yet.",
    "ws.group_count": "{group} {n}",
    "ws.cv_withheld": "Disagreement (CV) is shown from {n} submissions on: with fewer, it and the mean would give "
                      "away the others' weights.",
    # ---- meeting notice
    "notice.item_label": "{title} ({id})",
    "notice.alike": "An item on which every voter gave the same answer shows no counts of answers and no share "
                    "(\"withheld\"), nor does a mean rating of 1.0 or 5.0: printed, they would tell each voter's "
                    "answer.",
}

ZH: dict[str, str] = {
    "ws.compare.pooled": "{n}份提交来自{groups}个群体，每个群体都不足{k}人（{counts}），因此合并为“{other}”一起显示，"
                         "这块屏幕上读不出任何人的权重。暂时还不能比较群体之间的差别。",
    "ws.compare.withheld": "各群体提交数：{counts}。一个群体至少有{k}人、且其余群体合计为0人或至少{k}人时才单独显示，"
                           "因此暂时还不能比较群体之间的差别。",
    "ws.group_count": "{group} {n}人",
    "ws.cv_withheld": "分歧（变异系数）在提交满{n}份后才显示：份数更少时，它和平均值会泄露其他人的权重。",
    "notice.item_label": "{title}（{id}）",
    "notice.alike": "所有投票人回答相同的事项，不公布各选项人数和比例（显示为“不公布”）；平均分为1.0或5.0的也不公布。"
                    "否则可以推知每位投票人的回答。",
}
