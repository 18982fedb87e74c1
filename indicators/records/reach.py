"""Who one station's services reach, month by month: new and returning attendees, and priority-group coverage."""
from __future__ import annotations

import duckdb
import pandas as pd

from indicators.scoring.measures import Period

# Fixed text; the station and the period reach DuckDB as parameters. A resident is new in the month of their
# first attendance at the station in the records, returning in every later month they come.
_MONTHLY_SQL = """
WITH visits AS (
    SELECT t.resident_id, a.held_on FROM attendance t JOIN activities a ON a.activity_id = t.activity_id
    WHERE a.station_id = ? AND a.held_on <= ?),
firsts AS (SELECT resident_id, date_trunc('month', min(held_on)) AS first_month FROM visits GROUP BY resident_id),
months AS (SELECT DISTINCT resident_id, date_trunc('month', held_on) AS month FROM visits WHERE held_on >= ?),
reached AS (
    SELECT v.resident_id, date_trunc('month', min(v.held_on)) AS month FROM visits v
    JOIN residents r ON r.resident_id = v.resident_id AND r.station_id = ? AND r.priority_group <> 'none'
    WHERE v.held_on >= ? GROUP BY v.resident_id)
SELECT m.month,
       count(*) FILTER (WHERE f.first_month = m.month) AS new,
       count(*) FILTER (WHERE f.first_month < m.month) AS returning,
       (SELECT count(*) FROM reached x WHERE x.month = m.month) AS priority_first_reached
FROM months m JOIN firsts f USING (resident_id) GROUP BY m.month ORDER BY m.month
"""


def monthly_reach(con: duckdb.DuckDBPyConnection, station_id: str, period: Period = Period()) -> pd.DataFrame:
    """One row per month of the period with attendance at the station: `month` (its first day), `new`,
    `returning` (attendees, each once a month), `priority_reached` (priority-group residents of the station
    reached so far in the period), `priority_registered` and `priority_coverage` (their share; NaN without any
    registered)."""
    start, end = period.params()
    cur = con.cursor()
    df = cur.execute(_MONTHLY_SQL, [station_id, end, start, station_id, start]).df()
    registered = cur.execute("SELECT count(*) FROM residents WHERE station_id = ? AND priority_group <> 'none'",
                             [station_id]).fetchall()[0][0]
    df["month"] = pd.to_datetime(df["month"]).dt.date
    for col in ("new", "returning", "priority_first_reached"):
        df[col] = df[col].astype(int)
    df["priority_reached"] = df.pop("priority_first_reached").cumsum()
    df["priority_registered"] = int(registered)
    df["priority_coverage"] = df["priority_reached"] / registered if registered else float("nan")
    return df
