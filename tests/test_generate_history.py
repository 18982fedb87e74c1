"""The demo's history year (2023, before the assessment year 2024): the reach figures that look back before the
period have values over the default period, and every other 2024 figure is what it was before the history came.

tests/data/demo_raw_2024.json holds every indicator's raw 2024 value per station for both built-in schemes, written
from the demo as it was before the history year (generator of commit 448703d)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indicators.records import store as records
from indicators.records import queries
from indicators.records.reach import monthly_reach
from indicators.records.store import TABLES
from indicators.scheme import catalog
from indicators.scoring.engine import score
from indicators.scoring.measures import Period
from tests.conftest import make_db, station
from tests.test_generate import DEMO_DIR, gen

FIXTURE = Path(__file__).parent / "data" / "demo_raw_2024.json"
YEAR = Period(date(2024, 1, 1), date(2024, 12, 31))


def _lookback(scheme) -> dict[str, int | None]:
    """Indicator id -> look-back days (None: any time before) of the scheme's new_share indicators."""
    return {i.id: i.measure.days for i in scheme.indicators if i.measure.kind == "new_share"}


@pytest.fixture(scope="module")
def needs_met():
    return catalog.builtin("needs-met")


@pytest.fixture(scope="module")
def default_period(demo_db):
    from app_pages import frame   # the app's own rule for the period it opens on
    start, end, _, _ = frame.default_period(str(demo_db))
    return Period(start, end)


# ---------------------------------------------------------------- what the demo shows by default

def test_the_app_opens_on_the_assessment_year(default_period, demo_db):
    assert (default_period.start, default_period.end) == (YEAR.start, YEAR.end)
    con = records.connect(demo_db, read_only=True)
    try:
        lo, hi = queries.date_range(con)
    finally:
        con.close()
    assert lo == date(2023, 1, 1) and hi == date(2024, 12, 31)   # the history is there, one year before


def test_new_attendee_figures_have_values_at_every_station(demo_db, needs_met, default_period):
    looks = _lookback(needs_met)
    assert sorted(looks.values(), key=str) == [365, None]    # "new this period" and "first time in a year"
    con = records.connect(demo_db, read_only=True)
    try:
        r = score(con, needs_met, default_period)
    finally:
        con.close()
    for ind in looks:
        raw = r.raw[ind]
        assert raw.notna().all(), ind
        assert not r.missing[ind].any(), ind                 # nothing filled with the neutral 50
        assert raw.between(0.05, 0.95).all(), (ind, raw.describe())
        assert raw.nunique() >= 20 and raw.max() - raw.min() > 0.1, (ind, raw.describe())
        assert r.normalised[ind].nunique() >= 20
    # the look-back of a year counts as new also those back after more than a year: never fewer
    a, b = (r.raw[i] for i in sorted(looks, key=lambda i: looks[i] is None))
    assert (a >= b).all()


def _pandas_new_shares(folder: Path, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The two shares from the CSVs, in pandas: of the residents who came to a station in [start, end], those
    never seen there before start, and those not seen in the 365 days before their first visit in the period."""
    acts = pd.read_csv(folder / "activities.csv", usecols=["activity_id", "station_id", "held_on"],
                       parse_dates=["held_on"])
    visits = pd.read_csv(folder / "attendance.csv").merge(acts, on="activity_id")
    visits = visits[visits["held_on"] <= end]
    inside = visits[visits["held_on"] >= start].groupby(["station_id", "resident_id"])["held_on"].min()
    before = visits[visits["held_on"] < start].groupby(["station_id", "resident_id"])["held_on"].max()
    both = pd.DataFrame({"first_in": inside}).join(before.rename("last_before"), how="left")
    gap = (both["first_in"] - both["last_before"]).dt.days
    both["new"] = both["last_before"].isna()
    both["new_year"] = both["new"] | (gap > 365)
    return both.groupby(level="station_id")[["new", "new_year"]].mean()


def test_new_attendee_figures_match_a_pandas_count_of_the_csvs(demo_db, needs_met):
    want = _pandas_new_shares(DEMO_DIR, pd.Timestamp(YEAR.start), pd.Timestamp(YEAR.end))
    con = records.connect(demo_db, read_only=True)
    try:
        r = score(con, needs_met, YEAR)
    finally:
        con.close()
    for ind, days in _lookback(needs_met).items():
        col = "new" if days is None else "new_year"
        np.testing.assert_allclose(r.raw[ind].reindex(want.index).to_numpy(float), want[col].to_numpy(float),
                                   rtol=1e-12, err_msg=ind)


def test_every_other_2024_figure_is_as_calibrated(demo_db):
    """The history adds rows before 2024 only: each other indicator's raw 2024 value, at every station, in both
    built-in schemes, is exactly what the demo gave before (photo counts, needs resolved, spending, reach...)."""
    old = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert old["period"] == [str(YEAR.start), str(YEAR.end)]
    con = records.connect(demo_db, read_only=True)
    try:
        for name, values in old["schemes"].items():
            scheme = catalog.builtin(name)
            r = score(con, scheme, YEAR)
            looks_back = set(_lookback(scheme))
            assert set(values) == set(r.raw.columns), name
            for ind, per_station in values.items():
                if ind in looks_back:
                    assert all(v is None for v in per_station.values())   # what the history is for
                    continue
                want = pd.Series(per_station, dtype=float).reindex(r.raw.index)
                pd.testing.assert_series_equal(r.raw[ind].astype(float), want, check_names=False, rtol=0,
                                               atol=0, obj=f"{name}/{ind}")
    finally:
        con.close()


def test_the_first_month_of_2024_has_returning_attendees(demo_db):
    con = records.connect(demo_db, read_only=True)
    try:
        first = {s: monthly_reach(con, s, YEAR).iloc[0] for s in ("S01", "S02", "S03")}
    finally:
        con.close()
    for s, row in first.items():
        assert row["month"] == date(2024, 1, 1) and row["returning"] > 0 and row["new"] > 0, (s, row.to_dict())


# ---------------------------------------------------------------- the generator

SMALL = {"stations": 6, "years": 2, "seed": 11, "start": "2023-07-01"}


def test_history_only_adds_rows_after_those_of_the_assessment_years():
    """Drawn from a stream of its own after every other: the assessment years' rows are byte for byte those of a
    generator without history, and the history's rows come after them in each table."""
    with_h, without = gen.generate(**SMALL), gen.generate(**SMALL, history=0)
    for table in TABLES:
        a, b = with_h[table], without[table]
        assert len(a) >= len(b), table
        pd.testing.assert_frame_equal(a.iloc[: len(b)], b, obj=table)
    grew = {t for t in TABLES if len(with_h[t]) > len(without[t])}
    assert grew == {"residents", "needs", "activities", "inspections", "attendance"}


def test_history_rows_fall_in_the_years_before_start():
    frames, plain = gen.generate(**SMALL, history=1), gen.generate(**SMALL, history=0)
    first, before = pd.Timestamp(SMALL["start"]), pd.Timestamp("2022-07-01")
    for table, col in (("activities", "held_on"), ("inspections", "inspected_on"), ("needs", "raised_on")):
        extra = frames[table].iloc[len(plain[table]):]
        assert len(extra) and extra[col].between(before, first - pd.Timedelta(days=1)).all(), table
    # residents seen only in the history year are on no register: never a priority group
    extra = frames["residents"].iloc[len(plain["residents"]):]
    assert len(extra) and (extra["priority_group"] == "none").all()


def test_history_residents_return_and_new_ones_come(demo):
    """Each demo station: some of 2024's attendees came in 2023 too, others are new in 2024; a show window's
    regulars come back, a needs-driven station finds new people."""
    acts = demo["activities"].set_index("activity_id")
    t = demo["attendance"].join(acts[["station_id", "held_on"]], on="activity_id")
    year = t["held_on"] >= pd.Timestamp("2024-01-01")
    seen_2023 = set(zip(t.loc[~year, "station_id"], t.loc[~year, "resident_id"]))
    back = {}
    for station, g in t[year].groupby("station_id"):
        back[station] = g["resident_id"].drop_duplicates().map(lambda r: (station, r) in seen_2023).mean()
        assert 0.2 < back[station] < 0.98, (station, back[station])
    by_profile = pd.Series(back).groupby(demo["stations"].set_index("station_id")["profile"]).mean()
    assert by_profile["show_window"] > by_profile["mixed"] > by_profile["needs_driven"], by_profile.to_dict()


@pytest.fixture(scope="module")
def demo():
    return gen.generate()


def test_calibration_check_reads_the_assessment_years_only(demo):
    """--check's figures over the demo with its history year are those of the demo without it."""
    plain = gen.generate(history=0)
    a = gen.station_figures(gen.load_frames(demo), since="2024-01-01")
    b = gen.station_figures(gen.load_frames(plain), since="2024-01-01")
    pd.testing.assert_frame_equal(a, b)
    c = gen.station_figures(gen.load_frames(plain))
    pd.testing.assert_frame_equal(b, c)


@pytest.mark.parametrize("days, want_start", [
    (("2022-03-05", "2024-06-30"), date(2023, 7, 1)),    # more than a year: the last year, to the last date
    (("2024-02-10", "2024-11-30"), date(2024, 2, 10)),   # less: all of it, as before the history year
    (("2023-03-01", "2024-02-29"), date(2023, 3, 1)),    # a leap day at the end: exactly a year
])
def test_the_default_period_is_the_records_last_year(tmp_path, days, want_start):
    from app_pages import frame
    path = tmp_path / "two.duckdb"
    acts = [{"activity_id": f"A{n}", "station_id": "S1", "held_on": d, "kind": "group", "title": "t",
             "photos": 0, "media_items": 0, "headcount": 1, "cost": 1.0, "staff_hours": 1.0}
            for n, d in enumerate(days)]
    make_db(path, {"stations": [station("S1")], "activities": acts}).close()
    assert frame.default_period(str(path)) == (want_start, date.fromisoformat(days[1]),
                                               date.fromisoformat(days[0]), date.fromisoformat(days[1]))
