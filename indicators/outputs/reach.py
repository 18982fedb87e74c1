"""The station reach view: the four rotation figures with the counts they come from, and the monthly chart of new
and returning attendees with priority-group coverage (tables and an Altair chart; no streamlit)."""
from __future__ import annotations

import math

import altair as alt
import duckdb
import pandas as pd

from indicators.i18n import t
from indicators.outputs.charts import AUTOSIZE, CAMP_COLORS, FONT
from indicators.scheme.model import Measure
from indicators.scoring.measures import Period, plan, reach_terms, term_values

# The four figures, as needs-met's reach dimension defines them (docs/schemes.md); `better` says which way is good.
FIGURES = {
    "new": (Measure("new_share"), "higher"),
    "new_year": (Measure("new_share", days=365), "higher"),
    "returning": (Measure("returning_share"), "lower"),
    "unreached": (Measure("unreached_share", base="priority_group <> 'none'"), "lower"),
}
NEW_COLOR, RETURNING_COLOR, COVERAGE_COLOR = CAMP_COLORS["needs"], "#9ecae1", "#31a354"


def station_figures(con: duckdb.DuckDBPyConnection, stations: pd.DataFrame, period: Period = Period(),
                    measures: dict[str, Measure] | None = None) -> pd.DataFrame:
    """Every station's rotation figures (the four of FIGURES unless `measures` names others): columns
    (figure, "share" | "count" | "of"); share = count / of, and missing where there is nothing to count (no
    attendee, no registered priority-group resident, no attendance before the period)."""
    terms = {}
    for key, measure in (measures or {k: m for k, (m, _) in FIGURES.items()}).items():
        terms[(key, "share")] = plan(measure, key)
        terms[(key, "count")], terms[(key, "of")], _ = reach_terms(measure, key)
    return term_values(con, terms, stations, period)


def _pct(x: float) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1%}"


def figures_table(figures: pd.DataFrame, station_id: str, lang: str) -> pd.DataFrame:
    """One row per figure for one station: its name, share, the count it comes from ("12 / 250"), the median of
    all stations, which way is better, and why it is missing when it is."""
    rows = []
    for key, (_, better) in FIGURES.items():
        share = float(figures.at[station_id, (key, "share")])
        count, of = int(figures.at[station_id, (key, "count")]), int(figures.at[station_id, (key, "of")])
        missing = math.isnan(share)
        why = "" if not missing else t("reach.why_no_history" if key.startswith("new") and of > 0
                                       else f"reach.why_empty.{key}", lang)
        rows.append({
            "figure": t(f"reach.fig.{key}", lang),
            "share": _pct(share),
            "counts": t(f"reach.counts.{key}", lang, count=f"{count:,}", of=f"{of:,}"),
            "median": _pct(float(figures[(key, "share")].median())),
            "better": t(f"reach.better.{better}", lang),
            "note": why,
        })
    return pd.DataFrame(rows, index=list(FIGURES))


def monthly_long(monthly: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The monthly table as chart rows: month label, kind (new | returning, in the language), attendees."""
    rows = []
    for r in monthly.itertuples(index=False):
        label = f"{r.month:%Y-%m}"
        rows.append({"month": label, "kind": t("reach.chart.new", lang), "attendees": int(r.new), "order": 0})
        rows.append({"month": label, "kind": t("reach.chart.returning", lang), "attendees": int(r.returning),
                     "order": 1})
    return pd.DataFrame(rows, columns=["month", "kind", "attendees", "order"])


def reach_chart(monthly: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Bars of each month's attendees split into new and returning, and a line of the share of the station's
    priority-group residents reached so far in the period (right axis, 0-100%)."""
    bars_data = monthly_long(monthly, lang)
    kinds = [t("reach.chart.new", lang), t("reach.chart.returning", lang)]
    x = alt.X("month:O", title=t("reach.chart.month", lang), axis=alt.Axis(labelAngle=-45))
    bars = alt.Chart(bars_data).mark_bar().encode(
        x=x, y=alt.Y("attendees:Q", stack="zero", title=t("reach.chart.attendees", lang)),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=kinds, range=[NEW_COLOR, RETURNING_COLOR]),
                        legend=alt.Legend(orient="top", labelLimit=400)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("month:O", title=t("reach.chart.month", lang)),
                 alt.Tooltip("kind:N", title=t("reach.chart.kind", lang)),
                 alt.Tooltip("attendees:Q", title=t("reach.chart.attendees", lang))])
    cover = monthly.assign(month=[f"{m:%Y-%m}" for m in monthly["month"]],
                           label=t("reach.chart.coverage", lang))[["month", "priority_coverage", "priority_reached",
                                                                   "priority_registered", "label"]]
    line = alt.Chart(cover).mark_line(point=alt.OverlayMarkDef(color=COVERAGE_COLOR), color=COVERAGE_COLOR,
                                          strokeWidth=2.5).encode(
        x=x, y=alt.Y("priority_coverage:Q", title=t("reach.chart.coverage", lang),
                     scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%", orient="right",
                                                                    titleColor=COVERAGE_COLOR)),
        tooltip=[alt.Tooltip("month:O", title=t("reach.chart.month", lang)),
                 alt.Tooltip("priority_coverage:Q", title=t("reach.chart.coverage", lang), format=".1%"),
                 alt.Tooltip("priority_reached:Q", title=t("reach.chart.reached", lang)),
                 alt.Tooltip("priority_registered:Q", title=t("reach.chart.registered", lang))])
    return (alt.layer(bars, line).resolve_scale(y="independent")
            .properties(title=alt.Title(t("reach.chart.title", lang), subtitle=t("reach.chart.subtitle", lang),
                                        anchor="start", font=FONT, subtitleFont=FONT),
                        height=260, width="container", autosize=AUTOSIZE))
