"""Residents' evaluation meeting (居民评议会): a facilitator opens a meeting on one station's needs and activities of an
assessment period and hands out single-use voting codes; residents answer from their phones whether each need was
met (yes / no / unsure) and rate it 1-5; nothing is readable until the facilitator reveals; then the votes land in
`feedback` (channel evaluation_meeting, no resident id) and the station's needs-met score and rank before and after
are kept with the meeting.

No streamlit here. `MeetingStore` keeps meetings in DuckDB beside the records, writes through `records.writing`
(one lock, one transaction) and reads with a fresh cursor, like the rating rounds. Rules: docs/meeting.md.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pandas as pd

from indicators.live.codes import UNKNOWN, Codes, Lockout
from indicators.live.panel import new_code
from indicators.live.workshop import CODE_ALPHABET, WorkshopError, _clean_code, _now
from indicators.records.store import writing
from indicators.scheme import catalog
from indicators.scheme.model import Scheme
from indicators.scoring.engine import score
from indicators.scoring.measures import Period

__all__ = ["ANSWERS", "KINDS", "MAX_CODES", "VOTE_CODE_LENGTH", "MeetingError", "Meeting", "MeetingStore",
           "item_stats", "dated_on"]

ANSWERS = ("yes", "no", "unsure")     # 是 / 否 / 不清楚; "unsure" is stored as need_met NULL with its rating
KINDS = ("need", "activity")
ITEM_STATUSES = ("resolved", "in_progress")   # needs a meeting can evaluate: something was done about them
CHANNEL = "evaluation_meeting"
SCHEME_ID = "needs-met"
VOTE_CODE_LENGTH = 6                  # read aloud in two groups of three: "K7Q-2MX"
MAX_CODES = 500
MAX_ITEMS = 30
MAX_COMMENT = 300
MAX_REASON = 500
RATINGS = (1, 2, 3, 4, 5)
KIND = "meeting"                      # the attempt limiter's name for meetings (indicators/live/codes.py)


class MeetingError(WorkshopError):
    """A refused meeting action; `reason` is a stable code for translated messages (as for workshops)."""


@dataclass(frozen=True)
class Meeting:
    """What `create` hands the facilitator: keep `key` (shown once, stored as a hash) and print `vote_codes` now
    (they are stored only as hashes too, so they cannot be printed again)."""
    code: str
    key: str
    vote_codes: tuple[str, ...]


class _InTransaction:
    """Lets the scoring engine read through the write transaction's own cursor, so it sees rows not yet committed."""

    def __init__(self, cur):
        self._cur = cur

    def cursor(self):
        return self._cur


def dated_on(period_start: date, period_end: date, held_on: date) -> date:
    """The day a meeting's feedback rows carry: the meeting day, or the period's last day when the meeting is held
    after the period ends (its first day when before), so the votes count toward the period they judge and the
    station's score for that period, on any page, includes them. The meeting keeps its real day."""
    return min(max(held_on, period_start), period_end)


def item_stats(votes: pd.DataFrame, n_items: int) -> list[dict]:
    """Per item position 0..n_items-1, from votes (columns item_pos, met, rating, comment; a row with neither
    answer is a skip and counts for nothing): votes, met_yes, met_no, met_unsure, n_ratings, rating_mean, comments."""
    out = []
    for pos in range(n_items):
        v = votes[(votes["item_pos"] == pos) & (votes["met"].notna() | votes["rating"].notna())]
        ratings = v["rating"].dropna().astype(float)
        out.append({"votes": len(v), "met_yes": int((v["met"] == "yes").sum()), "met_no": int((v["met"] == "no").sum()),
                    "met_unsure": int((v["met"] == "unsure").sum()), "n_ratings": len(ratings),
                    "rating_mean": float(ratings.mean()) if len(ratings) else None,
                    "comments": int(v["comment"].fillna("").str.strip().ne("").sum())})
    return out


_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS meetings (
        code VARCHAR PRIMARY KEY, title VARCHAR, station_id VARCHAR, period_start DATE, period_end DATE,
        items VARCHAR, key_hash VARCHAR, state VARCHAR, tokens_issued INTEGER, held_on DATE, outcome VARCHAR,
        created_at TIMESTAMP, updated_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS meeting_codes (code VARCHAR, vote_hash VARCHAR, PRIMARY KEY (code, vote_hash))""",
    """CREATE TABLE IF NOT EXISTS meeting_votes (
        code VARCHAR, vote_hash VARCHAR, item_pos INTEGER, met VARCHAR, rating INTEGER, comment VARCHAR,
        voted_at TIMESTAMP, PRIMARY KEY (code, vote_hash, item_pos))""",
    # what happened to a meeting's result: its reveal and its withdrawal, each kept (nothing is overwritten)
    """CREATE TABLE IF NOT EXISTS meeting_events (
        code VARCHAR, event VARCHAR, happened_at TIMESTAMP, by_whom VARCHAR, reason VARCHAR, feedback_rows INTEGER)""",
)


def _today() -> date:
    return datetime.now(timezone.utc).date()


def _vote_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(VOTE_CODE_LENGTH))


class MeetingStore:
    """Evaluation meetings in DuckDB (tables meetings, meeting_codes, meeting_votes, made if missing), on a
    connection or records.Store the caller owns. Safe from many threads, like `WorkshopStore`."""

    def __init__(self, con, clock=None):
        self._con = con
        with writing(con) as cur:
            for sql in _SCHEMA:
                cur.execute(sql)
            self._codes = Codes(cur, clock)

    # -------------------------------------------------------------- plumbing

    def _meeting(self, cur, code) -> dict:
        clean = _clean_code(code)
        rows = cur.execute("SELECT code, title, station_id, period_start, period_end, items, key_hash, state, "
                           "tokens_issued, held_on, outcome FROM meetings WHERE code = ?", [clean]).fetchall()
        if not rows:
            raise MeetingError(f"no evaluation meeting with code {clean or code!r}", "no_meeting", code=clean,
                               attempt=UNKNOWN)
        m = dict(zip(("code", "title", "station_id", "period_start", "period_end", "items", "key_hash", "state",
                      "tokens_issued", "held_on", "outcome"), rows[0]))
        m["items"] = json.loads(m["items"])
        m["outcome"] = json.loads(m["outcome"]) if m["outcome"] else None
        return m

    def _facilitator(self, m: dict, key) -> None:
        if not self._codes.same(key, m["key_hash"]):
            raise MeetingError(f"wrong facilitator key for meeting {m['code']}", "wrong_key", code=m["code"])

    def _voter(self, cur, m: dict, vote_code) -> str:
        """The stored hash of `vote_code` in meeting `m` (keyed, or bare for a code issued before the key)."""
        clean = _clean_code(vote_code)
        if clean:
            found = cur.execute("SELECT vote_hash FROM meeting_codes WHERE code = ? AND vote_hash IN (?, ?)",
                                [m["code"], *self._codes.forms(clean)]).fetchall()
            if found:
                return found[0][0]
        raise MeetingError(f"{clean or vote_code!r} is not a voting code of meeting {m['code']}", "unknown_voter",
                           code=m["code"], attempt=m["code"])

    def _admit(self, cur, code, vote_code, session) -> tuple[dict, str]:
        """(meeting, stored hash of the voting code); for a browser session, refused unchecked while it or the
        meeting is locked out (indicators/live/codes.py)."""
        self._codes.refuse_locked(cur, KIND, None, session, MeetingError)
        m = self._meeting(cur, code)
        self._codes.refuse_locked(cur, KIND, m["code"], session, MeetingError)
        return m, self._voter(cur, m, vote_code)

    def _read(self, fn):
        cur = self._con.cursor()
        try:
            return fn(cur)
        finally:
            cur.close()

    # -------------------------------------------------------------- what can be evaluated

    def candidates(self, station_id: str, period: Period) -> pd.DataFrame:
        """What a meeting on the station and period can evaluate: its needs resolved or in progress (raised by the
        period's end, not resolved before it began) and its activities held in the period. Columns kind, id,
        title, on (raised or held), status ('' for activities), weight (a need's urgency x households affected,
        the order in which a facilitator would pick them; 0 for activities)."""
        start, end = period.params()
        sql = ("SELECT 'need' AS kind, need_id AS id, title, raised_on AS on_, status, "
               "coalesce(urgency, 0) * coalesce(households_affected, 0) FROM needs "
               "WHERE station_id = ? AND status IN (?, ?) AND raised_on <= ? AND (resolved_on IS NULL OR resolved_on >= ?) "
               "UNION ALL SELECT 'activity', activity_id, title, held_on, '', 0 FROM activities "
               "WHERE station_id = ? AND held_on BETWEEN ? AND ? ORDER BY kind DESC, on_, id")
        rows = self._read(lambda cur: cur.execute(sql, [station_id, *ITEM_STATUSES, end, start, station_id, start,
                                                        end]).fetchall())
        return pd.DataFrame(rows, columns=["kind", "id", "title", "on", "status", "weight"])

    # -------------------------------------------------------------- facilitator

    def create(self, station_id: str, period: Period, items, n_codes: int, title: str = "") -> Meeting:
        """Open a meeting on `items` ((kind, id) pairs, in the order residents will see them) with `n_codes`
        single-use voting codes. Each item must be one of `candidates(station_id, period)`."""
        if not isinstance(period.start, date) or not isinstance(period.end, date) or period.start > period.end:
            raise MeetingError("choose an assessment period with a start and an end", "bad_period")
        try:
            n_codes = int(n_codes)
        except (TypeError, ValueError):
            n_codes = 0
        if not 1 <= n_codes <= MAX_CODES:
            raise MeetingError(f"ask for 1 to {MAX_CODES} voting codes, not {n_codes}", "bad_count")
        wanted = list(dict.fromkeys((str(k), str(i)) for k, i in items))
        if not wanted or len(wanted) > MAX_ITEMS:
            raise MeetingError(f"choose 1 to {MAX_ITEMS} needs or activities to evaluate", "no_items")
        station = self._read(lambda cur: cur.execute("SELECT 1 FROM stations WHERE station_id = ?",
                                                     [station_id]).fetchall())
        if not station:
            raise MeetingError(f"unknown station {station_id!r}", "no_station")
        offered = {(r.kind, r.id): r for r in self.candidates(station_id, period).itertuples()}
        bad = [f"{k} {i}" for k, i in wanted if (k, i) not in offered]
        if bad:
            raise MeetingError(f"not an item station {station_id} can evaluate for {period}: {', '.join(bad)}",
                               "bad_item")
        chosen = [{"kind": k, "id": i, "title": offered[(k, i)].title or i, "on": str(offered[(k, i)].on)}
                  for k, i in wanted]
        (key, key_hash), now = self._codes.new_secret(), _now()
        codes: list[str] = []
        while len(codes) < n_codes:
            c = _vote_code()
            if c not in codes:
                codes.append(c)
        with writing(self._con) as cur:
            code = new_code(cur, "meetings")
            cur.execute("INSERT INTO meetings VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, NULL, NULL, ?, ?)",
                        [code, str(title or "").strip()[:80], station_id, period.start, period.end,
                         json.dumps(chosen, ensure_ascii=False), key_hash, n_codes, now, now])
            cur.executemany("INSERT INTO meeting_codes VALUES (?, ?)", [[code, self._codes.hash(c)] for c in codes])
        return Meeting(code, key, tuple(codes))

    def check_key(self, code, key) -> str:
        """The meeting's clean code when `key` is its facilitator key (resuming from another tab), else MeetingError."""
        m = self._read(lambda cur: self._meeting(cur, code))
        self._facilitator(m, key)
        return m["code"]

    def close(self, code, key) -> None:
        """Stop the voting (the votes stay hidden)."""
        self._set_state(code, key, "closed", frm=("open",))

    def reopen(self, code, key) -> None:
        self._set_state(code, key, "open", frm=("closed",))

    def _set_state(self, code, key, state: str, frm: tuple[str, ...]) -> None:
        with writing(self._con) as cur:
            m = self._meeting(cur, code)
            self._facilitator(m, key)
            if m["state"] not in frm:
                raise MeetingError(f"meeting {m['code']} is {m['state']}", m["state"], code=m["code"])
            cur.execute("UPDATE meetings SET state = ?, updated_at = ? WHERE code = ?", [state, _now(), m["code"]])

    def progress(self, code, key) -> dict:
        """For the facilitator while voting runs: codes issued, turnout (codes that answered something) and how
        many answered each item; never what they answered."""
        def read(cur):
            m = self._meeting(cur, code)
            self._facilitator(m, key)
            per = dict(cur.execute("SELECT item_pos, count(*) FROM meeting_votes WHERE code = ? AND (met IS NOT NULL "
                                   "OR rating IS NOT NULL) GROUP BY item_pos", [m["code"]]).fetchall())
            return m, per, self._turnout(cur, m["code"])
        m, per, turnout = self._read(read)
        return {"tokens_issued": m["tokens_issued"], "turnout": turnout,
                "answered": [int(per.get(n, 0)) for n in range(len(m["items"]))]}

    @staticmethod
    def _turnout(cur, code: str) -> int:
        return int(cur.execute("SELECT count(DISTINCT vote_hash) FROM meeting_votes WHERE code = ? AND (met IS NOT "
                               "NULL OR rating IS NOT NULL)", [code]).fetchall()[0][0])

    def reveal(self, code, key, scheme: Scheme | None = None, on: date | None = None, by: str = "") -> dict:
        """Close the voting and publish it: score the station under `scheme` (needs-met by default) over the
        meeting's scoring window, write every answered vote as a `feedback` row dated `on` (today, UTC, by
        default), score again, and keep turnout, per-item counts and both scores with the meeting. One
        transaction: all of it or nothing, and kept in the meeting's history (`by`: who revealed it, as text until
        the app has sign-in). Returns the summary."""
        scheme = scheme or catalog.builtin(SCHEME_ID)
        on = on or _today()
        with writing(self._con) as cur:
            m = self._meeting(cur, code)
            self._facilitator(m, key)
            if m["state"] in ("revealed", "withdrawn"):
                raise MeetingError(f"meeting {m['code']} is already {m['state']}", m["state"], code=m["code"])
            votes = pd.DataFrame(cur.execute("SELECT item_pos, met, rating, comment FROM meeting_votes WHERE code = ?",
                                             [m["code"]]).fetchall(), columns=["item_pos", "met", "rating", "comment"])
            stats = item_stats(votes, len(m["items"]))
            window = Period(m["period_start"], m["period_end"])
            before = score(_InTransaction(cur), scheme, window)
            dated = dated_on(m["period_start"], m["period_end"], on)
            rows = self._feedback_rows(m, votes, dated)
            if rows:   # in one statement: executemany took 21 s for 15,000 rows, holding the write lock all along
                self._insert_feedback(cur, rows)
            after = score(_InTransaction(cur), scheme, window)
            sid = m["station_id"]
            yes, no = sum(s["met_yes"] for s in stats), sum(s["met_no"] for s in stats)
            outcome = {"held_on": on.isoformat(), "turnout": self._turnout(cur, m["code"]), "items": stats,
                       "share_met": yes / (yes + no) if yes + no else None, "feedback_rows": len(rows),
                       "scored_from": window.start.isoformat(), "scored_to": window.end.isoformat(),
                       "dated_on": dated.isoformat(),
                       "scheme_id": scheme.id, "scheme_name_zh": scheme.name_zh, "scheme_name_en": scheme.name_en,
                       "score_before": float(before.total[sid]), "score_after": float(after.total[sid]),
                       "rank_before": int(before.rank[sid]), "rank_after": int(after.rank[sid]),
                       "n_stations": int(len(after.total))}
            cur.execute("UPDATE meetings SET state = 'revealed', held_on = ?, outcome = ?, updated_at = ? WHERE code = ?",
                        [on, json.dumps(outcome), _now(), m["code"]])
            cur.execute("INSERT INTO meeting_events VALUES (?, 'reveal', ?, ?, NULL, ?)",
                        [m["code"], self._codes.clock(), str(by or "").strip()[:80], len(rows)])
        return self.summary(code, key)

    def withdraw(self, code, key, reason: str, by: str = "") -> int:
        """Take back a revealed meeting's result: delete the feedback rows its reveal wrote (by their ids, which
        carry the meeting's code), so every score is again what it was before the reveal, and keep the withdrawal
        (who, when, why, how many rows) beside the reveal in the history. The votes stay, hidden; the meeting is
        final (state withdrawn): it cannot be revealed or withdrawn again. Returns the rows deleted."""
        reason = " ".join(str(reason or "").split())
        if not reason:
            raise MeetingError("say why the result is withdrawn (the history keeps it)", "no_reason")
        with writing(self._con) as cur:
            m = self._meeting(cur, code)
            self._facilitator(m, key)
            if m["state"] == "withdrawn":
                raise MeetingError(f"the result of meeting {m['code']} is already withdrawn", "withdrawn",
                                   code=m["code"])
            if m["state"] != "revealed":
                raise MeetingError(f"meeting {m['code']} has no revealed result to withdraw", "not_revealed",
                                   code=m["code"])
            # The reveal's ids are CODE-item-seq; the code's alphabet has no LIKE wildcard in it.
            where = "feedback_id LIKE ? AND station_id = ? AND channel = ?"
            params = [f"{m['code']}-%", m["station_id"], CHANNEL]
            n = int(cur.execute(f"SELECT count(*) FROM feedback WHERE {where}", params).fetchall()[0][0])
            cur.execute(f"DELETE FROM feedback WHERE {where}", params)
            cur.execute("UPDATE meetings SET state = 'withdrawn', updated_at = ? WHERE code = ?", [_now(), m["code"]])
            cur.execute("INSERT INTO meeting_events VALUES (?, 'withdraw', ?, ?, ?, ?)",
                        [m["code"], self._codes.clock(), str(by or "").strip()[:80], reason[:MAX_REASON], n])
        return n

    def history(self, code, key) -> pd.DataFrame:
        """What happened to the meeting's result, oldest first: event (reveal, withdraw), at (UTC), by, reason,
        feedback_rows (written by a reveal, deleted by a withdrawal)."""
        def read(cur):
            m = self._meeting(cur, code)
            self._facilitator(m, key)
            return cur.execute("SELECT event, happened_at, by_whom, reason, feedback_rows FROM meeting_events WHERE "
                               "code = ? ORDER BY happened_at, event", [m["code"]]).fetchall()
        df = pd.DataFrame(self._read(read), columns=["event", "at", "by", "reason", "feedback_rows"])
        # a reveal has no reason: None, not NaN
        df["reason"] = df["reason"].astype(object).where(df["reason"].notna(), None)
        return df

    @staticmethod
    def _insert_feedback(cur, rows: list[list]) -> None:
        cols = ["feedback_id", "station_id", "resident_id", "given_on", "channel", "activity_id", "need_id", "rating",
                "need_met", "comment"]
        df = pd.DataFrame(rows, columns=cols)
        df["rating"] = df["rating"].astype("Int64")
        for c in ("resident_id", "activity_id", "need_id", "need_met", "comment"):   # all-None columns stay text
            df[c] = df[c].astype(object)
        name = "reveal_feedback_rows"
        cur.register(name, df)
        try:
            cur.execute(f"INSERT INTO feedback ({', '.join(cols)}) SELECT feedback_id, station_id, "
                        f"CAST(resident_id AS VARCHAR), CAST(given_on AS DATE), channel, CAST(activity_id AS VARCHAR), "
                        f"CAST(need_id AS VARCHAR), CAST(rating AS INTEGER), CAST(need_met AS VARCHAR), "
                        f"CAST(comment AS VARCHAR) FROM {name}")
        finally:
            cur.unregister(name)

    @staticmethod
    def _feedback_rows(m: dict, votes: pd.DataFrame, on: date) -> list[list]:
        """One feedback row per answered vote, no resident id. Rows are numbered by item, then by answer, so the
        order of voting (who came first) cannot be read from the ids."""
        answered = votes[votes["met"].notna() | votes["rating"].notna()].copy()
        answered["order_met"] = answered["met"].map({"yes": 0, "no": 1, "unsure": 2}).fillna(3)
        answered["order_rating"] = answered["rating"].fillna(0)
        answered = answered.sort_values(["item_pos", "order_met", "order_rating"], kind="stable")
        rows, seq = [], {}
        for v in answered.itertuples():
            item = m["items"][int(v.item_pos)]
            seq[v.item_pos] = seq.get(v.item_pos, 0) + 1
            need_met = v.met if v.met in ("yes", "no") else None
            rating = None if pd.isna(v.rating) else int(v.rating)
            comment = str(v.comment).strip() if isinstance(v.comment, str) and v.comment.strip() else None
            rows.append([f"{m['code']}-{int(v.item_pos) + 1:02d}-{seq[v.item_pos]:03d}", m["station_id"], None, on,
                         CHANNEL, item["id"] if item["kind"] == "activity" else None,
                         item["id"] if item["kind"] == "need" else None, rating, need_met, comment])
        return rows

    def summary(self, code, key) -> dict:
        """The published outcome of a revealed meeting, the dict the public notice renders (MEETING_CONTRACT):
        no comment text, no resident id."""
        def read(cur):
            m = self._meeting(cur, code)
            self._facilitator(m, key)
            names = cur.execute("SELECT name, name_en FROM stations WHERE station_id = ?", [m["station_id"]]).fetchall()
            return m, names[0] if names else (m["station_id"], m["station_id"])
        m, (name_zh, name_en) = self._read(read)
        o = self._revealed(m)
        items = [{"kind": it["kind"], "id": it["id"], "title": it["title"], **s} for it, s in zip(m["items"], o["items"])]
        return {"code": m["code"], "title": m["title"] or "", "station_id": m["station_id"],
                "station_name_zh": name_zh or m["station_id"], "station_name_en": name_en or name_zh or m["station_id"],
                "period_start": m["period_start"], "period_end": m["period_end"],
                "held_on": date.fromisoformat(o["held_on"]), "tokens_issued": int(m["tokens_issued"]),
                "turnout": o["turnout"], "items": items, "share_met": o["share_met"],
                "scheme_id": o["scheme_id"], "scheme_name_zh": o["scheme_name_zh"],
                "scheme_name_en": o["scheme_name_en"], "score_before": o["score_before"],
                "score_after": o["score_after"], "rank_before": o["rank_before"], "rank_after": o["rank_after"],
                "n_stations": o["n_stations"]}

    @staticmethod
    def _revealed(m: dict) -> dict:
        if m["state"] == "withdrawn":
            raise MeetingError(f"the result of meeting {m['code']} was withdrawn", "withdrawn", code=m["code"])
        if m["state"] != "revealed" or not m["outcome"]:
            raise MeetingError(f"the votes of meeting {m['code']} stay hidden until the facilitator reveals them",
                               "hidden", code=m["code"])
        return m["outcome"]

    def scoring(self, code, key) -> dict:
        """How the before/after scores were made: the window scored (from, to) and feedback rows written."""
        m = self._read(lambda cur: self._meeting(cur, code))
        self._facilitator(m, key)
        o = self._revealed(m)
        return {"scored_from": date.fromisoformat(o["scored_from"]), "scored_to": date.fromisoformat(o["scored_to"]),
                "dated_on": date.fromisoformat(o["dated_on"]), "feedback_rows": o["feedback_rows"]}

    def comments(self, code, key) -> pd.DataFrame:
        """After the reveal, for the facilitator and the station (never published): item position and comment text."""
        def read(cur):
            m = self._meeting(cur, code)
            self._facilitator(m, key)
            self._revealed(m)
            return cur.execute("SELECT item_pos, comment FROM meeting_votes WHERE code = ? AND comment IS NOT NULL AND "
                               "(met IS NOT NULL OR rating IS NOT NULL) ORDER BY item_pos, comment",
                               [m["code"]]).fetchall()
        return pd.DataFrame(self._read(read), columns=["item_pos", "comment"])

    # -------------------------------------------------------------- residents

    def ballot(self, code, vote_code, session: str | None = None) -> dict:
        """What a phone shows: the meeting, its station's names, its items and which of them this code has already
        answered (never how, nor anyone else's answers). `session`: the browser session that typed or opened the codes, for its
        first check (the app passes it until the code got in); its failures are counted and it is refused
        unchecked while it or the meeting is locked out."""
        def read(cur):
            m, h = self._admit(cur, code, vote_code, session)
            done = {r[0] for r in cur.execute("SELECT item_pos FROM meeting_votes WHERE code = ? AND vote_hash = ?",
                                              [m["code"], h]).fetchall()}
            names = cur.execute("SELECT name, name_en FROM stations WHERE station_id = ?", [m["station_id"]]).fetchall()
            return m, done, names[0] if names else (None, None)
        if session is None:
            m, done, (name_zh, name_en) = self._read(read)
        else:
            with self._codes.counting(self._con, KIND, session) as cur:
                m, done, (name_zh, name_en) = read(cur)
        return {"code": m["code"], "title": m["title"], "station_id": m["station_id"], "station_name_zh": name_zh,
                "station_name_en": name_en, "state": m["state"], "items": m["items"], "done": sorted(done)}

    def vote(self, code, vote_code, item_pos: int, met: str | None, rating: int | None, comment: str = "",
             session: str | None = None) -> None:
        """One code's answer on one item, once, while the meeting is open. `met` is yes / no / unsure or None,
        `rating` a whole number 1-5 (an int: 5.0 and True are refused) or None; with neither, the item is skipped
        (nothing will be written for it). `item_pos` is an int (not a bool). `session` as for `ballot`."""
        if met is not None and met not in ANSWERS:
            raise MeetingError(f"answer must be one of {', '.join(ANSWERS)}, got {met!r}", "bad_answer")
        # type(), not isinstance: True is an int and 5.0 == 5, and neither is a rating someone gave
        if rating is not None and (type(rating) is not int or rating not in RATINGS):
            raise MeetingError(f"rating must be a whole number 1 to 5, got {rating!r}", "bad_answer")
        if type(item_pos) is not int:
            raise MeetingError(f"item position must be a whole number, got {item_pos!r}", "bad_item")
        comment = str(comment or "").strip()[:MAX_COMMENT] or None
        if met is None and rating is None:
            comment = None
        with self._codes.counting(self._con, KIND, session) as cur:
            if session is None and self._vote_at_once(cur, code, vote_code, item_pos, met, rating, comment):
                return
            m, h = self._admit(cur, code, vote_code, session)
            if m["state"] != "open":
                raise MeetingError(f"voting in meeting {m['code']} is closed", "closed", code=m["code"])
            if not 0 <= item_pos < len(m["items"]):
                raise MeetingError(f"meeting {m['code']} has no item {item_pos!r}", "bad_item", code=m["code"])
            if cur.execute("SELECT 1 FROM meeting_votes WHERE code = ? AND vote_hash = ? AND item_pos = ?",
                           [m["code"], h, item_pos]).fetchall():
                raise MeetingError(f"this code has already voted on item {item_pos + 1} of meeting {m['code']}",
                                   "used", code=m["code"])
            cur.execute("INSERT INTO meeting_votes VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [m["code"], h, item_pos, met, rating, comment, _now()])

    def _vote_at_once(self, cur, code, vote_code, item_pos: int, met, rating, comment) -> bool:
        """The usual vote in one statement: written (True) when the code is the meeting's, the meeting open, the item
        its own and not yet answered by the code; otherwise nothing is written (False) and `vote` finds out why.
        A room's phones send at once and each write holds the one write lock: one call to the database instead of
        four keeps each short (a call that gives up the GIL may wait milliseconds to get it back)."""
        clean = _clean_code(vote_code)
        if not clean or item_pos < 0:
            return False
        return bool(cur.execute(
            "INSERT INTO meeting_votes SELECT m.code, c.vote_hash, ?, ?, ?, ?, ? FROM meetings m JOIN meeting_codes c "
            "ON c.code = m.code AND c.vote_hash IN (?, ?) WHERE m.code = ? AND m.state = 'open' "
            "AND ? < json_array_length(m.items) AND NOT EXISTS (SELECT 1 FROM meeting_votes v WHERE v.code = m.code "
            "AND v.vote_hash = c.vote_hash AND v.item_pos = ?) RETURNING 1",
            [item_pos, met, rating, comment, _now(), *self._codes.forms(clean), _clean_code(code), item_pos,
             item_pos]).fetchall())

    # -------------------------------------------------------------- wrong codes

    def lockout(self, code, key) -> Lockout:
        """For the facilitator: wrong voting codes tried on this meeting and whether new phones are refused
        (and of meeting codes that name no meeting, which lock every meeting's new phones)."""
        def read(cur):
            m = self._meeting(cur, code)
            self._facilitator(m, key)
            return self._codes.lockout(cur, KIND, m["code"])
        return self._read(read)

    def lift(self, code, key, by: str = "") -> None:
        """Let new phones in again: the wrong codes tried so far count no more (see `Codes.lift`)."""
        with writing(self._con) as cur:
            m = self._meeting(cur, code)
            self._facilitator(m, key)
            self._codes.lift(cur, KIND, m["code"], by)

    # -------------------------------------------------------------- everyone

    def status(self, code) -> dict:
        """Public: the meeting, its station, period, items and state, codes issued and turnout; no vote content."""
        def read(cur):
            m = self._meeting(cur, code)
            names = cur.execute("SELECT name, name_en FROM stations WHERE station_id = ?", [m["station_id"]]).fetchall()
            return m, names[0] if names else (m["station_id"], m["station_id"]), self._turnout(cur, m["code"])
        m, (name_zh, name_en), turnout = self._read(read)
        return {"code": m["code"], "title": m["title"], "station_id": m["station_id"],
                "station_name_zh": name_zh, "station_name_en": name_en, "period_start": m["period_start"],
                "period_end": m["period_end"], "state": m["state"], "items": m["items"],
                "tokens_issued": m["tokens_issued"], "turnout": turnout, "held_on": m["held_on"]}
