"""No live formula leaves the program: text that a spreadsheet would run once it strips leading blanks (any Unicode
space, U+3000, tabs, newlines, invisible characters) or splits on ';' gets an apostrophe, in CSV and XLSX alike."""
import csv
import io
import re
from dataclasses import replace

import openpyxl
import pytest

from indicators.cli.main import main
from indicators.outputs.export import export_scores, neutralise
from indicators.records import store as records
from indicators.scheme import catalog
from indicators.scoring.engine import score
from tests.hostile import FORMULA_PAYLOADS

# Independent of the code under test: what Excel / WPS would strip before looking for a formula sign.
_LEADING = re.compile(r"^[\s\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff;；]*")


def live(cell: str) -> bool:
    """A cell a spreadsheet would run: a formula sign after the blanks, unless an apostrophe comes first or the cell
    is a plain number."""
    if cell.startswith("'"):
        return False
    try:
        float(cell)
        return False
    except ValueError:
        return bool(re.match(r"[=+\-@＝＋－＠]", _LEADING.sub("", cell))) or cell.startswith(("\t", "\r"))


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_neutralise_after_blanks_and_separators(payload):
    out = neutralise(payload)
    assert out == "'" + payload and not live(out)


@pytest.mark.parametrize("text", ["东岗街道社工站", "a=1", "ok; =1", " plain", "", ";", "\u3000居民", "3-5岁"])
def test_ordinary_text_is_left_alone(text):
    assert neutralise(text) == text


def _payload_scheme():
    base = catalog.builtin("needs-met")
    n = len(FORMULA_PAYLOADS)
    dims = tuple(replace(d, name_zh=FORMULA_PAYLOADS[(3 * d_n) % n], name_en=FORMULA_PAYLOADS[(3 * d_n + 1) % n],
                         indicators=tuple(replace(i, name_zh=FORMULA_PAYLOADS[(d_n * 7 + k) % n],
                                                  name_en=FORMULA_PAYLOADS[(d_n * 7 + k + 11) % n])
                                          for k, i in enumerate(d.indicators)))
                 for d_n, d in enumerate(base.dimensions))
    return replace(base, id="formula-copy", name_zh=FORMULA_PAYLOADS[6], name_en=FORMULA_PAYLOADS[11], dimensions=dims)


def test_csv_and_xlsx_exports_hold_no_live_formula(demo_db, tmp_path):
    con = records.connect(demo_db, read_only=True)
    try:
        result = score(con, _payload_scheme())
        other = score(con, catalog.builtin("photo-count"))
    finally:
        con.close()
    seen = 0
    for lang in ("zh", "en"):
        for results in ([result], [result, other]):
            path = export_scores(results, tmp_path / f"r{len(results)}{lang}.csv", lang=lang)
            for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")):
                for cell in row:
                    assert not live(cell), cell
                    seen += cell.startswith("'")
            path = export_scores(results, tmp_path / f"r{len(results)}{lang}.xlsx", lang=lang)
            for ws in openpyxl.load_workbook(path).worksheets:
                for row in ws.iter_rows(values_only=True):
                    for cell in row:
                        if isinstance(cell, str):
                            assert not live(cell), (ws.title, cell)
                            seen += cell.startswith("'")
    assert seen > 20   # the payload names did reach the files


def test_cli_csv_neutralises_station_names(demo_copy, tmp_path, capsys):
    con = records.connect(demo_copy)
    try:
        with records.writing(con) as cur:
            cur.execute("UPDATE stations SET name = ?, name_en = ? WHERE station_id = (SELECT min(station_id) FROM stations)",
                        ["\u3000=HYPERLINK(\"http://x\")", " ;@SUM(A1)"])
    finally:
        con.close()
    assert main(["score", "--db", str(demo_copy), "--scheme", "needs-met", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert any(cell.startswith("'") for row in rows for cell in row)
    assert not [cell for row in rows for cell in row if live(cell)]
