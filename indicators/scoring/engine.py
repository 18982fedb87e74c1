"""Scoring that keeps every stage: raw -> normalised -> weighted contribution -> dimension score -> total, rank, grade."""
from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import numpy as np
import pandas as pd

from indicators.errors import InputError
from indicators.scoring.measures import Period, check_indicators, load_stations, raw_values
from indicators.scheme.model import Indicator, Normalisation, Scheme, validate
from indicators.analysis.sensitivity import rank_desc_min
from indicators.scoring.treatment import IMPUTING, treat

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


def _weights(scheme: Scheme) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """(indicator weight within its dimension, dimension weight, flat effective weight) as plain dicts."""
    dim_total = sum(d.weight for d in scheme.dimensions)
    within, dim_w, flat = {}, {}, {}
    for d in scheme.dimensions:
        dim_w[d.id] = d.weight / dim_total
        total = sum(i.weight for i in d.indicators)
        for i in d.indicators:
            within[i.id] = i.weight / total
            flat[i.id] = dim_w[d.id] * within[i.id]
    return within, dim_w, flat


def effective_weights(scheme: Scheme) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(indicator weight within its dimension, dimension weight, flat effective weight), each summing to 1."""
    within, dim_w, flat = _weights(scheme)
    return pd.Series(within), pd.Series(dim_w), pd.Series(flat)


def aggregate(normalised: np.ndarray, weights: np.ndarray, how: str) -> tuple[np.ndarray, np.ndarray]:
    """(total per station, contribution per station and indicator); contributions add up to the total.

    Arithmetic: total = sum w*x. Geometric (less compensatory): total = exp(sum w*log(x+1)) - 1, on 0..100 like the
    arithmetic one; its contributions split the total in proportion to w*log(x+1).
    """
    if how == "arithmetic":
        contrib = normalised * weights
        return contrib.sum(axis=1), contrib
    logs = np.log1p(normalised) * weights
    total = np.expm1(logs.sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(logs.sum(axis=1, keepdims=True) > 0, logs / logs.sum(axis=1, keepdims=True), 0.0)
    return total, share * total[:, None]


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
    weights: pd.DataFrame           # per indicator: dimension, within, dimension_weight, effective
    contributions: pd.DataFrame     # stations x indicators; rows add up to total
    dimension_scores: pd.DataFrame  # stations x dimensions, 0..100
    total: pd.Series
    rank: pd.Series
    grade: pd.Series
    capped_by: pd.Series            # the gates a station failed ("" if none)
    # data treatment stage (indicators/scoring/treatment.py): raw after imputation and outlier treatment, and
    # one log row per changed cell; treated is raw itself when the scheme asks for no treatment
    treated: pd.DataFrame | None = None
    treatment: pd.DataFrame | None = None

    def table(self) -> pd.DataFrame:
        """The ranked summary: one row per station."""
        df = self.stations[["name", "name_en", "district"]].copy()
        df["score"], df["rank"], df["grade"], df["capped_by"] = self.total, self.rank, self.grade, self.capped_by
        return df.sort_values(["rank", "name"])

    def reweighted(self, dimension_weights=None, indicator_weights=None, **changes) -> ScoreResult:
        """Same records, new weights: numpy only, never a new query."""
        return replace(score_normalised(self.scheme.with_weights(dimension_weights, indicator_weights, **changes),
                                        self.period, self.stations, self.raw, self.normalised, self.missing),
                       treated=self.treated, treatment=self.treatment)

    def explain(self, station_id: str) -> pd.DataFrame:
        """One station, one row per indicator: raw -> normalised -> weight -> contribution."""
        w = self.weights
        df = pd.DataFrame({
            "dimension": w["dimension"], "raw": self.raw.loc[station_id], "missing": self.missing.loc[station_id],
            "normalised": self.normalised.loc[station_id], "weight": w["effective"],
            "contribution": self.contributions.loc[station_id],
        })
        df["gap_to_best"] = (100 - df["normalised"]) * df["weight"]   # points lost against a perfect station
        return df


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


def score_normalised(scheme: Scheme, period: Period, stations: pd.DataFrame, raw: pd.DataFrame,
                     normalised: pd.DataFrame, missing: pd.DataFrame) -> ScoreResult:
    """Weights, aggregation, ranks, grades and gates from an already normalised matrix."""
    ids = [i.id for i in scheme.indicators]
    within, dim_w, flat = _weights(scheme)
    dim_of = {i.id: d.id for d in scheme.dimensions for i in d.indicators}
    pos = {i: k for k, i in enumerate(ids)}
    n = _columns(normalised, ids).to_numpy()
    total, contrib = aggregate(n, np.array([flat[i] for i in ids], dtype=float), scheme.aggregation)
    dims = {}
    for d in scheme.dimensions:
        cols = [pos[i.id] for i in d.indicators]
        dims[d.id], _ = aggregate(n[:, cols], np.array([within[i.id] for i in d.indicators], dtype=float),
                                  scheme.aggregation)
    total = np.clip(total, 0, 100)
    grades, capped = _grades_and_gates(scheme, total, raw, stations.index)
    weights = pd.DataFrame({"dimension": [dim_of[i] for i in ids], "within": [within[i] for i in ids],
                            "effective": [flat[i] for i in ids],
                            "dimension_weight": [dim_w[dim_of[i]] for i in ids]}, index=pd.Index(ids))
    idx = stations.index
    return ScoreResult(
        scheme=scheme, period=period, stations=stations, raw=_columns(raw, ids),
        normalised=_columns(normalised, ids), missing=_columns(missing, ids), weights=weights,
        contributions=pd.DataFrame(contrib, index=idx, columns=ids),
        dimension_scores=pd.DataFrame(dims, index=idx), total=pd.Series(total, index=idx, name="score"),
        rank=pd.Series(rank_of(total), index=idx, name="rank"), grade=pd.Series(grades, index=idx, name="grade"),
        capped_by=pd.Series(capped, index=idx, name="capped_by"))


def score_raw(scheme: Scheme, raw: pd.DataFrame, stations: pd.DataFrame, period: Period = Period()) -> ScoreResult:
    """Treat a raw matrix, normalise it by each indicator's rules, then weight and aggregate."""
    treated, log = treat(raw, scheme, stations)   # the treatment hook: raw itself unless the scheme asks
    norm, gaps = {}, {}
    for ind in scheme.indicators:
        values = normalise(treated[ind.id].to_numpy(), ind)
        gaps[ind.id] = np.isnan(values)
        if ind.missing in IMPUTING:   # filled in the treatment stage: still a gap in the records
            gaps[ind.id] = gaps[ind.id] | raw[ind.id].isna().to_numpy()
        norm[ind.id] = fill_missing(values, ind)
    result = score_normalised(scheme, period, stations, raw, pd.DataFrame(norm, index=raw.index),
                              pd.DataFrame(gaps, index=raw.index))
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
          source: str | None = None) -> ScoreResult:
    """Score every station in the database: the SQL runs once here; re-weighting later uses `reweighted`."""
    plans = check_indicators(scheme.indicators, source, _paths(scheme))
    try:
        stations = load_stations(con)
    except duckdb.CatalogException:
        raise EmptyRecords("the database holds no record tables: import records or build the demo first") from None
    if stations.empty:
        raise EmptyRecords("the database has no stations: import records or build the demo first")
    return score_raw(scheme, raw_values(con, plans, stations, period), stations, period)


def _paths(scheme: Scheme) -> dict[str, str]:
    return {i.id: f"dimensions[{d_n}].indicators[{i_n}]"
            for d_n, d in enumerate(scheme.dimensions) for i_n, i in enumerate(d.indicators)}


def check(scheme: Scheme, source: str | None = None) -> Scheme:
    """Full validation, structural and against the record columns, with field-named errors."""
    validate(scheme, source)
    check_indicators(scheme.indicators, source, _paths(scheme))
    return scheme
