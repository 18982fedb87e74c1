"""The first screen in a real browser: "/" opens the Overview with both rankings drawn, and a click on a station that
moved opens its station card on the Scores page, the notice's link taking the reader down to it (screenshots:
overview-<lang>.png, overview-card-<lang>.png)."""
import pytest

from indicators.i18n import t
from tests.e2e.conftest import ARTIFACTS, open_app, shot, wait_idle
from tests.e2e.test_app_e2e import no_error, selected


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_app_opens_on_the_overview_and_a_mover_opens_its_station_card(browser, server, lang):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN" if lang == "zh" else "en-US")
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    try:
        open_app(page, server)
        page.wait_for_selector(f'[data-testid="stMain"] h1:has-text("{t("ov.title", lang)}")')
        page.wait_for_function("() => { const c = [...document.querySelectorAll('[data-testid=stVegaLiteChart]')];"
                               " return c.length === 2 && c.every(x => x.querySelector('canvas, svg')); }")
        wait_idle(page)
        no_error(page)
        shot(page, f"overview-{lang}")
        # the first of the biggest moves: its name, then a click into its card
        mover = page.locator('[data-testid="stMain"] [data-testid="stButton"] button').first
        name = mover.locator('[data-testid="stMarkdownContainer"]').inner_text().strip()
        assert name.endswith("社工站" if lang == "zh" else "Station"), name
        mover.click()
        page.wait_for_selector(f'[data-testid="stMain"] h1:has-text("{t("scores.title", lang)}")')
        wait_idle(page)
        assert name in selected(page, t("scores.pick_station", lang))
        notice = page.locator('[data-testid="stAlertContentInfo"]', has_text=name)
        notice.locator("a").click()
        page.wait_for_function("() => window.location.hash === '#station-card'")
        wait_idle(page)
        no_error(page)
        page.screenshot(path=str(ARTIFACTS / f"overview-card-{lang}.png"))   # the viewport: the card in view
    finally:
        ctx.close()
