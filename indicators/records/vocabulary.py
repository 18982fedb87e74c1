"""The words of the closed vocabularies: for each code stored, its Chinese label and the synonyms a ledger may use.

One table per vocabulary column (records.store.VOCABULARIES lists the codes). The first Chinese word of a code is
its label (shown to readers of Chinese); the rest are synonyms an import accepts and stores as the code.
"""
from __future__ import annotations

WORDS: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("residents", "age_band"): {
        "0-17": ("0-17岁", "未成年"), "18-39": ("18-39岁",), "40-59": ("40-59岁",), "60-79": ("60-79岁",),
        "80+": ("80岁以上", "80岁及以上"),
    },
    ("residents", "priority_group"): {
        "elderly_alone": ("独居老人", "空巢独居老人", "空巢老人"), "disabled": ("残疾人", "残障人士"),
        "low_income": ("低收入家庭", "低收入", "低保", "低保户"), "left_behind_child": ("留守儿童",),
        "none": ("非重点人群", "无", "一般"),
    },
    ("needs", "category"): {
        "elderly_care": ("养老照护", "养老", "养老服务", "为老服务", "老年照护", "助老"),
        "disability_support": ("助残服务", "助残", "残疾人服务"),
        "child_care": ("儿童照顾", "儿童", "儿童服务", "儿童关爱"),
        "employment": ("就业帮扶", "就业", "就业服务"),
        "housing_repair": ("房屋维修", "住房维修", "房屋修缮"),
        "neighbour_dispute": ("邻里纠纷", "邻里矛盾", "纠纷调解"),
        "health": ("健康服务", "健康", "医疗健康"),
        "accessibility": ("无障碍设施", "无障碍", "无障碍改造"),
    },
    ("needs", "source"): {
        "survey": ("问卷调查", "调查", "调研"), "council": ("居民议事会", "议事会"),
        "petition": ("信访", "投诉"), "referral": ("转介",), "visit": ("入户走访", "走访"),
    },
    ("needs", "status"): {
        "open": ("待处理", "未处理"), "in_progress": ("处理中", "进行中"), "resolved": ("已解决",),
        "closed_unresolved": ("未解决关闭", "关闭未解决", "已关闭未解决"),
    },
    ("activities", "kind"): {
        "case": ("个案服务", "个案"), "group": ("小组活动", "小组"), "community": ("社区活动", "社区"),
        "publicity": ("宣传活动", "宣传"),
    },
    ("inspections", "level"): {
        "district": ("区级", "区"), "city": ("市级", "市"), "province": ("省级", "省"),
    },
    ("feedback", "channel"): {
        "council": ("居民议事会", "议事会"), "evaluation_meeting": ("居民评议会", "评议会"),
        "survey": ("问卷调查", "调查"), "hotline": ("服务热线", "热线"),
    },
    ("feedback", "need_met"): {
        "yes": ("是", "满足", "已满足", "y", "true"), "no": ("否", "未满足", "n", "false"),
    },
    ("expenditures", "category"): {
        "elderly_friendly_renovation": ("适老化改造",), "image_project": ("宣传展示类", "宣传展示", "形象工程", "形象项目"),
        "staff": ("人员经费", "人员"), "activities": ("活动经费", "活动"), "training": ("培训",),
        "admin": ("行政管理", "行政", "管理费"),
    },
}


def accepted(table: str, column: str) -> dict[str, str]:
    """Every Chinese label and synonym of the column -> the code stored."""
    return {word: code for code, words in WORDS.get((table, column), {}).items() for word in words}


def label(table: str, column: str, code: str, lang: str) -> str:
    """The code as a reader of `lang` knows it: its Chinese label in zh, the code itself in en."""
    words = WORDS.get((table, column), {}).get(code, ())
    return words[0] if lang == "zh" and words else code
