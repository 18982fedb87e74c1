"""Words for reading a 千分制 table as handed out: what `scheme import` says it found (title, points, grade bands,
veto clauses, notes) and the 评分标准 proposals, zh and en."""

EN: dict[str, str] = {
    "qianfen.title": "Title: {title}",
    "qianfen.shape": "{points} points, {levels} levels, {n} items in {d} modules",
    "qianfen.grades_notes": "Grade bands from the table's notes ({scale}): {bands}",
    "qianfen.grades_option": "Grade bands from --grades ({scale}): {bands}",
    "qianfen.grades_default": "No grade bands in the table's notes; the defaults ({scale}): {bands}",
    "qianfen.scale_points": "minimums in points",
    "qianfen.scale_score": "minimums on 0-100",
    "qianfen.veto_on": "Veto: {text} -> vetoed when {code} {op} {value}",
    "qianfen.veto_unread": "Veto clause naming {code} with no condition read, not applied (edit the scheme's "
                           "vetoes): {text}",
    "qianfen.veto_sheet": "Veto clause naming no item, kept as a note (a station's veto comes from the score "
                          "sheet's 一票否决 column): {text}",
    "qianfen.note": "Note: {text}",
    "qianfen.proposals": "Scoring rules the 评分标准 state:",
    "qianfen.proposal": "  {code}: {rule}  <- {text}",
    "qianfen.proposals_not_written": "(not written; add {option} to write them)",
    "err.cli.qianfen_no_criteria": "{option} needs the 评分标准 reader (indicators.scheme.criteria), which this "
                               "installation does not have",
}

ZH: dict[str, str] = {
    "qianfen.title": "标题：{title}",
    "qianfen.shape": "总分{points}分，{levels}级，{d}个一级指标下共{n}项",
    "qianfen.grades_notes": "取自表注的等次（{scale}）：{bands}",
    "qianfen.grades_option": "取自 --grades 的等次（{scale}）：{bands}",
    "qianfen.grades_default": "表注中没有等次，使用默认等次（{scale}）：{bands}",
    "qianfen.scale_points": "下限按分值计",
    "qianfen.scale_score": "下限按百分制计",
    "qianfen.veto_on": "一票否决：{text} -> {code} {op} {value}时否决",
    "qianfen.veto_unread": "一票否决条款提到{code}，但未读出条件，未采用（请在方案的否决项中编辑）：{text}",
    "qianfen.veto_sheet": "一票否决条款未指向具体指标，作为表注保留（社工站是否否决以得分表的“一票否决”列为准）：{text}",
    "qianfen.note": "表注：{text}",
    "qianfen.proposals": "评分标准中读出的计分规则：",
    "qianfen.proposal": "  {code}：{rule}  <- {text}",
    "qianfen.proposals_not_written": "（未写入；加{option}才写入）",
    "err.cli.qianfen_no_criteria": "{option}需要评分标准读取模块（indicators.scheme.criteria），本安装中没有",
}
