"""Display tables of a statistical audit and of the data-treatment stage, in the evaluator's language.

Pure pandas: the Audit page shows these frames and charts them with `charts.correlation_heatmap`,
`charts.importance_chart` and `charts.sobol_chart`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.analysis import sobol
from indicators.analysis.audit import FACTORS, OPTION_EN, OPTION_ZH, Audit, index_text
from indicators.i18n import pick, t
from indicators.scoring.engine import ScoreResult

KIND_ORDER = ("redundant", "negative", "near_constant", "low_alpha", "importance_gap", "sensitivity", "station")


def _labels(result: ScoreResult, lang: str) -> dict[str, str]:
    return {i.id: pick(i, lang) for i in result.scheme.indicators}


def _node_labels(result: ScoreResult, lang: str) -> dict[str, str]:
    return {d.id: pick(d, lang) for d in result.scheme.nodes()}


def findings_table(a: Audit, lang: str) -> pd.DataFrame:
    """One row a finding: kind (in words) and the sentence, flags first."""
    f = a.findings.copy()
    f["order"] = f["kind"].map({k: n for n, k in enumerate(KIND_ORDER)})
    f = f.sort_values(["order"], kind="stable")
    return pd.DataFrame({"kind": [t(f"sa.kind.{k}", lang) for k in f["kind"]], "finding": f[lang].tolist()})


def correlations_long(a: Audit, result: ScoreResult, lang: str) -> pd.DataFrame:
    names = _labels(result, lang)
    c = a.correlations
    rows = [(names[i], names[j], c.at[i, j]) for i in c.index for j in c.columns]
    return pd.DataFrame(rows, columns=["a", "b", "r"])


def nodes_table(a: Audit, result: ScoreResult, lang: str) -> pd.DataFrame:
    """Indicators x (their own dimension first, then every node and the total): r, labelled."""
    names, nodes = _labels(result, lang), _node_labels(result, lang)
    df = a.with_nodes.copy()
    own = [df.at[i, p] if p in df.columns else np.nan for i, p in a.parents.items()]
    df.columns = [nodes.get(c, t("col.total", lang) if c == "total" else c) for c in df.columns]
    df.insert(0, t("col.dimension", lang), [nodes.get(p, p) for p in a.parents])
    df.insert(1, f"r ({t('col.dimension', lang)})", own)
    df.index = [names[i] for i in df.index]
    return df


def alpha_table(a: Audit, result: ScoreResult, lang: str) -> pd.DataFrame:
    nodes = _node_labels(result, lang)
    alpha = pd.to_numeric(a.alpha["alpha"], errors="coerce").to_numpy(dtype=float)   # no alpha: blank, not "None"
    return pd.DataFrame({"dimension": [nodes.get(n, n) for n in a.alpha.index], "alpha": alpha,
                         "indicators": a.alpha["indicators"].astype(int).to_numpy()})


def importance_long(a: Audit, result: ScoreResult, lang: str) -> pd.DataFrame:
    names = _labels(result, lang)
    rows = []
    for i, row in a.importance.iterrows():
        rows.append((names[i], t("col.nominal", lang), float(row["nominal"])))
        rows.append((names[i], t("col.effective_importance", lang), float(row["effective"])))
    return pd.DataFrame(rows, columns=["indicator", "measure", "share"])


def _options(text: str, lang: str) -> str:
    words = OPTION_ZH if lang == "zh" else OPTION_EN
    return ("、" if lang == "zh" else ", ").join(words.get(o, o) for o in text.split(", ") if o)


def sobol_long(a: Audit, lang: str) -> pd.DataFrame:
    """Per choice left in, two rows (first order, total): value, the 95% interval (lo, hi), whether it is
    uncertain (and `reading`, the same in words) and `text`, the index as the tables write it."""
    rows = []
    for f in FACTORS:
        row = a.sobol_overall.loc[f]
        if np.isnan(row["total"]):
            continue
        for x, label in (("first", t("col.first", lang)), ("total", t("col.total_index", lang))):
            reading = (t("sobol.chart.uncertain", lang, wide=f"{sobol.WIDE:g}") if row[f"{x}_uncertain"]
                       else t("sobol.chart.certain", lang))
            rows.append((t(f"sa.factor.{f}", lang), label, float(row[x]), float(row[f"{x}_lo"]),
                         float(row[f"{x}_hi"]), bool(row[f"{x}_uncertain"]), reading, index_text(row[x], row[f"{x}_lo"], row[f"{x}_hi"],
                                                                   row[f"{x}_uncertain"], lang)))
    return pd.DataFrame(rows, columns=["factor", "index", "value", "lo", "hi", "uncertain", "reading", "text"])


def sobol_table(a: Audit, lang: str) -> pd.DataFrame:
    """Per choice: its options, and each index as text with its interval ("uncertain (lo–hi)" when too wide)."""
    ov = a.sobol_overall
    return pd.DataFrame({"factor": [t(f"sa.factor.{f}", lang) for f in ov.index],
                         "options": [_options(o, lang) for o in ov["options"]],
                         **{x: [index_text(r[x], r[f"{x}_lo"], r[f"{x}_hi"], r[f"{x}_uncertain"], lang)
                                for _, r in ov.iterrows()] for x in ("first", "total")}})


def sobol_stations(a: Audit, result: ScoreResult, lang: str) -> pd.DataFrame:
    """Per station: rank, its range under the choices, then <factor>_first and <factor>_total as text (with the
    interval, or "uncertain (lo–hi)"), for the choices left in; by rank."""
    s = a.sobol_stations
    name = "name" if lang == "zh" else "name_en"
    df = pd.DataFrame({"station": result.stations.loc[s.index, name].to_numpy(), "rank": s["rank"].to_numpy(),
                       "range": [f"{lo}" if lo == hi else f"{lo}–{hi}" for lo, hi in zip(s["rank_min"], s["rank_max"])]})
    for f in FACTORS:
        if np.isnan(a.sobol_overall.at[f, "total"]):     # the choice was left out
            continue
        for x, col in (("s1", "first"), ("st", "total")):
            df[f"{f}_{col}"] = [index_text(r[f"{x}_{f}"], r[f"{x}_{f}_lo"], r[f"{x}_{f}_hi"],
                                           r[f"{x}_{f}_uncertain"], lang) for _, r in s.iterrows()]
    return df.sort_values("rank").reset_index(drop=True)


def treatment_table(result: ScoreResult, lang: str) -> pd.DataFrame:
    """The treatment log: station, indicator, step, before -> after, why."""
    log = result.treatment
    cols = ["station", "indicator", "step", "before", "after", "why"]
    if log is None or log.empty:
        return pd.DataFrame(columns=cols)
    names = _labels(result, lang)
    name = "name" if lang == "zh" else "name_en"
    return pd.DataFrame({
        "station": [f"{result.stations.at[s, name]} ({s})" for s in log["station_id"]],
        "indicator": [names[i] for i in log["indicator"]], "step": [t(f"step.{s}", lang) for s in log["step"]],
        "before": log["before"].to_numpy(), "after": log["after"].to_numpy(), "why": log[f"why_{lang}"].to_numpy()},
        columns=cols)


def treated_values(result: ScoreResult, lang: str) -> pd.DataFrame:
    """Stations x the indicators the treatment changed: the treated value, with ● after those it changed (the
    other indicators keep their raw values, shown on the station card)."""
    treated = result.treated if result.treated is not None else result.raw
    changed = set(zip(result.treatment["station_id"], result.treatment["indicator"])) \
        if result.treatment is not None else set()
    names = _labels(result, lang)
    name = "name" if lang == "zh" else "name_en"
    out = pd.DataFrame(index=treated.index)
    out[t("col.station", lang)] = result.stations.loc[treated.index, name]
    for i in [c for c in treated.columns if any(c == j for _, j in changed)]:
        out[names[i]] = [("" if np.isnan(v) else f"{v:.4g}") + (" ●" if (s, i) in changed else "")
                         for s, v in zip(treated.index, treated[i])]
    return out.reset_index(drop=True)
