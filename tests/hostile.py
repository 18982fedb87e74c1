"""Hostile inputs shared by the hardening tests: scheme files that attack the YAML reader, ledger cells that attack a
spreadsheet or a web page. Each maker returns text; the tests say what must happen to it."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = (ROOT / "indicators" / "scheme" / "builtin" / "needs-met.yaml").read_text(encoding="utf-8")


def alias_bomb(levels: int = 9, fan: int = 10, at: str = "serves") -> str:
    """The scheme with its first `serves` list (or first indicator weight) replaced by a fan**levels-element tree
    of aliases: a few hundred bytes that a naive reader expands to a billion values."""
    tree = alias_tree(levels, fan)
    if at == "serves":
        return BASE.replace("    serves:", f"    serves: {tree}\n    x_serves:", 1)
    return weight(tree, 2)


def deep_flow_list(depth: int = 5000) -> str:
    return BASE.replace("    serves:", "    serves: " + "[" * depth + "]" * depth + "\n    x_serves:", 1)


def deep_mapping(depth: int = 3000) -> str:
    return BASE.replace("    serves:", "    serves: " + "{a: " * depth + "1" + "}" * depth + "\n    x_serves:", 1)


def flat_list(chars: int = 999_000, item: str = "a") -> str:
    """The scheme with its first `serves` list holding as many `item`s as fit in `chars` characters: no alias, no
    nesting, only far more values than any scheme has."""
    room = chars - len(BASE) - len("    serves: []\n    x_serves:")
    n = room // (len(item) + 1)
    return BASE.replace("    serves:", "    serves: [" + ",".join([item] * n) + "]\n    x_serves:", 1)


def weight(value: str, nth: int = 1) -> str:
    """The scheme with its nth `weight:` line set to `value` (as written in YAML)."""
    lines, seen = BASE.splitlines(keepends=True), 0
    for n, line in enumerate(lines):
        if line.lstrip().startswith("weight:"):
            seen += 1
            if seen == nth:
                lines[n] = line[: line.index("weight:")] + f"weight: {value}\n"
                break
    return "".join(lines)


# Text that a spreadsheet would run as a formula once it strips leading blanks or splits on ';'.
FORMULA_PAYLOADS = [
    "=1+1", "+1+1", "-1+1", "@SUM(A1)", "=HYPERLINK(\"http://x\",\"y\")", "=cmd|' /C calc'!A0",
    " =1+1", "  +1", "\t=1+1", "\n=1+1", "\r=1+1", "\u3000=1+1", "\u00a0=1+1", "\u2003@SUM(A1)", "\ufeff=1",
    "\u200b=1", ";=1+1", " ;-1", "\t;@x", "\u3000\u3000;+1", "；=1+1", "\u2028=1",
]
SCRIPT_PAYLOADS = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)",
                   "{{7*7}}", "'; DROP TABLE stations; --", "Robert'); DROP TABLE needs;--"]


def framework_csv(cells: dict[int, dict[str, str]]) -> str:
    """The built-in needs-met scheme as a long-form framework table (CSV, English headers) with some cells replaced:
    {row number as a spreadsheet shows it (the header is row 1): {column: text}}. Row 3 is its first indicator,
    row 4 the second, both in the dimension of row 2."""
    import csv
    import io

    from indicators.scheme.framework import table_rows
    from indicators.scheme.model import load_yaml

    rows = table_rows(load_yaml(BASE), "long", "en")
    head = rows[0]
    for number, changes in cells.items():
        for column, text in changes.items():
            rows[number - 1][head.index(column)] = text
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def measure(filter_yaml: str) -> str:
    """A framework table's measure cell whose filter is `filter_yaml` (hostile YAML in place of an expression)."""
    return "{kind: count, table: activities, filter: " + filter_yaml + "}"


def alias_tree(levels: int = 9, fan: int = 10) -> str:
    """A flow list of fan**levels values written in a few hundred characters of anchors and aliases."""
    return "[" + ", ".join(f"&b{i} [" + ", ".join([f"*b{i - 1}" if i else "x"] * fan) + "]" for i in range(levels)) + "]"


# Characters a name must not hold: they hide or reorder what a reader sees (bidi overrides and isolates), or drive
# a terminal (ESC), or are invisible in a cell (C0, C1)
CONTROL_CHARS = ["\x1b[2J", "\u202e", "\u202a", "\u2066", "\u2069", "\x85", "\x9b", "\x00", "\x07", "\x0b", "\x7f"]
# Where a line may end for one reader or another
BREAKS = ["\r", "\n", "\r\n", "\u2028", "\u2029"]


def yaml_name(text: str, nth: int = 1) -> str:
    """The scheme with its nth indented `name_en:` (a dimension's or an indicator's) set to `text`, written as a
    double-quoted YAML string (control characters as escapes, so the file itself is clean text)."""
    quoted = '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in text) + '"'
    lines, seen = BASE.splitlines(keepends=True), 0
    for n, line in enumerate(lines):
        if line.startswith("    ") and line.lstrip().startswith("name_en:"):
            seen += 1
            if seen == nth:
                lines[n] = line[: line.index("name_en:")] + f"name_en: {quoted}\n"
                break
    return "".join(lines)


def chain_table(n: int) -> str:
    """A long-form framework table whose dimensions form one chain n long, an indicator at its end."""
    rows = ["code,name,level,parent,weight"] + [f"d{k},d{k},,{f'd{k - 1}' if k else ''},1" for k in range(n)]
    return "\n".join(rows + [f"i,i,1,d{n - 1},1"]) + "\n"


def flat_table(n: int) -> str:
    """A long-form framework table of one dimension holding n - 1 indicators."""
    return "code,name,level,parent,weight\nd,d,,,1\n" + "".join(f"i{j},indicator {j},1,d,1\n" for j in range(n - 1))


def loop_table(n: int) -> str:
    """Dimensions whose parents go round in a loop n long, an indicator hanging from it."""
    rows = ["code,name,level,parent,weight"] + [f"d{k},d{k},,d{(k - 1) % n},1" for k in range(n)]
    return "\n".join(rows + ["i,i,1,d0,1"]) + "\n"


# ---------------------------------------------------------------- hostile workbooks, written with zipfile directly

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
       'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+'
       'xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
       'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.worksheet+xml"/>{sst}</Types>')
_SST_CT = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
           'spreadsheetml.sharedStrings+xml"/>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{SHEET_NS}" xmlns:r="http://schemas.openxmlformats.org/'
       'officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/>{sst}</Relationships>')
_WB_SST_REL = ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
               'sharedStrings" Target="sharedStrings.xml"/>')


def workbook(rows, strings=None, dimension: str | None = None, unique: int | None = None, doctype: str = "",
             parts: dict[str, bytes] | None = None, sheet: bytes | None = None) -> bytes:
    """An .xlsx of one sheet, streamed through zipfile so that millions of rows cost seconds: `rows` yields each
    row's XML (`<row>…</row>`, as bytes or text), `strings` each shared string's `<si>` (no table when None);
    `doctype` goes before the sheet's root, `parts` are more members as they are; `sheet`, the sheet's whole XML."""
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", _CT.format(sst=_SST_CT if strings is not None else ""))
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS.format(sst=_WB_SST_REL if strings is not None else ""))
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            if sheet is not None:
                out.write(sheet)
            else:
                out.write(f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<worksheet xmlns="{SHEET_NS}">'.encode())
                if dimension:
                    out.write(f'<dimension ref="{dimension}"/>'.encode())
                out.write(b"<sheetData>")
                _write_all(out, rows)
                out.write(b"</sheetData></worksheet>")
        if strings is not None:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
                count = "" if unique is None else f' count="{unique}" uniqueCount="{unique}"'
                out.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{SHEET_NS}"{count}>'.encode())
                _write_all(out, strings)
                out.write(b"</sst>")
        for name, data in (parts or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def _write_all(out, parts) -> None:
    """Write an iterable of XML pieces in blocks of about a megabyte (one write a row would cost more than zlib)."""
    block, size = [], 0
    for part in parts:
        part = part.encode() if isinstance(part, str) else part
        block.append(part)
        size += len(part)
        if size >= 1 << 20:
            out.write(b"".join(block))
            block, size = [], 0
    out.write(b"".join(block))


def xlsx_row(r: int, cells: list[tuple[str, object]]) -> str:
    """One `<row>` with cells (column letters, value): numbers as numbers, text inline."""
    out = []
    for col, value in cells:
        if isinstance(value, str):
            out.append(f'<c r="{col}{r}" t="inlineStr"><is><t>{value}</t></is></c>')
        else:
            out.append(f'<c r="{col}{r}"><v>{value}</v></c>')
    return f'<row r="{r}">{"".join(out)}</row>'


def stations_head() -> str:
    return xlsx_row(1, list(zip("ABC", ["station_id", "name", "population"])))


def _after_head(rows):
    """The stations header, then `rows` as they are made (a list of a million rows would cost memory here)."""
    yield stations_head()
    yield from rows


def xfd_each_row(rows: int = 200_000) -> bytes:
    """A stations ledger whose every row also holds one cell at column XFD (16,384): openpyxl padded each row to
    16,384 cells (> 300 s)."""
    return workbook(_after_head(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>S{r}</t></is></c>'
                                f'<c r="XFD{r}"><v>1</v></c></row>' for r in range(2, rows + 1)))


def many_strings(n: int = 18_000_000, unique: int | None = 18_000_000) -> bytes:
    """A small sheet over a shared-strings table of `n` strings (openpyxl loads them all first: 279 s, 3.0 GB)."""
    si = b"<si><t>x</t></si>"
    block = si * 1_000_000
    strings = [block] * (n // 1_000_000) + [si * (n % 1_000_000)]
    return workbook([stations_head(), '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'], strings, unique=unique)


def many_rows(rows: int = 1_048_575, dimension: str | None = None) -> bytes:
    """A stations ledger of `rows` rows, Excel's whole sheet (192 s in openpyxl)."""
    return workbook(_after_head(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, rows + 1)),
                    dimension=dimension)


def lying_dimension(rows: int = 300_000) -> bytes:
    """A sheet whose dimension says A1:C3 while its rows run to `rows`."""
    return many_rows(rows, dimension="A1:C3")


def huge_inline_string(chars: int = 100_000_000) -> bytes:
    """One cell holding `chars` characters inline (a few hundred kB zipped)."""
    text = ["<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>"] + ["x" * 1_000_000] * (chars // 1_000_000) + \
        ["</t></is></c></row>"]
    return workbook([stations_head(), "".join(text)])


def wide_rows(columns: int = 16_384, rows: int = 300, dimension: str = "A1:C301") -> bytes:
    """Every row full to `columns` columns under a dimension that claims three."""
    from openpyxl.utils import get_column_letter
    letters = [get_column_letter(k) for k in range(1, columns + 1)]
    return workbook(_after_head("".join([f'<row r="{r}">'] + [f'<c r="{c}{r}"><v>1</v></c>' for c in letters] +
                                        ["</row>"]) for r in range(2, rows + 2)), dimension=dimension)


def one_cell_at(letters: str = "EXX", rows: int = 600) -> bytes:
    """Each row one cell, at a column within the limit (EXX = 4,000): every row costs that many cells in openpyxl."""
    return workbook([stations_head()] + [f'<row r="{r}"><c r="{letters}{r}"><v>1</v></c></row>'
                                         for r in range(2, rows + 2)])


def dense_rows(rows: int = 100_000, columns: int = 13) -> bytes:
    """Rows of inline text cells, three elements each: a sheet that only its element count stops."""
    from openpyxl.utils import get_column_letter
    letters = [get_column_letter(k) for k in range(1, columns + 1)]
    return workbook(_after_head("".join([f'<row r="{r}">'] + [f'<c r="{c}{r}" t="inlineStr"><is><t>x</t></is></c>'
                                                              for c in letters] + ["</row>"])
                                for r in range(2, rows + 2)))


def with_doctype() -> bytes:
    """A sheet with a DTD: an entity that expands a thousandfold at each of three levels."""
    dtd = ('<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
           '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    return workbook([stations_head(), '<row r="2"><c r="A2" t="inlineStr"><is><t>&c;</t></is></c></row>'],
                    doctype=dtd)


def big_styles(mb: float = 9.0) -> bytes:
    """A styles part of `mb` MB of junk elements (openpyxl parses it whole when it opens the workbook)."""
    junk = b"<x/>" * int(mb * 2**20 / 4)
    return workbook([stations_head()], parts={"xl/styles.xml": b"<styleSheet>" + junk + b"</styleSheet>"})


def rich_cell(runs: int = 5_000) -> bytes:
    """One cell of `runs` rich-text runs."""
    return workbook([stations_head(), '<row r="2"><c r="A2" t="inlineStr"><is>' + "<r><t>x</t></r>" * runs +
                     "</is></c></row>"])
