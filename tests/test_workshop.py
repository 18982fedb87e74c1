"""The weighting workshop: many phones at once, aggregation by hand, who may do what, and the scheme it yields."""
import concurrent.futures as cf
import math
import threading

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.scheme import catalog

from indicators.records import store as records
from indicators.scheme.model import Dimension, Indicator, Measure, Scheme
from indicators.scoring.engine import check, effective_weights, score
from indicators.live.workshop import (CODE_ALPHABET, FLOOR, GROUPS, WorkshopError, WorkshopStore, aggregate,
                                 check_weights, normalise_weights, rankings)
from tests.conftest import make_db, station


def ind(iid, measure):
    return Indicator(iid, f"指标{iid}", f"Indicator {iid}", "needs", measure)


# Three one-indicator dimensions a, b, c over records a tiny database can hold.
SCHEME = Scheme("tiny", "小方案", "Tiny scheme", (
    Dimension("a", "活动", "Activities", (ind("events", Measure("count", table="activities")),), weight=1),
    Dimension("b", "照片", "Photos", (ind("photos", Measure("sum", table="activities", column="photos")),), weight=1),
    Dimension("c", "个案", "Case work", (ind("cases", Measure("count", table="activities", filter="kind = 'case'")),
                                         ind("groups", Measure("count", table="activities",
                                                               filter="kind = 'group'"))), weight=1),
))


@pytest.fixture
def store():
    """A store on its own in-memory database (fast: no file to sync); `file_store` where the file matters."""
    s = WorkshopStore(":memory:")
    yield s
    s.disconnect()


@pytest.fixture
def file_store(tmp_path):
    s = WorkshopStore(tmp_path / "workshop.duckdb")
    yield s
    s.disconnect()


def run(store, entries, level="dimension", **create):
    """A workshop where each (name, group, weights) entry joined and submitted; returns (workshop, participants)."""
    w = store.create(SCHEME, "测试", level, **create)
    people = []
    for name, group, weights in entries:
        p = store.join(w.code, name, group)
        store.submit(w.code, p.participant_token, weights)
        people.append(p)
    return w, people


# Four participants weighing a, b, c.  Normalised (each row sums to 1):
#   R1 residents      60 30 10  -> .6  .3   .1
#   R2 residents      40 40 20  -> .4  .4   .2
#   S1 social_workers 20 20 60  -> .2  .2   .6
#   C1 civil_affairs   2  1  1  -> .5  .25  .25   (not a 100-point allocation: normalised by its total, 4)
HAND = [("R1", "residents", {"a": 60, "b": 30, "c": 10}), ("R2", "residents", {"a": 40, "b": 40, "c": 20}),
        ("S1", "social_workers", {"a": 20, "b": 20, "c": 60}), ("C1", "civil_affairs", {"a": 2, "b": 1, "c": 1})]


# ------------------------------------------------------------------------------------------ many phones at once

def test_fifty_threads_join_submit_and_resubmit_lose_nothing(file_store):
    store = file_store
    w = store.create(SCHEME, "50 phones")
    n = 50
    barrier = threading.Barrier(n, timeout=60)

    def first(k):
        barrier.wait()
        p = store.join(w.code, f"person {k}", GROUPS[k % len(GROUPS)])
        store.submit(w.code, p.participant_token, {"a": k, "b": 100 - k, "c": 1})
        return p

    with cf.ThreadPoolExecutor(n) as pool:
        people = list(pool.map(first, range(n)))
    subs = store.submissions(w.code, w.facilitator_key, normalised=False)
    assert len(subs) == n and subs.index.is_unique
    assert set(subs.index) == {p.participant_id for p in people}
    by_name = subs.set_index("display_name")
    for k in range(n):
        assert tuple(by_name.loc[f"person {k}", ["a", "b", "c"]]) == (k, 100 - k, 1)
    assert (subs["revision"] == 1).all()
    status = store.status(w.code)
    assert status["n_submissions"] == n and status["n_participants"] == n
    assert all(status["by_group"][g]["submissions"] == n // len(GROUPS) for g in GROUPS)

    barrier.reset()

    def again(k):
        barrier.wait()
        store.submit(w.code, people[k].participant_token, {"a": 7, "b": 3, "c": k})

    with cf.ThreadPoolExecutor(n) as pool:
        list(pool.map(again, range(n)))
    subs = store.submissions(w.code, w.facilitator_key, normalised=False).set_index("display_name")
    assert len(subs) == n and (subs["revision"] == 2).all()
    for k in range(n):
        assert tuple(subs.loc[f"person {k}", ["a", "b", "c"]]) == (7, 3, k)


def test_the_same_weights_sent_twice_are_one_revision(store):
    # a phone's one tap can reach the server twice (a busy server's dropped connection replays it): the second send
    # of identical weights must not count as a change of mind, nor move the time it was sent
    w, (p,) = run(store, [("Ann", "residents", {"a": 50, "b": 30, "c": 20})])
    first = store.my_submission(w.code, p.participant_token)
    store.submit(w.code, p.participant_token, {"a": 50.0, "b": "30", "c": 20})
    again = store.my_submission(w.code, p.participant_token)
    assert again["revision"] == 1 and again["submitted_at"] == first["submitted_at"]
    store.submit(w.code, p.participant_token, {"a": 40, "b": 40, "c": 20})
    assert store.my_submission(w.code, p.participant_token)["revision"] == 2


def test_the_same_name_raced_by_ten_phones_joins_once(store):
    w = store.create(SCHEME)
    barrier = threading.Barrier(10, timeout=60)

    def attempt(_):
        barrier.wait()
        try:
            return store.join(w.code, "王阿姨", "residents")
        except WorkshopError as exc:
            return exc

    with cf.ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(attempt, range(10)))
    joined = [o for o in outcomes if not isinstance(o, WorkshopError)]
    assert len(joined) == 1
    assert all(o.reason == "name_taken" for o in outcomes if isinstance(o, WorkshopError))
    assert len(store.participants(w.code, w.facilitator_key)) == 1


# ------------------------------------------------------------------------------------------ aggregation by hand

def test_arithmetic_mean_by_hand_overall_and_per_group(store):
    w, _ = run(store, HAND)
    r = store.result(w.code, w.facilitator_key, mean="arithmetic")
    # a: (.6 + .4 + .2 + .5) / 4 = 1.7 / 4 = .425;  b: (.3 + .4 + .2 + .25) / 4 = 1.15 / 4 = .2875;  c: the same.
    assert r.weights.to_dict() == pytest.approx({"a": .425, "b": .2875, "c": .2875})
    # residents: a (.6 + .4) / 2 = .5, b (.3 + .4) / 2 = .35, c (.1 + .2) / 2 = .15; groups of one are themselves.
    assert r.by_group["residents"].to_dict() == pytest.approx({"a": .5, "b": .35, "c": .15})
    assert r.by_group["social_workers"].to_dict() == pytest.approx({"a": .2, "b": .2, "c": .6})
    assert r.by_group["civil_affairs"].to_dict() == pytest.approx({"a": .5, "b": .25, "c": .25})
    assert set(r.by_group) == {"residents", "social_workers", "civil_affairs"}
    assert r.n_submissions == 4
    assert r.n_by_group == {"residents": 2, "community_workers": 0, "social_workers": 1, "civil_affairs": 1,
                            "evaluators": 0}
    assert r.floored == 0


def test_geometric_mean_by_hand_overall_and_per_group(store):
    w, _ = run(store, HAND)
    r = store.result(w.code, w.facilitator_key)          # geometric is the default
    # Overall, before renormalising: a (.6 * .4 * .2 * .5)^(1/4) = .024^(1/4) = 0.39360
    #                                 b (.3 * .4 * .2 * .25)^(1/4) = .006^(1/4) = 0.27832
    #                                 c (.1 * .2 * .6 * .25)^(1/4) = .003^(1/4) = 0.23403;  sum 0.90595
    # so a = 0.39360 / 0.90595 = 0.43447, b = 0.30721, c = 0.25832.  (No weight is below the floor.)
    raw = {"a": .024 ** .25, "b": .006 ** .25, "c": .003 ** .25}
    total = sum(raw.values())
    assert r.weights.to_dict() == pytest.approx({k: v / total for k, v in raw.items()})
    assert r.weights.to_dict() == pytest.approx({"a": 0.43447, "b": 0.30721, "c": 0.25832}, abs=5e-5)
    # Residents: a sqrt(.6 * .4) = sqrt(.24) = .48990, b sqrt(.12) = .34641, c sqrt(.02) = .14142; sum .97773
    # -> a .50106, b .35430, c .14464.
    assert r.by_group["residents"].to_dict() == pytest.approx({"a": .50106, "b": .35430, "c": .14464}, abs=5e-5)
    assert r.by_group["social_workers"].to_dict() == pytest.approx({"a": .2, "b": .2, "c": .6})
    assert r.weights.sum() == pytest.approx(1)
    assert r.floored == 0 and "geometric" in r.note


def test_dispersion_and_pulls_by_hand(store):
    w, _ = run(store, HAND)
    r = store.result(w.code, w.facilitator_key, mean="arithmetic")
    d = r.dispersion
    # a across participants: .6 .4 .2 .5, mean .425; deviations .175 -.025 -.225 .075;
    # population variance (.030625 + .000625 + .050625 + .005625) / 4 = .0875 / 4 = .021875;
    # std = sqrt(.021875) = .147902; cv = .147902 / .425 = .348005.
    assert d.at["a", "mean"] == pytest.approx(.425)
    assert d.at["a", "std"] == pytest.approx(math.sqrt(.021875))
    assert d.at["a", "cv"] == pytest.approx(.348005, abs=1e-6)
    assert (d.at["a", "min"], d.at["a", "max"]) == pytest.approx((.2, .6))
    # Group weights of a: residents .5, social_workers .2, civil_affairs .5 -> spread .3;
    # of c: .15, .6, .25 -> spread .45, highest social_workers, lowest residents.
    assert d.at["a", "group_spread"] == pytest.approx(.3)
    assert d.at["c", "group_spread"] == pytest.approx(.45)
    assert (d.at["c", "group_high"], d.at["c", "group_low"]) == ("social_workers", "residents")
    # Against the overall a = .425: residents +.075 and civil_affairs +.075 pull up; social_workers -.225 pulls down.
    assert set(r.pulls.at["a", "up"]) == {"residents", "civil_affairs"}
    assert r.pulls.at["a", "down"] == ("social_workers",)
    # c (overall .2875): social_workers +.3125 up; residents -.1375 first (largest), civil_affairs -.0375 down.
    assert r.pulls.at["c", "up"] == ("social_workers",)
    assert r.pulls.at["c", "down"] == ("residents", "civil_affairs")
    assert r.difference.at["c", "residents"] == pytest.approx(.15 - .2875)
    table = r.table("zh")
    assert list(table.index) == ["a", "b", "c"] and table.at["a", "name"] == "活动"


def test_each_group_counts_once_when_balanced_by_groups(store):
    w, _ = run(store, HAND)
    r = store.result(w.code, w.facilitator_key, mean="arithmetic", balance="groups")
    # The three group means (residents .5/.35/.15, social workers .2/.2/.6, civil affairs .5/.25/.25) averaged:
    # a (.5 + .2 + .5) / 3 = .4;  b (.35 + .2 + .25) / 3 = .8 / 3;  c (.15 + .6 + .25) / 3 = 1 / 3.
    assert r.weights.to_dict() == pytest.approx({"a": .4, "b": .8 / 3, "c": 1 / 3})


def test_a_zero_weight_is_floored_before_the_geometric_mean(store):
    w, _ = run(store, [("X", "residents", {"a": 100, "b": 0, "c": 0}),
                       ("Y", "evaluators", {"a": 50, "b": 50, "c": 0})])
    r = store.result(w.code, w.facilitator_key)
    # Floor .005 first: a sqrt(1 * .5) = .70711, b sqrt(.005 * .5) = .05, c sqrt(.005 * .005) = .005;
    # sum .76211 -> a .92783, b .06561, c .00656.  Without the floor b would be 0 although Y gave it half.
    raw = {"a": math.sqrt(.5), "b": math.sqrt(FLOOR * .5), "c": FLOOR}
    total = sum(raw.values())
    assert r.weights.to_dict() == pytest.approx({k: v / total for k, v in raw.items()})
    assert r.floored == 3 and "0.005" in r.note
    # Arithmetic keeps zeros as zeros: c = (0 + 0) / 2.
    assert store.result(w.code, w.facilitator_key, mean="arithmetic").weights["c"] == 0


ENTRIES = st.lists(st.tuples(st.sampled_from(GROUPS),
                             st.lists(st.integers(0, 100), min_size=3, max_size=3).filter(lambda v: sum(v) > 0)),
                   min_size=1, max_size=12)


@settings(max_examples=100, deadline=None)
@given(ENTRIES, st.sampled_from(["participants", "groups"]))
def test_aggregated_weights_sum_to_one_and_arithmetic_stays_within_the_participants(entries, balance):
    norm = pd.DataFrame([normalise_weights(check_weights(dict(zip("abc", v)), ["a", "b", "c"])) for _, v in entries])
    groups = pd.Series([g for g, _ in entries])
    for mean in ("arithmetic", "geometric"):
        parts = aggregate(norm, groups, mean, balance)
        assert parts["weights"].sum() == pytest.approx(1)
        assert all(v.sum() == pytest.approx(1) for v in parts["by_group"].values())
        assert (parts["weights"] > 0).all() if mean == "geometric" else (parts["weights"] >= 0).all()
    w = aggregate(norm, groups, "arithmetic", balance)["weights"]
    assert (w >= norm.min() - 1e-12).all() and (w <= norm.max() + 1e-12).all()


@settings(max_examples=10, deadline=None)
@given(ENTRIES.map(lambda e: e[:5]))
def test_the_store_aggregates_what_was_submitted(entries):
    con = duckdb.connect(":memory:")
    try:
        store = WorkshopStore(con)
        w, _ = run(store, [(f"p{k}", g, dict(zip("abc", v))) for k, (g, v) in enumerate(entries)])
        subs = store.submissions(w.code, w.facilitator_key)[["a", "b", "c"]]
        assert subs.sum(axis=1).to_numpy() == pytest.approx(1)
        r = store.result(w.code, w.facilitator_key, mean="arithmetic")
        assert r.weights.sum() == pytest.approx(1)
        assert (r.weights >= subs.min() - 1e-12).all() and (r.weights <= subs.max() + 1e-12).all()
    finally:
        con.close()


def test_aggregate_is_pure_and_refuses_unknown_options():
    norm = pd.DataFrame({"a": [.5, .5], "b": [.5, .5]})
    groups = pd.Series(["residents", "evaluators"])
    assert aggregate(norm, groups)["weights"].to_dict() == pytest.approx({"a": .5, "b": .5})
    with pytest.raises(WorkshopError, match="mean must be one of"):
        aggregate(norm, groups, mean="median")
    with pytest.raises(WorkshopError, match="balance must be one of"):
        aggregate(norm, groups, balance="loudest")


# ------------------------------------------------------------------------------------------ who may do what

def test_a_closed_workshop_refuses_submissions_and_joins_until_reopened(store):
    w, (p,) = run(store, [("R1", "residents", {"a": 1, "b": 1, "c": 1})])
    store.close(w.code, w.facilitator_key)
    with pytest.raises(WorkshopError, match=f"workshop {w.code} is closed: submitting weights is not possible"):
        store.submit(w.code, p.participant_token, {"a": 1, "b": 0, "c": 0})
    with pytest.raises(WorkshopError, match="is closed: joining"):
        store.join(w.code, "late", "evaluators")
    assert store.status(w.code)["state"] == "closed" and not store.status(w.code)["open"]
    assert store.my_submission(w.code, p.participant_token)["weights"] == {"a": 1, "b": 1, "c": 1}   # kept
    store.reopen(w.code, w.facilitator_key)
    store.submit(w.code, p.participant_token, {"a": 1, "b": 0, "c": 0})
    assert store.my_submission(w.code, p.participant_token)["revision"] == 2


@pytest.mark.parametrize("action", [
    lambda s, c, k: s.submissions(c, k), lambda s, c, k: s.result(c, k), lambda s, c, k: s.close(c, k),
    lambda s, c, k: s.reveal(c, k), lambda s, c, k: s.hide(c, k), lambda s, c, k: s.reopen(c, k),
    lambda s, c, k: s.participants(c, k), lambda s, c, k: s.to_scheme(c, k, "copy"),
    lambda s, c, k: s.remove(c, k, "p0"),
], ids=["submissions", "result", "close", "reveal", "hide", "reopen", "participants", "to_scheme", "remove"])
@pytest.mark.parametrize("key", ["wrong", "", None])
def test_facilitator_actions_need_the_key(store, action, key):
    w, (p,) = run(store, [("R1", "residents", {"a": 1, "b": 1, "c": 1})])
    for bad in (key, p.participant_token):      # a participant's token is not a facilitator key either
        with pytest.raises(WorkshopError, match=f"wrong facilitator key for workshop {w.code}") as exc:
            action(store, w.code, bad)
        assert exc.value.reason == "wrong_key"
    other = store.create(SCHEME)               # nor is another workshop's key
    with pytest.raises(WorkshopError, match="wrong facilitator key"):
        action(store, w.code, other.facilitator_key)
    assert store.status(w.code)["state"] == "open" and not store.status(w.code)["revealed"]


def test_a_token_cannot_be_used_for_another_participant(store):
    w, (ann, bob) = run(store, [("Ann", "residents", {"a": 1, "b": 1, "c": 1}),
                                ("Bob", "evaluators", {"a": 3, "b": 1, "c": 1})])
    with pytest.raises(WorkshopError, match="this participant token belongs to 'Ann', not 'Bob'"):
        store.join(w.code, "Bob", "evaluators", participant_token=ann.participant_token)
    with pytest.raises(WorkshopError, match="the name 'Bob' is already taken"):
        store.join(w.code, " bob ", "residents")                  # same name ignoring case and spaces
    with pytest.raises(WorkshopError, match="unknown participant token"):
        store.submit(w.code, "made-up", {"a": 1, "b": 1, "c": 1})
    with pytest.raises(WorkshopError, match="unknown participant token"):
        store.my_submission(w.code, None)
    # Ann's token submits as Ann only; Bob's submission is untouched.
    store.submit(w.code, ann.participant_token, {"a": 0, "b": 0, "c": 5})
    assert store.my_submission(w.code, bob.participant_token)["weights"] == {"a": 3, "b": 1, "c": 1}
    assert store.my_submission(w.code, ann.participant_token)["weights"] == {"a": 0, "b": 0, "c": 5}
    # A token from another workshop is unknown here.
    w2, (carol,) = run(store, [("Carol", "residents", {"a": 1, "b": 1, "c": 1})])
    with pytest.raises(WorkshopError, match="unknown participant token"):
        store.submit(w.code, carol.participant_token, {"a": 1, "b": 1, "c": 1})


def test_rejoin_with_the_token_returns_the_same_participant(store):
    w, (ann,) = run(store, [("Ann", "residents", {"a": 1, "b": 1, "c": 1})])
    again = store.join(w.code, "ann", "residents", participant_token=ann.participant_token)
    assert (again.participant_id, again.participant_token, again.display_name) == \
        (ann.participant_id, ann.participant_token, "Ann")
    moved = store.join(w.code, "Ann", "community_workers", participant_token=ann.participant_token)
    assert moved.group == "community_workers"
    assert store.status(w.code)["by_group"]["community_workers"] == {"participants": 1, "submissions": 1}
    assert len(store.participants(w.code, w.facilitator_key)) == 1


def test_a_wrong_code_names_it(store):
    store.create(SCHEME)
    for call in (lambda: store.status("ZZZZZZ"), lambda: store.join("ZZZZZZ", "a", "residents"),
                 lambda: store.submit("ZZZZZZ", "t", {"a": 1}), lambda: store.result("ZZZZZZ", "k")):
        with pytest.raises(WorkshopError, match="no workshop with code 'ZZZZZZ'") as exc:
            call()
        assert exc.value.reason == "no_workshop"


def test_codes_are_short_unambiguous_and_forgiving_to_type(store):
    codes = {store.create(SCHEME).code for _ in range(30)}
    assert len(codes) == 30
    assert all(len(c) == 6 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set(CODE_ALPHABET) & set("0O1I")
    code = next(iter(codes))
    assert store.status(f" {code[:3].lower()}-{code[3:]} ")["code"] == code


def test_join_refuses_unknown_groups_and_empty_names(store):
    w = store.create(SCHEME)
    with pytest.raises(WorkshopError, match="unknown group 'mayor'; choose one of residents, community_workers"):
        store.join(w.code, "x", "mayor")
    with pytest.raises(WorkshopError, match="display name is empty"):
        store.join(w.code, "   ", "residents")


@pytest.mark.parametrize("weights, message", [
    ({"a": -5, "b": 50, "c": 55}, "weight for 'a' must not be negative, got -5"),
    ({"a": 0, "b": 0, "c": 0}, r"all weights \(a, b, c\) are zero"),
    ({"a": 50, "b": 50}, "missing weight for 'c'"),
    ({"a": 50, "b": 50, "c": 0, "d": 1},
     "unknown dimension id\\(s\\) 'd'; this workshop weighs the dimensions a, b, c"),
    ({"a": "lots", "b": 1, "c": 1}, "weight for 'a' must be a number, got 'lots'"),
    ({"a": float("nan"), "b": 1, "c": 1}, "weight for 'a' must be a finite number"),
    ({"a": True, "b": 1, "c": 1}, "weight for 'a' must be a number"),
    ([("a", 1)], "weights must be a mapping"),
])
def test_bad_weights_are_refused_naming_the_id(store, weights, message):
    w, (p,) = run(store, [("R1", "residents", {"a": 1, "b": 1, "c": 1})])
    with pytest.raises(WorkshopError, match=message) as exc:
        store.submit(w.code, p.participant_token, weights)
    assert exc.value.reason == "bad_weights"
    assert store.my_submission(w.code, p.participant_token)["weights"] == {"a": 1, "b": 1, "c": 1}


def test_indicator_level_wants_indicator_ids(store):
    w = store.create(SCHEME, level="indicator")
    assert w.items == ("events", "photos", "cases", "groups")
    p = store.join(w.code, "x", "residents")
    with pytest.raises(WorkshopError, match="unknown indicator id\\(s\\) 'a'"):
        store.submit(w.code, p.participant_token, {"a": 1, "b": 1, "c": 1})
    store.submit(w.code, p.participant_token, {"events": "40", "photos": 10, "cases": 30, "groups": 20})
    assert store.my_submission(w.code, p.participant_token)["normalised"]["events"] == pytest.approx(.4)


# ------------------------------------------------------------------------------------------ who sees what

def crowd(counts):
    """(name, group, weights) entries: counts {group: n}, each person with their own weights."""
    out, k = [], 0
    for g, n in counts.items():
        for _ in range(n):
            out.append((f"参与者-{k:02d}", g, {"a": 10 + k, "b": 30 + 2 * k, "c": 60 - k}))
            k += 1
    return out


def test_status_shows_counts_until_reveal_then_aggregates_never_names(store):
    w, people = run(store, crowd({"residents": 4, "evaluators": 3, "civil_affairs": 3}))
    before = store.status(w.code)
    assert before["result"] is None and not before["revealed"] and before["open"]
    assert before["n_submissions"] == 10 and before["by_group"]["residents"] == {"participants": 4, "submissions": 4}
    assert before["by_group"]["social_workers"] == {"participants": 0, "submissions": 0}
    assert [i["id"] for i in before["items"]] == ["a", "b", "c"] and before["items"][0]["name_zh"] == "活动"
    with pytest.raises(WorkshopError, match=f"close workshop {w.code} before revealing") as exc:
        store.reveal(w.code, w.facilitator_key)
    assert exc.value.reason == "open"
    store.close(w.code, w.facilitator_key)
    store.reveal(w.code, w.facilitator_key, mean="arithmetic")
    after = store.status(w.code)
    res = after["result"]
    expected = store.result(w.code, w.facilitator_key, mean="arithmetic")
    assert after["revealed"] and res["mean"] == "arithmetic" and res["n_submissions"] == 10
    assert res["weights"] == pytest.approx(expected.weights.to_dict())
    assert res["cv"] == pytest.approx(expected.dispersion["cv"].to_dict())
    assert list(res["by_group"]) == ["residents", "civil_affairs", "evaluators"] and res["withheld_groups"] == []
    for g in res["by_group"]:
        assert res["by_group"][g] == pytest.approx(expected.by_group[g].to_dict())
    assert res["group_spread"] == pytest.approx(expected.dispersion["group_spread"].to_dict())
    text = repr(after)
    for p in people:
        assert p.display_name not in text and p.participant_id not in text and p.participant_token not in text
    store.hide(w.code, w.facilitator_key)
    assert store.status(w.code)["result"] is None
    store.reveal(w.code, w.facilitator_key)
    store.reopen(w.code, w.facilitator_key)                           # a second round hides the result again
    assert store.status(w.code)["result"] is None and not store.status(w.code)["revealed"]


@pytest.mark.parametrize("counts, shown, withheld", [
    # A lone social worker is withheld; but overall (8 people) minus residents and evaluators would give their
    # weights away, so the smallest shown group (evaluators, 3) is withheld with them: the rest is then 4 people.
    ({"residents": 4, "evaluators": 3, "social_workers": 1}, ["residents"], ["social_workers", "evaluators"]),
    # Residents 3, one social worker, one civil-affairs official: the rest would be 2 people, so nothing by group.
    ({"residents": 3, "social_workers": 1, "civil_affairs": 1}, [], ["residents", "social_workers", "civil_affairs"]),
    ({"residents": 3, "community_workers": 3, "social_workers": 1, "civil_affairs": 2},
     ["residents", "community_workers"], ["social_workers", "civil_affairs"]),
])
def test_no_revealed_aggregate_rests_on_fewer_than_three_people(store, counts, shown, withheld):
    w, _ = run(store, crowd(counts))
    store.close(w.code, w.facilitator_key)
    store.reveal(w.code, w.facilitator_key)
    res = store.status(w.code)["result"]
    assert res["weights"] is not None and res["min_group"] == 3
    assert list(res["by_group"]) == shown
    assert sorted(res["withheld_groups"]) == sorted(withheld)


def test_a_revealed_workshop_with_too_few_submissions_shows_no_weights(store):
    w, _ = run(store, HAND[:2])
    store.close(w.code, w.facilitator_key)
    store.reveal(w.code, w.facilitator_key)
    res = store.status(w.code)["result"]
    assert res["weights"] is None and res["n_submissions"] == 2 and res["by_group"] == {}
    w, _ = run(store, crowd({"residents": 3}))
    store.close(w.code, w.facilitator_key)
    store.reveal(w.code, w.facilitator_key)
    res = store.status(w.code)["result"]
    # Three may see their mean, not its spread: mean and std would let one of them solve for the other two.
    assert res["weights"] is not None and res["cv"] is None and list(res["by_group"]) == ["residents"]


@pytest.mark.parametrize("counts, reason, details", [
    # Three people from three groups: each group is under three, so the shared screen pools them as "other"
    # (one column) and must say so, not that only one group submitted.
    ({"residents": 1, "social_workers": 1, "evaluators": 1}, "pooled",
     {"k": 3, "pooled": {"residents": 1, "social_workers": 1, "evaluators": 1}}),
    ({"civil_affairs": 2}, "one_group", {"k": 3, "group": "civil_affairs", "n": 2}),
    ({"residents": 4}, "one_group", {"k": 3, "group": "residents", "n": 4}),
    # residents 3 and a pool of 2: the pool is too small, and residents shown would give it away: nothing by group
    ({"residents": 3, "social_workers": 1, "civil_affairs": 1}, "withheld",
     {"k": 3, "counts": {"residents": 3, "social_workers": 1, "civil_affairs": 1}, "shown": []}),
    ({"residents": 3, "evaluators": 3}, None, None),
])
def test_the_shared_screen_says_why_it_compares_no_groups(store, counts, reason, details):
    w, _ = run(store, crowd(counts))
    shared = store.result(w.code, w.facilitator_key).shared(3)
    assert shared.comparison() == ((reason, details) if reason else None)
    if reason == "pooled":
        assert list(shared.by_group) == ["other"] and shared.n_by_group["other"] == 3


def test_removing_a_participant_hides_the_revealed_result(store):
    w, people = run(store, crowd({"residents": 3}))
    store.close(w.code, w.facilitator_key)
    store.reveal(w.code, w.facilitator_key)
    store.remove(w.code, w.facilitator_key, people[0].participant_id)
    assert store.status(w.code)["result"] is None


def test_secrets_are_stored_only_as_hashes(store):
    w, (p,) = run(store, [("R1", "residents", {"a": 1, "b": 1, "c": 1})])
    cur = store._con.cursor()
    dump = repr(cur.execute("SELECT * FROM workshops").fetchall()) + \
        repr(cur.execute("SELECT * FROM workshop_participants").fetchall())
    assert w.facilitator_key not in dump and p.participant_token not in dump


def test_the_facilitator_can_remove_a_participant(store):
    w, (ann, bob) = run(store, HAND[:2])
    store.remove(w.code, w.facilitator_key, ann.participant_id)
    assert list(store.submissions(w.code, w.facilitator_key).index) == [bob.participant_id]
    with pytest.raises(WorkshopError, match="unknown participant token"):
        store.submit(w.code, ann.participant_token, {"a": 1, "b": 1, "c": 1})
    store.join(w.code, "R1", "residents")                          # the name is free again
    with pytest.raises(WorkshopError, match="no participant 'nobody'"):
        store.remove(w.code, w.facilitator_key, "nobody")


def test_a_workshop_outlives_the_store_that_opened_it(tmp_path):
    path = tmp_path / "w.duckdb"
    with WorkshopStore(path) as s:
        w, (p,) = run(s, HAND[:1])
    con = records.connect(path)
    try:
        s2 = WorkshopStore(con)                                     # on an existing connection this time
        assert s2.my_submission(w.code, p.participant_token)["weights"] == {"a": 60, "b": 30, "c": 10}
        s2.disconnect()                                             # not the store's: stays open
        assert con.execute("SELECT count(*) FROM workshop_submissions").fetchall() == [(1,)]
    finally:
        con.close()


# ------------------------------------------------------------------------------------------ the resulting scheme

def tiny_records(tmp_path):
    acts = []
    # S1 holds 6 events with 20 photos each; S2 does case work (5, no photos); S3 group work (3, 1 photo each).
    for k in range(6):
        acts.append({"activity_id": f"A1-{k}", "station_id": "S1", "held_on": "2024-03-01", "kind": "community",
                     "photos": 20})
    for k in range(5):
        acts.append({"activity_id": f"A2-{k}", "station_id": "S2", "held_on": "2024-03-01", "kind": "case",
                     "photos": 0})
    for k in range(3):
        acts.append({"activity_id": f"A3-{k}", "station_id": "S3", "held_on": "2024-03-01", "kind": "group",
                     "photos": 1})
    return make_db(tmp_path / "records.duckdb", {"stations": [station("S1"), station("S2"), station("S3")],
                                                 "activities": acts})


def test_to_scheme_validates_saves_and_scores_like_any_other(tmp_path):
    con = tiny_records(tmp_path)
    try:
        store = WorkshopStore(con)                 # the workshop tables live beside the records
        w, _ = run(store, HAND)
        new = store.to_scheme(w.code, w.facilitator_key, "tiny-workshop", mean="arithmetic")
        check(new)
        assert new.id == "tiny-workshop" and new.provenance.method == "workshop"
        note = new.provenance.note
        assert w.code in note and w.created_at.strftime("%Y-%m-%d") in note
        assert "4 participants (residents 2, social_workers 1, civil_affairs 1)" in note and "arithmetic" in note
        assert [d.weight for d in new.dimensions] == pytest.approx([42.5, 28.75, 28.75])
        catalog.save(con, new, saved_by="workshop")
        saved, _ = catalog.resolve("tiny-workshop", con)
        assert saved.provenance.method == "workshop" and saved.provenance.note == note
        scored = score(con, saved)
        dim_w = scored.weights.groupby("dimension")["dimension_weight"].first()
        assert dim_w.to_dict() == pytest.approx({"a": .425, "b": .2875, "c": .2875})
        assert sorted(scored.rank) == [1, 2, 3] and scored.total.between(0, 100).all()
        # What each group's weights do to the ranking, by re-weighting the cached matrices.
        ranks = rankings(score(con, SCHEME), store.result(w.code, w.facilitator_key))
        assert list(ranks.columns) == ["name", "scheme", "workshop", "residents", "social_workers", "civil_affairs"]
        assert ranks.loc["S1", "residents"] == 1      # residents weigh activities and photos: S1 wins
        assert ranks.loc["S2", "social_workers"] == 1  # social workers weigh case and group work: S2 wins
    finally:
        con.close()


def test_indicator_level_scheme_has_the_workshop_weights_as_effective_weights(store):
    w = store.create(SCHEME, level="indicator")
    for name, group, v in [("x", "residents", (40, 10, 30, 20)), ("y", "evaluators", (10, 10, 0, 80))]:
        p = store.join(w.code, name, group)
        store.submit(w.code, p.participant_token, dict(zip(w.items, v)))
    for mean in ("arithmetic", "geometric"):
        r = store.result(w.code, w.facilitator_key, mean=mean)
        new = check(store.to_scheme(w.code, w.facilitator_key, "tiny-ind", mean=mean))
        _, _, flat = effective_weights(new)
        assert flat[list(r.weights.index)].to_numpy() == pytest.approx(r.weights.to_numpy(), abs=1e-5)
    # arithmetic: events (.4 + .1) / 2 = .25, photos .1, cases (.3 + 0) / 2 = .15, groups (.2 + .8) / 2 = .5
    _, dims, _ = effective_weights(store.to_scheme(w.code, w.facilitator_key, "t2", mean="arithmetic"))
    assert dims.to_dict() == pytest.approx({"a": .25, "b": .1, "c": .65})


def test_to_scheme_and_result_need_submissions_and_a_good_id(store):
    w = store.create(SCHEME)
    with pytest.raises(WorkshopError, match=f"workshop {w.code} has no submissions yet"):
        store.to_scheme(w.code, w.facilitator_key, "x")
    with pytest.raises(WorkshopError, match=f"workshop {w.code} has no submissions yet"):
        store.result(w.code, w.facilitator_key)
    w, _ = run(store, HAND[:1])
    with pytest.raises(WorkshopError, match="the new scheme's id: 'Our Scheme' must be lower-case") as exc:
        store.to_scheme(w.code, w.facilitator_key, "Our Scheme")
    assert exc.value.reason == "bad_scheme"


def test_create_refuses_a_bad_level_and_a_scheme_with_one_item(store):
    with pytest.raises(WorkshopError, match="level must be one of dimension, indicator"):
        store.create(SCHEME, level="station")
    one = Scheme("one", "一", "One", (SCHEME.dimensions[0],))
    with pytest.raises(WorkshopError, match="only one dimension"):
        store.create(one)
    assert store.create(catalog.builtin("needs-met"), level="indicator").items[0] == "urgent_needs_resolved"


def test_indicator_level_on_a_deep_scheme_weighs_every_indicator_and_keeps_its_weights(store):
    """Every indicator at any depth is an item, and the saved scheme's effective weights are the workshop's."""
    from indicators.scheme.model import load_yaml
    from tests.conftest import ROOT
    deep = load_yaml((ROOT / "tests" / "data" / "tree-scheme.yaml").read_text(encoding="utf-8"))
    w = store.create(deep, level="indicator")
    assert sorted(w.items) == sorted(i.id for i in deep.indicators) and len(deep.nodes()) > len(deep.dimensions)
    for name, group, k in [("x", "residents", 1), ("y", "evaluators", 3)]:
        p = store.join(w.code, name, group)
        store.submit(w.code, p.participant_token, {item: 1 + (n * k) % 7 for n, item in enumerate(w.items)})
    r = store.result(w.code, w.facilitator_key)
    _, _, flat = effective_weights(check(store.to_scheme(w.code, w.facilitator_key, "deep-ind")))
    assert flat[list(r.weights.index)].to_numpy() == pytest.approx(r.weights.to_numpy(), abs=1e-5)
