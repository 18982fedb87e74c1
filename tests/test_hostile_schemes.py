"""Hostile scheme files (alias bombs, deep nesting, giant numbers) are bad input: refused in well under a second,
exit 2 naming the field, by the CLI and by the app's upload alike, the database untouched."""
import hashlib
import time

import pytest

from indicators.cli.main import main
from indicators.errors import InputError
from indicators.records import store as records
from indicators.scheme import editing, framework
from indicators.scheme.model import SchemeError, load_yaml
from tests import hostile

# the line of the built-in scheme's first `serves`, where the deep cases put their nesting
SERVES_LINE = hostile.BASE[:hostile.BASE.index("    serves:")].count("\n") + 1
CASES = [
    ("alias bomb in serves", hostile.alias_bomb(), "dimensions[1].indicators[0].serves", "aliases"),
    ("alias bomb in a weight", hostile.alias_bomb(at="weight"), "dimensions[0].indicators[0].weight", "aliases"),
    ("5,000-deep flow list", hostile.deep_flow_list(5000), f"line {SERVES_LINE} (serves)", "nested"),
    ("3,000-deep mapping", hostile.deep_mapping(3000), f"line {SERVES_LINE} (serves)", "nested"),
    ("60-deep flow list", hostile.deep_flow_list(60), "dimensions[1].indicators[0].serves[0]", "nested"),
    ("self-referring alias", hostile.weight("&a [*a]", 2), "dimensions[0].indicators[0].weight", "aliases"),
    ("weight 10**400", hostile.weight("1" + "0" * 400, 2), "dimensions[0].indicators[0].weight", "401 digits"),
    ("weight of 5,000 digits", hostile.weight("9" * 5000, 2), "dimensions[0].indicators[0].weight", "5,000 digits"),
    ("weights summing past 1e308", hostile.weight("1.0e+308", 3).replace("weight: 40", "weight: 1.0e+308", 1),
     "dimensions[0].indicators[", "1e+308"),
    ("weight .inf", hostile.weight(".inf", 2), "dimensions[0].indicators[0].weight", "inf"),
]


def _state(path) -> str:
    """Every row of every table, hashed: 'nothing changed' means this is the same before and after."""
    con = records.connect(path, read_only=True)
    try:
        h = hashlib.sha256()
        for (table,) in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall():
            h.update(repr(sorted(map(repr, con.execute(f'SELECT * FROM "{table}"').fetchall()))).encode())
        return h.hexdigest()
    finally:
        con.close()


@pytest.mark.parametrize("name,text,field,word", CASES, ids=[c[0] for c in CASES])
def test_cli_refuses_with_exit_2_naming_the_field(demo_copy, tmp_path, capsys, name, text, field, word):
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    before = _state(demo_copy)
    t0 = time.process_time()   # CPU, not wall: a busy machine stretches the wall time of the same work
    code = main(["score", "--db", str(demo_copy), "--scheme", str(path)])
    took = time.process_time() - t0
    err = capsys.readouterr().err
    assert code == 2, err
    assert field in err and word in err and "Traceback" not in err and "internal error" not in err
    assert took < 1.0, f"{name}: {took:.2f}s to refuse"
    assert _state(demo_copy) == before


@pytest.mark.parametrize("name,text,field,word", CASES, ids=[c[0] for c in CASES])
def test_app_upload_refuses_naming_the_field(name, text, field, word):
    t0 = time.process_time()   # CPU, not wall (as above)
    with pytest.raises(SchemeError) as exc:
        editing.parse_upload(text.encode("utf-8"), "upload.yaml")
    assert time.process_time() - t0 < 1.0
    assert exc.value.field.startswith(field) and word in str(exc.value)


def test_limits_leave_real_schemes_alone():
    # the built-in schemes, and one with a harmless alias, still load
    assert load_yaml(hostile.BASE).id == "needs-met"
    text = hostile.BASE.replace("    serves:", "    serves: &s [a, b]\n    x_serves:", 1)
    with pytest.raises(SchemeError, match="x_serves: unknown field"):   # the alias was read; the field name is wrong
        load_yaml(text.replace("x_serves:", "x_serves: *s\n    y:", 1))


def test_file_size_is_capped(tmp_path):
    text = hostile.BASE + "#" + "x" * 1_000_001 + "\n"
    with pytest.raises(SchemeError, match="at most 1,000,000"):
        load_yaml(text, "big.yaml")


# ---------------------------------------------------------------- many values: refused as soon as the count passes

def _cpu(fn):
    """(what fn returned or raised, CPU seconds of this process): a hang or a blow-up burns CPU, a busy machine
    does not."""
    t0 = time.process_time()
    try:
        out = fn()
    except InputError as exc:   # SchemeError, FrameworkProblems
        out = exc
    return out, time.process_time() - t0


MANY = [   # (name, text, field named): each far over MAX_YAML_NODES, or just under it in the slowest shape
    ("999k characters of a flat list", hostile.flat_list(999_000), "dimensions[1].indicators[0].serves"),
    ("999k characters of numbers", hostile.flat_list(999_000, "1"), "dimensions[1].indicators[0].serves"),
    ("a block list of 100,000 items", hostile.BASE.replace(
        "    serves:", "    serves:\n" + "    - a\n" * 100_000 + "    x_serves:", 1), "dimensions[1].indicators[0].serves"),
    ("a mapping of 24,500 keys (just under the count)", hostile.BASE.replace("    serves:", "    serves: {" + ", ".join(
        f"k{i}: 1.5" for i in range(24_500)) + "}\n    x_serves:", 1), "dimensions[1].indicators[0].serves"),
]


@pytest.mark.parametrize("name,text,field", MANY, ids=[m[0] for m in MANY])
def test_many_values_refused_in_under_a_second(name, text, field):
    got, took = _cpu(lambda: load_yaml(text, "many.yaml"))
    assert isinstance(got, SchemeError) and got.field == field, got
    assert "alias" not in str(got)   # no alias in these files: the message must not blame them
    assert took < 1.0, f"{name}: {took:.2f} s CPU to refuse"


def test_many_values_refused_by_the_cli_in_under_a_second(demo_copy, tmp_path, capsys):
    path = tmp_path / "many.yaml"
    path.write_text(hostile.flat_list(999_000), encoding="utf-8")
    code, took = _cpu(lambda: main(["score", "--db", str(demo_copy), "--scheme", str(path)]))
    err = capsys.readouterr().err
    assert code == 2 and "dimensions[1].indicators[0].serves" in err and "50,000 values" in err, err
    assert "alias" not in err and "Traceback" not in err
    assert took < 1.0, f"{took:.2f} s CPU to refuse"


def test_a_thousand_indicators_still_load_quickly():
    from dataclasses import replace

    from indicators.scheme.catalog import builtin
    from indicators.scheme.model import Dimension, dump_yaml
    base = builtin("needs-met")   # its indicators with their bilingual rationales, quantitative and qualitative
    dims = tuple(Dimension(id=f"d{d}", name_zh=f"维度{d}", name_en=f"Dimension {d}", indicators=tuple(
        replace(base.indicators[k % len(base.indicators)], id=f"i{d}-{k}") for k in range(20))) for d in range(50))
    text = dump_yaml(replace(base, dimensions=dims, gates=()))
    assert len(text) > 500_000
    got, took = _cpu(lambda: load_yaml(text, "big.yaml"))
    assert not isinstance(got, SchemeError), got
    assert len(got.indicators) == 1000 and took < 2.0   # loading is not refusing: no one-second promise, but no blow-up


def test_an_alias_is_blamed_only_when_there_is_one():
    # a few aliases expanding past the count: blamed; the same count written out is "too many values" above
    text = hostile.BASE.replace("    serves:", "    serves: [&a [" + ",".join(["x"] * 1000) + "], " +
                                ", ".join(["*a"] * 200) + "]\n    x_serves:", 1)
    got, _ = _cpu(lambda: load_yaml(text))
    assert got.field == "dimensions[1].indicators[0].serves" and "aliases" in str(got)


def test_the_pure_python_parser_keeps_the_same_guards(monkeypatch):
    # PyYAML built without libyaml falls back to its Python parser: slower, but every limit still holds
    from indicators.scheme import model
    monkeypatch.setattr(model, "_GuardedLoader", model._PyLoader)
    for name, text, field, word in CASES:
        with pytest.raises(SchemeError) as exc:
            load_yaml(text)
        assert exc.value.field.startswith(field) and word in str(exc.value), name
    with pytest.raises(SchemeError, match="50,000 values") as exc:
        model.load_yaml_value(hostile.flat_list(20_000), budget=model.YamlBudget(nodes=2_000))
    assert exc.value.field == "dimensions[1].indicators[0].serves"
    assert load_yaml(hostile.BASE).id == "needs-met"


# ---------------------------------------------------------------- framework tables: the same guards for their cells

FRAMEWORK = [   # (name, {row: {column: text}}, row named, column named, words of the message)
    ("5,000-deep flow list in a measure", {3: {"measure": hostile.measure("[" * 5000 + "]" * 5000)}}, 3, "measure",
     "nested more than 50"),
    ("3,000-deep mapping in a measure", {4: {"measure": hostile.measure("{a: " * 3000 + "1" + "}" * 3000)}}, 4,
     "measure", "nested more than 50"),
    ("60-deep flow list in a measure", {3: {"measure": hostile.measure("[" * 60 + "]" * 60)}}, 3, "measure",
     "filter[0][0]"),
    ("alias bomb in a filter", {5: {"measure": hostile.measure(hostile.alias_tree())}}, 5, "measure",
     "filter[4]: expands to more than 50,000 values through YAML aliases"),
    ("self-referring alias in a filter", {3: {"measure": hostile.measure("&a [*a]")}}, 3, "measure", "aliases"),
    ("a 5,000-digit number in a measure", {3: {"measure": "{kind: top_share, top: " + "9" * 5000 + "}"}}, 3,
     "measure", "top: must be a finite number no larger than 1e+15 in size, got a number of 5,000 digits"),
    ("10**400 in a measure", {3: {"measure": "{kind: top_share, top: 1" + "0" * 400 + "}"}}, 3, "measure",
     "401 digits"),
    ("a flat list of 60,000 values in a measure", {4: {"measure": hostile.measure("[" + "a," * 60_000 + "a]")}}, 4,
     "measure", "filter: holds more than 50,000 values"),   # a CSV cell holds at most 131,072 characters
    ("weights of 1e308 on two siblings", {3: {"weight": "1e308"}, 4: {"weight": "1e308"}}, 3, "weight",
     "no larger than 1e+15"),
    ("a weight of 10**400", {4: {"weight": "1" + "0" * 400}}, 4, "weight", "no larger than 1e+15"),
    ("a target of 1e300", {5: {"normalisation": "target 1e300"}}, 5, "normalisation", "got 1e+300"),
]


@pytest.mark.parametrize("name,cells,row,column,words", FRAMEWORK, ids=[f[0] for f in FRAMEWORK])
def test_framework_import_refuses_with_exit_2_naming_row_and_column(tmp_path, capsys, name, cells, row, column,
                                                                    words):
    table, out = tmp_path / "framework.csv", tmp_path / "s.yaml"
    table.write_text(hostile.framework_csv(cells), encoding="utf-8")
    code, took = _cpu(lambda: main(["scheme", "import", str(table), "--out", str(out)]))
    err = capsys.readouterr().err
    assert code == 2, err
    assert f'framework.csv, row {row}, column "{column}"' in err and words in err, err
    assert "Traceback" not in err and "internal error" not in err
    assert not out.exists()
    assert took < 1.0, f"{name}: {took:.2f} s CPU to refuse"


@pytest.mark.parametrize("name,cells,row,column,words", FRAMEWORK, ids=[f[0] for f in FRAMEWORK])
def test_framework_upload_refuses_naming_row_and_column(name, cells, row, column, words):
    # the Schemes page's framework upload calls read_table with the uploaded bytes
    got, took = _cpu(lambda: framework.read_table(hostile.framework_csv(cells).encode("utf-8"), "upload.csv"))
    assert isinstance(got, framework.FrameworkProblems), got
    first = got.problems[0]
    assert (first.row, first.column) == (row, column) and words in first.render("en"), first
    assert "：" in first.line("zh") and took < 1.0


INDICATOR_ROWS = (3, 4, 5, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 19, 20, 22, 23, 24, 25, 27)   # of hostile.framework_csv


def test_framework_measures_share_one_budget():
    # twenty cells of 3,000 values each: every cell is small, the table is not; the cell passing 50,000 is named
    table = hostile.framework_csv({n: {"measure": hostile.measure("[" + "a," * 3000 + "a]")} for n in INDICATOR_ROWS})
    got, took = _cpu(lambda: framework.read_table(table.encode("utf-8"), "fw.csv"))
    assert isinstance(got, framework.FrameworkProblems)
    assert [p.row for p in got.problems] == [23]   # the 17th cell; the ones below it are not read
    assert "filter: holds more than 50,000 values" in got.problems[0].render("en") and took < 1.0


def test_framework_measures_share_one_size_cap():
    padding = " #" + "x" * 120_000   # a comment: cheap to scan, but nine of them are more than one scheme file
    table = hostile.framework_csv({n: {"measure": "{kind: count, table: activities}" + padding}
                                   for n in INDICATOR_ROWS[:9]})
    with pytest.raises(framework.FrameworkProblems) as exc:
        framework.read_table(table.encode("utf-8"), "fw.csv")
    assert [(p.row, p.column) for p in exc.value.problems] == [(13, "measure")]
    assert "more than 1,000,000 characters together" in exc.value.problems[0].render("en")


def test_a_wide_table_whose_dimension_weight_would_pass_the_cap():
    # each leaf is at the cap; the dimension's weight (their sum) would be written to YAML that load_yaml refuses
    table = "一级指标,二级指标,代码,权重\n服务,甲,a1,1000000000000000\n,乙,a2,1000000000000000\n"
    with pytest.raises(framework.FrameworkProblems) as exc:
        framework.read_table(table.encode("utf-8"), "w.csv")
    p = exc.value.problems[0]
    assert (p.row, p.column) == (2, "权重") and "2e+15" in p.render("en") and "2e+15" in p.render("zh")


def test_framework_limits_leave_real_tables_alone():
    got = framework.read_table(hostile.framework_csv({}).encode("utf-8"), "fw.csv")
    assert got.indicators == load_yaml(hostile.BASE).indicators


def test_the_schemes_page_lists_a_hostile_framework_table_by_row_and_column(db):
    from tests.test_app import open_app, working
    from tests.test_app_framework import upload
    table = hostile.framework_csv({3: {"weight": "1e308"}, 4: {"weight": "1e308"},
                                   5: {"measure": hostile.measure(hostile.alias_tree())}}).encode("utf-8")
    for lang, header, words in (("zh", "问题 / 应为", "方案文件中的别名"), ("en", "What is wrong / expected", "aliases")):
        at = open_app(lang, "schemes")
        upload(at, "hostile.csv", table)
        assert not at.exception and len(at.error) == 1
        shown = next(d.value for d in at.table if header in d.value.columns)
        rows = shown.to_dict("records")
        assert [(r[shown.columns[0]], r[shown.columns[1]]) for r in rows] == [
            ("3", "weight"), ("4", "weight"), ("5", "measure")]
        assert words in rows[2][header]
        assert not any(b.key == "fw_go" for b in at.button) and working(at) == {}
