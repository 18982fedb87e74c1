"""Weights: choose how the indicators are weighted - directly (sliders or a 100-point allocation), from
residents' needs (with the derivation step by step), by AHP pairwise judgments (with consistency
checks), from the data (entropy, CRITIC), or a blend - and watch the camps' share of the weight and
the ranking move as you go. "Apply" keeps the weights in the working copy of the scheme.

The whole panel is one fragment: moving a slider reruns only the panel, and every ranking shown is
the cached scoring of the scheme re-weighted with numpy (ScoreResult.reweighted), never a new query;
its two charts come from app_pages/weight_charts.py, which spares a move altair's cost of building them."""

from app_pages import auth  # noqa: E402 - first, before anything reads: a page refused stops here
auth.require("score")
import pandas as pd
import streamlit as st

from app_pages import frame, weight_charts
from indicators.scheme import editing
from indicators.weights import judgments
from indicators.outputs import views
from indicators.weights import ahp as ahp_method
from indicators.weights import objective as objective_method
from indicators.weights.needs import needs_scores, needs_weights
from indicators.i18n import pick, t, term
from indicators.scheme.model import Provenance, SchemeError
from indicators.text_safety import plain

METHODS = ("direct", "needs", "ahp", "objective", "combined")

f = frame.current()
L = f.lang
frame.page_header(f, "w.title", "w.intro")


def judgment_text(v: int, a: str, b: str) -> str:
    side, n = judgments.strength(v)
    if side == "equal":
        return t("ahp.equal", L, a=a, b=b)
    x, y = (a, b) if side == "A" else (b, a)
    return t("ahp.more", L, x=x, y=y, n=n, verbal=t(f"ahp.verbal.{judgments.VERBAL[n]}", L))


def direct(scheme, base, tag):
    """Sliders per dimension and per indicator, or 100 points to share out."""
    mode = frame.choice(st.radio, t("w.direct_mode", L), ("sliders", "points"), horizontal=True, key="w_direct_mode",
                    format_func=lambda m: t(f"w.direct_mode.{m}", L))
    if mode == "points":
        flat = views.flat_weights(base)
        ids = list(flat)
        raw = [flat[i] * 100 for i in ids]
        floor = [int(x) for x in raw]   # largest remainder, so the defaults add up to exactly 100
        for k in sorted(range(len(ids)), key=lambda k: raw[k] - floor[k], reverse=True)[:100 - sum(floor)]:
            floor[k] += 1
        default = dict(zip(ids, floor))
        points = {}
        paths = views.node_paths(scheme, L)
        for d in (d for d in scheme.nodes() if d.indicators):   # every dimension holding indicators, any depth
            st.markdown(f"**{plain(paths[d.id])}**")
            cols = st.columns(4)
            for n, ind in enumerate(d.indicators):
                points[ind.id] = cols[n % 4].number_input(pick(ind, L), 0, 100, default[ind.id], 1,
                                                          key=f"wp:{tag}:{ind.id}")
        total = sum(points.values())
        (st.success if total == 100 else st.warning)(t("w.points_total", L, total=total))
        dims, inds = editing.flat_to_hierarchy(scheme, points)
        return dims, inds
    dim_total = sum(d.weight for d in scheme.dimensions) or 1.0
    st.markdown(f"**{t('w.dimensions', L)}**")
    cols = st.columns(min(len(scheme.dimensions), 5))
    dims = {}
    for n, d in enumerate(scheme.dimensions):
        dims[d.id] = cols[n % len(cols)].slider(pick(d, L), 0, 100, int(round(d.weight / dim_total * 100)),
                                                key=f"wd:{tag}:{d.id}")
    inds = {}
    paths = views.node_paths(scheme, L)
    with st.expander(t("w.within", L)):
        for d in scheme.nodes():   # at every level: its sub-dimensions and indicators, as % of it
            if len(d.children) == 1:
                (dims if d.dimensions else inds)[d.children[0].id] = 100
                continue
            st.markdown(f"*{paths[d.id]}*")
            total = sum(c.weight for c in d.children) or 1.0
            cols = st.columns(min(len(d.children), 4))
            for n, c in enumerate(d.children):
                into = inds if c in d.indicators else dims
                into[c.id] = cols[n % len(cols)].slider(pick(c, L), 0, 100, int(round(c.weight / total * 100)),
                                                        key=f"{'wi' if into is inds else 'wd'}:{tag}:{c.id}")
    return dims, inds


def needs_derived(scheme):
    """Weights from the needs raised in the period: category priority, then its share to the indicators."""
    how = frame.choice(st.radio, t("w.needs_method", L), ("prevalence_urgency", "hanlon"), horizontal=True, key="w_needs_method",
                   format_func=lambda m: t(f"w.needs_method.{m}", L))
    unlinked = [pick(i, L) for i in scheme.indicators if not i.serves]
    if unlinked:
        st.info(t("w.serves_all_note", L, n=len(unlinked), total=len(scheme.indicators)))
    needs = frame.needs(f.db, f.period.start, f.period.end)
    scores = needs_scores(needs, how)
    flat, deriv = needs_weights(scores, {i.id: list(i.serves) for i in scheme.indicators}, general="all")
    with st.expander(t("w.derivation", L), expanded=True):
        st.markdown(t("w.step1", L, n=len(needs)))
        st.caption(t(f"w.step1_formula.{how}", L))
        st.dataframe(views.needs_scores_frame(scores, L), hide_index=True, width="stretch", column_config={
            "category": None,
            "category_label": st.column_config.TextColumn(t("w.col.category", L)),
            "n_needs": st.column_config.NumberColumn(t("w.col.n_needs", L), format="%d"),
            "prevalence": st.column_config.NumberColumn(t("w.col.prevalence", L), format="%.1f%%"),
            "households": st.column_config.NumberColumn(t("w.col.households", L), format="%.0f"),
            "mean_urgency": st.column_config.NumberColumn(t("w.col.mean_urgency", L), format="%.2f"),
            "score": st.column_config.NumberColumn(t("w.col.priority", L), format="%.3f"),
            "share": st.column_config.ProgressColumn(t("w.col.share", L), format="%.1f%%", min_value=0, max_value=100),
        })
        st.markdown(t("w.step2", L))
        st.dataframe(views.links_frame(scheme, L), hide_index=True, width="stretch", column_config={
            "indicator": st.column_config.TextColumn(t("col.indicator", L)),
            "serves": st.column_config.TextColumn(t("w.col.serves", L))})
        st.markdown(t("w.step3", L))
        st.dataframe(views.derivation_frame(deriv, scheme, L), hide_index=True, width="stretch", column_config={
            "indicator": st.column_config.TextColumn(t("col.indicator", L)),
            "category": st.column_config.TextColumn(t("w.col.category", L)),
            "category_share": st.column_config.NumberColumn(t("w.col.share", L), format="%.1f%%"),
            "split": st.column_config.NumberColumn(t("w.col.split", L), format="%d"),
            "contribution": st.column_config.NumberColumn(t("w.col.contribution", L), format="%.2f%%"),
            "normalised": st.column_config.NumberColumn(t("w.col.normalised", L), format="%.2f%%"),
            "note": st.column_config.TextColumn(t("w.col.note", L), width="large")})
        st.markdown(t("w.step4", L))
    return flat.to_dict(), "needs"


def ahp_group(gid, crit, labels, start_weights, ri, tag):
    """One pairwise-comparison matrix: a slider per pair, weights and consistency live."""
    n = len(crit)
    default = judgments.defaults_from_weights(start_weights)
    left, right = st.columns([3, 2], gap="large")
    values = {}
    with left:
        for i, j in judgments.pairs(n):
            values[(i, j)] = frame.choice(
                st.select_slider, f"{labels[i]}  ⟷  {labels[j]}", options=judgments.SCALE, value=default[(i, j)],
                key=f"ahp:{tag}:{gid}:{i}:{j}", format_func=lambda v, a=labels[i], b=labels[j]: judgment_text(v, a, b))
    res = ahp_method.ahp(judgments.matrix(n, values), criteria=crit, ri_table=ri)
    name = dict(zip(crit, labels))
    with right:
        m1, m2, m3 = st.columns(3)
        m1.metric("λmax", f"{res.lambda_max:.3f}")
        m2.metric("CI", f"{res.ci:.3f}")
        m3.metric("CR", f"{res.cr:.3f}", help=t("w.cr_help", L))
        st.dataframe(pd.DataFrame({"criterion": labels, "weight": res.weights * 100}), hide_index=True,
                     width="stretch", column_config={
                         "criterion": st.column_config.TextColumn(t("w.col.criterion", L)),
                         "weight": st.column_config.ProgressColumn(t("w.col.weight", L), format="%.1f%%",
                                                                   min_value=0, max_value=100)})
        if n >= 3 and not res.consistent:
            lines = []
            for a, b, r in res.disagreements:
                said = res.matrix[crit.index(a), crit.index(b)]
                implied = res.weight_of(a) / res.weight_of(b)
                lines.append(f"- {t('w.disagree', L, a=name[a], b=name[b], said=f'{said:g}', implied=f'{implied:.1f}')}")
            st.warning(t("w.cr_high", L, cr=f"{res.cr:.2f}") + "\n\n" + "\n".join(lines))
        elif n >= 3:
            st.success(t("w.cr_ok", L, cr=f"{res.cr:.2f}"))
    return res


def ahp(scheme, tag):
    ri = frame.choice(st.selectbox, t("w.ri_table", L), list(ahp_method.RANDOM_INDEX), key="w_ri",
                      format_func=lambda k: t(f"w.ri.{k}", L))
    groups = []
    if len(scheme.dimensions) >= 2:
        groups.append(("__dimensions", [d.id for d in scheme.dimensions], [pick(d, L) for d in scheme.dimensions],
                       [d.weight for d in scheme.dimensions], t("w.ahp_dimensions", L)))
    paths = views.node_paths(scheme, L)
    for d in scheme.nodes():   # one comparison per dimension with two or more children, at every level
        if len(d.children) >= 2:
            groups.append((d.id, [c.id for c in d.children], [pick(c, L) for c in d.children],
                           [c.weight for c in d.children], paths[d.id]))
    results = {}
    if groups:
        for g, tab in zip(groups, st.tabs([g[4] for g in groups])):
            with tab:
                results[g[0]] = ahp_group(g[0], g[1], g[2], g[3], ri, tag)

    def within(holder: str, code: str) -> float:
        return results[holder].weight_of(code) if holder in results else 1.0
    flat = {}

    def down(d, w: float):   # the product of the AHP weights along each indicator's path
        for i in d.indicators:
            flat[i.id] = w * within(d.id, i.id)
        for x in d.dimensions:
            down(x, w * within(d.id, x.id))
    for d in scheme.dimensions:
        down(d, within("__dimensions", d.id))
    bad = [r.cr for r in results.values() if len(r.weights) >= 3 and not r.consistent]
    return flat, "ahp", (max(bad) if bad else None)


def objective_weights(base, which):
    higher = [ind.direction == "higher" for ind in base.scheme.indicators]
    fn = objective_method.entropy_weights if which == "entropy" else objective_method.critic_weights
    return pd.Series(fn(base.raw, higher), index=base.raw.columns)


def objective(base):
    which = frame.choice(st.radio, t("w.objective_method", L), ("entropy", "critic"), horizontal=True, key="w_objective",
                     format_func=lambda m: t(f"w.objective.{m}", L))
    st.warning(t("w.objective_warning", L), icon=":material/warning:")
    return objective_weights(base, which).to_dict(), which


def combined(base):
    c1, c2 = st.columns(2)
    which = frame.choice(c1.radio, t("w.objective_method", L), ("entropy", "critic"), horizontal=True, key="w_combined_objective",
                     format_func=lambda m: t(f"w.objective.{m}", L))
    alpha = c2.slider(t("w.alpha", L), 0.0, 1.0, 0.5, 0.05, key="w_alpha", help=t("w.alpha_help", L))
    st.warning(t("w.objective_warning", L), icon=":material/warning:")
    subjective = base.weights["effective"]
    obj = objective_weights(base, which)
    w = objective_method.combine(subjective, obj, alpha)
    with st.expander(t("w.combined_table", L)):
        st.dataframe(pd.DataFrame({
            "indicator": [pick(i, L) for i in base.scheme.indicators], "subjective": subjective.to_numpy() * 100,
            "objective": obj.reindex(subjective.index).to_numpy() * 100, "combined": w * 100}),
            hide_index=True, width="stretch", column_config={
                "indicator": st.column_config.TextColumn(t("col.indicator", L)),
                "subjective": st.column_config.NumberColumn(t("w.col.subjective", L), format="%.1f%%"),
                "objective": st.column_config.NumberColumn(t(f"w.objective.{which}", L), format="%.1f%%"),
                "combined": st.column_config.NumberColumn(t("w.col.combined", L), format="%.1f%%")})
    return dict(zip(subjective.index, w)), "combined"


def outcome(scheme, base, candidate, method, dims, inds, worst_cr=None):
    """What the weights do: each camp's share of the weight, the new top 10, and the apply button (which asks
    for a tick first when AHP judgments are inconsistent, CR above 0.10: `worst_cr`)."""
    flat = views.flat_weights(candidate)
    shares = editing.camp_shares(scheme, flat)
    before = editing.camp_shares(scheme, views.flat_weights(base))
    st.divider()
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader(t("w.camp_share", L))
        m1, m2 = st.columns(2)
        for col, camp in ((m1, "output"), (m2, "needs")):
            delta = (shares[camp] - before[camp]) * 100
            col.metric(term("camp", camp, L), f"{shares[camp]:.0%}",
                       delta=None if abs(delta) < 0.05 else f"{delta:+.1f} pp", delta_color="off", border=True)
        st.vega_lite_chart(weight_charts.camp_share(shares, L), width="stretch")   # altair's, made cheaply
        st.caption(t("w.apply_help", L))
        confirmed = True
        if worst_cr is not None:
            confirmed = st.checkbox(t("nc.ahp_confirm", L, cr=worst_cr), key="w_ahp_confirm")
            if not confirmed:
                st.warning(t("nc.ahp_need_confirm", L, cr=worst_cr), icon=":material/warning:")
        if st.button(t("w.apply", L), type="primary", icon=":material/check:", key="w_apply", disabled=not confirmed):
            updated = frame.editable(f).with_weights(dims, inds, provenance=Provenance(method=method))
            frame.put_working(updated)
            # shown by the panel, so the next move of the panel (another method, a slider) clears it
            st.session_state["_w_applied"] = t("w.applied", L, scheme=updated.id, method=term("provenance", method, L))
            st.rerun()
    with right:
        st.subheader(t("w.top10", L))
        top = views.ranking_changes(base, candidate, L, top=10)
        top["move"] = top["move"].where(top["move"] != 0)   # blank when the station keeps its rank
        st.dataframe(top.reset_index(drop=True), hide_index=True, width="stretch", key="w_top10", placeholder="—",
                     column_order=["rank", "station", "score", "before", "move"], column_config={
            "rank": st.column_config.NumberColumn(t("col.rank", L), format="%d", width="small"),
            "station": st.column_config.TextColumn(t("col.station", L)),
            "score": st.column_config.NumberColumn(t("col.score", L), format="%.1f", width="small"),
            "before": st.column_config.NumberColumn(t("w.col.before", L), format="%d", width="small"),
            "move": st.column_config.NumberColumn(t("w.col.move", L), format="%+d", width="small")})
        st.vega_lite_chart(weight_charts.top10(top, L), width="stretch")
    with st.expander(t("w.all_weights", L), expanded=True):
        st.dataframe(views.weights_frame(scheme, flat, L, reference=views.flat_weights(base)), hide_index=True,
                     width="stretch", height=min(38 + 35 * len(flat), 600), column_config={
                         "indicator": st.column_config.TextColumn(t("col.indicator", L)),
                         "dimension": st.column_config.TextColumn(t("col.dimension", L)),
                         "camp": st.column_config.TextColumn(t("col.camp", L), width="small"),
                         "weight": st.column_config.ProgressColumn(t("w.col.new_weight", L), format="%.1f%%",
                                                                   min_value=0, max_value=100),
                         "reference": st.column_config.NumberColumn(t("w.col.current_weight", L), format="%.1f%%")})


@st.fragment
@frame.guarded
def panel():
    scheme = f.scheme
    base = frame.score(f.db, scheme, f.period)
    tag = f"{hash(scheme) & 0xFFFFFFFF:08x}"   # fresh widgets when the scheme changes (no YAML dump per move)
    applied = st.session_state.pop("_w_applied", None)
    if applied:
        st.success(applied)
    method = frame.choice(st.segmented_control, t("w.method", L), METHODS, default="direct", required=True, key="w_method",
                                  format_func=lambda m: t(f"w.method.{m}", L))
    st.caption(t(f"w.method_help.{method}", L))
    worst_cr = None
    if method == "direct":
        dims, inds = direct(scheme, base, tag)
    else:
        if method == "needs":
            flat, method = needs_derived(scheme)
        elif method == "ahp":
            flat, method, worst_cr = ahp(scheme, tag)
        elif method == "objective":
            flat, method = objective(base)
        else:
            flat, method = combined(base)
        dims, inds = editing.flat_to_hierarchy(scheme, flat)
    try:
        candidate = base.reweighted(dims, inds, provenance=Provenance(method=method))
    except SchemeError as exc:
        frame.show_error(exc, L)
        return
    outcome(scheme, base, candidate, method, dims, inds, worst_cr)


panel()
