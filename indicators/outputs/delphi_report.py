"""The multi-round Delphi report in the layout Chinese Delphi studies print: experts (专家基本情况), response rate
per round (专家积极系数), authority Ca/Cs/Cr per round (专家权威程度), concordance W/χ²/P per round (协调系数), and per
indicator the importance mean, coefficient of variation and full-score frequency of every round (各指标重要性赋值),
then the screening record (what was dropped or kept against a flag, when and why) and the experts' comments.

`tables(history, lang)` gives the tables (sheet title -> DataFrame, column names in the reader's language, empty
cells empty, p as `< 0.001` below 0.001); `xlsx(history, lang)` writes them as one workbook, a sheet each, and
`pdf(history, lang)` prints them one after another on landscape A4 pages, each under its 表 heading.
`history` is `DelphiStore.history(code, key)`. No streamlit here."""
from __future__ import annotations

import io
from datetime import timedelta

import pandas as pd

from indicators.i18n import t
from indicators.live.delphi import fmt_p

SHEETS = ("experts", "response", "authority", "kendall", "importance", "decisions", "comments")


BEIJING = timedelta(hours=8)     # the store keeps UTC; Chinese readers see Beijing time


def beijing(ts) -> str:
    """A stored UTC time as Beijing time, minutes; empty when missing."""
    return "" if ts is None or pd.isna(ts) else f"{pd.Timestamp(ts) + BEIJING:%Y-%m-%d %H:%M}"


def _names(history: dict, lang: str) -> dict[str, str]:
    return {i.id: (i.name_zh if lang == "zh" else i.name_en) or i.id for i in history["scheme"].indicators}


def _r(x, places: int = 2):
    """A number rounded for print, or an empty cell (never None / NaN in the report)."""
    return "" if x is None or pd.isna(x) else round(float(x), places)


def experts_table(ex: pd.DataFrame, last: int, lang: str) -> pd.DataFrame:
    """Every expert (`DelphiStore.experts`): joined (Beijing time), answered or not per round 1..`last`, status
    (on the panel, or removed with the reason)."""
    def c(key, **kw):
        return t(f"dpw.col.{key}", lang, **kw)
    return pd.DataFrame({
        c("expert"): ex["name"].tolist(),
        c("joined"): [beijing(j) for j in ex["joined_at"]],
        **{c("round", round=r): [t("dpw.done", lang) if r in a else t("dpw.not_yet", lang) for a in ex["answered"]]
           for r in range(1, last + 1)},
        c("status"): [t("dpw.removed_mark", lang, reason=why) if ra is not None and not pd.isna(ra)
                      else t("dpw.active", lang) for ra, why in zip(ex["removed_at"], ex["reason"])]})


def tables(history: dict, lang: str) -> dict[str, pd.DataFrame]:
    """The report's tables, keyed by sheet title in `lang`, in the order of SHEETS."""
    def c(key, **kw):
        return t(f"dpw.col.{key}", lang, **kw)
    names = _names(history, lang)
    rounds = history["rounds"]
    out: dict[str, pd.DataFrame] = {}

    out["experts"] = experts_table(history["experts"], history["study"]["round"], lang)

    out["response"] = pd.DataFrame({
        c("r"): [x["round"] for x in history["response"]],
        c("asked"): [x["asked"] for x in history["response"]],
        c("answered"): [x["answered"] for x in history["response"]],
        c("rate"): ["" if x["rate"] is None else f"{x['rate']:.1%}" for x in history["response"]]})

    out["authority"] = pd.DataFrame({
        c("r"): list(rounds), c("ca"): [_r(x["ca"]) for x in rounds.values()],
        c("cs"): [_r(x["cs"]) for x in rounds.values()], c("cr"): [_r(x["cr"]) for x in rounds.values()]})

    def kw(x, field, fmt):
        k = x["kendall"]
        return "" if k is None else fmt(k[field])
    out["kendall"] = pd.DataFrame({
        c("r"): list(rounds), c("w"): [kw(x, "w", lambda v: round(v, 3)) for x in rounds.values()],
        c("chi2"): [kw(x, "chi2", lambda v: round(v, 2)) for x in rounds.values()],
        c("df"): [kw(x, "df", int) for x in rounds.values()],
        c("p"): [kw(x, "p", fmt_p) for x in rounds.values()]})

    ids = list(history["study"]["candidates"])
    imp = {c("indicator"): [names.get(j, j) for j in ids]}
    for r, x in rounds.items():
        st = x["importance"]
        imp[c("mean", round=r)] = [_r(st.at[j, "mean"]) if j in st.index else "" for j in ids]
        imp[c("cv", round=r)] = [_r(st.at[j, "cv"]) if j in st.index else "" for j in ids]
        imp[c("full", round=r)] = [_r(st.at[j, "full"]) if j in st.index else "" for j in ids]
    out["importance"] = pd.DataFrame(imp)

    dec = history["decisions"]
    out["decisions"] = pd.DataFrame({
        c("after"): dec["round"].tolist(), c("indicator"): [names.get(j, j) for j in dec["indicator"]],
        c("action"): [t(f"dpw.act.{a}", lang) for a in dec["action"]],
        c("flags"): ["、".join(t(f"dp.why.{w}", lang) for w in f) if lang == "zh" else
                     ", ".join(t(f"dp.why.{w}", lang) for w in f) for f in dec["flags"]],
        c("reason"): dec["reason"].tolist()})

    cm = history["comments"]
    out["comments"] = pd.DataFrame({
        c("r"): cm["round"].tolist(), c("expert"): cm["expert"].tolist(),
        c("indicator"): [names.get(j, j) if j else t("dpw.suggestion", lang) for j in cm["indicator"]],
        c("text"): cm["text"].tolist()})
    return {t(f"dpw.sheet.{k}", lang): out[k] for k in SHEETS}


def xlsx(history: dict, lang: str) -> bytes:
    """The report as an Excel workbook: one sheet per table, a title row (表：…) above the column names."""
    from openpyxl.styles import Font
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as w:
        for title, df in tables(history, lang).items():
            df.to_excel(w, sheet_name=title[:31], index=False, startrow=1)
            ws = w.sheets[title[:31]]
            ws.cell(row=1, column=1, value=t("dpw.report_title", lang, sheet=title)).font = Font(bold=True)
            for col in ws.columns:
                width = max(len(str(x.value or "")) * (2 if lang == "zh" else 1.1) for x in col[1:]) if col else 8
                ws.column_dimensions[col[0].column_letter].width = min(max(8, width + 2), 60)
    return buf.getvalue()


def pdf(history: dict, lang: str) -> bytes:
    """The same tables as a PDF (landscape A4, as many pages as they need): the study's title, then each table under
    its 表：… heading, column names repeated on every page a table runs onto, Chinese set in the notice's CID font."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from indicators.outputs.notice import _CJK_FONT, _cut, _rich
    if _CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_CJK_FONT))

    def style(size, bold=False):
        return ParagraphStyle("s", fontName="Helvetica-Bold" if bold else "Helvetica", fontSize=size,
                              leading=size * 1.35, wordWrap="CJK" if lang == "zh" else None)
    title, heading, cell, head = style(15, True), style(11, True), style(8), style(8, True)
    study = history["study"]
    story = [Paragraph(_rich(t("dpw.pdf.title", lang, title=study.get("title") or study["code"],
                                code=study["code"])), title), Spacer(1, 4 * mm)]
    page = landscape(A4)
    width = page[0] - 30 * mm
    for name, df in tables(history, lang).items():
        story.append(Paragraph(_rich(t("dpw.report_title", lang, sheet=name)), heading))
        if df.empty:
            story += [Paragraph(_rich("—"), cell), Spacer(1, 4 * mm)]
            continue
        rows = [[Paragraph(_rich(str(c)), head) for c in df.columns]]
        rows += [[Paragraph(_rich(_cut("" if v is None else str(v), 300)), cell) for v in r]
                 for r in df.itertuples(index=False)]
        grid = Table(rows, colWidths=[width / len(df.columns)] * len(df.columns), repeatRows=1)
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                                  ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                                  ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [Spacer(1, 1.5 * mm), grid, Spacer(1, 5 * mm)]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=page, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                      bottomMargin=14 * mm, title=f"Delphi {study['code']}", author="").build(story)
    return buf.getvalue()
