"""What the screens show, as plain DataFrames and sentences in the reader's language.

Every function here takes engine results (ScoreResult, Comparison, Sensitivity, Scheme) and a
language and returns data: the pages only display it, the tests check it without a UI.
No streamlit, no database.
"""
from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import pandas as pd

from indicators.analysis.compare import Comparison
from indicators.i18n import pick, t, term
from indicators.scheme.model import Indicator, Measure, Scheme
from indicators.scoring.engine import ScoreResult
from indicators.scoring.treatment import ON_SCORES
from indicators.scoring.engine import _grades_and_gates as grades_and_gates
from indicators.analysis.sensitivity import Sensitivity


# ---------------------------------------------------------------- names

def station_names(stations: pd.DataFrame, lang: str) -> pd.Series:
    """Station display names by station_id ("name" is Chinese, "name_en" English)."""
    first, second = ("name", "name_en") if lang == "zh" else ("name_en", "name")
    names = stations[first].where(stations[first].notna() & (stations[first].astype(str) != ""), stations[second])
    return names.fillna(pd.Series(stations.index, index=stations.index)).astype(str)


def indicator_names(scheme: Scheme, lang: str) -> dict[str, str]:
    return {i.id: pick(i, lang) for i in scheme.indicators}


def dimension_names(scheme: Scheme, lang: str) -> dict[str, str]:
    return {d.id: pick(d, lang) for d in scheme.dimensions}


def node_paths(scheme: Scheme, lang: str) -> dict[str, str]:
    """Every dimension at every level -> its name with the names above it ("服务成效 / 需求解决")."""
    names = {d.id: pick(d, lang) for d in scheme.nodes()}
    return {d.id: " / ".join(names[c] for c in scheme.path_of(d.id)) for d in scheme.nodes()}


def dimension_paths(scheme: Scheme, lang: str) -> dict[str, str]:
    """Indicator id -> the path of the dimension holding it (for two levels: just its dimension's name)."""
    paths = node_paths(scheme, lang)
    return {i.id: paths[d.id] for d in scheme.nodes() for i in d.indicators}


def scheme_label(scheme: Scheme, lang: str) -> str:
    return f"{pick(scheme, lang)} ({scheme.id})"


# ---------------------------------------------------------------- numbers in words

def fmt_raw(value: float, ind: Indicator, lang: str) -> str:
    """A raw value the way a reader expects it: shares as percentages, big counts with separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("views.no_data", lang)
    if ind.unit == "share":
        return f"{value:.0%}"
    unit = term("unit", ind.unit, lang) if ind.unit else ""
    number = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"
    if 0 < abs(value) < 0.1:   # a small quotient (visits per resident) keeps its digits: 0.0471, never "0.0"
        number = f"{value:.3g}"
    if lang == "zh":
        return f"{number}{(' ' + unit) if unit and unit.isascii() else unit}"
    return f"{number} {unit}".strip()


def measure_summary(m: Measure, lang: str) -> str:
    """One line saying what a measure counts, e.g. "share · needs · filter: status = 'resolved'"."""
    if m.kind == "per_1000" and m.of is not None:
        return f"{measure_summary(m.of, lang)} · {t('views.per_1000', lang)}"
    if m.kind == "ratio" and m.numerator is not None and m.denominator is not None:
        return f"({measure_summary(m.numerator, lang)}) ÷ ({measure_summary(m.denominator, lang)})"
    if m.kind == "value":
        parts = [term("kind", m.kind, lang)] + ([m.series] if m.series else [])
        if m.denominator:
            parts.append(f"÷ {term('column', m.denominator, lang)}")
        return " · ".join(parts)
    parts = [term("kind", m.kind, lang)]
    if m.table:
        parts.append(term("table", m.table, lang))
    if m.column:
        parts.append(m.column)
    if m.base:
        parts.append(t("views.base", lang, text=m.base))
    if m.filter:
        parts.append(t("views.filter", lang, text=m.filter))
    if m.weight:
        parts.append(t("views.weighted_by", lang, text=m.weight))
    if m.top is not None:
        parts.append(t("views.top", lang, pct=f"{m.top:.0%}"))
    if m.days is not None:
        parts.append(t("views.days", lang, n=m.days))
    if m.levels:
        parts.append(" / ".join(f"{pick(lv, lang, 'label') or lv.value}={lv.score:g}" for lv in m.levels))
    return " · ".join(parts)


def normalisation_summary(ind: Indicator, lang: str) -> str:
    nm = ind.normalisation
    text = term("norm", nm.method, lang)
    if nm.method == "goalposts":
        text += f" ({nm.low:g} → {nm.high:g})"
    elif nm.method == "target":
        text += f" ({nm.target:g})"
    return text


# ---------------------------------------------------------------- indicator library

def library_frame(scheme: Scheme, lang: str) -> pd.DataFrame:
    """Every indicator of the scheme, grouped by the dimension holding it (depth-first, in scheme order);
    `dimension` names the dimension's path, `weight` is the indicator's % of that dimension."""
    paths = node_paths(scheme, lang)
    rows = []
    for d in scheme.nodes():
        total = sum(c.weight for c in d.children) or 1.0
        for i in d.indicators:
            rows.append({
                "dimension": paths[d.id], "dimension_id": d.id, "id": i.id, "indicator": pick(i, lang),
                "camp": term("camp", i.camp, lang), "camp_id": i.camp,
                "kind": t("views.qualitative", lang) if i.qualitative else t("views.quantitative", lang),
                "direction": term("direction", i.direction, lang),
                "normalisation": normalisation_summary(i, lang), "missing": term("missing", i.missing, lang),
                "weight": i.weight / total * 100, "measure": measure_summary(i.measure, lang),
                "rationale": pick(i, lang, "rationale"),
            })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- the scheme as a tree

def tree_frame(scheme: Scheme, lang: str) -> pd.DataFrame:
    """One row per node (dimensions and indicators), depth-first: code, name, kind, depth (1 = top level),
    parent, top (its top-level dimension's name), within and effective weight in %, points (points schemes),
    and x0, x1: the node's span of the total weight (0-100) for an icicle chart, children inside their parent."""
    from indicators.scoring.engine import tree_weights
    tw = tree_weights(scheme)
    names = {**{i.id: pick(i, lang) for i in scheme.indicators}, **{d.id: pick(d, lang) for d in scheme.nodes()}}
    dims = {d.id: pick(d, lang) for d in scheme.nodes()}
    start: dict = {"": 0.0}
    x0, x1 = [], []
    for r in tw.itertuples():
        a = start[r.parent]
        b = a + r.effective * 100
        start[r.parent] = b
        if r.kind == "dimension":
            start[r.code] = a
        x0.append(a)
        x1.append(b)
    return pd.DataFrame({
        "code": tw["code"], "kind": tw["kind"],
        "name": [dims[c] if k == "dimension" else pick(scheme.indicator(c), lang)
                 for c, k in zip(tw["code"], tw["kind"])],
        "depth": tw["depth"].astype(int), "parent": tw["parent"], "top": [names[c] for c in tw["top"]],
        "path": tw["path"], "within": tw["within"] * 100, "effective": tw["effective"] * 100,
        "points": tw["points"], "x0": x0, "x1": x1})


def tree_html(scheme: Scheme, lang: str, scores: Mapping[str, float] | None = None, open_levels: int = 1,
              marks: Mapping[str, str] | None = None) -> str:
    """The scheme as a collapsible tree (nested HTML <details>, any depth): each node's name, code, weight or
    points and, given `scores` (node or indicator code -> 0-100), the score there (and points earned); `marks`
    (indicator code -> text, see `station_tree_marks`) are shown after an item: 缺项, 相对评分.
    Every text is escaped; the top `open_levels` levels start open."""
    from html import escape
    tf = tree_frame(scheme, lang)
    points = scheme.weighting == "points"
    rows = {(r.kind, r.code): r for r in tf.itertuples()}

    def label(kind: str, code: str) -> str:
        r = rows[(kind, code)]
        text = (t("tree.points", lang, points=r.points, effective=r.effective) if points
                else t("tree.weight", lang, within=r.within, effective=r.effective))
        out = f"<b>{escape(r.name)}</b> <code>{escape(code)}</code> · {escape(text)}"
        if scores is not None and code in scores and scores[code] is not None:
            sc = float(scores[code])
            extra = (t("tree.points_earned", lang, earned=sc / 100 * r.points, points=r.points) if points
                     else t("tree.score", lang, score=sc))
            out += f" · <span style='color:#2b7bba'>{escape(extra)}</span>"
        if kind == "indicator" and marks and marks.get(code):
            out += f" <span style='color:#9a3412'>〔{escape(marks[code])}〕</span>"
        return out

    def node(d, depth: int) -> str:
        inner = "".join(f"<li>{label('indicator', i.id)}</li>" for i in d.indicators)
        inner += "".join(f"<li>{node(s, depth + 1)}</li>" for s in d.dimensions)
        opened = " open" if depth <= open_levels else ""
        return (f"<details{opened}><summary>{label('dimension', d.id)}</summary>"
                f"<ul style='margin:0 0 0 1.2em;list-style:circle'>{inner}</ul></details>")
    return "<div class='scheme-tree'>" + "".join(node(d, 1) for d in scheme.dimensions) + "</div>"


def station_tree_marks(result: ScoreResult, station_id: str, lang: str) -> dict[str, str]:
    """One station's marks on a points scheme's items for `tree_html`: 缺项 (no value, scored 0), 相对评分."""
    if not is_points(result):
        return {}
    return {i.id: m for i in result.scheme.indicators if (m := item_flags(result, station_id, i.id, lang))}


def station_tree_scores(result: ScoreResult, station_id: str) -> dict[str, float]:
    """One station's score at every node of the tree: dimensions (`nodes`) and indicators (normalised)."""
    return {**result.normalised.loc[station_id].to_dict(), **result.nodes.loc[station_id].to_dict()}


# ---------------------------------------------------------------- scores

def gate_labels(result: ScoreResult, lang: str) -> pd.Series:
    """The gates each station failed, named in the language ("" if none)."""
    by_en = {(g.name_en or g.indicator): pick(g, lang) or g.indicator for g in result.scheme.gates}
    return result.capped_by.map(
        lambda s: "; ".join(by_en.get(x.strip(), x.strip()) for x in str(s).split(", ") if x.strip()) if s else "")


def grade_labels(scheme: Scheme, lang: str) -> dict[str, str]:
    """Grade -> how a reader sees it: "A · 优秀", or the table's own label alone (优秀, 优秀 · Excellent in English)."""
    return {g.grade: (f"{g.grade} · {label}" if (label := band_label(g, lang)) and label != g.grade else g.grade)
            for g in scheme.grades}


def band_label(g, lang: str) -> str:
    """The band's label in the language; the other language's only when the grade is a code (A), not itself a
    label as a table writes it (优秀): "优秀 · Excellent" would be noise on a Chinese card."""
    own, other = (g.label_zh, g.label_en) if lang == "zh" else (g.label_en, g.label_zh)
    return own or ("" if any(ord(c) > 0x2e80 for c in g.grade) else other)


def rank_grades(result: ScoreResult) -> pd.Series:
    """Grades by rank instead of by the bands' fixed cut-offs: the stations split into equal shares, one per
    grade, best first (ties share a rank, so a share); gate caps apply as they do to the banded grades."""
    bands = sorted(result.scheme.grades, key=lambda g: -g.min)
    n = max(len(result.rank), 1)
    share = ((result.rank.to_numpy(dtype=float) - 1) * len(bands) // n).astype(int).clip(0, len(bands) - 1)
    at_band = np.array([bands[k].min for k in share], dtype=float)   # a score that lands in that band
    grades, _ = grades_and_gates(result.scheme, at_band, result.raw, result.stations.index)
    return pd.Series(grades, index=result.stations.index, name="grade")


def grade_bands_text(scheme: Scheme) -> str:
    """The bands as cut-offs, e.g. "A ≥ 85, B ≥ 70, C ≥ 55, D < 55"."""
    bands = sorted(scheme.grades, key=lambda g: -g.min)
    return ", ".join([f"{b.grade} ≥ {b.min:g}" for b in bands[:-1]] + [f"{bands[-1].grade} < {bands[-2].min:g}"]
                     if len(bands) > 1 else [bands[0].grade])


def ranking_table(result: ScoreResult, lang: str, by_rank: bool = False) -> pd.DataFrame:
    """One row per station, best first: rank, station, district, score, grade (by the bands, or `by_rank`),
    the gate that capped it."""
    grades = grade_labels(result.scheme, lang)
    no_grade = t("pts.no_grade", lang)
    df = pd.DataFrame({
        "rank": result.rank.astype(int), "station": station_names(result.stations, lang),
        "district": result.stations["district"].map(lambda d: term("district", d, lang)),
        "score": result.total.astype(float),
        "grade": (rank_grades(result) if by_rank else result.grade).map(lambda g: grades.get(g, g) if g else no_grade),
        "capped_by": gate_labels(result, lang),
    }, index=result.stations.index)
    status = status_of(result)
    if by_rank:   # a station without a grade by the bands gets none by rank either; a vetoed one the lowest
        df.loc[status.isin(["insufficient", "refused"]), "grade"] = no_grade
        df.loc[status == "vetoed", "grade"] = result.grade[status == "vetoed"].map(lambda g: grades.get(g, g))
    if result.points_earned is not None:   # a points scheme: points earned of those available
        df["points"] = result.points_earned
    if is_points(result) or (status != "ranked").any():   # a weights scheme where all are ranked looks as before
        df["available"] = result.points_available
        df["status"] = status.map(lambda s: t(f"pts.status.{s}", lang))
        df["veto"] = veto_of(result)
        df["complete"] = complete_of(result) * 100
        if not is_points(result):
            df = df.drop(columns=["available"])
    for d in result.scheme.dimensions:
        df[f"dim:{d.id}"] = result.dimension_scores[d.id]
    df.index.name = "station_id"
    return df.sort_values(["rank", "station"], kind="stable")


def contributions_long(result: ScoreResult, lang: str, stations: list[str] | None = None) -> pd.DataFrame:
    """Tidy rows (station, indicator, camp, contribution) for the stacked contribution chart, stations
    ordered by rank; `stations` limits it to some station ids."""
    names = indicator_names(result.scheme, lang)
    camp = {i.id: i.camp for i in result.scheme.indicators}
    st_names = station_names(result.stations, lang)
    ids = stations if stations is not None else list(result.rank.sort_values(kind="stable").index)
    rows = []
    for sid in ids:
        for iid in result.contributions.columns:
            rows.append({"station_id": sid, "station": st_names[sid], "rank": int(result.rank[sid]),
                         "score": float(result.total[sid]), "indicator_id": iid, "indicator": names[iid],
                         "camp": camp[iid], "camp_label": term("camp", camp[iid], lang),
                         "contribution": float(result.contributions.at[sid, iid])})
    return pd.DataFrame(rows)


def text_px(text: str, size: float = 14) -> float:
    """About how wide a text is on screen at a font size: a Chinese character a full em, a Latin one about half."""
    import unicodedata
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.52 for ch in str(text))


def fits(texts, px: float) -> bool:
    """Whether every text fits on one line of a table column `px` wide (cells have 8 px of padding each side)."""
    return all(text_px(x) <= px - 16 for x in texts)


def station_card(result: ScoreResult, station_id: str, lang: str) -> pd.DataFrame:
    """raw -> treated -> normalised -> weight -> contribution for one station, one row per indicator; `treated` and
    `treatment` are empty where data treatment left the raw value as it was. A points scheme adds each item's
    points earned, available and lost, its marks (缺项, 相对评分), its 评分标准 and why points were lost (扣分说明)."""
    ex = result.explain(station_id)
    scheme = result.scheme
    paths = dimension_paths(scheme, lang)   # the indicator's place in the tree, top level first
    points = is_points(result)
    earned = item_points(result).loc[station_id] if points else None
    rows = []
    for ind in scheme.indicators:
        r = ex.loc[ind.id]
        row = {
            "indicator": pick(ind, lang), "dimension": paths[ind.id], "camp": term("camp", ind.camp, lang),
            "raw": _quotient(result, ind, station_id, lang) or fmt_raw(r["raw"], ind, lang)
                   + (f" ({t('views.filled', lang)})" if bool(r["missing"]) and not points else ""),
            **_treated(result, ind, station_id, lang),
            "normalised": float(r["normalised"]), "weight": float(r["weight"]) * 100,
            "contribution": float(r["contribution"]), "gap_to_best": float(r["gap_to_best"]),
        }
        if points:
            got, available = float(earned[ind.id]), float(ind.points)
            row.update({"points": got, "available": available, "lost": available - got,
                        "flag": item_flags(result, station_id, ind.id, lang), "criterion": criterion(ind, lang),
                        "deduction": deduction(result, station_id, ind.id, lang)})
        rows.append(row)
    return pd.DataFrame(rows, index=[i.id for i in scheme.indicators])


# ---------------------------------------------------------------- points schemes (千分制)

def is_points(result: ScoreResult) -> bool:
    return result.scheme.weighting == "points"


def item_points(result: ScoreResult) -> pd.DataFrame:
    """Points earned per station and item: the engine's own cells."""
    return result.item_points


def status_of(result: ScoreResult) -> pd.Series:
    """"ranked" | "vetoed" | "insufficient" | "refused" per station."""
    return result.status


def veto_of(result: ScoreResult) -> pd.Series:
    """The veto's reason per station ("" when not vetoed)."""
    return result.veto.fillna("").astype(str)


def complete_of(result: ScoreResult) -> pd.Series:
    """The share of the scheme's indicators observed per station."""
    return result.complete


def relative_ids(result: ScoreResult) -> tuple[str, ...]:
    """Items scored relative to the other stations rather than by a fixed rule."""
    return result.relative


def fmt_points(x, lang: str = "en") -> str:
    """Points as an evaluator writes them: 812.5, 40, 33.33 (at most two decimals, none when whole); 1,000 in
    English, 1000 in Chinese (no thousands separator in running Chinese text)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    text = f"{float(x):{',' if lang != 'zh' else ''}.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_count(n, lang: str = "en") -> str:
    """A count as a page shows it alone (a metric box): 5,452 in English, 5452 in Chinese, as fmt_points."""
    return f"{int(n):{',' if lang != 'zh' else ''}d}"


def fmt_share(x: float) -> str:
    """A share as a percentage with the digits it needs: 82%, 89.6%."""
    return f"{float(x) * 100:.2f}".rstrip("0").rstrip(".") + "%"


_SOURCE_MARKS = ("\n数据来源：", "\n数据来源:", "\nData source:", "\nSource:")


def criterion(ind: Indicator, lang: str) -> str:
    """The item's 评分标准: its rationale up to the 数据来源 line (the table's own words; the English rationale when
    the reader reads English and there is one)."""
    text = (ind.rationale_en if lang == "en" and ind.rationale_en else ind.rationale_zh) or ind.rationale_en or ""
    for mark in _SOURCE_MARKS:
        text = text.split(mark)[0]
    return text.strip()


def _awarded(ind: Indicator) -> bool:
    """Whether the item's value is itself the points awarded (a score sheet's cell)."""
    rule = ind.scoring
    return rule.rule == "awarded" if rule is not None else ind.measure.kind == "value"


def _value_text(value: float, ind: Indicator, lang: str) -> str:
    """The figure a rule turned into points, as the 评分标准 speaks of it: 82%, 是 / 否, 20, 3.5 小时."""
    rule = ind.scoring
    if rule is not None and rule.rule == "yes_no":
        return t("pts.yes" if value >= 1 else "pts.no", lang)
    if ind.unit == "share":
        return fmt_share(value)
    unit = term("unit", ind.unit, lang) if ind.unit else ""
    return f"{fmt_points(value, lang)}{(' ' + unit) if unit and (lang == 'en' or unit.isascii()) else unit}"


def gap_filled(result: ScoreResult, station_id: str, ind_id: str) -> bool:
    """Whether a missing item earned points all the same: an item scored relative to the other stations has its gap
    filled by its missing rule (the median of the others, ...), where an item scored by a rule earns 0."""
    return (bool(result.missing.at[station_id, ind_id]) and ind_id in relative_ids(result)
            and float(item_points(result).at[station_id, ind_id]) > 0)


def item_flags(result: ScoreResult, station_id: str, ind_id: str, lang: str) -> str:
    """缺项 and/or 相对评分 for one item of one station ("" when neither)."""
    marks = []
    if bool(result.missing.at[station_id, ind_id]):
        marks.append(t("pts.flag.missing", lang))
    if ind_id in relative_ids(result):
        marks.append(t("pts.flag.relative", lang))
    return t("pts.flag.sep", lang).join(marks)


def deduction(result: ScoreResult, station_id: str, ind_id: str, lang: str) -> str:
    """扣分说明 of one item: the points lost, what the station had and the 评分标准 that turned it into points
    ("失分 8 分：满意度 82%，评分标准：90%及以上得50分；…"); "" when nothing was lost."""
    ind = result.scheme.indicator(ind_id)
    got = float(item_points(result).at[station_id, ind_id])
    lost = float(ind.points) - (0.0 if math.isnan(got) else got)   # a station not scored earned nothing here
    if lost <= 1e-9:
        return ""
    raw = float(result.raw.at[station_id, ind_id])
    if gap_filled(result, station_id, ind_id):   # a relative item's gap, filled by its missing rule
        what = t("pts.what.filled", lang, rule=term("missing", ind.missing, lang), earned=fmt_points(got, lang))
    elif bool(result.missing.at[station_id, ind_id]) or math.isnan(raw):
        what = t("pts.what.missing", lang)
    elif ind_id in relative_ids(result):
        what = t("pts.what.relative", lang, norm=f"{float(result.normalised.at[station_id, ind_id]):.1f}")
    elif _awarded(ind):
        what = t("pts.what.awarded", lang, earned=fmt_points(got, lang), points=fmt_points(ind.points, lang))
    else:
        what = t("pts.what.value", lang, name=pick(ind, lang), raw=_value_text(raw, ind, lang))
    rule = criterion(ind, lang)
    return (t("pts.lost_note", lang, lost=fmt_points(lost, lang), what=what, criterion=rule) if rule
            else t("pts.lost_plain", lang, lost=fmt_points(lost, lang), what=what))


def points_tree(result: ScoreResult, station_id: str, lang: str) -> pd.DataFrame:
    """One station through a points scheme's tree, one row per node depth-first (a dimension, then its items, then
    its sub-dimensions) and a last row for the total: code, kind ("dimension" | "indicator" | "total"), depth, name,
    points earned, available and lost; for items their marks (缺项, 相对评分), 评分标准 and 扣分说明."""
    scheme = result.scheme
    items = item_points(result).loc[station_id]
    nodes = result.node_points().loc[station_id]
    rows = []

    def walk(d, depth):
        rows.append({"code": d.id, "kind": "dimension", "depth": depth, "name": pick(d, lang),
                     "earned": float(nodes[d.id]), "available": float(d.points), "flag": "", "criterion": "",
                     "deduction": ""})
        for ind in d.indicators:
            rows.append({"code": ind.id, "kind": "indicator", "depth": depth + 1, "name": pick(ind, lang),
                         "earned": float(items[ind.id]), "available": float(ind.points),
                         "flag": item_flags(result, station_id, ind.id, lang), "criterion": criterion(ind, lang),
                         "deduction": deduction(result, station_id, ind.id, lang)})
        for sub in d.dimensions:
            walk(sub, depth + 1)
    for d in scheme.dimensions:
        walk(d, 1)
    rows.append({"code": "", "kind": "total", "depth": 0, "name": t("pts.col.total", lang),
                 "earned": float(result.points_earned[station_id]), "available": float(result.points_available),
                 "flag": "", "criterion": "", "deduction": ""})
    df = pd.DataFrame(rows)
    df.insert(df.columns.get_loc("available") + 1, "lost", df["available"] - df["earned"])
    return df


def grade_text(result: ScoreResult, station_id: str, lang: str) -> str:
    """The grade as the scheme's table writes it (优秀, or "A · 优秀"), or 数据不足 when none was given."""
    g = str(result.grade[station_id] or "")
    return grade_labels(result.scheme, lang).get(g, g) if g else t("pts.no_grade", lang)


def station_status(result: ScoreResult, station_id: str, lang: str) -> dict:
    """What stands above a station's numbers: status ("ranked" | "vetoed" | "insufficient" | "refused") and its
    words, the grade as written (or 数据不足), the veto's reason, the share of items observed, points earned of
    available (points schemes) and the sentences to show prominently: veto, no grade, not scored, 缺项, 相对评分."""
    scheme = result.scheme
    status = str(status_of(result)[station_id])
    reason = str(veto_of(result)[station_id])
    share = float(complete_of(result)[station_id])
    n = len(scheme.indicators)
    sep = t("pts.sep", lang)
    lines = []
    if reason:
        key = "pts.veto_line_ranked" if scheme.veto_ranked else "pts.veto_line"
        lines.append(t(key, lang, reason=reason, grade=grade_text(result, station_id, lang)))
    if status == "insufficient":
        lines.append(t("pts.insufficient_line", lang, observed=round(share * n), n=n, share=fmt_share(share),
                       min=fmt_share(scheme.min_observed)))
    points = is_points(result)
    gaps = [i for i in scheme.indicators if bool(result.missing.at[station_id, i.id])]
    filled = [i for i in gaps if points and gap_filled(result, station_id, i.id)]
    zero = [pick(i, lang) for i in gaps if i not in filled]
    if status == "refused":
        lines.append(t("pts.refused_line", lang, names=sep.join(zero)))
    elif points and zero:
        lines.append(t("pts.missing_line", lang, names=sep.join(zero)))
    if filled:
        lines.append(t("pts.filled_line", lang, names=sep.join(
            t("pts.filled_name", lang, name=pick(i, lang), rule=term("missing", i.missing, lang)) for i in filled)))
    rel = [pick(scheme.indicator(i), lang) for i in relative_ids(result)]
    if points and rel:
        lines.append(t("pts.relative_line", lang, names=sep.join(rel)))
    out = {"status": status, "status_text": t(f"pts.status.{status}", lang),
           "grade": grade_text(result, station_id, lang), "veto": reason, "complete": share, "lines": lines}
    if points:
        earned, available = float(result.points_earned[station_id]), float(result.points_available)
        out.update(earned=earned, available=available,
                   points_text=t("pts.earned_of", lang, earned=fmt_points(earned, lang),
                                 available=fmt_points(available, lang)))
    return out


def _treated(result: ScoreResult, ind: Indicator, station_id: str, lang: str) -> dict[str, str]:
    """The card's treated value and why, from the treatment log: a filled gap ("no data: the mean of ..."), an
    outlier Winsorised or a log-transformed indicator; a gap filled and then treated as an outlier says both."""
    log = result.treatment
    if log is None or log.empty:
        return {"treated": "", "treatment": ""}
    rows = log[(log["station_id"] == station_id) & (log["indicator"] == ind.id)]
    if rows.empty:
        return {"treated": "", "treatment": ""}
    why = [r[f"why_{lang}"] if r["step"] == "impute" else t(f"tr.card.{r['step']}", lang) for _, r in rows.iterrows()]
    last = rows.iloc[-1]
    if last["rule"] in ON_SCORES:
        value = t("tr.score_of_100", lang, value=f"{last['after']:.1f}")
    elif last["step"] == "log":   # on the log scale: a bare number, no unit
        value = f"{last['after']:.4g}"
    else:
        value = fmt_raw(float(last["after"]), ind, lang)
    return {"treated": value, "treatment": t("tr.sep", lang).join(why)}


def treatment_lines(card: pd.DataFrame, lang: str) -> list[str]:
    """One sentence per indicator of a station card that data treatment changed: raw -> treated -> normalised,
    and why."""
    return [t("tr.line", lang, indicator=r.indicator, raw=r.raw, treated=r.treated, norm=f"{r.normalised:.1f}",
              why=r.treatment) for r in card[card["treatment"] != ""].itertuples()]


def _quotient(result: ScoreResult, ind: Indicator, station_id: str, lang: str) -> str:
    """"0.05 = 651 ÷ 12,970 (population served)" for a value measure with a denominator: the quotient (to four
    significant digits, as such quotients are often small) and both numbers it comes from; "" for other measures."""
    inputs = result.inputs
    if inputs is None or (ind.id, "value") not in inputs.columns:
        return ""
    value, den = inputs.at[station_id, (ind.id, "value")], inputs.at[station_id, (ind.id, "denominator")]
    show = (lambda x, digits: t("views.no_data", lang) if pd.isna(x) else f"{x:,.{digits}g}")
    return (f"{show(result.raw.at[station_id, ind.id], 4)} = {show(value, 6)} ÷ {show(den, 6)} "
            f"({term('column', ind.measure.denominator, lang)})")


def strengths_weaknesses(result: ScoreResult, station_id: str, lang: str, n: int = 3) -> tuple[list[str], list[str]]:
    """Plain sentences on the station's n strongest indicators (fewest points lost against a perfect
    station, gap_to_best) and its n weakest (most points lost). Indicators with no weight are left out, and so
    are those without data (a value filled by a rule is neither praised nor blamed: see `imputed`). A strength
    also has to beat the average station on that indicator, so a score of 0 is never one."""
    ex = result.explain(station_id)
    ex = ex[(ex["weight"] > 0) & ~ex["missing"].astype(bool)]
    above = ex["normalised"] > result.normalised[ex.index].mean() + 1e-9
    by_id = {i.id: i for i in result.scheme.indicators}

    def sentence(iid: str, key: str) -> str:
        r = ex.loc[iid]
        ind = by_id[iid]
        raw = fmt_raw(r["raw"], ind, lang)
        gap = f"{r['gap_to_best']:.1f}"
        if float(gap) == 0:   # "only 0.0 points short of the best" says less than "the best"
            key = "views.at_best"
        return t(key, lang, name=pick(ind, lang), norm=f"{r['normalised']:.0f}", raw=raw, gap=gap)

    order = ex.assign(_neg=-ex["normalised"]).sort_values(["gap_to_best", "_neg"], kind="stable")
    strong_ids = [i for i in order.index if above[i]][:n]
    weak_ids = [i for i in order.index[::-1] if i not in strong_ids][:n]   # never the same indicator twice
    strong = [sentence(i, "views.strong") for i in strong_ids]
    weak = [sentence(i, "views.weak") for i in weak_ids]
    return strong, weak


def imputed(result: ScoreResult, station_id: str, lang: str) -> list[str]:
    """The station's weighted indicators that have no data, each named with the rule that filled it."""
    by_id = {i.id: i for i in result.scheme.indicators}
    ex = result.explain(station_id)
    return [f"{pick(by_id[i], lang)}: {t('nc.imputed', lang, rule=term('missing', by_id[i].missing, lang))}"
            for i in ex.index if bool(ex.at[i, "missing"]) and ex.at[i, "weight"] > 0]


def camp_frame(shares: Mapping[str, float], lang: str) -> pd.DataFrame:
    return pd.DataFrame([{"camp": c, "camp_label": term("camp", c, lang), "share": float(v)}
                         for c, v in shares.items()])


def weights_frame(scheme: Scheme, flat: Mapping[str, float], lang: str,
                  reference: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Indicator, dimension, camp, weight % (and the reference weight % when given)."""
    dims = dimension_paths(scheme, lang)
    total = sum(max(float(flat.get(i.id, 0.0)), 0.0) for i in scheme.indicators) or 1.0
    rows = []
    for ind in scheme.indicators:
        row = {"indicator": pick(ind, lang), "dimension": dims[ind.id], "camp": term("camp", ind.camp, lang),
               "weight": max(float(flat.get(ind.id, 0.0)), 0.0) / total * 100}
        if reference is not None:
            row["reference"] = float(reference.get(ind.id, 0.0)) * 100
        rows.append(row)
    return pd.DataFrame(rows, index=[i.id for i in scheme.indicators])


def ranking_changes(before: ScoreResult, after: ScoreResult, lang: str, top: int = 10) -> pd.DataFrame:
    """The top of `after`'s ranking with each station's rank under `before` and the move."""
    df = ranking_table(after, lang)[["rank", "station", "score", "grade"]].head(top).copy()
    df["before"] = before.rank.reindex(df.index).astype(int)
    df["move"] = df["before"] - df["rank"]
    return df


# ---------------------------------------------------------------- comparison

def comparison_frame(cmp: Comparison, lang: str) -> pd.DataFrame:
    """Per station: name, ranks and scores under A and B, shift (> 0: B ranks it higher), and the
    indicators that explain the move, named in the language."""
    names = {**indicator_names(cmp.a.scheme, lang), **indicator_names(cmp.b.scheme, lang)}
    st_names = station_names(cmp.a.stations, lang)
    df = cmp.table.copy()
    df.insert(0, "station", st_names.reindex(df.index))
    df["explained"] = df["explained_by"].map(lambda ids: "; ".join(names.get(i, i) for i in ids))
    return df[["station", "rank_a", "rank_b", "shift", "score_a", "score_b", "explained"]]


def mover_why(cmp: Comparison, station_id: str, lang: str, n: int = 2) -> str:
    """Why a station moved, in a phrase: the n indicators of each side that push hardest (Comparison.reasons)."""
    names = {**indicator_names(cmp.a.scheme, lang), **indicator_names(cmp.b.scheme, lang)}
    shift = int(cmp.table.at[station_id, "shift"])
    join = "、".join if lang == "zh" else ", ".join
    in_b, only_a = cmp.reasons(station_id, n)
    parts = []
    if in_b:
        parts.append(t("views.why_b_up" if shift >= 0 else "views.why_b_down", lang, scheme=pick(cmp.b.scheme, lang),
                       names=join(names.get(i, i) for i, _ in in_b)))
    if only_a:
        parts.append(t("views.why_a_up" if shift >= 0 else "views.why_a_down", lang, scheme=pick(cmp.a.scheme, lang),
                       names=join(names.get(i, i) for i, _ in only_a)))
    return ("；" if lang == "zh" else "; ").join(parts) or "—"


def mover_sentences(cmp: Comparison, lang: str, n: int = 5) -> list[str]:
    """The n biggest moves as sentences, largest first."""
    st_names = station_names(cmp.a.stations, lang)
    out = []
    for sid, r in cmp.movers(n).iterrows():
        shift = int(r["shift"])
        way = "views.move_up" if shift > 0 else "views.move_down" if shift < 0 else "views.move_none"
        out.append(t(way, lang, station=st_names[sid], a=int(r["rank_a"]), b=int(r["rank_b"]), n=abs(shift),
                     why=mover_why(cmp, sid, lang)))
    return out


def scatter_frame(cmp: Comparison, lang: str) -> pd.DataFrame:
    df = pd.DataFrame({"station": station_names(cmp.a.stations, lang), "score_a": cmp.a.total,
                       "score_b": cmp.b.total, "rank_a": cmp.a.rank, "rank_b": cmp.b.rank})
    df.index.name = "station_id"
    return df.reset_index()


# ---------------------------------------------------------------- robustness

def intervals_frame(sens: Sensitivity, result: ScoreResult, lang: str) -> pd.DataFrame:
    """Per station, best first: rank, 5th / median / 95th percentile rank, chance of top k, sentence."""
    tb = sens.table
    df = pd.DataFrame({
        "station": station_names(result.stations, lang).reindex(tb.index), "rank": tb["rank"],
        "rank_p05": tb["rank_p05"], "rank_p50": tb["rank_p50"], "rank_p95": tb["rank_p95"],
        "p_top_k": tb["p_top_k"] * 100, "sentence": tb["sentence_zh" if lang == "zh" else "sentence_en"],
    }, index=tb.index)
    return df.sort_values(["rank", "rank_p50"], kind="stable").reset_index()


# ---------------------------------------------------------------- needs-derived weights

_NOTE_KEYS = (
    ("general indicator: takes a share", "views.note.general_unlinked"),
    ("general indicator: serves every", "views.note.general_all"),
    ("general indicator: every category already", "views.note.general_zero"),
    ("no indicator serves this category", "views.note.unserved"),
    ("category not in the needs data", "views.note.absent"),
)


def derivation_note(note: str, lang: str) -> str:
    """The needs-derivation notes from indicators.weights, in the language (unknown notes as they are)."""
    for prefix, key in _NOTE_KEYS:
        if note.startswith(prefix):
            return t(key, lang)
    return note


def needs_scores_frame(scores: pd.DataFrame, lang: str) -> pd.DataFrame:
    df = scores.copy()
    df.insert(0, "category_label", df["category"].map(lambda c: term("category", c, lang)))
    df["prevalence"] = df["prevalence"] * 100
    df["share"] = df["share"] * 100
    return df


def derivation_frame(deriv: pd.DataFrame, scheme: Scheme, lang: str) -> pd.DataFrame:
    names = indicator_names(scheme, lang)
    df = deriv.copy()
    df["indicator"] = df["indicator"].map(lambda i: names.get(i, i) if i else "—")
    df["category"] = df["category"].map(lambda c: term("category", c, lang) if c else "—")
    for c in ("category_share", "contribution", "normalised"):
        df[c] = df[c] * 100
    df["note"] = df["note"].map(lambda n: derivation_note(n, lang) if n else "")
    return df


def links_frame(scheme: Scheme, lang: str) -> pd.DataFrame:
    """Which need categories each indicator serves; an empty serves list means every need."""
    rows = []
    for ind in scheme.indicators:
        rows.append({"indicator": pick(ind, lang),
                     "serves": ("、" if lang == "zh" else ", ").join(term("category", c, lang) for c in ind.serves)
                     if ind.serves else t("views.serves_all", lang)})
    return pd.DataFrame(rows, index=[i.id for i in scheme.indicators])


def flat_weights(result: ScoreResult) -> dict[str, float]:
    return {k: float(v) for k, v in result.weights["effective"].items()}


def as_percent(values: np.ndarray | pd.Series) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    s = v.sum()
    return v / s * 100 if s > 0 else v


def framework_problems(problems, lang: str) -> pd.DataFrame:
    """A framework table's problems (importer Problems) by row and column, each in the reader's language."""
    return pd.DataFrame([{
        t("io.col.row", lang): "" if p.row is None else str(p.row), t("io.col.column", lang): p.column or "",
        t("io.col.value", lang): p.value or "", t("io.col.problem", lang): p.render(lang),
    } for p in problems])
