"""What every weighting method shares: the error it raises and how it writes a number in a message."""
from __future__ import annotations

import math

from indicators.errors import InputError


class WeightsError(InputError):
    """Bad weighting input. The message names the file/cell/criterion and the problem."""


def _fmt(x: float) -> str:
    """A number as a person would write it in a message: 3, 0.333, 2.5, 12."""
    if not math.isfinite(x):
        return str(x)
    if abs(x - round(x)) < 1e-9:
        return str(int(round(x)))
    return f"{x:.3g}"

