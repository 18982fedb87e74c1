"""One name per concept, no loaded words and one typography in every Chinese text a reader sees (issue 22,
docs/glossary.md): every ZH table under indicators/i18n (found the way indicators/i18n/__init__.py finds them) and
every `*_zh` text of the built-in schemes.

A retired term fails the test wherever it appears, naming the table, the key and the term to use instead.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
import yaml

import indicators.i18n as i18n
from indicators.i18n import zh

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = ROOT / "indicators" / "scheme" / "builtin"

# retired term -> (the term to use, its pattern). A pattern differs from the plain term only where the retired
# characters are legitimately part of another word; each such allowance is explained here:
#   评估方  -> 评估方案 (scheme), 评估方法 (method), 评估方式 (way) and 评估方向 contain it and are fine.
#   刷      -> 刷新 (the "refresh" button) is fine; the loaded word is “刷” (to pad numbers).
RETIRED: dict[str, tuple[str, str]] = {
    "考核": ("评估", "考核"),
    "维度": ("一级指标／上级指标", "维度"),
    "站点": ("社工站", "站点"),
    "服务站": ("社工站", "服务站"),
    "评估周期": ("评估期", "评估周期"),
    "统计期": ("评估期", "统计期"),
    "时段": ("评估期", "时段"),
    "评审员": ("评估人员", "评审员"),
    "评判人": ("评估人员", "评判人"),
    "评估方": ("评估组", r"评估方(?![案法式向])"),
    "必达条件": ("否决项", "必达条件"),
    "否决条件": ("否决项", "否决条件"),
    "封顶原因": ("否决项", "封顶原因"),
    "字段": ("列", "字段"),
    "工作方案": ("草稿（未保存）", "工作方案"),
    "工作副本": ("草稿（未保存）", "工作副本"),
    "留痕": ("产出计数／台账资料", "留痕"),
    "痕迹": ("产出计数／台账资料", "痕迹"),
    "形象工程": ("宣传展示类", "形象工程"),
    "迎检": ("检查前／检查准备", "迎检"),
    "橱窗型": ("重展示型", "橱窗"),
    "默默做事型": ("重实效型", "默默"),
    "阵营": ("指标类型", "阵营"),
    "刷": ("靠多做多报抬高", r"刷(?!新)"),
    "站点卡片": ("单站得分明细", "站点卡片"),
    "评估报告卡": ("单站评估报告", "报告卡"),
    "量表项": ("定性评分项", "量表项"),
    "距最佳差分": ("与最优相差（分）", "距最佳"),
    "目标距离": ("目标值法", "目标距离"),
    "按名次": ("排序法", "按名次"),
    "需求满足方案": ("需求导向评估方案", "需求满足方案"),
    "李克特": ("五级评分", "李克特"),
    "略微": ("介于…之间", "略微"),
    # no programming words before officials and residents (docs/glossary.md, "No programming words")
    "YAML": ("方案文件", "YAML"),
    "HTML": ("网页版（可打印）", "HTML"),
    "UTC": ("北京时间", "UTC"),
    "哈希值": ("系统不留存原码", "哈希"),
    "明文": ("系统不留存原码", "明文"),
    "字节": ("个字符／MB", "字节"),
    "映射": ("写法示例", "映射"),
    "KeyError": ("说明怎么办", r"KeyError|Traceback|\bNone\b"),
    "pip install": ("（仅命令行）", "pip install"),
}
# the command line's own words may name what to install: whoever reads them is at a terminal
TERMINAL_ONLY = {("cli_errors.py", "pip install")}

# typography (docs/glossary.md, "Typography"): rule name -> pattern
CJK = "\u4e00-\u9fff（）：，。、；！？“”"
TYPOGRAPHY: dict[str, str] = {
    # a range is written 1～5: no en or em dash, ASCII tilde or a hyphen between two short numbers or placeholders
    "范围用～": r"(?:\d|\})\s*[–—~]\s*(?:\d|\{)|(?<![\d/.-])\d{1,3}-\d{1,3}(?![\d/-])",
    # no thousands separator in running Chinese: neither written out nor asked of format()
    "无千分位": r"\d,\d{3}(?!\d)|\{\w*:[<>^=+\- #0-9]*,[0-9.]*[a-z%]?\}",
    # no space between a Chinese character (or full-width punctuation) and a digit or a placeholder
    "汉字与数字不空格": rf"[{CJK}] +(?:\*\*)?[\d{{]|[\d}}](?:\*\*)? +[{CJK}]",
}

def zh_texts():
    """(file, key, text) for every Chinese string of the app and of the built-in schemes."""
    for key, text in zh.STRINGS.items():
        yield "zh.py", key, text
    for info in sorted(pkgutil.iter_modules(i18n.__path__), key=lambda i: i.name):
        if info.name in ("en", "zh"):
            continue
        module = importlib.import_module(f"{i18n.__name__}.{info.name}")
        for key, text in module.ZH.items():
            yield f"{info.name}.py", key, text
    for path in sorted(BUILTIN.glob("*.yaml")):
        yield from ((f"builtin/{path.name}", where, text) for where, text in _zh_fields(yaml.safe_load(path.read_text("utf-8"))))


def _zh_fields(node, where=""):
    if isinstance(node, dict):
        for k, v in node.items():
            here = f"{where}.{k}" if where else str(k)
            if str(k).endswith("_zh") and isinstance(v, str):
                yield here, v
            else:
                yield from _zh_fields(v, here)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _zh_fields(v, f"{where}[{node[i].get('id', i) if isinstance(v, dict) else i}]")


def findings(texts) -> set[tuple[str, str, str]]:
    found = set()
    for file, key, text in texts:
        for term, (_, pattern) in RETIRED.items():
            if re.search(pattern, text) and (file, term) not in TERMINAL_ONLY:
                found.add((file, key, term))
        for rule, pattern in TYPOGRAPHY.items():
            if re.search(pattern, text):
                found.add((file, key, rule))
    return found




def test_no_retired_term_loaded_word_or_typography_slip_in_chinese():
    found = sorted(findings(zh_texts()))
    assert not found, "\n".join(f"{f} {k}: {term} -> {RETIRED[term][0] if term in RETIRED else term}"
                                for f, k, term in found)


@pytest.mark.parametrize("text, hits", [
    ("各站点情况", {"站点"}), ("请刷新页面", set()), ("最容易“刷”的计数", {"刷"}), ("评估方案与评估方法", set()),
    ("由评估方决定", {"评估方"}), ("第 {rank} 名", {"汉字与数字不空格"}), ("第**{rank}**名", set()),
    ("总分 **{score}** 分", {"汉字与数字不空格"}), ("平均评分（1-5）", {"范围用～"}), ("0–100分", {"范围用～"}),
    ("0～100分", set()), ("如 2024-03-05 或 0931-8888888", {"汉字与数字不空格"}), ("共{n:,}行", {"无千分位"}),
    ("1,200人", {"无千分位"}), ("比例0.92、个数", set()), ("r = {r}", set()),
    ("下载方案 YAML", {"YAML"}), ("保存时间（UTC）", {"UTC"}), ("出现了问题：KeyError", {"KeyError"}),
])
def test_the_checks_catch_what_they_should_and_nothing_else(text, hits):
    assert {term for _, _, term in findings([("x.py", "k", text)])} == hits


def test_every_retired_term_and_rule_is_in_the_glossary():
    doc = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    missing = [term for term in [*RETIRED, *TYPOGRAPHY] if term not in doc]
    assert not missing, missing


def test_a_count_formatted_by_the_caller_loses_its_separators_in_chinese_only():
    # pages and messages often pass f"{n:,}"; running Chinese text writes no thousands separator (rule 无千分位)
    from indicators.i18n import t
    assert t("io.done", "zh", inserted="1,234", skipped="16,384").startswith("已导入1234行新记录；16384行")
    assert "1,234" in t("io.done", "en", inserted="1,234", skipped="16,384")
    assert "2,5" in t("io.done", "zh", inserted="2,5", skipped="0")      # not a grouped number: left as written
