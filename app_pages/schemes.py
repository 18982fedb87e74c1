"""Schemes: every scheme at hand (built-in, saved, this session's working copies); clone one under a new
id, rename the current one, save it to the database, download it as YAML, or upload a YAML file,
which is checked field by field before anything is kept."""
from app_pages import auth  # noqa: E402 - first, before anything reads: a page refused stops here
auth.require("read")
import zlib

import pandas as pd
import streamlit as st

from app_pages import frame, records_import
from indicators.clock import in_reader_clock
from indicators.scheme import catalog
from indicators.scheme import editing
from indicators.i18n import pick, t, term
from indicators.scheme import framework
from indicators.scheme.model import DEFAULT_GRADES, SchemeError, dump_yaml
from indicators.outputs import views
from indicators.text_safety import plain


def grade_editor(source: pd.DataFrame, key: str, scale: str, limit: float):
    """The bands as an editable table (grade as written, labels, minimum on the scale); the rows as edited."""
    return st.data_editor(source, key=key, num_rows="dynamic", hide_index=True, width="stretch", column_config={
        "grade": st.column_config.TextColumn(t("qa.grade_col.grade", L), required=True,
                                             help=t("qa.grade_col.grade_help", L)),
        "label_zh": st.column_config.TextColumn(t("qa.grade_col.label_zh", L)),
        "label_en": st.column_config.TextColumn(t("qa.grade_col.label_en", L)),
        "min": st.column_config.NumberColumn(t(f"qa.grade_col.min_{scale}", L), required=True, min_value=0.0,
                                             max_value=limit, format="%g"),
    })


def editor_source(key: str, make) -> pd.DataFrame:
    """An editor's input, made once and kept: edits are read back from the editor, never fed in again."""
    if key not in st.session_state:
        st.session_state[key] = make()
    return st.session_state[key]


def import_review(scheme, name: str):
    """What the table gave, to confirm or edit: title, points and levels, grade bands, veto clauses, notes left
    unread, and (points tables) the rules the 评分标准 state. Returns the scheme as confirmed, or None while
    something is wrong (shown by field or by item)."""
    seen = editing.recognised(scheme)
    points = scheme.weighting == "points"
    st.markdown(f"**{t('qa.review', L)}**")
    if seen["title"]:
        st.markdown("  \n".join(f"> {plain(line.strip())}" for line in seen["title"].splitlines() if line.strip()))
    st.caption(t("qa.shape_points" if points else "qa.shape_weights", L, points=views_points(seen["points"], L),
                 levels=seen["levels"], n=seen["items"], d=seen["modules"]))
    scale = scheme.grade_scale
    if points:
        scale = frame.choice(st.radio, t("qa.scale", L), ["points", "score"], key=f"fw_scale:{name}",
                             index=["points", "score"].index(scheme.grade_scale), horizontal=True,
                             format_func=lambda x: t(f"qa.scale.{x}", L, points=views_points(seen["points"], L)))
    st.caption(t("qa.grades_from_notes" if scheme.notes and scheme.grades != DEFAULT_GRADES else "qa.grades_default",
                 L))
    limit = editing.grade_limit(scheme, scale)
    source = editor_source(f"fw_grades_src:{name}:{scale}",
                           lambda: editing.grades_frame(editing.rescale_grades(scheme.grades, scheme, scale)))
    edited = grade_editor(source, f"fw_grades:{name}:{scale}", scale, limit)
    problems = []
    try:
        confirmed = editing.set_grading(scheme, editing.grades_from_frame(pd.DataFrame(edited), limit, scale), scale)
    except SchemeError as exc:
        problems.append(exc)
        confirmed = scheme
    if seen["vetoes"]:
        st.markdown(f"**{t('qa.vetoes', L)}**")
        keep = []
        for n, clause in enumerate(seen["vetoes"]):   # a condition on an item: kept unless unticked
            if clause["applied"] and st.checkbox(t("qa.veto_applied", L, text=plain(clause["text"]),
                                                   condition=plain(clause["condition"])), value=True,
                                                 key=f"fw_veto:{name}:{n}"):
                keep.append(clause["veto"])
        notes = [t("qa.veto_sheet", L, text=plain(c["text"])) for c in seen["vetoes"] if not c["applied"]]
        if notes:
            st.markdown("\n".join(f"- {line}" for line in notes))
        if not problems:
            confirmed = editing.keep_vetoes(confirmed, keep)
    if seen["unread"]:
        with st.expander(t("qa.unread", L, n=len(seen["unread"]))):
            st.markdown("\n".join(f"- {plain(note)}" for note in seen["unread"]))
    if points:
        rows = rules_panel(scheme, name)
        if rows is not None and not problems:
            rules, bad = editing.check_rules(confirmed, rows)
            problems += bad
            if not bad and rules:
                try:
                    confirmed = editing.apply_rules(confirmed, rules)
                except SchemeError as exc:
                    problems.append(exc)
    for exc in problems:
        frame.show_error(exc, L)
    return None if problems else confirmed


def views_points(x, lang: str) -> str:
    """1,000 in English; 1000 in Chinese, which writes no thousands separator (docs/glossary.md)."""
    return "" if x is None else f"{x:,.10g}" if lang == "en" else f"{x:.10g}"


def rules_panel(scheme, name: str) -> pd.DataFrame | None:
    """The 评分标准 beside the rule read from it, per item: accept it, or edit its inline text. The rows as edited,
    or None before the rules were proposed."""
    st.markdown(f"**{t('qa.rules', L)}**")
    if st.button(t("qa.propose", L), icon=":material/rule:", key=f"fw_propose:{name}", help=t("qa.propose_help", L)):
        st.session_state[f"fw_rules_src:{name}"] = editing.propose_rules(scheme)
    if f"fw_rules_src:{name}" not in st.session_state:
        return None
    source = st.session_state[f"fw_rules_src:{name}"]
    name_col = "name_zh" if L == "zh" else "name_en"
    read = int((source["kind"] != "awarded").sum())
    st.caption(t("qa.rules_read", L, n=read, total=len(source)))
    # rows tall enough to wrap (Streamlit wraps text in rows taller than 4rem): the 评分标准 and the rule read whole
    rows = st.data_editor(source, key=f"fw_rules:{name}", hide_index=True, width="stretch", row_height=65,
                          height=38 + 65 * min(len(source), 10), disabled=[
        "id", "name_zh", "name_en", "points", "criteria", "kind"],
        column_order=["accept", "id", name_col, "points", "criteria", "rule"], column_config={
        "accept": st.column_config.CheckboxColumn(t("qa.rule_col.accept", L), width="small"),
        "id": st.column_config.TextColumn(t("qa.rule_col.id", L), width=60),
        name_col: st.column_config.TextColumn(t("qa.rule_col.name", L), width=120 if L == "zh" else 170),
        "points": st.column_config.NumberColumn(t("qa.rule_col.points", L), format="%g", width=55),
        "criteria": st.column_config.TextColumn(t("qa.rule_col.criteria", L), width=430),
        "rule": st.column_config.TextColumn(t("qa.rule_col.rule", L), width=330, help=t("qa.rule_help", L)),
    })
    return pd.DataFrame(rows)


f = frame.current()
L = f.lang
frame.page_header(f, "schemes.title", "schemes.intro")
options = frame.schemes(f.db)
saved = frame.saved(f.db).set_index("scheme_id")

# ---- the list
rows = []
for sid, (scheme, source) in options.items():
    rows.append({
        "id": sid, "name": pick(scheme, L), "source": t(f"frame.src.{source}", L),
        "dimensions": len(scheme.nodes()), "levels": scheme.levels(), "indicators": len(scheme.indicators),
        "weights": term("provenance", scheme.provenance.method, L),
        "saved_at": saved.at[sid, "saved_at"] if sid in saved.index else pd.NaT,
        "current": "●" if sid == f.scheme.id else "",
    })
listing = pd.DataFrame(rows)
listing["saved_at"] = in_reader_clock(listing["saved_at"], L)   # stored in UTC; 北京时间 in Chinese
st.dataframe(listing, hide_index=True, placeholder="—", width="stretch", column_config={
    "current": st.column_config.TextColumn("", width="small"),
    "id": st.column_config.TextColumn(t("schemes.col.id", L)),
    "name": st.column_config.TextColumn(t("schemes.col.name", L)),
    "source": st.column_config.TextColumn(t("schemes.col.source", L)),
    "dimensions": st.column_config.NumberColumn(t("schemes.col.dimensions", L), width="small",
                                                help=t("schemes.col.dimensions_help", L)),
    "levels": st.column_config.NumberColumn(t("schemes.col.levels", L), width="small"),
    "indicators": st.column_config.NumberColumn(t("schemes.col.indicators", L), width="small"),
    "weights": st.column_config.TextColumn(t("schemes.col.weights", L)),
    "saved_at": st.column_config.DatetimeColumn(t("schemes.col.saved_at", L), format="YYYY-MM-DD HH:mm"),
}, column_order=["current", "id", "name", "source", "levels", "dimensions", "indicators", "weights",
                                 "saved_at"])

left, right = st.columns(2, gap="large")

# ---- clone
with left, st.container(border=True):
    st.subheader(t("schemes.clone", L))
    ids = list(options)
    src = frame.choice(st.selectbox, t("schemes.clone_from", L), ids, index=ids.index(f.scheme.id), key="clone_src",
                       format_func=lambda s: frame.scheme_label(options[s], L))
    base = options[src][0]
    new_id = st.text_input(t("schemes.new_id", L), value=editing.unique_id(f"{src}-copy", ids), key=f"clone_id:{src}",
                           help=t("schemes.id_help", L))
    n1, n2 = st.columns(2)
    name_zh = n1.text_input(t("schemes.name_zh", L), value=f"{base.name_zh}（副本）", key=f"clone_zh:{src}")
    name_en = n2.text_input(t("schemes.name_en", L), value=f"{base.name_en} (copy)", key=f"clone_en:{src}")
    if st.button(t("schemes.clone_button", L), icon=":material/content_copy:", key="clone_go"):
        try:
            copy = editing.clone(base, new_id, name_zh, name_en, taken=ids)
        except SchemeError as exc:
            frame.show_error(exc, L)
        else:
            frame.put_working(copy)
            frame.flash("success", t("schemes.cloned", L, id=copy.id))
            st.rerun()

# ---- the current scheme: rename, save, download
with right, st.container(border=True):
    st.subheader(t("schemes.current", L))
    st.markdown(f"**{plain(pick(f.scheme, L))}** · `{f.scheme.id}`")
    builtin = f.scheme.id in catalog.BUILTINS
    if builtin:
        st.info(t("schemes.builtin_note", L))
    else:
        r1, r2 = st.columns(2)
        rz = r1.text_input(t("schemes.name_zh", L), value=f.scheme.name_zh, key=f"rename_zh:{f.scheme.id}")
        ren = r2.text_input(t("schemes.name_en", L), value=f.scheme.name_en, key=f"rename_en:{f.scheme.id}")
        who = records_import.name_input(f)
        b1, b2 = st.columns(2)
        if b1.button(t("schemes.rename_button", L), icon=":material/edit:", key="rename_go"):
            try:
                frame.put_working(editing.rename(f.scheme, rz, ren))
            except SchemeError as exc:
                frame.show_error(exc, L)
            else:
                frame.flash("success", t("schemes.renamed", L))
                st.rerun()
        if b2.button(t("schemes.save_button", L), icon=":material/save:", type="primary", key="save_go",
                     help=t("schemes.save_help", L)):
            try:
                auth.check("save_scheme")
                catalog.save(frame.connection(f.db, L), f.scheme, saved_by=who)
            except SchemeError as exc:
                frame.show_error(exc, L)
            else:
                frame.saved.clear()
                frame.drop_working(f.scheme.id)
                frame.flash("success", t("schemes.saved", L, id=f.scheme.id))
                st.rerun()
        if f.source == "working":
            st.caption(t("schemes.unsaved_note", L))
    st.download_button(t("schemes.download", L), dump_yaml(f.scheme).encode("utf-8"), file_name=f"{f.scheme.id}.yaml",
                       mime="application/x-yaml", icon=":material/download:", key="download_yaml")
    shape = frame.choice(st.radio, t("fw.shape", L), framework.SHAPES, key="fw_shape", horizontal=True,
                         format_func=lambda x: t(f"fw.shape.{x}", L))
    st.download_button(t("fw.download", L), framework.write_table(f.scheme, "xlsx", shape, L),
                       file_name=f"{f.scheme.id}-{shape}.xlsx", icon=":material/table_view:", key="download_table",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    with st.expander(t("schemes.yaml_preview", L)):
        st.code(dump_yaml(f.scheme), language="yaml")

records_import.audit_panel(f)      # who changed the current scheme, when, and how

# ---- grade bands and scoring options of the current scheme (any scheme): edited here, checked by the model, kept
# as a working copy (a built-in opens as a copy)
with st.container(border=True):
    st.subheader(t("qa.grading", L))
    st.caption(t("qa.grading_help", L))
    cur = f.scheme
    pts = cur.weighting == "points"
    g1, g2 = st.columns([3, 2], gap="large")
    with g2:
        gscale = cur.grade_scale
        if pts:
            gscale = frame.choice(st.radio, t("qa.scale", L), ["points", "score"], key=f"gr_scale:{cur.id}",
                                  index=["points", "score"].index(cur.grade_scale),
                                  format_func=lambda x: t(f"qa.scale.{x}", L, points=views_points(cur.points_total(), L)))
        min_obs = st.number_input(t("qa.min_observed", L), 0, 100, int(round(cur.min_observed * 100)), 5,
                                  key=f"gr_min_obs:{cur.id}", help=t("qa.min_observed_help", L), format="%d")
        missing = cur.missing_items
        if pts:
            missing = frame.choice(st.radio, t("qa.missing_items", L), ["zero", "refuse"], key=f"gr_missing:{cur.id}",
                                   index=["zero", "refuse"].index(cur.missing_items),
                                   format_func=lambda x: t(f"qa.missing_items.{x}", L))
        ranked = st.checkbox(t("qa.veto_ranked", L), value=cur.veto_ranked, key=f"gr_veto_ranked:{cur.id}",
                             help=t("qa.veto_ranked_help", L))
    with g1:
        glimit = editing.grade_limit(cur, gscale)
        # keyed by the bands themselves: once applied, the editor starts again from the scheme's new bands
        gkey = f"{cur.id}:{gscale}:{zlib.crc32(repr(cur.grades).encode()):08x}"
        gsource = editor_source(f"gr_src:{gkey}",
                                lambda: editing.grades_frame(editing.rescale_grades(cur.grades, cur, gscale)))
        gedited = grade_editor(gsource, f"gr_grades:{gkey}", gscale, glimit)
    if st.button(t("qa.grading_apply", L), icon=":material/check:", key="gr_go"):
        try:
            changed = editing.set_grading(frame.editable(f), editing.grades_from_frame(pd.DataFrame(gedited), glimit, gscale),
                                          gscale, min_obs / 100, missing, ranked)
        except SchemeError as exc:
            frame.show_error(exc, L)
        else:
            frame.put_working(changed)
            frame.flash("success", t("qa.grading_done", L, id=changed.id))
            st.rerun()

# ---- upload
with st.container(border=True):
    st.subheader(t("schemes.upload", L))
    st.caption(t("schemes.upload_help", L))
    upload = st.file_uploader(t("schemes.upload_label", L), type=["yaml", "yml"], key="upload_yaml")
    if upload is not None:
        try:
            scheme = editing.parse_upload(upload.getvalue(), upload.name)
        except SchemeError as exc:
            frame.show_error(exc, L)
            st.caption(t("schemes.upload_nothing_kept", L))
        else:
            taken = set(options)
            # a built-in's id cannot be reused: such an upload opens as a copy under a new id
            target = editing.working_copy(scheme, taken) if scheme.id in catalog.BUILTINS else scheme
            st.success(t("schemes.upload_ok", L, name=plain(pick(scheme, L)), id=scheme.id,
                         dims=len(scheme.nodes()), inds=len(scheme.indicators)))
            if scheme.id in taken and scheme.id not in catalog.BUILTINS:
                st.warning(t("schemes.upload_replaces", L, id=scheme.id))
            if st.button(t("schemes.upload_open", L, id=target.id), icon=":material/upload_file:", key="upload_go"):
                frame.put_working(target)
                frame.flash("success", t("schemes.upload_opened", L, id=target.id))
                st.rerun()

# ---- a framework table (指标体系表): checked whole, errors by row and column, nothing kept until opened; what the
# table's notes gave (grade bands, veto clauses) and the rules its 评分标准 state are shown to confirm or edit first
with st.container(border=True):
    st.subheader(t("fw.title", L))
    st.caption(t("fw.help", L))
    table = st.file_uploader(t("fw.upload", L), type=["csv", "xlsx"], key="upload_framework")
    if table is not None:
        stem = table.name.rsplit(".", 1)[0]
        c1, c2, c3 = st.columns(3)
        fw_id = c1.text_input(t("fw.id", L), value=editing.unique_id(framework.default_id(stem), list(options)),
                              key=f"fw_id:{table.name}", help=t("schemes.id_help", L))
        fw_zh = c2.text_input(t("schemes.name_zh", L), value=stem, key=f"fw_zh:{table.name}")
        fw_en = c3.text_input(t("schemes.name_en", L), value=stem, key=f"fw_en:{table.name}")
        try:
            scheme = framework.read_table(table.getvalue(), table.name, scheme_id=fw_id, name_zh=fw_zh, name_en=fw_en)
        except framework.FrameworkProblems as exc:
            st.error(t("fw.problems", L, n=exc.total), icon=":material/error:")
            st.table(views.framework_problems(exc.problems, L), hide_index=True)
        else:
            st.success(t("fw.ok", L, n=len(scheme.indicators), d=len(scheme.nodes()),
                         weighting=t(f"fw.{scheme.weighting}", L)))
            rows = framework.table_rows(scheme, "long", L)
            st.dataframe(pd.DataFrame(rows[1:], columns=rows[0]).iloc[:, :7], hide_index=True, width="stretch")
            confirmed = import_review(scheme, table.name)
            if fw_id in options:
                st.warning(t("schemes.upload_replaces", L, id=fw_id))
            if st.button(t("schemes.upload_open", L, id=scheme.id), icon=":material/upload_file:", key="fw_go",
                         disabled=confirmed is None):
                frame.put_working(confirmed)
                frame.flash("success", t("schemes.upload_opened", L, id=scheme.id))
                st.rerun()
