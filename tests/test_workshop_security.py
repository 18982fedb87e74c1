"""What a participant cannot do, each checked: read others' weights before the reveal, submit twice, submit into
another workshop or group, change a closed workshop, act as facilitator without the key. And the Python API from
several processes: each process's submissions are kept, once each, none lost."""
from __future__ import annotations

import fcntl
import json
import multiprocessing as mp
import os

import duckdb
import pytest

from indicators.live.workshop import WorkshopError, WorkshopStore
from indicators.records.store import DatabaseBusy
from tests.test_workshop import SCHEME, run, store  # noqa: F401  (the fixture)

DISTINCT = {"a": 73, "b": 19, "c": 8}     # weights no one else uses, to look for anywhere they must not appear


def _reason(call) -> str:
    with pytest.raises(WorkshopError) as exc:
        call()
    return exc.value.reason


def test_no_one_reads_others_weights_before_the_reveal(store):
    w, (ann, bob, cy) = run(store, [("Ann", "residents", DISTINCT), ("Bob", "evaluators", {"a": 1, "b": 1, "c": 1}),
                                    ("Cy", "social_workers", {"a": 2, "b": 1, "c": 1})])
    for state in ("open", "closed"):
        # The random join code and the clock may hold "73" by chance: look everywhere else.
        public = json.dumps({k: v for k, v in store.status(w.code).items() if k not in ("code", "created_at")})
        assert store.status(w.code)["result"] is None
        assert "Ann" not in public and "73" not in public and "0.73" not in public
        mine = store.my_submission(w.code, bob.participant_token)
        assert mine["display_name"] == "Bob" and mine["weights"] == {"a": 1, "b": 1, "c": 1}
        for token in (bob.participant_token, "", None):   # a participant's token opens nothing of others
            assert _reason(lambda: store.submissions(w.code, token)) == "wrong_key"
            assert _reason(lambda: store.participants(w.code, token)) == "wrong_key"
            assert _reason(lambda: store.result(w.code, token)) == "wrong_key"
        if state == "open":
            store.close(w.code, w.facilitator_key)
    store.reveal(w.code, w.facilitator_key)
    public = json.dumps(store.status(w.code), default=str)
    assert store.status(w.code)["result"]["weights"] and "Ann" not in public   # the aggregate, never a person


def test_a_second_submission_replaces_the_first_never_adds_one(store):
    w, (ann,) = run(store, [("Ann", "residents", {"a": 1, "b": 1, "c": 1})])
    store.submit(w.code, ann.participant_token, DISTINCT)
    subs = store.submissions(w.code, w.facilitator_key, normalised=False)
    assert len(subs) == 1 and int(subs["revision"].iloc[0]) == 2
    # nor can the same person come in again under their own name without their token
    assert _reason(lambda: store.join(w.code, " ann ", "evaluators")) == "name_taken"
    assert len(store.participants(w.code, w.facilitator_key)) == 1


def test_no_submitting_into_another_workshop_or_group(store):
    w1, (ann,) = run(store, [("Ann", "residents", DISTINCT)])
    w2, (bob,) = run(store, [("Bob", "evaluators", {"a": 1, "b": 1, "c": 1})])
    assert _reason(lambda: store.submit(w2.code, ann.participant_token, DISTINCT)) == "unknown_participant"
    assert _reason(lambda: store.my_submission(w2.code, ann.participant_token)) == "unknown_participant"
    # a group is changed only with one's own token, and not once the workshop is closed
    assert _reason(lambda: store.join(w2.code, "Bob", "residents")) == "name_taken"
    assert _reason(lambda: store.join(w2.code, "Bob", "residents", ann.participant_token)) == "unknown_participant"
    store.close(w2.code, w2.facilitator_key)
    assert _reason(lambda: store.join(w2.code, "Bob", "residents", bob.participant_token)) == "closed"
    assert store.participants(w2.code, w2.facilitator_key)["group"].tolist() == ["evaluators"]
    assert len(store.submissions(w2.code, w2.facilitator_key)) == 1


def test_a_closed_workshop_cannot_be_changed_by_a_participant(store):
    w, (ann,) = run(store, [("Ann", "residents", {"a": 1, "b": 1, "c": 1})])
    store.close(w.code, w.facilitator_key)
    before = store.submissions(w.code, w.facilitator_key, normalised=False)
    assert _reason(lambda: store.submit(w.code, ann.participant_token, DISTINCT)) == "closed"
    assert _reason(lambda: store.join(w.code, "Newcomer", "residents")) == "closed"
    assert _reason(lambda: store.reopen(w.code, ann.participant_token)) == "wrong_key"
    after = store.submissions(w.code, w.facilitator_key, normalised=False)
    assert after.equals(before) and store.status(w.code)["state"] == "closed"


@pytest.mark.parametrize("key", ["", None, "guess", "x" * 10_000])
def test_no_facilitator_action_without_the_key(store, key):
    w, (ann,) = run(store, [("Ann", "residents", {"a": 1, "b": 1, "c": 1})])
    other = store.create(SCHEME)
    for bad in (key, ann.participant_token, other.facilitator_key):
        for action in (lambda k: store.close(w.code, k), lambda k: store.reveal(w.code, k),
                       lambda k: store.remove(w.code, k, ann.participant_id), lambda k: store.to_scheme(w.code, k, "x"),
                       lambda k: store.submissions(w.code, k)):
            assert _reason(lambda: action(bad)) == "wrong_key"
    assert store.status(w.code)["state"] == "open" and store.status(w.code)["n_submissions"] == 1


# ---------------------------------------------------------------- several processes

def _worker(db: str, lock: str, code: str, first: int, n: int) -> None:
    """One process: n people join and submit, each through a store opened for the purpose. DuckDB lets one
    process hold a file at a time, so processes take turns through a file lock (as a second app server would)."""
    for k in range(first, first + n):
        with open(lock, "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                with WorkshopStore(db) as store:
                    p = store.join(code, f"proc person {k:02d}", "residents")
                    store.submit(code, p.participant_token, {"a": k + 1, "b": 1, "c": 1})
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def test_several_processes_lose_nothing(tmp_path):
    db, lock = tmp_path / "ws.duckdb", tmp_path / "ws.lock"
    with WorkshopStore(db) as store:
        w = store.create(SCHEME)
        # while one process holds the file, another is refused plainly (no half-open store, no damage)
        ctx = mp.get_context("spawn")
        probe = ctx.Process(target=_open_once, args=(str(db), str(tmp_path / "probe.txt")))
        probe.start()
        probe.join(60)
        refused = (tmp_path / "probe.txt").read_text()   # after a short wait, naming who holds the file
        assert refused.startswith("refused: DatabaseBusy") and f"PID {os.getpid()}" in refused, refused
    procs = [ctx.Process(target=_worker, args=(str(db), str(lock), w.code, 5 * i, 5)) for i in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with WorkshopStore(db) as store:
        subs = store.submissions(w.code, w.facilitator_key, normalised=False)
    assert len(subs) == 15 and subs["display_name"].is_unique and (subs["revision"] == 1).all()
    assert sorted(subs["a"].astype(int)) == list(range(1, 16))


def _open_once(db: str, out: str) -> None:
    try:
        WorkshopStore(db).disconnect()
        result = "opened"
    except (duckdb.Error, DatabaseBusy) as exc:
        result = f"refused: {type(exc).__name__}: {exc}"
    with open(out, "w") as fh:
        fh.write(result)
