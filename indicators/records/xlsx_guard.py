"""XLSX limits: a workbook is measured from its zip directory and a streamed scan of its XML, and refused at the first
limit it passes, before openpyxl reads a shared string or builds a row.

    xlsx_guard.check(data)          # raises Refused(word, row) naming the real reason; returns None if within limits
    xlsx_guard.row_values(cells)    # one row of openpyxl's parsed cells as a list no wider than its last cell

openpyxl (read-only) loads the whole shared-strings table when it opens a workbook, pads every row to its last cell
and builds a row before anyone can look at it, so a 2 MB file could cost minutes and gigabytes: one cell at column
XFD on each of 200,000 rows (> 300 s), 18 million shared strings (279 s, 3.0 GB), 1,048,575 rows (192 s). The
scan reads each part in 1 MB pieces through expat, the same tokenizer openpyxl's ElementTree uses, so no spelling
of the XML (namespace prefixes, quotes, entities) shows the guard a different sheet than openpyxl reads. Memory
stays at one piece, and the scan stops at the first limit passed. It costs about 0.5 to 0.8 µs an element (a
cell is two or three), and MAX_ELEMENTS bounds the whole scan, so any refusal costs at most about 3 s of CPU.
The sheet's own `<dimension ref>` can lie either way, so it is only quoted in the message, never trusted.

What is read, and why these limits (the largest files this project makes or takes, with room to spare):
- rows: MAX_ROWS per sheet, as Excel numbers them. A district's ledgers of a year are a few tens of thousands of
  rows; a province (about 1,300 stations, benchmarks/README.md) raises about 105,000 needs, 135,000 feedback rows
  and 400,000 activities a year: those go as CSV (up to importer.MAX_ROWS), which reads ten times faster.
  openpyxl takes about 11 µs a cell: 100,000 rows of 11 columns are about 12 s of CPU.
- columns: MAX_COLUMNS. A transposed score sheet (得分表) has one column a station: the province's 1,300 with room
  for three times as many (the scaling benchmark's 3,900). Ledgers have at most importer.MAX_COLUMNS.
- cells: MAX_CELLS, blank cells inside a row counted (openpyxl makes them): 100,000 rows of 20 columns, or a
  transposed score sheet of 1,300 stations and 1,500 items.
- elements: MAX_ELEMENTS in the shared strings and the sheets scanned together, which is what the scan costs
  (3.5 million: 2.3 s of CPU): a cell is two elements (`<c><v>`, Excel's shared strings) or three (`<c><is><t>`,
  inline text as openpyxl writes it); 100,000 rows of 11 inline columns are 3.4 million.
- shared strings: MAX_STRINGS (ids and titles, a few new strings a row); a cell's text or a shared string at most
  MAX_CELL_TEXT characters (Excel's own limit), found as a run of bytes without markup.
- XML: the sheet and the shared strings at most MAX_XML_BYTES unpacked each (100,000 rows of 11 inline columns
  written by openpyxl are 45 MB); every other XML part (styles, workbook, relationships, properties: openpyxl
  parses them whole) MAX_PART_BYTES; at most MAX_OTHER elements that are not rows, cells or their parts (merged
  cells, hyperlinks, formats, anything unknown: the parser keeps them to the end), MAX_IN_CELL in one cell or
  shared string (rich-text runs). No part may hold a DTD.
The other worksheets are read by openpyxl only up to their dimension; one without a dimension before its cells is
read whole when the workbook opens, so it is scanned whole too.
"""
from __future__ import annotations

import gc
import hashlib
import io
import re
import threading
import zipfile
import zlib
from xml.parsers import expat

from indicators.errors import Word

MAX_UNZIPPED = 600 * 1024 * 1024  # the whole workbook unpacked (zip bombs)
MAX_ROWS = 100_000
MAX_COLUMNS = 4_096
MAX_CELLS = 2_000_000
MAX_STRINGS = 1_000_000
MAX_CELL_TEXT = 32_767
MAX_XML_BYTES = 256 * 1024 * 1024
MAX_PART_BYTES = 8 * 1024 * 1024
MAX_OTHER = 200_000
MAX_ELEMENTS = 3_500_000
MAX_IN_CELL = 1_000
PIECE = 1 << 20

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW, _CELL, _DIMENSION, _SI = (f"{MAIN} {tag}" for tag in ("row", "c", "dimension", "si"))
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d*)$")


class Refused(Exception):
    """The workbook passes a limit (or cannot be measured): `word` says which and how far, `row` where."""

    def __init__(self, word: Word, row: int | None = None):
        super().__init__(str(word))
        self.word, self.row = word, row


def _said(code: str, **params) -> Word:
    return Word(f"err.import.xlsx.{code}", **params)


def _n(x: int) -> str:
    return f"{x:,}"


def column_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _column(ref: str) -> int:
    """The column number of a cell reference ("XFD123" -> 16,384), 0 when it names none."""
    m = _REF.match(ref.strip())
    if not m:
        return 0
    n = 0
    for ch in m.group(1).upper():
        n = n * 26 + ord(ch) - 64
    return n


def _row_number(text: str | None) -> int | None:
    """A row's r attribute as openpyxl reads it ("5", "5.0"), None when missing or unreadable."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


# ---------------------------------------------------------------- the scans

# The elements a cell or a shared string is made of (value, formula, inline and rich text, phonetic runs); any other
# element is "other", kept by the parser until its parent ends.
_PARTS = frozenset(f"{MAIN} {tag}" for tag in (
    "v", "f", "is", "t", "r", "rPr", "rPh", "phoneticPr", "rFont", "charset", "family", "b", "i", "strike",
    "outline", "shadow", "condense", "extend", "color", "sz", "u", "vertAlign", "scheme"))
_COLUMNS: dict[str, int] = {}
_DIGITS = "0123456789$"


def _ref_column(ref: str) -> int:
    """The column of a cell reference as openpyxl reads it ("XFD123" -> 16,384), 0 when it names none."""
    letters = ref.rstrip(_DIGITS)
    col = _COLUMNS.get(letters)
    if col is None:
        col = _column(ref)
        if len(_COLUMNS) < 20_000:   # every 1-3 letter column fits
            _COLUMNS[letters] = col
    return col


class _Scan:
    """An expat parser fed in pieces, with a start handler only (end events and text are not needed, which keeps it
    at about 0.5 µs an element); a raw look at each piece counts its elements and finds a run of bytes without
    markup longer than a cell may hold. A handler raises Refused to stop at once."""

    RUN = MAX_CELL_TEXT * 6   # 32,767 characters, each up to 6 bytes as written ("&quot;"); CJK is 3

    def __init__(self, part: str, counted: int = 0):
        self.part = part
        self.elements = counted   # elements of the workbook scanned so far, this part's included
        self.p = expat.ParserCreate(namespace_separator=" ")
        self.p.StartDoctypeDeclHandler = self._doctype
        self.p.StartElementHandler = self.start
        self.run = 0            # bytes since the last "<", carried from one piece to the next

    def _doctype(self, *_):
        raise Refused(_said("doctype", part=self.part))

    def start(self, name, attrs):
        raise NotImplementedError

    def feed(self, stream, limit_bytes: int) -> None:
        read = 0
        try:
            while True:
                piece = stream.read(PIECE)
                if not piece:
                    break
                read += len(piece)
                if read > limit_bytes:
                    raise Refused(_said("xml_mb", part=self.part, limit=limit_bytes // 2**20))
                self.p.Parse(piece, False)   # first, so that a refusal below names the row the parser is in
                self._runs(piece)
            self.p.Parse(b"", True)
        except expat.ExpatError:
            return   # malformed XML: openpyxl says so in its own words (bad_xlsx / damaged_sheet)

    def _runs(self, piece: bytes) -> None:
        """Elements counted from the bytes ("<" that does not close one: a comment or a "<" in CDATA counts too),
        and runs without markup: a run of RUN bytes holds an aligned window of RUN // 2 with no "<", and only
        those are measured."""
        self.elements += piece.count(b"<") - piece.count(b"</")
        if self.elements > MAX_ELEMENTS:
            self._too_many()
        first = piece.find(b"<")
        if first < 0:
            self.run += len(piece)
            if self.run > self.RUN:
                self._too_long()
            return
        if self.run + first > self.RUN:
            self._too_long()
        half = self.RUN // 2
        for at in range(first, len(piece), half):
            if piece.find(b"<", at, at + half) < 0 and at + half <= len(piece):
                after = piece.find(b"<", at)
                if (len(piece) if after < 0 else after) - piece.rfind(b"<", 0, at) - 1 > self.RUN:
                    self._too_long()
        self.run = len(piece) - piece.rfind(b"<") - 1

    def _too_long(self):
        raise Refused(_said("run", part=self.part, limit=_n(MAX_CELL_TEXT)), self.where())

    def _too_many(self):
        raise NotImplementedError

    def where(self) -> int | None:
        return None


class _SharedStrings(_Scan):
    """The shared-strings table: its own count (uniqueCount) first, then every <si> and the elements it holds."""

    def __init__(self, part: str):
        super().__init__(part)
        self.root = True
        self.strings = 0
        self.inside = 0
        self.other = 0

    def _too_many(self):
        raise Refused(_said("elements_strings", limit=_n(MAX_ELEMENTS)))

    def start(self, name, attrs):
        if name == _SI:
            self.strings += 1
            if self.strings > MAX_STRINGS:
                raise Refused(_said("strings_more", limit=_n(MAX_STRINGS)))
            self.inside = 0
        elif name in _PARTS:
            self.inside += 1
            if self.inside > MAX_IN_CELL:
                raise Refused(_said("string_parts", n=_n(self.strings), limit=_n(MAX_IN_CELL)))
        elif self.root:
            self.root = False
            claimed = _row_number(attrs.get("uniqueCount"))
            if claimed is not None and claimed > MAX_STRINGS:
                raise Refused(_said("strings", n=_n(claimed), limit=_n(MAX_STRINGS)))
        else:
            self.other += 1
            if self.other > MAX_OTHER:
                raise Refused(_said("other", part=self.part, limit=_n(MAX_OTHER)))


class _Sheet(_Scan):
    """A worksheet as openpyxl reads it: each <row> is a row, numbered by its r or the one before plus one; each <c>
    a cell of the last row, at the column of its r or the one before plus one; the parts of a cell (_PARTS) belong
    to the last cell; any other element is "other". A row's width is its rightmost cell, counted when the next row
    starts or the sheet ends. `head_only`: stop at the dimension (openpyxl reads no more of a sheet it does not
    iterate, when the dimension comes before the cells)."""

    def __init__(self, part: str, counted: int = 0, head_only: bool = False):
        super().__init__(part, counted)
        self.head_only = head_only
        self.declared: str | None = None    # the dimension's ref, as written
        self.rows = 0                       # row elements
        self.row_no = 0                     # openpyxl's row counter
        self.col = 0
        self.width = 0
        self.in_row = 0                     # cells of the current row
        self.cells = 0                      # cells, blanks inside rows counted (the sum of row widths)
        self.inside = 0
        self.other = 0

    def where(self) -> int | None:
        return self.row_no or None

    def _too_many(self):
        raise Refused(_said("elements", limit=_n(MAX_ELEMENTS)), self.where())

    def start(self, name, attrs):
        if name in _PARTS:
            self.inside += 1
            if self.inside > MAX_IN_CELL:
                raise Refused(_said("cell_parts", col=column_letters(self.col), limit=_n(MAX_IN_CELL)), self.row_no)
        elif name == _CELL:
            self.in_row += 1
            ref = attrs.get("r")
            col = _ref_column(ref) if ref else 0
            col = self.col = col or self.col + 1
            self.inside = 0
            if col > self.width:
                self.width = col
                if col > MAX_COLUMNS:
                    raise Refused(_said("column", letters=column_letters(col), col=_n(col), limit=_n(MAX_COLUMNS)),
                                  self.row_no)
            if self.in_row > MAX_COLUMNS:
                raise Refused(_said("row_cells", limit=_n(MAX_COLUMNS)), self.row_no)
        elif name == _ROW:
            self._row(attrs)
        else:
            if name == _DIMENSION and self.declared is None:
                self.declared = attrs.get("ref") or ""
                if self.head_only:
                    raise _Enough
            self.other += 1
            if self.other > MAX_OTHER:
                raise Refused(_said("other", part=self.part, limit=_n(MAX_OTHER)))

    def _end_row(self):
        self.cells += max(self.width, 1)   # an empty row still costs a row
        if self.cells > MAX_CELLS:
            raise Refused(_said("cells", limit=_n(MAX_CELLS)), self.row_no)

    def _row(self, attrs):
        if self.rows:
            self._end_row()
        self.rows += 1
        number = _row_number(attrs.get("r"))
        self.row_no = number if number is not None else self.row_no + 1
        if self.row_no > MAX_ROWS or self.rows > MAX_ROWS:
            from indicators.records.importer import MAX_ROWS as CSV_ROWS   # the importer imports this module
            declared = _declared_rows(self.declared)
            said = (_said("rows_declared", n=_n(declared), limit=_n(MAX_ROWS), csv=_n(CSV_ROWS))
                    if declared is not None and declared > MAX_ROWS else
                    _said("rows", limit=_n(MAX_ROWS), csv=_n(CSV_ROWS)))
            raise Refused(said, max(self.row_no, self.rows))
        self.col = self.width = self.in_row = 0

    def feed(self, stream, limit_bytes: int) -> None:
        super().feed(stream, limit_bytes)
        if self.rows:
            self._end_row()


class _Enough(Exception):
    """The head of a sheet that openpyxl reads no further than its dimension has been seen."""


def _declared_rows(ref: str | None) -> int | None:
    if not ref:
        return None
    last = ref.split(":")[-1]
    m = _REF.match(last.strip())
    return int(m.group(2)) if m and m.group(2) else None


# ---------------------------------------------------------------- the workbook

def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


_MEASURED: dict[bytes, Refused | None] = {}   # digest -> the answer: the Records page reads a file three times
_LOCK = threading.Lock()


def check(data: bytes) -> None:
    """Measure the workbook `data` and raise Refused at the first limit passed; return None when it is within every
    limit (or so damaged that openpyxl will refuse it in its own words without reading the big parts)."""
    key = hashlib.sha256(data).digest()
    with _LOCK:
        known = key in _MEASURED
        answer = _MEASURED.get(key)
    if not known:
        collecting = gc.isenabled()
        gc.disable()   # the scan makes no cycles; in a process holding many objects, collections cost it a third more
        try:
            _check(data)
        except Refused as exc:
            answer = exc
        finally:
            if collecting:
                gc.enable()
        with _LOCK:
            if len(_MEASURED) >= 8:
                _MEASURED.pop(next(iter(_MEASURED)))
            _MEASURED[key] = answer
    if answer is not None:
        raise Refused(answer.word, answer.row)


def _check(data: bytes) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise Refused(Word("err.import.bad_xlsx", detail=exc)) from None
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNZIPPED:
        raise Refused(Word("err.import.unzipped_mb", mb=f"{unpacked / 1e6:,.0f}", limit=MAX_UNZIPPED // 2**20))
    sizes = {i.filename: i.file_size for i in infos}
    if sizes.get("[Content_Types].xml", 0) > MAX_PART_BYTES:
        raise _part_too_big("[Content_Types].xml", sizes["[Content_Types].xml"])

    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS, WORKSHEET_TYPE
    try:
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read_manifest()
    except Exception:   # noqa: BLE001 - openpyxl fails on it too, before it reads anything big
        return
    big = {ct.PartName[1:] for ct in reader.package.Override if ct.ContentType in (SHARED_STRINGS, WORKSHEET_TYPE)}
    for name, size in sizes.items():   # the sheets and the shared strings: MAX_XML_BYTES, while they are read,
        if _is_xml(name) and name not in big and size > MAX_PART_BYTES:   # so that their counts say why first
            raise _part_too_big(name, size)

    strings = reader.package.find(SHARED_STRINGS)
    counted = 0   # elements: one budget for the shared strings and every sheet scanned, what the scans may cost
    if strings is not None and strings.PartName[1:] in sizes:
        path = strings.PartName[1:]
        scan = _SharedStrings(path)
        _read(zf, path, scan)
        counted = scan.elements

    try:
        reader.read_workbook()
        sheets = [rel.target for _, rel in reader.parser.find_sheets()
                  if rel.target in sizes and "chartsheet" not in rel.Type]
    except Exception:   # noqa: BLE001 - openpyxl fails on it too, after the shared strings measured above
        return
    for k, path in enumerate(sheets):
        scan = _Sheet(path, counted, head_only=k > 0)
        try:
            _read(zf, path, scan)
        except _Enough:
            pass
        counted = scan.elements


def _read(zf: zipfile.ZipFile, path: str, scan: _Scan) -> None:
    """Stream one part through a scan; a damaged member (bad header, bad deflate data, bad CRC) is the file's fault,
    said in the words openpyxl's failure would get."""
    try:
        with zf.open(path) as src:
            scan.feed(src, MAX_XML_BYTES)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise Refused(Word("err.import.bad_xlsx", detail=f"{type(exc).__name__}: {exc}")) from None


def _part_too_big(name: str, size: int) -> Refused:
    return Refused(_said("part_mb", part=name, mb=f"{size / 1e6:,.1f}", limit=MAX_PART_BYTES // 2**20))


def row_values(cells: list[dict]) -> tuple:
    """One row of openpyxl's parsed cells as values, as wide as its rightmost cell and no wider (openpyxl pads to
    the last cell's column, or to the sheet's dimension); a cell past MAX_COLUMNS is refused even if the scan
    missed it."""
    if not cells:
        return ()
    width = max(c["column"] for c in cells)
    if width > MAX_COLUMNS:
        raise Refused(_said("column", letters=column_letters(width), col=_n(width), limit=_n(MAX_COLUMNS)),
                      cells[0].get("row"))
    out = [None] * width
    for c in cells:
        if c["column"] >= 1:
            out[c["column"] - 1] = c["value"]
    return tuple(out)
