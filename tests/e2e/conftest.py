"""Browser fixtures: `streamlit run app.py` on a temporary database, driven by Playwright in Debian's Chromium."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser", shutil.which("chromium") or "")
                 if p and Path(p).exists()), None)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the python package playwright is not installed (pip install -r requirements-dev.txt)"
    if CHROMIUM is None:
        return "no Chromium found at /usr/bin/chromium (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _missing_browser()
    if reason is None:
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError(f"browser tests are required here (REQUIRE_BROWSER is set) but {reason}")
    skip = pytest.mark.skip(reason=f"browser tests skipped: {reason}")
    for item in items:
        if "e2e" in item.nodeid:
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


E2E_LEAD = "e2e-lead"


class Server:
    """One streamlit process on its own port and its own database file.

    The app refuses its pages to a browser that is not signed in, so before it starts a lead account is added to
    its database with the command line, which prints a one-time sign-in link (`users add --link`). The first desktop
    context of the tests opens that link and keeps the cookie of the signed-in session; every later desktop context
    gets the same cookie (see `browser`). Phone contexts (is_mobile) stay signed out, as residents' phones are."""

    current: "Server | None" = None

    def __init__(self, db: Path, log: Path):
        self.db, self.port = db, _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.signin_url = self._mint_link()
        self.cookies: list | None = None
        env = {**os.environ, "INDICATORS_DB": str(db), "PYTHONPATH": str(ROOT)}
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.started = time.perf_counter()
        self._wait_healthy()
        Server.current = self

    def _mint_link(self) -> str:
        """A lead account and its one-time sign-in link, made on the database before the server opens it."""
        def users(*args):
            return subprocess.run([sys.executable, "-m", "indicators", "users", *args, "--db", str(self.db),
                                   "--base-url", self.url, "--lang", "en"], cwd=ROOT, capture_output=True, text=True,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)})
        made = users("add", E2E_LEAD, "--role", "lead", "--link")
        if made.returncode == 2:            # a copy of a database that has it already: a new link
            made = users("link", E2E_LEAD)
        assert made.returncode == 0, made.stderr
        return made.stdout.strip().splitlines()[-1]

    def sign_in(self, ctx) -> None:
        """Sign `ctx` in: the first time by opening the one-time link, then with the session's cookie."""
        if self.cookies is None:
            pg = ctx.new_page()
            pg.goto(self.signin_url)
            wait_idle(pg)
            pg.wait_for_function("() => document.cookie.includes('ind_session=')")
            self.cookies = [c for c in ctx.cookies() if c["name"] == "ind_session"]
            pg.close()
        else:
            ctx.add_cookies(self.cookies)

    def _wait_healthy(self, limit: float = 60.0):
        # Poll the health endpoint: the server answers as soon as it is ready, the limit only guards a hang.
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"streamlit did not become healthy in {limit:.0f} s; see {self.log.name}")

    def stop(self):
        if Server.current is self:
            Server.current = None
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


class SigningBrowser:
    """The browser, whose new desktop contexts are signed in to the server running now (Server.current)."""

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    def new_context(self, **kwargs):
        ctx = self._real.new_context(**kwargs)
        if Server.current is not None and not kwargs.get("is_mobile"):
            Server.current.sign_in(ctx)
        return ctx


@pytest.fixture(scope="session")
def raw_browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def browser(raw_browser):
    """Contexts made from it are signed in as a lead (desktop) or not at all (phones); raw_browser signs in none."""
    return SigningBrowser(raw_browser)


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_db):
    """A server on a private copy of the demo database, shared by the tests of one module."""
    folder = tmp_path_factory.mktemp("e2e")
    db = folder / "demo.duckdb"
    shutil.copy(demo_db, db)
    srv = Server(db, folder / "streamlit.log")
    yield srv
    srv.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.failed_call = True


@pytest.fixture
def page(request, browser, server):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    if getattr(request.node, "failed_call", False):   # what the browser showed when the test failed
        shot(pg, f"FAILED-{request.node.name}")
    ctx.close()


def wait_idle(page) -> None:
    """Wait until the app is connected, no script run is in progress and nothing on screen is left over from
    an earlier run (Streamlit marks those data-stale): state, never time."""
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]')
    page.wait_for_function("""() => document.querySelector('[data-testid=stApp]')
        .getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-stale=true]')""")


def open_app(page, server, path: str = "") -> None:
    page.goto(f"{server.url}/{path}")
    wait_idle(page)
    page.wait_for_selector('[data-testid="stMain"] h1')


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
