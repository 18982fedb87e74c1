"""Accounts, one-time sign-in links and remembered sessions, kept in the records database (tables of this module's
own: `users`, `signin_links`, `signin_sessions`, `access_log`).

Passwords are stored as scrypt (hashlib.scrypt, memory-hard, standard library) with a 16-byte random salt and the
parameters beside the hash: `scrypt$n$r$p$salt_hex$hash_hex` (n=2**14, r=8, p=1: 16 MiB and about 50 ms a check).
A sign-in link carries a random 32-byte token; only its SHA-256 is stored (the token has 256 bits of entropy, so a
salt or a slow hash adds nothing); it is bound to one user, used once, and expires after LINK_MINUTES. A
remembered session (the cookie that keeps a browser signed in across reloads) is the same: a random token, stored
hashed, expiring after SESSION_HOURS, ended by signing out or by disabling the user.

Failed password sign-ins are limited: FAIL_LIMIT failures in FAIL_WINDOW for one account name (whether or not an
account has it) or from one browser session pause password sign-in for that name or session, refused before the
account is looked up and without scrypt, in the same words for every name. An attempt is written as a failure
before its scrypt runs (`signin_failures`, so a restart keeps it, and attempts sent at once are counted one after
another) and taken back when it succeeds; a success also clears the name's and the session's failures. One-time
links and remembered sessions are not limited, so a lead whose name is locked on purpose still gets in by a link;
`unlock(name)` (the `users unlock` command) clears a name's failures.

    store = AccountStore(con)                      # a duckdb connection or a records.Store
    store.add("wang", "lead", password="...")      # or no password: sign in by link only
    token = store.link("wang")                     # http://host:8501/?signin=<token>
    user = store.use_link(token)                   # once; AccessError after that, or when expired
    user = store.sign_in("wang", "...")
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from indicators.access.roles import ROLES
from indicators.clock import Moment
from indicators.errors import InputError
from indicators.records.store import writing

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
SALT_BYTES = 16
HASH_BYTES = 32
LINK_MINUTES = 15
SESSION_HOURS = 12
MIN_PASSWORD = 8
# A person who mistypes five times in ten minutes takes a link; a guesser gets 30 tries an hour at one name.
FAIL_LIMIT, FAIL_WINDOW = 5, timedelta(minutes=10)
MAX_NAME = 60
DEMO_LEAD = "demo-lead"

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS users (
        name VARCHAR PRIMARY KEY, role VARCHAR NOT NULL, email VARCHAR, password_hash VARCHAR,
        created_at TIMESTAMP NOT NULL, disabled BOOLEAN NOT NULL DEFAULT FALSE)""",
    """CREATE TABLE IF NOT EXISTS signin_links (
        token_hash VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP NOT NULL, used_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS signin_sessions (
        token_hash VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS access_log (
        "at" TIMESTAMP NOT NULL, name VARCHAR NOT NULL, action VARCHAR NOT NULL, detail VARCHAR)""",
    # one row per password attempt that has not succeeded (yet): the name as typed (cleaned), the browser session
    # ('' when none was given), when, and the attempt's id (to take it back when it succeeds)
    """CREATE TABLE IF NOT EXISTS signin_failures (
        name VARCHAR NOT NULL, session VARCHAR NOT NULL, failed_at TIMESTAMP NOT NULL, attempt VARCHAR NOT NULL)""",
)


class AccessError(InputError):
    """A refused sign-in or a bad account request; `code` names the reason (word tables: err.access.*)."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    email: str | None = None


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


# ---------------------------------------------------------------- passwords

def hash_password(password: str, salt: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R,
                  p: int = SCRYPT_P) -> str:
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=HASH_BYTES,
                            maxmem=256 * n * r)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when `password` matches `stored` (read with the parameters stored beside it)."""
    try:
        kind, n, r, p, salt, digest = (stored or "").split("$")
        n, r, p = int(n), int(r), int(p)
        if kind != "scrypt" or n > 2 ** 20 or r > 32 or p > 16:
            return False
        again = hash_password(password, bytes.fromhex(salt), n, r, p).split("$")[5]
    except ValueError:
        return False
    return hmac.compare_digest(again, digest)


@functools.cache
def _dummy() -> str:
    """The hash an unknown name's password is checked against, so that the answer takes as long as for a known
    one. Made on first need, not at import: 50 ms of CPU that every app start and CLI command paid."""
    return hash_password("not a password of anyone", b"\0" * SALT_BYTES)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def clean_name(name: str) -> str:
    """An account name: trimmed, 1-60 printable characters (no control or format characters)."""
    name = unicodedata.normalize("NFC", str(name or "")).strip()
    if not name or len(name) > MAX_NAME or any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        raise AccessError(code="access.name", params={"max": MAX_NAME})
    return name


class AccountStore:
    """The accounts of one database. `clock` (a function returning a naive UTC datetime) is for tests."""

    def __init__(self, con, clock: Callable[[], datetime] | None = None):
        self._con = con
        self._now = clock or _utcnow
        with writing(con) as cur:
            for sql in _SCHEMA:
                cur.execute(sql)

    def _read(self, sql: str, params: list) -> list[tuple]:
        cur = self._con.cursor()
        try:
            return cur.execute(sql, params).fetchall()
        finally:
            if cur is not self._con:
                cur.close()

    # -------------------------------------------------------------- accounts

    def add(self, name: str, role: str, password: str | None = None, email: str | None = None) -> User:
        name = clean_name(name)
        if role not in ROLES:
            raise AccessError(code="access.role", params={"role": role, "roles": ", ".join(ROLES)})
        if password is not None and len(password) < MIN_PASSWORD:
            raise AccessError(code="access.short_password", params={"min": MIN_PASSWORD})
        email = (email or "").strip().lower() or None
        hashed = hash_password(password) if password is not None else None
        with writing(self._con) as cur:
            if cur.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchall():
                raise AccessError(code="access.exists", params={"name": name})
            if email and cur.execute("SELECT 1 FROM users WHERE email = ?", [email]).fetchall():
                raise AccessError(code="access.email_taken", params={"email": email})
            cur.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, FALSE)", [name, role, email, hashed, self._now()])
        return User(name, role, email)

    def users(self) -> list[dict]:
        rows = self._read("SELECT name, role, email, password_hash IS NOT NULL, created_at, disabled FROM users "
                          "ORDER BY name", [])
        return [{"name": n, "role": r, "email": e, "password": pw, "created_at": c, "disabled": d}
                for n, r, e, pw, c, d in rows]

    def get(self, name: str) -> User | None:
        rows = self._read("SELECT name, role, email FROM users WHERE name = ? AND NOT disabled", [str(name)])
        return User(*rows[0]) if rows else None

    def _existing(self, cur, name: str) -> tuple:
        rows = cur.execute("SELECT name, role, email, disabled FROM users WHERE name = ?", [name]).fetchall()
        if not rows:
            raise AccessError(code="access.no_user", params={"name": name})
        return rows[0]

    def disable(self, name: str) -> None:
        """No more sign-ins for `name`: its links and remembered sessions end too."""
        with writing(self._con) as cur:
            self._existing(cur, name)
            cur.execute("UPDATE users SET disabled = TRUE WHERE name = ?", [name])
            cur.execute("DELETE FROM signin_links WHERE name = ?", [name])
            cur.execute("DELETE FROM signin_sessions WHERE name = ?", [name])

    def set_password(self, name: str, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise AccessError(code="access.short_password", params={"min": MIN_PASSWORD})
        with writing(self._con) as cur:
            self._existing(cur, name)
            cur.execute("UPDATE users SET password_hash = ? WHERE name = ?", [hash_password(password), name])

    # -------------------------------------------------------------- signing in

    def sign_in(self, name: str, password: str, session: str | None = None) -> User:
        """The user, when the name is an enabled account with this password; one refusal for every other case
        (unknown name, wrong password, no password set, disabled), after the same scrypt work. While the name, or
        the browser `session`, has FAIL_LIMIT failures in FAIL_WINDOW, refused at once (access.locked): no account
        is looked up and no scrypt runs, so the refusal and its time are the same for every name."""
        key = unicodedata.normalize("NFC", str(name or "")).strip()
        session = str(session or "")
        attempt = secrets.token_hex(8)
        with writing(self._con) as cur:       # the check and the attempt's count, one after another
            until = self._locked_until(cur, key, session)
            if until is not None:
                raise AccessError(code="access.locked", params={"limit": FAIL_LIMIT, "until": Moment(until),
                                                                "minutes": int(FAIL_WINDOW.total_seconds() // 60)})
            cur.execute("DELETE FROM signin_failures WHERE failed_at <= ?", [self._now() - FAIL_WINDOW])
            cur.execute("INSERT INTO signin_failures VALUES (?, ?, ?, ?)", [key, session, self._now(), attempt])
            rows = cur.execute("SELECT name, role, email, password_hash, disabled FROM users WHERE name = ?",
                               [key]).fetchall()
        stored = rows[0][3] if rows else None
        ok = verify_password(str(password or ""), stored or _dummy())      # outside the write lock: 50 ms of CPU
        if not rows or not stored or not ok or rows[0][4]:
            raise AccessError(code="access.wrong")
        with writing(self._con) as cur:       # it succeeded: the name's and this session's failures are forgiven
            cur.execute("DELETE FROM signin_failures WHERE attempt = ? OR name = ? OR (session = ? AND session <> '')",
                        [attempt, key, session])
        return User(*rows[0][:3])

    def _locked_until(self, cur, name: str, session: str) -> datetime | None:
        """When password sign-in opens again for `name` or `session` (the later of the two), None when open."""
        ends = []
        for column, value in (("name", name), ("session", session)):
            if not value:
                continue
            ats = [r[0] for r in cur.execute(f"SELECT failed_at FROM signin_failures WHERE {column} = ? AND "
                                             "failed_at > ? ORDER BY failed_at",
                                             [value, self._now() - FAIL_WINDOW]).fetchall()]
            if len(ats) >= FAIL_LIMIT:
                ends.append(ats[len(ats) - FAIL_LIMIT] + FAIL_WINDOW)
        return max(ends) if ends else None

    def unlock(self, name: str) -> int:
        """Clear the failed sign-ins of `name` (an account): password sign-in is open again. Returns how many."""
        with writing(self._con) as cur:
            self._existing(cur, name)
            n = cur.execute("SELECT count(*) FROM signin_failures WHERE name = ?", [name]).fetchall()[0][0]
            cur.execute("DELETE FROM signin_failures WHERE name = ?", [name])
        return int(n)

    def by_email(self, email: str | None) -> User | None:
        """The enabled account whose email is `email` (a sign-in through the identity provider)."""
        if not email:
            return None
        rows = self._read("SELECT name, role, email FROM users WHERE email = ? AND NOT disabled",
                          [email.strip().lower()])
        return User(*rows[0]) if rows else None

    def link(self, name: str, minutes: float = LINK_MINUTES) -> str:
        """A one-time sign-in token for `name` (an enabled account), valid for `minutes`."""
        token = secrets.token_urlsafe(32)
        now = self._now()
        with writing(self._con) as cur:
            if self._existing(cur, name)[3]:
                raise AccessError(code="access.disabled", params={"name": name})
            cur.execute("DELETE FROM signin_links WHERE expires_at < ?", [now])
            cur.execute("INSERT INTO signin_links VALUES (?, ?, ?, ?, NULL)",
                        [_token_hash(token), name, now, now + timedelta(minutes=minutes)])
        return token

    def use_link(self, token: str) -> User:
        """The link's user, once: a used, expired or unknown token (or a disabled user) is refused."""
        now = self._now()
        if not self._read("SELECT 1 FROM signin_links WHERE token_hash = ?", [_token_hash(str(token or ""))]):
            raise AccessError(code="access.link")     # an unknown token takes no write lock
        with writing(self._con) as cur:
            rows = cur.execute("SELECT l.name, l.expires_at, l.used_at, u.role, u.email, u.disabled FROM signin_links l "
                               "JOIN users u USING (name) WHERE l.token_hash = ?",
                               [_token_hash(str(token or ""))]).fetchall()
            if not rows:
                raise AccessError(code="access.link")
            name, expires, used, role, email, disabled = rows[0]
            if used is not None:
                raise AccessError(code="access.link_used")
            if expires < now:
                raise AccessError(code="access.link_expired", params={"minutes": LINK_MINUTES})
            if disabled:
                raise AccessError(code="access.link")
            cur.execute("UPDATE signin_links SET used_at = ? WHERE token_hash = ?", [now, _token_hash(token)])
        return User(name, role, email)

    # -------------------------------------------------------------- remembered sessions

    def new_session(self, user: User, hours: float = SESSION_HOURS) -> str:
        token = secrets.token_urlsafe(32)
        now = self._now()
        with writing(self._con) as cur:
            cur.execute("DELETE FROM signin_sessions WHERE expires_at < ?", [now])
            cur.execute("INSERT INTO signin_sessions VALUES (?, ?, ?, ?)",
                        [_token_hash(token), user.name, now, now + timedelta(hours=hours)])
        return token

    def session_user(self, token: str | None) -> User | None:
        if not token:
            return None
        rows = self._read("SELECT u.name, u.role, u.email FROM signin_sessions s JOIN users u USING (name) "
                          "WHERE s.token_hash = ? AND s.expires_at >= ? AND NOT u.disabled",
                          [_token_hash(token), self._now()])
        return User(*rows[0]) if rows else None

    def end_session(self, token: str | None) -> None:
        if token:
            with writing(self._con) as cur:
                cur.execute("DELETE FROM signin_sessions WHERE token_hash = ?", [_token_hash(token)])

    # -------------------------------------------------------------- the record of who did what

    def log(self, name: str, action: str, detail: str = "") -> None:
        with writing(self._con) as cur:
            cur.execute("INSERT INTO access_log VALUES (?, ?, ?, ?)", [self._now(), name, action, detail])

    def history(self) -> list[tuple]:
        return self._read('SELECT "at", name, action, detail FROM access_log ORDER BY "at"', [])

    # -------------------------------------------------------------- the demo

    def demo_link(self) -> str:
        """The demo's lead account (made once, no password) and a fresh one-time link for it."""
        if not self._read("SELECT 1 FROM users WHERE name = ?", [DEMO_LEAD]):
            self.add(DEMO_LEAD, "lead")
        return self.link(DEMO_LEAD)


def signin_url(token: str, base_url: str = "http://localhost:8501/") -> str:
    return f"{base_url.rstrip('/')}/?signin={token}"
