"""The Audit page in a real browser: reached from the sidebar, its charts drawn, the what-if switches, both languages."""
from tests.e2e.conftest import open_app, shot, wait_idle
from tests.e2e.test_app_e2e import go, no_error


def test_audit_page_draws_its_charts_and_takes_the_what_if_switches(page, server):
    open_app(page, server)
    go(page, "Audit")
    no_error(page)
    page.wait_for_selector('[data-testid="stMain"] h3:has-text("Findings")')
    page.wait_for_function("() => document.querySelectorAll('[data-testid=stVegaLiteChart] canvas, "
                           "[data-testid=stVegaLiteChart] svg').length >= 3")   # heatmap, importance, Sobol
    shot(page, "page-audit-en")
    page.get_by_text("Try: treat outliers (Winsorise, else log)").click()
    wait_idle(page)
    no_error(page)
    assert page.locator('[data-testid="stMain"] h3:has-text("Data treatment")').count() == 1
    page.get_by_text("中文", exact=True).click()
    wait_idle(page)
    page.wait_for_selector('[data-testid="stMain"] h1:has-text("统计审查")')
    no_error(page)
    shot(page, "page-audit-zh")
