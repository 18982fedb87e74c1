"""The rating-round page through AppTest (issue 23): nothing is dropped without a word (a save after agreement says
"not saved", 佐证是 has no preset, an unsaved level survives a switch of station), a personal link brings a rater
back by its token, and the rows written to the records are shown with readable column names and no None."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from indicators.i18n import t
from tests.test_app import ROOT, assert_clean, open_app
from tests.test_app_raters import button, lead_starts, rate, rater_rates, table

Q = "professional_quality"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_save_after_agreement_is_refused_in_words_and_the_draft_stays(db, lang):
    lead, code = lead_starts(lang, ["S01"])
    a = rater_rates(lang, code, "王评", {"S01": "良"})
    rater_rates(lang, code, "李评", {"S01": "良"})
    button(lead, t("rt.refresh", lang)).click().run()
    button(lead, t("rt.reveal", lang)).click().run()
    button(lead, t("rt.agree", lang)).click().run()
    assert_clean(lead)
    # rater A's page is stale (still in moderation when drawn): the change is refused, not dropped
    a.radio(key=f"rt_lv:{code}:S01:{Q}").set_value("优")
    button(a, t("rt.save", lang)).click().run()
    assert [e.value for e in a.error] == [t("rtp.not_saved.agreed", lang)]
    assert a.radio(key=f"rt_lv:{code}:S01:{Q}").value == "优"        # the draft is still on the page
    written = table(lead, "rating_id")
    assert "None" not in written.astype(str).to_numpy().ravel().tolist()
    assert written["level"].tolist() == ["良"]


def test_evidence_has_no_preset_and_an_unsaved_level_survives_a_switch_of_station(db):
    lead, code = lead_starts("zh", ["S01", "S02"])
    tab = open_app("zh", "raters", code=code)
    tab.text_input(key="rt_join_name").input("王评")
    button(tab, t("rt.join_button", "zh")).click().run()
    assert t("live.mylink.keep", "zh") in [w.value for w in tab.warning]        # the link, marked "keep this"
    link = tab.code[0].value
    assert f"round={code}" in link and "token=" in link
    tab.selectbox(key=f"rt_station:{code}").set_value("S01").run()
    assert tab.radio(key=f"rt_seen:{code}:S01:{Q}").value is None             # 佐证是: nothing preselected
    tab.radio(key=f"rt_lv:{code}:S01:{Q}").set_value("良").run()
    button(tab, t("rt.save", "zh")).click().run()
    assert [e.value for e in tab.error] == [t("rtp.pick_seen", "zh")]
    tab.selectbox(key=f"rt_station:{code}").set_value("S02").run()
    assert any(w.value.startswith("未保存：S01") for w in tab.warning)
    tab.selectbox(key=f"rt_station:{code}").set_value("S01").run()
    assert tab.radio(key=f"rt_lv:{code}:S01:{Q}").value == "良"
    # the personal link on another device: the same rater, and the token is taken out of the address
    other = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    other.context["locale"] = "zh-CN"
    other.query_params["round"], other.query_params["token"] = code, link.split("token=")[1]
    other.run()
    other.switch_page("app_pages/raters.py").run()
    assert_clean(other)
    assert t("rtp.back", "zh", name="王评") in [s.value for s in other.success]
    assert "token" not in other.query_params
    rate(other, code, "S01", "良", "paper", "zh")
    assert_clean(other)
