"""Kendall's tau between two schemes' rankings is pinned: on a hand-made ranking with ties (tau-b, not tau-a, not
Spearman's rho) and on the demo against an independent count of concordant and discordant pairs."""
import math
from itertools import combinations
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from indicators.analysis.compare import compare
from indicators.records import store as records
from indicators.scheme import catalog
from indicators.scoring.engine import score


def fake_result(ranks: list[int]):
    """Just what compare() reads from a score result: stations, contributions, total, rank."""
    ids = [f"S{n}" for n in range(1, len(ranks) + 1)]
    idx = pd.Index(ids, name="station_id")
    total = pd.Series([100.0 - 10 * r for r in ranks], index=idx)
    return SimpleNamespace(stations=pd.DataFrame({"name": ids, "name_en": ids}, index=idx),
                           contributions=pd.DataFrame({"x": total}), total=total,
                           rank=pd.Series(ranks, index=idx, name="rank"))


def pairwise_tau_b(a, b) -> float:
    """Counted pair by pair: (C - D) / sqrt((C + D + ties in b only) (C + D + ties in a only))."""
    c = d = tie_a = tie_b = 0
    for i, j in combinations(range(len(a)), 2):
        da, db = np.sign(a[i] - a[j]), np.sign(b[i] - b[j])
        if da == 0 and db == 0:
            continue
        if da == 0:
            tie_a += 1
        elif db == 0:
            tie_b += 1
        elif da == db:
            c += 1
        else:
            d += 1
    return (c - d) / math.sqrt((c + d + tie_b) * (c + d + tie_a))


def test_tau_b_by_hand_with_ties_on_both_sides():
    # A: S2 and S3 tie; B: S3 and S4 tie; S1 and S2 swap.
    # Of the 10 pairs: (S1,S2) discordant; (S2,S3) tied in A only; (S3,S4) tied in B only; the other 7 concordant.
    # tau-b = (7 - 1) / sqrt((10 - 1) * (10 - 1)) = 6/9; tau-a would be 6/10; Spearman's rho on average ranks is 7.25 / 9.5 = 29/38.
    cmp = compare(fake_result([1, 2, 2, 4, 5]), fake_result([2, 1, 3, 3, 5]))
    assert cmp.kendall_tau == pytest.approx(2 / 3, abs=1e-12)
    assert cmp.spearman_rho == pytest.approx(29 / 38, abs=1e-12)
    assert pairwise_tau_b([1, 2, 2, 4, 5], [2, 1, 3, 3, 5]) == pytest.approx(2 / 3)


@pytest.mark.parametrize("a,b,tau", [
    ([1, 2, 3, 4], [1, 2, 3, 4], 1.0),
    ([1, 2, 3, 4], [4, 3, 2, 1], -1.0),
    ([1, 2, 3, 4], [2, 1, 4, 3], 1 / 3),                 # 4 concordant, 2 discordant, no ties
    ([1, 1, 3, 4], [1, 2, 3, 4], 5 / math.sqrt(30)),     # one tie in A: 5 / sqrt(5 * 6)
])
def test_tau_on_small_rankings(a, b, tau):
    assert compare(fake_result(a), fake_result(b)).kendall_tau == pytest.approx(tau, abs=1e-12)


def test_demo_tau_matches_a_pairwise_count(demo_db):
    con = records.connect(demo_db, read_only=True)
    try:
        photo, needs = score(con, catalog.builtin("photo-count")), score(con, catalog.builtin("needs-met"))
    finally:
        con.close()
    cmp = compare(photo, needs)
    a, b = photo.rank.to_numpy(), needs.rank.loc[photo.rank.index].to_numpy()
    assert cmp.kendall_tau == pytest.approx(pairwise_tau_b(a, b), abs=1e-12)
    assert abs(cmp.kendall_tau - cmp.spearman_rho) > 0.01    # so that a rho in tau's place would show
