"""Charts are values: each builder takes plain DataFrames and a language and returns an Altair chart,
checked here through chart.to_dict() (encodings, data, titles in both languages)."""
import altair as alt
import numpy as np
import pandas as pd
import pytest

from indicators.scheme import catalog

from indicators.outputs import charts

from indicators.records import store as records

from indicators.scoring import engine as scoring

from indicators.outputs import views
from indicators.analysis.compare import compare
from indicators.i18n import t
from indicators.analysis.sensitivity import rank_intervals


def rows(spec: dict) -> list[dict]:
    """Every data row a chart spec carries (all named datasets, in order)."""
    return [r for values in spec.get("datasets", {}).values() for r in values]


def layers(spec: dict) -> list[dict]:
    return spec["layer"] if "layer" in spec else [spec]


def layer_with(spec: dict, mark: str) -> dict:
    found = [lay for lay in layers(spec) if (lay["mark"]["type"] if isinstance(lay["mark"], dict) else lay["mark"]) == mark]
    assert found, f"no {mark} layer"
    return found[0]


@pytest.fixture
def contributions():
    return pd.DataFrame({
        "station": ["甲站", "甲站", "乙站", "乙站"], "rank": [1, 1, 2, 2], "score": [70.0, 70.0, 45.0, 45.0],
        "indicator": ["Photos", "Needs resolved"] * 2, "camp": ["output", "needs"] * 2,
        "camp_label": ["Output", "Needs"] * 2, "contribution": [30.0, 40.0, 5.0, 40.0]})


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_contribution_chart(contributions, lang):
    spec = charts.contribution_chart(contributions, lang).to_dict()
    enc = spec["encoding"]
    assert spec["mark"]["type"] == "bar"
    assert enc["x"]["field"] == "contribution" and enc["x"]["aggregate"] == "sum"
    assert enc["y"]["field"] == "station" and enc["y"]["sort"] == ["甲站", "乙站"]   # best first
    assert enc["color"]["field"] == "indicator"
    # the camp is shown: output indicators in the orange family, needs in blue-green, camp in the tooltip
    scale = dict(zip(enc["color"]["scale"]["domain"], enc["color"]["scale"]["range"]))
    assert scale["Photos"] in charts.OUTPUT_COLORS and scale["Needs resolved"] in charts.NEEDS_COLORS
    assert "camp_label" in [tt["field"] for tt in enc["tooltip"]]
    assert enc["order"]["field"] == "camp_order"
    assert sorted(r["contribution"] for r in rows(spec)) == [5.0, 30.0, 40.0, 40.0]
    assert spec["title"]["text"] == t("chart.contrib_title", lang)
    assert enc["x"]["title"] == t("chart.points", lang)
    assert spec["autosize"]["type"] == "fit-x"


def test_contribution_chart_titles_differ_by_language(contributions):
    en = charts.contribution_chart(contributions, "en").to_dict()
    zh = charts.contribution_chart(contributions, "zh").to_dict()
    assert en["title"]["text"] == "What each score is made of"
    assert zh["title"]["text"] == "每个得分由什么构成"
    assert zh["encoding"]["y"]["title"] == "社工站" and en["encoding"]["y"]["title"] == "Station"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_slope_chart(lang):
    df = pd.DataFrame({"station": ["A", "B", "C"], "rank_a": [1, 2, 3], "rank_b": [3, 1, 2]})
    spec = charts.slope_chart(df, lang, "Photo count", "Needs met").to_dict()
    line = layer_with(spec, "line")
    assert line["encoding"]["y"]["field"] == "rank"
    assert line["encoding"]["y"]["scale"]["domain"] == [3.5, 0.5]          # rank 1 on top
    assert line["encoding"]["detail"]["field"] == "station"
    data = [r for r in rows(spec) if "rank" in r]
    assert {(r["station"], r["side"], r["rank"]) for r in data} == {
        ("A", 0, 1), ("A", 1, 3), ("B", 0, 2), ("B", 1, 1), ("C", 0, 3), ("C", 1, 2)}
    moves = {r["station"]: r["move"] for r in data}
    assert moves == {"A": "down", "B": "up", "C": "up"}
    assert spec["title"]["text"] == t("chart.slope_title", lang)
    assert "Photo count" in spec["title"]["subtitle"] and "Needs met" in spec["title"]["subtitle"]
    heads = [r["label"] for r in rows(spec) if "label" in r]
    assert heads == ["Photo count", "Needs met"]


def test_quadrants_are_named_as_the_study_does():
    assert charts.quadrant(80, 20, 50, 50) == "show_window"       # high photo count, few needs met
    assert charts.quadrant(20, 80, 50, 50) == "quiet_achiever"
    assert charts.quadrant(80, 80, 50, 50) == "both_high"
    assert charts.quadrant(20, 20, 50, 50) == "both_low"


@pytest.mark.parametrize("lang, show, quiet", [("en", "Display-oriented", "Results-oriented"), ("zh", "重展示型", "重实效型")])
def test_quadrant_chart(lang, show, quiet):
    df = pd.DataFrame({"station": ["S1", "S2", "S3", "S4"], "score_a": [90.0, 10.0, 80.0, 20.0],
                       "score_b": [10.0, 90.0, 70.0, 30.0]})
    spec = charts.quadrant_chart(df, lang, "A", "B").to_dict()
    points = layer_with(spec, "circle")
    assert points["encoding"]["x"]["field"] == "score_a" and points["encoding"]["y"]["field"] == "score_b"
    labels = {r["station"]: r["quadrant"] for r in rows(spec) if "station" in r}
    assert labels == {"S1": "show_window", "S2": "quiet_achiever", "S3": "both_high", "S4": "both_low"}
    medians = [r for r in rows(spec) if "median_a" in r][0]
    assert medians == {"median_a": 50.0, "median_b": 50.0}
    rules = [lay for lay in layers(spec) if lay["mark"]["type"] == "rule"]
    assert {next(iter(r["encoding"])) for r in rules} == {"x", "y"}        # one median line each way
    corner_text = {r["label"] for r in rows(spec) if "label" in r}
    assert {show, quiet} <= corner_text
    assert spec["title"]["text"] == t("chart.scatter_title", lang)
    assert points["encoding"]["x"]["title"] == t("chart.score_under", lang, scheme="A")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_camp_share_chart(lang):
    df = views.camp_frame({"output": 0.25, "needs": 0.75}, lang)
    spec = charts.camp_share_chart(df, lang).to_dict()
    bar = layer_with(spec, "bar")
    assert bar["encoding"]["x"]["field"] == "share" and bar["encoding"]["x"]["stack"] == "zero"
    assert bar["encoding"]["color"]["scale"]["domain"] == [t("camp.output", lang), t("camp.needs", lang)]
    assert bar["encoding"]["color"]["scale"]["range"] == [charts.CAMP_COLORS["output"], charts.CAMP_COLORS["needs"]]
    assert {(r["camp"], r["share"], r["pct"]) for r in rows(spec)} == {("output", 0.25, "25%"), ("needs", 0.75, "75%")}
    assert spec["title"]["text"] == t("chart.camp_title", lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ranking_chart(lang):
    df = pd.DataFrame({"station": ["B", "A"], "score": [40.0, 80.0], "rank": [2, 1]})
    spec = charts.ranking_chart(df, lang).to_dict()
    bar = layer_with(spec, "bar")
    assert bar["encoding"]["y"]["sort"] == ["A", "B"] and bar["encoding"]["x"]["field"] == "score"
    assert spec["title"]["text"] == t("chart.ranking_title", lang)
    assert bar["encoding"]["x"]["title"] == t("chart.score", lang)
    # its fields are spelled out (no shorthand parsing on the first page): the same spec as altair's shorthand gives
    d, order = df.copy(), ["A", "B"]
    base = alt.Chart(d)
    bars = base.mark_bar(color=charts.CAMP_COLORS["needs"], opacity=0.85).encode(
        y=alt.Y("station:N", sort=order, title=None, axis=alt.Axis(labelLimit=200)),
        x=alt.X("score:Q", title=t("chart.score", lang), scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("station:N", title=t("chart.station", lang)),
                 alt.Tooltip("rank:Q", title=t("chart.rank", lang)),
                 alt.Tooltip("score:Q", title=t("chart.score", lang), format=".1f")])
    text = base.mark_text(align="left", dx=3, font=charts.FONT, fontSize=11).encode(
        y=alt.Y("station:N", sort=order), x="score:Q", text=alt.Text("score:Q", format=".1f"))
    assert [x["encoding"] for x in spec["layer"]] == [x.to_dict()["encoding"] for x in (bars, text)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_intervals_chart(lang):
    df = pd.DataFrame({"station": ["A", "B", "C"], "rank": [1, 2, 3], "rank_p05": [1, 1, 2],
                       "rank_p50": [1, 2, 3], "rank_p95": [2, 3, 3]})
    spec = charts.intervals_chart(df, lang, top_k=2).to_dict()
    band = layer_with(spec, "rule")
    assert band["encoding"]["x"]["field"] == "rank_p05" and band["encoding"]["x2"]["field"] == "rank_p95"
    assert band["encoding"]["y"]["sort"] == ["A", "B", "C"]
    assert layer_with(spec, "tick")["encoding"]["x"]["field"] == "rank_p50"
    assert layer_with(spec, "point")["encoding"]["x"]["field"] == "rank"
    assert {"k": 2.5} in rows(spec)                                          # the top-k cut line
    assert spec["title"]["text"] == t("chart.intervals_title", lang)
    assert "\n".join(spec["title"]["subtitle"]) == t("chart.intervals_subtitle", lang, k=2)   # two lines


def test_charts_from_real_results(demo_db):
    """views -> charts on the demo: every chart builds and validates against the Vega-Lite schema."""
    con = records.connect(demo_db, read_only=True)
    try:
        a = scoring.score(con, catalog.builtin("photo-count"))
        b = scoring.score(con, catalog.builtin("needs-met"))
    finally:
        con.close()
    cmp = compare(a, b)
    sens = rank_intervals(b.normalised, b.weights["effective"].to_numpy(), list(b.stations.index), draws=200)
    for lang in ("en", "zh"):
        built = [
            charts.contribution_chart(views.contributions_long(b, lang), lang),
            charts.slope_chart(views.comparison_frame(cmp, lang), lang, "A", "B"),
            charts.quadrant_chart(views.scatter_frame(cmp, lang), lang, "A", "B"),
            charts.camp_share_chart(views.camp_frame({"output": 0.0, "needs": 1.0}, lang), lang),
            charts.ranking_chart(views.ranking_changes(b, b, lang), lang),
            charts.intervals_chart(views.intervals_frame(sens, b, lang), lang),
        ]
        for chart in built:
            assert isinstance(chart, (alt.Chart, alt.LayerChart))
            spec = chart.to_dict(validate=True)
            assert rows(spec)
    contrib = views.contributions_long(b, "zh")
    assert len(contrib) == len(b.stations) * len(b.scheme.indicators)
    sums = contrib.groupby("station_id")["contribution"].sum().sort_index()
    assert np.allclose(sums.to_numpy(), b.total.sort_index().to_numpy())      # the bars add up to the scores
    assert list(contrib.drop_duplicates("station_id")["rank"]) == sorted(b.rank)


def test_audit_charts_are_values():
    corr = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["x", "y", "x", "y"], "r": [1, -0.5, -0.5, 1]})
    spec = charts.correlation_heatmap(corr, "en").to_dict()
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == [-1, 0, 1]
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["x", "y"]
    imp = pd.DataFrame({"indicator": ["x", "x"], "measure": ["Nominal weight", "Effective importance"],
                        "share": [0.5, 0.3]})
    spec = charts.importance_chart(imp, "zh").to_dict()
    assert spec["encoding"]["yOffset"]["field"] == "measure" and spec["title"]["text"] == "设定的权重与实际起作用的权重"
    sob = pd.DataFrame({"factor": ["Weights", "Weights"], "index": ["First order", "Total"], "value": [0.2, 0.4]})
    spec = charts.sobol_chart(sob, "en").to_dict()
    assert spec["encoding"]["x"]["scale"]["domain"] == [0, 1]
