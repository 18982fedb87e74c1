"""Words of the indicator form for the kinds that name their own records: rotation of recipients and values
from indicator_values."""

EN: dict[str, str] = {
    "ind.days": "Look-back in days (0 = any time before)",
    "ind.days_help": "An attendee counts as new when not seen at the station in this many days before their first "
                     "attendance in the period; 0 means not seen at any time before the period.",
    "ind.residents_base": "Among registered residents (empty = all)",
    "ind.residents_base_help": "A filter on the residents register, for example priority_group <> 'none': the share "
                               "never reached is taken among these residents only.",
    "ind.series": "Series in indicator_values (empty = this indicator's id)",
    "ind.series_help": "The indicator_id column of the values file whose numbers this indicator reads.",
    "ind.denominator": "Divide by (optional)",
    "ind.denominator_help": "A numeric station column (population) or another series of indicator_values; the raw "
                            "value is then value / denominator and the station card shows both.",
    "ind.kind_note.top_share": "Computed from the attendance records of the period.",
    "ind.kind_note.new_share": "Computed from the attendance records: the period's attendees not seen at the "
                               "station before. A period with no earlier records leaves it missing.",
    "ind.kind_note.returning_share": "Computed from the attendance records: of each month's attendees, the share "
                                     "who also came the month before.",
    "ind.kind_note.unreached_share": "Computed from the residents register and the attendance records: the share of "
                                     "registered residents who attended nothing in the period.",
    "ind.kind_note.value": "Read from the indicator_values records (import them on the Records page); for values "
                           "that come from elsewhere: a survey, a bureau's statistics, a site-visit sheet.",
}

ZH: dict[str, str] = {
    "ind.days": "回溯天数（0 = 评估期前任何时间）",
    "ind.days_help": "居民在评估期内首次参与前的这么多天里未在本站出现，即算新参与者；0表示评估期之前从未出现。",
    "ind.residents_base": "在以下登记居民中（留空 = 全部）",
    "ind.residents_base_help": "对居民登记表的筛选条件，例如 priority_group <> 'none'：只在这些居民中计算从未覆盖的比例。",
    "ind.series": "indicator_values 中的序列（留空 = 本指标代码）",
    "ind.series_help": "数值文件中 indicator_id 一列的取值，本指标读取其数值。",
    "ind.denominator": "除以（可选）",
    "ind.denominator_help": "社工站的数值列（如服务人口）或 indicator_values 中的另一序列；原始值即为 数值 ÷ 分母，单站得分明细同时显示两者。",
    "ind.kind_note.top_share": "由评估期内的参与记录计算。",
    "ind.kind_note.new_share": "由参与记录计算：评估期内的参与者中此前未在本站出现者的比例。评估期之前没有记录时，该值缺失。",
    "ind.kind_note.returning_share": "由参与记录计算：每月参与者中上个月也来过的比例。",
    "ind.kind_note.unreached_share": "由居民登记表和参与记录计算：登记居民中评估期内未参加任何活动者的比例。",
    "ind.kind_note.value": "读取 indicator_values 记录（在“记录”页导入）；用于来自其他渠道的数值，如调查机构的满意度结果、部门统计、实地查看表。",
}
