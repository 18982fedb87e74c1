"""Which kind of evidence earns a scheme's points: paper and traces, site checks, residents' own voice.

Each indicator is put in one class (`classify`), from what its table says:
- its 数据来源 (kept in `rationale_zh` after "\\n数据来源："), its 评分标准 (the rest of `rationale_zh`, and
  `rationale_en`), its names, and its measure;
- paper and traces: 查阅资料, 台账, 档案, 照片, 宣传报道, 媒体, 记录, 制度, 文件, 报表 ...; record measures over
  activities (counts, photos, media items, head-count), attendance, inspections, expenditures (image and publicity
  spending among them) and the residents' register;
- site checks: 实地查看, 现场查看, 现场检查, 实地考察, 暗访, 走访查看, 入户核实 ...;
- residents' own voice: 满意度调查, 满意度, 问卷, 访谈, 座谈, 评议, 居民评议, 服务对象反馈 ...; measures over
  the feedback table (ratings, need met) and over the needs residents raised (resolved or not). Holding a
  residents' council (居民议事会) is an activity, not their voice: its minutes are paper unless 评议 is named;
- other: nothing of the above is named (a third party's rating, a figure whose source the table does not give).

**Several kinds named: residents first, then site checks, then paper.** An item is residents' when residents are
asked anywhere in its source, criteria, name or measure; else a site check when one is named; else paper when
paper or records are named; else other. Why this order: the study's claim is "this share of the points can be
earned from paper records alone", so an item counts as paper only when nothing but paper is named; any item whose
points depend in part on what residents say, or on what an inspector sees, is taken out of the paper share. The
paper share is therefore a floor and the residents' share a ceiling: the contrast, where it shows, is not an
artefact of the rule. (A criterion such as "未开展满意度调查扣5分" still counts as residents' under this rule; the
evaluator corrects it.)

`Indicator.evidence` (one of EVIDENCE_KINDS), when set, overrides the classification; so do the evaluator's
corrections passed as `corrections={code: kind}`. Items scored relative to the other stations keep their class:
the evidence is the same, only the scale differs.

`evidence_shares(scheme)` adds the points (weights schemes: the effective weight, as points of the 0-100 score)
per class; `paperwork_gain(result)` is, per station, what perfect paperwork alone (no change for residents) could
still add: the sum over the paper items of points less points earned (weights schemes: effective weight x
(100 - normalised), the item's gap to the best in points of the 0-100 score); `sentence` says it in one line.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from indicators.i18n import t
from indicators.scheme.model import EVIDENCE_KINDS as KINDS
from indicators.scheme.model import REACH_KINDS, Dimension, Indicator, Measure, Scheme, validate

PRIORITY = ("residents", "site", "paper")   # the first of these named decides; none named: other
SOURCE_MARK = "\n数据来源："                 # as indicators/scheme/framework.py keeps the 数据来源 column
PLACES = ("source", "criteria", "name", "measure")

# Words as tables write them. Longer words are matched first and their span is then blanked, so 查阅台账 is one
# cue, not also 台账; NOT_CUES are blanked before anything (an expert's 评议 is not residents').
NOT_CUES = ("专家评议", "专家评审", "专家评分", "领导评议")
WORDS: dict[str, tuple[str, ...]] = {
    "residents": ("满意度调查", "满意度测评", "满意度", "满意率", "问卷", "访谈", "座谈", "居民评议", "评议",
                  "服务对象反馈", "居民反馈", "群众反馈", "居民投诉", "入户调查", "民意", "居民代表评价",
                  "服务对象评价", "居民评价", "电话回访", "回访", "电话抽查", "知晓率", "需求解决",
                  "需求满足", "诉求解决", "诉求办结"),
    "site": ("实地查看", "现场查看", "现场检查", "实地考察", "实地检查", "暗访", "走访查看", "现场察看",
             "实地察看", "现场核查", "现场观察", "现场考察", "实地核查", "现场演示", "现场抽查", "查看现场", "入户核实", "入户核查",
             "现场核实", "实地"),
    "paper": ("查阅资料", "查阅台账", "查看资料", "查看台账", "台账", "台帐", "档案", "照片", "图片", "宣传报道",
              "媒体", "记录", "制度", "文件", "报表", "花名册", "名册", "资料", "材料", "统计", "报告", "证书",
              "凭证", "票据", "账目", "账册", "财务", "纪要", "方案", "计划", "总结", "上墙", "佐证", "存档", "签到",
              "宣传资料", "宣传", "展板"),
}
# English cues (rationale_en, English names), matched as whole words, case-insensitive
WORDS_EN: dict[str, tuple[str, ...]] = {
    "residents": ("satisfaction", "survey", "surveys", "questionnaire", "interview", "interviews", "focus group",
                  "feedback", "residents say", "residents' council", "complaints"),
    "site": ("site visit", "site visits", "on site", "on-site", "unannounced", "walk-through"),
    "paper": ("ledger", "ledgers", "photos", "photographs", "files", "documents", "media", "paperwork",
              "records"),
}


@dataclass(frozen=True)
class Cue:
    place: str   # source | criteria | name | measure
    word: str    # the word as found, or a measure cue key (ev.m.*)
    kind: str


def source_text(ind: Indicator) -> str:
    """The 数据来源 kept in the rationale ("" when the table had none)."""
    text = ind.rationale_zh or ""
    return text.rsplit(SOURCE_MARK, 1)[1].strip() if SOURCE_MARK in text else ""


def criteria_text(ind: Indicator) -> str:
    """The 评分标准 (the rationale before the 数据来源) and the English rationale."""
    text = ind.rationale_zh or ""
    zh = text.rsplit(SOURCE_MARK, 1)[0] if SOURCE_MARK in text else text
    return "\n".join(x for x in (zh.strip(), (ind.rationale_en or "").strip()) if x)


def _words(text: str) -> list[tuple[str, str]]:
    """(word, kind) for every cue in the text, longest first, each span counted once, in order of appearance."""
    text = unicodedata.normalize("NFKC", text or "")
    low = text.lower()
    for w in NOT_CUES:
        low = low.replace(w, " " * len(w))
    found: list[tuple[int, str, str]] = []
    zh = sorted(((w, k) for k, ws in WORDS.items() for w in ws), key=lambda x: -len(x[0]))
    for w, kind in zh:
        start = low.find(w)
        while start >= 0:
            found.append((start, w, kind))
            low = low[:start] + " " * len(w) + low[start + len(w):]
            start = low.find(w)
    en = sorted(((w, k) for k, ws in WORDS_EN.items() for w in ws), key=lambda x: -len(x[0]))
    for w, kind in en:
        for m in re.finditer(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low):
            found.append((m.start(), w, kind))
        low = re.sub(rf"(?<![a-z]){re.escape(w)}(?![a-z])", lambda m: " " * len(m.group()), low)
    seen, out = set(), []
    for _, w, kind in sorted(found):
        if (w, kind) not in seen:
            seen.add((w, kind))
            out.append((w, kind))
    return out


def _measure_cues(m: Measure | None) -> list[tuple[str, str]]:
    """(cue key, kind) from what a measure counts; a `value` measure says nothing (its 数据来源 does)."""
    if not isinstance(m, Measure):
        return []
    out: list[tuple[str, str]] = []
    if m.kind in REACH_KINDS or m.kind == "top_share":
        out.append(("attendance", "paper"))
    text = " ".join(x for x in (m.column, m.filter, m.base, m.weight) if x).lower()
    table = m.table
    if table == "feedback":
        out.append(("feedback", "residents"))
    elif table == "needs":
        out.append(("needs", "residents"))
    elif table == "ratings":
        out.append(("ratings", "other"))
    elif table == "activities":
        col = (m.column or "").lower()
        key = ("photos" if "photo" in col else "media" if "media" in col else "headcount" if "headcount" in col
               else "activities")
        out.append((key, "paper"))
    elif table == "attendance":
        out.append(("attendance", "paper"))
    elif table == "inspections":
        out.append(("inspections", "paper"))
    elif table == "expenditures":
        out.append(("image" if re.search(r"image|publicity|宣传|形象", text) else "expenditures", "paper"))
    elif table == "residents":
        out.append(("register", "paper"))
    for sub in (m.numerator, m.denominator, m.of):
        out += [c for c in _measure_cues(sub) if c not in out]
    return out


def cues(ind: Indicator) -> list[Cue]:
    """Every cue the indicator's source, criteria, names and measure hold, in that order."""
    out = [Cue("source", w, k) for w, k in _words(source_text(ind))]
    out += [Cue("criteria", w, k) for w, k in _words(criteria_text(ind))]
    out += [Cue("name", w, k) for w, k in _words(f"{ind.name_zh}\n{ind.name_en}")]
    out += [Cue("measure", key, k) for key, k in _measure_cues(ind.measure)]
    return out


def decide(found: list[Cue]) -> str:
    """The mixed-source rule: residents if named at all, else site, else paper, else other."""
    kinds = {c.kind for c in found}
    return next((k for k in PRIORITY if k in kinds), "other")


def _why(found: list[Cue], kind: str, ind: Indicator, lang: str) -> str:
    if not found:
        return t("ev.why.none", lang)
    parts = []
    for place in PLACES:
        here = [c for c in found if c.place == place]
        if not here:
            continue
        label = t(f"ev.place.{place}", lang, text=source_text(ind)) if place == "source" else t(f"ev.place.{place}",
                                                                                                  lang)
        sep = "、" if lang == "zh" else ", "
        words = sep.join(t("ev.why.cue", lang, cue=t(f"ev.m.{c.word}", lang) if place == "measure" else c.word,
                           kind=t(f"ev.short.{c.kind}", lang)) for c in here)
        parts.append(t("ev.why.cues", lang, place=label, cues=words))
    if len({c.kind for c in found}) > 1:
        parts.append(t("ev.why.mixed", lang, kind=t(f"ev.short.{kind}", lang)))
    return ("；" if lang == "zh" else "; ").join(parts)


def auto_class(ind: Indicator, lang: str = "en") -> tuple[str, str]:
    """(kind, why) from the indicator's text and measure alone, whatever `evidence` says."""
    found = cues(ind)
    kind = decide(found)
    return kind, _why(found, kind, ind, lang)


def classify(ind: Indicator, lang: str = "en") -> tuple[str, str]:
    """(kind, why): `ind.evidence` when the scheme sets it, else the classification from source, criteria, name
    and measure (see the module docstring for the rule when several kinds are named)."""
    own = ind.evidence
    if own:
        return own, t("ev.why.scheme", lang, kind=own)
    return auto_class(ind, lang)


def merge_corrections(kept: dict[str, str], edited_rows: dict, codes: list[str], own: dict[str, str],
                      labels: dict[str, str], column: str = "kind") -> dict[str, str]:
    """The evaluator's corrections after a table edit. kept: {code: kind} so far; edited_rows: {row: {column:
    label}} as an editor reports them (rows of `codes`); own: the class each item has without corrections;
    labels: shown label -> kind. A class set back to the item's own is no correction any more."""
    out = dict(kept)
    for row, change in edited_rows.items():
        kind = labels.get(change.get(column))
        if kind not in KINDS:
            continue
        code = codes[int(row)]
        if kind == own[code]:
            out.pop(code, None)
        else:
            out[code] = kind
    return out


def apply_corrections(scheme: Scheme, corrections: dict[str, str]) -> Scheme:
    """The scheme with each corrected item's `evidence` set (codes not in the scheme and unknown kinds are left
    out), validated: what the evaluator keeps by saving the scheme."""
    fixes = {c: k for c, k in corrections.items() if k in KINDS}

    def node(d: Dimension) -> Dimension:
        return replace(d, indicators=tuple(replace(i, evidence=fixes[i.id]) if i.id in fixes else i
                                           for i in d.indicators), dimensions=tuple(node(s) for s in d.dimensions))
    return validate(replace(scheme, dimensions=tuple(node(d) for d in scheme.dimensions)))


# ---------------------------------------------------------------- shares and gains

@dataclass(frozen=True, eq=False)
class EvidenceShares:
    """kinds: index kind (all of KINDS, in order): points, share (0-1), items, percent (whole, adding up to 100).
    items: one row an indicator: code, name_zh, name_en, points, share, kind, auto (the automatic class), why,
    overridden (set in the scheme or corrected), relative (scored against the other stations).
    unit: "points" (a points scheme; total = points available) or "score" (a weights scheme; points of the
    0-100 score, total 100)."""
    scheme_id: str
    unit: str
    total: float
    kinds: pd.DataFrame
    items: pd.DataFrame


def _item_points(scheme: Scheme) -> pd.Series:
    """Points per indicator (weights schemes: effective weight x 100)."""
    ids = [i.id for i in scheme.indicators]
    if scheme.weighting == "points":
        return pd.Series([float(i.points or 0.0) for i in scheme.indicators], index=ids, dtype=float)
    from indicators.scoring.engine import effective_weights   # the engine's own tree product
    return effective_weights(scheme)[2].reindex(ids).astype(float) * 100


def item_kinds(scheme: Scheme, lang: str = "en", corrections: dict[str, str] | None = None) -> pd.DataFrame:
    """Per indicator: kind, auto, why, overridden (corrections win over `evidence`, which wins over the text)."""
    corrections = corrections or {}
    rows = []
    for ind in scheme.indicators:
        auto, auto_why = auto_class(ind, lang)
        kind, why = classify(ind, lang)
        overridden = bool(ind.evidence)
        if ind.id in corrections and corrections[ind.id] in KINDS:
            was = kind
            kind, overridden = corrections[ind.id], True
            why = t("ev.why.corrected", lang, kind=t(f"ev.short.{was}", lang)) + ("；" if lang == "zh" else "; ") + why
        rows.append({"code": ind.id, "kind": kind, "auto": auto, "why": why, "overridden": overridden})
    return pd.DataFrame(rows, columns=["code", "kind", "auto", "why", "overridden"]).set_index("code", drop=False)


def evidence_shares(scheme: Scheme, lang: str = "en", corrections: dict[str, str] | None = None) -> EvidenceShares:
    """Points (or weight) per kind of evidence, their shares of the whole, and the per-item table."""
    pts = _item_points(scheme)
    total = float(pts.sum())
    k = item_kinds(scheme, lang, corrections)
    items = pd.DataFrame({
        "code": [i.id for i in scheme.indicators], "name_zh": [i.name_zh for i in scheme.indicators],
        "name_en": [i.name_en for i in scheme.indicators], "points": pts.to_numpy(),
        "share": pts.to_numpy() / total if total > 0 else np.zeros(len(pts)),
        "kind": k["kind"].to_numpy(), "auto": k["auto"].to_numpy(), "why": k["why"].to_numpy(),
        "overridden": k["overridden"].to_numpy(dtype=bool),
        "relative": [bool(i.relative) for i in scheme.indicators]})
    by = items.groupby("kind")
    kinds = pd.DataFrame({"points": by["points"].sum(), "items": by.size()}).reindex(list(KINDS))
    kinds["points"] = kinds["points"].fillna(0.0).astype(float)
    kinds["items"] = kinds["items"].fillna(0).astype(int)
    kinds["share"] = kinds["points"] / total if total > 0 else 0.0
    kinds["percent"] = whole_percents(kinds["share"].to_numpy())
    kinds.index.name = "kind"
    return EvidenceShares(scheme_id=scheme.id, unit="points" if scheme.weighting == "points" else "score",
                          total=total, kinds=kinds[["points", "share", "items", "percent"]], items=items)


def whole_percents(shares: np.ndarray) -> list[int]:
    """Shares as whole percents that add up to 100 (largest remainder; ties to the first kind): a sentence that
    names every kind should not say 55%, 26% and 20% of one table."""
    if shares.sum() <= 0:
        return [0] * len(shares)
    exact = np.round(shares / shares.sum() * 100, 9)
    out = np.floor(exact).astype(int)
    for i in sorted(range(len(out)), key=lambda i: (-(exact[i] - out[i]), i))[:100 - int(out.sum())]:
        out[i] += 1
    return [int(x) for x in out]


def earned_points(result) -> pd.DataFrame:
    """Stations x indicators, points earned per item (points schemes): the engine's `item_points`, else
    normalised / 100 x the item's points (what the engine's item points are made of when it has none)."""
    if isinstance(result.item_points, pd.DataFrame):
        return result.item_points
    pts = _item_points(result.scheme)
    return result.normalised[pts.index] / 100 * pts


def paperwork_gain(result, corrections: dict[str, str] | None = None) -> pd.Series:
    """Per station: what perfect paperwork alone could still add, with no change for residents (see the module
    docstring). Points in a points scheme, points of the 0-100 score in a weights scheme. Stations with too little
    data to be graded (数据不足) are left out: nothing was scored there, so every paper item would read as a gain."""
    scheme = result.scheme
    kinds = item_kinds(scheme, "en", corrections)["kind"]
    paper = [i for i in kinds.index if kinds[i] == "paper"]
    if scheme.weighting == "points":
        pts = _item_points(scheme)
        earned = earned_points(result).reindex(columns=paper).fillna(0.0)   # a missing item earned nothing
        gap = (pts[paper] - earned).clip(lower=0.0)
    else:
        w = result.weights["effective"].reindex(paper).astype(float)
        gap = (100 - result.normalised[paper].fillna(0.0)) * w
    out = gap.sum(axis=1).astype(float) if paper else pd.Series(0.0, index=result.normalised.index)
    status = getattr(result, "status", None)
    if status is not None:
        out = out[status.reindex(out.index) != "insufficient"]
    return out.rename("paperwork_gain")


def _total(x: float, lang: str) -> str:
    whole = float(x).is_integer()
    if lang == "zh":
        return f"{x:.0f}" if whole else f"{x:g}"
    return f"{x:,.0f}" if whole else f"{x:,g}"


def sentence(shares: EvidenceShares, lang: str) -> str:
    """"62% of this table's 1,000 points can be earned from paper records alone; 9% come from residents." and, when
    they hold any, the shares resting on site checks and on other evidence."""
    pct = {k: f"{p}%" for k, p in shares.kinds["percent"].items()}
    key = "ev.sentence.points" if shares.unit == "points" else "ev.sentence.weights"
    out = [t(key, lang, paper=pct["paper"], residents=pct["residents"], total=_total(shares.total, lang))]
    for kind in ("site", "other"):
        if shares.kinds.at[kind, "points"] > 0:
            out.append(t(f"ev.sentence.{kind}", lang, **{kind: pct[kind]}))
    return ("" if lang == "zh" else " ").join(out)


def gain_sentence(shares: EvidenceShares, gain: pd.Series, names: pd.Series, lang: str) -> str:
    """The mean and the largest paperwork gain, naming the station with the largest. names: station -> name."""
    if gain.empty:
        return ""
    top = gain.idxmax()
    key = "ev.gain.points" if shares.unit == "points" else "ev.gain.score"
    return t(key, lang, mean=f"{gain.mean():.1f}", max=f"{gain.max():.1f}", station=str(names.get(top, top)))


def to_json(shares: EvidenceShares, gain: pd.Series | None = None) -> dict:
    """Plain JSON values, full precision."""
    out = {
        "unit": shares.unit, "total": shares.total,
        "rule": "residents if named at all, else site, else paper, else other",
        "kinds": {k: {"points": float(r["points"]), "share": float(r["share"]), "items": int(r["items"]),
                      "percent": int(r["percent"])} for k, r in shares.kinds.iterrows()},
        "items": [{"code": r["code"], "name_zh": r["name_zh"], "name_en": r["name_en"], "points": float(r["points"]),
                   "kind": r["kind"], "auto": r["auto"], "why": r["why"], "overridden": bool(r["overridden"]),
                   "relative": bool(r["relative"])} for _, r in shares.items.iterrows()],
        "sentence": {"zh": sentence(shares, "zh"), "en": sentence(shares, "en")},
    }
    if gain is not None:
        out["paperwork_gain"] = {str(s): float(v) for s, v in gain.items()}
    return out
