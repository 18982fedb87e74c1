"""A Chinese page holds none of Streamlit's own English: the sidebar's page list, the toolbar, a choice box matching
nothing, the file boxes, the hints under text boxes and text areas (on a page and in a phone's form), and a wrong
address."""
import re

import pytest

from tests.e2e.conftest import shot, wait_idle

# Streamlit's words a resident or an evaluator would meet on a Chinese page
ENGLISH = re.compile(r"View \d+ more|View less|Upload|Drag and drop|per file|Browse files|Press .*Enter|to apply|"
                     r"submit form|Page not found|does not seem to exist|Skip to main content|\bPrint\b|Record screen|"
                     r"No results|Choose (?:an option|options)")


def english(page) -> list[str]:
    """Streamlit's English in the page's text and in its choice boxes' placeholders (what an empty box shows)."""
    held = page.eval_on_selector_all("input[placeholder]", "els => els.map(e => e.placeholder).join('\\n')")
    return ENGLISH.findall(page.inner_text("body") + "\n" + held)


@pytest.fixture
def zh(browser, server):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()


def open_zh(page, server, path: str = "") -> None:
    page.goto(f"{server.url}/{path}")
    wait_idle(page)
    page.wait_for_selector('[data-testid="stMain"] h1')
    wait_idle(page)
    page.wait_for_function("() => window.__indWordsWalk")   # the frame's words are in place (it runs once drawn)


def go(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.wait_for_selector(f'[data-testid="stMain"] h1:has-text("{title}")')
    wait_idle(page)


def hint(page, box: str) -> str:
    """The hint under a text box once it is changed and not yet applied (Streamlit draws it only then)."""
    page.locator(f'[data-testid="{box}"]').first.locator("input, textarea").first.fill("社区")
    hints = page.locator(f'[data-testid="{box}"] [data-testid="InputInstructions"]').first
    hints.wait_for()
    return hints.inner_text()


def test_sidebar_and_file_boxes_speak_chinese(zh, server, tmp_path):
    open_zh(zh, server, "records")
    nav = zh.locator('[data-testid="stSidebarNav"]')
    for title in ("专家咨询（德尔菲）", "居民评议会"):   # the last pages: none folded under "View 3 more"
        assert nav.get_by_text(title, exact=True).is_visible()
    zh.get_by_text("导入记录", exact=True).first.click()
    menu = zh.locator('[data-testid="stMainMenu"]')   # the toolbar's menu, if there is one, in its words
    if menu.count():
        menu.click()
        zh.locator('[data-testid="stMainMenuList"]').wait_for()
        assert english(zh) == [], english(zh)
        zh.keyboard.press("Escape")
    scheme = zh.locator('input[role=combobox][aria-label="当前评估方案"]')   # a choice box's list matching nothing
    scheme.click()
    scheme.fill("zzzz")
    zh.locator('[data-testid="stSelectboxVirtualDropdown"]').get_by_text("没有匹配的选项").wait_for()
    assert english(zh) == [], english(zh)
    zh.keyboard.press("Escape")
    wait_idle(zh)
    box = zh.locator('[data-testid="stFileUploaderDropzone"]').first
    box.wait_for()
    assert "上传" in box.inner_text() and "单个文件不超过" in box.inner_text()
    assert english(zh) == [], english(zh)
    shot(zh, "zh-records-upload")
    # dragging a file over the box: its words too
    drag = zh.evaluate_handle("() => { const d = new DataTransfer(); "
                              "d.items.add(new File(['x'], 'x.csv', {type: 'text/csv'})); return d; }")
    box.dispatch_event("dragenter", {"dataTransfer": drag})
    box.get_by_text("拖到这里").wait_for()
    assert english(zh) == [], english(zh)
    shot(zh, "zh-records-drag")
    box.dispatch_event("dragleave", {"dataTransfer": drag})
    box.get_by_text("拖到这里").wait_for(state="detached")
    go(zh, "评估方案管理")
    assert zh.locator('[data-testid="stFileUploader"]').count() >= 1
    assert english(zh) == [], english(zh)
    shot(zh, "zh-schemes")
    # turned to English, the file box has Streamlit's own words back
    zh.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    zh.wait_for_selector('[data-testid="stMain"] h1:has-text("Schemes")')
    wait_idle(zh)
    zh.locator('[data-testid="stFileUploaderDropzone"]').first.get_by_text("Upload", exact=True).wait_for()
    assert "上传" not in zh.locator('[data-testid="stMain"]').inner_text()
    shot(zh, "en-schemes")


def test_hints_under_text_boxes_speak_chinese(zh, server):
    open_zh(zh, server, "meeting")
    assert "回车" in hint(zh, "stTextInput")
    assert english(zh) == [], english(zh)
    shot(zh, "zh-meeting-hint")
    open_zh(zh, server, "indicators")   # a sidebar click now would be lost to the run the unapplied box starts
    zh.get_by_role("tab", name="新增或修改").click()
    wait_idle(zh)
    assert "回车" in hint(zh, "stTextArea")
    assert english(zh) == [], english(zh)
    shot(zh, "zh-indicators-hint")


def test_a_phone_form_speaks_chinese(browser, server):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    open_zh(page, server, "join")
    assert "回车" in hint(page, "stTextInput")
    assert english(page) == [], english(page)
    shot(page, "zh-join-hint")
    ctx.close()


@pytest.mark.parametrize("path", ["no-such-page", "overview"])
def test_a_wrong_address_opens_the_first_page_in_chinese(zh, server, path):
    open_zh(zh, server, path)
    assert english(zh) == [], english(zh)
    assert zh.locator('[role="dialog"]').count() == 0
    if path == "no-such-page":   # said in Chinese, naming what was asked for
        zh.locator('[data-testid="stToast"]', has_text=path).wait_for()
    assert zh.locator('[data-testid="stMain"] h1').inner_text().startswith("概览")   # the first page
    shot(zh, f"zh-address-{path}")
