"""Altair chart builders: plain DataFrames in, `alt.Chart` values out (no streamlit).

Titles and axes are in the language passed in. Colours carry the camp everywhere: orange hues
for output indicators (what performance governance counts), blue-green hues for needs
indicators (what residents gain). Tests check these charts through `chart.to_dict()`.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from indicators.analysis.sobol import WIDE
from indicators.i18n import t

CAMP_COLORS = {"output": "#e6550d", "needs": "#2b7bba"}
OUTPUT_COLORS = ("#e6550d", "#fd8d3c", "#a63603", "#fdae6b", "#d94801", "#f16913", "#8c2d04", "#fdd0a2")
NEEDS_COLORS = ("#08519c", "#3182bd", "#31a354", "#6baed6", "#006d2c", "#74c476", "#54278f", "#9e9ac8",
                "#2171b5", "#41ab5d", "#756bb1", "#9ecae1", "#238b45", "#a1d99b", "#4eb3d3", "#0868ac")
MOVE_COLORS = {"up": "#1a9850", "down": "#d73027", "same": "#9e9e9e"}
QUADRANT_COLORS = {"show_window": "#e6550d", "quiet_achiever": "#2b7bba", "both_high": "#6a51a3",
                   "both_low": "#9e9e9e"}
FONT = "Noto Sans CJK SC, Source Sans Pro, sans-serif"
ROW_PX = 20   # height per station row in the bar charts
# Width follows the container; the height given is the plot's, legends and titles come on top.
# (Without this, Streamlit's default "fit" squeezes the plot to make room for a big legend.)
AUTOSIZE = alt.AutoSizeParams(type="fit-x", contains="padding")


# An axis's numbers: grouped in English (1,000), not in Chinese (1000), as in the text around them
NUMBER_FORMAT = {"en": ",~r", "zh": "~r"}


def _title(text: str, subtitle: str | None = None) -> alt.Title:
    """A title; a subtitle with line breaks becomes several lines (Vega does not wrap titles)."""
    sub = subtitle.split("\n") if subtitle and "\n" in subtitle else subtitle
    return alt.Title(text, subtitle=sub or alt.Undefined, anchor="start", font=FONT, subtitleFont=FONT)


TOP_CONTRIBUTORS = 8   # the contribution chart names this many indicators; the rest are "other" per camp
OTHER_COLORS = {"output": "#fdd9b5", "needs": "#c6dbef"}


def _indicator_colors(df: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Colour domain (indicator labels, output camp first, each camp's "other" last) and range (a hue family
    per camp, a pale tint for its "other")."""
    first = df.drop_duplicates("indicator")[["indicator", "camp"]]
    other = set(df.loc[df.get("is_other", pd.Series(False, index=df.index)).astype(bool), "indicator"])
    domain, colors = [], []
    for camp, palette in (("output", OUTPUT_COLORS), ("needs", NEEDS_COLORS)):
        names = [i for i in first.loc[first["camp"] == camp, "indicator"] if i not in other]
        domain += names
        colors += [palette[n % len(palette)] for n in range(len(names))]
        rest = [i for i in first.loc[first["camp"] == camp, "indicator"] if i in other]
        domain += rest
        colors += [OTHER_COLORS[camp]] * len(rest)
    return domain, colors


def _top_contributors(data: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The TOP_CONTRIBUTORS indicators with the most points over all stations keep their own colour; the
    others are added up per station and camp as "other output / needs indicators" (16 near-identical shades
    told nothing apart)."""
    totals = data.groupby("indicator", sort=False)["contribution"].sum().sort_values(ascending=False, kind="stable")
    data = data.assign(is_other=~data["indicator"].isin(totals.index[:TOP_CONTRIBUTORS]))
    if not data["is_other"].any():
        return data
    data.loc[data["is_other"], "indicator"] = data.loc[data["is_other"], "camp"].map(
        lambda c: t("nc.chart.other", lang, camp=t(f"camp.{c}", lang)))
    keys = ["station", "rank", "score", "indicator", "camp", "camp_label", "is_other"]
    return data.groupby(keys, as_index=False, sort=False)["contribution"].sum()


def contribution_chart(df: pd.DataFrame, lang: str, title: str | None = None) -> alt.Chart:
    """Each station's score split into indicator contributions (stacked horizontal bars, best first).

    df: station, rank, score, indicator, camp ("output"/"needs"), camp_label, contribution
    (views.contributions_long). Colour is the indicator, in orange hues for the output camp and
    blue-green hues for the needs camp; the tooltip names the camp.
    """
    data = _top_contributors(df.copy(), lang)
    data["camp_order"] = (data["camp"] == "needs").astype(int) * 2 + data["is_other"].astype(int)
    order = data.drop_duplicates("station").sort_values(["rank", "station"])["station"].tolist()
    domain, colors = _indicator_colors(data)
    n = len(order)
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("station:N", sort=order, title=t("chart.station", lang), axis=alt.Axis(labelLimit=220)),
        x=alt.X("sum(contribution):Q", title=t("chart.points", lang), scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("indicator:N", scale=alt.Scale(domain=domain, range=colors),
                        legend=alt.Legend(title=t("chart.indicator", lang), orient="bottom", columns=2,
                                          labelLimit=300)),
        order=alt.Order("camp_order:Q"),
        tooltip=[alt.Tooltip("station:N", title=t("chart.station", lang)),
                 alt.Tooltip("indicator:N", title=t("chart.indicator", lang)),
                 alt.Tooltip("camp_label:N", title=t("chart.camp", lang)),
                 alt.Tooltip("contribution:Q", title=t("chart.points", lang), format=".1f"),
                 alt.Tooltip("score:Q", title=t("chart.score", lang), format=".1f")],
    ).properties(title=_title(title or t("chart.contrib_title", lang), t("chart.contrib_subtitle", lang)),
                 height=max(160, ROW_PX * n), width="container", autosize=AUTOSIZE)


def _moves(df: pd.DataFrame) -> pd.Series:
    return df["shift"].map(lambda s: "up" if s > 0 else "down" if s < 0 else "same")


def slope_chart(df: pd.DataFrame, lang: str, label_a: str, label_b: str) -> alt.LayerChart:
    """Rank under scheme A (left) against rank under scheme B (right), one line per station.

    df: station, rank_a, rank_b (1 = best) and optionally shift (rank_a - rank_b; > 0 means B ranks
    the station higher). Lines are green when B ranks the station higher, red when lower.
    """
    d = df.copy()
    if "shift" not in d:
        d["shift"] = d["rank_a"] - d["rank_b"]
    d["move"] = _moves(d)
    d["move_label"] = d["move"].map(lambda m: t(f"chart.move.{m}", lang))
    long = pd.concat([
        pd.DataFrame({"station": d["station"], "scheme": label_a, "side": 0, "rank": d["rank_a"],
                      "move": d["move"], "move_label": d["move_label"], "shift": d["shift"]}),
        pd.DataFrame({"station": d["station"], "scheme": label_b, "side": 1, "rank": d["rank_b"],
                      "move": d["move"], "move_label": d["move_label"], "shift": d["shift"]}),
    ], ignore_index=True)
    n = int(max(d["rank_a"].max(), d["rank_b"].max())) if len(d) else 1
    # The rank is written into each label ("3. name"), not on an axis the left labels ran into; the
    # room beside the lines grows with the longest label (a CJK character is about two Latin ones wide).
    long["name_rank"] = [f"{int(r)}. {s}" for s, r in zip(long["station"], long["rank"])]
    widest = max((sum(2 if ord(c) > 0x2E80 else 1 for c in str(s)) for s in long["name_rank"]), default=10)
    pad = min(max(0.9, 0.055 * widest), 2.4)
    domain = [-pad, 1 + pad]
    x = alt.X("side:Q", scale=alt.Scale(domain=domain), axis=None)
    y = alt.Y("rank:Q", scale=alt.Scale(domain=[n + 0.5, 0.5], nice=False), title=t("chart.rank", lang), axis=None)
    color = alt.Color("move_label:N", title=t("chart.move", lang),
                      scale=alt.Scale(domain=[t(f"chart.move.{m}", lang) for m in MOVE_COLORS],
                                      range=list(MOVE_COLORS.values())),
                      legend=alt.Legend(orient="bottom"))
    base = alt.Chart(long)
    tooltip = [alt.Tooltip("station:N", title=t("chart.station", lang)),
               alt.Tooltip("scheme:N", title=t("chart.scheme", lang)),
               alt.Tooltip("rank:Q", title=t("chart.rank", lang)),
               alt.Tooltip("shift:Q", title=t("chart.shift", lang))]
    lines = base.mark_line(strokeWidth=1.6, opacity=0.8).encode(x=x, y=y, color=color, detail="station:N")
    points = base.mark_circle(size=40).encode(x=x, y=y, color=color, tooltip=tooltip)
    left = base.transform_filter("datum.side == 0").mark_text(align="right", dx=-7, font=FONT, fontSize=11).encode(
        x=x, y=y, text="name_rank:N")
    right = base.transform_filter("datum.side == 1").mark_text(align="left", dx=7, font=FONT, fontSize=11).encode(
        x=x, y=y, text="name_rank:N")
    heads = alt.Chart(pd.DataFrame({"side": [0, 1], "label": [label_a, label_b]})).mark_text(
        fontWeight="bold", font=FONT, fontSize=12, baseline="bottom").encode(
        x=alt.X("side:Q", scale=alt.Scale(domain=domain), axis=None), y=alt.value(-8), text="label:N")
    return alt.layer(lines, points, left, right, heads).properties(
        title=_title(t("chart.slope_title", lang), t("chart.slope_subtitle", lang, a=label_a, b=label_b)),
        height=max(320, ROW_PX * n), width="container", autosize=AUTOSIZE)


def quadrant(score_a: float, score_b: float, median_a: float, median_b: float) -> str:
    """show_window = high under A (photo count) and low under B (needs met); quiet_achiever the reverse."""
    high_a, high_b = score_a >= median_a, score_b >= median_b
    if high_a and not high_b:
        return "show_window"
    if high_b and not high_a:
        return "quiet_achiever"
    return "both_high" if high_a else "both_low"


def quadrant_chart(df: pd.DataFrame, lang: str, label_a: str, label_b: str) -> alt.LayerChart:
    """Score under A (x) against score under B (y), median lines, quadrants named.

    df: station, score_a, score_b. Bottom right (high A, low B) is the show-window quadrant (橱窗型),
    top left (low A, high B) the quiet achievers (默默做事型).
    """
    d = df.copy()
    ma, mb = float(d["score_a"].median()), float(d["score_b"].median())
    d["quadrant"] = [quadrant(a, b, ma, mb) for a, b in zip(d["score_a"], d["score_b"])]
    d["quadrant_label"] = d["quadrant"].map(lambda q: t(f"chart.quadrant.{q}", lang))
    lo_a, hi_a = float(d["score_a"].min()), float(d["score_a"].max())
    lo_b, hi_b = float(d["score_b"].min()), float(d["score_b"].max())
    pad_a, pad_b = max((hi_a - lo_a) * 0.08, 2.0), max((hi_b - lo_b) * 0.08, 2.0)
    xs = alt.Scale(domain=[lo_a - pad_a, hi_a + pad_a], nice=False, zero=False)
    ys = alt.Scale(domain=[lo_b - pad_b, hi_b + pad_b], nice=False, zero=False)
    x = alt.X("score_a:Q", scale=xs, title=t("chart.score_under", lang, scheme=label_a))
    y = alt.Y("score_b:Q", scale=ys, title=t("chart.score_under", lang, scheme=label_b))
    order = list(QUADRANT_COLORS)
    points = alt.Chart(d).mark_circle(size=90, opacity=0.85).encode(
        x=x, y=y,
        color=alt.Color("quadrant_label:N", title=t("chart.quadrant", lang),
                        scale=alt.Scale(domain=[t(f"chart.quadrant.{q}", lang) for q in order],
                                        range=[QUADRANT_COLORS[q] for q in order]),
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=240)),
        tooltip=[alt.Tooltip("station:N", title=t("chart.station", lang)),
                 alt.Tooltip("score_a:Q", title=label_a, format=".1f"),
                 alt.Tooltip("score_b:Q", title=label_b, format=".1f"),
                 alt.Tooltip("quadrant_label:N", title=t("chart.quadrant", lang))])
    rules = pd.DataFrame({"median_a": [ma], "median_b": [mb]})
    vline = alt.Chart(rules).mark_rule(strokeDash=[5, 4], color="#666").encode(x=alt.X("median_a:Q", scale=xs))
    hline = alt.Chart(rules).mark_rule(strokeDash=[5, 4], color="#666").encode(y=alt.Y("median_b:Q", scale=ys))
    corners = pd.DataFrame([
        {"quadrant": "show_window", "x": hi_a + pad_a * 0.8, "y": lo_b - pad_b * 0.6, "align": "right"},
        {"quadrant": "quiet_achiever", "x": lo_a - pad_a * 0.8, "y": hi_b + pad_b * 0.6, "align": "left"},
        {"quadrant": "both_high", "x": hi_a + pad_a * 0.8, "y": hi_b + pad_b * 0.6, "align": "right"},
        {"quadrant": "both_low", "x": lo_a - pad_a * 0.8, "y": lo_b - pad_b * 0.6, "align": "left"},
    ])
    corners["label"] = corners["quadrant"].map(lambda q: t(f"chart.quadrant.{q}", lang))
    labels = []
    for align in ("left", "right"):
        part = corners[corners["align"] == align]
        labels.append(alt.Chart(part).mark_text(align=align, fontWeight="bold", font=FONT, fontSize=13).encode(
            x=alt.X("x:Q", scale=xs), y=alt.Y("y:Q", scale=ys), text="label:N",
            color=alt.Color("quadrant:N", scale=alt.Scale(domain=order, range=[QUADRANT_COLORS[q] for q in order]),
                            legend=None)))
    # Name the extremes (the most show-window and most quiet-achieving stations, the highest and lowest under
    # each scheme): the points that tell the story carry a name; labels point inwards so none is clipped.
    gap = d["score_a"] - d["score_b"]
    ext = set(gap.nlargest(2).index) | set(gap.nsmallest(2).index) | {
        d["score_a"].idxmax(), d["score_a"].idxmin(), d["score_b"].idxmax(), d["score_b"].idxmin()} if len(d) else set()
    d["label"] = [str(s) if i in ext else "" for i, s in zip(d.index, d["station"])]
    names = [alt.Chart(d[(d["label"] != "") & ((d["score_a"] > (lo_a + hi_a) / 2) == (align == "right"))]).mark_text(
        align=align, dx=-8 if align == "right" else 8, font=FONT, fontSize=11, color="#333").encode(
        x=alt.X("score_a:Q", scale=xs), y=alt.Y("score_b:Q", scale=ys), text="label:N")
        for align in ("left", "right")]
    return alt.layer(vline, hline, points, *names, *labels).resolve_scale(color="independent").properties(
        title=_title(t("chart.scatter_title", lang), t("chart.scatter_subtitle", lang)),
        height=420, width="container", autosize=AUTOSIZE)


def camp_share_chart(df: pd.DataFrame, lang: str) -> alt.Chart:
    """One bar split into the weight share of each camp. df: camp, camp_label, share (0-1)."""
    d = df.copy()
    d["order"] = (d["camp"] == "needs").astype(int)
    d["pct"] = d["share"].map(lambda s: f"{s:.0%}")
    d["row"] = ""
    base = alt.Chart(d)
    y = alt.Y("row:N", axis=None, title=None)
    domain = [t("camp.output", lang), t("camp.needs", lang)]
    bar = base.mark_bar().encode(
        y=y, x=alt.X("sum(share):Q", stack="zero", axis=alt.Axis(format="%", title=None), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("camp_label:N", title=t("chart.camp", lang),
                        scale=alt.Scale(domain=domain, range=[CAMP_COLORS["output"], CAMP_COLORS["needs"]]),
                        legend=alt.Legend(orient="right")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("camp_label:N", title=t("chart.camp", lang)),
                 alt.Tooltip("share:Q", title=t("chart.share", lang), format=".1%")])
    text = base.transform_filter("datum.share >= 0.06").mark_text(color="white", fontWeight="bold", font=FONT).encode(
        y=y, x=alt.X("sum(share):Q", stack="zero", bandPosition=0.5), text="pct:N", order=alt.Order("order:Q"),
        detail="camp_label:N")
    return alt.layer(bar, text).properties(title=_title(t("chart.camp_title", lang)), height=34, width="container", autosize=AUTOSIZE)


def ranking_chart(df: pd.DataFrame, lang: str, title: str | None = None) -> alt.LayerChart:
    """Compact ranking: one bar per station, best on top. df: station, score, rank."""
    d = df.copy()
    order = d.sort_values(["rank", "station"])["station"].tolist()
    base = alt.Chart(d)
    # fields spelled out, not "station:N": altair compiles its shorthand patterns on first use, 37 ms of the app's
    # first page, which draws only this chart
    station, score = dict(field="station", type="nominal"), dict(field="score", type="quantitative")
    bars = base.mark_bar(color=CAMP_COLORS["needs"], opacity=0.85).encode(
        y=alt.Y(**station, sort=order, title=None, axis=alt.Axis(labelLimit=200)),
        x=alt.X(**score, title=t("chart.score", lang), scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip(**station, title=t("chart.station", lang)),
                 alt.Tooltip(field="rank", type="quantitative", title=t("chart.rank", lang)),
                 alt.Tooltip(**score, title=t("chart.score", lang), format=".1f")])
    text = base.mark_text(align="left", dx=3, font=FONT, fontSize=11).encode(
        y=alt.Y(**station, sort=order), x=alt.X(**score), text=alt.Text(**score, format=".1f"))
    return alt.layer(bars, text).properties(title=_title(title or t("chart.ranking_title", lang)),
                                            height=max(120, ROW_PX * len(order)), width="container", autosize=AUTOSIZE)


def intervals_chart(df: pd.DataFrame, lang: str, top_k: int = 5) -> alt.LayerChart:
    """Rank intervals from the sensitivity analysis: a bar from the 5th to the 95th percentile rank,
    a tick at the median, a dot at the rank with the chosen weights. df: station, rank, rank_p05,
    rank_p50, rank_p95 (indicators.sensitivity.rank_intervals table)."""
    d = df.copy()
    order = d.sort_values(["rank", "rank_p50", "station"])["station"].tolist()
    n = int(max(d["rank_p95"].max(), d["rank"].max())) if len(d) else 1
    y = alt.Y("station:N", sort=order, title=t("chart.station", lang), axis=alt.Axis(labelLimit=220))
    xs = alt.Scale(domain=[0.5, n + 0.5], nice=False)
    tooltip = [alt.Tooltip("station:N", title=t("chart.station", lang)),
               alt.Tooltip("rank:Q", title=t("chart.rank_chosen", lang)),
               alt.Tooltip("rank_p05:Q", title="p05"), alt.Tooltip("rank_p50:Q", title="p50"),
               alt.Tooltip("rank_p95:Q", title="p95")]
    base = alt.Chart(d)
    band = base.mark_rule(strokeWidth=7, opacity=0.45, color=CAMP_COLORS["needs"]).encode(
        y=y, x=alt.X("rank_p05:Q", scale=xs, title=t("chart.rank_interval_axis", lang)), x2="rank_p95:Q",
        tooltip=tooltip)
    median = base.mark_tick(thickness=2, size=14, color="#08306b").encode(y=y, x=alt.X("rank_p50:Q", scale=xs))
    chosen = base.mark_point(filled=True, size=50, color="#e6550d").encode(y=y, x=alt.X("rank:Q", scale=xs),
                                                                             tooltip=tooltip)
    cut = alt.Chart(pd.DataFrame({"k": [top_k + 0.5]})).mark_rule(strokeDash=[4, 4], color="#888").encode(
        x=alt.X("k:Q", scale=xs))
    return alt.layer(band, median, chosen, cut).properties(
        title=_title(t("chart.intervals_title", lang), t("chart.intervals_subtitle", lang, k=top_k)),
        height=max(160, ROW_PX * len(order)), width="container", autosize=AUTOSIZE)


# ---------------------------------------------------------------- statistical audit (indicators/analysis/audit.py)

def correlation_heatmap(df: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Indicator x indicator correlations as a heatmap, red for negative, blue for positive, r written in each
    cell. df (long): a, b (indicator labels, in scheme order), r (NaN where an indicator does not vary)."""
    order = list(dict.fromkeys(df["a"]))
    base = alt.Chart(df)
    scale = alt.Scale(domain=[-1, 0, 1], range=["#d73027", "#f7f7f7", "#2b7bba"])
    cells = base.mark_rect().encode(
        x=alt.X("b:N", sort=order, title=None, axis=alt.Axis(labelAngle=-40, labelLimit=160, labelOverlap=False)),
        y=alt.Y("a:N", sort=order, title=None, axis=alt.Axis(labelLimit=200)),
        color=alt.Color("r:Q", scale=scale, title="r", legend=alt.Legend(orient="right")),
        tooltip=[alt.Tooltip("a:N", title=t("col.indicator", lang)), alt.Tooltip("b:N", title=t("col.indicator", lang)),
                 alt.Tooltip("r:Q", format=".2f")])
    text = base.mark_text(font=FONT, fontSize=10).encode(
        x=alt.X("b:N", sort=order), y=alt.Y("a:N", sort=order), text=alt.Text("r:Q", format=".2f"),
        color=alt.condition("abs(datum.r) > 0.7", alt.value("white"), alt.value("#333")))
    return alt.layer(cells, text).properties(title=_title(t("chart.corr", lang)), height=max(160, 34 * len(order)),
                                             width="container", autosize=AUTOSIZE)


def _paired_bars(df: pd.DataFrame, y: str, pair: str, x: alt.X, colors: list[str], title: str, legend: str,
                 tooltip: list) -> alt.Chart:
    """Horizontal bars in pairs: one row per `y`, two bars (the values of `pair`) side by side in it."""
    rows, pairs = list(dict.fromkeys(df[y])), list(dict.fromkeys(df[pair]))
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y(f"{y}:N", sort=rows, title=None, axis=alt.Axis(labelLimit=220)),
        yOffset=alt.YOffset(f"{pair}:N", sort=pairs), x=x,
        color=alt.Color(f"{pair}:N", sort=pairs, title=legend, scale=alt.Scale(range=colors),
                        legend=alt.Legend(orient="top")),
        tooltip=tooltip,
    ).properties(title=_title(title), height=max(120, 2 * ROW_PX * len(rows)), width="container", autosize=AUTOSIZE)


def importance_chart(df: pd.DataFrame, lang: str) -> alt.Chart:
    """Nominal weight beside effective importance per indicator. df (long): indicator, measure (label), share."""
    return _paired_bars(
        df, "indicator", "measure", alt.X("share:Q", title=t("chart.sa_share", lang), axis=alt.Axis(format="%")),
        ["#9e9e9e", CAMP_COLORS["needs"]], t("chart.importance", lang), t("chart.measure", lang),
        [alt.Tooltip("indicator:N", title=t("col.indicator", lang)), alt.Tooltip("measure:N"),
         alt.Tooltip("share:Q", format=".1%")])


def sobol_chart(df: pd.DataFrame, lang: str) -> alt.LayerChart:
    """First-order and total Sobol indices per uncertain choice, each with its 95% interval as a line across the
    bar; an uncertain index's bar is pale, so the eye reads the interval, not the bar's end.
    df (long, `audit_views.sobol_long`): factor, index (labels), value, lo, hi, uncertain (bool), reading (words),
    text."""
    rows, pairs = list(dict.fromkeys(df["factor"])), list(dict.fromkeys(df["index"]))
    scale = alt.Scale(domain=[0, 1], clamp=True)    # estimates and intervals may stray past 0 or 1
    tooltip = [alt.Tooltip("factor:N", title=t("col.factor", lang)), alt.Tooltip("index:N", title=t("chart.index", lang)),
               alt.Tooltip("text:N", title=t("chart.sobol", lang)),
               alt.Tooltip("reading:N", title=t("sobol.chart.reading", lang))]
    # y, the offset and x (the value) are the layer's, so both marks share one scale; the rule's x is the interval's
    bars = alt.Chart().mark_bar().encode(
        color=alt.Color("index:N", sort=pairs, title=t("chart.index", lang),
                        scale=alt.Scale(range=["#fd8d3c", "#a63603"]), legend=alt.Legend(orient="top")),
        opacity=alt.condition("datum.uncertain", alt.value(0.3), alt.value(1.0)))
    interval = alt.Chart().mark_rule(color="#333", strokeWidth=1.5).encode(x=alt.X("lo:Q", scale=scale), x2="hi:Q")
    return alt.layer(bars, interval, data=df).encode(
        y=alt.Y("factor:N", sort=rows, title=None, axis=alt.Axis(labelLimit=220)),
        yOffset=alt.YOffset("index:N", sort=pairs),
        x=alt.X("value:Q", title=t("chart.sobol", lang), scale=scale, axis=alt.Axis(format="%")),
        tooltip=tooltip,
    ).properties(title=_title(t("chart.sobol", lang), t("sobol.chart.interval", lang, wide=f"{WIDE:g}")),
                 height=max(120, 2 * ROW_PX * len(rows)), width="container", autosize=AUTOSIZE)


TREE_COLORS = ("#2b7bba", "#31a354", "#756bb1", "#e6550d", "#636363", "#d6616b", "#8c6d31", "#17becf")


def _fit(text: str, units: float) -> str:
    """`text` cut to about `units` half-width characters (a Chinese character counts two), with an ellipsis;
    "" when not even a few fit (a box's width in % of the chart times ~1.2 is what fits at 11 px)."""
    def width(s):
        return sum(2 if ord(ch) > 0x2e80 else 1 for ch in s)
    if width(text) <= units:
        return text
    if units < 5:
        return ""
    out = ""
    for ch in text:
        if width(out + ch) > units - 1:
            break
        out += ch
    return out + "…"


def _two_lines(text: str, units: float) -> str:
    """`text` on up to two lines of about `units` half-width characters each (see _fit), broken at a space
    where there is one, the second line cut with an ellipsis if it is still too long."""
    if _fit(text, units) == text or units < 5:
        return _fit(text, units)
    first = _fit(text, units)[:-1]                    # what fits on the first line, without the ellipsis
    space = first.rfind(" ")
    if space > 0 and not text[len(first):len(first) + 1].isspace():
        first = first[:space]                         # break before the word that does not fit
    return first.rstrip() + "\n" + _fit(text[len(first):].strip(), units)


def icicle_chart(df: pd.DataFrame, lang: str, points: bool = False) -> alt.LayerChart:
    """The scheme's weights as an icicle (a sunburst unrolled): one band per level of the tree, each node a box
    as wide as its share of the total weight, its children directly below it. Colour is the top-level dimension.

    df: views.tree_frame (code, name, kind, depth, top, within, effective, points, x0, x1)."""
    data = df.copy()
    data["label"] = [_two_lines(n, (b - a) * 1.2) for n, a, b in zip(data["name"], data["x0"], data["x1"])]
    data["xm"] = (data["x0"] + data["x1"]) / 2
    tops = list(dict.fromkeys(data["top"]))
    levels = int(data["depth"].max())
    y = alt.Y("depth:O", title=t("chart.level", lang), scale=alt.Scale(domain=list(range(1, levels + 1))),
              axis=alt.Axis(labelExpr="datum.value"))
    tooltip = [alt.Tooltip("name:N", title=t("chart.node", lang)), alt.Tooltip("code:N", title="code"),
               alt.Tooltip("within:Q", title=t("chart.within_parent", lang), format=".1f"),
               alt.Tooltip("effective:Q", title=t("chart.share_total", lang), format=".1f")]
    if points:
        tooltip.append(alt.Tooltip("points:Q", title=t("chart.points_node", lang), format="g"))
    base = alt.Chart(data)
    boxes = base.mark_rect(stroke="white", strokeWidth=1.5).encode(
        x=alt.X("x0:Q", title=t("chart.share_total", lang) + " (%)", scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(grid=False)),
        x2="x1:Q", y=y,
        color=alt.Color("top:N", title=t("chart.top_dimension", lang),
                        scale=alt.Scale(domain=tops, range=[TREE_COLORS[n % len(TREE_COLORS)]
                                                            for n in range(len(tops))]),
                        legend=alt.Legend(orient="bottom", labelLimit=300)),
        opacity=alt.Opacity("kind:N", scale=alt.Scale(domain=["dimension", "indicator"], range=[1.0, 0.6]),
                            legend=None),
        tooltip=tooltip)
    # a two-line label moves up half a line, so that both lines sit in the middle of their box
    text, text2 = (base.mark_text(color="white", fontSize=11, font=FONT, limit=160, lineBreak="\n", dy=dy).encode(
        x="xm:Q", y=y, text="label:N", tooltip=tooltip).transform_filter(f"indexof(datum.label, '\\n') {test}")
        for dy, test in ((0, "< 0"), (-6.5, ">= 0")))
    subtitle = t("chart.icicle_points_subtitle" if points else "chart.icicle_subtitle", lang)
    return alt.layer(boxes, text, text2).properties(title=_title(t("chart.icicle_title", lang), subtitle),
                                             height=46 * levels, width="container", autosize=AUTOSIZE)


# ---------------------------------------------------------------- evidence audit (indicators/analysis/evidence.py)

# One colour per kind of evidence, the same on every screen: paper in the output camp's orange, residents in the
# needs camp's blue, site checks between them, other grey.
EVIDENCE_COLORS = {"paper": "#e6550d", "site": "#756bb1", "residents": "#2b7bba", "other": "#bdbdbd"}


def evidence_chart(shares, lang: str) -> alt.LayerChart:
    """One bar of the scheme's points (or weight) split by the kind of evidence that earns them, paper first.
    shares: an analysis.evidence.EvidenceShares (its `kinds`: index kind, points, share, items; `total`, `unit`)."""
    kinds = shares.kinds
    d = pd.DataFrame({"kind": list(kinds.index), "points": kinds["points"].astype(float).to_numpy(),
                      "share": kinds["share"].astype(float).to_numpy(), "items": kinds["items"].astype(int).to_numpy()})
    d["label"] = [t(f"ev.kind.{k}", lang) for k in d["kind"]]
    d["order"] = [list(EVIDENCE_COLORS).index(k) for k in d["kind"]]
    d["pct"] = ([f"{p}%" for p in kinds["percent"]] if "percent" in kinds  # as the sentence says them
                else d["share"].map(lambda s: f"{s:.0%}"))
    d["row"] = ""
    total = float(shares.total)
    points = shares.unit == "points"
    base = alt.Chart(d)
    y = alt.Y("row:N", axis=None, title=None)
    x_title = t("ev.chart.points", lang) if points else t("ev.col.score", lang)
    bar = base.mark_bar().encode(
        y=y, x=alt.X("sum(points):Q", stack="zero", title=x_title, scale=alt.Scale(domain=[0, total or 1]),
                     axis=alt.Axis(format=NUMBER_FORMAT[lang])),
        color=alt.Color("label:N", title=t("ev.chart.kind", lang),
                        scale=alt.Scale(domain=[t(f"ev.kind.{k}", lang) for k in EVIDENCE_COLORS],
                                        range=list(EVIDENCE_COLORS.values())),
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("label:N", title=t("ev.chart.kind", lang)),
                 alt.Tooltip("points:Q", title=x_title, format=".4g"),
                 alt.Tooltip("share:Q", title=t("ev.chart.share", lang), format=".1%"),
                 alt.Tooltip("items:Q", title=t("ev.chart.items", lang))])
    text = base.transform_filter("datum.share >= 0.06").mark_text(color="white", fontWeight="bold", font=FONT).encode(
        y=y, x=alt.X("sum(points):Q", stack="zero", bandPosition=0.5), text="pct:N", order=alt.Order("order:Q"),
        detail="label:N")
    sub = (t("ev.chart.subtitle", lang, total=f"{total:,g}" if lang == "en" else f"{total:g}") if points
           else t("ev.chart.subtitle_weights", lang))
    return alt.layer(bar, text).properties(title=_title(t("ev.chart.title", lang), sub), height=44,
                                           width="container", autosize=AUTOSIZE)
