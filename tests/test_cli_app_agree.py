"""The command line and the app show the same numbers: scores, rank intervals, objective weights."""
import json

import pytest

from indicators.cli.main import main
from tests.test_app import open_app


def cli_json(capsys, *argv) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


# The app opens on the records' last year; the command line's open period spans them all (the demo's history year
# 2023 as well), so it is asked for the app's period.
APP_YEAR = ("--from", "2024-01-01", "--to", "2024-12-31")


def frame_of(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_scores_and_rank_intervals_match(db, capsys):
    cli_scores = cli_json(capsys, "score", "--db", str(db), *APP_YEAR, "--scheme", "needs-met", "--format", "json")
    cli_sens = cli_json(capsys, "sensitivity", "--db", str(db), *APP_YEAR, "--scheme", "needs-met", "--draws", "2000",
                        "--seed", "0", "--spread", "0.2", "--top-k", "5", "--format", "json")
    at = open_app("en", "scores")
    assert not at.exception
    # every station compared by its name (the English page shows name_en), tied ranks included
    name = {s["station_id"]: s["name_en"] for s in cli_scores["stations"]}
    assert len(set(name.values())) == len(name)
    ranking = frame_of(at, "capped_by").set_index("station")
    assert len(ranking) == len(cli_scores["stations"])
    for s in cli_scores["stations"]:
        assert ranking.at[s["name_en"], "score"] == pytest.approx(s["score"], abs=1e-6)
        assert ranking.at[s["name_en"], "rank"] == s["rank"]
    shown = frame_of(at, "p_top_k").set_index("station")
    assert len(shown) == len(cli_sens["stations"])
    for s in cli_sens["stations"]:
        row = shown.loc[name[s["station_id"]]]
        lo, hi = s["rank_p05"], s["rank_p95"]
        assert row["rank"] == s["rank"]
        assert row["range"] == (f"{lo}" if lo == hi else f"{lo}–{hi}")
        assert row["p_top_k"] / 100 == pytest.approx(s["p_top_k"], abs=1e-6)


@pytest.mark.parametrize("method", ["entropy", "critic"])
def test_objective_weights_match(db, capsys, method):
    cli = cli_json(capsys, "weights", method, "--db", str(db), *APP_YEAR, "--scheme", "photo-count", "--format", "json")["weights"]
    at = open_app("en", "weights")
    at.selectbox(key="scheme_id").set_value("photo-count").run()
    at.segmented_control(key="w_method").set_value("objective").run()
    at.radio(key="w_objective").set_value(method).run()
    assert not at.exception
    shown = frame_of(at, "camp")["weight"] / 100     # the weights table, indexed by indicator id
    assert shown.to_dict() == pytest.approx(cli, abs=1e-6)


def test_tied_ranks_match_station_by_station(db, capsys):
    """A scheme of one rubric indicator (four levels over 24 stations) ties many stations: each is still compared."""
    from dataclasses import replace

    from indicators.records import store as records
    from indicators.scheme import catalog
    base = catalog.builtin("needs-met")
    dim = next(d for d in base.dimensions if any(i.id == "professional_quality" for i in d.indicators))
    only = replace(dim, indicators=tuple(i for i in dim.indicators if i.id == "professional_quality"))
    tied = replace(base, id="tied-ranks", dimensions=(only,), gates=())
    con = records.connect(db)
    try:
        catalog.save(con, tied)
    finally:
        con.close()
    cli = cli_json(capsys, "sensitivity", "--db", str(db), *APP_YEAR, "--scheme", "tied-ranks", "--draws", "500",
                   "--seed", "0", "--spread", "0.2", "--top-k", "5", "--format", "json")
    names = {s["station_id"]: s["name_en"] for s in cli_json(capsys, "score", "--db", str(db), *APP_YEAR, "--scheme",
                                                              "tied-ranks", "--format", "json")["stations"]}
    assert len({s["rank"] for s in cli["stations"]}) < len(cli["stations"])   # there are ties
    at = open_app("en", "scores")
    at.selectbox(key="scheme_id").set_value("tied-ranks").run()
    at.number_input(key="sens_draws").set_value(500).run()
    assert not at.exception
    shown = frame_of(at, "p_top_k").set_index("station")
    for s in cli["stations"]:
        row = shown.loc[names[s["station_id"]]]
        lo, hi = s["rank_p05"], s["rank_p95"]
        assert (row["rank"], row["range"]) == (s["rank"], f"{lo}" if lo == hi else f"{lo}–{hi}")
        assert row["p_top_k"] / 100 == pytest.approx(s["p_top_k"], abs=1e-6)
