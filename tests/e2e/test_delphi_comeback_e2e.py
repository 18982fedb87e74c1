"""An expert who closes the browser between Delphi rounds comes back with their own link (issue 23), in Chromium.

The facilitator (English, laptop) proposes three indicators; three experts join on phones (not signed in); expert
甲 keeps the link the page shows once, answers round 1 and closes the browser. The facilitator closes round 1 and
opens round 2; 甲 opens the link in a new browser (what scanning the QR code does) and is back as 甲, the token
gone from the address bar, and answers round 2. After round 2 the facilitator's round-to-round view and report are
screenshot in English, and in Chinese from a second laptop that resumes the study with code and key. Every wait is
on the app's state, never a sleep."""
from __future__ import annotations

import re

from indicators.i18n import t

from .conftest import open_app, shot, wait_idle
from .test_raters_e2e import answer, click_button, new_page, start_delphi
from .test_workshop_e2e import expect, main

PHONE = {"width": 390, "height": 844}


def phone(browser, lang: str):
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                              locale="zh-CN" if lang == "zh" else "en-US")
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    return ctx, pg


def tall_shot(page, name: str, tables: int) -> None:
    """Grow the window to the whole page (a grid far below the window draws no cells), wait until the `tables`
    tables are there (not placeholders still loading) and each has drawn its cells, screenshot."""
    wait_idle(page)
    page.set_viewport_size({"width": 1440, "height": 8000})
    try:
        page.wait_for_function("n => { const d = [...document.querySelectorAll('[data-testid=stDataFrame]')];"
                               "return d.length >= n && !document.querySelector('[data-testid=stSkeleton]')"
                               " && d.every(x => x.querySelector('[role=gridcell]')); }", arg=tables,
                               timeout=120_000)
        height = page.evaluate("() => document.querySelector('[data-testid=stMainBlockContainer]')"
                               ".getBoundingClientRect().bottom")
        page.set_viewport_size({"width": 1440, "height": min(int(height) + 40, 12000)})
    finally:
        shot(page, name)
    page.set_viewport_size({"width": 1440, "height": 900})


def join(pg, server, code: str, name: str, lang: str) -> None:
    open_app(pg, server, f"delphi?code={code}")
    main(pg).get_by_role("textbox", name=t("dp.your_name", lang)).fill(name)
    click_button(pg, t("dp.join_button", lang))
    expect()(main(pg).get_by_text(t("dp.you", lang, name=name, code=code, round=1)
                                  .replace("**", "").replace("`", ""))).to_be_visible()


def test_an_expert_closes_the_browser_between_rounds_and_comes_back_by_the_link(browser, server):
    ctx, lead = new_page(browser, "en", {"width": 1440, "height": 900})
    code = start_delphi(lead, server)
    m = main(lead)
    plan = {"甲": ("zh", [(5, 5), (4, 4), (2, 4)]), "Expert B": ("en", [(5, 4), (5, 4), (3, 3)]),
            "Expert C": ("en", [(4, 5), (5, 5), (2, 4)])}
    phones = {}
    for name, (lang, scores) in plan.items():
        c, pg = phone(browser, lang)
        join(pg, server, code, name, lang)
        phones[name] = (c, pg)
    c, pg = phones["甲"]
    expect()(main(pg).get_by_text(t("live.mylink.keep", "zh"))).to_be_visible()     # shown once: keep this
    expect()(main(pg).locator('[data-testid="stImage"]')).to_have_count(1)            # the QR code
    expect()(main(pg).locator('[data-testid="stForm"] [data-testid="stButtonGroup"]')).to_have_count(6)
    shot(pg, "delphi-expert-link-zh")
    link = main(pg).locator('[data-testid="stCode"]').filter(has_text="token=").inner_text().strip()
    assert re.search(rf"/delphi\?study={code}&token=\S+$", link), link
    for name, (lang, scores) in plan.items():
        answer(phones[name][1], lang, scores)
    c.close()                                                                          # 甲 closes the browser
    click_button(lead, t("dp.refresh", "en"))
    click_button(lead, t("dp.close", "en"))
    expect()(m.get_by_text(t("dp.results", "en", round=1))).to_be_visible()
    click_button(lead, t("dp.next_round", "en"))
    expect()(m.get_by_text(t("dp.next_started", "en", round=2))).to_be_visible()

    # days later, another browser: the link (the QR code holds the same address)
    c, pg = phone(browser, "zh")
    pg.goto(link)
    wait_idle(pg)
    expect()(main(pg).get_by_text(t("dpw.back", "zh", name="甲"))).to_be_visible()
    expect()(main(pg).get_by_text(t("dp.feedback_intro", "zh", round=1))).to_be_visible()
    pg.wait_for_function("() => !location.search.includes('token=')")                 # out of the address bar
    main(pg).get_by_role("textbox", name=t("dpw.comment", "zh")).first.fill("统计口径需全市统一")
    main(pg).get_by_role("textbox", name=t("dpw.suggest", "zh")).fill("居民对社工站的知晓率")
    answer(pg, "zh", plan["甲"][1][:2])
    pg.reload()                                                                        # a reload keeps who he is
    wait_idle(pg)
    expect()(main(pg).get_by_text(t("dp.submitted", "zh"))).to_be_visible()
    phones["甲"] = (c, pg)
    for name in ("Expert B", "Expert C"):
        lang, scores = plan[name]
        click_button(phones[name][1], t("dp.refresh", lang))
        answer(phones[name][1], lang, scores[:2])
    click_button(lead, t("dp.refresh", "en"))
    answered = m.locator('[data-testid="stMetric"]').filter(has_text=t("dp.m.answered", "en"))
    expect()(answered.locator('[data-testid="stMetricValue"]').first).to_have_text("3")
    click_button(lead, t("dp.close", "en"))
    expect()(m.get_by_text(t("dp.results", "en", round=2))).to_be_visible()
    expect()(m.get_by_text(t("dpw.rounds", "en"), exact=True)).to_be_visible()
    expect()(m.get_by_text(t("dpw.round_table", "en", round=1))).to_be_visible()      # round 1 stays
    tall_shot(lead, "delphi-rounds-en", 12)
    expect()(m.get_by_text(t("dpw.report_title", "en", sheet=t("dpw.sheet.comments", "en")))).to_be_visible()

    # the same study from a Chinese laptop: resume with code and key
    m.get_by_text(t("dp.key_title", "en")).click()
    key = m.locator('[data-testid="stExpander"]').filter(has_text=t("dp.key_title", "en")) \
        .locator('[data-testid="stCode"]').inner_text().strip()
    zctx, zh = new_page(browser, "zh", {"width": 1440, "height": 900})
    open_app(zh, server, "delphi")
    z = main(zh)
    z.get_by_role("textbox", name=t("dp.code", "zh")).fill(code)
    z.get_by_label(t("dp.key", "zh")).fill(key)
    click_button(zh, t("dp.resume_button", "zh"))
    expect()(z.get_by_text(t("dpw.rounds", "zh"), exact=True)).to_be_visible()
    tall_shot(zh, "delphi-rounds-zh", 12)
    for cx in (zctx, ctx, *(p[0] for p in phones.values())):
        cx.close()
