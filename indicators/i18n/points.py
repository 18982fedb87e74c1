"""Words for points schemes (千分制) on the station card, the report card, the exports and the notice: points earned
of available at every node, points lost beside the 评分标准 (扣分说明), 缺项, 相对评分, 一票否决 and 数据不足, in English
and Chinese (same keys in both)."""

EN: dict[str, str] = {
    # ---- numbers
    "pts.earned_of": "{earned} of {available} points",
    "pts.headline": "Points",
    "pts.full": "full points",
    "pts.yes": "yes",
    "pts.no": "no",
    # ---- why points were lost (扣分说明): "{lost} points lost: {what}; criterion: {criterion}"
    "pts.lost_note": "{lost} points lost: {what}; criterion: {criterion}",
    "pts.lost_plain": "{lost} points lost: {what}",
    "pts.what.value": "{name} {raw}",
    "pts.what.awarded": "awarded {earned} of {points} points",
    "pts.what.missing": "缺项 (no value for this item), scored 0",
    "pts.what.relative": "scored relative to the other stations: {norm} of 100",
    # ---- marks on an item
    "pts.flag.missing": "缺项 (no value)",
    "pts.flag.relative": "相对评分 (relative to the other stations)",
    "pts.flag.sep": "; ",
    # ---- a station's standing
    "pts.status.ranked": "ranked",
    "pts.status.vetoed": "vetoed (一票否决)",
    "pts.status.insufficient": "insufficient data (数据不足)",
    "pts.status.refused": "not scored (缺项)",
    "pts.no_grade": "no grade (insufficient data)",
    "pts.veto": "Vetoed (一票否决): {reason}",
    "pts.veto_line": "Vetoed (一票否决): {reason}. The station gets the lowest grade, {grade}, whatever its points, "
                     "and is listed after the ranked stations.",
    "pts.veto_line_ranked": "Vetoed (一票否决): {reason}. The station gets the lowest grade, {grade}, whatever its "
                            "points; the scheme keeps it in the ranking.",
    "pts.insufficient_line": "No grade (数据不足): only {observed} of {n} items have data ({share}), below the {min} "
                             "the scheme requires; the station is listed apart from the ranked ones.",
    "pts.refused_line": "Not scored: the scheme gives no score to a station with missing items (缺项), and this "
                        "station has none for {names}.",
    "pts.missing_line": "缺项 (no value, scored 0): {names}",
    "pts.relative_line": "Scored relative to the other stations (相对评分), not by a fixed criterion: {names}",
    "pts.complete": "{share} of items observed",
    "pts.sep": ", ",
    # ---- columns
    "pts.col.code": "Code",
    "pts.col.item": "Item",
    "pts.col.level": "Level",
    "pts.col.earned": "Points earned",
    "pts.col.available": "Points available",
    "pts.col.lost": "Points lost",
    "pts.col.flag": "Note",
    "pts.col.criterion": "Scoring criterion (评分标准)",
    "pts.criterion_is": "Criterion: {text}",
    "pts.col.deduction": "Deductions (扣分说明)",
    "pts.col.status": "Status",
    "pts.col.veto": "Veto (一票否决)",
    "pts.col.complete": "Share observed",
    "pts.col.grade_label": "Grade label",
    "pts.col.total": "Total",
    # ---- the report card
    "pts.report.section": "Points by item",
    "pts.report.note": "Each item earns points by its scoring criterion, up to its points available; a dimension's "
                       "points are the sum of its items', and the total is their plain sum.",
    "pts.report.method": "Normalised values run from 0 to 100 (the item's points earned as a share of its points "
                         "available); a contribution is the item's points earned, and the contributions add up to "
                         "the station's points.",
    # ---- the notice
    "pts.notice.veto": "The station is vetoed (一票否决): {reason}. It is graded {grade}.",
    "pts.notice.insufficient": "No grade is given: only {observed} of {n} items have data ({share}), below the "
                               "{min} the scheme requires.",
    "pts.notice.refused": "No score is given: {names} have no value, and the scheme does not score a station with "
                          "missing items.",
    "pts.notice.missing": "Items with no value, scored 0 (缺项): {names}.",
    "pts.notice.relative": "Scored relative to the other stations (相对评分): {names}.",
    "pts.notice.method": "Each item is scored by its scoring criterion (评分标准), up to its points; a dimension's "
                         "points are the sum of its items' points, and the total is their plain sum.",
    "pts.notice.dimensions": "Points by dimension",
    "pts.notice.not_graded": "not graded",
}

ZH: dict[str, str] = {
    "pts.earned_of": "得 {earned} 分 / 满分 {available} 分",
    "pts.headline": "得分（分值）",
    "pts.full": "满分",
    "pts.yes": "是",
    "pts.no": "否",
    "pts.lost_note": "失分 {lost} 分：{what}，评分标准：{criterion}",
    "pts.lost_plain": "失分 {lost} 分：{what}",
    "pts.what.value": "{name} {raw}",
    "pts.what.awarded": "评定得 {earned} 分（满分 {points} 分）",
    "pts.what.missing": "缺项（无数据），按0分计",
    "pts.what.relative": "相对评分，与其他站点比较得 {norm}（满分100）",
    "pts.flag.missing": "缺项",
    "pts.flag.relative": "相对评分",
    "pts.flag.sep": "；",
    "pts.status.ranked": "参与排名",
    "pts.status.vetoed": "一票否决",
    "pts.status.insufficient": "数据不足",
    "pts.status.refused": "缺项不计分",
    "pts.no_grade": "数据不足",
    "pts.veto": "一票否决：{reason}",
    "pts.veto_line": "一票否决：{reason}。无论得分多少，等级均为{grade}，排在参与排名的站点之后。",
    "pts.veto_line_ranked": "一票否决：{reason}。无论得分多少，等级均为{grade}；按方案规定仍参与排名。",
    "pts.insufficient_line": "数据不足，不评定等级：{n}项指标中仅{observed}项有数据（{share}），低于方案要求的{min}；单独列出，不参与排名。",
    "pts.refused_line": "不予计分：方案规定有缺项的站点不计分，本站{names}缺项。",
    "pts.missing_line": "缺项（无数据，按0分计）：{names}",
    "pts.relative_line": "相对评分（与其他站点比较，而非按评分标准）：{names}",
    "pts.complete": "指标完整率 {share}",
    "pts.sep": "、",
    "pts.col.code": "编号",
    "pts.col.item": "项目",
    "pts.col.level": "层级",
    "pts.col.earned": "得分",
    "pts.col.available": "分值",
    "pts.col.lost": "失分",
    "pts.col.flag": "备注",
    "pts.col.criterion": "评分标准",
    "pts.criterion_is": "评分标准：{text}",
    "pts.col.deduction": "扣分说明",
    "pts.col.status": "状态",
    "pts.col.veto": "一票否决",
    "pts.col.complete": "指标完整率",
    "pts.col.grade_label": "等级名称",
    "pts.col.total": "合计",
    "pts.report.section": "各项得分（分值）",
    "pts.report.note": "各项按评分标准计分，不超过该项分值；各维度得分为其下各项得分之和，总分为各项得分之和。",
    "pts.report.method": "标准化值为0到100（该项得分占其分值的比例）；贡献分即该项得分，各项贡献分之和即本站总得分。",
    "pts.notice.veto": "因{reason}，实行一票否决，等级评定为{grade}。",
    "pts.notice.insufficient": "本期不评定等级：{n}项指标中仅{observed}项有数据（{share}），低于方案要求的{min}。",
    "pts.notice.refused": "本期不予计分：{names}缺项，按方案规定有缺项的站点不计分。",
    "pts.notice.missing": "缺项（按0分计）：{names}。",
    "pts.notice.relative": "相对评分（与其他站点比较）：{names}。",
    "pts.notice.method": "各项按评分标准计分，不超过该项分值；各维度得分为其下各项得分之和，总分为各项得分之和。",
    "pts.notice.dimensions": "各维度得分",
    "pts.notice.not_graded": "不评定",
}
