"""Framework tables in and out: long and wide forms, zh/en headers, CSV (UTF-8, BOM, GBK) and XLSX, errors by
row and column, nothing half-made, and export -> import giving the same scheme back for generated trees."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from indicators.cli.main import main as cli
from indicators.scheme import catalog, framework, model
from indicators.scheme.framework import FrameworkProblems, read_table, write_table
from indicators.scheme.model import Scheme, scheme_from_dict

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "sample_data" / "framework"
TREE = "weighting" in Scheme.__dataclass_fields__   # the scheme tree (any depth, points) is in the model


def problems(source, name="t.csv") -> list[tuple]:
    with pytest.raises(FrameworkProblems) as info:
        read_table(source, name)
    return [(p.row, p.column, p.message) for p in info.value.problems]


LONG_ZH = ("代码,名称,层级,上级,权重,方向,分母,缺失处理,评分标准,数据来源\n"
           "d1,服务成效,2,,60,,,,,\n"
           "sat,满意度,1,d1,2,正向,,中位数,第三方调查得分,满意度调查\n"
           "visits,入户探访,1,d1,1,1,population,最差,,街道统计\n"
           "d2,管理,2,,40,,,,,\n"
           "cost,人均成本,1,d2,1,-1,,,,\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_long_form_with_chinese_headers(encoding):
    s = read_table(LONG_ZH.encode(encoding), "框架.csv", scheme_id="f")
    assert [d.id for d in s.dimensions] == ["d1", "d2"] and [d.weight for d in s.dimensions] == [60, 40]
    sat, visits, cost = s.indicators
    assert sat.measure == model.Measure("value") and sat.weight == 2 and sat.missing == "median"
    assert sat.rationale_zh == "第三方调查得分\n数据来源：满意度调查"
    assert visits.measure == model.Measure("value", denominator="population") and visits.missing == "worst"
    assert cost.direction == "lower" and sat.name_en == "满意度"   # one name serves both languages
    assert s.name_zh == "框架"


def test_long_form_english_headers_and_levels_from_parents():
    text = ("code,name_zh,name_en,parent,weight,direction,normalisation,camp,measure\n"
            "a,甲,A,,1,,,,\n"
            "a1,甲一,A one,a,1,lower,target 80,needs,\n"
            "a2,甲二,A two,a,3,higher,goalposts 0 100,output,\"{kind: count, table: activities}\"\n")
    s = read_table(text.encode(), "f.csv", scheme_id="f")
    a1, a2 = s.indicators
    assert a1.normalisation == model.Normalisation("target", target=80) and a1.camp == "needs"
    assert a2.normalisation == model.Normalisation("goalposts", low=0, high=100)
    assert a2.measure == model.Measure("count", table="activities")


def test_wide_form_weights_dimensions_weigh_what_their_leaves_do():
    text = ("一级指标,二级指标,权重,评分标准\n"
            "成效,满意度,0.3,调查\n"
            ",议事会认可,0.2,\n"          # blank = merged with the row above
            "管理,支出,0.5,\n")
    s = read_table(text.encode("gbk"), "w.csv", scheme_id="w")
    assert [(d.id, d.weight) for d in s.dimensions] == [("D1", 0.5), ("D2", 0.5)]
    assert [(i.id, i.weight) for i in s.indicators] == [("i1-1", 0.3), ("i1-2", 0.2), ("i2-1", 0.5)]
    assert s.indicators[0].rationale_zh == "调查"


def test_errors_name_row_and_column():
    bad = ("代码,名称,层级,上级,权重,缺失处理,方向\n"
           "d1,成效,2,,1,,\n"
           "D1,甲,1,d1,1,,\n"             # differs from row 2's d1 only by case (upper case itself is fine)
           "a2,乙,1,d9,x,,\n"             # unknown parent, weight not a number
           "a3,丙,1,d1,1,average,sideways\n"
           "a3,丁,1,d1,1,,\n")            # repeated code
    got = problems(bad.encode())
    assert any(r == 3 and c == "代码" and "d1 (row 2) only by case" in m for r, c, m in got)
    assert (4, "上级") in {(r, c) for r, c, _ in got} and (4, "权重") in {(r, c) for r, c, _ in got}
    assert (5, "缺失处理") in {(r, c) for r, c, _ in got} and (5, "方向") in {(r, c) for r, c, _ in got}
    assert any(r == 6 and "already used in row 5" in m for r, c, m in got)
    colour = problems(b"code,name,colour\n")[0]
    assert colour[:2] == (1, "colour") and colour[2].startswith("is not a column")
    assert "no rows" in problems(b"code,name\n")[0][2]
    assert any("weights (权重) or points (分值), not both" in m
               for *_, m in problems("代码,名称,权重,分值\nd,x,1,1\n".encode()))


def test_a_loop_of_parents_is_refused():
    got = problems(b"code,name,parent\nd1,a,d2\nd2,b,d1\nx,c,d1\n")
    assert any("loop" in m for *_, m in got)


def test_model_errors_are_located_in_the_table():
    # a measure the model refuses (unknown kind) is reported at its row and the measure column
    got = problems("代码,名称,上级,计量方法\nd,维度,,\nx,指标,d,{kind: nonsense}\n".encode())
    assert got[0][0] == 3 and got[0][1] == "计量方法" and "must be one of" in got[0][2]


def test_builtin_schemes_round_trip_in_both_shapes():
    for name in catalog.BUILTINS:
        s = catalog.builtin(name)
        for shape in framework.SHAPES:
            for fmt in ("csv", "xlsx"):
                back = read_table(write_table(s, fmt, shape, "zh"), f"x.{fmt}", scheme_id=s.id,
                                  name_zh=s.name_zh, name_en=s.name_en)
                assert back.dimensions == s.dimensions, (name, shape, fmt)


def test_exported_tables_carry_no_live_formula_and_read_back_the_same():
    """Names a spreadsheet would run (after blanks or a separator too) leave as text, in CSV and XLSX alike."""
    from indicators.outputs.export import neutralise
    hostile = ["=HYPERLINK(\"http://x\",\"x\")", " @SUM(A1)", "\u3000+1+1", ";-2+3", "'quoted"]
    dims = [{"id": f"d{i}", "name_zh": name, "name_en": name, "weight": 1,
             "indicators": [{"id": f"i{i}", "name_zh": name, "name_en": name, "weight": 1, "camp": "needs",
                             "measure": {"kind": "value"}, "rationale_zh": name}]} for i, name in enumerate(hostile)]
    s = scheme_from_dict({"id": "hostile", "name_zh": "敌意", "name_en": "Hostile", "dimensions": dims})
    for shape in framework.SHAPES:
        for fmt in ("csv", "xlsx"):
            data = write_table(s, fmt, shape, "zh")
            _, rows = framework.read_rows(data, f"x.{fmt}")
            cells = [c for _, row in rows for c in row if isinstance(c, str)]
            assert [c for c in cells if neutralise(c) != c] == [], (shape, fmt)
            back = read_table(data, f"x.{fmt}", scheme_id=s.id, name_zh=s.name_zh, name_en=s.name_en)
            # the reader trims blanks round a cell, as it does for any table; the rest comes back as written
            assert [d.name_en for d in back.dimensions] == [n.strip() for n in hostile], (shape, fmt)
            assert [d.indicators[0].rationale_zh for d in back.dimensions] == [n.strip() for n in hostile]


# ---------------------------------------------------------------- property: export then import is the identity

TEXT = st.text(alphabet=st.sampled_from(list("abcXYZ 服务成效满意度,\"'：;-=()")), min_size=1, max_size=12) \
    .map(str.strip).filter(bool)
MEASURES = st.sampled_from([
    {"kind": "value"}, {"kind": "value", "denominator": "population"},
    {"kind": "value", "series": "other", "denominator": "households"},
    {"kind": "count", "table": "activities", "filter": "kind in ('case', 'group')"},
    {"kind": "share", "table": "needs", "filter": "status = 'resolved'", "base": "urgency >= 4"},
])
NORMS = st.sampled_from([None, {"method": "rank"}, {"method": "target", "target": 80.5},
                         {"method": "goalposts", "low": -1, "high": 2.25}])


@st.composite
def trees(draw):
    points = TREE and draw(st.booleans())
    max_depth = 5 if TREE else 1
    counter = iter(range(10 ** 6))

    def weight():
        return draw(st.integers(1, 40)) / 2 if points else draw(st.sampled_from([0.0, 1, 2.5, 0.125, 30]))

    def indicator():
        # codes as evaluators write them: lower or upper case, letters and digits (never two look-alikes here)
        ind = {"id": f"{draw(st.sampled_from(['i', 'B', 'Z']))}{next(counter)}", "name_zh": draw(TEXT),
               "name_en": draw(TEXT), "camp": draw(st.sampled_from(["output", "needs"])), "measure": draw(MEASURES)}
        ind["points" if points else "weight"] = weight()
        if draw(st.booleans()):
            ind["direction"] = "lower"
        ind["missing"] = draw(st.sampled_from(model.MISSING_RULES))
        nm = draw(NORMS)
        if points and (ind["measure"]["kind"] != "value" or draw(st.booleans())):
            # a points item from records takes a rule, or says it is scored against the others (normalisation)
            p = ind["points"]
            rule = draw(st.sampled_from([None, {"rule": "linear", "full_at": 1}, {"rule": "yes_no"},
                                         {"rule": "deduct", "target": 30, "per": 2, "unit": 5},
                                         {"rule": "bands", "steps": [[0.9, p], [0.5, p / 2]], "else": 0}]))
            if ind["measure"]["kind"] == "value" and rule is None:
                rule = {"rule": "awarded"}
            if rule is not None:
                if rule["rule"] == "bands" and ind.get("direction") == "lower":
                    rule = {**rule, "steps": [[0.5, p], [0.9, p / 2]]}
                ind["scoring"] = rule
            elif nm is None:
                nm = {"method": "minmax"}
        if nm:
            ind["normalisation"] = nm
        crit, source = draw(st.one_of(st.just(""), TEXT)), draw(st.one_of(st.just(""), TEXT))
        if crit or source:
            ind["rationale_zh"] = crit + (framework.SOURCE_MARK + source if source else "")
        if draw(st.booleans()):
            ind["unit"] = draw(TEXT)
        return ind

    def dimension(depth):
        d = {"id": f"D{next(counter)}", "name_zh": draw(TEXT), "name_en": draw(TEXT)}
        if not points:
            d["weight"] = weight() or 1.0
        subs = draw(st.integers(0, 2)) if depth < max_depth else 0
        leaves = draw(st.integers(0 if subs else 1, 3))
        if leaves:
            d["indicators"] = [indicator() for _ in range(leaves)]
            if not points and all(i["weight"] == 0 for i in d["indicators"]):
                d["indicators"][0]["weight"] = 1.0
        if subs:
            d["dimensions"] = [dimension(depth + 1) for _ in range(subs)]
        return d

    data = {"id": "gen", "name_zh": "生成", "name_en": "Generated"}
    if points:
        data["weighting"] = "points"
    data["dimensions"] = [dimension(1) for _ in range(draw(st.integers(1, 3)))]
    return scheme_from_dict(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees(), st.sampled_from(framework.SHAPES), st.sampled_from(["csv", "xlsx"]), st.sampled_from(["zh", "en"]))
def test_import_of_export_is_the_same_scheme(scheme, shape, fmt, lang):
    back = read_table(write_table(scheme, fmt, shape, lang), f"gen.{fmt}", scheme_id=scheme.id,
                      name_zh=scheme.name_zh, name_en=scheme.name_en)
    assert back == scheme


# ---------------------------------------------------------------- the command line

def test_cli_import_writes_yaml_and_refuses_bad_tables(tmp_path, capsys):
    src = tmp_path / "框架.csv"
    src.write_bytes(LONG_ZH.encode("gbk"))
    out = tmp_path / "f.yaml"
    assert cli(["scheme", "import", str(src), "--out", str(out), "--id", "my-framework"]) == 0
    assert model.load_file(out).id == "my-framework"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(LONG_ZH.replace("中位数", "平均数").encode("utf-8"))
    out2 = tmp_path / "bad.yaml"
    assert cli(["scheme", "import", str(bad), "--out", str(out2)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, row 3, column \"缺失处理\"" in err and "Traceback" not in err
    assert not out2.exists()


def test_cli_export_then_import_round_trips(tmp_path):
    for shape in framework.SHAPES:
        table, back = tmp_path / f"nm-{shape}.xlsx", tmp_path / f"nm-{shape}.yaml"
        assert cli(["scheme", "export", "needs-met", "--out", str(table), "--shape", shape, "--lang", "en"]) == 0
        assert cli(["scheme", "import", str(table), "--out", str(back), "--id", "needs-met"]) == 0
        assert model.load_file(back).dimensions == catalog.builtin("needs-met").dimensions
    assert cli(["scheme", "export", "needs-met", "--out", str(tmp_path / "x.txt")]) == 2


# ---------------------------------------------------------------- the example in sample_data/framework

def test_example_files_are_what_the_build_script_makes(tmp_path, monkeypatch):
    import importlib.util
    spec = importlib.util.spec_from_file_location("fw_build", EXAMPLE / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    build.build_values(tmp_path / "v.csv")
    assert (tmp_path / "v.csv").read_bytes() == (EXAMPLE / "indicator_values.csv").read_bytes()
    build.build_framework(tmp_path / "f.xlsx")
    assert read_table(tmp_path / "f.xlsx", "f.xlsx", scheme_id="x") == \
        read_table(EXAMPLE / "framework.xlsx", "f.xlsx", scheme_id="x")
    ws = openpyxl.load_workbook(EXAMPLE / "framework.xlsx").active
    assert [c.value for c in ws[1]][:5] == ["一级指标", "一级指标分值", "二级指标", "二级指标分值", "三级指标"]
    assert ws.merged_cells.ranges   # printed the manuals' way: level cells merged over their rows


def test_example_framework_scores_the_demo_from_records_and_values(demo_copy, tmp_path, capsys):
    yaml_out = tmp_path / "example.yaml"
    assert cli(["scheme", "import", str(EXAMPLE / "framework.xlsx"), "--out", str(yaml_out), "--id", "example",
                "--name-zh", "示例指标体系", "--name-en", "Example framework"]) == 0
    scheme = model.load_file(yaml_out)
    assert scheme.weighting == "points" and scheme.points_total() == 100
    assert [len(scheme.path_of(i.id)) for i in scheme.indicators] == [3] * 8   # three levels
    assert scheme.node("D1").points == 50 and scheme.node("D1.2").points == 25
    assert cli(["import", "--db", str(demo_copy), "--table", "indicator_values",
                str(EXAMPLE / "indicator_values.csv")]) == 0
    capsys.readouterr()
    assert cli(["score", "--db", str(demo_copy), "--scheme", str(yaml_out), "--from", "2024-01-01",
                "--to", "2024-12-31", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    s01 = next(s for s in out["stations"] if s["station_id"] == "S01")
    # the second survey wave (ends last) counts; visits are divided by the population served (12,970)
    assert s01["indicators"]["satisfaction"]["raw"] == 86.9
    assert s01["indicators"]["home_visits"]["raw"] == 651 / 12970      # full precision in the JSON
    assert s01["indicators"]["certified_staff"]["raw"] == 0.74
    # and the record-measured ones are there too, for every station
    assert all(s["indicators"]["professional_quality"]["raw"] is not None for s in out["stations"])
    assert s01["points_available"] == 100 and s01["points"] == pytest.approx(s01["score"], abs=1e-9)
    assert set(s01["nodes"]) == {"D1", "D1.1", "D1.2", "D2", "D2.1", "D2.2", "D3", "D3.1", "D3.2"}
    # the same numbers as the engine gives in Python
    from indicators.records import store
    from indicators.scoring.engine import score
    from indicators.scoring.measures import Period
    con = store.connect(demo_copy, read_only=True)
    try:
        result = score(con, scheme, Period(date(2024, 1, 1), date(2024, 12, 31)))
    finally:
        con.close()
    assert result.total["S01"] == s01["score"] and result.nodes.at["S01", "D1.2"] == s01["nodes"]["D1.2"]
    # export both shapes and read them back: the same scheme
    for shape in framework.SHAPES:
        table = tmp_path / f"example-{shape}.xlsx"
        assert cli(["scheme", "export", str(yaml_out), "--out", str(table), "--shape", shape]) == 0
        back = tmp_path / f"back-{shape}.yaml"
        assert cli(["scheme", "import", str(table), "--out", str(back), "--id", "example",
                    "--name-zh", "示例指标体系", "--name-en", "Example framework"]) == 0
        assert model.load_file(back) == scheme


def test_wide_form_errors_name_the_level_columns():
    text = ("一级指标,一级指标分值,二级指标,代码,分值\n"
            "成效,30,满意度,sat,15\n"
            ",,探访,visits,10\n"            # 成效 states 30 points but its indicators add up to 25
            ",,,,5\n")                    # a row naming no indicator
    got = problems(text.encode(), "w.csv")
    assert (4, "一级指标") in {(r, c) for r, c, _ in got}
    assert any("not the sum" in m and "25" in m for *_, m in got)
    # an indicator straight under a top-level cell, with no dimension above it
    assert any(r == 2 and c == "一级指标" for r, c, _ in problems("一级指标,权重\n孤立指标,1\n".encode()))


def test_wide_form_from_a_real_looking_xlsx_with_merged_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["一级指标", "二级指标", "三级指标", "分值", "评分标准", "数据来源"])
    ws.append(["组织建设", "制度", "制度上墙", 4, "查看现场", "现场查看"])
    ws.append([None, None, "台账规范", 6, "抽查台账", "台账"])
    ws.append([None, "人员", "持证比例", 10, "", "花名册"])
    ws.append(["服务成效", "满意度", "居民满意度", 80, "调查", "第三方调查"])
    ws.merge_cells("A2:A4")
    ws.merge_cells("B2:B3")
    wb.save(tmp_path / "manual.xlsx")
    s = read_table(tmp_path / "manual.xlsx")
    assert s.weighting == "points" and s.points_total() == 100
    assert [(d.id, d.points) for d in s.nodes()] == [("D1", 20), ("D1.1", 10), ("D1.2", 10), ("D2", 80),
                                                       ("D2.1", 80)]
    assert [i.id for i in s.indicators] == ["i1-1-1", "i1-1-2", "i1-2-1", "i2-1-1"]
    assert s.indicator("i1-1-2").rationale_zh == "抽查台账\n数据来源：台账"
    assert s.id == "manual" and s.name_zh == "manual"


@pytest.mark.parametrize("text, name", [
    ("代码,名称,层级,上级,分值\nd,成效,2,,\nsat,满意度,1,d,十五\nvisits,探访,1,d,\n", "long.csv"),
    ("一级指标,二级指标,代码,分值\n成效,满意度,sat,十五\n,探访,visits,\n", "wide.csv"),
])
def test_a_points_cell_that_is_no_number_is_one_problem_not_two(text, name):
    got = problems(text.encode(), name)
    sat = [(c, m) for r, c, m in got if r == 3 - ("wide" in name)]
    assert len(sat) == 1 and sat[0][0] == "分值" and "number" in sat[0][1]     # "expected a number", once
    # a blank points cell is still "required"
    visits = [(c, m) for r, c, m in got if r == 4 - ("wide" in name)]
    assert len(visits) == 1 and visits[0][0] == "分值" and "required" in visits[0][1]


class _ClosedPipe:
    """A stdout whose reader has gone (`... | head` after its lines): every write raises BrokenPipeError."""
    def write(self, text):
        raise BrokenPipeError

    def flush(self):
        pass


def test_scheme_import_writes_its_file_even_when_the_console_reader_has_gone(tmp_path, monkeypatch):
    # a table as handed out prints a summary of what it read before the file; with stdout closed by `| head` the
    # summary's first line stopped the command before the YAML was written, and it still exited 0
    out = tmp_path / "district.yaml"
    monkeypatch.setattr("sys.stdout", _ClosedPipe())
    assert cli(["scheme", "import", str(ROOT / "sample_data" / "qianfen" / "table_district.xlsx"),
                "--out", str(out)]) == 0
    assert model.load_file(out).points_total() == 1000
