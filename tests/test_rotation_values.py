"""The rotation measures (and the attendee measures that share their pass) give exactly what the original SQL gave,
on the demo and on a generated set, for open, whole-year, mid-year and odd periods and several look-backs.

The reference is the engine's SQL as it was before the single-pass rewrite (a `lag` window over
(station, resident, month) rows, a separate pass per relation), kept here verbatim so that the rewrite can be
checked against it on any data."""
from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from indicators.outputs import reach
from indicators.scheme import catalog
from indicators.scheme.model import Measure
from indicators.scoring import engine
from indicators.scoring.measures import Period, load_stations, plan, raw_values
from tests.conftest import ROOT, station

D = date.fromisoformat
_P = "(SELECT CAST(? AS DATE) AS p_start, CAST(? AS DATE) AS p_end) p"
_VISITS = "attendance t JOIN activities a ON a.activity_id = t.activity_id"
OLD = {
    "history": (
        "SELECT a.station_id, t.resident_id, "
        "min(a.held_on) FILTER (WHERE a.held_on >= p.p_start) AS first_in, "
        "max(a.held_on) FILTER (WHERE a.held_on < p.p_start) AS last_before "
        f"FROM {_VISITS} CROSS JOIN {_P} WHERE a.held_on <= p.p_end GROUP BY a.station_id, t.resident_id"),
    "months": (
        "SELECT station_id, resident_id, mi, "
        "lag(mi) OVER (PARTITION BY station_id, resident_id ORDER BY mi) AS prev_mi, "
        "min(mi) OVER (PARTITION BY station_id) AS first_mi FROM (SELECT DISTINCT a.station_id, t.resident_id, "
        f"year(a.held_on) * 12 + month(a.held_on) AS mi FROM {_VISITS} CROSS JOIN {_P} "
        "WHERE a.held_on BETWEEN p.p_start AND p.p_end) m"),
    "registered": (
        "SELECT r.*, CASE WHEN v.resident_id IS NULL THEN 0 ELSE 1 END AS reached FROM residents r LEFT JOIN "
        f"(SELECT DISTINCT a.station_id, t.resident_id FROM {_VISITS} CROSS JOIN {_P} "
        "WHERE a.held_on BETWEEN p.p_start AND p.p_end) v "
        "ON v.resident_id = r.resident_id AND v.station_id = r.station_id"),
    "attendees": (
        f"SELECT a.station_id, t.resident_id, count(*) AS visits FROM {_VISITS} CROSS JOIN {_P} "
        "WHERE a.held_on BETWEEN p.p_start AND p.p_end GROUP BY a.station_id, t.resident_id"),
}
# figure -> (relation, count, out of, history or None)
NEW = "count(*) FILTER (WHERE first_in IS NOT NULL AND (last_before IS NULL OR date_diff('day', last_before, first_in) > {d}))"
REFERENCE = {
    "new": ("history", "count(*) FILTER (WHERE first_in IS NOT NULL AND last_before IS NULL)",
            "count(*) FILTER (WHERE first_in IS NOT NULL)", "count(*) FILTER (WHERE last_before IS NOT NULL)"),
    "new_365": ("history", NEW.format(d=365), "count(*) FILTER (WHERE first_in IS NOT NULL)",
                "count(*) FILTER (WHERE last_before IS NOT NULL)"),
    "new_120": ("history", NEW.format(d=120), "count(*) FILTER (WHERE first_in IS NOT NULL)",
                "count(*) FILTER (WHERE last_before IS NOT NULL)"),
    "returning": ("months", "count(*) FILTER (WHERE mi > first_mi AND prev_mi = mi - 1)",
                  "count(*) FILTER (WHERE mi > first_mi)", None),
    "unreached": ("registered", "count(*) FILTER (WHERE (priority_group <> 'none') AND reached = 0)",
                  "count(*) FILTER (WHERE priority_group <> 'none')", None),
    "unreached_all": ("registered", "count(*) FILTER (WHERE reached = 0)", "count(*)", None),
    "unreached_two": ("registered",
                      "count(*) FILTER (WHERE priority_group IN ('elderly_alone', 'disabled') AND reached = 0)",
                      "count(*) FILTER (WHERE priority_group IN ('elderly_alone', 'disabled'))", None),
    "top_10": ("attendees", "coalesce(list_sum(list_slice(list_sort(list(visits), 'DESC'), 1, "
               "CAST(ceil(0.1 * count(*)) AS BIGINT))), 0)", "coalesce(sum(visits), 0)", None),
    "reached": ("attendees", "count(resident_id)", "1", None),
}
MEASURES = {
    "new": Measure("new_share"),
    "new_365": Measure("new_share", days=365),
    "new_120": Measure("new_share", days=120),
    "returning": Measure("returning_share"),
    "unreached": Measure("unreached_share", base="priority_group <> 'none'"),
    "unreached_all": Measure("unreached_share"),
    "unreached_two": Measure("unreached_share", base="priority_group in ('elderly_alone', 'disabled')"),
    "top_10": Measure("top_share", top=0.1),
    "reached": Measure("distinct", table="attendance", column="resident_id"),
}
PERIODS = [Period(), Period(D("2024-01-01"), D("2024-12-31")), Period(D("2024-07-01"), D("2024-12-31")),
           Period(D("2024-03-15"), D("2025-02-10")), Period(None, D("2024-06-30")), Period(D("2024-05-01"), None),
           Period(D("2024-02-01"), D("2024-02-29"))]


def reference(con, period: Period) -> dict[str, pd.DataFrame]:
    """Per figure: station -> count, of, history (the old relations and terms, one query each)."""
    out = {}
    for key, (rel, count, of, history) in REFERENCE.items():
        sql = (f"WITH rel AS ({OLD[rel]}) SELECT station_id, {count} AS count, {of} AS of, "
               f"{history or 'NULL'} AS history FROM rel GROUP BY station_id")
        out[key] = con.execute(sql, period.params()).df().set_index("station_id")
    return out


def reference_raw(con, stations: pd.DataFrame, period: Period) -> pd.DataFrame:
    cols = {}
    for key, df in reference(con, period).items():
        df = df.reindex(stations.index)
        count, of = df["count"].astype(float).fillna(0).to_numpy(), df["of"].astype(float).fillna(0).to_numpy()
        if key == "reached":
            cols[key] = count
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            share = count / of
        share[~np.isfinite(share)] = np.nan
        if REFERENCE[key][3] is not None:
            share[~(df["history"].astype(float).fillna(0).to_numpy() > 0)] = np.nan
        cols[key] = share
    return pd.DataFrame(cols, index=stations.index)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """60 generated stations over two years from 2023 (so that 2024's periods have a year of history)."""
    spec = importlib.util.spec_from_file_location("sample_data_generate_rotation", ROOT / "sample_data" / "generate.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    path = tmp_path_factory.mktemp("rotation") / "s60.duckdb"
    gen.write_duckdb(gen._arrow_tables(60, 2, 20240101, "2023-01-01", 1.0), path)
    return path


def _check(db: Path, period: Period):
    con = duckdb.connect(str(db), read_only=True)
    try:
        stations = load_stations(con)
        want = reference_raw(con, stations, period)
        got = raw_values(con, {k: plan(m) for k, m in MEASURES.items()}, stations, period)
        counts = reach.station_figures(con, stations, period, {k: MEASURES[k] for k in REFERENCE
                                                               if k not in ("top_10", "reached")})
        ref = reference(con, period)
    finally:
        con.close()
    assert got.notna().to_numpy().any()
    pd.testing.assert_frame_equal(got[want.columns], want, check_exact=False, rtol=0, atol=1e-12,
                                  obj=f"raw values over {period}")
    for key in counts.columns.get_level_values(0).unique():
        r = ref[key].reindex(stations.index)
        np.testing.assert_array_equal(counts[(key, "count")].to_numpy(), r["count"].fillna(0).to_numpy(),
                                      err_msg=f"{key} count over {period}")
        np.testing.assert_array_equal(counts[(key, "of")].to_numpy(), r["of"].fillna(0).to_numpy(),
                                      err_msg=f"{key} out of over {period}")


@pytest.mark.parametrize("period", PERIODS, ids=str)
def test_rotation_equals_the_original_sql_on_a_generated_set(generated, period):
    _check(generated, period)


@pytest.mark.parametrize("period", PERIODS[:3] + [Period(D("2024-09-10"), D("2024-11-20"))], ids=str)
def test_rotation_equals_the_original_sql_on_the_demo(demo_db, period):
    _check(demo_db, period)


def test_builtin_schemes_rotation_columns_equal_the_original_sql(generated):
    """needs-met scored with photo-count in one run (as the benchmark scores them): its rotation and attendee
    indicators equal the reference at every station."""
    period = Period(D("2024-04-01"), D("2024-12-31"))
    schemes = [catalog.builtin("photo-count"), catalog.builtin("needs-met")]
    con = duckdb.connect(str(generated), read_only=True)
    try:
        res = engine.score_many(con, schemes, period)[1]
        want = reference_raw(con, res.stations, period)
    finally:
        con.close()
    pop = res.stations["population"].astype(float).to_numpy()
    pairs = {"new_attendees": want["new"], "first_in_a_year": want["new_365"],
             "month_on_month_returning": want["returning"], "priority_unreached": want["unreached"],
             "repeat_attendance": want["top_10"], "residents_reached": want["reached"] * 1000.0 / pop}
    for ind, col in pairs.items():
        np.testing.assert_allclose(res.raw[ind].to_numpy(), col.to_numpy(), rtol=0, atol=1e-12, err_msg=ind)
    assert res.raw[list(pairs)].notna().all().all()


def test_both_builtin_schemes_read_attendance_in_one_query(generated):
    """Every measure over attendance in both built-in schemes (reach, repeat attendance, rotation) is served by
    one grouped query: the join of attendance to activities, the costliest work of a scoring, happens once."""
    heard = []
    con = duckdb.connect(str(generated), read_only=True)
    try:
        engine.score_many(con, [catalog.builtin("photo-count"), catalog.builtin("needs-met")],
                          Period(D("2024-04-01"), D("2024-12-31")),
                          progress=lambda table, ids, seconds: seconds is None and heard.append(table))
    finally:
        con.close()
    over_attendance = [t for t in heard if t not in ("activities", "needs", "inspections", "feedback",
                                                     "expenditures", "ratings", "residents", "stations",
                                                     "indicator_values")]
    assert len(over_attendance) == 1, over_attendance


def _act(aid, sid, held):
    return {"activity_id": aid, "station_id": sid, "held_on": held, "kind": "group", "title": aid, "need_id": None,
            "photos": 0, "media_items": 0, "headcount": 1, "cost": 1.0, "staff_hours": 1.0}


def test_month_masks_across_words_equal_the_original_sql(tiny):
    """Periods longer than one word of 62 months: returns across a word's edge (months 61 and 62 of the period),
    across two edges, and residents whose first month is or is not the station's, against the original SQL."""
    rng = np.random.default_rng(21)
    first = D("2015-01-01")
    month = lambda k, day=10: date(first.year + (k // 12), k % 12 + 1, day)   # noqa: E731
    activities, attendance = [], []
    for sid in ("S1", "S2"):
        for k in range(0, 200):
            activities.append(_act(f"{sid}-{k}", sid, month(k)))
            activities.append(_act(f"{sid}-{k}b", sid, month(k, 20)))
    chosen = {("R1", "S1"): [61, 62], ("R2", "S1"): [0, 1, 61, 62, 63, 123, 124, 186],
              ("R3", "S1"): [62], ("R4", "S2"): [5, 6, 66, 67, 68, 128]}
    for n in range(5, 25):   # random residents at both stations
        chosen[(f"R{n}", f"S{1 + n % 2}")] = sorted(set(rng.integers(0, 200, size=int(rng.integers(1, 30))).tolist()))
    for (rid, sid), months in chosen.items():
        for k in months:
            attendance.append({"activity_id": f"{sid}-{k}", "resident_id": rid})
            if k % 3 == 0:   # twice in some months: a month counts once
                attendance.append({"activity_id": f"{sid}-{k}b", "resident_id": rid})
    residents = [{"resident_id": rid, "station_id": sid, "age_band": "60-79",
                  "priority_group": "disabled" if int(rid[1:]) % 3 else "none"} for rid, sid in chosen]
    con = tiny({"stations": [station("S1"), station("S2")], "residents": residents, "activities": activities,
                "attendance": attendance})
    stations = load_stations(con)
    for period in (Period(), Period(month(0, 1), month(199, 28)), Period(month(30, 15), month(160, 5)),
                   Period(month(61, 1), month(62, 28)), Period(month(100, 1), None)):
        want = reference_raw(con, stations, period)
        got = raw_values(con, {k: plan(m) for k, m in MEASURES.items()}, stations, period)
        pd.testing.assert_frame_equal(got[want.columns], want, check_exact=False, rtol=0, atol=1e-12,
                                      obj=f"raw values over {period}")
        assert got["returning"].notna().any()
