"""The rotation measures (new_share, returning_share, unreached_share) against values computed by hand on a tiny
database, their edge cases, their YAML checks, and properties on random attendance against a plain-Python count."""
from __future__ import annotations

import math
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from indicators.records import store as records
from indicators.scheme.model import Measure, SchemeError, scheme_from_dict
from indicators.outputs import reach
from indicators.scoring import measures
from indicators.scoring.measures import Period, load_stations, plan, raw_values, residents_joined
from tests.conftest import station

D = date.fromisoformat
PERIOD = Period(D("2024-04-01"), D("2024-06-30"))
MEASURES = {
    "new": Measure("new_share"),
    "new_year": Measure("new_share", days=365),
    "returning": Measure("returning_share"),
    "unreached": Measure("unreached_share", base="priority_group <> 'none'"),
    "unreached_all": Measure("unreached_share"),
}


def act(aid, sid, held):
    return {"activity_id": aid, "station_id": sid, "held_on": D(held), "kind": "group", "title": aid,
            "need_id": None, "photos": 0, "media_items": 0, "headcount": 1, "cost": 1.0, "staff_hours": 1.0}


def res(rid, sid, group="none"):
    return {"resident_id": rid, "station_id": sid, "age_band": "60-79", "priority_group": group}


ROWS = {
    # S1: history before the period; S2: attendance only inside it; S3: no attendance at all;
    # S4: attendance before the period only.
    "stations": [station("S1"), station("S2"), station("S3"), station("S4")],
    "residents": [res("R1", "S1", "elderly_alone"), res("R2", "S1"), res("R3", "S1", "disabled"), res("R4", "S1"),
                  res("R5", "S1", "low_income"), res("R6", "S1", "left_behind_child"), res("R7", "S1"),
                  res("R8", "S1", "elderly_alone"),
                  res("R21", "S2", "disabled"), res("R22", "S2"), res("R23", "S2", "low_income"),
                  res("R31", "S3"),
                  res("R41", "S4", "elderly_alone")],
    "activities": [act("A0", "S1", "2023-03-01"), act("A6", "S1", "2023-05-11"), act("A1", "S1", "2024-01-10"),
                   act("A2", "S1", "2024-04-05"), act("A7", "S1", "2024-04-20"), act("A3", "S1", "2024-05-10"),
                   act("A4", "S1", "2024-06-15"), act("A5", "S1", "2024-07-01"),
                   act("B1", "S2", "2024-04-02"), act("B2", "S2", "2024-05-03"),
                   act("C0", "S4", "2024-02-01")],
    "attendance": [{"activity_id": a, "resident_id": r} for a, r in (
        ("A1", "R1"), ("A2", "R1"), ("A7", "R1"), ("A3", "R1"),   # came in January: not new; April twice: once
        ("A0", "R2"), ("A3", "R2"),                               # last seen 436 days before: new in a year
        ("A2", "R3"), ("A4", "R3"),                               # new; April and June, not May: not returning
        ("A4", "R4"),                                             # new
        ("A5", "R5"),                                             # only after the period: not reached
        ("A0", "R6"),                                             # only before the period: not reached
        ("A6", "R7"), ("A3", "R7"),                               # last seen exactly 365 days before: not new
        ("B1", "R21"), ("B2", "R21"), ("B2", "R22"),
        ("C0", "R41"))],
}


@pytest.fixture
def raw(tiny):
    con = tiny(ROWS)
    return raw_values(con, {k: plan(m) for k, m in MEASURES.items()}, load_stations(con), PERIOD)


def test_new_attendees_by_hand(raw):
    # S1's attendees in the period: R1, R2, R3, R4, R7. Never seen before it: R3, R4.
    assert raw.at["S1", "new"] == pytest.approx(2 / 5)
    # Not seen in the 365 days before their first visit of the period: R3, R4 and R2 (436 days); R7's gap is
    # exactly 365 days (2023-05-11 to 2024-05-10, a leap year between), so R7 was seen within the year.
    assert raw.at["S1", "new_year"] == pytest.approx(3 / 5)


def test_newness_needs_history_and_attendees(raw):
    # S2 has no attendance before the period: whether anyone is new cannot be told (missing, not 1)
    assert math.isnan(raw.at["S2", "new"]) and math.isnan(raw.at["S2", "new_year"])
    # S3 and S4 have no attendee in the period: missing, not 0
    for sid in ("S3", "S4"):
        assert math.isnan(raw.at[sid, "new"]) and math.isnan(raw.at[sid, "returning"]), sid


def test_returning_month_on_month_by_hand(raw):
    # S1's resident-months after April (its first month): R1 May, R2 May, R7 May, R3 June, R4 June; only R1 came
    # the month before (April, twice: counted once).
    assert raw.at["S1", "returning"] == pytest.approx(1 / 5)
    # S2: May holds R21 (came in April) and R22
    assert raw.at["S2", "returning"] == pytest.approx(1 / 2)


def test_unreached_priority_groups_by_hand(raw):
    # S1's priority-group residents: R1, R3, R5, R6, R8; not at any activity of the period: R5, R6, R8
    assert raw.at["S1", "unreached"] == pytest.approx(3 / 5)
    assert raw.at["S1", "unreached_all"] == pytest.approx(3 / 8)
    assert raw.at["S2", "unreached"] == pytest.approx(1 / 2)
    assert math.isnan(raw.at["S3", "unreached"])          # no priority-group resident registered: missing
    assert raw.at["S3", "unreached_all"] == 1.0
    assert raw.at["S4", "unreached"] == 1.0               # reached in February, not in the period


def test_one_month_period_has_no_month_to_return_from(tiny):
    con = tiny(ROWS)
    got = raw_values(con, {"r": plan(MEASURES["returning"])}, load_stations(con),
                     Period(D("2024-05-01"), D("2024-05-31")))
    assert got["r"].isna().all()


def test_counts_behind_each_share(tiny):
    con = tiny(ROWS)
    figs = reach.station_figures(con, load_stations(con), PERIOD, {"y": MEASURES["new_year"],
                                                                   "u": MEASURES["unreached"]})
    assert figs.loc["S1", ("y", "count")] == 3 and figs.loc["S1", ("y", "of")] == 5
    assert figs.loc["S1", ("y", "share")] == pytest.approx(3 / 5)
    assert figs.loc["S1", ("u", "count")] == 3 and figs.loc["S1", ("u", "of")] == 5
    assert figs.loc["S3", ("y", "of")] == 0   # no attendee: the share is missing, the counts are 0


def _scheme(measure: dict) -> dict:
    return {"id": "t", "name_zh": "t", "name_en": "t", "dimensions": [{
        "id": "d", "name_zh": "d", "name_en": "d", "indicators": [{
            "id": "x", "name_zh": "x", "name_en": "x", "camp": "needs", "measure": measure}]}]}


@pytest.mark.parametrize("measure,field,words", [
    ({"kind": "new_share", "days": 0}, "measure.days", "whole number of days"),
    ({"kind": "new_share", "days": 2.5}, "measure.days", "whole number of days"),
    ({"kind": "new_share", "table": "needs"}, "measure.table", "unknown field"),
    ({"kind": "returning_share", "days": 30}, "measure.days", "unknown field"),
    ({"kind": "unreached_share", "filter": "x"}, "measure.filter", "unknown field"),
])
def test_yaml_refuses_fields_a_rotation_measure_does_not_read(measure, field, words):
    with pytest.raises(SchemeError) as err:
        scheme_from_dict(_scheme(measure))
    assert err.value.field.endswith(field) and words in err.value.problem


def test_a_base_naming_an_unknown_column_is_refused_before_any_sql():
    with pytest.raises(SchemeError) as err:
        plan(Measure("unreached_share", base="held_on > date('2024-01-01')"), "x.measure")
    assert err.value.field == "x.measure.base" and "held_on" in str(err.value)
    with pytest.raises(SchemeError):
        plan(Measure("unreached_share", base="priority_group = 'pensioner'"), "x.measure")   # not in the list


def test_yaml_round_trip_keeps_days():
    s = scheme_from_dict(_scheme({"kind": "new_share", "days": 365}))
    assert s.indicators[0].measure == Measure("new_share", days=365)


# ---------------------------------------------------------------- properties on random attendance

START, END = D("2024-04-01"), D("2024-09-30")
DAYS = [D("2023-03-01") + timedelta(days=n) for n in range(0, 640, 16)]   # before, inside and after the period


def _db(visits: list[tuple[int, int]], groups: list[bool]):
    """One station; visit (day index, resident); resident n in a priority group when groups[n]."""
    con = duckdb.connect()
    records.create_schema(con)
    con.execute("INSERT INTO stations VALUES ('S1', 'x', 'x', 'd', 's', 1000, 'mixed')")
    con.executemany("INSERT INTO residents VALUES (?, 'S1', '60-79', ?)",
                    [(f"R{n}", "disabled" if g else "none") for n, g in enumerate(groups)])
    con.executemany("INSERT INTO activities (activity_id, station_id, held_on, kind, title, photos, media_items, "
                    "headcount, cost, staff_hours) VALUES (?, 'S1', ?, 'group', 't', 0, 0, 1, 1, 1)",
                    [(f"A{d}", DAYS[d]) for d in range(len(DAYS))])
    if visits:
        con.executemany("INSERT INTO attendance VALUES (?, ?)", [(f"A{d}", f"R{r}") for d, r in sorted(set(visits))])
    return con


def _reference(visits, groups) -> dict[str, float]:
    """The four shares counted in plain Python, as the docs define them."""
    seen = sorted(set(visits))
    inside = [(DAYS[d], r) for d, r in seen if START <= DAYS[d] <= END]
    before = [(DAYS[d], r) for d, r in seen if DAYS[d] < START]
    people = {r for _, r in inside}
    first = {r: min(day for day, x in inside if x == r) for r in people}
    last = {r: max((day for day, x in before if x == r), default=None) for r in people}
    nan = math.nan
    new = sum(last[r] is None for r in people) / len(people) if people and before else nan
    year = (sum(last[r] is None or (first[r] - last[r]).days > 365 for r in people) / len(people)
            if people and before else nan)
    months = {(day.year * 12 + day.month, r) for day, r in inside}
    first_m = min((m for m, _ in months), default=None)
    later = [(m, r) for m, r in months if m > first_m]
    back = sum((m - 1, r) in months for m, r in later)
    listed = [n for n, g in enumerate(groups) if g]
    return {"new": new, "new_year": year, "returning": back / len(later) if later else nan,
            "unreached": sum(n not in people for n in listed) / len(listed) if listed else nan}


visits_st = st.lists(st.tuples(st.integers(0, len(DAYS) - 1), st.integers(0, 7)), max_size=40)
groups_st = st.lists(st.booleans(), min_size=8, max_size=8)


def _raw(visits, groups) -> dict[str, float]:
    con = _db(visits, groups)
    try:
        got = raw_values(con, {k: plan(MEASURES[k]) for k in ("new", "new_year", "returning", "unreached")},
                         load_stations(con), Period(START, END))
    finally:
        con.close()
    return got.loc["S1"].to_dict()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(visits_st, groups_st)
def test_shares_match_a_plain_count_and_stay_between_0_and_1(visits, groups):
    got, want = _raw(visits, groups), _reference(visits, groups)
    for key, value in want.items():
        if math.isnan(value):
            assert math.isnan(got[key]), key
        else:
            assert got[key] == pytest.approx(value, abs=1e-12) and 0 <= got[key] <= 1, key


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(visits_st, groups_st, st.integers(0, len(DAYS) - 1))
def test_a_never_seen_attendee_never_lowers_the_new_share(visits, groups, day):
    inside = [d for d in range(len(DAYS)) if START <= DAYS[d] <= END]
    day = inside[day % len(inside)]
    before = _raw(visits, groups)
    after = _raw(visits + [(day, 8)], groups + [False])   # resident 8 has no visit in `visits`
    for key in ("new", "new_year"):
        if not math.isnan(before[key]):
            assert after[key] >= before[key] - 1e-12, key


def test_two_bases_counted_in_one_pass_by_hand(tiny):
    # only the residents of the two bases are joined in (their OR); each share still counts its own base
    con = tiny(ROWS)
    got = raw_values(con, {"alone": plan(Measure("unreached_share", base="priority_group = 'elderly_alone'")),
                           "disabled": plan(Measure("unreached_share", base="priority_group = 'disabled'"))},
                     load_stations(con), PERIOD)
    assert got.at["S1", "alone"] == pytest.approx(1 / 2)    # R1 came, R8 did not
    assert got.at["S1", "disabled"] == 0.0                  # R3 came
    assert got.at["S2", "disabled"] == 0.0 and math.isnan(got.at["S2", "alone"])
    assert got.at["S4", "alone"] == 1.0 and math.isnan(got.at["S3", "disabled"])


def test_the_pass_joins_only_the_residents_a_base_counts():
    terms = lambda *ms: [t for m in ms for t in plan(m).terms]   # noqa: E731
    joined, params = residents_joined(terms(MEASURES["unreached"], MEASURES["new"]))
    assert joined == '(SELECT * FROM residents WHERE (("priority_group" <> ?)))' and params == ["none"]
    # a share over every registered resident needs them all
    assert residents_joined(terms(MEASURES["unreached"], MEASURES["unreached_all"])) == ("residents", [])
    assert residents_joined(terms(MEASURES["new"])) == ("residents", [])


def test_joining_only_the_counted_residents_changes_no_value(tiny, monkeypatch):
    con = tiny(ROWS)
    plans = {k: plan(m) for k, m in MEASURES.items() if k != "unreached_all"}
    some = raw_values(con, plans, load_stations(con), PERIOD)
    monkeypatch.setattr(measures, "residents_joined", lambda terms: ("residents", []))
    every = raw_values(con, plans, load_stations(con), PERIOD)
    pd.testing.assert_frame_equal(some, every, check_exact=True)


def test_a_station_whose_counted_residents_never_came_has_reached_nobody(tiny):
    # S4's one resident (elderly_alone) came only before the period: the attendee terms have no row for S4 and the
    # counted residents have one; its reach is 0 (not missing) and its one resident unreached
    con = tiny(ROWS)
    got = raw_values(con, {"reached": plan(Measure("distinct", table="attendance", column="resident_id")),
                           "visits": plan(Measure("top_share", top=0.5)),
                           "alone": plan(Measure("unreached_share", base="priority_group = 'elderly_alone'"))},
                     load_stations(con), PERIOD)
    assert got.at["S4", "reached"] == 0.0 and got.at["S4", "alone"] == 1.0 and math.isnan(got.at["S4", "visits"])
    assert got.at["S2", "reached"] == 2.0 and math.isnan(got.at["S2", "alone"])   # no elderly_alone resident
    assert got.at["S3", "reached"] == 0.0 and math.isnan(got.at["S3", "alone"])
    assert got.at["S1", "reached"] == 5.0 and got.at["S1", "alone"] == pytest.approx(1 / 2)
