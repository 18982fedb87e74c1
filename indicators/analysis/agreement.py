"""Krippendorff's alpha of raters x units, None where it is undefined: the one rule for rating rounds and score sheets."""
from __future__ import annotations

import krippendorff
import numpy as np


def alpha(data, level: str) -> float | None:
    """`data` raters x units (NaN where a rater gave no value), `level` "ordinal" (level ranks) or "interval"
    (points). None when alpha is undefined: fewer than two raters or two pairable values, or one value only (no
    disagreement can be expected, so none can be measured). Computed by the `krippendorff` package."""
    m = np.asarray(data, dtype=float)
    if m.ndim != 2 or m.size == 0 or m.shape[0] < 2:
        return None
    pairable = np.isfinite(m).sum(axis=0)
    values = m[:, pairable >= 2]
    values = values[np.isfinite(values)]
    if values.size < 2 or np.unique(values).size < 2:
        return None
    return float(krippendorff.alpha(reliability_data=m, level_of_measurement=level))
