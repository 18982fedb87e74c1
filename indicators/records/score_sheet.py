"""Score sheets (得分表): the points an evaluator awarded, one sheet per rater and period, into indicator_values.

    plan = check_sheet(con, scheme, "得分表.xlsx", start, end, rater="王评估")   # parse and check; only reads
    if plan.ok:
        report = apply_sheet(con, plan)     # one transaction: this rater's rows of the period replaced, or nothing
    else:
        raise plan.error()                  # every problem: file, row, column, value, what is wrong (zh and en)
    table = agreement(con, scheme, period)  # per item: raters, mean, spread, Krippendorff's alpha (interval)
    data = export_sheet(values, layout)     # the sheet back in the shape it came in, with subtotals and total

Two shapes, found by looking (`read_sheet`):
- wide: one row a station. A station id column (站点编号, 编号, station_id), a name column optional (站点名称,
  名称), one column an item whose header is its code, its name or both ("B11 制度建设（20分）", "制度建设(20分)").
- transposed: items as rows, stations as columns (station ids or names of the stations table as headers); the
  item's code and/or name in the first column(s).
Items are matched against a scheme: the exact code, then the name, then code and name together; a "（N分）" in a
header must equal the item's points. Rows above the header (a title) are skipped: the header is the first row
whose cells mostly match. A sheet may hold any subset of the scheme's items.
Optional columns (rows when transposed): 一票否决 / veto (a reason: non-empty vetoes the station for the period,
stored as a row of the scheme's own veto series, model.veto_series, with the reason as its note), 扣分说明 / 备注
(the station's note on its rows).
Totals and subtotals (合计, 总分, 小计, 得分合计, a module's name) are not imported; a 总分 / 合计 cell must equal the
sum of its row's items within TOTAL_TOLERANCE, which catches a mistyped sheet.
Cells: a number from 0 to the item's points (a blank, "/" or "—" is missing: a warning, not an error); all or
nothing: any problem and nothing is written. Rows land with the period given, the rater given ('' when none) and
source 'score_sheet'; importing a sheet again for the same rater and period replaces that rater's rows of it.
The layout (shape, header texts, item order) is kept in the `meta` table per (scheme, period), so `export_sheet`
writes the sheet back as it came in, and an exported sheet imports to the same values.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Sequence

import duckdb
import numpy as np
import pandas as pd

from indicators.analysis.agreement import alpha as krippendorff_alpha
from indicators.errors import InputError, Word
from indicators.records import importer
from indicators.records.importer import ImportProblems, Problem
from indicators.records.store import create_schema, get_meta, has_column, writing
from indicators.scheme.model import Dimension, Indicator, Scheme

from indicators.scheme.model import VETO_SERIES, veto_series

SOURCE = "score_sheet"
TOTAL_TOLERANCE = 0.05
HEADER_SCAN = 30           # rows looked at for the header (title rows above it are skipped)
MAX_WARNINGS = 200
LAYOUT_KEY = "score_sheet_layout"
VETO_KEY = "score_sheet_vetoes"      # meta: the stations a scheme's sheet vetoed, per period and rater

SHAPES = ("wide", "transposed")

# Special headers (and transposed row labels), compared squashed (NFKC, no spaces, case folded).
STATION_HEADERS = ("站点编号", "编号", "station_id", "站点id", "社工站编号", "站点代码", "stationid")
NAME_HEADERS = ("站点名称", "名称", "站点", "社工站", "社工站名称", "name", "station", "站名")
VETO_HEADERS = ("一票否决", "veto", "否决", "一票否决项", "一票否决原因", "一票否决情况", "一票否决事项")
NOTE_HEADERS = ("扣分说明", "备注", "说明", "扣分原因", "note", "notes", "remarks", "remark")
TOTAL_HEADERS = ("总分", "合计", "得分合计", "总计", "总得分", "合计得分", "total", "totalpoints", "points")
SKIP_HEADERS = ("小计", "subtotal", "序号", "no", "no.", "排名", "名次", "rank", "等级", "评定等级", "grade",
                "平均", "平均分", "mean", "average")
# transposed: the first columns' headers (item code, item name, its points, its 评分标准)
LEAD_HEADERS = ("编号", "代码", "指标编号", "指标代码", "项目编号", "code", "id", "item", "indicator", "指标",
                "项目", "指标名称", "项目名称", "评估项目", "评估内容", "内容", "名称", "三级指标", "二级指标",
                "分值", "满分", "标准分", "points", "评分标准", "考核内容", "考核项目", "序号", "no", "no.")
POINTS_LEAD = ("分值", "满分", "标准分", "points")
NOT_VETOED = ("否", "无", "没有", "no", "none", "0", "false", "/", "-", "—", "--", "——", "n", "x")
BLANK_MARKS = ("/", "-", "—", "--", "——", "－", "n/a", "na", "无数据")

_POINTS = re.compile(r"^(.*?)[(（]\s*([0-9]+(?:\.[0-9]+)?)\s*分?\s*[)）]\s*$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _said(code: str, **params) -> Word:
    return Word(f"err.sheet.{code}", **params)


def squash(text: Any) -> str:
    t = unicodedata.normalize("NFKC", "" if text is None else str(text)).replace("\ufeff", "")
    return re.sub(r"\s+", "", t).strip("*").casefold()


def _text(cell: Any) -> str:
    return "" if cell is None else importer._cell_text(cell).strip()


def _split_points(text: str) -> tuple[str, float | None]:
    """("B11 制度建设", 20.0) from "B11 制度建设（20分）"; the text as it is and None without a points suffix."""
    t = unicodedata.normalize("NFKC", text).strip()
    m = _POINTS.match(t)
    if m and m.group(1).strip():
        return m.group(1).strip(), float(m.group(2))
    return t, None


def _is(text: Any, words: Sequence[str]) -> bool:
    return squash(text) in {squash(w) for w in words}


# ---------------------------------------------------------------- matching items

class _Items:
    """The scheme's items (indicators) and modules (dimensions), looked up by what a header says."""

    def __init__(self, scheme: Scheme):
        self.scheme = scheme
        self.inds = list(scheme.indicators)
        self.by_code = {i.id: i for i in self.inds}
        self.by_name: dict[str, list[Indicator]] = {}
        for i in self.inds:
            for n in {squash(i.name_zh), squash(i.name_en)} - {""}:
                self.by_name.setdefault(n, []).append(i)
        self.modules = {squash(x) for d in scheme.nodes() for x in (d.id, d.name_zh, d.name_en) if x}

    def match(self, raw: str) -> tuple[Indicator | None, float | None, list[str]]:
        """(item, points written or None, codes when the name is ambiguous) of a header or a row label."""
        core, pts = _split_points(raw)
        if core in self.by_code:
            return self.by_code[core], pts, []
        named = self.by_name.get(squash(core), [])
        if len(named) == 1:
            return named[0], pts, []
        if len(named) > 1:
            return None, pts, [i.id for i in named]
        for i in self.inds:   # code and name: "B11 制度建设", "B11制度建设", "B11、制度建设"
            if core.startswith(i.id) and len(core) > len(i.id):
                rest = squash(core[len(i.id):].lstrip(" 、.．:：-_—"))
                if rest and rest in {squash(i.name_zh), squash(i.name_en)}:
                    return i, pts, []
        return None, pts, []

    def is_module(self, raw: str) -> bool:
        core, _ = _split_points(raw)
        core = re.sub(r"^[一二三四五六七八九十]+[、.．]\s*", "", core)   # "一、基础建设（150分）"
        return squash(core) in self.modules or squash(_split_points(raw)[0]) in self.modules


def _role(raw: Any, items: _Items) -> tuple[str, Indicator | None]:
    """What a wide sheet's header cell is: station, name, veto, note, total, skip, module, item, or unknown."""
    if raw is None or _text(raw) == "":
        return "blank", None
    text = _text(raw)
    core = _split_points(text)[0]
    for role, words in (("station", STATION_HEADERS), ("name", NAME_HEADERS), ("veto", VETO_HEADERS),
                        ("note", NOTE_HEADERS), ("total", TOTAL_HEADERS)):
        if _is(core, words):
            return role, None
    s = squash(core)
    if _is(core, SKIP_HEADERS) or s.endswith("小计") or s.endswith("subtotal"):
        return "skip", None
    ind, _, amb = items.match(text)
    if ind is not None:
        return "item", ind
    if amb:
        return "ambiguous", None
    if items.is_module(text):
        return "module", None
    return "unknown", None


# ---------------------------------------------------------------- layout

@dataclass(frozen=True)
class SheetLayout:
    """How a sheet was laid out, so that it can be written back the same way.

    wide: `header` is the header row as written and `roles` the role of each cell ("station", "name", "veto",
    "note", "total", "skip", "module", "item:<code>"). transposed: `header` is the header row (lead cells, then
    one cell a station), `roles` the role of each header cell ("lead:code", "lead:name", "lead:both",
    "lead:points", "lead:other", "station:<id>", "skip"), and `rows` the label cells and role of each row below
    it ("item:<code>", "veto", "note", "total", "skip", "module")."""
    shape: str
    scheme: str
    header: tuple[str, ...]
    roles: tuple[str, ...]
    title: tuple[str, ...] = ()
    rows: tuple[tuple[tuple[str, ...], str], ...] = ()
    stations: tuple[str, ...] = ()
    file_format: str = "csv"

    @property
    def items(self) -> tuple[str, ...]:
        roles = self.roles if self.shape == "wide" else tuple(r for _, r in self.rows)
        return tuple(r[5:] for r in roles if r.startswith("item:"))

    @property
    def has_veto(self) -> bool:
        """Whether the sheet has a veto column (row): only then does it say who is not vetoed."""
        return "veto" in self.roles or any(r == "veto" for _, r in self.rows)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @staticmethod
    def from_json(text: str) -> SheetLayout:
        d = json.loads(text)
        return SheetLayout(shape=d["shape"], scheme=d["scheme"], header=tuple(d["header"]), roles=tuple(d["roles"]),
                           title=tuple(d.get("title", ())),
                           rows=tuple((tuple(lbl), role) for lbl, role in d.get("rows", ())),
                           stations=tuple(d.get("stations", ())), file_format=d.get("file_format", "csv"))


def layout_key(scheme_id: str, start: date, end: date) -> str:
    return f"{LAYOUT_KEY}:{scheme_id}:{start.isoformat()}:{end.isoformat()}"


def stored_layout(con, scheme_id: str, start: date, end: date) -> SheetLayout | None:
    """The layout of the last sheet imported for this scheme and period, or None."""
    text = get_meta(con, layout_key(scheme_id, start, end))
    return SheetLayout.from_json(text) if text else None


# ---------------------------------------------------------------- reading

@dataclass
class ReadSheet:
    """A sheet as read: per station, item values (NaN = blank), veto reason, note; problems and warnings."""
    file: str
    layout: SheetLayout | None
    values: dict[str, dict[str, float]] = field(default_factory=dict)   # station -> item -> value (NaN blank)
    vetoes: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    rows_of: dict[str, int] = field(default_factory=dict)              # station -> sheet row (wide) or column
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    blanks: int = 0


def is_long_shape(rows: list[tuple[int, list[Any]]]) -> bool:
    """True when the first non-empty row is the indicator_values ledger's header (it names a value or period
    column): such a file goes through the ordinary importer."""
    for _, cells in rows:
        if any(not importer._is_empty(c) for c in cells):
            cols = {importer._map_header("indicator_values", c) for c in cells if not importer._is_empty(c)}
            return bool(cols & {"value", "period_start", "period_end"})
    return False


def is_long_file(source: Any, name: str | None = None) -> bool:
    """is_long_shape of a file (path, bytes or upload); an unreadable file counts as long (the importer says why)."""
    try:
        _, rows = importer.read_rows(source, name)
    except ImportProblems:
        return True
    return is_long_shape(rows)


def _stations_of(con) -> tuple[dict[str, str], dict[str, list[str]]]:
    """(station id -> name, squashed name -> ids) of the stations table (empty when there is none)."""
    try:
        rows = con.cursor().execute("SELECT station_id, name FROM stations").fetchall()
    except duckdb.CatalogException:
        rows = []
    names: dict[str, list[str]] = {}
    for sid, name in rows:
        if name:
            names.setdefault(squash(name), []).append(sid)
    return {sid: name or "" for sid, name in rows}, names


def _find_wide_header(rows, items: _Items):
    """(index into rows, roles) of the first row that has a station column, an item, and mostly known cells."""
    for k, (_, cells) in enumerate(rows[:HEADER_SCAN]):
        roles = [_role(c, items) for c in cells]
        kinds = [r for r, _ in roles if r != "blank"]
        if "station" in kinds and "item" in kinds and sum(r != "unknown" for r in kinds) * 2 >= len(kinds):
            return k, roles
    return None, None


def _row_label(cells: list[Any], lead: int) -> list[str]:
    return [_text(c) for c in cells[:lead]]


def _match_label(labels: list[str], items: _Items):
    """An item from a transposed row's lead cells: one cell alone, or two joined (code, name)."""
    texts = [x for x in labels if x]
    for x in texts:
        ind, pts, amb = items.match(x)
        if ind is not None or amb:
            if amb and len(texts) > 1:   # a repeated name with its code beside it
                for y in texts:
                    if y in items.by_code and y in amb:
                        return items.by_code[y], pts, []
            return ind, pts, amb
    if len(texts) >= 2:
        return items.match(f"{texts[0]} {texts[1]}")
    return None, None, []


def _find_transposed_header(rows, items: _Items):
    """(index of the header row, lead width) of a transposed sheet: the row above the first whose first cells
    name an item; the lead columns are those before the first station column."""
    for k, (_, cells) in enumerate(rows[:HEADER_SCAN + 200]):
        if k == 0:
            continue
        for lead in (1, 2, 3):
            ind, _, _ = _match_label(_row_label(cells, lead), items)
            if ind is not None:
                head = k - 1   # module rows ("一、基础建设（50分）") between the header and the first item
                while head > 0 and any(items.is_module(x) for x in _row_label(rows[head][1], lead) if x) and \
                        all(importer._is_empty(c) for c in rows[head][1][lead:]):
                    head -= 1
                return head, lead
    return None, None


def _number(cell: Any) -> float | None:
    """The points in a cell; None for a blank; raises ValueError for what is not a number."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise ValueError
    if isinstance(cell, (int, float)):
        x = float(cell)
        if not math.isfinite(x):
            raise ValueError
        return x
    t = _text(cell)
    if not t or squash(t) in {squash(b) for b in BLANK_MARKS}:
        return None
    t = importer._number_text(t).removesuffix("分").strip()
    if len(t) > 40 or not importer._DEC.fullmatch(t):
        raise ValueError
    x = float(t)
    if not math.isfinite(x):
        raise ValueError
    return x


class _Reader:
    def __init__(self, file: str, items: _Items, stations: dict[str, str]):
        self.out = ReadSheet(file, None)
        self.items, self.stations, self.file = items, stations, file

    def bad(self, row, column, value, word: Word):
        self.out.problems.append(Problem(self.file, row, column, None if value is None else _text(value), word))

    def blank(self, row, column):
        self.out.blanks += 1
        if len(self.out.warnings) < MAX_WARNINGS:
            self.out.warnings.append(Problem(self.file, row, column, "", _said("blank")))

    def header_item(self, row, raw: str, ind: Indicator, pts: float | None) -> None:
        if pts is not None and ind.points is not None and not math.isclose(pts, ind.points, abs_tol=1e-9):
            self.bad(row, raw, raw, _said("points_differ", given=f"{pts:g}", item=ind.id, points=f"{ind.points:g}"))

    def cell(self, row, column: str, ind: Indicator, cell: Any) -> float:
        try:
            x = _number(cell)
        except ValueError:
            self.bad(row, column, cell, _said("not_number", points=_pts(ind)))
            return math.nan
        if x is None:
            self.blank(row, column)
            return math.nan
        if x < 0:
            self.bad(row, column, cell, _said("negative"))
            return math.nan
        if ind.points is not None and x > ind.points + 1e-9:
            self.bad(row, column, cell, _said("over_points", item=ind.id, points=f"{ind.points:g}"))
            return math.nan
        return x

    def station(self, row, column, cell) -> str | None:
        try:
            sid = importer._conv_id(cell)
        except importer._Bad as exc:
            self.out.problems.append(Problem(self.file, row, column, _text(cell), exc.message, exc.code, exc.params))
            return None
        if sid not in self.stations:
            self.bad(row, column, cell, _said("no_station"))
            return None
        if sid in self.out.values:
            self.bad(row, column, cell, _said("station_twice", where=self.out.rows_of[sid]))
            return None
        return sid

    def total(self, row, column, cell, items_sum: float) -> None:
        try:
            x = _number(cell)
        except ValueError:
            self.bad(row, column, cell, _said("total_not_number"))
            return
        if x is not None and abs(x - items_sum) > TOTAL_TOLERANCE:
            self.bad(row, column, cell, _said("total_differs", total=f"{x:g}", sum=f"{items_sum:g}"))

    def veto(self, sid: str, cell: Any) -> None:
        t = _text(cell)
        if t and squash(t) not in {squash(w) for w in NOT_VETOED}:
            self.out.vetoes[sid] = VETO_SERIES if squash(t) in {"是", "yes", "1", "true", "y", "√", "✓"} else t


def _pts(ind: Indicator) -> str:
    return f"{ind.points:g}" if ind.points is not None else "—"


def _title(rows) -> tuple[str, ...]:
    return tuple(" ".join(_text(c) for c in cells if _text(c)) for _, cells in rows)


def read_sheet(con, scheme: Scheme, source: Any, name: str | None = None) -> ReadSheet:
    """Read a score sheet against `scheme` (only reads the database: its stations). Problems and warnings are
    in the result; `layout` is None when no header was found."""
    try:
        file, rows = importer.read_rows(source, name)
    except ImportProblems as exc:
        out = ReadSheet(name or str(source), None)
        out.problems = list(exc.problems)
        return out
    fmt = "xlsx" if (isinstance(source, (bytes, bytearray)) and bytes(source[:4]) == b"PK\x03\x04") or \
        str(file).lower().endswith((".xlsx", ".xlsm")) else "csv"
    rows = [(n, list(cells)) for n, cells in rows if any(not importer._is_empty(c) for c in cells)]
    items = _Items(scheme)
    stations, names = _stations_of(con)
    r = _Reader(file, items, stations)
    k, roles = _find_wide_header(rows, items)
    if k is not None:
        _read_wide(r, rows, k, roles, scheme, fmt)
        return r.out
    k, lead = _find_transposed_header(rows, items)
    if k is not None:
        _read_transposed(r, rows, k, lead, scheme, names, fmt)
        return r.out
    first = rows[0][0] if rows else None
    r.bad(first, None, None, _said("no_header", scheme=scheme.id))
    return r.out


def _read_wide(r: _Reader, rows, k: int, roles, scheme: Scheme, fmt: str) -> None:
    head_no, header = rows[k]
    shown = [_text(c) for c in header]
    out_roles = []
    for i, (role, ind) in enumerate(roles):
        if role == "unknown":
            r.bad(head_no, shown[i], shown[i], _said("unknown_header", scheme=scheme.id))
        if role == "ambiguous":
            r.bad(head_no, shown[i], shown[i], _said("ambiguous", codes=", ".join(r.items.match(shown[i])[2])))
        if role == "item":
            _, pts, _ = r.items.match(shown[i])
            r.header_item(head_no, shown[i], ind, pts)
        out_roles.append(f"item:{ind.id}" if role == "item" else role)
    seen: dict[str, int] = {}
    for i, role in enumerate(out_roles):
        if role.startswith("item:") or role in ("station", "name", "veto", "note", "total"):
            if role in seen:
                r.bad(head_no, shown[i], shown[i], _said("same_column", before=shown[seen[role]]))
            seen.setdefault(role, i)
    col = {role: i for role, i in seen.items()}
    station_col = col["station"]
    item_cols = [(i, out_roles[i][5:]) for i in range(len(out_roles)) if out_roles[i].startswith("item:")]
    order = []
    for row_no, cells in rows[k + 1:]:
        get = lambda i: cells[i] if i < len(cells) else None   # noqa: E731
        sid_cell = get(station_col)
        if importer._is_empty(sid_cell):
            if any(not importer._is_empty(get(i)) for i, _ in item_cols):
                r.bad(row_no, shown[station_col], "", _said("no_station_id"))
            continue   # a note row under the table
        if _is(sid_cell, TOTAL_HEADERS + ("平均", "平均分", "mean", "average")):
            continue
        if _text(sid_cell) not in r.stations and all(importer._is_empty(c) for n, c in enumerate(cells)
                                                     if n != station_col):
            continue   # a footnote under the table (注：…), in the first column alone
        for i in range(len(shown), len(cells)):
            if not importer._is_empty(cells[i]):
                r.bad(row_no, f"({i + 1})", cells[i], _said("beyond_header"))
        for i, role in enumerate(out_roles):
            if role == "blank" and not importer._is_empty(get(i)):
                r.bad(row_no, f"({i + 1})", get(i), _said("no_header_cell"))
        sid = r.station(row_no, shown[station_col], sid_cell)
        if sid is None:
            continue
        order.append(sid)
        r.out.rows_of[sid] = row_no
        before = len(r.out.problems)
        vals = {code: r.cell(row_no, shown[i], scheme.indicator(code), get(i)) for i, code in item_cols}
        r.out.values[sid] = vals
        if "veto" in col:
            r.veto(sid, get(col["veto"]))
        if "note" in col and _text(get(col["note"])):
            r.out.notes[sid] = importer._as_text(get(col["note"]))
        if "total" in col and len(r.out.problems) == before:   # a refused cell already says what is wrong
            r.total(row_no, shown[col["total"]], get(col["total"]), float(np.nansum(list(vals.values()))))
    r.out.layout = SheetLayout("wide", scheme.id, tuple(shown), tuple(out_roles), _title(rows[:k]),
                               stations=tuple(order), file_format=fmt)


def _lead_role(text: str) -> str:
    s = squash(text)
    if s in {squash(w) for w in POINTS_LEAD}:
        return "lead:points"
    if s in {squash(w) for w in ("编号", "代码", "指标编号", "指标代码", "项目编号", "code", "id", "序号", "no", "no.")}:
        return "lead:code"
    return "lead:name"


def _read_transposed(r: _Reader, rows, k: int, lead: int, scheme: Scheme, names, fmt: str) -> None:
    head_no, header = rows[k]
    shown = [_text(c) for c in header]
    # the lead columns: as many as the first item row needed, and any further known lead headers (分值, 评分标准)
    while lead < len(shown) and _is(shown[lead], LEAD_HEADERS) and shown[lead] not in r.stations:
        lead += 1
    roles = [_lead_role(shown[i]) if shown[i] else "lead:other" for i in range(lead)]
    station_cols: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for i in range(lead, len(shown)):
        h = shown[i]
        if not h:
            roles.append("blank")
            continue
        core = squash(_split_points(h)[0])
        if _is(h, TOTAL_HEADERS + SKIP_HEADERS) or core.endswith("小计"):
            roles.append("skip")
            continue
        sid = h if h in r.stations else None
        if sid is None:
            ids = names.get(squash(h), [])
            sid = ids[0] if len(ids) == 1 else None
        if sid is None:
            r.bad(head_no, h, h, _said("unknown_station_column"))
            roles.append("skip")
            continue
        if sid in seen:
            r.bad(head_no, h, h, _said("station_twice", where=shown[seen[sid]]))
            roles.append("skip")
            continue
        seen[sid] = i
        roles.append(f"station:{sid}")
        station_cols.append((i, sid))
    values = {sid: {} for _, sid in station_cols}
    row_roles: list[tuple[tuple[str, ...], str]] = []
    totals: list[tuple[int, list[Any]]] = []
    points_col = roles.index("lead:points") if "lead:points" in roles else None
    for row_no, cells in rows[k + 1:]:
        get = lambda i: cells[i] if i < len(cells) else None   # noqa: E731
        labels = _row_label(cells, lead)
        label_text = " ".join(x for x in labels if x)
        ind, pts, amb = _match_label([x for n, x in enumerate(labels) if n != points_col], r.items)
        if ind is not None:
            role = f"item:{ind.id}"
            if any(rr == role for _, rr in row_roles):
                r.bad(row_no, shown[0] or "(1)", label_text, _said("item_twice", item=ind.id))
                continue
            r.header_item(row_no, label_text, ind, pts)
            if points_col is not None:
                try:
                    p = _number(get(points_col))
                except ValueError:
                    p = None
                if p is not None and ind.points is not None and not math.isclose(p, ind.points, abs_tol=1e-9):
                    r.bad(row_no, shown[points_col], get(points_col),
                          _said("points_differ", given=f"{p:g}", item=ind.id, points=f"{ind.points:g}"))
            for i, sid in station_cols:
                values[sid][ind.id] = r.cell(row_no, shown[i], ind, get(i))
        elif amb:
            r.bad(row_no, shown[0] or "(1)", label_text, _said("ambiguous", codes=", ".join(amb)))
            role = "skip"
        elif any(_is(x, VETO_HEADERS) for x in labels):
            role = "veto"
            for i, sid in station_cols:
                r.veto(sid, get(i))
        elif any(_is(x, NOTE_HEADERS) for x in labels):
            role = "note"
            for i, sid in station_cols:
                if _text(get(i)):
                    r.out.notes[sid] = importer._as_text(get(i))
        elif any(_is(_split_points(x)[0], TOTAL_HEADERS) for x in labels):
            role = "total"
            totals.append((row_no, cells))
        elif not label_text or any(_is(x, SKIP_HEADERS) or squash(x).endswith("小计") for x in labels) \
                or any(r.items.is_module(x) for x in labels if x):
            if not label_text and any(not importer._is_empty(get(i)) for i, _ in station_cols):
                r.bad(row_no, shown[0] or "(1)", "", _said("no_item_label"))
            role = "module" if label_text and any(r.items.is_module(x) for x in labels if x) else "skip"
            if not label_text and all(importer._is_empty(c) for c in cells):
                continue
        else:
            r.bad(row_no, shown[0] or "(1)", label_text, _said("unknown_item", scheme=scheme.id))
            role = "skip"
        row_roles.append((tuple(labels), role))
    for row_no, cells in totals:
        for i, sid in station_cols:
            r.total(row_no, shown[i], cells[i] if i < len(cells) else None,
                    float(np.nansum(list(values[sid].values()))))
    for _, sid in station_cols:
        r.out.values[sid] = values[sid]
        r.out.rows_of[sid] = shown[seen[sid]]
    r.out.layout = SheetLayout("transposed", scheme.id, tuple(shown), tuple(roles), _title(rows[:k]),
                               rows=tuple(row_roles), stations=tuple(sid for _, sid in station_cols),
                               file_format=fmt)


# ---------------------------------------------------------------- checking and writing

class SheetError(InputError):
    """A score-sheet command or call that cannot go ahead (no period, no scheme): the message says what to give."""


@dataclass
class SheetPlan:
    """A checked sheet: the rows to write (station, indicator, value, note), what they replace, and every
    problem and warning. Nothing is written until apply_sheet."""
    file: str
    scheme: str
    start: date
    end: date
    rater: str
    layout: SheetLayout | None
    rows: list[tuple[str, str, float, str | None]]
    problems: list[Problem]
    warnings: list[Problem]
    blanks: int
    stations: list[str]
    items: list[str]
    vetoed: list[str]
    replacing: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def error(self) -> ImportProblems:
        return ImportProblems(self.problems[:importer.MAX_LISTED], len(self.problems))


@dataclass(frozen=True)
class SheetReport:
    inserted: int
    replaced: int
    stations: int
    items: int
    blanks: int
    vetoed: int


def check_sheet(con, scheme: Scheme, source: Any, start: date, end: date, rater: str = "",
                name: str | None = None) -> SheetPlan:
    """Read and check a score sheet for the period [start, end] and `rater`; only reads the database."""
    if start is None or end is None:
        raise SheetError(code="sheet.period_required")
    got = read_sheet(con, scheme, source, name)
    problems = list(got.problems)
    if end < start:
        problems.insert(0, Problem(got.file, None, None, end.isoformat(),
                                   _said("period_order", start=start.isoformat())))
    try:
        rater = importer._conv_short(rater or "")
    except importer._Bad as exc:
        problems.append(Problem(got.file, None, None, rater, exc.message, exc.code, exc.params))
    rows: list[tuple[str, str, float, str | None]] = []
    for sid, vals in got.values.items():
        note = got.notes.get(sid)
        rows += [(sid, code, v, note) for code, v in vals.items() if not math.isnan(v)]
        if sid in got.vetoes:
            rows.append((sid, veto_series(scheme.id), 1.0,
                         got.vetoes[sid] if got.vetoes[sid] != VETO_SERIES else None))
    items = list(got.layout.items) if got.layout else []
    if got.layout is not None and not got.values and not problems:
        problems.append(Problem(got.file, None, None, None, _said("no_rows")))
    plan = SheetPlan(got.file, scheme.id, start, end, rater, got.layout, rows, problems, got.warnings, got.blanks,
                     list(got.values), items, sorted(got.vetoes))
    if plan.ok:
        plan.replacing = _count_replaced(con.cursor(), plan)
    return plan


def _veto_key(plan: SheetPlan) -> str:
    return f"{VETO_KEY}:{plan.scheme}:{plan.start.isoformat()}:{plan.end.isoformat()}:{plan.rater}"


def _vetoed_before(cur, plan: SheetPlan) -> list[str]:
    """The stations this scheme's last sheet of this rater and period vetoed (kept in meta by apply_sheet)."""
    try:
        row = cur.execute("SELECT value FROM meta WHERE key = ?", [_veto_key(plan)]).fetchall()
    except duckdb.CatalogException:
        return []
    return json.loads(row[0][0]) if row else []


def _replaced_where(cur, plan: SheetPlan) -> tuple[str, list]:
    """The rows a sheet replaces: this rater's, this period's, of the sheet's stations and items. The veto series
    is shared by every scheme, so when the sheet has a veto column only the vetoes this scheme's earlier sheet
    set, and those it sets now, are replaced: another table's sheet of the same period leaves a veto standing,
    and so does a sheet of other items without a veto column."""
    rater = "coalesce(rater, '')" if has_column(cur, "indicator_values", "rater") else "''"
    marks = lambda xs: ", ".join("?" for _ in xs)   # noqa: E731
    parts = [f"(station_id IN ({marks(plan.stations)}) AND indicator_id IN ({marks(plan.items)}))"]
    params: list = [plan.rater, plan.start, plan.end, *plan.stations, *plan.items]
    if plan.layout is not None and plan.layout.has_veto:
        vetoes = sorted(set(_vetoed_before(cur, plan)) | set(plan.vetoed))
        if vetoes:
            parts.append(f"(indicator_id = ? AND station_id IN ({marks(vetoes)}))")
            params += [veto_series(plan.scheme), *vetoes]
    return (f"{rater} = ? AND period_start = ? AND period_end = ? AND ({' OR '.join(parts)})"), params


def _count_replaced(cur, plan: SheetPlan) -> int:
    if not plan.stations:
        return 0
    where, params = _replaced_where(cur, plan)
    try:
        return cur.execute(f"SELECT count(*) FROM indicator_values WHERE {where}", params).fetchall()[0][0]
    except duckdb.CatalogException:
        return 0


def apply_sheet(con, plan: SheetPlan | Sequence[SheetPlan]) -> SheetReport:
    """Write checked sheets in ONE transaction: each rater's earlier rows for the period (its stations and items)
    are deleted, the sheet's rows inserted, and its layout kept in `meta`; any error and nothing is kept."""
    plans = [plan] if isinstance(plan, SheetPlan) else list(plan)
    bad = [p for pl in plans for p in pl.problems]
    if bad:
        raise ImportProblems(bad[:importer.MAX_LISTED], len(bad))
    inserted = replaced = 0
    with writing(con) as cur:
        create_schema(cur)
        for pl in plans:
            if pl.stations:
                where, params = _replaced_where(cur, pl)
                replaced += cur.execute(f"SELECT count(*) FROM indicator_values WHERE {where}", params).fetchall()[0][0]
                cur.execute(f"DELETE FROM indicator_values WHERE {where}", params)
            if pl.rows:
                frame = pd.DataFrame(pl.rows, columns=["station_id", "indicator_id", "value", "note"])
                frame["period_start"], frame["period_end"] = pl.start, pl.end
                frame["source"], frame["rater"] = SOURCE, pl.rater
                cur.register("_sheet_rows", frame)
                try:
                    cur.execute("INSERT INTO indicator_values (station_id, indicator_id, period_start, period_end, "
                                "value, source, note, rater) SELECT station_id, indicator_id, "
                                "CAST(period_start AS DATE), CAST(period_end AS DATE), CAST(value AS DOUBLE), "
                                "source, note, rater FROM _sheet_rows")
                finally:
                    cur.unregister("_sheet_rows")
                inserted += len(pl.rows)
            kept = [(layout_key(pl.scheme, pl.start, pl.end), pl.layout.to_json())] if pl.layout is not None else []
            if pl.layout is not None and pl.layout.has_veto:
                kept.append((_veto_key(pl), json.dumps(pl.vetoed, ensure_ascii=False)))
            for key, value in kept:
                cur.execute("DELETE FROM meta WHERE key = ?", [key])
                cur.execute("INSERT INTO meta VALUES (?, ?)", [key, value])
    return SheetReport(inserted, replaced, sum(len(p.stations) for p in plans),
                       len({i for p in plans for i in p.items}),
                       sum(p.blanks for p in plans), sum(len(p.vetoed) for p in plans))


def import_sheet(con, scheme: Scheme, source: Any, start: date, end: date, rater: str = "",
                 name: str | None = None) -> SheetReport:
    """check_sheet, then apply_sheet; raises ImportProblems listing every problem (nothing written)."""
    plan = check_sheet(con, scheme, source, start, end, rater, name)
    if not plan.ok:
        raise plan.error()
    return apply_sheet(con, plan)


# ---------------------------------------------------------------- reading back: values, raters, agreement

def _period_rows(con, scheme: Scheme, start: date | None, end: date | None) -> pd.DataFrame:
    """Rows of the scheme's items (and the veto series) overlapping the period, of each station's and item's most
    recent period (as the value measure reads them): station_id, indicator_id, rater, value, note."""
    cur = con.cursor()
    rater = "coalesce(rater, '')" if has_column(cur, "indicator_values", "rater") else "''"
    codes = [i.id for i in scheme.indicators] + [VETO_SERIES, veto_series(scheme.id)]
    try:
        return cur.execute(
            f"SELECT station_id, indicator_id, {rater} AS rater, value, note FROM (SELECT *, rank() OVER ("
            "PARTITION BY station_id, indicator_id ORDER BY period_end DESC, period_start DESC) AS recency "
            "FROM indicator_values WHERE period_end >= ? AND period_start <= ? AND indicator_id IN "
            f"({', '.join('?' for _ in codes)})) WHERE recency = 1 ORDER BY station_id, indicator_id, rater",
            [start or date(1900, 1, 1), end or date(9999, 12, 31), *codes]).df()
    except duckdb.CatalogException:
        return pd.DataFrame(columns=["station_id", "indicator_id", "rater", "value", "note"])


def sheet_values(con, scheme: Scheme, start: date | None = None, end: date | None = None,
                 rater: str | None = None, combine: str = "mean") -> tuple[pd.DataFrame, pd.Series, dict[str, str]]:
    """(values stations x items, veto reasons per station, notes per station) for the period: one rater's when
    `rater` is given, else every rater's combined by `combine` (mean or median), as the value measure combines
    them: what export_sheet writes back."""
    rows = _period_rows(con, scheme, start, end)
    if rater is not None:
        rows = rows[rows["rater"] == rater]

    def joined(s):
        return "; ".join(dict.fromkeys(x for x in s if isinstance(x, str) and x))
    vetoing = rows["indicator_id"].isin([VETO_SERIES, veto_series(scheme.id)])
    veto = rows[vetoing].groupby("station_id")["note"].agg(lambda s: joined(s) or VETO_SERIES)
    rows = rows[~vetoing]
    notes = {sid: n for sid, n in rows.groupby("station_id")["note"].agg(joined).items() if n}
    values = rows.pivot_table(index="station_id", columns="indicator_id", values="value",
                              aggfunc="median" if combine == "median" else "mean")
    return values, veto, notes


def interval_alpha(data) -> float | None:
    """Krippendorff's alpha for interval data (points); `data` raters x units with NaN where a rater gave no
    value; None where undefined, by the rule of rating rounds (analysis/agreement.py)."""
    return krippendorff_alpha(data, "interval")


def agreement(con, scheme: Scheme, period) -> pd.DataFrame:
    """Per item of the scheme with values in the period: raters (how many), stations, mean (of every rater's
    values), spread (the largest max - min across raters at one station), mean_spread (its mean over stations)
    and alpha (Krippendorff's alpha, interval, units = stations; from two raters up, else None).
    `.attrs["alpha"]` is the alpha over every station x item together."""
    rows = _period_rows(con, scheme, getattr(period, "start", None), getattr(period, "end", None))
    rows = rows[~rows["indicator_id"].isin([VETO_SERIES, veto_series(scheme.id)])]
    out = []
    for ind in scheme.indicators:
        mine = rows[rows["indicator_id"] == ind.id]
        if mine.empty:
            continue
        per = mine.groupby("station_id")["value"]
        spread = per.max() - per.min()
        n_raters = mine["rater"].nunique()
        wide = mine.pivot_table(index="rater", columns="station_id", values="value", aggfunc="first")
        out.append({"item": ind.id, "name_zh": ind.name_zh, "name_en": ind.name_en, "points": ind.points,
                    "raters": int(n_raters), "stations": int(mine["station_id"].nunique()),
                    "mean": float(mine["value"].mean()), "spread": float(spread.max()),
                    "mean_spread": float(spread.mean()),
                    "alpha": interval_alpha(wide.to_numpy()) if n_raters >= 2 else None})
    table = pd.DataFrame(out, columns=["item", "name_zh", "name_en", "points", "raters", "stations", "mean",
                                       "spread", "mean_spread", "alpha"])
    overall = None
    if rows["rater"].nunique() >= 2:
        wide = rows.pivot_table(index="rater", columns=["station_id", "indicator_id"], values="value",
                                aggfunc="first")
        overall = interval_alpha(wide.to_numpy())
    table.attrs["alpha"] = overall
    return table


# ---------------------------------------------------------------- writing back

def _top_modules(scheme: Scheme, codes: Sequence[str]) -> list[tuple[Dimension, list[str]]]:
    """The top-level dimensions holding any of `codes`, each with its codes among them (in sheet order)."""
    out = []
    for d in scheme.dimensions:
        inside = {i.id for i in _leaves(d)}
        mine = [c for c in codes if c in inside]
        if mine:
            out.append((d, mine))
    return out


def _leaves(d: Dimension) -> list[Indicator]:
    return list(d.indicators) + [i for s in d.dimensions for i in _leaves(s)]


def _grade_of(result, sid) -> str:
    grade = getattr(result, "grade", None)
    if grade is None or sid not in grade.index:
        return ""
    g = grade[sid]
    return "" if g is None or (isinstance(g, float) and math.isnan(g)) else str(g)


def export_sheet(result_or_values, layout: SheetLayout, scheme: Scheme | None = None,
                 veto: pd.Series | None = None, names: dict[str, str] | pd.Series | None = None,
                 notes: dict[str, str] | None = None) -> bytes:
    """The score sheet in the shape it came in (`layout`: same title, columns and their order, wide or
    transposed, CSV or XLSX), with each module's subtotal (top-level dimensions), the total, the grade and the
    veto added (a column each, or a row each when transposed). Importing the result gives the same values.

    `result_or_values`: a ScoreResult (its raw values of the items, grade, sheet vetoes and scheme), or a DataFrame of
    values stations x item codes (then give `scheme`; `veto` reasons per station, station `names` optional)."""
    if isinstance(result_or_values, pd.DataFrame):
        values, result = result_or_values, None
        if scheme is None:
            raise SheetError(code="sheet.export_scheme")
    else:
        result = result_or_values
        scheme = result.scheme
        values = result.raw
        if veto is None:
            # the sheet's own veto column: the reasons of the veto series, not the scheme's conditions (a
            # condition on an item's points follows from the items and would come back as a sheet veto)
            veto = getattr(result, "sheet_vetoes", None)
        if names is None:
            names = result.stations["name"]
    names = dict(names) if names is not None else {}
    veto = veto if veto is not None else pd.Series(dtype=object)
    notes = notes or {}
    codes = [c for c in layout.items if c in {i.id for i in scheme.indicators}]
    modules = _top_modules(scheme, codes)
    zh = any(_CJK.search(x) for x in (*layout.header, *layout.title, *(lb for lbl, _ in layout.rows for lb in lbl)))
    w = {"subtotal": "{name}小计" if zh else "{name} subtotal", "total": "总分" if zh else "Total",
         "grade": "等级" if zh else "Grade", "veto": "一票否决" if zh else "Veto"}
    stations = [s for s in layout.stations if s in values.index] + \
        [s for s in values.index if s not in layout.stations]

    def val(sid, code):
        x = values.at[sid, code] if (sid in values.index and code in values.columns) else math.nan
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)

    def total(sid, among=codes):
        return round(sum(v for c in among if (v := val(sid, c)) is not None), 10)

    def reason(sid):
        r = veto.get(sid, "") if len(veto) else ""
        return "" if r is None or (isinstance(r, float) and math.isnan(r)) else str(r)

    def mod_name(d):
        return d.name_zh if zh else (d.name_en or d.name_zh)

    grid: list[list[Any]] = [[t] for t in layout.title]
    if layout.shape == "wide":
        header = list(layout.header)
        has = set(layout.roles)
        extra = [w["subtotal"].format(name=mod_name(d)) for d, _ in modules]
        if "total" not in has:
            extra.append(w["total"])
        extra.append(w["grade"])
        if "veto" not in has:
            extra.append(w["veto"])
        grid.append(header + extra)
        for sid in stations:
            row: list[Any] = []
            for role in layout.roles:
                row.append(sid if role == "station" else names.get(sid, "") if role == "name"
                           else val(sid, role[5:]) if role.startswith("item:") else reason(sid) if role == "veto"
                           else notes.get(sid, "") if role == "note" else total(sid) if role == "total" else "")
            row += [total(sid, mine) for _, mine in modules]
            if "total" not in has:
                row.append(total(sid))
            row.append(_grade_of(result, sid))
            if "veto" not in has:
                row.append(reason(sid))
            grid.append(row)
    else:
        lead = [i for i, r in enumerate(layout.roles) if r.startswith("lead:")]
        header = [layout.header[i] for i in lead] + [sid for sid in stations]
        # a station column keeps the header it had (its id or its name)
        was = {r[8:]: layout.header[i] for i, r in enumerate(layout.roles) if r.startswith("station:")}
        header = [layout.header[i] for i in lead] + [was.get(sid, sid) for sid in stations]
        grid.append(header)
        width = len(lead)
        has = {role for _, role in layout.rows}

        def label(text):
            return [text] + [""] * (width - 1)
        points_at = [n for n, i in enumerate(lead) if layout.roles[i] == "lead:points"]

        def numbers(labels):   # the 分值 column read back as numbers, as it was written
            for n in points_at:
                try:
                    x = _number(labels[n])
                except ValueError:
                    continue
                labels[n] = labels[n] if x is None else int(x) if x.is_integer() else x
            return labels
        for labels, role in layout.rows:
            labels = numbers(list(labels) + [""] * (width - len(labels)))
            if role.startswith("item:"):
                grid.append(labels[:width] + [val(sid, role[5:]) for sid in stations])
            elif role == "veto":
                grid.append(labels[:width] + [reason(sid) for sid in stations])
            elif role == "note":
                grid.append(labels[:width] + [notes.get(sid, "") for sid in stations])
            elif role == "total":
                grid.append(labels[:width] + [total(sid) for sid in stations])
            elif role in ("module", "skip"):
                grid.append(labels[:width] + [""] * len(stations))
        for d, mine in modules:
            grid.append(label(w["subtotal"].format(name=mod_name(d))) + [total(sid, mine) for sid in stations])
        if "total" not in has:
            grid.append(label(w["total"]) + [total(sid) for sid in stations])
        grid.append(label(w["grade"]) + [_grade_of(result, sid) for sid in stations])
        if "veto" not in has:
            grid.append(label(w["veto"]) + [reason(sid) for sid in stations])
    return _write(grid, layout.file_format)


def _write(grid: list[list[Any]], file_format: str) -> bytes:
    from indicators.outputs.export import neutralise   # names and notes may look like formulas to a spreadsheet

    def cell(v):
        if v is None:
            return None if file_format == "xlsx" else ""
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return neutralise(v) if isinstance(v, str) else v
    if file_format == "xlsx":
        import openpyxl
        wb = openpyxl.Workbook()
        ws = wb.active
        for row in grid:
            ws.append([cell(v) for v in row])
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    for row in grid:
        out.writerow([cell(v) for v in row])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")
