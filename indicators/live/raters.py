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
)


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
        rows = cur.execute("SELECT code, title, scheme_id, scheme_yaml, stations, rated_on, key_hash, state, "
                           "created_at FROM rating_rounds WHERE code = ?", [clean]).fetchall()
        if not rows:
            raise RaterError(f"no rating round with code {clean or code!r}", "no_round", code=clean, attempt=UNKNOWN)
        r = dict(zip(("code", "title", "scheme_id", "scheme_yaml", "stations", "rated_on", "key_hash", "state",
                      "created_at"), rows[0]))
        r["stations"] = json.loads(r["stations"])
        r["scheme"] = load_yaml(r["scheme_yaml"], f"rating round {r['code']}")
        r["items"] = rubric_items(r["scheme"])
        return r

    def _lead(self, rnd: dict, key) -> None:
        if not self._codes.same(key, rnd["key_hash"]):
            raise RaterError(f"wrong lead key for rating round {rnd['code']}", "wrong_key", code=rnd["code"])

    def _rater(self, cur, rnd: dict, token) -> tuple[str, str]:
        if isinstance(token, str) and token:
            rows = cur.execute("SELECT rater_id, name, token_hash FROM round_raters WHERE code = ? AND token_hash IN "
                               "(?, ?)", [rnd["code"], *self._codes.forms(token)]).fetchall()
            if rows and self._codes.same(token, rows[0][2]):
                return rows[0][0], rows[0][1]
        raise RaterError(f"unknown rater token for rating round {rnd['code']}; join the round first",
                         "unknown_rater", code=rnd["code"])

    # -------------------------------------------------------------- lead

    def create(self, scheme: Scheme, stations, rated_on: date, title: str = "") -> Round:
        """Open a round on `stations` (ids) and the scheme's rubric items; agreed levels will be dated `rated_on`."""
        items = rubric_items(scheme)
        if not items:
            raise RaterError(f"scheme {scheme.id} has no rubric item (a scale indicator on ratings.level)",
                             "no_items")
        stations = list(dict.fromkeys(str(s) for s in stations))
        if not stations:
            raise RaterError("choose at least one station", "no_stations")
        if not isinstance(rated_on, date):
            raise RaterError(f"rated_on must be a date, got {rated_on!r}", "bad_option")
        (key, key_hash), now = self._codes.new_secret(), _now()
        with writing(self._con) as cur:
            known = {r[0] for r in cur.execute("SELECT station_id FROM stations").fetchall()}
            unknown = [s for s in stations if s not in known]
            if unknown:
                raise RaterError(f"unknown station(s) {', '.join(unknown)}", "no_stations")
            code = new_code(cur, "rating_rounds")
            cur.execute("INSERT INTO rating_rounds VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)",
                        [code, str(title or "").strip(), scheme.id, dump_yaml(scheme), json.dumps(stations), rated_on,
                         key_hash, now, now])
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
        """Close rating and show the raters the spread of levels: moderation starts (changes now need a reason)."""
        self._set_state(code, key, "revealed", frm=("open",))

    def reopen(self, code, key) -> None:
        self._set_state(code, key, "open", frm=("revealed",))

    def _set_state(self, code, key, state: str, frm: tuple[str, ...]) -> None:
        with writing(self._con) as cur:
            rnd = self._round(cur, code)
            self._lead(rnd, key)
            if rnd["state"] not in frm:
                raise RaterError(f"rating round {rnd['code']} is {rnd['state']}", rnd["state"], code=rnd["code"])
            cur.execute("UPDATE rating_rounds SET state = ?, updated_at = ? WHERE code = ?", [state, _now(), rnd["code"]])

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
            rows = cur.execute(
                f"SELECT s.station_id, s.item, r.name, s.{'first_level' if first else 'level'}, s.evidence, s.seen "
                "FROM round_scores s JOIN round_raters r USING (rater_id) WHERE s.code = ? "
                "ORDER BY s.station_id, s.item, r.joined_at", [rnd["code"]]).fetchall()
        finally:
            cur.close()
        df = pd.DataFrame(rows, columns=["station_id", "item", "rater", "level", "evidence", "seen"])
        by_id = {i.id: i for i in rnd["items"]}
        df["rank"] = [by_id[i].rank(lv) for i, lv in zip(df["item"], df["level"])]
        return df if key is not None else df.drop(columns=["rater", "evidence"])   # raters see levels, not names

    def changes(self, code, key) -> pd.DataFrame:
        """The moderation log: who changed which level from what to what, why, when."""
        cur = self._con.cursor()
        try:
            rnd = self._round(cur, code)
            self._lead(rnd, key)
            rows = cur.execute("SELECT rater, station_id, item, old_level, new_level, reason, changed_at FROM "
                               "round_changes WHERE code = ? ORDER BY changed_at", [rnd["code"]]).fetchall()
        finally:
            cur.close()
        return pd.DataFrame(rows, columns=["rater", "station_id", "item", "old_level", "new_level", "reason",
                                           "changed_at"])

    def result(self, code, key, flag_spread: int = FLAG_SPREAD) -> dict:
        """Agreement now and as first rated: units (with the agreed level and the on-site count), item_alpha,
        alpha, first_item_alpha, first_alpha, raters (names)."""
        now, first = self.scores(code, key), self.scores(code, key, first=True)
        ag, ag0 = agreement(now, flag_spread), agreement(first, flag_spread)
        rnd = self.status(code)
        items = {i["id"]: i for i in rnd["items"]}
        units = ag["units"]
        units["level"] = [items[i]["levels"][m]["value"] for i, m in zip(units["item"], units["median"])]
        site = now.assign(on_site=now["seen"] == "site").groupby(["station_id", "item"], sort=False)["on_site"].sum()
        units["on_site"] = [int(site.get((s, i), 0)) for s, i in zip(units["station_id"], units["item"])]
        return {"units": units, "item_alpha": ag["item_alpha"], "alpha": ag["alpha"],
                "first_item_alpha": ag0["item_alpha"], "first_alpha": ag0["alpha"],
                "raters": list(dict.fromkeys(now["rater"]))}

    def agree(self, code, key, flag_spread: int = FLAG_SPREAD) -> pd.DataFrame:
        """Write the agreed level of every rated station x item into `ratings` (one transaction; a second call
        replaces the round's rows): level = lower median of the final levels, rater_count, alpha (the item's),
        on_site (raters who saw the evidence on site), evidence (every rater's note). Returns the rows written."""
        res = self.result(code, key, flag_spread)
        scores = self.scores(code, key)
        rnd = self.status(code)
        keys = {i["id"]: i["key"] for i in rnd["items"]}
        rows = []
        for u in res["units"].itertuples():
            mine = scores[(scores["station_id"] == u.station_id) & (scores["item"] == u.item)]
            notes = "; ".join(f"{r.rater}[{r.seen}]: {r.evidence}" if r.evidence else f"{r.rater}[{r.seen}]"
                              for r in mine.itertuples())
            alpha = res["item_alpha"].get(u.item)
            rows.append([f"{rnd['code']}-{u.station_id}-{u.item}", u.station_id, keys[u.item], u.level,
                         f"rating round {rnd['code']} ({', '.join(mine['rater'])})", rnd["rated_on"], notes,
                         int(u.n), None if alpha is None else round(alpha, 4), int(u.on_site)])
        if not rows:
            raise RaterError(f"nobody has rated anything in round {rnd['code']} yet", "no_scores", code=rnd["code"])
        out = pd.DataFrame(rows, columns=["rating_id", "station_id", "indicator_id", "level", "rater", "rated_on",
                                          "evidence", "rater_count", "alpha", "on_site"])
        with writing(self._con) as cur:
            again = self._round(cur, code)
            self._lead(again, key)
            if again["state"] == "open":
                raise RaterError(f"reveal rating round {again['code']} before agreeing levels", "open",
                                 code=again["code"])
            cur.execute("DELETE FROM ratings WHERE rating_id LIKE ?", [f"{again['code']}-%"])
            cur.executemany(f"INSERT INTO ratings ({', '.join(out.columns)}) VALUES "
                            f"({', '.join('?' * len(out.columns))})", [list(r) for r in rows])
            cur.execute("UPDATE rating_rounds SET state = 'agreed', updated_at = ? WHERE code = ?",
                        [_now(), again["code"]])
        return out

    def lockout(self, code, key) -> Lockout:
        """For the lead: whether new tablets are refused because too many codes naming no round were tried (the
        `unknown_*` fields: a round's code is the only code a rater types), and how many tablets are locked."""
        cur = self._con.cursor()
        try:
            rnd = self._round(cur, code)
            self._lead(rnd, key)
            return self._codes.lockout(cur, KIND, rnd["code"])
        finally:
            cur.close()

    def lift(self, code, key, by: str = "") -> None:
        """For the lead: let new tablets type codes again and free the locked ones (see `Codes.lift`)."""
        with writing(self._con) as cur:
            rnd = self._round(cur, code)
            self._lead(rnd, key)
            self._codes.lift(cur, KIND, rnd["code"], by)

    # -------------------------------------------------------------- raters

    def join(self, code, name: str, token: str | None = None, session: str | None = None) -> Rater:
        """Join with a name unique in the round; with the token you were given, rejoin as yourself."""
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
            cur.execute("INSERT INTO round_raters VALUES (?, ?, ?, ?, ?, ?)",
                        [rid, rnd["code"], name, _name_key(name), tok_hash, _now()])
        return Rater(rid, tok, rnd["code"], name)

    def rate(self, code, token, station_id: str, item: str, level: str, evidence: str = "", seen: str = "site",
             reason: str = "") -> None:
        """Store one rater's level for a station's rubric item. While open, the latest replaces the earlier. After
        reveal (moderation), a change needs a `reason` and is logged (who, from, to, why, when)."""
        evidence = str(evidence or "").strip()[:MAX_NOTE]
        if seen not in SEEN:
            raise RaterError(f"seen must be one of {', '.join(SEEN)}, got {seen!r}", "bad_seen")
        with writing(self._con) as cur:
            rnd = self._round(cur, code)
            rid, rname = self._rater(cur, rnd, token)
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
            if rnd["state"] == "revealed":
                if not old:
                    raise RaterError(f"rating round {rnd['code']} is in moderation: only levels already given can "
                                     f"change", "closed", code=rnd["code"])
                if not str(reason or "").strip():
                    raise RaterError("say why the level changes (moderation keeps a log)", "no_reason",
                                     code=rnd["code"])
                if old[0][0] != level:
                    cur.execute("INSERT INTO round_changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                [rnd["code"], rid, rname, station_id, item, old[0][0], level,
                                 str(reason).strip()[:MAX_NOTE], _now()])
            first = level if rnd["state"] == "open" else None
            cur.execute("INSERT INTO round_scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
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
            n_raters = cur.execute("SELECT count(*) FROM round_raters WHERE code = ?", [rnd["code"]]).fetchall()[0][0]
            n_scores = cur.execute("SELECT count(*) FROM round_scores WHERE code = ?", [rnd["code"]]).fetchall()[0][0]
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
                "rated_on": rnd["rated_on"], "stations": rnd["stations"],
                "station_names": {s: names.get(s, (s, s)) for s in rnd["stations"]}, "items": items,
                "n_raters": int(n_raters), "n_scores": int(n_scores),
                "n_units": len(rnd["stations"]) * len(items)}
