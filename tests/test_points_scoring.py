"""Points schemes (千分制) scored as evaluators do: rules by hand, by property, the plain sum on a 1,000-point table,
vetoes, grades on points, completeness, codes as written."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.scheme.model import (VETO_SERIES, Scoring, SchemeError, dump_yaml, load_yaml, scheme_from_dict,
                                     scoring_from_dict, scoring_to_dict)
from indicators.scoring import engine
from indicators.scoring.measures import Period
from indicators.scoring.rules import points_for
from tests.conftest import make_db, station

PERIOD = ("2024-01-01", "2024-12-31")


def rule(**data) -> Scoring:
    return scoring_from_dict(data)


BANDS = rule(rule="bands", steps=[[0.9, 50], [0.8, 40], [0.7, 25]], **{"else": 0})


# ---------------------------------------------------------------- rules by hand

def test_bands_by_hand():
    got = points_for(BANDS, [0.95, 0.9, 0.89999, 0.8, 0.75, 0.7, 0.69, np.nan], 50)
    assert got[:7].tolist() == [50, 50, 40, 40, 25, 25, 0] and math.isnan(got[7])


def test_bands_lower_is_better():
    complaints = rule(rule="bands", steps=[[0.01, 20], [0.03, 10]], **{"else": 0})
    assert points_for(complaints, [0.0, 0.01, 0.02, 0.03, 0.05], 20, "lower").tolist() == [20, 20, 10, 10, 0]


def test_deduct_by_hand():
    # 不少于30个得60分，每少1个扣2分，扣完为止
    d = rule(rule="deduct", target=30, per=2)
    assert points_for(d, [35, 30, 29, 20, 0], 60).tolist() == [60, 60, 58, 40, 0]
    # 每少5个扣3分: 27 is short by 3 (no whole 5), 24 by 6 (one 5), 10 by 20 (four)
    d5 = rule(rule="deduct", target=30, per=3, unit=5)
    assert points_for(d5, [30, 27, 24, 10], 20).tolist() == [20, 20, 17, 8]


def test_linear_yes_no_and_awarded_by_hand():
    assert points_for(rule(rule="linear", full_at=1), [0.5, 1.0, 1.2, 0], 40).tolist() == [20, 40, 40, 0]
    assert points_for(rule(rule="yes_no"), [1, 0], 2).tolist() == [2, 0]
    assert points_for(None, [12.5, 40, 41, -1], 40).tolist() == [12.5, 40, 40, 0]   # awarded, within 0..分值


def test_rule_text_round_trips_and_bad_rules_are_named():
    for s in (BANDS, rule(rule="deduct", target=30, per=2, unit=5), rule(rule="linear", full_at=0.9),
              rule(rule="yes_no"), rule(rule="awarded")):
        assert rule(**scoring_to_dict(s)) == s
    with pytest.raises(SchemeError, match=r"scoring\.per: .*above 0"):
        rule(rule="deduct", target=30, per=0)
    with pytest.raises(SchemeError, match=r"scoring\.steps\[1\]: must be a pair"):
        rule(rule="bands", steps=[[0.9, 50], [0.8]])
    with pytest.raises(SchemeError, match=r"scoring\.rule: must be one of"):
        rule(rule="guess")


# ---------------------------------------------------------------- rules by property

step_lists = st.lists(st.tuples(st.floats(-100, 100), st.floats(0, 100)), min_size=1, max_size=6)


def monotone_bands(pairs, points):
    """Steps as a valid table writes them: thresholds going down, points not going up, all within the 分值."""
    thresholds = sorted({round(a, 3) for a, _ in pairs}, reverse=True)
    pts = sorted((min(b, points) for _, b in pairs), reverse=True)[:len(thresholds)]
    return Scoring("bands", tuple(zip(thresholds, pts)), otherwise=0.0)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(step_lists, st.floats(1, 200), st.lists(st.floats(-200, 200), min_size=2, max_size=30))
def test_bands_never_reward_a_worse_value(pairs, points, values):
    s = monotone_bands(pairs, points)
    v = np.sort(np.array(values))
    got = points_for(s, v, points)
    assert np.all(np.diff(got) >= -1e-12) and got.min() >= 0 and got.max() <= points


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.floats(0, 1000), st.floats(0.01, 100), st.floats(0.01, 50), st.floats(1, 200),
       st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=30))
def test_deduct_never_below_zero_nor_above_the_points(target, per, unit, points, values):
    got = points_for(Scoring("deduct", target=target, per=per, unit=unit), values, points)
    assert np.all(got >= 0) and np.all(got <= points)
    assert np.all(np.diff(got[np.argsort(values)]) >= -1e-9)   # more is never worse


@settings(max_examples=100, derandomize=True, deadline=None)
@given(st.sampled_from(["awarded", "linear", "yes_no"]), st.floats(0, 100),
       st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=20))
def test_no_rule_gives_more_than_the_item_is_worth(kind, points, values):
    s = Scoring(kind, full_at=1.0 if kind == "linear" else None)
    got = points_for(s, values, points)
    assert np.all((got >= 0) & (got <= points))


def test_a_band_table_that_rewards_a_worse_value_is_refused():
    base = {"id": "s", "name_zh": "s", "name_en": "s", "weighting": "points", "dimensions": [
        {"id": "D", "name_zh": "D", "name_en": "D", "indicators": [
            {"id": "B11", "name_zh": "满意度", "name_en": "sat", "camp": "needs", "points": 50,
             "measure": {"kind": "value"}, "scoring": {"rule": "bands", "steps": [[0.8, 40], [0.9, 50]]}}]}]}
    with pytest.raises(SchemeError, match=r"scoring\.steps\[1\]: thresholds must go down"):
        scheme_from_dict(base)
    base["dimensions"][0]["indicators"][0]["scoring"]["steps"] = [[0.9, 60]]
    with pytest.raises(SchemeError, match=r"scoring\.steps\[0\]: gives 60 points, outside 0 to the item's 50"):
        scheme_from_dict(base)


# ---------------------------------------------------------------- codes as written

def tiny_scheme(*items, **options) -> dict:
    return {"id": "t", "name_zh": "t", "name_en": "t", "weighting": "points", **options, "dimensions": [
        {"id": "A", "name_zh": "基础建设", "name_en": "Basics", "indicators": list(items)}]}


def item(code, points, **kw):
    return {"id": code, "name_zh": f"项{code}", "name_en": f"item {code}", "camp": "output", "points": points,
            "measure": {"kind": "value"}, **kw}


def test_codes_are_kept_as_written_and_look_alikes_refused():
    s = scheme_from_dict(tiny_scheme(item("B11", 10), item("1.1.2", 5), item("NEET", 5)))
    assert [i.id for i in s.indicators] == ["B11", "1.1.2", "NEET"]
    assert load_yaml(dump_yaml(s)) == s
    for twin in ("b11", "Ｂ11"):
        with pytest.raises(SchemeError, match=r"indicators\[1\]\.id: .*differs from 'B11'.*only by case"):
            scheme_from_dict(tiny_scheme(item("B11", 10), item(twin, 5)))
    with pytest.raises(SchemeError, match=r"indicators\[0\]\.id: .*without spaces"):
        scheme_from_dict(tiny_scheme(item("B 11", 10)))


def test_a_records_measure_needs_a_rule_or_says_it_is_relative():
    count = {"kind": "count", "table": "activities"}
    with pytest.raises(SchemeError, match=r"indicators\[0\]\.scoring: is required .*explicit normalisation"):
        scheme_from_dict(tiny_scheme(item("A1", 10, measure=count)))
    ruled = scheme_from_dict(tiny_scheme(item("A1", 10, measure=count, scoring={"rule": "linear", "full_at": 24})))
    assert not ruled.indicators[0].relative
    rel = scheme_from_dict(tiny_scheme(item("A1", 10, measure=count, normalisation={"method": "minmax"})))
    assert rel.indicators[0].relative and load_yaml(dump_yaml(rel)) == rel
    assert "method: minmax" in dump_yaml(rel)   # the YAML keeps saying so
    # a value read from elsewhere is points awarded, unless the scheme says to score it against the others
    assert not scheme_from_dict(tiny_scheme(item("V1", 10))).indicators[0].relative
    told = scheme_from_dict(tiny_scheme(item("V1", 10, normalisation={"method": "minmax"})))
    assert told.indicators[0].relative and load_yaml(dump_yaml(told)) == told


# ---------------------------------------------------------------- a 1,000-point table, scored from the database

def thousand_point_table(seed: int = 7):
    """Three levels, 28 items, points adding up to 1,000, codes as bureaus write them; the awarded points of 12
    stations as a score sheet would give them (whole and half points)."""
    rng = np.random.default_rng(seed)
    modules = {"A": ("基础建设", 150), "B": ("服务成效", 450), "C": ("规范管理", 250), "Z": ("群众评价", 150)}
    dims, items = [], []
    for code, (name, total) in modules.items():
        subs = []
        left = total
        for k in (1, 2):
            sub_total = total // 2 if k == 1 else left
            left -= sub_total
            n = 4 if code in ("B", "C") else 3
            pts = [sub_total // n] * n
            pts[-1] += sub_total - sum(pts)
            inds = [item(f"{code}{k}{j + 1}", p) for j, p in enumerate(pts)]
            items += [(i["id"], i["points"]) for i in inds]
            subs.append({"id": f"{code}{k}", "name_zh": f"{name}{k}", "name_en": f"{code}{k}", "indicators": inds})
        dims.append({"id": code, "name_zh": name, "name_en": code, "dimensions": subs})
    data = {"id": "qianfen", "name_zh": "千分制", "name_en": "1000", "weighting": "points", "grade_scale": "points",
            "grades": [{"grade": "优秀", "min": 900}, {"grade": "良好", "min": 800}, {"grade": "合格", "min": 600},
                       {"grade": "不合格", "min": 0}], "dimensions": dims}
    awarded = {f"S{n:02d}": {code: float(np.round(rng.uniform(0.55, 1.0) * pts * 2) / 2) for code, pts in items}
               for n in range(1, 13)}
    return scheme_from_dict(data), items, awarded


def values_db(path, awarded, extra=()):
    rows = [{"station_id": sid, "indicator_id": code, "period_start": PERIOD[0], "period_end": PERIOD[1],
             "value": v, "source": "score_sheet"} for sid, cells in awarded.items() for code, v in cells.items()]
    return make_db(path, {"stations": [station(s) for s in awarded], "indicator_values": rows + list(extra)})


def period():
    from datetime import date
    return Period(date(2024, 1, 1), date(2024, 12, 31))


def test_totals_and_subtotals_are_the_plain_sum_of_awarded_points(tmp_path):
    scheme, items, awarded = thousand_point_table()
    assert scheme.points_total() == 1000 and len(items) >= 25 and scheme.levels() == 2
    con = values_db(tmp_path / "q.duckdb", awarded)
    r = engine.score(con, scheme, period())
    for sid, cells in awarded.items():
        assert abs(r.points_earned[sid] - sum(cells.values())) < 1e-9   # the spreadsheet's SUM
        for d in scheme.nodes():
            below = [i.id for i in scheme.indicators if d.id in scheme.path_of(i.id)[:-1]]
            assert abs(r.node_points().at[sid, d.id] - sum(cells[c] for c in below)) < 1e-9
        assert math.isclose(r.total[sid], sum(cells.values()) / 10, rel_tol=1e-12)   # 0-100 = points / 1000
        band = next(g for g, lo in (("优秀", 900), ("良好", 800), ("合格", 600), ("不合格", 0))
                    if sum(cells.values()) >= lo)
        assert r.grade[sid] == band
    # an item every station earned in full gives every station its full points (min-max gave each 50 %)
    full = {sid: {**cells, "A11": 25.0} for sid, cells in awarded.items()}
    r2 = engine.score(values_db(tmp_path / "full.duckdb", full), scheme, period())
    assert (r2.item_points["A11"] == 25.0).all()
    assert r.relative == ()


def test_a_missing_item_earns_nothing_and_is_flagged(tmp_path):
    scheme, items, awarded = thousand_point_table()
    del awarded["S03"]["B11"]
    r = engine.score(values_db(tmp_path / "m.duckdb", awarded), scheme, period())
    assert r.item_points.at["S03", "B11"] == 0 and r.missing.at["S03", "B11"]
    assert abs(r.points_earned["S03"] - sum(awarded["S03"].values())) < 1e-9
    assert r.status["S03"] == "ranked" and len(items) == 28 and math.isclose(r.complete["S03"], 27 / 28)
    strict = engine.score(values_db(tmp_path / "m2.duckdb", awarded),
                          scheme_from_dict({**yaml.safe_load(dump_yaml(scheme)), "missing_items": "refuse"}), period())
    assert strict.status["S03"] == "refused" and strict.grade["S03"] == ""
    assert strict.rank["S03"] == 12   # listed after the ranked stations


def test_a_station_with_too_little_data_gets_no_grade(tmp_path):
    scheme, items, awarded = thousand_point_table()
    awarded["S05"] = {code: pts for code, pts in items[:10]}   # full marks on a third of the items only
    r = engine.score(values_db(tmp_path / "i.duckdb", awarded), scheme, period())
    assert r.status["S05"] == "insufficient" and r.grade["S05"] == "" and r.rank["S05"] == 12
    assert math.isclose(r.complete["S05"], 10 / 28)


def test_veto_from_the_score_sheet_and_from_a_condition(tmp_path):
    scheme, _, awarded = thousand_point_table()
    best = max(awarded, key=lambda s: sum(awarded[s].values()))
    veto_row = {"station_id": best, "indicator_id": VETO_SERIES, "period_start": PERIOD[0], "period_end": PERIOD[1],
                "value": 1.0, "note": "发生重大安全责任事故"}
    r = engine.score(values_db(tmp_path / "v.duckdb", awarded, [veto_row]), scheme, period())
    assert r.veto[best] == "发生重大安全责任事故" and r.status[best] == "vetoed"
    assert r.grade[best] == "不合格" and r.rank[best] == 12
    assert abs(r.points_earned[best] - sum(awarded[best].values())) < 1e-9   # the points are still shown
    assert (r.veto.drop(best) == "").all()
    kept = engine.score(values_db(tmp_path / "v2.duckdb", awarded, [veto_row]),
                        scheme_from_dict({**yaml.safe_load(dump_yaml(scheme)), "veto_ranked": True}), period())
    assert kept.rank[best] == 1 and kept.grade[best] == "不合格"
    # a veto that is a condition on an item: Z23 (a yes/no) at 1 vetoes
    data = yaml.safe_load(dump_yaml(scheme))
    data["vetoes"] = [{"indicator": "Z23", "op": ">=", "value": 1, "name_zh": "经查实存在虚报服务数据"}]
    data["dimensions"][3]["dimensions"][1]["indicators"][2].update(scoring={"rule": "yes_no"}, direction="lower")
    flagged = {sid: {**cells, "Z23": 1.0 if sid == "S02" else 0.0} for sid, cells in awarded.items()}
    r3 = engine.score(values_db(tmp_path / "v3.duckdb", flagged), scheme_from_dict(data), period())
    assert r3.veto["S02"] == "经查实存在虚报服务数据" and r3.status["S02"] == "vetoed"
    assert r3.item_points.at["S02", "Z23"] == 0 and r3.item_points.at["S01", "Z23"] > 0


def test_score_json_carries_the_contract(tmp_path, capsys):
    from indicators.cli.main import main
    scheme, _, awarded = thousand_point_table()
    values_db(tmp_path / "j.duckdb", awarded).close()
    (tmp_path / "q.yaml").write_text(dump_yaml(scheme), encoding="utf-8")
    code = main(["score", "--db", str(tmp_path / "j.duckdb"), "--scheme", str(tmp_path / "q.yaml"),
                 "--from", PERIOD[0], "--to", PERIOD[1], "--format", "json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    s1 = next(s for s in out["stations"] if s["station_id"] == "S01")
    assert s1["points"] == pytest.approx(sum(awarded["S01"].values()), abs=1e-9)
    assert s1["points_available"] == 1000 and s1["veto"] is None and s1["complete"] == 1.0
    assert s1["node_points"]["A"] == pytest.approx(sum(v for c, v in awarded["S01"].items() if c[0] == "A"), abs=1e-9)
    assert s1["indicators"]["B11"]["points"] == awarded["S01"]["B11"]
    assert s1["grade"] in ("优秀", "良好", "合格", "不合格") and s1["status"] == "ranked"


def test_a_period_with_none_of_the_values_is_refused_naming_the_periods_that_hold_them(tmp_path, capsys):
    from indicators.cli.main import main
    scheme, _, awarded = thousand_point_table()
    values_db(tmp_path / "p.duckdb", awarded).close()
    (tmp_path / "q.yaml").write_text(dump_yaml(scheme), encoding="utf-8")
    code = main(["score", "--db", str(tmp_path / "p.duckdb"), "--scheme", str(tmp_path / "q.yaml"),
                 "--from", "2025-01-01", "--to", "2025-12-31", "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2 and "holds none of this scheme's values" in err
    assert "--from 2024-01-01 --to 2024-12-31 (336)" in err    # 12 stations x 28 items
