"""Run the compiled measures on Spark: the engine's grouped queries, transpiled to Spark SQL, over Parquet or catalog tables.

Only the raw matrix (stations x indicators) is computed on the cluster. Normalisation, weights, gates, grades,
comparison and audit run on the driver on that small matrix, by the same code as for DuckDB (`engine.score_raw`).

    spark = session("local[2]")                    # or "spark://host:7077", "yarn", ...
    open_records(spark, "/data/records")         # <table>.parquet or <table>/ per table (export-records)
    result = score(spark, scheme, Period(...))     # an engine.ScoreResult, as engine.score gives
"""
from __future__ import annotations

import os
import re
import shutil
import warnings
from pathlib import Path
from typing import Sequence

import pandas as pd
import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

from indicators.errors import InputError
from indicators.records.store import PERIOD_COLUMN, TABLES
from indicators.scheme.model import Scheme
from indicators.scoring.engine import EmptyRecords, ScoreResult, _awarded_plans, _paths, score_raw, sheet_vetoes, vetoes_of
from indicators.scoring.measures import Period, Plan, check_indicators, raw_values as _raw_values

# A database in the Spark catalog: `db` or `catalog.db` (checked, then passed to spark.table, never into SQL).
_CATALOG = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")
STATIONS_SQL = "SELECT station_id, name, name_en, district, street, population, profile FROM stations ORDER BY station_id"


class SparkUnavailable(InputError):
    """Spark cannot run here (no pyspark, no Java, or the master cannot be reached): the message says what to install."""


class RecordsNotFound(InputError):
    """--records names no readable record tables: the message names the place and the missing table or column."""


def unavailable() -> str | None:
    """Why Spark cannot start on this machine (no pyspark, no Java), or None when it can try."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install -r requirements-spark.txt)"
    home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (home and Path(home, "bin", "java").exists()):
        return "no Java runtime (Spark needs Java 17 or later: apt-get install default-jre-headless)"
    return None


def session(master: str = "local[2]", app_name: str = "indicators"):
    """A Spark session on `master`; local masters get few shuffle partitions (the data is one machine's)."""
    reason = unavailable()
    if reason:
        raise SparkUnavailable(f"the Spark engine cannot start: {reason}")
    with warnings.catch_warnings():   # pyspark warns about pandas 3 on import; we never hand it pandas frames
        warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
        from pyspark.sql import SparkSession

    builder = (SparkSession.builder.master(master).appName(app_name)
               .config("spark.sql.session.timeZone", "UTC")   # dates become timestamps at UTC midnight: whole days
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false"))
    if master.startswith("local"):
        builder = builder.config("spark.sql.shuffle.partitions", "4")
    try:
        spark = builder.getOrCreate()
    except Exception as exc:   # the JVM did not start, or the master refused us
        raise SparkUnavailable(f"the Spark engine cannot start on master {master!r}: {exc}") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _read_parquet(spark, root: str, table: str):
    """One table from `<root>/<table>.parquet` or the folder `<root>/<table>/` (Hive-style partitions allowed)."""
    from pyspark.errors import AnalysisException

    for path in (f"{root}/{table}.parquet", f"{root}/{table}"):
        if "://" not in root and not Path(path).exists():
            continue
        try:
            return spark.read.parquet(path)
        except AnalysisException:
            continue
    raise RecordsNotFound(f"{root}: no {table}.parquet file or {table}/ folder of Parquet files "
                          "(write them with: python -m indicators export-records --format parquet)")


def date_range(spark) -> tuple:
    """The first and last date over every dated table of the opened records (None, None when there are none), as
    records.queries.date_range reads a DuckDB file: one small aggregate query over the session's views."""
    parts = " UNION ALL ".join(f"SELECT min({c}) AS lo, max({c}) AS hi FROM {t}" for t, c in PERIOD_COLUMN.items())
    lo, hi = spark.sql(f"SELECT min(lo), max(hi) FROM ({parts})").collect()[0]
    return lo, hi


def open_records(spark, records: str) -> None:
    """Make every record table a temporary view of the session, named as in the schema, with the schema's columns.

    `records` is a folder of Parquet files (a local path, or a URI such as hdfs://… or s3a://… that every
    executor can read), or the name of a database in the Spark catalog (`db` or `catalog.db`)."""
    from pyspark.errors import AnalysisException

    text = str(records).rstrip("/")
    if "://" in text or Path(text).is_dir():
        root = text if "://" in text else str(Path(text).resolve())
        read = lambda table: _read_parquet(spark, root, table)   # noqa: E731
    elif _CATALOG.fullmatch(text):
        def read(table):
            try:
                return spark.table(f"{text}.{table}")
            except AnalysisException:
                raise RecordsNotFound(f"--records {text}: no table {text}.{table} in the Spark catalog") from None
    else:
        raise RecordsNotFound(f"--records {records}: not a folder of Parquet files nor a database name in the "
                              "Spark catalog")
    for table, columns in TABLES.items():
        frame = read(table)
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise RecordsNotFound(f"--records {records}: table {table} lacks the column(s) {', '.join(missing)}")
        frame.select(*columns).createOrReplaceTempView(table)


_SUM_OF_ARRAY = "AGGREGATE(__array, CAST(0 AS BIGINT), (acc, x) -> acc + x)"


def _spark_lists(node: exp.Expression) -> exp.Expression:
    """DuckDB list functions that sqlglot leaves as they are, in Spark's words."""
    if isinstance(node, exp.Anonymous) and node.name.lower() == "list_sum":
        template = sqlglot.parse_one(_SUM_OF_ARRAY, read="spark")
        template.find(exp.Column).replace(node.expressions[0].transform(_spark_lists))
        return template
    if isinstance(node, exp.Anonymous) and node.name.lower() == "list_slice":
        array, start, length = node.expressions
        return exp.Anonymous(this="SLICE", expressions=[array, start, exp.cast(length, exp.DataType.Type.INT)])
    return node


def spark_sql(sql: str, params: Sequence) -> tuple[str, dict]:
    """DuckDB SQL with `?` parameters -> Spark SQL with named parameters :p0, :p1, … and their values.

    The values stay parameters. They are named before transpiling, so a function whose arguments Spark orders
    differently cannot pair a value with the wrong place."""
    marks = [t for t in sqlglot.tokenize(sql, read="duckdb") if t.token_type == TokenType.PLACEHOLDER]
    if len(marks) != len(params):
        raise ValueError(f"{len(marks)} parameter marks for {len(params)} values")
    named = sql
    for n, mark in reversed(list(enumerate(marks))):
        named = f"{named[:mark.start]}:p{n}{named[mark.end + 1:]}"
    tree = sqlglot.parse_one(named, read="duckdb").transform(_spark_lists)
    return tree.sql(dialect="spark"), {f"p{n}": v for n, v in enumerate(params)}


def _frame(result) -> pd.DataFrame:
    """A small Spark result as pandas, row by row: one row per station, so no Arrow (and no pandas-version
    coupling) is needed."""
    return pd.DataFrame.from_records([tuple(r) for r in result.collect()], columns=result.columns)


def _run(spark, sql: str, params: Sequence) -> pd.DataFrame:
    text, args = spark_sql(sql, params)
    with warnings.catch_warnings():   # its pandas-3 warning again, when the parameters become literals
        warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
        return _frame(spark.sql(text, args=args))


def load_stations(spark) -> pd.DataFrame:
    return _frame(spark.sql(STATIONS_SQL)).set_index("station_id")


def raw_values(spark, plans: dict[str, Plan], stations: pd.DataFrame, period: Period = Period(),
               may_be_absent=frozenset()) -> pd.DataFrame:
    """The engine's raw matrix (stations x indicators), its grouped queries run on Spark."""
    return _raw_values(None, plans, stations, period, run=lambda sql, params: _run(spark, sql, params),
                       may_be_absent=may_be_absent)


def score(spark, scheme: Scheme, period: Period = Period(), source: str | None = None) -> ScoreResult:
    """Score every station of the open records: raw values on Spark, every later stage as engine.score."""
    plans = check_indicators(scheme.indicators, source, _paths(scheme))
    stations = load_stations(spark)
    if stations.empty:
        raise EmptyRecords("the records hold no stations")
    vetoes = None
    if scheme.weighting == "points":
        try:
            vetoes = vetoes_of(sheet_vetoes(None, period, run=lambda sql, params: _run(spark, sql, params)), scheme)
        except Exception as exc:   # records without an indicator_values table: no score sheet, no veto
            if "TABLE_OR_VIEW_NOT_FOUND" not in str(exc):
                raise
    awarded = frozenset(i for i in _awarded_plans([scheme]) for i in [i.split("\0", 1)[1]])
    return score_raw(scheme, raw_values(spark, plans, stations, period, awarded), stations, period, vetoes)
