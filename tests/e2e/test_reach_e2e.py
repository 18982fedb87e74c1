"""The Scores page's reach block in a real browser: the monthly chart drawn and the four figures with their counts,
for the second half of 2024, in English and Chinese (screenshots in test-artifacts/ to look at)."""
from tests.e2e.conftest import ARTIFACTS, open_app, wait_idle
from tests.e2e.test_app_e2e import go, no_error


def _block(page, title: str):
    block = page.locator('[data-testid="stExpander"]', has_text=title)
    block.wait_for()
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stExpander]')].some(e => "
                           "e.querySelector('[data-testid=stVegaLiteChart] canvas, [data-testid=stVegaLiteChart] svg'))")
    block.scroll_into_view_if_needed()
    return block


def test_reach_block_draws_its_chart_in_both_languages(page, server):
    open_app(page, server)
    go(page, "Scores")
    page.locator('[data-testid="stSidebar"] [aria-label="month, From"]').click()   # a date field of segments
    page.keyboard.type("07")
    page.keyboard.press("Enter")
    page.locator('[data-testid="stMain"] h1').click()   # leaving the field commits the date
    page.wait_for_selector('[data-testid="stMain"] :text("2024-07-01 – 2024-12-31")')
    wait_idle(page)
    no_error(page)
    block = _block(page, "Who the services reach")
    text = block.inner_text()   # the figures table is a canvas (checked by AppTest); its captions are text
    assert "2024-07-01 – 2024-12-31" in text and "Priority-group residents never reached" in text
    assert block.locator('[data-testid="stDataFrame"]').count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    block.screenshot(path=str(ARTIFACTS / "scores-reach-en.png"))
    page.get_by_text("中文", exact=True).click()
    wait_idle(page)
    page.wait_for_selector('[data-testid="stMain"] h1:has-text("评分")')
    no_error(page)
    block = _block(page, "服务覆盖了谁")
    assert "重点人群未覆盖率" in block.inner_text() and block.locator('[data-testid="stDataFrame"]').count() == 1
    block.screenshot(path=str(ARTIFACTS / "scores-reach-zh.png"))
