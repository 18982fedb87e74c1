"""A scheme error and an import error as a person sees them, in Chinese and in English: the words are chosen on the
screen from the error's code (screenshots: scheme-error-<lang>.png, import-error-<lang>.png)."""
import re

import pytest

from indicators.i18n import t
from tests.e2e.conftest import ARTIFACTS, open_app, wait_idle
from tests.e2e.shots import shoot
from tests.e2e.test_app_e2e import no_error
from tests.test_error_codes import NEEDS_HEAD, SCHEMES, english_left

SAID = {   # what each screen must say, by language
    "zh": ("必须大于 low（5）", "处理状态为已解决时必填", "所指的社工站既不在数据库中"),
    "en": ("must be above low (5)", "is required when the status is resolved", "names a station that is neither"),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_scheme_error_and_an_import_error_read_in_the_page_language(browser, server, tmp_path, lang):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN" if lang == "zh" else "en-US")
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    try:
        bad_scheme = tmp_path / "bad-scheme.yaml"
        bad_scheme.write_text(SCHEMES["goalposts"][0], encoding="utf-8")
        open_app(page, server, "schemes")
        box = page.locator('[data-testid="stFileUploader"]', has_text=t("schemes.upload_label", lang))
        box.locator("input[type=file]").set_input_files(str(bad_scheme))
        alert = page.locator('[data-testid="stAlertContentError"]').first
        alert.wait_for()
        wait_idle(page)
        text = alert.inner_text()
        assert SAID[lang][0] in text and "normalisation.high" in text, text
        if lang == "zh":
            assert not english_left(text, "bad-scheme.yaml"), text
        no_error(page)
        ARTIFACTS.mkdir(exist_ok=True)
        shoot(page, ARTIFACTS / f"scheme-error-{lang}.png")      # the whole page: the viewport grown to fit

        ledger = tmp_path / "needs.csv"
        ledger.write_text(NEEDS_HEAD + "N1,S01,health,t,survey,2024-01-02,3,resolved,\n"
                                       "N2,S77,health,t,survey,2024-01-02,3,open,\n", encoding="utf-8")
        open_app(page, server, "records")
        page.get_by_text(t("io.panel", lang), exact=True).click()
        page.locator('[data-testid="stFileUploader"]').locator("input[type=file]").set_input_files(str(ledger))
        table = page.locator('[data-testid="stTable"]').last
        table.wait_for()
        wait_idle(page)
        words = table.inner_text()
        assert SAID[lang][1] in words and SAID[lang][2] in words, words
        if lang == "zh":
            assert not english_left(re.sub(r"needs\.csv", "", words)), words
        no_error(page)
        shoot(page, ARTIFACTS / f"import-error-{lang}.png")
    finally:
        ctx.close()
