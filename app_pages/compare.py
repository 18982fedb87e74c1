"""Compare: the same stations ranked by two schemes (by default photo count against needs met) - how
ranks shift, which stations win by staging events (show-window) and which quietly solve problems
(quiet achievers), how much the two rankings agree, and which indicators explain the biggest moves."""
from app_pages import auth  # noqa: E402 - first, before anything reads: a page refused stops here
auth.require("read")
import math

import streamlit as st

from app_pages import frame, records_import
from indicators.outputs import charts
from indicators.outputs import views
from indicators.analysis.compare import compare
from indicators.i18n import pick, t
from indicators.text_safety import plain

f = frame.current()
L = f.lang
frame.page_header(f, "compare.title", "compare.intro")

options = frame.schemes(f.db)
ids = list(options)
c1, c2, c3 = st.columns([2, 2, 1])
a_id = frame.choice(c1.selectbox, t("compare.a", L), ids, index=ids.index("photo-count") if "photo-count" in ids else 0,
                    key="compare_a", format_func=lambda s: frame.scheme_label(options[s], L))
b_id = frame.choice(c2.selectbox, t("compare.b", L), ids, index=ids.index("needs-met") if "needs-met" in ids else 0,
                    key="compare_b", format_func=lambda s: frame.scheme_label(options[s], L))
top_k = c3.number_input(t("compare.top_k", L), 1, 20, 5, 1, key="compare_top_k")
if a_id == b_id:
    st.info(t("compare.same", L))

scheme_a, scheme_b = options[a_id][0], options[b_id][0]
result_a, result_b = frame.score(f.db, scheme_a, f.period), frame.score(f.db, scheme_b, f.period)
cmp = compare(result_a, result_b, top_k=int(top_k))
label_a, label_b = pick(scheme_a, L), pick(scheme_b, L)


def _num(x: float) -> str:
    return "—" if x is None or math.isnan(x) else f"{x:.2f}"


m1, m2, m3, m4 = st.columns(4)
m1.metric(t("compare.tau", L), _num(cmp.kendall_tau), help=t("compare.tau_help", L), border=True)
m2.metric(t("compare.rho", L), _num(cmp.spearman_rho), help=t("compare.rho_help", L), border=True)
m3.metric(t("compare.overlap", L, k=cmp.top_k), f"{cmp.top_k_overlap:.0%}", help=t("compare.overlap_help", L),
          border=True)
moved = int((cmp.table["shift"].abs() >= 5).sum())
m4.metric(t("compare.moved", L), moved, help=t("compare.moved_help", L), border=True)

left, right = st.columns(2, gap="large")
with left:
    slope = views.comparison_frame(cmp, L)
    st.altair_chart(charts.slope_chart(slope, L, label_a, label_b), width="stretch")
with right:
    st.altair_chart(charts.quadrant_chart(views.scatter_frame(cmp, L), L, label_a, label_b), width="stretch")
    st.caption(t("compare.quadrant_help", L, a=label_a, b=label_b))

st.subheader(t("compare.movers", L))
n = st.slider(t("compare.n_movers", L), 1, len(cmp.table), min(5, len(cmp.table)), key="compare_movers")
for sentence in views.mover_sentences(cmp, L, n):
    st.markdown(f"- {plain(sentence)}")   # the sentences name stations and indicators

records_import.compare_download(f, result_a, result_b)
with st.expander(t("compare.all", L)):
    st.dataframe(views.comparison_frame(cmp, L), hide_index=True, width="stretch", column_config={
        "station": st.column_config.TextColumn(t("col.station", L)),
        "rank_a": st.column_config.NumberColumn(t("compare.rank_in", L, scheme=label_a), format="%d"),
        "rank_b": st.column_config.NumberColumn(t("compare.rank_in", L, scheme=label_b), format="%d"),
        "shift": st.column_config.NumberColumn(t("col.shift", L), format="%+d", help=t("compare.shift_help", L)),
        "score_a": st.column_config.NumberColumn(t("compare.score_in", L, scheme=label_a), format="%.1f"),
        "score_b": st.column_config.NumberColumn(t("compare.score_in", L, scheme=label_b), format="%.1f"),
        "explained": st.column_config.TextColumn(t("compare.explained", L)),
    })
