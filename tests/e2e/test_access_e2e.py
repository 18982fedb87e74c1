"""Who reaches what, in a real browser against the running server (issue 19): a fresh browser with no sign-in opens
every page's address, with every query parameter the app reads, and sees no station, changes no record and is
offered no action; then one-time links (made with the command line before the server starts) sign in an evaluator,
a facilitator and a lead, and each sees exactly the pages of the roles table. Screenshots of the sign-in page and
of a refused page in both languages land in test-artifacts/ (the ones in docs/img/ were taken from these)."""
from __future__ import annotations

import shutil
import subprocess
import sys

import duckdb
import pytest

from indicators.access import PAGES, can
from indicators.i18n import t
from indicators.records import store as records
from tests.e2e.conftest import ROOT, Server, shot, wait_idle

GUARDED = [p for p, a in PAGES.items() if a is not None]
PHONES = [p for p, a in PAGES.items() if a is None and p != "signin"]
# Every query parameter a page reads (join/raters/delphi: code; vote: m and v; every page: lang; app: signin).
PARAMS = ["", "?code=ZZZZZZ", "?m=ZZZZZZ&v=ABCDEF", "?lang=zh", "?signin=not-a-token"]
ROLES = ("evaluator", "facilitator", "lead")
TABLES = ("stations", "activities", "feedback", "schemes", "scheme_audit")


def counts(db) -> dict:
    con = records.connect(db, read_only=True)      # waits while the server holds the file for a moment
    try:
        out = {}
        for table in TABLES:
            try:
                out[table] = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            except duckdb.CatalogException:
                out[table] = 0
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory, demo_db):
    """A server on a copy of the demo, with one one-time link per role made by the command line before it starts."""
    folder = tmp_path_factory.mktemp("access")
    db = folder / "demo.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db), read_only=True)
    names = [n for row in con.execute("SELECT name, name_en FROM stations").fetchall() for n in row if n]
    con.close()
    links = {}
    for role in ROLES:
        made = subprocess.run([sys.executable, "-m", "indicators", "users", "add", f"access-{role}", "--role", role,
                               "--link", "--db", str(db), "--lang", "en"], cwd=ROOT, capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
        links[role] = made.stdout.strip().splitlines()[-1].split("?", 1)[1]
    before = counts(db)
    srv = Server(db, folder / "streamlit.log")
    yield srv, names, links, before
    srv.stop()


def fresh(raw_browser, lang: str = "en"):
    return raw_browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN" if lang == "zh" else "en-US")


def opened(pg, url: str) -> str:
    pg.goto(url)
    wait_idle(pg)
    pg.wait_for_selector('[data-testid="stMain"] h1')
    return pg.locator("body").inner_text()


def test_no_sign_in_no_station_no_record_no_action(raw_browser, site):
    srv, names, _, before = site
    ctx = fresh(raw_browser)
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    try:
        for page in ["", *GUARDED, *PHONES]:          # "" is the sign-in page (the first page)
            for params in PARAMS:
                text = opened(pg, f"{srv.url}/{page}{params}")
                where = f"/{page}{params}"
                assert not [n for n in names if n in text], where
                assert pg.locator('[data-testid="stException"]').count() == 0, where
                assert pg.locator('[data-testid="stDataFrame"]').count() == 0, where
                assert "signin=" not in pg.url, where                # a link is read once, then leaves the address
                if page in GUARDED:
                    lang = "zh" if "lang=zh" in params else "en"
                    assert pg.locator('[data-testid="stMain"] h1').inner_text() == t("auth.refused_title", lang), where
                    assert pg.locator('[data-testid="stMain"] button').count() == 0, where   # nothing to press
                    assert pg.locator('[data-testid="stMain"] input').count() == 0, where    # nothing to type
        nav = pg.locator('[data-testid="stSidebarNav"] a')
        shown = {nav.nth(i).get_attribute("href").rsplit("/", 1)[1] for i in range(nav.count())}
        assert shown <= {"", "signin", *PHONES}, shown                 # the menu: sign-in and the phone pages
    finally:
        ctx.close()
    assert counts(srv.db) == before


@pytest.mark.parametrize("role", ROLES)
def test_a_link_signs_in_each_role_to_exactly_its_pages(raw_browser, site, role):
    srv, names, links, _ = site
    ctx = fresh(raw_browser)
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    try:
        opened(pg, f"{srv.url}/?{links[role]}")
        assert "signin=" not in pg.url
        pg.wait_for_selector('[data-testid="stSidebar"]')
        assert f"access-{role}" in pg.locator('[data-testid="stSidebar"]').inner_text()
        more = pg.locator('[data-testid="stSidebarNavViewButton"]')
        if more.count() and "more" in more.inner_text().lower():
            more.click()                                      # the menu shows ten pages until asked for the rest
        nav = pg.locator('[data-testid="stSidebarNav"] a')
        titles = {nav.nth(i).inner_text().strip().splitlines()[-1] for i in range(nav.count())}   # after its icon
        expect = {t(f"page.{p}", "en") for p, a in PAGES.items() if p != "signin" and (a is None or can(role, a))}
        assert titles == expect, (role, titles ^ expect)
        for page in GUARDED:                                 # by address, too: the guard, not only the menu
            opened(pg, f"{srv.url}/{page}")                  # a reload keeps the session (its cookie)
            refused = pg.locator('[data-testid="stMain"] h1').inner_text() == t("auth.refused_role_title", "en")
            assert refused == (not can(role, PAGES[page])), (role, page)
        again = opened(pg, f"{srv.url}/?{links[role]}")      # the same link a second time: refused
        assert t("err.access.link_used", "en") in again or f"access-{role}" in again
    finally:
        ctx.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshots_of_the_sign_in_and_a_refused_page(raw_browser, site, lang):
    srv = site[0]
    ctx = fresh(raw_browser, lang)
    pg = ctx.new_page()
    try:
        opened(pg, f"{srv.url}/")
        assert pg.locator('[data-testid="stMain"] h1').inner_text() == t("auth.title", lang)
        shot(pg, f"access-signin-{lang}")
        opened(pg, f"{srv.url}/scores")
        assert pg.locator('[data-testid="stMain"] h1').inner_text() == t("auth.refused_title", lang)
        shot(pg, f"access-refused-{lang}")
    finally:
        ctx.close()
