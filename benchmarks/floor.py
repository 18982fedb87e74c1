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

# One pass over attendance: the join to activities (station and day of each visit), one group per
# (station, resident), then per station the number of residents, the visits and the visits of the most
# frequent 10% (a sum of the k largest visit counts does not depend on how ties are ordered).
ATTENDANCE = """
WITH visits AS (
  SELECT a.station_id, t.resident_id, count(*) AS visits
  FROM attendance t JOIN activities a ON a.activity_id = t.activity_id
  WHERE a.held_on BETWEEN $start AND $end
  GROUP BY a.station_id, t.resident_id
)
SELECT station_id,
       count(resident_id) AS reached,
       sum(visits) AS visits,
       list_sum(list_slice(list_sort(list(visits), 'DESC'), 1, ceil(0.1 * count(*))::BIGINT)) AS top_visits
FROM visits GROUP BY station_id
"""

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

# needs-met's rotation indicators, written out by hand: per (station, resident) the first visit in the period and
# the last before it; per (station, resident, month) whether the month before was attended; registered residents
# in a priority group not seen in the period.
REACH = """
WITH v AS (
  SELECT a.station_id, t.resident_id, a.held_on
  FROM attendance t JOIN activities a ON a.activity_id = t.activity_id WHERE a.held_on <= $end
),
who AS (
  SELECT station_id, resident_id,
         min(held_on) FILTER (WHERE held_on >= $start) AS first_in,
         max(held_on) FILTER (WHERE held_on < $start) AS last_before
  FROM v GROUP BY station_id, resident_id
),
newness AS (
  SELECT station_id,
         count(first_in) AS attendees,
         count(*) FILTER (WHERE first_in IS NOT NULL AND last_before IS NULL) AS new,
         count(*) FILTER (WHERE first_in IS NOT NULL AND (last_before IS NULL OR first_in - last_before > 365))
           AS new_year,
         count(last_before) AS history
  FROM who GROUP BY station_id
),
months AS (
  SELECT DISTINCT station_id, resident_id, date_trunc('month', held_on) AS m FROM v WHERE held_on >= $start
),
back AS (
  SELECT x.station_id,
         count(*) FILTER (WHERE x.m > f.first_m) AS months,
         count(*) FILTER (WHERE x.m > f.first_m AND EXISTS (SELECT 1 FROM months y WHERE y.station_id = x.station_id
                          AND y.resident_id = x.resident_id AND y.m = x.m - INTERVAL 1 MONTH)) AS returning
  FROM months x JOIN (SELECT station_id, min(m) AS first_m FROM months GROUP BY station_id) f USING (station_id)
  GROUP BY x.station_id
),
listed AS (
  SELECT r.station_id, count(*) AS listed,
         count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM months y WHERE y.station_id = r.station_id
                          AND y.resident_id = r.resident_id)) AS unreached
  FROM residents r WHERE r.priority_group <> 'none' GROUP BY r.station_id
)
SELECT s.station_id, n.attendees, n.new, n.new_year, n.history, b.months, b.returning, l.listed, l.unreached
FROM stations s LEFT JOIN newness n USING (station_id) LEFT JOIN back b USING (station_id)
LEFT JOIN listed l USING (station_id)
"""
QUERIES = {"activities": ACTIVITIES_SEMI, "inspections": INSPECTIONS, "needs": NEEDS, "attendance": ATTENDANCE,
           "feedback": FEEDBACK, "expenditures": EXPENDITURES, "ratings": RATINGS, "reach": REACH}


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
               queries: dict[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """Run one grouped query per table; each frame is indexed by station_id."""
    params = {"start": start or FAR_PAST, "end": end or FAR_FUTURE}
    out = {}
    for table, sql in (queries or QUERIES).items():
        cur = con.cursor()
        out[table] = cur.execute(sql, params).df().set_index("station_id")
        cur.close()
    return out


def raw_floor(con, start: date | None = None, end: date | None = None,
              queries: dict[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """Raw values (stations x indicators) of photo-count and needs-met, NaN where the indicator has no data."""
    stations = con.cursor().execute("SELECT station_id, population FROM stations ORDER BY station_id").df()
    idx = pd.Index(stations["station_id"], name="station_id")
    pop = stations["population"].astype(float).to_numpy(copy=True)
    pop[pop <= 0] = np.nan
    agg = aggregates(con, start, end, queries)
    pos = {t: df.index.get_indexer(idx) for t, df in agg.items()}   # row per station, -1 if it has none

    def col(table: str, name: str, empty: float) -> np.ndarray:
        got = pd.to_numeric(agg[table][name], errors="coerce").astype(float).to_numpy()
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
    reach = lambda c: col("reach", c, 0.0)            # noqa: E731
    history = reach("history") > 0                   # newness needs attendance before the period
    needs = needs.assign(
        new_attendees=np.where(history, _div(reach("new"), reach("attendees")), np.nan),
        first_in_a_year=np.where(history, _div(reach("new_year"), reach("attendees")), np.nan),
        month_on_month_returning=_div(reach("returning"), reach("months")),
        priority_unreached=_div(reach("unreached"), reach("listed")))
    return {"photo-count": photo, "needs-met": needs}
