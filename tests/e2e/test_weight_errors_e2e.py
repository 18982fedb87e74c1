"""A weighting problem as a person sees it on the Weights page, in Chinese and in English: needs-derived weights for a
period with no needs recorded (screenshots: weights-error-<lang>.png)."""
import shutil

import pytest

from indicators.i18n import t
from indicators.records import store
from tests.e2e.conftest import ARTIFACTS, Server, open_app, wait_idle
from tests.e2e.shots import shoot
from tests.test_error_codes import english_left

SAID = {"zh": "需求：本期没有记录任何需求", "en": "needs: no needs recorded for this period"}


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_db):
    """A server on a copy of the demo database with every need taken out."""
    folder = tmp_path_factory.mktemp("e2e-weights")
    db = folder / "demo.duckdb"
    shutil.copy(demo_db, db)
    con = store.connect(db)
    try:
        con.execute("DELETE FROM needs")
    finally:
        con.close()
    srv = Server(db, folder / "streamlit.log")
    yield srv
    srv.stop()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_weighting_problem_reads_in_the_page_language(browser, server, lang):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN" if lang == "zh" else "en-US")
    # signed in to this module's own server by hand: `browser` signs in to the server of conftest's fixture, and
    # this module's Server comes from an import of conftest that pytest may hold as another module object
    if not any(c["name"] == "ind_session" for c in ctx.cookies()):
        server.sign_in(ctx)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    try:
        open_app(page, server, "weights")
        page.get_by_text(t("w.method.needs", lang), exact=True).click()
        alert = page.locator('[data-testid="stAlertContentError"]').first
        alert.wait_for()
        wait_idle(page)
        text = alert.inner_text()
        assert SAID[lang] in text, text
        if lang == "zh":
            assert not english_left(text), text
        ARTIFACTS.mkdir(exist_ok=True)
        shoot(page, ARTIFACTS / f"weights-error-{lang}.png")
    finally:
        ctx.close()
