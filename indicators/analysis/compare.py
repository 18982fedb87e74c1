"""Comparing two schemes over the same stations: rank shifts, rank correlation, top-k overlap, and why each station moved."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.scoring.engine import ScoreResult

# Kendall's tau-b and Spearman's rho are computed here with numpy, as scipy.stats computes them (the same integer
# counts, the same float operations: equal to the last bit, tests/test_app_start.py), because importing scipy.stats
# cost about 0.6 s of CPU before the app's first page, the Overview, could be drawn.
_PAIR_BLOCK = 512   # rows of the pairwise sign matrix at a time: memory stays at 512 x stations


def _has_nan(x: np.ndarray, y: np.ndarray) -> bool:
    return bool(np.isnan(x).any() or np.isnan(y).any())


def _tied_pairs(v: np.ndarray) -> int:
    counts = np.unique(v, return_counts=True)[1].astype(np.int64)
    return int((counts * (counts - 1) // 2).sum())


def kendall_tau_b(x, y) -> float:
    """Kendall's tau-b of two rankings (scipy.stats.kendalltau's statistic; NaN when either has a NaN or is all
    tied): concordant minus discordant pairs over the root of the pairs untied in x times those untied in y."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    if _has_nan(x, y) or n < 2:
        return float("nan")
    tot = n * (n - 1) // 2
    xtie, ytie = _tied_pairs(x), _tied_pairs(y)
    if xtie == tot or ytie == tot:
        return float("nan")
    both = 0   # the sum over ordered pairs of sign(dx) sign(dy): twice concordant minus discordant
    for start in range(0, n, _PAIR_BLOCK):
        sx = np.sign(x[start:start + _PAIR_BLOCK, None] - x[None, :]).astype(np.int8)
        sy = np.sign(y[start:start + _PAIR_BLOCK, None] - y[None, :]).astype(np.int8)
        both += int(np.einsum("ij,ij->", sx, sy, dtype=np.int64))
    con_minus_dis = np.int64(both // 2)
    tau = con_minus_dis / np.sqrt(tot - xtie) / np.sqrt(tot - ytie)
    return float(np.minimum(1., max(-1., tau)))


def _average_ranks(v: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties given their mean rank (scipy.stats.rankdata's "average")."""
    order = np.argsort(v, kind="mergesort")
    inverse = np.empty(len(v), dtype=np.intp)
    inverse[order] = np.arange(len(v), dtype=np.intp)
    sv = v[order]
    first = np.r_[True, sv[1:] != sv[:-1]]
    dense = first.cumsum()[inverse]
    count = np.r_[np.nonzero(first)[0], len(first)]
    return .5 * (count[dense] + count[dense - 1] + 1)


def spearman_rho(x, y) -> float:
    """Spearman's rho of two rankings (scipy.stats.spearmanr's statistic; NaN when either has a NaN or is constant):
    Pearson's correlation of their average ranks."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if _has_nan(x, y) or len(x) < 2 or (x[0] == x).all() or (y[0] == y).all():
        return float("nan")
    return float(np.corrcoef(np.column_stack((_average_ranks(x), _average_ranks(y))), rowvar=False)[1, 0])


@dataclass(frozen=True)
class Comparison:
    a: ScoreResult
    b: ScoreResult
    table: pd.DataFrame     # per station: name, score_a, score_b, rank_a, rank_b, shift, explained_by
    effects: pd.DataFrame   # stations x indicators (of both schemes): how much each indicator pushed the move
    kendall_tau: float
    spearman_rho: float
    top_k: int
    top_k_overlap: float    # share of A's top k that are also in B's top k

    def reasons(self, station_id: str, n: int = 2) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """Why a station moved, told from both sides: the n indicators of scheme B and the n found only in
        scheme A that push hardest in the direction of the move, each with its effect in points. For a
        station that moves up, B's indicators lift it and A's held it back; for one that moves down, the
        reverse."""
        e = self.effects.loc[station_id]
        shift = self.table.at[station_id, "shift"]
        direction = np.sign(shift) or np.sign(self.b.total[station_id] - self.a.total[station_id])
        if direction:
            e = e[np.sign(e) == direction]
        e = e.reindex(e.abs().sort_values(ascending=False, kind="stable").index)
        in_b = set(self.b.contributions.columns)
        side_b = [(i, float(v)) for i, v in e.items() if i in in_b][:n]
        side_a = [(i, float(v)) for i, v in e.items() if i not in in_b][:n]
        return side_b, side_a

    def movers(self, n: int = 5) -> pd.DataFrame:
        """The stations that move most, largest shift first."""
        return self.table.reindex(self.table["shift"].abs().sort_values(ascending=False, kind="stable").index).head(n)


def _relative(result: ScoreResult) -> pd.DataFrame:
    """Each contribution minus the average station's: what lifts or sinks a station in that scheme."""
    c = result.contributions
    return c - c.mean(axis=0)


def compare(a: ScoreResult, b: ScoreResult, top_k: int = 5, explain: int = 3) -> Comparison:
    """Station ranks under A and B. shift = rank_a - rank_b, so a positive shift means B ranks the station higher.

    Why a station moved: its standing in a scheme is the sum of its contributions' distance from the average
    station's. An indicator pushes the station up in B by its B distance and, if it was in A, down by its A
    distance; the indicators pushing in the direction of the move, largest first, explain it.
    """
    if not a.stations.index.equals(b.stations.index):
        raise ValueError("the two results must cover the same stations")
    rel_a, rel_b = _relative(a), _relative(b)
    cols = list(dict.fromkeys([*rel_b.columns, *rel_a.columns]))
    effects = rel_b.reindex(columns=cols, fill_value=0.0) - rel_a.reindex(columns=cols, fill_value=0.0)
    shift = a.rank - b.rank
    explained = []
    for sid in a.stations.index:
        e = effects.loc[sid]
        direction = np.sign(shift[sid]) or np.sign(b.total[sid] - a.total[sid])
        if direction:
            e = e[np.sign(e) == direction]
        explained.append(list(e.abs().sort_values(ascending=False, kind="stable").index[:explain]))
    table = pd.DataFrame({
        "name": a.stations["name"], "name_en": a.stations["name_en"],
        "score_a": a.total, "score_b": b.total, "rank_a": a.rank, "rank_b": b.rank, "shift": shift,
        "explained_by": explained,
    }, index=a.stations.index)
    n = len(table)
    if n > 1 and a.rank.nunique() > 1 and b.rank.nunique() > 1:
        tau, rho = kendall_tau_b(a.rank, b.rank), spearman_rho(a.rank, b.rank)
    else:
        tau = rho = float("nan")
    k = min(top_k, n)
    top_a = set(a.rank[a.rank <= k].index)
    top_b = set(b.rank[b.rank <= k].index)
    overlap = len(top_a & top_b) / max(len(top_a), 1)
    return Comparison(a, b, table.sort_values(["rank_a", "name"]), effects, tau, rho, k, overlap)
