"""Records: what the database holds - rows per table, the dates they cover, and per station what
happened in the assessment period (activities, photos, needs raised and resolved, residents reached,
spending), filtered by district and profile."""
from app_pages import auth  # noqa: E402 - first, before anything reads: a page refused stops here
auth.require("read")
import streamlit as st

from app_pages import frame, records_import
from indicators.i18n import t, term
from indicators.records.store import LOAD_ORDER
from indicators.outputs import views
from indicators.outputs.views import station_names

f = frame.current()
L = f.lang
frame.page_header(f, "records.title", "records.intro")
if auth.allowed("import"):     # a lead imports; the other roles read
    records_import.panel(f)

# ---- rows per table
st.subheader(t("records.counts", L))
counts = frame.counts(f.db)
tables = [tb for tb in LOAD_ORDER if tb in counts]
for row in (tables[:5], tables[5:]):
    cols = st.columns(5)
    for col, table in zip(cols, row):
        col.metric(term("table", table, L), views.fmt_count(counts[table], L), border=True)

# ---- dates covered
st.subheader(t("records.dates", L))
ranges = frame.table_ranges(f.db).assign(table=lambda d: d["table"].map(lambda x: term("table", x, L)))
st.dataframe(ranges, hide_index=True, width="content", column_config={
    "table": st.column_config.TextColumn(t("records.col.table", L)),
    "column": st.column_config.TextColumn(t("records.col.date_column", L)),
    "rows": st.column_config.NumberColumn(t("records.col.rows", L), format="localized"),
    "first": st.column_config.DateColumn(t("records.col.first", L), format="YYYY-MM-DD"),
    "last": st.column_config.DateColumn(t("records.col.last", L), format="YYYY-MM-DD"),
})

# ---- per station in the period
st.subheader(t("records.per_station", L, period=f.period.text(L)))
c1, c2 = st.columns(2)
districts = c1.multiselect(t("records.filter.district", L), frame.choices(f.db, "stations", "district"),
                           format_func=lambda d: term("district", d, L), placeholder=t("records.filter.all", L))
profiles = c2.multiselect(t("records.filter.profile", L), frame.choices(f.db, "stations", "profile"),
                          format_func=lambda p: term("profile", p, L), placeholder=t("records.filter.all", L),
                          help=t("records.filter.profile_help", L))
summary = frame.station_summary(f.db, f.period.start, f.period.end, tuple(districts), tuple(profiles))
if summary.empty:
    st.info(t("records.none", L))
else:
    view = summary.set_index("station_id")
    view.insert(0, "station", station_names(view, L))
    view["profile"] = view["profile"].map(lambda p: term("profile", p, L))
    view["district"] = view["district"].map(lambda d: term("district", d, L))
    view["spending"] = view["spending"].round(0)
    view["resolved_share"] = (view["needs_resolved"] / view["needs_raised"].where(view["needs_raised"] > 0)) * 100
    cols = ["station", "district", "profile", "population", "activities", "photos", "needs_raised",
            "needs_resolved", "resolved_share", "residents_reached", "spending"]
    st.dataframe(view[cols], hide_index=True, width="stretch", height=min(38 + 35 * len(view), 880),
                 column_config={
        "station": st.column_config.TextColumn(t("col.station", L)),
        "district": st.column_config.TextColumn(t("col.district", L)),
        "profile": st.column_config.TextColumn(t("col.profile", L)),
        "population": st.column_config.NumberColumn(t("records.col.population", L), format="localized",
                                                   help=t("records.help.population", L)),
        "activities": st.column_config.NumberColumn(t("records.col.activities", L), format="localized"),
        "photos": st.column_config.NumberColumn(t("records.col.photos", L), format="localized"),
        "needs_raised": st.column_config.NumberColumn(t("records.col.needs_raised", L), format="localized",
                                                     help=t("records.help.needs", L)),
        "needs_resolved": st.column_config.NumberColumn(t("records.col.needs_resolved", L), format="localized"),
        "resolved_share": st.column_config.NumberColumn(t("records.col.resolved_share", L), format="%.1f%%"),
        "residents_reached": st.column_config.NumberColumn(t("records.col.residents", L), format="localized",
                                                          help=t("records.help.residents", L)),
        "spending": st.column_config.NumberColumn(t("records.col.spending", L), format="localized"),
    })
    st.caption(t("records.totals", L, stations=len(view), activities=f"{int(view['activities'].sum()):,}",
                 photos=f"{int(view['photos'].sum()):,}", needs=f"{int(view['needs_raised'].sum()):,}",
                 resolved=f"{int(view['needs_resolved'].sum()):,}"))
