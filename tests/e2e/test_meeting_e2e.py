"""A residents' evaluation meeting end to end in Chromium.

The facilitator (laptop, Chinese) opens a meeting on station S01's two most urgent needs with 12 voting codes and
downloads the printable sheet; 10 phones (one browser, ten contexts, phone viewport; seven in Chinese, three in
English) open their slip's voting link and vote; the facilitator sees the turnout, closes and reveals. The feedback
rows are in the database, the per-item counts match the votes cast, and the station's score moved by exactly what
the scoring engine gives when the same rows are imported by hand into a copy of the database. A second facilitator
tab in English resumes the meeting with its key. Every wait is on the app's state, never a sleep.
"""
from __future__ import annotations

import json
import re
import shutil
from datetime import date

import pytest

from indicators.i18n import t
from indicators.live.meeting import MeetingStore
from indicators.outputs.voting_sheet import vote_link
from indicators.records import store as records
from indicators.scheme import catalog
from indicators.scoring.engine import score
from indicators.scoring.measures import Period

from .conftest import ARTIFACTS, open_app, shot, wait_idle
from .test_raters_e2e import click_button, new_page, tables_drawn
from .test_workshop_e2e import PHONE, expect, full_shot, main

LAPTOP = {"width": 1440, "height": 900}
WAIT = 30_000      # ms: what an action's outcome may take on a busy 2-core machine (a bound, not a sleep)
PERIOD = Period(date(2024, 1, 1), date(2024, 12, 31))      # the sidebar's period: the demo data's range
# (met, rating) per phone for the two items; (None, None) skips the item
VOTES = [
    [("yes", 5), ("yes", 4)], [("yes", 4), ("no", 2)], [("yes", 4), ("no", 3)], [("no", 2), ("no", 1)],
    [("yes", 3), ("yes", 5)], [("unsure", 3), ("unsure", None)], [("no", 1), (None, None)], [("yes", 5), ("no", 2)],
    [("yes", 4), ("yes", 3)], [(None, None), ("yes", 4)],
]
LANGS = ["zh", "zh", "en", "zh", "zh", "en", "zh", "zh", "en", "zh"]


def press(page, name: str, option: bool = False) -> None:
    """Click the one button of exactly this name (Send, Skip; with `option`, a segmented control's option whose text
    is exactly `name`) and wait for the run it starts."""
    if option:
        button = main(page).locator("[data-testid=stButtonGroup] button").filter(
            has=page.get_by_text(name, exact=True))
    else:
        button = main(page).get_by_role("button", name=name, exact=True)
    click_button(page, name, button)


def metric(page, label: str):
    box = main(page).locator('[data-testid="stMetric"]').filter(has_text=label)
    return box.locator('[data-testid="stMetricValue"]').first


def vote_on_phone(browser, server, code: str, vote_code: str, lang: str, answers, n: int):
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                              locale="zh-CN" if lang == "zh" else "en-US")
    ph = ctx.new_page()
    ph.set_default_timeout(30_000)
    link = vote_link(server.url, code, vote_code)
    open_app(ph, server, link.removeprefix(server.url + "/"))
    m = main(ph)
    expect()(m.get_by_text(t("vt.private", "zh"))).to_be_visible(timeout=WAIT)     # the slip's link opens in Chinese
    if lang == "en":
        press(ph, "English", option=True)
        expect()(m.get_by_text(t("vt.private", lang))).to_be_visible(timeout=WAIT)
    expect()(ph.locator('[data-testid="stSidebar"]')).to_be_hidden()
    for pos, (met, rating) in enumerate(answers):
        expect()(m.get_by_text(t("vt.item_of", lang, n=pos + 1, total=len(answers)))).to_be_visible(timeout=WAIT)
        if met is None and rating is None:
            press(ph, t("vt.skip", lang))
            continue
        if met:
            press(ph, t(f"vt.met.{met}", lang), option=True)
        if rating:
            press(ph, str(rating), option=True)
        if n in (0, 2) and pos == 0:
            full_shot(ph, f"meeting-phone-{lang}", PHONE["width"])
        press(ph, t("vt.send", lang))
    expect()(m.get_by_text(t("vt.thanks", lang))).to_be_visible(timeout=WAIT)
    if n == 0:
        full_shot(ph, "meeting-phone-thanks-zh", PHONE["width"])
    return ctx, ph


def publish(page, code: str, lang: str) -> None:
    """Fill in the objection channel; the notice appears in its frame (turnout, share met, the contact); download
    the HTML and the PDF and screenshot the HTML as a resident would see it posted."""
    m = main(page)
    expect()(m.get_by_text(t("err.notice.issuer_contact", lang))).to_be_visible()
    issuer = m.get_by_role("textbox", name=t("notice.app.issuer", lang))
    issuer.fill("城关区民政局")
    issuer.press("Enter")
    wait_idle(page)
    box = m.get_by_role("textbox", name=t("mt.notice_contact", lang))
    box.fill("南崖街道办事处 0931-8888888")
    box.press("Enter")
    wait_idle(page)
    m.locator('[data-testid="stExpander"] summary').filter(has_text=t("notice.app.preview", lang)).click()
    notice = page.frame_locator('[data-testid="stMain"] iframe')
    expect()(notice.get_by_text(re.compile("0931-8888888")).first).to_be_visible(timeout=WAIT)
    expect()(notice.get_by_text(code).first).to_be_visible()
    with page.expect_download() as dl:
        m.get_by_role("button", name=t("notice.app.html", lang)).click()
    html = open(dl.value.path(), encoding="utf-8").read()
    assert "0931-8888888" in html and code in html and f"{10 / 16:.0%}" in html        # share met, as published
    with page.expect_download(timeout=WAIT) as dl:
        m.get_by_role("button", name=t("notice.app.pdf", lang)).click()
    pdf = open(dl.value.path(), "rb").read()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1   # one page
    view = page.context.new_page()
    view.set_content(html)
    view.screenshot(path=str(ARTIFACTS / f"meeting-notice-{lang}.png"), full_page=True)
    view.close()


def test_a_meeting_from_opening_to_the_score_it_moves(browser, server, tmp_path, demo_db):
    # the two needs the facilitator will pick: S01's most urgent (urgency x households), found on a copy
    copy = tmp_path / "by-hand.duckdb"
    shutil.copy(demo_db, copy)
    con = records.connect(copy)
    found = MeetingStore(con).candidates("S01", PERIOD)
    con.close()
    top = list(found[found["kind"] == "need"].sort_values("weight", ascending=False, kind="stable")["id"][:2])

    ctx, lead = new_page(browser, "zh", LAPTOP)
    open_app(lead, server, "meeting")
    m = main(lead)
    ms = m.locator('[data-testid="stMultiSelect"]').filter(has_text=t("mt.items", "zh"))
    tags = ms.locator("[data-tag]")
    expect()(tags).to_have_count(5)                                      # five needs chosen to start with
    labels = tags.all_inner_texts()
    assert [re.search(r"N\d+", x).group() for x in labels[:2]] == top     # the two most urgent lead
    for label in labels[2:]:                                             # keep those two
        ms.get_by_role("button", name=f"Remove {label}", exact=True).click()
        wait_idle(lead)
    expect()(tags).to_have_count(2)
    m.get_by_role("textbox", name=t("mt.meeting_title", "zh")).fill("2024年居民评议会")
    n_box = m.get_by_role("spinbutton", name=t("mt.n_codes", "zh"))
    n_box.fill("12")
    n_box.press("Enter")
    wait_idle(lead)
    click_button(lead, t("mt.start_button", "zh"))
    expect()(m.get_by_text(re.compile("评议会[A-Z2-9]{6} · 2024年居民评议会"))).to_be_visible(timeout=WAIT)
    code = lead.evaluate("() => document.querySelector('[data-testid=stMain]').innerText"
                         ".match(/评议会([A-Z2-9]{6}) ·/)[1]")
    m.get_by_text(t("mt.key_title", "zh")).click()
    key = m.locator('[data-testid="stExpander"]').filter(has_text=t("mt.key_title", "zh")).locator("code").inner_text()
    with lead.expect_download() as dl:
        m.get_by_role("button", name=t("mt.sheet_download", "zh")).click()
    sheet = open(dl.value.path(), encoding="utf-8").read()
    codes = [c.replace("-", "") for c in re.findall(r'class="code">([A-Z2-9]{3}-[A-Z2-9]{3})<', sheet)]
    assert len(codes) == len(set(codes)) == 12 and sheet.count("<svg") == 12
    sheet_page = ctx.new_page()
    sheet_page.set_content(sheet)
    sheet_page.screenshot(path=str(ARTIFACTS / "meeting-sheet-zh.png"), full_page=True)
    sheet_page.close()
    full_shot(lead, "meeting-open-zh", LAPTOP["width"])

    phones = []
    for n, (answers, lang) in enumerate(zip(VOTES, LANGS)):
        c, ph = vote_on_phone(browser, server, code, codes[n], lang, answers, n)
        if n == 0:
            phones.append((c, ph))
        else:
            c.close()
    click_button(lead, t("mt.refresh", "zh"))
    expect()(metric(lead, t("mt.m.turnout", "zh"))).to_have_text("10", timeout=WAIT)
    expect()(m.get_by_text(t("mt.hidden", "zh"))).to_be_visible()
    click_button(lead, t("mt.close", "zh"))
    expect()(m.get_by_text(t("mt.state.closed", "zh"))).to_be_visible(timeout=WAIT)
    click_button(lead, t("mt.reveal", "zh"))
    expect()(m.get_by_text(t("mt.results", "zh"), exact=True)).to_be_visible(timeout=WAIT)
    tables_drawn(lead)
    lead.mouse.move(0, 0)                                             # no button's tooltip in the picture
    full_shot(lead, "meeting-results-zh", LAPTOP["width"])

    # ---- what the votes imply, by hand: item 1 yes 6 no 2 unsure 1 (9 ratings, sum 31); item 2 yes 4 no 4
    # unsure 1 (8 ratings, sum 24); share met (6 + 4) / 16
    expect()(metric(lead, t("mt.share_met", "zh"))).to_have_text("62.5%")
    expect()(metric(lead, t("mt.m.turnout", "zh"))).to_have_text("10 / 12")
    # Read beside the app: it holds the file read-write for a moment after a write, then read-only, like us.
    server_db = records.connect(server.db, read_only=True, wait=WAIT / 1000)
    try:
        rows = server_db.execute("SELECT * FROM feedback WHERE feedback_id LIKE ? ORDER BY feedback_id",
                                 [f"{code}-%"]).df()
        outcome = server_db.execute("SELECT outcome, held_on FROM meetings WHERE code = ?", [code]).fetchall()[0]
    finally:
        server_db.close()
    assert len(rows) == 18 and rows["resident_id"].isna().all() and set(rows["channel"]) == {"evaluation_meeting"}
    assert rows.groupby("need_id")["need_met"].apply(lambda s: s.value_counts().to_dict()).to_dict() == {
        (top[0], "yes"): 6, (top[0], "no"): 2, (top[1], "yes"): 4, (top[1], "no"): 4}
    assert rows.groupby("need_id")["rating"].sum().to_dict() == {top[0]: 31, top[1]: 24}
    # ---- the same rows imported by hand into the copy: the engine's score before and after
    kept = json.loads(outcome[0])
    window = PERIOD   # the assessment period itself: the votes are dated inside it
    needs_met = catalog.builtin("needs-met")
    con = records.connect(copy)
    try:
        con.execute("DROP TABLE IF EXISTS meetings")
        before = score(con, needs_met, window)
        with records.writing(con) as cur:
            cur.register("new_rows", rows)
            cur.execute("INSERT INTO feedback SELECT * FROM new_rows")
        after = score(con, needs_met, window)
    finally:
        con.close()
    assert kept["score_before"] == pytest.approx(before.total["S01"], abs=1e-9)
    assert kept["score_after"] == pytest.approx(after.total["S01"], abs=1e-9)
    assert (kept["rank_before"], kept["rank_after"]) == (before.rank["S01"], after.rank["S01"])
    assert after.total["S01"] != before.total["S01"]
    expect()(metric(lead, t("mt.score_before", "zh"))).to_have_text(f"{before.total['S01']:.2f}")
    expect()(metric(lead, t("mt.score_after", "zh"))).to_have_text(f"{after.total['S01']:.2f}")

    # ---- the public notice (公示): how to object, then the notice in its frame and as HTML and PDF downloads
    publish(lead, code, "zh")

    # ---- the first phone now says the voting is over
    c, ph = phones[0]
    ph.reload()
    wait_idle(ph)
    expect()(main(ph).get_by_text(t("vt.closed", "zh"))).to_be_visible(timeout=WAIT)
    c.close()

    # ---- a second tab in English resumes with the key and reads the same results
    ctx2, en = new_page(browser, "en", LAPTOP)
    open_app(en, server, "meeting")
    me = main(en)
    me.get_by_role("textbox", name=t("mt.code", "en")).fill(code)
    me.get_by_role("textbox", name=t("mt.key", "en")).fill(key)
    click_button(en, t("mt.resume_button", "en"))
    expect()(me.get_by_text(t("mt.results", "en"), exact=True)).to_be_visible(timeout=WAIT)
    expect()(metric(en, t("mt.share_met", "en"))).to_have_text("62.5%")
    tables_drawn(en)
    publish(en, code, "en")
    full_shot(en, "meeting-results-en", LAPTOP["width"])
    ctx2.close()
    ctx.close()
