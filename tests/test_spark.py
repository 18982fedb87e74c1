"""The Spark engine gives DuckDB's raw values (to 1e-9) for every measure kind, on the demo and on 130 generated
stations, and `score --engine spark` prints what `score --db` prints.

One Spark session (local[2]) serves the whole module: it takes seconds to start. Without Java or pyspark the
module is skipped and says why; with REQUIRE_SPARK set (CI) that is a failure instead.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from indicators.cli.main import main
from indicators.records.parquet import export_parquet
from indicators.scheme import catalog
from indicators.scheme.model import MEASURE_KINDS, Level, Measure
from indicators.scoring.measures import Period, load_stations, plan, raw_values
from tests.conftest import ROOT

try:
    from indicators.scoring import spark as engine
    WHY_NOT = engine.unavailable()
except ImportError as exc:   # sqlglot missing
    WHY_NOT = f"{exc.name} is not installed (pip install -r requirements-spark.txt)"
if WHY_NOT and os.environ.get("REQUIRE_SPARK"):
    pytest.fail(f"Spark tests are required here (REQUIRE_SPARK is set) but {WHY_NOT}", pytrace=False)
pytestmark = pytest.mark.skipif(WHY_NOT is not None, reason=f"Spark tests skipped: {WHY_NOT}")

_spec = importlib.util.spec_from_file_location("sample_data_generate_spark", ROOT / "sample_data" / "generate.py")
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

TOL = 1e-9

# Every measure kind the engine has, and every derived column and function of the filter language, beside the
# built-in schemes' own measures. A kind added to the engine fails test_every_kind_is_covered until it has a line here.
EVERY_KIND = {
    "count": Measure("count", table="activities", filter="kind in ('community', 'publicity') and photos > 2"),
    "sum": Measure("sum", table="expenditures", column="amount", filter="category <> 'staff'"),
    "mean": Measure("mean", table="activities", column="cost / headcount", filter="headcount > 0"),
    "median": Measure("median", table="needs", column="days_to_resolve", filter="status = 'resolved'"),
    "median_even": Measure("median", table="activities", column="photos + media_items"),
    "distinct_residents": Measure("distinct", table="attendance", column="resident_id"),
    "distinct_filtered": Measure("distinct", table="attendance", column="resident_id",
                                 filter="priority_group in ('elderly_alone', 'disabled') or age_band = '80+'"),
    "distinct_needs": Measure("distinct", table="activities", column="need_id", filter="need_id is not null"),
    "share_rows": Measure("share", table="activities", filter="days_to_next_inspection <= 7"),
    "share_base": Measure("share", table="needs", filter="status = 'resolved'", base="urgency >= 4"),
    "share_weight": Measure("share", table="needs", filter="status = 'resolved'",
                            weight="urgency * households_affected"),
    "ratio": Measure("ratio", numerator=Measure("sum", table="activities", column="photos"),
                     denominator=Measure("count", table="activities")),
    "per_1000": Measure("per_1000", of=Measure("distinct", table="attendance", column="resident_id")),
    "top_share": Measure("top_share", top=0.1),
    "top_share_quarter": Measure("top_share", top=0.25),
    "scale_feedback": Measure("scale", table="feedback", column="need_met", filter="channel = 'council'",
                              levels=(Level("yes", 100), Level("no", 0))),
    "scale_rating": Measure("scale", table="feedback", column="rating",
                            levels=tuple(Level(str(n), (n - 1) * 25.0) for n in range(1, 6))),
    "scale_ratings": Measure("scale", table="ratings", column="level",
                             levels=(Level("优", 100), Level("良", 80), Level("中", 60), Level("差", 40))),
    "functions": Measure("count", table="feedback",
                         filter="lower(upper(channel)) = 'survey' and length(coalesce(comment, '')) >= 0 "
                                "and month(given_on) between 3 and 11 and year(given_on) = 2024 "
                                "and given_on >= date('2024-02-01') and abs(rating - 3) <= 2 "
                                "and round(rating / 2.0, 1) > 0"),
    "days_between": Measure("mean", table="needs", column="days_between(raised_on, resolved_on)",
                            filter="resolved_on is not null and days_between(date('2024-01-01'), raised_on) > 30"),
    "inspections": Measure("sum", table="inspections", column="prep_hours", filter="level <> 'district'"),
    "residents": Measure("count", table="residents", filter="priority_group <> 'none'"),
    "value": Measure("value", series="satisfaction"),
    "value_per_station_column": Measure("value", series="home_visits", denominator="population"),
    "value_per_series": Measure("value", series="home_visits", denominator="satisfaction"),
    "new_share": Measure("new_share"),
    "new_share_days": Measure("new_share", days=120),
    "returning_share": Measure("returning_share"),
    "unreached_share": Measure("unreached_share", base="priority_group in ('elderly_alone', 'disabled')"),
    "unreached_everyone": Measure("unreached_share"),
}


def _kinds(m: Measure):
    yield m.kind
    for inner in (m.numerator, m.denominator, m.of):
        if isinstance(inner, Measure):   # a value measure's denominator is a name, not a measure
            yield from _kinds(inner)


def test_every_kind_is_covered():
    covered = {k for m in EVERY_KIND.values() for k in _kinds(m)}
    missing = set(MEASURE_KINDS) - covered
    assert not missing, f"add a measure of kind {sorted(missing)} to EVERY_KIND so Spark is checked against it"


def _plans():
    """The built-in schemes' measures and EVERY_KIND, in one dict: one grouped query per table for all of them."""
    plans = {f"kind:{k}": plan(m, k) for k, m in EVERY_KIND.items()}
    for name in ("photo-count", "needs-met"):
        scheme, _ = catalog.resolve(name)
        plans.update({f"{name}:{i.id}": plan(i.measure, i.id) for i in scheme.indicators})
    return plans


@pytest.fixture(scope="module")
def spark():
    session = engine.session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def demo_values(demo_db, tmp_path_factory) -> Path:
    """The demo plus the example framework's values from elsewhere (the demo itself has none)."""
    path = tmp_path_factory.mktemp("spark-demo") / "demo.duckdb"
    shutil.copy(demo_db, path)
    values = ROOT / "sample_data" / "framework" / "indicator_values.csv"
    assert main(["import", "--db", str(path), "--table", "indicator_values", str(values)]) == 0
    return path


@pytest.fixture(scope="module")
def demo_records(demo_values, tmp_path_factory) -> Path:
    """The demo, handed over as export-records writes it, split by station."""
    out = tmp_path_factory.mktemp("spark") / "demo-records"
    assert main(["export-records", "--db", str(demo_values), "--out", str(out), "--partition", "station"]) == 0
    return out


@pytest.fixture(scope="module")
def stations_130(tmp_path_factory) -> tuple[Path, Path]:
    """130 generated stations over a year: (DuckDB file, Parquet folder split by month)."""
    where = tmp_path_factory.mktemp("spark130")
    db = where / "s130.duckdb"
    gen.write_duckdb(gen._arrow_tables(130, 1, 20240101, "2024-01-01", 1.0), db)
    con = duckdb.connect(str(db))
    try:   # values from elsewhere, two series per station (half-years, so the latest-period rule is exercised)
        for series, start, end, scale in (("satisfaction", "2024-01-01", "2024-06-30", 0.004),
                                          ("satisfaction", "2024-07-01", "2024-12-31", 0.005),
                                          ("home_visits", "2024-01-01", "2024-12-31", 0.05)):
            con.execute("INSERT INTO indicator_values (station_id, indicator_id, period_start, period_end, value, "
                        "source, note) SELECT station_id, ?, CAST(? AS DATE), CAST(? AS DATE), "
                        "population * ?, 'test', NULL FROM stations", [series, start, end, scale])
        export_parquet(con, where / "records", "month")
    finally:
        con.close()
    return db, where / "records"


def _both(spark, db: Path, records: Path, period: Period = Period()) -> tuple[pd.DataFrame, pd.DataFrame]:
    plans = _plans()
    con = duckdb.connect(str(db), read_only=True)
    try:
        stations = load_stations(con)
        on_duckdb = raw_values(con, plans, stations, period)
    finally:
        con.close()
    engine.open_records(spark, str(records))
    pd.testing.assert_frame_equal(engine.load_stations(spark), stations, check_dtype=False)
    return engine.raw_values(spark, plans, stations, period), on_duckdb


def _newness() -> set[str]:
    """Columns of new_share measures: missing at every station when no attendance comes before the period."""
    out = {f"kind:{k}" for k, m in EVERY_KIND.items() if m.kind == "new_share"}
    for name in ("photo-count", "needs-met"):
        out |= {f"{name}:{i.id}" for i in catalog.resolve(name)[0].indicators if i.measure.kind == "new_share"}
    return out


def _assert_equal(on_spark: pd.DataFrame, on_duckdb: pd.DataFrame, history: bool = False):
    assert list(on_spark.columns) == list(on_duckdb.columns)
    assert list(on_spark.index) == list(on_duckdb.index)
    for col in on_duckdb.columns:
        np.testing.assert_allclose(on_spark[col].to_numpy(), on_duckdb[col].to_numpy(), rtol=0, atol=TOL,
                                   err_msg=f"{col}: Spark and DuckDB differ")
    # Not a comparison of empty columns: every measure has values at most stations (newness only when the period
    # has attendance before it, as the half year has).
    kept = [c for c in on_duckdb.columns if history or c not in _newness()]
    assert (on_duckdb[kept].notna().mean() > 0.5).all(), on_duckdb[kept].notna().mean()


def test_demo_equal_on_spark_and_duckdb(spark, demo_values, demo_records):
    _assert_equal(*_both(spark, demo_values, demo_records))


def test_demo_half_year_equal_on_spark_and_duckdb(spark, demo_values, demo_records):
    """The period reaches Spark as parameters, as it reaches DuckDB."""
    on_spark, on_duckdb = _both(spark, demo_values, demo_records, Period(date(2024, 7, 1), date(2024, 12, 31)))
    _assert_equal(on_spark, on_duckdb, history=True)
    con = duckdb.connect(str(demo_values), read_only=True)
    try:
        whole_year = raw_values(con, {"count": plan(EVERY_KIND["count"])}, load_stations(con))["count"]
    finally:
        con.close()
    assert (on_spark["kind:count"] <= whole_year).all() and on_spark["kind:count"].sum() < whole_year.sum() / 1.5


def test_130_stations_equal_on_spark_and_duckdb(spark, stations_130):
    db, records = stations_130
    on_spark, on_duckdb = _both(spark, db, records)
    assert len(on_spark) == 130
    _assert_equal(on_spark, on_duckdb)


def test_cli_score_on_spark_prints_what_duckdb_prints(spark, capsys, demo_db, demo_records):
    assert main(["score", "--db", str(demo_db), "--scheme", "photo-count", "--format", "json"]) == 0
    on_duckdb = json.loads(capsys.readouterr().out)
    code = main(["score", "--engine", "spark", "--records", str(demo_records), "--scheme", "photo-count",
                 "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out) == on_duckdb


def test_cli_records_that_are_not_there(spark, capsys, tmp_path, demo_records):
    code = main(["score", "--engine", "spark", "--records", str(tmp_path / "nowhere"), "--scheme", "needs-met"])
    _, err = capsys.readouterr()
    assert code == 2 and "nowhere" in err and "Parquet" in err
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "stations.parquet").write_bytes((demo_records / "stations.parquet").read_bytes())
    code = main(["score", "--engine", "spark", "--records", str(partial), "--scheme", "needs-met"])
    _, err = capsys.readouterr()
    assert code == 2 and "residents" in err and "Traceback" not in err


def test_spark_sql_names_every_parameter_in_order():
    sql, args = engine.spark_sql("SELECT date_diff('day', ?, held_on) AS d, '?' AS q FROM t WHERE x IN (?, ?)",
                                 [date(2024, 1, 1), "a", "b"])
    assert args == {"p0": date(2024, 1, 1), "p1": "a", "p2": "b"}
    assert ":p0" in sql and "IN (:p1, :p2)" in sql and "'?'" in sql and "`" not in sql.split("FROM")[0]
    with pytest.raises(ValueError, match="2 parameter marks for 1 values"):
        engine.spark_sql("SELECT ? + ?", [1])


def test_spark_sql_rewrites_duckdb_list_functions():
    sql, _ = engine.spark_sql("SELECT list_sum(list_slice(list_sort(list(v), 'DESC'), 1, CAST(? AS BIGINT))) FROM t",
                              [3])
    assert "LIST_" not in sql.upper() and "AGGREGATE(SLICE(SORT_ARRAY(COLLECT_LIST(v), FALSE), 1," in sql


def test_a_points_scheme_with_a_score_sheet_veto_scores_alike_on_spark(spark, tmp_path):
    """Awarded points and the veto column of a score sheet: Spark's result is DuckDB's, point for point."""
    from indicators.scheme.model import VETO_SERIES, scheme_from_dict
    from indicators.scoring import engine as duck
    from tests.conftest import make_db, station
    scheme = scheme_from_dict({"id": "q", "name_zh": "q", "name_en": "q", "weighting": "points", "dimensions": [
        {"id": "A", "name_zh": "甲", "name_en": "A", "indicators": [
            {"id": "A11", "name_zh": "甲1", "name_en": "A1", "camp": "output", "points": 40, "measure": {"kind": "value"}},
            {"id": "A12", "name_zh": "甲2", "name_en": "A2", "camp": "needs", "points": 60, "measure": {"kind": "value"},
             "scoring": {"rule": "bands", "steps": [[0.9, 60], [0.8, 40]], "else": 0}}]}]})

    def row(sid, code, value, note=None):
        return {"station_id": sid, "indicator_id": code, "period_start": "2024-01-01", "period_end": "2024-12-31",
                "value": value, "source": "score_sheet", "note": note}
    con = make_db(tmp_path / "p.duckdb", {"stations": [station("S1"), station("S2")], "indicator_values": [
        row("S1", "A11", 38.5), row("S1", "A12", 0.92), row("S2", "A11", 40), row("S2", "A12", 0.85),
        row("S1", VETO_SERIES, 1, "发生重大安全责任事故")]})
    export_parquet(con, tmp_path / "records")
    period = Period(date(2024, 1, 1), date(2024, 12, 31))
    want = duck.score(con, scheme, period)
    con.close()
    engine.open_records(spark, str(tmp_path / "records"))
    got = engine.score(spark, scheme, period)
    assert got.points_earned.to_dict() == want.points_earned.to_dict() == {"S1": 98.5, "S2": 80.0}
    assert got.veto.to_dict() == want.veto.to_dict() == {"S1": "发生重大安全责任事故", "S2": ""}
    assert got.rank.to_dict() == want.rank.to_dict() == {"S1": 2, "S2": 1}
