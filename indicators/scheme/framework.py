"""Framework tables (指标体系表) in and out: an evaluator's CSV or XLSX indicator framework <-> a Scheme.

Two shapes, headers in English or Chinese (docs/frameworks.md has the full list):

- long: one row a node. code 代码, name 名称 (or name_zh / name_en), level 层级 (counted from the top, 一级指标 = 1,
  as Chinese tables count, or from the indicators, 1 = indicator, as COINr does: the parent links tell which;
  `_counts_from_top`), parent 上级, weight 权重 or points 分值, and for indicators direction 方向, denominator 分母,
  missing 缺失处理, normalisation 标准化, camp 类别, measure 计量方法, unit 单位, serves 对应需求, 评分标准, 数据来源.
- wide, as printed in evaluation manuals: 一级指标, 二级指标, 三级指标 ... (as many as present; the last filled cell
  of a row is its indicator, a blank cell left of it repeats the row above: merged cells), 分值 or 权重, 评分标准,
  数据来源, plus the indicator columns of the long form. Optional per-level columns 一级指标代码, 一级指标英文名称,
  一级指标权重 / 一级指标分值 carry the dimensions' codes, English names and weights (the export writes them).

An indicator that names no measure reads its values from indicator_values (measure kind `value`, divided by its
denominator when one is given). Points (分值) make a points scheme, kept as points (100 or 1000 in all, or any).
The table is checked whole: every problem names the file, row and column, and nothing is returned until the
table is clean. `write_table` writes either shape; reading what it wrote gives the same scheme back.

Tables as bureaus hand them out (千分制) are read with no editing: the header is the first row whose cells are
mostly known headers (title rows above it become the scheme's `title`); rows after the last item (text in one cell,
starting 注/说明/备注, or a 合计 row, which must state the items' total) become its `notes`; a name such as
基础建设（150分） is the name 基础建设 with 150 points, checked against its children; a 序号 column is read past; codes
are kept as written (B11, 1.1.2), two that differ only by case or full-width letters refused; a 计分规则 column holds
each item's rule in the YAML inline form. `recognise_notes` reads grade bands and 一票否决 clauses from the notes:
the bands become the scheme's grades (labels as written, minimums in points when above 100), a clause naming an item
with a condition becomes a veto on it, and the other clauses stay notes for the evaluator.
"""
from __future__ import annotations

import io
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import yaml

from indicators.errors import InputError, Word
from indicators.records.importer import ImportProblems, Problem, read_rows
from indicators.scheme.model import (MAX_LEVELS, MAX_NUMBER, MAX_TREE_NODES, MAX_YAML_BYTES, Grade, SchemeError,
                                     Scheme, YamlBudget, check_numbers, code_key, dump_yaml, load_yaml_value,
                                     scheme_from_dict, scheme_to_dict)
from indicators.text_safety import control, named

SHAPES = ("long", "wide")
SOURCE_MARK = "\n数据来源："   # the 数据来源 column is kept after the 评分标准 in the indicator's rationale
# a node code as written (B11, 1.1.2, Goods), as the scheme model takes it: no blanks, no control characters
_CODE = re.compile(r"^[^\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]{1,64}$")
# a name carrying its points, as tables print them: 基础建设（150分）, 基础建设(150分), 基础建设（满分150分）
# (searched from the bracket, not matched from the start: a long name costs one pass, not one per character)
_NAMED_POINTS = re.compile(r"[（(] ?(?:满分|分值|共|计)? ?[:：]? ?(?P<points>\d{1,15}(?:\.\d{1,15})?) ?分 ?[)）]$")
_HEADER_SEARCH = 30   # rows looked at for the header: title rows above it are a few at most
# a table of more rows than this cannot be a scheme however many notes it has: refused before its cells are read
_MAX_ROWS = 4 * MAX_TREE_NODES
_NOTE_START = re.compile(r"^(?:注|说明|备注|附注|填表说明)\s*(?:[:：]|\d|$)")
_TOTAL_ROW = re.compile(r"^(?:合计|总计|总分|总分合计|分值合计|满分合计|小计)\s*[:：]?$")

# Column -> accepted headers (compared squashed: case, spaces, '_' and '-' ignored). The first is what export writes.
HEADERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {   # column: (English, Chinese)
    "code": (("code", "id"), ("代码", "编码", "指标代码", "编号")),
    "name": (("name",), ("名称", "指标名称")),
    "name_zh": (("name_zh",), ("中文名称",)),
    "name_en": (("name_en",), ("英文名称",)),
    "level": (("level",), ("层级", "级别")),
    "parent": (("parent",), ("上级", "上级代码", "所属")),
    "weight": (("weight",), ("权重",)),
    "points": (("points",), ("分值", "分数", "满分", "标准分")),
    "direction": (("direction",), ("方向", "指标方向")),
    "denominator": (("denominator",), ("分母",)),
    "missing": (("missing",), ("缺失处理", "缺失值处理")),
    "normalisation": (("normalisation", "normalization"), ("标准化", "标准化方法")),
    "camp": (("camp",), ("类别", "指标类别")),
    "measure": (("measure",), ("计量方法", "计算方法")),
    "unit": (("unit",), ("单位",)),
    "serves": (("serves",), ("对应需求",)),
    "rationale_zh": (("criteria", "rationale", "rationale_zh"), ("评分标准", "指标说明", "评分细则", "考核标准",
                                                                  "评估标准", "评分办法")),
    "rationale_en": (("rationale_en",), ("英文说明",)),
    "source": (("source",), ("数据来源", "考核方式", "评估方式", "核查方式", "考核方法", "评估方法", "资料来源")),
    "scoring": (("scoring",), ("计分规则",)),
    "seq": (("no.", "seq"), ("序号",)),   # a row number the table prints: read past, never kept
}
_NUMERALS = "一二三四五六七八九"
_LEVEL_ZH = re.compile(rf"^([{_NUMERALS}])级(?:指标)?(代码|英文名称|权重|分值)?$")
_LEVEL_WORD = re.compile(rf"^([{_NUMERALS}])级(?:指标)?$")   # a level cell written 一级, 二级指标 ...
_LEVEL_EN = re.compile(r"^level_?(\d)(?:_?indicator)?(?:_?(code|name_en|weight|points))?$")
_PART_EN = {"代码": "code", "英文名称": "name_en", "权重": "weight", "分值": "points"}

DIRECTIONS = {"1": "higher", "+1": "higher", "higher": "higher", "正": "higher", "正向": "higher",
              "越高越好": "higher", "-1": "lower", "lower": "lower", "负": "lower", "负向": "lower", "逆向": "lower",
              "越低越好": "lower"}
MISSING = {"median": "median", "中位数": "median", "worst": "worst", "最差": "worst", "最低": "worst",
           "zero": "zero", "零": "zero", "计为零": "zero", "mean": "mean", "均值": "mean", "平均值": "mean",
           "group_mean": "group_mean", "组均值": "group_mean", "同组均值": "group_mean"}
NORMS = {"minmax": "minmax", "min_max": "minmax", "极差": "minmax", "极差标准化": "minmax", "rank": "rank",
         "排名": "rank", "goalposts": "goalposts", "阈值": "goalposts", "target": "target", "目标值": "target"}
CAMPS = {"output": "output", "产出": "output", "产出类": "output", "needs": "needs", "需求": "needs",
         "需求类": "needs"}
DEFAULT_CAMP = "output"
_UNREAD = object()   # a YAML cell that could not be read (and has been said)
# cells that may run over lines (a rule, a source, a measure written over lines); every other cell is one line
_MULTILINE = ("rationale_zh", "rationale_en", "source", "measure", "scoring")


def _said(code: str, **params) -> Word:
    """A framework-table problem by its code in the word tables (indicators/i18n/import_errors.py)."""
    return Word(f"err.framework.{code}", **params)


class FrameworkProblems(ImportProblems):
    """A framework table that cannot be read; `problems` name the file, row and column. Nothing was made."""


def _squash(text: Any) -> str:
    t = unicodedata.normalize("NFKC", "" if text is None else str(text)).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s_\-]+", "_", t.strip("*").strip())


def _known_headers() -> dict[str, str]:
    return {_squash(h): col for col, (en, zh) in HEADERS.items() for h in (*en, *zh)}


def _level_header(raw: Any) -> tuple[int, str] | None:
    """(level from the top, 1 = 一级; part: "" for the name, else code / name_en / weight / points) or None."""
    s = _squash(raw)
    m = _LEVEL_ZH.match(s.replace("_", ""))
    if m:
        return _NUMERALS.index(m.group(1)) + 1, _PART_EN.get(m.group(2) or "", "")
    m = _LEVEL_EN.match(s)
    if m and int(m.group(1)) > 0:
        return int(m.group(1)), m.group(2) or ""
    return None


_HEADER_TAIL = re.compile(r"\s*(?:[（(][^（）()]{0,20}[)）]|及分值|及分数)$")   # 分值（分）, 三级指标（评估内容）


def _header_cell(raw: Any, known: dict[str, str]) -> tuple[tuple[int, str] | None, str | None]:
    """(level, part) of a level column, or the column a header names, or (None, None); a trailing bracket or
    及分值 is read past when the whole header is not known: 分值（分）, 一级指标（分值）, 三级指标（评估内容）."""
    for text in (raw, _HEADER_TAIL.sub("", _text(raw))):
        level = _level_header(text)
        if level is not None:
            return level, None
        if (col := known.get(_squash(text))) is not None:
            return None, col
    return None, None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFKC", str(value)).strip() if not isinstance(value, str) else value.strip()


def _filled(value: Any) -> bool:
    """bool(_text(value)), without normalising a text cell: every row of a table is asked this."""
    return bool(value.strip()) if isinstance(value, str) else bool(_text(value))


def _split_points(name: str) -> tuple[str, float | None]:
    """基础建设（150分） -> ("基础建设", 150.0); a name without points as it is, None."""
    m = _NAMED_POINTS.search(name)
    if not m or not name[:m.start()].strip():
        return name, None
    return name[:m.start()].strip(), float(m.group("points"))


def _first_text(cells: list[Any]) -> str:
    return next((_text(c) for c in cells if _text(c)), "")


def _is_number(cell: Any) -> bool:
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return True
    try:
        float(_text(cell).replace(",", ""))
        return True
    except ValueError:
        return False


@dataclass
class _Row:
    number: int                 # as the spreadsheet shows it
    cells: dict[str, Any]       # column -> cell
    levels: dict[int, dict[str, Any]]   # wide form: level -> part -> cell


class _Reader:
    """One table read whole: collects every problem, then either a scheme dict or FrameworkProblems."""

    def __init__(self, file: str):
        self.file, self.problems = file, []
        self.headers: dict[str, str] = {}          # column -> header as written
        self.level_headers: dict[tuple[int, str], str] = {}
        self.node_rows: dict[str, int] = {}        # node code -> the first row that names it
        self.folded: dict[str, tuple[str, int]] = {}   # code_key -> (code as first written, its row)
        self.title = ""                             # the rows above the header, as written
        self.notes: list[tuple[int, str]] = []      # (row, text) of the rows after the last item
        self.note_columns: list[Any] = []           # the column of each note's first cell (a column or a level)
        self.totals: list[tuple[int, Any]] = []     # (row, points cell) of 合计 rows after the last item
        self.named_points = False                   # some name carries its points: 基础建设（150分）
        self.broken_tree = False                    # the parent column loops or runs past MAX_LEVELS
        # the measure cells together may cost what one scheme file may: as many characters and YAML nodes
        self.yaml_chars, self.yaml_budget, self.yaml_spent = 0, YamlBudget(), False

    def bad(self, row: int | None, column: str | tuple | None, value: Any, message: Word) -> None:
        """`column`: a column name, or (level, part) for a wide form's level column (its name column if the
        part has none)."""
        if isinstance(column, tuple):
            shown = self.level_headers.get(column) or self.level_headers.get((column[0], ""))
        else:
            shown = self.headers.get(column, column) if column else None
        self.problems.append(Problem(self.file, row, shown, None if value is None else _text(value), message))

    def clash(self, code: str, row: int, column: str | tuple) -> bool:
        """True (and said) when `code` differs from a code already read only by case or full-width letters."""
        key = code_key(code)
        other = self.folded.get(key)
        if other is not None and other[0] != code:
            self.bad(row, column, code, _said("code_like", other=other[0], row=other[1]))
            return True
        self.folded.setdefault(key, (code, row))
        return False

    # ------------------------------------------------ header and rows

    @staticmethod
    def _header_at(body: list[tuple[int, list[Any]]]) -> int:
        """The header: the first row whose filled cells are mostly known headers (title rows above it are not);
        failing that the row with the most known headers, failing that the first row."""
        known = _known_headers()
        best: tuple[int, int] | None = None
        for i, (_, cells) in enumerate(body[:_HEADER_SEARCH]):
            filled = [c for c in cells if _text(c)]
            hits = sum(1 for c in filled if _header_cell(c, known) != (None, None))
            if hits * 2 > len(filled):
                return i
            if hits and (best is None or hits > best[0]):
                best = (hits, i)
        return best[1] if best else 0

    def _split_notes(self, body: list[tuple[int, list[Any]]], cols: dict[int, str],
                     lvls: dict[int, tuple[int, str]]) -> list[tuple[int, list[Any]]]:
        """The item rows; rows after the last item are kept as notes (合计 rows checked later). A row that reads
        as a note (text in one cell, or starting 注/说明/备注) above an item is a problem: notes go below."""
        kinds = []
        # a note spans the table (a merged row keeps its text in the first cell): text alone in a later column
        # is an item's cell with the rest left blank, which must be said, not dropped as a note
        lead = {min([*cols, *lvls], default=0)} | {j for j, c in cols.items() if c == "seq"}
        for n, cells in body:
            filled = [(i, c) for i, c in enumerate(cells) if _text(c)]
            first = _text(filled[0][1])
            if _TOTAL_ROW.match(first.replace(" ", "")):
                kinds.append("total")
            elif _NOTE_START.match(first) or (len(filled) == 1 and filled[0][0] in lead
                                              and not _is_number(filled[0][1])):
                kinds.append("note")
            else:
                kinds.append("item")
        last = max((i for i, k in enumerate(kinds) if k == "item"), default=-1)
        items = []
        for i, ((n, cells), kind) in enumerate(zip(body, kinds)):
            text = " ".join(_text(c) for c in cells if _text(c))
            if i > last:
                self.notes.append((n, text))
                j = next(j for j, c in enumerate(cells) if _text(c))
                self.note_columns.append(cols.get(j) or lvls.get(j))
                if kind == "total" and not _first_text(cells).startswith("小计"):   # a 小计 is a module's, not the table's
                    at = next((j for j, col in cols.items() if col == "points"), None)
                    self.totals.append((n, cells[at] if at is not None and at < len(cells) else None))
            elif kind == "note":
                j = next(j for j, c in enumerate(cells) if _text(c))
                column = cols.get(j) or lvls.get(j)
                self.bad(n, column, text, _said("note_inside", last=body[last][0]))
            elif kind == "item":
                items.append((n, cells))
        return items

    def parse(self, rows: list[tuple[int, list[Any]]]) -> list[_Row]:
        body = [(n, cells) for n, cells in rows if any(_filled(c) for c in cells)]
        if not body:
            self.bad(None, None, None, _said("empty"))
            return []
        at = self._header_at(body)
        self.title = "\n".join(" ".join(_text(c) for c in cells if _text(c)) for _, cells in body[:at])
        for n, cells in body[:at]:
            for c in cells:
                if isinstance(c, str):
                    self.controls(n, None, c, True)
        (head_no, head), body = body[at], body[at + 1:]
        known = _known_headers()
        # a header in two rows: 评估指标 merged over the level columns above 一级指标 | 二级指标 | 三级指标, the
        # other headers merged down (blank below): the row below fills the header where it says something
        if body and (sub := [c for c in body[0][1] if _text(c)]) and \
                all(_header_cell(c, known) != (None, None) for c in sub):
            below = body[0][1]
            head = [below[i] if i < len(below) and _text(below[i]) else (head[i] if i < len(head) else None)
                    for i in range(max(len(head), len(below)))]
            body = body[1:]
        cols: dict[int, str] = {}
        lvls: dict[int, tuple[int, str]] = {}
        for i, raw in enumerate(head):
            shown = _text(raw)
            if not shown:
                continue
            level, col = _header_cell(raw, known)
            if level is not None:
                if level in lvls.values():
                    self.bad(head_no, shown, None, _said("repeat_level"))
                lvls[i] = level
                self.level_headers[level] = shown
            elif col is not None:
                if col in self.headers:
                    self.bad(head_no, shown, None, Word("err.import.same_column", column=col,
                                                        before=self.headers[col]))
                cols[i] = col
                self.headers[col] = shown
            else:
                self.bad(head_no, shown, None, _said("unknown_column", known=", ".join(
                    f"{en[0]} ({zh[0]})" for en, zh in HEADERS.values())))
        if "weight" in self.headers and "points" in self.headers:
            self.bad(head_no, "points", None, _said("weights_and_points"))
        if len(body) > _MAX_ROWS:   # far past any scheme, notes and all: its limits said from two columns, unread
            self.wide = bool(lvls)
            at = {c: i for i, c in cols.items()}
            code, parent = at.get("code", -1), at.get("parent", -1)
            _limits(self, [(n, _text(c[code]) if -1 < code < len(c) else "",
                            _text(c[parent]) if -1 < parent < len(c) else "") for n, c in body], len(body))
            return []
        body = self._split_notes(body, cols, lvls)
        if not body:
            self.bad(None, None, None, _said("no_rows"))
        out = []
        for n, text in self.notes:
            self.controls(n, None, text, True)
        for n, cells in body:
            row = _Row(n, {}, {})
            for i, c in enumerate(cells):
                if isinstance(c, str) and (i in cols or i in lvls):
                    self.controls(n, cols.get(i) or lvls[i], c, cols.get(i) in _MULTILINE)
                if i in cols:
                    if cols[i] != "seq":
                        row.cells[cols[i]] = c
                    if cols[i] in ("name", "name_zh") and _split_points(_text(c))[1] is not None:
                        self.named_points = True
                elif i in lvls:
                    lv, part = lvls[i]
                    row.levels.setdefault(lv, {})[part] = c
                    if part == "" and _split_points(_text(c))[1] is not None:
                        self.named_points = True
                elif _text(c):
                    self.bad(n, None, c, _said("no_header", column=i + 1))
            out.append(row)
        self.wide = bool(lvls)
        if self.wide and not any(part == "" for _, part in lvls.values()):
            self.bad(head_no, None, None, _said("no_level_names"))
        if not self.wide and "code" not in self.headers:
            self.bad(head_no, None, None, _said("no_code"))
        return out

    def controls(self, row: int, column: str | tuple | None, text: str, breaks: bool) -> None:
        """A cell holding a control character (C0, C1, bidi overrides) is refused, once a cell: it would hide or
        reorder what a reader of the scheme sees."""
        if (bad := control(text, allow_breaks=breaks)):
            self.bad(row, column, text, _said("control", char=named(bad[1]), at=bad[0] + 1))

    # ------------------------------------------------ cells

    def number(self, row: _Row, col: str, cell: Any = None, positive: bool = False) -> float | None:
        cell = row.cells.get(col) if cell is None else cell
        if not _text(cell):
            return None
        try:
            x = float(cell) if isinstance(cell, (int, float)) and not isinstance(cell, bool) else \
                float(_text(cell).replace(",", "").removesuffix("%"))
        except ValueError:
            self.bad(row.number, col, cell, _said("number"))
            return None
        if abs(x) > MAX_NUMBER:   # 1e400 reads as inf; two weights of 1e308 would add up to inf
            self.bad(row.number, col, cell, _said("too_large", limit=f"{MAX_NUMBER:g}"))
            return None
        if not math.isfinite(x) or x < 0 or (positive and x == 0):
            self.bad(row.number, col, cell, _said("positive" if positive else "zero_or_more"))
            return None
        return x

    def word(self, row: _Row, col: str, table: dict[str, str]) -> str | None:
        text = _text(row.cells.get(col))
        if not text:
            return None
        got = table.get(_squash(text)) or table.get(text)
        if got is None:
            self.bad(row.number, col, text, _said("one_of", codes=", ".join(dict.fromkeys(table.values())),
                                                  labels=", ".join(k for k in table if not k.isascii())))
        return got

    def indicator(self, row: _Row, code: str, name_zh: str, name_en: str) -> dict:
        """An indicator's YAML mapping from its row (weight / points are added by the caller)."""
        ind: dict[str, Any] = {"id": code, "name_zh": name_zh or name_en, "name_en": name_en or name_zh,
                               "camp": self.word(row, "camp", CAMPS) or DEFAULT_CAMP}
        if (d := self.word(row, "direction", DIRECTIONS)):
            ind["direction"] = d
        if (m := self.word(row, "missing", MISSING)):
            ind["missing"] = m
        if (nm := self.normalisation(row)):
            ind["normalisation"] = nm
        for col in ("unit", "rationale_en"):
            if _text(row.cells.get(col)):
                ind[col] = _text(row.cells[col])
        rationale = _text(row.cells.get("rationale_zh"))
        if _text(row.cells.get("source")):
            rationale += SOURCE_MARK + _text(row.cells["source"])
        if rationale:
            ind["rationale_zh"] = rationale
        if _text(row.cells.get("serves")):
            ind["serves"] = [s.strip() for s in re.split(r"[,，、;；]", _text(row.cells["serves"])) if s.strip()]
        ind["measure"] = self.measure(row)
        if (scoring := self.scoring(row)) is not None:
            ind["scoring"] = scoring
        return ind

    def yaml_cell(self, row: _Row, col: str, text: str, not_yaml: str) -> Any:
        """A one-line YAML cell read with the scheme file's guards (nesting, aliases, node count, numbers), the
        cells of a table sharing one file's budget; _UNREAD (and said) when it cannot be read."""
        if self.yaml_spent:   # the cells above used up what a table may hold: named once, not read
            return _UNREAD
        self.yaml_chars += len(text)
        if self.yaml_chars > MAX_YAML_BYTES:
            self.yaml_spent = True
            self.bad(row.number, col, text, _said("measures_too_long", limit=f"{MAX_YAML_BYTES:,}"))
            return _UNREAD
        try:
            return load_yaml_value(text, self.file, self.yaml_budget)
        except SchemeError as exc:
            self.yaml_spent = exc.code == "scheme.too_many_values"
            if exc.code == "scheme.not_yaml":
                said = _said(not_yaml, detail=exc.params["detail"])
            elif isinstance(exc.place(), Word):   # "line 1" of a one-line cell, or "(top)": the cell says where
                said = exc.said()
            else:
                said = _said("field", field=exc.place(), problem=exc.said())
            self.bad(row.number, col, text, said)
            return _UNREAD

    def scoring(self, row: _Row) -> dict | None:
        """The 计分规则 cell: the inline form of the scheme YAML, {rule: bands, steps: [[0.9, 50]], else: 0}, or a
        bare rule (awarded, yes_no); the model checks its fields."""
        text = _text(row.cells.get("scoring"))
        if not text:
            return None
        got = self.yaml_cell(row, "scoring", text, "scoring_yaml")
        if got is _UNREAD:
            return None
        if isinstance(got, str):
            got = {"rule": got}
        if not isinstance(got, dict):
            self.bad(row.number, "scoring", text, _said("scoring_mapping"))
            return None
        return got

    def normalisation(self, row: _Row) -> dict | None:
        text = _text(row.cells.get("normalisation"))
        if not text:
            return None
        parts = re.split(r"[\s,，:：()（）]+", text.strip("()（） "))
        method = NORMS.get(_squash(parts[0])) or NORMS.get(parts[0])
        args = [p for p in parts[1:] if p]
        want = {"minmax": 0, "rank": 0, "target": 1, "goalposts": 2}.get(method)
        try:
            nums = [float(a) for a in args]
        except ValueError:
            nums = None
        if method is None or nums is None or len(nums) != want:
            self.bad(row.number, "normalisation", text, _said("normalisation"))
            return None
        out: dict[str, Any] = {"method": method}
        if method == "target":
            out["target"] = nums[0]
        if method == "goalposts":
            out["low"], out["high"] = nums
        return out

    def measure(self, row: _Row) -> dict:
        text = _text(row.cells.get("measure"))
        den = _text(row.cells.get("denominator"))
        measure: dict[str, Any] = {"kind": "value"}
        if text:
            got = self.yaml_cell(row, "measure", text, "measure_yaml")
            if got is _UNREAD:
                return measure
            if isinstance(got, str):   # a bare kind, e.g. "value"
                got = {"kind": got}
            if not isinstance(got, dict):
                self.bad(row.number, "measure", text, _said("measure_mapping"))
                return measure
            measure = got
        if den:
            if measure.get("kind") != "value":
                self.bad(row.number, "denominator", den, _said("denominator"))
            measure = {**measure, "denominator": den}
        return measure


def _weighting(reader: _Reader) -> str:
    named = reader.named_points and "weight" not in reader.headers   # 基础建设（150分）: points without a column
    return "points" if "points" in reader.headers or named else "weights"


def _long(reader: _Reader, rows: list[_Row]) -> list[dict]:
    """Top-level dimension mappings from one-row-a-node rows."""
    points = _weighting(reader) == "points"
    wcol = "points" if points else "weight"
    dims: dict[str, tuple[_Row, dict]] = {}     # code -> (row, mapping)
    leaves: dict[str, _Row] = {}
    order: list[tuple[str, _Row, dict, bool]] = []
    named_parents = {_text(r.cells.get("parent")) for r in rows} - {""}
    named_given: dict[str, float] = {}   # code -> points read from its name: 基础建设（150分）
    top = _counts_from_top(reader, rows, named_parents)
    if not named_parents and "level" in reader.headers and rows:   # no parent links
        if not top:   # counted from the indicators, the rows' order cannot say which dimension an indicator is in
            reader.bad(None, "level", None, _said("level_needs_parent"))
            return []
        _parents_from_order(reader, rows)   # from the top: an outline
        named_parents = {_text(r.cells.get("parent")) for r in rows} - {""}
    levels: dict[int, int] = {}          # row number -> its level as written
    for row in rows:
        code = _text(row.cells.get("code"))
        if not code:
            reader.bad(row.number, "code", "", Word("err.import.required"))
            continue
        level = _level_cell(row.cells.get("level"))
        if level is None and _text(row.cells.get("level")):
            reader.bad(row.number, "level", row.cells.get("level"),
                       _said("level_count_top" if top else "level_count_bottom", limit=MAX_LEVELS))
        elif level is not None:
            levels[row.number] = level
        parent = _text(row.cells.get("parent"))
        # an indicator is a node no row names as its parent, or one under a dimension of its own code; counted
        # from the indicators, a 1 is one too
        leaf = code not in named_parents or parent == code or (not top and level == 1)
        # an indicator may share the code of its own dimension (a dimension of one indicator); no other repeats
        other = leaves.get(code) if leaf else (dims[code][0] if code in dims else leaves.get(code))
        if other is None and leaf and code in dims and _text(row.cells.get("parent")) != code:
            other = dims[code][0]
        if other is not None:
            reader.bad(row.number, "code", code, _said("code_used", row=other.number))
            continue
        name, named = _split_points(_text(row.cells.get("name")))
        zh, named_zh = _split_points(_text(row.cells.get("name_zh")))
        named = named if named is not None else named_zh
        zh, en = zh or name, _text(row.cells.get("name_en")) or name
        if not (zh or en):
            reader.bad(row.number, "name_zh" if "name_zh" in reader.headers else "name", "",
                       Word("err.import.required"))
        if not _CODE.match(code):
            reader.bad(row.number, "code", code, _said("bad_code"))
        elif not (leaf and code == _text(row.cells.get("parent"))):   # a leaf may share its dimension's code
            reader.clash(code, row.number, "code")
        if leaf:
            node = reader.indicator(row, code, zh, en)
            leaves[code] = row
        else:
            node = {"id": code, "name_zh": zh or en, "name_en": en or zh}
            for col in ("direction", "denominator", "missing", "normalisation", "measure", "camp", "unit"):
                if _text(row.cells.get(col)):
                    reader.bad(row.number, col, row.cells[col], _said("leaf_only"))
            dims[code] = (row, node)
        w = reader.number(row, wcol)
        if named is not None and points:
            if w is not None and w != named:
                reader.bad(row.number, wcol, row.cells.get(wcol), _said("name_points", named=f"{named:g}"))
            elif w is None and not _text(row.cells.get(wcol)):
                w = named_given[code] = named
        if w is not None and not (points and not leaf):
            node[wcol] = w
        elif w is None and points and leaf and not _text(row.cells.get(wcol)):   # a cell that is no number: said
            reader.bad(row.number, wcol, "", _said("points_required"))
        order.append((code, row, node, leaf))
        reader.node_rows.setdefault(code, row.number)
    tops = []
    parents = {code: _text(row.cells.get("parent")) for code, row, _, leaf in order if not leaf}
    for code, row, node, leaf in order:
        parent = _text(row.cells.get("parent"))
        if not parent:
            if leaf:
                reader.bad(row.number, "parent", "", _said("no_parent"))
            else:
                tops.append(node)
            continue
        if parent not in dims:
            reader.bad(row.number, "parent", parent, _said("not_parent_leaf" if parent in leaves else "not_parent"))
            continue
        prow, pnode = dims[parent]
        pnode.setdefault("indicators" if leaf else "dimensions", []).append(node)
    if not _chains(reader, {code: row.number for code, (row, _) in dims.items()}, parents):
        return tops   # a loop or a chain past the limit: said; the sums below would follow it
    _check_levels(reader, [(row, leaf) for _, row, _, leaf in order], {c: r for c, (r, _) in dims.items()},
                  levels, top)
    if points:   # a dimension's points, when given, must be what its indicators add up to
        for code, (row, node) in dims.items():
            given = reader.number(row, wcol)
            column = wcol
            if given is None and code in named_given:
                given, column = named_given[code], "name_zh" if "name_zh" in reader.headers else "name"
            if given is not None and abs(given - _points(node)) > 1e-9:
                reader.bad(row.number, column, row.cells.get(column), _said("points_sum", total=f"{_points(node):g}"))
    return tops


def _points(node: dict) -> float:
    return sum(i.get("points") or 0.0 for i in node.get("indicators", [])) + \
        sum(_points(d) for d in node.get("dimensions", []))


def _level_cell(cell: Any) -> int | None:
    """A level as written: a whole number from 1 to MAX_LEVELS (2, 2.0, ２), or 一级 / 二级指标 ...; None for
    anything else."""
    text = _text(cell).replace(" ", "")
    word = _LEVEL_WORD.match(text)
    if word:
        return _NUMERALS.index(word.group(1)) + 1
    try:
        x = float(cell) if isinstance(cell, (int, float)) and not isinstance(cell, bool) else float(text)
    except ValueError:
        return None
    return int(x) if math.isfinite(x) and x.is_integer() and 1 <= x <= MAX_LEVELS else None


def _counts_from_top(reader: _Reader, rows: list[_Row], named_parents: set[str]) -> bool:
    """Whether the level column counts from the top (Chinese 层级: 一级指标 = 1, the top) rather than from the
    indicators (COINr's `level`: 1 = indicator, 2 = the level above). Read from the table itself:

    - a level written in words (一级, 二级指标) counts from the top;
    - else the parent links: where a row and its parent both have a level, a child's number above its parent's
      counts from the top, below it from the indicators; the way most such pairs go is the table's (the rows that
      go the other way are then refused, by `_check_levels`);
    - else (no such pair, or as many each way) the header: 层级 / 级别 count from the top, `level` from the
      indicators.
    """
    if "level" not in reader.headers:
        return True   # no levels to read: the parent links alone make the tree
    if any(_LEVEL_WORD.match(_text(row.cells.get("level")).replace(" ", "")) for row in rows):
        return True
    cells = [(row, _level_cell(row.cells.get("level"))) for row in rows]
    own: dict[str, int] = {}   # a dimension's code -> its level
    for row, level in cells:
        code, parent = _text(row.cells.get("code")), _text(row.cells.get("parent"))
        if level is not None and code in named_parents and parent != code:
            own.setdefault(code, level)
    down = up = 0
    for row, level in cells:
        plevel = own.get(_text(row.cells.get("parent")))
        if level is not None and plevel is not None:
            down += level > plevel
            up += level < plevel
    if down != up:
        return down > up
    return _squash(reader.headers["level"]) in {_squash(h) for h in HEADERS["level"][1]}


def _parents_from_order(reader: _Reader, rows: list[_Row]) -> None:
    """A table with levels counted from the top and no parent links reads as an outline, as printed tables do:
    each row's parent is the nearest row above it one level up (一级指标, its 二级指标 below it, and so on). The
    parent cells are filled in; a row that finds no row one level up above it (a 三级 straight after a 一级) is
    said, and hung under the nearest row above it at a higher level so that it is said once. Counted from the
    indicators an outline is ambiguous (an indicator after a sub-dimension's indicators may belong to it or to
    the level above), so such a table keeps needing its parent column."""
    above: dict[int, str] = {}   # level -> the code of the last row at that level, for the rows still open
    for row in rows:
        code, level = _text(row.cells.get("code")), _level_cell(row.cells.get("level"))
        if not code or level is None:
            continue   # said by the reading
        higher = [k for k in above if k < level]
        if level > 1 and higher:
            if level - 1 not in above:
                reader.bad(row.number, "level", row.cells.get("level"),
                           _said("level_outline", level=level, above=max(higher)))
            row.cells["parent"] = above[max(higher)]
        for k in [k for k in above if k >= level]:
            del above[k]
        above[level] = code


def _check_levels(reader: _Reader, nodes: list[tuple[_Row, bool]], dims: dict[str, _Row], levels: dict[int, int],
                  top: bool) -> None:
    """Every written level against the parent links, in the way the table counts (`_counts_from_top`). From the
    top a node's level is its depth: 1 without a parent, its parent's depth + 1 below it (a row is measured
    against where it sits, so one wrong row is the one refused, not its children). From the indicators an
    indicator (a row no row names as its parent) is 1 and a node's level is below its parent's; a dimension may
    stand more than one above an indicator beside a deeper branch, as COINr's own tables do."""
    depth: dict[str, int] = {}

    def depth_of(code: str) -> int:   # the tree has been checked: no loop, at most MAX_LEVELS deep
        if code not in depth:
            parent = _text(dims[code].cells.get("parent"))
            depth[code] = depth_of(parent) + 1 if parent in dims and parent != code else 1
        return depth[code]

    said = {p.row for p in reader.problems if p.column == reader.headers.get("level")}   # once a row
    for row, leaf in nodes:
        level = levels.get(row.number)
        parent = _text(row.cells.get("parent"))
        if level is None or (parent and parent not in dims) or row.number in said:
            continue
        if top:
            want = depth_of(parent) + 1 if parent else 1
            if level != want:
                reader.bad(row.number, "level", row.cells.get("level"),
                           _said("level_top", level=want, parent=parent) if parent else _said("level_top_root"))
        elif leaf and level != 1:
            reader.bad(row.number, "level", row.cells.get("level"), _said("level_bottom_leaf"))
        elif parent and (plevel := levels.get(dims[parent].number)) is not None and level >= plevel:
            reader.bad(row.number, "level", row.cells.get("level"), _said("level_bottom", level=plevel,
                                                                          parent=parent))


def _limits(reader: _Reader, nodes: list[tuple[int, str, str]], items: int) -> None:
    """The tree's limits from the code and parent cells alone ((row, code, parent) of every row), before any row is
    read further: a chain deeper than MAX_LEVELS (or a loop) by the row where it passes the limit, then more than
    MAX_TREE_NODES items. Linear, so a 20,000-row hostile table is refused in a fraction of a second."""
    if not reader.wide:
        parents: dict[str, str] = {}
        rows: dict[str, int] = {}
        for number, code, parent in nodes:
            if code and code != parent and code not in parents:   # an indicator may share its dimension's code
                parents[code], rows[code] = parent, number
        # a loop is said later with the table's other problems; only a chain past the limit stops the reading here
        if not _chains(reader, rows, parents, levels=MAX_LEVELS, loops=False):
            return
    if items > MAX_TREE_NODES:
        reader.bad(nodes[MAX_TREE_NODES][0], None, None, _said("too_many_rows", n=f"{items:,}",
                                                               limit=f"{MAX_TREE_NODES:,}"))
        reader.broken_tree = True


def _chains(reader: _Reader, rows: dict[str, int], parents: dict[str, str], levels: int = MAX_LEVELS - 1,
            loops: bool = True) -> bool:
    """Loops in the parent column, and chains deeper than MAX_LEVELS, in one pass: each dimension's depth is found
    once and remembered, so a 20,000-long chain costs 20,000 steps (walking up from every node cost 200 million).
    False (and said, once) when the tree cannot be used; with `loops` False a loop is passed over (its nodes
    counted as deep as the walk went), for a caller that says loops later."""
    depth: dict[str, int] = {}
    for code in parents:
        path, on_path, at = [], set(), code
        while at in rows and at not in depth:
            if at in on_path:
                if not loops:
                    at = None
                    break
                reader.bad(rows[code], "parent", parents[code], _said("loop"))
                reader.broken_tree = True
                return False
            on_path.add(at)
            path.append(at)
            at = parents.get(at) or None
        base = depth.get(at, 0)
        for c in reversed(path):
            base += 1
            depth[c] = base
    # `levels`: how deep a node may be (a dimension's indicators are one level below it)
    deep = next((c for c in parents if depth.get(c, 0) > levels), None)
    if deep is not None:
        reader.bad(rows[deep], "parent", parents[deep], _said("too_deep", limit=MAX_LEVELS))
        reader.broken_tree = True
        return False
    return True


def _wide(reader: _Reader, rows: list[_Row]) -> list[dict]:
    """Top-level dimension mappings from one-row-an-indicator rows with 一级指标, 二级指标 ... columns."""
    points = _weighting(reader) == "points"
    wcol = "points" if points else "weight"
    depth = max((lv for lv, _ in reader.level_headers), default=0)
    tops: list[dict] = []
    dims: dict[tuple, dict] = {}            # path of (code or name) -> dimension mapping
    given: dict[int, tuple[float, int, tuple]] = {}   # id(mapping) -> (weight or points given, row, column)
    sums: dict[int, float] = {}              # id(mapping) -> sum of its leaves' weights or points
    above: dict[int, dict[str, Any]] = {}    # level -> the cells of the row above (merged cells read blank)
    seen_codes: dict[str, int] = {}
    for row in rows:
        filled = [lv for lv in range(1, depth + 1) if _text(row.levels.get(lv, {}).get(""))]
        if not filled:
            reader.bad(row.number, (1, ""), "", _said("no_name"))
            continue
        last = filled[-1]
        path: list[tuple[int, dict[str, Any]]] = []
        for lv in range(1, last):
            cells = row.levels.get(lv, {})
            if not _text(cells.get("")):
                cells = above.get(lv)
                if cells is None:
                    reader.bad(row.number, (lv, ""), "", _said("no_above"))
                    break
            path.append((lv, cells))
        else:
            for lv, cells in path:
                above[lv] = cells
            for lv in range(last, depth + 1):
                above.pop(lv, None)
            parent, key = None, ()
            for lv, cells in path:
                name, named = _split_points(_text(cells.get("")))
                code = _text(cells.get("code"))
                key = key + (code or name,)
                node = dims.get(key)
                if node is None:
                    number = len(parent.get("dimensions", [])) + len(parent.get("indicators", [])) + 1 \
                        if parent is not None else len(tops) + 1
                    auto = f"{parent['id']}.{number}" if parent is not None else f"D{number}"
                    node = {"id": code or auto, "name_zh": name, "name_en": _text(cells.get("name_en")) or name}
                    dims[key] = node
                    (parent.setdefault("dimensions", []) if parent is not None else tops).append(node)
                    if node["id"] in seen_codes:
                        reader.bad(row.number, (lv, "code"), node["id"], _said("code_used", row=seen_codes[node["id"]]))
                    else:
                        reader.clash(node["id"], row.number, (lv, "code"))
                    seen_codes[node["id"]] = row.number
                    reader.node_rows.setdefault(node["id"], row.number)
                w = reader.number(row, (lv, wcol), cells.get(wcol))
                where: tuple = (lv, wcol)
                if named is not None and points:
                    if w is not None and w != named:
                        reader.bad(row.number, (lv, wcol), cells.get(wcol), _said("name_points", named=f"{named:g}"))
                    elif w is None:
                        w, where = named, (lv, "")
                if w is not None:
                    if id(node) in given and given[id(node)][0] != w:
                        reader.bad(row.number, where, cells.get(wcol) if where[1] else cells.get(""),
                                   _said("differs", given=f"{given[id(node)][0]:g}", name=name))
                    given.setdefault(id(node), (w, row.number, where))
                parent = node
            cells = row.levels[last]
            name, named = _split_points(_text(cells.get("")))
            code = _text(row.cells.get("code")) or _text(cells.get("code"))
            code_col = "code" if _text(row.cells.get("code")) else (last, "code")
            if parent is None:
                reader.bad(row.number, (last, ""), name, _said("no_dimension"))
                continue
            if not code:
                number = len(parent.get("dimensions", [])) + len(parent.get("indicators", [])) + 1
                code = "i" + parent["id"].removeprefix("D").replace(".", "-") + f"-{number}"
            if not _CODE.match(code):
                reader.bad(row.number, code_col, code, _said("bad_code"))
            elif code in seen_codes and code != parent["id"]:   # an indicator may share its dimension's code
                reader.bad(row.number, code_col, code, _said("code_used", row=seen_codes[code]))
            elif code != parent["id"]:
                reader.clash(code, row.number, code_col)
            seen_codes[code] = row.number
            reader.node_rows[code] = row.number
            ind = reader.indicator(row, code, name, _text(row.cells.get("name_en")) or _text(cells.get("name_en")))
            w = reader.number(row, wcol)
            if named is not None and points:
                if w is not None and w != named:
                    reader.bad(row.number, wcol, row.cells.get(wcol), _said("name_points", named=f"{named:g}"))
                elif w is None and not _text(row.cells.get(wcol)):
                    w = named
            if w is not None:
                ind[wcol] = w
                for lv in range(len(path)):
                    k = tuple(key[:lv + 1])
                    sums[id(dims[k])] = sums.get(id(dims[k]), 0.0) + w
            elif points and not _text(row.cells.get(wcol)):   # a cell that is no number has been said already
                reader.bad(row.number, wcol, "", _said("points_required"))
            parent.setdefault("indicators", []).append(ind)
    for node in dims.values():
        if points:
            if id(node) in given and abs(given[id(node)][0] - sums.get(id(node), 0.0)) > 1e-9:
                w, at, where = given[id(node)]
                reader.bad(at, where, node["name_zh"], _said("dimension_points", given=f"{w:g}",
                                                             total=f"{sums.get(id(node), 0.0):g}"))
        elif id(node) in given:
            node["weight"] = given[id(node)][0]
        elif "weight" in reader.headers:   # leaves give global weights: a dimension weighs what its leaves do
            node["weight"] = sums.get(id(node), 0.0)
    return tops


# ---------------------------------------------------------------- footnotes: grade bands and 一票否决

GRADE_LABELS_EN = {"优秀": "Excellent", "良好": "Good", "合格": "Pass", "基本合格": "Basic pass", "不合格": "Fail"}
# labels tables use; the longer first, so that 不合格 is not read as 合格
_LABEL = re.compile(r"基本合格|不合格|不达标|合格|达标|优秀|良好|较好|中等|一般|较差|差|[一二三四五1-5]星级?|[A-E][级等]")
_N = r"(\d{1,15}(?:\.\d{1,15})?)(?!\d)\s*%?\s*分?"   # bounded digits: a run of thousands costs no backtracking
_INCL = r"\s*(?:\(含\))?\s*"
_LOWER = (re.compile(rf"(?:≥|>=|>|不低于|不少于|大于等于|达到|高于|超过)\s*{_N}"),
          re.compile(rf"{_N}{_INCL}(?:及以上|或以上|以上)"),
          re.compile(rf"{_N}{_INCL}(?:-|—|–|~|至|到){_INCL}\d"),
          re.compile(rf"{_N}\s*(?:≤|<=)\s*(?:总分|得分|分数)?\s*(?:<|≤|<=)"))
_UPPER = re.compile(r"以下|不足|低于|少于|小于|未达到|不到|未满|<|≤")
_SEGMENTS = re.compile(r"[;；。,，\n]+")
_VETO_WORD = re.compile(r"一票否决")
_ENUM = re.compile(r"^\s*(?:(?:注|说明|备注)\s*[:：]\s*)?(?:\d+\s*[.、．]|[（(]\s*\d+\s*[)）]|\d+\s*[)）]|[①-⑳])?\s*")
_SUB_ENUM = re.compile(r"^\s*(?:[（(]\s*\d+\s*[)）]|\d+\s*[)）]|[①-⑳])")
_TOP_ENUM = re.compile(r"^\s*\d+\s*[.、．]")   # 1. / 2、: a list's items when the list's own row has no number
_VETO_TAIL = re.compile(r"(?:的|者)?\s*[，,]?\s*(?:则|均)?\s*(?:实行|予以|执行|实施|作|按)?\s*[“\"'‘「『]?一票否决.*$",
                        re.S)
# a clause's condition on the indicator it names: (pattern, op); "不低于" is not "低于"
_CONDITIONS = (
    (re.compile(rf"(?<!不)(?:低于|少于|小于|不足|不到|未达到|未达)\s*{_N}|<\s*{_N}|{_N}{_INCL}以下"), "<"),
    (re.compile(rf"(?:不高于|不超过|不大于|≤|<=)\s*{_N}"), "<="),
    (re.compile(rf"(?:不低于|不少于|不小于|≥|>=)\s*{_N}"), ">="),
    (re.compile(rf"(?<!不)(?:高于|超过|大于|多于)\s*{_N}|>\s*{_N}"), ">"),
)
_ZERO = re.compile(r"得\s*0\s*分|为\s*0\s*分|不得分|零分")
# a real table has a few dozen short notes; a hostile one may have thousands of long ones: those past these limits
# are kept as written but not read for bands and vetoes, so reading costs no more than a real table's
_NOTES_READ, _NOTE_CHARS = 300, 2000


@dataclass(frozen=True)
class VetoClause:
    """One 一票否决 clause of a table's notes. With an indicator and a condition read from it, it is a veto on
    that indicator's value (a Veto of the scheme); else it is a note for the evaluator, and a station's veto then
    comes from the score sheet's 一票否决 column."""
    text: str                   # the clause as written, without its number, 的 and 实行一票否决
    note: int                   # which note (index into the notes) it came from
    indicator: str | None = None
    op: str | None = None
    value: float | None = None

    def veto(self) -> dict | None:
        """The scheme's `vetoes:` entry, or None when no indicator or no condition was read."""
        if self.indicator is None or self.op is None:
            return None
        return {"indicator": self.indicator, "op": self.op, "value": self.value, "name_zh": self.text}


@dataclass(frozen=True)
class Recognised:
    """What a table's notes say that the scheme can use. `grades` best first (min descending), labels as written;
    `grade_notes` the notes they came from; `vetoes` every clause; `unread` the notes that gave neither."""
    grades: tuple[Grade, ...] = ()
    grade_notes: tuple[int, ...] = ()
    vetoes: tuple[VetoClause, ...] = ()
    unread: tuple[str, ...] = ()


def grade(label: str, minimum: float) -> Grade:
    """A band with the table's own label: grade and label_zh as written, label_en from GRADE_LABELS_EN."""
    return Grade(label, float(minimum), label, GRADE_LABELS_EN.get(label, ""))


def _band(segment: str) -> tuple[str, float] | None:
    """(label, minimum) of one band as written: 优秀≥900分, 良好800-899分, 900分以上为优秀, 不足600分为不合格."""
    seg = unicodedata.normalize("NFKC", segment)
    labels = {m.group() for m in _LABEL.finditer(seg)}
    if len(labels) != 1 or not re.search(r"\d", seg):
        return None
    label = labels.pop()
    for pattern in _LOWER:
        if (m := pattern.search(seg)):
            return label, float(m.group(1))
    if _UPPER.search(seg):
        return label, 0.0
    nums = re.findall(r"\d+(?:\.\d+)?", seg)
    return (label, float(nums[0])) if len(nums) == 1 and len(nums[0]) <= 31 else None


def _bands(segment: str) -> list[tuple[str, float]]:
    """The bands of one segment; one holding several labels (优秀(90分及以上)、良好(80-89分)) is cut before each."""
    seg = unicodedata.normalize("NFKC", segment)
    starts = [m.start() for m in _LABEL.finditer(seg)]
    if len({m.group() for m in _LABEL.finditer(seg)}) <= 1:
        return [b] if (b := _band(seg)) else []
    pieces = [seg[a:b] for a, b in zip(starts, starts[1:] + [len(seg)])]
    return [b for piece in pieces if (b := _band(piece))]


def _clean_clause(text: str) -> str:
    text = _ENUM.sub("", text, count=1).strip()
    text = _VETO_TAIL.sub("", text).strip()
    return text.rstrip("。；;，,：: ").removesuffix("的").removesuffix("者").strip()


def _condition(text: str) -> tuple[str, float] | None:
    for pattern, op in _CONDITIONS:
        if (m := pattern.search(text)):
            number = next(g for g in m.groups() if g is not None)
            whole = m.group()
            return op, float(number) / (100 if "%" in whole else 1)
    if _ZERO.search(text):
        return "<=", 0.0
    return None


def _code_finder(indicators: dict[str, str]) -> tuple[re.Pattern | None, dict[str, str], dict[str, str]]:
    """One pattern for every code (the longest first, so B111 is not read as B11), and the folded code and name
    -> code maps; built once for all the clauses of a table."""
    folded = {unicodedata.normalize("NFKC", c): c for c in indicators}
    names = {c: unicodedata.normalize("NFKC", n) for c, n in indicators.items()}
    if not folded:
        return None, folded, names
    alt = "|".join(re.escape(c) for c in sorted(folded, key=len, reverse=True))
    return re.compile(rf"(?<![0-9A-Za-z.])(?:{alt})(?![0-9A-Za-z])"), folded, names


def _named(clause: str, finder: tuple) -> tuple[str | None, str]:
    """The indicator a clause names (by code, else by the longest name that only one indicator has) and the
    clause with that code taken out (so its digits are not read as the condition's number)."""
    pattern, folded, names = finder
    text = unicodedata.normalize("NFKC", clause)
    if pattern is not None and (m := pattern.search(text)):
        return folded[m.group()], text[:m.start()] + " " + text[m.end():]
    hits = [(len(n), code) for code, n in names.items() if len(n) >= 2 and n in text]
    if hits:
        longest = max(h[0] for h in hits)
        best = [code for n, code in hits if n == longest]
        if len(best) == 1:
            return best[0], text
    return None, text


def recognise_notes(notes: list[str] | tuple[str, ...], indicators: dict[str, str] | None = None) -> Recognised:
    """Grade bands and 一票否决 clauses in a table's notes, in the forms tables write them.

    Bands: 优秀≥900分；良好800-899分；合格600-799分；600分以下为不合格 / 总分900分以上为优秀，800分（含）至900分为
    良好 … (two bands at least, across the notes). Vetoes: "发生重大安全责任事故的，实行一票否决", or a list after
    "有下列情形之一的，实行一票否决：" on the same row (；-separated) or on the rows below ((1) … (2) …).
    `indicators` (code -> name) lets a clause that names an item become a condition on it: "3.1.1居民满意度得分
    低于40分的" -> 3.1.1 < 40 (a percentage as a share: 低于60% -> < 0.6)."""
    finder = _code_finder(indicators or {})
    bands: list[tuple[str, float, int]] = []
    clauses: list[VetoClause] = []
    used: set[int] = set()
    # the rows below a "…一票否决：" row are its clauses while they start (1), ①, 1) — or 1. / 2、 when that row
    # itself is not numbered so (一票否决项：, then 1. … 2. …)
    in_list: re.Pattern | None = None

    def clause(text: str, n: int) -> None:
        text = _clean_clause(text)
        if not text or len(clauses) >= _NOTES_READ:
            return
        code, rest = _named(text, finder)
        cond = _condition(rest) if code is not None else None
        clauses.append(VetoClause(text, n, code, *(cond or (None, None))))
        used.add(n)

    for n, written in enumerate(notes[:_NOTES_READ]):
        note = re.sub(r"\s+", " ", written[:_NOTE_CHARS])   # one blank for a run: no pattern backtracks on it
        if in_list is not None and (_SUB_ENUM.match(note) or in_list.match(note)):
            clause(note, n)
            continue
        in_list = None
        if _VETO_WORD.search(note):
            used.add(n)
            listed = re.search(r"一票否决[^:：]*[:：]", note)   # "…实行一票否决：" then its clauses
            if listed:
                tail = note[listed.end():]
                parts = [p for p in re.split(r"[;；]|(?=[（(]\d+[)）])|(?=[①-⑳])", tail) if p.strip()]
                if parts:
                    for p in parts:
                        clause(p, n)
                else:
                    in_list = _SUB_ENUM if _TOP_ENUM.match(note) else _TOP_ENUM
                continue
            body = _VETO_TAIL.sub("", _ENUM.sub("", note, count=1))
            for p in re.split(r"[;；]", body):
                clause(p, n)
            continue
        found = [b for seg in _SEGMENTS.split(note) for b in _bands(seg)]
        bands += [(label, low, n) for label, low in found]
    grades: list[Grade] = []
    notes_used: list[int] = []
    if len(bands) >= 2:
        seen: set[str] = set()
        for label, low, n in bands:
            if label not in seen:
                seen.add(label)
                grades.append(grade(label, low))
                if n not in notes_used:
                    notes_used.append(n)
        grades.sort(key=lambda g: -g.min)
        used.update(notes_used)
    return Recognised(tuple(grades), tuple(notes_used), tuple(clauses),
                      tuple(note for n, note in enumerate(notes) if n not in used))


def parse_grades(text: str, option: str = "--grades") -> tuple[Grade, ...]:
    """"优秀:900,良好:800,合格:600,不合格:0" -> bands, best first; bad text is an InputError naming the option."""
    pairs = [p.strip() for p in re.split(r"[,，;；]", text or "") if p.strip()]
    out: list[Grade] = []
    for p in pairs:
        label, sep, number = p.partition(":") if ":" in p else p.partition("：") if "：" in p else p.partition("=")
        try:
            low = float(number)
        except ValueError:
            low = float("nan")
        if not sep or not label.strip() or not math.isfinite(low) or low < 0 or low > MAX_NUMBER:
            raise InputError(code="framework.grades_option", params={"option": option, "text": p})
        out.append(grade(label.strip(), low))
    labels = [g.grade for g in out]
    if not out or len(set(labels)) != len(labels) or min(g.min for g in out) != 0:
        raise InputError(code="framework.grades_option", params={"option": option, "text": text})
    return tuple(sorted(out, key=lambda g: -g.min))


def default_id(stem: str) -> str:
    """A scheme id made from a file name: 社工站评估2024 -> framework-2024, Station Review -> station-review."""
    sid = re.sub(r"[^a-z0-9_\-]+", "-", stem.lower()).strip("-") or "framework"
    return (sid if re.match(r"^[a-z]", sid) else f"framework-{sid}")[:64]


def _indicator_names(tops: list[dict]) -> dict[str, str]:
    out: dict[str, str] = {}

    def walk(d: dict) -> None:
        for i in d.get("indicators", []):
            out[i["id"]] = i["name_zh"]
        for sub in d.get("dimensions", []):
            walk(sub)
    for d in tops:
        walk(d)
    return out


def grade_scale(grades: tuple[Grade, ...], points_total: float | None) -> str:
    """"points" when band minimums are on the table's points (千分制: 900 of 1,000), else "score" (0-100)."""
    top = max((g.min for g in grades), default=0.0)
    return "points" if points_total is not None and (top > 100 or points_total == 100) else "score"


def _notes_into(reader: _Reader, data: dict, tops: list[dict], grades: Any, vetoes: Any = None) -> None:
    """Title, notes, grade bands and vetoes into the scheme mapping; problems named at the note's row."""
    notes = [text for _, text in reader.notes]
    rows = [n for n, _ in reader.notes]
    points = data.get("weighting") == "points"
    total = _points({"dimensions": tops}) if points else None
    for n, cell in reader.totals:   # a 合计 row states the table's points: they must be what the items add up to
        stated = reader.number(_Row(n, {"points": cell}, {}), "points") if _text(cell) else None
        if stated is not None and total is not None and abs(stated - total) > 1e-9:
            reader.bad(n, "points", cell, _said("total_row", total=f"{total:g}"))
    found = recognise_notes(notes, _indicator_names(tops))
    if grades is not None:
        bands = tuple(g if isinstance(g, Grade) else Grade(**g) if isinstance(g, dict) else grade(*g) for g in grades)
        at = column = None
    else:
        bands = found.grades
        first = found.grade_notes[0] if found.grade_notes else None
        at, column = (rows[first], reader.note_columns[first]) if first is not None else (None, None)
        if bands and min(g.min for g in bands) > 0:
            reader.bad(at, column, notes[first], _said("grades_no_floor",
                       bands="; ".join(f"{g.grade} ≥ {g.min:g}" for g in bands)))
    if bands:
        scale = grade_scale(bands, total)
        top = max(g.min for g in bands)
        limit = total if scale == "points" else 100.0
        if top > limit:
            reader.bad(at, column, f"{top:g}", _said("grade_above", limit=f"{limit:g}"))
        data["grades"] = [{"grade": g.grade, "min": g.min, "label_zh": g.label_zh, "label_en": g.label_en}
                          for g in bands]
        data["grade_scale"] = scale
    if vetoes is None:
        vetoes = [v for c in found.vetoes if (v := c.veto()) is not None]
    else:   # the caller's (the app's confirmed or edited list): Veto objects or mappings of their fields
        vetoes = [v if isinstance(v, dict) else {"indicator": v.indicator, "op": v.op, "value": v.value,
                                                 "name_zh": v.name_zh, "name_en": v.name_en} for v in vetoes]
    if vetoes:
        data["vetoes"] = vetoes
    if reader.title:
        data["title"] = reader.title
    if notes:
        data["notes"] = notes


def read_table(source: Any, name: str | None = None, scheme_id: str | None = None, name_zh: str | None = None,
               name_en: str | None = None, grades: Any = None, vetoes: Any = None) -> Scheme:
    """A framework table (path, bytes or upload) -> a validated Scheme; FrameworkProblems lists what is wrong.

    Title rows above the header become the scheme's `title`, rows after the last item its `notes`; grade bands
    and 一票否决 clauses in the notes are applied (recognise_notes). `grades` (Grade objects or (label, min)
    pairs, or mappings of Grade's fields, as the app edits them) replaces the bands the notes give; `vetoes` (Veto
    objects or mappings of their fields) replaces the vetoes read from the clauses."""
    try:
        file, rows = read_rows(source, name)
    except ImportProblems as exc:
        raise FrameworkProblems(exc.problems) from None
    # inline, not _unquote: a refused 60,000-row table spent a third of its time in the calls
    rows = [(n, [c[1:] if isinstance(c, str) and c[:1] == "'" else c for c in cells]) for n, cells in rows]
    reader = _Reader(file)
    parsed = reader.parse(rows)
    if reader.problems:
        raise FrameworkProblems(reader.problems)
    _limits(reader, [(r.number, _text(r.cells.get("code")), _text(r.cells.get("parent"))) for r in parsed],
            len(parsed))
    if reader.broken_tree:
        raise FrameworkProblems(reader.problems)
    tops = _wide(reader, parsed) if reader.wide else _long(reader, parsed)
    if reader.broken_tree:   # a loop or an endless chain: every walk of the tree below would follow it
        raise FrameworkProblems(sorted(reader.problems, key=lambda p: p.row or 0))
    stem = re.sub(r"\.[^.]*$", "", file.rsplit("/", 1)[-1])
    data: dict[str, Any] = {"id": scheme_id or default_id(stem), "name_zh": name_zh or stem, "name_en": name_en or stem}
    if _weighting(reader) == "points":
        data["weighting"] = "points"
    data["dimensions"] = tops
    _notes_into(reader, data, tops, grades, vetoes)
    if reader.problems:
        raise FrameworkProblems(sorted(reader.problems, key=lambda p: p.row or 0))
    try:
        check_numbers(data, file)   # a dimension's weight is the sum of its leaves' in the wide form
        scheme = scheme_from_dict(data, file)
    except SchemeError as exc:
        raise FrameworkProblems([_locate(exc, data, parsed, reader)]) from None
    try:   # what is accepted here must load as a scheme file and from the database: the same limits, checked
        load_yaml_value(dump_yaml(scheme), file)
    except SchemeError as exc:
        raise FrameworkProblems([Problem(file, None, None, None, _said("not_loadable", field=exc.place(),
                                                                       problem=exc.said()))]) from None
    return scheme


def _locate(exc: SchemeError, data: dict, rows: list[_Row], reader: _Reader) -> Problem:
    """The row and column of a model error, from its field path (e.g. dimensions[0].indicators[2].missing)."""
    node: Any = data
    code, field = None, None
    for key, idx in re.findall(r"(\w+)(?:\[(\d+)\])?", exc.field):
        nxt = node.get(key) if isinstance(node, dict) else None
        if idx and isinstance(nxt, list) and int(idx) < len(nxt):
            nxt = nxt[int(idx)]
        if isinstance(nxt, dict) and "id" in nxt and key in ("dimensions", "indicators"):
            code, field = nxt["id"], None
        elif field is None:
            field = key   # the first field below the node: measure, missing, weight, normalisation ...
        if not isinstance(nxt, (dict, list)):
            break
        node = nxt
    column = {"id": "code", "measure": "measure", "name_zh": "name_zh", "name_en": "name_en"}.get(field, field)
    if column == "measure" and "measure" not in reader.headers:
        column = "denominator" if "denominator" in reader.headers else None
    shown = reader.headers.get(column) if column else None
    what = exc.said() if shown or not field else _said("field", field=field, problem=exc.said())
    return Problem(reader.file, reader.node_rows.get(code), shown, None,
                   _said("in_node", problem=what, node=code) if code else what)


# ---------------------------------------------------------------- out

def _header(col: str, lang: str) -> str:
    en, zh = HEADERS[col]
    return zh[0] if lang == "zh" else en[0]


def _level_name(level: int, part: str, lang: str) -> str:
    if lang == "zh":
        suffix = {"": "", "code": "代码", "name_en": "英文名称", "weight": "权重", "points": "分值"}[part]
        return f"{_NUMERALS[level - 1]}级指标{suffix}"
    return f"level {level}" + (f" {part}" if part else "")


def _num(x: float | None) -> Any:
    if x is None:
        return ""
    return int(x) if float(x).is_integer() else x


def _indicator_cells(ind: dict, lang: str) -> dict[str, Any]:
    measure = dict(ind.get("measure", {}))
    den = measure.pop("denominator", "") if measure.get("kind") == "value" else ""
    text = "" if measure == {"kind": "value"} else \
        yaml.safe_dump(measure, default_flow_style=True, allow_unicode=True, width=10 ** 9, sort_keys=False).strip()
    rationale, source = ind.get("rationale_zh", ""), ""
    if SOURCE_MARK in rationale:
        rationale, source = rationale.rsplit(SOURCE_MARK, 1)
    nm = ind.get("normalisation")
    norm = ""
    if nm:
        norm = nm.get("method", "minmax")
        if norm == "target":
            norm += f" {nm['target']:g}"
        elif norm == "goalposts":
            norm += f" {nm['low']:g} {nm['high']:g}"
    direction = ind.get("direction", "higher")
    if lang == "zh":
        direction = {"higher": "正向", "lower": "负向"}[direction]
    scoring = ind.get("scoring")
    rule = "" if not scoring else \
        yaml.safe_dump(scoring, default_flow_style=True, allow_unicode=True, width=10 ** 9, sort_keys=False).strip()
    return {"scoring": rule, "direction": direction, "denominator": den, "missing": ind.get("missing", "median"),
            "normalisation": norm, "camp": ind["camp"], "measure": text, "unit": ind.get("unit", ""),
            "serves": ", ".join(ind.get("serves", [])), "rationale_zh": rationale, "source": source,
            "rationale_en": ind.get("rationale_en", "")}


_INDICATOR_COLS = ("direction", "denominator", "missing", "normalisation", "camp", "measure", "unit", "serves",
                   "rationale_zh", "source", "rationale_en")


def table_rows(scheme: Scheme, shape: str = "long", lang: str = "zh") -> list[list[Any]]:
    """The framework table of a scheme as rows of cells, header first."""
    if shape not in SHAPES:
        raise InputError(f"shape: expected one of {', '.join(SHAPES)}, got {shape!r}")
    data = scheme_to_dict(scheme)
    wcol = "points" if scheme.weighting == "points" else "weight"
    # a points table carries each item's rule (计分规则); a weights table has none to carry
    icols = ("scoring", *_INDICATOR_COLS) if wcol == "points" else _INDICATOR_COLS

    def height(d: dict) -> int:
        return 1 + max([1] + [height(s) for s in d.get("dimensions", [])])

    if shape == "long":
        cols = ["code", "name_zh", "name_en", "level", "parent", wcol, *icols]
        out = [[_header(c, lang) for c in cols]]

        # 层级 counts as Chinese readers count, from the top (一级指标 = 1); `level` as COINr does, from the
        # indicators (1 = indicator). The reader tells the two apart by the parent links.
        def walk(d: dict, parent: str, depth: int):
            cells = {"code": d["id"], "name_zh": d["name_zh"], "name_en": d["name_en"],
                     "level": depth if lang == "zh" else height(d), "parent": parent, wcol: _num(d.get(wcol))}
            out.append([cells.get(c, "") for c in cols])
            for i in d.get("indicators", []):
                cells = {"code": i["id"], "name_zh": i["name_zh"], "name_en": i["name_en"],
                         "level": depth + 1 if lang == "zh" else 1,
                         "parent": d["id"], wcol: _num(i.get(wcol)), **_indicator_cells(i, lang)}
                out.append([cells.get(c, "") for c in cols])
            for s in d.get("dimensions", []):
                walk(s, d["id"], depth + 1)
        for d in data["dimensions"]:
            walk(d, "", 1)
        return out

    depth = max(height(d) for d in data["dimensions"])   # dimension levels + the indicator level
    parts = ("", "code", "name_en", wcol)
    level_cols = [(lv, p) for lv in range(1, depth + 1) for p in (parts if lv < depth else ("",))]
    cols = ["code", "name_en", wcol, *icols]
    out = [[_level_name(lv, p, lang) for lv, p in level_cols] + [_header(c, lang) for c in cols]]

    def walk(d: dict, path: list[dict]):
        path = path + [d]
        for i in d.get("indicators", []):
            cells: dict[Any, Any] = {(lv + 1, ""): x["name_zh"] for lv, x in enumerate(path)}
            for lv, x in enumerate(path):
                cells[(lv + 1, "code")], cells[(lv + 1, "name_en")] = x["id"], x["name_en"]
                cells[(lv + 1, wcol)] = _num(x.get(wcol))
            cells[(len(path) + 1, "")] = i["name_zh"]
            cells.update({"code": i["id"], "name_en": i["name_en"], wcol: _num(i.get(wcol)), **_indicator_cells(i, lang)})
            out.append([cells.get(k, "") for k in level_cols] + [cells.get(c, "") for c in cols])
        for s in d.get("dimensions", []):
            walk(s, path)
    for d in data["dimensions"]:
        walk(d, [])
    return out


def _quote(cell: Any) -> Any:
    """Text a spreadsheet would run as a formula (after any leading blanks), or text that already starts with an
    apostrophe, gets one more leading apostrophe; `_unquote` takes exactly one off, so import(export(S)) == S."""
    from indicators.outputs.export import neutralise
    if isinstance(cell, str) and (cell.startswith("'") or neutralise(cell) != cell):
        return "'" + cell
    return cell


def _unquote(cell: Any) -> Any:
    return cell[1:] if isinstance(cell, str) and cell.startswith("'") else cell


def write_table(scheme: Scheme, fmt: str = "xlsx", shape: str = "long", lang: str = "zh") -> bytes:
    """The framework table as file bytes: .xlsx, or CSV in UTF-8 with BOM (so that Excel opens it right). The
    scheme's title rows go above the header and its notes below the items, one cell a row, as they came in."""
    rows = [[_quote(c) for c in row] for row in table_rows(scheme, shape, lang)]
    rows = [[_quote(line)] for line in scheme.title.split("\n") if line.strip()] + rows + \
        [[_quote(note)] for note in scheme.notes if note.strip()]
    if fmt == "csv":   # the program's one CSV writer; a rule's lines are read back as written
        from indicators.outputs.export import csv_text
        return "\ufeff".encode("utf-8") + csv_text(rows, lines=False).encode("utf-8")
    if fmt != "xlsx":
        raise InputError(f"format: expected csv or xlsx, got {fmt!r}")
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "指标体系" if lang == "zh" else "framework"
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
