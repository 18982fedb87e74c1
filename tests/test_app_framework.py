"""The app's framework-table panel (Schemes page) and the indicator_values ledger on the Records page, via AppTest:
a clean table opens as the current scheme, a bad one lists its problems by row and column in the page's language
and keeps nothing; the values ledger imports like every ledger."""
from __future__ import annotations

from pathlib import Path

from indicators.records import store as records
from indicators.scheme import framework
from tests.test_app import assert_clean, open_app, working

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "sample_data" / "framework"
BAD = ("代码,名称,层级,上级,分值,缺失处理\n"
       "d1,服务成效,2,,,\n"
       "a1,满意度,1,d1,,\n"          # a points table needs points on every indicator
       "a2,探访,1,d9,5,平均\n")       # no dimension d9; not a missing rule


def upload(at, name: str, data: bytes):
    kind = "text/csv" if name.endswith(".csv") else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at.file_uploader(key="upload_framework").set_value((name, data, kind)).run()
    return at


def test_a_framework_table_opens_as_the_current_scheme(db):
    at = open_app("zh", "schemes")
    upload(at, "framework.xlsx", (EXAMPLE / "framework.xlsx").read_bytes())
    assert_clean(at)
    assert at.text_input(key="fw_id:framework.xlsx").value == "framework"
    assert any("已读取8个末级指标，分属9个上级指标（分值）" in s.value for s in at.success)
    preview = next(d.value for d in at.dataframe if "代码" in d.value.columns)
    assert list(preview["代码"])[:3] == ["D1", "D1.1", "urgent_resolved"]
    at.text_input(key="fw_id:framework.xlsx").set_value("evaluator-2024").run()
    at.button(key="fw_go").click().run()
    assert_clean(at)
    scheme = working(at)["evaluator-2024"]
    assert scheme.weighting == "points" and scheme.points_total() == 100
    assert scheme == framework.read_table(EXAMPLE / "framework.xlsx", scheme_id="evaluator-2024",
                                          name_zh="framework", name_en="framework")


def test_a_bad_table_lists_problems_by_row_and_column_and_keeps_nothing(db):
    for lang, header, problem in (("zh", "问题 / 应为", "不是任何上级指标行的代码"),
                                  ("en", "What is wrong / expected", "is not the code of any dimension row")):
        at = open_app(lang, "schemes")
        upload(at, "bad.csv", BAD.encode("gbk"))
        assert not at.exception
        assert len(at.error) == 1
        table = next(d.value for d in at.table if header in d.value.columns)
        rows = table.to_dict("records")
        assert len(rows) == 3
        where = {(r[table.columns[0]], r[table.columns[1]]) for r in rows}
        assert where == {("3", "分值"), ("4", "上级"), ("4", "缺失处理")}
        assert any(problem in r[header] for r in rows)
        assert not any(b.key == "fw_go" for b in at.button)
        assert working(at) == {}


def test_the_current_scheme_downloads_as_a_framework_table(db):
    at = open_app("en", "schemes")
    assert_clean(at)
    button = next(b for b in at.get("download_button") if "framework table" in b.label)
    assert button is not None
    at.radio(key="fw_shape").set_value("wide").run()
    assert_clean(at)


def test_the_values_ledger_imports_on_the_records_page(db):
    at = open_app("en", "records")   # the Records page holds the import panel
    at.selectbox(key="io_table").set_value("indicator_values").run()
    at.file_uploader(key="io_files:0").set_value(
        [("indicator_values.csv", (EXAMPLE / "indicator_values.csv").read_bytes(), "text/csv")]).run()
    assert_clean(at)
    at.button(key="io_go").click().run()
    assert_clean(at)
    assert any("96" in s.value for s in at.success)
    con = records.connect(db, read_only=True, wait=30)   # read beside the app's handle in this process
    try:
        assert con.execute("SELECT count(*) FROM indicator_values").fetchall()[0][0] == 96
    finally:
        con.close()


def test_an_imported_framework_scores_with_its_values_and_the_card_shows_the_quotient(db):
    from indicators.records import importer
    con = records.connect(db)
    try:
        assert importer.import_file(con, "indicator_values", EXAMPLE / "indicator_values.csv").inserted == 96
    finally:
        con.close()
    at = open_app("en", "schemes")
    upload(at, "framework.xlsx", (EXAMPLE / "framework.xlsx").read_bytes())
    at.button(key="fw_go").click().run()
    at.switch_page("app_pages/scores.py").run()
    assert_clean(at)
    at.selectbox(key="card_station").set_value("S01").run()
    assert_clean(at)
    card = next(d.value for d in at.dataframe if "gap_to_best" in d.value.columns)
    raw = dict(zip(card["indicator"], card["raw"]))
    assert raw["Home visits to vulnerable residents (per resident served)"] == "0.05019 = 651 ÷ 12,970 (population served)"
    shown = next(d for d in at.dataframe if "gap_to_best" in d.value.columns)
    assert shown.proto.row_height == 65   # the quotient and the long names wrap instead of being cut off
