"""A ledger is decoded strictly: wholly UTF-8 or wholly GB18030. A file mixing the two is refused at the row that
breaks it, and nothing is written (before, GB18030 read the UTF-8 rows as mojibake and imported them)."""
import pytest

from indicators.records.importer import import_file

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
