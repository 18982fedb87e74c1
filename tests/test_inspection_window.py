"""days_to_next_inspection by the window table equals the ASOF join it replaced, on any activities and inspections
(same-day inspections, activities on an inspection day, before the first and after the last inspection)."""
from __future__ import annotations

from datetime import date, timedelta

import duckdb
from hypothesis import given, settings, strategies as st

from indicators.records.store import create_schema
from indicators.scoring.measures import Period, _relation_sql

DAY0 = date(2024, 1, 1)
ASOF = ("SELECT a.activity_id, date_diff('day', a.held_on, i.inspected_on) FROM activities a ASOF LEFT JOIN "
        "inspections i ON a.station_id = i.station_id AND a.held_on <= i.inspected_on ORDER BY a.activity_id")

stations = st.sampled_from(["S1", "S2", "S3"])


@settings(max_examples=60, deadline=None)
@given(acts=st.lists(st.tuples(stations, st.integers(0, 60)), min_size=1, max_size=25),
       inspections=st.lists(st.tuples(stations, st.integers(0, 60)), max_size=12))
def test_window_table_equals_asof(acts, inspections):
    con = duckdb.connect()
    try:
        create_schema(con)
        for n, (sid, day) in enumerate(acts):
            con.execute("INSERT INTO activities (activity_id, station_id, held_on) VALUES (?, ?, ?)",
                        [f"A{n:03d}", sid, DAY0 + timedelta(days=day)])
        for n, (sid, day) in enumerate(inspections):
            con.execute("INSERT INTO inspections (inspection_id, station_id, inspected_on) VALUES (?, ?, ?)",
                        [f"I{n:03d}", sid, DAY0 + timedelta(days=day)])
        rel, n_period = _relation_sql("activities", {"days_to_next_inspection"})
        got = con.execute(f"SELECT activity_id, days_to_next_inspection FROM ({rel}) ORDER BY activity_id",
                          Period().params() * (n_period // 2)).fetchall()
        assert got == con.execute(ASOF).fetchall()
    finally:
        con.close()
