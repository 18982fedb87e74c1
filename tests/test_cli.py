"""The command line: output contracts, and exit 2 with a named culprit on bad input, 1 on a fault, never a traceback."""
import json
import subprocess
import sys

import pytest
import yaml

from indicators.scheme import catalog

from indicators.records import store as records
from indicators.cli.main import main
from tests.conftest import ROOT, make_db, station


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_score_json_contract(capsys, demo_db):
    code, out, err = run(capsys, "score", "--db", str(demo_db), "--scheme", "needs-met", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["scheme"] == "needs-met"
    ranks = [s["rank"] for s in data["stations"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    for s in data["stations"]:
        assert 0 <= s["score"] <= 100
        assert {"station_id", "name", "score", "rank", "grade", "indicators"} <= s.keys()
        parts = sum(v["contribution"] for v in s["indicators"].values())
        assert parts == pytest.approx(s["score"], abs=1e-4)
        assert {"raw", "normalised", "contribution"} <= next(iter(s["indicators"].values())).keys()


def test_score_table_and_csv(capsys, demo_db):
    code, out, _ = run(capsys, "score", "--db", str(demo_db), "--scheme", "photo-count")
    assert code == 0 and "Output count (baseline)" in out and "S01" in out
    code, out, _ = run(capsys, "score", "--db", str(demo_db), "--scheme", "photo-count", "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("station_id,")


def test_compare_json_contract(capsys, demo_db):
    code, out, err = run(capsys, "compare", "--db", str(demo_db), "--scheme", "photo-count", "--scheme", "needs-met",
                         "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert -1 <= data["kendall_tau"] <= 1 and -1 <= data["spearman_rho"] <= 1
    for s in data["stations"]:
        assert s["shift"] == s["rank_a"] - s["rank_b"]
        if s["shift"]:
            assert s["explained_by"], s


def test_compare_text_names_movers_and_reasons(capsys, demo_db):
    code, out, _ = run(capsys, "compare", "--db", str(demo_db), "--scheme", "photo-count", "--scheme", "needs-met")
    assert code == 0
    assert "Kendall tau" in out and "Stations that move most" in out and "needs-met lifts it:" in out and "photo-count had lifted it:" in out


def test_period_options(capsys, demo_db):
    code, out, _ = run(capsys, "score", "--db", str(demo_db), "--scheme", "needs-met", "--from", "2024-07-01",
                       "--to", "2024-12-31", "--format", "json")
    assert code == 0 and json.loads(out)["period"] == {"from": "2024-07-01", "to": "2024-12-31"}
    code, _, err = run(capsys, "score", "--db", str(demo_db), "--scheme", "needs-met", "--from", "2024-12-01",
                       "--to", "2024-01-01")
    assert code == 2 and "after" in err


def test_no_period_scores_the_records_last_year_as_the_app_opens(capsys, demo_db):
    # the demo holds 2023 as history before its assessment year 2024: with no --from/--to the command line scored
    # both years (where "new this period" has nothing to look back on), while the app opened on 2024
    from indicators.records import queries
    con = records.connect(demo_db, read_only=True)
    start, end, first, last = queries.default_period(con)
    con.close()
    assert (str(start), str(end), str(first)) == ("2024-01-01", "2024-12-31", "2023-01-01")
    plain = json.loads(run(capsys, "score", "--db", str(demo_db), "--scheme", "needs-met", "--format", "json")[1])
    asked = json.loads(run(capsys, "score", "--db", str(demo_db), "--scheme", "needs-met", "--from", "2024-01-01",
                           "--to", "2024-12-31", "--format", "json")[1])
    assert plain == asked
    code, out, _ = run(capsys, "score", "--db", str(demo_db), "--scheme", "needs-met", "--lang", "en")
    assert code == 0 and "period 2024-01-01 – 2024-12-31 (the records' last year" in out


def scheme_file(tmp_path, mutate):
    data = yaml.safe_load((catalog.BUILTIN_DIR / "needs-met.yaml").read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def set_first(key, value):
    def mutate(data):
        data["dimensions"][0]["indicators"][0]["measure"][key] = value
    return mutate


@pytest.mark.parametrize("mutate, words", [
    (set_first("filter", "status = 'resolved' or lower(title) = 'x'; drop table needs"), "measure.filter"),
    (set_first("filter", "system('rm') = 1"), "system"),
    (set_first("table", "passwords"), "unknown table"),
    (set_first("filter", "statu = 'resolved'"), "status"),
    (lambda d: d["dimensions"][0].update(weight=-3), "dimensions[0].weight: must not be negative"),
    (lambda d: [i.update(weight=0) for i in d["dimensions"][1]["indicators"]], "are all zero"),
    (lambda d: d["dimensions"][0]["indicators"][0].update(camp="photos"), "camp"),
])
def test_bad_scheme_files_exit_2_naming_file_and_field(capsys, demo_db, tmp_path, mutate, words):
    path = scheme_file(tmp_path, mutate)
    code, out, err = run(capsys, "score", "--db", str(demo_db), "--scheme", path)
    assert code == 2
    assert path in err and words in err
    assert "Traceback" not in err and out == ""


def test_malformed_yaml_and_unknown_names(capsys, demo_db, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ndimensions: [\n  - {id: a\n", encoding="utf-8")
    code, _, err = run(capsys, "score", "--db", str(demo_db), "--scheme", str(bad))
    assert code == 2 and str(bad) in err and "not valid YAML" in err
    code, _, err = run(capsys, "score", "--db", str(demo_db), "--scheme", "photo_count")
    assert code == 2 and "no scheme named 'photo_count'" in err and "photo-count" in err
    code, _, err = run(capsys, "score", "--db", str(tmp_path / "none.duckdb"), "--scheme", "needs-met")
    assert code == 2 and "no database" in err


def test_empty_database_exits_2(capsys, tmp_path):
    make_db(tmp_path / "empty.duckdb", {}).close()
    code, _, err = run(capsys, "score", "--db", str(tmp_path / "empty.duckdb"), "--scheme", "needs-met")
    assert code == 2 and "no stations" in err


def test_demo_refuses_to_overwrite_real_records(capsys, tmp_path):
    path = tmp_path / "real.duckdb"
    make_db(path, {"stations": [station("S1")]}).close()
    code, _, err = run(capsys, "demo", "--db", str(path))
    assert code == 2 and "not a demo" in err
    con = records.connect(path)
    assert con.execute("SELECT count(*) FROM stations").fetchall() == [(1,)]   # untouched
    con.close()


def test_demo_rebuilds_a_demo(capsys, tmp_path):
    path = tmp_path / "d.duckdb"
    assert run(capsys, "demo", "--db", str(path))[0] == 0
    code, out, _ = run(capsys, "demo", "--db", str(path))
    assert code == 0 and "stations" in out


def test_internal_fault_exits_1_without_traceback(capsys, demo_db, monkeypatch):
    import indicators.cli.main as cli

    def broken(*a, **k):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(cli, "score", broken)
    code, _, err = run(capsys, "score", "--db", str(demo_db), "--scheme", "needs-met")
    assert code == 1 and "internal error" in err and "disk on fire" in err and "Traceback" not in err


def test_module_entry_point_and_usage_errors(tmp_path):
    done = subprocess.run([sys.executable, "-m", "indicators", "score", "--db", "x.duckdb"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 2 and "--scheme" in done.stderr
    path = tmp_path / "demo.duckdb"
    done = subprocess.run([sys.executable, "-m", "indicators", "demo", "--db", str(path)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([sys.executable, "-m", "indicators", "compare", "--db", str(path), "--scheme", "photo-count",
                           "--scheme", "needs-met"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and "Kendall tau" in done.stdout


AHP = ROOT / "tests" / "data" / "ahp"


def test_weights_ahp_json_contract(capsys):
    code, out, err = run(capsys, "weights", "ahp", "--matrix", str(AHP / "leader_criteria.csv"), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert {"criteria", "weights", "lambda_max", "ci", "cr", "consistent"} <= data.keys()
    assert sum(data["weights"]) == pytest.approx(1)
    assert data["consistent"] is True


def test_weights_ahp_group_and_bad_matrices(capsys):
    files = [str(AHP / f"workshop_{who}.csv") for who in ("resident", "bureau", "social_worker")]
    code, out, _ = run(capsys, "weights", "ahp", *sum((["--matrix", f] for f in files), []), "--group", "aip",
                       "--format", "json")
    assert code == 0 and json.loads(out)["group"]["method"] == "aip"
    code, out, err = run(capsys, "weights", "ahp", "--matrix", str(AHP / "bad_not_reciprocal.csv"))
    assert code == 2 and "bad_not_reciprocal.csv" in err and "cell (" in err and out == ""


def test_objective_weights_and_sensitivity_contracts(capsys, demo_db):
    code, out, _ = run(capsys, "weights", "entropy", "--db", str(demo_db), "--scheme", "photo-count", "--format", "json")
    w = json.loads(out)["weights"]
    assert code == 0 and set(w) == {i.id for i in catalog.builtin("photo-count").indicators}
    assert sum(w.values()) == pytest.approx(1)
    args = ("sensitivity", "--db", str(demo_db), "--scheme", "needs-met", "--draws", "500", "--format", "json")
    code, out, _ = run(capsys, *args, "--seed", "7")
    first = json.loads(out)["stations"]
    assert code == 0 and {"station_id", "rank", "rank_p05", "rank_p50", "rank_p95", "p_top_k"} <= first[0].keys()
    assert json.loads(run(capsys, *args, "--seed", "7")[1])["stations"] == first
    code, out, _ = run(capsys, *args, "--spread", "0")
    for s in json.loads(out)["stations"]:
        assert s["rank_p05"] == s["rank_p95"] == s["rank"]
    code, _, err = run(capsys, *args, "--spread", "3")
    assert code == 2 and "spread" in err


def test_a_database_without_record_tables_exits_2(capsys, tmp_path):
    import duckdb
    duckdb.connect(str(tmp_path / "other.duckdb")).close()
    code, _, err = run(capsys, "score", "--db", str(tmp_path / "other.duckdb"), "--scheme", "needs-met")
    assert code == 2 and "no record tables" in err


def test_score_json_has_full_precision_nodes_and_points(capsys, demo_db):
    tree = str(ROOT / "tests" / "data" / "tree-scheme.yaml")
    code, out, err = run(capsys, "score", "--db", str(demo_db), "--scheme", tree, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["weighting"] == "points" and data["aggregation"] == "arithmetic"
    for s in data["stations"]:
        assert set(s["nodes"]) == {"A", "A1", "A2", "B", "B1", "B2", "C", "C1"}
        assert s["points_available"] == 100 and s["points"] == pytest.approx(s["score"], abs=1e-12)
        # C holds two indicators (5 points each) and C1 (15 points): C's score is their points-weighted mean
        ind = s["indicators"]
        c = (5 * ind["spending_on_needs"]["normalised"] + 5 * ind["photos"]["normalised"] + 15 * s["nodes"]["C1"]) / 25
        assert s["nodes"]["C"] == pytest.approx(c, abs=1e-9)
        assert sum(v["contribution"] for v in ind.values()) == pytest.approx(s["score"], abs=1e-9)
    # no rounding to 6 places: some score carries more digits than that
    assert any(len(repr(s["score"]).split(".")[-1]) > 6 for s in data["stations"])


def test_score_json_topsis_keeps_each_stations_distances(capsys, demo_db, tmp_path):
    from dataclasses import replace
    from indicators.scheme.model import dump_yaml
    path = tmp_path / "topsis.yaml"
    path.write_text(dump_yaml(replace(catalog.builtin("needs-met"), id="nm-topsis", aggregation="topsis")),
                    encoding="utf-8")
    code, out, err = run(capsys, "score", "--db", str(demo_db), "--scheme", str(path), "--format", "json")
    assert code == 0, err
    s = json.loads(out)["stations"][0]
    d = s["distances"]["(total)"]
    assert s["score"] == pytest.approx(100 * d["d_minus"] / (d["d_plus"] + d["d_minus"]), abs=1e-9)
    assert set(s["distances"]) == {"(total)", *s["nodes"]}
    assert "points" not in s


POINTS_40 = """
id: forty
name_zh: 四十分制
name_en: Forty points
weighting: points
dimensions:
- id: D
  name_zh: 维度
  name_en: Dim
  indicators:
  - {id: a, name_zh: 甲, name_en: A, points: 30, camp: needs, measure: {kind: value}}
  - {id: b, name_zh: 乙, name_en: B, points: 10, camp: needs, measure: {kind: value}}
"""


@pytest.mark.parametrize("lang, earned, available", [("en", "points", "points available"),
                                                      ("zh", "得分（分值）", "总分值")])
def test_score_table_and_csv_carry_points_for_a_points_scheme(capsys, tmp_path, lang, earned, available):
    # values read from indicator_values are points awarded: S1 a 30 + b 0 = 30 of 40 (score 75), S2 0 + 10 (25)
    def value(sid, ind, v):
        return {"station_id": sid, "indicator_id": ind, "period_start": "2024-01-01", "period_end": "2024-12-31",
                "value": v, "source": "test"}
    make_db(tmp_path / "p.duckdb", {"stations": [station("S1"), station("S2")], "indicator_values": [
        value("S1", "a", 30), value("S1", "b", 0), value("S2", "a", 0), value("S2", "b", 10)]}).close()
    (tmp_path / "forty.yaml").write_text(POINTS_40, encoding="utf-8")
    args = ("score", "--db", str(tmp_path / "p.duckdb"), "--scheme", str(tmp_path / "forty.yaml"), "--lang", lang)
    code, out, err = run(capsys, *args, "--format", "csv")
    assert code == 0, err
    rows = [line.split(",") for line in out.splitlines()]
    assert rows[0] == ["station_id", "name_en", "name", "score", "points", "points_available", "rank", "grade",
                       "capped_by"]
    assert [r[:7] for r in rows[1:]] == [["S1", "Station S1", "站S1", "75.00", "30.00", "40", "1"],
                                         ["S2", "Station S2", "站S2", "25.00", "10.00", "40", "2"]]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    head = out.splitlines()[1]
    assert f" {earned} " in head and f" {available} " in head
    assert head.index(earned) < head.index(available)
    s1 = " ".join(next(line for line in out.splitlines() if line.startswith("S1")).split())
    assert " 75.0 30.0 40 1 " in s1     # score, points, points available, rank
    # a weights scheme keeps the columns it had
    code, out, _ = run(capsys, "score", "--db", str(tmp_path / "p.duckdb"), "--scheme", "photo-count",
                       "--format", "csv")
    assert "points" not in out.splitlines()[0]
