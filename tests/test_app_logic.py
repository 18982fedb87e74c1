"""The app's logic without a UI: scheme edits, scale levels from an edited table, flat weights, pairwise
judgments, uploaded YAML, the read-only queries and the sentences the screens show."""
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from indicators.scheme import catalog

from indicators.scheme import editing

from indicators.weights import judgments

from indicators.records import queries

from indicators.records import store as records

from indicators.scoring import engine as scoring

from indicators.outputs import views
from indicators.weights import ahp
from indicators.scoring.measures import Period
from indicators.scheme.model import Indicator, Level, Measure, SchemeError, dump_yaml


@pytest.fixture(scope="module")
def needs_met():
    return catalog.builtin("needs-met")


@pytest.fixture(scope="module")
def result(demo_db, needs_met):
    con = records.connect(demo_db, read_only=True)
    try:
        return scoring.score(con, needs_met)
    finally:
        con.close()


# ---------------------------------------------------------------- working copies

def test_working_copy_of_a_builtin_gets_a_new_id(needs_met):
    copy = editing.working_copy(needs_met, {"needs-met-copy"})
    assert copy.id == "needs-met-copy-2" and copy.name_en == "Needs met (copy)" and copy.name_zh.endswith("（副本）")
    saved = replace(needs_met, id="mine")
    assert editing.working_copy(saved, {"mine"}) is saved      # a saved scheme is edited under its own id


def test_clone_checks_the_id(needs_met):
    with pytest.raises(SchemeError) as e:
        editing.clone(needs_met, "photo-count", "甲", "A")
    assert e.value.field == "id"
    with pytest.raises(SchemeError) as e:
        editing.clone(needs_met, "Bad Id", "甲", "A")
    assert e.value.field == "id"
    with pytest.raises(SchemeError) as e:
        editing.clone(needs_met, "ok-id", "", "A")
    assert e.value.field == "name_zh"
    assert editing.clone(needs_met, "ok-id", "甲", "A").id == "ok-id"


def _indicator(**kw):
    base = dict(id="case_work", name_zh="个案", name_en="Casework", camp="needs",
                measure=Measure(kind="count", table="activities", filter="kind = 'case'"))
    return Indicator(**{**base, **kw})


def test_upsert_adds_replaces_and_refuses_bad_filters(needs_met):
    added = editing.upsert_indicator(needs_met, _indicator(), "reach")
    assert [i.id for i in editing.dimension_of(added, "case_work").indicators][-1] == "case_work"
    assert editing.dimension_of(added, "case_work").id == "reach"
    changed = editing.upsert_indicator(added, _indicator(id="case_work", weight=5.0), "reach", old_id="case_work")
    assert changed.indicator("case_work").weight == 5.0 and len(changed.indicators) == len(added.indicators)
    moved = editing.upsert_indicator(added, _indicator(), "service_focus", old_id="case_work")
    assert editing.dimension_of(moved, "case_work").id == "service_focus"
    with pytest.raises(SchemeError) as e:
        editing.upsert_indicator(needs_met, _indicator(measure=Measure(kind="count", table="activities",
                                                                       filter="no_such > 1")), "reach")
    assert e.value.field.endswith("measure.filter") and "no_such" in e.value.problem
    with pytest.raises(SchemeError) as e:
        editing.upsert_indicator(needs_met, _indicator(id="photos_taken_x", measure=Measure(kind="count", table="activities")),
                                 "new_dim")
    assert e.value.field == "dimension"
    new_dim = editing.upsert_indicator(needs_met, _indicator(), "new_dim", new_dimension=("新维度", "New"))
    assert new_dim.dimensions[-1].id == "new_dim"
    with pytest.raises(SchemeError):
        editing.upsert_indicator(needs_met, _indicator(id="satisfaction"), "reach")   # id already used


def test_remove_indicator_respects_gates(needs_met):
    with pytest.raises(SchemeError) as e:
        editing.remove_indicator(needs_met, "image_project_spending")
    assert e.value.field == "gates[0].indicator"
    fewer = editing.remove_indicator(needs_met, "professional_quality")
    assert "professional_quality" not in [d.id for d in fewer.dimensions]    # the emptied dimension goes too


def test_measure_form_round_trip():
    m = editing.build_measure("distinct", "attendance", "resident_id", per_1000=True)
    assert m.kind == "per_1000" and m.of.kind == "distinct"
    f = editing.measure_fields(m)
    assert f["per_1000"] and f["kind"] == "distinct" and f["column"] == "resident_id"
    assert editing.build_measure("top_share", "activities", top=0.1) == Measure(kind="top_share", top=0.1)
    assert editing.build_measure("count", "needs", filter="  ").filter is None


# ---------------------------------------------------------------- scale levels from the data editor

def test_levels_round_trip_and_blank_rows():
    levels = (Level("优", 100, "优", "Excellent", "完整", "Complete"), Level("差", 40, "差", "Poor"))
    df = editing.levels_frame(levels)
    df.loc[len(df)] = [None, np.nan, None, None, None, None]        # a row added and left empty
    assert editing.levels_from_frame(df) == levels


@pytest.mark.parametrize("rows, field", [
    ([{"value": "a", "score": 1}, {"value": "a", "score": 2}], "levels[1].value"),
    ([{"value": "a", "score": 1}, {"value": "", "score": 2}], "levels[1].value"),
    ([{"value": "a", "score": 1}, {"value": "b", "score": None}], "levels[1].score"),
    ([{"value": "a", "score": "lots"}, {"value": "b", "score": 2}], "levels[0].score"),
    ([{"value": "a", "score": 1}], "levels"),
])
def test_levels_errors_name_the_row(rows, field):
    with pytest.raises(SchemeError) as e:
        editing.levels_from_frame(pd.DataFrame(rows))
    assert e.value.field == field


def test_numeric_level_values_read_as_text():
    lv = editing.levels_from_frame(pd.DataFrame({"value": [1.0, 2.0], "score": [0, 100]}))
    assert [x.value for x in lv] == ["1", "2"]


# ---------------------------------------------------------------- weights given flat

def test_flat_weights_round_trip_through_the_hierarchy(needs_met, result):
    rng = np.random.default_rng(3)
    flat = dict(zip([i.id for i in needs_met.indicators], rng.random(len(needs_met.indicators))))
    dims, inds = editing.flat_to_hierarchy(needs_met, flat)
    again = result.reweighted(dims, inds)
    total = sum(flat.values())
    for iid, w in flat.items():
        assert again.weights.at[iid, "effective"] == pytest.approx(w / total)


def test_flat_weights_with_an_empty_dimension_and_all_zero(needs_met):
    flat = {i.id: (1.0 if i.id == "satisfaction" else 0.0) for i in needs_met.indicators}
    dims, inds = editing.flat_to_hierarchy(needs_met, flat)
    assert dims["residents_voice"] == 100 and dims["reach"] == 0 and inds["residents_reached"] == 1.0
    needs_met.with_weights(dims, inds)      # still a valid scheme
    with pytest.raises(SchemeError):
        editing.flat_to_hierarchy(needs_met, {i.id: 0.0 for i in needs_met.indicators})


def test_camp_shares():
    pc = catalog.builtin("photo-count")
    assert editing.camp_shares(pc, {i.id: 1.0 for i in pc.indicators}) == {"output": 1.0, "needs": 0.0}


def test_strip_weights_is_the_scoring_cache_key(needs_met):
    heavier = needs_met.with_weights({"reach": 90})
    assert dump_yaml(editing.strip_weights(heavier)) == dump_yaml(editing.strip_weights(needs_met))
    assert dump_yaml(editing.strip_weights(replace(needs_met, aggregation="geometric"))) != \
        dump_yaml(editing.strip_weights(needs_met))


# ---------------------------------------------------------------- pairwise judgments

def test_judgment_scale_runs_from_a_to_b():
    assert judgments.SCALE[0] == 9 and judgments.SCALE[-1] == -9 and 1 in judgments.SCALE
    assert judgments.ratio(5) == 5 and judgments.ratio(1) == 1 and judgments.ratio(-3) == pytest.approx(1 / 3)
    with pytest.raises(ValueError):
        judgments.ratio(10)
    assert judgments.strength(-7) == ("B", 7) and judgments.strength(1) == ("equal", 1)


def test_matrix_is_reciprocal_and_defaults_reproduce_weights():
    a = judgments.matrix(3, {(0, 1): 3, (0, 2): -5, (1, 2): 1})
    assert np.allclose(a * a.T, 1.0) and a[0, 2] == pytest.approx(0.2)
    start = [35, 20, 25, 10, 10]
    defaults = judgments.defaults_from_weights(start)
    res = ahp.ahp(judgments.matrix(5, defaults))
    assert res.consistent
    assert np.allclose(res.weights, np.array(start) / 100, atol=0.04)
    assert judgments.nearest(100) == 9 and judgments.nearest(1 / 100) == -9 and judgments.nearest(0) == 1


# ---------------------------------------------------------------- uploaded YAML

def test_parse_upload_names_the_field():
    text = (catalog.BUILTIN_DIR / "needs-met.yaml").read_text(encoding="utf-8")
    assert editing.parse_upload(("\ufeff" + text).encode("utf-8"), "x.yaml").id == "needs-met"
    bad = text.replace("filter: status = 'resolved'", "filter: status = 'solved'", 1)
    with pytest.raises(SchemeError) as e:
        editing.parse_upload(bad.encode("utf-8"), "x.yaml")
    assert e.value.field == "dimensions[0].indicators[0].measure.filter" and e.value.source == "x.yaml"
    with pytest.raises(SchemeError) as e:
        editing.parse_upload(b"\xff\xfe not utf-8", "y.yaml")
    assert e.value.field == "(file)"
    with pytest.raises(SchemeError) as e:
        editing.parse_upload(b"id: [unclosed", "z.yaml")
    assert "line" in e.value.field


# ---------------------------------------------------------------- read-only queries

def test_station_summary_filters(demo_db):
    con = records.connect(demo_db, read_only=True)
    try:
        everyone = queries.station_summary(con)
        some = queries.station_summary(con, Period(), ["城关区"], ["show_window"])
        spring = queries.station_summary(con, Period(pd.Timestamp("2024-03-01").date(), pd.Timestamp("2024-05-31").date()))
        lo, hi = queries.date_range(con)
        counts = queries.table_counts(con)
        needs = queries.needs_in_period(con)
    finally:
        con.close()
    assert len(everyone) == counts["stations"] == 24
    assert len(some) and set(some["district"]) == {"城关区"} and set(some["profile"]) == {"show_window"}
    assert spring["activities"].sum() < everyone["activities"].sum()
    assert everyone["needs_resolved"].le(everyone["needs_raised"]).all()
    assert str(lo) == "2023-01-01" and str(hi) == "2024-12-31"   # 2023: the history year before the assessment year
    assert len(needs) == counts["needs"]


def test_distinct_values_only_for_known_columns(demo_db):
    con = records.connect(demo_db, read_only=True)
    try:
        assert queries.distinct_values(con, "stations", "profile") == ["mixed", "needs_driven", "show_window"]
        with pytest.raises(KeyError):
            queries.distinct_values(con, "stations", "name; DROP TABLE stations")
    finally:
        con.close()


# ---------------------------------------------------------------- what the screens say

def test_station_card_adds_up_and_sentences(result):
    sid = result.rank.idxmin()
    card = views.station_card(result, sid, "en")
    assert card["contribution"].sum() == pytest.approx(result.total[sid])
    assert card["weight"].sum() == pytest.approx(100)
    strong, weak = views.strengths_weaknesses(result, sid, "en")
    assert len(strong) == 3 and len(weak) == 3 and not set(strong) & set(weak)
    for lang, at_best, short, weaker in (("en", "as good as the best station", "only", "points short of the best"),
                                         ("zh", "与最优社工站持平", "与最优仅差", "比最优少")):
        said_strong, said_weak = views.strengths_weaknesses(result, sid, lang)
        assert (at_best in said_strong[0]) != (short in said_strong[0]) and weaker in said_weak[0]
    ex = result.explain(sid)
    worst = ex[~ex["missing"].astype(bool)]["gap_to_best"].idxmax()   # a filled value is never blamed
    assert result.scheme.indicator(worst).name_en in weak[0]


def test_ranking_table_and_gates_in_both_languages(result):
    en, zh = views.ranking_table(result, "en"), views.ranking_table(result, "zh")
    assert list(en["rank"]) == sorted(en["rank"])
    capped = en[en["capped_by"] != ""]
    assert len(capped) and set(capped["capped_by"]) == {"Publicity and display at most 30% of spending"}
    assert set(zh.loc[capped.index, "capped_by"]) == {"宣传展示类支出不超过30%"}
    assert set(en["district"]) <= {"Chengguan", "Qilihe", "Xigu", "Anning", "Honggu"}
    assert zh["grade"].iloc[0] == "A · 优秀"


def test_measure_summary_and_raw_formatting(needs_met):
    ind = needs_met.indicator("urgent_needs_resolved")
    assert views.measure_summary(ind.measure, "en") == "Share · Needs · among: urgency >= 4 · where: status = 'resolved'"
    assert views.fmt_raw(0.5, ind, "en") == "50%"
    days = needs_met.indicator("days_to_resolve")
    assert views.fmt_raw(13.0, days, "en") == "13.0 days" and views.fmt_raw(13.0, days, "zh") == "13.0天"
    assert views.fmt_raw(math.nan, days, "zh") == "无数据"
    assert views.fmt_raw(0.04713, days, "en") == "0.0471 days" and views.fmt_raw(0.0, days, "en") == "0.0 days"


def test_a_text_fits_a_column_by_its_on_screen_width():
    assert views.text_px("ab") == 2 * 14 * 0.52 and views.text_px("需求") == 28
    assert views.fits(["Urgent needs resolved", "紧急需求解决率"], 250)
    assert not views.fits(["0.0471 = 1,192 ÷ 25,310 (population served)"], 200)
    assert views.fits(["一二三四五六七"], 16 + 98) and not views.fits(["一二三四五六七八"], 16 + 98)
