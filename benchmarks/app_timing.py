"""Browser figures on the demo data: app start to first rendered page, and a weight change to the updated chart,
on a quiet machine and under a stated background load (busy processes, one per core by default).

    python benchmarks/app_timing.py            # quiet, then with one busy process per core; load averages printed
    python benchmarks/app_timing.py --busy 0   # quiet only
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
# ended and the chart has painted (two animation frames after its last change) leave the figure in window.__ms.
_WATCH = """
(sel) => { window.__ms = undefined; const resolve = (v) => { window.__ms = v; };
  const app = document.querySelector('[data-testid=stApp]');
  const charts = document.querySelectorAll(sel);   // the camp-share and ranking charts: whichever repaints
  let t0 = null, ran = false, changed = null;
  document.addEventListener('keydown', () => { t0 = performance.now(); }, {capture: true, once: true});
  const seen = new MutationObserver(() => { changed = performance.now(); });
  charts.forEach(c => seen.observe(c, {subtree: true, childList: true, attributes: true, characterData: true}));
  const done = () => requestAnimationFrame(() => requestAnimationFrame(() => {
    if (changed === null) { resolve(null); return; }
    resolve(changed - t0);
  }));
  new MutationObserver(() => {
    const s = app.getAttribute('data-test-script-state');
    if (s === 'running') ran = true;
    if (ran && s === 'notRunning') done();
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}
"""


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


def measure(repeat: int = 10, background: int = 0) -> dict:
    """Start `streamlit run app.py` on a fresh demo database and time it in headless Chromium, with `background`
    busy processes running beside it. The load average at the start is reported with the figures."""
    import os
    procs = busy(background)
    try:
        out = _measure(repeat)
    finally:
        stop(procs)
    return {**out, "background_busy_processes": background, "cores": os.cpu_count(),
            "load_average_1m_at_end": round(os.getloadavg()[0], 2)}


def _measure(repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, Server, wait_idle
    if CHROMIUM is None:
        raise RuntimeError("no Chromium at /usr/bin/chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.duckdb"
        records.build_demo(db)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="en-US")
            page.set_default_timeout(180_000)   # a loaded machine is what is measured: wait, do not give up
            started = time.perf_counter()
            server = Server(db, Path(tmp) / "streamlit.log")
            try:
                page.goto(f"{server.url}/weights")
                wait_idle(page)
                page.wait_for_selector('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg')
                app_start = time.perf_counter() - started
                slider = page.locator('[data-testid="stSlider"]', has_text="Reach").get_by_role("slider")
                times = []
                for n in range(repeat):
                    page.evaluate(_WATCH, '[data-testid="stVegaLiteChart"]')
                    slider.focus()
                    slider.press("ArrowRight" if n % 2 == 0 else "ArrowLeft")
                    page.wait_for_function("() => window.__ms !== undefined")
                    ms = page.evaluate("() => window.__ms")
                    if ms is not None:
                        times.append(ms)
                    wait_idle(page)
            finally:
                server.stop()
                browser.close()
    if not times:
        raise RuntimeError("the chart never changed after a weight change")
    return {"app_start_s": app_start, "slider_to_chart_ms": statistics.median(times),
            "slider_to_chart_runs": times}


if __name__ == "__main__":
    import argparse
    import os
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--busy", type=int, default=os.cpu_count() or 2,
                    help="busy background processes for the loaded run (0: quiet run only)")
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    for label, n in (("quiet", 0), (f"{args.busy} busy processes", args.busy)) if args.busy else (("quiet", 0),):
        res = measure(args.repeat, n)
        print(f"[{label}] app_start_s: {res['app_start_s']:.2f}  slider_to_chart_ms (median): "
              f"{res['slider_to_chart_ms']:.0f}  runs: {[round(x) for x in res['slider_to_chart_runs']]}  "
              f"load average (1 min) at end: {res['load_average_1m_at_end']}")
