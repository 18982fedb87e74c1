"""Score sheets (得分表): wide and transposed sheets into indicator_values, several raters combined, agreement,
and the sheet written back in the shape it came in. Tiny hand-made sheets, each test its own database."""
from __future__ import annotations

import io
import itertools
from datetime import date

import krippendorff
import openpyxl
import pytest
import yaml

from indicators.cli.main import main
from indicators.records import importer, score_sheet as ss
from indicators.records.importer import ImportProblems
from indicators.records.store import create_schema
from indicators.scheme.model import VETO_SERIES, dump_yaml, scheme_from_dict, veto_series
from indicators.scoring import engine
from indicators.scoring.measures import MissingSeries, Period
from tests.conftest import station

D = date.fromisoformat
START, END = D("2024-01-01"), D("2024-12-31")
YEAR = Period(START, END)


def item(code, name, points, **kw):
    return {"id": code, "name_zh": name, "name_en": name, "camp": "output", "points": points,
            "measure": {"kind": "value", **kw}}


def make_scheme(combine="mean"):
    """Two modules, 100 points: 基础建设 (B11 20, B12 30) and 服务成效 (Z21 50)."""
    return scheme_from_dict({
        "id": "qf", "name_zh": "千分制", "name_en": "Points", "weighting": "points",
        "dimensions": [
            {"id": "B", "name_zh": "基础建设", "name_en": "Basics",
             "indicators": [item("B11", "制度建设", 20, combine=combine), item("B12", "场地设施", 30, combine=combine)]},
            {"id": "Z", "name_zh": "服务成效", "name_en": "Results",
             "indicators": [item("Z21", "居民满意", 50, combine=combine)]},
        ]})


SCHEME = make_scheme()
STATIONS = {"stations": [station("S1"), station("S2"), station("S3")]}


def csv(text: str) -> bytes:
    return text.encode("utf-8")


def stored(con, rater=None):
    sql = "SELECT station_id, indicator_id, value, rater, source, note, period_start, period_end FROM " \
          "indicator_values"
    rows = con.execute(sql + " ORDER BY ALL").fetchall()
    return [r for r in rows if rater is None or r[3] == rater]


def values_of(con, rater=""):
    return {(s, i): v for s, i, v, r, *_ in stored(con) if r == rater}


WIDE = ("2024年度社工站评估得分表\n"            # a title row, then the header
        "（填表单位：第三方评估机构）\n"
        "站点编号,站点名称,B11 制度建设（20分）,场地设施(30分),总分,一票否决,扣分说明\n"
        "S1,甲站,18,25,43,,制度不全扣2分\n"
        "S2,乙站,20,,20,发生安全责任事故,\n"
        "S3,丙站,15.5,30,45.5,否,\n"
        "注：本表由评估组填写\n")


# ---------------------------------------------------------------- reading

def test_wide_sheet_with_title_rows_and_headers_by_code_name_and_both(tiny):
    con = tiny(STATIONS)
    plan = ss.check_sheet(con, SCHEME, csv(WIDE), START, END, rater="王", name="wide.csv")
    assert plan.ok, [str(p) for p in plan.problems]
    assert plan.layout.shape == "wide" and plan.layout.title == ("2024年度社工站评估得分表", "（填表单位：第三方评估机构）")
    assert plan.items == ["B11", "B12"]            # a subset of the scheme's items (no Z21)
    # the blank is a warning naming its row and column, not an error
    assert plan.blanks == 1 and [(w.row, w.column) for w in plan.warnings] == [(5, "场地设施(30分)")]
    assert plan.vetoed == ["S2"]
    report = ss.apply_sheet(con, plan)
    assert (report.inserted, report.replaced, report.blanks, report.vetoed) == (6, 0, 1, 1)
    assert values_of(con, "王") == {("S1", "B11"): 18.0, ("S1", "B12"): 25.0, ("S2", "B11"): 20.0,
                                    ("S2", veto_series("qf")): 1.0, ("S3", "B11"): 15.5, ("S3", "B12"): 30.0}
    rows = stored(con)
    assert {r[4] for r in rows} == {"score_sheet"} and {(r[6], r[7]) for r in rows} == {(START, END)}
    notes = {(r[0], r[1]): r[5] for r in rows}
    assert notes[("S1", "B11")] == notes[("S1", "B12")] == "制度不全扣2分"
    assert notes[("S2", veto_series("qf"))] == "发生安全责任事故"
    # the same rater's sheet of another item, without a veto column: adds Z21, leaves S2's veto standing
    report = ss.import_sheet(con, SCHEME, csv("站点编号,居民满意（50分）\nS1,40\n"), START, END, rater="王")
    assert (report.inserted, report.replaced) == (1, 0)
    # scored: awarded points, the veto from the sheet, the blank a missing item earning 0
    result = engine.score(con, SCHEME, YEAR)
    assert result.item_points.at["S1", "B11"] == 18.0 and result.item_points.at["S2", "B12"] == 0.0
    assert result.points_earned["S1"] == 18 + 25 + 40
    assert result.veto["S2"] == "发生安全责任事故" and result.veto["S1"] == ""


def test_headers_code_only_name_only_and_both_without_points(tiny):
    con = tiny(STATIONS)
    sheet = "编号,B11,场地设施,Z21居民满意\nS1,1,2,3\n"
    plan = ss.check_sheet(con, SCHEME, csv(sheet), START, END, name="s.csv")
    assert plan.ok and plan.items == ["B11", "B12", "Z21"]
    assert sorted((s, i, v) for s, i, v, _ in plan.rows) == [("S1", "B11", 1.0), ("S1", "B12", 2.0),
                                                              ("S1", "Z21", 3.0)]


def test_transposed_sheet_items_as_rows(tiny):
    con = tiny(STATIONS)
    sheet = ("得分汇总表\n"
             "编号,评估项目,分值,S1,站S2,S3\n"      # a station by its id or by its name
             "B11,制度建设,20,18,20,\n"
             "Z21,居民满意,50,40,45.5,50\n"
             "一票否决,,,,,挪用资金\n"
             "合计,,,58,65.5,50\n")
    plan = ss.check_sheet(con, SCHEME, csv(sheet), START, END, rater="李", name="t.csv")
    assert plan.ok, [str(p) for p in plan.problems]
    assert plan.layout.shape == "transposed" and plan.stations == ["S1", "S2", "S3"]
    assert plan.blanks == 1 and plan.warnings[0].row == 3 and plan.warnings[0].column == "S3"
    ss.apply_sheet(con, plan)
    assert values_of(con, "李") == {("S1", "B11"): 18.0, ("S2", "B11"): 20.0, ("S1", "Z21"): 40.0,
                                    ("S2", "Z21"): 45.5, ("S3", "Z21"): 50.0, ("S3", veto_series("qf")): 1.0}


def test_points_in_a_header_must_be_the_items(tiny):
    con = tiny(STATIONS)
    plan = ss.check_sheet(con, SCHEME, csv("站点编号,制度建设（25分）\nS1,10\n"), START, END, name="p.csv")
    assert not plan.ok
    p = plan.problems[0]
    assert (p.row, p.column) == (1, "制度建设（25分）") and "item B11 has 20" in str(p)
    assert "分值为20分" in p.line("zh")


def test_over_points_negative_and_non_numbers_refused_by_row_and_column(tiny):
    con = tiny(STATIONS)
    sheet = "站点编号,B11 制度建设（20分）,场地设施（30分）\nS1,21,-1\nS2,十分,30\n"
    plan = ss.check_sheet(con, SCHEME, csv(sheet), START, END, name="bad.csv")
    got = {(p.row, p.column, p.value): p for p in plan.problems}
    assert set(got) == {(2, "B11 制度建设（20分）", "21"), (2, "场地设施（30分）", "-1"), (3, "B11 制度建设（20分）", "十分")}
    assert "above the 20 points of item B11" in str(got[(2, "B11 制度建设（20分）", "21")])
    assert "超过评分项B11的分值20分" in got[(2, "B11 制度建设（20分）", "21")].line("zh")
    assert "below 0" in str(got[(2, "场地设施（30分）", "-1")])
    assert "a number from 0 to 20" in str(got[(3, "B11 制度建设（20分）", "十分")])
    with pytest.raises(ImportProblems) as exc:
        ss.apply_sheet(con, plan)
    text = exc.value.render("zh")
    assert "bad.csv：发现3个问题" in text and "第2行" in text


def test_database_unchanged_after_a_refused_sheet(tiny):
    con = tiny(STATIONS)
    ss.import_sheet(con, SCHEME, csv("站点编号,B11\nS1,10\nS2,12\n"), START, END, rater="王", name="ok.csv")
    before = stored(con)
    meta = con.execute("SELECT * FROM meta ORDER BY key").fetchall()
    # the same rater and period again, one good row and one unknown station: nothing replaced, nothing added
    with pytest.raises(ImportProblems) as exc:
        ss.import_sheet(con, SCHEME, csv("站点编号,B11\nS1,19\nS9,12\n"), START, END, rater="王", name="bad.csv")
    assert [(p.row, p.column, p.value) for p in exc.value.problems] == [(3, "站点编号", "S9")]
    assert stored(con) == before and con.execute("SELECT * FROM meta ORDER BY key").fetchall() == meta


def test_total_column_is_checked_against_the_row_sum(tiny):
    con = tiny(STATIONS)
    sheet = "站点编号,B11,B12,总分,基础建设小计\nS1,10,20,30,30\nS2,10,20,31,99\nS3,10,20.04,30,\n"
    plan = ss.check_sheet(con, SCHEME, csv(sheet), START, END, name="tot.csv")
    # 30.04 is within 0.05 of 30; the 小计 column is not read at all
    assert [(p.row, p.column, p.value) for p in plan.problems] == [(3, "总分", "31")]
    assert "the total 31 is not the sum of the row's items, 30" in str(plan.problems[0])


def test_unknown_header_and_no_header(tiny):
    con = tiny(STATIONS)
    plan = ss.check_sheet(con, SCHEME, csv("站点编号,B11,B12,档案管理\nS1,1,2,3\n"), START, END, name="u.csv")
    assert [(p.row, p.column) for p in plan.problems] == [(1, "档案管理")]
    assert "not an item of scheme qf" not in str(plan.problems[0]) and "neither an item of scheme qf" in str(
        plan.problems[0])
    plan = ss.check_sheet(con, SCHEME, csv("甲,乙\n1,2\n"), START, END, name="n.csv")
    assert not plan.ok and "no header row found" in str(plan.problems[0])


def test_reimport_for_the_same_rater_replaces_its_rows(tiny):
    con = tiny(STATIONS)
    ss.import_sheet(con, SCHEME, csv("站点编号,B11,一票否决\nS1,10,违规\nS2,12,\n"), START, END, rater="王")
    ss.import_sheet(con, SCHEME, csv("站点编号,B11\nS1,11\nS2,12\n"), START, END, rater="李")
    plan = ss.check_sheet(con, SCHEME, csv("站点编号,B11,一票否决\nS1,15,\nS2,,\n"), START, END, rater="王")
    assert plan.replacing == 3       # 王's S1, S2 and S1's veto
    report = ss.apply_sheet(con, plan)
    assert report.replaced == 3 and report.inserted == 1
    assert values_of(con, "王") == {("S1", "B11"): 15.0}     # the veto and S2's value went with the old sheet
    assert values_of(con, "李") == {("S1", "B11"): 11.0, ("S2", "B11"): 12.0}   # another rater's are kept


# ---------------------------------------------------------------- several raters

def three_raters(tiny):
    con = tiny(STATIONS)
    for rater, (a, b) in {"甲": (10, 20), "乙": (12, 16), "丙": (20, 18)}.items():
        ss.import_sheet(con, SCHEME, csv(f"站点编号,B11,Z21,B12\nS1,{a},{b},30\nS2,{a // 2},{b},\n"), START, END,
                        rater=rater)
    return con


def test_raters_combined_by_mean_and_median(tiny):
    con = three_raters(tiny)
    mean = engine.score(con, make_scheme("mean"), YEAR)
    median = engine.score(con, make_scheme("median"), YEAR)
    # S1 B11: 10, 12, 20 -> mean 14, median 12; Z21: 20, 16, 18 -> 18 and 18. S2 B11: 5, 6, 10 -> 7 and 6
    assert mean.raw.at["S1", "B11"] == 14.0 and median.raw.at["S1", "B11"] == 12.0
    assert mean.raw.at["S1", "Z21"] == median.raw.at["S1", "Z21"] == 18.0
    assert mean.raw.at["S2", "B11"] == 7.0 and median.raw.at["S2", "B11"] == 6.0
    assert mean.points_earned["S1"] == 14 + 30 + 18 and median.points_earned["S1"] == 12 + 30 + 18


def test_the_most_recent_period_counts_across_raters(tiny):
    con = three_raters(tiny)
    # a second-half sheet by one rater: the latest period overlapping the year, so it alone counts
    ss.import_sheet(con, SCHEME, csv("站点编号,B11\nS1,3\n"), D("2024-07-01"), END, rater="甲")
    got = engine.score(con, SCHEME, YEAR)
    assert got.raw.at["S1", "B11"] == 3.0 and got.raw.at["S2", "B11"] == 7.0


def hand_interval_alpha(units: list[list[float]]) -> float:
    """Krippendorff's alpha (interval), from its definition: 1 - D_o / D_e over pairable values."""
    units = [u for u in units if len(u) >= 2]
    values = [v for u in units for v in u]
    n = len(values)
    d_o = sum(sum((a - b) ** 2 for a, b in itertools.permutations(u, 2)) / (len(u) - 1) for u in units) / n
    d_e = sum((a - b) ** 2 for a, b in itertools.permutations(values, 2)) / (n * (n - 1))
    return 1 - d_o / d_e


def test_agreement_per_item_with_alpha(tiny):
    con = tiny(STATIONS)
    ss.import_sheet(con, SCHEME, csv("站点编号,B11,Z21\nS1,10,50\nS2,15,40\nS3,20,30\n"), START, END, rater="甲")
    ss.import_sheet(con, SCHEME, csv("站点编号,B11,Z21\nS1,12,50\nS2,15,40\nS3,16,\n"), START, END, rater="乙")
    table = ss.agreement(con, SCHEME, YEAR).set_index("item")
    assert list(table.index) == ["B11", "Z21"]
    b11 = table.loc["B11"]
    assert (b11["raters"], b11["stations"]) == (2, 3)
    assert b11["mean"] == pytest.approx((10 + 15 + 20 + 12 + 15 + 16) / 6)
    assert b11["spread"] == 4 and b11["mean_spread"] == pytest.approx((2 + 0 + 4) / 3)
    # units = stations, by hand and by the krippendorff package
    hand = hand_interval_alpha([[10, 12], [15, 15], [20, 16]])
    package = krippendorff.alpha(reliability_data=[[10, 15, 20], [12, 15, 16]], level_of_measurement="interval")
    assert b11["alpha"] == pytest.approx(hand) == pytest.approx(package)
    assert table.loc["Z21", "alpha"] == pytest.approx(1.0)      # two stations agreed on, S3 rated once
    overall = hand_interval_alpha([[10, 12], [15, 15], [20, 16], [50, 50], [40, 40], [30]])
    assert ss.agreement(con, SCHEME, YEAR).attrs["alpha"] == pytest.approx(overall)


def test_one_rater_has_no_alpha(tiny):
    con = tiny(STATIONS)
    ss.import_sheet(con, SCHEME, csv("站点编号,B11\nS1,10\nS2,15\n"), START, END)
    table = ss.agreement(con, SCHEME, YEAR)
    assert table.at[0, "raters"] == 1 and table.at[0, "alpha"] is None and table.attrs["alpha"] is None


# ---------------------------------------------------------------- writing back

def test_wide_sheet_round_trips(tiny):
    con = tiny(STATIONS)
    whole = WIDE.replace("场地设施(30分),", "场地设施(30分),居民满意,").replace("S1,甲站,18,25,43", "S1,甲站,18,25,40,83") \
        .replace("S2,乙站,20,,20", "S2,乙站,20,,50,70").replace("S3,丙站,15.5,30,45.5", "S3,丙站,15.5,30,0,45.5")
    ss.import_sheet(con, SCHEME, csv(whole), START, END, rater="王", name="wide.csv")
    layout = ss.stored_layout(con, "qf", START, END)
    result = engine.score(con, SCHEME, YEAR)
    _, _, notes = ss.sheet_values(con, SCHEME, START, END, rater="王")
    out = ss.export_sheet(result, layout, notes=notes)
    text = out.decode("utf-8-sig").splitlines()
    assert text[:2] == ["2024年度社工站评估得分表", "（填表单位：第三方评估机构）"]
    # the same columns in the same order, then the module subtotal, the grade (总分 and 一票否决 were there)
    assert text[2] == ("站点编号,站点名称,B11 制度建设（20分）,场地设施(30分),居民满意,总分,一票否决,扣分说明,"
                       "基础建设小计,服务成效小计,等级")
    grade = result.grade
    assert text[3] == f"S1,站S1,18,25,40,83,,制度不全扣2分,43,40,{grade['S1']}"
    assert text[4] == f"S2,站S2,20,,50,70,发生安全责任事故,,20,50,{grade['S2']}"
    # imported again (as another rater) it gives the same values
    again = ss.check_sheet(con, SCHEME, out, START, END, rater="复核", name="export.csv")
    assert again.ok, [str(p) for p in again.problems]
    ss.apply_sheet(con, again)
    assert values_of(con, "复核") == values_of(con, "王")


def test_transposed_xlsx_round_trips_with_notes(tiny, tmp_path):
    con = tiny(STATIONS)
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["社工站评估得分表（竖排）"], ["指标", "S1", "S2", "S3"], ["B11 制度建设（20分）", 18, 19.5, None],
                ["场地设施（30分）", 30, 0, 12], ["扣分说明", "台账缺失", None, None]):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    ss.import_sheet(con, SCHEME, buf.getvalue(), START, END, rater="李", name="t.xlsx")
    layout = ss.stored_layout(con, "qf", START, END)
    assert layout.shape == "transposed" and layout.file_format == "xlsx"
    values, veto, notes = ss.sheet_values(con, SCHEME, START, END, rater="李")
    assert notes == {"S1": "台账缺失"}
    out = ss.export_sheet(values, layout, SCHEME, veto=veto, notes=notes)
    rows = [list(r) for r in openpyxl.load_workbook(io.BytesIO(out)).active.iter_rows(values_only=True)]
    assert rows[0][0] == "社工站评估得分表（竖排）"
    assert rows[1] == ["指标", "S1", "S2", "S3"]
    assert rows[2] == ["B11 制度建设（20分）", 18, 19.5, None]
    assert rows[4] == ["扣分说明", "台账缺失", None, None]
    assert [r[0] for r in rows[5:]] == ["基础建设小计", "总分", "等级", "一票否决"]
    assert rows[5][1:] == [48, 19.5, 12]
    con2 = tiny(STATIONS)
    ss.import_sheet(con2, SCHEME, out, START, END, rater="李", name="back.xlsx")
    assert values_of(con2, "李") == values_of(con, "李")
    assert {r[5] for r in stored(con2) if r[0] == "S1"} == {"台账缺失"}


# ---------------------------------------------------------------- the store and the command line

def test_an_older_database_without_the_rater_column(tmp_path):
    import duckdb
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE stations (station_id VARCHAR, name VARCHAR, name_en VARCHAR, district VARCHAR, "
                "street VARCHAR, population INTEGER, profile VARCHAR)")
    con.execute("INSERT INTO stations VALUES ('S1', '甲', 'A', 'd', 's', 100, 'p')")
    con.execute("CREATE TABLE indicator_values (station_id VARCHAR, indicator_id VARCHAR, period_start DATE, "
                "period_end DATE, value DOUBLE, source VARCHAR, note VARCHAR)")
    for code, v in (("B11", 9), ("B12", 8), ("Z21", 7)):
        con.execute("INSERT INTO indicator_values VALUES ('S1', ?, '2024-01-01', '2024-12-31', ?, 'x', NULL)",
                    [code, v])
    con.close()
    ro = duckdb.connect(str(path), read_only=True)
    # read as it is: scored, and a long ledger of the same row checks as already present
    assert engine.score(ro, SCHEME, YEAR).raw.at["S1", "B11"] == 9.0
    plan = importer.check(ro, "indicator_values", csv(
        "station_id,indicator_id,period_start,period_end,value,source\nS1,B11,2024-01-01,2024-12-31,9,x\n"))
    assert plan.ok and plan.skipped == 1
    ro.close()
    con = duckdb.connect(str(path))
    create_schema(con)      # a write adds the column; the old row is a single source
    assert con.execute("SELECT DISTINCT rater FROM indicator_values").fetchall() == [("",)]
    con.close()


def test_long_ledger_reimport_adds_nothing_and_takes_a_rater_column(tiny):
    con = tiny(STATIONS)
    ledger = csv("station_id,indicator_id,period_start,period_end,value\nS1,B11,2024-01-01,2024-12-31,9\n")
    assert importer.import_file(con, "indicator_values", ledger).inserted == 1
    again = importer.import_file(con, "indicator_values", ledger)
    assert (again.inserted, again.skipped) == (0, 1)
    rated = csv("站点编号,指标编号,起始日期,结束日期,数值,评分人\nS1,B11,2024-01-01,2024-12-31,11,王\n")
    assert importer.import_file(con, "indicator_values", rated).inserted == 1
    assert values_of(con, "") == {("S1", "B11"): 9.0} and values_of(con, "王") == {("S1", "B11"): 11.0}


def test_cli_import_of_a_sheet(tiny, tmp_path, capsys):
    con = tiny(STATIONS)
    db = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()[0][0]
    con.close()
    scheme_file = tmp_path / "qf.yaml"
    scheme_file.write_text(dump_yaml(SCHEME), encoding="utf-8")
    sheet = tmp_path / "得分表.csv"
    sheet.write_bytes(csv(WIDE))
    base = ["import", "--db", db, "--table", "indicator_values", str(sheet)]
    assert main(base + ["--lang", "en"]) == 2
    assert "give --scheme" in capsys.readouterr().err
    assert main(base + ["--scheme", str(scheme_file), "--lang", "en"]) == 2
    assert "--from and --to" in capsys.readouterr().err
    period = ["--scheme", str(scheme_file), "--from", "2024-01-01", "--to", "2024-12-31", "--rater", "王"]
    assert main(base + period + ["--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "横排" in out and "1个空白单元格" in out and "第5行" in out and "已写入 indicator_values 6个数值" in out
    assert main(base + period + ["--lang", "en"]) == 0
    assert "Replaces the 6 value(s)" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv("站点编号,B11\nS1,21\n"))
    assert main(["import", "--db", db, "--table", "indicator_values", str(bad), *period, "--lang", "zh"]) == 2
    err = capsys.readouterr().err
    assert "bad.csv，第2行，“B11”列" in err and "超过评分项B11的分值20分" in err


def test_a_sheet_of_some_items_scores_the_rest_as_missing_items(tiny):
    """A sheet may hold any subset of a table's items: in a points scheme an item no sheet holds earns 0 and is
    flagged 缺项 (never a median); a series read as anything else is still refused by name (test_values)."""
    con = tiny(STATIONS)
    ss.import_sheet(con, SCHEME, csv("站点编号,B11\nS1,10\n"), START, END)
    r = engine.score(con, SCHEME, YEAR)
    assert r.points_earned["S1"] == 10 and r.item_points.at["S1", "B12"] == 0 and r.missing.at["S1", "B12"]
    assert r.missing.at["S1", "Z21"] and not r.missing.at["S1", "B11"]
    data = yaml.safe_load(dump_yaml(SCHEME))

    def minmax(dims):
        for d in dims:
            for i in d.get("indicators", []):
                i["normalisation"] = {"method": "minmax"}
            minmax(d.get("dimensions", []))
    minmax(data["dimensions"])
    relative = scheme_from_dict(data)
    with pytest.raises(MissingSeries) as exc:   # scored against the other stations: a median would fill it
        engine.score(con, relative, YEAR)
    assert exc.value.code == "values.no_series"
    assert "B12 (indicator B12); Z21 (indicator Z21)" in str(exc.value)
    assert "import --table indicator_values" in str(exc.value)


# ---------------------------------------------------------------- the Records page

def test_records_page_reads_a_score_sheet_for_a_period_and_rater(db):
    from indicators.records import store as records
    from indicators.scheme import catalog
    from tests.test_app import assert_clean, open_app

    first, second = catalog.builtin("needs-met").indicators[:2]
    sheet = f"评估得分表\n站点编号,{first.id},{second.name_zh}\nS01,0.8,\nS02,0.5,3\n".encode()
    at = open_app("zh", "records")
    at.selectbox(key="io_table").set_value("indicator_values").run()
    at.file_uploader(key="io_files:0").set_value([("得分表.csv", sheet, "text/csv")]).run()
    assert_clean(at)
    at.date_input(key="io_sheet_from").set_value(START).run()
    at.date_input(key="io_sheet_to").set_value(END).run()
    at.text_input(key="io_sheet_rater").set_value("王").run()
    assert_clean(at)
    said = " ".join(s.value for s in at.success)
    assert "横排" in said and "2个社工站、2个评分项" in said and "评分人王" in said and "1个空白单元格" in said
    go = at.button(key="io_sheet_go")
    assert go.label == "从得分表导入3个数值"
    go.click().run()
    assert_clean(at)
    assert any("已写入 indicator_values 3个数值" in s.value for s in at.success)
    con = records.connect(db, read_only=True)
    try:
        got = con.execute("SELECT station_id, indicator_id, value, rater, period_start, period_end FROM "
                          "indicator_values WHERE source = 'score_sheet' ORDER BY ALL").fetchall()
    finally:
        con.close()
    assert got == sorted([("S01", first.id, 0.8, "王", START, END), ("S02", first.id, 0.5, "王", START, END),
                          ("S02", second.id, 3.0, "王", START, END)])


def test_score_sheet_download_and_cli_export(tiny, tmp_path, capsys):
    from app_pages import records_import as ri

    con = tiny(STATIONS)
    sheet = "站点编号,B11,B12,Z21\nS1,10,20,30\nS2,5,,50\n"
    ss.import_sheet(con, SCHEME, csv(sheet), START, END, rater="甲")
    ss.import_sheet(con, SCHEME, csv(sheet.replace("S1,10", "S1,12")), START, END, rater="乙")
    result = engine.score(con, SCHEME, YEAR)
    name, make = ri.score_sheet_file(con, result)
    assert name == "score_sheet_qf_2024-01-01_2024-12-31.csv"
    lines = make().decode("utf-8-sig").splitlines()
    # two raters' values combined (S1 B11: 10 and 12 -> 11), subtotals 基础建设 and 服务成效, total, grade, veto
    assert lines[0] == "站点编号,B11,B12,Z21,基础建设小计,服务成效小计,总分,等级,一票否决"
    assert lines[1] == f"S1,11,20,30,31,30,61,{result.grade['S1']},"
    db = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()[0][0]
    con.close()
    scheme_file = tmp_path / "qf.yaml"
    scheme_file.write_text(dump_yaml(SCHEME), encoding="utf-8")
    out = tmp_path / "back.xlsx"
    args = ["export", "--db", db, "--scheme", str(scheme_file), "--from", "2024-01-01", "--to", "2024-12-31",
            "--sheet", "--out", str(out), "--lang", "en"]
    assert main(args) == 0
    rows = [list(r) for r in openpyxl.load_workbook(out).active.iter_rows(values_only=True)]
    assert rows[0][:4] == ["站点编号", "B11", "B12", "Z21"] and rows[2][:4] == ["S2", 5, None, 50]
    args[args.index("2024-01-01")] = "2024-02-01"
    assert main(args) == 2 and "no score sheet was imported for scheme qf" in capsys.readouterr().err


def test_a_name_shared_by_two_items_needs_the_code(tiny):
    con = tiny(STATIONS)
    twice = scheme_from_dict({
        "id": "tw", "name_zh": "同名", "name_en": "Same", "weighting": "points",
        "dimensions": [{"id": "A", "name_zh": "甲", "name_en": "A", "indicators": [item("A1", "台账", 10)]},
                       {"id": "B", "name_zh": "乙", "name_en": "B", "indicators": [item("B1", "台账", 10)]}]})
    plan = ss.check_sheet(con, twice, csv("站点编号,台账,B1\nS1,1,2\n"), START, END, name="tw.csv")
    assert [(p.row, p.column) for p in plan.problems] == [(1, "台账")]
    assert "names several items (A1, B1)" in str(plan.problems[0])
    ok = ss.check_sheet(con, twice, csv("站点编号,A1 台账,B1台账（10分）\nS1,1,2\n"), START, END, name="tw.csv")
    assert ok.ok and ok.items == ["A1", "B1"]


def test_transposed_sheet_with_module_rows_sequence_numbers_and_points(tiny):
    con = tiny(STATIONS)
    sheet = ("序号,评估内容,分值,S1,S2\n"
             "一、基础建设（50分）,,,,\n"
             "1,B11 制度建设,20,20,\n"
             "2,场地设施,30,28,29\n"
             "二、服务成效（50分）,,,,\n"
             "3,居民满意,50,45,\n"
             "基础建设小计,,,48,29\n")
    plan = ss.check_sheet(con, SCHEME, csv(sheet), START, END, name="m.csv")
    assert plan.ok, [str(p) for p in plan.problems]
    assert plan.items == ["B11", "B12", "Z21"] and plan.blanks == 2
    assert sorted((s, i, v) for s, i, v, _ in plan.rows) == [
        ("S1", "B11", 20.0), ("S1", "B12", 28.0), ("S1", "Z21", 45.0), ("S2", "B12", 29.0)]
    # a points column that disagrees with the item is refused where it is written
    wrong = ss.check_sheet(con, SCHEME, csv(sheet.replace("2,场地设施,30", "2,场地设施,35")), START, END, name="m.csv")
    assert [(p.row, p.column, p.value) for p in wrong.problems] == [(4, "分值", "35")]


def test_records_page_lists_a_refused_sheet_and_writes_nothing(db):
    from indicators.records import store as records
    from indicators.scheme import catalog
    from tests.test_app import open_app

    first = catalog.builtin("needs-met").indicators[0]
    at = open_app("en", "records")
    at.selectbox(key="io_table").set_value("indicator_values").run()
    sheet = f"站点编号,{first.id},no_such_item\nS01,abc,1\nS99,1,2\n".encode()
    at.file_uploader(key="io_files:0").set_value([("bad_sheet.csv", sheet, "text/csv")]).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["bad_sheet.csv: 3 problem(s); nothing was imported. Correct the file and "
                                           "upload it again."]
    problems = next(d.value for d in at.table if "What is wrong / expected" in d.value.columns)
    assert list(problems["Row"]) == [1, 2, 3] and list(problems["Column"]) == ["no_such_item", first.id, "站点编号"]
    assert not any(b.key == "io_sheet_go" for b in at.button)
    con = records.connect(db, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM indicator_values WHERE source = 'score_sheet'").fetchall() == [(0,)]
    finally:
        con.close()


def test_another_tables_sheet_leaves_a_veto_standing(tiny):
    con = tiny(STATIONS)
    other = scheme_from_dict({"id": "city", "name_zh": "市", "name_en": "City", "weighting": "points", "dimensions": [
        {"id": "C", "name_zh": "组织", "name_en": "Org", "indicators": [item("1.1.1", "登记备案", 20)]}]})
    ss.import_sheet(con, SCHEME, csv("站点编号,B11,一票否决\nS1,10,违规\nS2,12,\n"), START, END)
    # the city table's sheet for the same period, with its own veto column vetoing S2 only
    report = ss.import_sheet(con, other, csv("站点编号,1.1.1,一票否决\nS1,20,\nS2,18,拒检\n"), START, END)
    assert report.replaced == 0
    assert {(s, i, n) for s, i, _, _, _, n, *_ in stored(con) if i.startswith(VETO_SERIES)} == {
        ("S1", veto_series("qf"), "违规"), ("S2", veto_series("city"), "拒检")}
    # each table's veto holds in its own scheme only
    from indicators.scoring import engine
    from indicators.scoring.measures import Period
    assert engine.score(con, SCHEME, Period(START, END)).veto.to_dict() == {"S1": "违规", "S2": "", "S3": ""}
    assert engine.score(con, other, Period(START, END)).veto.to_dict() == {"S1": "", "S2": "拒检", "S3": ""}
    # the district sheet again with S1's veto lifted: its own veto goes, the city's stays
    report = ss.import_sheet(con, SCHEME, csv("站点编号,B11,一票否决\nS1,10,\nS2,12,\n"), START, END)
    assert report.replaced == 3
    assert {(s, n) for s, i, _, _, _, n, *_ in stored(con) if i.startswith(VETO_SERIES)} == {("S2", "拒检")}


# ---------------------------------------------------------------- the sample 千分制 sheets, as handed out

@pytest.mark.parametrize("style, table", [("district", "table_district.xlsx"), ("city", "table_city.xlsx")])
def test_sample_sheets_import_as_handed_out_score_and_round_trip(style, table, demo_copy, tmp_path, capsys):
    import json
    from pathlib import Path

    from indicators.records import store as records

    qf = Path(__file__).resolve().parent.parent / "sample_data" / "qianfen"
    expected = json.loads((qf / "expected.json").read_text(encoding="utf-8"))
    exp, period = expected[style], expected["period"]
    scheme_file = tmp_path / f"{style}.yaml"
    assert main(["scheme", "import", str(qf / table), "--out", str(scheme_file), "--id", style]) == 0
    dates = ["--from", period["from"], "--to", period["to"]]
    # the sheet itself, no editing: wide (district) or transposed (city)
    assert main(["import", "--db", str(demo_copy), "--table", "indicator_values", str(qf / exp["sheet"]),
                 "--scheme", str(scheme_file), *dates, "--lang", "en"]) == 0
    capsys.readouterr()
    assert main(["score", "--db", str(demo_copy), "--scheme", str(scheme_file), *dates, "--format", "json"]) == 0
    got = {s["station_id"]: s for s in json.loads(capsys.readouterr().out)["stations"]}
    for sid, e in exp["stations"].items():
        assert got[sid]["points"] == pytest.approx(e["total"], abs=1e-9), sid
        assert got[sid]["grade"] == e["grade"] and (got[sid]["veto"] or None) == e["veto"], sid
    # exported in its own shape and imported into a fresh copy: the same rows
    back = tmp_path / f"back{Path(exp['sheet']).suffix}"
    assert main(["export", "--db", str(demo_copy), "--scheme", str(scheme_file), *dates, "--sheet",
                 "--out", str(back)]) == 0
    fresh = tmp_path / "fresh.duckdb"
    records.build_demo(fresh)
    assert main(["import", "--db", str(fresh), "--table", "indicator_values", str(back), "--scheme",
                 str(scheme_file), *dates]) == 0
    sql = "SELECT station_id, indicator_id, value, note, rater, source FROM indicator_values ORDER BY ALL"
    rows = []
    for path in (demo_copy, fresh):
        con = records.connect(path, read_only=True)
        try:
            rows.append(con.execute(sql).fetchall())
        finally:
            con.close()
    assert rows[0] == rows[1] and len(rows[0]) > 400
