"""The Scores page explains how each indicator becomes 0-100 by the scheme's own rule (min-max, rank, goalposts,
distance to target), not min-max for every scheme; the words come from indicators/outputs/explain.py."""
from dataclasses import replace

import pytest

from indicators.i18n import t
from indicators.outputs import explain
from indicators.scheme import catalog, editing
from indicators.scheme.model import Normalisation
from tests.test_app import open_app, unescaped


def with_rules(rules: dict[str, Normalisation], scheme_id: str = "rules"):
    """needs-met with some indicators' normalisation changed, as a working copy would hold it."""
    scheme = catalog.builtin("needs-met")
    for iid, rule in rules.items():
        ind = scheme.indicator(iid)
        scheme = editing.upsert_indicator(scheme, replace(ind, normalisation=rule),
                                          editing.dimension_of(scheme, iid).id, old_id=iid)
    return replace(scheme, id=scheme_id)


def all_goalposts():
    return with_rules({i.id: Normalisation("goalposts", low=0.0, high=10.0)
                       for i in catalog.builtin("needs-met").indicators}, "gp")


def scores_page(lang, scheme):
    at = open_app(lang, "scores")
    at.session_state["working"] = {scheme.id: scheme}
    at.session_state["_pending_scheme"] = scheme.id
    at.run()
    assert not at.exception and not at.error
    return at


def shown(at) -> str:
    return "\n".join(unescaped(x.value) for x in (*at.caption, *at.markdown))


@pytest.mark.parametrize("lang, minmax", [("en", "min–max"), ("zh", "极差")])
def test_a_goalposts_scheme_is_explained_by_its_goalposts(db, lang, minmax):
    at = scores_page(lang, all_goalposts())
    text = shown(at)
    assert t("ex.goalposts.all", lang) in text
    assert minmax not in text.lower()
    name = catalog.builtin("needs-met").indicator("days_to_resolve")   # lower is better: 0 scores 100
    assert t("ex.line.goalposts_lower", lang, name=getattr(name, f"name_{lang}"), low="0", high="10") in text


def test_a_mixed_scheme_names_each_rule_and_says_the_score_is_part_relative(db):
    scheme = with_rules({"urgent_needs_resolved": Normalisation("target", target=0.9),
                         "satisfaction": Normalisation("goalposts", low=2.0, high=4.5),
                         "residents_reached": Normalisation("rank")})
    at = scores_page("en", scheme)
    text = shown(at)
    assert "min–max for 17; rank for 1; goalposts for 1; distance to target for 1" in text
    assert t("ex.tail.both", "en") in text
    assert "Urgent needs resolved: distance to target, 0.9 or more scores 100, less in proportion (value ÷ 0.9)" in text
    assert "Resident satisfaction (Likert 1-5): goalposts, 2 or less scores 0, 4.5 or more 100, in proportion between" in text


def test_a_min_max_scheme_reads_as_before(db):
    at = open_app("en", "scores")
    assert any(c.value.startswith(t("nc.grade_note", "en")) and "A ≥ 85" in c.value for c in at.caption)


@pytest.mark.parametrize("rules, kind", [({"a": "minmax", "b": "rank"}, "relative"),
                                         ({"a": "goalposts", "b": "target"}, "absolute"),
                                         ({"a": "minmax", "b": "target"}, "both")])
def test_the_summary_says_whether_scores_are_relative(rules, kind):
    made = {"minmax": Normalisation(), "rank": Normalisation("rank"),
            "goalposts": Normalisation("goalposts", low=0.0, high=1.0), "target": Normalisation("target", target=1.0)}
    ids = [i.id for i in catalog.builtin("needs-met").indicators]
    scheme = with_rules({iid: made[rules["a" if k % 2 else "b"]] for k, iid in enumerate(ids)})
    for lang in ("en", "zh"):
        assert explain.summary(scheme, lang).endswith(t(f"ex.tail.{kind}", lang))
        assert explain.relative_only(scheme) == (kind == "relative")
