"""Words a notice (公示) needs to be fit to post (issue 22): the issuing body above the date, the grades in words,
what residents were asked, and a small count's unit. Same keys in English and Chinese."""

EN: dict[str, str] = {
    "err.notice.issuer": "issuing body: give the body that issues the notice, printed above the date (e.g. the "
                         "district civil affairs bureau or the social work assessment centre), at most 100 "
                         "characters",
    "err.notice.issuer_contact": "issuing body and objection contact: give both, the body that issues the notice "
                                 "(printed above the date) and how residents can object (a phone number and an "
                                 "address or office)",
    "notice.fewer_items": "fewer than\u00a0{n}",
    "notice.fewer_codes": "fewer than\u00a0{n}",
    "notice.asked": "Residents were asked \"{need_q}\" of each need and \"{activity_q}\" of each activity, and "
                    "answered \"yes\", \"no\" or \"not sure\". The share answering \"yes\" is the number answering "
                    "\"yes\" divided by the number answering \"yes\" or \"no\"; \"not sure\" is not counted.",
    "notice.grade_word": "{label} ({grade})",
    "notice.rank_value": "{rank}",
    "notice.bands.top": "{min} points and above: {grade}",
    "notice.bands.mid": "{min} to below {upper} points: {grade}",
    "notice.bands.low": "below {upper} points: {grade}",
    "notice.bands.sep": "; ",
    "notice.app.issuer": "Issuing body",
    "notice.app.issuer_help": "The body that issues the notice, printed above the date: e.g. the district civil "
                              "affairs bureau, or the social work assessment centre.",
    "notice.app.issuer_placeholder": "e.g. Chengguan District Civil Affairs Bureau",
    "notice.app.contact_placeholder": "e.g. tel. 0931-8123456, 12 Gaolan Road, Room 203",
}

ZH: dict[str, str] = {
    "err.notice.issuer": "落款单位：请填写发布公示的单位（印在日期上方），如××区民政局、××社会工作评估中心，不超过100个字",
    "err.notice.issuer_contact": "落款单位和异议联系方式：两项都请填写，即发布公示的单位（印在日期上方）和居民提出异议的途径（电话和地址或办公室）",
    "notice.fewer_items": "少于{n}条",
    "notice.fewer_codes": "少于{n}个",
    "notice.asked": "每一事项请居民回答：需求事项问“{need_q}”，活动事项问“{activity_q}”，可答“是”“否”或“不清楚”。"
                    "回答“是”的比例＝回答“是”的人数÷回答“是”和“否”的人数之和，“不清楚”不计入。",
    "notice.grade_word": "{label}（{grade}）",
    "notice.rank_value": "第{rank}名",
    "notice.bands.top": "{min}分及以上为{grade}",
    "notice.bands.mid": "{min}分及以上、{upper}分以下为{grade}",
    "notice.bands.low": "{upper}分以下为{grade}",
    "notice.bands.sep": "；",
    "notice.app.issuer": "落款单位",
    "notice.app.issuer_help": "发布公示的单位，印在日期上方，如××区民政局、××社会工作评估中心。",
    "notice.app.issuer_placeholder": "如：城关区民政局",
    "notice.app.contact_placeholder": "如：电话0931-8123456，皋兰路12号203室",
}
