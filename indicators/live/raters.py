"""Third-party raters: a lead opens a rating round on stations and a scheme's rubric items, raters rate each station
from a tablet (level, evidence note, seen on site or only on paper), the round shows inter-rater agreement, flags and
a moderation log, and the agreed levels land in `ratings` with the rater count and alpha.

No streamlit here. The statistics (`rubric_items`, `ordinal_alpha`, `agreement`) are pure functions; `RaterStore`
keeps rounds in DuckDB, writes through `records.writing` (one lock, one transaction) and reads with a fresh cursor.
Rules and formulas: docs/raters.md.
"""
from __future__ import annotations

import json
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pandas as pd

from indicators.analysis.agreement import alpha as krippendorff_alpha
from indicators.live.codes import UNKNOWN, Codes, Lockout
from indicators.live.panel import clean_name, new_code
from indicators.live.workshop import WorkshopError, _clean_code, _name_key, _now
from indicators.records.store import writing
from indicators.scheme.model import Level, Scheme, dump_yaml, load_yaml

__all__ = ["SEEN", "FLAG_SPREAD", "RubricItem", "RaterError", "RaterStore", "rubric_items", "ordinal_alpha",
           "agreement", "lower_median"]

SEEN = ("site", "paper")    # evidence seen on site, or only in the station's paper ledger (台账)
FLAG_SPREAD = 2             # a unit is flagged when its raters are this many levels apart or more
STATES = ("open", "revealed", "agreed")
KIND = "raters"             # the attempt limiter's name for rating rounds (indicators/live/codes.py)
MAX_NOTE = 500


class RaterError(WorkshopError):
    """A refused rating-round action; `reason` is a stable code for translated messages (as for workshops)."""


@dataclass(frozen=True)
class RubricItem:
    """One qualitative indicator read from `ratings`: `key` is the `indicator_id` its rows carry; `levels` run
    from worst to best (by score)."""
    id: str
    key: str
    name_zh: str
    name_en: str
    levels: tuple[Level, ...]

    def rank(self, value: str) -> int:
        for n, lv in enumerate(self.levels):
            if lv.value == value:
                return n
        raise RaterError(f"{value!r} is not a level of {self.id}; levels: "
                         f"{', '.join(lv.value for lv in self.levels)}", "bad_level")


_KEY = re.compile(r"^\s*indicator_id\s*=\s*'([^']*)'\s*$")


def rubric_items(scheme: Scheme) -> list[RubricItem]:
    """The scheme's rubric items: `scale` indicators on `ratings.level`. Their rows carry the indicator id named by
    a filter `indicator_id = '...'` (the indicator's own id when the filter says nothing else)."""
    out = []
    for ind in scheme.indicators:
        m = ind.measure
        if m.kind != "scale" or m.table != "ratings" or m.column != "level":
            continue
        hit = _KEY.match(m.filter or "")
        levels = tuple(sorted(m.levels, key=lambda lv: lv.score))
        out.append(RubricItem(ind.id, hit.group(1) if hit else ind.id, ind.name_zh, ind.name_en, levels))
    return out


# ------------------------------------------------------------------------------------------ statistics, pure

def ordinal_alpha(data) -> float | None:
    """Krippendorff's alpha for ordinal data; `data` is raters x units (NaN where a rater did not rate a unit),
    values are level ranks; None where undefined (analysis/agreement.py)."""
    return krippendorff_alpha(data, "ordinal")


def lower_median(ranks) -> int:
    """The median level; with an even number of raters the lower of the two middle ones (going higher needs the
    panel to agree, by moderation)."""
    r = sorted(int(x) for x in ranks)
    return r[(len(r) - 1) // 2]


def agreement(scores: pd.DataFrame, flag_spread: int = FLAG_SPREAD) -> dict:
    """Agreement of a round from its scores: columns station_id, item, rater, rank (0 = worst level).

    Returns units (one row per station x item: n raters, lowest and highest rank, spread, flagged when spread >=
    flag_spread, median = lower median), alpha per item (units = the stations rating that item) and overall
    (units = every station x item; ranks are comparable across items of the same number of levels).
    """
    if scores.empty:
        return {"units": pd.DataFrame(columns=["station_id", "item", "n", "low", "high", "spread", "flagged",
                                               "median"]), "item_alpha": {}, "alpha": None}
    g = scores.groupby(["station_id", "item"], sort=False)["rank"]
    units = pd.DataFrame({"n": g.size(), "low": g.min(), "high": g.max(),
                          "median": g.apply(lower_median)}).reset_index()
    units["spread"] = units["high"] - units["low"]
    units["flagged"] = units["spread"] >= flag_spread
    wide = scores.pivot_table(index="rater", columns=["station_id", "item"], values="rank", aggfunc="first")
    item_alpha = {it: ordinal_alpha(wide.xs(it, axis=1, level="item").to_numpy())
                  for it in dict.fromkeys(scores["item"])}
    return {"units": units[["station_id", "item", "n", "low", "high", "spread", "flagged", "median"]],
            "item_alpha": item_alpha, "alpha": ordinal_alpha(wide.to_numpy())}


# ------------------------------------------------------------------------------------------ the store

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS rating_rounds (
        code VARCHAR PRIMARY KEY, title VARCHAR, scheme_id VARCHAR, scheme_yaml VARCHAR, stations VARCHAR,
        rated_on DATE, key_hash VARCHAR, state VARCHAR, created_at TIMESTAMP, updated_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS round_raters (
        rater_id VARCHAR PRIMARY KEY, code VARCHAR, name VARCHAR, name_key VARCHAR, token_hash VARCHAR,
        joined_at TIMESTAMP, UNIQUE (code, name_key))""",
    """CREATE TABLE IF NOT EXISTS round_scores (
        code VARCHAR, rater_id VARCHAR, station_id VARCHAR, item VARCHAR, level VARCHAR, first_level VARCHAR,
        evidence VARCHAR, seen VARCHAR, submitted_at TIMESTAMP, PRIMARY KEY (code, rater_id, station_id, item))""",
    """CREATE TABLE IF NOT EXISTS round_changes (
        code VARCHAR, rater_id VARCHAR, rater VARCHAR, station_id VARCHAR, item VARCHAR, old_level VARCHAR,
        new_level VARCHAR, reason VARCHAR, changed_at TIMESTAMP)""",
    # the lead's actions on people and the panel's decisions (remove, merge, 合议, reopen, agree), with reasons
    """CREATE TABLE IF NOT EXISTS round_actions (
        code VARCHAR, action VARCHAR, rater VARCHAR, other VARCHAR, station_id VARCHAR, item VARCHAR,
        level VARCHAR, reason VARCHAR, detail VARCHAR, acted_at TIMESTAMP)""",
    # a panel decision (合议) that sets a unit's agreed level instead of the median, with its note
    """CREATE TABLE IF NOT EXISTS round_decisions (
        code VARCHAR, station_id VARCHAR, item VARCHAR, level VARCHAR, note VARCHAR, decided_by VARCHAR,
        decided_at TIMESTAMP, PRIMARY KEY (code, station_id, item))""",
    # single ratings of the same station, item and period that an agreed level replaces, kept aside to restore
    """CREATE TABLE IF NOT EXISTS round_replaced (
        code VARCHAR, rating_id VARCHAR, station_id VARCHAR, indicator_id VARCHAR, level VARCHAR, rater VARCHAR,
        rated_on DATE, evidence VARCHAR)""",
)

# Columns added after rounds were already stored: ALTER TABLE ... ADD COLUMN IF NOT EXISTS migrates old databases.
_ADDED = (
    ("round_raters", "removed_at", "TIMESTAMP"),     # removed by the lead (or merged into another identity)
    ("round_raters", "removed_reason", "VARCHAR"),
    ("round_raters", "merged_into", "VARCHAR"),      # the rater_id kept when two identities were merged
    ("rating_rounds", "revealed_at", "TIMESTAMP"),   # the first reveal: later changes need a reason, forever
    ("rating_rounds", "period_start", "DATE"),       # the assessment period whose single ratings an agreed level
    ("rating_rounds", "period_end", "DATE"),         # replaces (or is averaged with)
    ("rating_rounds", "agree_mode", "VARCHAR"),      # replace (default) or average, as last agreed
)
AGREE_MODES = ("replace", "average")


_ROUND_COLS = ("code", "title", "scheme_id", "scheme_yaml", "stations", "rated_on", "key_hash", "state", "created_at",
               "revealed_at", "period_start", "period_end", "agree_mode")


@dataclass(frozen=True)
class Round:
    """What `create` hands the lead. Keep `lead_key`: it is shown once and stored only as a hash."""
    code: str
    lead_key: str
    scheme_id: str
    stations: tuple[str, ...]
    items: tuple[str, ...]


@dataclass(frozen=True)
class Rater:
    rater_id: str
    token: str
    code: str
    name: str


class RaterStore:
    """Rating rounds in DuckDB (tables rating_rounds, round_raters, round_scores, round_changes, made if missing),
    on a connection the caller owns. Thread-safe like `WorkshopStore`."""

    def __init__(self, con, clock=None):
        self._con = con
        with writing(con) as cur:
            for sql in _SCHEMA:
                cur.execute(sql)
            for table, col, kind in _ADDED:
                cur.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {col} {kind}")
            # rounds revealed before revealed_at existed: their reveal is known only as their last change
            cur.execute("UPDATE rating_rounds SET revealed_at = updated_at WHERE revealed_at IS NULL AND state <> 'open'")
            self._codes = Codes(cur, clock)

    # -------------------------------------------------------------- plumbing

    def _read(self, sql: str, params: list) -> list[tuple]:
        cur = self._con.cursor()
        try:
            return cur.execute(sql, params).fetchall()
        finally:
            cur.close()

    def _round(self, cur, code) -> dict:
        clean = _clean_code(code)
        rows = cur.execute(f"SELECT {', '.join(_ROUND_COLS)} FROM rating_rounds WHERE code = ?", [clean]).fetchall()
        if not rows:
            raise RaterError(f"no rating round with code {clean or code!r}", "no_round", code=clean, attempt=UNKNOWN)
        r = dict(zip(_ROUND_COLS, rows[0]))
        if r["period_start"] is None:       # a round from before periods were kept: its rating date's year
            r["period_start"], r["period_end"] = date(r["rated_on"].year, 1, 1), date(r["rated_on"].year, 12, 31)
        r["stations"] = json.loads(r["stations"])
        r["scheme"] = load_yaml(r["scheme_yaml"], f"rating round {r['code']}")
        r["items"] = rubric_items(r["scheme"])
        return r

    @contextmanager
    def _lead_read(self, code, key):
        """A read cursor and the round, for its lead only."""
        cur = self._con.cursor()
        try:
            rnd = self._round(cur, code)
            self._lead(rnd, key)
            yield cur, rnd
        finally:
            cur.close()

    @contextmanager
    def _lead_write(self, code, key, before: str = ""):
        """The write transaction and the round, for its lead only; `before` (what the lead wants to do) refuses
        while the round is still open (reason `open`)."""
        with writing(self._con) as cur:
            rnd = self._round(cur, code)
            self._lead(rnd, key)
            if before and rnd["state"] == "open":
                raise RaterError(f"reveal rating round {rnd['code']} before {before}", "open", code=rnd["code"])
            yield cur, rnd

    def _lead(self, rnd: dict, key) -> None:
        if not self._codes.same(key, rnd["key_hash"]):
            raise RaterError(f"wrong lead key for rating round {rnd['code']}", "wrong_key", code=rnd["code"])

    def _rater(self, cur, rnd: dict, token) -> tuple[str, str]:
        if isinstance(token, str) and token:
            rows = cur.execute("SELECT rater_id, name, token_hash, removed_at FROM round_raters WHERE code = ? AND "
                               "token_hash IN (?, ?)", [rnd["code"], *self._codes.forms(token)]).fetchall()
            if rows and self._codes.same(token, rows[0][2]):
                if rows[0][3] is not None:
                    raise RaterError(f"{rows[0][1]!r} was removed from rating round {rnd['code']} by the lead",
                                     "removed", code=rnd["code"])
                return rows[0][0], rows[0][1]
        raise RaterError(f"unknown rater token for rating round {rnd['code']}; join the round first",
                         "unknown_rater", code=rnd["code"])

    # -------------------------------------------------------------- lead

    def create(self, scheme: Scheme, stations, rated_on: date, title: str = "", period=None) -> Round:
        """Open a round on `stations` (ids) and the scheme's rubric items; agreed levels will be dated `rated_on`.
        `period` (start, end): the assessment period whose single ratings of the same station and item the agreed
        level replaces; by default the calendar year of `rated_on` (also when `rated_on` falls outside it)."""
        items = rubric_items(scheme)
        if not items:
            raise RaterError(f"scheme {scheme.id} has no rubric item (a scale indicator on ratings.level)",
                             "no_items")
        stations = list(dict.fromkeys(str(s) for s in stations))
        if not stations:
            raise RaterError("choose at least one station", "no_stations")
        if not isinstance(rated_on, date):
            raise RaterError(f"rated_on must be a date, got {rated_on!r}", "bad_option")
        start, end = period if period is not None else (None, None)
        if not (start is None or start <= rated_on) or not (end is None or rated_on <= end) or period is None:
            start, end = date(rated_on.year, 1, 1), date(rated_on.year, 12, 31)
        (key, key_hash), now = self._codes.new_secret(), _now()
        with writing(self._con) as cur:
            known = {r[0] for r in cur.execute("SELECT station_id FROM stations").fetchall()}
            unknown = [s for s in stations if s not in known]
            if unknown:
                raise RaterError(f"unknown station(s) {', '.join(unknown)}", "no_stations")
            code = new_code(cur, "rating_rounds")
            cur.execute("INSERT INTO rating_rounds (code, title, scheme_id, scheme_yaml, stations, rated_on, key_hash, "
                        "state, created_at, updated_at, period_start, period_end) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)",
                        [code, str(title or "").strip(), scheme.id, dump_yaml(scheme), json.dumps(stations), rated_on,
                         key_hash, now, now, start, end])
        return Round(code, key, scheme.id, tuple(stations), tuple(i.id for i in items))

    def check_lead(self, code, key) -> str:
        """The round's clean code when `key` is its lead key (resuming a round), else RaterError."""
        cur = self._con.cursor()
        try:
            rnd = self._round(cur, code)
        finally:
            cur.close()
        self._lead(rnd, key)
        return rnd["code"]

    def reveal(self, code, key) -> None:
        """Close rating and show the raters the spread of levels: moderation starts (changes now need a reason).
        The first reveal is kept: the levels as they stood then (`first_level`) stay the round's history."""
        self._set_state(code, key, "revealed", frm=("open",))

    def reopen(self, code, key, reason: str = "", by: str = "") -> None:
        """Let raters rate again (new levels allowed). The first reveal's levels stay as history, and a change of a
        level given before a reveal still needs a reason and is logged."""
        self._set_state(code, key, "open", frm=("revealed",), reason=reason, by=by)

    def _set_state(self, code, key, state: str, frm: tuple[str, ...], reason: str = "", by: str = "") -> None:
        with self._lead_write(code, key) as (cur, rnd):
            if rnd["state"] not in frm:
                raise RaterError(f"rating round {rnd['code']} is {rnd['state']}", rnd["state"], code=rnd["code"])
            now = _now()
            cur.execute("UPDATE rating_rounds SET state = ?, updated_at = ?, revealed_at = coalesce(revealed_at, ?) "
                        "WHERE code = ?", [state, now, now if state == "revealed" else None, rnd["code"]])
            if state == "open":
                self._act(cur, rnd["code"], "reopen", by, reason=reason)

    @staticmethod
    def _act(cur, code, action, rater="", other="", station_id=None, item=None, level=None, reason="", detail=""):
        cur.execute("INSERT INTO round_actions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [code, action, rater, other, station_id, item, level, str(reason or "").strip()[:MAX_NOTE],
                     detail, _now()])

    def scores(self, code, key=None, token=None, first: bool = False) -> pd.DataFrame:
        """Every score of the round (lead key), or after reveal for a rater of the round (token): station_id, item,
        rater, level, rank, evidence, seen (a rater gets no name and no note). `first=True`: the levels as first given, before moderation."""
        cur = self._con.cursor()
        try:
            rnd = self._round(cur, code)
            if key is not None:
                self._lead(rnd, key)
            else:
                self._rater(cur, rnd, token)
                if rnd["state"] == "open":
                    raise RaterError(f"rating round {rnd['code']} is still open: scores are hidden until the lead "
                                     f"reveals them", "open", code=rnd["code"])
            level = "first_level" if first else "level"     # first: as they stood at the first reveal
            rows = cur.execute(
                f"SELECT s.station_id, s.item, r.name, s.{level}, s.evidence, s.seen "
                f"FROM round_scores s JOIN round_raters r USING (rater_id) WHERE s.code = ? AND r.removed_at IS NULL "
                f"AND s.{level} IS NOT NULL ORDER BY s.station_id, s.item, r.joined_at", [rnd["code"]]).fetchall()
        finally:
            cur.close()
        df = pd.DataFrame(rows, columns=["station_id", "item", "rater", "level", "evidence", "seen"])
        by_id = {i.id: i for i in rnd["items"]}
        df["rank"] = [by_id[i].rank(lv) for i, lv in zip(df["item"], df["level"])]
        return df if key is not None else df.drop(columns=["rater", "evidence"])   # raters see levels, not names

    def changes(self, code, key) -> pd.DataFrame:
        """The moderation log: who changed which level from what to what, why, when."""
        with self._lead_read(code, key) as (cur, rnd):
            rows = cur.execute("SELECT rater, station_id, item, old_level, new_level, reason, changed_at FROM "
                               "round_changes WHERE code = ? ORDER BY changed_at", [rnd["code"]]).fetchall()
        return pd.DataFrame(rows, columns=["rater", "station_id", "item", "old_level", "new_level", "reason",
                                           "changed_at"])

    def result(self, code, key, flag_spread: int = FLAG_SPREAD) -> dict:
        """Agreement now and as first revealed: units (with the agreed level, the panel's decision if any and the
        on-site count), item_alpha, alpha, first_item_alpha, first_alpha, first_flagged and flagged (units two or
        more levels apart), open_flags (flagged without a panel decision), raters (names). Removed people count
        nowhere."""
        now, first = self.scores(code, key), self.scores(code, key, first=True)
        ag, ag0 = agreement(now, flag_spread), agreement(first, flag_spread)
        rnd = self.status(code)
        items = {i["id"]: i for i in rnd["items"]}
        units = ag["units"]
        units["level"] = [items[i]["levels"][m]["value"] for i, m in zip(units["item"], units["median"])]
        decided = self.decisions(code, key).set_index(["station_id", "item"])
        units["decided"] = [(s, i) in decided.index for s, i in zip(units["station_id"], units["item"])]
        units["note"] = [decided.at[(s, i), "note"] if d else "" for s, i, d in
                         zip(units["station_id"], units["item"], units["decided"])]
        units["level"] = [decided.at[(s, i), "level"] if d else lv for s, i, d, lv in
                          zip(units["station_id"], units["item"], units["decided"], units["level"])]
        site = now.assign(on_site=now["seen"] == "site").groupby(["station_id", "item"], sort=False)["on_site"].sum()
        units["on_site"] = [int(site.get((s, i), 0)) for s, i in zip(units["station_id"], units["item"])]
        return {"units": units, "item_alpha": ag["item_alpha"], "alpha": ag["alpha"],
                "first_item_alpha": ag0["item_alpha"], "first_alpha": ag0["alpha"],
                "first_flagged": int(ag0["units"]["flagged"].sum()), "flagged": int(units["flagged"].sum()),
                "open_flags": int((units["flagged"] & ~units["decided"]).sum()),
                "raters": list(dict.fromkeys(now["rater"]))}

    def agree(self, code, key, flag_spread: int = FLAG_SPREAD, mode: str | None = None, confirm: bool = False,
              by: str = "") -> pd.DataFrame:
        """Write the agreed level of every rated station x item into `ratings` (one transaction; a second call
        replaces the round's rows): level = the panel's decision (合议) where there is one, else the lower median of
        the final levels; rater_count, alpha (the item's), on_site (raters who saw the evidence on site), evidence
        (every rater's note). Returns the rows written.

        `mode` "replace" (the default, or the round's last mode): single ratings (no rater_count) of the same
        station and indicator dated in the round's period are set aside (table round_replaced), so the score reads
        the agreed level alone; "average": they stay and the scale averages them with it. Either way the row's
        evidence says so. While units are two or more levels apart without a panel decision, `confirm=True` is
        needed (reason `flagged`)."""
        res = self.result(code, key, flag_spread)
        scores = self.scores(code, key)
        rnd = self.status(code)
        mode = mode or rnd["agree_mode"] or "replace"
        if mode not in AGREE_MODES:
            raise RaterError(f"mode must be one of {', '.join(AGREE_MODES)}, got {mode!r}", "bad_option")
        if res["open_flags"] and not confirm:
            raise RaterError(f"{res['open_flags']} station x item are still two or more levels apart in round "
                             f"{rnd['code']}: decide them or confirm", "flagged", code=rnd["code"],
                             n=res["open_flags"])
        keys = {i["id"]: i["key"] for i in rnd["items"]}
        units = []
        for u in res["units"].itertuples():
            mine = scores[(scores["station_id"] == u.station_id) & (scores["item"] == u.item)]
            notes = "; ".join(f"{r.rater}[{r.seen}]: {r.evidence}" if r.evidence else f"{r.rater}[{r.seen}]"
                              for r in mine.itertuples())
            if u.decided:
                notes += f"; 合议: {u.note}"
            alpha = res["item_alpha"].get(u.item)
            units.append([f"{rnd['code']}-{u.station_id}-{u.item}", u.station_id, keys[u.item], u.level,
                          f"rating round {rnd['code']} ({', '.join(mine['rater'])})", rnd["rated_on"], notes,
                          int(u.n), None if alpha is None else round(alpha, 4), int(u.on_site)])
        if not units:
            raise RaterError(f"nobody has rated anything in round {rnd['code']} yet", "no_scores", code=rnd["code"])
        cols = ["rating_id", "station_id", "indicator_id", "level", "rater", "rated_on", "evidence", "rater_count",
                "alpha", "on_site"]
        with self._lead_write(code, key, "agreeing levels") as (cur, again):
            c = again["code"]
            # single ratings set aside by an earlier agree come back first, so the rule applies afresh
            cur.execute("INSERT INTO ratings (rating_id, station_id, indicator_id, level, rater, rated_on, evidence) "
                        "SELECT rating_id, station_id, indicator_id, level, rater, rated_on, evidence FROM "
                        "round_replaced WHERE code = ?", [c])
            cur.execute("DELETE FROM round_replaced WHERE code = ?", [c])
            cur.execute("DELETE FROM ratings WHERE rating_id LIKE ?", [f"{c}-%"])
            same = ("rater_count IS NULL AND station_id = ? AND indicator_id = ? AND rated_on BETWEEN ? AND ? "
                    "AND rating_id NOT LIKE ?")
            replaced = 0
            for row in units:
                p = [row[1], row[2], again["period_start"], again["period_end"], f"{c}-%"]
                ids = [r[0] for r in cur.execute(f"SELECT rating_id FROM ratings WHERE {same} ORDER BY rating_id",
                                                 p).fetchall()]
                if ids:    # the rule, on the row the station's explanation shows
                    said = f"本评估期单人评定 {len(ids)} 条（{', '.join(ids)}）"
                    row[6] += f"; 合议等级取代{said}" if mode == "replace" else f"; 与{said}取平均"
                if ids and mode == "replace":
                    cur.execute("INSERT INTO round_replaced SELECT ?, rating_id, station_id, indicator_id, level, "
                                f"rater, rated_on, evidence FROM ratings WHERE {same}", [c, *p])
                    cur.execute(f"DELETE FROM ratings WHERE {same}", p)
                    replaced += len(ids)
            cur.executemany(f"INSERT INTO ratings ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", units)
            cur.execute("UPDATE rating_rounds SET state = 'agreed', agree_mode = ?, updated_at = ? WHERE code = ?",
                        [mode, _now(), c])
            self._act(cur, c, "agree", by, detail=json.dumps({"mode": mode, "rows": len(units), "aside": replaced,
                                                              "confirmed": res["open_flags"]}))
        return pd.DataFrame(units, columns=cols)

    def singles(self, code, key) -> pd.DataFrame:
        """Single ratings (not from a round) of the round's stations and items dated in its period, in the records
        or set aside by this round's agree: rating_id, station_id, indicator_id, level, rater, rated_on, aside."""
        with self._lead_read(code, key) as (cur, rnd):
            st_, it_ = rnd["stations"], [i.key for i in rnd["items"]]
            q = ("SELECT rating_id, station_id, indicator_id, level, rater, rated_on FROM {t} WHERE station_id IN "
                 f"({', '.join('?' * len(st_))}) AND indicator_id IN ({', '.join('?' * len(it_))}) AND rated_on "
                 "BETWEEN ? AND ?")
            p = [*st_, *it_, rnd["period_start"], rnd["period_end"]]
            here = cur.execute(q.format(t="ratings") + " AND rater_count IS NULL AND rating_id NOT LIKE ?",
                               [*p, f"{rnd['code']}-%"]).fetchall()
            aside = cur.execute(q.format(t="round_replaced") + " AND code = ?", [*p, rnd["code"]]).fetchall()
        cols = ["rating_id", "station_id", "indicator_id", "level", "rater", "rated_on"]
        return pd.DataFrame([(*r, False) for r in here] + [(*r, True) for r in aside], columns=[*cols, "aside"])

    # -------------------------------------------------------------- the lead: people and the panel's decisions

    def people(self, code, key) -> pd.DataFrame:
        """Every person who joined, with progress: rater_id, name, joined_at, removed_at, removed_reason,
        merged_into (name), levels (how many given), done (stations with every item rated), stations_done (their
        ids), per_station (station id -> items rated there), last (last save), status (active, removed, merged)."""
        with self._lead_read(code, key) as (cur, rnd):
            people = cur.execute("SELECT rater_id, name, joined_at, removed_at, removed_reason, merged_into FROM "
                                 "round_raters WHERE code = ? ORDER BY joined_at", [rnd["code"]]).fetchall()
            scores = cur.execute("SELECT rater_id, station_id, count(*), max(submitted_at) FROM round_scores WHERE "
                                 "code = ? GROUP BY rater_id, station_id", [rnd["code"]]).fetchall()
        names = {p[0]: p[1] for p in people}
        n_items, rows = len(rnd["items"]), []
        for rid, name, joined, removed, why, into in people:
            mine = [s for s in scores if s[0] == rid]
            done = [s[1] for s in sorted(mine, key=lambda s: rnd["stations"].index(s[1])) if s[2] >= n_items]
            rows.append({"rater_id": rid, "name": name, "joined_at": joined, "removed_at": removed,
                         "removed_reason": why or "", "merged_into": names.get(into, "") if into else "",
                         "levels": sum(s[2] for s in mine), "done": len(done), "stations_done": done,
                         "per_station": {sid: next((s[2] for s in mine if s[1] == sid), 0) for sid in rnd["stations"]},
                         "last": max((s[3] for s in mine), default=None),
                         "status": "merged" if into else "removed" if removed is not None else "active"})
        return pd.DataFrame(rows, columns=["rater_id", "name", "joined_at", "removed_at", "removed_reason",
                                           "merged_into", "levels", "done", "stations_done", "per_station", "last",
                                           "status"])

    def _person(self, cur, rnd, rater_id) -> str:
        rows = cur.execute("SELECT name FROM round_raters WHERE code = ? AND rater_id = ? AND removed_at IS NULL",
                           [rnd["code"], rater_id]).fetchall()
        if not rows:
            raise RaterError(f"no active rater {rater_id!r} in round {rnd['code']}", "unknown_rater", code=rnd["code"])
        return rows[0][0]

    @staticmethod
    def _why(reason, rnd) -> str:
        reason = str(reason or "").strip()[:MAX_NOTE]
        if not reason:
            raise RaterError("give a reason: the round's log keeps it", "no_reason", code=rnd["code"])
        return reason

    def remove(self, code, key, rater_id: str, reason: str, by: str = "") -> None:
        """Take a person out of the round: their levels stay stored but leave every statistic and the agreed
        levels; their link stops working. Logged with the reason. An agreed round is agreed again at once, so the
        records follow."""
        with self._lead_write(code, key) as (cur, rnd):
            why = self._why(reason, rnd)
            name = self._person(cur, rnd, rater_id)
            n = cur.execute("SELECT count(*) FROM round_scores WHERE code = ? AND rater_id = ?",
                            [rnd["code"], rater_id]).fetchall()[0][0]
            cur.execute("UPDATE round_raters SET removed_at = ?, removed_reason = ? WHERE rater_id = ?",
                        [_now(), why, rater_id])
            self._act(cur, rnd["code"], "remove", by, other=name, reason=why, detail=json.dumps({"levels": n}))
        self._follow(rnd, key, by)

    def merge(self, code, key, keep_id: str, drop_id: str, reason: str, by: str = "") -> dict:
        """One person who joined twice: the levels of `drop_id` move to `keep_id` where `keep_id` has not rated
        the same station and item; where both did, the kept identity's level stands and the other is dropped
        (left stored, out of every statistic). `drop_id` is then out of the round. Logged; returns moved and
        dropped counts. An agreed round is agreed again at once."""
        if keep_id == drop_id:
            raise RaterError("choose two different people to merge", "bad_option")
        with self._lead_write(code, key) as (cur, rnd):
            why = self._why(reason, rnd)
            keep, drop = self._person(cur, rnd, keep_id), self._person(cur, rnd, drop_id)
            theirs = cur.execute("SELECT station_id, item FROM round_scores WHERE code = ? AND rater_id = ?",
                                 [rnd["code"], drop_id]).fetchall()
            mine = {tuple(r) for r in cur.execute("SELECT station_id, item FROM round_scores WHERE code = ? AND "
                                                  "rater_id = ?", [rnd["code"], keep_id]).fetchall()}
            moved = [r for r in theirs if tuple(r) not in mine]
            for sid, item in moved:
                cur.execute("UPDATE round_scores SET rater_id = ? WHERE code = ? AND rater_id = ? AND station_id = ? "
                            "AND item = ?", [keep_id, rnd["code"], drop_id, sid, item])
                cur.execute("UPDATE round_changes SET rater_id = ? WHERE code = ? AND rater_id = ? AND station_id = ? "
                            "AND item = ?", [keep_id, rnd["code"], drop_id, sid, item])
            cur.execute("UPDATE round_raters SET removed_at = ?, removed_reason = ?, merged_into = ? WHERE "
                        "rater_id = ?", [_now(), why, keep_id, drop_id])
            out = {"moved": len(moved), "dropped": len(theirs) - len(moved)}
            self._act(cur, rnd["code"], "merge", by, other=f"{drop} → {keep}", reason=why,
                      detail=json.dumps(out))    # the rule: the kept identity's level stands
        self._follow(rnd, key, by)
        return out

    def _follow(self, rnd: dict, key, by: str) -> None:
        """After a change of people: an agreed round writes its agreed levels again (same mode), so the records
        never keep a level a removed person made."""
        if rnd["state"] == "agreed":
            self.agree(rnd["code"], key, confirm=True, by=by)

    def decide(self, code, key, station_id: str, item: str, level: str | None, note: str, by: str = "") -> None:
        """The panel's decision (合议) on one station and item: its agreed level, with a note (required). `level`
        None takes the decision back (the median counts again)."""
        with self._lead_write(code, key, "the panel decides") as (cur, rnd):
            found = [i for i in rnd["items"] if i.id == item]
            if station_id not in rnd["stations"] or not found:
                raise RaterError(f"{station_id}/{item} is not rated in round {rnd['code']}", "bad_level",
                                 code=rnd["code"])
            why = self._why(note, rnd)
            if level is None:
                cur.execute("DELETE FROM round_decisions WHERE code = ? AND station_id = ? AND item = ?",
                            [rnd["code"], station_id, item])
            else:
                found[0].rank(level)
                cur.execute("INSERT OR REPLACE INTO round_decisions VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [rnd["code"], station_id, item, level, why, by, _now()])
            self._act(cur, rnd["code"], "decide", by, station_id=station_id, item=item, level=level, reason=why)

    def decisions(self, code, key) -> pd.DataFrame:
        """The panel's decisions: station_id, item, level, note, decided_by, decided_at."""
        with self._lead_read(code, key) as (cur, rnd):
            rows = cur.execute("SELECT station_id, item, level, note, decided_by, decided_at FROM round_decisions "
                               "WHERE code = ? ORDER BY station_id, item", [rnd["code"]]).fetchall()
        return pd.DataFrame(rows, columns=["station_id", "item", "level", "note", "decided_by", "decided_at"])

    def actions(self, code, key) -> pd.DataFrame:
        """The lead's log: action (remove, merge, decide, reopen, agree), by, whom, station, item, level, reason,
        detail (a dict: agree {mode, rows, aside, confirmed}, remove {levels}, merge {moved, dropped}), when."""
        with self._lead_read(code, key) as (cur, rnd):
            rows = cur.execute("SELECT action, rater, other, station_id, item, level, reason, detail, acted_at FROM "
                               "round_actions WHERE code = ? ORDER BY acted_at", [rnd["code"]]).fetchall()
        rows = [(*r[:7], json.loads(r[7]) if r[7] else {}, r[8]) for r in rows]
        return pd.DataFrame(rows, columns=["action", "by", "whom", "station_id", "item", "level", "reason", "detail",
                                           "acted_at"])

    def lockout(self, code, key) -> Lockout:
        """For the lead: whether new tablets are refused because too many codes naming no round were tried (the
        `unknown_*` fields: a round's code is the only code a rater types), and how many tablets are locked."""
        with self._lead_read(code, key) as (cur, rnd):
            return self._codes.lockout(cur, KIND, rnd["code"])

    def lift(self, code, key, by: str = "") -> None:
        """For the lead: let new tablets type codes again and free the locked ones (see `Codes.lift`)."""
        with self._lead_write(code, key) as (cur, rnd):
            self._codes.lift(cur, KIND, rnd["code"], by)

    # -------------------------------------------------------------- raters

    def join(self, code, name: str, token: str | None = None, session: str | None = None) -> Rater:
        """Join with a name unique in the round; with the token you were given, rejoin as yourself. A name already
        in the round is refused with reason `name_taken`: that person comes back with their own link (token)."""
        name = clean_name(name, RaterError)
        with self._codes.counting(self._con, KIND, session) as cur:
            self._codes.refuse_locked(cur, KIND, None, session, RaterError)
            rnd = self._round(cur, code)
            taken = cur.execute("SELECT rater_id FROM round_raters WHERE code = ? AND name_key = ?",
                                [rnd["code"], _name_key(name)]).fetchall()
            if token is not None:
                rid, rname = self._rater(cur, rnd, token)
                if not taken or taken[0][0] != rid:
                    raise RaterError(f"this token belongs to {rname!r}", "wrong_rater", code=rnd["code"])
                return Rater(rid, token, rnd["code"], rname)
            if taken:
                raise RaterError(f"the name {name!r} is taken in round {rnd['code']}", "name_taken", code=rnd["code"])
            if rnd["state"] != "open":
                raise RaterError(f"rating round {rnd['code']} is closed to new raters", "closed", code=rnd["code"])
            rid, (tok, tok_hash) = "r" + secrets.token_hex(8), self._codes.new_secret()
            cur.execute("INSERT INTO round_raters (rater_id, code, name, name_key, token_hash, joined_at) VALUES "
                        "(?, ?, ?, ?, ?, ?)", [rid, rnd["code"], name, _name_key(name), tok_hash, _now()])
        return Rater(rid, tok, rnd["code"], name)

    def resume(self, code, token, session: str | None = None) -> Rater:
        """Come back with the token of one's own link (another device, a reload, another day): the same rater,
        the same levels. A wrong round code counts against the browser session."""
        with self._codes.counting(self._con, KIND, session) as cur:
            self._codes.refuse_locked(cur, KIND, None, session, RaterError)
            rnd = self._round(cur, code)
            rid, name = self._rater(cur, rnd, str(token or "").strip())
        return Rater(rid, str(token).strip(), rnd["code"], name)

    def rate(self, code, token, station_id: str, item: str, level: str, evidence: str = "", seen: str | None = None,
             reason: str = "") -> None:
        """Store one rater's level for a station's rubric item. `seen` (site or paper) has no default: the rater
        says it. While open, the latest replaces the earlier. Once the round has been revealed (also when it is
        reopened), a change of a level needs a `reason` and is logged (who, from, to, why, when), and the levels of
        the first reveal stay as history. An agreed round refuses (reason `agreed`), a revealed one refuses new
        levels (reason `closed`): nothing is dropped without a word."""
        evidence = str(evidence or "").strip()[:MAX_NOTE]
        with writing(self._con) as cur:
            rnd = self._round(cur, code)
            rid, rname = self._rater(cur, rnd, token)
            if seen not in SEEN:
                raise RaterError(f"seen must be one of {', '.join(SEEN)}, got {seen!r}", "bad_seen")
            if station_id not in rnd["stations"]:
                raise RaterError(f"station {station_id!r} is not rated in round {rnd['code']}", "no_stations",
                                 code=rnd["code"])
            found = [i for i in rnd["items"] if i.id == item]
            if not found:
                raise RaterError(f"{item!r} is not a rubric item of round {rnd['code']}", "bad_level", code=rnd["code"])
            found[0].rank(level)
            old = cur.execute("SELECT level FROM round_scores WHERE code = ? AND rater_id = ? AND station_id = ? AND "
                              "item = ?", [rnd["code"], rid, station_id, item]).fetchall()
            if rnd["state"] == "agreed":
                raise RaterError(f"rating round {rnd['code']} is agreed: levels are final", "agreed", code=rnd["code"])
            if rnd["state"] == "revealed" and not old:
                raise RaterError(f"rating round {rnd['code']} is in moderation: only levels already given can "
                                 f"change", "closed", code=rnd["code"])
            ever = rnd["revealed_at"] is not None
            if ever and old and old[0][0] != level:
                if not str(reason or "").strip():
                    raise RaterError("say why the level changes (moderation keeps a log)", "no_reason",
                                     code=rnd["code"])
                cur.execute("INSERT INTO round_changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [rnd["code"], rid, rname, station_id, item, old[0][0], level,
                             str(reason).strip()[:MAX_NOTE], _now()])
            first = None if ever else level     # after a reveal, first_level keeps what was revealed
            cur.execute("INSERT INTO round_scores (code, rater_id, station_id, item, level, first_level, evidence, "
                        "seen, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                        "level = excluded.level, first_level = coalesce(excluded.first_level, "
                        "round_scores.first_level), evidence = excluded.evidence, seen = excluded.seen, "
                        "submitted_at = excluded.submitted_at",
                        [rnd["code"], rid, station_id, item, level, first, evidence, seen, _now()])

    def mine(self, code, token) -> pd.DataFrame:
        """A rater's own scores: station_id, item, level, evidence, seen."""
        cur = self._con.cursor()
        try:
            rnd = self._round(cur, code)
            rid, _ = self._rater(cur, rnd, token)
            rows = cur.execute("SELECT station_id, item, level, evidence, seen FROM round_scores WHERE code = ? AND "
                               "rater_id = ?", [rnd["code"], rid]).fetchall()
        finally:
            cur.close()
        return pd.DataFrame(rows, columns=["station_id", "item", "level", "evidence", "seen"])

    # -------------------------------------------------------------- everyone

    def status(self, code, session: str | None = None) -> dict:
        """Public: the round, its stations (station_names: id -> (zh, en)) and rubric items (levels with
        descriptors, worst first), counts. `session`: the browser session that typed the code, until it got in:
        a wrong code counts against it (indicators/live/codes.py)."""
        def read(cur):
            self._codes.refuse_locked(cur, KIND, None, session, RaterError)
            rnd = self._round(cur, code)
            n_raters = cur.execute("SELECT count(*) FROM round_raters WHERE code = ? AND removed_at IS NULL",
                                   [rnd["code"]]).fetchall()[0][0]
            n_scores = cur.execute("SELECT count(*) FROM round_scores s JOIN round_raters r USING (rater_id) WHERE "
                                   "s.code = ? AND r.removed_at IS NULL", [rnd["code"]]).fetchall()[0][0]
            names = {r[0]: (r[1], r[2]) for r in cur.execute("SELECT station_id, name, name_en FROM stations").fetchall()}
            return rnd, n_raters, n_scores, names
        if session is None:
            cur = self._con.cursor()
            try:
                rnd, n_raters, n_scores, names = read(cur)
            finally:
                cur.close()
        else:   # a first check for a browser session is counted, in a write transaction
            with self._codes.counting(self._con, KIND, session) as cur:
                rnd, n_raters, n_scores, names = read(cur)
        items = [{"id": i.id, "key": i.key, "name_zh": i.name_zh, "name_en": i.name_en,
                  "levels": [lv.__dict__ for lv in i.levels]} for i in rnd["items"]]
        return {"code": rnd["code"], "title": rnd["title"], "scheme_id": rnd["scheme_id"], "state": rnd["state"],
                "revealed_at": rnd["revealed_at"], "period": (rnd["period_start"], rnd["period_end"]),
                "agree_mode": rnd["agree_mode"],
                "rated_on": rnd["rated_on"], "stations": rnd["stations"],
                "station_names": {s: names.get(s, (s, s)) for s in rnd["stations"]}, "items": items,
                "n_raters": int(n_raters), "n_scores": int(n_scores),
                "n_units": len(rnd["stations"]) * len(items)}
