"""Pairwise judgments as an evaluator gives them on a slider, and the AHP matrix they make.

A judgment about the pair (A, B) is one signed whole number on Saaty's 1-9 scale:
   9 .. 2  A is that many times as important as B,
   1       equally important,
  -2 .. -9  B is that many times as important as A.
SCALE lists them from "A extremely more important" to "B extremely more important", the order of
the slider. No streamlit here.
"""
from __future__ import annotations

import itertools
import math
from typing import Mapping, Sequence

import numpy as np

from indicators.weights.common import WeightsError

SCALE: tuple[int, ...] = (9, 8, 7, 6, 5, 4, 3, 2, 1, -2, -3, -4, -5, -6, -7, -8, -9)
# Saaty's verbal anchors; even numbers are "between" the odd ones either side.
VERBAL = {1: "equal", 2: "equal_moderate", 3: "moderate", 4: "moderate_strong", 5: "strong",
          6: "strong_very", 7: "very_strong", 8: "very_extreme", 9: "extreme"}


def ratio(judgment: int) -> float:
    """a_AB: how many times as important A is as B."""
    j = int(judgment)
    if j not in SCALE:
        raise WeightsError(code="weights.judgments.not_on_scale", params={"judgment": repr(judgment)})
    return float(j) if j >= 1 else 1.0 / -j


def nearest(r: float) -> int:
    """The judgment closest (on a log scale) to a weight ratio w_A / w_B; outside 1/9..9 it is clipped."""
    if not math.isfinite(r) or r <= 0:
        return 1
    return min(SCALE, key=lambda j: abs(math.log(ratio(j)) - math.log(r)))


def pairs(n: int) -> list[tuple[int, int]]:
    """The pairs (i, j), i < j, each judged once."""
    return list(itertools.combinations(range(n), 2))


def defaults_from_weights(weights: Sequence[float]) -> dict[tuple[int, int], int]:
    """Starting judgments that reproduce given weights as closely as the 1-9 scale allows
    (a zero weight is treated as very small)."""
    w = [max(float(x), 1e-9) for x in weights]
    return {(i, j): nearest(w[i] / w[j]) for i, j in pairs(len(w))}


def matrix(n: int, judgments: Mapping[tuple[int, int], int]) -> np.ndarray:
    """The reciprocal n x n matrix: a_ij from the judgment on (i, j), a_ji = 1 / a_ij; unjudged pairs are 1."""
    a = np.ones((n, n))
    for (i, j), v in judgments.items():
        a[i, j] = ratio(v)
        a[j, i] = 1.0 / a[i, j]
    return a


def strength(judgment: int) -> tuple[str, int]:
    """("A" | "B" | "equal", 1-9) and the verbal key: who is favoured and how strongly."""
    j = int(judgment)
    if j == 1:
        return "equal", 1
    return ("A", j) if j > 1 else ("B", -j)
