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
