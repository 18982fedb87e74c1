"""A ledger is decoded strictly: wholly UTF-8 or wholly GB18030. A file mixing the two is refused at the row that
breaks it, and nothing is written (before, GB18030 read the UTF-8 rows as mojibake and imported them)."""
import pytest

from indicators.records.importer import apply, check_many, import_file
from tests.conftest import station

HEAD = "站点编号,站点名称,所属区县,服务人口\n"
ROWS = ["S01,东岗街道社工站,城关区,12000\n", "S02,西固社工站,西固区,9000\n", "S03,安宁区社工站,安宁区,5000\n",
        "S04,七里河社工站,七里河区,7000\n"]


def _stations(con):
    return con.execute("SELECT station_id, name FROM stations ORDER BY 1").fetchall()


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030"])
def test_one_encoding_throughout_imports(tiny, encoding):
    con = tiny({})
    report = import_file(con, "stations", (HEAD + "".join(ROWS)).encode(encoding), "s.csv")
    assert report.ok, report.errors
    assert _stations(con)[0] == ("S01", "东岗街道社工站")


@pytest.mark.parametrize("majority,odd,bad_row", [
    ("utf-8", "gbk", 4),      # a UTF-8 ledger with one title saved from an old GBK spreadsheet
    ("utf-8", "gbk", 2),
    ("gbk", "utf-8", 5),      # the reverse: one UTF-8 row pasted into a GBK file
])
def test_mixed_file_is_refused_at_the_row_that_breaks_it(tiny, majority, odd, bad_row):
    con = tiny({})
    lines = [HEAD] + ROWS
    data = b"".join(line.encode(odd if n + 1 == bad_row else majority) for n, line in enumerate(lines))
    report = import_file(con, "stations", data, "s.csv")
    assert not report.ok
    (problem,) = report.errors
    assert problem.row == bad_row and "mixed encodings" in problem.message
    assert f"s.csv, row {bad_row}:" in str(problem)
    assert _stations(con) == []


# ---------------------------------------------------------------- non-Chinese UTF-8 text is UTF-8 evidence too

EN_HEAD = "station_id,name,district,population\n"


def _held(tiny):
    """A database holding one station already: a refused import must leave it exactly so."""
    return tiny({"stations": [station("S00")]})


@pytest.mark.parametrize("text", ["Café Nanya", "Müller House", "Station — east", "№ 3 station", "１２３ Street",
                                  "Joy 😀", "Москва", "25°C room"])
def test_utf8_ledger_without_chinese_and_one_gbk_row_is_refused(tiny, text):
    """Before, only a UTF-8 line with Chinese counted as UTF-8: here the only non-ASCII text is Latin, a dash,
    №, full-width digits, an emoji or Cyrillic, so GB18030 read the whole file ("Caf茅") and imported it."""
    con = _held(tiny)
    before = _stations(con)
    data = (EN_HEAD + f"S01,{text},Chengguan,100\nS02,{text} 2,Xigu,200\n").encode("utf-8") \
        + "S03,安宁区社工站,安宁区,300\n".encode("gbk") + f"S04,{text} 4,Anning,400\n".encode("utf-8")
    report = import_file(con, "stations", data, "s.csv")
    assert not report.ok
    (problem,) = report.errors
    assert problem.row == 4 and "mixed encodings" in problem.message
    assert "(not UTF-8 in row 4 while 3 other rows are UTF-8: mixed encodings)" in problem.message
    assert _stations(con) == before


@pytest.mark.parametrize("text", ["Café", "Station — east", "Müller 😀"])
def test_gbk_ledger_with_one_utf8_row_without_chinese_is_refused(tiny, text):
    """The reverse: the minority is UTF-8, so the row to fix is the UTF-8 one."""
    con = _held(tiny)
    before = _stations(con)
    data = (HEAD + "".join(ROWS[:2])).encode("gbk") + f"S09,{text},Anning,500\n".encode("utf-8") \
        + "".join(ROWS[2:]).encode("gbk")
    report = import_file(con, "stations", data, "s.csv")
    assert not report.ok
    (problem,) = report.errors
    assert problem.row == 4 and "(UTF-8 in row 4 while 5 other rows are GBK/GB18030: mixed encodings)" in problem.message
    assert _stations(con) == before


def test_every_odd_row_is_named_up_to_five_in_both_languages(tiny):
    """Fixing the first odd row only to meet the next on the following import wastes a trip: the first five are named."""
    con = _held(tiny)
    lines = [EN_HEAD] + [f"S{k:02d},{'Café' if k % 2 else '西固社工站'},d,{k}\n" for k in range(1, 14)]
    data = b"".join(line.encode("gbk" if "西" in line else "utf-8") for line in lines)
    (problem,) = import_file(con, "stations", data, "s.csv").errors
    assert problem.row == 3
    assert "not UTF-8 in row 3, 5, 7, 9, 11, … while 7 other rows are UTF-8" in problem.line("en")
    assert "s.csv" in problem.line("zh") and "第3, 5, 7, 9, 11, …行不是 UTF-8，而其他7行是" in problem.line("zh")
    assert _stations(con) == [("S00", "站S00")]


def test_a_utf8_bom_is_utf8_evidence(tiny):
    """An English header after a UTF-8 BOM and one GBK row: the BOM says UTF-8, the GBK row is the odd one."""
    con = _held(tiny)
    data = b"\xef\xbb\xbf" + (EN_HEAD + "S01,Nanya,Chengguan,100\n").encode() + "S02,西固,西固区,9\n".encode("gbk")
    report = import_file(con, "stations", data, "s.csv")
    assert [p.row for p in report.errors] == [3]
    assert _stations(con) == [("S00", "站S00")]


# ---------------------------------------------------------------- real GBK files still import

def test_gbk_rows_that_happen_to_be_valid_utf8_still_import(tiny):
    """省 in GBK is the bytes CA A1, valid UTF-8 for 'ʡ': a GBK inspections ledger where most rows say 省 has more
    UTF-8-valid lines than lines that are GBK only. A lone letter of an unrelated script between separators is what
    GBK text looks like through UTF-8, not UTF-8 text: the file is GBK and imports."""
    assert "省".encode("gbk").decode("utf-8") == "ʡ"
    con = tiny({"stations": [station("S01")]})
    head = "inspection_id,station_id,inspected_on,level,prep_hours\n"
    body = "I1,S01,2024-01-05,省,20\nI2,S01,2024-02-05,省,10\nI3,S01,2024-03-05,省,5\nI4,S01,2024-04-05,市,3\n"
    report = import_file(con, "inspections", (head + body).encode("gbk"), "i.csv")
    assert report.ok, report.errors
    got = con.execute("SELECT inspection_id, level FROM inspections ORDER BY 1").fetchall()
    assert got == [("I1", "province"), ("I2", "province"), ("I3", "province"), ("I4", "city")]


def test_the_demo_ledgers_saved_as_gbk_import_as_from_utf8(tiny):
    """The demo's Chinese ledgers (stations, needs, activities, ratings) saved as GBK read the same as the UTF-8
    files: no line of them is taken for UTF-8."""
    from indicators.records import store
    tables = ["stations", "needs", "activities", "ratings"]
    files = {t: (store.DEMO_DIR / f"{t}.csv").read_text(encoding="utf-8") for t in tables}
    gbk, utf8 = tiny({}), tiny({})
    for con, enc in ((gbk, "gbk"), (utf8, "utf-8")):
        plan = check_many(con, [(t, files[t].encode(enc), f"{t}.csv") for t in tables])
        assert plan.ok, plan.problems[:3]
        apply(con, plan)
    for t in tables:
        query = f"SELECT * FROM {t} ORDER BY 1"
        assert gbk.execute(query).fetchall() == utf8.execute(query).fetchall(), t


# ---------------------------------------------------------------- the row is the CSV record, as elsewhere

@pytest.mark.parametrize("majority,odd", [("utf-8", "gbk"), ("gbk", "utf-8")])
def test_the_row_reported_is_the_record_after_a_multi_line_cell(tiny, majority, odd):
    """A quoted cell over three lines before the bad record: the record is row 4 (header = row 1, as every other
    import problem counts), though it starts on line 6 of the file."""
    con = _held(tiny)
    before = _stations(con)
    lines = [HEAD, 'S01,"东岗街道\n社工站\n（新址）",城关区,12000\n', ROWS[1], ROWS[2], ROWS[3]]
    data = b"".join(line.encode(odd if n == 3 else majority) for n, line in enumerate(lines))
    assert data.split(b"\n").index(ROWS[2].encode(odd)[:-1]) + 1 == 6
    report = import_file(con, "stations", data, "s.csv")
    (problem,) = report.errors
    assert problem.row == 4 and "s.csv, row 4:" in str(problem)
    assert _stations(con) == before
    # the same file in one encoding: the multi-line cell is one record, and the rows counted are the same
    clean = "".join(lines).encode(majority)
    assert import_file(con, "stations", clean, "s.csv").ok
    assert [r[0] for r in _stations(con)] == ["S00", "S01", "S02", "S03", "S04"]


# ---------------------------------------------------------------- XLSX: cells are Unicode already

def test_xlsx_holds_unicode_so_no_encoding_is_guessed(tiny):
    import io

    import openpyxl
    wb = openpyxl.Workbook()
    for row in (["station_id", "name", "district", "population"], ["S01", "Café", "城关区", 1],
                ["S02", "安宁区社工站", "Anning", 2]):
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    con = tiny({})
    assert import_file(con, "stations", buf.getvalue(), "s.xlsx").ok
    assert _stations(con) == [("S01", "Café"), ("S02", "安宁区社工站")]
