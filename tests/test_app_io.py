"""Real records in, results out, in the app: the import panel of the Records page (template, upload, preview,
check, import, stale imports, size limits), the download buttons of Scores and Compare, and the Schemes page's
"your name" input and change history.

The panel's decisions are pure functions of bytes and a connection (app_pages/records_import.py) and are tested
directly with real CSV and XLSX bytes; AppTest drives the page itself (its file_uploader takes bytes) to check that
the panel is drawn in both languages, that nothing is written while a problem remains, and that a clean import
writes, clears the cached counts and scores, and empties the uploader. Each test builds its own demo database.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from app_pages import frame, records_import as ri
from indicators.scheme import catalog
from indicators.records import importer
from indicators.records import store as records
from indicators.scoring import engine as scoring
from indicators.i18n import t, term
from indicators.scoring.measures import Period
from tests.test_app import assert_clean, open_app
from tests.conftest import TEST_LEAD

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")

STATION_NEW = ("站点编号,站点名称,服务人口,所属区县\n"
               "S90,新港街道社工站,8800,城关区\n")
NEEDS_NEW = ("需求编号,站点编号,需求类别,提出日期,紧急程度,处理状态,解决日期\n"
             "N9001,S90,elderly_care,2024-05-01,4,已解决,2024-05-20\n"
             "N9002,S90,health,2024/6/3,3,待处理,\n")
NEEDS_BAD = ("需求编号,站点编号,需求类别,提出日期,紧急程度,处理状态,解决日期\n"
             "N9101,S01,elderly_care,2024-13-01,4,open,\n"          # no 13th month
             "N9102,S01,health,2024-03-01,7,open,\n"                # urgency is 1-5
             "N9103,S77,health,2024-03-01,3,open,\n"                # no station S77
             "N9104,S01,health,2024-03-01,3,已解决,\n"               # resolved without a date
             "N9105,S01,health,2024-03-01,3,kinda,\n"               # not a status
             "N9106,S01,,2024-03-01,3,open,\n")                     # required cell empty


@pytest.fixture
def con(db):
    c = records.connect(db)
    yield c
    c.close()


def count(path: Path, table: str) -> int:
    c = records.connect(path, read_only=True)   # the app may hold it open: read beside it
    try:
        return c.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]
    finally:
        c.close()


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    nonce = at.session_state["_io_nonce"] if "_io_nonce" in at.session_state else 0
    at.file_uploader(key=f"io_files:{nonce}").set_value([(n, b, "text/csv") for n, b in files]).run()
    return at


# ---------------------------------------------------------------- the panel's pure functions

def test_template_has_the_headers_in_the_language_and_names_the_table():
    name, data = ri.template_file("needs", "zh")
    assert name == "needs_template_zh.csv" and data.startswith(b"\xef\xbb\xbf")
    head = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert head[:3] == ["需求编号", "站点编号", "需求类别"]
    assert next(csv.reader(io.StringIO(ri.template_file("needs", "en")[1].decode("utf-8-sig"))))[0] == "need_id"
    assert ri.guess_table(name, "stations") == "needs"          # a filled-in template is recognised by its name
    assert ri.guess_table("活动记录2024.xlsx", "stations") == "activities"
    assert ri.guess_table("签到表.csv", "stations") == "attendance"
    assert ri.guess_table("report.csv", "ratings") == "ratings"


def test_a_bad_file_lists_every_problem_by_row_and_column_and_writes_nothing(con):
    before = con.execute("SELECT count(*) FROM needs").fetchall()[0][0]
    plan = ri.check_uploads(con, "needs", [("needs_bad.csv", NEEDS_BAD.encode("utf-8"))])
    assert not plan.ok and plan.problem_total == 6
    en = ri.problems_table(plan, "en")
    assert list(en.columns) == ["File", "Row", "Column", "Value", "What is wrong / expected"]
    by_row = {r["Row"]: r for r in en.to_dict("records")}
    assert sorted(by_row) == [2, 3, 4, 5, 6, 7]                # spreadsheet rows: the header is row 1
    assert by_row[2]["Column"] == "提出日期" and by_row[2]["Value"] == "2024-13-01"
    assert by_row[3]["Column"] == "紧急程度" and "from 1 to 5" in by_row[3]["What is wrong / expected"]
    assert by_row[4]["Value"] == "S77" and "station" in by_row[4]["What is wrong / expected"]
    assert by_row[5]["Column"] == "解决日期" and by_row[5]["Value"] == "∅"      # an empty cell is shown as such
    assert by_row[7]["Column"] == "需求类别"
    # in Chinese: the headers, the summary line and every one of these messages
    zh = ri.problems_table(plan, "zh")
    assert list(zh.columns) == ["文件", "行", "列", "值", "问题 / 应为"]
    assert all(CJK.search(m) for m in zh["问题 / 应为"]), list(zh["问题 / 应为"])
    assert "1到5的整数" in zh.set_index("行").at[3, "问题 / 应为"]
    assert ri.summary_line(plan, "zh") == "needs_bad.csv：发现6个问题，未导入任何记录。请修改文件后重新上传。"
    assert ri.summary_line(plan, "en").startswith("needs_bad.csv: 6 problem(s); nothing was imported")
    csv_text = ri.problems_csv(plan, "zh").decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "文件,行,列,值,问题 / 应为" and len(csv_text.splitlines()) == 7
    with pytest.raises(importer.ImportProblems):
        importer.apply(con, plan)
    assert con.execute("SELECT count(*) FROM needs").fetchall()[0][0] == before


def test_files_checked_together_meet_each_others_references(con):
    needs_only = ri.check_uploads(con, "needs", [("needs.csv", NEEDS_NEW.encode())])
    assert not needs_only.ok and all(p.value == "S90" for p in needs_only.problems)
    files = [("needs.csv", NEEDS_NEW.encode()), ("stations.xlsx", xlsx_bytes(
        [["站点编号", "站点名称", "服务人口", "所属区县"], ["S90", "新港街道社工站", 8800, "城关区"]]))]
    tables = [ri.guess_table(n, "needs") for n, _ in files]
    assert tables == ["needs", "stations"]
    plan = ri.check_uploads(con, "needs", files, tables)
    assert plan.ok and plan.inserting == 3 and plan.skipped == 0
    assert ri.import_label(plan, "en") == "Import 3 rows (0 already present will be skipped)"
    assert ri.import_label(plan, "zh") == "导入3行（0行已存在，将跳过）"
    parts = ri.parts_table(plan, "en").set_index("File")
    assert parts.at["stations.xlsx", "Table"] == "Stations (stations)" and parts.at["needs.csv", "New"] == 2
    seen = []
    report = importer.apply(con, plan, lambda done, total: seen.append((done, total)))
    assert seen[-1] == (3, 3) and report.by_table == {"stations": (1, 0), "needs": (2, 0)}
    assert ri.done_message(report, "zh").startswith("已导入3行新记录；0行已存在")
    again = ri.check_uploads(con, "needs", files, tables)          # the same files again add nothing
    assert again.ok and again.inserting == 0 and again.skipped == 3


def test_preview_shows_the_first_rows_as_read_with_spreadsheet_row_numbers():
    text = "\n\n" + NEEDS_BAD                                     # empty rows before the header are skipped
    view = ri.preview_frame("n.csv", text.encode("gb18030"), n=3, lang="zh")
    assert list(view.columns[:4]) == ["行", "需求编号", "站点编号", "需求类别"]
    assert list(view["行"]) == [4, 5, 6] and view.iat[0, 4] == "2024-13-01"
    book = xlsx_bytes([["need_id", "station_id", "raised_on"], ["N1", "S01", "2024-03-05"], [None, None, None],
                       ["N2", "S02", 3.0]])
    view = ri.preview_frame("n.xlsx", book, lang="en")
    assert list(view["Row"]) == [2, 4] and list(view["raised_on"]) == ["2024-03-05", "3"]
    assert ri.preview_frame("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64) is None


def test_headers_of_another_table_are_noticed():
    assert ri.suggest_table("x.csv", NEEDS_NEW.encode(), "stations") == "needs"
    assert ri.suggest_table("x.csv", NEEDS_NEW.encode(), "needs") is None
    assert ri.suggest_table("x.csv", b"foo,bar\n1,2\n", "needs") is None


def test_size_limit_is_the_importers_message(con, monkeypatch):
    monkeypatch.setattr(importer, "MAX_BYTES", 2 ** 20)
    big = (STATION_NEW + "\n".join(f"S{i},站{i},100,区" for i in range(100, 80_000))).encode()
    assert len(big) > 2 ** 20
    plan = ri.check_uploads(con, "stations", [("big.csv", big)])
    assert [p.message for p in plan.problems] == ["is more than 1 MB; split the file"]
    assert ri.problems_table(plan, "zh").iat[0, 4] == "超过1 MB，请拆分文件"
    assert ri.preview_frame("big.csv", big) is None


def test_a_stale_plan_is_refused_and_asks_to_check_again(con):
    files = [("stations.csv", STATION_NEW.encode())]
    plan = ri.check_uploads(con, "stations", files)
    importer.apply(con, ri.check_uploads(con, "stations", files))   # someone else imports it first
    with pytest.raises(importer.StaleImport) as exc:
        importer.apply(con, plan)
    assert "check it again" in ri.stale_message(exc.value, "en")
    assert "请重新检查" in ri.stale_message(exc.value, "zh")
    assert con.execute("SELECT count(*) FROM stations WHERE station_id = 'S90'").fetchall()[0][0] == 1


def test_importer_problems_read_in_chinese_by_their_codes():
    from indicators.errors import Word
    cases = [
        (Word("err.import.repeats_key", where=Word("err.import.at.file_row", file="a.csv", row=3)),
         "repeats the key of a.csv row 3; each record may appear once", "与a.csv第3行的编号重复；每条记录只能出现一次"),
        (Word("err.import.missing_refs", rows="12", n="2", table=Word("err.import.table.stations"), sample="S7, S8"),
         "12 rows name 2 stations that are neither in the database nor in this import (S7, S8); import stations "
         "first (or in the same import)",
         "有12行引用的2个社工站既不在数据库中，也不在本次导入中（S7, S8）；请先导入社工站（或在同一次导入中一并上传）"),
    ]
    for words, en, zh in cases:
        problem = importer.Problem("a.csv", 2, "x", "v", words)
        assert (problem.message, problem.render("en"), problem.render("zh")) == (en, en, zh)
    assert importer.Problem("a.csv", 2, None, None, "something new").render("zh") == "something new"   # no code


# ---------------------------------------------------------------- the Records page

@pytest.mark.parametrize("lang", ["en", "zh"])
def test_records_page_has_the_import_panel_in_both_languages(db, lang):
    at = open_app(lang, "records")
    assert_clean(at)
    assert [e.label for e in at.expander][0] == t("io.panel", lang)
    assert at.selectbox(key="io_table").label == t("io.table", lang)
    assert t("io.template", lang, table=t("table.stations", lang)) in [d.label for d in at.get("download_button")]
    at.selectbox(key="io_table").set_value("needs").run()        # the template follows the table
    assert any(t("table.needs", lang) in d.label for d in at.get("download_button"))


def test_upload_with_problems_shows_them_and_writes_nothing(db):
    before = count(db, "needs")
    at = open_app("zh", "records")
    at.selectbox(key="io_table").set_value("needs").run()
    upload(at, ("needs_bad.csv", NEEDS_BAD.encode()))
    assert not at.exception
    assert [e.value for e in at.error] == ["needs_bad.csv：发现6个问题，未导入任何记录。请修改文件后重新上传。"]
    problems = next(d.value for d in at.table if "问题 / 应为" in d.value.columns)
    assert len(problems) == 6
    preview = next(d.value for d in at.dataframe if "需求编号" in d.value.columns)
    assert list(preview["行"]) == [2, 3, 4, 5, 6]
    assert not any(b.key == "io_go" for b in at.button)         # no import button while a problem remains
    assert count(db, "needs") == before


def test_headers_of_another_table_offer_to_switch(db):
    at = open_app("en", "records")
    upload(at, ("my_file.csv", STATION_NEW.replace("S90", "S91").encode()))
    at.selectbox(key="io_table").set_value("needs").run()
    assert any("are those of Stations (stations)" in w.value for w in at.warning)
    at.button(key="io_use_table").click().run()
    assert at.selectbox(key="io_table").value == "stations"
    assert not at.error and any(b.key == "io_go" for b in at.button)


def test_clean_import_writes_clears_the_caches_and_empties_the_uploader(db):
    at = open_app("en", "records")
    assert next(m.value for m in at.metric if m.label == "Stations") == "24"
    upload(at, ("needs.csv", NEEDS_NEW.encode()), ("stations.csv", STATION_NEW.encode()))
    assert_clean(at)
    assert at.selectbox(key=next(s.key for s in at.selectbox if s.key.startswith("io_ft:") and
                                 s.label == "Table of stations.csv")).value == "stations"
    go = at.button(key="io_go")
    assert go.label == "Import 3 rows (0 already present will be skipped)"
    go.click().run()
    assert_clean(at)
    assert count(db, "stations") == 25 and count(db, "needs") == 3778   # 1,818 in 2024 and 1,958 in 2023
    assert any(s.value.startswith("Imported 3 new rows; 0 already present were skipped") for s in at.success)
    assert next(m.value for m in at.metric if m.label == "Stations") == "25"    # cached counts were cleared
    assert at.session_state["_io_nonce"] == 1                                    # a fresh, empty uploader
    assert at.file_uploader(key="io_files:1").value in (None, [])
    # the same files again: nothing new, no button
    upload(at, ("needs.csv", NEEDS_NEW.encode()), ("stations.csv", STATION_NEW.encode()))
    assert_clean(at)
    assert any("all 3 rows are already in the database" in i.value for i in at.info)
    assert not any(b.key == "io_go" for b in at.button)
    # the scores see the new station
    at.switch_page("app_pages/scores.py").run()
    assert_clean(at)
    options = at.selectbox(key="card_station").options
    assert len(options) == 25 and any(o.endswith("(S90)") for o in options)


def test_an_import_beyond_the_period_extends_a_period_that_spanned_all_records(db):
    from datetime import date
    at = open_app("en", "records")
    assert (at.session_state["period_start"], at.session_state["period_end"]) == (date(2024, 1, 1), date(2024, 12, 31))
    later = NEEDS_NEW.replace("S90", "S01").replace("2024-05-01", "2025-02-01").replace("2024-05-20", "2025-02-03")
    at.selectbox(key="io_table").set_value("needs").run()
    upload(at, ("needs.csv", later.encode()))
    at.button(key="io_go").click().run()
    assert_clean(at)
    assert at.session_state["period_end"] == date(2025, 2, 1)         # the new need is in the period
    assert any("2025-02-01" in c.value for c in at.sidebar.caption)   # the first caption is who is signed in
    # a period the user narrowed is left alone
    at.sidebar.date_input(key="period_end").set_value(date(2024, 6, 30)).run()
    upload(at, ("needs.csv", later.replace("N900", "N990").replace("2025-02-03", "2025-03-01").encode()))
    at.button(key="io_go").click().run()
    assert_clean(at)
    assert at.session_state["period_end"] == date(2024, 6, 30)


def test_switching_language_keeps_the_check_and_translates_it(db):
    at = open_app("en", "records")
    at.selectbox(key="io_table").set_value("needs").run()
    upload(at, ("needs_bad.csv", NEEDS_BAD.encode()))
    assert at.error[0].value.startswith("needs_bad.csv: 6 problem(s)")
    plan = at.session_state["_io_plan"][1]
    at.sidebar.radio[0].set_value("zh").run()
    assert not at.exception
    assert at.error[0].value.startswith("needs_bad.csv：发现6个问题")
    assert at.selectbox(key="io_table").value == "needs"
    assert at.session_state["_io_plan"][1] is plan                     # not checked again
    assert "问题 / 应为" in at.table[0].value.columns


def test_a_database_changed_after_the_check_asks_to_check_again(db):
    at = open_app("zh", "records")
    upload(at, ("stations.csv", STATION_NEW.encode()))
    assert at.button(key="io_go")
    importer.import_file(frame._connection(str(db)), "stations", STATION_NEW.encode(), "other.csv")  # the app's store
    at.button(key="io_go").click().run()
    assert not at.exception and not at.error
    assert any("检查之后数据库发生了变化" in w.value for w in at.warning)
    at.button(key="io_recheck").click().run()
    assert any("全部1行都已在数据库中" in i.value for i in at.info)
    assert count(db, "stations") == 25


# ---------------------------------------------------------------- results out

@pytest.fixture
def results(db):
    c = records.connect(db)
    try:
        return (scoring.score(c, catalog.builtin("needs-met"), Period(None, None)),
                scoring.score(c, catalog.builtin("photo-count"), Period(None, None)))
    finally:
        c.close()


def test_scores_workbook_csv_and_report_card_bytes(results):
    a, _ = results
    book = openpyxl.load_workbook(io.BytesIO(ri.scores_xlsx(a, "zh")), read_only=True)
    assert book.sheetnames[:2] == ["得分", "原始值"]          # a Chinese workbook names its sheets in Chinese
    rows = list(book["得分"].iter_rows(values_only=True))
    head = list(rows[0])
    assert "得分" in head and "社工站编号" in head
    got = {r[head.index("社工站编号")]: r[head.index("得分")] for r in rows[1:]}
    assert len(got) == 24 and got["S01"] == pytest.approx(a.total["S01"])
    text = ri.scores_csv(a, "en").decode("utf-8-sig")
    assert text.splitlines()[0].startswith("station_id,station,score,rank,grade") and len(text.splitlines()) == 25
    html = ri.report_html(a, "S03", "zh", demo=True).decode("utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "河营街道社工站" in html and "<script" not in html


def test_comparison_workbook_holds_both_results(results):
    a, b = results
    book = openpyxl.load_workbook(io.BytesIO(ri.scores_xlsx([a, b], "en")), read_only=True)
    assert book.sheetnames[0] == "comparison" and "A scores" in book.sheetnames and "B scores" in book.sheetnames


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_download_buttons_on_scores_and_compare(db, lang):
    at = open_app(lang, "scores")
    assert_clean(at)
    labels = {d.label for d in at.get("download_button")}
    assert {t("io.dl.xlsx", lang), t("io.dl.csv", lang)} <= labels
    station = next(s for s in at.dataframe if "rank" in s.value.columns).value.iloc[0]["station"]
    assert t("io.dl.report", lang, station=station) in labels      # the first station is the one on the card
    at.switch_page("app_pages/compare.py").run()
    assert_clean(at)
    assert t("io.dl.compare", lang) in {d.label for d in at.get("download_button")}


# ---------------------------------------------------------------- who saved what

def audit_rows(at: AppTest, lang: str):
    return [d.value for d in at.dataframe if t("audit.col.summary", lang) in d.value.columns]


def test_a_save_shows_in_the_change_history_with_the_name(db):
    # the name is the signed-in user's (tests/conftest.py signs every AppTest in), never typed (issue 19)
    at = open_app("en", "schemes")
    at.text_input(key="clone_id:needs-met").set_value("lanzhou-2024").run()
    at.button(key="clone_go").click().run()
    assert audit_rows(at, "en") == [] and any(c.value == t("audit.none", "en") for c in at.caption)
    assert not [ti for ti in at.text_input if ti.key == "saved_by"]
    at.button(key="save_go").click().run()
    assert_clean(at)
    assert t("audit.title", "en") in [e.label for e in at.expander]
    (table,) = audit_rows(at, "en")
    assert len(table) == 1
    row = table.iloc[0]
    assert row["Who"] == TEST_LEAD["name"] and row["Action"] == "created" and "created scheme lanzhou-2024" in row["What changed"]
    at.toggle(key="audit_diff:lanzhou-2024").set_value(True).run()
    assert_clean(at)
    assert any("+id: lanzhou-2024" in c.value for c in at.code)


def test_a_save_in_chinese_records_the_signed_in_name(db):
    at = open_app("zh", "schemes")
    at.text_input(key="clone_id:needs-met").set_value("copy-zh").run()
    at.button(key="clone_go").click().run()
    at.button(key="save_go").click().run()
    assert_clean(at)
    (table,) = audit_rows(at, "zh")
    assert table.iloc[0]["修改人"] == TEST_LEAD["name"] and table.iloc[0]["操作"] == "创建"
    assert table.iloc[0]["修改内容"].startswith("创建方案 copy-zh")
    assert ri.saved_by("  ", "en") == "anonymous" and ri.saved_by(" Li ", "zh") == "Li"


def test_record_counts_have_thousands_separators_in_english_only(db):
    # running Chinese text writes 7980, not 7,980 (docs/glossary.md); a metric box alone is no exception
    n = count(db, "attendance")
    assert n >= 1000
    for lang, shown in (("en", f"{n:,}"), ("zh", str(n))):
        at = open_app(lang, "records")
        label = term("table", "attendance", lang)
        assert next(m.value for m in at.metric if m.label == label) == shown
