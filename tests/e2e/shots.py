"""Screenshots of every page in both languages, for looking at (not a test).

    python tests/e2e/shots.py --out test-artifacts/shots            # starts its own server on a temp DB
    python tests/e2e/shots.py --url http://localhost:8599 --out DIR  # uses a running server

Drives Debian's chromium through Playwright. Waits on the app's own run state
(stApp's data-test-script-state, the status widget, every chart drawn), never on fixed sleeps.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("overview", "records", "indicators", "weights", "scores", "compare", "schemes")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def wait_ready(page: Page, timeout: float = 60_000) -> None:
    """The script has finished running and every chart on the page is drawn."""
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout)
    page.wait_for_function(
        "() => { const w = document.querySelector('[data-testid=stStatusWidget]');"
        " return !w || !/running|运行/i.test(w.innerText); }", timeout=timeout)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]"
        ".every(c => c.querySelector('canvas, svg'))", timeout=timeout)
    page.wait_for_selector("[data-testid=stSkeleton]", state="detached", timeout=timeout)


def shoot(page: Page, path: Path, width: int = 1440, max_height: int = 7000) -> None:
    """Grow the viewport to the main area's height (Streamlit scrolls inside it), then screenshot."""
    height = page.evaluate("() => (document.querySelector('[data-testid=stMain]') || document.body).scrollHeight")
    page.set_viewport_size({"width": width, "height": max(900, min(int(height) + 40, max_height))})
    wait_ready(page)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": 900})


def run(url: str, out: Path, signin: SignIn | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    made = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for lang, locale in (("en", "en-GB"), ("zh", "zh-CN")):
            context = browser.new_context(locale=locale, viewport={"width": 1440, "height": 900})
            if signin:
                signin.into(context)
            page = context.new_page()
            for name in PAGES:
                page.goto(f"{url}/" if name == PAGES[0] else f"{url}/{name}")  # the first page is the default, at /
                wait_ready(page)
                made.append(out / f"{name}-{lang}.png")
                shoot(page, made[-1])
                if name == "indicators":      # the editor tab, with the live preview
                    page.get_by_role("tab").nth(1).click()
                    wait_ready(page)
                    made.append(out / f"{name}-editor-{lang}.png")
                    shoot(page, made[-1])
                if name == "weights":         # the AHP and needs-derived panels
                    for n in (2, 1):
                        page.locator("[data-testid=stButtonGroup] button").nth(n).click()
                        wait_ready(page)
                        made.append(out / f"{name}-{'ahp' if n == 2 else 'needs'}-{lang}.png")
                        shoot(page, made[-1])
            # a laptop-sized first screen of the comparison, as a projector would show it
            page.goto(f"{url}/compare")
            wait_ready(page)
            made.append(out / f"compare-viewport-{lang}.png")
            page.screenshot(path=str(made[-1]))
            context.close()
        browser.close()
    return made


class SignIn:
    """The app shows its pages only to a signed-in evaluator. Made before the server opens `db` (the command line
    cannot write a file the app holds): a lead account and its one-time link; `into(context)` opens the link in the
    first context and hands its session cookie to every later one."""

    def __init__(self, db: Path, url: str, name: str = "shots-lead"):
        def users(*args):
            return subprocess.run([sys.executable, "-m", "indicators", "users", *args, "--db", str(db), "--base-url",
                                   url, "--lang", "en"], cwd=ROOT, capture_output=True, text=True)
        made = users("add", name, "--role", "lead", "--link")
        if made.returncode == 2:   # the account is there already: a new link
            made = users("link", name)
        if made.returncode:
            raise RuntimeError(made.stderr)
        self.link, self.cookies = made.stdout.strip().splitlines()[-1], None

    def into(self, context) -> None:
        if self.cookies is None:
            page = context.new_page()
            page.goto(self.link)
            wait_ready(page)
            page.wait_for_function("() => document.cookie.includes('ind_session=')")
            self.cookies = [c for c in context.cookies() if c["name"] == "ind_session"]
            page.close()
        else:
            context.add_cookies(self.cookies)


def serve(port: int, db: Path) -> subprocess.Popen:
    env = {**os.environ, "INDICATORS_DB": str(db)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)   # polling the health endpoint while the server starts
    proc.terminate()
    raise RuntimeError("streamlit did not start")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--url", help="a running server (sign it in yourself first: its pages need an account)")
    ap.add_argument("--port", type=int, default=8599)
    ap.add_argument("--out", default=str(ROOT / "test-artifacts" / "shots"))
    args = ap.parse_args()
    proc, signin = None, None
    url = args.url
    if not url:
        from indicators.records import store
        db = Path(tempfile.mkdtemp()) / "shots.duckdb"
        store.build_demo(db)
        url = f"http://localhost:{args.port}"
        signin = SignIn(db, url)
        proc = serve(args.port, db)
    try:
        for p in run(url.rstrip("/"), Path(args.out), signin):
            print(p)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
