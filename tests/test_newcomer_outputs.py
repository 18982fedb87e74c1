"""Station sentences and report cards never praise missing data (issue: "no data, scored 71" among strengths)."""
import re

import numpy as np
import pandas as pd

from indicators.outputs import report, views
from indicators.scoring.engine import score_raw
from tests.test_scoring import ind, scheme, stations


def result():
    """S0 has no data on `a` (the median fills it, above most), scores 0 on `b`, and leads on `c`."""
    raw = pd.DataFrame({"a": [np.nan, 0, 10, 8], "b": [0, 5, 10, 10], "c": [10, 0, 1, 2]}, index=stations(4).index)
    sch = scheme((1, [ind("a", weight=3), ind("b", weight=1), ind("c", weight=1)]))
    return score_raw(sch, raw, stations(4))


def test_strengths_come_only_from_indicators_with_data_and_a_lead():
    r = result()
    assert r.missing.at["S0", "a"] and r.normalised.at["S0", "a"] > 50    # the fill scores well ...
    for lang in ("en", "zh"):
        strong, weak = views.strengths_weaknesses(r, "S0", lang)
        assert [s.split(":")[0].split("：")[0] for s in strong] == ["c"]    # ... and is never praised
        assert [s.split(":")[0].split("：")[0] for s in weak] == ["b"]      # b scores 0: a weakness, not a strength
        gaps = views.imputed(r, "S0", lang)
        assert len(gaps) == 1 and gaps[0].startswith("a") and ("no data" in gaps[0] or "无数据" in gaps[0])


def test_a_station_at_the_best_is_told_so_not_that_it_is_zero_points_short():
    r = result()   # S0 leads on c: nothing short of the best there
    for lang, said in (("en", "as good as the best station"), ("zh", "与最优社工站持平")):
        strong, _ = views.strengths_weaknesses(r, "S0", lang)
        assert said in strong[0] and "0.0 points" not in strong[0] and "仅差0.0" not in strong[0]


def test_report_card_lists_no_imputed_value_among_strengths():
    r = result()
    for lang in ("en", "zh"):
        html = report.station_report(r, "S0", lang)
        lists = re.findall(r"<h2>[^<]*</h2><ul>(.*?)</ul>", html)
        strengths, weaknesses = lists[0], lists[1]
        assert "<li>c" in strengths and "<li>a" not in strengths and "<li>b" not in strengths
        assert "<li>a" not in weaknesses
        assert ("No data for a" in html) or ("a无数据" in html)


def test_report_chart_labels_are_not_cut():
    long_en = "Share of urgent needs resolved within thirty days"      # 49 characters
    long_zh = "三十天内解决的紧急需求占比（按户数加权）"
    svg = report._bar_chart([(long_en, 50.0, 40.0), (long_zh, 20.0, 30.0), ("x", 1.0, 2.0)], 100.0,
                            {"this": "this", "average": "avg"}, marker=True)
    assert f">{long_en}</text>" in svg and f">{long_zh}</text>" in svg and "…" not in svg
