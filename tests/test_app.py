"""The Streamlit app through streamlit.testing.v1.AppTest: every page in both languages, the language
switch, weights moving the ranking, bad input shown as st.error with nothing saved, clone and save.

Each test builds its own demo database in tmp_path (records.build_demo) and points INDICATORS_DB at it.
AppTest renders no charts and shows data_editor as a dataframe: charts are tested in test_charts.py and
the edit logic as pure functions in test_app_logic.py.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from indicators.records import queries

from indicators.records import store as records
from indicators.i18n import t

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("records", "indicators", "weights", "scores", "compare", "schemes")
TITLE_KEYS = {"records": "records.title", "indicators": "ind.title", "weights": "w.title",
              "scores": "scores.title", "compare": "compare.title", "schemes": "schemes.title"}


def open_app(lang: str = "en", page: str | None = None, code: str | None = None) -> AppTest:
    """The app in a fresh session, in a language, on a page (and with ?code=... for the join page)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.context["locale"] = "zh-CN" if lang == "zh" else "en-US"
    if code is not None:
        at.query_params["code"] = code
    at.run()
    if page:
        at.switch_page(f"app_pages/{page}.py").run()
    return at


def unescaped(text: str) -> str:
    """What a reader sees of Markdown that went through text_safety.plain(): the backslashes before punctuation
    gone (AppTest gives the Markdown source)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def saved_ids(path: Path) -> list[str]:
    con = records.connect(path, read_only=True)   # the app may hold it open: read beside it
    try:
        return list(queries.saved_schemes(con)["scheme_id"])
    finally:
        con.close()


def working(at: AppTest) -> dict:
    """This session's unsaved working copies of schemes."""
    return at.session_state["working"] if "working" in at.session_state else {}


def ranking_shown(at: AppTest) -> list[str]:
    """The stations of the Weights page's top-10 table, in order."""
    tables = [d.value for d in at.dataframe if "before" in d.value.columns]
    assert len(tables) == 1
    return list(tables[0]["station"])


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_both_languages(db, page, lang):
    at = open_app(lang, page)
    assert_clean(at)
    assert at.title[0].value == t(TITLE_KEYS[page], lang)
    # the shared frame: the synthetic-data note and the scheme chooser, in the page's language
    assert any(t("frame.demo_note", lang) == i.value for i in at.sidebar.info)
    assert at.sidebar.selectbox[0].label == t("frame.scheme", lang)


def test_language_defaults_from_locale_and_switches(db):
    at = open_app("en")
    assert at.session_state["lang"] == "en"
    assert at.title[0].value == t("ov.title", "en") and at.sidebar.selectbox[0].label == "Current scheme"
    at.sidebar.radio[0].set_value("zh").run()
    assert_clean(at)
    assert at.title[0].value == t("ov.title", "zh") and at.sidebar.selectbox[0].label == "当前评估方案"
    at.switch_page("app_pages/compare.py").run()
    assert at.title[0].value == "评估方案对比"               # the choice holds across pages
    assert open_app("zh").session_state["lang"] == "zh"


def test_weights_slider_moves_the_ranking(db):
    at = open_app("en", "weights")
    before = ranking_shown(at)
    dims = {s.key.rsplit(":", 1)[1]: s for s in at.slider if s.key and s.key.startswith("wd:")}
    assert set(dims) == {"needs_resolved", "needs_by_category", "reach", "residents_voice", "service_focus",
                         "professional_quality"}
    dims["needs_resolved"].set_value(0).run()
    for d in ("needs_by_category", "reach", "residents_voice", "service_focus"):
        next(s for s in at.slider if s.key == dims[d].key).set_value(0).run()
    assert_clean(at)
    after = ranking_shown(at)
    assert after != before
    # nothing is applied until asked: no working copy, nothing saved
    assert working(at) == {}
    assert saved_ids(db) == []


def test_weights_apply_creates_a_working_copy(db):
    at = open_app("en", "weights")
    key = next(s.key for s in at.slider if s.key and s.key.endswith(":professional_quality"))
    at.slider(key=key).set_value(60).run()
    at.button(key="w_apply").click().run()
    assert_clean(at)
    assert list(working(at)) == ["needs-met-copy"]
    assert at.session_state["scheme_id"] == "needs-met-copy"
    dims = {d.id: d.weight for d in working(at)["needs-met-copy"].dimensions}
    assert dims["professional_quality"] / sum(dims.values()) == pytest.approx(60 / 150)
    assert saved_ids(db) == []


@pytest.mark.parametrize("method", ["needs", "ahp", "objective", "combined"])
def test_weights_methods_render(db, method):
    at = open_app("zh", "weights")
    at.segmented_control(key="w_method").set_value(method).run()
    assert_clean(at)
    assert ranking_shown(at)
    if method in ("objective", "combined"):            # the dispersion warning is always there
        assert any(w.value == t("w.objective_warning", "zh") for w in at.warning)
    if method == "needs":                              # no serves lists: said out loud, with how many
        from indicators.scheme import catalog
        inds = catalog.resolve("needs-met")[0].indicators
        note = t("w.serves_all_note", "zh", n=sum(not i.serves for i in inds), total=len(inds))
        assert any(note == i.value for i in at.info)
    if method == "ahp":
        assert {m.label for m in at.metric} >= {"λmax", "CI", "CR"}


def test_ahp_inconsistent_judgments_are_flagged(db):
    at = open_app("en", "weights")
    at.segmented_control(key="w_method").set_value("ahp").run()
    pairs = [s for s in at.select_slider if s.key.startswith("ahp:") and ":__dimensions:" in s.key]
    # A >> B, B >> C, but C >> A: a cycle
    by = {tuple(int(x) for x in s.key.rsplit(":", 2)[1:]): s.key for s in pairs}
    at.select_slider(key=by[(0, 1)]).set_value(9).run()
    at.select_slider(key=by[(1, 2)]).set_value(9).run()
    at.select_slider(key=by[(0, 2)]).set_value(-9).run()
    assert_clean(at)
    assert any("CR =" in w.value and "0.10" in w.value for w in at.warning)


def test_indicator_with_a_bad_filter_shows_an_error_and_keeps_nothing(db):
    at = open_app("en", "indicators")
    key = "ind:needs-met:__new_quantitative:{}"
    at.text_input(key=key.format("name_zh")).input("测试").run()
    at.text_input(key=key.format("name_en")).input("Test").run()
    at.text_input(key=key.format("filter")).input("no_such_column > 3").run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and "measure.filter" in errors[0] and "no_such_column" in errors[0]
    at.button(key=key.format("apply")).click().run()
    assert not at.exception
    assert at.session_state["scheme_id"] == "needs-met"
    assert working(at) == {}
    assert saved_ids(db) == []


def test_indicator_added_to_a_working_copy(db):
    at = open_app("zh", "indicators")
    key = "ind:needs-met:__new_quantitative:{}"
    at.text_input(key=key.format("id")).input("case_work").run()
    at.text_input(key=key.format("name_zh")).input("个案服务次数").run()
    at.text_input(key=key.format("name_en")).input("Casework sessions").run()
    at.text_input(key=key.format("filter")).input("kind = 'case'").run()
    assert_clean(at)
    at.button(key=key.format("apply")).click().run()
    assert_clean(at)
    copy = working(at)["needs-met-copy"]
    assert copy.indicator("case_work").measure.filter == "kind = 'case'"
    assert at.session_state["scheme_id"] == "needs-met-copy"
    assert saved_ids(db) == []                          # saving is a separate, explicit step
    at.switch_page("app_pages/scores.py").run()          # the working copy scores
    assert_clean(at)


def test_indicator_removed_from_the_working_copy(db):
    at = open_app("en", "indicators")
    key = "ind:needs-met:__new_quantitative:{}"
    at.text_input(key=key.format("name_zh")).input("测试").run()
    at.text_input(key=key.format("name_en")).input("Test").run()
    at.button(key=key.format("apply")).click().run()
    assert at.selectbox(key="ind_target:needs-met-copy").value == "new_indicator"   # the new one is open
    at.button(key="ind:needs-met-copy:new_indicator:remove").click().run()
    assert_clean(at)
    assert "new_indicator" not in [i.id for i in working(at)["needs-met-copy"].indicators]
    assert at.selectbox(key="ind_target:needs-met-copy").value == "__new_quantitative"


def test_clone_then_save_stores_the_scheme(db):
    at = open_app("en", "schemes")
    at.text_input(key="clone_id:needs-met").set_value("lanzhou-2024").run()
    at.button(key="clone_go").click().run()
    assert_clean(at)
    assert at.session_state["scheme_id"] == "lanzhou-2024"
    assert saved_ids(db) == []
    at.button(key="save_go").click().run()
    assert_clean(at)
    assert saved_ids(db) == ["lanzhou-2024"]
    assert any("lanzhou-2024" in s.value for s in at.success)
    assert "lanzhou-2024" not in working(at)     # saved: no unsaved edits left
    assert at.session_state["scheme_id"] == "lanzhou-2024"


def test_invalid_yaml_upload_names_the_field_and_keeps_nothing(db):
    text = (ROOT / "indicators" / "scheme" / "builtin" / "photo-count.yaml").read_text(encoding="utf-8")
    bad = text.replace("id: photo-count", "id: uploaded", 1).replace("camp: output", "camp: outputs", 1)
    at = open_app("zh", "schemes")
    at.file_uploader(key="upload_yaml").set_value(("bad.yaml", bad.encode("utf-8"), "application/x-yaml")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and "dimensions[0].indicators[0].camp" in errors[0] and "outputs" in errors[0]
    assert saved_ids(db) == []
    assert working(at) == {}


def test_valid_yaml_upload_opens_as_working_scheme(db):
    text = (ROOT / "indicators" / "scheme" / "builtin" / "photo-count.yaml").read_text(encoding="utf-8")
    at = open_app("en", "schemes")
    at.file_uploader(key="upload_yaml").set_value(("pc.yaml", text.encode("utf-8"), "application/x-yaml")).run()
    assert_clean(at)
    at.button(key="upload_go").click().run()
    assert_clean(at)
    assert at.session_state["scheme_id"] == "photo-count-copy"   # a built-in's id is never reused
    assert saved_ids(db) == []


def test_scores_station_card_and_robustness(db):
    at = open_app("en", "scores")
    first = [m.value for m in at.markdown if m.value.startswith("- ")]
    ids = at.selectbox(key="card_station").options
    at.selectbox(key="card_station").set_value("S03").run()
    assert_clean(at)
    second = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert first != second and len(ids) == 24
    assert any("90% of plausible weightings" in i.value for i in at.info)
    at.slider(key="sens_spread").set_value(0.0).run()            # no uncertainty: every interval is one rank
    assert_clean(at)
    assert any("Ranks " in i.value and "–" not in i.value.split("weightings")[0] for i in at.info)
    at.checkbox(key="sens_vary_norm").check().run()          # the rank reading of the records joins in
    assert_clean(at)


def test_compare_defaults_to_photo_count_against_needs_met(db):
    at = open_app("zh", "compare")
    assert at.selectbox(key="compare_a").value == "photo-count"
    assert at.selectbox(key="compare_b").value == "needs-met"
    labels = {m.label for m in at.metric}
    assert {"肯德尔 τ", "斯皮尔曼 ρ", "前5名重合率"} <= labels
    tau = float(next(m.value for m in at.metric if m.label == "肯德尔 τ"))
    assert tau < 0                                   # the two ways of assessing disagree on the demo
    movers = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert len(movers) == 5 and "需求导向评估方案" in movers[0] and "产出计数方案（对照）" in movers[0]


def test_an_unexpected_failure_shows_a_short_error_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("INDICATORS_DB", str(tmp_path / "no" / "such" / "dir" / "x.duckdb"))
    at = open_app("en")
    assert not at.exception
    said = at.error[0].value if at.error else ""
    assert said.startswith("Something went wrong") and "Reload the page" in said and "Traceback" not in said, said
    st.cache_data.clear()
    st.cache_resource.clear()


def test_a_deep_upload_counts_dimensions_at_every_level(db):
    """The listing and the upload note count sub-dimensions too, and say how deep the tree is."""
    text = (ROOT / "tests" / "data" / "tree-scheme.yaml").read_text(encoding="utf-8")   # 3 top + 5 sub, 13 leaves
    at = open_app("en", "schemes")
    at.file_uploader(key="upload_yaml").set_value(("tree.yaml", text.encode("utf-8"), "application/x-yaml")).run()
    assert_clean(at)
    assert any("8 dimensions, 13 indicators" in s.value for s in at.success)
    at.button(key="upload_go").click().run()
    assert_clean(at)
    listing = at.dataframe[0].value.set_index("id")
    assert listing.loc["tree-example", ["levels", "dimensions", "indicators"]].tolist() == [2, 8, 13]
    assert listing.loc["needs-met", ["levels", "dimensions"]].tolist() == [1, 6]


@pytest.mark.parametrize("target", ["first_in_a_year", "priority_unreached", "month_on_month_returning"])
def test_a_rotation_indicator_opens_in_the_form_and_applies_unchanged(db, target):
    """The rotation kinds are edited in the form (they were sent to the YAML as if they were ratios)."""
    from indicators.scheme import catalog
    before = catalog.resolve("needs-met")[0].indicator(target)
    at = open_app("en", "indicators")
    at.selectbox(key="ind_target:needs-met").set_value(target).run()
    assert_clean(at)
    assert not any(i.value == t("ind.nested", "en") for i in at.info)
    assert any(c.value == t(f"ind.kind_note.{before.measure.kind}", "en") for c in at.caption)
    at.button(key=f"ind:needs-met:{target}:apply").click().run()
    assert_clean(at)
    assert working(at)["needs-met-copy"].indicator(target) == before


def test_new_indicators_of_the_rotation_and_value_kinds(db):
    from indicators.scheme.model import Measure
    at = open_app("en", "indicators")
    key = "ind:needs-met:__new_quantitative:{}"
    at.text_input(key=key.format("id")).input("new_in_90_days").run()
    at.text_input(key=key.format("name_zh")).input("九十天内新参与者占比").run()
    at.text_input(key=key.format("name_en")).input("New in 90 days").run()
    at.selectbox(key=key.format("kind")).set_value("new_share").run()
    at.number_input(key=key.format("days")).set_value(90).run()
    assert_clean(at)
    assert at.text_input(key=key.format("unit:new_share")).value == "share"
    at.button(key=key.format("apply")).click().run()
    assert_clean(at)
    assert working(at)["needs-met-copy"].indicator("new_in_90_days").measure == Measure(kind="new_share", days=90)

    key = "ind:needs-met-copy:__new_quantitative:{}"
    at.selectbox(key="ind_target:needs-met-copy").set_value("__new_quantitative").run()
    at.text_input(key=key.format("id")).input("satisfaction_per_head").run()
    at.text_input(key=key.format("name_zh")).input("满意度").run()
    at.text_input(key=key.format("name_en")).input("Satisfaction").run()
    at.selectbox(key=key.format("kind")).set_value("value").run()
    assert_clean(at)                                  # no series yet: the preview reads the indicator's own id
    at.text_input(key=key.format("series")).input("satisfaction").run()
    at.text_input(key=key.format("denominator")).input("population_served").run()
    assert_clean(at)
    at.button(key=key.format("apply")).click().run()
    assert_clean(at)
    m = working(at)["needs-met-copy"].indicator("satisfaction_per_head").measure
    assert m == Measure(kind="value", series="satisfaction", denominator="population_served")
