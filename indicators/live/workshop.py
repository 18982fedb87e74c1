"""The weighting workshop: a facilitator opens a workshop on a scheme, participants weigh it from their phones,
the room sees where stakeholder groups agree and differ, and the aggregated weights become a scheme.

No streamlit here. One `WorkshopStore` per process (the app keeps it in `st.cache_resource`); every method is
safe to call from many threads at once: reads take a fresh cursor, writes go through `records.writing` (one lock,
one transaction). Rules, formulas and an example: docs/workshop.md.
"""
from __future__ import annotations

import json
import math
import re
import secrets
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from indicators.errors import InputError
from indicators.scheme.model import Provenance, Scheme, SchemeError, dump_yaml, load_yaml, validate
from indicators.live.codes import UNKNOWN, Codes
from indicators.records.store import Store, connect, writing

__all__ = [
    "GROUPS", "GROUP_LABELS", "LEVELS", "MEANS", "BALANCES", "CODE_ALPHABET", "CODE_LENGTH", "FLOOR",
    "PULL_TOLERANCE", "MIN_GROUP", "WorkshopError", "Workshop", "Participant", "WorkshopResult", "WorkshopStore",
    "check_weights", "normalise_weights", "aggregate", "rankings", "group_label", "OTHER", "shown_groups",
]

GROUPS = ("residents", "community_workers", "social_workers", "civil_affairs", "evaluators")
GROUP_LABELS: dict[str, dict[str, str]] = {
    "residents": {"zh": "居民代表", "en": "Residents' representatives"},
    "community_workers": {"zh": "社区工作者", "en": "Community workers"},
    "social_workers": {"zh": "社会工作者", "en": "Social workers"},
    "civil_affairs": {"zh": "民政部门", "en": "Civil-affairs bureau"},
    "evaluators": {"zh": "第三方评估方", "en": "Evaluators"},
}
LEVELS = ("dimension", "indicator")
MEANS = ("geometric", "arithmetic")
BALANCES = ("participants", "groups")

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O, no 1/I: read aloud and typed on a phone
CODE_LENGTH = 6
FLOOR = 0.005            # geometric mean: a weight below half a point of 100 counts as half a point
PULL_TOLERANCE = 0.005   # a group "pulls" an item only when its weight differs from the overall by more than this
MIN_GROUP = 3            # public status after reveal: aggregates of fewer submissions than this are withheld
                         # (with two, either person could work out the other's weights from the mean)
MAX_NAME = 40
OTHER = "other"          # shared screens pool the groups smaller than min_group under this name
KIND = "workshop"        # the attempt limiter's name for workshops (indicators/live/codes.py)


def group_label(group: str, lang: str = "zh") -> str:
    return GROUP_LABELS[group]["zh" if lang == "zh" else "en"]


class WorkshopError(InputError):
    """A refused workshop action. `reason` is a stable code for the UI to translate; the message says which."""

    def __init__(self, message: str, reason: str = "invalid", **details):
        super().__init__(message)
        self.reason, self.details = reason, details


@dataclass(frozen=True)
class Workshop:
    """What `create` hands the facilitator. Keep `facilitator_key`: it is shown once and stored only as a hash."""
    code: str
    facilitator_key: str
    scheme_id: str
    title: str
    level: str
    items: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class Participant:
    """What `join` hands a participant. `participant_token` is their secret (keep it in the phone's session)."""
    participant_id: str
    participant_token: str
    code: str
    display_name: str
    group: str


@dataclass(frozen=True)
class WorkshopResult:
    """The aggregation of a workshop's submissions, everything the room needs to see, item by item.

    weights      overall weights per item (sum 1)
    by_group     {group: weights per item (sum 1)} for every group with at least one submission
    participants normalised weights, one row per submitting participant (participant_id index; `group` column)
    dispersion   per item: mean, min, max, std and cv across participants (each participant's normalised weights,
                 population std, cv = std / mean), group_spread = max - min of the group weights, group_high and
                 group_low (which groups those are)
    difference   items x groups: group weight - overall weight
    pulls        per item: `up` and `down`, the groups whose weight is above / below the overall by more than
                 `tolerance`, largest difference first
    floored      geometric mean only: how many participant weights were raised to `floor` (zeros among them)
    min_group, submitted   after `shared`: the smallest group shown, and each group's submissions before pooling
    """
    code: str
    scheme: Scheme
    level: str
    mean: str
    balance: str
    floor: float
    tolerance: float
    n_submissions: int
    n_by_group: dict[str, int]
    items: pd.DataFrame
    weights: pd.Series
    by_group: dict[str, pd.Series]
    participants: pd.DataFrame
    dispersion: pd.DataFrame
    difference: pd.DataFrame
    pulls: pd.DataFrame
    floored: int
    note: str
    min_group: int = 1                                              # set by `shared`: the smallest group shown
    submitted: dict[str, int] = field(default_factory=dict)        # submissions per group, before any pooling

    def table(self, lang: str = "en") -> pd.DataFrame:
        """One row per item: name, overall, each group's weight, cv, group spread, who pulls up / down."""
        name = self.items["name_zh" if lang == "zh" else "name_en"]
        df = pd.DataFrame({"name": name, "overall": self.weights})
        for g, w in self.by_group.items():
            df[g] = w
        df["cv"] = self.dispersion["cv"]
        df["group_spread"] = self.dispersion["group_spread"]
        df["up"] = self.pulls["up"]
        df["down"] = self.pulls["down"]
        return df

    def weight_kwargs(self, group: str | None = None) -> dict[str, dict[str, float]]:
        """`dimension_weights` / `indicator_weights` for `Scheme.with_weights` or `ScoreResult.reweighted`.

        Weights are written as points out of 100, rounded to 4 decimals (scoring normalises them again).
        Indicator level: a dimension's weight is the sum of its indicators' weights, and each indicator keeps its
        flat weight, so the scheme's effective weights equal the workshop's (a dimension that got nothing keeps
        its indicators' old weights inside it; its effective weight is 0 all the same).
        """
        if group is None:
            w = self.weights
        elif group in self.by_group:
            w = self.by_group[group]
        else:
            raise WorkshopError(f"no submissions from group {group!r} in workshop {self.code}", "unknown_group",
                                group=group)
        points = {k: round(float(v) * 100, 4) for k, v in w.items()}
        if self.level == "dimension":
            return {"dimension_weights": points, "indicator_weights": {}}
        # At every level a dimension weighs what its indicators got in all, so the products along each path
        # come back to the flat weights whatever the depth of the scheme.
        dims, inds = {}, {}
        for d in self.scheme.nodes():
            total = sum(float(w[i]) for i in leaves_of(d))
            dims[d.id] = round(total * 100, 4) if total > 0 else 0.0
            if total > 0:
                inds.update({i.id: points[i.id] for i in d.indicators})
        return {"dimension_weights": dims, "indicator_weights": inds}

    def shared(self, min_group: int = MIN_GROUP) -> WorkshopResult:
        """What a shared screen (the projector) or an export may show: the same rule as the phones, nothing that
        rests on fewer than `min_group` people. Groups smaller than that are pooled as OTHER; a pool still too
        small is withheld (see `shown_groups`). The overall weights are unchanged; each participant's row and the
        per-item min / max (one person's values) are dropped; cv only with more than `min_group` people."""
        groups = self.participants["group"]
        norm = self.participants.drop(columns="group")
        size = groups.map(groups.value_counts())
        pooled = groups.where(size >= min_group, OTHER)
        n = {str(g): int(k) for g, k in pooled.value_counts().items()}
        keep = shown_groups(n, min_group)
        parts = aggregate(norm, pooled, self.mean, self.balance, self.floor, self.tolerance)
        by_group = {g: parts["by_group"][g] for g in parts["by_group"] if g in keep}
        difference = pd.DataFrame({g: w - self.weights for g, w in by_group.items()}, index=self.weights.index)
        up = [tuple(g for g in difference.columns[np.argsort(-row, kind="stable")] if row[g] > self.tolerance)
              for _, row in difference.iterrows()]
        down = [tuple(g for g in difference.columns[np.argsort(row, kind="stable")] if row[g] < -self.tolerance)
                for _, row in difference.iterrows()]
        gm = pd.DataFrame(by_group, index=self.weights.index)
        disp = self.dispersion.drop(columns=["min", "max"]).copy()
        disp["group_spread"] = (gm.max(axis=1) - gm.min(axis=1)) if len(by_group) else 0.0
        disp["group_high"] = gm.idxmax(axis=1) if len(by_group) else None
        disp["group_low"] = gm.idxmin(axis=1) if len(by_group) else None
        if self.n_submissions <= min_group:   # with that few, mean and spread pin down the others' values
            disp["cv"] = np.nan
        return replace(self, n_by_group={g: n.get(g, 0) for g in (*GROUPS, OTHER)}, by_group=by_group,
                       participants=self.participants.iloc[0:0], dispersion=disp, difference=difference,
                       pulls=pd.DataFrame({"up": up, "down": down}, index=self.weights.index),
                       min_group=min_group, submitted={str(g): int(k) for g, k in groups.value_counts().items()})

    def comparison(self) -> tuple[str, dict] | None:
        """Why a shared screen (`shared`) compares no groups, in a reason and its details; None when it shows two
        or more. The counts per group are public (the live panel shows them); only weights are pooled or withheld.

        ("one_group", {k, group, n})   one group has submitted
        ("pooled", {k, pooled})        every group has fewer than k people: they are shown together as OTHER
                                       (pooled: submissions per group)
        ("withheld", {k, counts, shown}) otherwise: groups held back so that no one's weights can be worked out
        """
        if len(self.by_group) >= 2:
            return None
        counts = {g: self.submitted[g] for g in (*GROUPS, OTHER) if self.submitted.get(g)}
        k = self.min_group
        if len(counts) == 1:
            (group, n), = counts.items()
            return "one_group", {"k": k, "group": group, "n": n}
        if list(self.by_group) == [OTHER] and all(n < k for n in counts.values()):
            return "pooled", {"k": k, "pooled": counts}
        return "withheld", {"k": k, "counts": counts, "shown": list(self.by_group)}

    def scheme_for(self, group: str | None = None) -> Scheme:
        """The workshop's scheme with the overall (or one group's) weights applied; same id."""
        return self.scheme.with_weights(**self.weight_kwargs(group))


# ------------------------------------------------------------------------------------------ weights, pure

def _items_text(items: Sequence[str]) -> str:
    return ", ".join(items)


def check_weights(weights: Mapping[str, float], items: Sequence[str], level: str = "dimension") -> dict[str, float]:
    """The raw weights as floats, in item order, or WorkshopError naming the id at fault.

    Keys must be exactly `items`; values numbers (or numeric text), finite, not negative, not all zero.
    """
    what = "dimensions" if level == "dimension" else "indicators"
    if not isinstance(weights, Mapping):
        raise WorkshopError(f"weights must be a mapping of {level} id to a number, got {type(weights).__name__}",
                            "bad_weights")
    unknown = [str(k) for k in weights if k not in items]
    if unknown:
        raise WorkshopError(f"unknown {level} id(s) {', '.join(repr(u) for u in unknown)}; this workshop weighs "
                            f"the {what} {_items_text(items)}", "bad_weights", ids=unknown)
    missing = [k for k in items if k not in weights]
    if missing:
        raise WorkshopError(f"missing weight for {', '.join(repr(m) for m in missing)} (give 0 for no weight)",
                            "bad_weights", ids=missing)
    out = {}
    for k in items:
        v = weights[k]
        if isinstance(v, bool) or v is None:
            raise WorkshopError(f"weight for {k!r} must be a number, got {v!r}", "bad_weights", ids=[k])
        try:
            x = float(v.strip() if isinstance(v, str) else v)
        except (TypeError, ValueError):
            raise WorkshopError(f"weight for {k!r} must be a number, got {v!r}", "bad_weights", ids=[k]) from None
        if not math.isfinite(x):
            raise WorkshopError(f"weight for {k!r} must be a finite number, got {v!r}", "bad_weights", ids=[k])
        if x < 0:
            raise WorkshopError(f"weight for {k!r} must not be negative, got {x:g}", "bad_weights", ids=[k])
        out[k] = x
    total = sum(out.values())
    if total <= 0:
        raise WorkshopError(f"all weights ({_items_text(items)}) are zero; give at least one a positive weight",
                            "bad_weights", ids=list(items))
    if not math.isfinite(total):
        raise WorkshopError("weights are too large to add up; use points out of 100", "bad_weights", ids=list(items))
    return out


def shown_groups(n: Mapping[str, int], min_group: int = MIN_GROUP) -> list[str]:
    """The groups whose aggregate may be shown to the room, given each group's number of submissions: those of
    at least `min_group`, less the smallest of them while the withheld rest holds 1 to min_group - 1 people (the
    overall and the shown groups together would give that rest away)."""
    shown = sorted((g for g in n if n[g] >= min_group), key=lambda g: (n[g], _order(g)))
    while shown and 0 < sum(n[g] for g in n if g not in shown) < min_group:
        shown.pop(0)
    return shown


def _order(g: str) -> int:
    return GROUPS.index(g) if g in GROUPS else len(GROUPS)


def normalise_weights(raw: Mapping[str, float]) -> dict[str, float]:
    total = sum(raw.values())
    return {k: v / total for k, v in raw.items()}


def _mean(m: np.ndarray, how: str, floor: float) -> tuple[np.ndarray, int]:
    """Column means of a rows-sum-to-1 matrix, renormalised to sum 1; and how many cells the floor raised."""
    if how == "arithmetic":
        v = m.mean(axis=0)
        return v / v.sum(), 0
    floored = int((m < floor).sum())
    v = np.exp(np.log(np.maximum(m, floor)).mean(axis=0))
    return v / v.sum(), floored


def aggregate(normalised: pd.DataFrame, groups: pd.Series, mean: str = "geometric", balance: str = "participants",
              floor: float = FLOOR, tolerance: float = PULL_TOLERANCE) -> dict:
    """Pure aggregation of participants' normalised weights (rows sum to 1; `groups` gives each row's group).

    Returns weights, by_group, dispersion, difference, pulls, floored (see WorkshopResult).
    balance "participants": every participant counts once (the mean over all rows).
    balance "groups": each group first (its own mean), then the same mean over the groups, so a group of one
    counts as much as a group of twenty.
    """
    if mean not in MEANS:
        raise WorkshopError(f"mean must be one of {', '.join(MEANS)}; got {mean!r}", "bad_option")
    if balance not in BALANCES:
        raise WorkshopError(f"balance must be one of {', '.join(BALANCES)}; got {balance!r}", "bad_option")
    if not 0 < floor < 1:
        raise WorkshopError(f"floor must be between 0 and 1, got {floor!r}", "bad_option")
    if normalised.empty:
        raise WorkshopError("no submissions yet", "no_submissions")
    items = list(normalised.columns)
    m = normalised.to_numpy(dtype=float)
    g_of = np.asarray(groups, dtype=object)
    present = [g for g in GROUPS if (g_of == g).any()] + sorted(set(g_of) - set(GROUPS))
    gm = np.vstack([_mean(m[g_of == g], mean, floor)[0] for g in present])        # groups x items
    if balance == "participants":
        overall, floored = _mean(m, mean, floor)
    else:
        overall, _ = _mean(gm, mean, floor)
        floored = int((m < floor).sum()) if mean == "geometric" else 0
    avg, std = m.mean(axis=0), m.std(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(avg > 0, std / avg, 0.0)
    diff = gm - overall                                                              # groups x items
    names = np.array(present, dtype=object)
    dispersion = pd.DataFrame({
        "mean": avg, "min": m.min(axis=0), "max": m.max(axis=0), "std": std, "cv": cv,
        "group_spread": gm.max(axis=0) - gm.min(axis=0),
        "group_high": names[gm.argmax(axis=0)], "group_low": names[gm.argmin(axis=0)],
    }, index=items)
    up, down = [], []
    for j in range(len(items)):
        order = np.argsort(-diff[:, j], kind="stable")
        up.append(tuple(present[k] for k in order if diff[k, j] > tolerance))
        down.append(tuple(present[k] for k in order[::-1] if diff[k, j] < -tolerance))
    weights = pd.Series(overall, index=items, name="weight")
    by_group = {g: pd.Series(gm[k], index=items, name=g) for k, g in enumerate(present)}
    difference = pd.DataFrame(diff.T, index=items, columns=present)
    pulls = pd.DataFrame({"up": up, "down": down}, index=items)
    return {"weights": weights, "by_group": by_group, "dispersion": dispersion, "difference": difference,
            "pulls": pulls, "floored": floored}


def rankings(scored, result: WorkshopResult) -> pd.DataFrame:
    """What each group's weights do to the ranking: stations x (scheme, workshop, each group) ranks.

    `scored` is a `scoring.ScoreResult` of the workshop's scheme (or one with the same dimensions and
    indicators); re-weighting is numpy on its cached matrices, never a new query.
    """
    out = {"scheme": scored.rank, "workshop": scored.reweighted(**result.weight_kwargs()).rank}
    for g in result.by_group:
        out[g] = scored.reweighted(**result.weight_kwargs(g)).rank
    df = pd.DataFrame(out)
    df.insert(0, "name", scored.stations["name"])
    return df.sort_values(["workshop", "name"])


# ------------------------------------------------------------------------------------------ the store

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS workshops (
        code VARCHAR PRIMARY KEY, title VARCHAR, scheme_id VARCHAR, scheme_yaml VARCHAR, level VARCHAR,
        items VARCHAR, key_hash VARCHAR, state VARCHAR, revealed BOOLEAN, reveal_mean VARCHAR,
        reveal_balance VARCHAR, min_group INTEGER, created_at TIMESTAMP, updated_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS workshop_participants (
        participant_id VARCHAR PRIMARY KEY, code VARCHAR, display_name VARCHAR, name_key VARCHAR,
        group_id VARCHAR, token_hash VARCHAR, joined_at TIMESTAMP, UNIQUE (code, name_key))""",
    """CREATE TABLE IF NOT EXISTS workshop_submissions (
        participant_id VARCHAR PRIMARY KEY, code VARCHAR, weights VARCHAR, submitted_at TIMESTAMP,
        revision INTEGER)""",
)


def leaves_of(d) -> list[str]:
    """The ids of the indicators under dimension `d` at any depth, in scheme order."""
    return [i.id for i in d.indicators] + [x for sub in d.dimensions for x in leaves_of(sub)]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _clean_code(code) -> str:
    return re.sub(r"[\s\-]", "", str(code or "")).upper()


def _name_key(name: str) -> str:
    """Two display names are the same when they match ignoring case, width and spacing."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


@dataclass
class _Row:
    code: str
    title: str
    scheme_id: str
    scheme_yaml: str
    level: str
    items: list[dict]
    key_hash: str
    state: str
    revealed: bool
    reveal_mean: str
    reveal_balance: str
    min_group: int
    created_at: datetime
    updated_at: datetime

    @property
    def ids(self) -> list[str]:
        return [i["id"] for i in self.items]


_ROW_COLS = "code, title, scheme_id, scheme_yaml, level, items, key_hash, state, revealed, reveal_mean, " \
            "reveal_balance, min_group, created_at, updated_at"


class WorkshopStore:
    """Workshops in DuckDB: tables workshops, workshop_participants, workshop_submissions (created if missing).

    Give a database path (the store opens and owns a connection) or an open connection (the
    caller keeps owning it); `disconnect()` or a `with` block closes what the store opened. Secrets
    (facilitator key, participant tokens) are stored only as HMAC-SHA256 hashes under the database's key
    (indicators/live/codes.py).
    """

    def __init__(self, db: str | Path | duckdb.DuckDBPyConnection, clock=None):
        if isinstance(db, (duckdb.DuckDBPyConnection, Store)):
            self._con, self._owned = db, False
        else:
            self._con, self._owned = connect(db), True
        self._schemes: dict[str, Scheme] = {}
        self._schemes_lock = threading.Lock()
        with writing(self._con) as cur:
            for sql in _SCHEMA:
                cur.execute(sql)
            self._codes = Codes(cur, clock)

    def disconnect(self) -> None:
        """Close the connection if the store opened it (a connection you passed in stays yours)."""
        if self._owned:
            self._con.close()

    def __enter__(self) -> WorkshopStore:
        return self

    def __exit__(self, *exc) -> None:
        self.disconnect()

    # -------------------------------------------------------------- plumbing

    @contextmanager
    def _reading(self):
        """A fresh cursor in a read transaction: one consistent snapshot per operation, safe from any thread."""
        cur = self._con.cursor()
        try:
            cur.execute("BEGIN TRANSACTION")
            yield cur
        finally:
            try:
                cur.execute("ROLLBACK")
            finally:
                cur.close()

    @staticmethod
    def _row(cur, code) -> _Row:
        clean = _clean_code(code)
        rows = cur.execute(f"SELECT {_ROW_COLS} FROM workshops WHERE code = ?", [clean]).fetchall()
        if not rows:
            raise WorkshopError(f"no workshop with code {clean or code!r}; check the code on the facilitator's "
                                f"screen", "no_workshop", code=clean, attempt=UNKNOWN)
        r = list(rows[0])
        r[5] = json.loads(r[5])
        return _Row(*r)

    def _facilitator(self, row: _Row, key) -> None:
        if not self._codes.same(key, row.key_hash):
            raise WorkshopError(f"wrong facilitator key for workshop {row.code}", "wrong_key", code=row.code)

    def _participant(self, cur, row: _Row, token) -> tuple[str, str, str]:
        """(participant_id, display_name, group) of the token's holder in this workshop."""
        if isinstance(token, str) and token:
            rows = cur.execute("SELECT participant_id, display_name, group_id, token_hash FROM workshop_participants "
                               "WHERE code = ? AND token_hash IN (?, ?)",
                               [row.code, *self._codes.forms(token)]).fetchall()
            if rows and self._codes.same(token, rows[0][3]):
                return rows[0][0], rows[0][1], rows[0][2]
        raise WorkshopError(f"unknown participant token for workshop {row.code}; join the workshop first",
                            "unknown_participant", code=row.code)

    @staticmethod
    def _open(row: _Row, action: str) -> None:
        if row.state != "open":
            raise WorkshopError(f"workshop {row.code} is closed: {action} is not possible now; ask the facilitator "
                                f"to reopen it", "closed", code=row.code)

    def _scheme(self, row: _Row) -> Scheme:
        with self._schemes_lock:
            if row.code not in self._schemes:
                self._schemes[row.code] = load_yaml(row.scheme_yaml, f"workshop {row.code}")
            return self._schemes[row.code]

    @staticmethod
    def _normalised(cur, row: _Row) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
        """(normalised weights participants x items, group per participant, details) of submitting participants."""
        rows = cur.execute(
            "SELECT s.participant_id, p.display_name, p.group_id, s.weights, s.submitted_at, s.revision "
            "FROM workshop_submissions s JOIN workshop_participants p USING (participant_id) "
            "WHERE s.code = ? ORDER BY p.joined_at, s.participant_id", [row.code]).fetchall()
        ids = row.ids
        pids = pd.Index([r[0] for r in rows], name="participant_id")
        raw = [json.loads(r[3]) for r in rows]
        norm = pd.DataFrame([[w[i] for i in ids] for w in raw], index=pids, columns=ids, dtype=float)
        if len(rows):
            norm = norm.div(norm.sum(axis=1), axis=0)
        details = pd.DataFrame({"display_name": [r[1] for r in rows], "group": [r[2] for r in rows],
                                "submitted_at": [r[4] for r in rows], "revision": [r[5] for r in rows]}, index=pids)
        raw_df = pd.DataFrame([[w[i] for i in ids] for w in raw], index=pids, columns=ids, dtype=float)
        return norm, details["group"], details.join(raw_df.add_prefix("raw:"))

    # -------------------------------------------------------------- facilitator

    def create(self, scheme: Scheme, title: str = "", level: str = "dimension", min_group: int = MIN_GROUP) -> Workshop:
        """Open a workshop on `scheme`; the scheme is copied in, so later edits to it do not change the workshop.

        level "dimension": participants weigh the dimensions; "indicator": every indicator of the scheme, flat.
        min_group: after reveal, the public status withholds any aggregate of fewer submissions than this.
        """
        if level not in LEVELS:
            raise WorkshopError(f"level must be one of {', '.join(LEVELS)}; got {level!r}", "bad_option")
        if not isinstance(min_group, int) or isinstance(min_group, bool) or min_group < 1:
            raise WorkshopError(f"min_group must be a whole number of at least 1, got {min_group!r}", "bad_option")
        validate(scheme)
        if level == "dimension":
            items = [{"id": d.id, "name_zh": d.name_zh, "name_en": d.name_en, "dimension": None}
                     for d in scheme.dimensions]
        else:
            by_id = {i.id: i for i in scheme.indicators}   # every indicator at any depth, under its top dimension
            items = [{"id": i, "name_zh": by_id[i].name_zh, "name_en": by_id[i].name_en, "dimension": d.id}
                     for d in scheme.dimensions for i in leaves_of(d)]
        if len(items) < 2:
            raise WorkshopError(f"scheme {scheme.id} has only one {level}: there is nothing to weigh against it",
                                "bad_option")
        key, now, title = secrets.token_urlsafe(24), _now(), str(title or "").strip()
        with writing(self._con) as cur:
            while True:
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                if not cur.execute("SELECT 1 FROM workshops WHERE code = ?", [code]).fetchall():
                    break
            cur.execute(f"INSERT INTO workshops ({_ROW_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', false, "
                        f"'geometric', 'participants', ?, ?, ?)",
                        [code, title, scheme.id, dump_yaml(scheme), level, json.dumps(items, ensure_ascii=False),
                         self._codes.hash(key), min_group, now, now])
        return Workshop(code, key, scheme.id, title, level, tuple(i["id"] for i in items), now)

    def _set(self, code, facilitator_key, closed_only: str = "", **values) -> None:
        with writing(self._con) as cur:
            row = self._row(cur, code)
            self._facilitator(row, facilitator_key)
            if closed_only and row.state == "open":
                raise WorkshopError(f"close workshop {row.code} before {closed_only}", "open", code=row.code)
            sets = ", ".join(f"{k} = ?" for k in values)
            cur.execute(f"UPDATE workshops SET {sets}, updated_at = ? WHERE code = ?",
                        [*values.values(), _now(), row.code])

    def close(self, code, facilitator_key) -> None:
        """No more joins or submissions (what was submitted stays; `reopen` resumes)."""
        self._set(code, facilitator_key, state="closed")

    def reopen(self, code, facilitator_key) -> None:
        """Open a closed workshop again (a second round): joins and submissions resume, nothing is lost, and the
        public result is hidden again until the facilitator closes and reveals once more."""
        self._set(code, facilitator_key, state="open", revealed=False)

    def reveal(self, code, facilitator_key, mean: str = "geometric", balance: str = "participants") -> None:
        """Let everyone's status show the aggregated weights (computed with `mean` and `balance`), never names.

        Only a closed workshop can be revealed: were it open, each new submission could be worked out from how
        the public weights moved when it arrived.
        """
        if mean not in MEANS:
            raise WorkshopError(f"mean must be one of {', '.join(MEANS)}; got {mean!r}", "bad_option")
        if balance not in BALANCES:
            raise WorkshopError(f"balance must be one of {', '.join(BALANCES)}; got {balance!r}", "bad_option")
        self._set(code, facilitator_key, closed_only="revealing the result (while it is open, each new submission "
                  "could be worked out from how the revealed weights move)", revealed=True, reveal_mean=mean,
                  reveal_balance=balance)

    def hide(self, code, facilitator_key) -> None:
        """Undo reveal: the public status goes back to counts only."""
        self._set(code, facilitator_key, revealed=False)

    def remove(self, code, facilitator_key, participant_id: str) -> None:
        """Remove a participant and their submission (a mistaken or disruptive entry); their name becomes free.
        Hides a revealed result (reveal again when the room should see the new one)."""
        with writing(self._con) as cur:
            row = self._row(cur, code)
            self._facilitator(row, facilitator_key)
            found = cur.execute("SELECT 1 FROM workshop_participants WHERE code = ? AND participant_id = ?",
                                [row.code, participant_id]).fetchall()
            if not found:
                raise WorkshopError(f"no participant {participant_id!r} in workshop {row.code}",
                                    "unknown_participant", code=row.code)
            cur.execute("DELETE FROM workshop_submissions WHERE participant_id = ?", [participant_id])
            cur.execute("DELETE FROM workshop_participants WHERE participant_id = ?", [participant_id])
            cur.execute("UPDATE workshops SET revealed = false, updated_at = ? WHERE code = ?", [_now(), row.code])

    def lockout(self, code, facilitator_key):
        """Facilitator only: whether new phones are refused because too many codes naming no workshop were tried
        (the `unknown_*` fields of the `Lockout`; a workshop's own code is its only secret a phone types)."""
        with self._reading() as cur:
            row = self._row(cur, code)
            self._facilitator(row, facilitator_key)
            return self._codes.lockout(cur, KIND, row.code)

    def lift(self, code, facilitator_key, by: str = "") -> None:
        """Facilitator only: let new phones type codes again (see `Codes.lift`)."""
        with writing(self._con) as cur:
            row = self._row(cur, code)
            self._facilitator(row, facilitator_key)
            self._codes.lift(cur, KIND, row.code, by)

    def participants(self, code, facilitator_key) -> pd.DataFrame:
        """Facilitator only: everyone who joined, with their group and whether (and when) they submitted."""
        with self._reading() as cur:
            row = self._row(cur, code)
            self._facilitator(row, facilitator_key)
            rows = cur.execute(
                "SELECT p.participant_id, p.display_name, p.group_id, p.joined_at, s.submitted_at, "
                "coalesce(s.revision, 0) FROM workshop_participants p LEFT JOIN workshop_submissions s "
                "USING (participant_id) WHERE p.code = ? ORDER BY p.joined_at, p.participant_id", [row.code]).fetchall()
        df = pd.DataFrame(rows, columns=["participant_id", "display_name", "group", "joined_at", "submitted_at",
                                         "revision"]).set_index("participant_id")
        df["submitted"] = df["revision"] > 0
        return df

    def submissions(self, code, facilitator_key, normalised: bool = True) -> pd.DataFrame:
        """Facilitator only: one row per submitting participant (participant_id index): display_name, group,
        submitted_at, revision, then one column per item: normalised weights (sum 1) or, with normalised=False,
        the values as entered."""
        with self._reading() as cur:
            row = self._row(cur, code)
            self._facilitator(row, facilitator_key)
            norm, _, details = self._normalised(cur, row)
        base = details[["display_name", "group", "submitted_at", "revision"]]
        if normalised:
            return base.join(norm)
        raw = details[[f"raw:{i}" for i in row.ids]]
        raw.columns = row.ids
        return base.join(raw)

    def result(self, code, facilitator_key, mean: str = "geometric", balance: str = "participants",
               floor: float = FLOOR, tolerance: float = PULL_TOLERANCE) -> WorkshopResult:
        """Facilitator only: the aggregation (see WorkshopResult and docs/workshop.md for the formulas)."""
        with self._reading() as cur:
            row = self._row(cur, code)
            self._facilitator(row, facilitator_key)
            norm, groups, details = self._normalised(cur, row)
        if norm.empty:
            raise WorkshopError(f"workshop {row.code} has no submissions yet", "no_submissions", code=row.code)
        parts = aggregate(norm, groups, mean, balance, floor, tolerance)
        n_by_group = {g: int((groups == g).sum()) for g in GROUPS}
        items = pd.DataFrame(row.items).set_index("id")
        participants = norm.copy()
        participants.insert(0, "group", groups)
        how = ("geometric mean of each item's weights across "
               + ("participants" if balance == "participants" else "group means (each group counts once)")
               + f", weights below {floor:g} raised to {floor:g} first ({parts['floored']} raised), then renormalised"
               if mean == "geometric" else
               "arithmetic mean of each item's weights across "
               + ("participants" if balance == "participants" else "group means (each group counts once)"))
        return WorkshopResult(
            code=row.code, scheme=self._scheme(row), level=row.level, mean=mean, balance=balance, floor=floor,
            tolerance=tolerance, n_submissions=len(norm), n_by_group=n_by_group, items=items,
            weights=parts["weights"], by_group=parts["by_group"], participants=participants,
            dispersion=parts["dispersion"], difference=parts["difference"], pulls=parts["pulls"],
            floored=parts["floored"], note=how)

    def to_scheme(self, code, facilitator_key, new_id: str, mean: str = "geometric",
                  balance: str = "participants", floor: float = FLOOR) -> Scheme:
        """The workshop's scheme with its aggregated weights, a new id, and provenance method "workshop"."""
        res = self.result(code, facilitator_key, mean, balance, floor)
        with self._reading() as cur:
            row = self._row(cur, code)
        counts = ", ".join(f"{g} {n}" for g, n in res.n_by_group.items() if n)
        title = f" \u201c{row.title}\u201d" if row.title else ""
        note = (f"workshop {row.code}{title} of {row.created_at:%Y-%m-%d} (UTC) on scheme {row.scheme_id}, "
                f"{res.n_submissions} participants ({counts}); {row.level} weights: {res.note}")
        s = res.scheme
        try:
            return s.with_weights(**res.weight_kwargs(), id=new_id, name_zh=f"{s.name_zh}（工作坊 {row.code}）",
                                  name_en=f"{s.name_en} (workshop {row.code})",
                                  provenance=Provenance(method="workshop", note=note))
        except SchemeError as exc:
            raise WorkshopError(f"the new scheme's {exc}", "bad_scheme") from None

    # -------------------------------------------------------------- participants

    def join(self, code, display_name: str, group: str, participant_token: str | None = None,
             session: str | None = None) -> Participant:
        """Join with a display name unique in this workshop (ignoring case and spacing) and a group.

        Rejoin (a phone reloaded): give the same name and the token you were given; you get the same participant
        back, and may change your group while the workshop is open. `session`: the browser session that typed or
        opened the code, until it got in: a code that names no workshop counts against it and against every
        workshop's budget of such codes (indicators/live/codes.py).
        """
        name = " ".join(str(display_name or "").split())
        if not name:
            raise WorkshopError("display name is empty", "bad_name")
        if len(name) > MAX_NAME:
            raise WorkshopError(f"display name is longer than {MAX_NAME} characters", "bad_name")
        if group not in GROUPS:
            raise WorkshopError(f"unknown group {group!r}; choose one of {', '.join(GROUPS)}", "unknown_group",
                                group=group)
        key = _name_key(name)
        with self._codes.counting(self._con, KIND, session) as cur:
            self._codes.refuse_locked(cur, KIND, None, session, WorkshopError)
            row = self._row(cur, code)
            taken = cur.execute("SELECT participant_id, display_name, group_id, token_hash FROM workshop_participants "
                                "WHERE code = ? AND name_key = ?", [row.code, key]).fetchall()
            if participant_token is not None:
                pid, pname, pgroup = self._participant(cur, row, participant_token)
                if not taken or taken[0][0] != pid:
                    raise WorkshopError(f"this participant token belongs to {pname!r}, not {name!r}, in workshop "
                                        f"{row.code}", "wrong_participant", code=row.code)
                if group != pgroup:
                    self._open(row, "changing group")
                    cur.execute("UPDATE workshop_participants SET group_id = ? WHERE participant_id = ?", [group, pid])
                return Participant(pid, participant_token, row.code, pname, group)
            if taken:
                raise WorkshopError(f"the name {taken[0][1]!r} is already taken in workshop {row.code}; choose "
                                    f"another, or rejoin with your participant token", "name_taken", code=row.code)
            self._open(row, "joining")
            pid, token = "p" + secrets.token_hex(8), secrets.token_urlsafe(24)
            cur.execute("INSERT INTO workshop_participants VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [pid, row.code, name, key, group, self._codes.hash(token), _now()])
        return Participant(pid, token, row.code, name, group)

    def submit(self, code, participant_token: str, weights: Mapping[str, float]) -> None:
        """Store the participant's weights (their latest replaces any earlier one). Any non-negative numbers, not
        all zero, for exactly the workshop's items; 100-point allocations are the usual form."""
        with self._reading() as cur:      # check the weights before taking the write lock
            row = self._row(cur, code)
        raw = check_weights(weights, row.ids, row.level)
        now = _now()
        with writing(self._con) as cur:
            row = self._row(cur, code)     # again, under the lock: a close that came first wins
            pid, _, _ = self._participant(cur, row, participant_token)
            self._open(row, "submitting weights")
            # the same weights again are no new revision: a phone's send can reach the server twice (Streamlit may
            # replay a button's press when a busy server's connection drops), and a person who re-sends changes nothing
            last = cur.execute("SELECT weights FROM workshop_submissions WHERE participant_id = ?", [pid]).fetchall()
            if last and json.loads(last[0][0]) == raw:
                return
            cur.execute("INSERT INTO workshop_submissions VALUES (?, ?, ?, ?, 1) ON CONFLICT (participant_id) DO "
                        "UPDATE SET weights = excluded.weights, submitted_at = excluded.submitted_at, "
                        "revision = workshop_submissions.revision + 1", [pid, row.code, json.dumps(raw), now])

    def my_submission(self, code, participant_token: str) -> dict | None:
        """The participant's own latest submission (None before the first): weights as entered and normalised."""
        with self._reading() as cur:
            row = self._row(cur, code)
            pid, name, group = self._participant(cur, row, participant_token)
            rows = cur.execute("SELECT weights, submitted_at, revision FROM workshop_submissions "
                               "WHERE participant_id = ?", [pid]).fetchall()
        if not rows:
            return None
        raw = json.loads(rows[0][0])
        return {"participant_id": pid, "display_name": name, "group": group, "weights": raw,
                "normalised": normalise_weights(raw), "submitted_at": rows[0][1], "revision": rows[0][2]}

    # -------------------------------------------------------------- everyone

    def status(self, code, session: str | None = None) -> dict:
        """Public: what any phone may show. Counts only, until the facilitator closes and reveals; then the
        aggregated weights (overall and per group, only what rests on at least `min_group` submissions), never a
        name or one person's weights. `session` as for `join`."""
        def read(cur):
            self._codes.refuse_locked(cur, KIND, None, session, WorkshopError)
            row = self._row(cur, code)
            counts = cur.execute(
                "SELECT p.group_id, count(*), count(s.participant_id) FROM workshop_participants p "
                "LEFT JOIN workshop_submissions s USING (participant_id) WHERE p.code = ? GROUP BY p.group_id",
                [row.code]).fetchall()
            return row, counts, *(self._normalised(cur, row) if row.revealed else (None, None, None))
        # a first check for a browser session is counted (a write); a phone already in only reads, as it polls
        with self._reading() if session is None else self._codes.counting(self._con, KIND, session) as cur:
            row, counts, norm, groups, _ = read(cur)
        scheme = self._scheme(row)
        by_group = {g: {"participants": 0, "submissions": 0} for g in GROUPS}
        for g, n_p, n_s in counts:
            by_group[g] = {"participants": int(n_p), "submissions": int(n_s)}
        out = {
            "code": row.code, "title": row.title, "scheme_id": row.scheme_id, "scheme_name_zh": scheme.name_zh,
            "scheme_name_en": scheme.name_en, "level": row.level, "items": [dict(i) for i in row.items],
            "state": row.state, "open": row.state == "open", "revealed": bool(row.revealed),
            "n_participants": sum(v["participants"] for v in by_group.values()),
            "n_submissions": sum(v["submissions"] for v in by_group.values()), "by_group": by_group,
            "created_at": row.created_at.isoformat(), "result": None, "min_group": row.min_group,
        }
        if row.revealed:
            out["result"] = self._public_result(row, norm, groups)
        return out

    @staticmethod
    def _public_result(row: _Row, norm: pd.DataFrame, groups: pd.Series) -> dict:
        """The revealed aggregate, with nothing that rests on fewer than `min_group` people.

        A group with fewer submissions is withheld; and because the overall and the shown groups together give
        away the withheld rest, the rest must itself hold no submissions or at least `min_group` of them: if
        not, the smallest shown groups are withheld too. The coefficient of variation needs one person more than
        `min_group` (with three people, one who knows their own weights and the mean and spread could solve for the
        other two).
        """
        res = {"mean": row.reveal_mean, "balance": row.reveal_balance, "min_group": row.min_group,
               "n_submissions": len(norm), "weights": None, "cv": None, "by_group": {}, "withheld_groups": [],
               "group_spread": None}
        if len(norm) < row.min_group:
            return res
        parts = aggregate(norm, groups, row.reveal_mean, row.reveal_balance)
        res["weights"] = {k: float(v) for k, v in parts["weights"].items()}
        if len(norm) > row.min_group:   # with exactly min_group, mean and std pin down the other two people's values
            res["cv"] = {k: float(v) for k, v in parts["dispersion"]["cv"].items()}
        n = {g: int((groups == g).sum()) for g in parts["by_group"]}
        shown = shown_groups(n, row.min_group)
        shown_in_order = [g for g in parts["by_group"] if g in shown]
        res["by_group"] = {g: {k: float(v) for k, v in parts["by_group"][g].items()} for g in shown_in_order}
        res["withheld_groups"] = [g for g in parts["by_group"] if g not in shown]
        if len(shown_in_order) >= 2:
            gm = pd.DataFrame(res["by_group"])
            res["group_spread"] = {k: float(v) for k, v in (gm.max(axis=1) - gm.min(axis=1)).items()}
        return res
