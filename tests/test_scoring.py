"""Normalisation, missing data, aggregation, gates and grades, by hand and by property."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.scheme.model import Dimension, Gate, Indicator, Measure, Normalisation, Scheme
from indicators.scoring.engine import normalise, score_raw

M = Measure("count", table="activities")


def ind(iid="x", direction="higher", method="minmax", missing="median", weight=1.0, camp="output", **norm):
    return Indicator(iid, iid, iid, camp, M, weight=weight, direction=direction,
                     normalisation=Normalisation(method, **norm), missing=missing)


def scheme(*dims, aggregation="arithmetic", gates=()):
    return Scheme("t", "t", "t", tuple(Dimension(f"d{n}", "d", "d", tuple(inds), weight=w)
                                       for n, (w, inds) in enumerate(dims)), aggregation=aggregation, gates=gates)


def stations(n):
    ids = [f"S{k}" for k in range(n)]
    return pd.DataFrame({"name": ids, "name_en": ids, "district": "d", "population": 1000}, index=pd.Index(ids, name="station_id"))


def close(a, b):
    return np.allclose(np.asarray(a, float), np.asarray(b, float), equal_nan=True)


@pytest.mark.parametrize("raw, indicator, expected", [
    ([0, 5, 10], ind(), [0, 50, 100]),
    ([0, 5, 10], ind(direction="lower"), [100, 50, 0]),
    ([7, 7, 7], ind(), [50, 50, 50]),                        # all equal: the indicator cannot tell them apart
    ([7, 7, 7], ind(direction="lower"), [50, 50, 50]),
    ([3], ind(), [50]),                                      # one station
    ([np.nan, 2, 4], ind(), [np.nan, 0, 100]),               # missing stays missing until the rule
    ([np.nan, 2, 4], ind(missing="zero"), [0, 50, 100]),     # ... unless the rule says missing means zero
    ([-5, 5, 15, 25], ind(method="goalposts", low=0, high=20), [0, 25, 75, 100]),
    ([-5, 5, 15, 25], ind(method="goalposts", low=0, high=20, direction="lower"), [100, 75, 25, 0]),
    ([0.2, 0.4, 0.8], ind(method="target", target=0.4), [50, 100, 100]),
    ([10, 20, 40], ind(method="target", target=20, direction="lower"), [100, 100, 50]),
    ([0, 5, 5, 9], ind(method="rank"), [0, 50, 50, 100]),   # ties share the average rank
    ([0, 5, 9], ind(method="rank", direction="lower"), [100, 50, 0]),
    ([np.nan, np.nan], ind(), [np.nan, np.nan]),
])
def test_normalisation_by_hand(raw, indicator, expected):
    assert close(normalise(np.array(raw, float), indicator), expected)


def test_missing_rules_fill_after_normalising():
    raw = pd.DataFrame({"x": [np.nan, 0, 10, 4]}, index=stations(4).index)
    assert close(score_raw(scheme((1, [ind()])), raw, stations(4)).normalised["x"], [40, 0, 100, 40])  # median of 0,100,40
    assert close(score_raw(scheme((1, [ind(missing="worst")])), raw, stations(4)).normalised["x"], [0, 0, 100, 40])
    r = score_raw(scheme((1, [ind()])), raw, stations(4))
    assert list(r.missing["x"]) == [True, False, False, False]
    # zero denominators arrive as NaN for every station: nobody gets an advantage
    none = pd.DataFrame({"x": [np.nan] * 3}, index=stations(3).index)
    assert close(score_raw(scheme((1, [ind()])), none, stations(3)).normalised["x"], [50, 50, 50])


def test_two_level_weights_by_hand():
    # d0 (weight 3): a (w 1), b (w 3); d1 (weight 1): c. Effective: a 3/4*1/4, b 3/4*3/4, c 1/4.
    s = scheme((3, [ind("a"), ind("b", weight=3)]), (1, [ind("c")]))
    raw = pd.DataFrame({"a": [0, 10], "b": [10, 0], "c": [0, 10]}, index=stations(2).index)
    r = score_raw(s, raw, stations(2))
    assert close(r.weights["effective"], [3 / 16, 9 / 16, 4 / 16])
    assert close(r.total, [100 * 9 / 16, 100 * 7 / 16])
    assert close(r.dimension_scores["d0"], [75, 25])
    assert list(r.rank) == [1, 2]
    assert close(r.contributions.sum(axis=1), r.total)


def test_geometric_is_less_compensatory():
    # Both stations average 50 arithmetically; the geometric mean punishes the lopsided one.
    s_a = scheme((1, [ind("a"), ind("b")]))
    s_g = scheme((1, [ind("a"), ind("b")]), aggregation="geometric")
    raw = pd.DataFrame({"a": [0, 5, 10], "b": [10, 5, 0]}, index=stations(3).index)
    arith, geo = score_raw(s_a, raw, stations(3)), score_raw(s_g, raw, stations(3))
    assert close(arith.total, [50, 50, 50])
    assert geo.total["S1"] > geo.total["S0"]
    # the standard weighted geometric mean, a 0 counted as 1 point (the zero rule): sqrt(1 * 100) = 10
    assert math.isclose(geo.total["S0"], 10.0)
    assert math.isclose(geo.total["S1"], 50.0)
    assert close(geo.contributions.sum(axis=1), geo.total)


def test_gate_caps_grade_and_missing_evidence_fails_it():
    s = scheme((1, [ind("a"), ind("veto", weight=0.0001)]), gates=(Gate("veto", "<=", 0.3, "C", name_en="veto"),))
    raw = pd.DataFrame({"a": [10, 10, 0], "veto": [0.1, 0.5, np.nan]}, index=stations(3).index)
    r = score_raw(s, raw, stations(3))
    assert r.grade["S0"] == "A"
    assert r.grade["S1"] == "C" and r.capped_by["S1"] == "veto"
    assert r.grade["S2"] == "D" and r.capped_by["S2"] == "veto"   # already below the cap: stays D


def test_reweighting_uses_cached_matrices_only(monkeypatch):
    s = scheme((1, [ind("a"), ind("b")]))
    raw = pd.DataFrame({"a": [0, 10], "b": [10, 0]}, index=stations(2).index)
    r = score_raw(s, raw, stations(2))
    import indicators.scoring.engine as scoring
    monkeypatch.setattr(scoring, "normalise", lambda *a: pytest.fail("re-weighting must not re-normalise"))
    moved = r.reweighted(indicator_weights={"a": 3})
    assert list(moved.rank) == [2, 1]
    assert moved.normalised.equals(r.normalised)


# ---------------------------------------------------------------- properties

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def cases(draw):
    m = draw(st.integers(1, 8))
    n = draw(st.integers(1, 5))
    inds = [ind(f"i{k}", direction=draw(st.sampled_from(["higher", "lower"])),
                method=draw(st.sampled_from(["minmax", "rank"])), weight=draw(st.floats(0.01, 100)))
            for k in range(n)]
    split = draw(st.integers(1, n))
    dims = [(draw(st.floats(0.01, 100)), inds[:split])] + ([(draw(st.floats(0.01, 100)), inds[split:])] if split < n else [])
    data = {i.id: draw(st.lists(st.one_of(values, st.just(np.nan)), min_size=m, max_size=m)) for i in inds}
    agg = draw(st.sampled_from(["arithmetic", "geometric"]))
    return scheme(*dims, aggregation=agg), pd.DataFrame(data, index=stations(m).index), stations(m)


@settings(max_examples=150, deadline=None)
@given(cases(), st.floats(0.001, 1000))
def test_scaling_all_weights_changes_no_rank(case, factor):
    s, raw, stn = case
    r = score_raw(s, raw, stn)
    scaled = r.reweighted({d.id: d.weight * factor for d in s.dimensions},
                          {i.id: i.weight * factor for i in s.indicators})
    assert list(scaled.rank) == list(r.rank)


@settings(max_examples=150, deadline=None)
@given(cases())
def test_scores_within_0_100_and_contributions_add_up(case):
    s, raw, stn = case
    r = score_raw(s, raw, stn)
    assert ((r.total >= 0) & (r.total <= 100 + 1e-9)).all()
    assert np.allclose(r.contributions.sum(axis=1), r.total, atol=1e-9)


@settings(max_examples=150, deadline=None)
@given(cases(), st.data())
def test_raising_a_higher_is_better_value_never_lowers_the_score(case, data):
    s, raw, stn = case
    target = data.draw(st.sampled_from([i for i in s.indicators]))
    if target.direction != "higher":
        return
    station = data.draw(st.sampled_from(list(stn.index)))
    before = score_raw(s, raw, stn).total[station]
    bumped = raw.copy()
    old = bumped.at[station, target.id]
    bumped.at[station, target.id] = (0 if np.isnan(old) else old) + data.draw(st.floats(0.001, 1e6))
    if np.isnan(old):
        return   # filling a gap changes which rule applies, not a raise of a known value
    assert score_raw(s, bumped, stn).total[station] >= before - 1e-9
