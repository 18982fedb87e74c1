"""What every live process does with the codes and secrets it hands out: hash them with a key of this database, and
refuse a browser session or a meeting (workshop, round, study) that has had too many wrong codes.

No streamlit here. Rules and the figures behind the limits: docs/security.md, promise 7.

Hashing: HMAC-SHA256 under a random 32-byte key made once per database (meta 'live_code_secret', created by the
first store to open the database, inside its schema transaction) and written "h1:<hex>". A table of all 32^6 codes
made once no longer serves every database. Anyone holding the file holds the key too (as with the resident salt):
the key stops shared tables, not the holder of the file. Hashes stored before the key existed are bare SHA-256 hex;
they cannot be migrated (the codes themselves were never stored), so a secret is checked against the old form only
when the stored hash is in the old form, which only rows written before the key can be.

Attempts: a check that the caller makes on behalf of a browser session (`session` given) is refused without
checking while that session has SESSION_LIMIT failures in SESSION_WINDOW, or while the target (the meeting, or, for
codes that name nothing, every code of that kind) has TARGET_LIMIT (UNKNOWN_LIMIT) failures in TARGET_WINDOW. Only
failures are written (table live_attempts), so a restart keeps them and a refused attempt writes nothing. A check made
for a session runs in a write transaction with its count (`counting`), so guesses sent at once cannot slip past a
limit. A facilitator's lift (table live_lifts) makes the failures before it count no more.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from indicators.records.store import writing

__all__ = ["SECRET_KEY", "PREFIX", "SESSION_LIMIT", "SESSION_WINDOW", "TARGET_LIMIT", "TARGET_WINDOW",
           "UNKNOWN_LIMIT", "UNKNOWN", "Codes", "Lockout", "legacy_hash", "utc_now"]

SECRET_KEY = "live_code_secret"
PREFIX = "h1:"
# A phone that mistypes five times in ten minutes is a person to help, not one to let go on guessing.
SESSION_LIMIT, SESSION_WINDOW = 5, timedelta(minutes=10)
# Sessions are free to make, so the target's own limit is what bounds a guesser: 50 an hour against one meeting
# leaves a 500-code meeting's codes out of reach for years (docs/security.md), while a room of residents who
# mistype now and then stays well under it.
TARGET_LIMIT, TARGET_WINDOW = 50, timedelta(hours=1)
# Codes that name no meeting (workshop, round, study) at all: one budget per kind for everyone, since a guesser of
# join codes has no target to count against.
UNKNOWN_LIMIT = 100
UNKNOWN = ""          # the target code under which failures on codes that name nothing are counted

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    # one row per failed check made for a browser session; `code` is the target's clean code or UNKNOWN
    "CREATE TABLE IF NOT EXISTS live_attempts (kind VARCHAR, code VARCHAR, session VARCHAR, tried_at TIMESTAMP)",
    # a facilitator lifted the lock-out of (kind, code): failures before `lifted_at` count no more
    "CREATE TABLE IF NOT EXISTS live_lifts (kind VARCHAR, code VARCHAR, lifted_at TIMESTAMP, lifted_by VARCHAR)",
)
_EPOCH = datetime(1970, 1, 1)


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def legacy_hash(secret: str) -> str:
    """The unsalted form stored before the database had its key."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Lockout:
    """What a facilitator sees: failures counted now (since the window began or the last lift) against the limit,
    whether new phones are refused and until when (None: not locked), and how many browser sessions are locked
    after failing on this target."""
    failures: int
    limit: int
    locked: bool
    until: datetime | None
    sessions_locked: int
    unknown_failures: int
    unknown_limit: int
    unknown_locked: bool
    unknown_until: datetime | None

    @property
    def any(self) -> bool:
        return self.locked or self.unknown_locked or self.sessions_locked > 0


class Codes:
    """The database's hashing key and attempt limiter, for one store. Made inside the store's schema transaction
    (`cur`), so the key and the tables exist before the store's first action; `clock` gives naive UTC times."""

    def __init__(self, cur, clock: Callable[[], datetime] | None = None):
        for sql in _SCHEMA:
            cur.execute(sql)
        cur.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT DO NOTHING", [SECRET_KEY, secrets.token_hex(32)])
        self._key = bytes.fromhex(cur.execute("SELECT value FROM meta WHERE key = ?", [SECRET_KEY]).fetchall()[0][0])
        self.clock = clock or utc_now

    # -------------------------------------------------------------- hashing

    def hash(self, secret: str) -> str:
        return PREFIX + hmac.new(self._key, secret.encode("utf-8"), hashlib.sha256).hexdigest()

    def forms(self, secret: str) -> list[str]:
        """Every stored form `secret` may have: keyed, and the bare SHA-256 of rows written before the key (a bare
        form can never equal a keyed one, so the second matches old rows only)."""
        return [self.hash(secret), legacy_hash(secret)]

    def same(self, secret, stored: str | None) -> bool:
        if not isinstance(secret, str) or not secret or not stored:
            return False
        mine = self.hash(secret) if stored.startswith(PREFIX) else legacy_hash(secret)
        return hmac.compare_digest(mine, stored)

    def new_secret(self) -> tuple[str, str]:
        """(secret to hand out once, its hash to store)."""
        token = secrets.token_urlsafe(24)
        return token, self.hash(token)

    # -------------------------------------------------------------- attempts

    def _since(self, cur, kind: str, code: str, window: timedelta) -> datetime:
        lifted = cur.execute("SELECT max(lifted_at) FROM live_lifts WHERE kind = ? AND code = ?",
                             [kind, code]).fetchall()[0][0]
        return max(self.clock() - window, lifted or _EPOCH)

    def _target(self, cur, kind: str, code: str) -> tuple[int, datetime | None]:
        """(failures counted against the target, when its lock ends or None when not locked)."""
        limit = UNKNOWN_LIMIT if code == UNKNOWN else TARGET_LIMIT
        since = self._since(cur, kind, code, TARGET_WINDOW)
        ats = [r[0] for r in cur.execute("SELECT tried_at FROM live_attempts WHERE kind = ? AND code = ? AND "
                                         "tried_at > ? ORDER BY tried_at", [kind, code, since]).fetchall()]
        return len(ats), (ats[len(ats) - limit] + TARGET_WINDOW if len(ats) >= limit else None)

    def _session(self, cur, session: str) -> tuple[int, datetime | None]:
        ats = [r[0] for r in cur.execute(
            "SELECT a.tried_at FROM live_attempts a LEFT JOIN (SELECT kind, code, max(lifted_at) AS lifted "
            "FROM live_lifts GROUP BY kind, code) l ON l.kind = a.kind AND l.code = a.code WHERE a.session = ? AND a.tried_at > ? "
            "AND (l.lifted IS NULL OR a.tried_at > l.lifted) ORDER BY a.tried_at",
            [session, self.clock() - SESSION_WINDOW]).fetchall()]
        return len(ats), (ats[len(ats) - SESSION_LIMIT] + SESSION_WINDOW if len(ats) >= SESSION_LIMIT else None)

    def refuse_locked(self, cur, kind: str, code: str | None, session: str | None, error: type) -> None:
        """Raise `error` (reason locked_session or locked) when a check for `session` must be refused unchecked:
        before the target is known (`code` None), for the session and for codes of this kind that name nothing;
        then, with the target's clean code, for the target."""
        if session is None:
            return
        if code is None:
            if self._session(cur, session)[1] is not None:
                raise error("too many wrong codes from this browser session; wait or ask the facilitator",
                            "locked_session")
            code = UNKNOWN
        if self._target(cur, kind, code)[1] is not None:
            raise error("too many wrong codes were tried here; the facilitator can lift the lock-out", "locked",
                        code=code)

    @contextmanager
    def counting(self, con, kind: str, session: str | None):
        """A write transaction around an action that checks a code for `session`. A wrong code (an error whose
        details carry `attempt`: the target's clean code, or UNKNOWN) is kept in this same transaction, which then
        commits, and the error is raised after. Checks and counts thus follow one another under the write lock, so
        guesses sent at once are never checked past a limit. The action must check its code before it writes
        anything else. Without a session it is a plain write transaction."""
        failure = None
        with writing(con) as cur:
            try:
                yield cur
            except Exception as exc:
                code = getattr(exc, "details", {}).get("attempt")
                if session is None or code is None:
                    raise
                cur.execute("INSERT INTO live_attempts VALUES (?, ?, ?, ?)", [kind, code, str(session), self.clock()])
                failure = exc
        if failure is not None:
            raise failure

    def lockout(self, cur, kind: str, code: str) -> Lockout:
        """What the facilitator of `code` sees. Sessions locked count those that failed on the target or on codes
        of its kind that name nothing: a lift frees both (a round's, study's or workshop's wrong codes all name
        nothing, so a tablet locked there would be out of sight otherwise)."""
        failures, until = self._target(cur, kind, code)
        unknown, unknown_until = self._target(cur, kind, UNKNOWN)
        sessions = set()
        for target in dict.fromkeys((code, UNKNOWN)):
            since = self._since(cur, kind, target, SESSION_WINDOW)
            sessions.update(r[0] for r in cur.execute("SELECT DISTINCT session FROM live_attempts WHERE kind = ? AND "
                                                      "code = ? AND tried_at > ?", [kind, target, since]).fetchall())
        locked = sum(1 for s in sessions if self._session(cur, s)[1] is not None)
        return Lockout(failures, TARGET_LIMIT, until is not None, until, locked, unknown, UNKNOWN_LIMIT,
                       unknown_until is not None, unknown_until)

    def lift(self, cur, kind: str, code: str, by: str = "") -> None:
        """Lift the lock-out of the target and of codes of its kind that name nothing; sessions locked by failures
        on either are free again."""
        now, by = self.clock(), str(by or "").strip()[:80]
        cur.executemany("INSERT INTO live_lifts VALUES (?, ?, ?, ?)", [[kind, code, now, by], [kind, UNKNOWN, now, by]])
