"""The Delphi page for issue 23 through AppTest: an expert's own link (shown once, "keep this"), coming back with it
in a new session, a taken name asking for the link, an answer sent after the round closed answered in words, the
facilitator's progress view and removal, and every round's table with the report after the next round opens."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from indicators.i18n import t
from tests.test_app import ROOT, assert_clean, open_app
from tests.test_app_raters import BASIS, button, expert_answers, rows

CANDS = ["urgent_needs_resolved", "days_to_resolve", "need_linked_activities"]


def start(lang: str) -> tuple[AppTest, str]:
    lead = open_app(lang, "delphi")
    lead.multiselect(key="dp_candidates").set_value(CANDS)
    button(lead, t("dp.start_button", lang)).click().run()
    return lead, lead.session_state["dp_lead"]["code"]


def join(lang: str, code: str, name: str) -> AppTest:
    tab = open_app(lang, "delphi", code=code)
    tab.text_input(key="dp_join_name").input(name)
    button(tab, t("dp.join_button", lang)).click().run()
    return tab


def by_link(lang: str, code: str, token: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.context["locale"] = "zh-CN" if lang == "zh" else "en-US"
    at.query_params["study"] = code
    at.query_params["token"] = token
    at.run()
    at.switch_page("app_pages/delphi.py").run()
    return at


def test_an_expert_keeps_the_link_and_comes_back_with_it_elsewhere(db):
    lead, code = start("zh")
    tab = join("zh", code, "专家甲")
    assert_clean(tab)
    token = tab.session_state["dp_me"][code]["token"]
    assert t("live.mylink.keep", "zh") in [w.value for w in tab.warning]       # shown once, open, "keep this"
    link = next(c.value for c in tab.code if "token=" in c.value)
    assert f"/delphi?study={code}&token={token}" in link
    tab.run()
    assert t("live.mylink.keep", "zh") not in [w.value for w in tab.warning]   # folded afterwards, still there
    assert any("token=" in c.value for c in tab.code)
    other = join("zh", code, "专家甲")                                           # another device, by name
    assert [w.value for w in other.warning] == [t("dpw.name_taken", "zh", name="专家甲", code=code)]
    back = by_link("zh", code, token)                                          # ... with the link instead
    assert_clean(back)
    assert back.session_state["dp_me"][code]["name"] == "专家甲"
    assert t("dpw.back", "zh", name="专家甲") in [s.value for s in back.success]
    assert "token" not in back.query_params                                    # out of the address bar
    expert_answers(back, code, 1, dict(zip(CANDS, [(5, 5), (4, 4), (3, 3)])), "zh")
    assert rows(db, "SELECT count(*) FROM delphi_answers")[0][0] == 3
    wrong = by_link("zh", code, token[:-3])
    assert [e.value for e in wrong.error] == [t("dpw.bad_link", "zh", code=code)]


def test_an_answer_sent_after_the_round_closed_is_refused_in_words(db):
    lead, code = start("en")
    early = [join("en", code, n) for n in ("A", "B")]
    for tab in early:
        expert_answers(tab, code, 1, dict(zip(CANDS, [(5, 5), (4, 4), (3, 3)])), "en")
    late = join("en", code, "C")
    for ind in CANDS:                                     # C fills the form while the facilitator closes
        late.segmented_control(key=f"dp_imp:{code}:1:{ind}").set_value(4)
        late.segmented_control(key=f"dp_fea:{code}:1:{ind}").set_value(4)
    late.radio(key=f"dp_fam:{code}:1").set_value("familiar")
    for b, v in BASIS.items():
        late.radio(key=f"dp_basis:{code}:1:{b}").set_value(v)
    button(lead, t("dp.close", "en")).click().run()
    button(late, t("dp.submit", "en")).click().run()
    assert [e.value for e in late.error] == [t("dpw.closed", "en", round=1)]
    assert rows(db, "SELECT count(*) FROM delphi_authority")[0][0] == 2


def test_the_facilitator_sees_progress_removes_an_expert_and_keeps_every_round(db):
    lead, code = start("en")
    tabs = {n: join("en", code, n) for n in ("A", "B", "C", "A2")}
    plan = {"A": [(5, 5), (4, 4), (2, 4)], "B": [(5, 4), (5, 4), (3, 3)], "C": [(4, 5), (5, 5), (2, 4)]}
    for n, scores in plan.items():
        expert_answers(tabs[n], code, 1, dict(zip(CANDS, scores)), "en")
    lead.run()
    progress = next(d.value for d in lead.dataframe if t("dpw.col.round", "en", round=1) in d.value.columns)
    assert progress[t("dpw.col.round", "en", round=1)].tolist() == ["answered"] * 3 + ["not yet"]
    ids = rows(db, "SELECT expert_id, name FROM delphi_experts")
    a2 = next(e for e, n in ids if n == "A2")
    lead.selectbox(key="dp_remove_who").set_value(a2)
    button(lead, t("dpw.remove", "en")).click().run()
    assert [e.value for e in lead.error] == [t("dpw.reason_needed", "en")]
    lead.text_input(key="dp_remove_why").input("joined twice")
    button(lead, t("dpw.remove", "en")).click().run()
    assert_clean(lead)
    assert rows(db, "SELECT reason FROM delphi_removed") == [("joined twice",)]
    button(lead, t("dp.close", "en")).click().run()
    button(lead, t("dp.next_round", "en")).click().run()
    assert_clean(lead)
    # round 2 is open: round 1's table is still there, with the report and its download
    assert f"**{t('dpw.round_table', 'en', round=1)}**" in " ".join(m.value for m in lead.markdown)
    assert any(d.value.columns.tolist()[:2] == [t("dpw.col.indicator", "en"), t("dpw.col.mean", "en", round=1)]
               for d in lead.dataframe)
    texts = " ".join(m.value for m in lead.markdown)
    for k in ("experts", "response", "authority", "kendall", "importance", "decisions", "comments"):
        assert t("dpw.report_title", "en", sheet=t(f"dpw.sheet.{k}", "en")) in texts
    assert not any("None" in d.value.astype(str).to_numpy().ravel().tolist() for d in lead.dataframe)
    downloads = {d.proto.label for d in lead.get("download_button")}
    assert {t("dpw.report", "en"), t("dpw.report_pdf", "en")} <= downloads          # Excel and a printable PDF


def test_experts_see_what_they_rate_and_a_closing_page(db):
    lead, code = start("zh")
    tabs = [join("zh", code, n) for n in ("甲", "乙")]
    captions = " ".join(c.value for c in tabs[0].caption)
    assert t("dpw.anchors", "zh") in captions and "方向：" in captions           # scale anchors, direction
    for tab in tabs:
        expert_answers(tab, code, 1, dict(zip(CANDS, [(5, 5), (4, 4), (4, 4)])), "zh")
    button(lead, t("dp.close", "zh")).click().run()
    button(lead, t("dpw.finish", "zh")).click().run()
    assert_clean(lead)
    tabs[0].run()
    assert [s.value for s in tabs[0].success] == [t("dpw.finished", "zh", rounds=1)]
    assert not [f for f in tabs[0].text_input if f.key and f.key.startswith("dp_note:")]   # no form any more
