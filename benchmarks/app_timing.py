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
charts repainted; server_ms is the part until the fragment's run has ended. With each, the CPU seconds the server
process and the browser's processes used for it (from /proc: they move little with the machine's load).
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

# Before any page script: note each time a chart draws on its canvas (window.__paint). A chart given new rows under
# an unchanged spec redraws its canvas without changing the page's elements, which a MutationObserver cannot see.
_PAINTS = """
(() => { const inChart = new WeakMap();
  const mark = function () {
    const c = this.canvas;
    if (!inChart.has(c)) inChart.set(c, !!(c.closest && c.closest('[data-testid=stVegaLiteChart]')));
    if (inChart.get(c)) window.__paint = performance.now();
  };
  for (const name of ['clearRect', 'fillRect', 'fillText', 'fill', 'stroke']) {
    const real = CanvasRenderingContext2D.prototype[name];
    CanvasRenderingContext2D.prototype[name] = function (...args) { mark.call(this); return real.apply(this, args); };
  }
})();
"""
# In the page: note when the key goes down; watch the charts (their elements, and their canvases through _PAINTS);
# once the run that the key started has ended (or, when the page never showed it running, once the charts have
# drawn and the script is idle) and no chart has drawn for 50 ms, leave [key to the last drawing, key to the end of
# the server's run] in window.__ms (null when no chart drew within 30 s).
_WATCH = """
(sel) => { window.__ms = undefined; window.__paint = null;
  const app = document.querySelector('[data-testid=stApp]');
  let t0 = null, ran = false, ended = null;
  document.addEventListener('keydown', () => { t0 = performance.now(); }, {capture: true, once: true});
  const seen = new MutationObserver(() => { if (t0 !== null) window.__paint = performance.now(); });
  document.querySelectorAll(sel).forEach(c =>
    seen.observe(c, {subtree: true, childList: true, attributes: true, characterData: true}));
  new MutationObserver(() => {
    const s = app.getAttribute('data-test-script-state');
    if (s === 'running') ran = true;
    if (ran && s === 'notRunning' && ended === null) ended = performance.now();
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  const check = () => {
    const now = performance.now(), paint = window.__paint;
    const drew = t0 !== null && paint !== null && paint > t0;
    const idle = app.getAttribute('data-test-script-state') === 'notRunning';
    if (drew && (ended !== null || idle) && now - paint > 50) {
      window.__ms = [paint - t0, (ended === null ? paint : ended) - t0]; return;
    }
    if (t0 !== null && now - t0 > 30000) { window.__ms = null; return; }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}
"""
CHART = '[data-testid="stVegaLiteChart"]'
# charts drawn: as many Vega-Lite elements with their canvas (or SVG) as the page has charts, at least `n`
_DRAWN = """(n) => { const c = document.querySelectorAll('[data-testid=stVegaLiteChart]');
  return c.length >= n && [...c].every(e => e.querySelector('canvas, svg')); }"""


BUSY = "while True: pass"   # one spinning process: a stated, repeatable background load


_BUSY: set[int] = set()     # the busy processes running now (not the browser's)


def busy(n: int) -> list:
    """Start `n` processes that each keep one core busy (stop them with `stop`)."""
    import subprocess
    procs = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(n)]
    _BUSY.update(p.pid for p in procs)
    return procs


def stop(procs: list) -> None:
    for p in procs:
        _BUSY.discard(p.pid)
        p.terminate()
    for p in procs:
        p.wait(10)


def load() -> str:
    import os
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class RunQueue:
    """Tasks running or waiting for a core, read from /proc/loadavg every 50 ms while the app is measured: the load
    the figures met. The load average, a one-minute mean, lags a run of twenty seconds (it reads 1 at the start of
    a run beside four busy processes)."""

    def __init__(self):
        import threading
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            running = int(Path("/proc/loadavg").read_text().split()[3].split("/")[0])
            self.samples.append(running - 1)   # not counting this sampler, running as it reads

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def mean(self) -> float:
        return statistics.mean(self.samples) if self.samples else float("nan")


def measure(repeat: int = 10, background: int = 0) -> dict:
    """Start `streamlit run app.py` on a fresh demo database and time it in headless Chromium, with `background`
    busy processes running beside it. The load averages at the start and the end, and the mean number of
    runnable tasks during the run, are reported with the figures."""
    import os
    procs = busy(background)
    try:
        before = load()
        with RunQueue() as queue:
            out = _measure(repeat)
    finally:
        stop(procs)
    return {**out, "background_busy_processes": background, "cores": os.cpu_count(), "load_average_at_start": before,
            "load_average_1m_at_end": round(os.getloadavg()[0], 2), "runnable_mean": queue.mean()}


def _ticks(pid: int) -> int:
    """CPU clock ticks (user + system) a process has used so far; 0 once it is gone (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _family(root: int, leave_out: set[int]) -> list[int]:
    """`root`'s descendants, without those in `leave_out` and theirs: here the browser (Chromium and Playwright's
    driver), leaving out the server and the busy processes."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, ppid = int(stat.parent.name), int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [c for c in children.get(root, []) if c not in leave_out]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(c for c in children.get(pid, []) if c not in leave_out)
    return out


_IDLE = """() => { const app = document.querySelector('[data-testid=stApp]');
  return app && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && app.getAttribute('data-test-script-state') === 'notRunning' && !document.querySelector('[data-stale=true]'); }"""


def idle(page) -> None:
    """tests/e2e's wait_idle, asked every 20 ms rather than every animation frame: the asking is not the browser's
    work being measured."""
    page.wait_for_function(_IDLE, polling=20)


class Cpu:
    """CPU seconds of the server process and of the browser's processes, which a loaded machine hardly changes
    (a busy core lengthens the wall time of the same work, not its CPU time)."""

    def __init__(self, server_pid: int):
        import os
        self.server, self.hz = server_pid, os.sysconf("SC_CLK_TCK")

    def now(self) -> tuple[float, float]:
        import os
        browser = sum(_ticks(p) for p in _family(os.getpid(), {self.server, *_BUSY}))
        return _ticks(self.server) / self.hz, browser / self.hz


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
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, Server
    if CHROMIUM is None:
        raise RuntimeError("no Chromium at /usr/bin/chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.duckdb"
        records.build_demo(db)
        token = _session(db)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
            ctx.add_init_script(_PAINTS)
            page = ctx.new_page()
            page.set_default_timeout(180_000)   # a loaded machine is what is measured: wait, do not give up
            server = Server(db, Path(tmp) / "streamlit.log")   # its own sign-in link is made before the spawn
            try:
                ready = time.perf_counter() - server.started       # from the spawn: `started` follows Popen
                cpu = Cpu(server.proc.pid)
                browser_at_spawn = cpu.now()[1]
                ctx.add_cookies([{"name": COOKIE, "value": token, "url": server.url}])
                page.goto(server.url)
                page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]')
                connected = time.perf_counter() - server.started   # the page's scripts loaded, its socket open
                idle(page)
                page.wait_for_function(_DRAWN, arg=2, polling=20)              # the Overview's two rankings
                app_start = time.perf_counter() - server.started
                server_cpu, browser_cpu = cpu.now()
                start_cpu = (server_cpu, browser_cpu - browser_at_spawn)
                opened = time.perf_counter()
                page.locator('[data-testid="stSidebarNav"] a', has_text=t("page.weights", "en")).click()
                slider = page.locator('[data-testid="stSlider"]', has_text="Reach").get_by_role("slider")
                slider.wait_for()
                idle(page)
                page.wait_for_function(_DRAWN, arg=2, polling=20)              # camp share and top 10
                weights = time.perf_counter() - opened
                times, server_ms, moves_cpu = [], [], []
                for n in range(repeat):
                    page.evaluate(_WATCH, CHART)
                    was = cpu.now()
                    slider.focus()
                    slider.press("ArrowRight" if n % 2 == 0 else "ArrowLeft")
                    page.wait_for_function("() => window.__ms !== undefined", polling=20)
                    ms = page.evaluate("() => window.__ms")
                    if ms is not None:
                        times.append(ms[0])
                        server_ms.append(ms[1])
                    idle(page)
                    moves_cpu.append([b - a for a, b in zip(was, cpu.now())])
                was = cpu.now()
                time.sleep(1.0)      # what the two sides use doing nothing, to read the figures above against
                resting = [b - a for a, b in zip(was, cpu.now())]
            finally:
                server.stop()
                browser.close()
    if not times:
        raise RuntimeError("the chart never changed after a weight change")
    return {"server_ready_s": ready, "connected_s": connected, "app_start_s": app_start, "weights_s": weights,
            "slider_to_chart_ms": statistics.median(times), "slider_to_chart_runs": times,
            "slider_server_ms": statistics.median(server_ms),
            "start_server_cpu_s": start_cpu[0], "start_browser_cpu_s": start_cpu[1],
            "slider_server_cpu_ms": 1000 * statistics.median(m[0] for m in moves_cpu),
            "slider_browser_cpu_ms": 1000 * statistics.median(m[1] for m in moves_cpu),
            "idle_server_cpu_ms_per_s": 1000 * resting[0], "idle_browser_cpu_ms_per_s": 1000 * resting[1]}


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
              f"load average at start: {res['load_average_at_start']}, 1 min at end: {res['load_average_1m_at_end']}; "
              f"runnable tasks during the run (mean): {res['runnable_mean']:.1f}")
        print(f"[{label}, CPU] start: server {res['start_server_cpu_s']:.2f} s, browser {res['start_browser_cpu_s']:.2f} s"
              f"  slider move (median): server {res['slider_server_cpu_ms']:.0f} ms, "
              f"browser {res['slider_browser_cpu_ms']:.0f} ms  (idle: server {res['idle_server_cpu_ms_per_s']:.0f}, "
              f"browser {res['idle_browser_cpu_ms_per_s']:.0f} ms a second)")
