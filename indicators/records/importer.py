"""Real records in: CSV and XLSX files checked whole, then written in one transaction or not at all.

    plan = check(con, "needs", "needs.xlsx")        # parse and check everything; the database is only read
    plan = check_many(con, [("stations", "s.csv"), ("needs", "n.csv")])   # several files as one import
    if plan.ok:
        report = apply(con, plan, progress)          # every row in ONE transaction through records.writing
    else:
        for p in plan.problems: print(p)             # row as the spreadsheet shows it, header as written, value

What a file may hold (the import contract is records.TABLES):

- Encodings: UTF-8 with or without BOM; UTF-16 with BOM; GB18030 (a superset of GBK / GB2312) when the bytes are
  not UTF-8. XLSX: the first worksheet, read-only, cached values (what Excel shows) rather than formulas.
- Headers: the English column names (any case) or the Chinese headers of HEADERS_ZH (and ALIASES_ZH), with
  surrounding spaces, a '*' marker, enclosing brackets or a bracketed note ("金额（元）", "站点编号（station_id）")
  ignored. Unknown headers are an error that suggests the closest known one. The first non-empty row is the header.
- Required columns (REQUIRED): the key column(s) and station_id, plus what each table needs to make sense:
  stations need a name and the population served (every per-1,000 indicator divides by it); needs a category,
  the day raised, urgency and status; activities the day held and kind; inspections the day inspected;
  feedback the day given and channel (and each row a rating or a need_met answer); expenditures the day, category
  and amount; ratings the indicator, level and day rated. Required cells may not be empty.
- Types: whole numbers (thousands separators and an integral "3.0" allowed), decimals (a leading ¥ and trailing
  元 allowed), dates as ISO 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日 (a time after the date is ignored) or a date
  cell in Excel. Full-width digits are read as digits.
- Ranges (RANGES): counts, hours and amounts >= 0; urgency and rating 1-5; population > 0; dates 1900-2100.
- Vocabularies: records.VOCABULARIES, in English (any case, spaces for underscores) or the Chinese labels of
  LABELS_ZH (已解决 -> resolved, 个案 -> case ...). need_met also takes 是/否.
- Consistency: needs.resolved_on is required when status is resolved and must be empty otherwise, and is never
  before raised_on. References (REFERENCES: station, need, activity, resident) must exist in the database or in
  the same import. A key may appear once in an import. A key already in the database with identical content in
  the columns the file has is skipped (re-importing a file adds nothing); with different content it is an error
  for that row: records are never silently overwritten. An empty cell counts as content (NULL).
- XLSX cells are read as Excel last computed them: a formula cell counts as its cached value (a formula that was
  never computed, e.g. written by a script, reads as empty).
- Text: ids, codes and numbers are trimmed; free text (names, titles, comments, evidence) is stored exactly as
  written, formula- or SQL-looking text included (exports neutralise it). Control characters are refused.
- indicator_values: the key is (station_id, indicator_id, period_start, period_end, rater); a file without a rater
  column (评估方, 评分人) is one source, rater ''. Score sheets (得分表, one column an item) are read by
  records/score_sheet.py, not here.
- Limits: MAX_BYTES per file, MAX_ROWS data rows, MAX_LISTED problems listed then "and N more". An XLSX is measured
  first by records/xlsx_guard.py (rows, columns, cells, shared strings, XML) and refused before openpyxl reads it.

Pseudonyms: resident ids (residents, attendance, feedback) are replaced on import by "R" + the first 12 hex digits
of sha256(salt + id), the salt made once per database and kept in meta ('resident_salt'). The same raw id always
maps to the same pseudonym in that database, so re-imports dedupe and no raw id is stored. Kept as they are:
ids that already have the pseudonym form (R + 12 lower-case hex digits), and, in a demo database only
(meta kind = 'demo'), the demo generator's R + 6 to 9 digits (R000123).
"""
from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import math
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import duckdb
import pyarrow as pa

from indicators.text_safety import control
from indicators.errors import InputError, Word
from indicators.records import vocabulary, xlsx_guard
from indicators.records.store import (ADDED_COLUMNS, LOAD_ORDER, TABLES, VOCABULARIES, create_schema, get_meta,
                                      has_column, writing)

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_LISTED = 200
MAX_KEPT = 20_000                 # problems kept in memory (the rest are only counted)
MAX_UNZIPPED = xlsx_guard.MAX_UNZIPPED   # an XLSX's limits (zip bombs, rows, columns ...) are there
MAX_COLUMNS = 200
CHUNK_ROWS = 20_000
ID_MAX, SHORT_MAX, TEXT_MAX = 100, 500, 10_000
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2100, 12, 31)
INT32 = 2_147_483_647
DOUBLE_MAX = 1e12

SALT_KEY = "resident_salt"
PSEUDONYM = re.compile(r"R[0-9a-f]{12}")
DEMO_RESIDENT = re.compile(r"R[0-9]{6,9}")
RESIDENT_COLUMNS = {("residents", "resident_id"), ("attendance", "resident_id"), ("feedback", "resident_id")}

KEYS: dict[str, tuple[str, ...]] = {t: (next(iter(cols)),) for t, cols in TABLES.items()}
KEYS["attendance"] = ("activity_id", "resident_id")
KEYS["indicator_values"] = ("station_id", "indicator_id", "period_start", "period_end", "rater")
# Key columns a file may leave out: every row then takes this value ('' = a single source, no rater named).
KEY_DEFAULTS: dict[tuple[str, str], str] = {("indicator_values", "rater"): ""}

REQUIRED: dict[str, tuple[str, ...]] = {
    "stations": ("station_id", "name", "population"),
    "residents": ("resident_id", "station_id"),
    "needs": ("need_id", "station_id", "category", "raised_on", "urgency", "status"),
    "activities": ("activity_id", "station_id", "held_on", "kind"),
    "attendance": ("activity_id", "resident_id"),
    "inspections": ("inspection_id", "station_id", "inspected_on"),
    "feedback": ("feedback_id", "station_id", "given_on", "channel"),
    "expenditures": ("expense_id", "station_id", "spent_on", "category", "amount"),
    "ratings": ("rating_id", "station_id", "indicator_id", "level", "rated_on"),
    "indicator_values": ("station_id", "indicator_id", "period_start", "period_end", "value"),
}

# (table, column) -> the table whose key it names
REFERENCES: dict[tuple[str, str], str] = {
    **{(t, "station_id"): "stations" for t in TABLES if t != "stations"},
    ("activities", "need_id"): "needs",
    ("attendance", "activity_id"): "activities",
    ("attendance", "resident_id"): "residents",
    ("feedback", "resident_id"): "residents",
    ("feedback", "activity_id"): "activities",
    ("feedback", "need_id"): "needs",
    ("expenditures", "need_id"): "needs",
}

# (low, high) inclusive; None = open
RANGES: dict[tuple[str, str], tuple[float | None, float | None]] = {
    ("stations", "population"): (1, None),
    ("needs", "urgency"): (1, 5),
    ("needs", "households_affected"): (0, None),
    ("activities", "photos"): (0, None),
    ("activities", "media_items"): (0, None),
    ("activities", "headcount"): (0, None),
    ("activities", "cost"): (0, None),
    ("activities", "staff_hours"): (0, None),
    ("inspections", "prep_hours"): (0, None),
    ("feedback", "rating"): (1, 5),
    ("expenditures", "amount"): (0, None),
}

ID_COLUMNS = {"station_id", "resident_id", "need_id", "activity_id", "inspection_id", "feedback_id", "expense_id",
              "rating_id", "indicator_id"}
FREE_TEXT = {"name", "name_en", "title", "comment", "evidence", "note"}   # kept exactly as written
MULTILINE = {"comment", "evidence", "note"}   # may run over lines; a name or title may not

# Chinese headers: the first is the template's; the rest are accepted too.
HEADERS_ZH: dict[str, tuple[str, ...]] = {
    "station_id": ("站点编号", "站点ID", "社工站编号"),
    "name": ("站点名称", "名称", "社工站名称"),
    "name_en": ("英文名称", "站点英文名称"),
    "district": ("所属区县", "区县", "所属区", "区"),
    "street": ("街道", "所属街道", "街道（乡镇）"),
    "population": ("服务人口", "人口", "服务居民数"),
    "profile": ("站点类型", "类型"),
    "resident_id": ("居民编号", "居民ID", "服务对象编号"),
    "age_band": ("年龄段", "年龄组"),
    "priority_group": ("重点人群", "人群类别"),
    "need_id": ("需求编号", "需求ID", "对应需求编号"),
    "source": ("需求来源", "来源"),
    "raised_on": ("提出日期", "需求提出日期"),
    "urgency": ("紧急程度", "紧急度"),
    "households_affected": ("涉及户数", "受影响户数"),
    "status": ("处理状态", "状态"),
    "resolved_on": ("解决日期",),
    "activity_id": ("活动编号", "活动ID"),
    "held_on": ("活动日期", "举办日期"),
    "kind": ("活动类型", "服务类型"),
    "photos": ("照片数", "照片数量"),
    "media_items": ("媒体报道数", "宣传报道数"),
    "headcount": ("参与人数", "上报人数", "人数"),
    "cost": ("活动费用", "费用"),
    "staff_hours": ("社工工时", "工时"),
    "inspection_id": ("检查编号", "检查ID"),
    "inspected_on": ("检查日期",),
    "prep_hours": ("迎检准备工时", "准备工时"),
    "feedback_id": ("反馈编号", "反馈ID"),
    "given_on": ("反馈日期",),
    "channel": ("反馈渠道", "渠道"),
    "rating": ("评分", "满意度评分"),
    "need_met": ("需求是否满足", "是否满足需求"),
    "comment": ("意见", "评价意见", "备注"),
    "expense_id": ("支出编号", "支出ID"),
    "spent_on": ("支出日期",),
    "amount": ("金额", "支出金额"),
    "rating_id": ("评定编号", "评估编号"),
    "indicator_id": ("指标编号", "指标ID"),
    "rater": ("评估方", "评估机构", "评分人", "评估人"),
    "rated_on": ("评定日期", "评估日期"),
    "evidence": ("评定依据", "依据", "佐证"),
    "period_start": ("起始日期", "开始日期", "期间开始", "统计起始日期"),
    "period_end": ("结束日期", "截止日期", "期间结束", "统计截止日期"),
    "value": ("数值", "指标值", "值"),
    "note": ("备注", "说明"),
}
# Columns whose Chinese header depends on the table.
HEADERS_ZH_BY_TABLE: dict[tuple[str, str], tuple[str, ...]] = {
    ("needs", "category"): ("需求类别", "类别"),
    ("needs", "title"): ("需求名称", "需求内容", "标题"),
    ("activities", "title"): ("活动名称", "标题"),
    ("activities", "need_id"): ("对应需求编号", "需求编号"),
    ("inspections", "level"): ("检查级别", "级别"),
    ("expenditures", "category"): ("支出类别", "类别"),
    ("ratings", "level"): ("评定等级", "等级"),
    ("indicator_values", "source"): ("数据来源", "来源"),
    ("ratings", "rater_count"): ("评估人数",),
    ("ratings", "alpha"): ("评分者一致性", "一致性系数"),
    ("ratings", "on_site"): ("现场核实人数",),
}

# Chinese labels and synonyms of the closed vocabularies: label -> stored value (records/vocabulary.py).
LABELS_ZH: dict[tuple[str, str], dict[str, str]] = {key: vocabulary.accepted(*key) for key in vocabulary.WORDS}


def _said(code: str, **params) -> Word:
    """An import problem by its code in the word tables (indicators/i18n/import_errors.py) and its parameters."""
    return Word(f"err.import.{code}", **params)


class ImportProblems(InputError):
    """The file(s) cannot be imported; `problems` lists them (at most MAX_LISTED), `total` counts them all.
    Nothing was written."""

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.problems = list(problems)
        self.total = len(self.problems) if total is None else total
        super().__init__(self.render("en"))

    def render(self, lang: str) -> str:
        """Every listed problem on a line of its own, in `lang`."""
        files = ", ".join(dict.fromkeys(p.file for p in self.problems)) or _said("the_import")
        listed = self.problems[:MAX_LISTED]
        head = _said("problems_one" if self.total == 1 else "problems", files=files, n=self.total)
        lines = [head.render(lang)] + [f"  {p.line(lang)}" for p in listed]
        if self.total > len(listed):
            lines.append("  " + _said("more", n=f"{self.total - len(listed):,}").render(lang))
        return "\n".join(lines)


@dataclass(frozen=True)
class Problem:
    """One thing wrong: the file, the row as the spreadsheet numbers it (header = 1), the header as written,
    the bad value as written, and what was expected."""
    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    code: str | None = None          # a key of the word tables under "err." with its params, for render(lang)
    params: tuple = ()

    def __post_init__(self):
        if isinstance(self.message, Word):   # words of the tables: the English is the message
            object.__setattr__(self, "code", self.message.key.removeprefix("err."))
            object.__setattr__(self, "params", tuple(self.message.params.items()))
            object.__setattr__(self, "message", str(self.message))

    def render(self, lang: str) -> str:
        """What is wrong, in `lang` when the problem has a code, else as written."""
        if self.code is None:
            return self.message
        return Word(f"err.{self.code}", **dict(self.params)).render(lang)

    def line(self, lang: str) -> str:
        """File, row, column, value and what is wrong, in `lang`."""
        where = [self.file]
        if self.row is not None:
            where.append(_said("at.row", row=self.row).render(lang))
        if self.column is not None:
            where.append(_said("at.column", column=self.column).render(lang))
        if self.value is not None:
            where.append(_said("at.value", value=_show(self.value)).render(lang) if self.value != ""
                         else _said("at.empty").render(lang))
        sep, colon = ("，", "：") if lang == "zh" else (", ", ": ")
        return f"{sep.join(where)}{colon}{self.render(lang)}"

    def __str__(self) -> str:
        return self.line("en")


def _show(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    shown = repr(text)
    return '"' + shown[1:-1] + '"' if shown.startswith("'") else shown


@dataclass
class TablePart:
    """One file's rows for one table, checked: `rows` is what will be inserted (skipped rows left out)."""
    table: str
    file: str
    columns: list[str]
    rows: pa.Table | None
    read: int = 0
    skipped: int = 0

    @property
    def inserting(self) -> int:
        return 0 if self.rows is None else self.rows.num_rows


@dataclass
class ImportPlan:
    parts: list[TablePart]
    problems: list[Problem]
    problem_total: int
    salt: str
    new_salt: bool

    @property
    def ok(self) -> bool:
        return self.problem_total == 0

    @property
    def inserting(self) -> int:
        return sum(p.inserting for p in self.parts)

    @property
    def skipped(self) -> int:
        return sum(p.skipped for p in self.parts)

    def error(self) -> ImportProblems:
        return ImportProblems(self.problems, self.problem_total)


@dataclass(frozen=True)
class ImportReport:
    inserted: int
    skipped: int
    errors: list[Problem] = field(default_factory=list)
    error_total: int = 0
    by_table: dict[str, tuple[int, int]] = field(default_factory=dict)   # table -> (inserted, skipped)

    @property
    def ok(self) -> bool:
        return self.error_total == 0


class _Problems:
    """Collects problems, keeping the first MAX_KEPT and counting the rest."""

    def __init__(self):
        self.kept: list[Problem] = []
        self.total = 0

    def add(self, file, row, column, value, message, code=None, params=()):
        self.total += 1
        if len(self.kept) < MAX_KEPT:
            self.kept.append(Problem(file, row, column, None if value is None else _cell_text(value), message,
                                     code, params))

    def sorted(self) -> list[Problem]:
        files = list(dict.fromkeys(p.file for p in self.kept))
        return sorted(self.kept, key=lambda p: (files.index(p.file), p.row or 0))[:MAX_LISTED]


def _plain(value: Any) -> str | Word:
    """A stored value for a message: numbers and dates as they are, text quoted, NULL as (empty)."""
    if value is None:
        return _said("empty_value")
    if isinstance(value, str):
        return _show(value, 30)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


# ---------------------------------------------------------------- headers and templates

def chinese_header(table: str, column: str) -> str:
    names = HEADERS_ZH_BY_TABLE.get((table, column)) or HEADERS_ZH.get(column) or (column,)
    return names[0]


def _header_names(table: str) -> dict[str, str]:
    """Every accepted spelling (normalised) -> column."""
    out: dict[str, str] = {}
    for col in TABLES[table]:
        for name in (*HEADERS_ZH_BY_TABLE.get((table, col), ()), *HEADERS_ZH.get(col, ())):
            out.setdefault(_squash(name), col)
        out[_squash(col)] = col
    return out


def _squash(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s\-]+", "_", t)


_BRACKETS = "([【〔<"
_CLOSING = ")]】〕>"


def _header_candidates(raw: Any) -> list[str]:
    s = unicodedata.normalize("NFKC", "" if raw is None else str(raw)).replace("\ufeff", "").strip().strip("*").strip()
    out = [s]
    m = re.fullmatch(rf"[{re.escape(_BRACKETS)}]\s*(.*?)\s*[{re.escape(_CLOSING)}]", s)
    if m:
        out.append(m.group(1).strip("*").strip())
    m = re.fullmatch(rf"(.+?)\s*[{re.escape(_BRACKETS)}](.*?)[{re.escape(_CLOSING)}]", s)
    if m:   # "站点编号（station_id）" or "金额（元）": the note may be the English name, else the part before it
        out += [m.group(2).strip(), m.group(1).strip("*").strip()]
    m = re.fullmatch(r"(\S+)\s+([A-Za-z_]+)", s)
    if m:   # "站点编号 station_id"
        out += [m.group(2), m.group(1)]
    return out


def _map_header(table: str, raw: Any) -> str | None:
    names = _header_names(table)
    for cand in _header_candidates(raw):
        col = names.get(_squash(cand))
        if col:
            return col
    return None


def _table(table: str) -> Word:
    """A table's name in a message: as stored in English, its label in Chinese."""
    return _said(f"table.{table}")


def _suggest(table: str, raw: Any) -> tuple[Word, str | None]:
    """(message, the column it probably meant)."""
    names = _header_names(table)
    cand = _squash(_header_candidates(raw)[0])
    close = difflib.get_close_matches(cand, list(names), n=1, cutoff=0.5)
    known = ", ".join(f"{c} ({chinese_header(table, c)})" for c in TABLES[table])
    if close:
        col = names[close[0]]
        return _said("unknown_column_hint", table=_table(table), header=chinese_header(table, col), column=col,
                     known=known), col
    return _said("unknown_column", table=_table(table), known=known), None


def template(table: str, lang: str = "zh") -> bytes:
    """The CSV template of a table: the header row in zh, en or both, UTF-8 with BOM so that Excel opens it right."""
    if table not in TABLES:
        raise ImportProblems([Problem("(template)", None, None, table, _said("not_table", tables=", ".join(TABLES)))])
    if lang not in ("zh", "en", "both"):
        raise ImportProblems([Problem("(template)", None, None, lang, _said("template_lang"))])
    heads = []
    for col in TABLES[table]:
        zh = chinese_header(table, col)
        heads.append(col if lang == "en" else zh if lang == "zh" else f"{zh}（{col}）")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(heads)
    return codecs.BOM_UTF8 + buf.getvalue().encode("utf-8")


# ---------------------------------------------------------------- reading bytes into rows of cells

class _FileProblem(Exception):
    def __init__(self, message: Word, row: int | None = None):
        self.message, self.row = message, row


def _read_source(source: Any, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = name or "(upload)"
    elif isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise _FileProblem(_said("file_mb", mb=f"{size / 1e6:,.1f}", limit=MAX_BYTES // 2**20))
            data = path.read_bytes()
        except OSError as exc:
            raise _FileProblem(_said("unreadable", detail=exc.strerror or exc)) from None
    elif hasattr(source, "getvalue") or hasattr(source, "read"):
        name = name or getattr(source, "name", None) or "(upload)"
        data = source.getvalue() if hasattr(source, "getvalue") else source.read(MAX_BYTES + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    else:
        raise TypeError(f"cannot import from a {type(source).__name__}")
    if len(data) > MAX_BYTES:
        raise _FileProblem(_said("more_than_mb", limit=MAX_BYTES // 2**20))
    return data, str(name)


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _FileProblem(_said("utf16", detail=f"byte {exc.start}")) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8:
        _refuse_mixed(data)
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as gb:
            at = max(utf8.start, gb.start)   # where the longer of the two readings broke
            line = data[:at].count(b"\n") + 1
            raise _FileProblem(_said("encoding", line=line, detail=f"byte {at:,} is 0x{data[at]:02x}")) from None


def _refuse_mixed(data: bytes) -> None:
    """GB18030 reads almost any bytes, so a UTF-8 file with one GBK line (or the reverse) would import as mojibake.
    Line by line: a non-ASCII line that is not valid UTF-8 is GBK; one that is valid UTF-8 and reads as text
    (`_reads_as_utf8`) is UTF-8; any other valid UTF-8 line is left out, since a few GBK characters can be valid
    UTF-8 by chance. A file with rows of both kinds is mixed: refused at the first row of the smaller kind, the
    UTF-8 rows winning a tie. Rows are CSV records, numbered as every other import problem numbers them."""
    lines = data.splitlines(keepends=True)   # the line breaks csv counts; GBK and UTF-8 bytes hold none inside
    utf8, other = [], []
    for n, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(n)
        else:
            if _reads_as_utf8(text):
                utf8.append(n)
    if not (utf8 and other):
        return
    not_utf8 = set(other)
    text = "".join(line.decode("gb18030" if n in not_utf8 else "utf-8", errors="replace")
                   for n, line in enumerate(lines))
    row_of = _rows_of_lines(text, len(lines))
    utf8_rows, other_rows = sorted({row_of[n] for n in utf8}), sorted({row_of[n] for n in other})
    code, odd, n = (("mixed.not_utf8", other_rows, utf8_rows) if len(utf8_rows) >= len(other_rows)
                    else ("mixed.utf8", utf8_rows, other_rows))
    rows = ", ".join(f"{r:,}" for r in odd[:5]) + (", …" if len(odd) > 5 else "")
    raise _FileProblem(_said("mixed", why=_said(code, rows=rows, n=f"{len(n):,}")), odd[0])


def _reads_as_utf8(text: str) -> bool:
    """True if a line's UTF-8 reading is text that GBK bytes seldom turn into: a character from U+0800 up (Chinese,
    a dash, №, full-width forms, emoji, a BOM), a Latin letter, mark or sign touching an ASCII letter ("Café",
    "Müller", "25°C"), or three letters of one script in a row ("Москва"). GBK text is valid UTF-8 only through
    2-byte pairs, one Chinese character each, read as one character from U+0080 to U+07FF of a script picked by
    the byte (Latin, IPA, Greek, Cyrillic, Hebrew, Arabic ...): alone between separators it says nothing (省 in
    GBK is the UTF-8 of ʡ)."""
    run, script = 0, None
    for i, ch in enumerate(text):
        if ch.isascii():
            run = 0
            continue
        if ord(ch) >= 0x800:
            return True
        name = unicodedata.name(ch, "").split(" ", 1)[0] if ch.isalpha() else None
        latin = name == "LATIN" or name is None and (ord(ch) < 0x100 or 0x300 <= ord(ch) < 0x370)
        if latin and any(nb.isascii() and nb.isalpha() for nb in (text[i - 1:i], text[i + 1:i + 2])):
            return True
        run = run + 1 if name is not None and name == script else 1 if name else 0
        script = name
        if run >= 3:
            return True
    return False


def _rows_of_lines(text: str, lines: int) -> list[int]:
    """For each line of `text`, the CSV record it belongs to (header = row 1): a quoted cell may hold line
    breaks. Lines past a CSV error count on from the record that broke, one row a line."""
    reader = _csv_reader(text)
    row_of: list[int] = []
    try:
        for row, _ in enumerate(reader, start=1):
            row_of += [row] * (reader.line_num - len(row_of))
    except csv.Error:
        pass
    after = (row_of[-1] if row_of else 0) + 1
    return row_of + list(range(after, after + lines - len(row_of)))


def _csv_reader(text: str):
    """csv.reader over decoded text, the delimiter (comma, tab or semicolon) the one the first line uses most."""
    first = text.split("\n", 1)[0]
    delim = max((",", "\t", ";"), key=lambda d: (first.count(d), d == ","))
    return csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    reader = _csv_reader(_decode(data))
    row_no = 0
    try:
        for cells in reader:
            row_no += 1
            yield row_no, cells
    except csv.Error as exc:
        raise _FileProblem(_said("bad_csv", line=reader.line_num, detail=exc), row_no + 1) from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        xlsx_guard.check(data)   # sizes, rows, columns, cells and shared strings measured before openpyxl reads
    except xlsx_guard.Refused as exc:
        raise _FileProblem(exc.word, exc.row) from None
    import openpyxl
    import warnings
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:   # a damaged workbook can fail anywhere inside openpyxl; it is the file's fault
        raise _FileProblem(_said("bad_xlsx", detail=f"{type(exc).__name__}: {_show(str(exc), 120)}")) from None
    try:
        if not wb.worksheets:
            raise _FileProblem(_said("no_sheet"))
        ws = wb.worksheets[0]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()   # the stored dimensions may be wrong: read every row there is
            # each row as wide as its rightmost cell, never padded to a dimension or past MAX_COLUMNS
            ws._get_row = lambda cells, *_, **__: xlsx_guard.row_values(cells)
        row_no = 0
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for row_no, cells in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
                    if row_no > xlsx_guard.MAX_ROWS:   # the scan counted them; a sheet it misread stops here
                        raise xlsx_guard.Refused(Word("err.import.xlsx.rows", limit=f"{xlsx_guard.MAX_ROWS:,}",
                                                      csv=f"{MAX_ROWS:,}"), row_no)
                    yield row_no, list(cells)
        except _FileProblem:
            raise
        except xlsx_guard.Refused as exc:
            raise _FileProblem(exc.word, exc.row or row_no + 1) from None
        except Exception as exc:   # damaged sheet XML, bad shared strings, bad dates ...
            raise _FileProblem(_said("damaged_sheet", row=row_no + 1,
                                     detail=f"{type(exc).__name__}: {_show(str(exc), 120)}"), row_no + 1) from None
    finally:
        wb.close()


def _rows(data: bytes, name: str) -> Iterator[tuple[int, list[Any]]]:
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_rows(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise _FileProblem(_said("xls"))
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise _FileProblem(_said("not_xlsx"))
    return _csv_rows(data)


def read_rows(source: Any, name: str | None = None) -> tuple[str, list[tuple[int, list[Any]]]]:
    """(file name, [(row number as the spreadsheet shows it, cells)]) of a CSV (UTF-8, BOM, UTF-16, GBK) or the
    first sheet of an XLSX, for readers of other tables than the ledgers; an unreadable file raises ImportProblems."""
    try:
        data, file_name = _read_source(source, name)
    except _FileProblem as exc:
        raise ImportProblems([Problem(name or str(source), exc.row, None, None, exc.message)]) from None
    rows = None
    try:
        rows = _rows(data, file_name)
        return file_name, list(rows)
    except _FileProblem as exc:
        raise ImportProblems([Problem(file_name, exc.row, None, None, exc.message)]) from None
    finally:
        if rows is not None:
            rows.close()


# ---------------------------------------------------------------- cell conversion

_INT = re.compile(r"[+-]?\d+(?:\.0*)?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_DEC = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?")
_DATES = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
)
_TIME_PART = re.compile(r"(.*?)(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")   # a time after the date is ignored


class _Bad(Exception):
    def __init__(self, message: str, code: str | None = None, **params):
        self.message, self.code, self.params = message, code, tuple(params.items())


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Bad("expected text or a number, not an infinite or missing number", "import.not_finite")
        if value.is_integer() and abs(value) < 2 ** 53:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, (date, time, timedelta)):
        return str(value)
    return str(value)


def _check_text(text: str, limit: int, breaks: bool = False) -> str:
    """Refuses control characters at the door (C0, C1, bidi overrides; line breaks and tabs too, except in free
    text), so a name can never start a new CSV row or flip a line on screen later."""
    if control(text, allow_breaks=breaks):
        raise _Bad("contains a control character; remove it", "import.control_char")
    if len(text) > limit:
        raise _Bad(f"is {len(text):,} characters long; at most {limit:,} are allowed", "import.too_long",
                   n=f"{len(text):,}", limit=f"{limit:,}")
    return text


def _conv_id(value: Any) -> str:
    if isinstance(value, float) and not (value.is_integer() and abs(value) < 2 ** 53):
        raise _Bad("expected an identifier; Excel turned it into a rounded number: format the column as text",
                   "import.rounded_id")
    return _check_text(unicodedata.normalize("NFKC", _as_text(value)).strip(), ID_MAX)


def _conv_short(value: Any) -> str:
    return _check_text(_as_text(value).strip(), SHORT_MAX)


def _conv_text(value: Any) -> str:
    return _check_text(_as_text(value), TEXT_MAX, breaks=True)


def _conv_line(value: Any) -> str:
    """A name or title, kept as written: Excel's in-cell line break (LF, Alt+Enter) may stand in it, but no carriage
    return, tab or other control character (a CR in a name is how a CSV row was once split)."""
    text = _as_text(value)
    _check_text(text.replace("\n", " "), TEXT_MAX)
    return text


def _range_text(lo, hi, whole: bool) -> Word:
    """What a number cell expects, as words put in the reader's language where shown (str(): English)."""
    kind = Word("err.import.kind.whole" if whole else "err.import.kind.number")
    if lo is not None and hi is not None:
        return Word("err.import.range.between", kind=kind, lo=f"{lo:g}", hi=f"{hi:g}")
    if lo is not None:
        return Word("err.import.range.at_least", kind=kind, lo=f"{lo:g}") if lo else \
            Word("err.import.range.zero_or_more", kind=kind)
    return kind


def _number_text(value: Any) -> str:
    t = unicodedata.normalize("NFKC", str(value)).strip()
    t = t.removeprefix("¥").removesuffix("元").strip()
    if _THOUSANDS.fullmatch(t):
        t = t.replace(",", "")
    return t


def _make_int(lo, hi):
    lo_b = -INT32 if lo is None else lo
    hi_b = INT32 if hi is None else hi
    expect = _range_text(lo, hi, True)

    def conv(value: Any) -> int:
        if isinstance(value, bool):
            raise _Bad(f"expected {expect}, not TRUE/FALSE", "import.not_bool", expect=expect)
        if isinstance(value, int):
            n = value
        elif isinstance(value, float):
            if not (math.isfinite(value) and value.is_integer()):
                raise _Bad(f"expected {expect}", "import.expected", expect=expect)
            n = int(value)
        elif isinstance(value, (date, time, timedelta)):
            raise _Bad(f"expected {expect}, not a date or time", "import.not_date", expect=expect)
        else:
            t = _number_text(value)
            if len(t) > 30 or not _INT.fullmatch(t):
                raise _Bad(f"expected {expect}", "import.expected", expect=expect)
            n = int(t.split(".")[0])
        if not lo_b <= n <= hi_b:
            raise _Bad(f"expected {expect}" + ("" if lo is not None and hi is not None else
                                               f" and at most {hi_b:,}" if n > hi_b else ""),
                       "import.expected_at_most" if (lo is None or hi is None) and n > hi_b else "import.expected",
                       expect=expect, hi=f"{hi_b:,}")
        return n
    return conv


def _make_float(lo, hi):
    lo_b = -DOUBLE_MAX if lo is None else lo
    hi_b = DOUBLE_MAX if hi is None else hi
    expect = _range_text(lo, hi, False)

    def conv(value: Any) -> float:
        if isinstance(value, bool):
            raise _Bad(f"expected {expect}, not TRUE/FALSE", "import.not_bool", expect=expect)
        if isinstance(value, (int, float)):
            x = float(value)
        elif isinstance(value, (date, time, timedelta)):
            raise _Bad(f"expected {expect}, not a date or time", "import.not_date", expect=expect)
        else:
            t = _number_text(value)
            if len(t) > 40 or not _DEC.fullmatch(t):
                raise _Bad(f"expected {expect}", "import.expected", expect=expect)
            x = float(t)
        if not math.isfinite(x) or not lo_b <= x <= hi_b:
            raise _Bad(f"expected {expect}" + (f" and at most {hi_b:,.0f}" if math.isfinite(x) and x > hi_b else ""),
                       "import.expected_at_most" if math.isfinite(x) and x > hi_b else "import.expected",
                       expect=expect, hi=f"{hi_b:,.0f}")
        return x
    return conv


_DATE_EXPECT = "expected a date like 2024-03-05, 2024/3/5 or 2024年3月5日"


class DateError(ValueError):
    """Not a date we read; `word` says so in either language."""
    def __init__(self, message: str, word: Word):
        super().__init__(message)
        self.word = word


def parse_date(value: Any) -> date:
    """A date cell or text in one of the accepted forms; raises DateError with the expected forms."""
    try:
        return _conv_date(value)
    except _Bad as exc:
        raise DateError(exc.message, Word(f"err.{exc.code}", **dict(exc.params))) from None


def _conv_date(value: Any) -> date:
    if isinstance(value, datetime):
        d = value.date()
    elif isinstance(value, date):
        d = value
    elif isinstance(value, (bool, int, float, time, timedelta)):
        raise _Bad(f"{_DATE_EXPECT}; the cell holds a number: format it as a date", "import.date_number")
    else:
        t = unicodedata.normalize("NFKC", str(value)).strip()
        t = _TIME_PART.fullmatch(t).group(1) if len(t) < 40 else t
        for pattern in _DATES:
            m = pattern.fullmatch(t)
            if m:
                try:
                    d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                except ValueError:
                    raise _Bad(f"is not a real day of the calendar; {_DATE_EXPECT}", "import.date_unreal") from None
                break
        else:
            raise _Bad(_DATE_EXPECT, "import.date")
    if not DATE_MIN <= d <= DATE_MAX:
        raise _Bad(f"expected a date between {DATE_MIN.year} and {DATE_MAX.year}", "import.date_range",
                   lo=DATE_MIN.year, hi=DATE_MAX.year)
    return d


def _vocab_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", unicodedata.normalize("NFKC", text).strip().lower())


def _make_vocab(table: str, column: str):
    allowed = VOCABULARIES[(table, column)]
    labels = {_vocab_key(k): v for k, v in LABELS_ZH.get((table, column), {}).items()}
    lookup = {**labels, **{_vocab_key(v): v for v in allowed}}
    if column == "age_band":   # "60-79岁", "80岁以上"
        lookup.update({_vocab_key(v.replace("+", "岁以上") if v.endswith("+") else v + "岁"): v for v in allowed})
    zh = [vocabulary.label(table, column, v, "zh") for v in allowed]
    zh = [w for w in zh if re.search(r"[^\x00-\x7f]", w)]
    shown = ", ".join(allowed) + (f" (or {', '.join(zh)})" if zh else "")

    def conv(value: Any) -> str:
        if isinstance(value, bool) and column == "need_met":
            return "yes" if value else "no"
        got = lookup.get(_vocab_key(_as_text(value)))
        if got is None:
            raise _Bad(f"expected one of {shown}", "import.vocabulary", codes=", ".join(allowed),
                       labels=", ".join(zh) or ", ".join(allowed))
        return got
    return conv


def _converter(table: str, column: str) -> Callable[[Any], Any]:
    kind = TABLES[table][column]
    lo, hi = RANGES.get((table, column), (None, None))
    if (table, column) in VOCABULARIES:
        return _make_vocab(table, column)
    if kind in ("INTEGER", "BIGINT", "SMALLINT"):
        return _make_int(lo, hi)
    if kind in ("DOUBLE", "FLOAT", "REAL") or kind.startswith("DECIMAL"):
        return _make_float(lo, hi)
    if kind == "DATE":
        return _conv_date
    if column in ID_COLUMNS:
        return _conv_id
    if column in FREE_TEXT:
        return _conv_text if column in MULTILINE else _conv_line
    return _conv_short


def _arrow_type(kind: str) -> pa.DataType:
    return {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(), "SMALLINT": pa.int16(),
            "DOUBLE": pa.float64(), "FLOAT": pa.float32(), "REAL": pa.float32(), "DATE": pa.date32()
            }.get(kind, pa.string())


# ---------------------------------------------------------------- pseudonyms

def pseudonym(salt: str, raw_id: str) -> str:
    return "R" + hashlib.sha256((salt + raw_id).encode("utf-8")).hexdigest()[:12]


class _Pseudonymiser:
    def __init__(self, salt: str, demo: bool):
        self.salt, self.demo, self.cache = salt, demo, {}

    def __call__(self, raw: str) -> str:
        out = self.cache.get(raw)
        if out is None:
            if PSEUDONYM.fullmatch(raw) or (self.demo and DEMO_RESIDENT.fullmatch(raw)):
                out = raw
            else:
                out = pseudonym(self.salt, raw)
            self.cache[raw] = out
        return out


# ---------------------------------------------------------------- checking

@dataclass
class _Parsed:
    table: str
    file: str
    columns: list[str]                 # DB columns present, in file order
    headers: dict[str, str]            # column -> header as the user wrote it
    rows: list[int] = field(default_factory=list)          # spreadsheet row of each good row
    values: list[tuple] = field(default_factory=list)      # good rows, values in `columns` order
    read: int = 0
    bad_rows: set[int] = field(default_factory=set)
    skip: set[int] = field(default_factory=set)            # indexes into values: already in the DB, identical


def _existing_tables(cur) -> set[str]:
    rows = cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()
    return {r[0] for r in rows}


def _parse(table: str, data: bytes, name: str, probs: _Problems, pseudo: _Pseudonymiser) -> _Parsed | None:
    rows = None
    try:
        rows = _rows(data, name)
        return _parse_rows(table, rows, data, name, probs, pseudo)
    except _FileProblem as exc:
        probs.add(name, exc.row, None, None, exc.message)
        return None
    finally:
        if rows is not None:
            rows.close()   # an XLSX reader left early still closes its workbook


def _parse_rows(table: str, rows: Iterator[tuple[int, list[Any]]], data: bytes, name: str, probs: _Problems,
                pseudo: _Pseudonymiser) -> _Parsed | None:
    header_row, header = None, None
    for row_no, cells in rows:
        if any(not _is_empty(c) for c in cells):
            header_row, header = row_no, cells
            break
    if header is None:
        probs.add(name, None, None, None, _said("empty"))
        return None
    if len(header) > MAX_COLUMNS and any(not _is_empty(c) for c in header[MAX_COLUMNS:]):
        probs.add(name, header_row, None, None, _said("too_many_columns", limit=MAX_COLUMNS))
        return None
    cols: dict[int, str] = {}
    headers: dict[str, str] = {}
    blank_headers: list[int] = []
    bad_header = False
    suggested: set[str | None] = set()
    for i, raw in enumerate(header):
        if _is_empty(raw):
            blank_headers.append(i)
            continue
        shown = _as_text(raw).strip()
        col = _map_header(table, raw)
        if col is None:
            message, meant = _suggest(table, raw)
            probs.add(name, header_row, shown, None, message)
            suggested.add(meant)
            bad_header = True
        elif col in headers:
            probs.add(name, header_row, shown, None, _said("same_column", column=col, before=headers[col]))
            bad_header = True
        else:
            cols[i], headers[col] = col, shown
    missing = [c for c in REQUIRED.get(table, KEYS[table]) if c not in headers and c not in suggested]
    if missing:
        probs.add(name, header_row, None, None, _said("missing_columns" if len(missing) > 1 else "missing_column",
                                                      columns=", ".join(f'"{chinese_header(table, c)}" ({c})'
                                                                        for c in missing)))
        bad_header = True
    order = [cols[i] for i in sorted(cols)]
    defaults = {c: v for (tb, c), v in KEY_DEFAULTS.items() if tb == table}
    order += [c for c in defaults if c not in headers]   # filled in below: the key is whole on every row
    parsed = _Parsed(table, name, order, headers)
    convs = {c: _converter(table, c) for c in order}
    positions = [(i, cols[i]) for i in sorted(cols)]
    pos_of = {c: k for k, c in enumerate(order)}
    index_of = {c: i for i, c in cols.items()}
    required = [c for c in REQUIRED.get(table, ()) if c in headers]
    resident = (table, "resident_id") in RESIDENT_COLUMNS and "resident_id" in headers
    width = len(header)
    named_width = max(cols, default=-1) + 1   # a row may stop after the last named column
    is_csv = not data.startswith(b"PK\x03\x04")
    for row_no, cells in rows:
        if not any(not _is_empty(c) for c in cells):
            continue
        parsed.read += 1
        if parsed.read > MAX_ROWS:
            probs.add(name, row_no, None, None, _said("too_many_rows", limit=f"{MAX_ROWS:,}"))
            return None
        bad = False
        if is_csv and len(cells) < named_width:
            probs.add(name, row_no, None, None, _said("short_row", n=len(cells), width=named_width))
            bad = True
        for i in range(width, len(cells)):
            if not _is_empty(cells[i]):
                probs.add(name, row_no, None, cells[i], _said("beyond_header", column=i + 1, width=width))
                bad = True
                break
        for i in blank_headers:
            if i < len(cells) and not _is_empty(cells[i]):
                probs.add(name, row_no, f"({i + 1})", cells[i], _said("no_header"))
                bad = True
        out: list[Any] = [None] * len(order)
        for i, col in positions:
            cell = cells[i] if i < len(cells) else None
            if _is_empty(cell):
                continue
            try:
                out[pos_of[col]] = convs[col](cell)
            except _Bad as exc:
                probs.add(name, row_no, headers[col], cell, exc.message, exc.code, exc.params)
                bad = True
        for col in required:
            i = index_of[col]
            if _is_empty(cells[i] if i < len(cells) else None):
                probs.add(name, row_no, headers[col], "", _said("required"))
                bad = True
        if not bad:
            bad = _row_rules(table, out, pos_of, headers, name, row_no, probs)
        if bad:
            parsed.bad_rows.add(row_no)
            continue
        for c, v in defaults.items():
            if out[pos_of[c]] is None:
                out[pos_of[c]] = v
        if resident and out[pos_of["resident_id"]] is not None:
            out[pos_of["resident_id"]] = pseudo(out[pos_of["resident_id"]])
        parsed.rows.append(row_no)
        parsed.values.append(tuple(out))
    if parsed.read == 0 and not bad_header:
        probs.add(name, None, None, None, _said("no_rows"))
    return None if bad_header else parsed


def _row_rules(table, out, pos_of, headers, name, row_no, probs) -> bool:
    """Rules across the cells of one row. True if the row is bad."""
    def get(c):
        return out[pos_of[c]] if c in pos_of else None
    bad = False
    if table == "needs" and "status" in pos_of and get("status") is not None:
        status, resolved, raised = get("status"), get("resolved_on"), get("raised_on")
        if status == "resolved" and resolved is None:
            probs.add(name, row_no, headers.get("resolved_on", "resolved_on"), "", _said("resolved_required"))
            bad = True
        elif status != "resolved" and resolved is not None:
            probs.add(name, row_no, headers["resolved_on"], resolved.isoformat(),
                      _said("resolved_not_empty", status=status))
            bad = True
        if resolved is not None and raised is not None and resolved < raised:
            probs.add(name, row_no, headers["resolved_on"], resolved.isoformat(),
                      _said("before_raised", date=raised.isoformat()))
            bad = True
    if table == "indicator_values" and get("period_start") is not None and get("period_end") is not None \
            and get("period_end") < get("period_start"):
        probs.add(name, row_no, headers["period_end"], get("period_end").isoformat(),
                  _said("before_start", date=get("period_start").isoformat()))
        bad = True
    if table == "feedback" and get("rating") is None and get("need_met") is None:
        probs.add(name, row_no, headers.get("rating", "rating"), "", _said("feedback_needs"))
        bad = True
    return bad


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _keys_of(parsed: _Parsed, idx: int) -> tuple:
    pos = [parsed.columns.index(k) for k in KEYS[parsed.table]]
    return tuple(parsed.values[idx][p] for p in pos)


def _arrow(parsed: _Parsed, cols: list[str], indexes: Iterable[int]) -> pa.Table:
    pos = [parsed.columns.index(c) for c in cols]
    idx = list(indexes)
    arrays = [pa.array([parsed.values[i][p] for i in idx], type=_arrow_type(TABLES[parsed.table][c]))
              for c, p in zip(cols, pos)]
    return pa.Table.from_arrays(arrays, names=cols)


def _check_duplicates(parts: list[_Parsed], probs: _Problems) -> None:
    seen: dict[str, dict[tuple, tuple[str, int]]] = {}
    for p in parts:
        if not all(k in p.columns for k in KEYS[p.table]):
            continue
        table_seen = seen.setdefault(p.table, {})
        keep_rows, keep_vals = [], []
        for row, vals, i in zip(p.rows, p.values, range(len(p.values))):
            key = _keys_of(p, i)
            if key in table_seen:
                f, r = table_seen[key]
                where = _said("at.row", row=r) if f == p.file else _said("at.file_row", file=f, row=r)
                probs.add(p.file, row, p.headers[KEYS[p.table][0]], " / ".join(map(str, key)),
                          _said("repeats_key", where=where))
                p.bad_rows.add(row)
                continue
            table_seen[key] = (p.file, row)
            keep_rows.append(row)
            keep_vals.append(vals)
        p.rows, p.values = keep_rows, keep_vals


def _stored(cur, table: str, column: str) -> str:
    """SQL for a stored column of `t` (our own fixed text): an added column that the database lacks, or holds
    NULL in, reads as its default, as a file that leaves it out writes it."""
    default = ADDED_COLUMNS.get((table, column))
    if default is None:
        return f"t.{_sql_name(column)}"
    return f"coalesce(t.{_sql_name(column)}, {default})" if has_column(cur, table, column) else default


def _check_existing(cur, parts: list[_Parsed], tables: set[str], probs: _Problems) -> None:
    """Keys already in the database: identical content is skipped, different content is an error."""
    for p in parts:
        keys = list(KEYS[p.table])
        if p.table not in tables or not p.values or not all(k in p.columns for k in keys):
            continue
        cols = p.columns
        keyed = _arrow(p, keys, range(len(p.values))).append_column("_i", pa.array(range(len(p.values)), pa.int64()))
        view = "_import_keys"
        cur.register(view, keyed)
        try:
            sel = ", ".join(_stored(cur, p.table, c) for c in cols)
            on = " AND ".join(f"{_stored(cur, p.table, k)} = k.{_sql_name(k)}" for k in keys)
            found = cur.execute(f"SELECT k._i, {sel} FROM {_sql_name(p.table)} t JOIN {view} k ON {on}").fetchall()
        finally:
            cur.unregister(view)
        for i, *there in found:
            here = p.values[i]
            if tuple(there) == tuple(here):
                p.skip.add(i)
                continue
            diffs = [_said("differs", column=c, there=_plain(a), here=_plain(b))
                     for c, a, b in zip(cols, there, here) if a != b]
            probs.add(p.file, p.rows[i], p.headers[keys[0]], " / ".join(map(str, _keys_of(p, i))),
                      _said("exists_different", diffs=diffs[:3]))
            p.bad_rows.add(p.rows[i])


def _check_references(cur, parts: list[_Parsed], tables: set[str], probs: _Problems) -> None:
    in_import: dict[str, set] = {}
    for p in parts:
        if len(KEYS[p.table]) == 1 and KEYS[p.table][0] in p.columns:
            pos = p.columns.index(KEYS[p.table][0])
            in_import.setdefault(p.table, set()).update(v[pos] for v in p.values)
    for p in parts:
        for col in p.columns:
            target = REFERENCES.get((p.table, col))
            if target is None:
                continue
            pos = p.columns.index(col)
            local = in_import.get(target, set())
            wanted = {v[pos] for v in p.values if v[pos] is not None} - local
            if not wanted:
                continue
            key = KEYS[target][0]
            missing = set(wanted)
            if target in tables:
                view = "_import_refs"
                cur.register(view, pa.table({"v": pa.array(sorted(wanted), pa.string())}))
                try:
                    have = cur.execute(f"SELECT DISTINCT v FROM {view} WHERE v IN "
                                       f"(SELECT {_sql_name(key)} FROM {_sql_name(target)})").fetchall()
                finally:
                    cur.unregister(view)
                missing -= {r[0] for r in have}
            if not missing:
                continue
            n_rows = sum(1 for vals in p.values if vals[pos] in missing)
            if n_rows > 10:   # one line first that says what is going on, then the rows
                sample = ", ".join(sorted(map(str, missing))[:5]) + (", ..." if len(missing) > 5 else "")
                probs.add(p.file, None, p.headers[col], None,
                          _said("missing_refs", rows=f"{n_rows:,}", n=f"{len(missing):,}", table=_table(target),
                                sample=sample))
            for row, vals in zip(p.rows, p.values):
                if vals[pos] in missing:
                    shown = vals[pos]
                    probs.add(p.file, row, p.headers[col], shown,
                              _said("missing_ref", what=_said(f"a.{target}"), table=_table(target)))
                    p.bad_rows.add(row)


def check_many(con: duckdb.DuckDBPyConnection, sources: Iterable[tuple[str, Any] | tuple[str, Any, str | None]]
               ) -> ImportPlan:
    """Parse and check several files as ONE import (references may be met by another file of it). Only reads."""
    cur = con.cursor()
    tables = _existing_tables(cur)
    salt = get_meta(con, SALT_KEY) if "meta" in tables else None
    new_salt = salt is None
    salt = salt or secrets.token_hex(16)
    demo = ("meta" in tables) and get_meta(con, "kind") == "demo"
    pseudo = _Pseudonymiser(salt, demo)
    probs = _Problems()
    parsed: list[_Parsed] = []
    items = [(s[0], s[1], s[2] if len(s) > 2 else None) for s in sources]
    for table, source, name in items:
        if table not in TABLES:
            probs.add(name or str(source)[:60], None, None, table, _said("not_table", tables=", ".join(TABLES)))
            continue
        try:
            data, file_name = _read_source(source, name)
        except _FileProblem as exc:
            probs.add(name or str(source), None, None, None, exc.message)
            continue
        got = _parse(table, data, file_name, probs, pseudo)
        if got is not None:
            parsed.append(got)
    parsed.sort(key=lambda p: LOAD_ORDER.index(p.table))
    _check_duplicates(parsed, probs)
    _check_existing(cur, parsed, tables, probs)
    _check_references(cur, parsed, tables, probs)
    parts = []
    for p in parsed:
        keep = [i for i in range(len(p.values)) if i not in p.skip and p.rows[i] not in p.bad_rows]
        rows = _arrow(p, p.columns, keep) if probs.total == 0 else None
        parts.append(TablePart(p.table, p.file, p.columns, rows, p.read, len(p.skip)))
    return ImportPlan(parts, probs.sorted(), probs.total, salt, new_salt)


def check(con: duckdb.DuckDBPyConnection, table: str, source: Any, name: str | None = None) -> ImportPlan:
    """Parse and check one file for `table` before anything is written. The plan lists every problem found."""
    return check_many(con, [(table, source, name)])


# ---------------------------------------------------------------- writing

class StaleImport(ImportProblems):
    """The database changed between check and apply."""


def apply(con: duckdb.DuckDBPyConnection, plan: ImportPlan,
          progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Write a checked plan: every row in ONE transaction through records.writing, or nothing.

    Rows go in chunks (an Arrow table registered as a view, then INSERT ... SELECT: values are never pasted into
    SQL); `progress(done, total)` is called after each chunk. The keys are checked again inside the transaction
    so that a database changed since `check` is refused rather than given duplicates.
    """
    if not plan.ok:
        raise plan.error()
    total = plan.inserting
    done = 0
    with writing(con) as cur:
        create_schema(cur)
        current = cur.execute("SELECT value FROM meta WHERE key = ?", [SALT_KEY]).fetchall()
        if current and current[0][0] != plan.salt:
            raise StaleImport([Problem(plan.parts[0].file if plan.parts else "(import)", None, None, None,
                                       _said("stale"))])
        if not current and plan.new_salt and any(
                (p.table, "resident_id") in RESIDENT_COLUMNS and "resident_id" in p.columns for p in plan.parts):
            cur.execute("INSERT INTO meta VALUES (?, ?)", [SALT_KEY, plan.salt])
        for part in plan.parts:
            if not part.inserting:
                continue
            _refuse_changed_keys(cur, part)
            cols = ", ".join(_sql_name(c) for c in part.columns)
            sel = ", ".join(f"CAST({_sql_name(c)} AS {TABLES[part.table][c]})" for c in part.columns)
            for batch in part.rows.to_batches(max_chunksize=CHUNK_ROWS):
                cur.register("_import_chunk", pa.Table.from_batches([batch]))
                try:
                    cur.execute(f"INSERT INTO {_sql_name(part.table)} ({cols}) SELECT {sel} FROM _import_chunk")
                finally:
                    cur.unregister("_import_chunk")
                done += batch.num_rows
                if progress is not None:
                    progress(done, total)
    by_table: dict[str, tuple[int, int]] = {}
    for p in plan.parts:
        ins, sk = by_table.get(p.table, (0, 0))
        by_table[p.table] = (ins + p.inserting, sk + p.skipped)
    return ImportReport(inserted=total, skipped=plan.skipped, by_table=by_table)


def _refuse_changed_keys(cur, part: TablePart) -> None:
    keys = list(KEYS[part.table])
    cur.register("_import_keys", part.rows.select(keys))
    try:
        on = " AND ".join(f"{_stored(cur, part.table, k)} = k.{_sql_name(k)}" for k in keys)
        n = cur.execute(f"SELECT count(*) FROM {_sql_name(part.table)} t JOIN _import_keys k ON {on}").fetchall()[0][0]
    finally:
        cur.unregister("_import_keys")
    if n:
        raise StaleImport([Problem(part.file, None, None, None,
                                   _said("keys_added", n=f"{n:,}", table=_table(part.table)))])


def import_file(con: duckdb.DuckDBPyConnection, table: str, path_or_bytes: Any, name: str | None = None,
                progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Check, then write if there is no problem. With problems nothing is written and the report lists them."""
    plan = check(con, table, path_or_bytes, name)
    if not plan.ok:
        return ImportReport(0, 0, plan.problems, plan.problem_total)
    return apply(con, plan, progress)
