"""The Scores page's reach block for one station (a module, not a page): the four rotation figures with the
counts they come from, and the monthly chart of new and returning attendees with priority-group coverage.

    reach_card.show(f, sid, station_name, n_stations)
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from app_pages import frame
from indicators.i18n import pick, t
from indicators.outputs import reach
from indicators.records.reach import monthly_reach
from indicators.scheme.model import REACH_KINDS
from indicators.scoring.measures import Period, load_stations
from indicators.text_safety import plain


@frame.records_cached(max_entries=16)   # an import or a meeting changes them
def figures(path: str, start: date | None, end: date | None) -> pd.DataFrame:
    con = frame._connection(path)
    return reach.station_figures(con, load_stations(con), Period(start, end))


@frame.records_cached(max_entries=64)
def monthly(path: str, station_id: str, start: date | None, end: date | None) -> pd.DataFrame:
    return monthly_reach(frame._connection(path), station_id, Period(start, end))


def show(f: frame.Frame, sid: str, station_name: str, n_stations: int) -> None:
    L = f.lang
    with st.expander(t("reach.title", L), expanded=True):
        st.caption(t("reach.intro", L, station=plain(station_name), period=f.period.text(L), n=n_stations))
        table = reach.figures_table(figures(f.db, f.period.start, f.period.end), sid, L)
        st.dataframe(table.drop(columns="note"), hide_index=True, width="stretch", column_config={
            "figure": st.column_config.TextColumn(t("reach.col.figure", L), width=240),
            "share": st.column_config.TextColumn(t("reach.col.share", L), width=70),
            "counts": st.column_config.TextColumn(t("reach.col.counts", L), width=420),
            "median": st.column_config.TextColumn(t("reach.col.median", L), width=110),
            "better": st.column_config.TextColumn(t("reach.col.better", L), width=110),
        })
        for figure, note in zip(table["figure"], table["note"]):   # why a figure is missing, said in words
            if note:
                st.caption(t("reach.missing", L, figure=figure, why=note))
        used = [pick(i, L) for i in f.scheme.indicators if i.measure.kind in REACH_KINDS]
        if used:
            st.caption(t("reach.in_scheme", L, names=t("nc.sep", L).join(used)))
        months = monthly(f.db, sid, f.period.start, f.period.end)
        if months.empty:
            st.info(t("reach.no_attendance", L, station=station_name))
        else:
            st.altair_chart(reach.reach_chart(months, L), width="stretch")
