"""Province-scale benchmark of the engine: prints one `name: value` line per figure.

    python benchmarks/run.py --db /tmp/province.duckdb [--stations 1300 --years 3] [--repeat 5] [--skip-app]
    python benchmarks/run.py --scaling [--cache DIR] [--repeat 5]     # the scaling table (benchmarks/scaling.py)

If --db does not exist it is generated first (sample_data/generate.py in a child process, province scale).
Figures (targets in benchmarks/README.md):
  eval_s           both built-in schemes end to end (SQL to ScoreResult), median of --repeat runs
  floor_s          the same raw values by hand-written DuckDB SQL (benchmarks/floor.py), median; ratio_floor
  pandas_s         the same raw values in plain pandas, reads included (benchmarks/baseline_pandas.py, in a
                   child process so that its memory is not counted here), median; ratio_pandas
  reweight_p50_ms, reweight_p95_ms   ScoreResult.reweighted after one weight change, 1,300 x 50, 200 times
  mc_s             sensitivity.rank_intervals, 10,000 draws at 1,300 x 50, median
  peak_rss_mb      ru_maxrss of this process (generation and the pandas baseline run in child processes)
  app_start_s, slider_to_chart_ms    from measure_app(); placeholders until it exists
Every run checks that the engine, the floor and the pandas baseline agree on every raw value.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks import common, floor, scaling  # noqa: E402
from indicators.records import store as records
from indicators.scoring import engine as scoring
from indicators.analysis import sensitivity  # noqa: E402

REWEIGHT_REPS = 200
MC_DRAWS = 10_000
WIDE_INDICATORS = 50

TARGETS = {   # figure: (comparison, limit)
    "ratio_floor": ("<=", 1.3), "ratio_pandas": (">=", 10.0), "reweight_p95_ms": ("<=", 10.0),
    "mc_s": ("<=", 2.0), "peak_rss_mb": ("<=", 2000.0), "app_start_s": ("<=", 5.0), "slider_to_chart_ms": ("<=", 300.0),
}


def emit(name: str, value) -> None:
    if isinstance(value, float):
        value = f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"
    print(f"{name}: {value}", flush=True)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn, repeat: int, warmup: int = 1) -> tuple[float, list[float]]:
    """Median seconds over `repeat` runs after `warmup` untimed ones; also the list."""
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), runs


def timed_pair(fns: dict, repeat: int, warmup: int = 1) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU seconds (this process, all threads) of each function, run alternately so that a change
    in the machine's load touches them alike."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    out = {name: ([], []) for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            c0, t0 = _cpu(), time.perf_counter()
            fn()
            out[name][0].append(time.perf_counter() - t0)
            out[name][1].append(_cpu() - c0)
    return out


def check_agreement(con, engine: dict) -> None:
    """The engine and the floor agree on every raw value of both schemes (else the timing means nothing)."""
    fl = floor.raw_floor(con)
    for name, res in engine.items():
        bad = common.differences(res.raw, fl[name])
        if bad:
            raise SystemExit(f"engine and floor disagree on {name}: {bad[:5]}")


def measure_eval_and_floor(con, repeat: int) -> dict:
    """eval_s: both built-in schemes end to end; floor_s: the floor SQL for the same values; alternating."""
    schemes = common.builtin_schemes()
    runs = timed_pair({"eval": lambda: common.engine_results(con, schemes), "floor": lambda: floor.raw_floor(con)},
                      repeat)
    fig = {}
    for name, (wall, cpu) in runs.items():
        fig[f"{name}_s"], fig[f"{name}_runs"] = statistics.median(wall), wall
        fig[f"{name}_cpu_s"] = statistics.median(cpu)
    return fig


def measure_pandas(db: str, repeat: int, engine: dict | None = None) -> dict:
    """In a child process: its DataFrames (tens of millions of Python strings) are not this process's memory.
    With `engine` results, also checks that pandas computed the same raw values."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, str(HERE / "baseline_pandas.py"), "--db", db, "--repeat", str(repeat)]
        if engine is not None:
            cmd += ["--out", f"{tmp}/raw"]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        data = json.loads(out.strip().splitlines()[-1])
        for name, res in (engine or {}).items():
            got = pd.read_parquet(f"{tmp}/raw-{name}.parquet")
            bad = common.differences(res.raw, got)
            if bad:
                raise SystemExit(f"engine and pandas disagree on {name}: {bad[:5]}")
    return {"pandas_s": statistics.median(data["seconds"]), "pandas_runs": data["seconds"],
            "pandas_peak_rss_mb": data["peak_rss_mb"]}


def measure_reweight(con, reps: int = REWEIGHT_REPS, seed: int = 1) -> tuple[dict, scoring.ScoreResult]:
    """One slider move at a time: a new weight for one dimension or one indicator, then reweighted()."""
    wide = common.wide_scheme(WIDE_INDICATORS)
    t0 = time.perf_counter()
    res = scoring.score(con, wide)
    sql_s = time.perf_counter() - t0
    rng = np.random.default_rng(seed)
    dims = [d.id for d in wide.dimensions]
    inds = [i.id for i in wide.indicators]
    res.reweighted(indicator_weights={inds[0]: 5.0})   # warm-up
    ms = []
    for _ in range(reps):
        if rng.random() < 0.3:
            kw = {"dimension_weights": {dims[rng.integers(len(dims))]: float(rng.integers(0, 11))}}
        else:
            kw = {"indicator_weights": {inds[rng.integers(len(inds))]: float(rng.integers(1, 11))}}
        t0 = time.perf_counter_ns()
        res.reweighted(**kw)
        ms.append((time.perf_counter_ns() - t0) / 1e6)
    return {"reweight_p50_ms": float(np.percentile(ms, 50)), "reweight_p95_ms": float(np.percentile(ms, 95)),
            "wide_sql_s": sql_s, "wide_shape": f"{res.normalised.shape[0]} x {res.normalised.shape[1]}"}, res


def measure_mc(res: scoring.ScoreResult, repeat: int) -> dict:
    w = res.weights["effective"].to_numpy()

    def run():
        sensitivity.rank_intervals(res.normalised, w, res.stations.index, draws=MC_DRAWS, seed=0)
    med, runs = timed(run, repeat, warmup=0)
    return {"mc_s": med, "mc_runs": runs}


def measure_app(args) -> dict:
    """Browser figures on the demo data (app_start_s, slider_to_chart_ms), in headless Chromium."""
    from benchmarks import app_timing
    return app_timing.measure()


def verdict(name: str, value: float) -> str:
    op, limit = TARGETS[name]
    ok = value <= limit if op == "<=" else value >= limit
    return f"{op} {limit:g} ({'met' if ok else 'MISSED'})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Province-scale benchmark: one `name: value` line per figure.")
    ap.add_argument("--db", help="DuckDB records; generated first if missing (not with --scaling)")
    ap.add_argument("--stations", type=int, default=1300, help="when generating (default 1300)")
    ap.add_argument("--years", type=int, default=3, help="when generating (default 3)")
    ap.add_argument("--scale", type=float, default=None,
                    help="when generating: activities per station-year multiplier (default: the province scale)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-app", action="store_true", help="do not start the app in a browser")
    ap.add_argument("--skip-pandas", action="store_true", help="do not run the (slow) pandas baseline")
    scaling.add_options(ap)
    args = ap.parse_args(argv)
    if not args.scaling and not args.db:
        ap.error("give --db (a records file) or --scaling")

    emit("command", "python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])]))
    emit("date", _dt.datetime.now().astimezone().isoformat(timespec="seconds"))
    for k, v in common.machine().items():
        emit(f"machine_{k}", v)
    emit("duckdb", duckdb.__version__)
    if args.scaling:
        return scaling.run_table(args, emit)

    db = Path(args.db)
    if not db.exists():
        scale = args.scale
        if scale is None:
            import importlib.util
            spec = importlib.util.spec_from_file_location("_gen", common.GENERATOR)
            gen = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(gen)
            scale = gen.PROVINCE_SCALE
        t0 = time.perf_counter()
        common.generate_db(db, args.stations, args.years, scale)
        emit("generate_s", time.perf_counter() - t0)

    con = records.connect(db, read_only=True)
    limits = contextlib.ExitStack()   # the memory limit's spill folder goes when the connection closes
    if args.memory_limit:
        limits.enter_context(scaling.limited(con, args.memory_limit))
        emit("memory_limit", con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
    emit("duckdb_threads", con.execute("SELECT current_setting('threads')").fetchall()[0][0])
    for table, n in records.table_counts(con).items():
        emit(f"rows_{table}", n)

    engine = common.engine_results(con)
    check_agreement(con, engine)
    emit("agreement", "engine = floor on every raw value of both schemes (1e-9)")

    fig = {}
    fig.update(measure_eval_and_floor(con, args.repeat))
    fig["ratio_floor"] = fig["eval_s"] / fig["floor_s"]
    for k in ("eval_s", "floor_s", "ratio_floor"):
        emit(k, fig[k])
    # The best run of each, and CPU seconds of this process (DuckDB's threads included): both less sensitive
    # than the median to other work on a shared machine
    emit("eval_min_s", min(fig["eval_runs"]))
    emit("floor_min_s", min(fig["floor_runs"]))
    emit("ratio_floor_min", min(fig["eval_runs"]) / min(fig["floor_runs"]))
    emit("eval_cpu_s", fig["eval_cpu_s"])
    emit("floor_cpu_s", fig["floor_cpu_s"])
    emit("ratio_floor_cpu", fig["eval_cpu_s"] / fig["floor_cpu_s"])
    if args.skip_pandas:
        emit("pandas_s", "skipped (--skip-pandas)")
    else:
        fig.update(measure_pandas(str(db), max(1, min(args.repeat, 3)), engine))
        emit("agreement_pandas", "engine = pandas on every raw value of both schemes (1e-9)")
        fig["ratio_pandas"] = fig["pandas_s"] / fig["eval_s"]
        emit("pandas_s", fig["pandas_s"])
        emit("ratio_pandas", fig["ratio_pandas"])
        emit("pandas_peak_rss_mb", fig["pandas_peak_rss_mb"])
    rw, wide = measure_reweight(con)
    fig.update(rw)
    emit("reweight_shape", rw["wide_shape"])
    emit("reweight_p50_ms", fig["reweight_p50_ms"])
    emit("reweight_p95_ms", fig["reweight_p95_ms"])
    fig.update(measure_mc(wide, max(1, min(args.repeat, 3))))
    emit("mc_s", fig["mc_s"])
    fig["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    emit("peak_rss_mb", fig["peak_rss_mb"])

    if args.skip_app:
        emit("app_start_s", "skipped (--skip-app)")
        emit("slider_to_chart_ms", "skipped (--skip-app)")
    else:
        app = measure_app(args)
        fig.update(app)
        for k in ("app_start_s", "slider_to_chart_ms"):
            emit(k, app[k])
        emit("slider_to_chart_runs", " ".join(f"{x:.0f}" for x in app["slider_to_chart_runs"]))

    for k in ("eval_runs", "floor_runs", "pandas_runs", "mc_runs"):
        if k in fig:
            emit(k, " ".join(f"{x:.3f}" for x in fig[k]))
    emit("load_avg_end", common.machine()["load_avg"])
    for name in TARGETS:
        if name in fig:
            emit(f"target_{name}", verdict(name, fig[name]))
    limits.close()
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
