"""The benchmark's machinery at small sizes: the engine, the floor SQL and the pandas baseline agree on every
indicator value, the generator's province-scale writers write what generate() makes, and the fast scoring
path equals the straightforward one. No timing is asserted anywhere here."""
from __future__ import annotations

import importlib.util
import math
import statistics
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from benchmarks import baseline_pandas, common, floor
from benchmarks import run as bench
from indicators.records import store as records
from indicators.scoring import engine as scoring
from indicators.scoring.measures import Period, load_stations, plan, raw_values
from indicators.scheme.model import Gate, Measure
from tests.conftest import station

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("sample_data_generate_bench", ROOT / "sample_data" / "generate.py")
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)


def _db(path: Path, stations: int, years: int, seed: int = 20240101, scale: float = 1.0) -> Path:
    gen.write_duckdb(gen._arrow_tables(stations, years, seed, "2024-01-01", scale), path)
    return path


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory) -> Path:
    return _db(tmp_path_factory.mktemp("bench") / "tiny.duckdb", 6, 1, seed=5)


def _agree(a: pd.DataFrame, b: pd.DataFrame, what: str):
    bad = common.differences(a, b)
    assert not bad, f"{what}: {bad}"


PERIODS = [Period(), Period(date(2024, 3, 1), date(2024, 9, 30)), Period(date(2024, 7, 15), None)]


@pytest.mark.parametrize("period", PERIODS, ids=["whole", "mar-sep", "from-mid-july"])
def test_engine_floor_and_pandas_agree_on_every_indicator(tiny_db, period):
    con = records.connect(tiny_db, read_only=True)
    try:
        schemes = common.builtin_schemes()
        engine = {n: scoring.score(con, s, period) for n, s in schemes.items()}
        fl = floor.raw_floor(con, period.start, period.end)
        asof = floor.raw_floor(con, period.start, period.end,
                               queries={**floor.QUERIES, "activities": floor.ACTIVITIES_ASOF})
        pdv = baseline_pandas.raw_pandas(baseline_pandas.read_tables(con), period.start, period.end)
    finally:
        con.close()
    for name, res in engine.items():
        assert res.raw.shape == (6, len(schemes[name].indicators))
        # (over the whole records no station has attendance before the period: the new-attendee shares are missing
        # by definition there, and compared with values on the part year)
        measured = [i.id for i in schemes[name].indicators if period.start or i.measure.kind != "new_share"]
        assert res.raw[measured].notna().any().all(), f"{name}: an indicator has no value at all; the check would be weak"
        _agree(res.raw, fl[name], f"{name} engine vs floor")
        _agree(res.raw, asof[name], f"{name} engine vs floor with ASOF")
        _agree(res.raw, pdv[name], f"{name} engine vs pandas")


def test_engine_equals_floor_at_40_stations(tmp_path):
    path = _db(tmp_path / "forty.duckdb", 40, 1, seed=11, scale=gen.PROVINCE_SCALE)
    con = records.connect(path, read_only=True)
    try:
        engine = common.engine_results(con)
        fl = floor.raw_floor(con)
    finally:
        con.close()
    for name, res in engine.items():
        assert len(res.raw) == 40
        _agree(res.raw, fl[name], name)


def test_run_prints_every_figure(tmp_path, capsys):
    """The whole benchmark at 6 stations x 1 year, generating its database first; values are not judged."""
    db = tmp_path / "run.duckdb"
    assert bench.main(["--db", str(db), "--stations", "6", "--years", "1", "--repeat", "1", "--skip-app"]) == 0
    lines = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines() if ": " in line)
    for name in ("eval_s", "floor_s", "ratio_floor", "pandas_s", "ratio_pandas", "reweight_p50_ms",
                 "reweight_p95_ms", "mc_s", "peak_rss_mb", "machine_cores", "machine_memory_gib", "date",
                 "command", "rows_attendance", "rows_activities"):
        assert name in lines, name
    for name in ("eval_s", "floor_s", "pandas_s", "reweight_p95_ms", "mc_s", "peak_rss_mb"):
        assert float(lines[name]) > 0, name
    assert lines["app_start_s"] == "skipped (--skip-app)"
    assert lines["slider_to_chart_ms"] == "skipped (--skip-app)"
    assert lines["reweight_shape"] == "6 x 50"
    assert int(lines["rows_stations"]) == 6


# ---------------------------------------------------------------- the generator's province-scale writers

def test_duckdb_and_parquet_writers_hold_what_generate_makes(tmp_path):
    frames = gen.generate(stations=4, years=2, seed=9, scale=1.3)
    assert gen.main(["--stations", "4", "--years", "2", "--seed", "9", "--scale", "1.3",
                     "--out", str(tmp_path / "r.duckdb")]) == 0
    assert gen.main(["--stations", "4", "--years", "2", "--seed", "9", "--scale", "1.3", "--format", "parquet",
                     "--out", str(tmp_path / "pq")]) == 0
    con = duckdb.connect(str(tmp_path / "r.duckdb"), read_only=True)
    try:
        assert records.get_meta(con, "kind") == "synthetic"
        for table, cols in records.TABLES.items():
            want = frames[table]
            for source in (f'"{table}"', f"read_parquet('{tmp_path / 'pq' / (table + '.parquet')}')"):
                got = con.execute(f"SELECT * FROM {source}").df()
                assert list(got.columns) == list(cols), (table, source)
                assert len(got) == len(want), (table, source)
                for col in cols:
                    a, b = want[col], got[col]
                    if records.TABLES[table][col] == "DATE":
                        a, b = pd.to_datetime(a), pd.to_datetime(b)
                        assert ((a == b) | (a.isna() & b.isna())).all(), (table, col, source)
                    else:
                        assert a.astype(object).where(a.notna(), None).tolist() == \
                            b.astype(object).where(b.notna(), None).tolist(), (table, col, source)
    finally:
        con.close()
    # a second write over a synthetic database replaces it; over anything else it refuses
    assert gen.main(["--stations", "2", "--out", str(tmp_path / "r.duckdb")]) == 0
    other = tmp_path / "real.duckdb"
    records.build_demo(other)
    with pytest.raises(SystemExit):
        gen.main(["--stations", "2", "--out", str(other)])


def test_scale_one_is_the_default():
    a, b = gen.generate(stations=3, seed=4), gen.generate(stations=3, seed=4, scale=1.0)
    for t in a:
        pd.testing.assert_frame_equal(a[t], b[t])
    bigger = gen.generate(stations=3, seed=4, scale=2.0)
    assert len(bigger["activities"]) > 1.8 * len(a["activities"])


# ---------------------------------------------------------------- attendance terms on the pre-aggregation

def _visits_rows():
    acts = [{"activity_id": f"A{n}", "station_id": s, "held_on": date(2024, 1, 1 + n), "kind": "group",
             "title": "t", "need_id": None, "photos": 0, "media_items": 0, "headcount": 1, "cost": 1.0,
             "staff_hours": 1.0} for n, s in enumerate(["S1"] * 6 + ["S2"] * 2)]
    # S1: R1 x5, R2 x3, R3 x3 (a tie), R4 x1, a row with no resident x2; S2: R5 twice; S3 nothing.
    att = [("A0", "R1"), ("A1", "R1"), ("A2", "R1"), ("A3", "R1"), ("A4", "R1"), ("A0", "R2"), ("A1", "R2"),
           ("A2", "R2"), ("A3", "R3"), ("A4", "R3"), ("A5", "R3"), ("A5", "R4"), ("A0", None), ("A1", None),
           ("A6", "R5"), ("A7", "R5")]
    return {"stations": [station("S1", 1000), station("S2", 2000), station("S3", 500)], "activities": acts,
            "attendance": [{"activity_id": a, "resident_id": r} for a, r in att],
            "residents": [{"resident_id": f"R{n}", "station_id": "S1" if n < 5 else "S2", "age_band": "80+",
                           "priority_group": "none" if n % 2 else "disabled"} for n in range(1, 6)]}


@pytest.mark.parametrize("measure, expected", [
    (Measure("distinct", table="attendance", column="resident_id"), [4, 1, 0]),
    (Measure("distinct", table="attendance", column="resident_id", filter="station_id = 'S1'"), [4, 0, 0]),
    (Measure("distinct", table="attendance", column="station_id"), [1, 1, 0]),
    (Measure("distinct", table="attendance", column="resident_id", filter="kind = 'group'"), [4, 1, 0]),
    (Measure("distinct", table="attendance", column="resident_id", filter="priority_group = 'disabled'"),
     [2, 0, 0]),
    # 5 groups at S1 (the missing resident is one): ceil(0.1 * 5) = 1 -> 5 of 14; ceil(0.5 * 5) = 3 -> 5+3+3.
    (Measure("top_share", top=0.1), [5 / 14, 1.0, None]),
    (Measure("top_share", top=0.5), [11 / 14, 1.0, None]),
    (Measure("per_1000", of=Measure("distinct", table="attendance", column="resident_id")), [4.0, 0.5, 0.0]),
])
def test_attendance_terms_on_the_per_resident_relation(tiny, measure, expected):
    con = tiny(_visits_rows())
    got = raw_values(con, {"m": plan(measure)}, load_stations(con))["m"].tolist()
    assert [None if math.isnan(v) else round(v, 12) for v in got] == \
        [None if v is None else round(v, 12) for v in expected]


def test_distinct_residents_and_top_share_share_one_attendance_pass(tiny):
    con = tiny(_visits_rows())
    plans = {"a": plan(Measure("distinct", table="attendance", column="resident_id")),
             "b": plan(Measure("top_share", top=0.1))}
    queries = []
    real = con.cursor

    class Spy:
        def __init__(self):
            self.cur = real()

        def execute(self, sql, params=None):
            queries.append(sql)
            return self.cur.execute(sql, params)

    raw_values(type("C", (), {"cursor": lambda self: Spy()})(), plans, load_stations(con))
    assert len(queries) == 1


# ---------------------------------------------------------------- scoring: the vectorised path equals the plain one

def _reference_score_normalised(scheme, period, stations, raw, normalised, missing):
    """score_normalised as first written: one station at a time (the behaviour the fast version must keep)."""
    ids = [i.id for i in scheme.indicators]
    within, dim_w, flat = scoring.effective_weights(scheme)
    dim_of = {i.id: d.id for d in scheme.dimensions for i in d.indicators}
    n = normalised[ids].to_numpy()
    total, contrib = scoring.aggregate(n, flat[ids].to_numpy(), scheme.aggregation)
    dims = {}
    for d in scheme.dimensions:
        cols = [ids.index(i.id) for i in d.indicators]
        dims[d.id], _ = scoring.aggregate(n[:, cols], within[[i.id for i in d.indicators]].to_numpy(),
                                          scheme.aggregation)
    total = np.clip(total, 0, 100)
    grades, capped = [], []
    order = {g.grade: g.min for g in scheme.grades}

    def passes(value, op, limit):
        if np.isnan(value):
            return False
        return {">=": value >= limit, ">": value > limit, "<=": value <= limit, "<": value < limit}[op]

    for s, sid in enumerate(stations.index):
        g = scoring.grade_of(total[s], scheme)
        failed = [gate for gate in scheme.gates if not passes(raw.at[sid, gate.indicator], gate.op, gate.value)]
        for gate in failed:
            if order[gate.cap] < order[g]:
                g = gate.cap
        grades.append(g)
        capped.append(", ".join(gate.name_en or gate.indicator for gate in failed))
    weights = pd.DataFrame({"dimension": pd.Series(dim_of), "within": within, "effective": flat})
    weights["dimension_weight"] = weights["dimension"].map(dim_w)
    weights["parent"] = weights["dimension"]   # two levels: the holder is the top-level dimension
    weights["path"] = [f"{dim_of[i]}/{i}" for i in weights.index]
    idx = stations.index
    return scoring.ScoreResult(
        scheme=scheme, period=period, stations=stations, raw=raw[ids], normalised=normalised[ids],
        missing=missing[ids], weights=weights.loc[ids],
        contributions=pd.DataFrame(contrib, index=idx, columns=ids),
        dimension_scores=pd.DataFrame(dims, index=idx), total=pd.Series(total, index=idx, name="score"),
        rank=pd.Series(scoring.rank_of(total), index=idx, name="rank"),
        grade=pd.Series(grades, index=idx, name="grade"), capped_by=pd.Series(capped, index=idx, name="capped_by"),
        nodes=pd.DataFrame(dims, index=idx))


def _same_result(a: scoring.ScoreResult, b: scoring.ScoreResult):
    assert a.scheme == b.scheme
    for f in ("stations", "raw", "normalised", "missing", "weights", "contributions", "dimension_scores", "nodes"):
        pd.testing.assert_frame_equal(getattr(a, f), getattr(b, f), check_exact=True, obj=f)
    for f in ("total", "rank", "grade", "capped_by"):
        pd.testing.assert_series_equal(getattr(a, f), getattr(b, f), check_exact=True, obj=f)


def test_fast_scoring_and_reweighting_equal_the_plain_path(tiny_db):
    con = records.connect(tiny_db, read_only=True)
    try:
        wide = common.wide_scheme(50)
        res = scoring.score(con, wide)
        builtins = common.engine_results(con)
    finally:
        con.close()
    rng = np.random.default_rng(3)
    dims = [d.id for d in wide.dimensions]
    inds = [i.id for i in wide.indicators]
    cases = [res] + list(builtins.values())
    for base in cases:
        plain = _reference_score_normalised(base.scheme, base.period, base.stations, base.raw, base.normalised,
                                            base.missing)
        _same_result(base, plain)
    # gates that fail some stations and cap their grade, geometric aggregation, and many weight changes
    gated = wide.with_weights(gates=wide.gates + (
        Gate("photos", ">=", float(res.raw["photos"].median()), "B"),
        Gate("days_to_resolve", "<", float(res.raw["days_to_resolve"].median()), "D", name_en="Fast")))
    for k in range(30):
        kw = ({"dimension_weights": {dims[rng.integers(len(dims))]: float(rng.integers(0, 6))}} if k % 3 == 0
              else {"indicator_weights": {inds[rng.integers(len(inds))]: float(rng.integers(0, 6))}})
        if k % 5 == 0:
            kw["aggregation"] = "geometric"
        fast = res.reweighted(**kw)
        new = res.scheme.with_weights(**kw)
        _same_result(fast, _reference_score_normalised(new, res.period, res.stations, res.raw, res.normalised,
                                                       res.missing))
        _same_result(fast, scoring.score_raw(new, res.raw, res.stations, res.period))
        g = gated.with_weights(**kw)
        got = scoring.score_normalised(g, res.period, res.stations, res.raw, res.normalised, res.missing)
        _same_result(got, _reference_score_normalised(g, res.period, res.stations, res.raw, res.normalised,
                                                      res.missing))
    assert (got.capped_by != "").any() and (got.capped_by.str.contains(", ")).any()


def test_reweighted_result_does_not_share_frames_with_its_source(tiny_db):
    con = records.connect(tiny_db, read_only=True)
    try:
        res = scoring.score(con, common.builtin_schemes()["needs-met"])
    finally:
        con.close()
    before = res.normalised.copy()
    other = res.reweighted(dimension_weights={"reach": 50})
    other.normalised.iloc[0, 0] = -1.0
    other.raw.iloc[0, 0] = -1.0
    pd.testing.assert_frame_equal(res.normalised, before)
    assert res.raw.iloc[0, 0] != -1.0


def test_the_floor_reads_attendance_once_without_a_window():
    """The honest floor (issue 21): everything either scheme takes from attendance, rotation included, from one
    query over it, with no `lag` window: the fastest SQL, not the engine's old plan written out again."""
    over_attendance = [t for t, sql in floor.QUERIES.items() if "attendance" in sql.replace("FROM attendance", "@")
                       or "FROM attendance" in sql]
    assert over_attendance == ["attendance"]
    assert "OVER (" not in floor.QUERIES["attendance"] and "lag(" not in floor.QUERIES["attendance"]


def test_a_scaling_size_reports_the_one_pass_yardstick(tiny_db):
    """Each size of the scaling table times the one grouped pass beside the engine and the floor, and reports the
    engine's CPU over it (issue 21's yardstick) and rows per CPU second, made of the measured runs."""
    from benchmarks import scaling
    fig = scaling.measure(tiny_db, 2, min_seconds=0)
    assert len(fig["one_pass_cpu_runs"]) == len(fig["engine_cpu_runs"]) == 2
    assert fig["ratio_one_pass_cpu"] == fig["engine_cpu_s"] / statistics.median(fig["one_pass_cpu_runs"])
    assert fig["rows_per_cpu_s"] == fig["total_rows"] / fig["engine_cpu_s"]
    con = records.connect(tiny_db, read_only=True)
    try:
        assert floor.one_pass(con) > 6   # per (station, resident) rows, and a row per station of each other table
    finally:
        con.close()


def test_the_profile_runs_the_engine_and_the_floor(tiny_db, capsys):
    # the floor asks its connection directly (con.execute), the engine a cursor: the recorder must stand in for both
    from benchmarks import profile
    assert profile.main(["--db", str(tiny_db), "--repeat", "1", "--operators", "1", "--python", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("operators of:") == 2 and "engine: wall" in out and "floor: wall" in out
    assert "engine Python alone (queries replayed): median" in out and "floor Python alone" in out and "of 2" in out
