"""Tests for indicators.analysis.sensitivity: Monte Carlo rank intervals."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.analysis.sensitivity import (
    CHUNK_DRAWS, Sensitivity, SensitivityError, ordinal, rank_intervals,
    sentence_en, sentence_zh,
)
from indicators.scoring.ranks import rank_desc_min


def data(stations=24, indicators=16, seed=3):
    rng = np.random.default_rng(seed)
    n = rng.uniform(0, 100, (stations, indicators))
    w = rng.dirichlet(np.ones(indicators))
    ids = [f"S{i:02d}" for i in range(stations)]
    return n, w, ids


def test_ordinals():
    got = [ordinal(i) for i in (1, 2, 3, 4, 10, 11, 12, 13, 14, 21, 22, 23, 24, 101, 111, 112, 113, 121)]
    assert got == ["1st", "2nd", "3rd", "4th", "10th", "11th", "12th", "13th", "14th", "21st", "22nd",
                   "23rd", "24th", "101st", "111th", "112th", "113th", "121st"]


def test_sentences():
    assert sentence_en(2, 5, 0.64, 5) == ("Ranks 2nd–5th in 90% of plausible weightings; "
                                          "in the top 5 in 64% of them.")
    assert sentence_zh(2, 5, 0.64, 5) == "在90%的合理权重下排名第2–5位；64%的情况下位列前5。"
    assert sentence_en(3, 3, 1.0, 5).startswith("Ranks 3rd in 90% of plausible weightings;")
    assert sentence_zh(3, 3, 1.0, 5) == "在90%的合理权重下排名第3位；100%的情况下位列前5。"
    # a real but small chance is never rounded to 0% or 100%
    assert "in <1% of them" in sentence_en(9, 12, 0.001, 5)
    assert "in >99% of them" in sentence_en(1, 2, 0.998, 5)
    assert "in 0% of them" in sentence_en(9, 12, 0.0, 5)


def test_rank_desc_min_ties_share_minimum_rank():
    assert rank_desc_min([3.0, 1.0, 3.0, 2.0]).tolist() == [1, 4, 1, 3]
    assert rank_desc_min([5.0, 5.0 + 1e-12, 4.0]).tolist() == [1, 1, 3]     # within tolerance
    m = rank_desc_min(np.array([[1.0, 2.0, 3.0], [3.0, 3.0, 1.0]]))
    assert m.tolist() == [[3, 2, 1], [1, 1, 3]]
    s = pd.Series([10.0, 30.0, 30.0, 20.0, 10.0])
    assert rank_desc_min(s.to_numpy()).tolist() == s.rank(method="min", ascending=False).astype(int).tolist()


def test_spread_zero_collapses_intervals_to_chosen_rank():
    n, w, ids = data()
    res = rank_intervals(n, w, ids, draws=500, spread=0.0, top_k=5)
    t = res.table
    assert isinstance(res, Sensitivity) and res.spread == 0 and res.draws == 500
    assert (t.rank_p05 == t["rank"]).all() and (t.rank_p50 == t["rank"]).all()
    assert (t.rank_p95 == t["rank"]).all()
    expected = pd.Series(n @ w, index=ids).rank(method="min", ascending=False).astype(int)
    assert t["rank"].tolist() == expected.tolist()
    assert t.p_top_k.tolist() == [1.0 if r <= 5 else 0.0 for r in t["rank"]]
    assert list(t.index) == ids and t.index.name == "station_id"
    assert list(t.columns) == ["rank", "rank_p05", "rank_p50", "rank_p95", "p_top_k",
                               "sentence_en", "sentence_zh"]


def test_vanishing_spread_is_no_spread():
    n, w, ids = data()
    zero = rank_intervals(n, w, ids, draws=300, spread=0.0).table
    tiny = rank_intervals(n, w, ids, draws=300, spread=1e-200).table
    pd.testing.assert_frame_equal(zero, tiny)


def test_fixed_seed_reproduces_and_other_seeds_differ():
    n, w, ids = data()
    a = rank_intervals(n, w, ids, draws=3000, spread=0.3, seed=7)
    b = rank_intervals(n, w, ids, draws=3000, spread=0.3, seed=7)
    c = rank_intervals(n, w, ids, draws=3000, spread=0.3, seed=8)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not a.table["p_top_k"].equals(c.table["p_top_k"])
    assert a.seed == 7 and c.seed == 8


def test_matches_a_plain_loop_with_pandas_ranks():
    # same draws as the vectorised code (one chunk, no alternatives), ranked one by one
    n, w, ids = data(stations=12, indicators=5, seed=11)
    w[2] = 0.0
    w = w / w.sum()
    draws, spread, k = 800, 0.25, 3
    res = rank_intervals(n, w, ids, draws=draws, spread=spread, seed=5, top_k=k)
    active = w > 0
    alpha = w[active] * active.sum() / spread ** 2
    wd = np.random.default_rng(5).dirichlet(alpha, size=draws)
    ranks = np.array([pd.Series(n[:, active] @ x).rank(method="min", ascending=False).to_numpy()
                      for x in wd])
    for q, col in ((5, "rank_p05"), (50, "rank_p50"), (95, "rank_p95")):
        expect = np.percentile(ranks, q, axis=0, method="inverted_cdf").astype(int)
        assert res.table[col].tolist() == expect.tolist()
    np.testing.assert_allclose(res.table.p_top_k, (ranks <= k).mean(axis=0))


def test_zero_weight_indicator_stays_zero():
    # indicator 0 would make S0 the winner, but its weight is 0 in every draw
    n = np.array([[100.0, 10.0], [0.0, 60.0], [0.0, 40.0]])
    res = rank_intervals(n, [0.0, 1.0], ["S0", "S1", "S2"], draws=2000, spread=0.8, top_k=1)
    t = res.table
    assert t["rank_p05"].tolist() == t["rank_p95"].tolist() == [3, 1, 2]
    assert t.p_top_k.tolist() == [0.0, 1.0, 0.0]


@settings(max_examples=25, deadline=None)
@given(stations=st.integers(2, 30), indicators=st.integers(1, 8), k=st.integers(1, 30),
       seed=st.integers(0, 2**32 - 1), spread=st.floats(0.0, 1.0))
def test_p_top_k_is_a_probability_and_sums_to_k(stations, indicators, k, seed, spread):
    rng = np.random.default_rng(seed)
    n = rng.uniform(0, 100, (stations, indicators))      # continuous: no ties
    w = rng.dirichlet(np.ones(indicators))
    res = rank_intervals(n, w, range(stations), draws=300, spread=spread, seed=seed, top_k=k)
    p = res.table.p_top_k
    assert ((p >= 0) & (p <= 1)).all()
    assert p.sum() == pytest.approx(min(k, stations), abs=1e-9)
    t = res.table
    assert (t.rank_p05 <= t.rank_p50).all() and (t.rank_p50 <= t.rank_p95).all()
    assert t.rank_p05.min() >= 1 and t.rank_p95.max() <= stations


def test_ties_share_min_rank_in_every_draw():
    n = np.array([[50.0, 50.0], [50.0, 50.0], [10.0, 90.0], [0.0, 0.0]])
    res = rank_intervals(n, [0.5, 0.5], ["a", "b", "c", "d"], draws=1000, spread=0.5, top_k=1)
    t = res.table
    assert t.loc["a"].tolist()[:4] == t.loc["b"].tolist()[:4]
    assert t.loc["d", "rank_p05"] == 4
    assert t.loc["a", "p_top_k"] == t.loc["b", "p_top_k"]


def test_geometric_uses_engine_formula():
    # arithmetic: A = 50 beats B = 45; geometric: A = sqrt(100 * 1) = 10 (a 0 counts as 1) loses to B = 45
    n = np.array([[100.0, 0.0], [45.0, 45.0]])
    ar = rank_intervals(n, [0.5, 0.5], ["A", "B"], draws=10, spread=0)
    ge = rank_intervals(n, [0.5, 0.5], ["A", "B"], draws=10, spread=0, aggregation="geometric")
    assert ar.table["rank"].tolist() == [1, 2]
    assert ge.table["rank"].tolist() == [2, 1] and ge.aggregation == "geometric"
    rng = np.random.default_rng(0)
    x, w = rng.uniform(0, 100, (15, 4)), rng.dirichlet(np.ones(4))
    score = np.exp(np.log(np.maximum(x, 1)) @ w)
    got = rank_intervals(x, w, range(15), draws=5, spread=0, aggregation="geometric").table["rank"]
    assert got.tolist() == pd.Series(score).rank(method="min", ascending=False).astype(int).tolist()


def test_alternatives_are_drawn_uniformly():
    base = np.array([[80.0], [20.0]])
    flipped = np.array([[20.0], [80.0]])
    res = rank_intervals(base, [1.0], ["A", "B"], draws=4000, spread=0.0, top_k=1,
                         alternatives=[flipped])
    t = res.table
    assert t.loc["A", "rank"] == 1                       # chosen rank uses `normalised`
    assert t.loc["A", "rank_p05"] == 1 and t.loc["A", "rank_p95"] == 2
    assert t.loc["A", "p_top_k"] == pytest.approx(0.5, abs=0.03)
    assert t.p_top_k.sum() == pytest.approx(1.0)
    assert res.normalisations == 2
    again = rank_intervals(base, [1.0], ["A", "B"], draws=4000, spread=0.0, top_k=1,
                           alternatives=[flipped])
    pd.testing.assert_frame_equal(t, again.table)


def test_draws_not_a_multiple_of_chunk_and_top_k_above_station_count():
    n, w, ids = data(stations=6, indicators=3)
    res = rank_intervals(n, w, ids, draws=CHUNK_DRAWS + 7, spread=0.2, top_k=10)
    assert (res.table.p_top_k == 1.0).all()
    assert res.table.sentence_en.str.contains("in the top 10 in 100% of them").all()


def test_wider_spread_gives_wider_intervals():
    n, w, ids = data()
    narrow = rank_intervals(n, w, ids, draws=2000, spread=0.05).table
    wide = rank_intervals(n, w, ids, draws=2000, spread=0.5).table
    assert (wide.rank_p95 - wide.rank_p05).sum() > (narrow.rank_p95 - narrow.rank_p05).sum()


def test_dirichlet_mean_is_the_chosen_weights():
    # with one station per indicator (identity matrix) a station's score is its indicator's
    # weight, so the chosen-weight ranks follow the weights
    w = np.array([0.4, 0.3, 0.2, 0.1])
    res = rank_intervals(np.eye(4) * 100, w, list("abcd"), draws=4000, spread=0.2, top_k=1)
    assert res.table["rank"].tolist() == [1, 2, 3, 4]
    assert res.table["rank_p50"].tolist() == [1, 2, 3, 4]
    assert res.table.p_top_k.is_monotonic_decreasing


@pytest.mark.parametrize("kwargs, pattern", [
    ({"weights": [0.5, 0.5]}, "2 weights for 3 indicators"),
    ({"weights": [1, -1, 1]}, "non-negative"),
    ({"weights": [0, 0, 0]}, "sum to 0"),
    ({"station_ids": ["a", "a"]}, "station id a appears more than once"),
    ({"station_ids": ["a"]}, "1 station ids for 2 rows"),
    ({"spread": 1.5}, r"spread must be in \[0, 1\]"),
    ({"draws": 0}, "draws must be a positive whole number"),
    ({"top_k": 0}, "top_k must be a positive whole number"),
    ({"aggregation": "median"}, "aggregation must be"),
    ({"normalised": [[1, np.nan, 3], [4, 5, 6]]}, "NaN or infinite"),
    ({"alternatives": [np.zeros((3, 3))]}, r"alternatives\[0\]: shape 3 x 3 differs"),
    ({"aggregation": "topsis"}, "TOPSIS"),
])
def test_input_errors(kwargs, pattern):
    args = {"normalised": [[1, 2, 3], [4, 5, 6]], "weights": [0.2, 0.3, 0.5],
            "station_ids": ["a", "b"]}
    args.update(kwargs)
    with pytest.raises(SensitivityError, match=pattern):
        rank_intervals(args.pop("normalised"), args.pop("weights"), args.pop("station_ids"),
                       **args)


def test_dataframe_input_and_table_values_are_plain():
    n, w, ids = data(stations=8, indicators=4)
    df = pd.DataFrame(n, index=ids, columns=[f"i{k}" for k in range(4)])
    res = rank_intervals(df, pd.Series(w, index=df.columns), df.index, draws=200)
    assert res.table["rank"].dtype.kind == "i" and res.table.p_top_k.dtype.kind == "f"
    assert all(isinstance(s, str) and s.startswith("Ranks ") for s in res.table.sentence_en)
    assert all(s.startswith("在90%的合理权重下排名第") for s in res.table.sentence_zh)
    assert not math.isnan(res.table.p_top_k.sum())


def test_varying_the_normalisation_widens_intervals_on_the_demo(demo_db):
    """Drawing min-max or rank readings of the records on top of the weights can only add uncertainty here."""
    from indicators.scheme import catalog
    from indicators.records import store as records
    from indicators.scoring.engine import alternative_normalisations, score
    con = records.connect(demo_db, read_only=True)
    r = score(con, catalog.builtin("needs-met"))
    con.close()
    alts = alternative_normalisations(r)
    assert len(alts) == 1          # needs-met already uses min-max: only the rank reading differs
    args = (r.normalised.to_numpy(), r.weights["effective"].to_numpy(), list(r.stations.index))
    plain = rank_intervals(*args, draws=2000, spread=0.0, seed=3).table
    varied = rank_intervals(*args, draws=2000, spread=0.0, seed=3, alternatives=[a.to_numpy() for a in alts]).table
    assert ((plain["rank_p95"] - plain["rank_p05"]) == 0).all()
    assert ((varied["rank_p95"] - varied["rank_p05"]) > 0).any()
