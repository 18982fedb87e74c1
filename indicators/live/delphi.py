"""Expert consultation rounds (Delphi), the way Chinese evaluation studies select indicators: a facilitator proposes
candidate indicators, experts rate importance and feasibility (1-5) and state their familiarity and basis of
judgment, each round yields mean, full-score frequency, coefficient of variation, Kendall's W with its chi-square
test and the authority coefficient Cr; indicators below the thresholds are flagged for dropping, experts see the
anonymous distribution before the next round, and the last round's kept indicators become a scheme draft.

No streamlit here. The statistics (`indicator_stats`, `kendall_w`, `authority`, `flags`) are pure functions;
`DelphiStore` keeps studies in DuckDB and writes through `records.writing`. Formulas and sources: docs/delphi.md.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
from scipy import stats

from indicators.live.codes import UNKNOWN, Codes, Lockout
from indicators.live.panel import clean_name, new_code
from indicators.live.workshop import WorkshopError, _clean_code, _name_key, _now
from indicators.records.store import writing
from indicators.scheme.model import Provenance, Scheme, SchemeError, dump_yaml, load_yaml, validate

__all__ = ["SCORES", "BASES", "INFLUENCE", "CA", "FAMILIARITY", "CS", "THRESHOLDS", "DelphiError", "DelphiStore",
           "indicator_stats", "kendall_w", "authority", "panel_authority", "half_up", "flags", "draft_scheme",
           "lost_gates"]

SCORES = (1, 2, 3, 4, 5)
# Judgment coefficient Ca: each basis of judgment scored by how much it influenced the expert (high, medium, low);
# Ca is the sum over the four bases (1.0 when all influence is high). The table used across Chinese Delphi studies.
BASES = ("practice", "theory", "peers", "intuition")
INFLUENCE = ("high", "medium", "low")
CA = {"practice": (0.5, 0.4, 0.3), "theory": (0.3, 0.2, 0.1), "peers": (0.1, 0.1, 0.1), "intuition": (0.1, 0.1, 0.1)}
# Familiarity coefficient Cs: very familiar ... unfamiliar.
FAMILIARITY = ("very", "familiar", "somewhat", "little", "not")
CS = {"very": 1.0, "familiar": 0.8, "somewhat": 0.6, "little": 0.4, "not": 0.2}
THRESHOLDS = {"mean_min": 3.5, "cv_max": 0.25, "feasibility_min": 3.5}
KIND = "delphi"             # the attempt limiter's name for Delphi studies (indicators/live/codes.py)


class DelphiError(WorkshopError):
    """A refused Delphi action; `reason` is a stable code for translated messages (as for workshops)."""


# ------------------------------------------------------------------------------------------ statistics, pure

def indicator_stats(scores: pd.DataFrame) -> pd.DataFrame:
    """Per indicator (columns of `scores`: experts x indicators, 1-5, NaN where unanswered): n, mean, sd (sample,
    n - 1), cv = sd / mean, full = share of experts who gave 5 (full-score frequency), and counts of each score."""
    s = scores.astype(float)
    out = pd.DataFrame({"n": s.notna().sum(), "mean": s.mean(), "sd": s.std(ddof=1)})
    out["cv"] = out["sd"] / out["mean"]
    out["full"] = (s == 5).sum() / out["n"]
    for v in SCORES:
        out[f"n{v}"] = (s == v).sum().astype(int)
    return out


def kendall_w(scores) -> dict:
    """Kendall's coefficient of concordance of m experts (rows) over n indicators (columns), every cell answered.

    Each expert's scores are ranked across the indicators (ties share their average rank); R_j = the sum of
    indicator j's ranks; S = sum_j (R_j - mean R)^2; with tie correction T = sum over experts and tie groups of
    (t^3 - t): W = 12 S / (m^2 (n^3 - n) - m T). Test: chi2 = m (n - 1) W, df = n - 1 (large-sample
    approximation; with fewer than 7 indicators it is rough). W is 0 when every expert ties everything.
    """
    x = np.asarray(scores, dtype=float)
    m, n = x.shape
    if m < 2 or n < 2 or not np.isfinite(x).all():
        raise DelphiError("Kendall's W needs at least 2 experts and 2 indicators, every score given", "too_few")
    ranks = np.vstack([stats.rankdata(row) for row in x])
    r = ranks.sum(axis=0)
    s = float(((r - r.mean()) ** 2).sum())
    ties = 0.0
    for row in x:
        _, t = np.unique(row, return_counts=True)
        ties += float((t ** 3 - t).sum())
    denom = m * m * (n ** 3 - n) - m * ties
    w = 12 * s / denom if denom > 0 else 0.0
    chi2 = m * (n - 1) * w
    return {"w": w, "chi2": chi2, "df": n - 1, "p": float(stats.chi2.sf(chi2, n - 1)), "m": m, "n": n,
            "s": s, "ties": ties}


def authority(familiarity: str, basis: dict[str, str]) -> dict:
    """One expert's Ca (sum over the four bases of CA[basis][influence]), Cs (CS[familiarity]), Cr = (Ca + Cs) / 2."""
    if familiarity not in CS:
        raise DelphiError(f"familiarity must be one of {', '.join(FAMILIARITY)}, got {familiarity!r}", "bad_answer")
    if set(basis) != set(BASES) or any(v not in INFLUENCE for v in basis.values()):
        raise DelphiError(f"give each basis of judgment ({', '.join(BASES)}) an influence: "
                          f"{', '.join(INFLUENCE)}", "bad_answer")
    ca10, cs10 = _tenths(familiarity, basis)
    return {"ca": ca10 / 10, "cs": cs10 / 10, "cr": (ca10 + cs10) / 20}


def _tenths(familiarity: str, basis: dict[str, str]) -> tuple[int, int]:
    """Ca and Cs in tenths, as whole numbers: every table value is a multiple of 0.1, so sums are exact."""
    return (sum(round(CA[b][INFLUENCE.index(basis[b])] * 10) for b in BASES), round(CS[familiarity] * 10))


def half_up(x, places: int = 2) -> float:
    """`x` (a Fraction or a number) rounded once, half up, to `places` decimals (0.825 -> 0.83)."""
    d = Decimal(x.numerator) / Decimal(x.denominator) if isinstance(x, Fraction) else Decimal(str(x))
    return float(d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def panel_authority(answers) -> dict:
    """The panel's mean Ca, Cs and Cr over `answers` [(familiarity, basis), ...], from exact sums (tenths), so the
    panel has one value whatever the order of the experts: `ca`, `cs`, `cr` rounded once to 2 decimals, and the
    exact fractions (`exact`). None for each when nobody answered."""
    pairs = [_tenths(f, b) for f, b in answers]
    if not pairs:
        return {"ca": None, "cs": None, "cr": None, "exact": None}
    m = len(pairs)
    ca, cs = Fraction(sum(p[0] for p in pairs), 10 * m), Fraction(sum(p[1] for p in pairs), 10 * m)
    cr = (ca + cs) / 2
    return {"ca": half_up(ca), "cs": half_up(cs), "cr": half_up(cr), "exact": {"ca": ca, "cs": cs, "cr": cr}}


def flags(importance: pd.DataFrame, feasibility: pd.DataFrame, thresholds: dict | None = None) -> pd.Series:
    """Per indicator, the reasons to drop it (empty tuple: keep): importance mean below mean_min, importance cv
    above cv_max, feasibility mean below feasibility_min."""
    th = {**THRESHOLDS, **(thresholds or {})}
    out = {}
    for j in importance.index:
        why = []
        if importance.at[j, "mean"] < th["mean_min"]:
            why.append("mean")
        if importance.at[j, "cv"] > th["cv_max"]:
            why.append("cv")
        if feasibility.at[j, "mean"] < th["feasibility_min"]:
            why.append("feasibility")
        out[j] = tuple(why)
    return pd.Series(out, dtype=object)


def lost_gates(scheme: Scheme, keep) -> list:
    """The gates (否决项) of `scheme` whose indicator is not in `keep`: a draft keeping only `keep` loses them."""
    keep = set(keep)
    return [g for g in scheme.gates if g.indicator not in keep]


def draft_scheme(scheme: Scheme, keep, new_id: str, note: str, name_zh: str = "", name_en: str = "") -> Scheme:
    """`scheme` with only the `keep` indicators (dimensions left empty are dropped), weights as they were."""
    keep = set(keep)
    dims = tuple(replace(d, indicators=tuple(i for i in d.indicators if i.id in keep)) for d in scheme.dimensions)
    dims = tuple(d for d in dims if d.indicators)
    if not dims:
        raise DelphiError("no indicator is kept: the draft would be empty", "empty")
    gates = tuple(g for g in scheme.gates if g.indicator in keep)
    try:
        return validate(replace(scheme, id=new_id, dimensions=dims, gates=gates,
                                name_zh=name_zh or f"{scheme.name_zh}（德尔菲草案）",
                                name_en=name_en or f"{scheme.name_en} (Delphi draft)",
                                provenance=Provenance(method="direct", note=note)))
    except SchemeError as exc:
        raise DelphiError(f"the draft scheme's {exc}", "bad_scheme") from None


def fmt_p(p: float) -> str:
    """p as studies print it: `< 0.001` below 0.001, else three decimals."""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def provenance_note(s: dict, res: dict, keep, hist: dict, lang: str) -> str:
    """The draft's provenance in `lang`: study, rounds, experts, drop rule, last W and Cr, every indicator kept
    although flagged (in which rounds, the facilitator's reason) and the gates the draft lost."""
    from indicators.i18n import t
    names = {i.id: (i.name_zh if lang == "zh" else i.name_en) or i.id for i in s["scheme"].indicators}
    k, th = res["kendall"], s["thresholds"]
    parts = [t("dpw.note.head", lang, code=s["code"], title=s["title"] or s["scheme_id"], scheme=s["scheme_id"],
               rounds=s["round"], experts=res["n_experts"], kept=len(keep), candidates=len(s["candidates"]),
               mean=f"{th['mean_min']:g}", cv=f"{th['cv_max']:g}", feas=f"{th['feasibility_min']:g}"),
             t("dpw.note.w", lang, w=f"{k['w']:.3f}", chi2=f"{k['chi2']:.2f}", df=k["df"],
               p=fmt_p(k["p"]) if k["p"] < 0.001 else f"= {fmt_p(k['p'])}")
             if k else t("dpw.note.no_w", lang),
             t("dpw.note.cr", lang, cr=f"{res['cr']:.2f}")]
    dec = hist["decisions"]
    for j in keep:
        rounds = hist["flagged"].get(j, [])
        if not rounds:
            continue
        sep = "、" if lang == "zh" else ", "   # a Chinese list takes the enumeration comma
        why = ("；" if lang == "zh" else "; ").join(
            dict.fromkeys(r for r in dec[(dec["indicator"] == j) & (dec["action"] == "keep")]["reason"] if r))
        parts.append(t("dpw.note.override", lang, name=names.get(j, j), n=len(rounds),
                       rounds=sep.join(map(str, rounds)), reason=why or "—"))
    for g in lost_gates(s["scheme"], keep):
        parts.append(t("dpw.note.gate", lang, gate=(g.name_zh if lang == "zh" else g.name_en) or g.indicator,
                       name=names.get(g.indicator, g.indicator)))
    parts.append(t("dpw.note.weights", lang))
    return (" " if lang == "en" else "").join(parts)


# ------------------------------------------------------------------------------------------ the store

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS delphi_studies (
        code VARCHAR PRIMARY KEY, title VARCHAR, scheme_id VARCHAR, scheme_yaml VARCHAR, key_hash VARCHAR,
        round INTEGER, state VARCHAR, thresholds VARCHAR, created_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS delphi_candidates (
        code VARCHAR, indicator_id VARCHAR, position INTEGER, dropped_after INTEGER,
        PRIMARY KEY (code, indicator_id))""",
    """CREATE TABLE IF NOT EXISTS delphi_experts (
        expert_id VARCHAR PRIMARY KEY, code VARCHAR, name VARCHAR, name_key VARCHAR, token_hash VARCHAR,
        joined_at TIMESTAMP, UNIQUE (code, name_key))""",
    """CREATE TABLE IF NOT EXISTS delphi_answers (
        code VARCHAR, round INTEGER, expert_id VARCHAR, indicator_id VARCHAR, importance INTEGER,
        feasibility INTEGER, PRIMARY KEY (code, round, expert_id, indicator_id))""",
    """CREATE TABLE IF NOT EXISTS delphi_authority (
        code VARCHAR, round INTEGER, expert_id VARCHAR, familiarity VARCHAR, basis VARCHAR, submitted_at TIMESTAMP,
        PRIMARY KEY (code, round, expert_id))""",
    # Added for issue 23 (new tables, so an older database gains them on opening; nothing else changes):
    # experts removed by the facilitator (their answers leave every statistic), with who, when and why;
    """CREATE TABLE IF NOT EXISTS delphi_removed (
        expert_id VARCHAR PRIMARY KEY, code VARCHAR, reason VARCHAR, removed_by VARCHAR, removed_at TIMESTAMP)""",
    # the facilitator's decision on each flagged or dropped indicator after a round (drop / keep, the flags, why);
    """CREATE TABLE IF NOT EXISTS delphi_decisions (
        code VARCHAR, round INTEGER, indicator_id VARCHAR, action VARCHAR, flags VARCHAR, reason VARCHAR,
        decided_by VARCHAR, decided_at TIMESTAMP, PRIMARY KEY (code, round, indicator_id))""",
    # experts' comments per indicator and suggested new indicators (indicator_id '' for a suggestion).
    """CREATE TABLE IF NOT EXISTS delphi_comments (
        code VARCHAR, round INTEGER, expert_id VARCHAR, indicator_id VARCHAR, text VARCHAR, written_at TIMESTAMP,
        PRIMARY KEY (code, round, expert_id, indicator_id))""",
)
# An expert's rows count unless the facilitator removed the expert.
_PRESENT = "expert_id NOT IN (SELECT expert_id FROM delphi_removed)"
_COMMENT_MAX = 500


@dataclass(frozen=True)
class Study:
    """What `create` hands the facilitator. Keep `key`: it is shown once and stored only as a hash."""
    code: str
    key: str
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class Expert:
    expert_id: str
    token: str
    code: str
    name: str


def _score(v, what: str) -> int:
    if isinstance(v, bool) or v is None:
        raise DelphiError(f"{what} must be a whole number 1-5, got {v!r}", "bad_answer")
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise DelphiError(f"{what} must be a whole number 1-5, got {v!r}", "bad_answer") from None
    if x not in SCORES:
        raise DelphiError(f"{what} must be a whole number 1-5, got {v!r}", "bad_answer")
    return int(x)


class DelphiStore:
    """Delphi studies in DuckDB (tables delphi_studies, delphi_candidates, delphi_experts, delphi_answers,
    delphi_authority; made if missing), on a connection the caller owns. Thread-safe like `WorkshopStore`."""

    def __init__(self, con, clock=None):
        self._con = con
        with writing(con) as cur:
            for sql in _SCHEMA:
                cur.execute(sql)
            self._codes = Codes(cur, clock)

    def _study(self, cur, code) -> dict:
        clean = _clean_code(code)
        rows = cur.execute("SELECT code, title, scheme_id, scheme_yaml, key_hash, round, state, thresholds, created_at "
                           "FROM delphi_studies WHERE code = ?", [clean]).fetchall()
        if not rows:
            raise DelphiError(f"no Delphi study with code {clean or code!r}", "no_study", code=clean, attempt=UNKNOWN)
        s = dict(zip(("code", "title", "scheme_id", "scheme_yaml", "key_hash", "round", "state", "thresholds",
                      "created_at"), rows[0]))
        s["thresholds"] = json.loads(s["thresholds"])
        s["scheme"] = load_yaml(s["scheme_yaml"], f"Delphi study {s['code']}")
        cands = cur.execute("SELECT indicator_id, dropped_after FROM delphi_candidates WHERE code = ? ORDER BY "
                            "position", [s["code"]]).fetchall()
        s["candidates"] = [c[0] for c in cands]
        s["dropped_after"] = {c[0]: c[1] for c in cands if c[1] is not None}
        return s

    def _read(self, fn):
        cur = self._con.cursor()
        try:
            cur.execute("BEGIN TRANSACTION")
            return fn(cur)
        finally:
            cur.execute("ROLLBACK")
            cur.close()

    def _facilitator(self, s: dict, key) -> None:
        if not self._codes.same(key, s["key_hash"]):
            raise DelphiError(f"wrong facilitator key for Delphi study {s['code']}", "wrong_key", code=s["code"])

    def _expert(self, cur, s: dict, token) -> tuple[str, str]:
        if isinstance(token, str) and token:
            rows = cur.execute("SELECT expert_id, name, token_hash FROM delphi_experts WHERE code = ? AND "
                               "token_hash IN (?, ?)", [s["code"], *self._codes.forms(token)]).fetchall()
            if rows and self._codes.same(token, rows[0][2]):
                if cur.execute("SELECT count(*) FROM delphi_removed WHERE expert_id = ?", [rows[0][0]]).fetchall()[0][0]:
                    raise DelphiError(f"the facilitator removed this expert from study {s['code']}", "removed",
                                      code=s["code"])
                return rows[0][0], rows[0][1]
        raise DelphiError(f"unknown expert token for Delphi study {s['code']}; join first", "unknown_expert",
                          code=s["code"])

    @staticmethod
    def _in_round(s: dict, rnd: int) -> list[str]:
        """The candidates rated in round `rnd`: not dropped after an earlier round."""
        return [c for c in s["candidates"] if s["dropped_after"].get(c) is None or s["dropped_after"][c] >= rnd]

    # -------------------------------------------------------------- facilitator

    def create(self, scheme: Scheme, candidates, title: str = "", thresholds: dict | None = None) -> Study:
        """Propose `candidates` (indicator ids of `scheme`, at least 2) to the experts; round 1 opens."""
        candidates = list(dict.fromkeys(candidates))
        ids = [i.id for i in scheme.indicators]
        unknown = [c for c in candidates if c not in ids]
        if unknown:
            raise DelphiError(f"not indicators of scheme {scheme.id}: {', '.join(unknown)}", "bad_option")
        if len(candidates) < 2:
            raise DelphiError("propose at least 2 candidate indicators", "too_few")
        th = {**THRESHOLDS}
        for k, v in (thresholds or {}).items():
            if k not in THRESHOLDS or isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
                raise DelphiError(f"threshold {k!r} must be one of {', '.join(THRESHOLDS)} and a positive number",
                                  "bad_option")
            th[k] = float(v)
        key, key_hash = self._codes.new_secret()
        with writing(self._con) as cur:
            code = new_code(cur, "delphi_studies")
            cur.execute("INSERT INTO delphi_studies VALUES (?, ?, ?, ?, ?, 1, 'open', ?, ?)",
                        [code, str(title or "").strip(), scheme.id, dump_yaml(scheme), key_hash, json.dumps(th),
                         _now()])
            cur.executemany("INSERT INTO delphi_candidates VALUES (?, ?, ?, NULL)",
                            [[code, c, n] for n, c in enumerate(candidates)])
        return Study(code, key, tuple(candidates))

    def check_facilitator(self, code, key) -> str:
        s = self._read(lambda cur: self._study(cur, code))
        self._facilitator(s, key)
        return s["code"]

    def close_round(self, code, key) -> None:
        """No more answers in the current round; its statistics and anonymous distribution become visible."""
        with writing(self._con) as cur:
            s = self._study(cur, code)
            self._facilitator(s, key)
            if s["state"] != "open":
                raise DelphiError(f"round {s['round']} of study {s['code']} is not open", "closed", code=s["code"])
            n = cur.execute(f"SELECT count(*) FROM delphi_authority WHERE code = ? AND round = ? AND {_PRESENT}",
                            [s["code"], s["round"]]).fetchall()[0][0]
            if n < 2:
                raise DelphiError(f"round {s['round']} has {n} answer(s); at least 2 experts are needed",
                                  "too_few", code=s["code"])
            cur.execute("UPDATE delphi_studies SET state = 'closed' WHERE code = ?", [s["code"]])

    def _decide(self, cur, s: dict, res: dict, drop, reasons, by: str) -> None:
        """Record the facilitator's decision on each flagged or dropped indicator of the closed round: a flagged
        indicator kept (an override) needs a reason in `reasons` {indicator: text}; a drop may have one."""
        reasons = {k: str(v or "").strip()[:_COMMENT_MAX] for k, v in (reasons or {}).items()}
        keep_flagged = [j for j in res["flagged"] if j not in drop]
        unexplained = [j for j in keep_flagged if not reasons.get(j)]
        if unexplained:
            raise DelphiError(f"say why the flagged indicator(s) {', '.join(unexplained)} stay", "reason_needed",
                              ids=unexplained)
        cur.execute("DELETE FROM delphi_decisions WHERE code = ? AND round = ?", [s["code"], s["round"]])
        rows = [[s["code"], s["round"], j, "drop" if j in drop else "keep", ",".join(res["flags"].get(j, ())),
                 reasons.get(j, ""), str(by or ""), _now()] for j in dict.fromkeys([*drop, *keep_flagged])]
        if rows:
            cur.executemany("INSERT INTO delphi_decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def next_round(self, code, key, drop=None, reasons: dict | None = None, by: str = "") -> int:
        """Drop `drop` (default: the indicators the closed round flagged) and open the next round with the rest.
        A flagged indicator that stays needs the facilitator's reason in `reasons` {indicator: text}; every
        decision is recorded (`history`)."""
        res = self.round_result(code, key)
        drop = list(res["flagged"]) if drop is None else list(drop)
        with writing(self._con) as cur:
            s = self._study(cur, code)
            if s["state"] != "closed":
                raise DelphiError(f"close round {s['round']} first", "open", code=s["code"])
            rated = self._in_round(s, s["round"])
            bad = [d for d in drop if d not in rated]
            if bad:
                raise DelphiError(f"not candidates of round {s['round']}: {', '.join(bad)}", "bad_option")
            if len(rated) - len(drop) < 2:
                raise DelphiError("at least 2 indicators must stay for another round", "too_few", code=s["code"])
            self._decide(cur, s, res, drop, reasons, by)
            for d in drop:
                cur.execute("UPDATE delphi_candidates SET dropped_after = ? WHERE code = ? AND indicator_id = ?",
                            [s["round"], s["code"], d])
            cur.execute("UPDATE delphi_studies SET round = round + 1, state = 'open' WHERE code = ?", [s["code"]])
        return s["round"] + 1

    def answers(self, code, key, rnd: int | None = None) -> dict:
        """Facilitator only: a round's answers as importance and feasibility matrices (experts x indicators, names
        as the index) and authority per expert (familiarity, basis, ca, cs, cr)."""
        def read(cur):
            s = self._study(cur, code)
            self._facilitator(s, key)
            r = s["round"] if rnd is None else rnd
            a = cur.execute(f"SELECT e.name, a.indicator_id, a.importance, a.feasibility FROM delphi_answers a JOIN "
                            "delphi_experts e USING (expert_id) WHERE a.code = ? AND a.round = ? AND "
                            f"a.{_PRESENT} ORDER BY e.joined_at",
                            [s["code"], r]).fetchall()
            au = cur.execute("SELECT e.name, x.familiarity, x.basis FROM delphi_authority x JOIN delphi_experts e "
                             f"USING (expert_id) WHERE x.code = ? AND x.round = ? AND x.{_PRESENT} "
                             "ORDER BY e.joined_at",
                             [s["code"], r]).fetchall()
            return s, r, a, au
        s, r, a, au = self._read(read)
        cols = self._in_round(s, r)
        df = pd.DataFrame(a, columns=["expert", "indicator", "importance", "feasibility"])
        experts = [x[0] for x in au]
        imp = df.pivot(index="expert", columns="indicator", values="importance").reindex(index=experts, columns=cols)
        fea = df.pivot(index="expert", columns="indicator", values="feasibility").reindex(index=experts, columns=cols)
        auth = pd.DataFrame([{"expert": n, "familiarity": f, "basis": json.loads(b), **authority(f, json.loads(b))}
                             for n, f, b in au], columns=["expert", "familiarity", "basis", "ca", "cs", "cr"])
        return {"study": s, "round": r, "importance": imp, "feasibility": fea, "authority": auth.set_index("expert")}

    def round_result(self, code, key, rnd: int | None = None) -> dict:
        """A round's statistics: importance and feasibility per indicator (indicator_stats), Kendall's W of
        importance (and of feasibility), authority (per expert and the mean Ca, Cs, Cr), flags and thresholds."""
        a = self.answers(code, key, rnd)
        imp, fea = indicator_stats(a["importance"]), indicator_stats(a["feasibility"])
        th = a["study"]["thresholds"]
        fl = flags(imp, fea, th) if len(a["importance"]) else pd.Series(dtype=object)
        complete = a["importance"].dropna()
        w = kendall_w(complete.to_numpy()) if len(complete) >= 2 else None
        fw = a["feasibility"].dropna()
        auth = a["authority"]
        panel = panel_authority([(x["familiarity"], x["basis"]) for _, x in auth.iterrows()])
        state = a["study"]["state"] if a["round"] == a["study"]["round"] else "closed"
        return {"round": a["round"], "state": state, "importance": imp, "feasibility": fea,
                "kendall": w, "kendall_feasibility": kendall_w(fw.to_numpy()) if len(fw) >= 2 else None,
                "authority": auth, "ca": panel["ca"], "cs": panel["cs"], "cr": panel["cr"], "exact": panel["exact"],
                "flags": fl, "flagged": [j for j, why in fl.items() if why], "thresholds": th,
                "n_experts": len(auth)}

    def draft(self, code, key, new_id: str, drop=None, name_zh: str = "", name_en: str = "",
              reasons: dict | None = None, by: str = "") -> Scheme:
        """The scheme draft: the last closed round's candidates minus `drop` (default: that round's flagged ones),
        from the study's scheme, with a provenance note in Chinese and English giving the rounds, experts, W, Cr,
        the indicators kept although flagged (with how often and the facilitator's reason) and the gates lost.
        The last round's decisions are recorded as for `next_round` (a flagged indicator kept needs a reason)."""
        res = self.round_result(code, key)
        s = self._read(lambda cur: self._study(cur, code))
        if s["state"] == "open":
            raise DelphiError(f"close round {s['round']} first", "open", code=s["code"])
        drop = set(res["flagged"] if drop is None else drop)
        keep = [c for c in self._in_round(s, s["round"]) if c not in drop]
        draft_scheme(s["scheme"], keep, new_id, "", name_zh, name_en)      # refuse an empty draft before recording
        with writing(self._con) as cur:
            s = self._study(cur, code)
            self._decide(cur, s, res, drop, reasons, by)
        hist = self.history(code, key)
        note = "\n".join(provenance_note(s, res, keep, hist, lang) for lang in ("zh", "en"))
        return draft_scheme(s["scheme"], keep, new_id, note, name_zh, name_en)

    def finish(self, code, key) -> None:
        """Facilitator only: end the consultation after a closed round (no further round); experts see that it is
        finished. The draft can still be saved."""
        with writing(self._con) as cur:
            s = self._study(cur, code)
            self._facilitator(s, key)
            if s["state"] == "open":
                raise DelphiError(f"close round {s['round']} first", "open", code=s["code"])
            cur.execute("UPDATE delphi_studies SET state = 'finished' WHERE code = ?", [s["code"]])

    def check_draft(self, code, key, drop=None) -> dict:
        """Before saving: the indicators kept and the gates (否决项) of the source scheme the draft would lose."""
        res = self.round_result(code, key)
        s = self._read(lambda cur: self._study(cur, code))
        drop = set(res["flagged"] if drop is None else drop)
        keep = [c for c in self._in_round(s, s["round"]) if c not in drop]
        return {"keep": keep, "lost_gates": lost_gates(s["scheme"], keep)}

    def history(self, code, key) -> dict:
        """Facilitator only: the study round by round as the papers report it. `rounds`: {round: round_result} for
        every closed round (the current one too when closed); `decisions`: what was dropped or kept by override
        after which round and why; `response`: per round the experts asked, those who answered and the rate (round
        1 asks every expert who joined, later rounds those who answered the round before; removed experts count
        nowhere); `experts`: progress per person; `comments`: experts' comments and suggested indicators; `flagged`
        {indicator: [rounds it was flagged in]}."""
        s = self._read(lambda cur: self._study(cur, code))
        self._facilitator(s, key)
        last = s["round"] - (s["state"] == "open")
        rounds = {r: self.round_result(code, key, r) for r in range(1, last + 1)}

        def read(cur):
            dec = cur.execute("SELECT round, indicator_id, action, flags, reason, decided_by, decided_at FROM "
                              "delphi_decisions WHERE code = ? ORDER BY round, indicator_id", [s["code"]]).fetchall()
            answered = cur.execute(f"SELECT round, expert_id FROM delphi_authority WHERE code = ? AND {_PRESENT}",
                                   [s["code"]]).fetchall()
            n_joined = cur.execute(f"SELECT count(*) FROM delphi_experts WHERE code = ? AND {_PRESENT}",
                                   [s["code"]]).fetchall()[0][0]
            return dec, answered, n_joined
        dec, answered, n_joined = self._read(read)
        by_round: dict[int, set] = {}
        for r, e in answered:
            by_round.setdefault(r, set()).add(e)
        response = []
        for r in range(1, s["round"] + 1):
            asked = n_joined if r == 1 else len(by_round.get(r - 1, set()))
            got = len(by_round.get(r, set()))
            response.append({"round": r, "asked": asked, "answered": got,
                             "rate": (got / asked) if asked else None})
        decisions = pd.DataFrame(dec, columns=["round", "indicator", "action", "flags", "reason", "by", "at"])
        decisions["flags"] = [tuple(x.split(",")) if x else () for x in decisions["flags"]]
        flagged: dict[str, list[int]] = {}
        for r, res in rounds.items():
            for j in res["flagged"]:
                flagged.setdefault(j, []).append(r)
        return {"study": {k: s[k] for k in ("code", "title", "scheme_id", "round", "state", "thresholds",
                                             "candidates", "dropped_after")},
                "scheme": s["scheme"], "rounds": rounds, "decisions": decisions, "response": response,
                "experts": self.experts(code, key), "comments": self.comments(code, key), "flagged": flagged}

    def lockout(self, code, key) -> Lockout:
        """For the facilitator: whether new devices are refused because too many codes naming no study were tried
        (the `unknown_*` fields: a study's code is the only code an expert types), and how many are locked."""
        def read(cur):
            s = self._study(cur, code)
            self._facilitator(s, key)
            return self._codes.lockout(cur, KIND, s["code"])
        return self._read(read)

    def lift(self, code, key, by: str = "") -> None:
        """For the facilitator: let new devices type codes again and free the locked ones (see `Codes.lift`)."""
        with writing(self._con) as cur:
            s = self._study(cur, code)
            self._facilitator(s, key)
            self._codes.lift(cur, KIND, s["code"], by)

    def experts(self, code, key) -> pd.DataFrame:
        """Facilitator only: every expert who joined, with the rounds they answered (`answered`: set of rounds),
        whether they answered the current round, and removal (time, reason, by) if removed."""
        def read(cur):
            s = self._study(cur, code)
            self._facilitator(s, key)
            ex = cur.execute("SELECT e.expert_id, e.name, e.joined_at, r.removed_at, r.reason, r.removed_by FROM "
                             "delphi_experts e LEFT JOIN delphi_removed r USING (expert_id) WHERE e.code = ? "
                             "ORDER BY e.joined_at", [s["code"]]).fetchall()
            au = cur.execute("SELECT expert_id, round FROM delphi_authority WHERE code = ?", [s["code"]]).fetchall()
            return s, ex, au
        s, ex, au = self._read(read)
        done: dict[str, set] = {}
        for e, r in au:
            done.setdefault(e, set()).add(r)
        return pd.DataFrame([{"expert_id": e, "name": n, "joined_at": j, "answered": sorted(done.get(e, ())),
                              "current": s["round"] in done.get(e, ()), "removed_at": ra, "reason": why or "",
                              "removed_by": by or ""} for e, n, j, ra, why, by in ex],
                            columns=["expert_id", "name", "joined_at", "answered", "current", "removed_at", "reason",
                                     "removed_by"])

    def comments(self, code, key) -> pd.DataFrame:
        """Facilitator only: experts' comments per indicator and suggested new indicators (`indicator` '' for a
        suggestion), every round, removed experts left out."""
        def read(cur):
            s = self._study(cur, code)
            self._facilitator(s, key)
            return cur.execute("SELECT c.round, e.name, c.indicator_id, c.text FROM delphi_comments c JOIN "
                               f"delphi_experts e USING (expert_id) WHERE c.code = ? AND c.{_PRESENT} "
                               "ORDER BY c.round, c.indicator_id, e.joined_at", [s["code"]]).fetchall()
        return pd.DataFrame(self._read(read), columns=["round", "expert", "indicator", "text"])

    def remove(self, code, key, expert_id: str, reason: str, by: str = "") -> None:
        """Facilitator only: remove an expert (a duplicate, someone who should not be on the panel): their answers
        leave every statistic, of every round, and their link stops working. The reason is required and kept."""
        reason = str(reason or "").strip()[:_COMMENT_MAX]
        if not reason:
            raise DelphiError("say why the expert is removed", "reason_needed")
        with writing(self._con) as cur:
            s = self._study(cur, code)
            self._facilitator(s, key)
            if not cur.execute("SELECT count(*) FROM delphi_experts WHERE code = ? AND expert_id = ?",
                               [s["code"], expert_id]).fetchall()[0][0]:
                raise DelphiError(f"no expert {expert_id!r} in study {s['code']}", "bad_option")
            cur.execute("INSERT OR REPLACE INTO delphi_removed VALUES (?, ?, ?, ?, ?)",
                        [expert_id, s["code"], reason, str(by or ""), _now()])

    # -------------------------------------------------------------- experts

    def resume(self, code, token) -> Expert:
        """An expert back with their own link (token): who they are, on any device, without their name."""
        def read(cur):
            s = self._study(cur, code)
            return s, self._expert(cur, s, token)
        s, (eid, name) = self._read(read)
        return Expert(eid, token, s["code"], name)

    def join(self, code, name: str, token: str | None = None, session: str | None = None) -> Expert:
        """Join with a name unique in the study; with the token you were given, rejoin as yourself. `session` as for
        `status`."""
        name = clean_name(name, DelphiError)
        with self._codes.counting(self._con, KIND, session) as cur:
            self._codes.refuse_locked(cur, KIND, None, session, DelphiError)
            s = self._study(cur, code)
            taken = cur.execute("SELECT expert_id FROM delphi_experts WHERE code = ? AND name_key = ?",
                                [s["code"], _name_key(name)]).fetchall()
            if token is not None:
                eid, ename = self._expert(cur, s, token)
                if not taken or taken[0][0] != eid:
                    raise DelphiError(f"this token belongs to {ename!r}", "wrong_expert", code=s["code"])
                return Expert(eid, token, s["code"], ename)
            if taken:
                raise DelphiError(f"the name {name!r} is taken in study {s['code']}", "name_taken", code=s["code"])
            eid, (tok, tok_hash) = "e" + secrets.token_hex(8), self._codes.new_secret()
            cur.execute("INSERT INTO delphi_experts VALUES (?, ?, ?, ?, ?, ?)",
                        [eid, s["code"], name, _name_key(name), tok_hash, _now()])
        return Expert(eid, tok, s["code"], name)

    def submit(self, code, token, answers: dict, familiarity: str, basis: dict[str, str],
               comments: dict | None = None, suggestion: str = "") -> None:
        """An expert's answers for the open round: {indicator: (importance, feasibility)} for every candidate of the
        round, familiarity and basis of judgment, optional comments {indicator: text} and a suggestion of new
        indicators (free text). The latest replaces the earlier until the round closes; after that the answers are
        refused (reason `closed`), never dropped silently."""
        authority(familiarity, basis)
        with writing(self._con) as cur:
            s = self._study(cur, code)
            eid, _ = self._expert(cur, s, token)
            if s["state"] != "open":
                raise DelphiError(f"round {s['round']} of study {s['code']} is closed", "closed", code=s["code"])
            cands = self._in_round(s, s["round"])
            missing = [c for c in cands if c not in answers]
            extra = [c for c in answers if c not in cands]
            if missing or extra:
                raise DelphiError(f"answer exactly the round's indicators; missing: {', '.join(missing) or '-'}; "
                                  f"not in this round: {', '.join(map(str, extra)) or '-'}", "bad_answer",
                                  ids=missing + extra)
            rows = []
            for c in cands:
                try:
                    imp, fea = answers[c]
                except (TypeError, ValueError):
                    raise DelphiError(f"{c}: give (importance, feasibility)", "bad_answer", ids=[c]) from None
                rows.append([s["code"], s["round"], eid, c, _score(imp, f"{c} importance"),
                             _score(fea, f"{c} feasibility")])
            cur.execute("DELETE FROM delphi_answers WHERE code = ? AND round = ? AND expert_id = ?",
                        [s["code"], s["round"], eid])
            cur.executemany("INSERT INTO delphi_answers VALUES (?, ?, ?, ?, ?, ?)", rows)
            cur.execute("INSERT OR REPLACE INTO delphi_authority VALUES (?, ?, ?, ?, ?, ?)",
                        [s["code"], s["round"], eid, familiarity, json.dumps(basis), _now()])
            texts = {c: str((comments or {}).get(c) or "").strip()[:_COMMENT_MAX] for c in cands}
            texts[""] = str(suggestion or "").strip()[:_COMMENT_MAX]
            cur.execute("DELETE FROM delphi_comments WHERE code = ? AND round = ? AND expert_id = ?",
                        [s["code"], s["round"], eid])
            notes = [[s["code"], s["round"], eid, c, x, _now()] for c, x in texts.items() if x]
            if notes:
                cur.executemany("INSERT INTO delphi_comments VALUES (?, ?, ?, ?, ?, ?)", notes)

    def mine(self, code, token, rnd: int | None = None) -> dict | None:
        """An expert's own answers of a round (default the current): answers, familiarity, basis; None if none."""
        def read(cur):
            s = self._study(cur, code)
            eid, _ = self._expert(cur, s, token)
            r = s["round"] if rnd is None else rnd
            a = cur.execute("SELECT indicator_id, importance, feasibility FROM delphi_answers WHERE code = ? AND "
                            "round = ? AND expert_id = ?", [s["code"], r, eid]).fetchall()
            au = cur.execute("SELECT familiarity, basis FROM delphi_authority WHERE code = ? AND round = ? AND "
                             "expert_id = ?", [s["code"], r, eid]).fetchall()
            cm = cur.execute("SELECT indicator_id, text FROM delphi_comments WHERE code = ? AND round = ? AND "
                             "expert_id = ?", [s["code"], r, eid]).fetchall()
            return a, au, cm
        a, au, cm = self._read(read)
        if not au:
            return None
        cm = dict(cm)
        return {"answers": {i: (imp, fea) for i, imp, fea in a}, "familiarity": au[0][0],
                "basis": json.loads(au[0][1]), "suggestion": cm.pop("", ""), "comments": cm}

    # -------------------------------------------------------------- everyone

    def status(self, code, session: str | None = None) -> dict:
        """Public: the round, its state, its candidates (names), counts, and for every closed round the anonymous
        distribution of importance per indicator (counts of each score, mean, full-score frequency). `session`: the
        browser session that typed the code, until it got in: a wrong code counts against it
        (indicators/live/codes.py)."""
        def read(cur):
            self._codes.refuse_locked(cur, KIND, None, session, DelphiError)
            s = self._study(cur, code)
            n_exp = cur.execute(f"SELECT count(*) FROM delphi_experts WHERE code = ? AND {_PRESENT}",
                                [s["code"]]).fetchall()[0][0]
            n_ans = cur.execute(f"SELECT count(*) FROM delphi_authority WHERE code = ? AND round = ? AND {_PRESENT}",
                                [s["code"], s["round"]]).fetchall()[0][0]
            a = cur.execute("SELECT round, indicator_id, importance FROM delphi_answers WHERE code = ? AND round <= ? "
                            f"AND {_PRESENT}", [s["code"], s["round"] - (s["state"] == "open")]).fetchall()
            return s, n_exp, n_ans, a
        if session is None:
            s, n_exp, n_ans, a = self._read(read)
        else:   # a first check for a browser session is counted, in a write transaction
            with self._codes.counting(self._con, KIND, session) as cur:
                s, n_exp, n_ans, a = read(cur)
        inds = {i.id: i for i in s["scheme"].indicators}
        closed = s["round"] - (s["state"] == "open")
        df = pd.DataFrame(a, columns=["round", "indicator", "importance"])
        dist = {}
        for r in range(1, closed + 1):
            dist[r] = {}
            for j, g in df[df["round"] == r].groupby("indicator", sort=False):
                v = g["importance"]
                dist[r][j] = {"counts": [int((v == x).sum()) for x in SCORES], "mean": float(v.mean()),
                              "full": float((v == 5).mean()), "n": int(len(v))}
        return {"code": s["code"], "title": s["title"], "scheme_id": s["scheme_id"], "round": s["round"],
                "state": s["state"], "n_experts": int(n_exp), "n_answers": int(n_ans),
                "candidates": [{"id": c, "name_zh": inds[c].name_zh, "name_en": inds[c].name_en,
                                "rationale_zh": inds[c].rationale_zh, "rationale_en": inds[c].rationale_en,
                                "direction": inds[c].direction, "unit": inds[c].unit}
                               for c in self._in_round(s, s["round"])],
                "dropped_after": s["dropped_after"], "thresholds": s["thresholds"], "distribution": dist}
