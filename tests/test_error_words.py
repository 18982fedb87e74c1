"""Engine messages carry a code and parameters and are put in the reader's language where they are shown:
the filter language, scheme checks wrapping it, and the CLI printing them."""
import re

import pytest
import yaml

from indicators.cli.main import main
from indicators.errors import InputError
from indicators.scheme import catalog
from indicators.scheme.model import SchemeError, dump_yaml, load_yaml
from indicators.scoring import measures
from indicators.scoring.expr import ExprError, compile_filter

BAD_FILTERS = ["urgncy >= 4", "status = 'done'", "source = 'council' and ", "kind in ('a'", "foo(1)", '"x"',
               "raised_on > 5", "urgency", "(urgency > 1", "urgency > 1)", "urgency > 1 urgency", "'abc",
               "urgency > 1 -- x", "status is 3", "urgency + title > 1", "days_between(raised_on) > 1",
               "raised_on > '2024-13-01'", "not urgency", "urgency > null", "round(urgency, 1.5) > 1", "urgency > 1€", "date(3) > raised_on", "urgency > 99999999999999999999"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("text", BAD_FILTERS)
def test_a_filter_error_reads_in_both_languages(text):
    with pytest.raises(ExprError) as caught:
        compile_filter(text, measures.table_columns("needs"), measures.table_vocab("needs"))
    exc = caught.value
    assert exc.code and exc.code.startswith("expr.")
    assert exc.render("en") == str(exc)                      # the English words are the message as written
    zh = exc.render("zh")
    assert CJK.search(zh) and not re.search(r"\b(Expected|Unknown|Cannot|needs|must|found|allowed)\b", zh), zh


def test_a_scheme_check_puts_the_filter_error_in_the_readers_language():
    scheme = catalog.builtin("photo-count")
    data = yaml.safe_load(dump_yaml(scheme))
    data["dimensions"][0]["indicators"][1]["measure"]["filter"] = "kind = 'party'"
    broken = load_yaml(yaml.safe_dump(data, allow_unicode=True), "s.yaml")
    ind = broken.dimensions[0].indicators[1]
    with pytest.raises(SchemeError) as caught:
        measures.plan(ind.measure, f"indicators.{ind.id}.measure", "s.yaml")
    exc = caught.value
    assert "'party' is not a value of kind" in str(exc)
    assert "'party' 不是kind的取值" in exc.render("zh") and exc.render("zh").startswith("s.yaml: ")
    assert "'party' 不是kind的取值" in exc.problem_in("zh")


def test_the_cli_prints_the_coded_error_in_its_language(capsys, demo_db, tmp_path):
    data = yaml.safe_load(dump_yaml(catalog.builtin("photo-count")))
    data["id"] = "broken"
    data["dimensions"][0]["indicators"][1]["measure"]["filter"] = "kind = 'party'"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for lang, words in (("zh", "不是kind的取值"), ("en", "is not a value of kind")):
        code = main(["score", "--db", str(demo_db), "--scheme", str(path), "--lang", lang])
        err = capsys.readouterr().err
        assert code == 2 and words in err, err


def test_an_input_error_without_a_code_renders_as_written():
    assert InputError("plain").render("zh") == "plain"
    coded = InputError(code="db.busy_read", params={"path": "x.duckdb", "program": "python", "pid": "7"})
    assert "PID 7" in str(coded) and "进程号7" in coded.render("zh")


def test_importer_cell_problems_are_coded_and_read_in_chinese(tmp_path):
    from indicators.records import importer
    from tests.conftest import make_db, station
    con = make_db(tmp_path / "x.duckdb", {"stations": [station("S01")]})
    csv = ("need_id,station_id,category,title,source,raised_on,urgency,status,resolved_on,households_affected\n"
           "N1,S01,health,t,survey,2024-02-30,9,open,,-1\n"
           "N2,S01,health,t,survey,1800-01-01,x,open,,99999999999\n"
           "N3,S01,健康,t,议事,5.5,TRUE,open,,1.5\n").encode()
    try:
        plan = importer.check(con, "needs", csv, "n.csv")
    finally:
        con.close()
    assert len(plan.problems) >= 8
    for p in plan.problems:
        assert p.code, p                                   # every cell problem here has a code, none is matched
        assert p.render("en") == p.message
        zh = p.render("zh")
        assert CJK.search(zh) and not re.search(r"\b(expected|whole number|at least|or more)\b", zh), zh
