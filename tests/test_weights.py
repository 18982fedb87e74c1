"""Tests for indicators.weights: AHP, groups, entropy, CRITIC, combination, needs-derived weights."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.weights.ahp import (
    CR_THRESHOLD, RANDOM_INDEX, WeightsError, aggregate_judgments, ahp, check_matrix, read_matrix_csv,
)
from indicators.weights.needs import needs_scores, needs_weights
from indicators.weights.objective import combine, critic_weights, entropy_weights

DATA = Path(__file__).parent / "data" / "ahp"
SAATY_SCALE = [1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5, 6, 7, 8, 9]


def consistent(w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w[:, None] / w[None, :]


# --------------------------------------------------------------------------------------------
# AHP on one matrix
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", range(2, 16))
def test_consistent_matrix_gives_exact_weights_and_zero_cr(n):
    rng = np.random.default_rng(n)
    w = rng.uniform(1, 9, n)           # ratios stay within Saaty's 1/9..9
    w = w / w.sum()
    res = ahp(consistent(w))
    np.testing.assert_allclose(res.weights, w, rtol=0, atol=1e-9)
    assert res.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert abs(res.cr) < 1e-9 and abs(res.ci) < 1e-9
    assert res.lambda_max == pytest.approx(n, abs=1e-9)
    assert res.consistent


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(1, 9), min_size=2, max_size=15))
def test_consistent_matrix_property(raw):
    w = np.array(raw) / sum(raw)
    res = ahp(consistent(w))
    np.testing.assert_allclose(res.weights, w, atol=1e-9)
    assert abs(res.cr) < 1e-9


def test_leader_example_wikipedia():
    # Wikipedia, "Analytic hierarchy process - leader example": criteria Experience, Education,
    # Charisma, Age; priorities printed .547, .127, .270, .056. Wikipedia notes its figures come
    # from an online demo that is "designed for convenience, not accuracy"; the exact eigenvector
    # gives .5476 for Experience, so the tolerance is 1e-3 rather than the printed 5e-4.
    # The consistency ratio 0.044 is the value reproduced for the same matrix by the AHPy
    # package's README (with RI(4) = 0.89; Saaty's 0.90 used here also rounds to 0.044).
    names, a = read_matrix_csv(DATA / "leader_criteria.csv")
    assert names == ["Experience", "Education", "Charisma", "Age"]
    res = ahp(a, names)
    np.testing.assert_allclose(res.weights, [0.547, 0.127, 0.270, 0.056], atol=1e-3)
    assert res.cr == pytest.approx(0.044, abs=5e-4)
    assert res.ri == 0.90 and res.consistent


def test_drinks_example_saaty_2008():
    # Saaty, T.L. (2008) "Decision making with the analytic hierarchy process", Int. J. Services
    # Sciences 1(1):83-98, relative consumption of drinks in the U.S.: derived priorities printed
    # to three decimals (.177 .019 .042 .116 .190 .129 .327) with a consistency ratio of .022.
    names, a = read_matrix_csv(DATA / "drinks_saaty2008.csv")
    res = ahp(a, names)
    printed = [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]
    np.testing.assert_allclose(res.weights, printed, atol=5e-4 + 1e-9)
    assert res.cr == pytest.approx(0.022, abs=5e-4)
    assert res.consistent


def test_two_criteria_always_consistent():
    res = ahp([[1, 9], [1 / 9, 1]], ["a", "b"])
    assert res.cr == 0 and res.ci == 0 and res.consistent
    np.testing.assert_allclose(res.weights, [0.9, 0.1])


def test_random_index_tables():
    assert RANDOM_INDEX["saaty"] == (0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51,
                                     1.48, 1.56, 1.57, 1.59)
    assert len(RANDOM_INDEX) >= 2
    for table in RANDOM_INDEX.values():
        assert len(table) == 15 and table[0] == table[1] == 0
    _, a = read_matrix_csv(DATA / "leader_criteria.csv")
    saaty, al = ahp(a), ahp(a, ri_table="alonso_lamata")
    assert al.ri == 0.8815 and al.ri_table == "alonso_lamata"
    assert al.ci == pytest.approx(saaty.ci)
    assert al.cr == pytest.approx(saaty.ci / 0.8815)
    np.testing.assert_allclose(al.weights, saaty.weights)
    with pytest.raises(WeightsError, match="unknown random-index table 'nope'"):
        ahp(a, ri_table="nope")


def test_inconsistent_matrix_flagged():
    # a > b, b > c but c > a: circular
    res = ahp([[1, 5, 1 / 5], [1 / 5, 1, 5], [5, 1 / 5, 1]], ["a", "b", "c"])
    assert res.cr > CR_THRESHOLD and not res.consistent


def test_to_dict_is_plain_and_complete():
    res = ahp(consistent([4, 2, 1]), ["x", "y", "z"])
    d = res.to_dict()
    assert set(d) == {"criteria", "weights", "lambda_max", "ci", "cr", "consistent", "ri",
                      "ri_table", "disagreements"}
    json.dumps(d)
    assert d["criteria"] == ["x", "y", "z"]
    assert d["weights"] == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    assert len(d["disagreements"]) == 3


def test_result_is_frozen():
    res = ahp(consistent([2, 1]))
    with pytest.raises(AttributeError):
        res.cr = 1.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        res.weights[0] = 0.0


def test_dataframe_input_takes_names():
    names = ["safety", "cost", "access"]
    df = pd.DataFrame(consistent([3, 2, 1]), index=names, columns=names)
    res = ahp(df)
    assert res.criteria == tuple(names)


# --------------------------------------------------------------------------------------------
# Disagreements
# --------------------------------------------------------------------------------------------

@settings(max_examples=80, deadline=None)
@given(n=st.integers(4, 8), data=st.data(), factor=st.sampled_from([2.0, 3.0, 1 / 2, 1 / 3]))
def test_disagreement_points_at_perturbed_cell(n, data, factor):
    w = np.array(data.draw(st.lists(st.floats(1, 3), min_size=n, max_size=n)))
    i = data.draw(st.integers(0, n - 1))
    j = data.draw(st.integers(0, n - 1).filter(lambda x: x != i))
    a = consistent(w)
    a[i, j] *= factor
    a[j, i] = 1 / a[i, j]
    names = [f"k{t}" for t in range(n)]
    res = ahp(a, names)
    worst = res.disagreements[0]
    assert {worst[0], worst[1]} == {names[i], names[j]}
    # the ratio says which way: > 1 means the judgment favours worst[0] more than the weights
    assert abs(math.log(worst[2])) > abs(math.log(res.disagreements[1][2]))


def test_disagreements_sorted_and_oriented():
    names, a = read_matrix_csv(DATA / "leader_criteria.csv")
    res = ahp(a, names)
    devs = [abs(math.log(r)) for _, _, r in res.disagreements]
    assert devs == sorted(devs, reverse=True)
    for ci, cj, ratio in res.disagreements:
        i, j = names.index(ci), names.index(cj)
        assert a[i, j] >= 1
        assert ratio == pytest.approx(a[i, j] * res.weights[j] / res.weights[i])


# --------------------------------------------------------------------------------------------
# check_matrix errors
# --------------------------------------------------------------------------------------------

def test_not_reciprocal_message_names_both_cells():
    a = [[1, 3, 5], [3, 1, 2], [1 / 5, 1 / 2, 1]]
    with pytest.raises(WeightsError) as err:
        check_matrix(a, ["safety", "cost", "access"], source="matrix.csv")
    assert str(err.value) == ("matrix.csv: cell (safety, cost) = 3 but (cost, safety) = 3; "
                              "expected 0.333 (reciprocal)")


@pytest.mark.parametrize("a, pattern", [
    ([[1, 3, 1], [1 / 3, 1, 1]], r"m\.csv: not square"),
    ([[1, 2], [1]], r"m\.csv: not square: row 2 has 1 cells"),
    ([[1, 0], [1, 1]], r"m\.csv: cell \(a, b\) = 0; judgments must be positive"),
    ([[1, -3], [-1 / 3, 1]], r"m\.csv: cell \(a, b\) = -3; judgments must be positive \(for 'b matters "
                             r"more than a' write 1/3"),
    ([[2, 3], [1 / 3, 1]], r"m\.csv: cell \(a, a\) = 2; the diagonal must be 1"),
    ([[1, 12], [1 / 12, 1]], r"m\.csv: cell \(a, b\) = 12 is outside Saaty's scale 1/9\.\.9"),
    ([[1, 1 / 12], [12, 1]], r"m\.csv: cell \(b, a\) = 12 is outside"),
    ([[1, np.nan], [1, 1]], r"m\.csv: cell \(a, b\) = nan is not a finite number"),
    ([[1, 3], [0.5, 1]], r"m\.csv: cell \(a, b\) = 3 but \(b, a\) = 0\.5; expected 0\.333"),
])
def test_check_matrix_errors(a, pattern):
    n = len(a)
    names = ["a", "b"] if n == 2 else None
    with pytest.raises(WeightsError, match=pattern):
        check_matrix(a, names, source="m.csv")


def test_check_matrix_size_and_names():
    with pytest.raises(WeightsError, match="16 criteria; AHP here takes 2 to 15"):
        check_matrix(np.ones((16, 16)))
    with pytest.raises(WeightsError, match="1 criteria"):
        check_matrix([[1]])
    with pytest.raises(WeightsError, match="3 criterion names for a 2 x 2 matrix"):
        check_matrix(np.ones((2, 2)), ["a", "b", "c"])
    with pytest.raises(WeightsError, match="criterion 'a' is listed twice"):
        check_matrix(np.ones((2, 2)), ["a", "a"])
    df = pd.DataFrame(np.ones((2, 2)), index=["x", "y"], columns=["y", "x"])
    with pytest.raises(WeightsError, match="rows are named x, y but columns y, x"):
        check_matrix(df)


def test_check_matrix_accepts_rounded_reciprocals_and_repairs_them():
    a = np.array([[1, 3, 6, 7], [0.333, 1, 2, 0.5], [0.167, 0.5, 1, 0.33], [0.143, 2, 3, 1]])
    out = check_matrix(a)
    assert out[1, 0] == 1 / 3 and out[2, 0] == 1 / 6 and out[3, 0] == 1 / 7
    assert out[2, 3] == 1 / 3 and out[3, 2] == 3
    np.testing.assert_allclose(out * out.T, np.ones((4, 4)), rtol=1e-15)
    # a typed reciprocal with the large value in the lower triangle keeps that value
    out = check_matrix([[1, 0.2], [5, 1]])
    assert out[1, 0] == 5 and out[0, 1] == 0.2


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------

def test_read_csv_fractions_upper_triangle_and_bom():
    names, full = read_matrix_csv(DATA / "leader_criteria.csv")
    names2, upper = read_matrix_csv(DATA / "leader_upper_triangle.csv")
    assert names == names2
    np.testing.assert_allclose(full, upper, rtol=1e-12)
    assert full[1, 0] == 0.25 and full[3, 0] == 1 / 7
    zh, a = read_matrix_csv(DATA / "station_zh_bom.csv")
    assert (DATA / "station_zh_bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert zh == ["需求回应", "居民评议", "专业质量", "台账材料"]
    assert ahp(a, zh).consistent


def test_read_csv_without_bom_semicolon_and_fullwidth(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("x;a;b\na;1;１／３\nb;3;1\n", encoding="utf-8")
    names, a = read_matrix_csv(p)
    assert names == ["a", "b"] and a[0, 1] == pytest.approx(1 / 3) and a[1, 0] == 3


def test_read_csv_errors_name_file_row_column(tmp_path):
    with pytest.raises(WeightsError, match=r"bad_cell\.csv: row 1 \(safety\), column 3 \(access\): "
                                           r"'five' is not a number"):
        read_matrix_csv(DATA / "bad_cell.csv")
    with pytest.raises(WeightsError, match=r"bad_mismatched_names\.csv: row 2 \(line 3\) is named "
                                           r"'access' but column 2 is 'cost'"):
        read_matrix_csv(DATA / "bad_mismatched_names.csv")
    with pytest.raises(WeightsError, match=r"bad_not_reciprocal\.csv: cell \(safety, cost\) = 3 but "
                                           r"\(cost, safety\) = 3; expected 0\.333 \(reciprocal\)"):
        read_matrix_csv(DATA / "bad_not_reciprocal.csv")
    p = tmp_path / "blank.csv"
    p.write_text(",a,b,c\na,1,,2\nb,,1,3\nc,1/2,1/3,1\n", encoding="utf-8")
    with pytest.raises(WeightsError, match=r"blank\.csv: row 1 \(a\), column 2 \(b\) and its mirror "
                                           r"\(b, a\) are both blank"):
        read_matrix_csv(p)
    p.write_text(",a,b\na,1,2\n", encoding="utf-8")
    with pytest.raises(WeightsError, match="names 2 criteria but there are 1 data rows"):
        read_matrix_csv(p)
    p.write_text(",a,b\na,1,2\nb,1/2\n", encoding="utf-8")
    with pytest.raises(WeightsError, match=r"row 2 \(b, line 3\) has 1 judgments; expected 2"):
        read_matrix_csv(p)
    p.write_text(",a,b\na,1,1/0\nb,1,1\n", encoding="utf-8")
    with pytest.raises(WeightsError, match="'1/0' is not a number"):
        read_matrix_csv(p)
    with pytest.raises(WeightsError, match="missing.csv: file not found"):
        read_matrix_csv(tmp_path / "missing.csv")


# --------------------------------------------------------------------------------------------
# Groups
# --------------------------------------------------------------------------------------------

def test_aij_of_identical_judgments_equals_individual():
    names, a = read_matrix_csv(DATA / "leader_criteria.csv")
    single = ahp(a, names)
    for method in ("aij", "aip"):
        group, info = aggregate_judgments([(names, a)] * 3, method=method)
        np.testing.assert_allclose(group.weights, single.weights, atol=1e-12)
        assert group.cr == pytest.approx(single.cr, abs=1e-12)
        assert info["kendall_w"] == pytest.approx(1.0)
        assert info["mean_cosine"] == pytest.approx(1.0)
        assert info["individual_cr"]["judge 2"] == pytest.approx(single.cr)


@settings(max_examples=50, deadline=None)
@given(st.integers(3, 6).flatmap(lambda n: st.lists(
    st.lists(st.sampled_from(SAATY_SCALE), min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2),
    min_size=1, max_size=5)))
def test_aij_matrix_is_reciprocal_and_weights_sum_to_one(uppers):
    k = len(uppers[0])
    n = int((1 + math.isqrt(1 + 8 * k)) // 2)
    mats = []
    for upper in uppers:
        a = np.ones((n, n))
        iu = np.triu_indices(n, 1)
        a[iu] = upper
        a[(iu[1], iu[0])] = 1 / np.array(upper)
        mats.append(a)
    for method in ("aij", "aip"):
        res, info = aggregate_judgments(mats, method=method)
        m = np.array(info["aij_matrix"])
        np.testing.assert_allclose(m * m.T, np.ones((n, n)), rtol=1e-12)
        assert np.all(np.diag(m) == 1)
        assert res.weights.sum() == pytest.approx(1.0, abs=1e-12)
        assert np.all(res.weights > 0)
        check_matrix(m)
        assert 0.0 <= info["kendall_w"] <= 1.0 + 1e-12
        assert 0.0 < info["mean_cosine"] <= 1.0 + 1e-12


def test_aij_geometric_mean_by_hand_and_aip_uses_aij_consistency():
    a = [[1, 2], [1 / 2, 1]]
    b = [[1, 8], [1 / 8, 1]]
    res, info = aggregate_judgments({"ann": a, "bo": b}, method="aij")
    assert info["aij_matrix"][0][1] == pytest.approx(4.0)        # sqrt(2 * 8)
    np.testing.assert_allclose(res.weights, [0.8, 0.2])
    aip, info2 = aggregate_judgments({"ann": a, "bo": b}, method="aip")
    # individual priorities (2/3, 1/3) and (8/9, 1/9): geometric means sqrt(16/27), sqrt(1/27)
    g = np.array([math.sqrt(16 / 27), math.sqrt(1 / 27)])
    np.testing.assert_allclose(aip.weights, g / g.sum())
    assert info2["judges"] == ["ann", "bo"]
    names = [DATA / f"workshop_{w}.csv" for w in ("resident", "social_worker", "bureau")]
    mats = [read_matrix_csv(p) for p in names]
    r_aij, _ = aggregate_judgments(mats, "aij")
    r_aip, _ = aggregate_judgments(mats, "aip")
    assert r_aip.cr == r_aij.cr and r_aip.lambda_max == r_aij.lambda_max
    assert r_aip.weights.sum() == pytest.approx(1.0)


def test_group_reorders_named_matrices_and_rejects_other_criteria():
    names, a = read_matrix_csv(DATA / "leader_criteria.csv")
    perm = [3, 1, 0, 2]
    b = a[np.ix_(perm, perm)]
    res, _ = aggregate_judgments([(names, a), ([names[p] for p in perm], b)])
    np.testing.assert_allclose(res.weights, ahp(a).weights, atol=1e-12)
    with pytest.raises(WeightsError, match=r"judge 2: criteria differ from the others \(missing: Age; "
                                           r"extra: Youth\)"):
        aggregate_judgments([(names, a), (names[:3] + ["Youth"], a)])
    with pytest.raises(WeightsError, match="unknown group method"):
        aggregate_judgments([a], method="mean")


def test_kendall_w_reversed_rankings_is_zero():
    up = consistent([3, 2, 1])
    down = consistent([1, 2, 3])
    _, info = aggregate_judgments([up, down])
    assert info["kendall_w"] == pytest.approx(0.0, abs=1e-12)
    assert info["mean_cosine"] < 1


# --------------------------------------------------------------------------------------------
# Entropy, CRITIC, combine
# --------------------------------------------------------------------------------------------

def test_entropy_constant_indicator_gets_zero():
    raw = np.array([[1, 5, 10], [2, 5, 30], [3, 5, 20.0]])
    w = entropy_weights(raw)
    assert w[1] == 0 and w.sum() == pytest.approx(1)
    assert np.allclose(entropy_weights(np.full((4, 3), 7.0)), 1 / 3)   # all constant: equal
    assert np.allclose(entropy_weights([[1, 2, 3]]), 1 / 3)           # one station: equal


def test_entropy_hand_computed_3x3():
    # columns A (higher better) [0,1,2], B (higher better) [1,3,2], C (lower better) [10,20,40]
    # min-max: A -> [0, .5, 1]; B -> [0, 1, .5]; C -> (40 - x)/30 = [1, 2/3, 0]
    # p: A -> [0, 1/3, 2/3]; B -> [0, 2/3, 1/3]; C -> [.6, .4, 0]
    # e_A = e_B = -(1/ln 3)(1/3 ln 1/3 + 2/3 ln 2/3) = 1/3 + (2/3)(ln 1.5 / ln 3)
    #           = 0.333333 + 0.666667 * 0.369070 = 0.579380   -> d = 0.420620
    # e_C = -(0.6 ln 0.6 + 0.4 ln 0.4) / ln 3 = (0.306495 + 0.366516) / 1.098612 = 0.612602
    #                                                         -> d = 0.387398
    # sum d = 1.228638 -> w = [0.342346, 0.342346, 0.315307]
    raw = [[0, 1, 10], [1, 3, 20], [2, 2, 40]]
    w = entropy_weights(raw, higher_is_better=[True, True, False])
    np.testing.assert_allclose(w, [0.342346, 0.342346, 0.315307], atol=2e-6)
    e_ab = 1 / 3 + (2 / 3) * math.log(1.5) / math.log(3)
    e_c = -(0.6 * math.log(0.6) + 0.4 * math.log(0.4)) / math.log(3)
    d = np.array([1 - e_ab, 1 - e_ab, 1 - e_c])
    np.testing.assert_allclose(w, d / d.sum(), rtol=1e-12)


def test_entropy_nan_is_column_minimum_and_mapping_directions():
    raw = pd.DataFrame({"a": [0.0, np.nan, 2.0], "b": [10.0, 20.0, 40.0]})
    filled = pd.DataFrame({"a": [0.0, 0.0, 2.0], "b": [10.0, 20.0, 40.0]})
    np.testing.assert_allclose(entropy_weights(raw), entropy_weights(filled))
    # for lower-is-better the worst value is the maximum
    low = entropy_weights(pd.DataFrame({"a": [0.0, np.nan, 2.0], "b": [1.0, 2.0, 4.0]}),
                          higher_is_better={"a": False})
    low_filled = entropy_weights(pd.DataFrame({"a": [0.0, 2.0, 2.0], "b": [1.0, 2.0, 4.0]}),
                                 higher_is_better={"a": False})
    np.testing.assert_allclose(low, low_filled)
    with pytest.raises(WeightsError, match="unknown indicator"):
        entropy_weights(raw, higher_is_better={"zzz": True})


def test_critic_hand_computed():
    # raw A [10,20,30] (higher), B [5,15,10] (lower), C [2,2,8] (higher)
    # min-max: A = [0, .5, 1], B = (15 - x)/10 = [1, 0, .5], C = [0, 0, 1]
    # sigma (ddof 0): A = B = sqrt(1/6) = 0.408248, C = sqrt(2/9) = 0.471405
    # r_AB = (-1/12)/(1/6) = -0.5; r_AC = (1/6)/sqrt(1/6 * 2/9) = sqrt(27)/6 = 0.866025; r_BC = 0
    # C_A = 0.408248 * ((1 + 0.5) + (1 - 0.866025)) = 0.408248 * 1.633975 = 0.667065
    # C_B = 0.408248 * ((1 + 0.5) + 1)                = 0.408248 * 2.5      = 1.020621
    # C_C = 0.471405 * ((1 - 0.866025) + 1)           = 0.471405 * 1.133975 = 0.534562
    # sum 2.222248 -> w = [0.300176, 0.459274, 0.240549]
    w = critic_weights([[10, 5, 2], [20, 15, 2], [30, 10, 8]], [True, False, True])
    np.testing.assert_allclose(w, [0.300176, 0.459274, 0.240549], atol=2e-6)
    s_ab, s_c, r_ac = math.sqrt(1 / 6), math.sqrt(2 / 9), math.sqrt(27) / 6
    c = np.array([s_ab * (1.5 + 1 - r_ac), s_ab * 2.5, s_c * (1 - r_ac + 1)])
    np.testing.assert_allclose(w, c / c.sum(), rtol=1e-12)


def test_critic_constant_column_is_zero_and_counts_as_uncorrelated():
    base = np.array([[10, 5], [20, 15], [30, 10.0]])
    with_const = np.column_stack([base, [4, 4, 4]])
    w = critic_weights(with_const, [True, False, True])
    assert w[2] == 0 and w.sum() == pytest.approx(1)
    # r with the constant column is 0, so each other column gains sigma_j * 1
    s = math.sqrt(1 / 6)
    c = np.array([s * (1.5 + 1), s * (1.5 + 1)])
    np.testing.assert_allclose(w[:2], c / c.sum())
    assert np.allclose(critic_weights(np.ones((3, 2))), 0.5)


def test_combine():
    s, o = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.2, 0.6])
    np.testing.assert_allclose(combine(s, o, 1), s)
    np.testing.assert_allclose(combine(s, o, 0), o)
    np.testing.assert_allclose(combine(s, o, 0.5), [0.35, 0.25, 0.4])
    np.testing.assert_allclose(combine([2, 1, 1], [1, 1, 2], 1), [0.5, 0.25, 0.25])  # renormalised
    with pytest.raises(WeightsError, match=r"alpha must be in \[0, 1\]; got 1.5"):
        combine(s, o, 1.5)
    with pytest.raises(WeightsError, match="3 weights but objective has 2"):
        combine(s, o[:2], 0.5)
    ss = pd.Series([0.5, 0.5], index=["a", "b"])
    oo = pd.Series([1.0, 0.0], index=["b", "a"])
    np.testing.assert_allclose(combine(ss, oo, 0.5), [0.25, 0.75])


# --------------------------------------------------------------------------------------------
# Needs
# --------------------------------------------------------------------------------------------

@pytest.fixture
def needs():
    # category a: 2 needs, urgency 5 and 3, households 10 and 20
    # category b: 1 need, urgency 4, households 5;  category c: 1 need, urgency 1, households 5
    return pd.DataFrame({
        "need_id": ["N1", "N2", "N3", "N4"],
        "station_id": ["S1", "S2", "S1", "S2"],
        "category": ["a", "a", "b", "c"],
        "urgency": [5, 3, 4, 1],
        "households_affected": [10, 20, 5, 5],
    })


def test_needs_scores_prevalence_urgency_by_hand(needs):
    # prevalence a = 2/4, b = c = 1/4; mean urgency a = 4, b = 4, c = 1
    # score a = .5 * 4 = 2, b = .25 * 4 = 1, c = .25 * 1 = .25; total 3.25
    out = needs_scores(needs)
    assert list(out.columns) == ["category", "n_needs", "prevalence", "households", "mean_urgency",
                                 "score", "share"]
    assert list(out["category"]) == ["a", "b", "c"]
    np.testing.assert_allclose(out["score"], [2, 1, 0.25])
    np.testing.assert_allclose(out["share"], [8 / 13, 4 / 13, 1 / 13])
    assert list(out["n_needs"]) == [2, 1, 1] and list(out["households"]) == [30, 5, 5]


def test_needs_scores_hanlon_by_hand(needs):
    # A = 10 * households share: a = 10 * 30/40 = 7.5, b = c = 10 * 5/40 = 1.25
    # B = (mean urgency - 1)/4 * 20: a = b = 15, c = 0;  C = 1
    # score a = 22.5, b = 16.25, c = 1.25; total 40
    out = needs_scores(needs, "hanlon")
    np.testing.assert_allclose(out["score"], [22.5, 16.25, 1.25])
    np.testing.assert_allclose(out["share"], [0.5625, 0.40625, 0.03125])
    eff = needs_scores(needs, "hanlon", effectiveness={"c": 2})
    assert eff.set_index("category").loc["c", "score"] == pytest.approx(2.5)


def test_needs_scores_errors(needs):
    with pytest.raises(WeightsError, match="missing column"):
        needs_scores(needs.drop(columns="urgency"))
    bad = needs.copy()
    bad.loc[2, "urgency"] = 7
    with pytest.raises(WeightsError, match="urgency must be 1-5; need N3 has 7"):
        needs_scores(bad)
    with pytest.raises(WeightsError, match="no needs recorded"):
        needs_scores(needs.iloc[0:0])
    with pytest.raises(WeightsError, match="unknown needs method"):
        needs_scores(needs, "votes")


def test_needs_weights_unlinked_rule_by_hand(needs):
    scores = needs_scores(needs)          # shares a 8/13, b 4/13, c 1/13
    links = {"visits": ["a"], "cases": ["a", "b", "yyy"], "satisfaction": [], "library": ["zzz"]}
    w, deriv = needs_weights(scores, links)
    # a is split between visits and cases (4/13 each); b goes to cases (4/13);
    # c has no specific indicator, so the general indicator takes it (1/13); library: 0
    np.testing.assert_allclose(w[["visits", "cases", "satisfaction", "library"]],
                               [4 / 13, 8 / 13, 1 / 13, 0])
    assert w.sum() == pytest.approx(1)
    assert list(w.index) == list(links)
    assert list(deriv.columns) == ["indicator", "category", "category_share", "split",
                                   "contribution", "normalised", "note"]
    row = deriv[(deriv.indicator == "cases") & (deriv.category == "a")].iloc[0]
    assert row.split == 2 and row.contribution == pytest.approx(4 / 13)
    assert "not in the needs data" in deriv[deriv.indicator == "library"].iloc[0].note
    assert "not in the needs data" in deriv[deriv.category == "yyy"].iloc[0].note
    assert deriv.groupby("indicator")["normalised"].sum().reindex(w.index).to_numpy() == \
        pytest.approx(w.to_numpy())


def test_needs_weights_general_all_and_unserved(needs):
    scores = needs_scores(needs)
    links = {"visits": ["a"], "cases": ["a", "b"], "satisfaction": []}
    w, _ = needs_weights(scores, links, general="all")
    # a: 3 ways (8/39 each); b: cases + satisfaction (2/13 each); c: satisfaction (1/13)
    np.testing.assert_allclose(w, [8 / 39, 14 / 39, 17 / 39])
    # nobody serves c and there is no general indicator: renormalise over a and b
    w2, d2 = needs_weights(scores, {"visits": ["a"], "cases": ["b"]})
    np.testing.assert_allclose(w2, [2 / 3, 1 / 3])
    assert "no indicator serves this category" in d2[d2.category == "c"].iloc[0].note
    # every category has a specific indicator: the general one gets 0 and the table says why
    w3, d3 = needs_weights(scores, {"x": ["a", "b", "c"], "g": []})
    assert w3["g"] == 0 and w3["x"] == pytest.approx(1)
    assert "already has a specific indicator" in d3[d3.indicator == "g"].iloc[0].note
    with pytest.raises(WeightsError, match="no indicator is linked"):
        needs_weights(scores, {"x": ["zzz"]})
