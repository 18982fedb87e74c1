"""The public notice (公示) in a real browser: Chromium prints each notice's HTML on one A4 page in both languages
(screenshots and the printed pages land in test-artifacts/ for looking at), and the Scores page shows the section
with its preview."""
from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from indicators.outputs.notice import meeting_notice, notice_html, notice_pdf, round_notice
from indicators.records.store import connect
from indicators.scheme import catalog
from indicators.scoring.engine import score
from indicators.i18n import t
from tests.e2e.conftest import ARTIFACTS, open_app, shot, wait_idle
from tests.e2e.test_app_e2e import go, no_error
from tests.test_notice import ISSUED, OBJ, item, summary


@pytest.fixture(scope="module")
def notices(demo_db):
    con = connect(demo_db, read_only=True)
    result = score(con, catalog.builtin("needs-met"))
    con.close()
    many = [item(f"需求事项{k}：楼道照明与无障碍通道维修", 10, 6, 3, 1, 9, 4.0, 3) for k in range(40)]
    made = {(kind, lang): (meeting_notice(summary(), lang, OBJ, issued_on=ISSUED) if kind == "meeting"
                           else round_notice(result, "S04", lang, OBJ, issued_on=ISSUED, demo=True))
            for kind in ("meeting", "round") for lang in ("zh", "en")}
    made.update({("meeting-40-items", lang): meeting_notice(summary(items=many), lang, OBJ, issued_on=ISSUED)
                 for lang in ("zh", "en")})
    return made


@pytest.mark.parametrize("kind", ["meeting", "round", "meeting-40-items"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_notice_prints_on_one_a4_page(browser, notices, kind, lang):
    n = notices[(kind, lang)]
    page = browser.new_page(viewport={"width": 900, "height": 1200})
    try:
        page.set_content(notice_html(n))
        # on screen: nothing wider than the window (a table that does not wrap would be)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # and no table wider than the sheet it is printed on (headings kept in lines, 回答 / “不清楚”, once were)
        assert page.evaluate("""() => { const p = document.querySelector('.page'), r = p.getBoundingClientRect();
            const inner = r.right - parseFloat(getComputedStyle(p).paddingRight);
            return [...document.querySelectorAll('table')].every(t => t.getBoundingClientRect().right <= inner + 1); }""")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"notice-{kind}-{lang}.png"), full_page=True)
        printed = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    finally:
        page.close()
    reader = PdfReader(io.BytesIO(printed))
    assert len(reader.pages) == 1
    # Chromium's PDF text writes some characters as radicals (⼯ for 工, ⺠ for 民): compare the figures and ids
    text = " ".join(reader.pages[0].extract_text().split())
    assert n.headline[0][1] in text and re.sub(r"\D", "", n.headline[1][1]) in text
    assert str(n.issued_on.year) in text[-12:]   # the date of issue, the page's last line, is printed: nothing cut
    # the PDF renderer's page, as an image beside the HTML's, where poppler is installed (for looking only)
    pdf = ARTIFACTS / f"notice-{kind}-{lang}.pdf"
    pdf.write_bytes(notice_pdf(n))
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", str(pdf), str(pdf.with_suffix(""))
                        .replace("notice-", "notice-pdf-")], check=True, timeout=60)


def test_scores_page_shows_the_notice_section(page, server):
    open_app(page, server)
    go(page, "Scores")
    main = page.locator('[data-testid="stMain"]')
    # no issuer and no contact yet: the page says both are needed, and shows no notice
    main.get_by_text(t("err.notice.issuer_contact", "en")).wait_for()
    assert main.locator("iframe").count() == 0
    for label, value in ((t("notice.app.issuer", "en"), "城关区民政局"),
                         (t("notice.app.contact", "en"), "电话 0931-8123456，皋兰路12号")):
        box = main.get_by_role("textbox", name=label)
        box.fill(value)
        box.press("Enter")
        wait_idle(page)
    for lang, title, preview, banner, heading in (("en", "Public notice", "Preview", "PUBLIC NOTICE", "Assessment result:"),
                                                  ("zh", "公示", "预览", "公  示", "评估结果公示")):
        if lang == "zh":
            page.locator('[data-testid="stSidebar"]').get_by_text("中文", exact=True).click()
            wait_idle(page)
        page.get_by_text(title, exact=True).scroll_into_view_if_needed()
        page.get_by_text(preview, exact=True).click()
        frame = page.frame_locator('[data-testid="stMain"] iframe').first
        frame.get_by_text(banner).wait_for()
        wait_idle(page)
        no_error(page)
        assert heading in frame.locator("h1").inner_text()
        frame.get_by_text("城关区民政局").wait_for()   # the issuer signs the notice
        frame.locator("h1").scroll_into_view_if_needed()
        shot(page, f"scores-notice-{lang}")
