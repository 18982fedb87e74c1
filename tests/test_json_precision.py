"""Every JSON the command line writes carries the engine's floats whole: each number read back equals, bit for bit,
the value computed in memory (a weight rounded to 6 decimals made 20 weights sum to 0.999998). The commands are
found by walking the parser, so a new command with `--format json` fails here until it is walked too."""
import argparse
from datetime import date
import ast
import json
import math

import numpy as np
import pytest

from indicators.analysis.audit import audit
from indicators.analysis.compare import compare
from indicators.analysis.sensitivity import rank_intervals
from indicators.cli.main import build_parser, main
from indicators.records.store import connect
from indicators.scheme import catalog
from indicators.scheme.model import dump_yaml
from indicators.scoring.engine import score, score_many
from indicators.scoring.measures import Period
from indicators.weights import ahp, objective
from tests.conftest import ROOT

AHP = ROOT / "tests" / "data" / "ahp"
# what the command line scores with no --from/--to: the records' last year (the demo's 2024; 2023 is its history)
ALL = Period(date(2024, 1, 1), date(2024, 12, 31))
# photo-count with outlier treatment strict enough to Winsorise a cell: the log then holds 892.5837320574162
STRICT = "treatment:\n  outliers: winsorise\n  skew: 0.001\n  kurtosis: 0.001\n  winmax: 1\n"


def _json_commands(parser, path=()) -> set[tuple[str, ...]]:
    """The command paths (('weights', 'entropy'), ...) whose --format offers json."""
    found = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= _json_commands(sub, (*path, name))
        elif "--format" in action.option_strings and "json" in (action.choices or ()):
            found.add(path)
    return found


def cli_json(capsys, *argv):
    code = main([*argv, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    # strict JSON: NaN or Infinity would not load in other readers
    return json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in the JSON of {argv[:2]}"))


def same(got, want):
    """A JSON number against the engine's float: equal bit for bit, a gap (NaN) as null."""
    want = float(want)
    if math.isnan(want):
        return got is None
    return isinstance(got, (int, float)) and float(got) == want


def _open(db):
    return connect(db, read_only=True)


def check_score(capsys, db, tmp_path):
    data = cli_json(capsys, "score", "--db", str(db), "--scheme", "needs-met")
    con = _open(db)
    r = score(con, catalog.resolve("needs-met", con)[0], ALL)
    con.close()
    weights = r.weights["effective"]
    assert all(same(data["weights"][i], w) for i, w in weights.items())
    for s in data["stations"]:
        assert same(s["score"], r.total[s["station_id"]])
        assert all(same(c["contribution"], r.contributions.at[s["station_id"], i]) for i, c in s["indicators"].items())


def check_compare(capsys, db, tmp_path):
    data = cli_json(capsys, "compare", "--db", str(db), "--scheme", "photo-count", "--scheme", "needs-met")
    con = _open(db)
    schemes = [catalog.resolve(s, con)[0] for s in ("photo-count", "needs-met")]
    cmp = compare(*score_many(con, schemes, ALL, ["photo-count", "needs-met"]), top_k=5)
    con.close()
    assert same(data["kendall_tau"], cmp.kendall_tau) and same(data["spearman_rho"], cmp.spearman_rho)
    assert same(data["top_k_overlap"], cmp.top_k_overlap)
    for s in data["stations"]:
        row = cmp.table.loc[s["station_id"]]
        assert same(s["score_a"], row["score_a"]) and same(s["score_b"], row["score_b"])


def check_weights_ahp(capsys, db, tmp_path):
    files = [AHP / f"workshop_{who}.csv" for who in ("bureau", "resident", "social_worker")]
    data = cli_json(capsys, "weights", "ahp", *(a for f in files for a in ("--matrix", str(f))))
    result, agreement = ahp.aggregate_judgments({f.stem: ahp.read_matrix_csv(f) for f in files}, method="aij")
    assert all(same(g, w) for g, w in zip(data["weights"], result.weights, strict=True))
    assert same(data["cr"], result.cr) and same(data["lambda_max"], result.lambda_max)
    assert same(data["group"]["kendall_w"], agreement["kendall_w"])
    assert same(data["group"]["mean_cosine"], agreement["mean_cosine"])
    assert all(same(data["group"]["individual_cr"][k], v) for k, v in agreement["individual_cr"].items())


def _check_objective(method, capsys, db):
    data = cli_json(capsys, "weights", method, "--db", str(db), "--scheme", "needs-met")
    con = _open(db)
    r = score(con, catalog.resolve("needs-met", con)[0], ALL)
    con.close()
    fn = objective.entropy_weights if method == "entropy" else objective.critic_weights
    want = fn(r.raw.to_numpy(), [i.direction == "higher" for i in r.scheme.indicators])
    got = data["weights"]
    assert len(got) == 20 and all(same(got[i], w) for i, w in zip(r.raw.columns, want, strict=True))
    assert abs(math.fsum(got.values()) - 1) < 1e-15


def check_weights_entropy(capsys, db, tmp_path):
    _check_objective("entropy", capsys, db)


def check_weights_critic(capsys, db, tmp_path):
    _check_objective("critic", capsys, db)


def check_sensitivity(capsys, db, tmp_path):
    # 300 draws wide enough to move photo-count's top five: a chance such as 2/300 has no short decimal form
    data = cli_json(capsys, "sensitivity", "--db", str(db), "--scheme", "photo-count", "--draws", "300",
                    "--spread", "0.5", "--seed", "3")
    con = _open(db)
    r = score(con, catalog.resolve("photo-count", con)[0], ALL)
    con.close()
    sens = rank_intervals(r.normalised.to_numpy(), r.weights["effective"].to_numpy(), list(r.stations.index),
                          draws=300, spread=0.5, seed=3, top_k=5, aggregation=r.scheme.aggregation)
    assert any(0 < p < 1 for p in sens.table["p_top_k"])
    for s in data["stations"]:
        assert same(s["p_top_k"], sens.table.at[s["station_id"], "p_top_k"])


def check_audit(capsys, db, tmp_path):
    path = tmp_path / "strict.yaml"
    path.write_text(dump_yaml(catalog.builtin("photo-count")) + STRICT, encoding="utf-8")
    data = cli_json(capsys, "audit", "--db", str(db), "--scheme", str(path), "--runs", "16", "--seed", "2")
    con = _open(db)
    r = score(con, catalog.resolve(str(path), con)[0], ALL, source=str(path))
    con.close()
    log = r.treatment
    assert len(log) and len(data["treatment"]) == len(log)
    for got, (_, want) in zip(data["treatment"], log.iterrows()):
        assert same(got["before"], want["before"]) and same(got["after"], want["after"]), (got, dict(want))
    a = audit(r, runs=16, seed=2, spread=0.2)
    for factor, row in a.sobol_overall.iterrows():
        assert same(data["sensitivity"]["overall"][factor]["total"], row["total"])
    for i, row in a.importance.iterrows():
        assert same(data["importance"][i]["effective"], row["effective"])


CHECKS = {("score",): check_score, ("compare",): check_compare, ("weights", "ahp"): check_weights_ahp,
          ("weights", "entropy"): check_weights_entropy, ("weights", "critic"): check_weights_critic,
          ("sensitivity",): check_sensitivity, ("audit",): check_audit}


def test_every_command_with_json_output_is_walked():
    assert _json_commands(build_parser()) == set(CHECKS)


def test_json_is_written_in_one_place_only():
    # every JSON the CLI prints goes through common.json_text, which keeps floats whole (and NaN as null):
    # no json.dump(s) elsewhere, and no pandas to_json (10 decimals by default)
    calls = []
    for path in sorted((ROOT / "indicators" / "cli").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ours = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                and (n.module or "").startswith("indicators") for a in n.names}   # e.g. evidence.to_json -> dict
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value.id if isinstance(node.func.value, ast.Name) else None
            if node.func.attr in ("dumps", "dump") and owner == "json" and path.name != "common.py" \
                    or node.func.attr == "to_json" and owner not in ours:
                calls.append(f"{path.name}:{node.lineno} {owner}.{node.func.attr}")
    assert not calls, calls


@pytest.mark.parametrize("command", sorted(CHECKS), ids=" ".join)
def test_json_floats_are_the_engines_bit_for_bit(command, capsys, demo_db, tmp_path):
    CHECKS[command](capsys, demo_db, tmp_path)


def test_the_writer_keeps_numpy_floats_whole_and_gaps_as_null():
    from indicators.cli.common import json_text
    x = np.float64(1) / 3
    back = json.loads(json_text({"a": x, "b": [np.float32(0.1), np.nan, np.inf], "c": np.int64(7), "d": np.bool_(True)}))
    assert back == {"a": 1 / 3, "b": [float(np.float32(0.1)), None, None], "c": 7, "d": True}
