"""How robust is a ranking? Monte Carlo over the weights (and, optionally, the normalisation).

Pure numpy/pandas: works on the cached normalised matrix, never on the database.

Each draw perturbs the chosen weights with a Dirichlet distribution centred on them, optionally
picks one of several normalised matrices (e.g. the same data under min-max, rank or goalpost
normalisation), scores every station and ranks them. Over all draws each station gets a rank
interval (5th-95th percentile), a median rank, the chance of being in the top k, and a sentence
in English and Chinese.

The weight distribution: for the indicators whose chosen weight w_i > 0 (n of them),
    weights ~ Dirichlet(alpha),  alpha_i = c * n * w_i,  c = 1 / spread**2.
Its mean is exactly w. An indicator at the average weight 1/n gets alpha_i = c, so its
coefficient of variation (sd / mean) is about sqrt((1 - 1/n) / (n*c + 1) * n) ~= spread:
"spread 0.2" reads as "each weight may plausibly be about 20% higher or lower", whatever the
number of indicators. (With the total concentration set to c instead, a 1/16 weight would vary
by about 80% at spread 0.2, and the meaning of spread would change with the number of
indicators.) Smaller weights vary more in relative terms and larger ones less, as a Dirichlet
must. spread = 0 means no randomness: every draw is exactly w. Indicators with weight 0 stay 0
in every draw. spread must lie in [0, 1]; at 1 an average indicator has alpha = 1. A spread
below 1e-6 counts as 0.

Ranks: 1 is best; scores within RANK_TOL (1e-9 points on the 0-100 scale) of each other tie and
share the minimum rank ("min" method, like pandas rank(method="min", ascending=False)).
``rank_desc_min`` is that rule; it lives in indicators.scoring.ranks (scoring owns ranks).

Percentiles of the rank use the inverted empirical CDF (the smallest rank r with
P(rank <= r) >= q; numpy's method="inverted_cdf"), so they are whole ranks and the interval
[p05, p95] holds the station's rank in at least 90% of the draws.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.errors import InputError, Word
from indicators.scoring.ranks import rank_desc_min

__all__ = ["Sensitivity", "SensitivityError", "rank_intervals", "ordinal", "sentence_en", "sentence_zh",
           "CHUNK_DRAWS"]

CHUNK_DRAWS = 2_000     # draws scored at once: bounds memory to CHUNK_DRAWS x stations floats
MIN_SPREAD = 1e-6       # a smaller spread counts as 0 (no randomness)


class SensitivityError(InputError):
    """Bad input to the sensitivity analysis; the message says which argument and why."""


@dataclass(frozen=True, eq=False)
class Sensitivity:
    """Rank intervals per station.

    table: index = station ids (input order); columns rank (with the chosen weights and the
    first normalised matrix), rank_p05, rank_p50, rank_p95, p_top_k, sentence_en, sentence_zh.
    """

    table: pd.DataFrame
    draws: int
    spread: float
    seed: int
    top_k: int
    aggregation: str = "arithmetic"
    normalisations: int = 1     # 1 + number of alternative normalised matrices


# --------------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------------

def ordinal(n: int) -> str:
    """1st 2nd 3rd 4th ... 11th 12th 13th ... 21st 22nd 23rd ... 101st 111th."""
    n = int(n)
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _pct(p: float) -> str:
    """A probability as a whole percentage that never rounds a real chance to 0% or 100%."""
    if p <= 0:
        return "0%"
    if p >= 1:
        return "100%"
    if p < 0.005:
        return "<1%"
    if p >= 0.995:
        return ">99%"
    return f"{int(math.floor(p * 100 + 0.5))}%"


def sentence_en(p05: int, p95: int, p_top: float, top_k: int) -> str:
    where = ordinal(p05) if p05 == p95 else f"{ordinal(p05)}–{ordinal(p95)}"
    return (f"Ranks {where} in 90% of plausible weightings; "
            f"in the top {top_k} in {_pct(p_top)} of them.")


def sentence_zh(p05: int, p95: int, p_top: float, top_k: int) -> str:
    where = f"{p05}" if p05 == p95 else f"{p05}–{p95}"
    return f"在90%的合理权重下排名第{where}位；{_pct(p_top)}的情况下位列前{top_k}。"


# --------------------------------------------------------------------------------------------
# Monte Carlo
# --------------------------------------------------------------------------------------------

def _matrix(x, shape: tuple[int, int] | None, label: Word) -> np.ndarray:
    try:
        m = np.array(x.to_numpy() if isinstance(x, pd.DataFrame) else x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise SensitivityError(code="sensitivity.not_numeric", params={"label": label, "detail": exc}) from None
    if m.ndim != 2:
        raise SensitivityError(code="sensitivity.not_2d", params={"label": label, "n": m.ndim})
    if shape is not None and m.shape != shape:
        raise SensitivityError(code="sensitivity.shape", params={
            "label": label, "m": m.shape[0], "k": m.shape[1], "base_m": shape[0], "base_k": shape[1]})
    if not np.isfinite(m).all():
        raise SensitivityError(code="sensitivity.not_finite", params={"label": label})
    return m


def _scores(w: np.ndarray, m: np.ndarray, geometric: bool) -> np.ndarray:
    """(draws x k) weights and (stations x k) matrix -> (draws x stations) scores. For the
    geometric aggregation `m` must already be log(max(normalised, 1))."""
    s = w @ m.T
    return np.exp(s) if geometric else s


def rank_intervals(normalised, weights, station_ids, *, draws: int = 10_000, spread: float = 0.2,
                   seed: int = 0, top_k: int = 5, aggregation: str = "arithmetic",
                   alternatives: Sequence | None = None) -> Sensitivity:
    """Monte Carlo rank intervals of each station under plausible changes of the weights.

    normalised: stations x indicators on 0-100, NaN already filled (array or DataFrame).
    weights: the flat effective weights, one per indicator, non-negative (renormalised to sum 1;
      a weight may be 0 and then stays 0).
    station_ids: one id per row, unique; they index the result table.
    draws: number of Monte Carlo draws; spread: in [0, 1], see the module docstring (0 = none);
    seed: numpy.random.default_rng(seed), so a seed reproduces the result exactly;
    top_k: p_top_k = share of draws in which the station's rank is <= top_k.
    aggregation: "arithmetic": score = N @ w;
      "geometric": score = exp(sum_i w_i * log(max(x_i, 1))) (the scoring engine's formula and zero rule).
      TOPSIS does not reduce to one set of flat weights, so it is refused here.
    alternatives: other normalised matrices of the same shape (e.g. rank or goalpost
      normalisation); each draw then uses one of [normalised, *alternatives], chosen uniformly
      (this choice is random even when spread = 0).

    The chosen-weight ``rank`` uses `normalised` itself. Draws are scored CHUNK_DRAWS at a time
    as one (chunk x stations) matrix and ranked with one argsort; rank counts are accumulated,
    so memory stays O(CHUNK_DRAWS x stations + stations^2).
    """
    if aggregation not in ("arithmetic", "geometric"):
        raise SensitivityError(code="sensitivity.aggregation", params={"aggregation": aggregation})
    geometric = aggregation == "geometric"
    base = _matrix(normalised, None, Word("err.sensitivity.normalised"))
    n_st, k = base.shape
    if n_st == 0 or k == 0:
        raise SensitivityError(code="sensitivity.empty", params={"m": n_st, "k": k})
    ids = list(station_ids)
    if len(ids) != n_st:
        raise SensitivityError(code="sensitivity.ids", params={"n": len(ids), "m": n_st})
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise SensitivityError(code="sensitivity.duplicate", params={"station": dup})
    w = np.asarray(weights, dtype=float).ravel()
    if w.shape != (k,):
        raise SensitivityError(code="sensitivity.weights_count", params={"n": w.size, "k": k})
    if not np.isfinite(w).all() or (w < 0).any():
        raise SensitivityError(code="sensitivity.weights_bad")
    if w.sum() <= 0:
        raise SensitivityError(code="sensitivity.weights_zero")
    w = w / w.sum()
    if int(draws) != draws or draws < 1:
        raise SensitivityError(code="sensitivity.draws", params={"draws": draws})
    draws = int(draws)
    spread = float(spread)
    if not 0.0 <= spread <= 1.0:
        raise SensitivityError(code="sensitivity.spread", params={"spread": spread})
    if int(top_k) != top_k or top_k < 1:
        raise SensitivityError(code="sensitivity.top_k", params={"top_k": top_k})
    top_k = int(top_k)
    mats = [base] + [_matrix(a, base.shape, Word("err.sensitivity.alternative", i=i))
                     for i, a in enumerate(alternatives or [])]
    if geometric:
        from indicators.scoring.engine import GEOMETRIC_FLOOR   # one zero rule for both (imported late: no cycle)
        mats = [np.log(np.maximum(m, GEOMETRIC_FLOOR)) for m in mats]
    active = w > 0
    w_act = w[active]
    mats = [np.ascontiguousarray(m[:, active]) for m in mats]
    n_act = int(active.sum())

    chosen_rank = rank_desc_min(_scores(w_act[None, :], mats[0], geometric))[0]

    rng = np.random.default_rng(seed)
    choice = rng.integers(0, len(mats), size=draws) if len(mats) > 1 else None
    # below MIN_SPREAD the draws would differ from w by less than float noise (and the Gamma
    # sampler would overflow): treat it as spread 0
    alpha = w_act * n_act / spread ** 2 if spread >= MIN_SPREAD else None
    counts = np.zeros(n_st * n_st, dtype=np.int64)
    offsets = (np.arange(n_st, dtype=np.int64) * n_st)[None, :]
    if alpha is None and choice is None:
        # no randomness at all: every draw is the chosen weighting
        counts += draws * np.bincount(offsets[0] + chosen_rank - 1, minlength=n_st * n_st)
    else:
        for start in range(0, draws, CHUNK_DRAWS):
            b = min(CHUNK_DRAWS, draws - start)
            wd = (rng.dirichlet(alpha, size=b) if alpha is not None
                  else np.broadcast_to(w_act, (b, n_act)))
            if choice is None:
                s = _scores(wd, mats[0], geometric)
            else:
                c = choice[start:start + b]
                s = np.empty((b, n_st))
                for j, m in enumerate(mats):
                    rows = c == j
                    if rows.any():
                        s[rows] = _scores(wd[rows], m, geometric)
            r = rank_desc_min(s)
            counts += np.bincount((offsets + (r - 1)).ravel(), minlength=n_st * n_st)
    counts = counts.reshape(n_st, n_st)          # counts[station, rank - 1]
    cum = np.cumsum(counts, axis=1)

    def quantile(q: float) -> np.ndarray:
        return np.argmax(cum >= q * draws - 1e-9, axis=1) + 1

    p05, p50, p95 = quantile(0.05), quantile(0.50), quantile(0.95)
    p_top = cum[:, min(top_k, n_st) - 1] / draws
    table = pd.DataFrame({
        "rank": chosen_rank.astype(int),
        "rank_p05": p05.astype(int),
        "rank_p50": p50.astype(int),
        "rank_p95": p95.astype(int),
        "p_top_k": p_top.astype(float),
        "sentence_en": [sentence_en(a, b, p, top_k) for a, b, p in zip(p05, p95, p_top)],
        "sentence_zh": [sentence_zh(a, b, p, top_k) for a, b, p in zip(p05, p95, p_top)],
    }, index=pd.Index(ids, name="station_id"))
    return Sensitivity(table=table, draws=draws, spread=spread, seed=int(seed), top_k=top_k,
                       aggregation=aggregation, normalisations=len(mats))
