"""Charts a new evaluator could not read: 16 near-identical shades, unlabelled scatter points, clipped slope
labels. Checked through chart.to_dict()."""
from collections import defaultdict

import pandas as pd
import pytest

from indicators.outputs import charts
from indicators.i18n import t
from tests.test_charts import layers, rows


def many_contributions(n_ind: int = 16) -> pd.DataFrame:
    out = []
    for s, (name, score) in enumerate((("甲站", 80.0), ("乙站", 50.0))):
        for k in range(n_ind):
            camp = "output" if k < 4 else "needs"
            out.append({"station": name, "rank": s + 1, "score": score, "indicator": f"Indicator {k:02d}",
                        "camp": camp, "camp_label": camp.title(), "contribution": score * (k + 1) / 136})
    return pd.DataFrame(out)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_contribution_chart_names_the_top_contributors_and_pools_the_rest_by_camp(lang):
    spec = charts.contribution_chart(many_contributions(), lang).to_dict()
    scale = spec["encoding"]["color"]["scale"]
    domain, colours = scale["domain"], scale["range"]
    named = [d for d in domain if d.startswith("Indicator")]
    assert len(named) == charts.TOP_CONTRIBUTORS == len(set(colours[:len(named)]))   # distinct shades only
    assert named == [f"Indicator {k:02d}" for k in range(15, 7, -1)] or set(named) == {
        f"Indicator {k:02d}" for k in range(8, 16)}                                      # the biggest eight
    other = t("nc.chart.other", lang, camp=t("camp.needs", lang))
    assert other in domain and len(domain) <= charts.TOP_CONTRIBUTORS + 2
    # nothing is lost: each station's contributions still add up to its score
    total = defaultdict(float)
    for r in rows(spec):
        total[r["station"]] += r["contribution"]
    assert total == pytest.approx({"甲站": 80.0, "乙站": 50.0})


def test_a_small_scheme_keeps_every_indicator():
    spec = charts.contribution_chart(many_contributions(5), "en").to_dict()
    assert sorted(spec["encoding"]["color"]["scale"]["domain"]) == [f"Indicator {k:02d}" for k in range(5)]


def test_the_scatter_names_its_extreme_stations():
    d = pd.DataFrame({"station": [f"S{k}" for k in range(10)],
                      "score_a": [90, 10, 50, 52, 48, 51, 49, 50, 53, 47],
                      "score_b": [15, 85, 50, 51, 49, 52, 48, 50, 47, 53]})
    spec = charts.quadrant_chart(d, "en", "Photo count", "Needs met").to_dict()
    texts = [lay for lay in layers(spec) if lay["mark"]["type"] == "text" and lay["encoding"]["text"]["field"] == "label"]
    assert texts
    named = {r["label"] for lay in texts for r in spec["datasets"][lay["data"]["name"]] if r["label"]}
    assert {"S0", "S1"} <= named and len(named) <= 8       # the show window and the quiet achiever, not everyone
    assert "S2" not in named and "S7" not in named         # middling stations stay unlabelled


def test_slope_labels_carry_the_rank_and_get_room_for_long_english_names():
    names = ["Dongfanghong Square Community Station", "Yantan Sub-district Station", "C"]
    df = pd.DataFrame({"station": names, "rank_a": [1, 2, 3], "rank_b": [3, 1, 2]})
    spec = charts.slope_chart(df, "en", "Photo count", "Needs met").to_dict()
    text = [lay for lay in layers(spec) if lay["mark"]["type"] == "text" and lay["encoding"]["text"]["field"] == "name_rank"]
    assert len(text) == 2
    assert all(lay["encoding"]["y"].get("axis", "none") is None for lay in layers(spec)
               if lay["encoding"].get("y", {}).get("field") == "rank")      # no rank axis for labels to run into
    labels = {r["name_rank"] for r in rows(spec) if "name_rank" in r}
    assert "1. Dongfanghong Square Community Station" in labels and "3. Dongfanghong Square Community Station" in labels
    pad = -text[0]["encoding"]["x"]["scale"]["domain"][0]
    short = charts.slope_chart(df.assign(station=["A", "B", "C"]), "en", "a", "b").to_dict()
    short_pad = -[lay for lay in layers(short) if "x" in lay["encoding"]][0]["encoding"]["x"]["scale"]["domain"][0]
    assert pad > short_pad >= 0.9          # long names get more room than the old fixed 0.9
