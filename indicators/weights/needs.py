"""Weights from residents' needs: each need category's priority (prevalence x urgency, or Hanlon), shared out to the indicators that serve it."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from indicators.errors import Word
from indicators.weights.common import WeightsError, _fmt


NEEDS_COLUMNS = ("category", "urgency", "households_affected")
SCORE_COLUMNS = ["category", "n_needs", "prevalence", "households", "mean_urgency", "score", "share"]


def needs_scores(needs: pd.DataFrame, method: str = "prevalence_urgency", *,
                 effectiveness: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Priority of each need category from the needs register (table ``needs``).

    needs: one row per need with columns category, urgency (1-5), households_affected
    (station_id may be present; needs are pooled across stations). Returns one row per category,
    highest score first, with columns:
      category, n_needs, prevalence (= n_needs / all needs), households (sum of
      households_affected, missing counted as 0), mean_urgency (missing urgencies ignored),
      score, share (= score / sum of scores; equal shares if every score is 0).

    method "prevalence_urgency" (docs/design.md): score = prevalence * mean_urgency.
    method "hanlon": a Hanlon-style (Hanlon & Pickett 1984, basic priority rating) variant,
      score = (A + B) * C where
        A, size, 0-10     = 10 * households / sum of households over all categories
                            (0 for every category if no households are recorded);
        B, seriousness, 0-20 = (mean_urgency - 1) / 4 * 20, so urgency 1 -> 0, 3 -> 10, 5 -> 20;
        C, effectiveness  = `effectiveness[category]` if given, else 1 (Hanlon rates it 0-10;
                            a multiplier common to all categories leaves the shares unchanged).
      The Hanlon "PEARL" feasibility screen is not applied.
    """
    if not isinstance(needs, pd.DataFrame):
        raise WeightsError(code="weights.needs.not_frame")
    missing = [c for c in NEEDS_COLUMNS if c not in needs.columns]
    if missing:
        raise WeightsError(code="weights.needs.missing_columns", params={"columns": ", ".join(missing)})
    if len(needs) == 0:
        raise WeightsError(code="weights.needs.none")
    method = method.lower()
    if method not in ("prevalence_urgency", "hanlon"):
        raise WeightsError(code="weights.needs.method", params={"method": method})
    cat = needs["category"]
    if cat.isna().any():
        raise WeightsError(code="weights.needs.no_category", params={"n": int(cat.isna().sum())})
    urg = pd.to_numeric(needs["urgency"], errors="coerce").astype(float)
    bad = urg.notna() & ((urg < 1) | (urg > 5))
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        who = (Word("err.weights.need", need=needs["need_id"].iloc[pos]) if "need_id" in needs.columns
               else Word("err.weights.row", row=pos + 1))
        raise WeightsError(code="weights.needs.urgency", params={"who": who, "value": _fmt(float(urg.iloc[pos]))})
    hh = pd.to_numeric(needs["households_affected"], errors="coerce").astype(float).fillna(0.0)
    if (hh < 0).any():
        raise WeightsError(code="weights.needs.households")
    frame = pd.DataFrame({"category": cat.astype(str).to_numpy(), "urgency": urg.to_numpy(),
                          "households": hh.to_numpy()})
    g = frame.groupby("category", sort=True)
    out = pd.DataFrame({
        "n_needs": g.size(),
        "households": g["households"].sum(),
        "mean_urgency": g["urgency"].mean(),
    }).reset_index()
    out["n_needs"] = out["n_needs"].astype(int)
    out["prevalence"] = out["n_needs"] / out["n_needs"].sum()
    if out["mean_urgency"].isna().any():
        empty = out.loc[out["mean_urgency"].isna(), "category"].tolist()
        raise WeightsError(code="weights.needs.no_urgency", params={"categories": ", ".join(empty)})
    if method == "prevalence_urgency":
        out["score"] = out["prevalence"] * out["mean_urgency"]
    else:
        total_hh = out["households"].sum()
        a_size = 10.0 * out["households"] / total_hh if total_hh > 0 else 0.0 * out["households"]
        b_serious = (out["mean_urgency"] - 1.0) / 4.0 * 20.0
        eff = effectiveness or {}
        unknown = [c for c in eff if c not in set(out["category"])]
        if unknown:
            raise WeightsError(code="weights.needs.effectiveness_unknown",
                               params={"categories": ", ".join(map(str, unknown))})
        c_eff = out["category"].map(lambda c: float(eff.get(c, 1.0)))
        if (c_eff < 0).any():
            raise WeightsError(code="weights.needs.effectiveness_negative")
        out["score"] = (a_size + b_serious) * c_eff
    total = out["score"].sum()
    out["share"] = out["score"] / total if total > 0 else 1.0 / len(out)
    out = out.sort_values(["score", "category"], ascending=[False, True], kind="mergesort")
    return out[SCORE_COLUMNS].reset_index(drop=True)


DERIVATION_COLUMNS = ["indicator", "category", "category_share", "split", "contribution",
                      "normalised", "note"]


def needs_weights(scores: pd.DataFrame, links: Mapping[str, Sequence[str]], *,
                  general: str = "unlinked") -> tuple[pd.Series, pd.DataFrame]:
    """Indicator weights from category shares (``needs_scores``) and indicator -> category links.

    links: indicator_id -> the need categories it serves; an empty list marks a general indicator
    (serves needs in general, e.g. resident satisfaction).

    The rule, step by step:
    1. Each category c in `scores` carries its share s_c (shares sum to 1).
    2. A category linked by one or more specific indicators is split evenly among them:
       each gets s_c / (number of specific indicators linked to c).
    3. general="unlinked" (default): the categories that no specific indicator links to are split
       evenly among the general indicators. If every category has a specific indicator, general
       indicators get 0 (the derivation says so).
       general="all": general indicators serve every category, so every category is split
       evenly among its specific indicators and all general indicators.
    4. A category that nobody serves (no specific link and no general indicator) is left out, and
       the contributions are renormalised to sum 1; the derivation lists the category with an
       empty indicator and says so. ``normalised`` = contribution / sum of all contributions.
    5. A link to a category absent from `scores` contributes 0 and the derivation says so; an
       indicator linked only to such categories gets weight 0.
    weight(indicator) = sum of its ``normalised`` contributions; the weights sum to 1.

    Returns (weights: Series indexed by indicator in `links` order, derivation: DataFrame with
    columns indicator, category, category_share, split, contribution, normalised, note).
    """
    if general not in ("unlinked", "all"):
        raise WeightsError(code="weights.needs.general", params={"general": general})
    for col in ("category", "share"):
        if col not in scores.columns:
            raise WeightsError(code="weights.needs.scores_column", params={"column": col})
    if not links:
        raise WeightsError(code="weights.needs.no_links")
    share = {str(c): float(s) for c, s in zip(scores["category"], scores["share"])}
    cats = list(share)
    specific: dict[str, list[str]] = {c: [] for c in cats}
    generals: list[str] = []
    for ind, served in links.items():
        if isinstance(served, str):
            raise WeightsError(code="weights.needs.links_string", params={"indicator": ind})
        served = [str(c) for c in served]
        if not served:
            generals.append(str(ind))
        for c in dict.fromkeys(served):
            if c in specific:
                specific[c].append(str(ind))
    rows: list[dict] = []
    for c in cats:
        servers = list(specific[c])
        if general == "all" or not servers:
            servers = servers + generals
        if not servers:
            rows.append({"indicator": "", "category": c, "category_share": share[c], "split": 0,
                         "contribution": 0.0, "note": "no indicator serves this category; its "
                         "share is spread over the others by renormalisation"})
            continue
        for ind in servers:
            is_general = ind in generals and ind not in specific[c]
            note = ("general indicator: takes a share of a category no specific indicator serves"
                    if is_general and general == "unlinked" else
                    "general indicator: serves every category" if is_general else "")
            rows.append({"indicator": ind, "category": c, "category_share": share[c],
                         "split": len(servers), "contribution": share[c] / len(servers),
                         "note": note})
    for ind, served in links.items():
        ind = str(ind)
        served = [str(c) for c in served]
        for c in dict.fromkeys(served):
            if c not in share:
                rows.append({"indicator": ind, "category": c, "category_share": 0.0, "split": 0,
                             "contribution": 0.0,
                             "note": "category not in the needs data: contributes 0"})
        if not served and not any(r["indicator"] == ind for r in rows):
            rows.append({"indicator": ind, "category": "", "category_share": 0.0, "split": 0,
                         "contribution": 0.0, "note": "general indicator: every category already "
                         "has a specific indicator: weight 0"})
    deriv = pd.DataFrame(rows, columns=[c for c in DERIVATION_COLUMNS if c != "normalised"])
    total = deriv["contribution"].sum()
    if total <= 0:
        raise WeightsError(code="weights.needs.nothing_linked")
    deriv["normalised"] = deriv["contribution"] / total
    deriv = deriv[DERIVATION_COLUMNS]
    order = [str(i) for i in links]
    weights = (deriv[deriv["indicator"] != ""].groupby("indicator")["normalised"].sum()
               .reindex(order, fill_value=0.0))
    weights.name = "weight"
    weights.index.name = "indicator"
    return weights, deriv
