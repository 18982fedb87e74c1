"""A residents' evaluation meeting under the load of a room: 50 phones (headless Chromium pages, 390x844, contexts of
one browser) open their slips' voting links through the running Streamlit server, get in, and then, item after item,
all press Send at once. Every vote is stored once, none is lost, and each press is timed twice:

- by the server: from the press reaching it to the end of the run that draws the next item (the server is started
  with a hook that logs every script run; see HOOK). Its 95th percentile is printed against the goal of 1.5 s
  (issue 19), which fifty Chromium pages on the server's two cores do not reach, and held within 10 s;
- on the phone: from the click to the next item's text in the page (a MutationObserver in the page).

Both, with the CPU each press cost the server and the browser (from /proc), are printed and kept in
test-artifacts/meeting-load.txt. Fifty Chromium pages on a two-core machine are not fifty phones: each page needs
about 100-160 ms of CPU to draw the next item, so the fifty draws of a round take seconds of the two cores that a
room of phones would do on fifty. The browser therefore runs at a lower priority than the server (as phones do not
take the server's CPU), and the time on the phone is reported, not held to the limit (docs/meeting.md has figures).
The server alone is held to 1.5 s by tests/e2e/test_meeting_protocol_load.py (websocket clients that draw nothing).

    MEETING_LOAD=1 python -m pytest tests/e2e/test_meeting_load.py -s -p no:cacheprovider
    MEETING_LOAD=1 MEETING_LOAD_PHONES=10 python -m pytest tests/e2e/test_meeting_load.py -s   # fewer phones

Opt-in (MEETING_LOAD=1; .ci/run sets it): fifty phones take two to four minutes of a two-core machine. Every wait is
on the page's state, never a sleep.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import statistics
import subprocess
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from indicators.i18n import t
from indicators.live.meeting import MeetingStore
from indicators.outputs.voting_sheet import vote_link
from indicators.records import store as records
from indicators.scoring.measures import Period

from .conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Server

PHONES = int(os.environ.get("MEETING_LOAD_PHONES", "50"))   # fewer only to try the test itself quickly
ITEMS = 4            # items on the ballot: four rounds of everyone pressing at once
P95_GOAL = 1.5       # seconds from the press to the next item, for 95 % of the presses (issue 19): printed, not met
P95_LIMIT = 10.0     # what the test holds: the old page took p95 23.8 s; now 1.7-4.1 s, the browsers' share of the cores
BROWSER_NICE = 19    # the browser's priority below the server's (a room's phones do not share the server's CPU)
JOINING = 5          # phones loading the page at the same time (people walk in a few at a time)
PHONE = {"width": 390, "height": 844}
PERIOD = Period(date(2024, 1, 1), date(2024, 12, 31))
# Connected, no script run going on and nothing left over from an earlier run (data-stale): checked at every change
# of the page by a MutationObserver, not polled on every frame (fifty pages share two cores).
IDLE = """() => new Promise(resolve => {
  const idle = () => { const a = document.querySelector('[data-testid=stApp]');
    return a && a.getAttribute('data-test-connection-state') === 'CONNECTED'
      && a.getAttribute('data-test-script-state') === 'notRunning' && !document.querySelector('[data-stale=true]'); };
  if (idle()) { resolve(true); return; }
  const seen = new MutationObserver(() => { if (idle()) { seen.disconnect(); resolve(true); } });
  seen.observe(document.documentElement, {attributes: true, childList: true, subtree: true});
})"""
# The press, timed in the page itself: the Send button is clicked and a MutationObserver notes the moment the next
# item's text is in the page (no polling, so neither the test's scheduling nor Playwright's retry intervals are in it).
PRESS = """([send, next]) => new Promise((resolve, reject) => {
  const main = document.querySelector('[data-testid=stMain]');
  const button = [...main.querySelectorAll('button')].find(b => b.textContent.trim() === send);
  if (!button) { reject(new Error('no button ' + send)); return; }
  const t0 = performance.now();
  const seen = new MutationObserver(() => {
    if (main.textContent.includes(next)) { seen.disconnect(); resolve(performance.now() - t0); }
  });
  seen.observe(main, {childList: true, subtree: true, characterData: true});
  button.click();
})"""
TICKS = os.sysconf("SC_CLK_TCK")
# `streamlit ...` with every script run logged to $MEETING_LOAD_RUNS: when its rerun was asked for (the press reached
# the server; the first ask of a session before its run), when the run started and ended (epoch seconds), its thread
# CPU seconds, whether it was a fragment's run or the whole page's, and the browser session's id.
HOOK = """
import os, sys, threading, time
from streamlit.runtime import app_session
from streamlit.runtime.scriptrunner import script_runner
log, lock, asked = open(os.environ["MEETING_LOAD_RUNS"], "a", buffering=1), threading.Lock(), {}
request = app_session.AppSession.request_rerun
def request_rerun(self, client_state):
    with lock:
        asked.setdefault(self.id, time.time())
    return request(self, client_state)
run = script_runner.ScriptRunner._run_script
def timed(self, rerun_data):
    start, cpu = time.time(), time.thread_time()
    try:
        return run(self, rerun_data)
    finally:
        with lock:
            since = asked.pop(self._session_id, start)
            kind = "fragment" if rerun_data.fragment_id_queue else "page"
            log.write(f"{since:.4f} {start:.4f} {time.time():.4f} {time.thread_time() - cpu:.4f} {kind} "
                      f"{self._session_id}\\n")
app_session.AppSession.request_rerun = request_rerun
script_runner.ScriptRunner._run_script = timed
from streamlit.web import cli
sys.argv = ["streamlit", *sys.argv[1:]]
cli.main()
"""


def answer(n: int, pos: int) -> tuple[str, int]:
    """What phone n answers on item pos: every answer and rating occurs, and the totals are known in advance."""
    return ("yes", "no", "unsure")[(n + pos) % 3], 1 + (n * 3 + pos) % 5


def cpu_seconds(pids) -> dict[int, float]:
    """User + system CPU seconds each process has used so far (/proc/PID/stat), of those still running."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / TICKS       # utime, stime
    return out


def is_browser(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/exe").resolve().name.startswith("chrom")
    except OSError:
        return False


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings by the processes running at both."""
    return sum(after[pid] - before[pid] for pid in before.keys() & after.keys())


def descendants(root: int) -> set[int]:
    """Every process below `root` (Playwright's driver and the browser's processes are below this test's)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


class _Round:
    """One item: releases every phone's press at once when all have arrived (ready, or failed), and says when every
    phone is done with it."""

    def __init__(self, n: int):
        self.n, self.arrived, self.finished = n, 0, 0
        self.go, self.done = asyncio.Event(), asyncio.Event()
        self.window = [0.0, 0.0]          # epoch seconds: released, every phone done

    def arrive(self):
        self.arrived += 1
        if self.arrived >= self.n:
            self.window[0] = time.time()
            self.go.set()

    def finish(self):
        self.finished += 1
        if self.finished >= self.n:
            self.window[1] = time.time()
            self.done.set()


async def _phone(browser, url: str, n: int, rounds: list[_Round], joining: asyncio.Semaphore,
                 measured: asyncio.Event, timings: list[tuple[int, float, float]]):
    lang = "en" if n % 2 else "zh"
    step = 0           # rounds this phone has arrived at (a failed phone arrives at the rest, holding no one back)
    ctx = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                    locale="zh-CN" if lang == "zh" else "en-US")
    try:
        page = await ctx.new_page()
        page.set_default_timeout(120_000)
        m = page.locator('[data-testid="stMain"]')

        async def idle():
            await asyncio.wait_for(page.evaluate(IDLE), 120)

        async def tap(text: str):           # an option of a segmented control, by its text
            await m.locator("[data-testid=stButtonGroup] button").filter(has=page.get_by_text(text, exact=True)).click()
            await idle()

        async with joining:
            await page.goto(url, wait_until="domcontentloaded")        # the slip's link opens in Chinese
            await m.get_by_text(t("vt.item_of", "zh", n=1, total=ITEMS)).wait_for()
            await idle()
            if lang == "en":
                await tap("English")
                await m.get_by_text(t("vt.item_of", lang, n=1, total=ITEMS)).wait_for()
        for pos, r in enumerate(rounds):
            met, rating = answer(n, pos)
            await tap(t(f"vt.met.{met}", lang))
            await tap(str(rating))
            step += 1
            r.arrive()
            await r.go.wait()                                          # every phone presses at once
            nxt = t("vt.item_of", lang, n=pos + 2, total=ITEMS) if pos + 1 < ITEMS else t("vt.thanks", lang)
            t0 = time.perf_counter()
            in_page = await asyncio.wait_for(page.evaluate(PRESS, [t("vt.send", lang), nxt]), 120)
            timings.append((pos, in_page / 1000, time.perf_counter() - t0))
            await idle()
            r.finish()
            await r.done.wait()          # the next answers are picked after everyone's press is answered
    finally:
        for r in rounds[step:]:
            r.arrive()
            r.finish()
        await measured.wait()        # the browser's processes stay until their CPU is read
        await ctx.close()


async def _run(links: list[str], server_pid: int) -> tuple[list[tuple[int, float, float]], dict, list]:
    """Drive one phone per link; returns (item, seconds in the page, seconds seen by this test) of every press, the
    CPU spent by the server, the browser and Playwright's driver while the presses were being answered, and the
    rounds' windows (epoch seconds from the release to the last phone done)."""
    from playwright.async_api import async_playwright
    timings: list[tuple[int, float, float]] = []
    cpu = {"server": 0.0, "browser": 0.0, "driver": 0.0, "window": 0.0}
    # This thread's priority passes to Playwright's driver and the browser it starts (Linux: per thread).
    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BROWSER_NICE)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        rounds, joining, measured = [_Round(len(links)) for _ in range(ITEMS)], asyncio.Semaphore(JOINING), asyncio.Event()

        async def watch():
            try:
                for r in rounds:
                    await r.go.wait()
                    below = descendants(os.getpid()) - {server_pid}
                    sides = {"server": [server_pid], "browser": [p for p in below if is_browser(p)],
                             "driver": [p for p in below if not is_browser(p)]}
                    before, w0 = {k: cpu_seconds(pids) for k, pids in sides.items()}, time.perf_counter()
                    await r.done.wait()
                    for k, pids in sides.items():
                        cpu[k] += spent(before[k], cpu_seconds(pids))
                    cpu["window"] += time.perf_counter() - w0
            finally:
                measured.set()
        try:
            await asyncio.gather(watch(), *(_phone(browser, link, n, rounds, joining, measured, timings)
                                            for n, link in enumerate(links)))
        finally:
            await browser.close()
    return timings, cpu, [r.window for r in rounds]


def p95(xs) -> float:
    return statistics.quantiles(xs, n=20, method="inclusive")[18]


def press_runs(log: Path, windows) -> list[tuple[float, float]]:
    """Per round and phone (browser session), the server's answer to the press: seconds from the first rerun asked
    for within the round's window to the end of the last run of it, and the CPU seconds of those runs. (A tap just
    before the release may still be running when Send is pressed; its run is counted with the press's.)"""
    answers: dict[tuple[int, str], list[float]] = {}
    for line in log.read_text().splitlines():
        since, _start, end, cpu, _kind, session = line.split()
        for k, (a, b) in enumerate(windows):
            if a <= float(since) <= b:
                got = answers.setdefault((k, session), [float(since), float(end), 0.0])
                got[0], got[1], got[2] = min(got[0], float(since)), max(got[1], float(end)), got[2] + float(cpu)
    return [(end - since, cpu) for since, end, cpu in answers.values()]


def summary(timed, server: list[tuple[float, float]], cpu: dict, wall: float, load: tuple[float, float]) -> str:
    shown, answered = [x[1] for x in timed], [x[0] for x in server]
    presses = len(timed)
    return (f"meeting-load: {PHONES} phones pressed Send at once on each of {ITEMS} items through one Streamlit "
            f"server: {presses} votes stored, 0 lost, 0 twice. Press to next item, on the server (press received to "
            f"its run's end): median {statistics.median(answered):.2f} s, p95 {p95(answered):.2f} s, max "
            f"{max(answered):.2f} s, run CPU median {statistics.median(x[1] for x in server) * 1000:.0f} ms; on the "
            f"phone (click to the next item in the page): median {statistics.median(shown):.2f} s, p95 "
            f"{p95(shown):.2f} s, max {max(shown):.2f} s. CPU per press: server {cpu['server'] / presses * 1000:.0f} "
            f"ms, browser {cpu['browser'] / presses * 1000:.0f} ms, Playwright {cpu['driver'] / presses * 1000:.0f} ms "
            f"(in {cpu['window']:.1f} s of rounds); whole run {wall:.0f} s; load average {load[0]:.2f} before, "
            f"{load[1]:.2f} after")


def open_meeting(tmp_path, demo_db, phones: int, items: int):
    """A copy of the demo database with a meeting on S01's first `items` needs and `phones` voting codes."""
    db = tmp_path / "load.duckdb"
    shutil.copy(demo_db, db)
    con = records.connect(db)
    try:
        store = MeetingStore(con)
        needs = store.candidates("S01", PERIOD)
        chosen = [("need", i) for i in needs[needs["kind"] == "need"]["id"][:items]]
        assert len(chosen) == items
        return db, store.create("S01", PERIOD, chosen, phones, title="load test")
    finally:
        con.close()


@pytest.mark.skipif(not os.environ.get("MEETING_LOAD"), reason="load test: set MEETING_LOAD=1 to run it")
def test_fifty_phones_press_at_once_and_the_server_answers_quickly(tmp_path, demo_db, capsys, monkeypatch):
    db, mt = open_meeting(tmp_path, demo_db, PHONES, ITEMS)
    runs = tmp_path / "runs.txt"
    popen = subprocess.Popen

    def hooked(args, *a, **kw):      # the server's `python -m streamlit ...` becomes `python -c HOOK ...`
        if list(args[1:3]) == ["-m", "streamlit"]:
            args, kw["env"] = [args[0], "-c", HOOK, *args[3:]], {**kw["env"], "MEETING_LOAD_RUNS": str(runs)}
        return popen(args, *a, **kw)
    load0 = os.getloadavg()[0]
    with monkeypatch.context() as mp:
        mp.setattr(subprocess, "Popen", hooked)
        server = Server(db, tmp_path / "streamlit.log")
    try:
        t0 = time.perf_counter()
        links = [vote_link(server.url, mt.code, v) for v in mt.vote_codes]
        # a thread of its own: the other browser tests' sync Playwright leaves an event loop running in this one
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            timed, cpu, windows = pool.submit(asyncio.run, _run(links, server.proc.pid)).result()
        wall = time.perf_counter() - t0
    finally:
        server.stop()
    con = records.connect(db, read_only=True)
    try:
        stored = con.execute("SELECT item_pos, met, rating, count(*) FROM meeting_votes WHERE code = ? "
                             "GROUP BY ALL", [mt.code]).fetchall()
        per_code = con.execute("SELECT count(*), count(DISTINCT vote_hash) FROM meeting_votes WHERE code = ?",
                               [mt.code]).fetchall()[0]
    finally:
        con.close()
    expected: dict[tuple, int] = {}
    for n in range(PHONES):
        for pos in range(ITEMS):
            key = (pos, *answer(n, pos))
            expected[key] = expected.get(key, 0) + 1
    assert len(timed) == PHONES * ITEMS                                   # every phone saw every next item
    assert per_code == (PHONES * ITEMS, PHONES)                          # each code voted on each item, once
    assert {(p, met, r): c for p, met, r, c in stored} == expected       # what was pressed is what is stored
    server_side = press_runs(runs, windows)
    assert len(server_side) == PHONES * ITEMS                             # one run answered each press
    line = summary(timed, server_side, cpu, wall, (load0, os.getloadavg()[0]))
    ARTIFACTS.mkdir(exist_ok=True)
    goal = f"server p95 {p95([x[0] for x in server_side]):.2f} s against the goal of {P95_GOAL} s"
    (ARTIFACTS / "meeting-load.txt").write_text(f"{line}\n{goal}\n", encoding="utf-8")
    with capsys.disabled():
        print(f"\n{line}\n{goal}")
    assert p95([x[0] for x in server_side]) <= P95_LIMIT, line
