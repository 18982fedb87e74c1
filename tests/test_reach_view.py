"""The station reach view's pieces without a browser: the monthly new/returning/coverage table by hand on a tiny
database, the figures table (shares, counts, why missing) and the chart as a value (`to_dict()`), zh and en."""
from __future__ import annotations

import math
from datetime import date

import pytest

from indicators.i18n import t
from indicators.outputs import reach
from indicators.records.reach import monthly_reach
from indicators.scoring.measures import load_stations
from tests.test_reach_measures import PERIOD, ROWS


def test_monthly_reach_by_hand(tiny):
    con = tiny(ROWS)
    m = monthly_reach(con, "S1", PERIOD)
    # April: R3 comes for the first time, R1 (first seen in January) returns, twice in the month but once here;
    # May: R1, R2 (seen in 2023) and R7 return; June: R4 is new, R3 returns. R5 comes in July, after the period.
    assert [str(x) for x in m["month"]] == ["2024-04-01", "2024-05-01", "2024-06-01"]
    assert list(m["new"]) == [1, 0, 1] and list(m["returning"]) == [1, 3, 1]
    # priority groups at S1: R1, R3, R5, R6, R8; R1 and R3 reached in April, nobody else later
    assert list(m["priority_reached"]) == [2, 2, 2] and set(m["priority_registered"]) == {5}
    assert list(m["priority_coverage"]) == pytest.approx([0.4, 0.4, 0.4])


def test_monthly_reach_of_a_station_without_attendance_or_register(tiny):
    con = tiny(ROWS)
    assert monthly_reach(con, "S3", PERIOD).empty
    m = monthly_reach(con, "S2", PERIOD)
    assert list(m["new"]) == [1, 1] and list(m["returning"]) == [0, 1]   # R21 in April; R22 new, R21 back in May


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_table_gives_shares_counts_and_why_missing(tiny, lang):
    con = tiny(ROWS)
    figs = reach.station_figures(con, load_stations(con), PERIOD)
    s1 = reach.figures_table(figs, "S1", lang)
    assert list(s1["share"]) == ["40.0%", "60.0%", "20.0%", "60.0%"]
    assert s1.at["new", "counts"] == t("reach.counts.new", lang, count="2", of="5")
    assert s1.at["unreached", "better"] == t("reach.better.lower", lang) and (s1["note"] == "").all()
    s2 = reach.figures_table(figs, "S2", lang)   # attendees but no attendance before the period
    assert s2.at["new", "share"] == "—" and s2.at["new", "note"] == t("reach.why_no_history", lang)
    s3 = reach.figures_table(figs, "S3", lang)   # nobody came, nobody registered in a priority group
    assert s3.at["new", "note"] == t("reach.why_empty.new", lang)
    assert s3.at["unreached", "note"] == t("reach.why_empty.unreached", lang)
    assert math.isnan(figs.at["S3", ("returning", "share")])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reach_chart_is_bars_of_new_and_returning_and_a_coverage_line(tiny, lang):
    con = tiny(ROWS)
    spec = reach.reach_chart(monthly_reach(con, "S1", PERIOD), lang).to_dict()
    bars, line = spec["layer"]
    assert spec["title"]["text"] == t("reach.chart.title", lang)
    assert spec["resolve"]["scale"]["y"] == "independent"
    assert bars["mark"]["type"] == "bar" and line["mark"]["type"] == "line"
    assert bars["encoding"]["color"]["scale"]["domain"] == [t("reach.chart.new", lang),
                                                            t("reach.chart.returning", lang)]
    values = spec["datasets"][bars["data"]["name"]]
    got = {(v["month"], v["kind"]): v["attendees"] for v in values}
    assert got[("2024-05", t("reach.chart.returning", lang))] == 3 and got[("2024-05", t("reach.chart.new", lang))] == 0
    assert line["encoding"]["y"]["scale"]["domain"] == [0, 1]
    cover = spec["datasets"][line["data"]["name"]]
    assert [v["priority_coverage"] for v in cover] == pytest.approx([0.4, 0.4, 0.4])
