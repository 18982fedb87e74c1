"""Variance-based sensitivity: first-order and total Sobol indices of a model's outputs to groups of inputs, with
bootstrap confidence intervals.

Estimators (Saltelli et al. 2010, "Variance based sensitivity analysis of model output", Table 2):
- two independent N x d samples A and B of the unit hypercube (a scrambled Sobol' sequence in 2d dimensions,
  seeded, from scipy.stats.qmc); for each input group i, AB_i is A with the columns of group i taken from B;
- each output column is centred by its mean over A and B (as SALib does): the first-order formula multiplies
  f(B) by a difference, so an uncentred output of size m adds m * mean(f(AB_i) - f(A)) / V to the index, which
  for a station whose rank is about 20 and rarely moves is many times the index itself (5.4 against a total of
  0.85 on the demo) and does not shrink with N; the total formula is a difference and does not care;
- V = the variance of f over A and B together;
- first order  S_i  = mean( f(B) * (f(AB_i) - f(A)) ) / V          (Saltelli 2010, formula (b))
- total        ST_i = mean( (f(A) - f(AB_i))^2 ) / (2 V)            (Jansen 1999, formula (f))
- "pooled" over several outputs: sum of the outputs' partial variances / sum of their variances (the outputs that
  vary), i.e. each output's index weighted by its variance;
- 95% intervals by the bootstrap: the N rows (a row = the same point in A, B and every AB_i) are resampled with
  replacement `resamples` times (seeded), every index is recomputed on each resample, centring included, and the
  interval is the 2.5th to 97.5th percentile. A resample is a vector of row counts, so each index over all
  resamples is a few matrix products. The rows of a Sobol' sequence are more even than independent draws, so the
  intervals err on the wide side. An index whose output does not vary in more than 5% of the resamples has no
  interval (NaN); one whose group never changed the output is exactly 0, interval (0, 0).
An index is *uncertain* when its interval is wider than `WIDE` (0.2, i.e. ±0.1) or missing: it cannot then tell
a small effect from a middling one, and is shown as a range, not a number.
Cost: N (k + 2) model runs for k groups. A group may hold several columns (the weights are one group): the
indices are then those of the group as a whole. An output that never varies has no indices (NaN).

Tested against the Ishigami function and functions with known per-output indices (tests/test_sobol.py).
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 200
LEVEL = 0.95
WIDE = 0.2       # an interval wider than this (half-width over 0.1) is too wide to read


@dataclass(frozen=True, eq=False)
class Estimate:
    """Point estimates and their intervals. Per output: groups x outputs; intervals stack (low, high) first."""
    first: np.ndarray
    total: np.ndarray
    first_ci: np.ndarray          # 2 x groups x outputs
    total_ci: np.ndarray
    pooled_first: np.ndarray      # groups: over all outputs, each weighted by its variance
    pooled_total: np.ndarray
    pooled_first_ci: np.ndarray   # 2 x groups
    pooled_total_ci: np.ndarray
    outputs: np.ndarray           # f over A then B (2N x outputs), as the model gave them
    resamples: int
    seed: int


def samples(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two independent n x d samples of [0, 1)^d: halves of one scrambled Sobol' sequence in 2d dimensions."""
    m = max(int(np.ceil(np.log2(max(n, 2)))), 1)
    from scipy.stats import qmc   # here, not at the top: charts (the first page) read WIDE, scipy costs 0.6 s
    x = qmc.Sobol(2 * d, scramble=True, seed=seed).random_base2(m)[:n]
    return x[:, :d], x[:, d:]


def _run(model, a: np.ndarray, b: np.ndarray, groups) -> tuple[np.ndarray, ...]:
    """f(A), f(B) (n x outputs) and f(AB_i) (groups x n x outputs), the model called once on all of them, each
    output less its mean over A and B; then f over A and B as the model gave them (2n x outputs)."""
    n, k = len(a), len(groups)
    mixed = [a.copy() for _ in range(k)]
    for i, cols in enumerate(groups):
        mixed[i][:, list(cols)] = b[:, list(cols)]
    y = np.asarray(model(np.vstack([a, b, *mixed])), dtype=float)
    y = y.reshape(len(y), -1)
    given = y[:2 * n]
    y = y - given.mean(axis=0)    # centred on the mean over A and B (see the module's first paragraph)
    return y[:n], y[n:2 * n], y[2 * n:].reshape(k, n, -1), given


def _partial(w: np.ndarray, fa: np.ndarray, fb: np.ndarray, fab: np.ndarray):
    """(V_i first order, V_Ti total, V) under row weights w (r x n, each row summing to 1): r x groups x outputs,
    r x groups x outputs and r x outputs. Centred by the weighted mean over A and B, so a resample is centred on
    its own mean."""
    k, n, o = fab.shape
    centre = (w @ fa + w @ fb) / 2                                   # r x o
    var = (w @ fa ** 2 + w @ fb ** 2) / 2 - centre ** 2
    d = (fab - fa[None]).transpose(1, 0, 2).reshape(n, k * o)       # n x (k o)
    mean_d = (w @ d).reshape(-1, k, o)
    first = (w @ (d * np.tile(fb, k))).reshape(-1, k, o) - centre[:, None, :] * mean_d
    total = (w @ d ** 2).reshape(-1, k, o) / 2
    return first, total, np.maximum(var, 0.0)


def _ratio(num: np.ndarray, var: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(var > 0, num / var, np.nan)


def _interval(reps: np.ndarray, level: float) -> np.ndarray:
    """(low, high) percentiles over the first axis; NaN where the index was undefined in too many resamples."""
    tail = (1 - level) / 2
    undefined = np.isnan(reps).mean(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # all-NaN slices: no interval, set below
        ci = np.nanquantile(reps, [tail, 1 - tail], axis=0)
    ci[:, undefined > 1 - level] = np.nan
    return ci


def estimate(model: Callable[[np.ndarray], np.ndarray], a: np.ndarray, b: np.ndarray,
             groups: Sequence[Sequence[int]], resamples: int = RESAMPLES, seed: int = 0,
             level: float = LEVEL) -> Estimate:
    """First-order and total indices of each output to each group of inputs, pooled over the outputs, with
    bootstrap intervals (`resamples` resamples of the N rows, seeded: the same seed gives the same intervals).

    model: maps an (m x d) array of unit-cube points to m outputs, or to (m x outputs).
    The model is called once on A, B and all the AB_i stacked, so a vectorised model runs as one batch.
    """
    fa, fb, fab, given = _run(model, a, b, groups)
    n = len(fa)
    even = np.full((1, n), 1 / n)
    v1, vt, var = _partial(even, fa, fb, fab)
    counts = np.random.default_rng(seed).multinomial(n, even[0], size=resamples)
    r1, rt, rvar = _partial(counts / n, fa, fb, fab)
    varies = var[0] > 0     # pool the outputs that vary over the whole sample
    # a group that never changed an output (f(AB_i) = f(A) on every row) has indices of exactly 0, not an estimate:
    # without this a resample in which that output happens not to vary would leave them undefined
    never = (fab == fa[None]).all(axis=1) & varies

    def each(num, v):
        return np.where(never, 0.0, _ratio(num, v[..., None, :]))

    def pooled(num, v):
        return _ratio(num[..., varies].sum(axis=-1), v[..., varies].sum(axis=-1)[..., None])

    return Estimate(
        first=each(v1, var)[0], total=each(vt, var)[0],
        first_ci=_interval(each(r1, rvar), level), total_ci=_interval(each(rt, rvar), level),
        pooled_first=pooled(v1, var)[0], pooled_total=pooled(vt, var)[0],
        pooled_first_ci=_interval(pooled(r1, rvar), level), pooled_total_ci=_interval(pooled(rt, rvar), level),
        outputs=given, resamples=resamples, seed=seed)


def indices(model: Callable[[np.ndarray], np.ndarray], a: np.ndarray, b: np.ndarray,
            groups: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """(S1, ST), each groups x outputs (outputs = 1 when the model returns one value per row); no intervals."""
    fa, fb, fab, _ = _run(model, a, b, groups)
    v1, vt, var = _partial(np.full((1, len(fa)), 1 / len(fa)), fa, fb, fab)
    return _ratio(v1, var[:, None, :])[0], _ratio(vt, var[:, None, :])[0]


def uncertain(ci: np.ndarray) -> np.ndarray:
    """True where an interval (low, high stacked first) is wider than WIDE or missing."""
    with np.errstate(invalid="ignore"):
        return ~(ci[1] - ci[0] <= WIDE)


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami function on [-pi, pi]^3 (inputs given on [0, 1)^3)."""
    z = -np.pi + 2 * np.pi * np.asarray(x)
    return np.sin(z[:, 0]) + a * np.sin(z[:, 1]) ** 2 + b * z[:, 2] ** 4 * np.sin(z[:, 0])


def ishigami_exact(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Its analytic (S1, ST) for x1, x2, x3."""
    v1 = 0.5 * (1 + b * np.pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * np.pi ** 8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v
