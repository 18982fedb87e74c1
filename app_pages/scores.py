"""Scores: the ranking under the current scheme (score, rank, grade, gate caps), each score split into
indicator contributions, a card that explains one station from raw value to contribution with its
strongest and weakest indicators, and how robust its rank is when the weights are uncertain."""
from app_pages import auth  # noqa: E402 - first, before anything reads: a page refused stops here
auth.require("score")
import streamlit as st

from app_pages import frame, records_import
from indicators.outputs import charts
from indicators.outputs import views
from indicators.i18n import pick, t

f = frame.current()
L = f.lang
frame.page_header(f, "scores.title")
result = frame.score(f.db, f.scheme, f.period)
st.caption(t("scores.intro", L, scheme=pick(f.scheme, L), period=str(f.period), n=len(result.stations)))

# Scores are relative (min-max among these stations) while grade bands are fixed cut-offs: say so, offer rank grades.
basis = frame.choice(st.segmented_control, t("nc.grade_basis", L), ["bands", "rank"], key="grade_basis",
                     default="bands", required=True, format_func=lambda b: t(f"nc.grade.{b}", L))
st.caption(t("nc.grade_note" if basis == "bands" else "nc.grade_note_rank", L,
             bands=views.grade_bands_text(f.scheme)))
table = views.ranking_table(result, L, by_rank=basis == "rank")
capped = int((table["capped_by"] != "").sum())
top_grade = sorted(f.scheme.grades, key=lambda g: -g.min)[0]
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("scores.m.stations", L), len(table), border=True)
m2.metric(t("scores.m.median", L), f"{table['score'].median():.1f}", border=True)
m3.metric(t("scores.m.top_grade", L, grade=views.grade_labels(f.scheme, L)[top_grade.grade]),
          int((table["grade"] == views.grade_labels(f.scheme, L)[top_grade.grade]).sum()), border=True)
m4.metric(t("scores.m.capped", L), capped, border=True, help=t("scores.m.capped_help", L))

# ---- the ranking, then what each score is made of
st.subheader(t("scores.ranking", L))
dim_cols = {f"dim:{d.id}": st.column_config.NumberColumn(pick(d, L), format="%.1f")
            for d in f.scheme.dimensions}
st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 880),
             column_config={
    "rank": st.column_config.NumberColumn(t("col.rank", L), format="%d", width="small"),
    "station": st.column_config.TextColumn(t("col.station", L)),
    "district": st.column_config.TextColumn(t("col.district", L), width="small"),
    "score": st.column_config.ProgressColumn(t("col.score", L), format="%.1f", min_value=0, max_value=100),
    "grade": st.column_config.TextColumn(t("col.grade", L), width=110),   # "A · Excellent" whole
    "capped_by": st.column_config.TextColumn(t("col.capped_by", L), help=t("scores.capped_help", L), width=280),
    "points": st.column_config.NumberColumn(t("chart.points_node", L), format="%.1f"),
    **dim_cols})
st.caption(t(f"tree.aggregation.{f.scheme.aggregation}", L))
for gate in f.scheme.gates:
    st.caption(t("scores.gate_rule", L, name=pick(gate, L) or gate.indicator, cap=gate.cap))
records_import.score_downloads(f, result)
st.altair_chart(charts.contribution_chart(views.contributions_long(result, L), L), width="stretch")

# ---- station card
st.divider()
st.subheader(t("scores.card", L))
ids = list(table.index)
sid = frame.choice(st.selectbox, t("scores.pick_station", L), ids, key="card_station",
                   format_func=lambda s: f"{int(table.at[s, 'rank'])}. {table.at[s, 'station']} ({s})")
st.markdown(t("scores.card_total", L, score=f"{result.total[sid]:.1f}", rank=int(result.rank[sid]),
              grade=table.at[sid, "grade"]))
if table.at[sid, "capped_by"]:
    st.warning(t("scores.capped_by", L, gates=table.at[sid, "capped_by"]))
records_import.report_download(f, result, sid, table.at[sid, "station"])
strong, weak = views.strengths_weaknesses(result, sid, L)
c1, c2 = st.columns(2, gap="large")
with c1, st.container(border=True):
    st.markdown(f"**{t('scores.strongest', L)}**")
    st.markdown("\n".join(f"- {s}" for s in strong))
with c2, st.container(border=True):
    st.markdown(f"**{t('scores.weakest', L)}**")
    st.markdown("\n".join(f"- {s}" for s in weak))
if views.imputed(result, sid, L):
    st.caption(t("nc.imputed_note", L, names=t("nc.sep", L).join(views.imputed(result, sid, L))))
card = views.station_card(result, sid, L)
# a value over a denominator ("0.0471 = 1,192 ÷ 25,310 (population served)") gets a wider column, and long
# names wrap onto a second line
raw_px = 110 if views.fits(card["raw"], 110) else 200
one_line = views.fits(card["indicator"], 250) and views.fits(card["dimension"], 160) and views.fits(card["raw"], raw_px)
row_px = 35 if one_line else 65   # Streamlit wraps text in rows taller than 4rem (64 px)
st.dataframe(card, hide_index=True, width="stretch", height=38 + row_px * len(card), row_height=row_px,
             column_order=[c for c in card.columns if c not in ("treated", "treatment")],   # listed below, whole
             column_config={
    # widths that let every column, the last one too, show whole at the page's width
    "indicator": st.column_config.TextColumn(t("col.indicator", L), width=250),
    "dimension": st.column_config.TextColumn(t("col.dimension", L), width=160),
    "camp": st.column_config.TextColumn(t("col.camp", L), width="small"),
    "raw": st.column_config.TextColumn(t("col.raw", L), width=raw_px),
    "normalised": st.column_config.NumberColumn(t("col.normalised", L), format="%.1f"),
    "weight": st.column_config.NumberColumn(t("col.weight_pct", L), format="%.1f%%"),
    "contribution": st.column_config.NumberColumn(t("col.contribution", L), format="%.1f"),
    "gap_to_best": st.column_config.NumberColumn(t("col.gap", L), format="%.1f", help=t("col.gap_help", L)),
})
st.caption(t("scores.card_caption", L))
treated = views.treatment_lines(card, L)
if treated:   # the treated value between raw and normalised, and why
    st.markdown(f"**{t('tr.head', L)}**\n" + "\n".join(f"- {line}" for line in treated))
with st.expander(t("tree.station_nodes", L), expanded=len(f.scheme.nodes()) > len(f.scheme.dimensions)):
    if result.points_earned is not None:
        st.markdown(t("tree.station_points", L, earned=result.points_earned[sid], total=result.points_available))
    st.html(views.tree_html(f.scheme, L, views.station_tree_scores(result, sid), open_levels=9))

# ---- who the station's services reach (rotation of service recipients), whatever the scheme
from app_pages import reach_card  # noqa: E402  (kept with its block)
reach_card.show(f, sid, table.at[sid, "station"], len(table))

# ---- public notice (公示) of the selected station: the whole section lives in app_pages/public_notice.py
st.divider()
from app_pages import public_notice  # noqa: E402
public_notice.section(f, result, sid)

# ---- robustness
st.divider()
st.subheader(t("scores.robust", L))
st.caption(t("scores.robust_intro", L))
if f.scheme.aggregation == "topsis":   # TOPSIS has no flat weights to redraw (see docs/schemes.md)
    st.info(t("tree.no_robustness", L))
    st.stop()
r1, r2, r3 = st.columns(3)
spread = r1.slider(t("scores.spread", L), 0.0, 0.5, 0.2, 0.05, key="sens_spread", help=t("scores.spread_help", L))
draws = r2.number_input(t("scores.draws", L), 200, 20_000, 2_000, 200, key="sens_draws")
top_k = r3.number_input(t("scores.top_k", L), 1, len(ids), min(5, len(ids)), 1, key="sens_top_k")
vary = st.checkbox(t("scores.vary_norm", L), key="sens_vary_norm", help=t("scores.vary_norm_help", L))
sens = frame.sensitivity(f.db, result, spread, draws, seed=0, top_k=top_k, vary_normalisation=vary)
iv = views.intervals_frame(sens, result, L)
st.info(f"**{table.at[sid, 'station']}** — {iv.set_index('station_id').at[sid, 'sentence']}")
g1, g2 = st.columns(2, gap="large")
with g1:
    st.altair_chart(charts.intervals_chart(iv, L, top_k=int(top_k)), width="stretch")
with g2:
    iv["range"] = [f"{a}" if a == b else f"{a}–{b}" for a, b in zip(iv["rank_p05"], iv["rank_p95"])]
    st.dataframe(iv[["station", "rank", "range", "p_top_k"]], hide_index=True, width="stretch",
                 height=min(38 + 35 * len(iv), 880), column_config={
        "station": st.column_config.TextColumn(t("col.station", L)),
        "rank": st.column_config.NumberColumn(t("col.rank", L), format="%d", width="small"),
        "range": st.column_config.TextColumn(t("scores.range", L), help=t("scores.range_help", L), width="small"),
        "p_top_k": st.column_config.NumberColumn(t("scores.p_top", L, k=int(top_k)), format="%.0f%%",
                                                 width="small"),
    })
st.caption(t("scores.sens_caption", L, draws=f"{int(draws):,}", spread=f"{spread:.2f}", seed=0))
