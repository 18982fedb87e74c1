"""Real records in, results out: the import panel of the Records page, the download buttons of the Scores and
Compare pages, and the "your name" input and change history of the Schemes page (a module, not a page).

    records_import.panel(f)                        # Records page: template, upload, preview, check, import
    records_import.score_downloads(f, result)      # Scores page: the workbook and the CSV
    records_import.report_download(f, result, sid) # Scores page: one station's report card (HTML)
    records_import.compare_download(f, a, b)       # Compare page: the comparison workbook
    who = records_import.name_input(f)             # Schemes page, beside Save: saved_by=who
    records_import.audit_panel(f)                  # Schemes page: the audit trail of the current scheme

Everything the panel decides is a pure function of bytes and a connection (check_uploads, preview_frame,
problems_table, summary_line, import_label, ...), so it is tested without a browser; the widgets only draw it.

Session state used here (keys start with io_ / _io_):
  io_table, io_template_lang      the table and the template's header language
  io_files:<n>                    the uploader; <n> (_io_nonce) changes after an import, which empties it
  io_ft:<file id>                 the table of each file when several are uploaded
  _io_plan                        (signature of the uploads, ImportPlan): a check is not repeated on every rerun
  _io_report                      the ImportReport of the last import, shown until the next upload
  io_sheet_from, io_sheet_to, io_sheet_rater   a score sheet's period and rater (indicator_values, not long)
  _io_sheet                       (signature, [SheetPlan]) of the score sheets checked
  _io_sheet_report                (SheetReport, scheme, start, end) of the last score-sheet import
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterable, Sequence

import pandas as pd
import streamlit as st

from app_pages import frame
from indicators.scheme import history as audit
from indicators.records import importer, score_sheet
from indicators.errors import InputError
from indicators.outputs.export import export_scores
from indicators.i18n import has, t, term
from indicators.records.importer import ImportPlan, ImportProblems, ImportReport, StaleImport
from indicators.records.store import LOAD_ORDER, TABLES
from indicators.outputs.report import station_report
from indicators.scoring.engine import ScoreResult
from indicators.text_safety import plain
from indicators.clock import in_reader_clock

UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls"]   # .xls is let through so the importer can say what to do
PREVIEW_ROWS = 5
PREVIEW_CELL = 120


# ================================================================ import: pure functions

def table_label(table: str, lang: str) -> str:
    return f"{term('table', table, lang)} ({table})"


def template_file(table: str, header_lang: str) -> tuple[str, bytes]:
    """(file name, bytes) of the CSV template of a table; the name holds the table so a re-upload is recognised."""
    return f"{table}_template_{header_lang}.csv", importer.template(table, header_lang)


def _table_words() -> list[tuple[str, str]]:
    """(word, table), longest first: English names, their singulars and the Chinese table names."""
    words = []
    for tb in TABLES:
        words += [(tb, tb), (tb.rstrip("s") if tb != "activities" else "activity", tb), (term("table", tb, "zh"), tb)]
    words += [("expense", "expenditures"), ("rating", "ratings"), ("居民评议", "feedback"), ("评议", "feedback"),
              ("评级", "ratings"), ("站点", "stations"), ("社工站", "stations"), ("参与", "attendance")]
    return sorted(words, key=lambda w: -len(w[0]))


def guess_table(file_name: str, default: str) -> str:
    """The table a file name names ("needs_2024.xlsx", "活动记录.csv", "stations_template_zh.csv"), else `default`."""
    stem = Path(file_name).stem.lower()
    for word, tb in _table_words():
        if re.search(r"[\u4e00-\u9fff]", word):
            if word in stem:
                return tb
        elif re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", stem):
            return tb
    return default


def as_uploads(files: Iterable[Any]) -> list[tuple[str, bytes]]:
    """(name, bytes) of uploaded files (Streamlit UploadedFile, (name, bytes) pairs, or paths)."""
    out = []
    for f in files:
        if isinstance(f, tuple):
            out.append((str(f[0]), bytes(f[1])))
        elif isinstance(f, (str, Path)):
            out.append((Path(f).name, Path(f).read_bytes()))
        else:
            out.append((str(f.name), f.getvalue()))
    return out


def check_uploads(con, table: str, files: Iterable[Any], tables: Sequence[str] | None = None) -> ImportPlan:
    """Check the uploaded files as ONE import (references may be met by another file of it); nothing is written.
    Every file is for `table`, unless `tables` gives the table of each file."""
    uploads = as_uploads(files)
    chosen = list(tables) if tables is not None else [table] * len(uploads)
    if len(chosen) != len(uploads):
        raise ValueError("check_uploads: one table per file")
    return importer.check_many(con, [(tb, data, name) for (name, data), tb in zip(uploads, chosen)])


def _preview_text(value: Any) -> str:
    if value is None:
        return ""
    text = importer._cell_text(value)
    text = text[:-9] if text.endswith(" 00:00:00") else text
    return text if len(text) <= PREVIEW_CELL else text[:PREVIEW_CELL] + "…"


def preview_frame(name: str, data: bytes, n: int = PREVIEW_ROWS, lang: str = "en") -> pd.DataFrame | None:
    """The header and first `n` data rows of a file as the importer reads them (encoding, delimiter, first
    worksheet, empty rows skipped), every cell as text; the first column is the spreadsheet's row number.
    None when the file cannot be read (the check says why)."""
    if len(data) > importer.MAX_BYTES:
        return None
    try:
        rows = importer._rows(data, name)
    except importer._FileProblem:
        return None
    header, body = None, []
    try:
        for row_no, cells in rows:
            if all(importer._is_empty(c) for c in cells):
                continue
            if header is None:
                header = cells
                continue
            body.append((row_no, cells))
            if len(body) >= n:
                break
    except importer._FileProblem:
        if header is None:
            return None
    finally:
        rows.close()
    if header is None:
        return None
    width = max([len(header), *(len(c) for _, c in body)])
    names, seen = [], set()
    for i in range(width):
        raw = header[i] if i < len(header) else None
        label = _preview_text(raw).strip() or f"({i + 1})"
        while label in seen:
            label += "·"
        seen.add(label)
        names.append(label)
    row_col = t("io.col.row", lang)
    while row_col in seen:
        row_col += "·"
    out = pd.DataFrame([[_preview_text(c) for c in cells] + [""] * (width - len(cells)) for _, cells in body],
                       columns=names, dtype="object")
    out.insert(0, row_col, [r for r, _ in body])
    return out


def header_fit(header: Sequence[Any], table: str) -> tuple[int, bool]:
    """(how many header cells name a column of `table`, whether every required column of it is there)."""
    cols = {importer._map_header(table, h) for h in header if not importer._is_empty(h)}
    cols.discard(None)
    return len(cols), all(c in cols for c in importer.REQUIRED[table])


def suggest_table(name: str, data: bytes, chosen: str) -> str | None:
    """Another table whose columns the file's header fits (all of its cells, every required column) when it does
    not fit `chosen`: a needs file uploaded while Stations is chosen. None when `chosen` fits or nothing fits."""
    view = preview_frame(name, data, n=0)
    if view is None:
        return None
    header = [c for c in view.columns[1:] if not re.fullmatch(r"\(\d+\)", c)]
    n = len(header)
    if n == 0 or header_fit(header, chosen) == (n, True):
        return None
    fits = [tb for tb in LOAD_ORDER if tb != chosen and header_fit(header, tb) == (n, True)]
    return fits[0] if len(fits) == 1 else None


def problems_table(plan: ImportPlan, lang: str) -> pd.DataFrame:
    """Every listed problem: file, row, column, value and what is wrong, with headers in the language."""
    rows = [{
        t("io.col.file", lang): p.file,
        t("io.col.row", lang): p.row,
        t("io.col.column", lang): p.column or "",
        t("io.col.value", lang): "" if p.value is None else (p.value if p.value != "" else "∅"),
        t("io.col.problem", lang): p.render(lang),
    } for p in plan.problems]
    cols = [t(k, lang) for k in ("io.col.file", "io.col.row", "io.col.column", "io.col.value", "io.col.problem")]
    out = pd.DataFrame(rows, columns=cols)
    out[cols[1]] = out[cols[1]].astype("Int64")
    return out


def problems_csv(plan: ImportPlan, lang: str) -> bytes:
    """The problem list as CSV (UTF-8 with BOM, so Excel opens it right); cells that look like formulas are
    neutralised."""
    from indicators.outputs.export import neutralise
    table = problems_table(plan, lang)
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(list(table.columns))
    for row in table.itertuples(index=False):
        out.writerow(["" if pd.isna(v) else neutralise(v) if isinstance(v, str) else v for v in row])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def summary_line(plan: ImportPlan, lang: str) -> str:
    """One line above the problem list: which files, how many problems, that nothing was imported."""
    files = list(dict.fromkeys(p.file for p in plan.problems)) or [p.file for p in plan.parts]
    sep = "、" if lang == "zh" else ", "
    line = t("io.problems", lang, files=sep.join(files) or "—", n=f"{plan.problem_total:,}")
    listed = len(plan.problems)
    if plan.problem_total > listed:
        line += " " + t("io.problems_more", lang, listed=f"{listed:,}", more=f"{plan.problem_total - listed:,}")
    return line


def parts_table(plan: ImportPlan, lang: str) -> pd.DataFrame:
    """Per file: its table, rows read, new rows and rows already present."""
    return pd.DataFrame([{
        t("io.col.file", lang): p.file, t("io.col.table", lang): table_label(p.table, lang),
        t("io.col.read", lang): p.read, t("io.col.insert", lang): p.inserting, t("io.col.skip", lang): p.skipped,
    } for p in plan.parts])


def rows_checked(plan: ImportPlan) -> int:
    return sum(p.read for p in plan.parts)


def import_label(plan: ImportPlan, lang: str) -> str:
    return t("io.import_button", lang, n=f"{plan.inserting:,}", m=f"{plan.skipped:,}")


def report_table(report: ImportReport, lang: str) -> pd.DataFrame:
    return pd.DataFrame([{
        t("io.col.table", lang): table_label(tb, lang), t("io.col.insert", lang): ins, t("io.col.skip", lang): sk,
    } for tb, (ins, sk) in report.by_table.items()])


def done_message(report: ImportReport, lang: str) -> str:
    return t("io.done", lang, inserted=f"{report.inserted:,}", skipped=f"{report.skipped:,}")


def stale_message(exc: ImportProblems, lang: str) -> str:
    detail = "; ".join(p.render(lang) for p in exc.problems) or str(exc)
    return t("io.stale", lang, msg=detail)


# ================================================================ score sheets (得分表): pure functions

def sheet_uploads(uploads: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The uploads for indicator_values that are not in its long shape: score sheets, read against a scheme."""
    return [(name, data) for name, data in uploads if not score_sheet.is_long_file(data, name)]


def check_sheet_uploads(con, scheme, uploads: list[tuple[str, bytes]], start: date, end: date,
                        rater: str) -> list[score_sheet.SheetPlan]:
    """Each score sheet checked against `scheme` for the period and rater; nothing is written."""
    return [score_sheet.check_sheet(con, scheme, data, start, end, rater, name) for name, data in uploads]


def sheet_problems(plans: list[score_sheet.SheetPlan]) -> list[importer.Problem]:
    return [p for pl in plans for p in pl.problems]


def sheet_problems_table(plans: list[score_sheet.SheetPlan], lang: str, warnings: bool = False) -> pd.DataFrame:
    """Every problem (or every blank cell, with `warnings`) of the sheets: file, row, column, value, what."""
    listed = [p for pl in plans for p in (pl.warnings if warnings else pl.problems)]
    return problems_table(SimpleNamespace(problems=listed), lang)


def sheet_problem_line(plans: list[score_sheet.SheetPlan], lang: str) -> str:
    files = list(dict.fromkeys(p.file for p in sheet_problems(plans)))
    return t("io.problems", lang, files=("、" if lang == "zh" else ", ").join(files) or "—",
             n=f"{len(sheet_problems(plans)):,}")


def sheet_lines(plans: list[score_sheet.SheetPlan], lang: str) -> list[str]:
    """What each clean sheet holds, its vetoes, its blanks and what it replaces, a line each."""
    out = []
    for pl in plans:
        out.append(t("sheet.read", lang, file=pl.file, shape=t(f"sheet.shape.{pl.layout.shape}", lang),
                     scheme=pl.scheme, stations=len(pl.stations), items=len(pl.items), start=pl.start, end=pl.end,
                     rater=pl.rater or t("sheet.no_rater", lang)))
        if pl.vetoed:
            out.append(t("sheet.vetoed", lang, n=len(pl.vetoed), stations=", ".join(pl.vetoed)))
        if pl.blanks:
            out.append(t("sheet.blanks", lang, n=pl.blanks).rstrip(":："))
        if pl.replacing:
            out.append(t("sheet.replaces", lang, n=pl.replacing))
    return out


def agreement_table(con, scheme, start: date, end: date, lang: str) -> tuple[pd.DataFrame, float | None] | None:
    """The raters' agreement per item for the period (None when fewer than two raters gave values)."""
    from indicators.scoring.measures import Period
    table = score_sheet.agreement(con, scheme, Period(start, end))
    if table.empty or table["raters"].max() < 2:
        return None
    names = table["name_zh" if lang == "zh" else "name_en"].where(lambda x: x != "", table["name_zh"])
    shown = pd.DataFrame({
        t("sheet.col.item", lang): table["item"] + " " + names, t("sheet.col.raters", lang): table["raters"],
        t("sheet.col.stations", lang): table["stations"], t("sheet.col.mean", lang): table["mean"].round(2),
        t("sheet.col.spread", lang): table["spread"],
        t("sheet.col.alpha", lang): table["alpha"].map(lambda a: "—" if a is None or pd.isna(a) else f"{a:.2f}"),
    })
    return shown, table.attrs.get("alpha")


def _default_sheet_period(f: frame.Frame) -> tuple[date, date]:
    """The period on screen, else this calendar year."""
    year = date.today().year
    return (f.period.start or date(year, 1, 1)), (f.period.end or date(year, 12, 31))


# ================================================================ import: the panel

def _signature(files: list, tables: list[str]) -> tuple:
    return tuple((getattr(fl, "file_id", None) or fl.name, fl.size, tb) for fl, tb in zip(files, tables))


def _choose_table(table: str) -> None:
    st.session_state["io_table"] = table


def _drop_plan() -> None:
    st.session_state.pop("_io_plan", None)


def _after_import(path: str, old_range) -> None:
    """The records changed: drop every cached query and score of them; a period left at the default (the records'
    last year) before is the new records' default again."""
    frame.clear_record_caches()
    ss = st.session_state
    if old_range and old_range[0] is not None and (ss.get("period_start"), ss.get("period_end")) == tuple(old_range):
        ss.pop("period_start", None)
        ss.pop("period_end", None)


def panel(f: frame.Frame) -> None:
    """The "Import records" expander of the Records page."""
    L = f.lang
    ss = st.session_state
    with st.expander(t("io.panel", L), icon=":material/upload_file:", key="io_panel"):
        st.caption(t("io.intro", L))
        c1, c2, c3 = st.columns([2, 1.2, 2], vertical_alignment="bottom")
        if "_io_pending_table" in ss:   # recognised on the last run; a widget's value is set before it is drawn
            ss["io_table"] = ss.pop("_io_pending_table")
        table = frame.choice(c1.selectbox, t("io.table", L), list(LOAD_ORDER), key="io_table",
                             format_func=lambda tb: table_label(tb, L), help=t("io.table_help", L))
        header_lang = frame.choice(c2.segmented_control, t("io.template_lang", L), ["zh", "en"],
                                   key="io_template_lang", default=L,
                                   format_func=lambda x: t(f"io.template_lang.{x}", L)) or L
        name, data = template_file(table, header_lang)
        c3.download_button(t("io.template", L, table=term("table", table, L)), data, file_name=name,
                           mime="text/csv", icon=":material/download:", key="io_template_dl", on_click="ignore",
                           help=t("io.template_help", L))

        nonce = ss.setdefault("_io_nonce", 0)
        files = st.file_uploader(
            t("io.upload", L), type=UPLOAD_TYPES, accept_multiple_files=True, key=f"io_files:{nonce}",
            help=t("io.upload_help", L, mb=importer.MAX_BYTES // 2 ** 20, rows=f"{importer.MAX_ROWS:,}"))
        if not files:
            if ss.get("_io_sheet_report") is not None:
                _sheet_done(f)
                return
            report = ss.get("_io_report")
            if report is not None:
                st.success(done_message(report, L), icon=":material/check_circle:")
                st.dataframe(report_table(report, L), hide_index=True, width="content")
            return
        ss.pop("_io_report", None)

        if table == "indicator_values":
            sheets = sheet_uploads(as_uploads(files))
            if sheets:   # a score sheet (得分表): read against the current scheme, for a period and a rater
                _sheet_panel(f, sheets, nonce)
                return
        ss.pop("_io_sheet_report", None)
        if len(files) == 1:
            tables = [table]
        else:
            st.caption(t("io.multi_note", L))
            cols = st.columns(min(len(files), 3))
            tables = []
            for i, fl in enumerate(files):
                key = f"io_ft:{getattr(fl, 'file_id', None) or fl.name}:{i}"
                tables.append(frame.choice(cols[i % len(cols)].selectbox, t("io.file_table", L, file=fl.name),
                                           list(LOAD_ORDER), key=key, index=LOAD_ORDER.index(guess_table(fl.name, table)),
                                           format_func=lambda tb: table_label(tb, L)))

        # the check, the previews and the table hint are made once per set of files and tables, not on every rerun
        sig = (nonce, _signature(files, tables))
        held = ss.get("_io_plan")
        if held is None or held[0] != sig:
            with st.spinner(t("io.checking", L, n=len(files))):
                uploads = as_uploads(files)
                plan = check_uploads(frame.connection(f.db, L), table, uploads, tables)
                previews = [(name, preview_frame(name, data, lang=L)) for name, data in uploads]
                other = suggest_table(*uploads[0], table) if len(uploads) == 1 and not plan.ok else None
            ss["_io_plan"] = held = (sig, plan, previews, other)
        _, plan, previews, other = held

        files_sig = tuple(getattr(fl, "file_id", None) or fl.name for fl in files)
        first_check, ss["_io_auto"] = ss.get("_io_auto") != files_sig, files_sig
        if other is not None and first_check:
            # A new file whose headers are another table's: switch to that table once, and say so. Picking a
            # table again afterwards is the evaluator's choice; the warning below then offers the switch.
            ss["_io_pending_table"] = other
            ss["_io_switched"] = (files_sig, files[0].name, other)
            st.rerun()
        switched = ss.get("_io_switched")
        if switched and switched[0] == files_sig and switched[2] == table:
            st.info(t("nc.io_switched", L, file=plain(switched[1]), table=table_label(table, L)),
                    icon=":material/swap_horiz:")
        if other is not None:
            h1, h2 = st.columns([3, 1], vertical_alignment="center")
            h1.warning(t("io.other_table", L, file=files[0].name, table=table_label(other, L),
                         chosen=table_label(table, L)), icon=":material/swap_horiz:")
            h2.button(t("io.use_table", L, table=term("table", other, L)), key="io_use_table",
                      on_click=_choose_table, args=(other,), icon=":material/swap_horiz:")
        _previews(previews, L)
        if not plan.ok:
            st.error(summary_line(plan, L), icon=":material/error:")
            # a static table wraps the long messages; a long list scrolls inside it
            st.table(problems_table(plan, L), hide_index=True, height=480 if len(plan.problems) > 12 else "content")
            st.download_button(t("io.problems_download", L), problems_csv(plan, L), file_name="import_problems.csv",
                               mime="text/csv", icon=":material/download:", key="io_problems_dl", on_click="ignore")
            return

        st.success(t("io.clean", L, rows=f"{rows_checked(plan):,}"), icon=":material/check_circle:")
        st.dataframe(parts_table(plan, L), hide_index=True, width="content")
        if plan.inserting == 0:
            st.info(t("io.nothing_new", L, m=f"{plan.skipped:,}"))
            return
        if st.button(import_label(plan, L), type="primary", icon=":material/database_upload:", key="io_go"):
            _import(f, plan)


def _sheet_panel(f: frame.Frame, sheets: list[tuple[str, bytes]], nonce: int) -> None:
    """Score sheets uploaded for indicator_values: their period and rater, the check, the import."""
    L = f.lang
    ss = st.session_state
    st.info(t("sheet.panel_note", L, scheme=f.scheme.id), icon=":material/fact_check:")
    start0, end0 = _default_sheet_period(f)
    c1, c2, c3 = st.columns([1, 1, 2], vertical_alignment="bottom")
    start = c1.date_input(t("sheet.from", L), value=start0, key="io_sheet_from")
    end = c2.date_input(t("sheet.to", L), value=end0, key="io_sheet_to")
    rater = c3.text_input(t("sheet.rater", L), key="io_sheet_rater", max_chars=100, help=t("sheet.rater_help", L))
    sig = (nonce, tuple((name, len(data), hash(data)) for name, data in sheets), f.scheme, start, end, rater)
    held = ss.get("_io_sheet")
    if held is None or held[0] != sig:
        with st.spinner(t("io.checking", L, n=len(sheets))):
            plans = check_sheet_uploads(frame.connection(f.db, L), f.scheme, sheets, start, end, rater)
        ss["_io_sheet"] = held = (sig, plans)
    plans = held[1]
    _previews([(name, preview_frame(name, data, lang=L)) for name, data in sheets], L)
    if sheet_problems(plans):
        st.error(sheet_problem_line(plans, L), icon=":material/error:")
        table = sheet_problems_table(plans, L)
        st.table(table, hide_index=True, height=480 if len(table) > 12 else "content")
        st.download_button(t("io.problems_download", L), problems_csv(SimpleNamespace(problems=sheet_problems(plans)),
                                                                      L),
                           file_name="score_sheet_problems.csv", mime="text/csv", icon=":material/download:",
                           key="io_sheet_problems_dl", on_click="ignore")
        return
    st.success("\n\n".join(sheet_lines(plans, L)), icon=":material/check_circle:")
    if any(pl.blanks for pl in plans):
        st.dataframe(sheet_problems_table(plans, L, warnings=True), hide_index=True, width="stretch",
                     height=min(38 + 35 * sum(len(pl.warnings) for pl in plans), 320))
    n = sum(len(pl.rows) for pl in plans)
    if st.button(t("sheet.import_button", L, n=f"{n:,}"), type="primary", icon=":material/database_upload:",
                 key="io_sheet_go"):
        old_range = frame.default_period(f.db)[:2]
        try:
            from app_pages import auth
            auth.check("import")
            report = score_sheet.apply_sheet(frame.connection(f.db, L), plans)
            auth.record("import", "score sheets: " + ", ".join(f"{pl.file} ({len(pl.rows)} values)" for pl in plans))
        except InputError as exc:
            ss.pop("_io_sheet", None)
            st.error(t("io.failed", L, msg=exc.render(L)))
            return
        _after_import(f.db, old_range)
        ss.pop("_io_sheet", None)
        ss["_io_sheet_report"] = (report, f.scheme, start, end)
        ss["_io_nonce"] = ss.get("_io_nonce", 0) + 1     # a new, empty uploader
        st.rerun()


def _sheet_done(f: frame.Frame) -> None:
    """After a score-sheet import: what was written, and the raters' agreement when there are several."""
    L = f.lang
    report, scheme, start, end = st.session_state["_io_sheet_report"]
    st.success(t("sheet.done", L, ins=f"{report.inserted:,}", replaced=f"{report.replaced:,}"),
               icon=":material/check_circle:")
    got = agreement_table(frame.connection(f.db, L), scheme, start, end, L)
    if got is not None:
        table, alpha = got
        st.markdown(t("sheet.agreement", L, alpha="—" if alpha is None else f"{alpha:.2f}"))
        st.dataframe(table, hide_index=True, width="content")


def _previews(previews: list[tuple[str, pd.DataFrame | None]], L: str) -> None:
    holders = st.tabs([name for name, _ in previews]) if len(previews) > 1 else [st.container()]
    for (name, view), holder in zip(previews, holders):
        with holder:
            if view is None:
                st.caption(t("io.preview_none", L, file=plain(name)))
                continue
            if view.empty:   # a header and nothing under it (or a sheet that broke after it): no empty box
                st.caption(t("io.preview_no_rows", L, file=plain(name)))
                continue
            view = view.rename(columns={view.columns[0]: t("io.col.row", L)})   # the language may have changed
            st.markdown(f"**{t('io.preview', L, file=plain(name))}**")
            st.dataframe(view, hide_index=True, width="stretch", height=38 + 35 * max(len(view), 1))
            st.caption(t("io.preview_caption", L))


def _import(f: frame.Frame, plan: ImportPlan) -> None:
    L = f.lang
    ss = st.session_state
    bar = st.progress(0.0, text=t("io.progress", L, done=0, total=f"{plan.inserting:,}"))

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=t("io.progress", L, done=f"{done:,}", total=f"{total:,}"))

    old_range = frame.default_period(f.db)[:2]
    try:
        from app_pages import auth
        auth.check("import")
        report = importer.apply(frame.connection(f.db, L), plan, progress)
        auth.record("import", "; ".join(f"{tb}: +{n} ({k} already there)" for tb, (n, k) in report.by_table.items()))
    except StaleImport as exc:
        _drop_plan()
        bar.empty()
        st.warning(stale_message(exc, L), icon=":material/sync_problem:")
        st.button(t("io.recheck", L), icon=":material/refresh:", key="io_recheck")
        return
    except InputError as exc:
        _drop_plan()
        bar.empty()
        st.error(t("io.failed", L, msg=exc.render(L)))
        return
    _after_import(f.db, old_range)
    _drop_plan()
    ss["_io_report"] = report
    ss["_io_nonce"] = ss.get("_io_nonce", 0) + 1     # a new, empty uploader
    st.rerun()


# ================================================================ results out

def _export_bytes(result_or_results, suffix: str, lang: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return export_scores(result_or_results, Path(folder) / f"scores{suffix}", lang).read_bytes()


def scores_xlsx(result_or_results, lang: str) -> bytes:
    """The scores workbook of one result, or of two compared (export_scores), as bytes."""
    return _export_bytes(result_or_results, ".xlsx", lang)


def scores_csv(result_or_results, lang: str) -> bytes:
    return _export_bytes(result_or_results, ".csv", lang)


def report_html(result: ScoreResult, station_id: str, lang: str, demo: bool) -> bytes:
    return station_report(result, station_id, lang, demo=demo).encode("utf-8")


def _stem(result: ScoreResult) -> str:
    p = result.period
    return f"{result.scheme.id}_{p.start or 'all'}_{p.end or 'all'}"


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def score_downloads(f: frame.Frame, result: ScoreResult) -> None:
    """The scores workbook (made when clicked) and the CSV of the result on screen."""
    L = f.lang
    c1, c2, c3 = st.columns([1, 1, 2])
    c1.download_button(t("io.dl.xlsx", L), lambda: scores_xlsx(result, L), file_name=f"scores_{_stem(result)}.xlsx",
                       mime=_XLSX, icon=":material/table_view:", key="dl_scores_xlsx", on_click="ignore",
                       help=t("io.dl.xlsx_help", L), width="stretch")
    c2.download_button(t("io.dl.csv", L), lambda: scores_csv(result, L), file_name=f"scores_{_stem(result)}.csv",
                       mime="text/csv", icon=":material/csv:", key="dl_scores_csv", on_click="ignore",
                       help=t("io.dl.csv_help", L), width="stretch")
    sheet = score_sheet_file(frame.connection(f.db, L), result)
    if sheet is not None:
        name, make = sheet
        c3.download_button(t("sheet.download", L), make, file_name=name, icon=":material/grid_on:",
                           mime=_XLSX if name.endswith(".xlsx") else "text/csv", key="dl_score_sheet",
                           on_click="ignore", help=t("sheet.download_help", L))


def score_sheet_file(con, result: ScoreResult):
    """(file name, a function making its bytes) of the score sheet imported for the result's scheme and period,
    written back in its own shape with subtotals, total, grade and veto; None when no sheet was imported."""
    p = result.period
    if p.start is None or p.end is None:
        return None
    layout = score_sheet.stored_layout(con, result.scheme.id, p.start, p.end)
    if layout is None:
        return None

    def make() -> bytes:
        _, _, notes = score_sheet.sheet_values(con, result.scheme, p.start, p.end)
        return score_sheet.export_sheet(result, layout, notes=notes)
    return f"score_sheet_{_stem(result)}.{layout.file_format}", make


def report_download(f: frame.Frame, result: ScoreResult, station_id: str, station_name: str) -> None:
    """The report card of one station (HTML), made when clicked."""
    L = f.lang
    demo = f.kind == "demo"
    st.download_button(t("io.dl.report", L, station=station_name), lambda: report_html(result, station_id, L, demo),
                       file_name=f"report_{station_id}_{_stem(result)}.html", mime="text/html",
                       icon=":material/description:", key="dl_report", on_click="ignore",
                       help=t("io.dl.report_help", L))


def compare_download(f: frame.Frame, a: ScoreResult, b: ScoreResult) -> None:
    L = f.lang
    st.download_button(t("io.dl.compare", L), lambda: scores_xlsx([a, b], L),
                       file_name=f"compare_{a.scheme.id}_vs_{b.scheme.id}.xlsx", mime=_XLSX,
                       icon=":material/table_view:", key="dl_compare_xlsx", on_click="ignore",
                       help=t("io.dl.compare_help", L))


# ================================================================ who saves, and the audit trail

def saved_by(name: str | None, lang: str) -> str:
    """The name recorded with a save: what was typed (trimmed), else "anonymous" in the language."""
    name = (name or "").strip()
    return name[:60] if name else t("io.anonymous", lang)


def name_input(f: frame.Frame, container=st) -> str:
    """The name a save records, beside Save: the signed-in user's (shown, not typed: issue 19), and only a lead
    may save (auth.check refuses the others before anything is written)."""
    from app_pages import auth
    container.caption(t("auth.save_as", f.lang, name=auth.name()))
    return saved_by(auth.name(), f.lang)


_SUMMARY_ZH: list[tuple[str, Any]] = [
    (r"created scheme (\S+) with (\d+) dimensions and (\d+) indicators", r"创建方案 \1：\2 个维度、\3 个指标"),
    (r"deleted scheme (\S+)", r"删除方案 \1"),
    (r"dimension (\S+) weight changed (\S+) -> (\S+)", r"维度 \1 的权重 \2 → \3"),
    (r"indicator (\S+) weight changed (\S+) -> (\S+)", r"指标 \1 的权重 \2 → \3"),
    (r"dimension (\S+) added \(weight (\S+)\)", r"新增维度 \1（权重 \2）"),
    (r"dimension (\S+) removed", r"删除维度 \1"),
    (r"indicator (\S+) added to (\S+) \(weight (\S+), camp (\S+)\)", r"新增指标 \1，属于 \2（权重 \3，类型 \4）"),
    (r"indicator (\S+) removed from (\S+)", r"从 \2 删除指标 \1"),
    (r"indicator (\S+) moved from (\S+) to (\S+)", r"指标 \1 从 \2 移到 \3"),
    (r"(name_zh|name_en) changed (.+) -> (.+)", lambda m: f"{'中文' if m.group(1) == 'name_zh' else '英文'}名称 "
                                                        f"{m.group(2)} → {m.group(3)}"),
    (r"weight provenance changed (\S+) -> (\S+)", lambda m: f"权重来源 {term('provenance', m.group(1), 'zh')} → "
                                                          f"{term('provenance', m.group(2), 'zh')}"),
    (r"gate added: (.+)", r"新增否决项：\1"),
    (r"gate removed: (.+)", r"删除否决项：\1"),
    (r"no change", "无变化"),
]


def summary_text(summary: str, lang: str) -> str:
    """audit.summarise's lines, in Chinese where a line is one of the common kinds; the rest as recorded."""
    if lang != "zh" or not summary:
        return summary or ""
    out = []
    for line in summary.splitlines():
        for pattern, rep in _SUMMARY_ZH:
            m = re.fullmatch(pattern, line)
            if m:
                line = rep(m) if callable(rep) else m.expand(rep)
                break
        out.append(line)
    return "\n".join(out)


def audit_table(history: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The audit rows newest first: when, who, action, what changed (headers and actions in the language)."""
    h = history.iloc[::-1]
    return pd.DataFrame({
        t("audit.col.at", lang): in_reader_clock(h["at"], lang).dt.strftime("%Y-%m-%d %H:%M:%S").to_list(),
        t("audit.col.user", lang): [u or t("io.anonymous", lang) for u in h["user"]],
        t("audit.col.action", lang): [t(f"audit.action.{a}", lang) if has(f"audit.action.{a}") else a
                                        for a in h["action"]],
        t("audit.col.summary", lang): [summary_text(s, lang) for s in h["summary"]],
    })


def audit_panel(f: frame.Frame) -> None:
    """The change history of the current scheme, newest first, with the YAML diff of one change on demand."""
    L = f.lang
    with st.expander(t("audit.title", L), icon=":material/history:", key="audit_panel"):
        history = audit.history(frame.connection(f.db, L), f.scheme.id)
        if history.empty:
            st.caption(t("audit.none", L))
            return
        table = audit_table(history, L)
        st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 320),
                     column_config={t("audit.col.summary", L): st.column_config.TextColumn(width="large")})
        newest_first = list(range(len(history)))[::-1]
        labels = {i: f"{table.iloc[len(history) - 1 - i, 0]} · {table.iloc[len(history) - 1 - i, 2]} · "
                     f"{table.iloc[len(history) - 1 - i, 1]}" for i in newest_first}
        if st.toggle(t("audit.show_diff", L), key=f"audit_diff:{f.scheme.id}"):
            pick_i = frame.choice(st.selectbox, t("audit.pick", L), newest_first, key=f"audit_pick:{f.scheme.id}",
                                  format_func=lambda i: labels[i])
            diff = history.at[pick_i, "diff"]
            if diff:
                st.code(diff, language="diff", height=min(44 + 22 * diff.count("\n"), 480))
            else:
                st.caption(t("audit.no_diff", L))
