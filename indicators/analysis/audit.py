"""A statistical audit of a scored scheme: correlations, Cronbach's alpha, flags, effective importance, Sobol indices.

Everything is read from one `ScoreResult` (numpy on its cached matrices, never a new query):
- correlations (Pearson) between indicators' normalised values, and of every indicator with every dimension node
  (any depth: `ScoreResult.nodes` when the scheme is a tree, the top-level dimension scores otherwise) and the total;
- Cronbach's alpha of the indicators under each dimension node (two or more indicators):
  alpha = k / (k - 1) * (1 - sum of the indicators' variances / variance of their sum);
- flags: redundant pairs (|r| > 0.9), indicators negatively correlated with their own (parent) dimension,
  near-constant indicators (90% or more of the stations share one treated raw value, or the coefficient of
  variation is under 0.05), dimensions whose alpha is under 0.7, and indicators whose effective importance is
  under half or over twice their nominal weight;
- effective importance: the squared correlation of each indicator with the total, as a share of the sum of
  them, beside the nominal effective weight (what the evaluator chose);
- variance-based sensitivity of each station's rank to the uncertain choices, with `sobol.indices`:
  weights (each effective weight times a uniform factor in [1 - spread, 1 + spread], renormalised; one group),
  normalisation (the scheme's own, min-max, rank), missing rule (the scheme's own, median, worst) and aggregation
  (arithmetic, geometric in the engine's form; both nest exactly, so the flat effective weights give every
  level's result; TOPSIS does not nest and is not among the options); a choice whose options all give the same numbers is left out and
  said so. First-order and total indices per station, and over all stations weighted by each station's rank
  variance (the share of all rank movement that the choice explains), each with a bootstrap 95% interval; an
  index whose interval is wider than `sobol.WIDE` is marked uncertain and said as a range, not a number.
Every finding carries a plain sentence in English and Chinese.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from indicators.analysis import sobol
from indicators.scoring.ranks import rank_desc_min
from indicators.i18n import t
from indicators.scheme.model import Normalisation
from indicators.scoring.engine import GEOMETRIC_FLOOR, ScoreResult, fill_missing, normalise

REDUNDANT = 0.9
ALPHA_LOW = 0.7
MODAL_SHARE = 0.9
CV_LOW = 0.05
FACTORS = ("weights", "normalisation", "missing", "aggregation")
FACTOR_EN = {"weights": "weights", "normalisation": "normalisation", "missing": "missing-data rule",
             "aggregation": "aggregation"}
OPTION_EN = {"own": "the scheme's own"}
FACTOR_ZH = {"weights": "权重", "normalisation": "标准化方法", "missing": "缺失值规则", "aggregation": "汇总方法"}
OWN = "own"
OPTION_ZH = {"own": "方案原设", "minmax": "极差", "rank": "排序", "median": "中位数", "worst": "最差",
             "arithmetic": "算术平均", "geometric": "几何平均"}


@dataclass(frozen=True, eq=False)
class Audit:
    """The audit of one scheme over one period. Frames are indexed by indicator, node or station ids."""
    scheme_id: str
    correlations: pd.DataFrame       # indicators x indicators
    with_nodes: pd.DataFrame         # indicators x (dimension nodes..., "total")
    parents: pd.Series               # indicator -> its own (parent) dimension
    alpha: pd.DataFrame              # per dimension node: alpha, indicators (count)
    importance: pd.DataFrame         # per indicator: nominal, r_total, effective
    sobol_stations: pd.DataFrame     # per station: rank, rank_min, rank_max, then per factor s1_<factor>,
                                     # st_<factor>, each with _lo, _hi (95% interval) and _uncertain
    sobol_overall: pd.DataFrame      # per factor: options, first, total (NaN when left out), each with _lo, _hi,
                                     # _uncertain
    findings: pd.DataFrame           # kind, subject, value, en, zh
    runs: int
    seed: int
    spread: float


def _corr(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson r between the columns of x and those of y; NaN where a column does not vary."""
    xc, yc = x - x.mean(axis=0), y - y.mean(axis=0)
    sx, sy = np.sqrt((xc ** 2).sum(axis=0)), np.sqrt((yc ** 2).sum(axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (xc.T @ yc) / np.outer(sx, sy)
    r[~np.isfinite(r)] = np.nan
    return np.clip(r, -1, 1)


def _ancestors(scheme, parent: str | None) -> list[str]:
    """An indicator's dimension nodes, nearest (its parent) first, up to the top level. The parent comes from
    `ScoreResult.weights` (a dimension may share its code with one of its indicators); above it, the tree."""
    parent_of = getattr(scheme, "parent_of", None)
    out, p = [], parent
    while p is not None and p not in out:
        out.append(p)
        p = parent_of(p) if parent_of else None
    return out


def node_scores(result: ScoreResult) -> pd.DataFrame:
    """Every dimension node's score: the tree's `nodes` when the result has them, else the top-level dimensions."""
    nodes = getattr(result, "nodes", None)
    return nodes if isinstance(nodes, pd.DataFrame) else result.dimension_scores


def cronbach_alpha(x: np.ndarray) -> float:
    """Cronbach's alpha of the columns of x (stations x items); NaN below 2 items or when the sum does not vary."""
    k = x.shape[1]
    if k < 2:
        return float("nan")
    total = x.sum(axis=1).var(ddof=1)
    if not total > 0:
        return float("nan")
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total))


def near_constant(values: np.ndarray) -> tuple[bool, float]:
    """(near-constant?, share of stations at the most common value)."""
    v = values[~np.isnan(values)]
    if len(v) == 0:
        return True, 1.0
    share = pd.Series(v).value_counts().iloc[0] / len(v)
    mean, sd = v.mean(), v.std(ddof=0)
    cv_low = (sd == 0) or (mean != 0 and sd / abs(mean) < CV_LOW)
    return bool(share >= MODAL_SHARE or cv_low), float(share)


# ---------------------------------------------------------------- the uncertain choices

def _matrix(result: ScoreResult, method: str, rule: str) -> np.ndarray:
    """The normalised matrix under one normalisation and one missing rule (OWN = the scheme's own)."""
    if method == OWN and rule == OWN:
        return result.normalised.to_numpy(dtype=float)
    src = result.treated if result.treated is not None else result.raw
    cols = []
    for ind in result.scheme.indicators:
        alt = ind if method == OWN else replace(ind, normalisation=Normalisation(method))
        v = src[ind.id].to_numpy(dtype=float)
        if rule != OWN:
            alt = replace(alt, missing=rule)
            v = np.where(result.raw[ind.id].isna().to_numpy(), np.nan, v)   # the gap as recorded
        cols.append(fill_missing(normalise(v, alt), alt))
    return np.column_stack(cols)


def _distinct(options: list[str], mats: list[np.ndarray]) -> list[int]:
    keep: list[int] = []
    for i, m in enumerate(mats):
        if not any(np.allclose(m, mats[j]) for j in keep):
            keep.append(i)
    return keep


def rank_sensitivity(result: ScoreResult, runs: int = 1024, seed: int = 0, spread: float = 0.2):
    """(per-station table, per-factor table): Sobol indices of each station's rank to the four choices."""
    w0 = result.weights["effective"].to_numpy(dtype=float)
    k = len(w0)
    norm_opts = [OWN, "minmax", "rank"]
    miss_opts = [OWN, "median", "worst"]
    by_norm = [_matrix(result, m, OWN) for m in norm_opts]
    norm_keep = [norm_opts[i] for i in _distinct(norm_opts, by_norm)]
    by_miss = [_matrix(result, OWN, r) for r in miss_opts]
    miss_keep = [miss_opts[i] for i in _distinct(miss_opts, by_miss)]
    agg_keep = ["arithmetic", "geometric"]
    options = {"weights": [f"±{spread * 100:g}%"] if spread > 0 and k > 1 else [],
               "normalisation": norm_keep, "missing": miss_keep, "aggregation": agg_keep}
    active = [f for f in FACTORS if (len(options[f]) > 1 if f != "weights" else options[f])]
    cols, groups = {}, []
    d = 0
    for f in active:
        width = k if f == "weights" else 1
        cols[f] = list(range(d, d + width))
        groups.append(cols[f])
        d += width
    mats = {(n, m): _matrix(result, n, m) for n in norm_keep for m in miss_keep}
    logs = {key: np.log(np.maximum(m, GEOMETRIC_FLOOR)) for key, m in mats.items()}   # the engine's geometric

    def pick(x: np.ndarray, f: str, opts: list[str]) -> np.ndarray:
        if f not in cols:
            return np.zeros(len(x), dtype=int)
        return np.minimum((x[:, cols[f][0]] * len(opts)).astype(int), len(opts) - 1)

    def model(x: np.ndarray) -> np.ndarray:
        if "weights" in cols:
            w = w0 * (1 + spread * (2 * x[:, cols["weights"]] - 1))
        else:
            w = np.broadcast_to(w0, (len(x), k))
        w = w / w.sum(axis=1, keepdims=True)
        ni, mi, ai = pick(x, "normalisation", norm_keep), pick(x, "missing", miss_keep), pick(x, "aggregation", agg_keep)
        scores = np.empty((len(x), len(result.stations)))
        for a in range(len(norm_keep)):
            for b in range(len(miss_keep)):
                for c in range(2):
                    rows = (ni == a) & (mi == b) & (ai == c)
                    if rows.any():
                        key = (norm_keep[a], miss_keep[b])
                        scores[rows] = (w[rows] @ mats[key].T if c == 0 else np.exp(w[rows] @ logs[key].T))
        return rank_desc_min(scores).astype(float)

    ids = list(result.stations.index)
    table = pd.DataFrame({"rank": result.rank.reindex(ids).to_numpy()}, index=pd.Index(ids, name="station_id"))
    overall = pd.DataFrame({"options": [", ".join(options[f]) for f in FACTORS], "first": np.nan, "total": np.nan,
                            "first_lo": np.nan, "first_hi": np.nan, "total_lo": np.nan, "total_hi": np.nan,
                            "first_uncertain": False, "total_uncertain": False},
                           index=pd.Index(FACTORS, name="factor"))
    table["rank_min"] = table["rank_max"] = table["rank"]
    for f in FACTORS:     # a choice left out keeps these: no index, nothing uncertain
        for x in ("s1", "st"):
            table[f"{x}_{f}"] = table[f"{x}_{f}_lo"] = table[f"{x}_{f}_hi"] = np.nan
            table[f"{x}_{f}_uncertain"] = False
    if not active:
        return table, overall
    a, b = sobol.samples(runs, d, seed)
    est = sobol.estimate(model, a, b, groups, seed=seed)
    both = est.outputs
    table["rank_min"], table["rank_max"] = both.min(axis=0).astype(int), both.max(axis=0).astype(int)
    for n, f in enumerate(active):
        for x, point, ci, pooled, pooled_ci, col in (
                ("s1", est.first, est.first_ci, est.pooled_first, est.pooled_first_ci, "first"),
                ("st", est.total, est.total_ci, est.pooled_total, est.pooled_total_ci, "total")):
            table[f"{x}_{f}"], table[f"{x}_{f}_lo"], table[f"{x}_{f}_hi"] = point[n], ci[0, n], ci[1, n]
            # a station whose rank never moves has no index, and nothing uncertain about it
            table[f"{x}_{f}_uncertain"] = sobol.uncertain(ci[:, n]) & ~np.isnan(point[n])
            if np.isfinite(pooled[n]):
                overall.loc[f, [col, f"{col}_lo", f"{col}_hi"]] = pooled[n], pooled_ci[0, n], pooled_ci[1, n]
                overall.loc[f, f"{col}_uncertain"] = bool(sobol.uncertain(pooled_ci[:, n]))
    return table, overall


# ---------------------------------------------------------------- the audit

def index_text(value: float, lo: float, hi: float, uncertain: bool, lang: str, share: bool = False) -> str:
    """An index in words: "0.51 (0.40–0.62)", or "uncertain (0.10–0.60)" when its interval is too wide to read
    (as a percentage when `share`); "0.00" alone when exact (its interval a point); "–" when there is none."""
    def num(x):
        if not np.isfinite(x):
            return "?"
        x = 0.0 if abs(x) < 0.005 else x     # no "-0.00" or "-0%"
        return f"{x:.0%}" if share else f"{x:.2f}"
    if value is None or not np.isfinite(value):
        return "–"
    if lo == hi == value:     # exact (a choice that never changed the rank): nothing to bracket
        return num(value)
    if uncertain:
        if not (np.isfinite(lo) and np.isfinite(hi)):
            return t("sobol.uncertain_bare", lang)
        return t("sobol.share_uncertain" if share else "sobol.uncertain", lang, lo=num(lo), hi=num(hi))
    return t("sobol.share" if share else "sobol.value", lang, value=num(value), lo=num(lo), hi=num(hi))


def _finding(kind, subject, value, en, zh) -> dict:
    return {"kind": kind, "subject": subject, "value": value, "en": en, "zh": zh}


def audit(result: ScoreResult, runs: int = 1024, seed: int = 0, spread: float = 0.2) -> Audit:
    """The whole audit of one scored scheme (see the module docstring for what each part means)."""
    scheme = result.scheme
    ids = list(result.normalised.columns)
    names_en = {i.id: i.name_en for i in scheme.indicators}
    names_zh = {i.id: i.name_zh for i in scheme.indicators}
    own = "parent" if "parent" in result.weights.columns else "dimension"
    parents = result.weights[own].reindex(ids).astype(object)
    dims = node_scores(result)
    node_en = {d.id: d.name_en for d in getattr(scheme, "nodes", lambda: scheme.dimensions)()}
    node_zh = {d.id: d.name_zh for d in getattr(scheme, "nodes", lambda: scheme.dimensions)()}
    n = result.normalised.to_numpy(dtype=float)
    corr = pd.DataFrame(_corr(n, n), index=ids, columns=ids)
    targets = pd.concat([dims, result.total.rename("total")], axis=1)
    with_nodes = pd.DataFrame(_corr(n, targets.loc[result.normalised.index].to_numpy(dtype=float)),
                              index=ids, columns=list(targets.columns))

    alpha_rows = {}
    for node in dims.columns:
        under = [i for i in ids if node in _ancestors(scheme, parents[i])]
        alpha_rows[node] = {"alpha": cronbach_alpha(n[:, [ids.index(i) for i in under]]), "indicators": len(under)}
    alpha = pd.DataFrame.from_dict(alpha_rows, orient="index")

    r_total = with_nodes["total"].fillna(0.0)
    sq = r_total ** 2
    effective = sq / sq.sum() if sq.sum() > 0 else sq * 0
    importance = pd.DataFrame({"nominal": result.weights["effective"].reindex(ids), "r_total": with_nodes["total"],
                               "effective": effective})

    found: list[dict] = []
    for x in range(len(ids)):
        for y in range(x + 1, len(ids)):
            r = corr.iat[x, y]
            if np.isfinite(r) and abs(r) > REDUNDANT:
                a, b = ids[x], ids[y]
                # on the normalised scores (100 best for both), r near -1 is one thing measured both ways round
                key = "sa.find.redundant" if r > 0 else "sa.find.opposite"
                found.append(_finding("redundant", f"{a}, {b}", float(r),
                                      t(key, "en", a=names_en[a], b=names_en[b], r=f"{r:.2f}"),
                                      t(key, "zh", a=names_zh[a], b=names_zh[b], r=f"{r:.2f}")))
    for i in ids:
        p = parents[i]
        r = with_nodes.at[i, p] if p in with_nodes.columns else np.nan
        if np.isfinite(r) and r < 0:
            found.append(_finding(
                "negative", i, float(r),
                f"{names_en[i]} runs against its own dimension {node_en.get(p, p)} (r = {r:.2f}): stations that "
                f"do well on it do worse on the dimension as a whole.",
                f"{names_zh[i]}与所属维度“{node_zh.get(p, p)}”负相关（r = {r:.2f}）：这项得分高的站点，在该维度整体上反而较低。"))
    src = result.treated if result.treated is not None else result.raw
    for i in ids:
        flat, share = near_constant(src[i].to_numpy(dtype=float))
        if flat:
            found.append(_finding(
                "near_constant", i, share,
                f"{names_en[i]} hardly varies ({share:.0%} of stations share one value): it cannot tell stations "
                f"apart, and min-max scaling magnifies tiny differences.",
                f"{names_zh[i]}几乎没有差异（{share:.0%}的站点取同一个值）：无法区分站点，而极差标准化会放大细微差别。"))
    for node, row in alpha.iterrows():
        if np.isfinite(row["alpha"]) and row["alpha"] < ALPHA_LOW:
            found.append(_finding(
                "low_alpha", node, float(row["alpha"]),
                f"The {int(row['indicators'])} indicators of {node_en.get(node, node)} hang together weakly "
                f"(Cronbach's alpha {row['alpha']:.2f} < {ALPHA_LOW}): the dimension adds up different things.",
                f"维度“{node_zh.get(node, node)}”的{int(row['indicators'])}个指标一致性弱（克隆巴赫α = {row['alpha']:.2f} < "
                f"{ALPHA_LOW}）：该维度把不同的东西加在了一起。"))
    for i in ids:
        nom, eff = importance.at[i, "nominal"], importance.at[i, "effective"]
        if nom > 0 and (eff > 2 * nom or eff < nom / 2):
            more = eff > nom
            found.append(_finding(
                "importance_gap", i, float(eff),
                f"{names_en[i]} is given {nom:.0%} of the weight but drives {eff:.0%} of the differences in the total "
                f"({'more' if more else 'less'} than chosen).",
                f"{names_zh[i]}名义权重{nom:.0%}，实际决定了总分差异的{eff:.0%}（{'高于' if more else '低于'}所选权重）。"))

    stations, overall = rank_sensitivity(result, runs=runs, seed=seed, spread=spread)
    for f, row in overall.iterrows():
        if np.isnan(row["total"]):
            why_en = {"weights": "no weights to vary", "normalisation": "every normalisation gives the same numbers",
                      "missing": "no station lacks data, so the missing rule cannot matter",
                      "aggregation": "the aggregation choice changes nothing"}[f]
            why_zh = {"weights": "没有可变化的权重", "normalisation": "各种标准化方法结果相同",
                      "missing": "没有站点缺少数据，缺失值规则不起作用", "aggregation": "汇总方法不改变结果"}[f]
            found.append(_finding("sensitivity", f, 0.0, f"The {FACTOR_EN[f]} choice was left out: {why_en}.",
                                  f"{FACTOR_ZH[f]}未纳入分析：{why_zh}。"))
            continue
        en_options = ", ".join(OPTION_EN.get(o, o) for o in row["options"].split(", "))
        zh_options = "、".join(OPTION_ZH.get(o, o) for o in row["options"].split(", "))

        def said(lang, r=row):
            return {x: index_text(r[x], r[f"{x}_lo"], r[f"{x}_hi"], r[f"{x}_uncertain"], lang, share=True)
                    for x in ("first", "total")}
        found.append(_finding(
            "sensitivity", f, float(row["total"]),
            t("sobol.find.choice", "en", factor=FACTOR_EN[f], options=en_options, **said("en")),
            t("sobol.find.choice", "zh", factor=FACTOR_ZH[f], options=zh_options, **said("zh"))))
    moving = stations[stations["rank_max"] > stations["rank_min"]]
    for sid, row in moving.assign(width=moving["rank_max"] - moving["rank_min"]).nlargest(3, "width").iterrows():
        best = max(FACTORS, key=lambda f: -1 if np.isnan(row[f"st_{f}"]) else row[f"st_{f}"])
        where = {"rank": int(row["rank"]), "lo": int(row["rank_min"]), "hi": int(row["rank_max"])}
        found.append(_finding("station", sid, float(row[f"st_{best}"]), *(
            t("sobol.find.station", lang, name=result.stations.at[sid, col], factor=words[best], **where,
              index=index_text(row[f"st_{best}"], row[f"st_{best}_lo"], row[f"st_{best}_hi"],
                               row[f"st_{best}_uncertain"], lang))
            for lang, col, words in (("en", "name_en", FACTOR_EN), ("zh", "name", FACTOR_ZH)))))
    findings = pd.DataFrame(found, columns=["kind", "subject", "value", "en", "zh"])
    return Audit(scheme_id=scheme.id, correlations=corr, with_nodes=with_nodes, parents=parents, alpha=alpha,
                 importance=importance, sobol_stations=stations, sobol_overall=overall, findings=findings,
                 runs=runs, seed=seed, spread=spread)


def to_json(a: Audit) -> dict:
    """The audit as plain JSON values (full precision; NaN as null)."""
    def num(x):
        return None if x is None or (isinstance(x, float) and not np.isfinite(x)) else float(x)

    def frame(df: pd.DataFrame) -> dict:
        return {str(i): {str(c): (bool(v) if isinstance(v, (bool, np.bool_)) else num(v)
                                  if isinstance(v, (float, np.floating, int, np.integer)) else v)
                         for c, v in row.items()} for i, row in df.iterrows()}

    return {
        "scheme": a.scheme_id,
        "correlations": frame(a.correlations), "with_nodes": frame(a.with_nodes),
        "parents": {k: v for k, v in a.parents.items()},
        "alpha": frame(a.alpha), "importance": frame(a.importance),
        "sensitivity": {"runs": a.runs, "seed": a.seed, "spread": a.spread,
                        "estimator": "Saltelli 2010 (first order), Jansen 1999 (total), outputs centred",
                        "intervals": {"level": sobol.LEVEL, "resamples": sobol.RESAMPLES, "method": "bootstrap "
                                      "percentile over the N rows", "uncertain_when_wider_than": sobol.WIDE},
                        "overall": frame(a.sobol_overall), "stations": frame(a.sobol_stations)},
        "findings": a.findings.to_dict(orient="records"),
    }
