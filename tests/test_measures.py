"""Every measure kind against values computed by hand on a tiny database."""
import math
from datetime import date

import pytest

from indicators.scoring.measures import Period, load_stations, plan, raw_values
from indicators.scheme.model import Level, Measure, SchemeError
from tests.conftest import station

D = date.fromisoformat


def act(aid, sid, held, kind, photos=0, media=0, head=1, need=None):
    return {"activity_id": aid, "station_id": sid, "held_on": D(held), "kind": kind, "title": aid, "need_id": need,
            "photos": photos, "media_items": media, "headcount": head, "cost": 10.0, "staff_hours": 1.0}


def need(nid, sid, raised, urgency, households, status, resolved=None, category="elderly_care"):
    return {"need_id": nid, "station_id": sid, "category": category, "title": nid, "source": "survey",
            "raised_on": D(raised), "urgency": urgency, "households_affected": households, "status": status,
            "resolved_on": D(resolved) if resolved else None}


ROWS = {
    # S3 has no records at all: counts are 0 there, shares and means are missing.
    "stations": [station("S1", 2000), station("S2", 500), station("S3", 1000)],
    "residents": [{"resident_id": "R1", "station_id": "S1", "age_band": "80+", "priority_group": "elderly_alone"},
                  *({"resident_id": r, "station_id": s, "age_band": "18-39", "priority_group": "none"}
                    for r, s in (("R2", "S1"), ("R3", "S1"), ("R4", "S2")))],
    "activities": [act("A1", "S1", "2024-01-05", "community", 10, 1, 50),
                   act("A2", "S1", "2024-01-20", "case", 0, 0, 1, need="N1"),
                   act("A3", "S1", "2024-03-01", "publicity", 20, 2, 80),
                   act("A4", "S2", "2024-02-10", "group", 4, 0, 10, need="N3")],
    "inspections": [{"inspection_id": "I1", "station_id": "S1", "inspected_on": D("2024-01-07"), "level": "city",
                     "prep_hours": 8.0},
                    {"inspection_id": "I2", "station_id": "S1", "inspected_on": D("2024-03-10"), "level": "district",
                     "prep_hours": 4.0},
                    {"inspection_id": "I3", "station_id": "S2", "inspected_on": D("2024-02-10"), "level": "district",
                     "prep_hours": 5.0}],
    "needs": [need("N1", "S1", "2024-01-01", 5, 10, "resolved", "2024-01-21"),
              need("N2", "S1", "2024-01-10", 4, 30, "open"),
              need("N3", "S2", "2024-02-01", 2, 5, "resolved", "2024-02-11"),
              need("N4", "S2", "2024-02-02", 5, 2, "resolved", "2024-04-02")],
    "attendance": [{"activity_id": a, "resident_id": r} for a, r in
                   (("A1", "R1"), ("A1", "R2"), ("A1", "R3"), ("A2", "R1"), ("A3", "R1"), ("A3", "R2"),
                    ("A4", "R4"))],
    "feedback": [{"feedback_id": f"F{n}", "station_id": s, "resident_id": "R1", "given_on": D("2024-05-01"),
                  "channel": ch, "rating": rating, "need_met": met}
                 for n, (s, ch, rating, met) in enumerate((("S1", "council", 5, "yes"), ("S1", "council", 3, "no"),
                                                           ("S1", "survey", None, None), ("S2", "council", 4, "yes")))],
    "ratings": [{"rating_id": f"G{n}", "station_id": s, "indicator_id": ind, "level": lv, "rater": "x",
                 "rated_on": D("2024-06-01")}
                for n, (s, ind, lv) in enumerate((("S1", "professional_quality", "优"),
                                                  ("S1", "professional_quality", "中"),
                                                  ("S1", "other", "差"), ("S2", "professional_quality", "差")))],
    "expenditures": [{"expense_id": "E1", "station_id": "S1", "spent_on": D("2024-03-01"), "category": "activities",
                      "amount": 100.0, "need_id": "N1"},
                     {"expense_id": "E2", "station_id": "S1", "spent_on": D("2024-03-02"),
                      "category": "image_project", "amount": 300.0, "need_id": None}],
}


@pytest.fixture
def con(tiny):
    return tiny(ROWS)


def values(con, measure, period=Period()):
    stations = load_stations(con)
    return [None if math.isnan(v) else round(v, 9)
            for v in raw_values(con, {"m": plan(measure)}, stations, period)["m"]]


@pytest.mark.parametrize("measure, expected", [
    (Measure("count", table="activities"), [3, 1, 0]),
    (Measure("count", table="activities", filter="kind in ('community', 'publicity')"), [2, 0, 0]),
    (Measure("sum", table="activities", column="photos"), [30, 4, 0]),
    (Measure("mean", table="activities", column="photos"), [10, 4, None]),
    # S1: 10+1, 0+0, 20+2 -> median 11
    (Measure("median", table="activities", column="photos + media_items"), [11, 4, None]),
    (Measure("distinct", table="attendance", column="resident_id"), [3, 1, 0]),
    (Measure("distinct", table="attendance", column="resident_id", filter="priority_group != 'none'"), [1, 0, 0]),
    # S1: A1 is 2 days before I1, A2 50 days before I2, A3 9 days before I2; S2: A4 on the day of I3.
    (Measure("share", table="activities", filter="days_to_next_inspection <= 3"), [round(1 / 3, 9), 1, None]),
    (Measure("share", table="needs", filter="status = 'resolved'", base="urgency >= 4"), [0.5, 1, None]),
    # S1: resolved 5*10 of 5*10 + 4*30; S2: everything resolved.
    (Measure("share", table="needs", filter="status = 'resolved'", weight="urgency * households_affected"),
     [round(50 / 170, 9), 1, None]),
    (Measure("median", table="needs", column="days_to_resolve", filter="status = 'resolved'"), [20, 35, None]),
    (Measure("share", table="expenditures", filter="need_id is not null", weight="amount"), [0.25, None, None]),
    (Measure("ratio", numerator=Measure("sum", table="activities", column="photos"),
             denominator=Measure("count", table="activities")), [10, 4, None]),
    (Measure("per_1000", of=Measure("distinct", table="attendance", column="resident_id")), [1.5, 2, 0]),
    # S1 visits: R1 3, R2 2, R3 1; the top 10% of 3 attendees is ceil(0.3) = 1 person with 3 of 6 visits.
    (Measure("top_share", top=0.1), [0.5, 1, None]),
    (Measure("scale", table="feedback", column="need_met", filter="channel = 'council'",
             levels=(Level("yes", 100), Level("no", 0))), [50, 100, None]),
    (Measure("scale", table="feedback", column="rating",
             levels=tuple(Level(str(n), (n - 1) * 25) for n in range(1, 6))), [75, 75, None]),
    (Measure("scale", table="ratings", column="level", filter="indicator_id = 'professional_quality'",
             levels=(Level("优", 100), Level("良", 80), Level("中", 60), Level("差", 40))), [80, 40, None]),
    (Measure("sum", table="inspections", column="prep_hours"), [12, 5, 0]),
])
def test_measure_kinds_match_hand_computed_values(con, measure, expected):
    assert values(con, measure) == expected


def test_period_filters_dated_tables(con):
    period = Period(D("2024-02-01"), D("2024-12-31"))
    assert values(con, Measure("count", table="activities"), period) == [1, 1, 0]
    # attendance follows its activity's date: only A3 (R1, R2) at S1 and A4 at S2
    assert values(con, Measure("distinct", table="attendance", column="resident_id"), period) == [2, 1, 0]
    assert values(con, Measure("count", table="needs"), period) == [0, 2, 0]


def _spying(con, queries: list):
    """A connection stand-in whose cursors note each query's SQL in `queries`."""
    class Spy:
        def __init__(self):
            self.cur = con.cursor()

        def execute(self, sql, params=None):
            queries.append(sql)
            return self.cur.execute(sql, params)
    return type("C", (), {"cursor": lambda self: Spy()})()


def test_terms_on_one_table_run_in_one_query(con):
    """Several measures over activities share one grouped pass (the engine's floor is one pass per table)."""
    plans = {"a": plan(Measure("count", table="activities")), "b": plan(Measure("sum", table="activities", column="photos")),
             "c": plan(Measure("share", table="needs", filter="status = 'resolved'"))}
    queries = []
    raw_values(_spying(con, queries), plans, load_stations(con))
    assert len(queries) == 2


def test_one_aggregate_is_computed_once_for_every_term_asking_it(con):
    """A share's denominator (all activities) is another indicator's count: one column of the query serves both,
    and an unweighted share counts rows (a sum of 1s would be a 128-bit sum)."""
    plans = {"n": plan(Measure("count", table="activities")),
             "linked": plan(Measure("share", table="activities", filter="need_id IS NOT NULL"))}
    queries = []
    got = raw_values(_spying(con, queries), plans, load_stations(con))
    select = queries[0].split("SELECT station_id, ", 1)[1]
    assert select.count("count(*) AS") == 1 and "sum(1)" not in select
    assert got["n"].tolist() == values(con, Measure("count", table="activities"))
    linked = values(con, Measure("count", table="activities", filter="need_id IS NOT NULL"))
    assert got["linked"].tolist() == pytest.approx([a / b if b else math.nan for a, b in zip(linked, got["n"])],
                                                   nan_ok=True)


@pytest.mark.parametrize("measure, field, words", [
    (Measure("count", table="activites"), "measure.table", "unknown table 'activites'"),
    (Measure("count", table="activities", filter="kinds = 'case'"), "measure.filter", "kinds"),
    (Measure("count", table="activities", filter="kind = 'cases'"), "measure.filter", "cases"),
    (Measure("count", table="activities", filter="photos > 1; DROP TABLE activities"), "measure.filter", ";"),
    (Measure("sum", table="activities", column="title"), "measure.column", "title"),
    (Measure("distinct", table="attendance", column="nobody"), "measure.column", "nobody"),
    (Measure("ratio", numerator=Measure("count", table="activities"),
             denominator=Measure("count", table="needs", filter="urgency >> 3")), "measure.denominator.filter", ">"),
])
def test_bad_measures_name_the_field(measure, field, words):
    with pytest.raises(SchemeError) as err:
        plan(measure)
    assert err.value.field == field
    assert words in str(err.value)


@pytest.mark.parametrize("filter", ["", "   ", None])
def test_a_share_whose_numerator_filter_is_empty_counts_every_base_row(con, filter):
    """A half-filled form: the base is given, the counted rows not yet. An empty filter is no filter."""
    measure = Measure("share", table="needs", filter=filter, base="urgency >= 4")
    assert values(con, measure) == [1, 1, None]
