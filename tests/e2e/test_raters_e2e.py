"""Rating rounds and Delphi rounds end to end in Chromium.

Raters: the lead (laptop, Chinese) starts a round on two stations; two raters on tablet-sized pages (one Chinese,
one English) join with the code and rate both stations; the lead reveals, sees the flag, rater B changes a level
with a reason, the lead sees the log and agrees the levels into ratings.
Delphi: the facilitator (English) proposes three indicators; three experts answer; the facilitator closes the
round and opens the next without the flagged indicator; an expert sees round 1's distribution; round 2 closes and
the kept indicators are saved as a scheme draft. Every wait is on the app's state, never a sleep.
"""
from __future__ import annotations

import re

from indicators.i18n import t

from .conftest import open_app, shot, wait_idle
from .test_workshop_e2e import expect, full_shot, main

TABLET = {"width": 820, "height": 1180}


def new_page(browser, lang: str, viewport: dict):
    ctx = browser.new_context(viewport=viewport, locale="zh-CN" if lang == "zh" else "en-US")
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    return ctx, pg


def tables_drawn(page) -> None:
    """Every dataframe shown on the page (not one in a folded expander) has drawn its cells (before a screenshot)."""
    # a state wait with a wide cap: in CI, just after the fifty-phone load tests, four tablets' grids drew in over 30 s
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stDataFrame]')]"
                           ".filter(d => d.checkVisibility())"
                           ".every(d => d.querySelector('[role=gridcell]'))", timeout=120_000)


def pick_option(page, label: str, option: str) -> None:
    """Open the select box and pick the option. A run ending as the box is clicked can redraw it closed (CI once
    waited 30 s for an option of a list that had shut): the list is opened again until the option shows."""
    from playwright.sync_api import TimeoutError as Timeout
    wait_idle(page)
    box = page.locator(f'input[role=combobox][aria-label="{label}"]')
    choice = page.get_by_role("option", name=re.compile(re.escape(option))).first
    for attempt in range(3):
        box.click()
        try:
            choice.wait_for(state="visible", timeout=10_000)
            break
        except Timeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            wait_idle(page)
    choice.click()
    try:
        page.wait_for_selector('[data-testid=stApp][data-test-script-state=running]', timeout=5_000)
    except Timeout:
        pass
    wait_idle(page)


def click_button(page, name: str, button=None) -> None:
    """Click, see the run the click starts (a short run may end before it is seen: then the wait just ends),
    and wait until it has finished: the page is never read half-drawn. `button`: a locator other than by name."""
    from playwright.sync_api import TimeoutError as Timeout
    button = button if button is not None else main(page).get_by_role("button", name=name)
    # A run that ends in st.rerun() can look idle between its two halves; the button is clicked once only one is drawn.
    expect()(button).to_have_count(1)
    button.click()
    try:
        page.wait_for_selector('[data-testid=stApp][data-test-script-state=running]', timeout=5_000)
    except Timeout:
        pass
    wait_idle(page)


def big_code(page) -> str:
    text = main(page).locator("div", has_text=re.compile(r"^[A-Z2-9]{6}$")).last.inner_text()
    return text.strip()


def rate(pg, lang: str, station: str, level: str, seen: str, reason: str | None = None, was: str | None = None):
    """Pick the station, wait until its form is drawn (its level: none yet, or `was`), rate it and save."""
    m = main(pg)
    pick_option(pg, t("rt.station", lang), station)
    levels = m.get_by_role("radiogroup", name=t("rt.level", lang))
    if was is None:
        expect()(levels.get_by_role("radio", checked=True)).to_have_count(0)
    else:
        expect()(levels.get_by_role("radio", checked=True)).to_have_accessible_name(was)
    levels.get_by_text(level, exact=True).click()
    wait_idle(pg)   # the level's rerun redraws the form: a stale copy of it may still be on screen
    m.get_by_role("textbox", name=t("rt.evidence", lang)).fill(f"{level}: 个案档案")
    seen_group = m.get_by_role("radiogroup", name=t("rt.seen", lang))
    expect()(seen_group).to_have_count(1)
    seen_group.get_by_text(t(f"rt.seen.{seen}", lang), exact=True).click()
    if reason:
        m.get_by_role("textbox", name=t("rt.reason", lang)).fill(reason)
    click_button(pg, t("rt.save", lang))
    said = t("rt.saved", lang, station=station)[:-1]          # the station's name follows its id
    try:
        expect()(m.get_by_text(re.compile(re.escape(said)))).to_be_visible()
    except AssertionError:
        shot(pg, f"FAILED-rate-{lang}-{station}")
        raise


def join_rater(browser, server, code: str, name: str, lang: str):
    ctx, pg = new_page(browser, lang, TABLET)
    open_app(pg, server, f"raters?code={code}")
    m = main(pg)
    m.get_by_role("textbox", name=t("rt.your_name", lang)).fill(name)
    click_button(pg, t("rt.join_button", lang))
    expect()(m.locator("strong", has_text=name)).to_be_visible()
    return ctx, pg


def test_two_raters_rate_two_stations_moderate_and_agree(browser, server):
    ctx, lead = new_page(browser, "zh", {"width": 1440, "height": 900})
    open_app(lead, server, "raters")
    m = main(lead)
    ms = m.locator('[data-testid="stMultiSelect"]').filter(has_text=t("rt.stations", "zh"))
    for sid in ("S01", "S02"):
        ms.locator("input").click()
        ms.locator("input").fill(sid)
        lead.keyboard.press("Enter")
    lead.keyboard.press("Escape")
    click_button(lead, t("rt.start_button", "zh"))
    expect()(m.get_by_text(re.compile("评审轮次[A-Z2-9]{6} ·"))).to_be_visible()
    code = lead.evaluate("() => document.querySelector('[data-testid=stMain]').innerText.match(/评审轮次([A-Z2-9]{6})/)[1]")
    a_ctx, a = join_rater(browser, server, code, "王评", "zh")
    b_ctx, b = join_rater(browser, server, code, "Li", "en")
    full_shot(a, "raters-tablet-zh", TABLET["width"])
    rate(a, "zh", "S01", "优", "site")
    rate(a, "zh", "S02", "良", "site")
    rate(b, "en", "S01", "中 · Fair", "paper")
    rate(b, "en", "S02", "良 · Good", "site")
    full_shot(b, "raters-tablet-en", TABLET["width"])
    click_button(lead, t("rt.refresh", "zh"))
    expect()(m.get_by_text(t("rt.hidden", "zh"))).to_be_visible()
    click_button(lead, t("rt.reveal", "zh"))
    expect()(m.get_by_text(t("rt.agreement", "zh"), exact=True)).to_be_visible()
    flagged = m.locator('[data-testid="stMetric"]').filter(has_text=t("rtp.flagged_ff", "zh"))
    expect()(flagged.locator('[data-testid="stMetricValue"]').first).to_have_text("1 → 1")
    # rater B sees the panel's levels and moves S01 from 中 to 良, with a reason
    click_button(b, t("rt.refresh", "en"))
    expect()(main(b).get_by_text(t("rt.moderation", "en"))).to_be_visible()
    rate(b, "en", "S01", "良 · Good", "site", reason="Saw the follow-up notes on site", was="中 · Fair")
    click_button(lead, t("rt.refresh", "zh"))
    expect()(flagged.locator('[data-testid="stMetricValue"]').first).to_have_text("1 → 0")
    m.get_by_text(t("rt.log", "zh", n=1)).click()
    tables_drawn(lead)
    full_shot(lead, "raters-lead-zh", 1440)
    click_button(lead, t("rt.agree", "zh"))
    expect()(m.get_by_text(t("rt.written", "zh", n=2))).to_be_visible()
    expect()(m.get_by_text(t("rt.state.agreed", "zh"))).to_be_visible()
    for c in (a_ctx, b_ctx, ctx):
        c.close()


def answer(pg, lang: str, scores: list[tuple[int, int]]) -> None:
    m = main(pg)
    groups = m.locator('[data-testid="stForm"] [data-testid="stButtonGroup"]')
    expect()(groups).to_have_count(2 * len(scores))
    for k, (imp, fea) in enumerate(scores):
        groups.nth(2 * k).locator("button").nth(imp - 1).click()
        groups.nth(2 * k + 1).locator("button").nth(fea - 1).click()
    m.get_by_role("radiogroup", name=t("dp.familiarity", lang)).get_by_text(t("dp.fam.familiar", lang),
                                                                            exact=True).click()
    for basis, inf in (("practice", "high"), ("theory", "medium"), ("peers", "low"), ("intuition", "low")):
        m.get_by_role("radiogroup", name=t(f"dp.basis.{basis}", lang)).get_by_text(t(f"dp.inf.{inf}", lang),
                                                                                   exact=True).click()
    click_button(pg, t("dp.submit", lang))
    expect()(m.get_by_text(t("dp.sent", lang))).to_be_visible()


def start_delphi(lead, server) -> str:
    """The facilitator starts a study of three candidates on the Delphi page (English); its code."""
    open_app(lead, server, "delphi")
    m = main(lead)
    ms = m.locator('[data-testid="stMultiSelect"]').filter(has_text=t("dp.candidates", "en"))
    ms.get_by_role("button", name=re.compile("Clear all", re.I)).first.click()
    for name in ("Urgent needs resolved", "Median days to resolve a need", "Activities tied to a recorded need"):
        ms.locator("input").click()
        ms.locator("input").fill(name)
        lead.keyboard.press("Enter")
    lead.keyboard.press("Escape")
    click_button(lead, t("dp.start_button", "en"))
    expect()(m.get_by_text(re.compile("Study [A-Z2-9]{6} ·"))).to_be_visible()
    return lead.evaluate("() => document.querySelector('[data-testid=stMain]').innerText.match(/Study ([A-Z2-9]{6})/)[1]")


def test_a_delphi_round_with_three_experts_then_a_draft_scheme(browser, server):
    ctx, lead = new_page(browser, "en", {"width": 1440, "height": 900})
    code = start_delphi(lead, server)
    m = main(lead)
    plan = {"甲": ("zh", [(5, 5), (4, 4), (2, 4)]), "Expert B": ("en", [(5, 4), (5, 4), (3, 3)]),
            "Expert C": ("en", [(4, 5), (5, 5), (2, 4)])}
    experts = {}
    for name, (lang, scores) in plan.items():
        c, pg = new_page(browser, lang, TABLET)
        open_app(pg, server, f"delphi?code={code}")
        main(pg).get_by_role("textbox", name=t("dp.your_name", lang)).fill(name)
        click_button(pg, t("dp.join_button", lang))
        answer(pg, lang, scores)
        experts[name] = (c, pg)
    click_button(lead, t("dp.refresh", "en"))
    answered = m.locator('[data-testid="stMetric"]').filter(has_text=t("dp.m.answered", "en"))
    expect()(answered.locator('[data-testid="stMetricValue"]').first).to_have_text("3")
    click_button(lead, t("dp.close", "en"))
    expect()(m.get_by_text(t("dp.results", "en", round=1))).to_be_visible()
    tables_drawn(lead)
    full_shot(lead, "delphi-lead-round1-en", 1440)
    click_button(lead, t("dp.next_round", "en"))
    try:
        expect()(m.get_by_text(t("dp.next_started", "en", round=2))).to_be_visible()
    except AssertionError:
        shot(lead, "FAILED-delphi-next")
        raise
    c, pg = experts["甲"]
    click_button(pg, t("dp.refresh", "zh"))
    expect()(main(pg).get_by_text(t("dp.feedback_intro", "zh", round=1))).to_be_visible()
    expect()(main(pg).get_by_text(re.compile("上一轮：.*5: ▇▇2"))).to_have_count(2)   # both kept: 5, 5, 4 and 4, 5, 5
    full_shot(pg, "delphi-expert-round2-zh", TABLET["width"])
    for name, (lang, scores) in plan.items():
        c, pg = experts[name]
        click_button(pg, t("dp.refresh", lang))
        answer(pg, lang, scores[:2])
    click_button(lead, t("dp.close", "en"))
    expect()(m.get_by_text(t("dp.results", "en", round=2))).to_be_visible()
    m.get_by_role("textbox", name=t("dp.new_id", "en")).fill("needs-met-delphi-e2e")
    click_button(lead, t("dp.save", "en"))
    expect()(m.get_by_text(t("dp.saved", "en", id="needs-met-delphi-e2e", n=2))).to_be_visible()
    shot(lead, "delphi-saved-en")
    for c, _ in experts.values():
        c.close()
    ctx.close()
