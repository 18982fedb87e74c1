"""What the screens show of a scheme tree: the node table with its icicle layout, the collapsible HTML tree, the
icicle chart (through to_dict), the library by path, and edits (flat weights, indicators) that keep the tree."""
from __future__ import annotations

import math
from dataclasses import replace

import pytest

from indicators.outputs import charts, views
from indicators.scheme import editing
from indicators.scheme.model import load_yaml, validate
from indicators.scoring.engine import effective_weights, score_raw
from tests.conftest import ROOT
from tests.test_tree import FIVE, RAW, stations

TREE = load_yaml((ROOT / "tests" / "data" / "tree-scheme.yaml").read_text(encoding="utf-8"))


def test_tree_frame_lays_children_inside_their_parent():
    tf = views.tree_frame(TREE, "en").set_index("code")
    assert tf.loc[["A", "B", "C"], "x0"].tolist() == pytest.approx([0, 40, 75])
    assert tf.loc[["A", "B", "C"], "x1"].tolist() == pytest.approx([40, 75, 100])
    # A1 (30 points) holds 15 + 10 + 5: its indicators tile [0, 30]
    spans = [(tf.at[c, "x0"], tf.at[c, "x1"]) for c in ("urgent_needs_resolved", "weighted_needs_met",
                                                         "days_to_resolve")]
    assert [x for span in spans for x in span] == pytest.approx([0, 15, 15, 25, 25, 30])
    assert tf.at["A1", "within"] == pytest.approx(75) and tf.at["A1", "top"] == "Outcomes" and tf.at["A1", "depth"] == 2
    for code, r in tf.iterrows():   # every node lies within its parent
        if r["parent"]:
            p = tf.loc[r["parent"]]
            assert p["x0"] - 1e-9 <= r["x0"] and r["x1"] <= p["x1"] + 1e-9


def test_tree_html_nests_every_level_and_escapes_names():
    evil = replace(FIVE, dimensions=(replace(FIVE.dimensions[0], name_en="<script>x</script>"),
                                     *FIVE.dimensions[1:]))
    html = views.tree_html(evil, "en")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("<details") == 6 and html.count("<details open") == 2     # top level open
    assert "<code>v</code> · 25% of its parent · 1.6% overall" in html           # v: 1/4 of F, 1/64 overall
    r = score_raw(FIVE, RAW, stations(3))
    scored = views.tree_html(FIVE, "zh", views.station_tree_scores(r, "S0"))
    assert "得分87.5" in scored and "得分43.8" in scored                        # D and C for S0


def test_icicle_chart_to_dict():
    tf = views.tree_frame(TREE, "zh")
    spec = charts.icicle_chart(tf, "zh", points=True).to_dict()
    boxes, text, text2 = spec["layer"]
    assert text["mark"]["type"] == "text" and text["encoding"]["text"]["field"] == "label"
    assert boxes["mark"]["type"] == "rect" and boxes["encoding"]["x"]["field"] == "x0"
    assert boxes["encoding"]["x2"]["field"] == "x1" and boxes["encoding"]["y"]["field"] == "depth"
    assert boxes["encoding"]["color"]["scale"]["domain"] == ["服务成效", "居民评价", "过程管理"]
    assert spec["title"]["text"] == "权重分布在哪里"
    assert any(tip["field"] == "points" for tip in boxes["encoding"]["tooltip"])
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == 21 and {r["label"] for r in rows if r["code"] == "A"} == {"服务成效"}
    assert charts.icicle_chart(views.tree_frame(FIVE, "en"), "en").to_dict()["height"] == 46 * 6


def test_icicle_labels_take_two_lines_before_an_ellipsis():
    assert charts._two_lines("Urgent needs resolved", 18) == "Urgent needs\nresolved"          # at a space
    assert charts._two_lines("需求解决天数（中位数）", 12) == "需求解决天\n数（中位数）"
    assert charts._two_lines("Home visits to vulnerable residents", 18) == "Home visits to\nvulnerable reside…"
    assert charts._two_lines("服务成效", 60) == "服务成效" and charts._two_lines("Reach", 3) == ""
    spec = charts.icicle_chart(views.tree_frame(TREE, "en"), "en").to_dict()
    assert spec["layer"][1]["mark"]["lineBreak"] == "\n" and spec["layer"][2]["mark"]["dy"] == -6.5


def test_library_and_card_name_the_path():
    lib = views.library_frame(FIVE, "en")
    assert list(lib["id"]) == [i.id for i in FIVE.indicators]
    assert lib.set_index("id").at["v", "dimension"] == "A / B / C / D / F"
    assert lib.set_index("id").at["v", "weight"] == 25
    r = score_raw(FIVE, RAW, stations(3))
    assert views.station_card(r, "S1", "en").at["v", "dimension"] == "A / B / C / D / F"


def test_flat_weights_come_back_through_the_tree():
    flat = {"x": 1, "y": 2, "w": 3, "v": 4, "u": 5, "z": 5}
    dims, inds = editing.flat_to_hierarchy(FIVE, flat)
    got = effective_weights(FIVE.with_weights(dims, inds))[2]
    total = sum(flat.values())
    for k, v in flat.items():
        assert math.isclose(got[k], v / total, rel_tol=1e-6)


def test_editing_an_indicator_deep_in_the_tree():
    from indicators.scheme.model import Indicator, Measure
    new = Indicator("extra", "新", "New", "needs", Measure("count", table="activities"), weight=2)
    s = editing.upsert_indicator(FIVE, new, "F")
    assert s.path_of("extra") == ("A", "B", "C", "D", "F", "extra")
    assert editing.dimension_of(s, "extra").id == "F"
    gone = editing.remove_indicator(editing.remove_indicator(FIVE, "v"), "u")     # F empties and goes
    assert [d.id for d in gone.nodes()] == ["A", "B", "C", "D", "E"]
    pts = validate(replace(TREE, id="t2"))
    added = editing.upsert_indicator(pts, replace(new, weight=7), "C1")   # points scheme: the weight is points
    assert added.points_total() == 107 and added.node("C1").points == 22


def test_the_station_report_walks_the_tree(demo_db):
    from indicators.outputs.report import station_report
    from indicators.records import store as records
    from indicators.scoring.engine import score
    con = records.connect(demo_db, read_only=True)
    try:
        r = score(con, TREE)
    finally:
        con.close()
    html = station_report(r, "S04", "zh")
    assert "服务成效 / 需求解决" in html and "过程管理 / 迎检" in html
    assert f"{r.nodes.at['S04', 'A1']:.1f}" in html
