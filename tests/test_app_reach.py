"""The Scores page's reach block (who a station's services reach) through AppTest, in Chinese and English: the four
figures with the counts they come from, for the station picked and the period chosen, and the missing ones said."""
from __future__ import annotations

from datetime import date

import duckdb
import pytest

from indicators.i18n import pick, t
from indicators.outputs import reach
from indicators.scheme import catalog
from indicators.scheme.model import REACH_KINDS
from indicators.scoring.measures import Period, load_stations
from tests.test_app import assert_clean, open_app


def reach_table(at, lang):
    tables = [d.value for d in at.dataframe if "counts" in d.value.columns]
    assert len(tables) == 1
    return tables[0].set_index("figure")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reach_block_shows_the_station_figures_and_their_counts(db, lang):
    at = open_app(lang, "scores")
    at.selectbox(key="card_station").set_value("S03").run()
    at.date_input(key="period_start").set_value(date(2024, 7, 1)).run()
    assert_clean(at)
    assert any(e.label == t("reach.title", lang) for e in at.expander)
    shown = reach_table(at, lang)
    con = duckdb.connect(str(db), read_only=True)
    try:
        want = reach.station_figures(con, load_stations(con), Period(date(2024, 7, 1), date(2024, 12, 31)))
    finally:
        con.close()
    # S03, a show_window station: every figure there, as the records give it, in the page's language
    for key in reach.FIGURES:
        row = shown.loc[t(f"reach.fig.{key}", lang)]
        count, of = int(want.at["S03", (key, "count")]), int(want.at["S03", (key, "of")])
        assert row["share"] == f"{count / of:.1%}"
        assert row["counts"] == t(f"reach.counts.{key}", lang, count=f"{count:,}", of=f"{of:,}")
    # it rotates less than most: fewer new attendees and more returning ones than the median station
    assert want.at["S03", ("new", "share")] < want[("new", "share")].median()
    assert want.at["S03", ("returning", "share")] > want[("returning", "share")].median()
    # needs-met (the default scheme) holds all four as indicators: the caption names them
    names = [pick(i, lang) for i in catalog.resolve("needs-met")[0].indicators if i.measure.kind in REACH_KINDS]
    assert len(names) == 4
    assert t("reach.in_scheme", lang, names=t("nc.sep", lang).join(names)) in [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_whole_year_says_why_newness_is_missing(db, lang):
    at = open_app(lang, "scores")
    assert_clean(at)
    # the default, 2024, looks back on the demo's history year: newness has a value
    assert reach_table(at, lang).loc[t("reach.fig.new", lang), "share"] != "—"
    # the records' first year has nothing before it
    at.date_input(key="period_start").set_value(date(2023, 1, 1)).run()
    at.date_input(key="period_end").set_value(date(2023, 12, 31)).run()
    assert_clean(at)
    shown = reach_table(at, lang)
    assert shown.loc[t("reach.fig.new", lang), "share"] == "—"
    why = t("reach.missing", lang, figure=t("reach.fig.new", lang), why=t("reach.why_no_history", lang))
    assert why in [c.value for c in at.caption]
    assert shown.loc[t("reach.fig.returning", lang), "share"] != "—"
