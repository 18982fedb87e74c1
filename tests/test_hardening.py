"""Hardening of issue 19 (items 4, 6, 7, 8) on hand-made hostile inputs: user text shown as text, control
characters refused at the doors and neutralised on the way out, one set of tree limits for every door, one CSV
writer, a notice PDF that never fails on long names, and a reveal that writes its feedback rows in bulk."""
from __future__ import annotations

import csv
import io
import time
from datetime import date

import dataclasses
import re

import duckdb
import pytest

from indicators.cli.main import main
from indicators.live.meeting import CHANNEL, MeetingStore
from indicators.outputs.export import csv_cell, export_scores
from indicators.outputs.notice import meeting_notice, notice_pdf, round_notice
from indicators.records import store as records
from indicators.scheme import catalog
from indicators.scheme.framework import FrameworkProblems, read_table, write_table
from indicators.scheme.model import SchemeError, load_file, load_yaml, validate
from indicators.scoring.engine import score
from indicators.scoring.measures import Period
from indicators.text_safety import plain
from tests import hostile
from tests.conftest import make_db, station

PERIOD = Period(date(2024, 1, 1), date(2024, 6, 30))


# ---------------------------------------------------------------- item 8: the reveal writes in bulk

def _big_meeting(tiny, n_items: int = 30, n_codes: int = 500):
    """A meeting of 30 needs with 500 codes, every code having answered every item: 15,000 feedback rows. The
    votes are written straight into meeting_votes (casting 15,000 through vote() would time the votes, not the
    reveal)."""
    needs = [{"need_id": f"N{k:02d}", "station_id": "S1", "category": "elderly_care", "title": f"需求{k}",
              "source": "survey", "raised_on": "2024-02-01", "urgency": 3, "households_affected": 2,
              "status": "resolved", "resolved_on": "2024-04-01"} for k in range(n_items)]
    con = tiny({"stations": [station("S1"), station("S2")], "needs": needs})
    ms = MeetingStore(con)
    mt = ms.create("S1", PERIOD, [("need", n["need_id"]) for n in needs], n_codes, title="big")
    con.execute("""INSERT INTO meeting_votes SELECT ?, 'h' || c, i, CASE (c + i) % 3 WHEN 0 THEN 'yes' WHEN 1 THEN 'no'
                   ELSE 'unsure' END, 1 + (c * i) % 5, CASE WHEN c % 50 = 0 THEN 'comment ' || c END, now()
                   FROM range(?) t(c), range(?) u(i)""", [mt.code, n_codes, n_items])
    return con, ms, mt


def test_a_reveal_of_15000_rows_writes_them_in_bulk_within_a_second(tiny):
    con, ms, mt = _big_meeting(tiny)
    # CPU seconds of this process (DuckDB's threads included), not wall: at load average 12 the same reveal took
    # 2.3 s of wall time; the point is that the rows go in bulk, not one statement each
    t0 = time.process_time()
    out = ms.reveal(mt.code, mt.key, on=date(2024, 6, 30))
    took = time.process_time() - t0
    n = con.execute("SELECT count(*), count(DISTINCT feedback_id), count(comment) FROM feedback WHERE channel = ?",
                    [CHANNEL]).fetchall()[0]
    print(f"\nreveal: {n[0]:,} feedback rows written in {took:.2f} s of CPU (scoring before and after included)")
    assert out["turnout"] == 500 and n[0] == n[1] == 15_000 and n[2] == 30 * 10
    assert took <= 1.0   # goal 1 s (0.43 s measured); one statement a row costs several seconds


# ---------------------------------------------------------------- item 4: user text is text

HOSTILE_TEXT = ["[x](http://evil.example)", "![](http://evil.example/a.png)", "<img src=x onerror=alert(1)>",
                "**bold** _it_ `code`", "# heading", "1. list", "- item", ":red[red] :material/lock: :smile:",
                "$x^2$", "http://evil.example/bare www.evil.example", "a\\*b", "&amp; &lt;b&gt;", "> quote",
                "| a | b |", "~~gone~~", "<https://evil.example>", "line one\nline two", "名称（含[链接](http://x)）"]
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_PUNCT = re.compile(r"[!-/:-@\[-`{-~]")


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_plain_escapes_every_markdown_and_html_sign(text):
    got = plain(text)
    # every ASCII punctuation sign comes escaped (CommonMark shows a backslash-escaped sign as written, so no link,
    # image, HTML, emphasis, list, emoji code or formula can start), and taking the backslashes off gives the text
    i = 0
    while i < len(got):
        if got[i] == "\\":
            assert _PUNCT.fullmatch(got[i + 1]), (got, i)
            i += 2
        else:
            assert not _PUNCT.fullmatch(got[i]), (got, i)
            i += 1
    assert _UNESCAPE.sub(r"\1", got) == text.replace("\n", "  \n")


def test_plain_keeps_no_control_character():
    assert plain("a\x1b[31mb\u202ec") == "a\ufffd\\[31mb\ufffdc" and plain(None) == ""


def test_a_meeting_title_and_item_in_markdown_show_as_written_on_the_phone(db):
    from indicators.records import store as records
    from streamlit.testing.v1 import AppTest
    from tests.test_app import ROOT, assert_clean
    con = records.connect(db)
    ms = MeetingStore(con)
    cand = ms.candidates("S01", Period(date(2020, 1, 1), date(2030, 12, 31)))
    kind, iid = cand["kind"].iloc[0], cand["id"].iloc[0]
    title, item_title = "[x](http://evil.example)", "![](http://evil.example/a.png)"
    if kind == "need":
        con.execute("UPDATE needs SET title = ? WHERE need_id = ?", [item_title, iid])
    else:
        con.execute("UPDATE activities SET title = ? WHERE activity_id = ?", [item_title, iid])
    mt = ms.create("S01", Period(date(2020, 1, 1), date(2030, 12, 31)), [(kind, iid)], 1, title=title)
    con.close()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.context["locale"] = "en-US"
    at.query_params["m"], at.query_params["v"] = mt.code, mt.vote_codes[0]
    at.run()
    at.switch_page("app_pages/vote.py").run()
    assert_clean(at)
    shown_md = [m.value for m in at.markdown] + [s.value for s in at.subheader]
    assert any(plain(title) in v for v in shown_md), shown_md
    assert any(plain(item_title) in v for v in shown_md), shown_md
    # nothing reaches the page as live Markdown: every "](" and "http:" is escaped
    assert not any(re.search(r"(?<!\\)\]\(|(?<!\\)http:", v) for v in shown_md)


# ---------------------------------------------------------------- item 4: control characters at the doors

CONTROLS = ["\x1b[31m", "\u202e", "\u2066", "\x85", "\x00", "\x07", "\u202a"]


def _yaml_with(field_line: str, text: str) -> str:
    return hostile.BASE.replace(field_line, field_line.split(":")[0] + ": " + _yq(text), 1)


def _yq(text: str) -> str:   # a YAML double-quoted string: controls written as escapes
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in text) + '"'


@pytest.mark.parametrize("ch", CONTROLS)
def test_a_scheme_file_with_a_control_character_in_a_name_is_refused_naming_the_field(ch, tmp_path, capsys):
    first_name = next(line for line in hostile.BASE.splitlines() if line.strip().startswith("name_en:")
                      and line.startswith("    "))   # the first dimension's or indicator's
    path = tmp_path / "s.yaml"
    path.write_text(_yaml_with(first_name, f"Safe{ch}name"), encoding="utf-8")
    db = tmp_path / "x.duckdb"
    con = make_db(db, {"stations": [station("S1")]})
    con.close()
    before = db.read_bytes()
    code = main(["score", "--db", str(db), "--scheme", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "name_en" in err and "character 5 is an invisible special character" in err, err
    assert db.read_bytes() == before


def test_a_rationale_may_run_over_lines_but_a_name_may_not(tmp_path):
    base = load_yaml(hostile.BASE)
    ind = base.dimensions[0].indicators[0]
    ok = dataclasses.replace(ind, rationale_zh="第一行\n第二行\t制表")
    validate(dataclasses.replace(base, dimensions=(dataclasses.replace(base.dimensions[0], indicators=(
        ok, *base.dimensions[0].indicators[1:])), *base.dimensions[1:])))
    bad = dataclasses.replace(ind, name_zh="名称\n换行")
    with pytest.raises(SchemeError) as exc:
        validate(dataclasses.replace(base, dimensions=(dataclasses.replace(base.dimensions[0], indicators=(
            bad, *base.dimensions[0].indicators[1:])), *base.dimensions[1:])))
    assert exc.value.field == "dimensions[0].indicators[0].name_zh" and exc.value.code == "scheme.control"


@pytest.mark.parametrize("column,ch", [("name_zh", "\u202e"), ("name_en", "\x1b"), ("code", "\u2066"),
                                       ("criteria", "\x07"), ("unit", "\x85")])
def test_a_framework_cell_with_a_control_character_is_refused_by_row_and_column(column, ch, tmp_path, capsys):
    path, out = tmp_path / "t.csv", tmp_path / "t.yaml"
    path.write_text(hostile.framework_csv({4: {column: f"ab{ch}cd"}}), encoding="utf-8")
    code = main(["scheme", "import", str(path), "--out", str(out), "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2 and "row 4" in err and f'"{column}"' in err and "control character" in err, err
    assert not out.exists()


def test_a_framework_title_row_with_a_control_character_is_refused(tmp_path):
    data = "评估表\u202e标题\n" + hostile.framework_csv({})
    with pytest.raises(FrameworkProblems) as exc:
        read_table(data.encode(), "t.csv")
    assert [p.row for p in exc.value.problems] == [1] and exc.value.problems[0].code == "framework.control"


# ---------------------------------------------------------------- item 6: one set of tree limits, in linear time

def _chain(n: int, leaves: int = 1) -> bytes:
    rows = [["code", "name", "level", "parent", "weight"]]
    rows += [[f"d{k}", f"维度{k}", "", f"d{k - 1}" if k else "", "1"] for k in range(n)]
    rows += [[f"i{j}", f"指标{j}", "1", f"d{n - 1}", "1"] for j in range(leaves)]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode()


@pytest.mark.parametrize("n", [23, 300, 20_000])
def test_a_long_parent_chain_is_refused_by_the_depth_limit_at_once(n, tmp_path, capsys):
    path, out = tmp_path / "chain.csv", tmp_path / "chain.yaml"
    path.write_bytes(_chain(n))
    t0 = time.process_time()
    code = main(["scheme", "import", str(path), "--out", str(out), "--lang", "en"])
    took = time.process_time() - t0
    err = capsys.readouterr().err
    print(f"\n{n:,}-long chain refused in {took * 1000:.0f} ms CPU")
    assert code == 2 and "more than 10 levels" in err and "row 12" in err and "Recursion" not in err, err
    assert not out.exists() and took < 1.0


def test_nine_dimension_levels_load_and_ten_do_not():
    assert read_table(_chain(9), "t.csv").levels() == 9
    with pytest.raises(FrameworkProblems) as exc:
        read_table(_chain(10), "t.csv")
    assert exc.value.problems[0].code == "framework.too_deep"


def test_a_loop_in_the_parent_column_is_said_once():
    data = b"code,name,level,parent,weight\na,a,,c,1\nb,b,,a,1\nc,c,,b,1\ni,i,1,c,1\n"
    with pytest.raises(FrameworkProblems) as exc:
        read_table(data, "t.csv")
    assert [p.code for p in exc.value.problems] == ["framework.loop"]


@pytest.mark.parametrize("n,ok", [(1_999, True), (2_001, False), (10_000, False)])
def test_the_node_limit_and_a_table_that_passes_loads_back(n, ok, tmp_path, capsys):
    rows = "code,name,level,parent,weight\nd,维度,,,1\n" + "".join(f"i{j},{'指标名称' * 10}{j},1,d,1\n"
                                                                for j in range(n - 1))
    path, out = tmp_path / "many.csv", tmp_path / "many.yaml"
    path.write_text(rows, encoding="utf-8")
    t0 = time.process_time()
    code = main(["scheme", "import", str(path), "--out", str(out), "--lang", "en"])
    took = time.process_time() - t0
    err = capsys.readouterr().err
    print(f"\n{n:,} nodes: exit {code} in {took:.2f} s CPU")
    if ok:
        assert code == 0, err
        assert len(load_file(out).indicators) == n - 1   # what one door accepts, the file door loads
    else:
        assert code == 2 and "at most 2,000" in err and not out.exists() and took < 1.0, err


def test_a_scheme_file_of_eleven_levels_is_refused_by_the_same_limit(tmp_path):
    def level(k: int, indent: str) -> str:
        if k == 0:
            return (f"{indent}- id: i\n{indent}  name_zh: i\n{indent}  name_en: i\n{indent}  camp: output\n"
                    f"{indent}  measure: {{kind: value}}\n{indent}  weight: 1\n")
        head = f"{indent}- id: d{k}\n{indent}  name_zh: d\n{indent}  name_en: d\n{indent}  weight: 1\n"
        below = f"{indent}  indicators:\n" if k == 1 else f"{indent}  dimensions:\n"
        return head + below + level(k - 1, indent + "    ")

    def scheme(levels: int) -> str:
        return "id: deep\nname_zh: d\nname_en: d\ndimensions:\n" + level(levels - 1, "  ")
    assert load_yaml(scheme(10)).levels() == 9
    with pytest.raises(SchemeError) as exc:
        load_yaml(scheme(11))
    assert exc.value.code == "scheme.too_many_levels"


def test_a_saved_scheme_past_the_limits_is_refused_from_the_database_too(tmp_path):
    con = make_db(tmp_path / "x.duckdb", {"stations": [station("S1")]})
    catalog.save(con, dataclasses.replace(catalog.builtin("needs-met"), id="copy"), saved_by="t")
    # a tree of 2,001 nodes written into the table by hand (as an older version could have saved it)
    body = "".join(f"      - id: x{k}\n        name_zh: x\n        name_en: x\n        camp: output\n"
                   f"        measure: {{kind: value}}\n        weight: 1\n" for k in range(2_001))
    big = ("id: copy\nname_zh: n\nname_en: n\ndimensions:\n  - id: d\n    name_zh: d\n    name_en: d\n"
           "    weight: 1\n    indicators:\n" + body)
    con.execute("UPDATE schemes SET yaml = ? WHERE scheme_id = 'copy'", [big])
    with pytest.raises(SchemeError) as exc:
        catalog.resolve("copy", con)
    assert exc.value.code == "scheme.too_many_nodes"
    con.close()


# ---------------------------------------------------------------- item 7: one CSV writer

BREAKS = {"CR": "\r", "LF": "\n", "CRLF": "\r\n", "U+2028": "\u2028", "U+2029": "\u2029"}
_LINE = re.compile(r"\r\n|[\r\n\u2028\u2029]")


def _named_db(tmp_path, names: list[str]):
    con = make_db(tmp_path / "x.duckdb", {"stations": [station(f"S{k}", name=n, name_en=n)
                                                       for k, n in enumerate(names)]})
    con.close()
    return tmp_path / "x.duckdb"


def _no_line_starts_a_formula(text: str) -> None:
    """Read as a naive reader would (a row at every break of any kind): no line starts with a formula sign."""
    for line in _LINE.split(text):
        assert not line.lstrip('"').startswith(("=", "+", "@")), repr(line)


@pytest.mark.parametrize("brk", BREAKS)
def test_score_csv_quotes_a_name_with_a_break_and_starts_no_row_with_a_formula(brk, tmp_path, capsys):
    names = [f"x{BREAKS[brk]}=1+1", f"y{BREAKS[brk]}@SUM(A1)", "=1+1", "plain"]
    db = _named_db(tmp_path, names)
    code = main(["score", "--db", str(db), "--scheme", "photo-count", "--format", "csv"])
    out = capsys.readouterr().out
    assert code == 0
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert len(rows) == 1 + len(names)   # a break inside a name ends no row
    got = {r[0]: r[2] for r in rows[1:]}   # station_id, name_en, name, ...
    assert got["S0"] == f"x{BREAKS[brk]}'=1+1" and got["S2"] == "'=1+1" and got["S3"] == "plain"
    _no_line_starts_a_formula(out)


@pytest.mark.parametrize("brk", BREAKS)
def test_the_export_csv_and_the_framework_csv_go_through_the_same_writer(brk, tmp_path):
    db = _named_db(tmp_path, [f"x{BREAKS[brk]}=1+1", "b"])
    con = records.connect(db, read_only=True)
    result = score(con, catalog.builtin("photo-count"))
    con.close()
    path = export_scores(result, tmp_path / "out.csv", lang="en")
    text = path.read_bytes().decode("utf-8-sig")   # as written: read_text would turn CR into LF
    _no_line_starts_a_formula(text)
    assert any(f"x{BREAKS[brk]}'=1+1" in c for r in csv.reader(io.StringIO(text, newline="")) for c in r)
    # a framework table keeps a rule's lines as written (the import reads them back), quoted
    base = catalog.builtin("needs-met")
    ind = dataclasses.replace(base.dimensions[0].indicators[0], rationale_zh=f"第一行{BREAKS[brk]}-每缺一次扣1分")
    s = dataclasses.replace(base, dimensions=(dataclasses.replace(base.dimensions[0], indicators=(
        ind, *base.dimensions[0].indicators[1:])), *base.dimensions[1:]))
    data = write_table(s, "csv")
    assert read_table(data, "t.csv").dimensions[0].indicators[0].rationale_zh == ind.rationale_zh


def test_csv_cell_by_hand():
    assert csv_cell("x\r=1+1") == '"x\r\'=1+1"' and csv_cell("a,b") == '"a,b"'
    assert csv_cell('say "hi"') == '"say ""hi"""'
    assert csv_cell(" =1") == "' =1" and csv_cell("a\u202eb") == "a\ufffdb" and csv_cell(1.5) == "1.5"
    assert csv_cell(float("nan")) == "" and csv_cell(None) == "" and csv_cell(3) == "3"
    assert csv_cell(2.0, "%.2f") == "2.00" and csv_cell("x\n-1", lines=False) == '"x\n-1"'


def test_terminal_tables_and_workbooks_show_control_characters_replaced(tmp_path, capsys):
    db = _named_db(tmp_path, ["\x1b[2J\x1b[31mred", "abc\u202egnp.exe", "two\nlines"])
    assert main(["score", "--db", str(db), "--scheme", "photo-count", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "two lines" in out
    con = records.connect(db, read_only=True)
    result = score(con, catalog.builtin("photo-count"))
    con.close()
    import openpyxl
    wb = openpyxl.load_workbook(export_scores(result, tmp_path / "o.xlsx", lang="en"))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "abc\ufffdgnp.exe" in cells and not any("\u202e" in c or "\x1b" in c for c in cells)


# ---------------------------------------------------------------- item 8: the notice PDF and long names

@pytest.mark.parametrize("n", [1_500, 20_000])
@pytest.mark.parametrize("field", ["station_name_en", "station_name_zh", "title", "item"])
def test_the_notice_pdf_cuts_a_long_name_and_never_fails(field, n):
    from pypdf import PdfReader

    from tests.test_notice import ISSUED, OBJ, item, summary
    long = ("站" if field.endswith("zh") or field == "item" else "x") * n
    over = {"items": [item(long, 10, 6, 3, 1, 9, 4.0, 3)]} if field == "item" else {field: long}
    for lang in ("zh", "en"):
        data = notice_pdf(meeting_notice(summary(**over), lang, OBJ, issued_on=ISSUED))
        reader = PdfReader(io.BytesIO(data))
        text = "".join(p.extract_text() for p in reader.pages)
        assert len(reader.pages) == 1
        if field == "station_name_en" and lang == "zh":   # a Chinese notice names the station in Chinese only
            assert "x" * 50 not in text
        else:
            assert "…" in text


def test_the_round_notice_pdf_with_long_indicator_and_station_names(tmp_path):
    db = _named_db(tmp_path, ["站" * 3000, "b"])
    con = records.connect(db, read_only=True)
    base = catalog.builtin("photo-count")
    d = base.dimensions[0]
    s = dataclasses.replace(base, dimensions=(dataclasses.replace(d, name_zh="维" * 2000, indicators=tuple(
        dataclasses.replace(i, name_zh="指" * 2000, name_en="w " * 1000) for i in d.indicators)), *base.dimensions[1:]))
    result = score(con, s)
    con.close()
    for lang in ("zh", "en"):
        data = notice_pdf(round_notice(result, "S0", lang, {"issuer": "局" * 100, "contact": "电" * 150,
                                                                 "deadline": date(2030, 1, 9)},
                                       issued_on=date(2030, 1, 2)))
        assert data.startswith(b"%PDF")


@pytest.mark.parametrize("ch, column", [("\r", "name"), ("\t", "name"), ("\n", "station_id"), ("\u202e", "name"), ("\x85", "district"),
                                        ("\u2066", "comment")])
def test_a_ledger_cell_with_a_control_character_is_refused_at_the_door(ch, column, tmp_path, capsys):
    """A station name "x\\r=1+1" is refused on import, naming row and column, and nothing is written; a comment
    (free text) may run over lines but carries no bidi override."""
    from indicators.cli.main import main
    db = tmp_path / "r.duckdb"
    assert main(["demo", "--db", str(db)]) == 0
    capsys.readouterr()
    if column == "comment":
        head, row = ("feedback_id,station_id,given_on,channel,rating,comment",
                     f"F9,S01,2024-05-01,survey,4,ok{ch}=1+1")
        table, ok = "feedback", "F8"
    else:
        cells = {"station_id": "S99", "name": "新站", "district": "城关区", "population": "1000"}
        cells[column] = f"x{ch}=1+1"
        head, row = ",".join(cells), ",".join(f'"{v}"' for v in cells.values())
        table, ok = "stations", None
    (tmp_path / "bad.csv").write_text(f"{head}\n{row}\n", encoding="utf-8")
    assert main(["import", "--db", str(db), "--table", table, str(tmp_path / "bad.csv"), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "row 2" in err and "control character" in err
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM stations WHERE station_id = 'S99'").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM feedback WHERE feedback_id = 'F9'").fetchall() == [(0,)]
    finally:
        con.close()
    if ok:   # a line break inside free text is text
        (tmp_path / "ok.csv").write_text(f'{head}\n{ok},S01,2024-05-01,survey,4,"第一行\n第二行"\n', encoding="utf-8")
        assert main(["import", "--db", str(db), "--table", table, str(tmp_path / "ok.csv")]) == 0
