"""Data treatment (imputation, Winsorisation, log) by hand, against COINr's documented rules, and in the engine."""
import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.scheme.model import Dimension, Indicator, Measure, Normalisation, Scheme, Treatment, dump_yaml, load_yaml
from indicators.scheme import catalog
from indicators.scoring.engine import score_raw
from indicators.scoring.treatment import (
    TreatmentError, impute_mean, kurtosis, log_ct, passes, skew, treat, treat_outliers, winsorise)

M = Measure("count", table="activities")
# Overflow or 0/0 inside the statistics is a defect here, not noise: a warning fails the test.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def test_skew_and_kurtosis_do_not_overflow_on_huge_or_tiny_values():
    base = [1, 2, 3, 10]
    for scale in (1e-300, 1, 1e300):
        assert skew([v * scale for v in base]) == pytest.approx(1.7636326, rel=1e-6)    # Excel SKEW(1,2,3,10)
        assert kurtosis([v * scale for v in base]) == pytest.approx(3.228, rel=1e-6)   # Excel KURT(1,2,3,10)
    assert math.isnan(skew([1e308, 1e308, 1e308]))   # no spread


def ind(iid, missing="median", method="minmax", **kw):
    return Indicator(iid, iid, iid, "needs", M, missing=missing, normalisation=Normalisation(method, **kw))


def scheme(*inds, treatment=Treatment()):
    return Scheme("t", "t", "t", (Dimension("d", "d", "d", tuple(inds)),), treatment=treatment)


def stations(districts):
    ids = [f"S{k}" for k in range(len(districts))]
    return pd.DataFrame({"name": ids, "name_en": ids, "district": districts, "population": 1000},
                        index=pd.Index(ids, name="station_id"))


# ---------------------------------------------------------------- skew and kurtosis, COINr's definitions

def test_skew_and_kurtosis_by_hand():
    # x = 0,0,0,1: mean 1/4; sum d^2 = 3/4, sum d^3 = 3/8, sum d^4 = 21/64
    # G1 = sqrt(4) (3/8) / (3/4)^1.5 * sqrt(4*3) / 2 = 2;  r = 4 (21/64) / (9/16) = 7/3,
    # G2 = ((5)(7/3 - 3) + 6) * 3 / (2 * 1) = 4
    assert skew([0, 0, 0, 1]) == pytest.approx(2.0)
    assert kurtosis([0, 0, 0, 1]) == pytest.approx(4.0)
    # the same as scipy's bias-corrected estimators (e1071 type 2, Excel SKEW/KURT), on COINr's vignette data
    x = np.array([*range(1, 11), 30, 100], float)
    assert skew(x) == pytest.approx(scipy.stats.skew(x, bias=False))
    assert kurtosis(x) == pytest.approx(scipy.stats.kurtosis(x, fisher=True, bias=False))
    assert math.isnan(skew([1, 2])) and math.isnan(kurtosis([1, 2, 3])) and math.isnan(skew([5, 5, 5, 5]))


def test_pass_rule_is_either_limit():
    # COINr's check_SkewKurt passes when |skew| < 2 OR kurtosis < 3.5: only both over the limits fails
    x = np.array([*range(1, 11), 30, 100], float)   # skew 3.06, kurtosis 9.74
    assert not passes(x)
    assert passes(x, skew_max=3.1)
    assert passes(x, kurt_max=10)


# ---------------------------------------------------------------- Winsorisation and log, by hand

def test_winsorise_moves_the_highest_point_to_the_next_until_it_passes():
    x = np.array([*range(1, 11), 30, 100], float)
    w, changed, ok = winsorise(x)
    assert list(w) == [*range(1, 11), 30, 30]    # 100 -> 30, then skew 1.71 passes
    assert list(np.flatnonzero(changed)) == [11] and ok


def test_winsorise_low_outliers_when_skew_is_negative():
    x = -np.array([*range(1, 11), 30, 100], float)
    w, changed, ok = winsorise(x)
    assert w[11] == -30 and changed.sum() == 1 and ok


def test_log_when_winsorising_up_to_winmax_is_not_enough():
    x = np.array([0] * 9 + [1], float)           # skew 3.16, kurtosis 10: fails
    out = treat_outliers(x, winmax=0)
    assert out.step == "log"
    assert np.allclose(out.values, [math.log(0.01)] * 9 + [math.log(1.01)])   # log(x - 0 + 0.01 * (1 - 0))
    assert not out.passes_after                   # two values only: no transform can fix that, and it says so
    assert treat_outliers(x).step == "winsorise"  # with 5 points allowed, one is enough (all values then equal)
    assert np.allclose(log_ct([2, 4, 12]), np.log([0.1, 2.1, 10.1]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=4, max_size=30))
def test_treatment_keeps_the_order(values):
    x = np.array(values)
    out = treat_outliers(x)
    y = out.values
    # neither Winsorising nor log_CT ever reverses two stations: a better raw value is never treated as worse
    for i in range(len(x)):
        for j in range(len(x)):
            if x[i] < x[j]:
                assert y[i] <= y[j] + 1e-12
    assert out.changed.sum() <= len(x)


# ---------------------------------------------------------------- imputation

def test_group_mean_matches_coinr_i_mean_grp():
    # COINr's i_mean_grp: a gap takes the arithmetic mean of the non-missing values of its own group
    x = [np.nan, 1, 2, 3, np.nan, 10, 20]
    f = ["a", "a", "a", "a", "b", "b", "b"]
    filled, how = impute_mean(x, f)
    assert list(filled) == [2, 1, 2, 3, 15, 10, 20]
    assert how == ["group_mean", "", "", "", "group_mean", "", ""]


def test_group_with_no_data_falls_back_to_the_overall_mean_and_says_so():
    # COINr would leave station 5 missing (its group c has no data); here it gets the overall mean 7.2
    filled, how = impute_mean([np.nan, 1, 2, 3, 10, 20, np.nan, np.nan], ["a", "a", "a", "a", "b", "b", "c", None])
    assert filled[6] == pytest.approx(7.2) and how[6] == "fallback_empty_group"
    assert filled[7] == pytest.approx(7.2) and how[7] == "fallback_no_group"
    assert filled[0] == 2


def test_plain_mean_and_all_missing():
    filled, how = impute_mean([np.nan, 2, 4])
    assert list(filled) == [3, 2, 4] and how[0] == "mean"
    filled, how = impute_mean([np.nan, np.nan])
    assert np.isnan(filled).all() and how == ["none", "none"]


# ---------------------------------------------------------------- the stage in the engine

def test_group_mean_in_the_engine_is_a_stage_with_a_log():
    raw = pd.DataFrame({"x": [np.nan, 0, 10, 4], "y": [1, 2, 3, 4]}, index=stations(list("aabb")).index)
    r = score_raw(scheme(ind("x", missing="group_mean"), ind("y")), raw, stations(list("aabb")))
    assert list(r.treated["x"]) == [0, 0, 10, 4]          # the district-a mean of the stations with data
    assert np.isnan(r.raw.at["S0", "x"])                   # raw stays as recorded
    assert list(r.normalised["x"]) == [0, 0, 100, 40]
    assert list(r.missing["x"]) == [True, False, False, False]
    log = r.treatment
    assert len(log) == 1
    row = log.iloc[0]
    assert (row.station_id, row.indicator, row.step, row.after) == ("S0", "x", "impute", 0)
    assert "district a" in row.why_en and "区" in row.why_zh
    assert r.reweighted(indicator_weights={"x": 3}).treatment is log   # re-weighting keeps the stage


def test_winsorise_in_the_engine_changes_only_minmax_indicators():
    values = [*range(1, 11), 30, 100]
    sts = stations(["a"] * 12)
    raw = pd.DataFrame({"x": values, "g": values}, index=sts.index, dtype=float)
    sch = scheme(ind("x"), ind("g", method="goalposts", low=0, high=100), treatment=Treatment(outliers="winsorise"))
    r = score_raw(sch, raw, sts)
    assert r.treated.at["S11", "x"] == 30 and r.treated.at["S11", "g"] == 100
    assert r.normalised.at["S11", "x"] == 100 and r.normalised.at["S10", "x"] == 100   # tied after treatment
    assert r.normalised.at["S9", "x"] == pytest.approx((10 - 1) / (30 - 1) * 100)
    assert list(r.treatment["station_id"]) == ["S11"] and r.treatment.iloc[0].step == "winsorise"
    assert not r.missing.any().any()


def test_default_scheme_is_scored_exactly_as_before():
    raw = pd.DataFrame({"x": [np.nan, 0, 10, 400], "y": [1, 2, 3, 4]}, index=stations(list("aabb")).index)
    r = score_raw(scheme(ind("x"), ind("y")), raw, stations(list("aabb")))
    assert r.treated is r.raw                               # the values scored are the raw ones
    assert list(r.normalised["x"]) == [2.5, 0, 2.5, 100]   # the old median rule on normalised values
    # the median fill is logged as mean and group mean are: a score of 2.5 of 100, the median of 0, 2.5, 100
    assert r.treatment[["station_id", "indicator", "step", "after", "rule"]].values.tolist() == [
        ["S0", "x", "impute", 2.5, "median"]]
    assert "median score" in r.treatment.iloc[0].why_en and "中位数" in r.treatment.iloc[0].why_zh
    clean = pd.DataFrame({"x": [1.0, 2, 3, 4]}, index=raw.index)
    assert score_raw(scheme(ind("x")), clean, stations(list("aabb"))).treatment.empty   # nothing filled, no row


@pytest.mark.parametrize("rule, after, score", [
    # x = gap, 0, 10, 40: min-max gives 0, 25, 100 to the stations with data
    ("mean", 50 / 3, 50 / 3 / 40 * 100),   # raw mean (0 + 10 + 40) / 3, then normalised
    ("group_mean", 0, 0),                  # the mean of district a's stations with data: S1's 0
    ("median", 25, 25),                    # a score: the median of 0, 25, 100
    ("worst", 0, 0),                       # a score: the worst
    ("zero", 0, 0),                        # a raw 0, which min-max then scores 0
])
def test_every_missing_rule_is_logged_the_same_way(rule, after, score):
    sts = stations(list("aabb"))
    raw = pd.DataFrame({"x": [np.nan, 0, 10, 40]}, index=sts.index)
    r = score_raw(scheme(ind("x", missing=rule)), raw, sts)
    log = r.treatment
    assert len(log) == 1
    row = log.iloc[0]
    assert (row.station_id, row.indicator, row.step, row.rule) == ("S0", "x", "impute", rule)
    assert np.isnan(row.before) and row.after == pytest.approx(after)
    assert r.normalised.at["S0", "x"] == pytest.approx(score)
    assert row.why_en.startswith("no data") and row.why_zh.startswith("无数据")


def test_a_rule_with_nothing_to_average_is_logged_as_the_neutral_score():
    sts = stations(list("ab"))
    raw = pd.DataFrame({"x": [np.nan, np.nan]}, index=sts.index)
    for rule in ("mean", "median"):
        log = score_raw(scheme(ind("x", missing=rule)), raw, sts).treatment
        assert list(log["rule"]) == ["none", "none"] and list(log["after"]) == [50, 50]
    log = score_raw(scheme(ind("x", missing="worst")), raw, sts).treatment
    assert list(log["rule"]) == ["worst", "worst"] and list(log["after"]) == [0, 0]


def test_unknown_group_column_is_bad_input():
    raw = pd.DataFrame({"x": [np.nan, 1.0]}, index=stations(["a", "b"]).index)
    sch = scheme(ind("x", missing="group_mean"), treatment=Treatment(group="ward"))
    with pytest.raises(TreatmentError, match="treatment.group: 'ward'"):
        treat(raw, sch, stations(["a", "b"]))


def test_treatment_block_in_yaml_round_trips_and_builtins_stay_unchanged():
    base = dump_yaml(catalog.builtin("photo-count"))
    assert "treatment" not in base
    text = base + "treatment:\n  group: street\n  outliers: winsorise\n  winmax: 3\n"
    s = load_yaml(text)
    assert s.treatment == Treatment(group="street", outliers="winsorise", winmax=3)
    assert load_yaml(dump_yaml(s)) == s


@pytest.mark.parametrize("block, field", [
    ("  outliers: trim\n", "treatment.outliers"),
    ("  winmax: 2.5\n", "treatment.winmax"),
    ("  skew: 0\n", "treatment.skew"),
    ("  colour: red\n", "treatment.colour"),
])
def test_bad_treatment_settings_name_the_field(block, field):
    from indicators.scheme.model import SchemeError
    text = dump_yaml(catalog.builtin("photo-count")) + "treatment:\n" + block
    with pytest.raises(SchemeError) as err:
        load_yaml(text, "x.yaml")
    assert err.value.field == field
