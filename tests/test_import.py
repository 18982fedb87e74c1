"""Importing records: every check with a hand-made file, encodings, Chinese headers, XLSX, all-or-nothing, pseudonyms."""
from __future__ import annotations

import hashlib
import io
import re
from datetime import date, datetime

import duckdb
import openpyxl
import pytest

from indicators.records import importer

from indicators.records import store as records
from indicators.errors import InputError
from indicators.records.importer import ImportProblems, check, check_many, apply, import_file, template

STATIONS = ("station_id,name,name_en,district,street,population,profile\n"
            "S01,东岗街道社工站,Donggang Station,城关区,东岗街道,12000,mixed\n"
            "S02,西湖街道社工站,Xihu Station,七里河区,西湖街道,8000,needs_driven\n")
NEEDS_HEAD = "need_id,station_id,category,title,source,raised_on,urgency,households_affected,status,resolved_on\n"
NEEDS = NEEDS_HEAD + ("N1,S01,elderly_care,独居老人助餐,survey,2024-01-05,5,8,resolved,2024-02-01\n"
                      "N2,S01,housing_repair,楼道照明,council,2024/3/5,3,20,open,\n"
                      "N3,S02,health,慢性病管理,visit,2024年3月5日,4,10,已解决,2024-04-01\n")


def state(con) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of the content of every table (and meta): what 'unchanged' means here."""
    out = {}
    cur = con.cursor()
    have = {r[0] for r in cur.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    for t in (*records.TABLES, "meta"):
        if t not in have:
            out[t] = (0, "")
            continue
        rows = cur.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall()
        out[t] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


@pytest.fixture
def db(tmp_path):
    con = records.connect(tmp_path / "imp.duckdb")
    records.create_schema(con)
    yield con
    con.close()


@pytest.fixture
def stocked(db):
    """Two stations and three needs already imported."""
    assert import_file(db, "stations", STATIONS.encode(), "stations.csv").ok
    assert import_file(db, "needs", NEEDS.encode(), "needs.csv").ok
    return db


def problems(con, table, text, name="f.csv", encoding="utf-8") -> list[str]:
    before = state(con)
    plan = check(con, table, text.encode(encoding) if isinstance(text, str) else text, name)
    assert not plan.ok, "expected the file to be refused"
    with pytest.raises(ImportProblems):
        apply(con, plan)
    assert state(con) == before
    return [str(p) for p in plan.problems]


def one(con, table, text, name="f.csv") -> str:
    found = problems(con, table, text, name)
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------- good files

def test_good_files_import_with_types(stocked):
    cur = stocked.cursor()
    assert cur.execute("SELECT name, population FROM stations ORDER BY station_id").fetchall() == [
        ("东岗街道社工站", 12000), ("西湖街道社工站", 8000)]
    rows = cur.execute("SELECT need_id, raised_on, urgency, status, resolved_on FROM needs ORDER BY need_id").fetchall()
    assert rows == [("N1", date(2024, 1, 5), 5, "resolved", date(2024, 2, 1)),
                    ("N2", date(2024, 3, 5), 3, "open", None),
                    ("N3", date(2024, 3, 5), 4, "resolved", date(2024, 4, 1))]


def test_ledger_forms_and_chinese_labels(stocked):
    text = ("activity_id,station_id,held_on,kind,title,need_id,photos,media_items,headcount,cost,staff_hours\n"
            "A1,S01,2024/3/5 0:00,个案,入户探访,N1,\"1,200\",0,3.0,¥1，500.50,2\n"
            "A2,S01,２０２４-０３-０６,Community,游园会,,10,2,80,2000元,12.5\n")
    # European decimal commas are refused, naming the cell (full-width digits and separators are fine)
    msg = one(stocked, "activities", text.replace("¥1，500.50", "\"1.500,50\""))
    assert 'row 2, column "cost", value "1.500,50"' in msg and "expected a number, 0 or more" in msg
    report = import_file(stocked, "activities", text.encode(), "a.csv")
    assert report.ok and report.inserted == 2
    rows = stocked.execute("SELECT activity_id, held_on, kind, photos, headcount, cost FROM activities ORDER BY 1").fetchall()
    assert rows == [("A1", date(2024, 3, 5), "case", 1200, 3, 1500.5),
                    ("A2", date(2024, 3, 6), "community", 10, 80, 2000.0)]


def test_references_satisfied_by_the_same_import(db):
    acts = ("activity_id,station_id,held_on,kind,need_id\nA1,S01,2024-03-05,case,N1\n")
    plan = check_many(db, [("activities", acts.encode(), "activities.csv"), ("needs", NEEDS.encode(), "needs.csv"),
                           ("stations", STATIONS.encode(), "stations.csv")])
    assert plan.ok, plan.problems
    report = apply(db, plan)
    assert report.by_table == {"stations": (2, 0), "needs": (3, 0), "activities": (1, 0)}
    # alone, the same activities file names a station and a need that do not exist
    con2 = duckdb.connect()
    records.create_schema(con2)
    found = problems(con2, "activities", acts, "activities.csv")
    assert any('column "station_id", value "S01": names a station' in f for f in found)
    assert any('column "need_id", value "N1": names a need' in f for f in found)


def test_reimport_adds_nothing(stocked):
    before = state(stocked)
    for table, text in (("stations", STATIONS), ("needs", NEEDS)):
        plan = check(stocked, table, text.encode(), f"{table}.csv")
        assert plan.ok and plan.inserting == 0 and plan.skipped == plan.parts[0].read
        report = apply(stocked, plan)
        assert (report.inserted, report.skipped) == (0, plan.skipped)
    assert state(stocked) == before


def test_changed_content_for_a_known_key_is_an_error_not_an_overwrite(stocked):
    changed = NEEDS.replace("housing_repair,楼道照明,council,2024/3/5,3", "housing_repair,楼道照明,council,2024/3/5,4")
    msg = one(stocked, "needs", changed, "needs.csv")
    assert msg.startswith('needs.csv, row 3, column "need_id", value "N2": is already in the database')
    assert "urgency: 3 there, 4 here" in msg and "never overwritten" in msg


def test_one_bad_row_writes_nothing(stocked):
    good = "".join(f"N{i},S01,health,t,survey,2024-05-01,3,1,open,\n" for i in range(10, 60))
    bad = good + "N99,S01,health,t,survey,2024-05-01,7,1,open,\n"
    msg = one(stocked, "needs", NEEDS_HEAD + bad)
    assert 'row 52, column "urgency", value "7": expected a whole number from 1 to 5' in msg
    assert import_file(stocked, "needs", (NEEDS_HEAD + good).encode(), "n.csv").inserted == 50


# ---------------------------------------------------------------- each check, named row / column / value

@pytest.mark.parametrize("cell,expect", [
    ("abc", 'value "abc": expected a whole number from 1 to 5'),
    ("3.5", 'value "3.5": expected a whole number from 1 to 5'),
    ("0", 'value "0": expected a whole number from 1 to 5'),
    ("9" * 40, "expected a whole number from 1 to 5"),
])
def test_integer_checks(stocked, cell, expect):
    msg = one(stocked, "needs", NEEDS_HEAD + f"N7,S01,health,t,survey,2024-05-01,{cell},1,open,\n")
    assert 'f.csv, row 2, column "urgency"' in msg and expect in msg


@pytest.mark.parametrize("cell,expect", [
    ("2024-13-01", "is not a real day of the calendar"),
    ("2024-02-30", "is not a real day of the calendar"),
    ("05/03/2024", "expected a date like 2024-03-05, 2024/3/5 or 2024年3月5日"),
    ("yesterday", "expected a date like"),
    ("2204-01-01", "expected a date between 1900 and 2100"),
])
def test_date_checks(stocked, cell, expect):
    msg = one(stocked, "needs", NEEDS_HEAD + f"N7,S01,health,t,survey,{cell},3,1,open,\n")
    assert f'row 2, column "raised_on", value "{cell}"' in msg and expect in msg


@pytest.mark.parametrize("table,header,row,column,expect", [
    ("stations", "station_id,name,population", "S09,x,0", "population", "expected a whole number of at least 1"),
    ("needs", NEEDS_HEAD.strip(), "N7,S01,health,t,survey,2024-05-01,3,-1,open,", "households_affected",
     "expected a whole number, 0 or more"),
    ("activities", "activity_id,station_id,held_on,kind,photos", "A7,S01,2024-05-01,case,-2", "photos",
     "expected a whole number, 0 or more"),
    ("activities", "activity_id,station_id,held_on,kind,cost", "A7,S01,2024-05-01,case,-0.5", "cost",
     "expected a number, 0 or more"),
    ("activities", "activity_id,station_id,held_on,kind,cost", "A7,S01,2024-05-01,case,1e30", "cost",
     "at most 1,000,000,000,000"),
    ("activities", "activity_id,station_id,held_on,kind,cost", "A7,S01,2024-05-01,case,nan", "cost",
     "expected a number"),
    ("expenditures", "expense_id,station_id,spent_on,category,amount", "E7,S01,2024-05-01,staff,-10", "amount",
     "expected a number, 0 or more"),
    ("feedback", "feedback_id,station_id,given_on,channel,rating", "F7,S01,2024-05-01,survey,6", "rating",
     "expected a whole number from 1 to 5"),
    ("needs", NEEDS_HEAD.strip(), "N7,S01,health,t,survey,2024-05-01,3,1,done,", "status",
     "expected one of open, in_progress, resolved, closed_unresolved (or 待处理"),
    ("activities", "activity_id,station_id,held_on,kind", "A7,S01,2024-05-01,party", "kind",
     "expected one of case, group, community, publicity (or 个案"),
    ("inspections", "inspection_id,station_id,inspected_on,level", "I7,S01,2024-05-01,county", "level",
     "expected one of district, city, province"),
])
def test_range_and_vocabulary_checks(stocked, table, header, row, column, expect):
    msg = one(stocked, table, f"{header}\n{row}\n")
    assert f'row 2, column "{column}"' in msg and expect in msg, msg


def test_resolved_date_rules(stocked):
    found = problems(stocked, "needs", NEEDS_HEAD +
                     "N7,S01,health,t,survey,2024-05-01,3,1,resolved,\n"
                     "N8,S01,health,t,survey,2024-05-01,3,1,open,2024-06-01\n"
                     "N9,S01,health,t,survey,2024-05-01,3,1,resolved,2024-04-01\n")
    assert len(found) == 3, found
    assert 'row 2, column "resolved_on", value (empty): is required when the status is resolved' in found[0]
    assert 'row 3, column "resolved_on", value "2024-06-01": must be empty when the status is open' in found[1]
    assert 'row 4, column "resolved_on", value "2024-04-01": is before the day the need was raised (2024-05-01)' \
        in found[2]


def test_required_columns_and_cells(stocked):
    msg = one(stocked, "needs", "need_id,station_id,category,title\nN7,S01,health,t\n")
    assert 'f.csv, row 1: missing required columns "提出日期" (raised_on), "紧急程度" (urgency), "处理状态" (status)' \
        == msg
    msg = one(stocked, "stations", "station_id,name,population\nS09,,100\n")
    assert msg == 'f.csv, row 2, column "name", value (empty): is required; the cell is empty'
    msg = one(stocked, "feedback", "feedback_id,station_id,given_on,channel,rating,need_met\nF1,S01,2024-05-01,survey,,\n")
    assert "a feedback row needs a rating (1-5) or a need_met answer" in msg


def test_unknown_header_suggests_the_closest(stocked):
    msg = one(stocked, "stations", "station_id,nmae,population\nS09,x,100\n")
    assert 'row 1, column "nmae": is not a column of stations; did you mean "站点名称" (name)?' in msg
    msg = one(stocked, "stations", "站点编码,站点名称,服务人口\nS09,x,100\n")
    assert 'column "站点编码"' in msg and 'did you mean "站点编号" (station_id)?' in msg


def test_duplicate_keys_within_the_file(stocked):
    msg = one(stocked, "needs", NEEDS_HEAD + "N7,S01,health,t,survey,2024-05-01,3,1,open,\n"
              "N8,S01,health,t,survey,2024-05-01,3,1,open,\n" + "N7,S01,health,t,survey,2024-05-01,3,1,open,\n")
    assert msg == 'f.csv, row 4, column "need_id", value "N7": repeats the key of row 2; each record may appear once'


def test_reference_to_a_missing_station(stocked):
    msg = one(stocked, "needs", NEEDS_HEAD + "N7,S77,health,t,survey,2024-05-01,3,1,open,\n")
    assert 'row 2, column "station_id", value "S77": names a station that is neither in the database' in msg


def test_cut_short_and_overlong_rows(stocked):
    found = problems(stocked, "stations", "station_id,name,population\nS09,x\nS10,y,10,extra\n")
    assert "f.csv, row 2: has 2 cells but the header has 3: is the row cut short?" in found
    assert 'f.csv, row 3, value "extra": is in column 4, beyond the 3 columns of the header' in found


def test_empty_and_header_only_files(stocked):
    assert one(stocked, "stations", b"") == "f.csv: is empty: expected a header row and at least one data row"
    assert one(stocked, "stations", "\ufeffstation_id,name,population\n") == "f.csv: has a header row but no data rows"


def test_limits_on_size_rows_and_listed_errors(stocked, monkeypatch, tmp_path):
    monkeypatch.setattr(importer, "MAX_BYTES", 1000)
    big = tmp_path / "big.csv"
    big.write_text("station_id,name,population\n" + "S9,x,1\n" * 200)
    assert one(stocked, "stations", big.read_bytes(), "big.csv") == "big.csv: is more than 0 MB; split the file"
    plan = check(stocked, "stations", big)
    assert "big.csv: is 0.0 MB; the limit is 0 MB: split the file" in str(plan.problems[0])
    monkeypatch.setattr(importer, "MAX_BYTES", 50 * 2 ** 20)
    monkeypatch.setattr(importer, "MAX_ROWS", 5)
    msg = problems(stocked, "stations", "station_id,name,population\n" + "".join(f"S{i},x,1\n" for i in range(9)))
    assert "f.csv, row 7: the file has more than 5 data rows; split it" in msg
    monkeypatch.setattr(importer, "MAX_ROWS", 1_000_000)
    plan = check(stocked, "stations", ("station_id,name,population\n" + "".join(f"S{i},x,0\n" for i in range(250))).encode())
    assert plan.problem_total == 250 and len(plan.problems) == 200
    text = str(plan.error())
    assert text.splitlines()[0] == "(upload): 250 problems; nothing was imported"
    assert text.splitlines()[-1] == "  ... and 50 more"


def test_control_characters_and_old_xls(stocked):
    msg = one(stocked, "stations", "station_id,name,population\nS09,a\x00b,100\n")
    assert "contains a control character" in msg or "not valid CSV" in msg
    assert "old .xls workbook" in one(stocked, "stations", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "x.xls")
    assert "is named .xlsx but is not an Excel workbook" in one(stocked, "stations", b"station_id\nS1\n", "x.xlsx")


def test_file_that_is_not_text(stocked):
    msg = one(stocked, "stations", bytes(range(256)) * 4)
    assert msg.startswith("f.csv: is neither UTF-8 nor GBK/GB18030 text")


# ---------------------------------------------------------------- encodings, headers, XLSX

@pytest.mark.parametrize("encoding,prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b""),
                                             ("gb18030", b""), ("utf-16", b"")])
def test_encodings_keep_chinese_text(db, encoding, prefix):
    data = prefix + ("站点编号,站点名称,所属区县,服务人口\nS01,东岗街道社工站,城关区,12000\n").encode(encoding)
    report = import_file(db, "stations", data, "s.csv")
    assert report.ok, report.errors
    assert db.execute("SELECT name, district FROM stations").fetchall() == [("东岗街道社工站", "城关区")]


@pytest.mark.parametrize("header", [
    " 站点编号 ,站点名称,服务人口",
    "（站点编号）,【站点名称】,服务人口（人）",
    "站点编号（station_id）,站点名称（name）,服务人口（population）",
    "Station_ID,Name,POPULATION",
    "*站点编号,站点名称*,人口",
    "站点编号 station_id,站点名称 name,服务人口 population",
])
def test_header_spellings(db, header):
    report = import_file(db, "stations", f"{header}\nS01,东岗,100\n".encode(), "s.csv")
    assert report.ok, report.errors


def test_same_column_twice_is_refused(db):
    msg = one(db, "stations", "station_id,站点编号,name,population\nS01,S01,x,1\n")
    assert 'row 1, column "站点编号": means station_id, like column "station_id" before it' in msg


@pytest.mark.parametrize("table", list(records.TABLES))
@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_templates_read_back_as_every_column(table, lang):
    data = template(table, lang)
    assert data.startswith(b"\xef\xbb\xbf")
    header = data[3:].decode("utf-8").strip().split(",")
    assert [importer._map_header(table, h) for h in header] == list(records.TABLES[table])
    if lang != "en":
        assert all(re.search(r"[\u4e00-\u9fff]", h) for h in header)


def test_every_column_has_a_chinese_header():
    for table, cols in records.TABLES.items():
        for col in cols:
            assert re.search(r"[\u4e00-\u9fff]", importer.chinese_header(table, col)), (table, col)


def _xlsx(rows, blank_rows_before=0) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for _ in range(blank_rows_before):
        ws.append([])
    for r in rows:
        ws.append(r)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"   # text that looks like a formula, as a user may type it after an apostrophe
    other = wb.create_sheet("ignored")
    other.append(["not", "read"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_with_chinese_headers_dates_and_numbers(stocked):
    data = _xlsx([
        ["活动编号", "站点编号", "活动日期", "活动类型", "活动名称", "照片数", "参与人数", "活动费用"],
        ["A1", "S01", datetime(2024, 3, 5), "小组", "=HYPERLINK(\"x\")", 3, 12.0, 800],
        [101, "S02", "2024/3/6", "宣传", "宣传日", 0, 40, 99.5],
    ])
    report = import_file(stocked, "activities", data, "acts.xlsx")
    assert report.ok, report.errors
    rows = stocked.execute("SELECT activity_id, held_on, kind, title, photos, headcount, cost FROM activities "
                           "ORDER BY activity_id").fetchall()
    assert rows == [("101", date(2024, 3, 6), "publicity", "宣传日", 0, 40, 99.5),
                    ("A1", date(2024, 3, 5), "group", '=HYPERLINK("x")', 3, 12, 800.0)]


def test_xlsx_rows_numbered_as_excel_shows_them(stocked):
    data = _xlsx([["station_id", "name", "population"], ["S09", "x", 10], [], ["S10", "y", "many"]],
                 blank_rows_before=2)
    msg = one(stocked, "stations", data, "s.xlsx")
    assert msg == 's.xlsx, row 6, column "population", value "many": expected a whole number of at least 1'


def test_xlsx_rounded_id_and_date_typed_as_number(stocked):
    data = _xlsx([["station_id", "name", "population"], [1.5e17 + 0.5, "x", 10]])
    assert "Excel turned it into a rounded number" in one(stocked, "stations", data, "s.xlsx")
    data = _xlsx([["need_id", "station_id", "category", "raised_on", "urgency", "status"],
                  ["N7", "S01", "health", 45000, 3, "open"]])
    assert "the cell holds a number: format it as a date" in one(stocked, "needs", data, "n.xlsx")


def test_damaged_xlsx(stocked):
    data = _xlsx([["station_id", "name", "population"], ["S09", "x", 10]])
    assert "is not a readable .xlsx workbook" in one(stocked, "stations", data[: len(data) // 2], "s.xlsx")


# ---------------------------------------------------------------- pseudonyms

def test_pseudonyms_are_stable_and_no_raw_id_is_stored(stocked):
    raw = ["620102199001011234", "张三-0001", "R000123"]
    res = "resident_id,station_id,age_band,priority_group\n" + "".join(
        f"{r},S01,60-79岁,独居老人\n" for r in raw)
    acts = "activity_id,station_id,held_on,kind\nA1,S01,2024-03-05,group\n"
    att = "activity_id,resident_id\n" + "".join(f"A1,{r}\n" for r in raw)
    fb = "feedback_id,station_id,resident_id,given_on,channel,rating\n" + "".join(
        f"F{i},S01,{r},2024-03-09,热线,5\n" for i, r in enumerate(raw))
    plan = check_many(stocked, [("residents", res.encode(), "r.csv"), ("activities", acts.encode(), "a.csv"),
                                ("attendance", att.encode(), "t.csv"), ("feedback", fb.encode(), "fb.csv")])
    assert plan.ok, plan.problems
    apply(stocked, plan)
    salt = records.get_meta(stocked, "resident_salt")
    assert salt and len(salt) == 32
    expected = sorted(importer.pseudonym(salt, r) for r in raw)   # R000123 is hashed too: this is not a demo DB
    for table in ("residents", "attendance", "feedback"):
        got = sorted(r[0] for r in stocked.execute(f"SELECT resident_id FROM {table}").fetchall())
        assert got == expected and all(re.fullmatch(r"R[0-9a-f]{12}", g) for g in got)
    dump = repr([stocked.execute(f'SELECT * FROM "{t}"').fetchall() for t in records.TABLES])
    assert not any(r in dump for r in raw)
    assert stocked.execute("SELECT age_band, priority_group FROM residents LIMIT 1").fetchall() == [("60-79", "elderly_alone")]
    # the same raw ids again: nothing new (the pseudonyms match), and the salt is not replaced
    before = state(stocked)
    again = check_many(stocked, [("residents", res.encode(), "r.csv"), ("attendance", att.encode(), "t.csv")])
    assert again.ok and again.inserting == 0 and again.skipped == 6
    apply(stocked, again)
    assert state(stocked) == before
    # a pseudonym written back (e.g. from an export of this database) is kept as it is
    fb2 = f"feedback_id,station_id,resident_id,given_on,channel,rating\nF9,S01,{expected[0]},2024-03-10,survey,4\n"
    assert import_file(stocked, "feedback", fb2.encode(), "fb2.csv").ok
    assert stocked.execute("SELECT resident_id FROM feedback WHERE feedback_id = 'F9'").fetchall() == [(expected[0],)]


def test_demo_ids_are_kept_only_in_a_demo_database(tmp_path):
    con = records.connect(tmp_path / "d.duckdb")
    records.create_schema(con)
    con.execute("INSERT INTO meta VALUES ('kind', 'demo')")
    import_file(con, "stations", STATIONS.encode(), "s.csv")
    assert import_file(con, "residents", b"resident_id,station_id\nR000123,S01\nX9,S01\n", "r.csv").ok
    got = sorted(r[0] for r in con.execute("SELECT resident_id FROM residents").fetchall())
    assert got[0] == "R000123" and re.fullmatch(r"R[0-9a-f]{12}", got[1])
    con.close()


def test_different_databases_get_different_salts(tmp_path):
    pseud = []
    for n in range(2):
        con = records.connect(tmp_path / f"{n}.duckdb")
        records.create_schema(con)
        import_file(con, "stations", STATIONS.encode(), "s.csv")
        import_file(con, "residents", b"resident_id,station_id\nP1,S01\n", "r.csv")
        pseud.append(con.execute("SELECT resident_id FROM residents").fetchall()[0][0])
        con.close()
    assert pseud[0] != pseud[1]


# ---------------------------------------------------------------- plan life cycle

def test_database_changed_between_check_and_apply(stocked):
    text = NEEDS_HEAD + "N7,S01,health,t,survey,2024-05-01,3,1,open,\n"
    plan = check(stocked, "needs", text.encode(), "n.csv")
    assert import_file(stocked, "needs", text.encode(), "n2.csv").inserted == 1
    before = state(stocked)
    with pytest.raises(importer.StaleImport, match="since the file was checked"):
        apply(stocked, plan)
    assert state(stocked) == before


def test_progress_is_reported_in_chunks(stocked, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 7)
    text = NEEDS_HEAD + "".join(f"N{i},S01,health,t,survey,2024-05-01,3,1,open,\n" for i in range(100, 130))
    seen = []
    apply(stocked, check(stocked, "needs", text.encode()), lambda done, total: seen.append((done, total)))
    assert seen == [(7, 30), (14, 30), (21, 30), (28, 30), (30, 30)]


def test_errors_are_input_errors():
    assert issubclass(ImportProblems, InputError) and issubclass(importer.StaleImport, ImportProblems)


def test_the_demo_csvs_import_cleanly_and_score_like_the_demo(demo_db, tmp_path):
    con = records.connect(tmp_path / "real.duckdb")
    records.create_schema(con)
    demo = records.DEMO_DIR
    # indicator_values.csv is a header only: the demo holds no values from elsewhere (an empty file is refused)
    plan = check_many(con, [(t, demo / f"{t}.csv") for t in records.LOAD_ORDER if t != "indicator_values"])
    assert plan.ok, plan.problems[:5]
    apply(con, plan)
    ref = records.connect(demo_db, read_only=True)
    assert records.table_counts(con) == records.table_counts(ref)
    from indicators.scheme import catalog
    from indicators.scoring.engine import score
    for name in catalog.BUILTINS:
        scheme = catalog.builtin(name)
        a, b = score(con, scheme), score(ref, scheme)
        assert (a.rank == b.rank).all() and (a.total - b.total).abs().max() < 1e-9
    ref.close()
    con.close()


# ---------------------------------------------------------------- the CLI subcommand

def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """Through the real entry point, so the wiring in indicators.cli.main is tested too."""
    from indicators.cli.main import main
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_import(capsys, tmp_path):
    db = tmp_path / "new.duckdb"
    (tmp_path / "stations.csv").write_text(STATIONS, encoding="utf-8")
    (tmp_path / "needs.csv").write_text(NEEDS, encoding="gbk")
    code, out, err = run_cli(capsys, "import", "--db", str(db), str(tmp_path / "stations.csv"), str(tmp_path / "needs.csv"))
    assert code == 0, err
    assert "stations: inserted 2, skipped 0" in out and "needs: inserted 3, skipped 0" in out
    code, out, _ = run_cli(capsys, "import", "--db", str(db), "--table", "needs", str(tmp_path / "needs.csv"))
    assert code == 0 and "needs: inserted 0, skipped 3" in out
    con = records.connect(db)
    before = state(con)
    con.close()
    bad = tmp_path / "bad.csv"
    bad.write_text(NEEDS_HEAD + "N7,S01,health,t,survey,2024-05-01,3,1,open,\nN8,S01,health,t,survey,someday,9,1,open,\n")
    code, out, err = run_cli(capsys, "import", "--db", str(db), "--table", "needs", str(bad))
    assert code == 2
    assert 'bad.csv, row 3, column "raised_on", value "someday"' in err
    assert 'bad.csv, row 3, column "urgency", value "9"' in err
    con = records.connect(db)
    assert state(con) == before
    con.close()


def test_cli_import_failure_leaves_no_new_database(capsys, tmp_path):
    bad = tmp_path / "stations.csv"
    bad.write_text("station_id,name,population\nS1,x,zero\n")
    db = tmp_path / "never.duckdb"
    code, _, err = run_cli(capsys, "import", "--db", str(db), str(bad))
    assert code == 2 and "expected a whole number" in err and not db.exists()
    code, _, err = run_cli(capsys, "import", "--db", str(db), str(tmp_path / "mystery.csv"))
    assert code == 2 and "cannot tell which table" in err


# ---------------------------------------------------------------- vocabularies: Chinese labels stored as codes

def _needs_csv(category: str) -> bytes:
    return ("需求编号,站点编号,需求类别,标题,来源,提出日期,紧急程度,状态,解决日期\n"
            f"N1,S01,{category},楼道扶手,议事会,2024-03-01,4,已解决,2024-03-20\n").encode("utf-8")


@pytest.mark.parametrize("label, code", [("养老照护", "elderly_care"), ("养老", "elderly_care"),
                                         ("助残服务", "disability_support"), ("无障碍", "accessibility"),
                                         ("邻里纠纷", "neighbour_dispute"), ("Elderly care", "elderly_care")])
def test_a_need_category_label_is_stored_as_its_code(tmp_path, label, code):
    from tests.conftest import make_db, station
    con = make_db(tmp_path / "v.duckdb", {"stations": [station("S01")]})
    try:
        report = importer.import_file(con, "needs", _needs_csv(label), "needs.csv")
        assert report.inserted == 1, report
        rows = con.execute("SELECT category, source, status FROM needs").fetchall()
        assert rows == [(code, "council", "resolved")]
    finally:
        con.close()


def test_every_vocabulary_label_maps_to_one_of_its_codes():
    from indicators.records import vocabulary
    from indicators.records.store import VOCABULARIES
    assert set(vocabulary.WORDS) == set(VOCABULARIES)          # one table of words per vocabulary column
    for key, codes in VOCABULARIES.items():
        assert set(vocabulary.WORDS[key]) == set(codes), key     # every code has a label, no stray code
        assert set(vocabulary.accepted(*key).values()) <= set(codes)


@pytest.mark.parametrize("lang, words", [("zh", "应为以下之一：养老照护, 助残服务"), ("en", "expected one of elderly_care")])
def test_an_unknown_category_is_refused_naming_the_allowed_values(tmp_path, lang, words):
    from tests.conftest import make_db, station
    con = make_db(tmp_path / "v.duckdb", {"stations": [station("S01")]})
    try:
        plan = importer.check(con, "needs", _needs_csv("文化娱乐"), "needs.csv")
        assert not plan.ok and plan.problems[0].row == 2 and plan.problems[0].column == "需求类别"
        assert words in plan.problems[0].render(lang)
        assert con.execute("SELECT count(*) FROM needs").fetchall()[0][0] == 0
    finally:
        con.close()
