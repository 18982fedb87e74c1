"""Scoring at scale: several schemes in one pass per table, progress, DuckDB's memory limit from the command line,
and the scaling table of benchmarks/run.py on tiny sizes (its shape, and ratios made of the measured runs)."""
from __future__ import annotations

import dataclasses
import json
import shutil
import statistics
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from benchmarks import run as bench
from benchmarks import scaling
from indicators.cli.main import main
from indicators.cli.scaling import limited, memory_size
from indicators.records import store as records
from indicators.scheme import catalog, framework
from indicators.scoring import engine
from indicators.scoring.measures import Period

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "sample_data" / "framework"


def _same(a: engine.ScoreResult, b: engine.ScoreResult):
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, check_exact=True, obj=f.name)
        elif isinstance(x, pd.Series):
            pd.testing.assert_series_equal(x, y, check_exact=True, obj=f.name)
        else:
            assert x == y, f.name


@pytest.fixture(scope="module")
def framework_db(demo_db, tmp_path_factory) -> tuple[Path, object]:
    """The demo with the example framework's values from elsewhere, and that framework as a scheme."""
    path = tmp_path_factory.mktemp("many") / "demo.duckdb"
    shutil.copy(demo_db, path)
    assert main(["import", "--db", str(path), "--table", "indicator_values", str(EXAMPLE / "indicator_values.csv")]) == 0
    scheme = framework.read_table(EXAMPLE / "framework.xlsx", "framework.xlsx", scheme_id="example")
    return path, scheme


@pytest.mark.parametrize("period", [Period(), Period(date(2024, 3, 1), date(2024, 9, 30))], ids=["whole", "mar-sep"])
def test_score_many_equals_scoring_each_scheme_alone(framework_db, period):
    path, example = framework_db
    schemes = [catalog.builtin("photo-count"), catalog.builtin("needs-met"), example]
    con = records.connect(path, read_only=True)
    try:
        together = engine.score_many(con, schemes, period)
        alone = [engine.score(con, s, period) for s in schemes]
    finally:
        con.close()
    assert [r.scheme.id for r in together] == [s.id for s in schemes]
    assert together[2].inputs is not None   # the framework's value measures with a denominator came along
    for a, b in zip(together, alone):
        _same(a, b)


def test_score_many_reads_each_table_once(demo_db):
    """Both built-in schemes read activities (and stations) once between them, not once each."""
    seen = []
    con = records.connect(demo_db, read_only=True)
    try:
        engine.score_many(con, [catalog.builtin("photo-count"), catalog.builtin("needs-met")],
                          progress=lambda table, ids, seconds: seen.append((table, tuple(ids), seconds)))
    finally:
        con.close()
    started = [(t, ids) for t, ids, s in seen if s is None]
    assert [t for t, _ in started].count("activities") == 1
    acts = dict(started)["activities"]
    # photo-count's activity indicators and needs-met's, by their own ids (no scheme number in front)
    assert {"activities_held", "photos", "pre_inspection_activities", "need_linked_activities"} <= set(acts)
    done = [(t, s) for t, _, s in seen if s is not None]
    assert [t for t, _ in done] == [t for t, _ in started] and all(s >= 0 for _, s in done)


def test_memory_size_is_read_not_pasted():
    assert memory_size("4GB") == "4GB"
    assert memory_size(" 1.5 gib ") == "1.5GiB"
    assert memory_size("500mb") == "500MB"
    for bad in ("4", "4 GB; DROP TABLE stations", "-1GB", "0GB", "lots"):
        with pytest.raises(Exception):
            memory_size(bad)


def test_limited_sets_the_limit_and_removes_its_spill_folder(demo_db, monkeypatch, tmp_path):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    con = records.connect(demo_db, read_only=True)
    try:
        before = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        with limited(con, "256MB"):
            assert con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == "244.1 MiB"
            spill = Path(con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0])
            assert spill.parent == tmp_path and spill.is_dir()
        assert not spill.exists()
        assert con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == before   # as it was
        with limited(con, None):   # no limit: the connection as it is
            assert con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == before
    finally:
        con.close()


def test_cli_score_under_a_memory_limit_prints_progress_and_the_same_scores(demo_db, capsys, tmp_path):
    assert main(["score", "--db", str(demo_db), "--scheme", "needs-met", "--format", "json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    spill = tmp_path / "spill"
    assert main(["score", "--db", str(demo_db), "--scheme", "needs-met", "--format", "json", "--memory-limit",
                 "64MB", "--temp-dir", str(spill), "--progress", "--lang", "en"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out) == plain
    lines = out.err.splitlines()
    assert any("attendees: running (6 indicators: residents_reached, repeat_attendance, new_attendees" in x
               for x in lines), lines   # the rotation measures share the attendees pass
    assert sum("done in" in x for x in lines) == sum("running" in x for x in lines) >= 6
    assert main(["score", "--db", str(demo_db), "--scheme", "needs-met", "--progress", "--lang", "zh",
                 "--format", "csv"]) == 0
    assert "正在计算" in capsys.readouterr().err


def test_cli_refuses_a_memory_limit_it_cannot_read(demo_db, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["score", "--db", str(demo_db), "--scheme", "needs-met", "--memory-limit", "4 gallons"])
    assert exc.value.code == 2
    assert "--memory-limit" in capsys.readouterr().err


@pytest.mark.parametrize("option", [["--memory-limit", "4GB"], ["--temp-dir", "/tmp"]])
def test_cli_refuses_duckdb_settings_with_spark(capsys, option):
    """They set DuckDB only: with Spark they would be ignored without a word, so they are refused before Spark starts."""
    assert main(["score", "--engine", "spark", "--records", "nowhere", "--scheme", "needs-met", *option,
                 "--lang", "en"]) == 2
    assert f"{option[0]} sets DuckDB and does nothing with --engine spark" in capsys.readouterr().err


def test_scaling_table_on_tiny_sizes(tmp_path, capsys):
    """`run.py --scaling` end to end in seconds: sets generated into the cache, each size in its own process,
    the out-of-core size under a memory limit; the table has a row per size and its ratio is the measured
    medians' quotient."""
    cache = tmp_path / "sets"
    argv = ["--scaling", "--cache", str(cache), "--sizes", "4x1,8x1", "--out-of-core", "4x1",
            "--memory-limit", "128MB", "--scale", "1.0", "--repeat", "2", "--min-seconds", "0"]
    assert bench.main(argv) == 0
    out = capsys.readouterr().out
    figs = [json.loads(line.split(": ", 1)[1]) for line in out.splitlines() if line.startswith("scaling_")]
    table = [line for line in out.splitlines() if line.startswith("|")]
    assert [f["stations"] for f in figs] == [4, 8, 4]
    assert len(table) == 2 + 3 and all(line.count("|") == len(scaling.COLUMNS) + 1 for line in table)
    assert table[0] == "| " + " | ".join(scaling.COLUMNS) + " |"
    for fig, row in zip(figs, table[2:]):
        assert len(fig["engine_runs"]) == len(fig["floor_runs"]) == 2
        assert min(fig["engine_runs"] + fig["floor_runs"]) > 0
        assert fig["engine_s"] == statistics.median(fig["engine_runs"])
        assert fig["floor_s"] == statistics.median(fig["floor_runs"])
        assert fig["ratio"] == fig["engine_s"] / fig["floor_s"]
        assert fig["peak_rss_mb"] > 0
        con = duckdb.connect(fig["db"], read_only=True)
        try:
            assert fig["attendance_rows"] == con.execute("SELECT count(*) FROM attendance").fetchall()[0][0]
        finally:
            con.close()
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[5] == f"{fig['ratio']:.2f}" and cells[3] == f"{fig['engine_s']:.3f}"
    assert figs[2]["memory_limit"] == "128MB" and figs[2]["duckdb_memory_limit"] == "122.0 MiB"
    assert figs[0]["memory_limit"] is None
    assert sorted(p.name for p in cache.glob("*.duckdb")) == ["s4_y1_x1.duckdb", "s8_y1_x1.duckdb"]
    # a second run reuses the sets: nothing is generated again
    assert bench.main(["--scaling", "--cache", str(cache), "--sizes", "8x1", "--out-of-core", "none",
                       "--scale", "1.0", "--repeat", "1", "--min-seconds", "0"]) == 0
    again = capsys.readouterr().out
    assert not [line for line in again.splitlines() if line.startswith("generate_s")]
    assert [line.split(":")[0] for line in again.splitlines() if line.startswith("scaling_")] == ["scaling_8x1"]
