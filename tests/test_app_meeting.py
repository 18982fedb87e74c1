"""The evaluation-meeting pages through AppTest, in both languages: the facilitator and each phone are AppTest
sessions of their own on one temporary demo database (the `db` fixture, INDICATORS_DB)."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from indicators.clock import shown_time
from indicators.i18n import t
from tests.conftest import TEST_LEAD
from indicators.outputs.voting_sheet import vote_link
from tests.test_app import ROOT, assert_clean, open_app
from indicators.records import store as records
from tests.test_app_raters import button, table


def rows(path, sql):
    """Read beside the app's own Store in this process: through a Store too, which waits while the app's holds the
    file read-write for a moment after a write (one process cannot open it both ways at once)."""
    beside = records.Store(path)
    try:
        cur = beside.cursor()
        try:
            return cur.execute(sql).fetchall()
        finally:
            cur.close()
    finally:
        beside.close()


def facilitator_opens(lang: str, n: int = 3) -> tuple[AppTest, str, str, list[str]]:
    at = open_app(lang, "meeting")
    assert_clean(at)
    at.selectbox(key="mt_station").set_value("S01").run()
    items = next(ms for ms in at.multiselect if ms.key.startswith("mt_items:S01:"))
    assert items.value and all(v.split(":")[0] in ("need", "activity") for v in items.value)
    items.set_value(items.value[:2])
    at.number_input(key="mt_n").set_value(n)
    button(at, t("mt.start_button", lang)).click().run()
    assert_clean(at)
    lead = at.session_state["mt_lead"]
    codes = at.session_state["mt_codes"][lead["code"]]
    assert len(codes) == n
    assert any(t("mt.started", lang, code=lead["code"]) == s.value for s in at.success)
    return at, lead["code"], lead["key"], codes


def phone(lang: str, m: str | None = None, v: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.context["locale"] = "zh-CN" if lang == "zh" else "en-US"
    if m:
        at.query_params["m"], at.query_params["v"] = m, v
    at.run()
    at.switch_page("app_pages/vote.py").run()
    return at


def votes(at: AppTest, m: str, answers: list[tuple[str | None, int | None]], lang: str, comment: str = "") -> None:
    for pos, (met, rating) in enumerate(answers):
        if comment and pos == 0:
            at.text_area(key=f"vt_comment:{m}:0").input(comment)
        assert any(t("vt.item_of", lang, n=pos + 1, total=len(answers)) in str(p.proto) for p in at.get("progress"))
        if met is None and rating is None:
            button(at, t("vt.skip", lang)).click().run()
            continue
        if met:
            at.segmented_control(key=f"vt_met:{m}:{pos}").set_value(met)
        if rating:
            at.segmented_control(key=f"vt_rating:{m}:{pos}").set_value(rating)
        button(at, t("vt.send", lang)).click().run()
        assert_clean(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_meeting_through_the_pages(db, lang):
    lead, code, key, codes = facilitator_opens(lang)
    assert t("mt.hidden", lang) in [i.value for i in lead.info]
    a = phone(lang, code, codes[0])
    assert_clean(a)
    assert t("vt.private", lang) in [i.value for i in a.info]
    votes(a, code, [("yes", 5), ("no", None)], lang, comment="**楼道灯** [不亮](http://x)")
    assert t("vt.thanks", lang) in [s.value for s in a.success]
    b = phone(lang, code, codes[1].lower())
    votes(b, code, [("unsure", 2), (None, None)], lang)
    # an empty send is refused on the phone, nothing stored
    c = phone(lang, code, codes[2])
    button(c, t("vt.send", lang)).click().run()
    assert t("vt.pick_one", lang) in [w.value for w in c.warning]
    assert rows(db, "SELECT count(*) FROM meeting_votes")[0][0] == 4
    button(lead, t("mt.refresh", lang)).click().run()
    turnout = next(m for m in lead.metric if m.label == t("mt.m.turnout", lang))
    assert turnout.value == "2"
    assert table(lead, "answered")["answered"].tolist() == [2, 1]
    before = rows(db, "SELECT count(*) FROM feedback")[0][0]
    button(lead, t("mt.reveal", lang)).click().run()
    assert_clean(lead)
    assert t("mt.state.revealed", lang) in [i.value for i in lead.info]
    res = table(lead, "yes")
    assert res[["votes", "yes", "no", "unsure", "n_ratings"]].values.tolist() == [[2, 1, 0, 1, 2], [1, 0, 1, 0, 0]]
    assert res["rating_mean"].tolist()[0] == 3.5
    assert table(lead, "comment")["comment"].tolist() == ["**楼道灯** [不亮](http://x)"]   # shown as text
    got = rows(db, "SELECT rating, need_met, resident_id FROM feedback WHERE channel = 'evaluation_meeting' "
                   f"AND feedback_id LIKE '{code}-%' ORDER BY feedback_id")
    assert got == [(5, "yes", None), (2, None, None), (None, "no", None)]
    assert rows(db, "SELECT count(*) FROM feedback")[0][0] == before + 3
    share = next(m for m in lead.metric if m.label == t("mt.share_met", lang))
    assert share.value == "50.0%"                                     # yes 1, no 1
    after = next(m for m in lead.metric if m.label == t("mt.score_after", lang))
    assert re.fullmatch(r"\d+\.\d\d", after.value)
    # the public notice: first who issues it and how to object, then the notice to read and download
    assert t("err.notice.issuer_contact", lang) in [w.value for w in lead.warning]
    lead.text_input(key="mt_notice_issuer").input("城关区民政局").run()
    lead.text_input(key="mt_notice_contact").input("街道办 0931-8888888").run()
    assert_clean(lead)
    frames = lead.get("iframe")
    assert len(frames) == 1
    shown = str(frames[0].proto)
    assert "0931-8888888" in shown and code in shown
    assert len(lead.get("download_button")) == 2
    # the phone now says the voting is over, and a late vote is refused
    c.run()
    assert t("vt.closed", lang) in [s.value for s in c.success]


def test_the_slips_link_opens_the_phone_in_chinese_whatever_its_language(db):
    lead, code, key, codes = facilitator_opens("en", n=1)
    ph = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    ph.context["locale"] = "en-US"
    link = vote_link("http://x", code, codes[0])
    for name, value in parse_qsl(urlsplit(link).query):
        ph.query_params[name] = value
    ph.run()
    ph.switch_page("app_pages/vote.py").run()
    assert_clean(ph)
    assert t("vt.private", "zh") in [i.value for i in ph.info]
    ph.segmented_control(key="vt_lang").set_value("en").run()      # the switch at the top
    assert t("vt.private", "en") in [i.value for i in ph.info]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_refusals_reach_the_screen_in_the_readers_language(db, lang):
    lead, code, key, codes = facilitator_opens(lang, n=1)
    stranger = phone(lang, code, "ZZZZZZ")
    assert t("mt.err.unknown_voter", lang, code=code) in [e.value for e in stranger.error]
    typed = phone(lang)                                             # no QR: type the codes
    typed.text_input(key="vt_m").input(code.lower())
    typed.text_input(key="vt_v").input(codes[0][:3] + "-" + codes[0][3:])
    button(typed, t("vt.go", lang)).click().run()
    assert_clean(typed)
    assert typed.session_state["vt_codes"][0] == code
    button(lead, t("mt.close", lang)).click().run()
    assert t("mt.state.closed", lang) in [w.value for w in lead.warning]
    typed.run()
    assert t("vt.closed", lang) in [s.value for s in typed.success]
    other = open_app(lang, "meeting")                               # another tab: resume needs the key
    other.text_input(key="mt_resume_code").input(code)
    other.text_input(key="mt_resume_key").input(codes[0])           # a voting code is not a key
    button(other, t("mt.resume_button", lang)).click().run()
    assert t("mt.err.wrong_key", lang, code=code) in [e.value for e in other.error]
    other.text_input(key="mt_resume_key").input(key)
    button(other, t("mt.resume_button", lang)).click().run()
    assert_clean(other)
    assert t("mt.sheet_gone", lang) in [c.value for c in other.caption]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_facilitator_sees_a_lock_out_lifts_it_and_withdraws_a_result(db, lang, monkeypatch):
    from indicators.live import codes as codes_mod
    monkeypatch.setattr(codes_mod, "TARGET_LIMIT", 2)      # the rule, not the number: two phones lock the meeting
    lead, code, key, codes = facilitator_opens(lang, n=1)
    assert not lead.warning
    for wrong in ("ZZZZZZ", "ZZZZZY"):
        assert t("mt.err.unknown_voter", lang, code=code) in [e.value for e in phone(lang, code, wrong).error]
    first = rows(db, "SELECT min(tried_at) FROM live_attempts")[0][0]
    button(lead, t("mt.refresh", lang)).click().run()
    # the lock-out ends an hour after the first wrong code: Beijing time in Chinese, UTC (as stored) in English
    until = shown_time(first + timedelta(hours=1), lang) if lang == "zh" else f"{first + timedelta(hours=1):%H:%M}"
    assert [w.value for w in lead.warning] == [t("codes.lock.target", lang, n=2, limit=2, until=until)]
    # a phone with a good code is refused until the facilitator lifts the lock-out
    assert t("mt.err.locked", lang) in [e.value for e in phone(lang, code, codes[0]).error]
    lead.button(key="mt_lift").click().run()
    assert_clean(lead)
    assert not lead.warning and t("codes.lifted", lang) in [s.value for s in lead.success]
    a = phone(lang, code, codes[0])
    assert t("vt.private", lang) in [i.value for i in a.info]
    votes(a, code, [("no", 1), ("no", 1)], lang)
    before = rows(db, "SELECT count(*) FROM feedback")[0][0]
    button(lead, t("mt.reveal", lang)).click().run()
    assert rows(db, "SELECT count(*) FROM feedback")[0][0] == before + 2
    # withdrawing needs a reason and the box ticked
    lead.text_area(key="mt_withdraw_reason").input("有人代投")
    button(lead, t("mt.withdraw_button", lang)).click().run()
    assert t("mt.withdraw_unconfirmed", lang) in [e.value for e in lead.error]
    assert rows(db, "SELECT count(*) FROM feedback")[0][0] == before + 2
    lead.checkbox(key="mt_withdraw_confirm").check()
    button(lead, t("mt.withdraw_button", lang)).click().run()
    assert_clean(lead)
    assert t("mt.state.withdrawn", lang) in [w.value for w in lead.warning]
    assert t("mt.withdrawn_done", lang, rows=2) in [s.value for s in lead.success]
    assert rows(db, "SELECT count(*) FROM feedback")[0][0] == before
    h = table(lead, "reason")
    assert h["event"].tolist() == [t("mt.event.reveal", lang), t("mt.event.withdraw", lang)]
    # the reveal and the withdrawal record the signed-in user (tests/conftest.py), never a typed name
    assert h["reason"].tolist()[1] == "有人代投" and h["by"].tolist() == [TEST_LEAD["name"]] * 2
    assert not [b for b in lead.button if b.label in (t("mt.withdraw_button", lang), t("mt.reveal", lang))]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_notice_keeps_need_ids_and_hides_a_unanimous_item(db, lang):
    """S01 has four needs titled 楼道加装扶手: each keeps its need id on the notice. All three voters say "met"
    on the first: its row prints no yes / no / unsure / share, which would tell each voter's answer."""
    from html import unescape
    from indicators.live.meeting import MeetingStore
    from indicators.scoring.measures import Period
    at = open_app(lang, "meeting")
    at.selectbox(key="mt_station").set_value("S01").run()
    period = Period(at.session_state["period_start"], at.session_state["period_end"])
    con = records.Store(db)
    try:
        found = MeetingStore(con).candidates("S01", period)
    finally:
        con.close()
    rails = found[(found["kind"] == "need") & (found["title"] == "楼道加装扶手")]["id"].tolist()
    assert len(rails) >= 2
    items = next(ms for ms in at.multiselect if ms.key.startswith("mt_items:S01:"))
    items.set_value([f"need:{i}" for i in rails])
    at.number_input(key="mt_n").set_value(3)
    button(at, t("mt.start_button", lang)).click().run()
    assert_clean(at)
    lead = at.session_state["mt_lead"]
    code = lead["code"]
    for vc in at.session_state["mt_codes"][code]:
        votes(phone(lang, code, vc), code, [("yes", None)] + [(None, None)] * (len(rails) - 1), lang)
    button(at, t("mt.refresh", lang)).click().run()
    button(at, t("mt.reveal", lang)).click().run()
    assert_clean(at)
    at.text_input(key="mt_notice_issuer").input("城关区民政局").run()
    at.text_input(key="mt_notice_contact").input("街道办 0931-8888888").run()
    assert_clean(at)
    html = unescape(str(at.get("iframe")[0].proto))
    label = "{}（{}）" if lang == "zh" else "{} ({})"
    assert all(label.format("楼道加装扶手", i) in html for i in rails)
    first = re.search(r"<tr><td[^>]*>1</td>.*?</tr>", html).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", first)
    assert cells[3:8] == ["3"] + [t("notice.withheld", lang)] * 4
    assert "100%" not in first
