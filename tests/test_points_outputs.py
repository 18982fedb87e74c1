"""Points everywhere (issue 18, item 7): a tiny 100-point scheme (千分制 in small) scored from indicator_values, and
what the station card, report card, workbook, CSV and public notice say of it, checked against points worked out by
hand at every node, for a ranked station, a vetoed one, one with a missing item (缺项) and one with too little data
(数据不足).

The scheme (points in brackets; A holds an item of its own and a sub-dimension):
  A 基础建设 (40): A2 台账资料 (15, awarded); A1 阵地建设 (25): A11 场地面积 (15, awarded), A12 制度上墙 (10, yes_no)
  B 服务成效 (60): B1 满意度 (30, bands .9:30 .8:24 .7:15 else 0), B2 服务人次 (15, deduct target 30, 2 per 5 short),
                   B3 走访覆盖率 (10, linear full at 1), B4 活动场次 (5, min-max against the other stations: 相对评分)

By hand (activities: S1 4, S2 2, S3 1, S4 0, S5 0, so B4 = 5 x count / 4):
  S1: A11 12, A12 10, A2 15 | B1 .85 -> 24, B2 20 -> 15 - 2x2 = 11, B3 .6 -> 6, B4 5
      A1 22, A 37, B 46, total 83 -> 良好 (75-90), rank 1
  S2: A11 15, A12 10, A2 15 | B1 .95 -> 30, B2 35 -> 15, B3 1 -> 10, B4 2.5; A1 25, A 40, B 57.5, total 97.5,
      but the 一票否决 series holds "发生安全责任事故" for it: lowest band 不合格, listed after the ranked stations
  S3: A11 10, A12 0 -> 0, A2 no value (缺项) -> 0 | B1 .92 -> 30, B2 30 -> 15, B3 .5 -> 5, B4 1.25
      A1 10, A 10, B 51.25, total 61.25 -> 合格, rank 2; 6 of 7 items observed
  S4: only A11 8 and B4 (0 activities: a count, so observed) -> 2 of 7 observed, below the 50% minimum: no grade
      (数据不足), total 8, listed apart
  S5: A11 5, A12 10, A2 9 | B1 .65 -> 0, B2 5 -> 15 - 2x5 = 5, B3 .25 -> 2.5, B4 0
      A1 15, A 24, B 7.5, total 31.5 -> 不合格, rank 3
"""
from __future__ import annotations

import csv
import math
import re
from datetime import date
from html import unescape

import openpyxl
import pytest

from indicators.outputs import export, notice, report, views
from indicators.scheme.model import scheme_from_dict
from indicators.scoring import engine
from indicators.scoring.measures import Period
from tests.conftest import station

PERIOD = Period(date(2026, 1, 1), date(2026, 6, 30))
OBJ = {"issuer": "城关区民政局", "contact": "区民政局 0931-8123456", "deadline": date(2026, 7, 20)}
ISSUED = date(2026, 7, 10)

B1_RULE = "90%及以上得30分；80%（含）-90%得24分；70%（含）-80%得15分；低于70%不得分"


def item(code, zh, en, points, rule=None, unit="", criterion="", measure=None, **kw):
    out = {"id": code, "name_zh": zh, "name_en": en, "points": points, "camp": "output", "unit": unit,
           "rationale_zh": f"{criterion}\n数据来源：实地查看", "measure": measure or {"kind": "value"}, **kw}
    if rule:
        out["scoring"] = rule
    return out


SCHEME = {
    "id": "tiny-qf", "name_zh": "小千分制", "name_en": "Tiny points table", "weighting": "points",
    "grade_scale": "points",
    "grades": [{"grade": "优秀", "min": 90, "label_en": "Excellent"}, {"grade": "良好", "min": 75, "label_en": "Good"},
               {"grade": "合格", "min": 60, "label_en": "Pass"}, {"grade": "不合格", "min": 0, "label_en": "Fail"}],
    "dimensions": [
        {"id": "A", "name_zh": "基础建设", "name_en": "Infrastructure", "points": 40,
         "indicators": [item("A2", "台账资料", "Records kept", 15, {"rule": "awarded"},
                             criterion="台账齐全得15分，视完整程度酌情扣分")],
         "dimensions": [{"id": "A1", "name_zh": "阵地建设", "name_en": "Premises", "points": 25, "indicators": [
             item("A11", "场地面积", "Floor space", 15, criterion="视场地情况得0-15分"),
             item("A12", "制度上墙", "Rules on the wall", 10, {"rule": "yes_no"}, criterion="有制度上墙得10分，无不得分"),
         ]}]},
        {"id": "B", "name_zh": "服务成效", "name_en": "Outcomes", "points": 60, "indicators": [
            item("B1", "满意度", "Satisfaction", 30, {"rule": "bands", "steps": [[0.9, 30], [0.8, 24], [0.7, 15]],
                                                     "else": 0}, unit="share", criterion=B1_RULE),
            item("B2", "服务人次", "Services delivered", 15, {"rule": "deduct", "target": 30, "per": 2, "unit": 5},
                 criterion="不少于30次得15分，每少5次扣2分，扣完为止"),
            item("B3", "走访覆盖率", "Visit coverage", 10, {"rule": "linear", "full_at": 1}, unit="share",
                 criterion="按走访覆盖率×10计分"),
            item("B4", "活动场次", "Activities held", 5, measure={"kind": "count", "table": "activities"},
                 normalisation={"method": "minmax"}, criterion="与其他站点比较"),
        ]},
    ],
}

VALUES = {   # station -> item -> value (None: no row at all)
    "S1": {"A11": 12, "A12": 1, "A2": 15, "B1": 0.85, "B2": 20, "B3": 0.6},
    "S2": {"A11": 15, "A12": 1, "A2": 15, "B1": 0.95, "B2": 35, "B3": 1.0},
    "S3": {"A11": 10, "A12": 0, "B1": 0.92, "B2": 30, "B3": 0.5},
    "S4": {"A11": 8},
    "S5": {"A11": 5, "A12": 1, "A2": 9, "B1": 0.65, "B2": 5, "B3": 0.25},
}
ACTIVITIES = {"S1": 4, "S2": 2, "S3": 1}

# points earned by hand (see the module's docstring)
ITEMS = {
    "S1": {"A2": 15, "A11": 12, "A12": 10, "B1": 24, "B2": 11, "B3": 6, "B4": 5},
    "S2": {"A2": 15, "A11": 15, "A12": 10, "B1": 30, "B2": 15, "B3": 10, "B4": 2.5},
    "S3": {"A2": 0, "A11": 10, "A12": 0, "B1": 30, "B2": 15, "B3": 5, "B4": 1.25},
    "S4": {"A2": 0, "A11": 8, "A12": 0, "B1": 0, "B2": 0, "B3": 0, "B4": 0},
    "S5": {"A2": 9, "A11": 5, "A12": 10, "B1": 0, "B2": 5, "B3": 2.5, "B4": 0},
}
NODES = {"S1": {"A": 37, "A1": 22, "B": 46}, "S2": {"A": 40, "A1": 25, "B": 57.5},
         "S3": {"A": 10, "A1": 10, "B": 51.25}, "S4": {"A": 8, "A1": 8, "B": 0}, "S5": {"A": 24, "A1": 15, "B": 7.5}}
TOTAL = {"S1": 83, "S2": 97.5, "S3": 61.25, "S4": 8, "S5": 31.5}
GRADE = {"S1": "良好", "S2": "不合格", "S3": "合格", "S4": "", "S5": "不合格"}
STATUS = {"S1": "ranked", "S2": "vetoed", "S3": "ranked", "S4": "insufficient", "S5": "ranked"}
VETO = "发生安全责任事故"


def rows() -> dict:
    vals = []
    for sid, items in VALUES.items():
        for code, v in items.items():
            vals.append({"station_id": sid, "indicator_id": code, "period_start": date(2026, 1, 1),
                         "period_end": date(2026, 6, 30), "value": float(v), "source": "评估组"})
    vals.append({"station_id": "S2", "indicator_id": "一票否决", "period_start": date(2026, 1, 1),
                 "period_end": date(2026, 6, 30), "value": 1.0, "source": "评估组", "note": VETO})
    acts = [{"activity_id": f"{sid}-{k}", "station_id": sid, "held_on": date(2026, 3, 1), "kind": "group",
             "title": "活动"} for sid, n in ACTIVITIES.items() for k in range(n)]
    return {"stations": [station(s) for s in VALUES], "indicator_values": vals, "activities": acts}


@pytest.fixture
def result(tiny):
    return engine.score(tiny(rows()), scheme_from_dict(SCHEME), PERIOD)


def test_the_engine_gives_the_hand_computed_points(result):
    """What every output below reads: the result's own cells equal the hand computation."""
    for sid in VALUES:
        for code, pts in ITEMS[sid].items():
            assert result.item_points.at[sid, code] == pytest.approx(pts, abs=1e-9), (sid, code)
        for code, pts in NODES[sid].items():
            assert result.node_points().at[sid, code] == pytest.approx(pts, abs=1e-9), (sid, code)
        assert result.points_earned[sid] == pytest.approx(TOTAL[sid], abs=1e-9)
        assert result.grade[sid] == GRADE[sid] and result.status[sid] == STATUS[sid]
    assert result.points_available == 100
    assert result.veto["S2"] == VETO and (result.veto.drop("S2") == "").all()
    assert bool(result.missing.at["S3", "A2"]) and not result.missing.loc["S1"].any()
    assert result.complete["S4"] == pytest.approx(2 / 7) and result.complete["S3"] == pytest.approx(6 / 7)
    assert "B4" in result.relative
    assert [int(result.rank[s]) for s in ("S1", "S3", "S5")] == [1, 2, 3]
    assert {int(result.rank["S2"]), int(result.rank["S4"])} == {4, 5}


# ================================================================ the station card (what the Scores page shows)

def test_card_has_points_earned_available_and_lost_per_item_with_the_criterion(result):
    card = views.station_card(result, "S1", "zh")
    assert list(card.index) == ["A2", "A11", "A12", "B1", "B2", "B3", "B4"]
    for code, pts in ITEMS["S1"].items():
        assert card.at[code, "points"] == pytest.approx(pts)
    assert card["available"].tolist() == [15, 15, 10, 30, 15, 10, 5]
    assert card["lost"].tolist() == pytest.approx([0, 3, 0, 6, 4, 4, 0])
    assert card.at["B1", "criterion"] == B1_RULE   # the 评分标准, without its 数据来源 line
    assert card.at["B1", "deduction"] == f"失分6分：满意度 85%，评分标准：{B1_RULE}"
    assert card.at["A11", "deduction"] == "失分3分：评定得12分（满分15分），评分标准：视场地情况得0-15分"
    assert card.at["B2", "deduction"] == "失分4分：服务人次 20，评分标准：不少于30次得15分，每少5次扣2分，扣完为止"
    assert card.at["A2", "deduction"] == "" and card.at["B4", "deduction"] == ""   # nothing lost
    assert card.at["B4", "flag"] == "相对评分" and card.at["B1", "flag"] == ""
    en = views.station_card(result, "S1", "en")
    assert en.at["B1", "deduction"] == f"lost 6 of its points: Satisfaction 85%; criterion: {B1_RULE}"
    assert en.at["B4", "flag"] == "相对评分 (relative to the other stations)"


def test_card_marks_the_missing_item_and_says_it_scored_0(result):
    card = views.station_card(result, "S3", "zh")
    assert card.at["A2", "flag"] == "缺项" and card.at["A2", "points"] == 0 and card.at["A2", "lost"] == 15
    assert card.at["A2", "deduction"] == "失分15分：缺项（无数据），按0分计，评分标准：台账齐全得15分，视完整程度酌情扣分"
    assert card.at["B4", "deduction"] == "失分3.75分：相对评分，与其他社工站比较得25.0（满分100），评分标准：与其他站点比较"
    assert card.at["A12", "deduction"] == "失分10分：制度上墙 否，评分标准：有制度上墙得10分，无不得分"


def test_points_tree_has_every_node_with_earned_available_and_lost(result):
    tree = views.points_tree(result, "S1", "zh")
    got = [(r.code, r.kind, r.depth, r.earned, r.available, r.lost) for r in tree.itertuples()]
    assert got == [("A", "dimension", 1, 37, 40, 3), ("A2", "indicator", 2, 15, 15, 0),
                   ("A1", "dimension", 2, 22, 25, 3), ("A11", "indicator", 3, 12, 15, 3),
                   ("A12", "indicator", 3, 10, 10, 0),
                   ("B", "dimension", 1, 46, 60, 14), ("B1", "indicator", 2, 24, 30, 6),
                   ("B2", "indicator", 2, 11, 15, 4), ("B3", "indicator", 2, 6, 10, 4),
                   ("B4", "indicator", 2, 5, 5, 0), ("", "total", 0, 83, 100, 17)]
    assert tree.iloc[-1]["name"] == "合计"
    assert views.points_tree(result, "S3", "en").set_index("code").at["A2", "flag"] == "缺项 (no value)"


def test_status_lines_say_veto_no_grade_and_missing_items(result):
    s2 = views.station_status(result, "S2", "zh")
    assert s2["status"] == "vetoed" and s2["veto"] == VETO and s2["grade"] == "不合格"
    assert s2["lines"][0] == f"一票否决：{VETO}。无论得分多少，等级均为不合格，排在参与排名的社工站之后。"
    assert s2["points_text"] == "得97.5分 / 满分100分"
    s4 = views.station_status(result, "S4", "zh")
    assert s4["grade"] == "数据不足" and s4["status_text"] == "数据不足"
    assert s4["lines"][0] == "数据不足，不评定等级：7项指标中仅2项有数据（28.57%），低于方案要求的50%；单独列出，不参与排名。"
    s3 = views.station_status(result, "S3", "zh")
    assert s3["lines"] == ["缺项（无数据，按0分计）：台账资料", "相对评分（与其他社工站比较，而非按评分标准）：活动场次"]
    en = views.station_status(result, "S4", "en")
    assert en["grade"] == "no grade (insufficient data)"
    assert en["lines"][0].startswith("No grade (数据不足): only 2 of 7 items have data (28.57%), below the 50%")
    assert views.station_status(result, "S1", "en")["points_text"] == "83 of 100 points"


def test_ranking_table_shows_grade_as_written_status_and_veto(result):
    zh = views.ranking_table(result, "zh")
    assert list(zh.index[:3]) == ["S1", "S3", "S5"]
    assert zh.at["S1", "grade"] == "良好" and zh.at["S4", "grade"] == "数据不足"
    assert zh.at["S2", "status"] == "一票否决" and zh.at["S2", "veto"] == VETO and zh.at["S1", "veto"] == ""
    assert zh.at["S1", "points"] == 83 and zh.at["S1", "available"] == 100
    assert zh.at["S4", "complete"] == pytest.approx(200 / 7)
    assert views.ranking_table(result, "en").at["S1", "grade"] == "良好 · Good"


def test_a_weights_scheme_card_is_as_before(tiny):
    from tests.test_values import ROWS, YEAR, scheme_of
    from indicators.scheme.model import Indicator, Measure
    r = engine.score(tiny(ROWS), scheme_of(Indicator("visits", "走访", "Visits", "needs", Measure("value"))), YEAR)
    assert list(views.station_card(r, "S1", "en").columns) == [
        "indicator", "dimension", "camp", "raw", "treated", "treatment", "normalised", "weight", "contribution",
        "gap_to_best"]
    assert "status" not in views.ranking_table(r, "en").columns


# ================================================================ the report card

def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_report_card_in_points_with_deductions(result):
    html = report.station_report(result, "S1", "zh")
    assert '<div class="v">83</div><div class="l">得分（分值） / 100</div>' in html
    assert "各项得分（分值）" in html
    row = re.search(r"<tr><td>B1</td>.*?</tr>", html).group(0)
    assert [unescape(x) for x in re.findall(r"<td[^>]*>(.*?)</td>", row)] == [
        "B1", "满意度", "24", "30", "6", f"失分6分：满意度 85%，评分标准：{B1_RULE}"]
    dim = re.search(r'<tr class="dim"><td>A1</td>.*?</tr>', html).group(0)
    assert re.findall(r'<td class="n">(.*?)</td>', dim) == ["22", "25", "3"]
    total = re.search(r'<tr class="total">.*?</tr>', html).group(0)
    assert re.findall(r'<th class="n">(.*?)</th>', total) == ["83", "100", "17"]
    assert "相对评分" in text_of(html) and 'class="veto"' not in html


def test_report_card_of_a_vetoed_station_says_why_prominently(result):
    for lang, said in (("zh", f"一票否决：{VETO}。无论得分多少，等级均为不合格"), ("en", f"Vetoed (一票否决): {VETO}.")):
        html = report.station_report(result, "S2", lang)
        assert re.search(r'<p class="veto">([^<]*)</p>', html).group(1).startswith(said)
        assert '<div class="v">不合格</div>' in html


def test_report_card_of_a_station_without_enough_data_shows_no_grade(result):
    html = report.station_report(result, "S4", "zh")
    assert '<div class="v">数据不足</div><div class="l">等级</div>' in html
    assert "7项指标中仅2项有数据（28.57%）" in text_of(html)
    en = report.station_report(result, "S4", "en")
    assert '<div class="v">no grade (insufficient data)</div>' in en


def test_report_card_marks_the_missing_item(result):
    html = report.station_report(result, "S3", "zh")
    assert '台账资料 <span class="flag">〔缺项〕</span>' in html
    assert "失分15分：缺项（无数据），按0分计" in html


# ================================================================ the workbook and the CSV

def sheet(wb, name):
    return [list(r) for r in wb[name].iter_rows(values_only=True)]


def test_workbook_scores_node_and_item_points(result, tmp_path):
    wb = openpyxl.load_workbook(export.export_scores(result, tmp_path / "p.xlsx", lang="zh"))
    assert {"得分", "各级得分（分值）", "各项得分（分值）", "扣分说明"} <= set(wb.sheetnames)
    scores = sheet(wb, "得分")
    assert scores[0] == ["排名", "社工站编号", "社工站", "所属区县", "得分", "等级", "被否决项限制", "等级名称", "状态", "一票否决",
                         "指标完整率", "得分（分值）", "总分值"]
    by_id = {r[1]: r for r in scores[1:]}
    assert [r[1] for r in scores[1:4]] == ["S1", "S3", "S5"]
    assert by_id["S1"][5] == "良好" and by_id["S1"][6] in (None, "") and by_id["S1"][9] in (None, "")
    assert by_id["S1"][7:9] == ["良好", "参与排名"] and by_id["S1"][10:] == [1, 83, 100]
    assert by_id["S2"][7:10] == ["不合格", "一票否决", VETO] and by_id["S2"][11] == 97.5
    assert by_id["S4"][5] is None and by_id["S4"][7:9] == ["数据不足", "数据不足"]
    assert by_id["S4"][10] == pytest.approx(2 / 7, abs=1e-15)
    nodes = sheet(wb, "各级得分（分值）")
    assert nodes[0] == ["社工站编号", "社工站", "基础建设（40分）", "基础建设 / 阵地建设（25分）", "服务成效（60分）"]
    assert {r[0]: r[2:] for r in nodes[1:]} == {s: [NODES[s]["A"], NODES[s]["A1"], NODES[s]["B"]] for s in VALUES}
    items = sheet(wb, "各项得分（分值）")
    assert items[0][2:] == ["台账资料（15分）", "场地面积（15分）", "制度上墙（10分）", "满意度（30分）", "服务人次（15分）",
                            "走访覆盖率（10分）", "活动场次（5分）"]
    codes = ["A2", "A11", "A12", "B1", "B2", "B3", "B4"]
    assert {r[0]: r[2:] for r in items[1:]} == {s: [ITEMS[s][c] for c in codes] for s in VALUES}
    ded = sheet(wb, "扣分说明")
    assert ded[0] == ["社工站编号", "社工站", "代码", "类别", "层级", "名称", "得分", "分值", "失分", "备注", "评分标准", "扣分说明"]
    s3 = {r[5]: r for r in ded[1:] if r[0] == "S3"}   # by name: the total row has no code
    assert s3["台账资料"][2:] == ["A2", "指标", 2, "台账资料", 0, 15, 15, "缺项", "台账齐全得15分，视完整程度酌情扣分",
                            "失分15分：缺项（无数据），按0分计，评分标准：台账齐全得15分，视完整程度酌情扣分"]
    assert s3["阵地建设"][2:9] == ["A1", "上级指标", 2, "阵地建设", 10, 25, 15]
    assert s3["合计"][3:9] == ["合计", 0, "合计", 61.25, 100, 38.75]


def test_workbook_in_english(result, tmp_path):
    wb = openpyxl.load_workbook(export.export_scores(result, tmp_path / "p.xlsx", lang="en"))
    scores = sheet(wb, "scores")
    assert scores[0][7:] == ["grade label", "status", "veto", "share observed", "points", "points available"]
    s2 = next(r for r in scores if r[1] == "S2")
    assert s2[7:10] == ["不合格 · Fail", "vetoed (一票否决)", VETO]
    assert sheet(wb, "node_points")[0][2] == "Infrastructure (40 points)"


def test_csv_has_points_at_every_node_and_item_at_full_precision(result, tmp_path):
    path = export.export_scores(result, tmp_path / "p.csv", lang="zh")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    head, body = table[0], {r[0]: dict(zip(table[0], r)) for r in table[1:]}
    assert head[:11] == ["社工站编号", "社工站", "得分", "排名", "等级", "得分（分值）", "总分值", "等级名称", "状态", "一票否决",
                         "指标完整率"]
    assert body["S4"]["指标完整率"] == repr(2 / 7) and body["S4"]["等级名称"] == "数据不足"
    assert body["S2"]["一票否决"] == VETO and body["S2"]["状态"] == "一票否决" and body["S2"]["等级"] == "不合格"
    for sid in VALUES:
        row = body[sid]
        assert float(row["得分（分值）"]) == TOTAL[sid] and row["总分值"] == "100.0"
        assert float(row["基础建设 / 阵地建设 得分（分值）"]) == NODES[sid]["A1"]
        assert float(row["服务成效 得分（分值）"]) == NODES[sid]["B"]
        for code, name in (("B4", "活动场次"), ("A2", "台账资料"), ("B1", "满意度")):
            assert float(row[f"{name} 得分（分值）"]) == ITEMS[sid][code]
    assert body["S3"]["活动场次 得分（分值）"] == "1.25" and body["S3"]["活动场次 备注"] == "相对评分"
    assert body["S3"]["台账资料 备注"] == "缺项"
    assert body["S1"]["满意度 扣分说明"] == f"失分6分：满意度 85%，评分标准：{B1_RULE}"
    assert math.isclose(float(body["S1"]["得分"]), 83.0, abs_tol=1e-9)


def test_csv_neutralises_a_veto_reason_that_looks_like_a_formula(tiny, tmp_path):
    data = rows()
    data["indicator_values"][-1]["note"] = "=HYPERLINK(\"http://x\")"
    r = engine.score(tiny(data), scheme_from_dict(SCHEME), PERIOD)
    with open(export.export_scores(r, tmp_path / "p.csv", lang="en"), encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    s2 = dict(zip(table[0], next(x for x in table if x[0] == "S2")))
    assert s2["veto"] == "'=HYPERLINK(\"http://x\")"
    wb = openpyxl.load_workbook(export.export_scores(r, tmp_path / "p.xlsx", lang="en"))
    assert next(x for x in sheet(wb, "scores") if x[1] == "S2")[9] == "'=HYPERLINK(\"http://x\")"


# ================================================================ the public notice

def test_notice_of_a_ranked_station_in_points(result):
    n = notice.round_notice(result, "S1", "zh", OBJ, issued_on=ISSUED)
    assert n.headline == (("得分（分值）", "83 / 100"), ("排名（共5个社工站）", "第1名"), ("等级", "良好"))
    (s,) = n.sections
    assert s.columns == ("一级指标", "分值", "所含指标", "得分", "失分")
    assert s.rows == (("基础建设", "40", "台账资料、场地面积、制度上墙", "37", "3"),
                      ("服务成效", "60", "满意度、服务人次、走访覆盖率、活动场次", "46", "14"))
    assert s.total == ("合计", "100", "", "83", "17")
    assert n.alert == ()
    assert "相对评分（与其他社工站比较）：活动场次。" in n.notes
    assert "等级划分：90分及以上为优秀；75分及以上、90分以下为良好；60分及以上、75分以下为合格；60分以下为不合格。" in n.notes
    en = notice.round_notice(result, "S1", "en", OBJ, issued_on=ISSUED)
    assert en.headline == (("Points", "83 of 100"), ("Rank (of 5 stations)", "1"), ("Grade", "Good"))


def test_notice_of_a_vetoed_station_says_it_was_vetoed_and_why(result):
    n = notice.round_notice(result, "S2", "zh", OBJ, issued_on=ISSUED)
    assert n.alert == (f"因{VETO}，实行一票否决，等级评定为不合格。",)
    assert dict(n.headline)["等级"] == "不合格" and dict(n.headline)["得分（分值）"] == "97.5 / 100"
    html = notice.notice_html(n)
    assert f'<div class="alert"><p>因{VETO}，实行一票否决，等级评定为不合格。</p></div>' in html
    en = notice.round_notice(result, "S2", "en", OBJ, issued_on=ISSUED)
    assert en.alert == (f"The station is vetoed (一票否决): {VETO}. It is graded 不合格 · Fail.",)


def test_notice_of_a_station_without_enough_data_gives_no_grade_and_says_why(result):
    n = notice.round_notice(result, "S4", "zh", OBJ, issued_on=ISSUED)
    assert n.alert == ("本期不评定等级：7项指标中仅2项有数据（28.57%），低于方案要求的50%。",)
    assert dict(n.headline)["等级"] == "不评定" and dict(n.headline)["排名（共5个社工站）"] == "–"
    text = text_of(notice.notice_html(n))
    assert "本期不评定等级" in text and "8 / 100" in text
    assert "缺项（按0分计）：台账资料、制度上墙、满意度、服务人次、走访覆盖率。" in n.notes
    en = notice.round_notice(result, "S4", "en", OBJ, issued_on=ISSUED)
    assert en.alert == ("No grade is given: only 2 of 7 items have data (28.57%), below the 50% the scheme "
                        "requires.",)


def test_notice_pdf_carries_the_veto(result):
    from tests.test_notice import pdf_text
    pages, text = pdf_text(notice.notice_pdf(notice.round_notice(result, "S2", "zh", OBJ, issued_on=ISSUED)))
    assert pages == 1 and "一票否决" in text and VETO in text.replace("\n", "")


def test_a_scheme_that_refuses_missing_items_publishes_no_score_and_says_why(tiny):
    r = engine.score(tiny(rows()), scheme_from_dict({**SCHEME, "missing_items": "refuse"}), PERIOD)
    assert r.status["S3"] == "refused" and r.grade["S3"] == ""
    st = views.station_status(r, "S3", "zh")
    assert st["lines"][0] == "不予计分：方案规定有缺项的社工站不计分，本站台账资料缺项。"
    n = notice.round_notice(r, "S3", "zh", OBJ, issued_on=ISSUED)
    assert n.alert == ("本期不予计分：台账资料缺项，按方案规定有缺项的社工站不计分。",)
    assert dict(n.headline) == {"得分（分值）": "–", "排名（共5个社工站）": "–", "等级": "不评定"}
    assert views.ranking_table(r, "en").at["S3", "status"] == "not scored (缺项)"


def test_a_weights_scheme_lists_a_station_with_too_little_data_apart(tiny):
    """数据不足 holds in every scheme; the columns that say so appear only when a station lacks a grade."""
    from indicators.scheme.model import Dimension, Indicator, Measure, Scheme
    inds = tuple(Indicator(c, f"指标{c}", f"Item {c}", "output", Measure("value")) for c in ("x", "y", "z"))
    scheme = Scheme("w", "权重方案", "Weights", (Dimension("d", "维度", "Dim", inds),))
    vals = [{"station_id": s, "indicator_id": c, "period_start": date(2026, 1, 1), "period_end": date(2026, 6, 30),
             "value": v} for s, got in (("S1", {"x": 1, "y": 2, "z": 3}), ("S2", {"x": 3, "y": 1, "z": 2}),
                                         ("S3", {"x": 2})) for c, v in got.items()]
    r = engine.score(tiny({"stations": [station(s) for s in ("S1", "S2", "S3")], "indicator_values": vals}),
                     scheme, PERIOD)
    assert r.status["S3"] == "insufficient" and r.grade["S3"] == ""
    table = views.ranking_table(r, "zh")
    assert table.at["S3", "grade"] == "数据不足" and table.at["S3", "status"] == "数据不足"
    assert "available" not in table.columns and "points" not in table.columns
    head, body = export.scores_table(r, "en")
    assert head[7:] == ["grade label", "status", "share observed"]
    assert {row[1]: row[7:] for row in body}["S3"] == ["no grade (insufficient data)", "insufficient data (数据不足)",
                                                        pytest.approx(1 / 3)]
    n = notice.round_notice(r, "S3", "zh", OBJ, issued_on=ISSUED)
    assert dict(n.headline)["等级"] == "不评定" and dict(n.headline)["排名（共3个社工站）"] == "–"
    assert n.alert == ("本期不评定等级：3项指标中仅1项有数据（33.33%），低于方案要求的50%。",)
    html = report.station_report(r, "S3", "en")
    assert '<div class="v">no grade (insufficient data)</div>' in html
    assert "only 1 of 3 items have data (33.33%)" in html


def test_grades_by_rank_keep_the_veto_and_the_missing_grade(result):
    by_rank = views.ranking_table(result, "zh", by_rank=True)
    assert by_rank.at["S2", "grade"] == "不合格" and by_rank.at["S4", "grade"] == "数据不足"


def test_the_station_tree_shows_points_and_marks_the_missing_and_relative_items(result):
    html = views.tree_html(result.scheme, "zh", views.station_tree_scores(result, "S3"), open_levels=9,
                           marks=views.station_tree_marks(result, "S3", "zh"))
    assert "<b>台账资料</b> <code>A2</code> · 15分 · 占总分15.0% · <span style='color:#2b7bba'>得0.0分 / 15分</span> " \
           "<span style='color:#9a3412'>〔缺项〕</span>" in html
    assert "<b>活动场次</b> <code>B4</code>" in html and "〔相对评分〕" in html
    assert "得51.2分 / 60分" in html or "得51.3分 / 60分" in html   # 服务成效: 51.25 to one decimal
    assert views.station_tree_marks(result, "S1", "zh") == {"B4": "相对评分"}


def test_a_relative_item_without_data_says_it_was_filled_not_scored_0(tiny):
    """B4 as the mean headcount of the station's activities: S4 and S5 hold none, so no value. Relative items follow
    their missing rule (median): headcounts S1 40, S2 20, S3 10 -> min-max 100, 33.33, 0; the median 33.33 of 100
    gives 5 x 1/3 = 1.67 points, 3.33 lost."""
    data = rows()
    heads = {"S1": 40, "S2": 20, "S3": 10}
    for a in data["activities"]:
        a["headcount"] = heads[a["station_id"]]
    b = SCHEME["dimensions"][1]
    b4 = {**b["indicators"][3], "measure": {"kind": "mean", "table": "activities", "column": "headcount"}}
    scheme = {**SCHEME, "dimensions": [SCHEME["dimensions"][0], {**b, "indicators": [*b["indicators"][:3], b4]}]}
    r = engine.score(tiny(data), scheme_from_dict(scheme), PERIOD)
    assert bool(r.missing.at["S5", "B4"]) and r.item_points.at["S5", "B4"] == pytest.approx(5 / 3)
    card = views.station_card(r, "S5", "zh")
    assert card.at["B4", "deduction"] == ("失分3.33分：缺项（无数据），按规则“取其他站中位数”填补，得1.67分，"
                                          "评分标准：与其他站点比较")
    assert views.station_status(r, "S5", "zh")["lines"] == [
        "缺项（无数据），因相对评分按该项缺失值规则填补：活动场次（取其他站中位数）",
        "相对评分（与其他社工站比较，而非按评分标准）：活动场次"]
    assert not any(x.startswith("缺项（按0分计）") for x in notice.round_notice(r, "S5", "zh", OBJ, issued_on=ISSUED).notes)
