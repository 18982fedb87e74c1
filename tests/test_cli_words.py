"""What the command line prints, in both languages: the period it used, moves told with the sign of their verb,
tables aligned by display width, and the language taken from --lang or the locale."""
import re

import pytest
from wcwidth import wcswidth

from indicators.cli.main import main
from tests.conftest import make_db, station


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("lang, words", [("en", "period 2024-01-01 – 2024-12-31 (the records' last year"),
                                         ("zh", "评估期2024-01-01～2024-12-31（记录的最后一年")])
def test_score_prints_the_period_it_used(capsys, demo_db, lang, words):
    code, out, err = run(capsys, "score", "--db", str(demo_db), "--scheme", "needs-met", "--lang", lang)
    assert code == 0, err
    assert words in out and "…" not in out
    code, out, _ = run(capsys, "score", "--db", str(demo_db), "--scheme", "needs-met", "--lang", lang,
                       "--from", "2024-07-01")
    assert ("2024-07-01～2024-12-31" if lang == "zh" else "2024-07-01 – 2024-12-31") in out
    code, out, _ = run(capsys, "score", "--db", str(demo_db), "--scheme", "needs-met", "--lang", lang,
                       "--to", "2024-06-30")   # one end given: the other reaches the records' first date
    assert ("2023-01-01～2024-06-30" if lang == "zh" else "2023-01-01 – 2024-06-30") in out


@pytest.mark.parametrize("order", [("photo-count", "needs-met"), ("needs-met", "photo-count")])
@pytest.mark.parametrize("lang, up_words, down_words", [
    ("en", ("lifts it", "had lifted it"), ("holds it back", "had held it back")),
    ("zh", ("抬高它",), ("压低它",))])
def test_compare_figures_carry_the_sign_of_their_verb(capsys, demo_db, order, lang, up_words, down_words):
    code, out, err = run(capsys, "compare", "--db", str(demo_db), "--scheme", order[0], "--scheme", order[1],
                         "--movers", "24", "--lang", lang)
    assert code == 0, err
    seen = {"+": 0, "-": 0}
    for line in out.splitlines():
        head, _, figures = line.partition(":") if lang == "en" else line.partition(": ")
        signs = re.findall(r"\(([+-])\d+\.\d\)", figures)
        if not signs:
            continue
        want = "+" if any(head.rstrip().endswith(w) for w in up_words) else "-"
        assert any(head.rstrip().endswith(w) for w in up_words + down_words), line
        assert set(signs) == {want}, line
        seen[want] += len(signs)
    assert seen["+"] and seen["-"]        # both verbs were checked


def test_cli_tables_align_chinese_names(capsys, tmp_path):
    db = tmp_path / "cjk.duckdb"
    make_db(db, {"stations": [station("S1", name="站"), station("S2", name="很长很长的站名称"),
                              station("S3", name="Mixed 混合 name")],
                 "activities": [{"activity_id": f"A{i}", "station_id": f"S{i}", "held_on": "2024-03-01",
                                 "kind": "group", "photos": i} for i in (1, 2, 3)]}).close()
    scheme = tmp_path / "s.yaml"
    scheme.write_text("""
id: cjk
name_zh: 照片
name_en: Photos
dimensions:
  - id: d
    name_zh: 维度
    name_en: Dim
    weight: 1
    indicators:
      - id: photos
        name_zh: 照片数
        name_en: Photos
        camp: output
        weight: 1
        measure: {kind: sum, table: activities, column: photos}
""", encoding="utf-8")
    code, out, err = run(capsys, "score", "--db", str(db), "--scheme", str(scheme), "--lang", "zh")
    assert code == 0, err
    rows = [line for line in out.splitlines()[1:] if line.strip()]
    widths = {wcswidth(line.rstrip()) for line in rows if re.match(r"S\d", line)}
    assert len(widths) == 1, out


def test_the_language_comes_from_the_locale(capsys, demo_db, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    code, out, _ = run(capsys, "score", "--db", str(demo_db), "--scheme", "photo-count")
    assert code == 0 and "个社工站" in out
    code, _, err = run(capsys, "score", "--db", str(demo_db), "--scheme", "photo-count", "--from", "2024-06-01",
                       "--to", "2024-01-01")
    assert code == 2 and err.startswith("错误：")
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")
    code, out, _ = run(capsys, "score", "--db", str(demo_db), "--scheme", "photo-count")
    assert code == 0 and "stations, period" in out


def _usage_error(capsys, *argv) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stop:
        main(list(argv))
    return stop.value.code, capsys.readouterr().err


@pytest.mark.parametrize("argv, zh, en", [
    (("score", "--db", "x.duckdb"), "缺少必填选项：--scheme", "the following arguments are required: --scheme"),
    (("scor",), "无效的选项 'scor'", "invalid choice: 'scor'"),
    (("score", "--scheme", "s", "--format", "xml"), "参数 --format：无效的选项 'xml'", "argument --format: invalid"),
    (("score", "--scheme", "s", "--from", "2024-13-45"), "不是日历上存在的日期", "is not a real day of the calendar"),
])
def test_usage_errors_follow_the_language_too(capsys, monkeypatch, argv, zh, en):
    """argparse's own errors come before any command runs: they speak --lang (or the locale) and exit 2."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    code, err = _usage_error(capsys, *argv, "--lang", "zh")
    assert code == 2 and zh in err and err.startswith("用法：") and en not in err
    code, err = _usage_error(capsys, *argv, "--lang=en")
    assert code == 2 and en in err and err.startswith("usage: ")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")                    # no --lang: the locale's
    code, err = _usage_error(capsys, *argv)
    assert code == 2 and zh in err
    import argparse
    assert argparse._("usage: ") == "usage: "                      # argparse is left as it was found


def test_the_cli_docstring_names_every_subcommand():
    # the package's first page is where a newcomer looks for a command: it must not fall behind the parser
    import argparse

    import indicators.cli
    from indicators.cli.main import build_parser
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    doc = indicators.cli.__doc__
    missing = [name for name in sub.choices if f" {name}" not in doc.replace(",", " ")]
    assert not missing, missing
