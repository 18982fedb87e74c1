"""Third-party raters: Krippendorff's alpha against his published worked examples, flags and the median by hand,
and a rating round end to end on a tiny database (hidden until reveal, moderation log, agreed levels in ratings)."""
import math
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.live.raters import RaterError, RaterStore, agreement, lower_median, ordinal_alpha, rubric_items
from indicators.scheme import catalog
from indicators.scheme.model import Dimension, Indicator, Level, Measure, Scheme
from indicators.scoring.engine import score
from tests.conftest import station

N = math.nan
# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for Communication,
# University of Pennsylvania, departmental paper 43: example C, 4 observers x 12 units with missing values.
# Published: nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797.
EXAMPLE_C = [[1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
             [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
             [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
             [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N]]
# The same paper, example A: binary data, two observers, alpha 0.095 (with two values, ordinal = nominal).
EXAMPLE_A = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
             [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]


def test_ordinal_alpha_matches_krippendorffs_worked_example_c():
    assert round(ordinal_alpha(EXAMPLE_C), 3) == 0.815


def test_ordinal_alpha_matches_krippendorffs_worked_example_a():
    assert round(ordinal_alpha(EXAMPLE_A), 3) == 0.095


def test_alpha_is_undefined_without_variation_or_pairs():
    assert ordinal_alpha([[2, 2, 2], [2, 2, 2]]) is None       # one value: no disagreement can be expected
    assert ordinal_alpha([[1, N], [N, 2]]) is None             # no unit rated twice
    assert ordinal_alpha([[0, 1, 2], [0, 1, 2]]) == 1.0        # perfect agreement


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=6, max_size=6), min_size=2, max_size=4),
       st.sampled_from([(0, 1, 2, 3), (1, 5, 6, 40), (-3, 0, 2, 9)]))
def test_ordinal_alpha_depends_only_on_the_order_of_levels(rows, values):
    """Ordinal alpha sees ranks only: renaming levels by any increasing map leaves it unchanged."""
    base = ordinal_alpha(rows)
    mapped = ordinal_alpha([[values[v] for v in r] for r in rows])
    assert (base is None and mapped is None) or math.isclose(base, mapped, abs_tol=1e-9)


def test_lower_median_takes_the_worse_middle_level():
    assert lower_median([3, 1, 2]) == 2
    assert lower_median([0, 3]) == 0
    assert lower_median([1, 2, 2, 3]) == 2


def test_agreement_flags_two_levels_apart_and_takes_the_median():
    scores = pd.DataFrame([
        ("S1", "q", "A", 3), ("S1", "q", "B", 1), ("S1", "q", "C", 3),      # spread 2: flagged, median 3
        ("S2", "q", "A", 2), ("S2", "q", "B", 1),                          # spread 1, median (lower) 1
        ("S3", "q", "A", 0), ("S3", "q", "B", 0), ("S3", "q", "C", 0),
    ], columns=["station_id", "item", "rater", "rank"])
    ag = agreement(scores)
    u = ag["units"].set_index("station_id")
    assert u["flagged"].to_dict() == {"S1": True, "S2": False, "S3": False}
    assert u["median"].to_dict() == {"S1": 3, "S2": 1, "S3": 0}
    assert u["n"].to_dict() == {"S1": 3, "S2": 2, "S3": 3}
    expected = ordinal_alpha([[3, 2, 0], [1, 1, 0], [3, N, 0]])
    assert ag["alpha"] == pytest.approx(expected) and ag["item_alpha"]["q"] == pytest.approx(expected)


# ---------------------------------------------------------------- a round on a tiny database

def rubric(iid, key):
    levels = tuple(Level(v, s, v, v, f"{v}的样子", f"what {v} looks like")
                   for v, s in (("优", 100), ("良", 80), ("中", 60), ("差", 40)))
    return Indicator(iid, f"指标{iid}", f"Item {iid}", "needs",
                     Measure("scale", table="ratings", column="level", filter=f"indicator_id = '{key}'", levels=levels))


SCHEME = Scheme("rubric", "量表", "Rubric", (
    Dimension("d", "专业", "Quality", (rubric("quality", "professional_quality"), rubric("records", "records"))),
    Dimension("e", "活动", "Events", (Indicator("events", "活动", "Events", "output", Measure("count", table="activities")),)),
))


@pytest.fixture
def db(tiny):
    return tiny({"stations": [station("S1"), station("S2"), station("S3")]})


def test_rubric_items_are_the_scale_indicators_on_ratings_worst_level_first():
    items = rubric_items(SCHEME)
    assert [(i.id, i.key) for i in items] == [("quality", "professional_quality"), ("records", "records")]
    assert [lv.value for lv in items[0].levels] == ["差", "中", "良", "优"]
    assert [i.id for i in rubric_items(catalog.builtin("needs-met"))] == ["professional_quality"]


def test_a_round_is_hidden_until_reveal_moderated_with_a_log_and_agreed_into_ratings(db):
    rs = RaterStore(db)
    rnd = rs.create(SCHEME, ["S1", "S2", "S3"], date(2024, 6, 30), "春季")
    a, b, c = (rs.join(rnd.code, n) for n in ("王", "李", "张"))
    plan = {a: {"S1": "优", "S2": "中", "S3": "良"}, b: {"S1": "中", "S2": "中", "S3": "良"},
            c: {"S1": "优", "S2": "差", "S3": "良"}}
    for who, levels in plan.items():
        for s, lv in levels.items():
            rs.rate(rnd.code, who.token, s, "quality", lv, "个案记录完整", "site" if who is not b else "paper")
    rs.rate(rnd.code, a.token, "S1", "records", "良", "", "paper")
    with pytest.raises(RaterError) as hidden:
        rs.scores(rnd.code, token=a.token)
    assert hidden.value.reason == "open"
    with pytest.raises(RaterError) as wrong:
        rs.reveal(rnd.code, "not the key")
    assert wrong.value.reason == "wrong_key"
    rs.reveal(rnd.code, rnd.lead_key)
    seen_by_rater = rs.scores(rnd.code, token=a.token)
    assert "rater" not in seen_by_rater and "evidence" not in seen_by_rater
    res = rs.result(rnd.code, rnd.lead_key)
    flagged = res["units"][res["units"]["flagged"]]
    assert list(zip(flagged["station_id"], flagged["item"])) == [("S1", "quality")]   # 优 vs 中: two levels
    with pytest.raises(RaterError) as why:
        rs.rate(rnd.code, b.token, "S1", "quality", "良", "复核后", "paper")
    assert why.value.reason == "no_reason"
    rs.rate(rnd.code, b.token, "S1", "quality", "良", "复核后", "paper", reason="现场看到个案跟进记录")
    log = rs.changes(rnd.code, rnd.lead_key)
    assert log[["rater", "station_id", "old_level", "new_level", "reason"]].values.tolist() == [
        ["李", "S1", "中", "良", "现场看到个案跟进记录"]]
    res = rs.result(rnd.code, rnd.lead_key)
    # quality ranks (差0 中1 良2 优3): first S1 3,1,3  S2 1,1,0  S3 2,2,2; after moderation S1 3,2,3
    assert res["first_item_alpha"]["quality"] == pytest.approx(ordinal_alpha([[3, 1, 2], [1, 1, 2], [3, 0, 2]]))
    assert res["item_alpha"]["quality"] == pytest.approx(ordinal_alpha([[3, 1, 2], [2, 1, 2], [3, 0, 2]]))
    assert res["item_alpha"]["records"] is None                 # one rater: no agreement to measure
    written = rs.agree(rnd.code, rnd.lead_key).set_index("rating_id")
    rows = db.execute("SELECT station_id, indicator_id, level, rater_count, alpha, on_site, rated_on FROM ratings "
                      "ORDER BY station_id, indicator_id").fetchall()
    alpha = round(res["item_alpha"]["quality"], 4)
    assert rows == [("S1", "professional_quality", "优", 3, alpha, 2, date(2024, 6, 30)),
                    ("S1", "records", "良", 1, None, 0, date(2024, 6, 30)),
                    ("S2", "professional_quality", "中", 3, alpha, 2, date(2024, 6, 30)),
                    ("S3", "professional_quality", "良", 3, alpha, 2, date(2024, 6, 30))]
    assert "李[paper]: 复核后" in written.at[f"{rnd.code}-S1-quality", "evidence"]
    rs.agree(rnd.code, rnd.lead_key)                            # again: replaces, adds nothing
    assert db.execute("SELECT count(*) FROM ratings").fetchall()[0][0] == 4
    # the agreed levels score like any rating: 优 100, 中 60, 良 80
    raw = score(db, SCHEME).raw["quality"]
    assert raw.to_dict() == {"S1": 100.0, "S2": 60.0, "S3": 80.0}
    with pytest.raises(RaterError) as final:
        rs.rate(rnd.code, a.token, "S1", "quality", "差", "", "site", reason="x")
    assert final.value.reason == "agreed"


def test_bad_input_is_refused_and_the_database_left_as_it_was(db):
    rs = RaterStore(db)
    with pytest.raises(RaterError) as none:
        rs.create(catalog.builtin("photo-count"), ["S1"], date(2024, 1, 1))
    assert none.value.reason == "no_items"
    with pytest.raises(RaterError) as unknown:
        rs.create(SCHEME, ["S9"], date(2024, 1, 1))
    assert "S9" in str(unknown.value)
    rnd = rs.create(SCHEME, ["S1"], date(2024, 1, 1))
    a = rs.join(rnd.code, "王")
    with pytest.raises(RaterError) as taken:
        rs.join(rnd.code, " 王 ")
    assert taken.value.reason == "name_taken"
    assert rs.join(rnd.code, "王", token=a.token).rater_id == a.rater_id
    for bad in (dict(station_id="S2", item="quality", level="优"), dict(station_id="S1", item="quality", level="A"),
                dict(station_id="S1", item="nope", level="优"), dict(station_id="S1", item="quality", level="优",
                                                                   seen="phone")):
        with pytest.raises(RaterError):
            rs.rate(rnd.code, a.token, **bad)
    with pytest.raises(RaterError) as stranger:
        rs.rate(rnd.code, "forged", "S1", "quality", "优")
    assert stranger.value.reason == "unknown_rater"
    assert db.execute("SELECT count(*) FROM round_scores").fetchall()[0][0] == 0
    with pytest.raises(RaterError) as early:
        rs.agree(rnd.code, rnd.lead_key)
    assert early.value.reason == "no_scores"
    assert db.execute("SELECT count(*) FROM ratings").fetchall()[0][0] == 0
