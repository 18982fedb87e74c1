"""The app with a scheme that is a tree (three levels, points): every page renders in both languages, the
Indicators page shows the collapsible tree and the weights chart, the Scores page the points and each station's
path through the tree; a TOPSIS scheme says why it has no rank intervals."""
from __future__ import annotations

from dataclasses import replace

import pytest

from indicators.i18n import t
from indicators.records import store as records
from indicators.scheme import catalog
from indicators.scheme.model import load_yaml
from tests.test_app import PAGES, ROOT, TITLE_KEYS, assert_clean, open_app, unescaped

TREE = load_yaml((ROOT / "tests" / "data" / "tree-scheme.yaml").read_text(encoding="utf-8"))


def with_scheme(db, scheme, lang: str, page: str):
    con = records.connect(db)
    try:
        catalog.save(con, scheme, saved_by="test")
    finally:
        con.close()
    at = open_app(lang)
    at.selectbox(key="scheme_id").set_value(scheme.id).run()
    assert_clean(at)
    at.switch_page(f"app_pages/{page}.py").run()
    return at


def html_of(at) -> str:
    return "".join(h.proto.body for h in at.get("html"))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_a_three_level_points_scheme(db, page, lang):
    at = with_scheme(db, TREE, lang, page)
    assert_clean(at)
    assert at.title[0].value == t(TITLE_KEYS[page], lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_indicators_page_shows_the_tree_with_points(db, lang):
    at = with_scheme(db, TREE, lang, "indicators")
    assert_clean(at)
    tree = html_of(at)
    assert tree.count("<details") == len(TREE.nodes()) == 8
    assert tree.count("<details open>") == 8      # a small tree opens whole: its indicators show at once
    assert ("Needs resolved" if lang == "en" else "需求解决") in tree
    assert ("30 points" if lang == "en" else "30分") in tree
    assert any(t("tree.intro_points", lang, total=100) == unescaped(c.value) for c in at.caption)
    # the library lists every indicator under its path, the sub-dimensions included
    heads = [unescaped(m.value) for m in at.markdown if m.value.startswith("#### ")]
    assert any(("Outcomes / Needs resolved" if lang == "en" else "服务成效 / 需求解决") in h for h in heads)


def test_scores_page_shows_points_and_the_stations_path(db):
    at = with_scheme(db, TREE, "en", "scores")
    assert_clean(at)
    ranking = next(d.value for d in at.dataframe if "points" in d.value.columns)
    assert ((ranking["points"] - ranking["score"]).abs() < 1e-9).all()     # 100 points available
    assert any(m.value.startswith("Points: ") and "of 100" in m.value for m in at.markdown)
    tree = html_of(at)   # the chosen station's points earned at every node, e.g. "21.3 of 30 points" for A1
    assert tree.count(" of 30 points") == 1 and tree.count(" of 100 points") == 0 and tree.count("<details") == 8
    card = next(d.value for d in at.dataframe if "gap_to_best" in d.value.columns)
    assert "Outcomes / Needs resolved" in set(card["dimension"])


def test_a_topsis_scheme_scores_and_explains_why_no_rank_intervals(db):
    topsis = replace(catalog.builtin("needs-met"), id="nm-topsis", aggregation="topsis")
    at = with_scheme(db, topsis, "zh", "scores")
    assert_clean(at)
    assert any(t("tree.no_robustness", "zh") == i.value for i in at.info)
    assert any(t("tree.aggregation.topsis", "zh") == c.value for c in at.caption)
