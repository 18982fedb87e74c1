"""Scoring that keeps every stage: raw -> normalised -> weighted contribution -> dimension score -> total, rank, grade."""
from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import numpy as np
import pandas as pd

from indicators.errors import InputError
from indicators.scoring.measures import Period, block, check_indicators, load_stations, raw_values, value_inputs
from indicators.scheme.model import VETO_SERIES, veto_series, Dimension, Indicator, Normalisation, Scheme, node_paths, validate
from indicators.scoring.rules import points_for
from indicators.scoring.ranks import rank_desc_min
from indicators.scoring.treatment import IMPUTING, gaps_filled, treat

NEUTRAL = 50.0   # what an indicator that cannot tell stations apart gives each of them


class EmptyRecords(InputError):
    """The database holds no stations to score."""


def normalise(raw: np.ndarray, ind: Indicator) -> np.ndarray:
    """One indicator's raw values -> 0..100 where 100 is best; NaN stays NaN (the missing rule comes after)."""
    x = np.asarray(raw, dtype=float)
    if ind.missing == "zero":
        x = np.where(np.isnan(x), 0.0, x)
    ok = ~np.isnan(x)
    out = np.full(x.shape, np.nan)
    if not ok.any():
        return out
    higher = ind.direction == "higher"
    nm = ind.normalisation
    v = x[ok]
    if nm.method == "minmax":
        lo, hi = v.min(), v.max()
        s = np.full(v.shape, NEUTRAL) if hi == lo else (v - lo) / (hi - lo) * 100
        out[ok] = s if higher else (100 - s if hi != lo else s)
    elif nm.method == "goalposts":
        s = np.clip((v - nm.low) / (nm.high - nm.low), 0, 1) * 100
        out[ok] = s if higher else 100 - s
    elif nm.method == "target":
        t = nm.target
        with np.errstate(divide="ignore", invalid="ignore"):
            if higher:   # reaching the target is full marks; beyond it earns nothing more
                s = np.where(t > 0, np.clip(v / t, 0, 1), (v >= t).astype(float))
            else:        # at or under the target is full marks; above it falls as target/value
                s = np.where(v <= t, 1.0, np.clip(np.divide(t, v), 0, 1))
        out[ok] = np.nan_to_num(s) * 100
    elif nm.method == "rank":
        m = len(v)
        r = pd.Series(v if higher else -v).rank(method="average").to_numpy()   # 1 = worst
        out[ok] = NEUTRAL if m == 1 else (r - 1) / (m - 1) * 100
    return out


def fill_missing(norm: np.ndarray, ind: Indicator) -> np.ndarray:
    """Apply the indicator's missing-data rule to its normalised values."""
    out = norm.copy()
    gap = np.isnan(out)
    if gap.any():
        if ind.missing == "worst":
            out[gap] = 0.0
        else:   # median (and zero, whose raw zeros were already scored): the middle of those with data
            out[gap] = np.nanmedian(out) if (~gap).any() else NEUTRAL
    return out


GEOMETRIC_FLOOR = 1.0   # in a geometric mean a child scoring below 1 (of 100) counts as 1: the zero rule
TOTAL = "(total)"        # the root of the tree where a result lists nodes (TOPSIS distances)


def tree_weights(scheme: Scheme) -> pd.DataFrame:
    """One row per node (dimensions and indicators, depth-first): code, kind, parent ("" at the top), top (its top-level
    dimension), path ("D1/D1.2/x"), depth (1 = top level), within (weight among its siblings, summing to 1),
    effective (the product of `within` along the path) and points (points schemes)."""
    return pd.DataFrame(_tree_rows(scheme), columns=TREE_COLUMNS)


TREE_COLUMNS = ["code", "kind", "parent", "top", "path", "depth", "within", "effective", "points"]


def _tree_rows(scheme: Scheme) -> list[tuple]:
    """tree_weights as plain tuples (scoring reads them without building a frame to look labels up in)."""
    rows = []

    def walk(children, parent, path, eff, top):
        total = sum(c.weight for c in children)
        for c in children:
            w = c.weight / total if total > 0 else 0.0   # a points dimension of 0-point items only
            here = (*path, c.id)
            dim = isinstance(c, Dimension)
            rows.append((c.id, "dimension" if dim else "indicator", parent, top or c.id, "/".join(here), len(here),
                         w, eff * w, c.points))
            if dim:
                walk(c.children, c.id, here, eff * w, top or c.id)
    walk(scheme.dimensions, "", (), 1.0, None)
    return rows


def _weights(scheme: Scheme) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """(indicator weight within its parent, top-level dimension weight, flat effective weight) as plain dicts."""
    t = tree_weights(scheme)
    leaves, tops = t[t["kind"] == "indicator"], t[t["depth"] == 1]
    return (dict(zip(leaves["code"], leaves["within"])), dict(zip(tops["code"], tops["within"])),
            dict(zip(leaves["code"], leaves["effective"])))


def effective_weights(scheme: Scheme) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(indicator weight within its parent, top-level dimension weight, flat effective weight); the last two
    each sum to 1."""
    within, dim_w, flat = _weights(scheme)
    return pd.Series(within), pd.Series(dim_w), pd.Series(flat)


def _weight_shares(weights: np.ndarray, rows: int) -> np.ndarray:
    total = weights.sum()
    return np.broadcast_to(weights / total if total > 0 else np.full(weights.shape, 1 / len(weights)),
                           (rows, len(weights)))


def aggregate(normalised: np.ndarray, weights: np.ndarray, how: str) -> tuple[np.ndarray, np.ndarray]:
    """(total per station, contribution per station and column) for weights summing to 1; contributions add up
    to the total.

    arithmetic: total = sum w*x; a contribution is w*x.
    geometric: total = prod max(x, 1)^w, the standard weighted geometric mean on 0..100 with one rule for zeros:
      a value below 1 point counts as 1 (ln 0 does not exist, and one empty indicator should cost a station
      much, not everything). A contribution is the total split in proportion to w*ln(max(x, 1)), each
      column's share of the log of the score (all >= 0 thanks to the floor; equal shares of 1 if all are 1).
    """
    if how == "arithmetic":
        contrib = normalised * weights
        return contrib.sum(axis=1), contrib
    if how != "geometric":
        raise ValueError(f"aggregate: {how!r} is not a flat aggregation")
    logs = np.log(np.maximum(normalised, GEOMETRIC_FLOOR)) * weights
    log_total = logs.sum(axis=1, keepdims=True)
    total = np.exp(log_total[:, 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(log_total > 0, logs / log_total, _weight_shares(weights, len(logs)))
    return total, share * total[:, None]


def topsis(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """TOPSIS over one node's children: (closeness 0..100, distance to the ideal, distance to the anti-ideal,
    each child's share of the score), per station.

    The children's scores are already on 0..100 with 100 best, so they replace TOPSIS's own normalisation;
    v = w * x; the ideal and the anti-ideal are the best and the worst station on each child; d+ and d- are the
    Euclidean distances of v to them; closeness = 100 * d- / (d+ + d-), and 50 when every station ties on every
    child (nothing tells them apart, as in min-max). A child's share is its part of d-^2, the squared distance
    from the worst station that earns the score (shares by weight where d- = 0)."""
    v = values * weights
    gap_best = v - v.max(axis=0)
    gap_worst = v - v.min(axis=0)
    d_plus = np.sqrt((gap_best ** 2).sum(axis=1))
    sq = gap_worst ** 2
    d2 = sq.sum(axis=1, keepdims=True)
    d_minus = np.sqrt(d2[:, 0])
    span = d_plus + d_minus
    with np.errstate(divide="ignore", invalid="ignore"):
        close = np.where(span > 0, d_minus / span * 100, NEUTRAL)
        share = np.where(d2 > 0, sq / d2, _weight_shares(weights, len(v)))
    return close, d_plus, d_minus, share


def rank_of(total: np.ndarray) -> np.ndarray:
    """1 is best; scores within float noise share the better rank (the same rule as the sensitivity draws)."""
    return rank_desc_min(total).astype(int)


@dataclass(frozen=True)
class ScoreResult:
    """Every stage of one scheme over one period, COINr-style: any number on screen is a cell in here."""
    scheme: Scheme
    period: Period
    stations: pd.DataFrame          # index station_id: name, name_en, district, street, population, profile
    raw: pd.DataFrame               # stations x indicators, NaN = no data
    normalised: pd.DataFrame        # 0..100, 100 best, after the missing rule
    missing: pd.DataFrame           # True where the raw value was missing and the rule filled it
    weights: pd.DataFrame           # per indicator: dimension (top level), within (its parent), effective,
                                    # dimension_weight (top level), parent, path
    contributions: pd.DataFrame     # stations x indicators; rows add up to total (see `aggregate`, `topsis`)
    dimension_scores: pd.DataFrame  # stations x top-level dimensions, 0..100
    total: pd.Series
    rank: pd.Series
    grade: pd.Series
    capped_by: pd.Series            # the gates a station failed ("" if none)
    nodes: pd.DataFrame | None = None          # stations x every dimension at every level (depth-first), 0..100
    points_earned: pd.Series | None = None     # points schemes: total / 100 * points available
    distances: pd.DataFrame | None = None      # TOPSIS: columns (node or TOTAL, "d_plus" | "d_minus")
    inputs: pd.DataFrame | None = None   # value measures with a denominator: (indicator, value|denominator) columns
    # data treatment stage (indicators/scoring/treatment.py): raw after imputation and outlier treatment, and
    # one log row per changed cell; treated is raw itself when the scheme asks for no treatment
    treated: pd.DataFrame | None = None
    treatment: pd.DataFrame | None = None
    # points schemes: stations x indicators, the points each item earned (a gap earns 0); None in a weights scheme
    item_points: pd.DataFrame | None = None
    veto: pd.Series | None = None       # the reason a station was vetoed (一票否决), "" when it was not
    complete: pd.Series | None = None   # share of the scheme's indicators with a raw value (before any filling)
    status: pd.Series | None = None     # ranked | vetoed | insufficient (数据不足) | refused (缺项, scheme refuses)
    sheet_vetoes: pd.Series | None = None   # reasons read from indicator_values' veto series, kept for re-weighting

    @property
    def points_available(self) -> float | None:
        return self.scheme.points_total()

    @property
    def relative(self) -> tuple[str, ...]:
        """Indicators scored against the other stations (a points scheme's items with no rule over a records measure)."""
        return tuple(i.id for i in self.scheme.indicators if i.relative)

    def node_points(self) -> pd.DataFrame | None:
        """Points schemes: points earned per station and dimension at every level, the plain sum of its items'."""
        if self.item_points is None:
            return None
        cols = {}
        for d in self.scheme.nodes():
            leaves = [i.id for i in _leaves(d)]
            cols[d.id] = self.item_points[leaves].sum(axis=1)
        return pd.DataFrame(cols, index=self.item_points.index)

    def table(self) -> pd.DataFrame:
        """The ranked summary: one row per station."""
        df = self.stations[["name", "name_en", "district"]].copy()
        df["score"], df["rank"], df["grade"], df["capped_by"] = self.total, self.rank, self.grade, self.capped_by
        return df.sort_values(["rank", "name"])

    def reweighted(self, dimension_weights=None, indicator_weights=None, **changes) -> ScoreResult:
        """Same records, new weights: numpy only, never a new query."""
        scheme = self.scheme.with_weights(dimension_weights, indicator_weights, **changes)
        same_points = self.item_points is not None and scheme.weighting == "points" and all(
            a.points == b.points for a, b in zip(scheme.indicators, self.scheme.indicators))
        return replace(score_normalised(scheme, self.period, self.stations, self.raw, self.normalised, self.missing,
                                        self.item_points if same_points else None, self.sheet_vetoes),
                       inputs=self.inputs, treated=self.treated, treatment=self.treatment)

    def explain(self, station_id: str) -> pd.DataFrame:
        """One station, one row per indicator: raw -> normalised -> weight -> contribution, and its path."""
        w = self.weights
        df = pd.DataFrame({
            "dimension": w["dimension"], "path": w["path"], "raw": self.raw.loc[station_id],
            "missing": self.missing.loc[station_id],
            "normalised": self.normalised.loc[station_id], "weight": w["effective"],
            "contribution": self.contributions.loc[station_id],
        })
        df["gap_to_best"] = (100 - df["normalised"]) * df["weight"]   # points lost against a perfect station
        if self.item_points is not None:   # a points scheme: the item's points earned of those available
            df["points"] = pd.Series({i.id: i.points for i in self.scheme.indicators})
            df["earned"] = self.item_points.loc[station_id]
            df["lost"] = df["points"] - df["earned"]
        return df


def _leaves(d: Dimension) -> list[Indicator]:
    out = list(d.indicators)
    for sub in d.dimensions:
        out += _leaves(sub)
    return out


def grade_of(total: float, scheme: Scheme) -> str:
    for band in sorted(scheme.grades, key=lambda g: -g.min):
        if total >= band.min - 1e-9:
            return band.grade
    return sorted(scheme.grades, key=lambda g: g.min)[0].grade


def _grades_and_gates(scheme: Scheme, total: np.ndarray, raw: pd.DataFrame,
                      index: pd.Index) -> tuple[list[str], list[str]]:
    """Per station: the grade (after the gates' caps) and the failed gates' names, on whole columns at once."""
    n = len(total)
    bands = sorted(scheme.grades, key=lambda g: -g.min)
    grades = np.full(n, sorted(scheme.grades, key=lambda g: g.min)[0].grade, dtype=object)
    done = np.zeros(n, dtype=bool)
    for band in bands:   # the first band (highest minimum first) that the total reaches
        hit = ~done & (total >= band.min - 1e-9)
        grades[hit] = band.grade
        done |= hit
    capped = [""] * n
    if scheme.gates:
        order = {g.grade: g.min for g in scheme.grades}
        level = np.array([order[g] for g in grades], dtype=float)
        same = raw.index.equals(index)
        for gate in scheme.gates:
            col = raw[gate.indicator]
            v = (col if same else col.loc[index]).to_numpy(dtype=float)
            with np.errstate(invalid="ignore"):
                ok = {">=": v >= gate.value, ">": v > gate.value, "<=": v <= gate.value, "<": v < gate.value}[gate.op]
            failed = np.isnan(v) | ~ok   # no evidence does not pass a must-pass condition
            cap = order[gate.cap]
            lower = failed & (cap < level)
            grades[lower] = gate.cap
            level[lower] = cap
            label = gate.name_en or gate.indicator
            for s in np.flatnonzero(failed):
                capped[s] = f"{capped[s]}, {label}" if capped[s] else label
    return grades.tolist(), capped


def _columns(df: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """df[ids]; when the columns already are ids (every re-weighting), a shallow copy (copy-on-write) is the same
    frame without looking 50 labels up again."""
    return df.copy(deep=False) if df.columns.tolist() == ids else df[ids]


def _subtree(d: Dimension, within: dict, pos: dict) -> tuple[list[int], list[float]]:
    """Columns of every leaf below `d` and their weights relative to `d` (products of `within` downwards)."""
    cols = [pos[i.id] for i in d.indicators]
    ws = [within[("indicator", i.id)] for i in d.indicators]
    for sub in d.dimensions:
        c, w = _subtree(sub, within, pos)
        cols += c
        ws += [within[("dimension", sub.id)] * x for x in w]
    return cols, ws


def _topsis_tree(scheme: Scheme, n: np.ndarray, within: dict, pos: dict):
    """TOPSIS at every node, leaves upwards: (total, contributions, node scores, distances)."""
    nodes, dist, shares = {}, {}, {}

    def node(d: Dimension) -> np.ndarray:
        vals = [n[:, pos[i.id]] for i in d.indicators] + [node(s) for s in d.dimensions]
        w = np.array([within[("indicator", i.id)] for i in d.indicators]
                     + [within[("dimension", s.id)] for s in d.dimensions], dtype=float)
        close, dp, dm, share = topsis(np.column_stack(vals), w)
        nodes[d.id], dist[(d.id, "d_plus")], dist[(d.id, "d_minus")], shares[d.id] = close, dp, dm, share
        return close
    tops = [node(d) for d in scheme.dimensions]
    w = np.array([within[("dimension", d.id)] for d in scheme.dimensions], dtype=float)
    total, dp, dm, share = topsis(np.column_stack(tops), w)
    dist[(TOTAL, "d_plus")], dist[(TOTAL, "d_minus")] = dp, dm
    contrib = np.zeros(n.shape)

    def split(d: Dimension, amount: np.ndarray):   # a node's part of the total, shared out to its children
        sh = shares[d.id]
        for k, i in enumerate(d.indicators):
            contrib[:, pos[i.id]] += amount * sh[:, k]
        for k, sub in enumerate(d.dimensions, start=len(d.indicators)):
            split(sub, amount * sh[:, k])
    for k, d in enumerate(scheme.dimensions):
        split(d, total * share[:, k])
    return total, contrib, nodes, dist


def score_normalised(scheme: Scheme, period: Period, stations: pd.DataFrame, raw: pd.DataFrame,
                     normalised: pd.DataFrame, missing: pd.DataFrame, item_points: pd.DataFrame | None = None,
                     sheet_vetoes: pd.Series | None = None) -> ScoreResult:
    """Weights, aggregation at every node of the tree, ranks, grades, gates and vetoes from an already normalised
    matrix.

    Arithmetic and geometric means nest exactly (a node of nodes is the same mean of its leaves with the
    products of the weights), so the total and each node are computed from the leaves in one step; TOPSIS does
    not nest, so it runs at every node on its children's scores, leaves upwards. In a points scheme `item_points`
    (the points each item earned) are summed as they are: the total in points is the plain sum an evaluator's
    spreadsheet gives, and 0-100 is that sum over the points available."""
    ids = [i.id for i in scheme.indicators]
    tw = _tree_rows(scheme)   # (code, kind, parent, top, path, depth, within, effective, points)
    within = {(r[1], r[0]): r[6] for r in tw}
    leaves = {r[0]: r for r in tw if r[1] == "indicator"}
    top_w = {r[0]: r[6] for r in tw if r[5] == 1}
    pos = {i: k for k, i in enumerate(ids)}
    n = _columns(normalised, ids).to_numpy()
    idx = stations.index
    dist = None
    if scheme.aggregation == "topsis":
        total, contrib, nodes, d = _topsis_tree(scheme, n, within, pos)
        dist = pd.DataFrame(d, index=idx)
        nodes = {k: nodes[k] for k in (x.id for x in scheme.nodes())}
    else:
        total, contrib = aggregate(n, np.array([leaves[i][7] for i in ids], dtype=float), scheme.aggregation)
        nodes = {}
        for d in scheme.nodes():
            cols, ws = _subtree(d, within, pos)
            nodes[d.id], _ = aggregate(n[:, cols], np.array(ws, dtype=float), scheme.aggregation)
    total = np.clip(total, 0, 100)
    earned = None
    if scheme.weighting == "points":
        available = pd.Series({i.id: float(i.points) for i in scheme.indicators})[ids]
        item_points = (_columns(normalised, ids) * available / 100 if item_points is None
                       else _columns(item_points, ids))
        earned = item_points.sum(axis=1).rename("points")
    grades, capped = _grades_and_gates(scheme, earned.to_numpy() if scheme.grade_scale == "points" else total,
                                       raw, idx)
    raw_ids = _columns(raw, ids)
    veto = _vetoes(scheme, raw_ids, idx, sheet_vetoes)
    complete = pd.Series((~np.isnan(raw_ids.to_numpy(dtype=float))).mean(axis=1) if ids else 1.0,
                         index=raw_ids.index, name="complete")
    status, grades = _standing(scheme, veto, complete, _columns(missing, ids), grades)
    standing = status.to_numpy()
    group = np.where(standing == "ranked", 0, np.where(standing == "vetoed", 0 if scheme.veto_ranked else 1, 2))
    lw = [leaves[i] for i in ids]
    weights = pd.DataFrame({"dimension": [r[3] for r in lw], "within": np.array([r[6] for r in lw], dtype=float),
                            "effective": np.array([r[7] for r in lw], dtype=float),
                            "dimension_weight": [top_w[r[3]] for r in lw],
                            "parent": [r[2] for r in lw], "path": [r[4] for r in lw]},
                           index=normalised.columns if normalised.columns.tolist() == ids else pd.Index(ids))
    node_scores = block(nodes, idx)
    total_s = pd.Series(total, index=idx, name="score")
    return ScoreResult(
        scheme=scheme, period=period, stations=stations, raw=raw_ids,
        normalised=_columns(normalised, ids), missing=_columns(missing, ids), weights=weights,
        contributions=pd.DataFrame(contrib, index=idx, columns=ids),
        dimension_scores=block({d.id: nodes[d.id] for d in scheme.dimensions}, idx),
        total=total_s,
        # vetoed and ungraded stations are listed after the ranked ones: a band of 1,000 below any 0-100 score
        rank=pd.Series(rank_of(total - 1000.0 * group), index=idx, name="rank"),
        grade=pd.Series(grades, index=idx, name="grade"),
        capped_by=pd.Series(capped, index=idx, name="capped_by"), nodes=node_scores,
        points_earned=earned, distances=dist, item_points=item_points, veto=veto, complete=complete,
        status=status, sheet_vetoes=sheet_vetoes)


def _vetoes(scheme: Scheme, raw: pd.DataFrame, idx: pd.Index, sheet: pd.Series | None) -> pd.Series:
    """The reason each station is vetoed ("" if none): the scheme's veto conditions on indicators, and in a points
    scheme the veto column of the score sheets (indicator_values' veto series, its note the reason)."""
    reasons = [[] for _ in range(len(idx))]
    if sheet is not None and scheme.weighting == "points":
        for k, sid in enumerate(idx):
            if sid in sheet.index and sheet[sid]:
                reasons[k].append(str(sheet[sid]))
    for veto in scheme.vetoes:
        v = raw[veto.indicator].reindex(idx).to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            hit = {">=": v >= veto.value, ">": v > veto.value, "<=": v <= veto.value, "<": v < veto.value}[veto.op]
        name = veto.name_zh or veto.name_en or scheme.indicator(veto.indicator).name_zh
        for k in np.flatnonzero(hit):
            reasons[k].append(name)
    return pd.Series(["；".join(dict.fromkeys(r)) for r in reasons], index=idx, name="veto")


def _standing(scheme: Scheme, veto: pd.Series, complete: pd.Series, missing: pd.DataFrame,
              grades: list[str]) -> tuple[pd.Series, list[str]]:
    """(status per station, grades after vetoes and completeness). A vetoed station gets the lowest band; one with
    less than `min_observed` of its indicators observed, or (when the scheme refuses) a missing item, no grade."""
    lowest = sorted(scheme.grades, key=lambda g: g.min)[0].grade
    refuse = scheme.weighting == "points" and scheme.missing_items == "refuse"
    scored = [i.id for i in scheme.indicators if not i.relative]
    # whole columns in the stations' order (label look-ups per station were most of a re-weighting's time)
    idx = veto.index
    vetoed = veto.to_numpy(dtype=object).astype(bool)   # a reason is a non-empty text
    gapped = (missing[scored].any(axis=1).reindex(idx, fill_value=False).to_numpy(dtype=bool) if refuse and scored
              else np.zeros(len(idx), dtype=bool))
    observed = complete if complete.index.equals(idx) else complete.reindex(idx)
    short = observed.to_numpy(dtype=float) < scheme.min_observed - 1e-12
    # the first that holds, in this order: vetoed, refused, insufficient, ranked
    status = np.select([vetoed, gapped, short], ["vetoed", "refused", "insufficient"], "ranked")
    out = np.select([vetoed, gapped | short], [lowest, ""], np.array(grades, dtype=object))
    return pd.Series(status.astype(object), index=veto.index, name="status"), out.tolist()


def score_raw(scheme: Scheme, raw: pd.DataFrame, stations: pd.DataFrame, period: Period = Period(),
              sheet_vetoes: pd.Series | None = None) -> ScoreResult:
    """Treat a raw matrix, normalise it by each indicator's rules, then weight and aggregate.

    A points scheme's items with a rule (or a value read as awarded points) are scored by the rule on their own
    raw value, untouched by treatment, and a gap earns 0 (缺项); items scored relative to the other stations go
    the way of a weights scheme's indicators."""
    treated, log = treat(raw, scheme, stations)   # the treatment hook: raw itself unless the scheme asks
    norm, gaps, earned = {}, {}, {}
    # whole matrices, a column each by position (a label look-up per column cost more than normalising it)
    raw_m, treated_m = (m.to_numpy(dtype=float, na_value=np.nan) for m in (raw, treated))
    at, treated_at = {c: k for k, c in enumerate(raw.columns)}, {c: k for k, c in enumerate(treated.columns)}
    for ind in scheme.indicators:
        if scheme.weighting == "points" and not ind.relative:
            got = points_for(ind.scoring, raw_m[:, at[ind.id]], ind.points, ind.direction)
            gaps[ind.id] = np.isnan(got)
            got[gaps[ind.id]] = 0.0
            earned[ind.id] = got
            norm[ind.id] = got / ind.points * 100 if ind.points > 0 else np.where(gaps[ind.id], 0.0, 100.0)
            continue
        values = normalise(treated_m[:, treated_at[ind.id]], ind)
        gaps[ind.id] = np.isnan(values)
        if ind.missing in IMPUTING:   # filled in the treatment stage: still a gap in the records
            gaps[ind.id] = gaps[ind.id] | np.isnan(raw_m[:, at[ind.id]])
        norm[ind.id] = fill_missing(values, ind)
        if scheme.weighting == "points":
            earned[ind.id] = norm[ind.id] * ind.points / 100
    ids = list(norm)
    columns = raw.columns if raw.columns.tolist() == ids else pd.Index(ids)
    normalised = block(norm, raw.index, columns)
    result = score_normalised(scheme, period, stations, raw, normalised, block(gaps, raw.index, columns),
                              block(earned, raw.index, columns) if earned else None, sheet_vetoes)
    filled = gaps_filled(treated, normalised, scheme)   # the rules applied while normalising, logged alike
    if len(filled):
        log = filled if log.empty else pd.concat([log, filled], ignore_index=True)
    return replace(result, treated=result.raw if treated is raw else treated[result.raw.columns], treatment=log)


ALTERNATIVE_NORMALISATIONS = ("minmax", "rank")


def renormalised(result: ScoreResult, method: str) -> pd.DataFrame:
    """The result's raw matrix normalised as if every indicator used `method` (same directions and missing
    rules): the other plausible readings of the same records that a sensitivity run may draw from."""
    out = {}
    for ind in result.scheme.indicators:
        alt = replace(ind, normalisation=Normalisation(method))
        source = result.raw if result.treated is None else result.treated
        out[ind.id] = fill_missing(normalise(source[ind.id].to_numpy(), alt), alt)
    return pd.DataFrame(out, index=result.raw.index)


def alternative_normalisations(result: ScoreResult) -> list[pd.DataFrame]:
    """min-max and rank readings of the records, each kept only where it differs from the scheme's own."""
    alts = [renormalised(result, m) for m in ALTERNATIVE_NORMALISATIONS]
    return [a for a in alts if not np.allclose(a.to_numpy(), result.normalised.to_numpy())]


def score(con: duckdb.DuckDBPyConnection, scheme: Scheme, period: Period = Period(),
          source: str | None = None, progress=None) -> ScoreResult:
    """Score every station in the database: the SQL runs once here; re-weighting later uses `reweighted`.
    `progress` hears of each table's query (measures.raw_values)."""
    return score_many(con, [scheme], period, [source], progress)[0]


def score_many(con: duckdb.DuckDBPyConnection, schemes, period: Period = Period(), sources=None,
               progress=None) -> list[ScoreResult]:
    """Several schemes over one period, each as `score` gives it, with each record table read once for all
    of them (one grouped query per table): comparing two schemes costs one pass over attendance, not two."""
    sources = list(sources or [None] * len(schemes))
    plans = {}
    for n, (scheme, source) in enumerate(zip(schemes, sources)):
        plans.update({f"{n}\0{i}": p for i, p in check_indicators(scheme.indicators, source, _paths(scheme)).items()})
    try:
        stations = load_stations(con)
    except duckdb.CatalogException:
        raise EmptyRecords(code="records.no_tables") from None
    if stations.empty:
        raise EmptyRecords(code="records.no_stations")
    hear = progress and (lambda table, keys, seconds: progress(     # indicator ids without the scheme's number
        table, list(dict.fromkeys(k.split("\0", 1)[1] for k in keys)), seconds))
    raw = raw_values(con, plans, stations, period, progress=hear, may_be_absent=_awarded_plans(schemes))
    vetoes = sheet_vetoes(con, period) if any(s.weighting == "points" for s in schemes) else None
    out, matrix = [], raw.to_numpy()
    for n, scheme in enumerate(schemes):
        ids = [i.id for i in scheme.indicators]   # this scheme's columns of the shared matrix, as one block
        mine = pd.DataFrame(matrix[:, [raw.columns.get_loc(f"{n}\0{i}") for i in ids]], index=raw.index, columns=ids)
        result = score_raw(scheme, mine, stations, period, vetoes_of(vetoes, scheme))
        out.append(replace(result, inputs=value_inputs(con, scheme.indicators, stations, period)))
    return out


def _awarded_plans(schemes) -> frozenset[str]:
    """score_many's plan keys of points-scheme items whose value is read as points awarded (no rule, not relative):
    a sheet may hold any subset of them, and an item none holds earns 0 as 缺项."""
    return frozenset(f"{n}\0{i.id}" for n, s in enumerate(schemes) if s.weighting == "points"
                     for i in s.indicators if i.measure.kind == "value" and not i.relative and i.scoring is None)


VETO_SQL = ("SELECT station_id, indicator_id, note FROM indicator_values WHERE (indicator_id = ? OR "
            "starts_with(indicator_id, ?)) AND value > 0 AND period_end >= ? AND period_start <= ?")


def sheet_vetoes(con: duckdb.DuckDBPyConnection | None, period: Period, run=None) -> pd.DataFrame:
    """The veto rows (一票否决 of score sheets and ledgers) whose period overlaps `period`: station_id, indicator_id
    (the series: VETO_SERIES, or one scheme's veto_series), note. `run(sql, params) -> DataFrame` reads them
    elsewhere (Spark); plain SQL, so that both engines agree."""
    params = [VETO_SERIES, VETO_SERIES + "@", *period.params()]
    try:
        return run(VETO_SQL, params) if run else con.cursor().execute(VETO_SQL, params).df()
    except duckdb.CatalogException:   # a database made before indicator_values existed
        return pd.DataFrame(columns=["station_id", "indicator_id", "note"])


def vetoes_of(rows: pd.DataFrame | None, scheme: Scheme) -> pd.Series | None:
    """Station -> the reasons (joined) of the veto rows that apply to `scheme`: the shared series and its own."""
    if rows is None or scheme.weighting != "points":
        return None
    out: dict[str, list[str]] = {}
    for sid, series, note in rows.itertuples(index=False):
        if series not in (VETO_SERIES, veto_series(scheme.id)):
            continue
        reason = note.strip() if isinstance(note, str) and note.strip() else VETO_SERIES
        out.setdefault(sid, [])
        if reason not in out[sid]:
            out[sid].append(reason)
    return pd.Series({sid: "；".join(r) for sid, r in out.items()}, dtype=object)


def _paths(scheme: Scheme) -> dict[str, str]:
    paths = node_paths(scheme)
    return {i.id: paths[i.id] for i in scheme.indicators}


def check(scheme: Scheme, source: str | None = None) -> Scheme:
    """Full validation, structural and against the record columns, with field-named errors."""
    scheme = validate(scheme, source)
    check_indicators(scheme.indicators, source, _paths(scheme))
    return scheme
