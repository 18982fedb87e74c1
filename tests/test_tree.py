"""Schemes as trees: any depth, points, and the three aggregations, by hand on tiny data and by property."""
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.scheme.model import (Dimension, Indicator, Measure, Normalisation, Scheme, SchemeError, dump_yaml,
                                     load_yaml, scheme_from_dict, validate)
from indicators.scoring.engine import GEOMETRIC_FLOOR, TOTAL, score_raw, tree_weights

M = Measure("count", table="activities")
TREE_YAML = Path(__file__).parent / "data" / "tree-scheme.yaml"


def ind(iid, weight=1.0, points=None, direction="higher"):
    return Indicator(iid, iid, iid, "needs", M, weight=weight, points=points, direction=direction,
                     normalisation=Normalisation("minmax"))


def dim(did, *children, weight=1.0):
    return Dimension(did, did, did, indicators=tuple(c for c in children if isinstance(c, Indicator)),
                     dimensions=tuple(c for c in children if isinstance(c, Dimension)), weight=weight)


def stations(n):
    ids = [f"S{k}" for k in range(n)]
    return pd.DataFrame({"name": ids, "name_en": ids, "district": "d", "population": 1000},
                        index=pd.Index(ids, name="station_id"))


def close(a, b, tol=1e-9):
    return np.allclose(np.asarray(a, float), np.asarray(b, float), atol=tol, rtol=0)


# A -> B -> C -> D -> F: five levels of dimensions, leaves on the sixth. Raw values 0, 5, 10 normalise (minmax)
# to 0, 50, 100, so every number below is worked out by hand from the normalised table.
FIVE = Scheme("five", "five", "five", dimensions=(
    dim("A", ind("x"), dim("B", dim("C", ind("y"), dim("D", ind("w"), dim("F", ind("v"), ind("u", weight=3))))),
        weight=2),
    dim("E", ind("z"), weight=2)))
RAW = pd.DataFrame({"v": [0, 5, 10], "u": [10, 5, 0], "w": [10, 0, 5], "y": [0, 10, 5], "x": [5, 10, 0],
                    "z": [10, 0, 5]}, index=stations(3).index, dtype=float)


def test_five_levels_by_hand():
    r = score_raw(FIVE, RAW, stations(3))
    # F = a/4 + 3b/4; D = (w + F)/2; C = (y + D)/2; B = C; A = (x + B)/2; E = z; total = (A + E)/2
    assert close(r.nodes["F"], [75, 50, 25])
    assert close(r.nodes["D"], [87.5, 25, 37.5])
    assert close(r.nodes["C"], [43.75, 62.5, 43.75])
    assert close(r.nodes["B"], r.nodes["C"])
    assert close(r.nodes["A"], [46.875, 81.25, 21.875])
    assert close(r.total, [73.4375, 40.625, 35.9375])
    assert list(r.nodes.columns) == ["A", "B", "C", "D", "F", "E"]           # depth-first
    assert list(r.dimension_scores.columns) == ["A", "E"]                    # the top level, as before
    # v's effective weight: A 1/2 * B 1/2 * C 1 * D 1/2 * F 1/2 * v 1/4
    assert math.isclose(r.weights.at["v", "effective"], 1 / 64)
    assert r.weights.at["v", "path"] == "A/B/C/D/F/v" and r.weights.at["v", "parent"] == "F"
    assert r.weights.at["v", "dimension"] == "A" and math.isclose(r.weights.at["v", "within"], 0.25)
    assert close(r.weights["effective"].sum(), 1)
    assert close(r.contributions.sum(axis=1), r.total)
    assert r.explain("S0").at["v", "path"] == "A/B/C/D/F/v"


def test_tree_helpers():
    s = FIVE
    assert [d.id for d in s.nodes()] == ["A", "B", "C", "D", "F", "E"]
    assert [i.id for i in s.indicators] == ["x", "y", "w", "v", "u", "z"]
    assert s.parent_of("A") is None and s.parent_of("F") == "D" and s.parent_of("v") == "F"
    assert s.path_of("u") == ("A", "B", "C", "D", "F", "u") and s.path_of("E") == ("E",)
    assert [c.id for c in s.children_of("D")] == ["w", "F"]
    assert [c.id for c in s.children_of(None)] == ["A", "E"]
    assert s.points_total() is None
    t = tree_weights(s)
    assert t.loc[t["code"] == "F", "depth"].item() == 5 and t.loc[t["code"] == "v", "depth"].item() == 6


def test_five_levels_round_trip_through_yaml():
    text = dump_yaml(FIVE)
    assert load_yaml(text) == FIVE
    assert dump_yaml(load_yaml(text)) == text
    assert "weighting" not in text and "points" not in text     # a weights scheme writes neither


def test_reweighting_a_deep_node():
    r = score_raw(FIVE, RAW, stations(3))
    moved = r.reweighted({"F": 0})          # F no longer counts inside D: D = w
    assert close(moved.nodes["D"], [100, 0, 50])
    assert close(moved.weights.at["v", "effective"], 0)
    assert moved.normalised.equals(r.normalised)


# ---------------------------------------------------------------- validation

def five_dict():
    return yaml.safe_load(dump_yaml(FIVE))


@pytest.mark.parametrize("change, field, words", [
    (lambda d: d["dimensions"][0]["dimensions"][0]["dimensions"][0]["indicators"][0].update(id="x"),
     "dimensions[0].dimensions[0].dimensions[0].indicators[0].id", "already used at dimensions[0].indicators[0]"),
    (lambda d: d["dimensions"][1].update(id="B"), "dimensions[1].id", "already used"),
    (lambda d: d["dimensions"][0]["dimensions"][0].update(dimensions=[]), "dimensions[0].dimensions[0].indicators",
     "at least one"),
    (lambda d: d["dimensions"][0]["dimensions"][0]["dimensions"][0].update(weight=-2),
     "dimensions[0].dimensions[0].dimensions[0].weight", "negative"),
    (lambda d: d["dimensions"][0].update(points=3), "dimensions[0].points", "weighting: points"),
    (lambda d: d["dimensions"][0].update(id="A 1"), "dimensions[0].id", "without spaces"),
    (lambda d: d.update(aggregation="median"), "aggregation", "topsis"),
])
def test_tree_validation_names_the_field(change, field, words):
    data = five_dict()
    change(data)
    with pytest.raises(SchemeError) as err:
        scheme_from_dict(data, "t.yaml")
    assert err.value.field == field and words in str(err.value)


def test_all_zero_children_across_indicators_and_dimensions():
    data = five_dict()
    a = data["dimensions"][0]
    a["weight"] = 1
    a["indicators"][0]["weight"] = 0
    a["dimensions"][0]["weight"] = 0
    with pytest.raises(SchemeError, match=r"dimensions\[0\]\.\(indicators, dimensions\)\[\*\]\.weight: are all zero"):
        scheme_from_dict(data)


# ---------------------------------------------------------------- points

POINTS = Scheme("pts", "p", "p", weighting="points", dimensions=(
    Dimension("A", "A", "A", dimensions=(Dimension("A1", "A1", "A1", (ind("p", points=30), ind("u", points=10))),),
              indicators=(ind("c", points=20),)),
    Dimension("B", "B", "B", (ind("d", points=40),))))


def test_points_add_up_and_give_the_weights():
    s = validate(POINTS)
    assert s.points_total() == 100
    assert [d.points for d in s.nodes()] == [60, 40, 40]        # A = c 20 + A1 40; A1 = 30 + 10; B = 40
    t = tree_weights(s).set_index("code")
    assert math.isclose(t.at["p", "within"], 30 / 40) and math.isclose(t.at["p", "effective"], 0.3)
    assert math.isclose(t.at["A", "within"], 0.6)


def test_points_earned_by_hand():
    s = validate(POINTS)
    raw = pd.DataFrame({"p": [0, 10], "u": [10, 0], "c": [10, 0], "d": [0, 10]}, index=stations(2).index)
    r = score_raw(s, raw, stations(2))
    # S0 earns u 10 + c 20 = 30 of 100 points; S1 earns p 30 + d 40 = 70
    assert close(r.points_earned, [30, 70]) and r.points_available == 100
    assert close(r.total, [30, 70])
    assert close(r.node_points()["A"], [30, 30]) and close(r.node_points()["B"], [0, 40])


def test_points_scheme_yaml_round_trip_and_errors():
    text = dump_yaml(validate(POINTS))
    assert "weighting: points" in text and "weight:" not in text
    assert load_yaml(text) == validate(POINTS) and dump_yaml(load_yaml(text)) == text
    data = yaml.safe_load(text)
    del data["dimensions"][0]["dimensions"][0]["indicators"][1]["points"]
    with pytest.raises(SchemeError) as err:
        scheme_from_dict(data)
    assert err.value.field == "dimensions[0].dimensions[0].indicators[1].points" and "required" in str(err.value)
    data = yaml.safe_load(text)
    data["dimensions"][1]["indicators"][0]["weight"] = 3
    with pytest.raises(SchemeError, match=r"dimensions\[1\]\.indicators\[0\]\.weight: a points scheme"):
        scheme_from_dict(data)
    data = yaml.safe_load(text)
    data["dimensions"][0]["points"] = 50
    with pytest.raises(SchemeError, match=r"dimensions\[0\]\.points: is 50 but its children's points add up to 60"):
        scheme_from_dict(data)
    data = yaml.safe_load(text)
    data["dimensions"][1]["indicators"][0]["points"] = -1
    with pytest.raises(SchemeError, match=r"dimensions\[1\]\.indicators\[0\]\.points: must be a number of 0 or more"):
        scheme_from_dict(data)


def test_example_tree_file_is_three_levels_of_points():
    s = load_yaml(TREE_YAML.read_text(encoding="utf-8"))
    assert s.weighting == "points" and s.points_total() == 100
    assert max(len(s.path_of(i.id)) for i in s.indicators) == 3
    assert dump_yaml(s) == TREE_YAML.read_text(encoding="utf-8")


# ---------------------------------------------------------------- geometric and TOPSIS by hand

TWO = Scheme("two", "t", "t", dimensions=(dim("D", ind("a"), ind("b", weight=3)), dim("E", ind("z"))))
RAW2 = pd.DataFrame({"a": [0, 5, 10], "b": [10, 5, 0], "z": [10, 0, 5]}, index=stations(3).index, dtype=float)


def test_geometric_by_hand_and_the_zero_rule():
    r = score_raw(replace(TWO, aggregation="geometric"), RAW2, stations(3))
    # D = a^(1/4) * b^(3/4) with a 0 counted as 1 point: S0 1 * 100^.75, S1 50, S2 100^.25 * 1
    assert GEOMETRIC_FLOOR == 1
    assert close(r.nodes["D"], [100 ** .75, 50, 100 ** .25])
    assert close(r.nodes["E"], [100, 1, 50])                       # z = 0 scores 1: the lowest geometric score
    # the total is the geometric mean of the nodes (weights 1/2, 1/2): it nests
    assert close(r.total, np.sqrt(r.nodes["D"] * r.nodes["E"]))
    # contributions: the total split by each indicator's share of the log of the score
    lg = {"a": 0.5 * 0.25 * math.log(50), "b": 0.5 * 0.75 * math.log(50), "z": 0.0}
    s1 = r.contributions.loc["S1"]
    assert close([s1["a"] / s1["b"]], [lg["a"] / lg["b"]]) and s1["z"] == 0
    assert close(r.contributions.sum(axis=1), r.total)


def test_topsis_by_hand():
    r = score_raw(replace(TWO, aggregation="topsis"), RAW2, stations(3))
    # D: v = (a/4, 3b/4) = S0 (0, 75), S1 (12.5, 37.5), S2 (25, 0); ideal (25, 75), anti-ideal (0, 0)
    assert close(r.distances[("D", "d_plus")], [25, math.sqrt(1562.5), 75])
    assert close(r.distances[("D", "d_minus")], [75, math.sqrt(1562.5), 25])
    assert close(r.nodes["D"], [75, 50, 25])
    assert close(r.nodes["E"], [100, 0, 50])
    # total over (D, E) with 1/2 each: ideal (37.5, 50), anti-ideal (12.5, 0)
    assert close(r.distances[(TOTAL, "d_plus")], [0, 12.5 * math.sqrt(17), 25 * math.sqrt(2)])
    assert close(r.total, [100, 100 / (1 + math.sqrt(17)), 100 * (math.sqrt(2) - 1)])
    # S0's score comes from its distance from the worst: D's part 25^2, E's 50^2 of 3125; D's all from b
    assert close(r.contributions.loc["S0"], [0, 100 * 625 / 3125, 100 * 2500 / 3125])
    assert close(r.contributions.sum(axis=1), r.total)


def test_topsis_all_tied_is_neutral():
    raw = pd.DataFrame({"a": [3, 3], "b": [1, 1], "z": [2, 2]}, index=stations(2).index, dtype=float)
    r = score_raw(replace(TWO, aggregation="topsis"), raw, stations(2))
    assert close(r.total, [50, 50]) and close(r.contributions.sum(axis=1), r.total)


# ---------------------------------------------------------------- properties

@st.composite
def trees(draw, max_depth=5):
    """A random tree of dimensions (up to `max_depth` levels), its raw data and an aggregation."""
    counter = iter(range(10_000))

    def node(depth):
        n_ind = draw(st.integers(0 if depth < max_depth else 1, 3))
        n_sub = draw(st.integers(0, 2)) if depth < max_depth else 0
        if n_ind + n_sub == 0:
            n_ind = 1
        inds = [ind(f"i{next(counter)}", weight=draw(st.floats(0.1, 10)),
                    direction=draw(st.sampled_from(["higher", "lower"]))) for _ in range(n_ind)]
        subs = [node(depth + 1) for _ in range(n_sub)]
        return Dimension(f"D{next(counter)}", "d", "d", tuple(inds), weight=draw(st.floats(0.1, 10)),
                         dimensions=tuple(subs))
    dims = tuple(node(1) for _ in range(draw(st.integers(1, 3))))
    scheme = Scheme("p", "p", "p", dims, aggregation=draw(st.sampled_from(["arithmetic", "geometric", "topsis"])))
    m = draw(st.integers(2, 7))
    values = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
    raw = pd.DataFrame({i.id: draw(st.lists(values, min_size=m, max_size=m)) for i in scheme.indicators},
                       index=stations(m).index)
    return scheme, raw


@settings(max_examples=120, deadline=None)
@given(trees(), st.floats(0.01, 100), st.data())
def test_scaling_the_weights_at_any_one_node_changes_no_rank(case, factor, data):
    scheme, raw = case
    r = score_raw(scheme, raw, stations(len(raw)))
    holder = data.draw(st.sampled_from([None, *[d.id for d in scheme.nodes()]]))
    kids = scheme.children_of(holder)
    scaled = r.reweighted({c.id: c.weight * factor for c in kids if isinstance(c, Dimension)},
                          {c.id: c.weight * factor for c in kids if isinstance(c, Indicator)})
    assert list(scaled.rank) == list(r.rank)
    assert close(scaled.total, r.total, 1e-6)


@settings(max_examples=120, deadline=None)
@given(trees())
def test_every_node_is_its_aggregation_of_its_children(case):
    scheme, raw = case
    r = score_raw(scheme, raw, stations(len(raw)))
    assert ((r.nodes >= 0) & (r.nodes <= 100 + 1e-9)).all().all()
    assert close(r.contributions.sum(axis=1), r.total, 1e-7)
    for d in scheme.nodes():
        vals = [r.normalised[i.id] for i in d.indicators] + [r.nodes[s.id] for s in d.dimensions]
        w = np.array([c.weight for c in d.children]) / sum(c.weight for c in d.children)
        x = np.column_stack(vals)
        if scheme.aggregation == "topsis":   # closeness of the weighted children to the best and worst station
            v = x * w
            d_plus = np.sqrt(((v - v.max(axis=0)) ** 2).sum(axis=1))
            d_minus = np.sqrt(((v - v.min(axis=0)) ** 2).sum(axis=1))
            assert close(r.distances[(d.id, "d_plus")], d_plus, 1e-7)
            assert close(r.distances[(d.id, "d_minus")], d_minus, 1e-7)
            spread = d_plus + d_minus
            expect = np.where(spread > 0, 100 * d_minus / np.where(spread > 0, spread, 1), 50.0)
        else:
            expect = (x @ w if scheme.aggregation == "arithmetic"
                      else np.exp(np.log(np.maximum(x, GEOMETRIC_FLOOR)) @ w))
        assert close(r.nodes[d.id], expect, 1e-7)


@settings(max_examples=100, deadline=None)
@given(trees(max_depth=4), st.data())
def test_coinr_defaults_node_is_mean_of_children(case, data):
    """minmax 0-100, arithmetic, equal weights: every node is the plain mean of its children (COINr's defaults)."""
    scheme, raw = case

    def equal(d):
        return replace(d, weight=1.0, indicators=tuple(replace(i, weight=1.0) for i in d.indicators),
                       dimensions=tuple(equal(s) for s in d.dimensions))
    scheme = replace(scheme, aggregation="arithmetic", dimensions=tuple(equal(d) for d in scheme.dimensions))
    r = score_raw(scheme, raw, stations(len(raw)))
    for i in scheme.indicators:       # min-max to 0-100 (the direction flips a lower-is-better one)
        x = raw[i.id].to_numpy()
        lo, hi = x.min(), x.max()
        expect = np.full(len(x), 50.0) if hi == lo else (x - lo) / (hi - lo) * 100
        assert close(r.normalised[i.id], expect if i.direction == "higher" else (100 - expect if hi != lo else expect))
    for d in scheme.nodes():
        kids = [r.normalised[i.id] for i in d.indicators] + [r.nodes[s.id] for s in d.dimensions]
        assert close(r.nodes[d.id], np.mean(kids, axis=0))
    assert close(r.total, np.mean([r.nodes[d.id] for d in scheme.dimensions], axis=0))


@st.composite
def points_trees(draw):
    scheme, raw = draw(trees(max_depth=4))

    def pts(d):
        return replace(d, indicators=tuple(replace(i, points=float(draw(st.integers(1, 50)))) for i in d.indicators),
                       dimensions=tuple(pts(s) for s in d.dimensions))
    scheme = validate(replace(scheme, weighting="points", aggregation="arithmetic",
                              dimensions=tuple(pts(d) for d in scheme.dimensions)))
    return scheme, raw


@settings(max_examples=100, deadline=None)
@given(points_trees())
def test_points_and_0_100_agree(case):
    scheme, raw = case
    r = score_raw(scheme, raw, stations(len(raw)))
    earned = sum(r.normalised[i.id] / 100 * i.points for i in scheme.indicators)
    assert close(r.points_earned, earned, 1e-7)
    assert close(r.points_earned / scheme.points_total() * 100, r.total, 1e-7)
    for d in scheme.nodes():   # a node's points earned are the sum of its leaves' points earned
        leaves = [i for i in scheme.indicators if d.id in scheme.path_of(i.id)[:-1]]
        assert close(r.node_points()[d.id], sum(r.normalised[i.id] / 100 * i.points for i in leaves), 1e-7)


def test_the_apps_weight_free_cache_key_rebuilds_a_points_tree():
    """The app scores the weight-free scheme once, then re-weights: a points tree must come back whole. Its
    points are kept in the cache key (rules give points in the item's own units), only provenance is dropped."""
    from indicators.scheme.editing import strip_weights
    s = validate(POINTS)
    raw = pd.DataFrame({"p": [0, 10], "u": [10, 0], "c": [10, 0], "d": [0, 10]}, index=stations(2).index)
    bare = strip_weights(s)
    assert bare.weighting == "points" and [i.points for i in bare.indicators] == [20, 30, 10, 40]
    back = score_raw(bare, raw, stations(2)).reweighted({d.id: d.weight for d in s.nodes()},
                                                        {i.id: i.weight for i in s.indicators}, weighting="points")
    assert back.scheme == s and close(back.points_earned, [30, 70])
    deep = score_raw(strip_weights(FIVE), RAW, stations(3)).reweighted(
        {d.id: d.weight for d in FIVE.nodes()}, {i.id: i.weight for i in FIVE.indicators})
    assert close(deep.total, [73.4375, 40.625, 35.9375])
