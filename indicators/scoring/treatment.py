"""Data treatment before normalising, as COINr does it: imputation of raw values and outlier treatment, with a log.

Pure functions over the raw matrix (stations x indicators). `treat` returns the treated matrix and a log with one
row per changed cell (station, indicator, step, before, after, why in zh and en); the scoring engine keeps both in
`ScoreResult.treated` and `ScoreResult.treatment`, beside `raw`.

Imputation (an indicator's `missing` rule, on raw values):
- mean: the mean of the stations with data; group_mean: the mean of the stations with data in the same group
  (`treatment.group`, a station column, district by default). COINr's `i_mean_grp` leaves a gap when its group
  has no data at all; here such a station gets the overall mean instead, and the log says so. A station whose
  group value is itself missing also gets the overall mean.
- median, worst and zero keep working as before, on the normalised values (the engine's `fill_missing`);
  for min-max indicators the median of the normalised values is the normalised median. `gaps_filled` logs
  them as `treat` logs mean and group_mean, so that every filled gap has its row.

Outliers (`treatment.outliers: winsorise`; only for min-max indicators, whose scale one extreme value squashes):
- skewness and kurtosis are COINr's `skew()` and `kurt()`, which are e1071's type 2 (Excel's SKEW and KURT):
  the adjusted Fisher-Pearson skewness G1 and the bias-corrected excess kurtosis G2 (scipy's
  `skew(bias=False)` and `kurtosis(fisher=True, bias=False)`); they need 3 and 4 stations with data.
- an indicator passes when |skew| < `skew` (2) or kurtosis < `kurtosis` (3.5), COINr's `check_SkewKurt`.
- one that fails is Winsorised as COINr's `winsorise()` does: while it fails and fewer than `winmax` (5) points
  have been changed, the highest value (all values tied at it) is set to the next highest when the skew is
  positive, the lowest to the next lowest when it is negative.
- if it still fails after `winmax` points, the Winsorisation is undone and the original values are log
  transformed instead (COINr's `log_CT`): log(x - min + 0.01 (max - min)), which keeps the order.
Goalposts and target indicators compare values with fixed references, and rank indicators only use the order,
so they are never treated for outliers (the log does not mention them).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.errors import InputError
from indicators.i18n import t, term
from indicators.scheme.model import Scheme, Treatment

# rule: how the cell was treated; for "impute" the missing rule that filled it (mean, group_mean, median, worst,
# zero; fallback_empty_group and fallback_no_group for a group mean that fell back to the overall mean; none when no
# station has data), else the step. `after` is a raw value, except for median, worst and none: a score 0-100.
LOG_COLUMNS = ["station_id", "indicator", "step", "before", "after", "why_en", "why_zh", "rule"]
_EMPTY_LOG = pd.DataFrame([], columns=LOG_COLUMNS)   # copied by _log, never handed out itself
IMPUTING = ("mean", "group_mean")            # filled here, on raw values
ON_SCORES = ("median", "worst", "none")      # log rules whose `after` is a score 0-100, not a raw value


class TreatmentError(InputError):
    """A treatment setting that cannot be applied to these stations (e.g. an unknown group column)."""


# ---------------------------------------------------------------- statistics (COINr's definitions)

def _centred(x, least: int) -> np.ndarray | None:
    """The values with data, minus their mean, scaled to at most 1 in size (skewness and kurtosis do not change
    with scale, and their fourth powers then cannot overflow); None below `least` values or with no spread."""
    v = np.asarray(x, dtype=float)
    v = v[~np.isnan(v)]
    if len(v) < least:
        return None
    big = np.abs(v).max()
    if not np.isfinite(big) or big == 0:
        return None
    v = v / big
    d = v - v.mean()
    size = np.abs(d).max()
    return d / size if size > 0 else None


def skew(x) -> float:
    """Sample skewness G1 (e1071 type 2, Excel SKEW, COINr skew); NaN below 3 values or with no spread."""
    d = _centred(x, 3)
    if d is None:
        return float("nan")
    n, m2 = len(d), (d ** 2).sum()
    g1 = np.sqrt(n) * (d ** 3).sum() / m2 ** 1.5
    return float(g1 * np.sqrt(n * (n - 1)) / (n - 2))


def kurtosis(x) -> float:
    """Sample excess kurtosis G2 (e1071 type 2, Excel KURT, COINr kurt); NaN below 4 values or with no spread."""
    d = _centred(x, 4)
    if d is None:
        return float("nan")
    n, m2 = len(d), (d ** 2).sum()
    r = n * (d ** 4).sum() / m2 ** 2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def passes(x, skew_max: float = 2.0, kurt_max: float = 3.5) -> bool:
    """COINr's check_SkewKurt: |skew| < skew_max or kurtosis < kurt_max. Too few values or no spread pass."""
    s, k = skew(x), kurtosis(x)
    if np.isnan(s) or np.isnan(k):
        return True
    return bool(abs(s) < skew_max or k < kurt_max)


# ---------------------------------------------------------------- imputation

def impute_mean(x, groups=None) -> tuple[np.ndarray, list[str]]:
    """Gaps filled with the mean (of the station's group when `groups` is given, one label per value).

    Returns the filled values and, per value, how it was filled: "" (not a gap), "mean", "group_mean",
    "fallback_empty_group" (its group has no data: overall mean), "fallback_no_group" (no group label: overall
    mean), "none" (no station has data: left as a gap).
    """
    v = np.asarray(x, dtype=float).copy()
    how = [""] * len(v)
    gap = np.isnan(v)
    if not gap.any():
        return v, how
    if gap.all():
        return v, ["none"] * len(v)
    overall = float(np.mean(v[~gap]))
    if groups is None:
        v[gap] = overall
        for i in np.flatnonzero(gap):
            how[i] = "mean"
        return v, how
    g = pd.Series(list(groups), dtype=object)
    labelled = g.notna().to_numpy() & (g.astype(str).str.strip() != "").to_numpy()
    means = pd.Series(v).where(labelled).groupby(g.where(labelled)).mean()   # NaN where a group has no data
    for i in np.flatnonzero(gap):
        if not labelled[i]:
            v[i], how[i] = overall, "fallback_no_group"
        elif np.isnan(means.get(g[i], np.nan)):
            v[i], how[i] = overall, "fallback_empty_group"
        else:
            v[i], how[i] = float(means[g[i]]), "group_mean"
    return v, how


# ---------------------------------------------------------------- outliers

def winsorise(x, winmax: int = 5, skew_max: float = 2.0, kurt_max: float = 3.5) -> tuple[np.ndarray, np.ndarray, bool]:
    """COINr's winsorise(): (values, mask of the points changed, passes afterwards). NaN stay NaN."""
    v = np.asarray(x, dtype=float).copy()
    changed = np.zeros(len(v), dtype=bool)
    ok = passes(v, skew_max, kurt_max)
    while not ok and changed.sum() < winmax:
        have = ~np.isnan(v)
        if skew(v) >= 0:   # high outliers: the highest value(s) take the next highest
            top = have & (v == np.nanmax(v))
            rest = v[have & ~top]
            if not len(rest):
                break
            v[top] = rest.max()
        else:
            top = have & (v == np.nanmin(v))
            rest = v[have & ~top]
            if not len(rest):
                break
            v[top] = rest.min()
        changed |= top
        ok = passes(v, skew_max, kurt_max)
    return v, changed, ok


def log_ct(x) -> np.ndarray:
    """COINr's log_CT: log(x - min + 0.01 (max - min)); order kept, NaN stay NaN."""
    v = np.asarray(x, dtype=float)
    lo, hi = np.nanmin(v), np.nanmax(v)
    with np.errstate(divide="ignore"):
        return np.log(v - lo + 0.01 * (hi - lo))


@dataclass(frozen=True)
class OutlierOutcome:
    values: np.ndarray
    step: str            # "", "winsorise" or "log"
    changed: np.ndarray  # mask
    skew: float
    kurtosis: float
    after_skew: float
    after_kurtosis: float
    passes_after: bool


def treat_outliers(x, winmax: int = 5, skew_max: float = 2.0, kurt_max: float = 3.5) -> OutlierOutcome:
    """COINr's Treat() with its defaults: nothing if it passes; Winsorise; else log the original values."""
    v = np.asarray(x, dtype=float)
    s0, k0 = skew(v), kurtosis(v)
    none = np.zeros(len(v), dtype=bool)
    if passes(v, skew_max, kurt_max):
        return OutlierOutcome(v, "", none, s0, k0, s0, k0, True)
    w, changed, ok = winsorise(v, winmax, skew_max, kurt_max)
    if ok:
        return OutlierOutcome(w, "winsorise", changed, s0, k0, skew(w), kurtosis(w), True)
    lg = log_ct(v)
    return OutlierOutcome(lg, "log", ~np.isnan(v), s0, k0, skew(lg), kurtosis(lg),
                          passes(lg, skew_max, kurt_max))


# ---------------------------------------------------------------- the stage

def _why(rule: str, group: str = "", gname: str = "", out: OutlierOutcome | None = None,
         t_: Treatment | None = None) -> tuple[str, str]:
    """Why a cell was filled or changed, in English and Chinese (the words are in indicators/i18n/treatment.py)."""
    def say(lang: str) -> str:
        p = {"group": term("tr.group", group, lang), "gname": gname}
        if out is not None:
            p.update(limits=t("tr.limits", lang, skew=f"{out.skew:.2f}", kurtosis=f"{out.kurtosis:.2f}",
                              skew_max=f"{t_.skew:g}", kurt_max=f"{t_.kurtosis:g}"),
                     n=int(out.changed.sum()), winmax=t_.winmax,
                     still="" if out.passes_after else t("tr.still", lang))
        return t(f"tr.why.{rule}", lang, **p)
    return say("en"), say("zh")


def needs_treatment(scheme: Scheme) -> bool:
    """Whether `treat` would do anything for this scheme (otherwise the raw matrix is the treated one)."""
    return scheme.treatment.outliers != "off" or any(i.missing in IMPUTING for i in scheme.indicators)


def treat(raw: pd.DataFrame, scheme: Scheme, stations: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(treated matrix, log): imputation by each indicator's rule, then outlier treatment by the scheme's."""
    log: list[tuple] = []
    if not needs_treatment(scheme):
        return raw, _log(log)
    t = scheme.treatment
    ids = list(raw.index)
    groups = None
    if any(i.missing == "group_mean" for i in scheme.indicators):
        if t.group not in stations.columns or t.group in ("name", "name_en", "profile"):
            usable = [c for c in stations.columns if c not in ("name", "name_en", "profile")]
            raise TreatmentError(code="scheme.group_column", params={"group": t.group, "columns": ", ".join(usable)})
        groups = stations[t.group].reindex(raw.index).tolist()
    treated = {}
    for ind in scheme.indicators:
        v = raw[ind.id].to_numpy(dtype=float)
        if ind.missing in IMPUTING:
            filled, how = impute_mean(v, groups if ind.missing == "group_mean" else None)
            for s, h in enumerate(how):
                if h and h != "none":
                    gname = str(groups[s]) if groups is not None else ""
                    en, zh = _why(h, t.group, gname)
                    log.append((ids[s], ind.id, "impute", np.nan, filled[s], en, zh, h))
            v = filled
        if t.outliers == "winsorise" and ind.normalisation.method == "minmax":
            out = treat_outliers(v, t.winmax, t.skew, t.kurtosis)
            if out.step:
                en, zh = _why(out.step, out=out, t_=t)
                for s in np.flatnonzero(out.changed):
                    log.append((ids[s], ind.id, out.step, v[s], out.values[s], en, zh, out.step))
                v = out.values
        treated[ind.id] = v
    return pd.DataFrame(treated, index=raw.index), _log(log)


def gaps_filled(treated: pd.DataFrame, normalised: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """Log rows for the gaps that `treat` leaves and the engine fills while normalising, so that every missing rule
    shows in the log as mean and group_mean do: zero (a raw 0, before normalising), median and worst (a score on the
    normalised values), and a mean rule with no station having data (the neutral score). `normalised` is after the
    missing rule, with the stations of `treated` in its order."""
    rows = []
    inds = scheme.indicators
    ids = [ind.id for ind in inds]
    # one call for the whole matrix, not one per column (and no copy when the columns already are the scheme's)
    gaps = np.isnan((treated if treated.columns.tolist() == ids else treated[ids]).to_numpy(dtype=float))
    names = treated.index.to_numpy()
    for k in np.flatnonzero(gaps.any(axis=0)):
        ind, gap = inds[k], gaps[:, k]
        rule = ind.missing
        if rule != "zero" and rule != "worst" and gap.all():
            rule = "none"   # nothing to take a mean or a median of: fill_missing gives the neutral score
        en, zh = _why(rule)
        sids = names[gap]
        # whole columns, not a look-up per station (`normalised` has the stations of `treated`, in its order)
        after = np.zeros(len(sids)) if rule == "zero" else normalised[ind.id].to_numpy(dtype=float)[gap]
        rows += [(sid, ind.id, "impute", np.nan, float(a), en, zh, rule) for sid, a in zip(sids, after)]
    return _log(rows)


def _log(rows: list[tuple]) -> pd.DataFrame:
    """The log frame of these rows; with none, a copy of one empty frame made once (making an empty frame with
    eight named columns cost 20 times as much, and a scheme with no treatment asks for two on every scoring)."""
    return pd.DataFrame(rows, columns=LOG_COLUMNS) if rows else _EMPTY_LOG.copy()
