"""Read-only queries the app shows directly (Records page, the sidebar frame, needs for weighting).

Parameterised SQL only: values reach DuckDB as `?` parameters; the only names spliced into SQL
text are our own table and column names from `records` (never user text). Every result is
materialised (`.df()` / `.fetchall()`) before it is returned. No streamlit here.
"""
from __future__ import annotations

from datetime import date
from typing import Sequence

import duckdb
import pandas as pd

from indicators.scoring.measures import Period
from indicators.records.store import PERIOD_COLUMN, TABLES, get_meta

SUMMARY_COLUMNS = ("station_id", "name", "name_en", "district", "street", "profile", "population",
                   "activities", "photos", "headcount", "needs_raised", "needs_resolved",
                   "residents_reached", "spending")


def meta_kind(con: duckdb.DuckDBPyConnection) -> str | None:
    """The database's kind ("demo" for the synthetic demo), or None."""
    return get_meta(con, "kind")


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per record table; a table the database predates (e.g. indicator_values) counts 0."""
    cur = con.cursor()
    have = {r[0] for r in cur.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
    return {t: int(cur.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0]) if t in have else 0 for t in TABLES}


def table_date_ranges(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per dated table: the date column, the number of rows, the first and last date."""
    cur = con.cursor()
    rows = []
    for table, column in PERIOD_COLUMN.items():
        n, lo, hi = cur.execute(f'SELECT count(*), min("{column}"), max("{column}") FROM "{table}"').fetchall()[0]
        rows.append({"table": table, "column": column, "rows": int(n), "first": lo, "last": hi})
    return pd.DataFrame(rows)


def date_range(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """The first and last date over every dated table (None, None when there are no records)."""
    df = table_date_ranges(con)
    lo, hi = df["first"].dropna(), df["last"].dropna()
    return (min(lo) if len(lo) else None, max(hi) if len(hi) else None)


def last_year(lo: date | None, hi: date | None) -> tuple[date | None, date | None]:
    """The last year of records that run from `lo` to `hi` (all of them when they span less): the period an
    assessment takes when none is asked for, on any engine."""
    if lo is None or hi is None:
        return lo, hi
    year = (pd.Timestamp(hi) - pd.DateOffset(years=1) + pd.Timedelta(days=1)).date()
    return max(lo, year), hi


def default_period(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None, date | None, date | None]:
    """(default start, default end, first date, last date) of the records, for the app and the command line alike.
    The default is the records' last year (an assessment is yearly; earlier years are what figures such as "new this
    period" look back on). A database whose only dated data are indicator_values (score sheets) defaults to their
    latest period, not to today (where every value is missing)."""
    lo, hi = date_range(con)
    if lo is not None or hi is not None:
        return (*last_year(lo, hi), lo, hi)
    periods = value_periods(con)
    if not periods:
        return None, None, None, None
    start, end, _ = periods[0]   # latest first
    return start, end, min(p[0] for p in periods), max(p[1] for p in periods)


def value_periods(con: duckdb.DuckDBPyConnection, series: Sequence[str] = ()) -> list[tuple[date, date, int]]:
    """The periods indicator_values holds values for, (start, end, rows), latest first; only `series` when given.
    What to offer when a chosen period holds none of a scheme's values."""
    where, params = ("WHERE indicator_id IN (SELECT unnest(?))", [list(series)]) if series else ("", [])
    try:
        rows = con.cursor().execute(
            f"SELECT period_start, period_end, count(*) FROM indicator_values {where} "
            "GROUP BY period_start, period_end ORDER BY period_end DESC, period_start DESC", params).fetchall()
    except duckdb.CatalogException:   # a database made before indicator_values existed
        return []
    return [(a, b, int(n)) for a, b, n in rows]


def distinct_values(con: duckdb.DuckDBPyConnection, table: str, column: str) -> list[str]:
    """Sorted distinct non-null values of one known column (the names are checked against TABLES)."""
    if table not in TABLES or column not in TABLES[table]:
        raise KeyError(f"{table}.{column}")
    rows = con.cursor().execute(
        f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM "{table}" WHERE "{column}" IS NOT NULL ORDER BY 1'
    ).fetchall()
    return [r[0] for r in rows]


_SUMMARY_SQL = """
WITH a AS (
    SELECT station_id, count(*) AS activities, coalesce(sum(photos), 0) AS photos,
           coalesce(sum(headcount), 0) AS headcount
    FROM activities WHERE held_on BETWEEN ? AND ? GROUP BY station_id),
n AS (
    SELECT station_id, count(*) AS needs_raised, count(*) FILTER (WHERE status = 'resolved') AS needs_resolved
    FROM needs WHERE raised_on BETWEEN ? AND ? GROUP BY station_id),
r AS (
    SELECT ac.station_id, count(DISTINCT t.resident_id) AS residents_reached
    FROM attendance t JOIN activities ac ON ac.activity_id = t.activity_id
    WHERE ac.held_on BETWEEN ? AND ? GROUP BY ac.station_id),
e AS (
    SELECT station_id, coalesce(sum(amount), 0) AS spending
    FROM expenditures WHERE spent_on BETWEEN ? AND ? GROUP BY station_id)
SELECT s.station_id, s.name, s.name_en, s.district, s.street, s.profile, s.population,
       coalesce(a.activities, 0) AS activities, coalesce(a.photos, 0) AS photos,
       coalesce(a.headcount, 0) AS headcount,
       coalesce(n.needs_raised, 0) AS needs_raised, coalesce(n.needs_resolved, 0) AS needs_resolved,
       coalesce(r.residents_reached, 0) AS residents_reached, coalesce(e.spending, 0) AS spending
FROM stations s
LEFT JOIN a ON a.station_id = s.station_id
LEFT JOIN n ON n.station_id = s.station_id
LEFT JOIN r ON r.station_id = s.station_id
LEFT JOIN e ON e.station_id = s.station_id
WHERE (CAST(? AS VARCHAR[]) IS NULL OR list_contains(CAST(? AS VARCHAR[]), s.district))
  AND (CAST(? AS VARCHAR[]) IS NULL OR list_contains(CAST(? AS VARCHAR[]), s.profile))
ORDER BY s.station_id
"""


def station_summary(con: duckdb.DuckDBPyConnection, period: Period = Period(),
                    districts: Sequence[str] | None = None,
                    profiles: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per station for the period: activities, photos, reported head-count, needs raised and
    resolved, distinct residents reached, spending. `districts` / `profiles`: None or empty = all."""
    d = list(districts) if districts else None
    p = list(profiles) if profiles else None
    params = period.params() * 4 + [d, d, p, p]
    df = con.cursor().execute(_SUMMARY_SQL, params).df()
    for col in ("activities", "photos", "headcount", "needs_raised", "needs_resolved", "residents_reached"):
        df[col] = df[col].astype("int64")
    df["spending"] = df["spending"].astype(float)
    return df[list(SUMMARY_COLUMNS)]


def needs_in_period(con: duckdb.DuckDBPyConnection, period: Period = Period()) -> pd.DataFrame:
    """The needs register for the period, the input of needs-derived weights."""
    return con.cursor().execute(
        "SELECT need_id, station_id, category, urgency, households_affected, status "
        "FROM needs WHERE raised_on BETWEEN ? AND ? ORDER BY need_id", period.params()).df()


def saved_schemes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Schemes saved in the database: scheme_id, yaml, saved_at, saved_by (empty if none were saved)."""
    try:
        return con.cursor().execute(
            "SELECT scheme_id, yaml, saved_at, saved_by FROM schemes ORDER BY scheme_id").df()
    except duckdb.CatalogException:
        return pd.DataFrame({"scheme_id": [], "yaml": [], "saved_at": [], "saved_by": []})
