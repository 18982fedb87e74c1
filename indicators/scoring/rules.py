"""Points from values by a points scheme's rules (评分标准 as data): awarded, bands, deduct, linear, yes_no."""
from __future__ import annotations

import numpy as np

from indicators.scheme.model import Scoring

AWARDED = Scoring()
_EPS = 1e-9   # a share of 0.9 read from 90% must reach the 0.9 band despite float noise


def points_for(scoring: Scoring | None, values, points: float, direction: str = "higher") -> np.ndarray:
    """Points earned for each value, in [0, points]; NaN stays NaN (the engine decides what a gap earns).

    Criterion-referenced: each station's points depend on its own value and the rule only."""
    s = scoring or AWARDED
    v = np.asarray(values, dtype=float)
    higher = direction == "higher"
    with np.errstate(invalid="ignore", divide="ignore"):
        if s.rule == "awarded":
            out = v.copy()
        elif s.rule == "bands":
            out = np.full(v.shape, float(s.otherwise))
            done = np.zeros(v.shape, dtype=bool)
            for threshold, pts in s.steps:   # in the order given: the first threshold reached wins
                hit = ~done & ((v >= threshold - _EPS) if higher else (v <= threshold + _EPS))
                out[hit] = pts
                done |= hit
        elif s.rule == "deduct":
            short = (s.target - v) if higher else (v - s.target)
            units = np.floor(np.maximum(short, 0.0) / s.unit + _EPS)   # each whole unit short costs `per`
            out = points - s.per * units
        elif s.rule == "linear":
            share = np.clip(v / s.full_at, 0.0, 1.0)
            out = points * (share if higher else 1.0 - share)
        elif s.rule == "yes_no":
            yes = v >= 0.5
            out = np.where(yes if higher else ~yes, float(points), 0.0)
        else:   # pragma: no cover - the model refuses other rules
            raise ValueError(f"unknown scoring rule {s.rule!r}")
        out = np.clip(out, 0.0, float(points))
    out[np.isnan(v)] = np.nan
    return out
