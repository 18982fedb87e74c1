"""Which evidence earns a scheme's points: classes from 数据来源, 评分标准, names and measures (the mixed-source
rule, overrides, corrections), shares and paperwork gains by hand, the sentence, the chart, the CLI and the page."""
from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from indicators.analysis import evidence as ev
from indicators.cli.main import main
from indicators.i18n import t
from indicators.outputs import charts
from indicators.scheme import catalog
from indicators.scheme.model import Dimension, Indicator, Measure, Normalisation, Scheme, dump_yaml, load_yaml
from indicators.scoring.engine import score_raw
from tests.conftest import ROOT, make_db, station

VALUE = Measure("value")


def item(iid, source="", criteria="", measure=VALUE, points=None, name_zh=None, name_en=None, weight=1.0, **kw):
    """An indicator as a framework table gives it: 评分标准, then 数据来源 after the mark."""
    text = criteria + (ev.SOURCE_MARK + source if source else "")
    return Indicator(iid, name_zh or f"指标{iid}", name_en or f"Item {iid}", "output", measure, weight=weight,
                     rationale_zh=text, points=points, **kw)


# ---------------------------------------------------------------- classes

@pytest.mark.parametrize("source, criteria, kind, cue", [
    ("查阅台账、活动照片", "", "paper", "查阅台账"),
    ("档案资料", "建立健全各项制度，制度上墙。", "paper", "档案"),
    ("宣传报道", "", "paper", "宣传报道"),
    ("实地查看", "", "site", "实地查看"),
    ("暗访", "服务阵地对外开放。", "site", "暗访"),
    ("", "现场检查服务场所。", "site", "现场检查"),
    ("满意度调查", "", "residents", "满意度调查"),
    ("居民访谈", "", "residents", "访谈"),
    ("服务对象反馈", "", "residents", "服务对象反馈"),
    ("", "", "other", None),
    ("第三方评级", "", "other", None),
])
def test_each_class_from_the_words_of_a_table(source, criteria, kind, cue):
    got, why = ev.classify(item("x", source, criteria))
    assert got == kind
    if cue:
        assert cue in why and (source == "" or f"“{source}”" in why)
    else:
        assert why == t("ev.why.none", "en")


@pytest.mark.parametrize("measure, kind, cue", [
    (Measure("count", table="activities"), "paper", "activities"),
    (Measure("sum", table="activities", column="photos"), "paper", "photos"),
    (Measure("sum", table="activities", column="media_items"), "paper", "media"),
    (Measure("per_1000", of=Measure("sum", table="activities", column="headcount")), "paper", "headcount"),
    (Measure("share", table="expenditures", filter="category = 'image_project'", weight="amount"), "paper", "image"),
    (Measure("new_share"), "paper", "attendance"),
    (Measure("share", table="needs", filter="status = 'resolved'"), "residents", "needs"),
    (Measure("scale", table="feedback", column="need_met"), "residents", "feedback"),
    (Measure("scale", table="ratings", column="level"), "other", "ratings"),
    (VALUE, "other", None),
])
def test_each_class_from_the_measure(measure, kind, cue):
    ind = item("x", measure=measure)
    assert ev.classify(ind)[0] == kind
    assert [c.word for c in ev.cues(ind) if c.place == "measure"] == ([cue] if cue else [])
    assert ev.classify(ind, "zh")[1] == (t("ev.why.none", "zh") if cue is None else
                                         f"计量方法：{t(f'ev.m.{cue}', 'zh')}（{t(f'ev.short.{kind}', 'zh')}）")


@pytest.mark.parametrize("source, criteria, measure, kind", [
    ("查阅台账、实地查看", "", VALUE, "site"),                         # paper and site: site
    ("查阅台账、实地查看、居民访谈", "", VALUE, "residents"),            # residents named at all: residents
    ("居民评议记录", "", VALUE, "residents"),                          # 评议 beats 记录
    ("需求台账", "", Measure("share", table="needs", filter="status = 'resolved'"), "residents"),
    ("实地查看", "", Measure("count", table="activities"), "site"),    # site beats a paper measure
    ("查阅资料", "居民满意度达90%以上得满分。", VALUE, "residents"),      # the criteria ask residents
])
def test_mixed_sources_residents_first_then_site_then_paper(source, criteria, measure, kind):
    got, why = ev.classify(item("x", source, criteria, measure))
    assert got == kind
    assert why.endswith(t("ev.why.mixed", "en", kind=t(f"ev.short.{kind}", "en")))


def test_an_experts_review_is_not_residents_and_cues_are_counted_once():
    assert ev.classify(item("x", "专家评议"))[0] == "other"
    assert ev.classify(item("x", "专家评议、查阅资料"))[0] == "paper"
    # 查阅台账 is one cue, not also 台账; English rationale counts too
    assert [c.word for c in ev.cues(item("x", "查阅台账"))] == ["查阅台账"]
    ind = replace(item("x"), rationale_en="From a door-to-door satisfaction survey.")
    assert ev.classify(ind)[0] == "residents"


def test_the_scheme_and_the_evaluator_override_the_text():
    ind = replace(item("x", "查阅台账"), evidence="residents")
    assert ev.classify(ind) == ("residents", t("ev.why.scheme", "en", kind="residents"))
    assert ev.auto_class(ind)[0] == "paper"
    scheme = Scheme("s", "方案", "S", (Dimension("d", "维度", "D", (ind, item("y", "查阅台账"))),))
    k = ev.item_kinds(scheme, "en", corrections={"y": "site", "no_such": "site", "x": "nonsense"})
    assert list(k["kind"]) == ["residents", "site"] and list(k["overridden"]) == [True, True]
    assert k.at["y", "why"].startswith(t("ev.why.corrected", "en", kind="paper"))


def test_relative_scoring_does_not_change_the_class():
    a = item("x", "满意度调查", measure=Measure("count", table="activities"), points=10)
    b = replace(a, normalisation=Normalisation("rank"), relative=True)
    assert ev.classify(a) == ev.classify(b) == ("residents", ev.classify(a)[1])
    scheme = Scheme("r", "相对", "R", (Dimension("d", "维度", "D", (b,), points=10.0),), weighting="points")
    sh = ev.evidence_shares(scheme)
    assert sh.kinds.at["residents", "points"] == 10 and list(sh.items["relative"]) == [True]


def test_corrections_kept_in_the_scheme_come_back_as_its_own():
    scheme = ev.apply_corrections(catalog.builtin("needs-met"), {"urgent_needs_resolved": "paper", "nope": "site",
                                                                 "days_to_resolve": "bad"})
    assert scheme.indicator("urgent_needs_resolved").evidence == "paper"
    assert scheme.indicator("days_to_resolve").evidence is None
    assert "    evidence: paper" in dump_yaml(scheme).splitlines()
    kept = ev.evidence_shares(load_yaml(dump_yaml(scheme)))
    corrected = ev.evidence_shares(catalog.builtin("needs-met"), corrections={"urgent_needs_resolved": "paper"})
    assert kept.kinds.equals(corrected.kinds) and kept.kinds.at["paper", "points"] == pytest.approx(37)
    assert kept.items.set_index("code").at["urgent_needs_resolved", "why"] == t("ev.why.scheme", "en", kind="paper")


def test_merge_corrections_from_an_editor():
    labels = {"Paper": "paper", "Residents": "residents"}
    own = {"a": "paper", "b": "paper"}
    kept = ev.merge_corrections({}, {0: {"kind": "Residents"}, 1: {"kind": "Paper"}}, ["a", "b"], own, labels)
    assert kept == {"a": "residents"}
    assert ev.merge_corrections(kept, {"0": {"kind": "Paper"}}, ["a", "b"], own, labels) == {}   # set back: gone
    assert ev.merge_corrections(kept, {1: {"other": "x"}}, ["a", "b"], own, labels) == kept


# ---------------------------------------------------------------- shares, sentence, gains

def points_scheme(points=(50, 30, 20)):
    p, r, s = points
    inds = (item("P", "查阅台账", points=p), item("R", "满意度调查", points=r), item("C", "实地查看", points=s))
    return Scheme("tiny", "小", "Tiny", (Dimension("d", "维度", "D", inds, points=float(sum(points))),),
                  weighting="points")


def test_shares_by_hand_on_a_100_point_table():
    sh = ev.evidence_shares(points_scheme())
    assert sh.unit == "points" and sh.total == 100
    assert list(sh.kinds.index) == ["paper", "site", "residents", "other"]
    assert sh.kinds["points"].tolist() == [50, 20, 30, 0]
    assert sh.kinds["share"].tolist() == [0.5, 0.2, 0.3, 0.0]
    assert sh.kinds["items"].tolist() == [1, 1, 1, 0]
    assert list(sh.items["kind"]) == ["paper", "residents", "site"]
    assert ev.sentence(sh, "en") == ("50% of this table's 100 points can be earned from paper records alone; 30% come "
                                     "from residents. 20% rest on site checks.")
    assert ev.sentence(sh, "zh") == "这张表100分中，50%仅凭台账资料即可得到；30%来自居民本人的评价。20%要靠实地查看。"


def test_the_sentence_on_a_1000_point_table():
    sh = ev.evidence_shares(points_scheme((620, 90, 290)))
    assert ev.sentence(sh, "en") == ("62% of this table's 1,000 points can be earned from paper records alone; 9% come "
                                     "from residents. 29% rest on site checks.")
    assert ev.sentence(sh, "zh") == "这张表1000分中，62%仅凭台账资料即可得到；9%来自居民本人的评价。29%要靠实地查看。"
    # a correction moves points between classes
    sh = ev.evidence_shares(points_scheme((620, 90, 290)), corrections={"C": "residents"})
    assert sh.kinds["points"].tolist() == [620, 0, 380, 0]


def test_whole_percents_add_up_to_100():
    # 545, 195, 260 of 1,000: 54.5 and 19.5 cannot both round up; the first kind takes the point
    sh = ev.evidence_shares(points_scheme((545, 260, 195)))
    assert sh.kinds["percent"].tolist() == [55, 19, 26, 0]
    assert ev.sentence(sh, "en") == ("55% of this table's 1,000 points can be earned from paper records alone; 26% come "
                                     "from residents. 19% rest on site checks.")
    assert ev.whole_percents(np.array([1, 1, 1, 0]) / 3) == [34, 33, 33, 0]
    assert ev.whole_percents(np.zeros(4)) == [0, 0, 0, 0]
    assert ev.whole_percents(np.array([0.645, 0.08, 0.275, 0])) == [65, 8, 27, 0]   # 64.5 and 27.5 alike


def weights_scheme():
    # effective weights: a1 0.5 x 1/5 = 0.1 (paper), a2 0.5 x 4/5 = 0.4 (residents), b1 0.5 (paper)
    return Scheme("w", "权重", "W", (
        Dimension("A", "甲", "A", (item("a1", "台账", weight=1), item("a2", "问卷", weight=4))),
        Dimension("B", "乙", "B", (item("b1", "照片"),))))


def test_shares_of_a_weights_scheme_are_points_of_the_100_point_score():
    sh = ev.evidence_shares(weights_scheme())
    assert sh.unit == "score" and sh.total == pytest.approx(100)
    assert sh.kinds["points"].tolist() == pytest.approx([60, 0, 40, 0])
    assert ev.sentence(sh, "en") == ("60% of this scheme's weight can be earned from paper records alone; 40% comes "
                                     "from residents.")
    assert ev.sentence(sh, "zh") == "这套方案的权重中，60%仅凭台账资料即可得到；40%来自居民本人的评价。"


def stations(ids):
    return pd.DataFrame({"name": ids, "name_en": ids, "district": "d", "population": 1000},
                        index=pd.Index(ids, name="station_id"))


def test_paperwork_gain_of_a_weights_scheme_by_hand():
    # min-max over three stations: a1 0, 5, 10 -> 0, 50, 100; b1 10, 0, 5 -> 100, 0, 50
    st = stations(["S1", "S2", "S3"])
    raw = pd.DataFrame({"a1": [0.0, 5, 10], "a2": [1.0, 2, 3], "b1": [10.0, 0, 5]}, index=st.index)
    result = score_raw(weights_scheme(), raw, st)
    gain = ev.paperwork_gain(result)
    # S1: 0.1 x 100 + 0.5 x 0 = 10; S2: 0.1 x 50 + 0.5 x 100 = 55; S3: 0 + 0.5 x 50 = 25
    assert gain.to_dict() == pytest.approx({"S1": 10, "S2": 55, "S3": 25})
    # b1 corrected to residents: only a1's gap is left
    assert ev.paperwork_gain(result, {"b1": "residents"}).to_dict() == pytest.approx({"S1": 10, "S2": 5, "S3": 0})


def test_paperwork_gain_of_a_points_scheme_from_the_points_earned():
    earned = pd.DataFrame({"P": [50.0, 12.5, np.nan], "R": [0.0, 30, 30], "C": [20.0, 0, 10]},
                          index=pd.Index(["S1", "S2", "S3"], name="station_id"))
    result = SimpleNamespace(scheme=points_scheme(), item_points=earned, normalised=earned)
    # P is the only paper item: 50 - 50, 50 - 12.5, 50 - nothing earned
    assert ev.paperwork_gain(result).to_dict() == {"S1": 0.0, "S2": 37.5, "S3": 50.0}
    # a station with too little data to be graded is left out: nothing was scored, so all paper would read as gain
    result.status = pd.Series(["ranked", "ranked", "insufficient"], index=earned.index)
    assert ev.paperwork_gain(result).to_dict() == {"S1": 0.0, "S2": 37.5}


# ---------------------------------------------------------------- the chart

@pytest.mark.parametrize("lang", ["en", "zh"])
def test_evidence_chart_carries_kinds_points_and_fixed_colours(lang):
    spec = charts.evidence_chart(ev.evidence_shares(points_scheme((620, 90, 290))), lang).to_dict()
    rows = [r for values in spec["datasets"].values() for r in values]
    assert [(r["kind"], r["points"], r["share"], r["items"]) for r in rows] == [
        ("paper", 620, 0.62, 1), ("site", 290, 0.29, 1), ("residents", 90, 0.09, 1), ("other", 0, 0, 0)]
    assert [r["label"] for r in rows] == [t(f"ev.kind.{k}", lang) for k in ("paper", "site", "residents", "other")]
    bar = spec["layer"][0]["encoding"]
    assert bar["color"]["scale"]["domain"] == [t(f"ev.kind.{k}", lang) for k in ("paper", "site", "residents",
                                                                                 "other")]
    assert bar["color"]["scale"]["range"] == list(charts.EVIDENCE_COLORS.values())
    assert bar["x"]["scale"]["domain"] == [0, 1000]
    assert bar["x"]["axis"]["format"] == {"en": ",~r", "zh": "~r"}[lang]   # the axis ends at 1,000 / 1000
    assert {x["field"] for x in bar["tooltip"]} == {"label", "points", "share", "items"}
    assert spec["title"]["text"] == t("ev.chart.title", lang)
    assert spec["title"]["subtitle"] == t("ev.chart.subtitle", lang, total="1,000" if lang == "en" else "1000")


# ---------------------------------------------------------------- the command line

def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


TINY_POINTS = """
id: tiny
name_zh: 小表
name_en: Tiny table
weighting: points
dimensions:
- id: D
  name_zh: 维度
  name_en: Dim
  indicators:
  - {id: p, name_zh: 台账, name_en: Ledgers, points: 50, camp: output, measure: {kind: value},
     rationale_zh: "查阅台账。\\n数据来源：查阅台账"}
  - {id: r, name_zh: 满意度, name_en: Satisfaction, points: 30, camp: needs, measure: {kind: value},
     rationale_zh: "入户问卷。\\n数据来源：满意度调查"}
  - {id: c, name_zh: 阵地, name_en: Premises, points: 20, camp: output, measure: {kind: value},
     rationale_zh: "服务场所开放。\\n数据来源：实地查看"}
"""


def test_cli_audit_json_and_text_carry_the_evidence(capsys, tmp_path):
    # every item's lowest value is 0 and its highest its full points, so min-max and awarded points agree:
    # p earns 50, 0, 20 at S1, S2, S3; the gains from paperwork are 0, 50, 30
    values = {"S1": (50, 0, 20), "S2": (0, 30, 0), "S3": (20, 15, 10)}
    make_db(tmp_path / "p.duckdb", {"stations": [station(s) for s in values], "indicator_values": [
        {"station_id": s, "indicator_id": i, "period_start": "2024-01-01", "period_end": "2024-12-31", "value": v,
         "source": "test"} for s, vs in values.items() for i, v in zip("prc", vs)]}).close()
    (tmp_path / "tiny.yaml").write_text(TINY_POINTS, encoding="utf-8")
    args = ("audit", "--db", str(tmp_path / "p.duckdb"), "--scheme", str(tmp_path / "tiny.yaml"), "--runs", "16")
    code, out, err = run(capsys, *args, "--format", "json", "--lang", "en")
    assert code == 0, err
    e = json.loads(out)["evidence"]
    assert e["unit"] == "points" and e["total"] == 100
    assert e["kinds"] == {"paper": {"points": 50, "share": 0.5, "items": 1, "percent": 50},
                          "site": {"points": 20, "share": 0.2, "items": 1, "percent": 20},
                          "residents": {"points": 30, "share": 0.3, "items": 1, "percent": 30},
                          "other": {"points": 0, "share": 0, "items": 0, "percent": 0}}
    assert [(i["code"], i["kind"]) for i in e["items"]] == [("p", "paper"), ("r", "residents"), ("c", "site")]
    assert e["items"][0]["why"].startswith("数据来源 “查阅台账”: 查阅台账 (paper)")
    assert e["paperwork_gain"] == {"S1": 0.0, "S2": 50.0, "S3": 30.0}
    assert e["sentence"]["en"].startswith("50% of this table's 100 points can be earned from paper records alone")
    code, out, err = run(capsys, *args, "--lang", "zh")
    assert code == 0, err
    assert t("ev.cli.head", "zh") in out
    assert "这张表100分中，50%仅凭台账资料即可得到；30%来自居民本人的评价。20%要靠实地查看。" in out
    assert "平均还能多得26.7分（最多50.0分，站S2）" in out


def test_cli_audit_evidence_of_the_builtin_schemes(capsys, demo_db):
    code, out, err = run(capsys, "audit", "--db", str(demo_db), "--scheme", "needs-met", "--runs", "16",
                         "--format", "json")
    assert code == 0, err
    e = json.loads(out)["evidence"]
    # needs resolved (30 + 15) and residents' voice (20) are residents; reach (15) and service focus (10) paper;
    # the rubric of professional quality (10) a rater's judgement
    assert {k: v["points"] for k, v in e["kinds"].items()} == pytest.approx(
        {"paper": 25, "site": 0, "residents": 65, "other": 10})
    assert len(e["paperwork_gain"]) == 24 and all(0 <= g <= 25 for g in e["paperwork_gain"].values())
    code, out, err = run(capsys, "audit", "--db", str(demo_db), "--scheme", "photo-count", "--runs", "16",
                         "--lang", "en")
    assert code == 0, err
    assert "100% of this scheme's weight can be earned from paper records alone; 0% comes from residents." in out


def test_the_sample_framework(capsys, demo_copy, tmp_path):
    fw = ROOT / "sample_data" / "framework"
    assert run(capsys, "scheme", "import", str(fw / "framework.xlsx"), "--out", str(tmp_path / "fw.yaml"))[0] == 0
    assert run(capsys, "import", "--db", str(demo_copy), "--table", "indicator_values",
               str(fw / "indicator_values.csv"))[0] == 0
    code, out, err = run(capsys, "audit", "--db", str(demo_copy), "--scheme", str(tmp_path / "fw.yaml"), "--runs",
                         "16", "--format", "json")
    assert code == 0, err
    e = json.loads(out)["evidence"]
    kinds = {i["code"]: i["kind"] for i in e["items"]}
    assert kinds == {"urgent_resolved": "residents", "days_to_resolve": "residents", "satisfaction": "residents",
                     "council_need_met": "residents", "home_visits": "paper", "professional_quality": "other",
                     "spending_on_needs": "paper", "certified_staff": "paper"}
    assert e["sentence"]["en"] == ("35% of this table's 100 points can be earned from paper records alone; 50% come "
                                   "from residents. 15% rest on other evidence.")


# ---------------------------------------------------------------- the Audit page

def open_audit(lang: str, scheme: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.context["locale"] = "zh-CN" if lang == "zh" else "en-US"
    at.run()
    at.switch_page("app_pages/audit.py").run()
    at.sidebar.selectbox(key="scheme_id").set_value(scheme).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_audit_page_shows_the_evidence_and_keeps_corrections(db, lang):
    at = open_audit(lang, "needs-met")
    assert t("ev.title", lang) in [s.value for s in at.subheader]
    first = ev.sentence(ev.evidence_shares(catalog.builtin("needs-met"), lang), lang)
    assert first in [m.value for m in at.markdown]
    editor = next(d for d in at.dataframe if "basis" in d.value.columns)
    table = editor.value
    assert table["evidence"].iat[0] == t("ev.kind.residents", lang) and table["code"].iat[0] == "urgent_needs_resolved"
    assert not table["relative"].any()   # a weights scheme scores every item against the others: no mark needed
    gains = next(d.value for d in at.dataframe if list(d.value.columns) == ["station", "gain"])
    assert len(gains) == 24 and gains["gain"].is_monotonic_decreasing
    assert not at.code or all("evidence:" not in c.value for c in at.code)
    # a correction kept for the page: the sentence, the table and the YAML to keep it follow
    at.session_state["ev_corrections"] = {"needs-met": {"urgent_needs_resolved": "paper"}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    fixed = ev.evidence_shares(catalog.builtin("needs-met"), lang, {"urgent_needs_resolved": "paper"})
    assert fixed.kinds.at["paper", "points"] == pytest.approx(37)
    assert ev.sentence(fixed, lang) in [m.value for m in at.markdown]
    assert "- id: urgent_needs_resolved\n  evidence: paper" in [c.value for c in at.code]
    editor = next(d for d in at.dataframe if "basis" in d.value.columns)
    assert editor.value["evidence"].iat[0] == t("ev.kind.paper", lang)
    at.button(key="ev_reset").click().run()
    assert first in [m.value for m in at.markdown]


def test_audit_page_puts_the_corrections_into_a_working_scheme(db):
    at = open_audit("en", "needs-met")
    at.session_state["ev_corrections"] = {"needs-met": {"urgent_needs_resolved": "paper"}}
    at.run()
    at.button(key="ev_keep").click().run()
    assert not at.exception, [e.value for e in at.exception]
    working = at.session_state["working"]
    (copy,) = working.values()                    # a built-in scheme gets a working copy of its own
    assert copy.id != "needs-met" and copy.indicator("urgent_needs_resolved").evidence == "paper"
    assert at.sidebar.selectbox(key="scheme_id").value == copy.id
    assert t("ev.kept", "en", n=1, scheme=copy.id) in [s.value for s in at.success]
    # the class now comes from the scheme itself, and the page holds no corrections for it
    editor = next(d for d in at.dataframe if "basis" in d.value.columns).value
    assert editor["evidence"].iat[0] == t("ev.kind.paper", "en")
    assert editor["basis"].iat[0] == t("ev.why.scheme", "en", kind="paper")
    assert all("evidence:" not in c.value for c in at.code)


# 评分标准 and 数据来源 in the styles of bureaus' 千分制 tables, with the class the rule gives
TABLE_ROWS = [
    ("建立健全岗位职责、考勤、财务等制度，制度上墙，缺一项扣5分。", "查阅资料", "paper"),
    ("年度工作计划、总结齐全，得20分；缺一项扣10分。", "查阅台账", "paper"),
    ("开展小组活动不少于12次，每少1次扣2分，扣完为止。", "查阅活动记录、签到表、照片", "paper"),
    ("媒体报道每篇得5分，最高20分。", "宣传报道", "paper"),
    ("设置宣传栏、展板，及时更新。", "现场查看", "site"),
    ("服务阵地面积不少于200平方米，功能室齐全。", "实地考察", "site"),
    ("服务时间对外公示，工作时间有人值守。", "暗访", "site"),
    ("查阅个案档案，随机电话回访服务对象5户，回访不满意一户扣5分。", "查阅档案、电话回访", "residents"),
    ("服务对象满意率达90%以上得满分，每低5个百分点扣10分。", "第三方满意度调查", "residents"),
    ("居民对社工站服务的知晓率达80%以上。", "入户调查", "residents"),
    ("组织居民议事会评议站点服务，评议结果为好得满分。", "居民评议", "residents"),
    ("查阅台账，实地查看服务场所，访谈服务对象不少于3人。", "", "residents"),
    ("持证社工不少于2名。", "人员花名册", "paper"),
    ("专款专用，票据规范，视情况得0-40分。", "查阅财务账目", "paper"),
    ("协助建立居民议事机制，每季度召开议事会得40分。", "查阅会议记录", "paper"),   # a meeting held, on paper
    ("困难群体入户探访覆盖率90%及以上得50分。", "查阅探访记录、入户核实", "site"),
    ("无安全责任事故。", "", "other"),
    ("第三方机构按评估细则评定专业水平。", "专家评审", "other"),
]


@pytest.mark.parametrize("criteria, source, kind", TABLE_ROWS)
def test_rows_as_tables_write_them(criteria, source, kind):
    assert ev.classify(item("x", source, criteria))[0] == kind
