"""The app's 千分制 pieces: grade bands and options edited as pure functions and on the Schemes page, the 评分标准 rules
proposed per item and checked by item, what an imported table gave, the default period of a database holding only
indicator values and the periods offered when the chosen one holds none, and vetoed and ungraded stations listed
after the ranked ones with points earned of available. Values worked out by hand in the comments."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st

from indicators.scheme import catalog, editing
from indicators.scheme.model import (VETO_SERIES, Grade, Scheme, SchemeError, Scoring, scheme_from_dict,
                                     scheme_to_dict)
from indicators.scoring import engine
from indicators.text_safety import plain
from tests.conftest import make_db, station
from tests.test_app import assert_clean, open_app, working

ROOT = Path(__file__).resolve().parent.parent
BANDS = (Grade("优秀", 90, "优秀", "Excellent"), Grade("良好", 80, "良好", "Good"), Grade("合格", 60, "合格", "Pass"),
         Grade("不合格", 0, "不合格", "Fail"))


def tiny_points(**extra) -> Scheme:
    """100 points: B11 awarded on the score sheet (40), B12 a share by bands (60); bands on points."""
    return scheme_from_dict({
        "id": "tiny-points", "name_zh": "小千分制", "name_en": "Tiny points", "weighting": "points",
        "grade_scale": "points",
        "grades": [{"grade": g.grade, "min": g.min, "label_zh": g.label_zh, "label_en": g.label_en} for g in BANDS],
        "dimensions": [{"id": "B1", "name_zh": "基础建设", "name_en": "Basics", "indicators": [
            {"id": "B11", "name_zh": "台账规范", "name_en": "Ledgers", "camp": "output", "points": 40,
             "measure": {"kind": "value"},
             "rationale_zh": "台账齐全规范得40分，视情况扣分\n数据来源：查阅资料"},
            {"id": "B12", "name_zh": "需求解决率", "name_en": "Needs resolved", "camp": "needs", "points": 60,
             "measure": {"kind": "value"}, "unit": "share",
             "rationale_zh": "解决率90%及以上得60分；80%（含）-90%得45分；低于80%不得分"},
        ]}], **extra})


# ---------------------------------------------------------------- grade bands and options (pure)

def test_grade_rows_round_trip_and_blank_rows_are_ignored():
    df = editing.grades_frame(BANDS)
    assert list(df.columns) == ["grade", "label_zh", "label_en", "min"]
    assert list(df["min"]) == [90.0, 80.0, 60.0, 0.0]
    df.loc[len(df)] = [None, None, None, None]            # a row added and left empty
    assert editing.grades_from_frame(df, 100) == BANDS
    # a blank grade takes the Chinese label; the result is best first whatever the row order
    rows = pd.DataFrame([{"grade": "", "label_zh": "合格", "label_en": "Pass", "min": 600},
                         {"grade": "优秀", "label_zh": "优秀", "label_en": "", "min": 900},
                         {"grade": "不合格", "label_zh": "", "label_en": "", "min": 0}])
    got = editing.grades_from_frame(rows, 1000)
    assert [(g.grade, g.min) for g in got] == [("优秀", 900), ("合格", 600), ("不合格", 0)]


@pytest.mark.parametrize("rows, field_en, field_zh, problem_zh", [
    ([("优秀", 90), ("优秀", 0)], "grade bands, row 2, Grade (as written)", "评估等次第2行“等次（原文）”",
     "'优秀'已是第1行的等次"),
    ([("优秀", 950), ("合格", 0)], "grade bands, row 1, Minimum (0-100)", "评估等次第1行“分数线（百分制）”",
     "须为0到100之间的数，实际是950"),
    ([("优秀", 90), ("合格", 60)], "grade bands", "评估等次", "最低一档必须从0分开始"),
    ([("优秀", 90)], "grade bands", "评估等次", "至少需要两个等次"),
])
def test_bad_grade_rows_name_row_and_column_in_the_readers_language(rows, field_en, field_zh, problem_zh):
    df = pd.DataFrame([{"grade": g, "label_zh": "", "label_en": "", "min": m} for g, m in rows])
    with pytest.raises(SchemeError) as err:
        editing.grades_from_frame(df, 100)
    assert err.value.field_in("en") == field_en
    assert err.value.field_in("zh") == field_zh
    assert problem_zh in err.value.problem_in("zh")


def thousand_points() -> Scheme:
    """tiny_points at ten times the points (1,000), its bands at 900 / 800 / 600 / 0 points."""
    data = scheme_to_dict(tiny_points())
    data["dimensions"][0].pop("points", None)   # the module's points are its items' sum
    for ind in data["dimensions"][0]["indicators"]:
        ind["points"] *= 10
    data["grades"] = [{"grade": g.grade, "min": g.min * 10, "label_zh": g.label_zh} for g in BANDS]
    return scheme_from_dict(data)


def test_grade_minimums_move_with_the_scale_and_stop_at_the_points_available():
    scheme = thousand_points()
    assert scheme.points_total() == 1000
    assert editing.grade_limit(scheme, "points") == 1000 and editing.grade_limit(scheme, "score") == 100
    # 900 of 1,000 points is 90 of 100; the scheme's own scale leaves them as they are
    assert [g.min for g in editing.rescale_grades(scheme.grades, scheme, "score")] == [90, 80, 60, 0]
    assert editing.rescale_grades(scheme.grades, scheme, "points") == scheme.grades
    with pytest.raises(SchemeError) as err:   # 1,200 of 1,000 points can never be reached
        editing.set_grading(scheme, (Grade("优秀", 1200), Grade("不合格", 0)))
    assert err.value.field_in("en") == "grade bands, row 1, Minimum (points)"
    assert err.value.problem_in("en") == "must be a number from 0 to 1000, got 1200"
    # on 0-100, 95 is fine, 120 is not
    assert editing.set_grading(scheme, (Grade("优秀", 95), Grade("不合格", 0)), "score").grade_scale == "score"
    with pytest.raises(SchemeError):
        editing.set_grading(scheme, (Grade("优秀", 120), Grade("不合格", 0)), "score")


def test_options_are_checked_by_the_model_and_named_in_words():
    scheme = tiny_points()
    got = editing.set_grading(scheme, BANDS, "points", 0.75, "refuse", True)
    assert (got.min_observed, got.missing_items, got.veto_ranked, got.grade_scale) == (0.75, "refuse", True, "points")
    with pytest.raises(SchemeError) as err:
        editing.set_grading(scheme, min_observed=1.5)
    assert err.value.field_in("zh") == "最低有数据项目比例" and "1.5" in err.value.problem_in("zh")
    weights = catalog.builtin("needs-met")
    with pytest.raises(SchemeError) as err:   # grades in points need a points scheme
        editing.set_grading(weights, grade_scale="points")
    assert err.value.field_in("en") == "grade minimums"
    assert err.value.problem_in("en") == "grades in points need a points scheme (weighting: points)"
    # a weights scheme given its own bands back is the same scheme
    assert editing.set_grading(weights, weights.grades, "score", weights.min_observed) == weights


# ---------------------------------------------------------------- 评分标准 -> rules (pure)

def test_rules_are_proposed_beside_the_criteria_and_applied():
    scheme = tiny_points()
    rows = editing.propose_rules(scheme)   # the 评分标准 reader
    assert list(rows["id"]) == ["B11", "B12"]
    assert list(rows["criteria"]) == ["台账齐全规范得40分，视情况扣分",      # the 数据来源 line is not 评分标准
                                      "解决率90%及以上得60分；80%（含）-90%得45分；低于80%不得分"]
    assert list(rows["accept"]) == [False, True]
    assert list(rows["rule"]) == ["{rule: awarded}", "{rule: bands, steps: [[0.9, 60], [0.8, 45]], else: 0}"]
    rules, problems = editing.check_rules(scheme, rows)
    assert problems == [] and rules == {"B12": (Scoring("bands", ((0.9, 60.0), (0.8, 45.0)), 0.0), "higher")}
    got = editing.apply_rules(scheme, rules)
    assert got.indicator("B12").scoring.rule == "bands" and got.indicator("B11").scoring is None
    # a station at 0.85 earns the 45 band, one at 0.95 the 60, whatever the other does
    raw = pd.DataFrame({"B11": [38.0, 30.0], "B12": [0.95, 0.85]}, index=["S01", "S02"])
    stations = pd.DataFrame({"name": ["a", "b"], "name_en": ["a", "b"], "district": ["x", "x"],
                             "population": [1, 1]}, index=["S01", "S02"])
    result = engine.score_raw(got, raw, stations)
    assert result.points_earned.to_dict() == {"S01": 98.0, "S02": 75.0}


def test_a_lower_is_better_rule_and_edited_texts_are_read_and_each_problem_names_its_item():
    scheme = tiny_points()
    rule, direction = editing.parse_rule("{rule: bands, steps: [[0.01, 60], [0.05, 30]], direction: lower}", "B12", 60)
    assert rule.steps == ((0.01, 60.0), (0.05, 30.0)) and direction == "lower"
    assert editing.rule_text(rule, direction) == "{rule: bands, steps: [[0.01, 60], [0.05, 30]], else: 0, direction: lower}"
    assert editing.parse_rule("", "B11", 40) == (Scoring(), "higher")
    assert editing.parse_rule("awarded", "B11", 40) == (Scoring(), "higher")
    rows = pd.DataFrame([
        {"accept": True, "id": "B11", "rule": "{rule: bands, steps: [[0.9, 50]]}"},     # 50 of an item worth 40
        {"accept": True, "id": "B12", "rule": "{rule: deduct, target: 30"},              # not YAML
        {"accept": False, "id": "B11", "rule": "nonsense"},                               # not accepted: not read
    ])
    rules, problems = editing.check_rules(scheme, rows)
    assert rules == {}
    assert [p.field for p in problems] == ["B11 · scoring.steps[0]", "B12 · scoring"]
    assert problems[0].problem_in("zh") == "给出50分，超出0至本项分值40分的范围"
    assert problems[1].problem_in("en").startswith("not valid YAML")


# ---------------------------------------------------------------- what a table's notes gave (pure)

class _Clause:
    def __init__(self, text, indicator=None, op=None, value=None):
        self.text, self.indicator, self.op, self.value = text, indicator, op, value


class _Found:
    def __init__(self, vetoes, unread):
        self.vetoes, self.unread, self.grades = vetoes, unread, ()


def test_what_the_notes_gave_is_listed_and_a_veto_can_be_dropped():
    from indicators.scheme.model import Veto
    notes = ("注：1. 评估等次：优秀≥90分；良好80-89分；合格60-79分；60分以下为不合格。",
             "2. 发生重大安全责任事故的，实行一票否决。", "3. B12需求解决率低于50%的，实行一票否决。", "4. 各项得分不超过该项分值。")
    scheme = tiny_points(notes=list(notes), title="××区2024年度社工站评估\n（满分100分）",
                         vetoes=[{"indicator": "B12", "op": "<", "value": 0.5, "name_zh": "B12需求解决率低于50%"}])

    def recognise(given, names):
        assert list(given) == list(notes) and names == {"B11": "台账规范", "B12": "需求解决率"}
        return _Found([_Clause("发生重大安全责任事故"), _Clause("B12需求解决率低于50%", "B12", "<", 0.5)], [notes[3]])
    seen = editing.recognised(scheme, recognise)
    assert seen["title"].splitlines() == ["××区2024年度社工站评估", "（满分100分）"]
    assert (seen["points"], seen["levels"], seen["items"], seen["modules"]) == (100, 1, 2, 1)
    assert seen["grades"] == BANDS and seen["grade_scale"] == "points"
    assert seen["vetoes"] == [
        {"text": "发生重大安全责任事故", "indicator": "", "veto": None, "condition": "", "applied": False},
        {"text": "B12需求解决率低于50%", "indicator": "B12", "veto": 0, "condition": "B12 < 0.5", "applied": True}]
    assert seen["unread"] == [notes[3]]
    assert editing.keep_vetoes(scheme, []).vetoes == () and editing.keep_vetoes(scheme, [0]).vetoes == (
        Veto("B12", "<", 0.5, "B12需求解决率低于50%"),)


# ---------------------------------------------------------------- the app

@contextmanager
def edits(monkeypatch, key_prefix: str, change):
    """A person's edits in a data editor (AppTest cannot type into one): the editor whose key starts with
    `key_prefix` returns `change(its input)`."""
    real = st.data_editor

    def editor(data, *args, key=None, **kwargs):
        shown = real(data, *args, key=key, **kwargs)
        return change(pd.DataFrame(data).copy()) if key and key.startswith(key_prefix) else shown
    monkeypatch.setattr(st, "data_editor", editor)
    yield


def test_grade_bands_of_a_builtin_are_edited_into_a_working_copy(db, monkeypatch):
    def lower_a(df):   # the Excellent band from 85 to 80
        df.loc[df["grade"] == "A", "min"] = 80.0
        return df
    with edits(monkeypatch, "gr_grades:", lower_a):
        at = open_app("en", "schemes")
        assert_clean(at)
        editor = next(d for d in at.dataframe if (d.key or "").startswith("gr_grades:needs-met:score"))
        assert list(editor.value["min"]) == [85.0, 70.0, 55.0, 0.0]
        at.number_input(key="gr_min_obs:needs-met").set_value(60).run()
        at.button(key="gr_go").click().run()
        assert_clean(at)
    copy = working(at)["needs-met-copy"]
    assert [(g.grade, g.min) for g in copy.grades] == [("A", 80.0), ("B", 70.0), ("C", 55.0), ("D", 0.0)]
    assert copy.min_observed == 0.6 and copy.grade_scale == "score"
    assert any("needs-met-copy" in s.value for s in at.success)


def test_a_bad_band_is_named_by_row_and_column_and_nothing_is_kept(db, monkeypatch):
    def repeat(df):
        df.loc[1, "grade"] = "A"
        return df
    with edits(monkeypatch, "gr_grades:", repeat):
        at = open_app("zh", "schemes")
        at.button(key="gr_go").click().run()
    assert not at.exception and len(at.error) == 1
    assert "评估等次第2行“等次（原文）”" in at.error[0].value and "'A'已是第1行的等次" in at.error[0].value
    assert working(at) == {}


@pytest.fixture
def points_db(tmp_path, monkeypatch):
    """Four stations, the tiny points scheme saved, and its score sheet for 2024 (B11 also for 2023):
    S01 38 + 0.92 -> 38 + 60 = 98 (优秀); S02 30 + 0.85 -> 30 + 45 = 75 (合格); S03 40 + 0.95 -> 100 but vetoed
    (不合格, after the ranked); S04 no values (数据不足, last)."""
    path = tmp_path / "points.duckdb"
    y24, y23 = (date(2024, 1, 1), date(2024, 12, 31)), (date(2023, 1, 1), date(2023, 12, 31))
    values = [("S01", "B11", *y24, 38.0, ""), ("S01", "B12", *y24, 0.92, ""), ("S02", "B11", *y24, 30.0, ""),
              ("S02", "B12", *y24, 0.85, ""), ("S03", "B11", *y24, 40.0, ""), ("S03", "B12", *y24, 0.95, ""),
              ("S03", VETO_SERIES, *y24, 1.0, "发生安全责任事故"), ("S01", "B11", *y23, 20.0, "")]
    con = make_db(path, {
        "stations": [station(s) for s in ("S01", "S02", "S03", "S04")],
        "indicator_values": [dict(zip(("station_id", "indicator_id", "period_start", "period_end", "value", "note"), v))
                             for v in values]})
    scheme = tiny_points()
    scheme = editing.apply_rules(scheme, {"B12": (Scoring("bands", ((0.9, 60.0), (0.8, 45.0))), "higher")})
    catalog.save(con, scheme, "test")
    con.close()
    monkeypatch.setenv("INDICATORS_DB", str(path))
    yield path
    st.cache_data.clear()
    st.cache_resource.clear()


def scores_page(lang: str):
    at = open_app(lang)
    at.sidebar.selectbox(key="scheme_id").set_value("tiny-points").run()
    at.switch_page("app_pages/scores.py").run()
    return at


def test_a_database_of_values_only_defaults_to_their_latest_period(points_db):
    at = open_app("en")
    assert (at.session_state["period_start"], at.session_state["period_end"]) == (date(2024, 1, 1),
                                                                                  date(2024, 12, 31))
    assert any(c.value == "Records cover 2023-01-01 to 2024-12-31." for c in at.sidebar.caption)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_vetoed_and_ungraded_stations_follow_the_ranked_with_their_reason(points_db, lang):
    at = scores_page(lang)
    assert_clean(at)
    table = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert list(table.index) == ["S01", "S02", "S03", "S04"]
    assert list(table["rank"]) == [1, 2, 3, 4]
    assert list(table["points"]) == [98.0, 75.0, 100.0, 0.0]
    assert list(table["available"]) == [100.0] * 4
    words = {"en": ["", "", "vetoed", "too little data"], "zh": ["", "", "一票否决", "数据不足"]}
    assert list(table["status"]) == words[lang]
    assert list(table["veto"]) == ["", "", "发生安全责任事故", ""]
    # the table's own labels, as written (an English reader gets the English label beside them)
    assert list(table["grade"])[:3] == {"zh": ["优秀", "合格", "不合格"],
                                        "en": ["优秀 · Excellent", "合格 · Pass", "不合格 · Fail"]}[lang]
    assert not any(d.value.empty for d in at.dataframe)
    assert not at.warning or all("period" not in w.value for w in at.warning)
    # the median of 98, 75, 100 and 0 points, written as every figure of points is (views.fmt_points)
    median = {"en": "Median points", "zh": "得分中位数"}[lang]
    assert next(m.value for m in at.metric if m.label == median) == "86.5"


def test_the_station_card_gives_points_of_available_and_says_why_a_station_is_apart(points_db):
    at = scores_page("zh")
    at.selectbox(key="card_station").set_value("S03").run()
    assert_clean(at)
    assert any("得分**100** / 100分" in m.value and "等次**不合格**" in m.value for m in at.markdown)
    assert any("发生安全责任事故" in w.value for w in at.warning)


def test_a_period_without_values_says_so_and_offers_the_periods_that_have_them(points_db):
    at = scores_page("en")
    at.sidebar.date_input(key="period_start").set_value(date(2022, 1, 1)).run()
    at.sidebar.date_input(key="period_end").set_value(date(2022, 12, 31)).run()
    assert_clean(at)
    notice = [w.value for w in at.warning if "holds no value" in w.value]
    assert notice == ["The period 2022-01-01 – 2022-12-31 holds no value for any of this scheme's 2 items read from "
                      "indicator values (score sheets): every station would score 0 or be left ungraded. These "
                      "periods hold values; choose one:"]
    offered = [b for b in at.button if (b.key or "").startswith("period_to:")]
    assert [b.label for b in offered] == ["2024-01-01 to 2024-12-31 (2 of 2 items)",
                                          "2023-01-01 to 2023-12-31 (1 of 2 items)"]
    offered[1].click().run()
    assert_clean(at)
    assert (at.session_state["period_start"], at.session_state["period_end"]) == (date(2023, 1, 1),
                                                                                  date(2023, 12, 31))
    assert not [w for w in at.warning if "holds no value" in w.value]
    table = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert table.at["S01", "points"] == 20.0   # 2023: B11 only (20), B12 missing: 0 points, 缺项


def test_a_weights_scheme_shows_its_ranking_as_before(db):
    at = open_app("en", "scores")
    assert_clean(at)
    table = next(d.value for d in at.dataframe if "rank" in d.value.columns and "score" in d.value.columns)
    assert "status" not in table.columns and "veto" not in table.columns and "points" not in table.columns
    assert at.segmented_control(key="grade_basis").value == "bands"


# ---------------------------------------------------------------- the import, confirmed on the Schemes page

TABLE = ("代码,名称,层级,上级,分值,评分标准\n"
         "B1,基础建设,2,,,\n"
         "B11,台账规范,1,B1,40,台账齐全规范得40分，视情况扣分\n"
         "B12,需求解决率,1,B1,60,解决率90%及以上得60分；80%（含）-90%得45分；低于80%不得分\n").encode()


def upload_table(at, name: str = "小表.csv", data: bytes = TABLE):
    at.file_uploader(key="upload_framework").set_value((name, data, "text/csv")).run()
    return at


def table_bands(df):   # the table's own bands instead of the defaults: what an evaluator types in
    return pd.DataFrame([{"grade": g.grade, "label_zh": g.label_zh, "label_en": g.label_en, "min": g.min}
                         for g in BANDS])


def test_an_imported_table_shows_what_it_gave_and_opens_with_the_bands_as_confirmed(db, monkeypatch):
    with edits(monkeypatch, "fw_grades:", table_bands):
        at = upload_table(open_app("en", "schemes"))
        assert_clean(at)
        assert any(c.value == "100 points in all, 1 levels, 2 items in 1 modules" for c in at.caption)
        assert at.radio(key="fw_scale:小表.csv").value == "score"
        shown = next(d for d in at.dataframe if (d.key or "") == "fw_grades:小表.csv:score")
        assert list(shown.value["min"]) == [85.0, 70.0, 55.0, 0.0]   # the defaults: the table states none
        at.radio(key="fw_scale:小表.csv").set_value("points").run()
        at.button(key="fw_go").click().run()
        assert_clean(at)
    scheme = working(at)["framework"]
    assert scheme.grades == BANDS and scheme.grade_scale == "points"
    assert scheme.indicator("B12").scoring is None   # no rules proposed: every item stays awarded


def test_rules_proposed_from_the_criteria_are_accepted_and_a_bad_one_is_named_by_item(db, monkeypatch):
    at = upload_table(open_app("zh", "schemes"))
    at.button(key="fw_propose:小表.csv").click().run()
    assert_clean(at)
    rules = next(d.value for d in at.dataframe if (d.key or "") == "fw_rules:小表.csv")
    assert list(rules["criteria"])[1] == "解决率90%及以上得60分；80%（含）-90%得45分；低于80%不得分"
    assert list(rules["rule"]) == ["{rule: awarded}", "{rule: bands, steps: [[0.9, 60], [0.8, 45]], else: 0}"]
    assert any(c.value.startswith("2项中有1项从评分标准读出了规则") for c in at.caption)
    at.button(key="fw_go").click().run()
    assert_clean(at)
    scheme = working(at)["framework"]
    assert scheme.indicator("B12").scoring == Scoring("bands", ((0.9, 60.0), (0.8, 45.0)), 0.0)
    assert scheme.indicator("B11").scoring is None


def test_an_edited_rule_that_gives_more_than_the_item_is_refused_by_item(db, monkeypatch):

    def too_much(df):
        df.loc[df["id"] == "B11", ["accept", "rule"]] = [True, "{rule: bands, steps: [[0.9, 50]]}"]
        return df
    with edits(monkeypatch, "fw_rules:", too_much):
        at = upload_table(open_app("zh", "schemes"))
        at.button(key="fw_propose:小表.csv").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["方案有误：B11 · scoring.steps[0]：给出50分，超出0至本项分值40分的范围"]
    assert at.button(key="fw_go").disabled and working(at) == {}


QIANFEN = ROOT / "sample_data" / "qianfen"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("keep", [True, False])
def test_a_city_table_as_handed_out_shows_its_bands_and_veto_to_confirm(db, keep):
    at = open_app("zh", "schemes")
    upload_table(at, "table_city.xlsx", (QIANFEN / "table_city.xlsx").read_bytes())
    assert_clean(at)
    assert any(c.value == "总分1000分，2级，5个一级指标下共27项" for c in at.caption)
    assert any(m.value.startswith("> ××市2024年度城乡社区社会工作服务站星级评估标准") for m in at.markdown)
    assert at.radio(key="fw_scale:table_city.xlsx").value == "points"
    bands = next(d.value for d in at.dataframe if (d.key or "") == "fw_grades:table_city.xlsx:points")
    assert list(zip(bands["grade"], bands["min"])) == [("优秀", 900), ("良好", 800), ("合格", 600), ("不合格", 0)]
    # the clause that names an item is a condition, ticked; the two that name none wait for the sheet's veto column
    veto = at.checkbox(key="fw_veto:table_city.xlsx:2")
    assert veto.label == plain("3.1.1居民满意度测评得分低于40分——条件：3.1.1 < 40") and veto.value   # as written
    assert any("发生重大安全事故或群体性事件——未指向具体指标" in m.value and "存在违规收费行为" in m.value
               for m in at.markdown)
    assert at.expander[-1].label == "2条表注既非等次也非一票否决（随方案保存）"
    if not keep:
        veto.uncheck().run()
    at.button(key="fw_go").click().run()
    assert_clean(at)
    scheme = working(at)["table_city"]
    assert [(g.grade, g.min) for g in scheme.grades] == [("优秀", 900), ("良好", 800), ("合格", 600), ("不合格", 0)]
    assert scheme.grade_scale == "points" and scheme.points_total() == 1000
    assert [(v.indicator, v.op, v.value) for v in scheme.vetoes] == ([("3.1.1", "<", 40.0)] if keep else [])
