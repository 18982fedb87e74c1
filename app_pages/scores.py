"""Scores: the ranking under the current scheme (score, rank, grade, gate caps), each score split into
indicator contributions, a card that explains one station from raw value to contribution with its
strongest and weakest indicators, and how robust its rank is when the weights are uncertain."""
from app_pages import auth  # noqa: E402 - first, before anything reads: a page refused stops here
auth.require("score")
import pandas as pd
import streamlit as st

from app_pages import frame, records_import
from indicators.outputs import charts, explain
from indicators.outputs import views
from indicators.i18n import pick, t
from indicators.text_safety import plain


def fmt(x) -> str:
    """Points as an evaluator writes them: 1,000, 812.5."""
    return "" if x is None else f"{x:,.10g}"


def grade_bands(scheme, lang: str) -> str:
    """The bands as the table states them: 优秀 ≥ 900 · 良好 ≥ 800 · …"""
    labels = views.grade_labels(scheme, lang)
    return " · ".join(f"{labels.get(g.grade, g.grade)} ≥ {fmt(g.min)}" for g in sorted(scheme.grades, key=lambda g: -g.min))


def standing(result, table):
    """The ranking with each station's standing in words ("" for a ranked one; 一票否决, 数据不足, 缺项 with the reason)
    and, for a points scheme, points earned of available; the station card helper adds these when it has them."""
    status = result.status
    if status is None or (not points and (status == "ranked").all()):   # a weights scheme looks as it always did
        return table.drop(columns=[c for c in ("status", "veto", "complete") if c in table.columns])
    words = status.map(lambda s: "" if s == "ranked" else t(f"qa.status.{s}", L))
    veto = (result.veto if result.veto is not None else status.map(lambda _: "")).fillna("")
    table = table.drop(columns=[c for c in ("status", "veto") if c in table.columns])
    table.insert(table.columns.get_loc("grade") + 1, "status", words.reindex(table.index))
    table.insert(table.columns.get_loc("status") + 1, "veto", veto.reindex(table.index))
    if result.points_earned is not None:
        table["points"] = result.points_earned.reindex(table.index)
        if "available" not in table.columns:
            table.insert(table.columns.get_loc("points") + 1, "available", result.points_available)
    if "complete" not in table.columns and result.complete is not None and (status != "ranked").any():
        table["complete"] = result.complete.reindex(table.index) * 100
    # no grade: a dash, the standing beside it says why
    table.loc[status.reindex(table.index).isin(["insufficient", "refused"]), "grade"] = "—"
    if points:   # modules in points earned, as the evaluator's sheet subtotals them
        nodes = result.node_points()
        for d in result.scheme.dimensions:
            table[f"dim:{d.id}"] = nodes[d.id].reindex(table.index)
    return table.sort_values("rank", kind="stable")


def station_lines(result, sid: str) -> list[str]:
    """What stands above a station's numbers (the outputs' station_status where it exists, else the status alone)."""
    if hasattr(views, "station_status"):
        return views.station_status(result, sid, L)["lines"]
    if result.status is None or result.status[sid] == "ranked":
        return []
    reason = result.veto[sid] if result.veto is not None else ""
    return [t(f"qa.status.{result.status[sid]}", L) + (f": {reason}" if reason else "")]


def card_columns(card) -> list[str]:
    """The card's columns: treated values are listed below it, whole; a points scheme shows points, not the 0-100
    normalised value and weight an evaluator does not work in."""
    hidden = {"treated", "treatment"}
    if "points" in card.columns:
        hidden |= {"camp", "normalised", "weight", "contribution", "gap_to_best", "criterion"}
        if not card["flag"].astype(bool).any():   # no 缺项 and no relative item: no empty column
            hidden.add("flag")
    return [c for c in card.columns if c not in hidden]


def points_lines(result, sid: str) -> tuple[list[str], list[str]]:
    """A points scheme's card in points: how many items earned full points, and the three that lost the most."""
    scheme = result.scheme
    available = pd.Series({i.id: float(i.points) for i in scheme.indicators})
    earned = result.item_points.loc[sid].reindex(available.index).fillna(0.0)
    lost = (available - earned).clip(lower=0)
    full = [i for i in available.index if lost[i] <= 1e-9 and available[i] > 0]
    strong = [t("qa.full_line", L, n=len(full), total=int((available > 0).sum()), points=fmt(available[full].sum()))]
    worst = lost[lost > 1e-9].sort_values(ascending=False, kind="stable").head(3)
    weak = [t("qa.lost_line", L, name=pick(scheme.indicator(i), L), lost=fmt(round(lost[i], 2)),
              earned=fmt(round(earned[i], 2)), available=fmt(available[i])) for i in worst.index]
    return strong, weak or [t("qa.none_lost", L)]


def ranking_columns(table) -> list[str]:
    """The ranking's columns; a points scheme's read as its sheet does: points, grade, standing, veto, modules."""
    if not points:
        return list(table.columns)
    first = ["rank", "station", "points", "grade", "status", "veto"]   # as the score sheet: no district
    if table["capped_by"].astype(bool).any():
        first.append("capped_by")
    return [c for c in first if c in table.columns] + [c for c in table.columns if c.startswith("dim:")] + (
        ["complete"] if "complete" in table.columns else [])


f = frame.current()
L = f.lang
frame.page_header(f, "scores.title")
result = frame.score(f.db, f.scheme, f.period)
st.caption(t("scores.intro", L, scheme=plain(pick(f.scheme, L)), period=f.period.text(L), n=len(result.stations)))
frame.no_values_notice(f, result)   # a period with none of the scheme's values: say so, offer the periods that have
points = f.scheme.weighting == "points"
relative = [pick(f.scheme.indicator(i), L) for i in (result.relative if points else ())]

if points:   # points by each item's 评分标准: grades are the table's own bands, never by rank
    basis = "bands"
    st.caption(t("qa.points_note", L, bands=plain(grade_bands(f.scheme, L))))
    if relative:
        st.caption(t("qa.relative_note", L, names=plain(t("qa.sep", L).join(relative))))
else:
    # How each indicator became 0-100 (its own rule: relative to these stations or against fixed values) and what a
    # grade band is on that score; rank grades offered.
    basis = frame.choice(st.segmented_control, t("nc.grade_basis", L), ["bands", "rank"], key="grade_basis",
                         default="bands", required=True, format_func=lambda b: t(f"nc.grade.{b}", L))
    st.caption(explain.grades_note(f.scheme, L, plain(views.grade_bands_text(f.scheme)), by_rank=basis == "rank"))
    with st.expander(t("ex.head", L)):   # a line an indicator; its name may come from a file
        st.markdown("\n".join(f"- {plain(line)}" for line in explain.indicator_lines(f.scheme, L)))
table = standing(result, views.ranking_table(result, L, by_rank=basis == "rank"))
capped = int((table["capped_by"] != "").sum())
top_grade = sorted(f.scheme.grades, key=lambda g: -g.min)[0]
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("scores.m.stations", L), len(table), border=True)
if points:
    m2.metric(t("qa.m.median_points", L), views.fmt_points(table['points'].median(), L), border=True,
              help=t("qa.m.available", L, available=fmt(result.points_available)))
else:
    m2.metric(t("scores.m.median", L), f"{table['score'].median():.1f}", border=True)
m3.metric(t("scores.m.top_grade", L, grade=views.grade_labels(f.scheme, L)[top_grade.grade]),
          int((table["grade"] == views.grade_labels(f.scheme, L)[top_grade.grade]).sum()), border=True)
if "status" in table.columns:   # vetoed and ungraded stations, listed after the ranked ones
    m4.metric(t("qa.m.apart", L), int((table["status"] != "").sum()), border=True, help=t("qa.m.apart_help", L))
else:
    m4.metric(t("scores.m.capped", L), capped, border=True, help=t("scores.m.capped_help", L))

# ---- the ranking, then what each score is made of
st.subheader(t("scores.ranking", L))
# a points scheme's modules in points earned (their points available in the heading), else 0-100 scores
dim_cols = {f"dim:{d.id}": st.column_config.NumberColumn(f"{pick(d, L)} ({fmt(d.points)})", format="%.1f", width=95)
            if points else st.column_config.NumberColumn(pick(d, L), format="%.1f") for d in f.scheme.dimensions}
st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 880),
             column_config={
    "rank": st.column_config.NumberColumn(t("col.rank", L), format="%d", width=60 if points else "small"),
    "station": st.column_config.TextColumn(t("col.station", L)),
    "district": st.column_config.TextColumn(t("col.district", L), width="small"),
    "score": st.column_config.ProgressColumn(t("col.score", L), format="%.1f", min_value=0, max_value=100),
    "grade": st.column_config.TextColumn(t("col.grade", L), width=110),   # "A · Excellent" whole
    "capped_by": st.column_config.TextColumn(t("col.capped_by", L), help=t("scores.capped_help", L), width=280),
    # a points scheme: the points earned are the bar (the 0-100 score is the same bar, not shown twice)
    "points": st.column_config.ProgressColumn(t("qa.col.points_of", L, available=fmt(result.points_available)),
                                              format="%.1f", min_value=0.0, max_value=float(result.points_available),
                                              width=120)
    if points else None,
    "status": st.column_config.TextColumn(t("qa.col.status", L), width=100),
    "veto": st.column_config.TextColumn(t("qa.col.veto", L), width=110),   # whole on the card and on hover
    "complete": st.column_config.NumberColumn(t("qa.col.complete", L), format="%.0f%%", width=60,
                                              help=t("qa.col.complete_help", L)),
    **dim_cols}, column_order=ranking_columns(table))
if not points:   # a points scheme's total is the plain sum, said above
    st.caption(t(f"tree.aggregation.{f.scheme.aggregation}", L))
for gate in f.scheme.gates:
    st.caption(t("scores.gate_rule", L, name=plain(pick(gate, L) or gate.indicator), cap=plain(gate.cap)))
records_import.score_downloads(f, result)
st.altair_chart(charts.contribution_chart(views.contributions_long(result, L), L), width="stretch")

# ---- station card
st.divider()
st.subheader(t("scores.card", L), anchor="station-card")   # the Overview links here
ids = list(table.index)
sid = frame.choice(st.selectbox, t("scores.pick_station", L), ids, key="card_station",
                   format_func=lambda s: f"{int(table.at[s, 'rank'])}. {table.at[s, 'station']} ({s})")
if points:
    st.markdown(t("qa.card_total", L, points=fmt(round(result.points_earned[sid], 2)),
                  available=fmt(result.points_available), score=f"{result.total[sid]:.1f}",
                  rank=int(result.rank[sid]), grade=plain(table.at[sid, "grade"])))   # a table's own label
else:
    st.markdown(t("scores.card_total", L, score=f"{result.total[sid]:.1f}", rank=int(result.rank[sid]),
                  grade=table.at[sid, "grade"]))
for line in station_lines(result, sid):   # 一票否决, 数据不足, 缺项, 相对评分: above the numbers, in words
    st.warning(plain(line), icon=":material/priority_high:")   # a veto's reason comes from a sheet
if table.at[sid, "capped_by"]:
    st.warning(t("scores.capped_by", L, gates=table.at[sid, "capped_by"]))
records_import.report_download(f, result, sid, table.at[sid, "station"])
strong, weak = points_lines(result, sid) if points else views.strengths_weaknesses(result, sid, L)
c1, c2 = st.columns(2, gap="large")
with c1, st.container(border=True):
    st.markdown(f"**{t('qa.full_items' if points else 'scores.strongest', L)}**")
    st.markdown("\n".join(f"- {plain(s)}" for s in strong))
with c2, st.container(border=True):
    st.markdown(f"**{t('qa.most_lost' if points else 'scores.weakest', L)}**")
    st.markdown("\n".join(f"- {plain(s)}" for s in weak))
if views.imputed(result, sid, L):
    st.caption(t("nc.imputed_note", L, names=plain(t("nc.sep", L).join(views.imputed(result, sid, L)))))
card = views.station_card(result, sid, L)
# a value over a denominator ("0.0471 = 1,192 ÷ 25,310 (population served)") gets a wider column, and long
# names wrap onto a second line
raw_px = 110 if views.fits(card["raw"], 110) else 200
name_px = 250
if "points" in card.columns:   # short item names and points leave the room to why points were lost
    raw_px, name_px = (90 if views.fits(card["raw"], 90) else raw_px), (160 if views.fits(card["indicator"], 160)
                                                                          else 250)
one_line = views.fits(card["indicator"], name_px) and views.fits(card["dimension"], 160) and views.fits(card["raw"], raw_px)
if "deduction" in card.columns:
    one_line = one_line and views.fits(card["deduction"], 440)
row_px = 35 if one_line else 65   # Streamlit wraps text in rows taller than 4rem (64 px)
st.dataframe(card, hide_index=True, width="stretch", height=38 + row_px * len(card), row_height=row_px,
             column_order=card_columns(card),
             column_config={
    # widths that let every column, the last one too, show whole at the page's width
    "indicator": st.column_config.TextColumn(t("col.indicator", L), width=name_px),
    "dimension": st.column_config.TextColumn(t("col.dimension", L), width=160),
    "camp": st.column_config.TextColumn(t("col.camp", L), width="small"),
    "raw": st.column_config.TextColumn(t("col.raw", L), width=raw_px),
    "normalised": st.column_config.NumberColumn(t("col.normalised", L), format="%.1f"),
    "weight": st.column_config.NumberColumn(t("col.weight_pct", L), format="%.1f%%"),
    "contribution": st.column_config.NumberColumn(t("col.contribution", L), format="%.1f"),
    "gap_to_best": st.column_config.NumberColumn(t("col.gap", L), format="%.1f", help=t("col.gap_help", L)),
    # a points scheme (the station card helper adds these): points earned of available per item and why lost
    "points": st.column_config.NumberColumn(t("qa.col.points", L), format="%g", width=60),
    "available": st.column_config.NumberColumn(t("qa.col.available", L), format="%g", width=60),
    "lost": st.column_config.NumberColumn(t("qa.col.lost", L), format="%g", width=60),
    "flag": st.column_config.TextColumn(t("qa.col.flag", L), width=150),
    "criterion": st.column_config.TextColumn(t("qa.col.criterion", L), width="large"),
    "deduction": st.column_config.TextColumn(t("qa.col.deduction", L), width=440),
})
st.caption(t("qa.card_caption" if "points" in card.columns else "scores.card_caption", L))
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
st.info(f"**{plain(table.at[sid, 'station'])}** — {iv.set_index('station_id').at[sid, 'sentence']}")
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
