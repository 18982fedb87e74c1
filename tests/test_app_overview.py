"""The first screen: the app opens on the Overview, the built-in photo-count and needs-met rankings side by side
(the engine's own numbers), the stations that move most with a link into each one's station card, and the records
one click away; and the overview's builder on a tiny database, ranks computed by hand."""
from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from indicators.analysis.compare import compare
from indicators.i18n import pick, t
from indicators.outputs import charts, overview, views
from indicators.records import store as records
from indicators.scheme import catalog
from indicators.scheme.model import Dimension, Indicator, Measure, Scheme
from indicators.scoring import engine
from indicators.scoring.measures import Period
from tests.conftest import ROOT, station
from tests.test_app import assert_clean, unescaped

D = date.fromisoformat
YEAR = Period(D("2024-01-01"), D("2024-12-31"))
IDS = ["S01", "S02", "S03", "S04"]


# ---------------------------------------------------------------- the builder, by hand

def val(sid, ind, value):
    return {"station_id": sid, "indicator_id": ind, "period_start": YEAR.start, "period_end": YEAR.end,
            "value": value, "source": "test"}


# photos 40, 10, 30, 20 -> min-max 100, 0, 66.7, 33.3: ranks S01 1, S03 2, S04 3, S02 4
# needs met 1, 9, 5, 3  -> min-max 0, 100, 50, 25:     ranks S02 1, S03 2, S04 3, S01 4
# shift (rank by photos - rank by needs): S01 -3, S02 +3, S03 0, S04 0
ROWS = {"stations": [station(s) for s in IDS],
        "indicator_values": [val(s, "photos", v) for s, v in zip(IDS, [40, 10, 30, 20])]
                            + [val(s, "met", v) for s, v in zip(IDS, [1, 9, 5, 3])]}


def one(iid, zh, en, camp):
    return Scheme(iid, f"{zh}方案", f"{en} scheme", (Dimension("d", "维度", "Dim", (
        Indicator(iid, zh, en, camp, Measure("value")),)),))


PHOTOS, MET = one("photos", "照片", "Photos", "output"), one("met", "需求满足", "Needs met", "needs")


@pytest.fixture
def two(tiny):
    con = tiny(ROWS)
    return engine.score(con, PHOTOS, YEAR), engine.score(con, MET, YEAR)


def test_the_overview_ranks_and_moves_by_hand(two):
    a, b = two
    ov = overview.build(a, b, "en", movers=5, top_k=2, places=3)
    assert list(ov.ranking_a.index) == ["S01", "S03", "S04", "S02"]
    assert list(ov.ranking_a["rank"]) == [1, 2, 3, 4]
    assert list(ov.ranking_a["score"]) == pytest.approx([100, 200 / 3, 100 / 3, 0])
    assert list(ov.ranking_b.index) == ["S02", "S03", "S04", "S01"]
    assert list(ov.ranking_b["score"]) == pytest.approx([100, 50, 25, 0])
    assert list(ov.ranking_a["label"]) == ["1. Station S01", "2. Station S03", "3. Station S04", "4. Station S02"]
    # only the stations that move are listed, largest move first (a tie in the order of the first ranking)
    assert list(ov.movers.index) == ["S01", "S02"]
    assert list(ov.movers["rank_a"]) == [1, 4] and list(ov.movers["rank_b"]) == [4, 1]
    assert list(ov.movers["shift"]) == [-3, 3]
    assert list(ov.movers["move"]) == ["rank 1 → 4, down 3", "rank 4 → 1, up 3"]
    assert ov.movers.at["S02", "why"] == ("Needs met scheme rewards it on Needs met; "
                                          "Photos scheme had held it back on Photos")
    # the movers stand out in both rankings
    assert set(ov.ranking_a.index[ov.ranking_a["mover"]]) == set(ov.ranking_b.index[ov.ranking_b["mover"]]) \
        == {"S01", "S02"}
    # A's top two {S01, S03}, B's {S02, S03}: one kept; two stations move 3 places; Kendall tau by hand (1 C, 5 D)
    assert (ov.stations, ov.top_k, ov.kept, ov.moved, ov.places) == (4, 2, 1, 2, 3)
    assert ov.kendall_tau == pytest.approx(-2 / 3)
    assert overview.build(a, b, "en", top_k=2).moved == 0          # five places by default: nobody here


def test_the_headline_says_the_numbers_in_both_languages(two):
    a, b = two
    ov = overview.build(a, b, "zh", top_k=2, places=3)
    assert overview.headline(ov, "zh") == ("同样**4**个社工站：按照片方案排前2名的，按需求满足方案仍在前2名的有**1**"
                                          "个；**2**个社工站名次变动3位以上。")
    assert overview.agreement(ov, "en").endswith(": −0.67.")
    assert list(ov.movers["move"]) == ["第1名 → 第4名，下降3位", "第4名 → 第1名，上升3位"]
    assert list(ov.ranking_b["label"])[0] == "1. 站S02"


def test_a_period_in_which_a_scheme_ties_every_station_says_so_instead(tiny):
    earlier = [dict(r, period_start=D("2023-01-01"), period_end=D("2023-12-31")) if r["indicator_id"] == "met" else r
               for r in ROWS["indicator_values"]]
    con = tiny(dict(ROWS, indicator_values=earlier))   # no needs-met value in 2024: every station gets 50, rank 1
    a, b = engine.score(con, PHOTOS, YEAR), engine.score(con, MET, YEAR)
    assert set(b.rank) == {1}
    ov = overview.build(a, b, "zh", top_k=2)
    assert ov.flat == ("需求满足方案",) and ov.kept == 2        # "both of the top 2 stay" would be true and meaningless
    assert overview.headline(ov, "zh") == t("ov.flat", "zh", scheme="需求满足方案")


def test_the_ranking_chart_draws_the_engines_scores_with_the_movers_dark(two):
    a, b = two
    ov = overview.build(a, b, "en", top_k=2, places=3)
    spec = overview.ranking_spec(ov.ranking_b, "en", ov.label_b, "needs")
    rows = [r for values in spec["datasets"].values() for r in values]
    assert {r["station_id"]: r["score"] for r in rows} == pytest.approx(dict(b.total))
    bars = spec["layer"][0]["encoding"]
    assert bars["color"]["value"] == "#2b7bba"                     # the needs camp's colour
    assert bars["opacity"]["condition"]["test"] == "datum.mover"
    assert spec["title"]["text"] == "Ranked by Needs met scheme"


@pytest.mark.parametrize("lang,camp", [("en", "needs"), ("zh", "output")])
def test_the_ranking_spec_is_the_chart_altair_builds_and_validates(two, lang, camp):
    # The page writes colour and opacity into an unvalidated spec (cheaper at start): it must be exactly the chart
    # that altair's own encode gives, and valid Vega-Lite.
    import altair as alt
    a, b = two
    ov = overview.build(a, b, lang, top_k=2, places=3)
    data = ov.ranking_a.reset_index().assign(station=lambda d: d["label"])
    chart = charts.ranking_chart(data, lang, t("ov.chart_title", lang, scheme=ov.label_a))
    chart.title.subtitle = t("ov.chart_sub", lang)
    chart.layer[0] = chart.layer[0].encode(color=alt.value(charts.CAMP_COLORS[camp]),
                                           opacity=alt.condition("datum.mover", alt.value(1.0),
                                                                 alt.value(overview.FADED)))
    spec = overview.ranking_spec(ov.ranking_a, lang, ov.label_a, camp)
    assert spec == chart.to_dict()                      # to_dict validates altair's own
    alt.LayerChart.from_dict(spec, validate=True)       # and ours is valid Vega-Lite on its own


def scored(photos, met):
    """Both tiny schemes over stations S01.. holding these values, in a database in memory."""
    import duckdb
    ids = [f"S{k:02d}" for k in range(1, len(photos) + 1)]
    con = duckdb.connect()
    records.create_schema(con)
    rows = [station(s) for s in ids]
    con.executemany("INSERT INTO stations (station_id, name, name_en, district, street, population, profile) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", [list(r.values()) for r in rows])
    con.executemany("INSERT INTO indicator_values (station_id, indicator_id, period_start, period_end, value, source) "
                    "VALUES (?, ?, ?, ?, ?, ?)", [list(val(s, "photos", v).values()) for s, v in zip(ids, photos)]
                    + [list(val(s, "met", v).values()) for s, v in zip(ids, met)])
    try:
        return engine.score(con, PHOTOS, YEAR), engine.score(con, MET, YEAR)
    finally:
        con.close()


values = st.lists(st.integers(0, 6), min_size=2, max_size=7)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_the_overview_only_arranges_the_engines_numbers(data):
    photos = data.draw(values)
    met = data.draw(st.lists(st.integers(0, 6), min_size=len(photos), max_size=len(photos)))
    k, places = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    a, b = scored(photos, met)
    ov = overview.build(a, b, "en", movers=3, top_k=k, places=places)
    for ranking, result in ((ov.ranking_a, a), (ov.ranking_b, b)):
        assert dict(ranking["rank"]) == dict(result.rank) and dict(ranking["score"]) == dict(result.total)
        assert list(ranking["rank"]) == sorted(ranking["rank"])                      # best first
        assert set(ranking.index[ranking["mover"]]) == set(ov.movers.index)
    shift = a.rank - b.rank
    moves = ov.movers["shift"].abs().tolist()
    assert moves == sorted(moves, reverse=True) and 0 not in moves and len(moves) <= 3
    assert list(ov.movers["shift"]) == [shift[s] for s in ov.movers.index]
    assert not moves or moves[0] == shift.abs().max()                               # the biggest move is listed
    k = min(k, len(photos))
    assert ov.kept == len(set(a.rank[a.rank <= k].index) & set(b.rank[b.rank <= k].index))
    assert ov.moved == int((shift.abs() >= places).sum())


# ---------------------------------------------------------------- the app's first page

def first_page(lang: str) -> AppTest:
    """The app as "/" opens it: no page chosen."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.context["locale"] = "zh-CN" if lang == "zh" else "en-US"
    return at.run()


def chart_frames(at: AppTest) -> list:
    """The data of every chart on the page (AppTest draws none: they are read from the element's Arrow data)."""
    out = []
    for el in at.get("vega_lite_chart"):
        for ds in el.proto.datasets:
            out.append(pa.ipc.open_stream(ds.data.data).read_pandas())
    return out


def engine_results(db, at):
    """Both built-ins scored by the engine over the sidebar's period, beside the app (its own read connection)."""
    period = Period(at.session_state["period_start"], at.session_state["period_end"])
    con = records.connect(db, read_only=True)
    try:
        return (engine.score(con, catalog.builtin("photo-count"), period),
                engine.score(con, catalog.builtin("needs-met"), period))
    finally:
        con.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_app_opens_on_the_overview_with_the_engines_rankings_and_movers(db, lang):
    at = first_page(lang)
    assert_clean(at)
    assert at.title[0].value == t("ov.title", lang)
    a, b = engine_results(db, at)
    frames = chart_frames(at)
    assert len(frames) == 2
    for shown, result in zip(frames, (a, b)):       # photo count on the left, needs met on the right
        shown = shown.set_index("station_id")
        assert dict(shown["score"]) == dict(result.total)          # the engine's numbers, to the last bit
        assert dict(shown["rank"]) == dict(result.rank)
    # the headline's numbers are the comparison's
    cmp = compare(a, b, top_k=overview.TOP_K)
    moved = int((cmp.table["shift"].abs() >= overview.PLACES).sum())
    assert any(f"**{moved}**" in m.value and f"**{len(a.total)}**" in m.value for m in at.markdown)
    # the top movers, largest first, each a button into its station card
    expected = [sid for sid in cmp.movers(overview.MOVERS).index if cmp.table.at[sid, "shift"] != 0]
    buttons = [bt for bt in at.button if bt.key and bt.key.startswith("ov_card:")]
    assert [bt.key.split(":", 1)[1] for bt in buttons] == expected and len(expected) == overview.MOVERS
    names = views.station_names(a.stations, lang)
    assert [unescaped(bt.label) for bt in buttons] == [names[s] for s in expected]
    # the records one click away
    links = [el.proto for el in at.get("page_link")]
    assert any(p.page.endswith("records") and p.label == t("ov.to_records", lang) for p in links), links


def test_a_mover_opens_its_station_card(db):
    at = first_page("en")
    button = next(bt for bt in at.button if bt.key and bt.key.startswith("ov_card:"))
    sid = button.key.split(":", 1)[1]
    button.click().run()
    assert_clean(at)
    assert at.title[0].value == t("scores.title", "en")
    assert at.selectbox(key="card_station").value == sid
    assert any(unescaped(i.value).startswith("The station card of ") for i in at.info)


def test_the_overview_scores_no_more_than_the_pages_after_it(db, monkeypatch):
    """Both built-ins are scored once, in the cache the Scores and Compare pages read: opening them after the
    overview queries nothing again."""
    calls = []
    real = engine.score
    monkeypatch.setattr(engine, "score", lambda con, scheme, period: calls.append(scheme.id) or real(con, scheme, period))
    at = first_page("en")
    assert sorted(calls) == ["needs-met", "photo-count"]
    for page in ("compare", "scores"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert_clean(at)
    assert sorted(calls) == ["needs-met", "photo-count"]


def test_a_scheme_of_ones_own_in_the_sidebar_is_pointed_to_its_ranking(db):
    con = records.connect(db)
    try:
        catalog.save(con, catalog.builtin("needs-met").with_weights(**{"id": "mine", "name_zh": "我的方案"}))
    finally:
        con.close()
    at = first_page("zh")
    at.sidebar.selectbox(key="scheme_id").set_value("mine").run()
    assert_clean(at)
    assert t("ov.current", "zh", scheme="我的方案") in [unescaped(c.value) for c in at.caption]
    assert len(chart_frames(at)) == 2                               # still the two built-ins


def test_an_empty_database_opens_on_where_to_begin(tmp_path, monkeypatch):
    import streamlit as st
    path = tmp_path / "empty.duckdb"
    con = records.connect(path)
    records.create_schema(con)
    con.close()
    monkeypatch.setenv("INDICATORS_DB", str(path))
    try:
        at = first_page("zh")
        assert_clean(at)
        assert [i.value for i in at.info if i.value == t("ov.no_stations", "zh")]
        assert any(el.proto.page.endswith("records") for el in at.get("page_link"))
        assert not at.get("vega_lite_chart")
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def test_a_period_without_records_says_so_rather_than_compare_ties(db):
    at = first_page("zh")
    at.sidebar.date_input(key="period_start").set_value(date(2020, 1, 1)).run()
    at.sidebar.date_input(key="period_end").set_value(date(2020, 12, 31)).run()
    assert_clean(at)
    names = "和".join(pick(catalog.builtin(s), "zh") for s in ("photo-count", "needs-met"))
    assert [w.value for w in at.warning] == [t("ov.flat", "zh", scheme=names)]
    assert t("ov.no_movers", "zh") in [i.value for i in at.info]
