"""The command line and the app show the same numbers: scores, rank intervals, objective weights."""
import json

import pytest

from indicators.cli.main import main
from tests.test_app import open_app


def cli_json(capsys, *argv) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def frame_of(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_scores_and_rank_intervals_match(db, capsys):
    cli_scores = cli_json(capsys, "score", "--db", str(db), "--scheme", "needs-met", "--format", "json")
    cli_sens = cli_json(capsys, "sensitivity", "--db", str(db), "--scheme", "needs-met", "--draws", "2000",
                        "--seed", "0", "--spread", "0.2", "--top-k", "5", "--format", "json")
    at = open_app("en", "scores")
    assert not at.exception
    ranking = frame_of(at, "capped_by").set_index("rank")
    for s in cli_scores["stations"]:
        assert ranking.at[s["rank"], "score"] == pytest.approx(s["score"], abs=1e-6)
    shown = frame_of(at, "p_top_k").set_index("rank")
    for s in cli_sens["stations"]:
        row = shown.loc[[s["rank"]]].iloc[0] if shown.index.is_unique else None
        if row is None:
            continue   # tied ranks: covered by the p_top_k sum below
        lo, hi = s["rank_p05"], s["rank_p95"]
        assert row["range"] == (f"{lo}" if lo == hi else f"{lo}–{hi}")
    assert sum(s["p_top_k"] for s in cli_sens["stations"]) == pytest.approx(shown["p_top_k"].sum() / 100, abs=1e-6)


@pytest.mark.parametrize("method", ["entropy", "critic"])
def test_objective_weights_match(db, capsys, method):
    cli = cli_json(capsys, "weights", method, "--db", str(db), "--scheme", "photo-count", "--format", "json")["weights"]
    at = open_app("en", "weights")
    at.selectbox(key="scheme_id").set_value("photo-count").run()
    at.segmented_control(key="w_method").set_value("objective").run()
    at.radio(key="w_objective").set_value(method).run()
    assert not at.exception
    shown = frame_of(at, "camp")["weight"] / 100     # the weights table, indexed by indicator id
    assert shown.to_dict() == pytest.approx(cli, abs=1e-6)
