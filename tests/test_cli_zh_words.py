"""`score --lang zh` prints no English: gates by their Chinese names, grades with the scheme's Chinese labels, on the
demo's built-in schemes and on an imported 千分制 table with its score sheet (vetoes, 数据不足)."""
import re

import pytest

from indicators.cli.main import main

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
# What may stay in ASCII letters: station ids, a grade code printed beside its Chinese label ("A · 优秀"), and the
# command's own option names (the head line says --from and --to choose another period: they are typed as they are)
ALLOWED = re.compile(r"\bS\d+\b|\b[A-D] · (?=[\u4e00-\u9fff])|(?<!\S)--[a-z][a-z-]*\b")


def run(capsys, *argv) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def english_in(out: str, scheme: str) -> list[str]:
    """The lines of a printed table holding ASCII words that are no id (the head line names the scheme as its
    writer did, and its id)."""
    head, *rows = out.splitlines()
    head = re.sub(rf"^.*（{re.escape(scheme)}）", "", head)
    return [line for line in [head, *rows] if re.search(r"[A-Za-z]", ALLOWED.sub("", line))]


@pytest.mark.parametrize("scheme", ["needs-met", "photo-count"])
def test_builtin_schemes_print_gates_and_grades_in_chinese(capsys, demo_db, scheme):
    out = run(capsys, "score", "--db", str(demo_db), "--scheme", scheme, "--lang", "zh")
    assert english_in(out, scheme) == []
    rows = [line for line in out.splitlines() if re.match(r"S\d+ ", line)]
    assert len(rows) == 24
    assert all(re.search(r"[A-D] · (优秀|良好|合格|不合格)", line) for line in rows), out   # the label, not a bare letter
    if scheme == "needs-met":   # five stations spend more than 30% on publicity and display in the demo
        capped = [line for line in rows if "宣传展示类支出不超过30%" in line]
        assert len(capped) == 5, out


def test_a_points_table_with_vetoes_prints_no_english(capsys, demo_copy, tmp_path):
    yaml = tmp_path / "city.yaml"
    run(capsys, "scheme", "import", str(ROOT / "sample_data/qianfen/table_city.xlsx"), "--out", str(yaml), "--id",
        "city", "--grades", "优秀:900,良好:800,合格:600,不合格:0", "--lang", "zh")
    run(capsys, "import", "--db", str(demo_copy), "--table", "indicator_values",
        str(ROOT / "sample_data/qianfen/scores_city_transposed.xlsx"), "--scheme", str(yaml), "--from", "2024-01-01",
        "--to", "2024-12-31", "--rater", "王评估", "--lang", "zh")
    out = run(capsys, "score", "--db", str(demo_copy), "--scheme", str(yaml), "--from", "2024-01-01", "--to",
              "2024-12-31", "--lang", "zh")
    assert english_in(out, "city") == []
    assert "一票否决" in out and "数据不足" in out


def test_compare_heads_its_station_column_in_chinese(capsys, demo_db):
    out = run(capsys, "compare", "--db", str(demo_db), "--scheme", "needs-met", "--scheme", "photo-count", "--lang",
              "zh")
    assert out.splitlines()[2].split() == ["社工站"] and "station_id" not in out
