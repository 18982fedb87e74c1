"""Audit: the current scheme's statistical audit (findings in plain words, correlations, Cronbach's alpha, the
weight each indicator really carries, what moves the ranks), which kind of evidence earns its points (paper, site
checks, residents; each item's class correctable here, the corrections kept in session state as
ev_corrections = {scheme id: {indicator: kind}}), and the data-treatment stage (which values the treatment changed
and why)."""
from app_pages import auth  # noqa: E402 - first, before anything reads: a page refused stops here
auth.require("read")
import time
from dataclasses import replace

import pandas as pd
import streamlit as st

from app_pages import frame
from indicators.analysis import evidence, sobol
from indicators.analysis.audit import audit
from indicators.i18n import pick, t
from indicators.outputs import audit_views as av
from indicators.outputs import charts
from indicators.scheme.model import dump_yaml
from indicators.text_safety import plain



def _with_group_mean(dims):
    """Every indicator that has no imputing rule imputes by its district's mean instead."""
    return tuple(replace(d, indicators=tuple(i if i.missing in ("mean", "group_mean") else replace(i, missing="group_mean")
                                             for i in d.indicators), dimensions=_with_group_mean(d.dimensions))
                 for d in dims)


SHOWN = 6   # findings of one kind listed before the rest fold away

f = frame.current()
L = f.lang
frame.page_header(f, "sa.title")
st.caption(t("sa.intro", L, scheme=plain(pick(f.scheme, L)), period=f.period.text(L), n=len(frame.stations(f.db))))
# what-if treatment of the current scheme (the scheme itself is not changed; its YAML can ask for the same)
w1, w2 = st.columns(2)
impute = w1.toggle(t("sa.try_impute", L), key="sa_impute", help=t("sa.try_impute_help", L))
winsorise = w2.toggle(t("sa.try_outliers", L), key="sa_outliers", help=t("sa.try_outliers_help", L))
scheme = f.scheme
if impute:
    scheme = replace(scheme, dimensions=_with_group_mean(scheme.dimensions))
if winsorise:
    scheme = replace(scheme, treatment=replace(scheme.treatment, outliers="winsorise"))
result = frame.score(f.db, scheme, f.period)


@frame.records_cached(max_entries=16)
def _audit(path: str, scheme_yaml: str, start, end, runs: int, spread: float, _result):
    started = time.perf_counter()
    a = audit(_result, runs=runs, seed=0, spread=spread)
    return a, time.perf_counter() - started


c1, c2 = st.columns(2)
runs = frame.choice(c1.segmented_control, t("sa.runs", L), [256, 1024, 4096], key="sa_runs", default=1024)
spread = c2.slider(t("sa.spread", L), 0.0, 0.5, 0.2, 0.05, key="sa_spread")
a, seconds = _audit(f.db, dump_yaml(result.scheme), f.period.start, f.period.end, int(runs or 1024), float(spread),
                    result)

st.subheader(t("sa.findings", L))
findings = av.findings_table(a, L)
if findings.empty:
    st.success(t("sa.no_findings", L))
else:
    for kind, group in findings.groupby("kind", sort=False):
        lines = [f"- {plain(s)}" for s in group["finding"]]   # findings name stations and indicators
        st.markdown(f"**{plain(kind)}**\n" + "\n".join(lines[:SHOWN]))
        if len(lines) > SHOWN:
            with st.expander(t("sa.more", L, n=len(lines) - SHOWN)):
                st.markdown("\n".join(lines[SHOWN:]))

st.subheader(t("sa.corr", L))
st.caption(t("sa.corr_caption", L))
st.altair_chart(charts.correlation_heatmap(av.correlations_long(a, result, L), L), width="stretch")
st.subheader(t("sa.nodes", L))
st.caption(t("sa.nodes_caption", L))
st.dataframe(av.nodes_table(a, result, L).style.format(precision=2, na_rep="–"), width="stretch")
st.subheader(t("sa.alpha", L))
st.caption(t("sa.alpha_caption", L))
st.dataframe(av.alpha_table(a, result, L), hide_index=True, width="stretch", column_config={
    "dimension": st.column_config.TextColumn(t("col.dimension", L)),
    "alpha": st.column_config.NumberColumn(t("col.alpha", L), format="%.2f"),
    "indicators": st.column_config.NumberColumn(t("col.n_indicators", L), format="%d")})

st.subheader(t("sa.importance", L))
st.caption(t("sa.importance_caption", L))
st.altair_chart(charts.importance_chart(av.importance_long(a, result, L), L), width="stretch")

st.subheader(t("sa.sobol", L))
k = len(result.weights)
st.caption(t("sa.sobol_caption", L, runs=a.runs, evals=f"{a.runs * 6:,}", seed=a.seed, spread=f"{a.spread:.0%}",
             seconds=f"{seconds:.2f}"))
st.caption(t("sobol.rule", L, resamples=sobol.RESAMPLES, wide=f"{sobol.WIDE:g}"))
g1, g2 = st.columns(2, gap="large")
with g1:
    st.altair_chart(charts.sobol_chart(av.sobol_long(a, L), L), width="stretch")
with g2:
    # each index as text: its 95% interval beside it, or "uncertain (lo–hi)" instead of a number too loose to read
    st.dataframe(av.sobol_table(a, L), hide_index=True, width="stretch", column_config={
        "factor": st.column_config.TextColumn(t("col.factor", L)),
        "options": st.column_config.TextColumn(t("col.options", L)),
        "first": st.column_config.TextColumn(t("col.first", L)),
        "total": st.column_config.TextColumn(t("col.total_index", L))})
with st.expander(t("sa.sobol_stations", L)):
    st.caption(t("sobol.per_station_caption", L))
    per = av.sobol_stations(a, result, L)
    factor_of = {c: c.rsplit("_", 1) for c in per.columns if c.endswith(("_first", "_total"))}
    st.dataframe(per, hide_index=True, width="stretch", column_config={
        "station": st.column_config.TextColumn(t("col.station", L)),
        "rank": st.column_config.NumberColumn(t("col.rank", L), format="%d"),
        "range": st.column_config.TextColumn(t("col.rank_range", L)),
        **{c: st.column_config.TextColumn(t(f"sobol.col.{kind}", L, factor=t(f"sa.factor.{f}", L)), width=170)
           for c, (f, kind) in factor_of.items()}})   # wide enough for "uncertain (-0.05–0.80)" whole

st.divider()
st.subheader(t("ev.title", L))
st.caption(t("ev.caption", L))
sid = result.scheme.id
fixes = st.session_state.setdefault("ev_corrections", {}).get(sid, {})
shares = evidence.evidence_shares(result.scheme, L, fixes)
st.markdown(evidence.sentence(shares, L))
st.altair_chart(charts.evidence_chart(shares, L), width="stretch")

st.markdown(f"**{t('ev.items', L)}**")
kind_label = {k: t(f"ev.kind.{k}", L) for k in evidence.KINDS}
items = shares.items
editor_table = pd.DataFrame({"code": items["code"], "name": items[f"name_{L}"].where(items[f"name_{L}"] != "",
                                                                                       items["name_zh"]),
                             "points": items["points"], "relative": items["relative"],
                             "evidence": items["kind"].map(kind_label),
                             "basis": items["why"]})   # not "why": the treatment log below is found by that name
editor_key = f"ev_items_{sid}_{st.session_state.get('ev_version', 0)}"


@frame.guarded     # callbacks run outside the page's guard
def _correct(key=editor_key, codes=list(items["code"]),
             own=[evidence.classify(i)[0] for i in result.scheme.indicators]):
    """Keep the evaluator's classes and draw a fresh editor on the corrected table (its edits are then applied)."""
    st.session_state["ev_corrections"][sid] = evidence.merge_corrections(
        st.session_state["ev_corrections"].get(sid, {}), st.session_state[key].get("edited_rows", {}), codes,
        dict(zip(codes, own)), {v: k for k, v in kind_label.items()}, column="evidence")
    st.session_state["ev_version"] = st.session_state.get("ev_version", 0) + 1


st.data_editor(editor_table, key=editor_key, on_change=_correct, hide_index=True, width="stretch",
               disabled=["code", "name", "points", "relative", "basis"], column_config={
                   "code": st.column_config.TextColumn(t("ev.col.code", L), width="small"),
                   "name": st.column_config.TextColumn(t("ev.col.name", L), width="medium"),
                   "points": st.column_config.NumberColumn(
                       t("ev.col.points" if shares.unit == "points" else "ev.col.score", L), format="%.4g"),
                   "relative": st.column_config.CheckboxColumn(t("ev.col.relative", L), width="small"),
                   "evidence": st.column_config.SelectboxColumn(t("ev.col.kind", L),
                                                                options=list(kind_label.values()), required=True),
                   "basis": st.column_config.TextColumn(t("ev.col.why", L), width="large")})
if fixes:
    st.caption(t("ev.corrected", L, n=len(fixes)))
    st.code("\n".join(f"- id: {code}\n  evidence: {kind}" for code, kind in fixes.items()), "yaml")

    @frame.guarded
    def _undo():
        st.session_state["ev_corrections"].pop(sid, None)
        st.session_state["ev_version"] = st.session_state.get("ev_version", 0) + 1
    k1, k2 = st.columns(2)
    k1.button(t("ev.reset", L), key="ev_reset", on_click=_undo)
    if k2.button(t("ev.keep", L), key="ev_keep", type="primary", help=t("ev.keep_help", L)):
        # the scheme's own `evidence:` then carries the classes; the Schemes page saves the working copy as usual
        with frame.guard(L):
            kept = evidence.apply_corrections(frame.editable(f), fixes)
            frame.put_working(kept)
            _undo()
            frame.flash("success", t("ev.kept", L, n=len(fixes), scheme=kept.id))
            st.rerun()

st.markdown(f"**{t('ev.gain', L)}**")
gain = evidence.paperwork_gain(result, fixes)
names = result.stations["name" if L == "zh" else "name_en"]
st.caption(t("ev.gain_caption", L) + " " + evidence.gain_sentence(shares, gain, names, L))
gains = pd.DataFrame({"station": [f"{names[s]} ({s})" for s in gain.index], "gain": gain.to_numpy()}).sort_values(
    "gain", ascending=False, kind="stable")
st.dataframe(gains, hide_index=True, width="stretch", column_config={
    "station": st.column_config.TextColumn(t("ev.col.station", L)),
    "gain": st.column_config.NumberColumn(t("ev.col.gain", L), format="%.1f")})

st.divider()
st.subheader(t("sa.treatment", L))
log = av.treatment_table(result, L)
if log.empty:
    st.info(t("sa.treatment_none", L))
    st.code("treatment:\n  outliers: winsorise   # winmax: 5, skew: 2, kurtosis: 3.5\n  group: district", "yaml")
else:
    st.caption(t("sa.treatment_log", L, n=len(log)))
    # rows tall enough for the reason to wrap onto three lines: it is the point of the table
    st.dataframe(log, hide_index=True, width="stretch", row_height=72, placeholder="–", column_config={
        # widths that leave the reason most of the row; long names wrap like it
        "station": st.column_config.TextColumn(t("col.station", L), width=180),
        "indicator": st.column_config.TextColumn(t("col.indicator", L), width=210),
        "step": st.column_config.TextColumn(t("col.step", L), width=115),   # "log-transformed" whole
        "before": st.column_config.NumberColumn(t("col.before", L), format="%.4g"),
        "after": st.column_config.NumberColumn(t("col.after", L), format="%.4g"),
        "why": st.column_config.TextColumn(t("col.why", L), width="large")})
    with st.expander(t("sa.treated_values", L)):
        treated = av.treated_values(result, L)
        st.dataframe(treated, hide_index=True, width="stretch", height=38 + 35 * len(treated))
