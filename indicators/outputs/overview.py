"""The app's first screen as data: the built-in photo-count and needs-met rankings side by side, the stations that
move most between them and why, and the sentence that sums it up, built from two ScoreResults (no streamlit).

Every number comes from the engine (ScoreResult) or from analysis.compare; this module only arranges and words them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from indicators.analysis.compare import Comparison, compare
from indicators.i18n import pick, t
from indicators.outputs import charts, views
from indicators.scoring.engine import ScoreResult

PHOTO_COUNT, NEEDS_MET = "photo-count", "needs-met"   # the built-in schemes set against each other (scheme/builtin)
MOVERS = 5     # how many of the biggest moves are listed
TOP_K = 5      # "of the top 5 by photo count, how many stay in the top 5 by needs met"
PLACES = 5     # a move of this many places or more counts as moved (as on the Compare page)
FADED = 0.4    # the opacity of a bar whose station is not among the movers


@dataclass(frozen=True)
class Overview:
    comparison: Comparison
    label_a: str                 # the schemes' names in the reader's language
    label_b: str
    ranking_a: pd.DataFrame      # index station_id, best first: rank, station, score, label ("1. name"), mover
    ranking_b: pd.DataFrame
    movers: pd.DataFrame         # index station_id, largest move first: station, rank_a, rank_b, shift, move, why
    stations: int
    top_k: int
    kept: int                    # of A's top k, how many are also in B's top k
    places: int
    moved: int                   # stations whose rank differs by `places` or more
    flat: tuple[str, ...] = ()   # the schemes under which every station scores the same (no records in the period)

    @property
    def kendall_tau(self) -> float:
        return self.comparison.kendall_tau


def ranking_frame(result: ScoreResult, lang: str, movers) -> pd.DataFrame:
    """One scheme's ranking, best first (views.ranking_table), each station labelled with its rank; `mover` marks
    the stations listed as moving most."""
    df = views.ranking_table(result, lang)[["rank", "station", "score"]].copy()
    df["label"] = [f"{r}. {s}" for r, s in zip(df["rank"], df["station"])]
    df["mover"] = df.index.isin(list(movers))
    return df


def mover_frame(cmp: Comparison, lang: str, n: int = MOVERS) -> pd.DataFrame:
    """The n biggest moves, largest first, leaving out stations that do not move: the ranks, the move in words and
    why, in a phrase (the one indicator of each scheme that pushes hardest: views.mover_why)."""
    top = cmp.movers(n)
    top = top[top["shift"] != 0]
    names = views.station_names(cmp.a.stations, lang)
    df = pd.DataFrame({"station": names.reindex(top.index), "rank_a": top["rank_a"].astype(int),
                       "rank_b": top["rank_b"].astype(int), "shift": top["shift"].astype(int)}, index=top.index)
    df["move"] = [t("ov.up" if s > 0 else "ov.down", lang, a=a, b=b, n=abs(s))
                  for a, b, s in zip(df["rank_a"], df["rank_b"], df["shift"])]
    df["why"] = [views.mover_why(cmp, sid, lang, n=1) for sid in df.index]
    return df


def build(a: ScoreResult, b: ScoreResult, lang: str, movers: int = MOVERS, top_k: int = TOP_K,
          places: int = PLACES) -> Overview:
    """The overview of scheme A (photo count) against scheme B (needs met) over the same stations and period."""
    cmp = compare(a, b, top_k=top_k)
    moving = mover_frame(cmp, lang, movers)
    k = cmp.top_k
    kept = int(((cmp.table["rank_a"] <= k) & (cmp.table["rank_b"] <= k)).sum())
    flat = tuple(pick(r.scheme, lang) for r in (a, b) if r.total.nunique() <= 1 and len(r.total) > 1)
    return Overview(cmp, pick(a.scheme, lang), pick(b.scheme, lang), ranking_frame(a, lang, moving.index),
                    ranking_frame(b, lang, moving.index), moving, len(cmp.table), k, kept, places,
                    int((cmp.table["shift"].abs() >= places).sum()), flat)


def headline(ov: Overview, lang: str) -> str:
    """What the two rankings say, in one sentence of numbers (Markdown: the numbers in bold); when a scheme cannot
    tell the stations apart in the period (all tied, so every station is in its "top 5"), that instead."""
    if ov.flat:
        return t("ov.flat", lang, scheme=t("ov.and", lang).join(ov.flat))
    return t("ov.headline", lang, n=ov.stations, k=ov.top_k, a=ov.label_a, b=ov.label_b, kept=ov.kept,
             moved=ov.moved, places=ov.places)


def agreement(ov: Overview, lang: str) -> str:
    """Kendall's tau of the two rankings, said with what its ends mean."""
    tau = ov.kendall_tau
    if tau is None or math.isnan(tau):
        return t("ov.tau_none", lang)
    return t("ov.tau", lang, tau=f"{tau:.2f}".replace("-", "−"))


def ranking_spec(ranking: pd.DataFrame, lang: str, scheme_label: str, camp: str) -> dict:
    """charts.ranking_chart of one scheme as the Vega-Lite spec the Overview draws: its bars in the camp's colour
    (orange: outputs counted, blue: needs met) and the movers' bars dark, the others faded, so that the eye finds the
    same stations in both rankings. The colour and the opacity are written into the spec, and altair does not
    validate it: altair's encode and validation were about 40 ms of each chart on the app's first page (the tests
    check the spec against altair's own, validated)."""
    data = ranking.reset_index().assign(station=lambda d: d["label"])   # the rank written into each label
    chart = charts.ranking_chart(data, lang, t("ov.chart_title", lang, scheme=scheme_label))
    chart.title.subtitle = t("ov.chart_sub", lang)
    spec = chart.to_dict(validate=False)
    spec["layer"][0]["encoding"].update(color={"value": charts.CAMP_COLORS[camp]},
                                        opacity={"condition": {"test": "datum.mover", "value": 1.0}, "value": FADED})
    return spec
