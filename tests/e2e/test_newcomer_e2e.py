"""What a new evaluator hit, clicked through in a real browser (with a screenshot of each screen touched)."""
from indicators.scheme import catalog
from tests.e2e.conftest import open_app, shot, wait_idle
from tests.e2e.test_workshop_e2e import expect
from tests.e2e.test_app_e2e import go, no_error


def active_tab(page) -> str:
    return page.locator('[data-testid="stTab"][aria-selected="true"]').first.inner_text()


def test_new_qualitative_indicator_stays_on_the_editor_tab(page, server):
    open_app(page, server)
    go(page, "Indicators")
    page.get_by_role("tab", name="Add or edit").click()
    wait_idle(page)
    # add a quantitative one first: the page then shows a message above the tabs, gone on the next run
    page.get_by_label("Name (Chinese)").fill("测试")
    page.get_by_label("Name (English)").fill("Test")
    page.get_by_label("Name (English)").press("Tab")
    wait_idle(page)
    page.get_by_role("button", name="Add to working scheme").click()
    # the add is done when the editor has the new indicator open (wait_idle alone may return before its run starts)
    page.locator('input[role=combobox][aria-label="Indicator"][value="Edit: Test"]').wait_for()
    wait_idle(page)
    if active_tab(page) != "Add or edit":
        page.get_by_role("tab", name="Add or edit").click()
        wait_idle(page)
    box = page.locator('input[role=combobox][aria-label="Indicator"]')
    expect()(box).to_have_count(1)   # a run ending in st.rerun() can look idle between its halves
    box.click()
    box.fill("New qualitative")
    page.get_by_role("option", name="+ New qualitative indicator (an ordinal scale)").click()
    wait_idle(page)
    no_error(page)
    assert active_tab(page) == "Add or edit"
    shot(page, "newcomer-indicator-qualitative-en")


def test_the_applied_banner_goes_when_the_method_changes(page, server):
    open_app(page, server)
    go(page, "Weights")
    page.get_by_role("button", name="Apply to working scheme").click()
    wait_idle(page)
    banner = page.locator('[data-testid="stMain"]').get_by_text("applied to the working scheme")
    banner.wait_for()
    wait_idle(page)
    page.locator('[data-testid="stMain"] button', has_text="AHP").first.click()
    page.wait_for_selector('text="λmax"')
    wait_idle(page)
    no_error(page)
    assert banner.count() == 0
    shot(page, "newcomer-weights-ahp-en")


def test_enter_in_the_workshop_title_does_not_start_the_workshop(page, server):
    open_app(page, server)
    go(page, "Workshop")
    title = page.get_by_label("Title (shown on the phones)")
    title.fill("Spring round")
    title.press("Enter")
    wait_idle(page)
    # still choosing: the level can be changed after Enter (a started workshop has no level choice to click)
    n = len(catalog.builtin("needs-met").indicators)   # the scheme's count, not a number that goes stale
    page.get_by_text(f"Every indicator ({n})").click(timeout=60_000)
    wait_idle(page)
    no_error(page)
    main = page.locator('[data-testid="stMain"]')
    assert "started" not in main.inner_text()
    assert page.get_by_role("button", name="Start the workshop").count() == 1
    shot(page, "newcomer-workshop-start-en")
