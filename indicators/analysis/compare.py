"""Comparing two schemes over the same stations: rank shifts, rank correlation, top-k overlap, and why each station moved."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from indicators.scoring.engine import ScoreResult


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
        tau = float(stats.kendalltau(a.rank, b.rank).statistic)
        rho = float(stats.spearmanr(a.rank, b.rank).statistic)
    else:
        tau = rho = float("nan")
    k = min(top_k, n)
    top_a = set(a.rank[a.rank <= k].index)
    top_b = set(b.rank[b.rank <= k].index)
    overlap = len(top_a & top_b) / max(len(top_a), 1)
    return Comparison(a, b, table.sort_values(["rank_a", "name"]), effects, tau, rho, k, overlap)
