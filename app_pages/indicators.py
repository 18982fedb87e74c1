"""Indicators: the library of the current scheme's indicators, dimension by dimension (what each
measures, its camp, direction, normalisation and why it is there), and an editor to add or change a
quantitative indicator (a measure over the records, previewed live per station) or a qualitative one
(an ordinal scale whose levels are edited as a table). Edits go into a working copy of the scheme,
which the Schemes page saves."""
from app_pages import auth  # noqa: E402 - first, before anything reads: a page refused stops here
auth.require("score")
import pandas as pd
import streamlit as st

from app_pages import frame
from indicators.scheme import editing
from indicators.errors import InputError
from indicators.outputs import charts, views
from indicators.i18n import pick, t, term
from indicators.scoring.measures import MEASURE_TABLES, table_columns
from indicators.scheme.model import (CAMPS, DIRECTIONS, MISSING_RULES, NORMALISATIONS, Indicator, Level,
                              Normalisation, SchemeError)
from indicators.text_safety import plain

NEW_QUANT, NEW_QUAL, NEW_DIM = "__new_quantitative", "__new_qualitative", "__new_dimension"
CAMP_BADGE = {"output": "orange", "needs": "blue"}
SCALE_TABLES = ("ratings", "feedback")
TEMPLATES = {
    "rubric": (Level("优", 100, "优", "Excellent"), Level("良", 80, "良", "Good"),
               Level("中", 60, "中", "Fair"), Level("差", 40, "差", "Poor")),
    "likert": tuple(Level(str(n), (n - 1) * 25, zh, en) for n, zh, en in (
        (1, "很不满意", "Very dissatisfied"), (2, "不满意", "Dissatisfied"), (3, "一般", "Neutral"),
        (4, "满意", "Satisfied"), (5, "很满意", "Very satisfied"))),
    "yes_no": (Level("yes", 100, "是", "Yes"), Level("no", 0, "否", "No")),
}


def md(text: str) -> str:
    """Text shown as Markdown with its Markdown characters escaped (filters hold * and _)."""
    return "".join("\\" + ch if ch in "\\`*_[]<>#|~$" else ch for ch in str(text))


f = frame.current()
L = f.lang
scheme = f.scheme
frame.page_header(f, "ind.title", "ind.intro")
if f.source == "builtin":
    st.caption(t("ind.builtin_note", L, name=plain(pick(scheme, L))))

# Keyed and tracked: a message shown above the tabs on one run and gone on the next used to move them, and an
# untracked tab set that moves comes back on its first tab (seen: "+ new qualitative" jumped to the library).
tab_library, tab_editor = st.tabs([t("ind.tab.library", L), t("ind.tab.editor", L)], key=f"ind_tab:{L}",
                                  on_change="rerun")

# ---------------------------------------------------------------- the library
with tab_library:
    library = views.library_frame(scheme, L)
    tree = views.tree_frame(scheme, L)
    deep = int(tree["depth"].max()) > 2
    with st.expander(t("tree.title", L), expanded=deep or scheme.weighting == "points"):
        st.caption(t("tree.intro_points", L, total=scheme.points_total()) if scheme.weighting == "points"
                   else t("tree.intro", L))
        st.caption(t(f"tree.aggregation.{scheme.aggregation}", L))
        # a tree that fits on a screen opens whole, so its indicators show without a click per dimension
        st.html(views.tree_html(scheme, L, open_levels=9 if len(tree) <= 40 else 1))
        st.altair_chart(charts.icicle_chart(tree, L, points=scheme.weighting == "points"), width="stretch")
    # a dimension's share of the whole score (for a top-level one, its weight among the dimensions)
    dim_pct = dict(zip(tree.loc[tree["kind"] == "dimension", "code"],
                       tree.loc[tree["kind"] == "dimension", "effective"]))
    paths = views.node_paths(scheme, L)
    for d in (d for d in scheme.nodes() if d.indicators):   # every dimension holding indicators, at any depth
        name = paths[d.id] if deep else pick(d, L)
        st.markdown(f"#### {plain(name)}  ·  {t('ind.dim_weight', L, pct=f'{dim_pct[d.id]:.0f}')}")
        for row in library[library["dimension_id"] == d.id].itertuples():
            with st.container(border=True):
                c1, c2 = st.columns([2, 3], gap="medium")
                c1.markdown(f"**{md(row.indicator)}**  \n`{row.id}`")
                c1.markdown(" ".join([
                    f":{CAMP_BADGE[row.camp_id]}-badge[{row.camp}]", f":gray-badge[{row.kind}]",
                    f":gray-badge[{row.direction}]", f":gray-badge[{md(row.normalisation)}]",
                    f":violet-badge[{t('ind.weight_badge', L, pct=f'{row.weight:.0f}')}]"]))
                c2.markdown(md(row.rationale) or "—")
                c2.caption(f"{t('ind.col.measure', L)}: {md(row.measure)} · {t('ind.missing', L)}: {row.missing}")

# ---------------------------------------------------------------- the editor
with tab_editor:
    ids = [i.id for i in scheme.indicators]
    names = views.indicator_names(scheme, L)
    pending = st.session_state.pop("_pending_ind_target", None)   # the indicator just added or changed
    if pending and pending[0] == scheme.id and pending[1] in ids:
        st.session_state[f"ind_target:{scheme.id}"] = pending[1]
    target = frame.choice(
        st.selectbox, t("ind.edit_target", L), [NEW_QUANT, NEW_QUAL, *ids], key=f"ind_target:{scheme.id}",
        format_func=lambda x: {NEW_QUANT: t("ind.new_quant", L), NEW_QUAL: t("ind.new_qual", L)}.get(
            x, f"{t('ind.edit', L)}: {names.get(x, x)}"))
    existing = scheme.indicator(target) if target in ids else None
    qualitative = target == NEW_QUAL or bool(existing and existing.qualitative)
    fields = editing.measure_fields(existing.measure) if existing else None
    # a ratio, or per 1,000 of a kind that names its own records: the form cannot hold it whole
    nested = fields is not None and (fields["kind"] not in (*editing.FORM_KINDS, "scale")
                                     or (fields["per_1000"] and fields["kind"] in editing.TABLELESS_KINDS))

    def key(name: str) -> str:
        return f"ind:{scheme.id}:{target}:{name}"

    if nested:
        st.info(t("ind.nested", L))
    else:
        # ---- identity
        st.markdown(f"##### {t('ind.sec.identity', L)}")
        c1, c2, c3 = st.columns(3)
        new_id = c1.text_input(t("ind.id", L), value=existing.id if existing else editing.unique_id(
            "new_rating" if qualitative else "new_indicator", ids), key=key("id"), help=t("ind.id_help", L))
        name_zh = c2.text_input(t("ind.name_zh", L), value=existing.name_zh if existing else "", key=key("name_zh"))
        name_en = c3.text_input(t("ind.name_en", L), value=existing.name_en if existing else "", key=key("name_en"))
        dims = [d.id for d in scheme.nodes()]
        dim_names = views.node_paths(scheme, L)
        current_dim = editing.dimension_of(scheme, existing.id).id if existing else dims[0]
        c1, c2, c3 = st.columns(3)
        dim_id = frame.choice(c1.selectbox, t("ind.dimension", L), [*dims, NEW_DIM], index=dims.index(current_dim), key=key("dim"),
                              format_func=lambda d: dim_names.get(d, t("ind.new_dimension", L)))
        camp = frame.choice(c2.radio, t("col.camp", L), CAMPS, index=CAMPS.index(existing.camp) if existing else 1, key=key("camp"),
                        horizontal=True, format_func=lambda c: term("camp", c, L), help=t("ind.camp_help", L))
        weight = c3.number_input(t("ind.weight", L), 0.0, 1000.0, float(existing.weight) if existing else 20.0, 1.0,
                                 key=key("weight"), help=t("ind.weight_help", L))
        new_dimension = None
        if dim_id == NEW_DIM:
            d1, d2, d3 = st.columns(3)
            dim_id = d1.text_input(t("ind.new_dim_id", L), value=editing.unique_id("new_dimension", dims),
                                   key=key("new_dim_id"))
            new_dimension = (d2.text_input(t("ind.name_zh", L), key=key("new_dim_zh")),
                             d3.text_input(t("ind.name_en", L), key=key("new_dim_en")))

        # ---- measure
        st.markdown(f"##### {t('ind.sec.measure', L)}")
        levels = ()
        if qualitative:
            c1, c2, c3 = st.columns([1, 1, 2])
            table = frame.choice(c1.selectbox, t("ind.table", L), SCALE_TABLES, key=key("table"),
                                 index=SCALE_TABLES.index(fields["table"]) if fields and fields["table"] in SCALE_TABLES else 0,
                                 format_func=lambda x: term("table", x, L))
            cols = editing.level_columns(table_columns(table))
            default_col = fields["column"] if fields and fields["column"] in cols else ("level" if table == "ratings" else "rating")
            column = c2.selectbox(t("ind.scale_column", L), cols, index=cols.index(default_col) if default_col in cols else 0,
                                  key=key(f"column:{table}"))
            if fields and fields["table"] == table:
                default_filter = fields["filter"]
            else:   # ratings hold every rubric: pick this indicator's rows by its id
                default_filter = f"indicator_id = '{new_id}'" if table == "ratings" else ""
            filt = c3.text_input(t("ind.filter", L), value=default_filter, key=key(f"filter:{table}"),
                                 help=t("ind.filter_help", L))
            if table == "ratings":   # which rubrics the ratings already hold, so the filter can name one
                rubrics = frame.choices(f.db, "ratings", "indicator_id")
                st.caption(t("nc.rubric_ids", L, ids=", ".join(f"`{r}`" for r in rubrics)) if rubrics
                           else t("nc.rubric_none", L))
            template = None
            if not existing:
                template = frame.choice(st.radio, t("ind.template", L), list(TEMPLATES), horizontal=True, key=key("template"),
                                    format_func=lambda x: t(f"ind.template.{x}", L))
            st.caption(t("ind.levels_help", L))
            # The editor's input is fixed per indicator and template; its edits are read back, validated and
            # kept in session state, and never fed back in as its input (that would lose edits).
            src_key = key(f"levels_src:{template}")
            if src_key not in st.session_state:
                st.session_state[src_key] = editing.levels_frame(fields["levels"] if fields else TEMPLATES[template])
            edited = st.data_editor(st.session_state[src_key], key=key(f"levels:{template}"), num_rows="dynamic",
                                    width="stretch", hide_index=True, column_config={
                "value": st.column_config.TextColumn(t("ind.level.value", L), required=True, width="small"),
                "score": st.column_config.NumberColumn(t("ind.level.score", L), required=True, width="small"),
                "label_zh": st.column_config.TextColumn(t("ind.level.label_zh", L), width="medium"),
                "label_en": st.column_config.TextColumn(t("ind.level.label_en", L), width="medium"),
                "descriptor_zh": st.column_config.TextColumn(t("ind.level.descriptor_zh", L), width="large"),
                "descriptor_en": st.column_config.TextColumn(t("ind.level.descriptor_en", L), width="large"),
            })
            try:
                levels = editing.levels_from_frame(pd.DataFrame(edited))
                st.session_state[key("levels_ok")] = levels
            except SchemeError as exc:
                frame.show_error(exc, L)
                levels = None
            measure_args = dict(kind="scale", table=table, column=column, filter=filt, levels=levels or ())
        else:
            c1, c2, c3, c4 = st.columns(4)
            kind = frame.choice(c1.selectbox, t("ind.kind", L), editing.FORM_KINDS, key=key("kind"),
                                index=editing.FORM_KINDS.index(fields["kind"]) if fields else 0,
                                format_func=lambda k: term("kind", k, L), help=t("ind.kind_help", L))
            fixed = kind in editing.TABLELESS_KINDS   # the kind names its own records
            table, per_1000 = "activities", False   # a kind that names its own records has neither
            if not fixed:
                table = frame.choice(c2.selectbox, t("ind.table", L), MEASURE_TABLES, key=key("table"),
                                     index=MEASURE_TABLES.index(fields["table"]) if fields and fields["table"] in
                                     MEASURE_TABLES else MEASURE_TABLES.index("activities"),
                                     format_func=lambda x: term("table", x, L))
                per_1000 = c3.checkbox(t("ind.per_1000", L), value=bool(fields and fields["per_1000"]),
                                       key=key("per_1000"), help=t("ind.per_1000_help", L))
            top = days = None
            if kind == "top_share":
                top = c2.number_input(t("ind.top", L), 0.01, 0.99, float(fields["top"] or 0.1) if fields else 0.1, 0.01,
                                      key=key("top"), help=t("ind.top_help", L))
            elif kind == "new_share":
                days = c2.number_input(t("ind.days", L), 0, 36500, int(fields["days"] or 0) if fields else 0, 30,
                                       key=key("days"), help=t("ind.days_help", L))
            cols = table_columns(table)
            column = filt = base = wexpr = series = denominator = ""
            if kind in ("sum", "mean", "median"):
                column = st.text_input(t("ind.value_expr", L), value=fields["column"] if fields else "",
                                       key=key("column"), help=t("ind.value_expr_help", L))
            elif kind == "distinct":
                names_ = list(cols)
                column = st.selectbox(t("ind.distinct_column", L), names_, key=key(f"dcol:{table}"),
                                      index=names_.index(fields["column"]) if fields and fields["column"] in names_ else 0)
            if not fixed:
                filt = st.text_input(t("ind.share_filter" if kind == "share" else "ind.filter", L),
                                     value=fields["filter"] if fields else "", key=key("filter"),
                                     help=t("ind.filter_help", L))
            def text(where, label: str, name: str, widget: str) -> str:   # a text field of the measure, with help
                return where.text_input(t(f"ind.{label}", L), value=fields[name] if fields else "", key=key(widget),
                                        help=t(f"ind.{label}_help", L))
            if kind == "share":
                s1, s2 = st.columns(2)
                base, wexpr = text(s1, "base", "base", "base"), text(s2, "weight_expr", "weight", "wexpr")
            elif kind == "unreached_share":
                base = text(st, "residents_base", "base", "rbase")
                st.caption(t("ind.columns_of", L, table=term("table", "residents", L),
                             cols=", ".join(table_columns("residents"))))
            elif kind == "value":
                v1, v2 = st.columns(2)
                series = text(v1, "series", "series", "series")
                denominator = text(v2, "denominator", "denominator", "denominator")
            if fixed:
                st.caption(t(f"ind.kind_note.{kind}", L))
            else:
                st.caption(t("ind.columns_of", L, table=term("table", table, L), cols=", ".join(cols)))
            measure_args = dict(kind=kind, table=table if not fixed else None, column=column, filter=filt,
                                base=base, weight=wexpr, top=top, per_1000=per_1000, days=days, series=series,
                                denominator=denominator)

        # ---- scoring rules
        st.markdown(f"##### {t('ind.sec.scoring', L)}")
        c1, c2, c3, c4 = st.columns(4)
        direction = frame.choice(c1.radio, t("ind.col.direction", L), DIRECTIONS, horizontal=True, key=key("direction"),
                             index=DIRECTIONS.index(existing.direction) if existing else 0,
                             format_func=lambda d: term("direction", d, L))
        norm = frame.choice(c2.selectbox, t("ind.col.normalisation", L), NORMALISATIONS, key=key("norm"),
                            index=NORMALISATIONS.index(existing.normalisation.method) if existing else 0,
                            format_func=lambda n: term("norm", n, L), help=t("ind.norm_help", L))
        missing = frame.choice(c3.selectbox, t("ind.missing", L), MISSING_RULES, key=key("missing"),
                               index=MISSING_RULES.index(existing.missing) if existing else 0,
                               format_func=lambda m: term("missing", m, L), help=t("ind.missing_help", L))
        # A new share reads as a percentage unless told otherwise (keyed by kind so the default follows it).
        is_share = (measure_args["kind"] in ("share", "top_share", "new_share", "returning_share", "unreached_share")
                    and not measure_args.get("per_1000"))
        unit = c4.text_input(t("ind.unit", L), value=existing.unit if existing else ("share" if is_share else ""),
                             key=key("unit") if existing else key(f"unit:{measure_args['kind']}"),
                             help=t("ind.unit_help", L))
        low = high = target_value = None
        old_norm = existing.normalisation if existing else Normalisation()
        if norm == "goalposts":
            g1, g2 = st.columns(2)
            low = g1.number_input(t("ind.low", L), value=float(old_norm.low or 0.0), key=key("low"))
            high = g2.number_input(t("ind.high", L), value=float(old_norm.high if old_norm.high is not None else 1.0),
                                   key=key("high"))
        elif norm == "target":
            target_value = st.number_input(t("ind.target", L), min_value=0.0,
                                           value=float(old_norm.target if old_norm.target is not None else 1.0),
                                           key=key("target"))

        # ---- why, and which needs it serves
        st.markdown(f"##### {t('ind.sec.rationale', L)}")
        r1, r2 = st.columns(2)
        rationale_zh = r1.text_area(t("ind.rationale_zh", L), value=existing.rationale_zh if existing else "",
                                    key=key("why_zh"), height=90)
        rationale_en = r2.text_area(t("ind.rationale_en", L), value=existing.rationale_en if existing else "",
                                    key=key("why_en"), height=90)
        categories = sorted(set(frame.choices(f.db, "needs", "category")) | set(existing.serves if existing else ()))
        serves = frame.choice(st.multiselect, t("ind.serves", L), categories, default=list(existing.serves) if existing else [],
                                key=key("serves"), format_func=lambda c: term("category", c, L),
                                help=t("ind.serves_help", L), placeholder=t("ind.serves_all", L))

        # ---- live preview of raw values per station
        st.markdown(f"##### {t('ind.sec.preview', L, period=f.period.text(L))}")
        measure_ok = False
        measure = None
        unfilled = editing.missing_fields(editing.build_measure(**measure_args)) if levels is not None else []
        if unfilled:   # a half-filled form: say what to fill in, in the page's language
            st.info(t("nc.missing", L, fields=t("nc.sep", L).join(t(f"nc.field.{m}", L) for m in unfilled)))
        elif levels is not None:
            try:
                measure = editing.build_measure(**measure_args)
                raw = frame.preview(f.db, measure, f.period, own=new_id.strip())
            except InputError as exc:
                frame.show_error(exc, L)
            else:
                measure_ok = True
                stations = frame.stations(f.db)
                prev = pd.DataFrame({"station": views.station_names(stations, L).reindex(raw.index), "raw": raw})
                prev = prev.sort_values("raw", ascending=False, na_position="last")
                pct = unit.strip() == "share"   # shown as percentages, like everywhere else a share is shown
                p1, p2, p3, p4 = st.columns(4)
                p1.metric(t("ind.prev.with_data", L), f"{int(raw.notna().sum())} / {len(raw)}")
                for col, label, v in ((p2, "ind.prev.min", raw.min()), (p3, "ind.prev.median", raw.median()),
                                      (p4, "ind.prev.max", raw.max())):
                    col.metric(t(label, L), "—" if raw.isna().all() else f"{v:.1%}" if pct else f"{v:,.3g}")
                big = raw.abs().max() if raw.notna().any() else 0
                if raw.isna().all():
                    st.warning(t("ind.prev.empty", L))
                st.dataframe(prev.reset_index(), hide_index=True, width="stretch", height=250, placeholder="—",
                             column_config={
                    "station_id": st.column_config.TextColumn(t("col.station_id", L), width="small"),
                    "station": st.column_config.TextColumn(t("col.station", L)),
                    "raw": st.column_config.NumberColumn(t("col.raw", L), format="percent" if pct else
                                                         "%.3f" if big < 10 else "%.1f"),
                })

        # ---- keep it in the working copy
        b1, b2, _ = st.columns([2, 2, 3])
        if b1.button(t("ind.update" if existing else "ind.add", L), type="primary", icon=":material/add_task:",
                     key=key("apply")):
            try:
                if not measure_ok:
                    raise SchemeError("measure", t("nc.missing", L, fields=t("nc.sep", L).join(
                        t(f"nc.field.{m}", L) for m in unfilled)) if unfilled else t("ind.fix_first", L))
                for field, value in (("name_zh", name_zh), ("name_en", name_en)):
                    if not value.strip():
                        raise SchemeError(field, t("ind.required", L))
                indicator = Indicator(
                    id=new_id.strip(), name_zh=name_zh.strip(), name_en=name_en.strip(), camp=camp, measure=measure,
                    weight=float(weight), direction=direction,
                    normalisation=Normalisation(method=norm, low=low, high=high, target=target_value),
                    missing=missing, unit=unit.strip(), rationale_zh=rationale_zh.strip(),
                    rationale_en=rationale_en.strip(), serves=tuple(serves))
                updated = editing.upsert_indicator(frame.editable(f), indicator, dim_id.strip(),
                                                   old_id=existing.id if existing else None, new_dimension=new_dimension)
            except SchemeError as exc:
                frame.show_error(exc, L)
            else:
                frame.put_working(updated)
                st.session_state["_pending_ind_target"] = (updated.id, indicator.id)
                frame.flash("success", t("ind.done", L, name=pick(indicator, L), scheme=updated.id))
                st.rerun()
        if existing and b2.button(t("ind.remove", L), icon=":material/delete:", key=key("remove")):
            try:
                updated = editing.remove_indicator(frame.editable(f), existing.id)
            except SchemeError as exc:
                frame.show_error(exc, L)
            else:
                frame.put_working(updated)
                frame.flash("success", t("ind.removed", L, name=pick(existing, L), scheme=updated.id))
                st.rerun()
