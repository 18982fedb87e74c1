"""The Sobol indices as the audit page and the CLI show them: intervals beside every number, "uncertain" instead of
a number too loose to read, error bars on the chart."""
import re

import duckdb
import pytest

from indicators.analysis.audit import audit
from indicators.cli.main import main
from indicators.outputs import audit_views as av
from indicators.outputs import charts
from indicators.scheme import catalog
from indicators.scoring.engine import score

NUMBER_WITH_INTERVAL = {"en": re.compile(r"^-?\d\.\d\d \(-?\d\.\d\d–-?\d\.\d\d\)$"),
                        "zh": re.compile(r"^-?\d\.\d\d（-?\d\.\d\d～-?\d\.\d\d）$")}
EXACT = re.compile(r"^0\.00$")     # a choice that never changed the rank: exactly 0, no interval to give
UNCERTAIN = {"en": re.compile(r"^uncertain( \(-?\d\.\d\d–-?\d\.\d\d\))?$"),
             "zh": re.compile(r"^不确定(（-?\d\.\d\d～-?\d\.\d\d）)?$")}


@pytest.fixture(scope="module")
def needs_met(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        scheme, name = catalog.resolve("needs-met", con)
        result = score(con, scheme, source=name)
    finally:
        con.close()
    return result, audit(result, runs=256, seed=0)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_per_station_cells_carry_an_interval_or_say_uncertain(needs_met, lang):
    result, a = needs_met
    per = av.sobol_stations(a, result, lang)
    s = a.sobol_stations
    s07 = per[per["station"] == result.stations.at["S07", "name" if lang == "zh" else "name_en"]].iloc[0]
    assert UNCERTAIN[lang].match(s07["weights_total"]) and UNCERTAIN[lang].match(s07["weights_first"])
    cells = per[[c for c in per.columns if c.endswith(("_first", "_total"))]]
    for ids, (_, row) in zip(s.sort_values("rank", kind="stable").index, cells.iterrows()):
        for col, text in row.items():
            f, kind = col.rsplit("_", 1)
            x = "s1" if kind == "first" else "st"
            if s.at[ids, f"{x}_{f}"] != s.at[ids, f"{x}_{f}"]:          # no index: the rank never moved
                assert text == "–"
            elif s.at[ids, f"{x}_{f}_uncertain"]:
                assert UNCERTAIN[lang].match(text), text
            else:
                assert NUMBER_WITH_INTERVAL[lang].match(text) or EXACT.match(text), text
    # the choices left out have no columns (needs-met: none left out, so all four pairs are there)
    assert [c for c in per.columns if c.endswith("_total")] == [f"{f}_total" for f in
                                                                ("weights", "normalisation", "missing", "aggregation")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_overall_table_and_chart_show_the_intervals(needs_met, lang):
    _, a = needs_met
    table = av.sobol_table(a, lang)
    for col in ("first", "total"):
        assert all(NUMBER_WITH_INTERVAL[lang].match(v) or UNCERTAIN[lang].match(v) or EXACT.match(v)
                   for v in table[col]), table[col]
    long = av.sobol_long(a, lang)
    assert ((long["lo"] <= long["value"] + 1e-12) & (long["value"] <= long["hi"] + 1e-12)).all()
    spec = charts.sobol_chart(long, lang).to_dict()
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert marks == ["bar", "rule"]
    rule = spec["layer"][1]["encoding"]
    assert rule["x"]["field"] == "lo" and rule["x2"]["field"] == "hi"
    assert spec["layer"][0]["encoding"]["opacity"]["condition"]["test"] == "datum.uncertain"


def test_cli_prints_intervals_and_the_rule(demo_db, capsys):
    assert main(["audit", "--db", str(demo_db), "--scheme", "needs-met", "--runs", "256", "--lang", "en"]) == 0
    text = capsys.readouterr().out
    block = text.split("Sobol indices")[1].split("\n")[1:5]
    # a factor with one option over the period (the missing rule, when 2024 lacks no value) has no index: "–"
    assert all(re.search(r"\d\.\d\d \(\d\.\d\d–\d\.\d\d\)|uncertain|  0\.00  |–\s+–", line) for line in block), block
    assert "95% intervals from 200 bootstrap resamples; wider than 0.2: uncertain" in text
