"""The workshop end to end in Chromium: a facilitator on a laptop (1440x900) starts a workshop; three people
join from phone-sized windows (390x844, one in Chinese) through /join?code=..., share their 100 points and
send them; the facilitator sees three submissions arrive, closes, reveals and keeps the result as a scheme,
which then ranks the stations on the Scores page.

Every wait is on the app's state (a text, a selector, the run state), never a sleep. The live panel and the
phones poll the store on their own (st.fragment run_every), so "3 submitted" arrives without a click.
"""
from __future__ import annotations

import re

from indicators.i18n import t

from .conftest import open_app, shot, wait_idle

PHONE = {"width": 390, "height": 844}
POLL_WAIT = 30_000     # ms: covers a few polls of the live panel (3 s) and the phones (4 s)


def expect():
    from playwright.sync_api import expect as pw_expect
    return pw_expect


def main(page):
    return page.locator('[data-testid="stMain"]')


def full_shot(page, name: str, width: int):
    """Grow the window to the main area's height (Streamlit scrolls inside it), screenshot, shrink back."""
    height = page.evaluate("() => (document.querySelector('[data-testid=stMain]') || document.body).scrollHeight")
    old = page.viewport_size
    page.set_viewport_size({"width": width, "height": max(old["height"], min(int(height) + 40, 6000))})
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]"
                           ".every(c => !c.checkVisibility() || c.querySelector('canvas, svg'))")
    path = shot(page, name)
    page.set_viewport_size(old)
    return path


def phone_join(browser, server, code: str, name: str, group: str, lang: str, points: list[int]):
    """A phone opens the link, joins, allocates `points` (one input at a time) and sends them."""
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                              locale="zh-CN" if lang == "zh" else "en-US")
    ph = ctx.new_page()
    ph.set_default_timeout(30_000)
    open_app(ph, server, f"join?code={code}")
    m = main(ph)
    expect()(m.locator("h1")).to_have_text(t("join.title", lang))
    expect()(ph.locator('[data-testid="stSidebar"]')).to_be_hidden()             # no sidebar on the phone
    name_box = m.get_by_role("textbox", name=t("join.name", lang))
    expect()(name_box).to_be_visible()
    expect()(m.get_by_text("English", exact=True)).to_be_visible()                     # the language switch
    if lang == "zh":
        wait_idle(ph)
        full_shot(ph, "workshop-phone-join-zh", PHONE["width"])
    name_box.fill(name)
    m.get_by_text(t(f"wsg.{group}", lang), exact=True).click()
    m.get_by_role("button", name=t("join.join_button", lang)).click()
    inputs = m.locator('[data-testid="stNumberInput"] input')
    expect()(inputs.first).to_be_visible()
    expect()(inputs).to_have_count(len(points))
    values = [int(inputs.nth(i).input_value()) for i in range(len(points))]
    for i, p in enumerate(points):
        if values[i] == p:
            continue
        values[i] = p
        total = sum(values)
        inputs.nth(i).fill(str(p))
        inputs.nth(i).press("Enter")
        key = "join.total_ok" if total == 100 else "join.total_left" if total < 100 else "join.total_over"
        expect()(m.get_by_text(t(key, lang, total=total, left=100 - total, over=total - 100))).to_be_visible()
    send = m.get_by_role("button", name=t("join.submit", lang))
    expect()(send).to_be_enabled()
    send.click()
    expect()(m.get_by_text(t("join.sent", lang))).to_be_visible()
    expect()(m.get_by_text(re.compile(r"第1次|version 1"))).to_be_visible()
    return ctx, ph


def test_workshop_from_start_to_saved_scheme(browser, server, page):
    # ---- the facilitator starts a workshop on the current scheme (needs met)
    open_app(page, server, "workshop")
    m = main(page)
    m.get_by_role("textbox", name=t("ws.workshop_title", "en")).fill("Chengguan spring round")
    m.get_by_role("button", name=t("ws.start_button", "en")).click()
    code_box = m.locator(".ws-code")
    expect()(code_box).to_have_text(re.compile(r"^[A-HJ-NP-Z2-9]{6}$"))
    code = code_box.inner_text().strip()
    expect()(m.get_by_text(f"{server.url}/join?code={code}")).to_be_visible()
    expect()(m.locator('[data-testid="stImage"] img')).to_be_visible()               # the QR code
    wait_idle(page)
    full_shot(page, "workshop-facilitator-start", 1440)

    # ---- three phones join through the link and send their weights
    people = [("Wang", "residents", "zh", [40, 20, 10, 10, 10, 10]),
              ("Li", "social_workers", "en", [10, 10, 30, 30, 10, 10]),
              ("Zhao", "evaluators", "en", [20, 20, 20, 20, 10, 10])]
    phones = []
    try:
        for name, group, lang, points in people:
            phones.append(phone_join(browser, server, code, name, group, lang, points))
        zh_phone = phones[0][1]
        full_shot(zh_phone, "workshop-phone-submitted-zh", PHONE["width"])

        # a reloaded phone is signed back in with the same name (cookie of this browser)
        zh_phone.reload()
        wait_idle(zh_phone)
        expect()(main(zh_phone).get_by_text(t("join.rejoined", "zh", name="Wang"))).to_be_visible()
        expect()(main(zh_phone).get_by_text(re.compile("第1次"))).to_be_visible()

        # ---- the live view counts them without a click
        submitted = m.locator('[data-testid="stMetric"]').filter(has_text=t("ws.m.submitted", "en"))
        expect()(submitted.locator('[data-testid="stMetricValue"]')).to_have_text("3", timeout=POLL_WAIT)

        # ---- close, see the result, reveal on the phones
        wait_idle(page)
        m.get_by_role("button", name=t("ws.close", "en")).click()
        expect()(m.get_by_text(t("ws.state.closed", "en"))).to_be_visible()
        expect()(m.get_by_role("heading", name=t("ws.weights", "en"))).to_be_visible()
        wait_idle(page)
        reveal = m.get_by_role("button", name=t("ws.reveal", "en"))
        expect()(reveal).to_be_enabled()
        reveal.click()
        expect()(m.get_by_text(t("ws.state.revealed", "en"))).to_be_visible()
        wait_idle(page)
        full_shot(page, "workshop-facilitator-revealed", 1440)

        # the phones move on by themselves and show the aggregate only
        expect()(main(zh_phone).get_by_role("heading", name=t("join.result", "zh"))).to_be_visible(timeout=POLL_WAIT)
        expect()(main(zh_phone).locator('[data-testid="stNumberInput"]')).to_have_count(0)
        en_phone = phones[1][1]
        expect()(main(en_phone).get_by_role("heading", name=t("join.result", "en"))).to_be_visible(timeout=POLL_WAIT)
        wait_idle(zh_phone)
        full_shot(zh_phone, "workshop-phone-revealed-zh", PHONE["width"])
        full_shot(en_phone, "workshop-phone-revealed-en", PHONE["width"])
    finally:
        for ctx, _ in phones:
            ctx.close()

    # ---- keep the result as a scheme: it joins the scheme list and ranks the stations
    wait_idle(page)
    new_id = m.get_by_role("textbox", name=t("ws.new_id", "en"))
    new_id.fill("needs-met-spring")
    m.get_by_role("button", name=t("ws.save_button", "en")).click()
    expect()(m.get_by_text(t("ws.saved", "en", id="needs-met-spring"))).to_be_visible()
    sidebar = page.locator('[data-testid="stSidebar"]')
    chosen = sidebar.get_by_role("combobox", name=t("frame.scheme", "en"))
    expect()(chosen).to_have_value(re.compile(re.escape(f"(workshop {code})")))
    sidebar.get_by_role("link", name=t("page.scores", "en")).click()
    expect()(main(page).locator("h1")).to_have_text(t("scores.title", "en"))
    expect()(main(page).get_by_text(f"(workshop {code})").first).to_be_visible()
    expect()(main(page).locator('[data-testid="stDataFrame"]').first).to_be_visible()
    wait_idle(page)
    shot(page, "workshop-scores-with-saved-scheme")
