"""The workshop under a real load: 30 phones (headless Chromium pages, 390x844) join one workshop through the running
Streamlit server and send their weights within the same few seconds. Every submission is stored once, none is lost;
the median and 95th-percentile time from tap to "sent" on screen are printed (and kept in test-artifacts/).

    WORKSHOP_LOAD=1 python -m pytest tests/e2e/test_workshop_load.py -s
    WORKSHOP_LOAD=1 WORKSHOP_LOAD_PHONES=8 python -m pytest tests/e2e/test_workshop_load.py -s   # fewer phones

Opt-in (WORKSHOP_LOAD=1; .ci/run sets it): thirty phones take 142 s on a quiet two-core machine (median 9.8 s tap to
sent) and 235 s at load average 15, too long for a developer's default run; at load 30 page loads timed out.

The pages are driven concurrently with Playwright's async API; every wait is on the page's state, never a sleep.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import statistics
import time

import pytest

from indicators.i18n import t
from indicators.live.workshop import GROUPS, WorkshopStore
from indicators.scheme import catalog

from .conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Server

PHONES = int(os.environ.get("WORKSHOP_LOAD_PHONES", "30"))   # fewer only to try the test itself quickly
JOINING = 5          # phones loading the page and joining at the same time (two shared cores)
PHONE = {"width": 390, "height": 844}
IDLE = """() => { const a = document.querySelector('[data-testid=stApp]');
  return a && a.getAttribute('data-test-connection-state') === 'CONNECTED'
    && a.getAttribute('data-test-script-state') === 'notRunning' && !document.querySelector('[data-stale=true]'); }"""


class _Gate:
    """Releases every phone's tap at once: when all have arrived (ready to send, or failed)."""

    def __init__(self, n: int):
        self.n, self.arrived, self.go = n, 0, asyncio.Event()
        self.joining = asyncio.Semaphore(JOINING)

    def arrive(self):
        self.arrived += 1
        if self.arrived >= self.n:
            self.go.set()


async def _phone(browser, url: str, n: int, gate: _Gate, timings: list[float]):
    lang = "zh" if n % 2 else "en"
    arrived = False
    ctx = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                    locale="zh-CN" if lang == "zh" else "en-US")
    try:
        page = await ctx.new_page()
        page.set_default_timeout(120_000)
        m = page.locator('[data-testid="stMain"]')
        send = m.get_by_role("button", name=t("join.submit", lang))
        async with gate.joining:   # people walk in a few at a time; they tap "send" together
            await page.goto(url, wait_until="domcontentloaded")
            await page.wait_for_function(IDLE)
            await m.get_by_role("textbox", name=t("join.name", lang)).fill(f"phone {n:02d}")
            await m.get_by_text(t(f"wsg.{GROUPS[n % len(GROUPS)]}", lang), exact=True).click()
            await m.get_by_role("button", name=t("join.join_button", lang)).click()
            await send.wait_for()
            await page.wait_for_function(IDLE)
        arrived = True
        gate.arrive()
        await gate.go.wait()                             # every phone taps at once
        t0 = time.perf_counter()
        await send.click()
        await m.get_by_text(t("join.sent", lang)).wait_for()
        timings.append(time.perf_counter() - t0)
    finally:
        if not arrived:
            gate.arrive()   # a phone that failed must not hold the others back
        await ctx.close()


async def _run(url: str) -> list[float]:
    from playwright.async_api import async_playwright
    timings: list[float] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        gate = _Gate(PHONES)
        try:
            await asyncio.gather(*(_phone(browser, url, n, gate, timings) for n in range(PHONES)))
        finally:
            await browser.close()
    return timings


@pytest.mark.skipif(not os.environ.get("WORKSHOP_LOAD"), reason="load test: set WORKSHOP_LOAD=1 to run it")
def test_thirty_phones_submit_at_once_none_lost(tmp_path, demo_db, capsys):
    db = tmp_path / "load.duckdb"
    shutil.copy(demo_db, db)
    with WorkshopStore(db) as store:
        ws = store.create(catalog.builtin("needs-met"), title="load test")
    server = Server(db, tmp_path / "streamlit.log")
    try:
        t0 = time.perf_counter()
        # a thread of its own: the other browser tests' sync Playwright leaves an event loop running in this one
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            timings = pool.submit(asyncio.run, _run(f"{server.url}/join?code={ws.code}")).result()
        wall = time.perf_counter() - t0
    finally:
        server.stop()
    with WorkshopStore(db) as store:
        subs = store.submissions(ws.code, ws.facilitator_key)
        people = store.participants(ws.code, ws.facilitator_key)
    assert len(timings) == PHONES
    assert len(people) == PHONES and len(subs) == PHONES          # stored once each, none lost
    assert sorted(subs["display_name"]) == [f"phone {n:02d}" for n in range(PHONES)]
    assert (subs["revision"] == 1).all()
    q = statistics.quantiles(timings, n=20, method="inclusive")
    line = (f"workshop-load: {PHONES} phones joined and sent at once through one Streamlit server: {len(subs)} "
            f"submissions stored, 0 lost, 0 twice; tap to 'sent' median {statistics.median(timings):.2f} s, "
            f"p95 {q[18]:.2f} s, max {max(timings):.2f} s; whole run {wall:.0f} s")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "workshop-load.txt").write_text(line + "\n", encoding="utf-8")
    with capsys.disabled():
        print("\n" + line)
