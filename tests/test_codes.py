"""Codes that cannot be guessed: hashed under a key of each database, wrong codes limited per browser session and per
meeting with a lock-out the facilitator lifts (a clock of our own, so no test waits); a meeting's result withdrawn;
vote() takes only whole numbers. Rules: indicators/live/codes.py, docs/security.md (promise 7)."""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import itertools
import random
import time
from datetime import date, datetime, timedelta

import pytest

from indicators.live import codes as codes_mod
from indicators.live.codes import PREFIX, SECRET_KEY, legacy_hash
from indicators.live.delphi import DelphiError, DelphiStore
from indicators.live.meeting import CODE_ALPHABET, MeetingError, MeetingStore
from indicators.live.raters import RaterError, RaterStore
from indicators.live.workshop import WorkshopError, WorkshopStore
from indicators.records.store import writing
from indicators.scheme import catalog
from indicators.scoring.engine import score
from tests.test_meeting import HELD, ITEMS, NEEDS_MET, PERIOD, ROWS, cast
from tests.test_workshop import SCHEME as WORKSHOP_SCHEME

T0 = datetime(2026, 3, 1, 9, 0, 0)


class Clock:
    """Naive UTC time that moves only when a test moves it."""

    def __init__(self, t: datetime = T0):
        self.t = t

    def __call__(self) -> datetime:
        return self.t

    def tick(self, **kw) -> None:
        self.t += timedelta(**kw)


@pytest.fixture
def db(tiny):
    return tiny(ROWS)


def reason(fn, *args, error=MeetingError, **kw) -> str:
    with pytest.raises(error) as why:
        fn(*args, **kw)
    return why.value.reason


def attempts(db) -> int:
    return db.execute("SELECT count(*) FROM live_attempts").fetchall()[0][0]


def wrong_code(issued, n: int = 0) -> str:
    """A voting code of the alphabet that was not issued (the n-th such, in a fixed order)."""
    taken = set(issued)
    out = (c for c in ("ZZZ" + "".join(x) for x in itertools.product(CODE_ALPHABET, repeat=3)) if c not in taken)
    return next(itertools.islice(out, n, None))


# ------------------------------------------------------------------------------------------ hashing

def test_the_same_code_hashes_differently_in_two_databases_and_never_unsalted(tiny):
    a, b = tiny(ROWS), tiny(ROWS)
    ma, mb = MeetingStore(a), MeetingStore(b)
    ha, hb = ma._codes.hash("K7Q2MX"), mb._codes.hash("K7Q2MX")
    assert ha.startswith(PREFIX) and hb.startswith(PREFIX) and ha != hb
    assert legacy_hash("K7Q2MX") not in (ha, hb)
    # HMAC-SHA256 under the 32-byte key kept in meta, worked out here from its definition
    import hmac
    key = bytes.fromhex(a.execute("SELECT value FROM meta WHERE key = ?", [SECRET_KEY]).fetchall()[0][0])
    assert len(key) == 32
    assert ha == PREFIX + hmac.new(key, b"K7Q2MX", hashlib.sha256).hexdigest()
    # made once: a second store (or a restart) on the same database keeps the key
    assert MeetingStore(a)._codes.hash("K7Q2MX") == ha
    assert a.execute("SELECT count(*) FROM meta WHERE key = ?", [SECRET_KEY]).fetchall()[0][0] == 1
    # what is stored for a meeting: the keyed hash of each code and of the key, no bare SHA-256 of either
    mt = ma.create("S1", PERIOD, ITEMS, 3)
    stored = {r[0] for r in a.execute("SELECT vote_hash FROM meeting_codes").fetchall()}
    assert stored == {ma._codes.hash(c) for c in mt.vote_codes}
    key_hash = a.execute("SELECT key_hash FROM meetings").fetchall()[0][0]
    assert key_hash == ma._codes.hash(mt.key) and key_hash != legacy_hash(mt.key)


def test_every_live_secret_is_stored_keyed(tiny):
    db = tiny({**ROWS})
    ws = WorkshopStore(db)
    w = ws.create(WORKSHOP_SCHEME, "t")
    p = ws.join(w.code, "Ann", "residents")
    rs = RaterStore(db)
    from tests.test_raters import SCHEME as RUBRIC
    rnd = rs.create(RUBRIC, ["S1"], HELD)
    r = rs.join(rnd.code, "王")
    ds = DelphiStore(db)
    needs = catalog.builtin("needs-met")
    st = ds.create(needs, [i.id for i in needs.indicators][:2])
    e = ds.join(st.code, "专家")
    h = ws._codes.hash
    got = db.execute("SELECT (SELECT key_hash FROM workshops), (SELECT token_hash FROM workshop_participants), "
                     "(SELECT key_hash FROM rating_rounds), (SELECT token_hash FROM round_raters), "
                     "(SELECT key_hash FROM delphi_studies), (SELECT token_hash FROM delphi_experts)").fetchall()[0]
    assert got == (h(w.facilitator_key), h(p.participant_token), h(rnd.lead_key), h(r.token), h(st.key), h(e.token))


def test_codes_issued_before_the_key_still_work(db):
    """A database from before the key: its meeting's codes and key were stored as bare SHA-256 (made here the way the
    old version made them). They keep working, and the votes they cast carry the stored form."""
    ms = MeetingStore(db)
    mt = ms.create("S1", PERIOD, ITEMS, 2)
    with writing(db) as cur:
        cur.execute("DELETE FROM meeting_codes")
        cur.executemany("INSERT INTO meeting_codes VALUES (?, ?)",
                        [[mt.code, hashlib.sha256(c.encode()).hexdigest()] for c in mt.vote_codes])
        cur.execute("UPDATE meetings SET key_hash = ?", [hashlib.sha256(mt.key.encode()).hexdigest()])
    assert ms.check_key(mt.code, mt.key) == mt.code
    ms.vote(mt.code, mt.vote_codes[0], 0, "yes", 4)
    assert ms.ballot(mt.code, mt.vote_codes[0])["done"] == [0]
    assert db.execute("SELECT vote_hash FROM meeting_votes").fetchall() == [(legacy_hash(mt.vote_codes[0]),)]
    assert reason(ms.vote, mt.code, mt.vote_codes[0], 0, "no", 1) == "used"
    # the bare form is only ever compared with a bare stored hash: a keyed row never matches it
    assert not ms._codes.same(mt.key, ms._codes.hash("other"))
    assert ms._codes.same(mt.key, legacy_hash(mt.key)) and not ms._codes.same(mt.key + "x", legacy_hash(mt.key))


# ------------------------------------------------------------------------------------------ wrong codes

def test_a_session_is_locked_after_five_wrong_codes_in_ten_minutes_then_let_in_again(db):
    clock = Clock()
    ms = MeetingStore(db, clock)
    mt = ms.create("S1", PERIOD, ITEMS, 3)
    good = mt.vote_codes[0]
    for n in range(5):                                       # 09:00:00 ... 09:00:04
        assert reason(ms.ballot, mt.code, wrong_code(mt.vote_codes, n), session="phone-1") == "unknown_voter"
        clock.tick(seconds=1)
    assert attempts(db) == 5
    # now even a good code is refused, unchecked and unrecorded
    assert reason(ms.ballot, mt.code, good, session="phone-1") == "locked_session"
    assert reason(ms.vote, mt.code, good, 0, "yes", 5, session="phone-1") == "locked_session"
    assert reason(ms.ballot, "NOPE22", good, session="phone-1") == "locked_session"
    assert attempts(db) == 5 and db.execute("SELECT count(*) FROM meeting_votes").fetchall()[0][0] == 0
    assert ms.ballot(mt.code, good, session="phone-2")["code"] == mt.code      # another phone is not locked
    lock = ms.lockout(mt.code, mt.key)
    assert (lock.failures, lock.locked, lock.sessions_locked) == (5, False, 1)
    clock.t = T0 + timedelta(minutes=10) - timedelta(seconds=1)     # the first failure is 9:59 old: still 5
    assert reason(ms.ballot, mt.code, good, session="phone-1") == "locked_session"
    clock.t = T0 + timedelta(minutes=10)                             # it is 10:00 old: 4 left in the window
    assert ms.ballot(mt.code, good, session="phone-1")["done"] == []
    assert ms.lockout(mt.code, mt.key).sessions_locked == 0


def test_a_meeting_is_locked_after_fifty_wrong_codes_in_an_hour_and_the_facilitator_lifts_it(db):
    clock = Clock()
    ms = MeetingStore(db, clock)
    mt = ms.create("S1", PERIOD, ITEMS, 3)
    good = mt.vote_codes[0]
    for n in range(50):                                      # 10 sessions x 5 wrong codes, one a second
        assert reason(ms.ballot, mt.code, wrong_code(mt.vote_codes, n), session=f"s{n // 5}") == "unknown_voter"
        clock.tick(seconds=1)
    lock = ms.lockout(mt.code, mt.key)
    assert (lock.failures, lock.limit, lock.locked, lock.until, lock.sessions_locked) == (
        50, 50, True, T0 + timedelta(hours=1), 10)
    assert not lock.unknown_locked and lock.any
    # a new phone with a good code is refused unchecked until the lock is lifted or expires
    n_before = attempts(db)
    assert reason(ms.ballot, mt.code, good, session="fresh") == "locked"
    assert reason(ms.vote, mt.code, good, 0, "yes", 4, session="fresh") == "locked"
    assert attempts(db) == n_before
    # a phone that got in before (the app then checks without a session) keeps voting
    ms.vote(mt.code, good, 0, "yes", 4)
    # a restart keeps the count: it is in the database
    again = MeetingStore(db, clock)
    assert reason(again.ballot, mt.code, good, session="fresh") == "locked"
    assert reason(again.lift, mt.code, "not the key") == "wrong_key"
    clock.tick(seconds=1)
    again.lift(mt.code, mt.key, by="王主任")
    lock = again.lockout(mt.code, mt.key)
    assert (lock.failures, lock.locked, lock.sessions_locked, lock.any) == (0, False, 0, False)
    assert again.ballot(mt.code, good, session="fresh")["done"] == [0]
    assert again.ballot(mt.code, good, session="s0")["done"] == [0]        # the locked sessions are free too
    assert db.execute("SELECT kind, code, lifted_by FROM live_lifts ORDER BY code DESC").fetchall() == [
        ("meeting", mt.code, "王主任"), ("meeting", "", "王主任")]


def test_guesses_sent_at_once_are_never_checked_past_the_limit(db):
    """80 wrong guesses from 8 threads at once, each from a session of its own: each check and its count follow one
    another under the write lock, so exactly 50 are checked and 30 refused unchecked."""
    ms = MeetingStore(db, Clock())
    mt = ms.create("S1", PERIOD, ITEMS, 2)

    def guess(n: int) -> str:
        return reason(ms.ballot, mt.code, wrong_code(mt.vote_codes, n), session=f"t{n}")

    with cf.ThreadPoolExecutor(8) as pool:
        got = list(pool.map(guess, range(80)))
    assert (got.count("unknown_voter"), got.count("locked")) == (50, 30)
    assert attempts(db) == 50


def test_a_meeting_lock_expires_an_hour_after_the_oldest_failure_that_keeps_it(db):
    clock = Clock()
    ms = MeetingStore(db, clock)
    mt = ms.create("S1", PERIOD, ITEMS, 2)
    for n in range(50):                                      # failures at 09:00:00 ... 09:00:49, fresh sessions
        reason(ms.ballot, mt.code, wrong_code(mt.vote_codes, n), session=f"x{n}")
        clock.tick(seconds=1)
    clock.t = T0 + timedelta(minutes=59, seconds=59)
    assert reason(ms.ballot, mt.code, mt.vote_codes[0], session="late") == "locked"
    clock.t = T0 + timedelta(hours=1)                        # 09:00:00 has left the window: 49 remain
    assert ms.ballot(mt.code, mt.vote_codes[0], session="late")["code"] == mt.code
    # and one more failure locks it again until 09:00:01 + 1 h
    reason(ms.ballot, mt.code, wrong_code(mt.vote_codes, 50), session="late2")
    assert ms.lockout(mt.code, mt.key).until == T0 + timedelta(hours=1, seconds=1)


def test_codes_that_name_no_meeting_share_one_budget_that_locks_every_meetings_new_phones(db, monkeypatch):
    monkeypatch.setattr(codes_mod, "UNKNOWN_LIMIT", 6)      # the rule, not the number: 6 keeps the test short
    clock = Clock()
    ms = MeetingStore(db, clock)
    mt = ms.create("S1", PERIOD, ITEMS, 2)
    for n in range(6):
        assert reason(ms.ballot, f"NOPE{n:02d}", "ABCDEF", session=f"g{n}") == "no_meeting"
        clock.tick(seconds=1)
    assert reason(ms.ballot, mt.code, mt.vote_codes[0], session="fresh") == "locked"
    lock = ms.lockout(mt.code, mt.key)
    assert (lock.failures, lock.unknown_failures, lock.unknown_limit, lock.unknown_locked, lock.locked) == (
        0, 6, 6, True, False)
    ms.lift(mt.code, mt.key)
    clock.tick(seconds=1)
    assert ms.ballot(mt.code, mt.vote_codes[0], session="fresh")["code"] == mt.code


def test_join_codes_of_workshops_rounds_and_studies_count_against_the_session(db):
    clock = Clock()
    stores = [(WorkshopStore(db, clock), WorkshopError, lambda s, c, sess: s.join(c, "Ann", "residents", session=sess)),
              (RaterStore(db, clock), RaterError, lambda s, c, sess: s.join(c, "王", session=sess)),
              (DelphiStore(db, clock), DelphiError, lambda s, c, sess: s.join(c, "专家", session=sess))]
    for k, (store, error, join) in enumerate(stores):
        session = f"phone-{k}"
        for n in range(4):
            reason(join, store, f"NOPE{n:02d}", session, error=error)
            clock.tick(seconds=1)
        reason(store.status, "NOPE99", session=session, error=error)        # the fifth, through status
        assert reason(store.status, "NOPE98", session=session, error=error) == "locked_session"
        assert reason(join, store, "NOPE97", session, error=error) == "locked_session"
    assert db.execute("SELECT kind, count(*) FROM live_attempts GROUP BY kind ORDER BY kind").fetchall() == [
        ("delphi", 5), ("raters", 5), ("workshop", 5)]
    # without a session (a phone that got in, a test, a script on the server) nothing is counted
    reason(stores[0][0].status, "NOPE96", error=WorkshopError)
    assert attempts(db) == 15
    # the workshop facilitator sees the shared budget and lifts the sessions it locked
    ws = stores[0][0]
    w = ws.create(WORKSHOP_SCHEME, "t")
    assert ws.lockout(w.code, w.facilitator_key).unknown_failures == 5
    clock.tick(seconds=1)
    ws.lift(w.code, w.facilitator_key)
    assert ws.join(w.code, "Ann", "residents", session="phone-0").display_name == "Ann"


def test_a_rounds_and_a_studys_lead_see_a_locked_tablet_and_lift_it(db):
    """Every wrong round or study code names nothing, so the lock-out a lead sees is the kind's: the tablets locked
    after 5 wrong codes, and the shared budget; the lead's key lifts both, and nothing else can."""
    clock = Clock()
    scheme = catalog.builtin("needs-met")
    rs, ds = RaterStore(db, clock), DelphiStore(db, clock)
    rnd = rs.create(scheme, ["S1"], date(2024, 6, 30))
    study = ds.create(scheme, [i.id for i in scheme.indicators][:2])
    cases = [(rs, RaterError, rnd.code, rnd.lead_key, lambda c, sess: rs.join(c, "王", session=sess)),
             (ds, DelphiError, study.code, study.key, lambda c, sess: ds.join(c, "专家", session=sess))]
    for store, error, code, key, join in cases:
        assert not store.lockout(code, key).any
        for n in range(5):
            assert reason(join, f"NOPE{n:02d}", "tablet", error=error) in ("no_round", "no_study")
            clock.tick(seconds=1)
        assert reason(join, code, "tablet", error=error) == "locked_session"        # the right code, unchecked
        lock = store.lockout(code, key)
        assert (lock.sessions_locked, lock.unknown_failures, lock.unknown_locked, lock.any) == (1, 5, False, True)
        assert reason(store.lockout, code, "not the key", error=error) == "wrong_key"
        assert reason(store.lift, code, "not the key", error=error) == "wrong_key"
        assert reason(store.lockout, "NOPE99", key, error=error) in ("no_round", "no_study")
        clock.tick(seconds=1)
        store.lift(code, key, by="王组长")
        assert not store.lockout(code, key).any
        assert join(code, "tablet").code == code
    assert db.execute("SELECT kind, code, lifted_by FROM live_lifts WHERE code <> '' ORDER BY kind").fetchall() == [
        ("delphi", study.code, "王组长"), ("raters", rnd.code, "王组长")]


def test_guess_rate_and_expected_time_to_a_hit_for_a_500_code_meeting(db):
    """Measured through the engine with the limiter on, by the strongest guesser it allows: a fresh browser session
    for every guess (sessions cost nothing), guessing as fast as the engine answers, retrying a minute later when
    refused. The clock is ours and moves by the real time each call took, so six hours pass in moments."""
    clock = Clock()
    ms = MeetingStore(db, clock)
    mt = ms.create("S1", PERIOD, ITEMS, 500)
    issued = set(mt.vote_codes)
    rng = random.Random(19)
    hours, checked, refused, n = 6, 0, 0, 0
    spent_checked = spent_refused = 0.0
    while clock.t < T0 + timedelta(hours=hours):
        guess = "".join(rng.choice(CODE_ALPHABET) for _ in range(6))
        if guess in issued:
            continue
        n += 1
        start = time.perf_counter()
        try:
            ms.ballot(mt.code, guess, session=f"guesser-{n}")
        except MeetingError as exc:
            took = time.perf_counter() - start
            if exc.reason == "locked":
                refused += 1
                spent_refused += took
                clock.tick(minutes=1)
            else:
                assert exc.reason == "unknown_voter"
                checked += 1
                spent_checked += took
                clock.tick(seconds=took)
    # the sliding hour: 50 at once, then 50 more each time the oldest 50 leave the window
    assert checked == 50 * hours
    per_hour = checked / hours
    space = len(CODE_ALPHABET) ** 6
    guesses = (space + 1) / (500 + 1)                 # expected draws without replacement to the first of 500
    years = guesses / per_hour / (365.25 * 24)
    # for comparison, the same engine call without the limiter (as the app made it before): one guess after another
    start, free = time.perf_counter(), 200
    for _ in range(free):
        with pytest.raises(MeetingError):
            ms.ballot(mt.code, wrong_code(issued, rng.randrange(1000)))
    unlimited = free / (time.perf_counter() - start)
    print(f"\nguess rate: {per_hour:.0f} checked guesses/hour against one meeting (limiter on, {checked} checked and "
          f"{refused} refused unchecked in {hours} h; a checked guess {1000 * spent_checked / checked:.1f} ms, a "
          f"refusal {1000 * spent_refused / max(refused, 1):.1f} ms); expected guesses to a hit on a 500-code meeting "
          f"{guesses:,.0f}: {years:.1f} years at that rate; without the limiter {unlimited:.0f} guesses/s, "
          f"{guesses / unlimited / 3600:.1f} hours")
    assert years > 1


# ------------------------------------------------------------------------------------------ withdrawing a result

def test_a_withdrawn_result_puts_every_score_back_and_the_history_keeps_both(db):
    clock = Clock()
    ms = MeetingStore(db, clock)
    before = score(db, NEEDS_MET, PERIOD)
    mt = ms.create("S1", PERIOD, ITEMS, 4)
    other = ms.create("S1", PERIOD, ITEMS[:1], 1)
    cast(ms, mt)
    ms.vote(other.code, other.vote_codes[0], 0, "no", 1)
    ms.reveal(other.code, other.key, on=HELD)
    kept = score(db, NEEDS_MET, PERIOD)                       # with the other meeting's one row
    assert reason(ms.withdraw, mt.code, mt.key, "计票有误") == "not_revealed"
    ms.reveal(mt.code, mt.key, on=HELD, by="李组长")
    revealed = score(db, NEEDS_MET, PERIOD)
    assert revealed.total["S1"] != kept.total["S1"]
    assert reason(ms.withdraw, mt.code, mt.key, "   ") == "no_reason"
    assert reason(ms.withdraw, mt.code, "not the key", "计票有误") == "wrong_key"
    clock.tick(minutes=5)
    assert ms.withdraw(mt.code, mt.key, " 计票有误：\n有人多投 ", by="王主任") == 5     # cast() wrote 5 rows
    after = score(db, NEEDS_MET, PERIOD)
    for sid in ("S1", "S2", "S3"):
        assert abs(after.total[sid] - kept.total[sid]) <= 1e-12
        assert after.rank[sid] == kept.rank[sid]
    # and without the other meeting, exactly as before either reveal
    ms.withdraw(other.code, other.key, "重开", by="王主任")
    again = score(db, NEEDS_MET, PERIOD)
    assert abs(again.total["S1"] - before.total["S1"]) <= 1e-12
    assert again.raw.loc["S1"].equals(before.raw.loc["S1"])
    assert reason(ms.withdraw, mt.code, mt.key, "again") == "withdrawn"
    assert reason(ms.reveal, mt.code, mt.key, on=HELD) == "withdrawn"
    assert reason(ms.summary, mt.code, mt.key) == "withdrawn"
    assert ms.status(mt.code)["state"] == "withdrawn"
    h = ms.history(mt.code, mt.key)
    assert h.values.tolist() == [["reveal", T0, "李组长", None, 5],
                                 ["withdraw", T0 + timedelta(minutes=5), "王主任", "计票有误： 有人多投", 5]]
    # the votes stay, hidden (5 answers and a skip)
    assert db.execute("SELECT count(*) FROM meeting_votes WHERE code = ?", [mt.code]).fetchall()[0][0] == 6


# ------------------------------------------------------------------------------------------ vote() types

@pytest.mark.parametrize("item_pos", [True, False, 0.0, "0", None])
def test_vote_refuses_an_item_position_that_is_not_an_int(db, item_pos):
    ms = MeetingStore(db)
    mt = ms.create("S1", PERIOD, ITEMS, 1)
    assert reason(ms.vote, mt.code, mt.vote_codes[0], item_pos, "yes", 4) == "bad_item"
    assert db.execute("SELECT count(*) FROM meeting_votes").fetchall()[0][0] == 0


@pytest.mark.parametrize("rating", [5.0, 1.0, True, False, "5", 0, 6, 4.5])
def test_vote_refuses_a_rating_that_is_not_a_whole_number_1_to_5(db, rating):
    ms = MeetingStore(db)
    mt = ms.create("S1", PERIOD, ITEMS, 1)
    assert reason(ms.vote, mt.code, mt.vote_codes[0], 0, "yes", rating) == "bad_answer"
    assert db.execute("SELECT count(*) FROM meeting_votes").fetchall()[0][0] == 0
    ms.vote(mt.code, mt.vote_codes[0], 0, "yes", 5)
    assert db.execute("SELECT rating FROM meeting_votes").fetchall() == [(5,)]
