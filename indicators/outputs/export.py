"""Results out: a score result (or two, compared) to .xlsx or .csv that a spreadsheet can open safely.

Any text cell that a spreadsheet could run as a formula gets an apostrophe in front: one starting with = + - @, a tab
or a carriage return, and one where = + - @ (or their full-width forms) follow only blanks, invisible characters or
';' (Excel and WPS strip leading blanks, some locales split on ';'). So user text (station names, scheme and
indicator names) is shown, never executed. Numbers stay
numbers. The file is written beside the target and moved into place, so a failure never leaves half a file.
"""
from __future__ import annotations

import math
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from indicators.analysis.compare import Comparison, compare
from indicators.errors import InputError
from indicators.i18n import t
from indicators.outputs import views
from indicators.scoring.engine import ScoreResult
from indicators.text_safety import shown

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_SIGNS = "=+-@＝＋－＠"
_SEPARATORS = ";；"


class ExportError(InputError):
    """The export cannot be made as asked (wrong file type, wrong number of results)."""


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; anything else is returned as is."""
    if isinstance(value, str) and (value.startswith(DANGEROUS_START) or _formula_after_blanks(value)):
        return "'" + value
    return value


# Every break a reader might start a new row at: CRLF, CR, LF, and the line and paragraph separators (JavaScript,
# Python's splitlines and some editors break there too)
_BREAKS = re.compile(r"(\r\n|[\r\n\u2028\u2029])")


# a cell is quoted when it holds a separator, a quote, a tab or any line break (so that no reader splits it)
_QUOTE_IF = re.compile(r"[,;\"\t\r\n\v\f\u2028\u2029\u0085]")


def csv_cell(value: Any, float_format: str | None = None, lines: bool = True) -> str:
    """One cell as written by `csv_text`: text in double quotes whenever it holds a break, a tab, a separator or a
    quote (so a line break inside it never ends the row for a CSV reader), control characters replaced, a formula
    neutralised, and with `lines` every line inside it too, so that a reader that splits on line breaks anyway
    starts no row with =1+1. Numbers bare."""
    if value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        value = str(bool(value))
    elif isinstance(value, (int, np.integer)):
        return str(int(value))
    elif isinstance(value, (float, np.floating)):
        return float_format % value if float_format else repr(float(value))
    text = neutralise(shown(str(value)))
    if lines and _BREAKS.search(text):
        parts = _BREAKS.split(text)   # text, break, text, break ...
        text = "".join(neutralise(x) if n % 2 == 0 and n else x for n, x in enumerate(parts))
    if not _QUOTE_IF.search(text):   # a plain word (a header, a code) stays bare, as spreadsheets write it
        return text
    return '"' + text.replace('"', '""') + '"'


def csv_text(rows, float_format: str | None = None, lines: bool = True) -> str:
    """The one CSV writer of the program (exports, `score --format csv`, framework tables): rows of cells ->
    text, CRLF between rows, each cell by `csv_cell`. `lines=False` keeps lines inside a cell as written (a
    framework table's rules, which the import must read back unchanged; they are still quoted)."""
    return "".join(",".join(csv_cell(v, float_format, lines) for v in row) + "\r\n" for row in rows)


def _formula_after_blanks(text: str) -> bool:
    """Whether a formula sign follows leading blanks (any Unicode space, line or paragraph separator, control or
    invisible format character such as U+3000, U+00A0, U+200B, U+FEFF) or separators."""
    for ch in text:
        if ch in _FORMULA_SIGNS:
            return True
        if not (ch.isspace() or ch in _SEPARATORS or unicodedata.category(ch) in ("Zs", "Zl", "Zp", "Cc", "Cf")):
            return False
    return False


def _name(obj, lang: str, field: str = "name") -> str:
    first, second = (f"{field}_zh", f"{field}_en") if lang == "zh" else (f"{field}_en", f"{field}_zh")
    return getattr(obj, first, "") or getattr(obj, second, "") or getattr(obj, "id", "")


_WORDS = {
    "en": {"rank": "rank", "station_id": "station_id", "station": "station", "district": "district", "score": "score",
           "grade": "grade", "capped_by": "capped_by", "indicator_id": "indicator_id", "indicator": "indicator",
           "dimension": "dimension", "within": "weight in dimension", "dimension_weight": "dimension weight",
           "effective": "effective weight", "camp": "camp", "direction": "direction", "normalisation": "normalisation",
           "raw": "raw", "normalised": "normalised", "contribution": "contribution", "shift": "shift",
           "explained_by": "explained_by", "scheme": "scheme", "period": "period", "from": "from", "to": "to",
           "kendall": "Kendall tau", "spearman": "Spearman rho", "topk": "top-k overlap",
           "shift_note": "shift = rank A - rank B: positive means B ranks the station higher",
           "parent": "parent", "path": "path", "points": "points", "points_available": "points available",
           "code": "code", "name": "name", "level": "level", "kind": "kind", "node_score": "score",
           "d_plus": "distance to ideal", "d_minus": "distance to anti-ideal",
           "grade_label": "grade label", "status": "status", "veto": "veto", "complete": "share observed",
           "node_points": "points", "item_points": "points", "lost": "points lost", "flag": "note",
           "criterion": "scoring criterion", "deduction": "deductions", "earned": "points earned",
           "available": "points available"},
    "zh": {"rank": "排名", "station_id": "社工站编号", "station": "社工站", "district": "所属区县", "score": "得分",
           "grade": "等级", "capped_by": "被否决项限制", "indicator_id": "指标编号", "indicator": "指标",
           "dimension": "上级指标", "within": "上级指标内权重", "dimension_weight": "上级指标权重", "effective": "有效权重",
           "camp": "类型", "direction": "方向", "normalisation": "标准化", "raw": "原始值", "normalised": "标准化值",
           "contribution": "贡献", "shift": "名次变化", "explained_by": "主要原因", "scheme": "评估方案", "period": "评估期",
           "from": "起", "to": "止", "kendall": "Kendall τ", "spearman": "Spearman ρ", "topk": "前k名重合率",
           "shift_note": "名次变化 = A方案名次 - B方案名次：正数表示B方案排名更靠前",
           "parent": "上级", "path": "路径", "points": "得分（分值）", "points_available": "总分值",
           "code": "代码", "name": "名称", "level": "层级", "kind": "类别", "node_score": "得分",
           "d_plus": "距正理想解", "d_minus": "距负理想解",
           "grade_label": "等级名称", "status": "状态", "veto": "一票否决", "complete": "指标完整率",
           "node_points": "得分（分值）", "item_points": "得分（分值）", "lost": "失分", "flag": "备注",
           "criterion": "评分标准", "deduction": "扣分说明", "earned": "得分", "available": "分值"},
}
# Sheet names (at most 31 characters with the "A " / "B " prefix), in the workbook's language.
_SHEETS = {"zh": {"comparison": "方案对比", "scores": "得分", "raw": "原始值", "normalised": "标准化值",
                  "contributions": "贡献", "dimension_scores": "上级指标得分", "nodes": "各级得分", "weights": "权重",
                  "tree": "指标树", "about": "说明", "node_points": "各级得分（分值）", "item_points": "各项得分（分值）",
                  "deductions": "扣分说明"}}


def _sheet(name: str, lang: str) -> str:
    return _SHEETS.get(lang, {}).get(name, name)


def _term(group: str, value: str, lang: str) -> str:
    """An enumerated value (camp, direction, normalisation) in the workbook's language."""
    from indicators.i18n import term
    return term(group, value, lang) if lang == "zh" else value


def _words(lang: str) -> dict[str, str]:
    if lang not in _WORDS:
        raise ExportError(code="export.lang", params={"given": repr(lang)})
    return _WORDS[lang]


def _results(result_or_results) -> list[ScoreResult]:
    if isinstance(result_or_results, ScoreResult):
        return [result_or_results]
    if isinstance(result_or_results, Comparison):
        return [result_or_results.a, result_or_results.b]
    items = list(result_or_results)
    if not 1 <= len(items) <= 2 or not all(isinstance(r, ScoreResult) for r in items):
        raise ExportError(code="export.results", params={"n": len(items)})
    return items


def _num(x: Any) -> Any:
    """numpy scalars -> Python numbers; NaN -> None (an empty cell)."""
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        return None if math.isnan(float(x)) else float(x)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    return x


def _station_name(result: ScoreResult, sid: str, lang: str) -> str:
    st = result.stations
    first, second = ("name", "name_en") if lang == "zh" else ("name_en", "name")
    for col in (first, second):
        if col in st.columns:
            v = st.at[sid, col]
            if isinstance(v, str) and v:
                return v
    return sid


def _indicator_names(result: ScoreResult, lang: str) -> dict[str, str]:
    """Indicator id -> display name; a name shared by two indicators gets its id added so columns stay unique."""
    names = {i.id: _name(i, lang) or i.id for i in result.scheme.indicators}
    counts = pd.Series(list(names.values())).value_counts()
    return {k: (f"{v} ({k})" if counts[v] > 1 else v) for k, v in names.items()}


def _order(result: ScoreResult) -> list[str]:
    return list(result.table().index)


# ---------------------------------------------------------------- tables (header row + rows of plain values)

Table = tuple[list[str], list[list[Any]]]


def scores_table(result: ScoreResult, lang: str) -> Table:
    w = _words(lang)
    head = [w["rank"], w["station_id"], w["station"], w["district"], w["score"], w["grade"], w["capped_by"]]
    standing = _standing_columns(result)
    head += [w[c] for c in standing]
    pts = result.points_earned
    if pts is not None:   # a points scheme: points earned of points available beside 0-100
        head += [w["points"], w["points_available"]]
    rows = []
    for sid in _order(result):
        rows.append([int(result.rank[sid]), sid, _station_name(result, sid, lang),
                     _num(result.stations.at[sid, "district"]) if "district" in result.stations.columns else None,
                     _num(result.total[sid]), result.grade[sid], _gates_text(result, sid, lang)]
                    + _standing(result, sid, standing, lang)
                    + ([_num(pts[sid]), _num(result.points_available)] if pts is not None else []))
    return head, rows


def _standing_columns(result: ScoreResult) -> list[str]:
    """The columns saying where a station stands beyond its grade: all of them in a points scheme; in a weights
    scheme only when some station went without a grade (so a weights export where all are graded is as before)."""
    if views.is_points(result):
        return ["grade_label", "status", "veto", "complete"]
    if (views.status_of(result) != "ranked").any():
        return ["grade_label", "status", "complete"]
    return []


def _standing(result: ScoreResult, sid: str, columns: list[str], lang: str) -> list[Any]:
    """The grade as the table writes it (or 数据不足), the status in words, the veto's reason, the share observed."""
    cells = {"grade_label": lambda: views.grade_text(result, sid, lang),
             "status": lambda: t(f"pts.status.{views.status_of(result)[sid]}", lang),
             "veto": lambda: views.veto_of(result)[sid],
             "complete": lambda: _num(views.complete_of(result)[sid])}
    return [cells[c]() for c in columns]


def node_points_table(result: ScoreResult, lang: str) -> Table:
    """Points earned per station at every dimension of every level; each column's header names its points
    available ("服务成效（150分）")."""
    paths = node_names(result, lang)
    names = {d.id: _available(paths[d.id], d.points, lang) for d in result.scheme.nodes()}
    return matrix_table(result, result.node_points(), lang, names)


def item_points_table(result: ScoreResult, lang: str) -> Table:
    """Points earned per station and item, each header naming the item's points available."""
    names = _indicator_names(result, lang)
    names = {i.id: _available(names[i.id], i.points, lang) for i in result.scheme.indicators}
    return matrix_table(result, views.item_points(result), lang, names)


def _available(name: str, points: float, lang: str) -> str:
    shown = views.fmt_points(points, lang)
    return f"{name}（{shown}分）" if lang == "zh" else f"{name} ({shown} points)"


def deductions_table(result: ScoreResult, lang: str) -> Table:
    """Long form, one row per station and node (every dimension, every item, then the total): points earned,
    available and lost, the item's marks (缺项, 相对评分), its 评分标准 and why it lost points (扣分说明)."""
    w = _words(lang)
    head = [w["station_id"], w["station"], w["code"], w["kind"], w["level"], w["name"], w["earned"],
            w["available"], w["lost"], w["flag"], w["criterion"], w["deduction"]]
    kinds = {"dimension": w["dimension"], "indicator": w["indicator"], "total": t("pts.col.total", lang)}
    rows = []
    for sid in _order(result):
        name = _station_name(result, sid, lang)
        for r in views.points_tree(result, sid, lang).itertuples():
            rows.append([sid, name, r.code, kinds[r.kind], int(r.depth), r.name, _num(r.earned), _num(r.available),
                         _num(r.lost), r.flag, r.criterion, r.deduction])
    return head, rows


def _gates_text(result: ScoreResult, sid: str, lang: str) -> str:
    capped = result.capped_by[sid]
    if not capped or lang == "en":
        return capped
    zh = {(g.name_en or g.indicator): (g.name_zh or g.name_en or g.indicator) for g in result.scheme.gates}
    return "，".join(zh.get(part.strip(), part.strip()) for part in capped.split(", "))


def matrix_table(result: ScoreResult, frame: pd.DataFrame, lang: str, names: dict[str, str] | None = None) -> Table:
    """Stations (in rank order) x columns of `frame`, headed by station id, station name and the column names."""
    w = _words(lang)
    names = names or {}
    cols = list(frame.columns)
    head = [w["station_id"], w["station"], *[names.get(c, c) for c in cols]]
    rows = [[sid, _station_name(result, sid, lang), *[_num(frame.at[sid, c]) for c in cols]] for sid in _order(result)]
    return head, rows


def weights_table(result: ScoreResult, lang: str) -> Table:
    w = _words(lang)
    dims = {d.id: _name(d, lang) for d in result.scheme.dimensions}
    head = [w["indicator_id"], w["indicator"], w["dimension"], w["within"], w["dimension_weight"], w["effective"],
            w["camp"], w["direction"], w["normalisation"], w["parent"], w["path"]]
    rows = []
    for ind in result.scheme.indicators:
        r = result.weights.loc[ind.id]
        rows.append([ind.id, _name(ind, lang), dims.get(r["dimension"], r["dimension"]), _num(r["within"]),
                     _num(r["dimension_weight"]), _num(r["effective"]), _term("camp", ind.camp, lang),
                     _term("direction", ind.direction, lang), _term("norm", ind.normalisation.method, lang),
                     r["parent"], r["path"]])
    return head, rows


def dimension_names(result: ScoreResult, lang: str) -> dict[str, str]:
    return {d.id: _name(d, lang) for d in result.scheme.dimensions}


def node_names(result: ScoreResult, lang: str) -> dict[str, str]:
    """Every dimension at every level -> the names along its path ("服务成效 / 需求解决")."""
    s = result.scheme
    names = {d.id: _name(d, lang) for d in s.nodes()}
    return {d.id: " / ".join(names[c] for c in s.path_of(d.id)) for d in s.nodes()}


def tree_table(result: ScoreResult, lang: str) -> Table:
    """The scheme as a tree, one row per node (dimensions and indicators, depth-first): level, parent, weight among
    its siblings, effective weight and, in a points scheme, its points."""
    from indicators.scoring.engine import tree_weights
    w = _words(lang)
    s = result.scheme
    names = {**{i.id: _name(i, lang) for i in s.indicators}, **{d.id: _name(d, lang) for d in s.nodes()}}
    head = [w["code"], w["name"], w["kind"], w["level"], w["parent"], w["path"], w["within"], w["effective"]]
    points = s.weighting == "points"
    if points:
        head.append(w["points"])
    rows = []
    for r in tree_weights(s).itertuples():
        kind = w["dimension"] if r.kind == "dimension" else w["indicator"]
        rows.append([r.code, names[r.code] if r.kind == "dimension" else _name(s.indicator(r.code), lang), kind,
                     int(r.depth), r.parent, r.path, _num(r.within), _num(r.effective)]
                    + ([_num(r.points)] if points else []))
    return head, rows


def distances_table(result: ScoreResult, lang: str) -> Table:
    """TOPSIS: each station's distances to the ideal and the anti-ideal at every node (the total first)."""
    w = _words(lang)
    d = result.distances
    names = {"(total)": w["score"], **node_names(result, lang)}
    head = [w["station_id"], w["station"]]
    keys = list(d.columns)
    head += [f"{names.get(n, n)} {w[k]}" for n, k in keys]
    rows = [[sid, _station_name(result, sid, lang), *[_num(d.at[sid, k]) for k in keys]] for sid in _order(result)]
    return head, rows


def comparison_table(cmp: Comparison, lang: str) -> tuple[list[list[Any]], Table]:
    """(summary lines above the table, the table)."""
    w = _words(lang)
    a, b = cmp.a, cmp.b
    names = {**{i.id: _name(i, lang) for i in a.scheme.indicators}, **{i.id: _name(i, lang) for i in b.scheme.indicators}}
    summary = [
        [f"A: {w['scheme']}", a.scheme.id, _name(a.scheme, lang)],
        [f"B: {w['scheme']}", b.scheme.id, _name(b.scheme, lang)],
        [w["kendall"], _num(cmp.kendall_tau)],
        [w["spearman"], _num(cmp.spearman_rho)],
        [f"{w['topk']} (k={cmp.top_k})", _num(cmp.top_k_overlap)],
        [w["shift_note"]],
    ]
    head = [w["station_id"], w["station"], f"{w['rank']} A", f"{w['rank']} B", w["shift"], f"{w['score']} A",
            f"{w['score']} B", w["explained_by"]]
    rows = []
    for sid, r in cmp.table.iterrows():
        rows.append([sid, _station_name(a, sid, lang), int(r["rank_a"]), int(r["rank_b"]), int(r["shift"]),
                     _num(r["score_a"]), _num(r["score_b"]), "; ".join(names.get(i, i) for i in r["explained_by"])])
    return summary, (head, rows)


def about_rows(results: list[ScoreResult], lang: str) -> list[list[Any]]:
    w = _words(lang)
    rows = []
    for label, r in zip("AB" if len(results) == 2 else " ", results):
        rows.append([f"{label.strip()} {w['scheme']}".strip(), r.scheme.id, _name(r.scheme, lang)])
        rows.append([w["period"], f'{w["from"]} {r.period.start or "…"}', f'{w["to"]} {r.period.end or "…"}'])
    return rows


# ---------------------------------------------------------------- writers

def export_scores(result_or_results, path: str | Path, lang: str = "zh") -> Path:
    """Write one result, or two compared, to `path` (.xlsx or .csv). Returns the path."""
    results = _results(result_or_results)
    _words(lang)
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ExportError(code="export.suffix", params={"path": path})
    if len(results) == 2 and not results[0].stations.index.equals(results[1].stations.index):
        raise ExportError(code="export.stations_differ")
    writer = _write_xlsx if suffix == ".xlsx" else _write_csv
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(code="export.no_folder", params={"path": path, "folder": folder})
    fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=suffix, dir=folder)
    os.close(fd)
    try:
        writer(results, Path(tmp), lang)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _sheet_tables(result: ScoreResult, lang: str) -> list[tuple[str, Table]]:
    names = _indicator_names(result, lang)
    return [
        ("scores", scores_table(result, lang)),
        ("raw", matrix_table(result, result.raw, lang, names)),
        ("normalised", matrix_table(result, result.normalised, lang, names)),
        ("contributions", matrix_table(result, result.contributions, lang, names)),
        ("dimension_scores", matrix_table(result, result.dimension_scores, lang, dimension_names(result, lang))),
        ("nodes", matrix_table(result, result.nodes, lang, node_names(result, lang))),
        ("weights", weights_table(result, lang)),
        ("tree", tree_table(result, lang)),
    ] + ([("distances", distances_table(result, lang))] if result.distances is not None else []) + (
        [("node_points", node_points_table(result, lang)), ("item_points", item_points_table(result, lang)),
         ("deductions", deductions_table(result, lang))] if views.is_points(result) else [])


def _clean(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    if isinstance(value, str):
        return neutralise(shown(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)))
    return value


def _write_xlsx(results: list[ScoreResult], path: Path, lang: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=False)
    wb.remove(wb.active)
    bold = Font(bold=True)

    def widen(ws, head):
        from openpyxl.utils import get_column_letter
        for c, h in enumerate(head, start=1):
            text = str(h or "")
            units = sum(2 if ord(ch) > 0x2e80 else 1 for ch in text)
            ws.column_dimensions[get_column_letter(c)].width = max(10, min(units + 2, 40))

    def put(ws, rows, start_row=1, header=True, fmt="0.00"):
        for r, row in enumerate(rows, start=start_row):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=c)
                cell.value = _clean(value)
                if isinstance(value, float):
                    cell.number_format = fmt   # display only: the full value is kept
                if isinstance(cell.value, str):
                    cell.data_type = "s"   # belt and braces: a text cell is text, whatever it starts with
                if header and r == start_row:
                    cell.font = bold
        return start_row + len(rows)

    if len(results) == 2:
        cmp = compare(*results)
        summary, (head, rows) = comparison_table(cmp, lang)
        ws = wb.create_sheet(_sheet("comparison", lang))
        nxt = put(ws, summary, header=False, fmt="0.000")
        put(ws, [head, *rows], start_row=nxt + 1)
        widen(ws, head)
        ws.freeze_panes = ws.cell(row=nxt + 2, column=1)
    for label, result in zip(("A ", "B ") if len(results) == 2 else ("",), results):
        for sheet, (head, rows) in _sheet_tables(result, lang):
            ws = wb.create_sheet(f"{label}{_sheet(sheet, lang)}"[:31])
            put(ws, [head, *rows], fmt="0.0000" if sheet in ("raw", "weights", "tree") else "0.00")
            if sheet == "deductions":   # the 评分标准 and 扣分说明 are sentences: wide enough to read
                from openpyxl.utils import get_column_letter
                for c in (len(head) - 1, len(head)):
                    ws.column_dimensions[get_column_letter(c)].width = 60
            widen(ws, head)
            ws.freeze_panes = "A2"
    ws = wb.create_sheet(_sheet("about", lang))
    put(ws, about_rows(results, lang), header=False)
    wb.save(path)


def csv_table(results: list[ScoreResult], lang: str) -> Table:
    """One wide table: station, score, rank, grade, then raw / normalised / contribution per indicator.
    With two results every scheme's columns are prefixed by its id, and the shift follows the ranks."""
    w = _words(lang)
    base = results[0]
    order = _order(base)
    head = [w["station_id"], w["station"]]
    cols: list[list[Any]] = [order, [_station_name(base, s, lang) for s in order]]
    two = len(results) == 2
    for r in results:
        pre = f"{r.scheme.id} " if two else ""
        head += [f"{pre}{w['score']}", f"{pre}{w['rank']}", f"{pre}{w['grade']}"]
        cols += [[_num(r.total[s]) for s in order], [int(r.rank[s]) for s in order], [r.grade[s] for s in order]]
        points = views.is_points(r)
        if r.points_earned is not None:
            head.append(f"{pre}{w['points']}")
            cols.append([_num(r.points_earned[s]) for s in order])
        if points:
            head.append(f"{pre}{w['points_available']}")
            cols.append([_num(r.points_available)] * len(order))
        standing = _standing_columns(r)
        head += [f"{pre}{w[c]}" for c in standing]
        cols += [list(c) for c in zip(*(_standing(r, s, standing, lang) for s in order))] or [[]] * len(standing)
        node_pts = r.node_points() if points else None
        for code, name in node_names(r, lang).items():   # every dimension at every level
            head.append(f"{pre}{name} {w['node_score']}")
            cols.append([_num(r.nodes.at[s, code]) for s in order])
            if points:
                head.append(f"{pre}{name} {w['node_points']}")
                cols.append([_num(node_pts.at[s, code]) for s in order])
    if two:
        head.append(w["shift"])
        cols.append([int(results[0].rank[s] - results[1].rank[s]) for s in order])
    for r in results:
        pre = f"{r.scheme.id} " if two else ""
        names = _indicator_names(r, lang)
        for ind in r.scheme.indicators:
            for stage, frame in (("raw", r.raw), ("normalised", r.normalised), ("contribution", r.contributions)):
                head.append(f"{pre}{names[ind.id]} {w[stage]}")
                cols.append([_num(frame.at[s, ind.id]) for s in order])
            if views.is_points(r):   # points earned and why points were lost, item by item
                items = views.item_points(r)
                head += [f"{pre}{names[ind.id]} {w['item_points']}", f"{pre}{names[ind.id]} {w['flag']}",
                         f"{pre}{names[ind.id]} {w['deduction']}"]
                cols += [[_num(items.at[s, ind.id]) for s in order],
                         [views.item_flags(r, s, ind.id, lang) for s in order],
                         [views.deduction(r, s, ind.id, lang) for s in order]]
    rows = [list(row) for row in zip(*cols)]
    return head, rows


def _write_csv(results: list[ScoreResult], path: Path, lang: str) -> None:
    head, rows = csv_table(results, lang)
    path.write_bytes(b"\xef\xbb\xbf" + csv_text([head, *rows]).encode("utf-8"))   # BOM: Excel reads it as UTF-8
