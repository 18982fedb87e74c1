"""Values from elsewhere: the indicator_values ledger imported like every other, and the `value` measure reading it."""
from __future__ import annotations

import math
from datetime import date

import pytest

from indicators.records import importer
from indicators.scheme.model import Dimension, Indicator, Measure, Scheme, SchemeError, dump_yaml, load_yaml
from indicators.scoring import engine
from indicators.scoring.measures import MissingSeries, Period, load_stations, plan, raw_values
from indicators.outputs import views
from tests.conftest import station

D = date.fromisoformat


def val(sid, ind, start, end, value, source="survey firm"):
    return {"station_id": sid, "indicator_id": ind, "period_start": D(start), "period_end": D(end), "value": value,
            "source": source}


ROWS = {
    "stations": [station("S1", 2000), station("S2", 500), station("S3", 1000)],
    "indicator_values": [
        # S1: two overlapping figures for 2024; the one whose period ends last counts (H2 ends 12-31, as does
        # the whole year, which starts earlier): the H2 figure, 80.
        val("S1", "satisfaction", "2024-01-01", "2024-12-31", 70.0),
        val("S1", "satisfaction", "2024-07-01", "2024-12-31", 80.0),
        val("S1", "satisfaction", "2023-01-01", "2023-12-31", 10.0),   # outside 2024
        val("S2", "satisfaction", "2024-01-01", "2024-06-30", 60.0),
        # S3 has no satisfaction figure: missing.
        val("S1", "visits", "2024-01-01", "2024-12-31", 400.0),
        val("S2", "visits", "2024-01-01", "2024-12-31", 50.0),
        val("S3", "visits", "2024-01-01", "2024-12-31", 30.0),
        val("S1", "households", "2024-01-01", "2024-12-31", 800.0),
        val("S2", "households", "2024-01-01", "2024-12-31", 0.0),     # a zero denominator is missing data
        val("S3", "households", "2024-01-01", "2024-12-31", 300.0),
    ],
}
YEAR = Period(D("2024-01-01"), D("2024-12-31"))


def raw(con, measures: dict[str, Measure], period=YEAR):
    return raw_values(con, {k: plan(m, own=k) for k, m in measures.items()}, load_stations(con), period)


def test_value_reads_the_latest_overlapping_figure(tiny):
    con = tiny(ROWS)
    got = raw(con, {"satisfaction": Measure("value")})["satisfaction"]
    assert got["S1"] == 80.0 and got["S2"] == 60.0 and math.isnan(got["S3"])
    # a period that only the whole-year figure and S2's first half overlap
    h1 = raw(con, {"satisfaction": Measure("value")}, Period(D("2024-02-01"), D("2024-03-01")))["satisfaction"]
    assert h1["S1"] == 70.0 and h1["S2"] == 60.0
    old = raw(con, {"satisfaction": Measure("value")}, Period(D("2023-06-01"), D("2023-06-30")))["satisfaction"]
    assert old["S1"] == 10.0 and math.isnan(old["S2"])


def test_value_divided_by_a_station_column_or_another_series(tiny):
    con = tiny(ROWS)
    got = raw(con, {"per_resident": Measure("value", series="visits", denominator="population"),
                    "per_household": Measure("value", series="visits", denominator="households")})
    assert list(got["per_resident"]) == [400 / 2000, 50 / 500, 30 / 1000]
    assert got["per_household"]["S1"] == 0.5 and math.isnan(got["per_household"]["S2"])
    assert got["per_household"]["S3"] == 0.1


def test_denominator_names_are_checked_never_pasted(tiny):
    with pytest.raises(SchemeError, match="stations.name is not a number"):
        plan(Measure("value", denominator="name"), own="x")
    with pytest.raises(SchemeError, match="series: is required"):
        plan(Measure("value"))
    # an unknown name is a series: as a parameter it cannot inject anything; the database holds no row of it, so
    # the measure is refused by name (not scored as missing values filled by the missing rule)
    con = tiny(ROWS)
    with pytest.raises(MissingSeries, match=r"DROP TABLE stations; -- \(indicator x\)"):
        raw(con, {"x": Measure("value", series="visits", denominator="1); DROP TABLE stations; --")})
    assert con.execute("SELECT count(*) FROM stations").fetchall()[0][0] == 3


def scheme_of(*inds: Indicator) -> Scheme:
    return Scheme("s", "方案", "Scheme", (Dimension("d", "维度", "Dim", tuple(inds)),))


def test_value_measure_yaml_round_trip():
    s = scheme_of(Indicator("visits", "走访", "Visits", "needs", Measure("value", denominator="population")),
                  Indicator("sat", "满意度", "Satisfaction", "needs", Measure("value", series="satisfaction")))
    text = dump_yaml(s)
    assert "denominator: population" in text and "series: satisfaction" in text
    assert load_yaml(text) == s


def test_station_card_shows_value_and_denominator(tiny):
    con = tiny(ROWS)
    s = scheme_of(Indicator("visits", "走访", "Visits", "needs",
                            Measure("value", series="visits", denominator="population")),
                  Indicator("satisfaction", "满意度", "Satisfaction", "needs", Measure("value")))
    result = engine.score(con, s, YEAR)
    assert result.raw.at["S1", "visits"] == 0.2
    assert result.inputs.at["S1", ("visits", "value")] == 400.0
    assert result.inputs.at["S1", ("visits", "denominator")] == 2000.0
    card = views.station_card(result, "S1", "en")
    assert card.at["visits", "raw"] == "0.2 = 400 ÷ 2,000 (population served)"
    assert "400 ÷ 2,000 (服务人口)" in views.station_card(result, "S1", "zh").at["visits", "raw"]
    # re-weighting keeps them (numpy only, no query)
    again = result.reweighted(indicator_weights={"visits": 3.0})
    assert again.inputs is result.inputs
    assert "÷" not in card.at["satisfaction", "raw"]
    # no satisfaction figure for S3: missing, filled by the missing rule
    assert views.station_card(result, "S3", "en").at["satisfaction", "raw"].startswith("no data (")
    small = views.station_card(result, "S3", "en").at["visits", "raw"]
    assert small == "0.03 = 30 ÷ 1,000 (population served)"


def test_a_database_without_the_table_refuses_value_measures_by_name(tiny):
    # it holds no series at all: every series a scheme reads is named, with where to import it
    con = tiny({"stations": [station("S1"), station("S2")]})
    con.execute("DROP TABLE indicator_values")
    with pytest.raises(MissingSeries, match="satisfaction .indicator satisfaction.") as exc:
        raw(con, {"satisfaction": Measure("value")})
    assert exc.value.code == "values.no_series" and "Records page" in str(exc.value)
    assert "记录" in exc.value.render("zh")


# ---------------------------------------------------------------- the ledger

HEAD_ZH = "站点编号,指标编号,起始日期,结束日期,数值,数据来源,备注\n"


def test_ledger_imports_with_chinese_headers_and_gbk(tiny):
    con = tiny({"stations": [station("S1"), station("S2")]})
    body = HEAD_ZH + "S1,satisfaction,2024/1/1,2024年12月31日,85.5,第三方调查,年度\nS2,satisfaction,2024-01-01,2024-12-31,70,第三方调查,\n"
    report = importer.import_file(con, "indicator_values", body.encode("gbk"), "values.csv")
    assert report.ok and report.inserted == 2
    assert con.execute("SELECT value, source, note FROM indicator_values ORDER BY station_id").fetchall() == [
        (85.5, "第三方调查", "年度"), (70.0, "第三方调查", None)]
    # a re-import adds nothing; a changed value for the same key is refused
    again = importer.import_file(con, "indicator_values", body.encode("utf-8-sig"), "values.csv")
    assert again.ok and again.inserted == 0 and again.skipped == 2
    changed = importer.import_file(con, "indicator_values", body.replace("85.5", "90").encode(), "values.csv")
    assert not changed.ok and changed.errors[0].row == 2 and "different content" in changed.errors[0].message


def test_ledger_errors_name_row_and_column_and_nothing_is_written(tiny):
    con = tiny({"stations": [station("S1")]})
    body = ("station_id,indicator_id,period_start,period_end,value\n"
            "S1,sat,2024-01-01,2024-12-31,1\n"
            "S1,sat2,2024-12-31,2024-01-01,2\n"        # ends before it starts
            "S9,sat,2024-01-01,2024-12-31,3\n"         # unknown station
            "S1,sat3,2024-01-01,2024-12-31,many\n"     # not a number
            "S1,sat4,2024-01-01,2024-12-31,\n")        # value required
    report = importer.import_file(con, "indicator_values", body.encode(), "v.csv")
    assert not report.ok
    where = {(p.row, p.column) for p in report.errors}
    assert where == {(3, "period_end"), (4, "station_id"), (5, "value"), (6, "value")}
    assert con.execute("SELECT count(*) FROM indicator_values").fetchall()[0][0] == 0


def test_ledger_from_xlsx(tiny, tmp_path):
    import openpyxl
    con = tiny({"stations": [station("S1")]})
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["站点编号", "指标编号", "开始日期", "截止日期", "指标值"])
    ws.append(["S1", "sat", date(2024, 1, 1), date(2024, 12, 31), 3.5])
    wb.save(tmp_path / "v.xlsx")
    report = importer.import_file(con, "indicator_values", tmp_path / "v.xlsx")
    assert report.ok and report.inserted == 1
