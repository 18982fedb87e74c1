"""The floor: the raw indicator values of both built-in schemes by hand-written DuckDB SQL.

Written independently of the engine (nothing from indicators.scoring.measures): one grouped pass per record table,
every aggregate that either scheme needs from that table in it, then the same arithmetic per station that
the indicators define. This is the fastest SQL we could write for these figures; the benchmark divides the
engine's time by this one (ratio_floor).

    raw_floor(con, start, end) -> {"photo-count": DataFrame, "needs-met": DataFrame}   # stations x indicators
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

FAR_PAST, FAR_FUTURE = date(1900, 1, 1), date(9999, 12, 31)

# With the ASOF join, as the engine computed days_to_next_inspection before its window table (kept for comparison;
# the semi-join below is faster and is the floor).
ACTIVITIES_ASOF = """
SELECT a.station_id,
       count(*)                                                    AS n,
       count(*) FILTER (WHERE a.kind IN ('community', 'publicity')) AS community,
       coalesce(sum(a.photos), 0)                                  AS photos,
       coalesce(sum(a.media_items), 0)                             AS media,
       coalesce(sum(a.headcount), 0)                               AS headcount,
       count(*) FILTER (WHERE a.need_id IS NOT NULL)               AS linked,
       count(*) FILTER (WHERE date_diff('day', a.held_on, i.inspected_on) <= 3) AS pre_inspection
FROM activities a
ASOF LEFT JOIN inspections i ON a.station_id = i.station_id AND a.held_on <= i.inspected_on
WHERE a.held_on BETWEEN $start AND $end
GROUP BY a.station_id
"""

# The same figures without the ASOF join: "the next inspection is at most 3 days away" is "some inspection of
# the station falls on held_on .. held_on + 3", a hash semi-join on (station, day) of 4 rows per inspection.
ACTIVITIES_SEMI = """
WITH near AS (
  SELECT DISTINCT station_id, inspected_on - d::INTEGER AS day
  FROM inspections, range(0, 4) r(d)
)
SELECT a.station_id,
       count(*)                                                    AS n,
       count(*) FILTER (WHERE a.kind IN ('community', 'publicity')) AS community,
       coalesce(sum(a.photos), 0)                                  AS photos,
       coalesce(sum(a.media_items), 0)                             AS media,
       coalesce(sum(a.headcount), 0)                               AS headcount,
       count(*) FILTER (WHERE a.need_id IS NOT NULL)               AS linked,
       count(*) FILTER (WHERE near.day IS NOT NULL)                AS pre_inspection
FROM activities a
LEFT JOIN near ON near.station_id = a.station_id AND near.day = a.held_on
WHERE a.held_on BETWEEN $start AND $end
GROUP BY a.station_id
"""

INSPECTIONS = """
SELECT station_id, coalesce(sum(prep_hours), 0) AS prep_hours
FROM inspections WHERE inspected_on BETWEEN $start AND $end GROUP BY station_id
"""

NEEDS = """
SELECT station_id,
       count(*) FILTER (WHERE urgency >= 4 AND status = 'resolved')                        AS urgent_resolved,
       count(*) FILTER (WHERE urgency >= 4)                                                AS urgent,
       coalesce(sum(urgency * households_affected) FILTER (WHERE status = 'resolved'), 0)  AS weighted_resolved,
       coalesce(sum(urgency * households_affected), 0)                                     AS weighted,
       median(date_diff('day', raised_on, resolved_on)) FILTER (WHERE status = 'resolved') AS days_to_resolve,
       count(*) FILTER (WHERE category IN ('elderly_care', 'disability_support') AND status = 'resolved')
                                                                                           AS care_resolved,
       count(*) FILTER (WHERE category IN ('elderly_care', 'disability_support'))          AS care,
       count(*) FILTER (WHERE category IN ('housing_repair', 'accessibility') AND status = 'resolved')
                                                                                           AS home_resolved,
       count(*) FILTER (WHERE category IN ('housing_repair', 'accessibility'))             AS home,
       count(*) FILTER (WHERE category IN ('child_care', 'employment') AND status = 'resolved')
                                                                                           AS family_resolved,
       count(*) FILTER (WHERE category IN ('child_care', 'employment'))                    AS family,
       count(*) FILTER (WHERE category IN ('neighbour_dispute', 'health') AND status = 'resolved')
                                                                                           AS neighbourhood_resolved,
       count(*) FILTER (WHERE category IN ('neighbour_dispute', 'health'))                 AS neighbourhood
FROM needs WHERE raised_on BETWEEN $start AND $end GROUP BY station_id
"""

# Everything either scheme reads from attendance, in one pass over it: the join to activities, one group per
# (station, resident) holding the visits in the period, the first of them, the last visit before the period and
# the months of the period attended as the bits of a HUGEINT (month k after the period's first month with an
# activity is bit k: 125 months fit). From those rows, materialised once: per station the residents reached, the
# visits and those of the most frequent 10% (a sum of the k largest visit counts does not depend on how ties are
# ordered), the new attendees, the resident-months after the station's first month and those whose month before
# was attended too (a set bit whose neighbour is set: bit_count(m & (m >> 1))), and the registered priority-group
# residents with no visit.
ATTENDANCE = """
WITH a AS (
  SELECT activity_id, station_id, held_on,
         CASE WHEN held_on >= $start THEN 1::HUGEINT << (year(held_on) * 12 + month(held_on) - $first_month)::HUGEINT
         END AS month_bit
  FROM activities WHERE held_on <= $end
),
per AS MATERIALIZED (
  SELECT a.station_id, t.resident_id,
         count(month_bit) AS visits,
         min(held_on) FILTER (WHERE held_on >= $start) AS first_in,
         max(held_on) FILTER (WHERE held_on < $start) AS last_before,
         bit_or(month_bit) AS months
  FROM attendance t JOIN a ON a.activity_id = t.activity_id
  GROUP BY a.station_id, t.resident_id
),
opening AS (SELECT station_id, date_trunc('month', min(first_in)) AS first_m FROM per GROUP BY station_id),
by_station AS (
  SELECT p.station_id,
         count(*) FILTER (WHERE visits > 0) AS reached,
         sum(visits) AS visits,
         list_sum(list_slice(list_sort(list(visits) FILTER (WHERE visits > 0), 'DESC'), 1,
                             ceil(0.1 * count(*) FILTER (WHERE visits > 0))::BIGINT)) AS top_visits,
         count(first_in) AS attendees,
         count(*) FILTER (WHERE first_in IS NOT NULL AND last_before IS NULL) AS new,
         count(*) FILTER (WHERE first_in IS NOT NULL AND (last_before IS NULL OR first_in - last_before > 365))
           AS new_year,
         count(last_before) AS history,
         coalesce(sum(bit_count(months)), 0)
           - count(*) FILTER (WHERE date_trunc('month', first_in) = o.first_m) AS months,
         coalesce(sum(bit_count(months & (months >> 1))), 0) AS returning
  FROM per p JOIN opening o ON o.station_id = p.station_id GROUP BY p.station_id
),
listed AS (
  SELECT r.station_id, count(*) AS listed, count(*) FILTER (WHERE coalesce(p.visits, 0) = 0) AS unreached
  FROM residents r LEFT JOIN per p ON p.station_id = r.station_id AND p.resident_id = r.resident_id
  WHERE r.priority_group <> 'none' GROUP BY r.station_id
)
SELECT s.station_id, b.* EXCLUDE (station_id), l.listed, l.unreached
FROM stations s LEFT JOIN by_station b ON b.station_id = s.station_id
LEFT JOIN listed l ON l.station_id = s.station_id
"""
# Months a HUGEINT holds (bits 0..125: one spare below the sign, so that no shift overflows).
MONTH_BITS = 126

FEEDBACK = """
SELECT station_id,
       avg(CASE need_met WHEN 'yes' THEN 100.0 WHEN 'no' THEN 0.0 END)
         FILTER (WHERE channel IN ('council', 'evaluation_meeting'))                    AS need_met_votes,
       avg(CASE rating WHEN 1 THEN 0.0 WHEN 2 THEN 25.0 WHEN 3 THEN 50.0 WHEN 4 THEN 75.0 WHEN 5 THEN 100.0 END)
                                                                                         AS satisfaction
FROM feedback WHERE given_on BETWEEN $start AND $end GROUP BY station_id
"""

EXPENDITURES = """
SELECT station_id,
       coalesce(sum(amount) FILTER (WHERE need_id IS NOT NULL), 0)           AS linked,
       coalesce(sum(amount) FILTER (WHERE category = 'image_project'), 0)     AS image,
       coalesce(sum(amount), 0)                                              AS total
FROM expenditures WHERE spent_on BETWEEN $start AND $end GROUP BY station_id
"""

RATINGS = """
SELECT station_id,
       avg(CASE level WHEN '优' THEN 100.0 WHEN '良' THEN 80.0 WHEN '中' THEN 60.0 WHEN '差' THEN 40.0 END)
         FILTER (WHERE indicator_id = 'professional_quality') AS quality
FROM ratings WHERE rated_on BETWEEN $start AND $end GROUP BY station_id
"""

QUERIES = {"activities": ACTIVITIES_SEMI, "inspections": INSPECTIONS, "needs": NEEDS, "attendance": ATTENDANCE,
           "feedback": FEEDBACK, "expenditures": EXPENDITURES, "ratings": RATINGS}


# The yardstick of issue 21: the least any scheme must read. Per (station, resident) the first visit, the last
# visit and the number of visits over attendance joined to activities (every row up to the period's end), and one
# grouped pass per station over each other table. Both built-in schemes together should cost at most 2.5 times this.
ONE_PASS = ["""
SELECT a.station_id, t.resident_id, min(a.held_on) AS first_on, max(a.held_on) AS last_on, count(*) AS visits
FROM attendance t JOIN activities a ON a.activity_id = t.activity_id WHERE a.held_on <= $end
GROUP BY a.station_id, t.resident_id
"""] + [f"SELECT station_id, count(*) AS n, min({day}) AS first_on, max({day}) AS last_on FROM {table} "
        "GROUP BY station_id"
        for table, day in (("activities", "held_on"), ("needs", "raised_on"), ("inspections", "inspected_on"),
                           ("feedback", "given_on"), ("expenditures", "spent_on"), ("ratings", "rated_on"))] + [
    "SELECT station_id, count(*) AS n FROM residents GROUP BY station_id"]


def one_pass(con, end: date | None = None) -> int:
    """Run the ONE_PASS queries (results fetched, as the engine fetches its own); the rows they return."""
    rows = 0
    for sql in ONE_PASS:
        cur = con.cursor()
        rows += len(cur.execute(sql, {"end": end or FAR_FUTURE} if "$end" in sql else {}).fetchall())
        cur.close()
    return rows


# needs-met's "needs by category" indicators: <group>_needs_resolved over these categories
NEED_GROUPS = {"care": ("elderly_care", "disability_support"), "home": ("housing_repair", "accessibility"),
               "family": ("child_care", "employment"), "neighbourhood": ("neighbour_dispute", "health")}


def _div(num, den) -> np.ndarray:
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den
    out[~np.isfinite(out)] = np.nan
    return out


def aggregates(con, start: date | None = None, end: date | None = None,
               queries: dict[str, str] | None = None) -> dict[str, dict[str, np.ndarray]]:
    """Run one grouped query per table; each its columns as NumPy arrays (NULL masked), the cheapest fetch of a
    small result: a DataFrame per query cost more than some of these queries at 130 stations."""
    params = {"start": start or FAR_PAST, "end": end or FAR_FUTURE}
    # the period's first and last month with an activity: bit 0 and the highest bit of the month masks
    lo, hi = con.execute("SELECT year(min(held_on)) * 12 + month(min(held_on)), year(max(held_on)) * 12 + "
                         "month(max(held_on)) FROM activities WHERE held_on BETWEEN $start AND $end",
                         params).fetchone()
    if lo is not None and hi - lo >= MONTH_BITS:
        raise ValueError(f"the floor holds {MONTH_BITS} months of a period; this one spans {hi - lo + 1}")
    out = {}
    for table, sql in (queries or QUERIES).items():
        cur = con.cursor()
        mine = {k: v for k, v in {**params, "first_month": lo or 0}.items() if f"${k}" in sql}
        out[table] = cur.execute(sql, mine).fetchnumpy()
        cur.close()
    return out


def raw_floor(con, start: date | None = None, end: date | None = None,
              queries: dict[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """Raw values (stations x indicators) of photo-count and needs-met, NaN where the indicator has no data."""
    stations = con.cursor().execute("SELECT station_id, population FROM stations ORDER BY station_id").fetchnumpy()
    idx = pd.Index(stations["station_id"], name="station_id")
    pop = np.ma.filled(np.ma.asarray(stations["population"]).astype(float), np.nan)
    pop[pop <= 0] = np.nan
    agg = aggregates(con, start, end, queries)
    pos = {t: pd.Index(got["station_id"]).get_indexer(idx) for t, got in agg.items()}   # row per station, -1: none

    def col(table: str, name: str, empty: float) -> np.ndarray:
        got = np.ma.filled(np.ma.asarray(agg[table][name]).astype(float), np.nan)
        if not np.isnan(empty):   # a count or sum over no rows (a station listed by a LEFT JOIN): `empty`
            got = np.nan_to_num(got, nan=empty)
        v = np.full(len(idx), empty)
        p = pos[table]
        v[p >= 0] = got[p[p >= 0]]                 # a station with no rows in the table keeps `empty`
        return v

    act = lambda c: col("activities", c, 0.0)          # noqa: E731
    photo = pd.DataFrame({
        "activities_held": act("n"),
        "community_events": act("community"),
        "photos": act("photos"),
        "media_items": act("media"),
        "headcount_reported": _div(act("headcount") * 1000.0, pop),
        "inspection_prep_hours": col("inspections", "prep_hours", 0.0),
    }, index=idx)
    needs = pd.DataFrame({
        "urgent_needs_resolved": _div(col("needs", "urgent_resolved", 0.0), col("needs", "urgent", 0.0)),
        "weighted_needs_met": _div(col("needs", "weighted_resolved", 0.0), col("needs", "weighted", 0.0)),
        "days_to_resolve": col("needs", "days_to_resolve", np.nan),
        **{f"{g}_needs_resolved": _div(col("needs", f"{g}_resolved", 0.0), col("needs", g, 0.0))
           for g in NEED_GROUPS},
        "residents_reached": _div(col("attendance", "reached", 0.0) * 1000.0, pop),
        "repeat_attendance": _div(col("attendance", "top_visits", 0.0), col("attendance", "visits", 0.0)),
        "need_met_votes": col("feedback", "need_met_votes", np.nan),
        "satisfaction": col("feedback", "satisfaction", np.nan),
        "need_linked_activities": _div(act("linked"), act("n")),
        "pre_inspection_activities": _div(act("pre_inspection"), act("n")),
        "spending_on_needs": _div(col("expenditures", "linked", 0.0), col("expenditures", "total", 0.0)),
        "image_project_spending": _div(col("expenditures", "image", 0.0), col("expenditures", "total", 0.0)),
        "professional_quality": col("ratings", "quality", np.nan),
    }, index=idx)
    reach = lambda c: col("attendance", c, 0.0)       # noqa: E731
    history = reach("history") > 0                   # newness needs attendance before the period
    needs = needs.assign(
        new_attendees=np.where(history, _div(reach("new"), reach("attendees")), np.nan),
        first_in_a_year=np.where(history, _div(reach("new_year"), reach("attendees")), np.nan),
        month_on_month_returning=_div(reach("returning"), reach("months")),
        priority_unreached=_div(reach("unreached"), reach("listed")))
    return {"photo-count": photo, "needs-met": needs}
