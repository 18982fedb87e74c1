"""Words for the scheme tree (tree view, icicle chart, points and aggregation notes), in English and Chinese
(same keys in both)."""

EN: dict[str, str] = {
    "tree.title": "The scheme as a tree",
    "tree.intro": "Each node's weight among its siblings and its effective weight (the product along its path). "
                  "Click a dimension to open or close it.",
    "tree.intro_points": "Each node's points (分值) and its share of the {total:g} points available; a dimension's "
                         "points are the sum of its children's. Click a dimension to open or close it.",
    "tree.weight": "{within:.0f}% of its parent · {effective:.1f}% overall",
    "tree.points": "{points:g} points · {effective:.1f}% of the total",
    "tree.score": "score {score:.1f}",
    "tree.points_earned": "{earned:.1f} of {points:g} points",
    "tree.aggregation.arithmetic": "Each node is the weighted arithmetic mean of its children.",
    "tree.aggregation.geometric": "Each node is the weighted geometric mean of its children (a child below 1 point "
                                  "counts as 1): a weak child pulls the node down more than an average would.",
    "tree.aggregation.topsis": "Each node is the TOPSIS closeness of its children to the best station (0-100): "
                               "distance from the worst / (distance from the best + distance from the worst). "
                               "A contribution is the indicator's share of the distance from the worst.",
    "tree.station_nodes": "This station through the tree",
    "tree.no_robustness": "Rank intervals are drawn for arithmetic and geometric schemes: TOPSIS compares every "
                          "station with the best and the worst at each node, so it has no one set of weights to "
                          "vary. Switch the aggregation to see how robust the ranks are.",
    "tree.station_points": "Points: {earned:.1f} of {total:g}",
    "chart.icicle_title": "Where the weight sits",
    "chart.icicle_subtitle": "Each band is one level of the tree; a box's width is its share of the total weight.",
    "chart.icicle_points_subtitle": "Each band is one level of the tree; a box's width is its share of the total "
                                    "points.",
    "chart.level": "Level",
    "chart.node": "Node",
    "chart.share_total": "Share of the total",
    "chart.within_parent": "Share of its parent",
    "chart.points_node": "Points",
    "chart.top_dimension": "Top-level dimension",
}

ZH: dict[str, str] = {
    "tree.title": "指标体系（树状）",
    "tree.intro": "每个节点在同级中的权重及其有效权重（沿路径各级权重相乘）。点击上级指标可展开或收起。",
    "tree.intro_points": "每个节点的分值及其占总分值{total:g}分的比例；上级指标的分值为其下各项分值之和。点击上级指标可展开或收起。",
    "tree.weight": "占上级{within:.0f}% · 占总体{effective:.1f}%",
    "tree.points": "{points:g}分 · 占总分{effective:.1f}%",
    "tree.score": "得分{score:.1f}",
    "tree.points_earned": "得{earned:.1f}分 / {points:g}分",
    "tree.aggregation.arithmetic": "每个节点的得分为其下各项的加权算术平均。",
    "tree.aggregation.geometric": "每个节点的得分为其下各项的加权几何平均（低于1分的按1分计）：短板对节点的拖累大于算术平均。",
    "tree.aggregation.topsis": "每个节点的得分为其下各项相对最优社工站的TOPSIS贴近度（0～100）：与最差的距离 ÷（与最优的距离 + 与最差的距离）。"
                               "贡献为该指标在“与最差的距离”中所占的份额。",
    "tree.station_nodes": "本站在指标树各节点的得分",
    "tree.no_robustness": "排名区间仅适用于算术与几何平均方案：TOPSIS在每个节点将各站与最优、最差社工站比较，没有一组可以随机变动的权重。"
                          "切换汇总方式即可查看排名的稳健性。",
    "tree.station_points": "得分（分值）：{earned:.1f} / {total:g}",
    "chart.icicle_title": "权重分布在哪里",
    "chart.icicle_subtitle": "每一条带是指标树的一层；方块宽度为其占总权重的比例。",
    "chart.icicle_points_subtitle": "每一条带是指标树的一层；方块宽度为其占总分值的比例。",
    "chart.level": "层级",
    "chart.node": "节点",
    "chart.share_total": "占总体",
    "chart.within_parent": "占上级",
    "chart.points_node": "分值",
    "chart.top_dimension": "一级指标",
}
