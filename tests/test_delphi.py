"""Delphi rounds: the statistics against values computed by hand, and a study of two rounds with three experts
on a tiny database (answers hidden until the round closes, flags, the anonymous distribution, the scheme draft)."""
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.live.delphi import (BASES, DelphiError, DelphiStore, authority, flags, indicator_stats, kendall_w)
from indicators.scheme import catalog
from indicators.scheme.model import load_yaml
from tests.conftest import station

# 3 experts x 4 indicators (importance). By hand, ranks within each expert (ties share the average rank):
#   E1 5 4 4 3 -> 4   2.5 2.5 1     ties: one pair, t^3 - t = 6
#   E2 5 5 4 2 -> 3.5 3.5 2   1     6
#   E3 4 5 3 3 -> 3   4   1.5 1.5   6
# R = 10.5, 10, 6, 3.5 (mean 7.5); S = 3^2 + 2.5^2 + 1.5^2 + 4^2 = 33.5
# W = 12 S / (m^2 (n^3 - n) - m T) = 402 / (9 * 60 - 3 * 18) = 402 / 486 = 0.827160...
# (without the tie correction 402 / 540 = 0.7444); chi2 = m (n - 1) W = 9 * 402 / 486 = 7.444..., df 3.
SCORES = [[5, 4, 4, 3], [5, 5, 4, 2], [4, 5, 3, 3]]


def test_kendall_w_with_tie_correction_by_hand():
    k = kendall_w(SCORES)
    assert k["s"] == pytest.approx(33.5) and k["ties"] == 18
    assert k["w"] == pytest.approx(402 / 486)
    assert k["chi2"] == pytest.approx(9 * 402 / 486) and k["df"] == 3
    # chi-square survival with 3 df: exp(-x/2) (1 + x/2) ... closed form for odd df via erfc
    x = 9 * 402 / 486
    p = math.erfc(math.sqrt(x / 2)) + math.sqrt(2 * x / math.pi) * math.exp(-x / 2)
    assert k["p"] == pytest.approx(p)


def test_kendall_w_is_one_when_experts_rank_alike_and_zero_when_they_cancel():
    assert kendall_w([[1, 2, 3, 4], [2, 3, 4, 5], [1, 3, 4, 5]])["w"] == pytest.approx(1.0)
    assert kendall_w([[1, 2, 3], [3, 2, 1]])["w"] == pytest.approx(0.0)
    with pytest.raises(DelphiError):
        kendall_w([[1, 2, 3]])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(1, 5), min_size=5, max_size=5), min_size=2, max_size=6))
def test_kendall_w_lies_between_0_and_1(rows):
    w = kendall_w(rows)["w"]
    assert -1e-12 <= w <= 1 + 1e-12


def test_indicator_stats_by_hand():
    s = indicator_stats(pd.DataFrame(SCORES, columns=list("abcd")))
    # a: 5 5 4 -> mean 14/3, sd sqrt(1/3) (sample), cv sqrt(1/3) / (14/3), full 2/3
    assert s.at["a", "mean"] == pytest.approx(14 / 3)
    assert s.at["a", "sd"] == pytest.approx(math.sqrt(1 / 3))
    assert s.at["a", "cv"] == pytest.approx(math.sqrt(1 / 3) / (14 / 3))
    assert s.at["a", "full"] == pytest.approx(2 / 3)
    # d: 3 2 3 -> mean 8/3, sd sqrt(1/3), no 5
    assert s.at["d", "mean"] == pytest.approx(8 / 3) and s.at["d", "full"] == 0
    assert [s.at["d", f"n{v}"] for v in range(1, 6)] == [0, 1, 2, 0, 0]


def test_authority_uses_the_published_tables():
    # practice high 0.5 + theory medium 0.2 + peers low 0.1 + intuition low 0.1 = 0.9; familiar 0.8
    a = authority("familiar", {"practice": "high", "theory": "medium", "peers": "low", "intuition": "low"})
    assert (a["ca"], a["cs"], a["cr"]) == (pytest.approx(0.9), 0.8, pytest.approx(0.85))
    top = authority("very", dict.fromkeys(BASES, "high"))
    low = authority("not", dict.fromkeys(BASES, "low"))
    assert (top["ca"], top["cr"]) == (pytest.approx(1.0), pytest.approx(1.0))
    assert (low["ca"], low["cs"], low["cr"]) == (pytest.approx(0.6), 0.2, pytest.approx(0.4))
    with pytest.raises(DelphiError):
        authority("familiar", {"practice": "high"})


def test_flags_name_each_threshold_crossed():
    imp = pd.DataFrame({"mean": [4.5, 3.0, 4.0], "cv": [0.1, 0.1, 0.3]}, index=list("abc"))
    fea = pd.DataFrame({"mean": [3.0, 4.0, 4.0]}, index=list("abc"))
    assert flags(imp, fea).to_dict() == {"a": ("feasibility",), "b": ("mean",), "c": ("cv",)}
    assert flags(imp, fea, {"cv_max": 0.35, "feasibility_min": 2.5}).to_dict() == {"a": (), "b": ("mean",), "c": ()}


# ---------------------------------------------------------------- a study on a tiny database

BASIS = {"practice": "high", "theory": "medium", "peers": "low", "intuition": "low"}


@pytest.fixture
def db(tiny):
    return tiny({"stations": [station("S1"), station("S2")]})


def test_two_rounds_three_experts_to_a_saved_draft(db):
    ds = DelphiStore(db)
    scheme = catalog.builtin("needs-met")
    cands = [i.id for i in scheme.indicators][:4]
    study = ds.create(scheme, cands, "社工站指标遴选")
    e = [ds.join(study.code, n) for n in ("专家甲", "专家乙", "专家丙")]
    # round 1: cands[3] gets low importance (mean 2.33 < 3.5) -> flagged; cands[2] splits the experts (cv)
    r1 = {0: [(5, 5), (5, 4), (4, 4), (2, 4)], 1: [(5, 4), (4, 4), (2, 4), (3, 3)], 2: [(4, 5), (5, 5), (5, 4), (2, 4)]}
    for n, who in enumerate(e):
        ds.submit(study.code, who.token, dict(zip(cands, r1[n])), "familiar", BASIS)
    st0 = ds.status(study.code)
    assert st0["n_answers"] == 3 and st0["distribution"] == {}           # nothing shown while open
    ds.close_round(study.code, study.key)
    with pytest.raises(DelphiError):
        ds.submit(study.code, e[0].token, dict(zip(cands, r1[0])), "familiar", BASIS)
    res = ds.round_result(study.code, study.key)
    imp = res["importance"]
    assert imp.at[cands[0], "mean"] == pytest.approx(14 / 3)
    assert imp.at[cands[3], "mean"] == pytest.approx(7 / 3)
    # cands[2]: 4 2 5 -> mean 11/3, sd sqrt(7/3), cv 0.4166 > 0.25
    assert imp.at[cands[2], "cv"] == pytest.approx(math.sqrt(7 / 3) / (11 / 3))
    assert res["flagged"] == [cands[2], cands[3]]
    assert res["flags"][cands[3]] == ("mean",)          # 2 3 2: cv 0.247, just inside 0.25
    assert res["cr"] == pytest.approx(0.85) and res["n_experts"] == 3
    assert res["kendall"]["w"] == pytest.approx(kendall_w([[5, 5, 4, 2], [5, 4, 2, 3], [4, 5, 5, 2]])["w"])
    dist = ds.status(study.code)["distribution"][1]
    assert dist[cands[3]]["counts"] == [0, 2, 1, 0, 0] and dist[cands[0]]["full"] == pytest.approx(2 / 3)
    # round 2: the facilitator drops only cands[3]; experts see round 1's distribution
    with pytest.raises(DelphiError) as why:                               # cands[2] is flagged: keeping it needs a reason
        ds.next_round(study.code, study.key, drop=[cands[3]])
    assert why.value.reason == "reason_needed" and ds.status(study.code)["round"] == 1
    assert ds.next_round(study.code, study.key, drop=[cands[3]], reasons={cands[2]: "核心职能"}) == 2
    st2 = ds.status(study.code)
    assert [c["id"] for c in st2["candidates"]] == cands[:3] and 1 in st2["distribution"]
    r2 = {0: [(5, 5), (5, 4), (4, 4)], 1: [(5, 4), (4, 4), (4, 4)], 2: [(5, 5), (5, 5), (4, 4)]}
    for n, who in enumerate(e):
        with pytest.raises(DelphiError):                                  # cands[3] is no longer asked
            ds.submit(study.code, who.token, dict(zip(cands, r2[n] + [(5, 5)])), "very", BASIS)
        ds.submit(study.code, who.token, dict(zip(cands, r2[n])), "very", BASIS)
    ds.close_round(study.code, study.key)
    res2 = ds.round_result(study.code, study.key)
    assert res2["flagged"] == [] and res2["cr"] == pytest.approx((0.9 + 1.0) / 2)
    draft = ds.draft(study.code, study.key, "needs-met-delphi")
    assert [i.id for i in draft.indicators] == cands[:3]
    zh, en = draft.provenance.note.split("\n")                           # the provenance in both languages
    assert "德尔菲专家咨询" in zh and "肯德尔协调系数" in zh and "被标记1次（第1轮），经主持人决定保留，理由：核心职能" in zh
    assert "Delphi consultation" in en and "Kendall's W" in en and "flagged 1 time(s) (round 1)" in en
    catalog.save(db, draft, saved_by=f"delphi {study.code}")
    saved, _ = catalog.resolve("needs-met-delphi", db)
    assert [i.id for i in saved.indicators] == cands[:3]
    assert load_yaml(db.execute("SELECT yaml FROM schemes").fetchall()[0][0]).id == "needs-met-delphi"


def test_bad_answers_are_refused_and_nothing_is_stored(db):
    ds = DelphiStore(db)
    scheme = catalog.builtin("needs-met")
    cands = [i.id for i in scheme.indicators][:3]
    study = ds.create(scheme, cands)
    ex = ds.join(study.code, "专家甲")
    for answers, fam, basis in (({cands[0]: (6, 3), cands[1]: (3, 3), cands[2]: (3, 3)}, "very", BASIS),
                                ({cands[0]: (3, 3), cands[1]: (3, 3)}, "very", BASIS),
                                ({c: (3, 3) for c in cands}, "expert", BASIS),
                                ({c: (3, 3) for c in cands}, "very", {"practice": "high"}),
                                ({c: ("x", 3) for c in cands}, "very", BASIS)):
        with pytest.raises(DelphiError) as bad:
            ds.submit(study.code, ex.token, answers, fam, basis)
        assert bad.value.reason == "bad_answer"
    assert db.execute("SELECT count(*) FROM delphi_answers").fetchall()[0][0] == 0
    with pytest.raises(DelphiError) as few:
        ds.close_round(study.code, study.key)
    assert few.value.reason == "too_few"
    with pytest.raises(DelphiError) as key:
        ds.round_result(study.code, "wrong")
    assert key.value.reason == "wrong_key"
    with pytest.raises(DelphiError):
        ds.create(scheme, ["nope", cands[0]])
    with pytest.raises(DelphiError):
        ds.create(scheme, cands, thresholds={"mean_min": -1})
