"""Schemes: every scheme at hand (built-in, saved, this session's working copies); clone one under a new
id, rename the current one, save it to the database, download it as YAML, or upload a YAML file,
which is checked field by field before anything is kept."""
from app_pages import auth  # noqa: E402 - first, before anything reads: a page refused stops here
auth.require("read")
import pandas as pd
import streamlit as st

from app_pages import frame, records_import
from indicators.scheme import catalog
from indicators.scheme import editing
from indicators.i18n import pick, t, term
from indicators.scheme import framework
from indicators.scheme.model import SchemeError, dump_yaml
from indicators.outputs import views

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
listing["saved_at"] = pd.to_datetime(listing["saved_at"])
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
    st.markdown(f"**{pick(f.scheme, L)}** · `{f.scheme.id}`")
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
            st.success(t("schemes.upload_ok", L, name=pick(scheme, L), id=scheme.id,
                         dims=len(scheme.nodes()), inds=len(scheme.indicators)))
            if scheme.id in taken and scheme.id not in catalog.BUILTINS:
                st.warning(t("schemes.upload_replaces", L, id=scheme.id))
            if st.button(t("schemes.upload_open", L, id=target.id), icon=":material/upload_file:", key="upload_go"):
                frame.put_working(target)
                frame.flash("success", t("schemes.upload_opened", L, id=target.id))
                st.rerun()

# ---- a framework table (指标体系表): checked whole, errors by row and column, nothing kept until opened
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
            if fw_id in options:
                st.warning(t("schemes.upload_replaces", L, id=fw_id))
            if st.button(t("schemes.upload_open", L, id=scheme.id), icon=":material/upload_file:", key="fw_go"):
                frame.put_working(scheme)
                frame.flash("success", t("schemes.upload_opened", L, id=scheme.id))
                st.rerun()
