"""Ranks from scores: 1 is best, near-equal scores tie and share the minimum rank. Scoring owns them; the
sensitivity analysis and the audit rank their draws with the same rule, so a rank means one thing everywhere.

Scores within RANK_TOL (1e-9 points on the 0-100 scale) of each other tie ("min" method, like pandas
rank(method="min", ascending=False)): two stations that differ only by floating-point noise share a rank.
"""
from __future__ import annotations

import numpy as np

__all__ = ["RANK_TOL", "rank_desc_min"]

RANK_TOL = 1e-9         # scores closer than this tie


def rank_desc_min(scores, tol: float = RANK_TOL) -> np.ndarray:
    """Ranks along the last axis: 1 = highest score; scores within `tol` of their neighbour in
    sorted order tie and share the minimum rank. Works on one vector or a (draws x stations)
    matrix; returns int32 of the same shape."""
    s = np.asarray(scores, dtype=float)
    one = s.ndim == 1
    s2 = s.reshape(1, -1) if one else s
    n = s2.shape[1]
    # the order among tied scores does not matter (they all get the run's first position), so
    # the fast unstable sort is fine
    neg = -s2
    order = np.argsort(neg, axis=1)
    sv = np.take_along_axis(neg, order, axis=1)           # ascending in -score
    start = np.ones(sv.shape, dtype=bool)
    gap = np.subtract(sv[:, 1:], sv[:, :-1])
    np.greater(gap, tol, out=start[:, 1:])
    pos = np.broadcast_to(np.arange(n, dtype=np.int32), sv.shape)
    first = np.maximum.accumulate(np.where(start, pos, 0), axis=1).astype(np.int32)
    ranks = np.empty(sv.shape, dtype=np.int32)
    np.put_along_axis(ranks, order, first + 1, axis=1)
    return ranks[0] if one else ranks
