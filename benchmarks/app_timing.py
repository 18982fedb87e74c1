"""Browser figures on the demo data: app start to the first page drawn, and a weight change to the updated chart,
on a quiet machine and under a stated background load (busy processes, one per core by default); and the CPU seconds
of the same start in one fresh process, which hardly move with the machine's load.

    python benchmarks/app_timing.py            # quiet, then with one busy process per core; load averages printed
    python benchmarks/app_timing.py --busy 0   # quiet only
    python benchmarks/app_timing.py --cpu 3    # CPU only (no browser): imports and first runs, 3 fresh processes

The browser comes signed in as a returning lead does (the cookie of a remembered session written to the database
before the server starts), so what is timed is the app, not a sign-in. Phases, each from `streamlit run` spawned:
server_ready_s (its health check answers), connected_s (the browser has loaded the page and opened its
socket), app_start_s (the first page, the Overview, drawn with its charts), then
weights_s (from clicking Weights in the sidebar to that page drawn). A slider move is timed from key down to the
charts repainted; server_ms is the part until the fragment's run has ended.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indicators.records import store as records  # noqa: E402

# In the page: note when the key goes down, watch the ranking chart, and once the run that the key started has
# ended and the chart has painted (two animation frames after its last change) leave the figures in window.__ms
# ([key to painted chart, key to the end of the server's run]).
_WATCH = """
(sel) => { window.__ms = undefined; const resolve = (v) => { window.__ms = v; };
  const app = document.querySelector('[data-testid=stApp]');
  const charts = document.querySelectorAll(sel);   // the camp-share and ranking charts: whichever repaints
  let t0 = null, ran = false, changed = null;
  document.addEventListener('keydown', () => { t0 = performance.now(); }, {capture: true, once: true});
  const seen = new MutationObserver(() => { changed = performance.now(); });
  charts.forEach(c => seen.observe(c, {subtree: true, childList: true, attributes: true, characterData: true}));
  const done = (ended) => requestAnimationFrame(() => requestAnimationFrame(() => {
    if (changed === null) { resolve(null); return; }
    resolve([changed - t0, ended - t0]);
  }));
  new MutationObserver(() => {
    const s = app.getAttribute('data-test-script-state');
    if (s === 'running') ran = true;
    if (ran && s === 'notRunning') done(performance.now());
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}
"""
CHART = '[data-testid="stVegaLiteChart"]'
# charts drawn: as many Vega-Lite elements with their canvas (or SVG) as the page has charts, at least `n`
_DRAWN = """(n) => { const c = document.querySelectorAll('[data-testid=stVegaLiteChart]');
  return c.length >= n && [...c].every(e => e.querySelector('canvas, svg')); }"""


BUSY = "while True: pass"   # one spinning process: a stated, repeatable background load


def busy(n: int) -> list:
    """Start `n` processes that each keep one core busy (stop them with `stop`)."""
    import subprocess
    return [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(n)]


def stop(procs: list) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(10)


def load() -> str:
    import os
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(repeat: int = 10, background: int = 0) -> dict:
    """Start `streamlit run app.py` on a fresh demo database and time it in headless Chromium, with `background`
    busy processes running beside it. The load averages at the start and the end are reported with the figures."""
    import os
    procs = busy(background)
    try:
        before = load()
        out = _measure(repeat)
    finally:
        stop(procs)
    return {**out, "background_busy_processes": background, "cores": os.cpu_count(), "load_average_at_start": before,
            "load_average_1m_at_end": round(os.getloadavg()[0], 2)}


def _session(db: Path) -> str:
    """A lead account and a remembered session on `db` (before any server opens it): the token of its cookie."""
    from indicators.access import AccountStore
    store = records.Store(db)
    try:
        accounts = AccountStore(store)
        return accounts.new_session(accounts.add("benchmark-lead", "lead"))
    finally:
        store.close()


def _measure(repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    from app_pages.auth import COOKIE
    from indicators.i18n import t
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, Server, wait_idle
    if CHROMIUM is None:
        raise RuntimeError("no Chromium at /usr/bin/chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.duckdb"
        records.build_demo(db)
        token = _session(db)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
            page = ctx.new_page()
            page.set_default_timeout(180_000)   # a loaded machine is what is measured: wait, do not give up
            server = Server(db, Path(tmp) / "streamlit.log")   # its own sign-in link is made before the spawn
            try:
                ready = time.perf_counter() - server.started       # from the spawn: `started` follows Popen
                ctx.add_cookies([{"name": COOKIE, "value": token, "url": server.url}])
                page.goto(server.url)
                page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]')
                connected = time.perf_counter() - server.started   # the page's scripts loaded, its socket open
                wait_idle(page)
                page.wait_for_function(_DRAWN, arg=2)              # the Overview's two rankings
                app_start = time.perf_counter() - server.started
                opened = time.perf_counter()
                page.locator('[data-testid="stSidebarNav"] a', has_text=t("page.weights", "en")).click()
                slider = page.locator('[data-testid="stSlider"]', has_text="Reach").get_by_role("slider")
                slider.wait_for()
                wait_idle(page)
                page.wait_for_function(_DRAWN, arg=2)              # camp share and top 10
                weights = time.perf_counter() - opened
                times, server_ms = [], []
                for n in range(repeat):
                    page.evaluate(_WATCH, CHART)
                    slider.focus()
                    slider.press("ArrowRight" if n % 2 == 0 else "ArrowLeft")
                    page.wait_for_function("() => window.__ms !== undefined")
                    ms = page.evaluate("() => window.__ms")
                    if ms is not None:
                        times.append(ms[0])
                        server_ms.append(ms[1])
                    wait_idle(page)
            finally:
                server.stop()
                browser.close()
    if not times:
        raise RuntimeError("the chart never changed after a weight change")
    return {"server_ready_s": ready, "connected_s": connected, "app_start_s": app_start, "weights_s": weights,
            "slider_to_chart_ms": statistics.median(times), "slider_to_chart_runs": times,
            "slider_server_ms": statistics.median(server_ms)}


# ---------------------------------------------------------------- CPU seconds, no browser

HEAVY = ("scipy", "altair", "openpyxl", "pyspark", "matplotlib", "jinja2", "yaml")


def _cpu_child(db: str) -> dict:
    """In this fresh process: streamlit imported (as `streamlit run` has it before the first page), then the app's
    first run on the Overview, the Weights page, and one slider move, each in CPU seconds (AppTest, no browser;
    AppTest reruns the whole script for a move where the browser reruns only the Weights fragment)."""
    import os
    os.environ["INDICATORS_DB"] = db
    os.chdir(ROOT)
    from streamlit.testing.v1 import AppTest
    out = {}

    def timed(name, fn):
        c, w = time.process_time(), time.perf_counter()
        fn()
        out[f"{name}_cpu_s"], out[f"{name}_wall_s"] = time.process_time() - c, time.perf_counter() - w
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state["_user"] = {"name": "benchmark-lead", "role": "lead"}
    at.context["locale"] = "en-US"
    timed("first_page", at.run)
    out["modules_at_first_page"] = sorted(m for m in HEAVY if m in sys.modules)
    timed("weights", lambda: at.switch_page("app_pages/weights.py").run())
    reach = next(s for s in at.slider if s.label == "Reach")
    timed("slider", lambda: reach.set_value(reach.value + 1).run())
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    return out


def measure_cpu(runs: int = 3) -> dict:
    """The median of `runs` fresh processes (`_cpu_child`) on one demo database."""
    import json
    import subprocess
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.duckdb"
        records.build_demo(db)
        got = []
        for _ in range(runs):
            done = subprocess.run([sys.executable, __file__, "--cpu-child", str(db)], capture_output=True, text=True,
                                  cwd=ROOT)
            if done.returncode:
                raise RuntimeError(done.stderr[-2000:])
            got.append(json.loads(done.stdout.strip().splitlines()[-1]))
    med = {k: statistics.median(g[k] for g in got) for k in got[0] if k.endswith("_s")}
    return {**med, "modules_at_first_page": got[0]["modules_at_first_page"], "runs": runs}


if __name__ == "__main__":
    import argparse
    import json
    import os
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--busy", type=int, default=os.cpu_count() or 2,
                    help="busy background processes for the loaded run (0: quiet run only)")
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--cpu", type=int, default=0, metavar="N",
                    help="CPU seconds of the start in N fresh processes instead of the browser figures")
    ap.add_argument("--cpu-child", metavar="DB", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.cpu_child:
        print(json.dumps(_cpu_child(args.cpu_child)))
        sys.exit(0)
    print(f"load average before: {load()} on {os.cpu_count()} cores")
    if args.cpu:
        res = measure_cpu(args.cpu)
        print("[cpu, median of %d fresh processes] " % res["runs"] + "  ".join(
            f"{k}: {v:.3f}" for k, v in res.items() if k.endswith("_s")) + f"  heavy modules at the first page: "
              f"{res['modules_at_first_page']}  load average at end: {load()}")
        sys.exit(0)
    for label, n in (("quiet", 0), (f"{args.busy} busy processes", args.busy)) if args.busy else (("quiet", 0),):
        res = measure(args.repeat, n)
        print(f"[{label}] server_ready_s: {res['server_ready_s']:.2f}  connected_s: {res['connected_s']:.2f}  app_start_s: {res['app_start_s']:.2f}  "
              f"weights_s: {res['weights_s']:.2f}  slider_to_chart_ms (median): {res['slider_to_chart_ms']:.0f} "
              f"(server {res['slider_server_ms']:.0f})  runs: {[round(x) for x in res['slider_to_chart_runs']]}  "
              f"load average at start: {res['load_average_at_start']}, 1 min at end: {res['load_average_1m_at_end']}")
