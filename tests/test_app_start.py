"""What the app costs at start: the first page (the Overview) is drawn without importing scipy or the other heavy
libraries no first page uses, and the rank correlations computed without scipy equal scipy's to the last bit."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.analysis import compare as comparing

ROOT = Path(__file__).resolve().parent.parent
# Libraries the first page does not draw with: each costs 0.1-1 s of CPU to import, paid by every new server process
# before its first page (scipy.stats alone about 0.6 s on 2 cores). Import them where they are used.
NOT_AT_START = ("scipy", "openpyxl", "pyspark", "matplotlib", "statsmodels", "sklearn")

_FIRST_PAGE = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=120)
at.session_state["_user"] = {"name": "start-test", "role": "lead"}
at.context["locale"] = "en-US"
at.run()
assert not at.exception, [e.value for e in at.exception]
print(json.dumps({"titles": [t.value for t in at.title], "modules": sorted(sys.modules)}))
"""


def test_first_page_imports_no_heavy_library(db):
    """A new process (as `streamlit run` is) draws the first page of a signed-in lead, the Overview with its two
    rankings, and has imported none of NOT_AT_START."""
    done = subprocess.run([sys.executable, "-c", _FIRST_PAGE], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "INDICATORS_DB": str(db), "PYTHONPATH": str(ROOT)}, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    from indicators.i18n import t
    assert out["titles"] == [t("ov.title", "en")]          # the Overview was drawn, not a refusal
    loaded = {m.split(".")[0] for m in out["modules"]}
    assert "altair" in loaded                               # the check sees what the page imports
    assert sorted(loaded & set(NOT_AT_START)) == []


def _scipy_tau_rho(a, b) -> tuple[float, float]:
    from scipy import stats
    return float(stats.kendalltau(a, b).statistic), float(stats.spearmanr(a, b).statistic)


def _same(x: float, y: float) -> bool:
    return (np.isnan(x) and np.isnan(y)) or x == y


# ranks as the engine gives them: integers from 1, ties sharing the best rank ("min"), or any tied floats
_ranks = st.lists(st.integers(1, 12), min_size=2, max_size=60)


@settings(max_examples=300, deadline=None)
@given(_ranks, st.data())
def test_tau_and_rho_equal_scipys_bit_for_bit(a, data):
    b = data.draw(st.lists(st.integers(1, 12), min_size=len(a), max_size=len(a)))
    x, y = np.array(a, dtype=float), np.array(b, dtype=float)
    if len(set(a)) < 2 or len(set(b)) < 2:
        return    # compare() says NaN itself before asking (one station, or every station tied)
    tau, rho = comparing.kendall_tau_b(x, y), comparing.spearman_rho(x, y)
    want_tau, want_rho = _scipy_tau_rho(x, y)
    assert _same(tau, want_tau), (tau, want_tau)
    assert _same(rho, want_rho), (rho, want_rho)


def test_tau_and_rho_at_province_size_equal_scipys():
    """3,900 stations with many ties: the pairwise count stays exact (integers) and in bounded memory."""
    rng = np.random.default_rng(7)
    a = pd.Series(rng.integers(1, 400, 3900)).rank(method="min").to_numpy()
    b = pd.Series(rng.integers(1, 400, 3900)).rank(method="min").to_numpy()
    want_tau, want_rho = _scipy_tau_rho(a, b)
    assert comparing.kendall_tau_b(a, b) == want_tau
    assert comparing.spearman_rho(a, b) == want_rho


def test_a_nan_rank_gives_nan_as_scipy_does():
    a, b = np.array([1.0, 2.0, np.nan, 4.0]), np.array([1.0, 3.0, 2.0, 4.0])
    assert np.isnan(comparing.kendall_tau_b(a, b)) and np.isnan(comparing.spearman_rho(a, b))
    assert all(np.isnan(v) for v in _scipy_tau_rho(a, b))


# ---------------------------------------------------------------- the weight slider


def _vega(at) -> list:
    """The Weights page's charts as the browser receives them: (spec, dataset names) per chart, in page order."""
    return [(json.loads(c.proto.spec), [d.name for d in c.proto.datasets]) for c in at.get("vega_lite_chart")]


def test_a_slider_move_sends_the_charts_new_rows_under_the_same_names(db):
    """The browser builds a Vega-Lite chart again from scratch when its spec or its datasets' names change, and
    otherwise hands the drawn chart its new rows. Altair names data by a hash of the rows, so every weight move
    rebuilt both charts of the Weights page: the names must stay, and the camp-share chart's spec with them."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.context["locale"] = "en-US"
    at.run()
    at.switch_page("app_pages/weights.py").run()
    before = [c.proto for c in at.get("vega_lite_chart")]
    reach = next(s for s in at.slider if s.label == "Reach")
    reach.set_value(reach.value + 20).run()
    assert not at.exception, [e.value for e in at.exception]
    after = [c.proto for c in at.get("vega_lite_chart")]
    assert len(after) == len(before) == 2                  # camp share, top 10
    for b, a in zip(before, after):
        assert [d.name for d in a.datasets] == [d.name for d in b.datasets]
        assert json.loads(a.spec)["data"]["name"] in [d.name for d in a.datasets]   # the rows found by that name
    assert after[0].spec == before[0].spec
    assert after[1].datasets[0].data.data != before[1].datasets[0].data.data      # the top 10's new scores


@pytest.fixture(scope="module")
def needs_met(demo_db):
    from indicators.records import store as records
    from indicators.scheme import catalog
    from indicators.scoring.engine import score
    con = records.connect(demo_db, read_only=True)
    try:
        return score(con, catalog.builtin("needs-met"))
    finally:
        con.close()


def _top(base, weights: list[int], lang: str) -> pd.DataFrame:
    """The Weights page's top 10 after setting the top-level dimensions' weights (as its sliders do)."""
    from indicators.outputs import views
    dims = {d.id: w for d, w in zip(base.scheme.dimensions, weights)}
    inds = {i.id: i.weight for i in base.scheme.indicators}
    top = views.ranking_changes(base, base.reweighted(dims, inds), lang, top=10)
    top["move"] = top["move"].where(top["move"] != 0)
    return top


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 100), min_size=5, max_size=5), st.lists(st.integers(1, 100), min_size=5, max_size=5),
       st.sampled_from(["en", "zh"]))
def test_the_top10_spec_a_move_gets_is_the_one_altair_builds(needs_met, w1, w2, lang):
    """weight_charts.top10 builds with altair only the first time it sees an order of stations, and otherwise puts
    the new rows into the spec it kept: for any move, what it returns equals charts.ranking_chart's own spec."""
    from app_pages import weight_charts
    from indicators.outputs import charts
    first, top = _top(needs_met, w1, lang), _top(needs_met, w2, lang)
    seen = first.copy()
    seen["station"] = top["station"].to_numpy()   # the second move's order of stations, the first move's rows
    seen["rank"] = top["rank"].to_numpy()
    weight_charts.top10(seen, lang)               # kept: the layout for this order
    want = weight_charts.named(charts.ranking_chart(top, lang).to_dict(validate=False), "top10")
    assert weight_charts.top10(top, lang) == want
    assert weight_charts.camp_share({"output": 0.25, "needs": 0.75}, lang) == weight_charts.named(
        charts.camp_share_chart(pd.DataFrame([{"camp": "output", "camp_label": _camp("output", lang), "share": 0.25},
                                              {"camp": "needs", "camp_label": _camp("needs", lang), "share": 0.75}]),
                                lang).to_dict(validate=False), "camp_share")


def _camp(camp: str, lang: str) -> str:
    from indicators.i18n import term
    return term("camp", camp, lang)
