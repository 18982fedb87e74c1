"""Variance-based sensitivity: first-order and total Sobol indices of a model's outputs to groups of inputs.

Estimators (Saltelli et al. 2010, "Variance based sensitivity analysis of model output", Table 2):
- two independent N x d samples A and B of the unit hypercube (a scrambled Sobol' sequence in 2d dimensions,
  seeded, from scipy.stats.qmc); for each input group i, AB_i is A with the columns of group i taken from B;
- V = the variance of f over A and B together;
- first order  S_i  = mean( f(B) * (f(AB_i) - f(A)) ) / V          (Saltelli 2010, formula (b))
- total        ST_i = mean( (f(A) - f(AB_i))^2 ) / (2 V)            (Jansen 1999, formula (f))
Cost: N (k + 2) model runs for k groups. A group may hold several columns (the weights are one group): the
indices are then those of the group as a whole. An output that never varies has no indices (NaN).

Tested against the Ishigami function, whose indices are known in closed form (tests/test_audit.py).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.stats import qmc


def samples(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two independent n x d samples of [0, 1)^d: halves of one scrambled Sobol' sequence in 2d dimensions."""
    m = max(int(np.ceil(np.log2(max(n, 2)))), 1)
    x = qmc.Sobol(2 * d, scramble=True, seed=seed).random_base2(m)[:n]
    return x[:, :d], x[:, d:]


def indices(model: Callable[[np.ndarray], np.ndarray], a: np.ndarray, b: np.ndarray,
            groups: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """(S1, ST), each groups x outputs (outputs = 1 when the model returns one value per row).

    model: maps an (m x d) array of unit-cube points to m outputs, or to (m x outputs).
    The model is called once on A, B and all the AB_i stacked, so a vectorised model runs as one batch.
    """
    n, k = len(a), len(groups)
    mixed = [a.copy() for _ in range(k)]
    for i, cols in enumerate(groups):
        mixed[i][:, list(cols)] = b[:, list(cols)]
    y = np.asarray(model(np.vstack([a, b, *mixed])), dtype=float)
    y = y.reshape(len(y), -1)
    fa, fb = y[:n], y[n:2 * n]
    fab = y[2 * n:].reshape(k, n, -1)
    var = np.var(np.vstack([fa, fb]), axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.where(var > 0, np.mean(fb[None] * (fab - fa[None]), axis=1) / var, np.nan)
        total = np.where(var > 0, np.mean((fa[None] - fab) ** 2, axis=1) / (2 * var), np.nan)
    return first, total


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
