"""The projected workshop screen follows the phones' rule: no aggregate of fewer than min_group people."""
import pandas as pd
import pytest

from indicators.live.workshop import OTHER, aggregate
from tests.test_workshop import HAND, crowd, run, store  # noqa: F401  (store is a fixture)


def test_a_group_of_one_is_pooled_and_the_overall_is_unchanged(store):
    # HAND: residents 2, social workers 1, civil affairs 1: every group is small; pooled they are 4 people.
    w, _ = run(store, HAND)
    full = store.result(w.code, w.facilitator_key)
    assert full.by_group["social_workers"]["c"] == pytest.approx(0.6)        # one person's exact weight ...
    shared = full.shared(3)
    assert list(shared.by_group) == [OTHER]                                 # ... never on the shared screen
    assert shared.n_by_group[OTHER] == 4 and shared.participants.empty
    pd.testing.assert_series_equal(shared.weights, full.weights)
    pooled = aggregate(full.participants.drop(columns="group"), pd.Series(["x"] * 4, index=full.participants.index))
    pd.testing.assert_series_equal(shared.by_group[OTHER], pooled["by_group"]["x"], check_names=False)
    assert "min" not in shared.dispersion and shared.dispersion["cv"].notna().all()   # 4 > 3: cv may show


@pytest.mark.parametrize("counts, shown", [
    # the lone social worker cannot be pooled (a pool of 1), and overall minus the shown groups would give them
    # away, so the smallest shown group goes too: the phones' rule
    ({"residents": 4, "evaluators": 3, "social_workers": 1}, ["residents"]),
    ({"residents": 3, "social_workers": 1, "civil_affairs": 2}, ["residents", OTHER]),         # 1 + 2 pooled
    ({"residents": 3, "social_workers": 1, "civil_affairs": 1}, []),      # a pool of 2: withheld, and so residents
])
def test_shared_groups_each_rest_on_at_least_three_people(store, counts, shown):
    w, _ = run(store, crowd(counts))
    res = store.result(w.code, w.facilitator_key).shared(3)
    assert sorted(res.by_group) == sorted(shown)
    assert all(res.n_by_group[g] >= 3 for g in res.by_group)
    assert set(res.difference.columns) == set(shown)
    assert all(set(p) <= set(shown) for col in ("up", "down") for p in res.pulls[col])
