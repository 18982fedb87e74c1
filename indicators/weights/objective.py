"""Weights from the data: entropy and CRITIC, and a blend of subjective and objective weights.

Both reward dispersion, so they are a check on the chosen weights, not a verdict.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from indicators.errors import Word
from indicators.weights.common import WeightsError, _fmt


def _directions(raw, k: int, higher_is_better) -> np.ndarray:
    if higher_is_better is None:
        return np.ones(k, dtype=bool)
    if isinstance(higher_is_better, Mapping):
        if not isinstance(raw, pd.DataFrame):
            raise WeightsError(code="weights.objective.mapping")
        unknown = [c for c in higher_is_better if c not in raw.columns]
        if unknown:
            raise WeightsError(code="weights.objective.unknown", params={"indicators": ", ".join(map(str, unknown))})
        return np.array([bool(higher_is_better.get(c, True)) for c in raw.columns])
    if isinstance(higher_is_better, (bool, np.bool_)):
        return np.full(k, bool(higher_is_better))
    d = np.array(list(higher_is_better), dtype=bool)
    if d.shape != (k,):
        raise WeightsError(code="weights.objective.directions", params={"n": d.size, "k": k})
    return d


def _minmax(raw, higher_is_better) -> tuple[np.ndarray, np.ndarray]:
    """Min-max normalise per column (flipped for lower-is-better), NaN -> 0 (the column minimum
    after direction). Returns (x, constant) with x in [0, 1] and a mask of constant columns
    (all observed values equal, or none observed)."""
    try:
        x = np.array(raw.to_numpy() if isinstance(raw, pd.DataFrame) else raw, dtype=float)
    except (TypeError, ValueError) as exc:
        raise WeightsError(code="weights.objective.not_numeric", params={"detail": exc}) from None
    if x.ndim != 2:
        raise WeightsError(code="weights.objective.dims", params={"n": x.ndim})
    m, k = x.shape
    if m == 0 or k == 0:
        raise WeightsError(code="weights.objective.empty", params={"m": m, "k": k})
    if np.isinf(x).any():
        raise WeightsError(code="weights.objective.infinite")
    d = _directions(raw, k, higher_is_better)
    observed = ~np.isnan(x)
    with np.errstate(all="ignore"):
        lo = np.where(observed.any(axis=0), np.nanmin(np.where(observed, x, np.inf), axis=0), 0.0)
        hi = np.where(observed.any(axis=0), np.nanmax(np.where(observed, x, -np.inf), axis=0), 0.0)
    span = hi - lo
    constant = span <= 1e-12 * np.maximum(1.0, np.maximum(np.abs(lo), np.abs(hi)))
    safe = np.where(constant, 1.0, span)
    z = np.where(d, (x - lo) / safe, (hi - x) / safe)
    z = np.where(observed, z, 0.0)
    z[:, constant] = 0.0
    return z, constant


def entropy_weights(raw, higher_is_better=None) -> np.ndarray:
    """Entropy weights (objective): the more an indicator's values differ between stations, the
    more weight it gets.

    raw: stations x indicators (array or DataFrame; NaN allowed and treated as the column minimum
    after direction, i.e. the worst value). Min-max normalise per column (lower-is-better
    columns flipped), p_ij = x_ij / sum_i x_ij, e_j = -(1/ln m) sum_i p_ij ln p_ij with
    0 ln 0 = 0, d_j = 1 - e_j, w_j = d_j / sum d_j. A constant column gets weight 0; if every
    column is constant, or there is only one station (m = 1), the weights are equal.

    Warning for users: entropy rewards dispersion, and the counts that are easiest to game
    (photos, head-counts, events) usually vary most between stations.
    """
    z, constant = _minmax(raw, higher_is_better)
    m, k = z.shape
    if m == 1 or constant.all():
        return np.full(k, 1.0 / k)
    col = z.sum(axis=0)
    p = np.divide(z, col, out=np.zeros_like(z), where=col > 0)
    plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / math.log(m)
    dvec = np.where(constant, 0.0, np.clip(1.0 - e, 0.0, None))
    if dvec.sum() <= 0:
        return np.full(k, 1.0 / k)
    return dvec / dvec.sum()


def critic_weights(raw, higher_is_better=None) -> np.ndarray:
    """CRITIC weights (Diakoulaki, Mavrotas & Papayannakis 1995, Computers & Operations Research
    22(7):763-770): contrast and conflict.

    Min-max normalise per column as in ``entropy_weights`` (NaN -> column minimum after
    direction); sigma_j = standard deviation of column j (population, ddof=0; the choice cancels
    out after normalising); r_jk = Pearson correlation of columns j and k;
    C_j = sigma_j * sum_k (1 - r_jk); w_j = C_j / sum C. A constant column has weight 0, and its
    correlation with any other column is defined as 0. One station, or all columns constant:
    equal weights. If every C_j is 0 (all non-constant columns perfectly correlated and no
    constant column), the non-constant columns share the weight equally.
    """
    z, constant = _minmax(raw, higher_is_better)
    m, k = z.shape
    if m == 1 or constant.all():
        return np.full(k, 1.0 / k)
    sigma = z.std(axis=0)
    dev = z - z.mean(axis=0)
    cov = dev.T @ dev / m
    denom = np.outer(sigma, sigma)
    r = np.divide(cov, denom, out=np.zeros_like(cov), where=denom > 0)
    np.fill_diagonal(r, 1.0)
    r[constant, :] = 0.0
    r[:, constant] = 0.0
    r = np.clip(r, -1.0, 1.0)
    c = sigma * (1.0 - r).sum(axis=1)
    c[constant] = 0.0
    if c.sum() <= 0:
        w = (~constant).astype(float)
        return w / w.sum()
    return c / c.sum()


def combine(subjective, objective, alpha: float) -> np.ndarray:
    """w = alpha * subjective + (1 - alpha) * objective, alpha in [0, 1].

    Each input is first normalised to sum 1, and the result is renormalised (it already sums to 1
    up to rounding). If both inputs are pandas Series, `objective` is aligned to `subjective`'s
    index. Returns an array in the order of `subjective`.
    """
    try:
        alpha = float(alpha)
    except (TypeError, ValueError):
        raise WeightsError(code="weights.objective.alpha_number", params={"value": repr(alpha)}) from None
    if not 0.0 <= alpha <= 1.0:
        raise WeightsError(code="weights.objective.alpha_range", params={"value": _fmt(alpha)})
    if isinstance(subjective, pd.Series) and isinstance(objective, pd.Series):
        missing = [i for i in subjective.index if i not in objective.index]
        if missing or len(objective) != len(subjective):
            raise WeightsError(code="weights.objective.different", params={
                "missing": ", ".join(map(str, missing)) or Word("err.weights.none")})
        objective = objective.reindex(subjective.index)
    s = np.asarray(subjective, dtype=float).ravel()
    o = np.asarray(objective, dtype=float).ravel()
    if s.shape != o.shape:
        raise WeightsError(code="weights.objective.sizes", params={"s": s.size, "o": o.size})
    for label, v in ((Word("err.weights.subjective"), s), (Word("err.weights.objective"), o)):
        if not np.isfinite(v).all() or (v < 0).any():
            raise WeightsError(code="weights.objective.not_finite", params={"label": label})
        if v.sum() <= 0:
            raise WeightsError(code="weights.objective.sum_zero", params={"label": label})
    w = alpha * s / s.sum() + (1.0 - alpha) * o / o.sum()
    return w / w.sum()
