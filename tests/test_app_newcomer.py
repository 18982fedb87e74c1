"""What a new evaluator hit, through AppTest: half-filled forms, imputed values, small workshop groups,
grades against relative scores, and the smaller screen defects. Each test fails without its fix."""
from __future__ import annotations

import pytest

from indicators.i18n import t
from tests.test_app import open_app, unescaped, working

KEY = "ind:needs-met:__new_quantitative:{}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_share_with_only_its_base_filled_says_what_is_missing_and_keeps_the_add_button(db, lang):
    at = open_app(lang, "indicators")
    at.selectbox(key=KEY.format("kind")).set_value("share").run()
    at.selectbox(key=KEY.format("table")).set_value("needs").run()
    at.text_input(key=KEY.format("base")).input("source = 'council'").run()
    assert not at.exception
    shown = " ".join(e.value for e in [*at.error, *at.info, *at.warning])
    assert "Exception" not in shown and "FILTER" not in shown and "SELECT" not in shown
    assert not at.error
    assert any(t("nc.field.filter", lang) in i.value for i in at.info)
    # the button is still there; pressing it names what is missing and keeps nothing
    at.text_input(key=KEY.format("name_zh")).input("测试").run()
    at.text_input(key=KEY.format("name_en")).input("Test").run()
    at.button(key=KEY.format("apply")).click().run()
    assert not at.exception
    assert any(t("nc.field.filter", lang) in e.value for e in at.error)
    assert working(at) == {}
    # filling the numerator gives a preview and no message
    at.text_input(key=KEY.format("filter")).input("status = 'resolved'").run()
    assert not at.exception and not at.error
    assert not any(t("nc.field.filter", lang) in i.value for i in at.info)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_projected_workshop_screen_shows_no_group_of_one(db, lang):
    from tests.test_app_workshop import allocate, button, join, start
    fac, code = start(lang)
    for name, group in (("A", "residents"), ("B", "residents"), ("C", "social_workers"), ("D", "evaluators")):
        ph = join(code, name, group)
        allocate(ph, code, [40, 20, 10, 10, 10, 10][:len([k for k in ph.number_input
                                                          if k.key.startswith(f"jw:{code}:")])])
        ph.button(key="join_submit").click().run()
    fac.run()
    button(fac, t("ws.close", lang)).click().run()
    assert not fac.exception and not fac.error
    tables = [d.value for d in fac.dataframe]
    columns = {c for df in tables for c in df.columns}
    assert not columns & {"residents", "social_workers", "evaluators"}     # every group is below 3 ...
    assert "other" in columns                                              # ... so all four are pooled
    assert any(t("nc.small_groups", lang, k=3, other=t("wsg.other", lang)) == c.value for c in fac.caption)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_scores_say_grade_bands_are_absolute_and_offer_grades_by_rank(db, lang):
    at = open_app(lang, "scores")
    assert not at.exception and not at.error
    assert any(c.value.startswith(t("nc.grade_note", lang, bands="")[:20]) and "A ≥ 85" in c.value
               for c in at.caption)
    ranking = next(d.value for d in at.dataframe if "grade" in d.value.columns and "capped_by" in d.value.columns)
    n = len(ranking)
    at.segmented_control(key="grade_basis").set_value("rank").run()
    assert not at.exception and not at.error
    by_rank = next(d.value for d in at.dataframe if "grade" in d.value.columns and "capped_by" in d.value.columns)
    letters = by_rank["grade"].str[0]
    uncapped = by_rank["capped_by"] == ""
    # equal shares, best first: among uncapped stations, the grade never gets better as the rank gets worse
    assert list(letters[uncapped]) == sorted(letters[uncapped])
    assert (letters[uncapped] == "A").sum() >= 1
    assert (letters == "D").sum() <= n // 4 + (~uncapped).sum()


def test_a_new_share_defaults_to_the_share_unit_and_previews_percentages(db):
    at = open_app("en", "indicators")
    at.selectbox(key=KEY.format("kind")).set_value("share").run()
    at.selectbox(key=KEY.format("table")).set_value("needs").run()
    at.text_input(key=KEY.format("filter")).input("status = 'resolved'").run()
    assert not at.exception and not at.error
    assert at.text_input(key=KEY.format("unit:share")).value == "share"
    median = next(m for m in at.metric if m.label == t("ind.prev.median", "en"))
    assert median.value.endswith("%") and 0 < float(median.value[:-1]) <= 100


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_qualitative_editor_offers_level_columns_only_and_names_the_rubrics(db, lang):
    at = open_app(lang, "indicators")
    at.selectbox(key="ind_target:needs-met").set_value("__new_qualitative").run()
    assert not at.exception and not at.error
    key = "ind:needs-met:__new_qualitative:{}"
    assert at.selectbox(key=key.format("column:ratings")).options == ["level"]
    assert any("`professional_quality`" in c.value for c in at.caption)
    at.selectbox(key=key.format("table")).set_value("feedback").run()
    assert set(at.selectbox(key=key.format("column:feedback")).options) == {"channel", "rating", "need_met"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_inconsistent_ahp_needs_a_tick_before_it_can_be_applied(db, lang):
    at = open_app(lang, "weights")
    at.segmented_control(key="w_method").set_value("ahp").run()
    assert not at.button(key="w_apply").disabled                      # the defaults are consistent
    pairs = [s for s in at.select_slider if s.key.startswith("ahp:") and ":__dimensions:" in s.key]
    by = {tuple(int(x) for x in s.key.rsplit(":", 2)[1:]): s.key for s in pairs}
    at.select_slider(key=by[(0, 1)]).set_value(9).run()               # A >> B >> C >> A: a cycle
    at.select_slider(key=by[(1, 2)]).set_value(9).run()
    at.select_slider(key=by[(0, 2)]).set_value(-9).run()
    assert not at.exception and not at.error
    assert at.button(key="w_apply").disabled
    assert any(w.value.startswith("CR = ") or w.value.startswith("CR =") for w in at.warning)
    at.checkbox(key="w_ahp_confirm").check().run()
    assert not at.button(key="w_apply").disabled
    at.button(key="w_apply").click().run()
    assert not at.exception and working(at)


def test_a_slider_move_dumps_no_yaml(db, monkeypatch):
    """The scoring cache key (the scheme's YAML) is kept per scheme: a slider move only re-weights."""
    from app_pages import frame
    from indicators.scheme import model
    at = open_app("en", "weights")
    calls = []

    def counting(*args, **kwargs):
        calls.append(1)
        return model.dump_yaml(*args, **kwargs)
    monkeypatch.setattr(frame, "dump_yaml", counting)
    slider = next(s for s in at.slider if s.key and s.key.startswith("wd:") and s.key.endswith(":reach"))
    slider.set_value(40).run()
    assert not at.exception and not at.error
    assert calls == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_phones_say_in_one_line_what_each_dimension_holds(db, lang):
    from indicators.scheme import catalog
    from tests.test_app_workshop import join, start
    fac, code = start(lang)
    ph = join(code, "A", "residents", lang)
    assert not ph.exception and not ph.error
    scheme = catalog.builtin("needs-met")
    first = scheme.dimensions[0]
    names = [(i.name_zh if lang == "zh" else i.name_en) for i in first.indicators]
    assert any(unescaped(c.value).startswith(t("nc.dim_covers", lang, names=""))
               and all(n in unescaped(c.value) for n in names) for c in ph.caption)


def test_a_long_scheme_name_is_written_out_under_the_sidebar_box(db):
    at = open_app("en", "weights")
    at.button(key="w_apply").click().run()                  # a working copy: "Needs met (copy) · unsaved"
    label = "Needs met (copy) · unsaved"
    assert any(unescaped(c.value) == label for c in at.sidebar.caption)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_import_page_switches_to_the_table_it_recognised(db, lang):
    from tests.test_app_io import STATION_NEW, upload
    at = open_app(lang, "records")
    at.selectbox(key="io_table").set_value("needs").run()
    upload(at, ("my_file.csv", STATION_NEW.encode()))
    assert not at.exception
    assert at.selectbox(key="io_table").value == "stations"
    assert any(t("nc.io_switched", lang, file="my_file.csv", table="")[:6] in unescaped(i.value) for i in at.info)
    assert any(b.key == "io_go" for b in at.button)
