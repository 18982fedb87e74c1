"""Every engine message a person can meet is a code with parameters, put in the reader's language where shown.

The word tables are walked (both languages, the same parameters, every code the engine raises is there), then a
corpus of bad schemes and bad ledgers, one per kind of message, hostile files included, is rendered in Chinese:
no English sentence is left, and the field, row or file is named. The app pages and the CLI show the same words.
"""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import numpy as np
import pytest
import yaml

from indicators.cli.main import main
from indicators.errors import InputError
from indicators.i18n import EN, ZH
from indicators.records import importer
from indicators.scheme import catalog, editing, framework
from indicators.scheme.model import SchemeError, dump_yaml
from indicators.weights import ahp, judgments, objective
from indicators.weights import needs as needs_method
from indicators.weights.common import WeightsError
from tests.conftest import make_db, station

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")
# An English sentence: three or more ASCII words in a row separated by spaces only (a list of codes such as
# "output, needs" is not one; quoted values are taken out before looking).
ENGLISH = re.compile(r"[A-Za-z]+(?: +[A-Za-z]+){2,}")
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”")
# A `detail` or `reason` is English text from a library (PyYAML, a codec, openpyxl): Chinese may leave it out.
LIBRARY_WORDS = {"detail", "reason"}


def fields_of(template: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f}


def english_left(text: str, *allowed: str) -> list[str]:
    for a in allowed:
        text = text.replace(a, "")
    return ENGLISH.findall(QUOTED.sub("", text))


# ---------------------------------------------------------------- the tables

ERR_KEYS = sorted(k for k in EN if k.startswith("err."))


def test_every_code_has_both_languages_with_the_same_parameters():
    assert set(k for k in ZH if k.startswith("err.")) == set(ERR_KEYS)
    for key in ERR_KEYS:
        en, zh = fields_of(EN[key]), fields_of(ZH[key])
        assert zh <= en and en - zh <= LIBRARY_WORDS, (key, en, zh)
        assert "lang" not in en, key                              # t(key, lang, **params) takes lang itself
        sample = {name: "x" for name in en}
        EN[key].format(**sample)                                  # formats without error
        assert not english_left(ZH[key].format(**sample)), (key, ZH[key])


CODED = {"indicators/scheme/model.py": "err.scheme.", "indicators/scheme/editing.py": "err.scheme.",
         "indicators/scheme/catalog.py": "err.scheme.", "indicators/scoring/measures.py": "err.scheme.",
         "indicators/records/importer.py": "err.import.", "indicators/scheme/framework.py": "err.framework.",
         "indicators/scoring/treatment.py": "", "indicators/scoring/engine.py": "",
         **{f"indicators/weights/{m}.py": "err.weights." for m in ("ahp", "needs", "objective", "judgments")},
         **{f"indicators/cli/{m}.py": "err.cli." for m in ("main", "common", "records_io", "scheme_io", "audit", "spark")},
         "indicators/cli/notice.py": "err.notice.",
         "indicators/outputs/export.py": "err.export.", "indicators/analysis/sensitivity.py": "err.sensitivity."}


def _codes_used(path: str, prefix: str):
    """(key, keyword names) of every _said("code", ...), Word("err....", ...) and Error(code="...", params={...})
    call with a literal code."""
    for node in ast.walk(ast.parse((ROOT / path).read_text(encoding="utf-8"))):
        kw = {k.arg: k.value for k in getattr(node, "keywords", ())}
        if isinstance(node, ast.Call) and isinstance(kw.get("code"), ast.Constant):
            params = kw.get("params")
            yield "err." + kw["code"].value, {k.value for k in params.keys} if isinstance(params, ast.Dict) else set()
            continue
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
            continue
        first = node.args[0]
        keys = [first] if isinstance(first, ast.Constant) else [first.body, first.orelse] \
            if isinstance(first, ast.IfExp) else []
        for k in keys:
            if not (isinstance(k, ast.Constant) and isinstance(k.value, str)):
                continue
            if node.func.id == "_said":
                yield prefix + k.value, {kw.arg for kw in node.keywords}
            elif node.func.id == "Word" and k.value.startswith("err."):
                yield k.value, {kw.arg for kw in node.keywords}


@pytest.mark.parametrize("path", sorted(CODED))
def test_every_code_the_engine_raises_is_in_the_tables_with_its_parameters(path):
    used = list(_codes_used(path, CODED[path]))
    assert used
    for key, given in used:
        assert key in EN, f"{path}: {key} is not in the word tables"
        assert fields_of(EN[key]) == given, (path, key, fields_of(EN[key]), given)


# the message argument of each way a problem is raised in those modules
_MESSAGE_AT = {"SchemeError": 1, "_FileProblem": 0, "Problem": 4, "fail": 1, "bad": 3, "add": 4, "WeightsError": 0,
               "ValueError": 0, "BadInput": 0, "CliInputError": 0,
               "ExportError": 0, "SensitivityError": 0}


def _plain_messages(path: str):
    """Lines where a problem is raised with finished English words (text or an f-string) instead of a code."""
    for node in ast.walk(ast.parse((ROOT / path).read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        at = _MESSAGE_AT.get(name)
        if at is None or len(node.args) <= at or (name == "add" and len(node.args) < 5):
            continue                                           # set.add(x) and the like
        if name == "SchemeError" and (len(node.args) > 3 or any(k.arg == "code" for k in node.keywords)):
            continue                                           # the code is given beside the words
        message = node.args[at]
        if isinstance(message, (ast.Constant, ast.JoinedStr, ast.BinOp)):
            yield node.lineno


@pytest.mark.parametrize("path", sorted(p for p in CODED if CODED[p]))
def test_every_problem_is_raised_with_a_code_not_with_finished_words(path):
    assert not list(_plain_messages(path)), f"{path}: lines {list(_plain_messages(path))} raise plain words"


def test_no_message_is_translated_by_matching_its_text():
    for path in ("app_pages/records_import.py", "indicators/outputs/views.py", "indicators/i18n/framework.py"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert "translate_problem" not in text and "PROBLEMS_ZH" not in text and "_ZH_RULES" not in text, path


# ---------------------------------------------------------------- a corpus of bad schemes

def _scheme(change) -> str:
    data = yaml.safe_load(dump_yaml(catalog.builtin("needs-met")))
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _ind(data, n=0):
    return data["dimensions"][0]["indicators"][n]


def _set(path_fn, key, value):
    def change(data):
        path_fn(data)[key] = value
    return change


def _drop(path_fn, key):
    def change(data):
        path_fn(data).pop(key)
    return change


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n" for p, n in zip("abcde", "bcdef"))
DEEP = "".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "v: 1\n"

SCHEMES = {   # name -> (YAML text or bytes, the field or place the Chinese must name)
    "required": (_scheme(_drop(_ind, "name_en")), "dimensions[0].indicators[0].name_en"),
    "not a number": (_scheme(_set(_ind, "weight", "heavy")), "dimensions[0].indicators[0].weight"),
    "not a choice": (_scheme(_set(_ind, "camp", "party")), "dimensions[0].indicators[0].camp"),
    "unknown field": (_scheme(_set(_ind, "colour", "red")), "dimensions[0].indicators[0].colour"),
    "negative weight": (_scheme(_set(_ind, "weight", -2)), "dimensions[0].indicators[0].weight"),
    "all zero": (_scheme(lambda d: [i.update(weight=0) for i in d["dimensions"][0]["indicators"]]),
                 "dimensions[0].indicators[*].weight"),
    "goalposts": (_scheme(_set(_ind, "normalisation", {"method": "goalposts", "low": 5, "high": 1})),
                  "dimensions[0].indicators[0].normalisation.high"),
    "gate": (_scheme(lambda d: d.update(gates=[{"indicator": "nope", "op": ">=", "value": 1, "cap": "C"}])),
             "gates[0].indicator"),
    "grades": (_scheme(lambda d: d.update(grades=[{"grade": "A", "min": 50}])), "grades"),
    "unknown table": (_scheme(lambda d: _ind(d)["measure"].update(table="parties")),
                      "dimensions[0].indicators[0].measure.table"),
    "duplicate id": (_scheme(lambda d: d["dimensions"][1]["indicators"][0].update(id=_ind(d)["id"])),
                     "dimensions[1].indicators[0].id"),
    "alias bomb": (BOMB, "bad.yaml: e: "),
    "nested too deep": (DEEP, "k0.k1.k2"),
    "brackets too deep": ("a: " + "[" * 5000 + "]" * 5000 + "\n", "第1行（a）"),
    "huge number": (_scheme(_set(_ind, "weight", 1e300)), "dimensions[0].indicators[0].weight"),
    "giant integer": (_scheme(_set(_ind, "weight", 10 ** 60)), "dimensions[0].indicators[0].weight"),
    "too large": ("#" * 1_000_001, "（文件）"),
    "not utf-8": ("id: x\nname_zh: 方案\n".encode("gbk"), "（文件）"),
    "not a mapping": ("- just\n- a list\n", "（顶层）"),
}


def scheme_error(text) -> SchemeError:
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    with pytest.raises(SchemeError) as caught:
        editing.parse_upload(data, "bad.yaml")
    return caught.value


@pytest.mark.parametrize("name", list(SCHEMES))
def test_a_bad_scheme_reads_in_chinese_naming_its_field(name):
    text, where = SCHEMES[name]
    exc = scheme_error(text)
    zh = exc.render("zh")
    assert exc.code, (name, str(exc))                          # a code, not words to be matched
    assert CJK.search(exc.problem_in("zh")), zh
    assert where in zh, (where, zh)
    assert not english_left(zh, "bad.yaml", exc.field), (name, zh, english_left(zh, "bad.yaml", exc.field))
    assert exc.render("en") == str(exc) and not CJK.search(exc.problem_in("en")) or name == "not a choice"


def test_invalid_yaml_names_line_and_column_in_chinese():
    exc = scheme_error("id: x\nname_zh: [unclosed\n")
    zh = exc.render("zh")
    assert exc.code == "scheme.not_yaml" and re.search(r"第\d+行第\d+列", zh) and "方案文件格式有误" in zh and "英文冒号" in zh, zh
    assert re.search(r"line \d+, column \d+: not valid YAML", str(exc))    # the English as before


# ---------------------------------------------------------------- a corpus of bad ledgers

NEEDS_HEAD = "need_id,station_id,category,title,source,raised_on,urgency,status,resolved_on\n"
FRAMEWORK_BAD = ("代码,名称,层级,上级,分值,缺失处理\n"
                 "d1,服务成效,2,,,\n"
                 "a1,满意度,1,d1,,\n"
                 "a2,探访,1,d9,5,平均\n"
                 "d2,循环,2,d3,,\n"
                 "d3,循环,2,d2,,\n")

LEDGERS = {   # name -> (table, file name, bytes, what the Chinese must name)
    "unknown header": ("needs", "n.csv", (NEEDS_HEAD.replace("category", "categry") +
                                          "N1,S01,health,t,survey,2024-01-02,3,open,\n").encode(), "“categry”列"),
    "missing columns": ("needs", "n.csv", b"need_id,station_id\nN1,S01\n", "第1行"),
    "empty file": ("needs", "empty.csv", b"", "empty.csv"),
    "header only": ("needs", "only.csv", NEEDS_HEAD.encode(), "only.csv"),
    "short row": ("needs", "n.csv", (NEEDS_HEAD + "N1,S01,health\n").encode(), "第2行"),
    "beyond the header": ("needs", "n.csv", (NEEDS_HEAD + "N1,S01,health,t,survey,2024-01-02,3,open,,x\n").encode(),
                          "第2行"),
    "repeated key": ("needs", "n.csv", (NEEDS_HEAD + "N1,S01,health,t,survey,2024-01-02,3,open,\n" * 2).encode(),
                     "第3行"),
    "unknown station": ("needs", "n.csv", (NEEDS_HEAD + "N1,S77,health,t,survey,2024-01-02,3,open,\n").encode(),
                        "“station_id”列"),
    "many unknown stations": ("needs", "n.csv", (NEEDS_HEAD + "".join(
        f"N{i},S7{i % 3},health,t,survey,2024-01-02,3,open,\n" for i in range(12))).encode(), "“station_id”列"),
    "resolved without a date": ("needs", "n.csv", (NEEDS_HEAD + "N1,S01,health,t,survey,2024-01-02,3,resolved,\n"
                                                   ).encode(), "“resolved_on”列"),
    "resolved before raised": ("needs", "n.csv", (NEEDS_HEAD + "N1,S01,health,t,survey,2024-01-02,3,resolved,"
                                                  "2023-01-01\n").encode(), "第2行"),
    "feedback without an answer": ("feedback", "f.csv", b"feedback_id,station_id,given_on,channel\n"
                                                        b"F1,S01,2024-01-02,council\n", "第2行"),
    "bad cells": ("needs", "n.csv", (NEEDS_HEAD + "N1,S01,health,t,survey,2024-02-30,9,maybe,\n").encode(),
                  "“urgency”列"),
    "different content": ("stations", "s.csv", "station_id,name,population\nS01,别的名字,1000\n".encode(), "第2行"),
    "old xls": ("needs", "n.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "n.xls"),
    "not a workbook": ("needs", "n.xlsx", b"just text", "n.xlsx"),
    "broken workbook": ("needs", "n.xlsx", b"PK\x03\x04broken", "n.xlsx"),
    "mixed encodings": ("needs", "n.csv", NEEDS_HEAD.encode() + "N1,S01,health,养老,survey,2024-01-02,3,open,\n"
                        .encode() + "N2,S01,health,探访,survey,2024-01-02,3,open,\n".encode("gbk") +
                        "N3,S01,health,养老,survey,2024-01-02,3,open,\n".encode(), "第3行"),
    "not a table": ("parties", "p.csv", b"a\n1\n", "p.csv"),
}


@pytest.fixture
def ledger_db(tmp_path):
    con = make_db(tmp_path / "x.duckdb", {"stations": [station("S01")]})
    yield con
    con.close()


@pytest.mark.parametrize("name", list(LEDGERS))
def test_a_bad_ledger_reads_in_chinese_naming_its_row_or_file(ledger_db, name):
    table, file, data, where = LEDGERS[name]
    plan = importer.check_many(ledger_db, [(table, data, file)])
    assert not plan.ok
    for p in plan.problems:
        assert p.code, (name, str(p))                           # a code, not words to be matched
    zh = plan.error().render("zh")
    assert where in zh, (where, zh)
    assert all(CJK.search(p.render("zh")) for p in plan.problems), zh
    assert not english_left(zh, file), (name, zh, english_left(zh, file))


def test_scoring_an_empty_database_or_an_unknown_group_column_reads_in_chinese(tmp_path, demo_db):
    from indicators.records import store
    from indicators.scoring import engine
    from indicators.scoring.measures import Period
    empty = store.connect(tmp_path / "empty.duckdb")
    try:
        with pytest.raises(InputError) as caught:
            engine.score(empty, catalog.builtin("needs-met"), Period())
    finally:
        empty.close()
    assert caught.value.code == "records.no_tables" and "请先导入记录" in caught.value.render("zh")
    assert "no record tables" in str(caught.value)
    data = yaml.safe_load(dump_yaml(catalog.builtin("needs-met")))
    _ind(data)["missing"] = "group_mean"
    data["treatment"] = {"group": "colour"}
    scheme = editing.parse_upload(yaml.safe_dump(data, allow_unicode=True).encode(), "g.yaml")
    con = store.connect(demo_db, read_only=True)
    try:
        with pytest.raises(InputError) as caught:
            engine.score(con, scheme, Period())
    finally:
        con.close()
    zh = caught.value.render("zh")
    assert "treatment.group" in zh and "不是社工站表的列" in zh and not english_left(zh), zh


def test_a_file_over_the_size_limit_reads_in_chinese(ledger_db, monkeypatch):
    monkeypatch.setattr(importer, "MAX_BYTES", 2 ** 20)
    plan = importer.check_many(ledger_db, [("needs", (NEEDS_HEAD * 20_000).encode(), "big.csv")])
    zh = plan.error().render("zh")
    assert "big.csv：超过1 MB，请拆分文件" in zh and not english_left(zh, "big.csv"), zh


def test_a_bad_framework_table_reads_in_chinese_naming_rows_and_columns():
    with pytest.raises(framework.FrameworkProblems) as caught:
        framework.read_table(FRAMEWORK_BAD.encode(), "fw.csv")
    zh = caught.value.render("zh")
    assert len(caught.value.problems) >= 3 and all(p.code for p in caught.value.problems)
    assert "第3行" in zh and "“上级”列" in zh and not english_left(zh, "fw.csv"), zh


def test_a_model_error_found_in_a_framework_table_reads_in_chinese():
    table = "代码,名称,层级,上级,权重,标准化\nd1,成效,2,,1,\na1,满意度,1,d1,1,goalposts 5 1\n"
    with pytest.raises(framework.FrameworkProblems) as caught:
        framework.read_table(table.encode(), "fw.csv")
    [problem] = caught.value.problems
    assert problem.code == "framework.in_node" and problem.row == 3 and problem.column == "标准化"
    assert problem.message == "must be above low (5) (node a1)"
    assert problem.render("zh") == "必须大于 low（5）（节点a1）"


# ---------------------------------------------------------------- the app pages and the CLI

def test_the_schemes_page_shows_a_bad_upload_in_chinese(db):
    from tests.test_app import open_app
    at = open_app("zh", "schemes")
    at.file_uploader(key="upload_yaml").set_value(("bomb.yaml", BOMB.encode(), "application/x-yaml")).run()
    assert not at.exception
    [shown] = [e.value for e in at.error]
    assert "别名" in shown and "bomb.yaml" in shown and not english_left(shown, "bomb.yaml"), shown
    at.file_uploader(key="upload_yaml").set_value(
        ("party.yaml", SCHEMES["not a choice"][0].encode(), "application/x-yaml")).run()
    [shown] = [e.value for e in at.error]
    assert "dimensions[0].indicators[0].camp" in shown and "只能填以下之一" in shown, shown


def test_the_records_page_shows_a_bad_ledger_in_chinese(db):
    from tests.test_app import open_app
    at = open_app("zh", "records")
    at.selectbox(key="io_table").set_value("needs").run()
    bad = NEEDS_HEAD.replace("category", "categry") + "N1,S01,health,t,survey,2024-01-02,3,open,\n"
    broken = NEEDS_HEAD + 'N2,"S01,health\n'                      # a quote never closed
    at.file_uploader(key="io_files:0").set_value([("needs.csv", bad.encode(), "text/csv"),
                                                  ("needs_2.csv", broken.encode(), "text/csv")]).run()
    assert not at.exception
    problems = next(d.value for d in at.table if "问题 / 应为" in d.value.columns)
    said = list(problems["问题 / 应为"])
    assert len(said) == 2 and all(CJK.search(s) and not english_left(s) for s in said), said
    assert any("不是需求表的列" in s for s in said) and any("不是有效的 CSV" in s for s in said), said


def test_a_saved_scheme_that_no_longer_loads_is_named_in_chinese(db):
    from datetime import datetime
    from indicators.records import store
    from tests.test_app import open_app
    con = store.connect(db)
    try:
        catalog.save(con, catalog.builtin("needs-met").with_weights(**{"id": "mine"}))
        con.execute("UPDATE schemes SET yaml = ?, saved_at = ? WHERE scheme_id = 'mine'",
                    [SCHEMES["negative weight"][0].replace("id: needs-met", "id: mine"), datetime(2024, 1, 1)])
    finally:
        con.close()
    at = open_app("zh")
    shown = [w.value for w in at.warning if "mine" in w.value]
    assert len(shown) == 1 and "不能为负数，实际是-2" in shown[0], [w.value for w in at.warning]


def test_the_cli_says_a_bad_scheme_in_chinese_and_exits_2(demo_db, tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(SCHEMES["goalposts"][0], encoding="utf-8")
    code = main(["score", "--db", str(demo_db), "--scheme", str(path), "--lang", "zh"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("错误：") and "必须大于 low" in err, err
    assert "normalisation.high" in err and not english_left(err, str(path)), err
    assert main(["score", "--db", str(demo_db), "--scheme", str(path), "--lang", "en"]) == 2
    assert "must be above low (5)" in capsys.readouterr().err


def test_the_cli_says_a_bad_ledger_in_chinese_and_exits_2(tmp_path, capsys):
    path = tmp_path / "needs.csv"
    path.write_text(NEEDS_HEAD + "N1,S01,health,t,survey,2024-01-02,3,resolved,\n", encoding="utf-8")
    code = main(["import", "--db", str(tmp_path / "x.duckdb"), "--table", "needs", str(path), "--lang", "zh"])
    err = capsys.readouterr().err
    assert code == 2 and "needs.csv：发现" in err and "第2行" in err and not english_left(err, "needs.csv"), err
    assert not (tmp_path / "x.duckdb").exists()


def test_an_input_error_keeps_its_english_message():
    exc = scheme_error(SCHEMES["negative weight"][0])
    assert str(exc) == "bad.yaml: dimensions[0].indicators[0].weight: must not be negative, got -2"
    assert isinstance(exc, InputError)


# ---------------------------------------------------------------- a corpus of bad weighting inputs

def _needs(**change):
    row = {"need_id": "N1", "category": "health", "urgency": 3, "households_affected": 2}
    import pandas as pd
    return pd.DataFrame([{**row, **change}])


def _matrix_file(tmp_path, text, name="ahp.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


WEIGHTS = {   # name -> (a call that fails, given tmp_path; what the Chinese must say)
    "negative judgment": (lambda _: ahp.check_matrix([[1, -3], [3, 1]], ["安全", "健康"]),
                          "单元格（安全，健康） = -3；判断值必须为正数（要表达“健康比安全更重要”，请写1/3"),
    "zero judgment": (lambda _: ahp.check_matrix([[1, 0], [1, 1]]), "判断矩阵：单元格（C1，C2） = 0"),
    "not reciprocal": (lambda _: ahp.check_matrix([[1, 3], [3, 1]]), "应为0.333（互为倒数）"),
    "off the scale": (lambda _: ahp.check_matrix([[1, 12], [1 / 12, 1]]), "超出 Saaty 标度"),
    "diagonal": (lambda _: ahp.check_matrix([[2, 3], [1 / 3, 1]]), "对角线必须为1"),
    "not square": (lambda _: ahp.check_matrix(np.ones((2, 3))), "不是方阵（2 x 3）"),
    "one value": (lambda _: ahp.check_matrix(5), "不是方阵（单个数值）"),
    "too many": (lambda _: ahp.check_matrix(np.ones((16, 16))), "16个准则"),
    "ragged rows": (lambda _: ahp.check_matrix([[1, 2], [0.5]]), "第2行有1个单元格"),
    "unknown RI table": (lambda _: ahp.ahp([[1, 2], [0.5, 1]], ri_table="mine"), "未知的随机一致性指标表"),
    "empty file": (lambda p: ahp.read_matrix_csv(_matrix_file(p, "\n\n")), "ahp.csv：文件是空的"),
    "GBK file": (lambda p: ahp.read_matrix_csv(_matrix_file(p, ",安全,健康\n".encode("gbk"))), "文字编码无法识别"),
    "bad cell": (lambda p: ahp.read_matrix_csv(_matrix_file(p, ",a,b\na,1,three\nb,,1\n")),
                 "第1行（a），第2列（b）：“three”不是数字"),
    "both blank": (lambda p: ahp.read_matrix_csv(_matrix_file(p, ",a,b\na,1,\nb,,1\n")), "都为空"),
    "row named wrong": (lambda p: ahp.read_matrix_csv(_matrix_file(p, ",a,b\na,1,2\nc,,1\n")),
                        "第2行（文件第3行）名为“c”，但第2列是“b”"),
    "duplicate header": (lambda p: ahp.read_matrix_csv(_matrix_file(p, ",a,a\na,1,2\na,,1\n")), "重复列出a"),
    "judges differ": (lambda _: ahp.aggregate_judgments([(["a", "b"], [[1, 2], [0.5, 1]]),
                                                         (["a", "c"], [[1, 2], [0.5, 1]])]),
                      "评估人员2：准则与其他人的不同（缺少：b；多出：c）"),
    "no judgments": (lambda _: ahp.aggregate_judgments([]), "没有可汇总的判断"),
    "off the slider": (lambda _: judgments.ratio(10), "不在 Saaty 标度上"),
    "no needs": (lambda _: needs_method.needs_scores(_needs().iloc[0:0]), "本期没有记录任何需求"),
    "urgency 7": (lambda _: needs_method.needs_scores(_needs(urgency=7)), "紧急程度必须在1～5之间；需求N1为7"),
    "negative households": (lambda _: needs_method.needs_scores(_needs(households_affected=-1)), "不能为负数"),
    "missing column": (lambda _: needs_method.needs_scores(_needs().drop(columns="urgency")), "缺少列urgency"),
    "nothing linked": (lambda _: needs_method.needs_weights(needs_method.needs_scores(_needs()), {"i1": ["food"]},
                                                            general="unlinked"), "没有指标关联到"),
    "infinite data": (lambda _: objective.entropy_weights([[1.0, np.inf], [2.0, 3.0]]), "无穷大"),
    "no stations": (lambda _: objective.critic_weights(np.empty((0, 2))), "0个社工站 × 2个指标"),
    "alpha": (lambda _: objective.combine([1, 1], [1, 1], 1.5), "alpha 必须在 [0, 1] 之间；实际是1.5"),
    "zero weights": (lambda _: objective.combine([0, 0], [1, 1], 0.5), "主观权重之和为0"),
}


@pytest.mark.parametrize("name", list(WEIGHTS))
def test_a_bad_weighting_input_reads_in_chinese(tmp_path, name):
    call, said = WEIGHTS[name]
    with pytest.raises(WeightsError) as caught:
        call(tmp_path)
    exc = caught.value
    assert exc.code and exc.code.startswith("weights."), (name, str(exc))
    zh = exc.render("zh")
    assert said in zh, (said, zh)
    assert not english_left(zh, "ahp.csv"), (name, zh, english_left(zh, "ahp.csv"))
    assert str(exc) == exc.render("en") != zh                   # str() stays the English


def test_a_weighting_error_keeps_its_english_message(tmp_path):
    with pytest.raises(WeightsError) as caught:
        ahp.check_matrix([[1, -3], [3, 1]], ["A", "B"])
    assert str(caught.value) == ("matrix: cell (A, B) = -3; judgments must be positive "
                                 "(for 'B matters more than A' write 1/3, not -3)")
    with pytest.raises(WeightsError) as caught:
        ahp.read_matrix_csv(_matrix_file(tmp_path, ",a,b\na,1,three\nb,,1\n"))
    assert str(caught.value) == "ahp.csv: row 1 (a), column 2 (b): 'three' is not a number or a fraction like 1/3"
    with pytest.raises(WeightsError) as caught:
        needs_method.needs_scores(_needs(urgency=7))
    assert str(caught.value) == "needs: urgency must be 1-5; need N1 has 7"


def test_the_weights_page_shows_a_weighting_problem_in_chinese(db):
    from indicators.records import store
    from tests.test_app import open_app
    con = store.connect(db)
    try:
        con.execute("DELETE FROM needs")
    finally:
        con.close()
    at = open_app("zh", "weights")
    at.segmented_control(key="w_method").set_value("needs").run()
    assert not at.exception
    shown = [e.value for e in at.error]
    assert any("需求：本期没有记录任何需求" in s for s in shown), shown
    assert not any(english_left(s) for s in shown), shown


def test_the_cli_says_a_bad_ahp_matrix_in_chinese_and_exits_2(tmp_path, capsys):
    path = _matrix_file(tmp_path, ",安全,健康\n安全,1,-3\n健康,,1\n")
    assert main(["weights", "ahp", "--matrix", str(path), "--lang", "zh"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "ahp.csv：单元格（安全，健康） = -3；判断值必须为正数" in err, err
    assert not english_left(err, "ahp.csv"), err
    assert main(["weights", "ahp", "--matrix", str(path), "--lang", "en"]) == 2
    assert "judgments must be positive" in capsys.readouterr().err


# ---------------------------------------------------------------- the command line's own bad input

CLI_BAD = {   # name -> (arguments, with {demo} and {tmp}; what the Chinese must say)
    "no database": ("score --db {tmp}/none.duckdb --scheme needs-met", "这里没有数据库；可用此命令建演示库"),
    "from after to": ("score --db {demo} --scheme needs-met --from 2024-06-01 --to 2024-01-01",
                      "--from 2024-06-01晚于 --to 2024-01-01"),
    "score without db": ("score --scheme needs-met", "score 命令需要 --db"),
    "records without spark": ("score --db {demo} --scheme needs-met --records {tmp}", "--records 只能与 --engine spark"),
    "spark without records": ("score --engine spark --scheme needs-met", "--engine spark 需要 --records"),
    "compare one scheme": ("compare --db {demo} --scheme needs-met", "正好两个 --scheme，实际给了1个"),
    "audit runs": ("audit --db {demo} --scheme needs-met --runs 4", "--runs 至少为16，实际是4"),
    "audit spread": ("audit --db {demo} --scheme needs-met --spread 2", "--spread 必须在0～1之间"),
    "import which table": ("import --db {tmp}/x.duckdb {tmp}/stuff.csv", "看不出是哪张表"),
    "import no file": ("import --db {tmp}/x.duckdb --table needs {tmp}/none.csv", "没有这个文件"),
    "not a database": ("export --db {tmp}/text.duckdb --scheme needs-met --out {tmp}/o.xlsx", "无法打开数据库"),
    "export three schemes": ("export --db {demo} --scheme a --scheme b --scheme c --out {tmp}/o.xlsx",
                             "一个或两个 --scheme，实际给了3个"),
    "report folder": ("report --db {demo} --scheme needs-met --station S01 --out {tmp}/none/r.html",
                      "/none不存在"),
    "scheme import no file": ("scheme import {tmp}/none.csv --out {tmp}/s.yaml", "none.csv：没有这个文件"),
    "scheme export suffix": ("scheme export needs-met --out {tmp}/s.txt", "文件名必须以 .csv 或 .xlsx 结尾"),
    "export suffix": ("export --db {demo} --scheme needs-met --out {tmp}/o.txt", "必须以 .xlsx 或 .csv 结尾"),
    "export folder": ("export --db {demo} --scheme needs-met --out {tmp}/none/o.xlsx", "/none不存在"),
    "sensitivity spread": ("sensitivity --db {demo} --scheme needs-met --spread 2 --draws 10",
                           "变动幅度必须在 [0, 1] 之间；实际是2.0"),
    "sensitivity draws": ("sensitivity --db {demo} --scheme needs-met --draws 0", "抽样次数必须是正整数；实际是0"),
    "sensitivity top k": ("sensitivity --db {demo} --scheme needs-met --draws 10 --top-k 0", "前 k 名的 k 必须是正整数"),
    "parquet no database": ("export-records --db {tmp}/none.duckdb --out {tmp}/pq", "这里没有数据库；请先向其中导入记录"),
}


@pytest.mark.parametrize("name", list(CLI_BAD))
def test_the_cli_says_its_own_bad_input_in_chinese_and_exits_2(demo_db, tmp_path, capsys, name):
    (tmp_path / "text.duckdb").write_text("not a database", encoding="utf-8")
    args, said = CLI_BAD[name]
    argv = args.format(demo=demo_db, tmp=tmp_path).split()
    assert main(argv + ["--lang", "zh"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and said in err, err
    assert not english_left(err, str(tmp_path), str(demo_db)), (name, err)
    assert main(argv + ["--lang", "en"]) == 2
    assert not CJK.search(capsys.readouterr().err.replace(str(tmp_path), ""))


SENSITIVITY = {   # name -> (keyword arguments of rank_intervals; what the Chinese must say)
    "not numeric": ({"normalised": [["a", "b"]]}, "标准化矩阵：不是数值矩阵"),
    "one row of numbers": ({"normalised": [1.0, 2.0]}, "标准化矩阵：必须是“社工站 × 指标”的二维矩阵；实际是1维"),
    "missing values": ({"normalised": [[1.0, np.nan]]}, "含有缺失值或无穷大"),
    "alternative shape": ({"alternatives": [np.ones((3, 2))]}, "备选标准化矩阵0：形状3 × 2与标准化矩阵（2 × 2）不同"),
    "topsis": ({"aggregation": "topsis"}, "实际是“topsis”"),
    "ids": ({"station_ids": ["S1"]}, "给了1个社工站编号，标准化矩阵却有2行"),
    "duplicate id": ({"station_ids": ["S1", "S1"]}, "社工站编号S1出现了不止一次"),
    "weights count": ({"weights": [1.0]}, "1个权重对应2个指标"),
    "negative weight": ({"weights": [1.0, -1.0]}, "权重必须是有限的非负数"),
    "zero weights": ({"weights": [0.0, 0.0]}, "权重之和为0"),
}


@pytest.mark.parametrize("name", list(SENSITIVITY))
def test_a_bad_sensitivity_input_reads_in_chinese(name):
    from indicators.analysis.sensitivity import SensitivityError, rank_intervals
    change, said = SENSITIVITY[name]
    given = {"normalised": [[10.0, 20.0], [30.0, 5.0]], "weights": [1.0, 1.0], "station_ids": ["S1", "S2"],
             "draws": 10, **change}
    with pytest.raises(SensitivityError) as caught:
        rank_intervals(given.pop("normalised"), given.pop("weights"), given.pop("station_ids"), **given)
    zh = caught.value.render("zh")
    assert caught.value.code and said in zh and not english_left(zh), (name, zh)
    assert str(caught.value) == caught.value.render("en") != zh


def test_a_bad_export_reads_in_chinese(demo_db, tmp_path):
    from indicators.outputs.export import ExportError, export_scores
    from indicators.records import store
    from indicators.scoring import engine
    from indicators.scoring.measures import Period
    con = store.connect(demo_db, read_only=True)
    try:
        a = engine.score(con, catalog.builtin("needs-met"), Period())
    finally:
        con.close()
    from dataclasses import replace
    with pytest.raises(ExportError) as caught:
        export_scores([a, replace(a, stations=a.stations.iloc[1:])], tmp_path / "o.xlsx", lang="zh")
    assert caught.value.render("zh") == "两个结果涵盖的社工站不同；请在同一个数据库上为两者评分"
    with pytest.raises(ExportError) as caught:
        export_scores([a, a, a], tmp_path / "o.xlsx", lang="zh")
    assert caught.value.render("zh") == "导出只接受一个或两个评分结果，实际给了3个"
    assert str(caught.value) == "export takes one or two score results, got 3"
    with pytest.raises(ExportError) as caught:
        export_scores(a, tmp_path / "o.xlsx", lang="fr")
    assert caught.value.render("zh") == "--lang 只能填 zh（中文）或 en（英文），您填的是'fr'"


def test_scheme_import_and_export_records_say_what_they_wrote_in_chinese(demo_db, tmp_path, capsys):
    table = ROOT / "sample_data" / "framework" / "framework.xlsx"
    assert main(["scheme", "import", str(table), "--out", str(tmp_path / "f.yaml"), "--lang", "zh"]) == 0
    assert capsys.readouterr().out.strip() == f"已写入{tmp_path / 'f.yaml'}：8个指标，3个一级指标"
    assert main(["export-records", "--db", str(demo_db), "--out", str(tmp_path / "pq"), "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"已写入{tmp_path / 'pq'}（parquet）：社工站24行，") and not english_left(out), out
    assert main(["export-records", "--db", str(demo_db), "--out", str(tmp_path / "pq2"), "--lang", "en"]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {tmp_path / 'pq2'} (parquet): stations 24, ")
