"""The scaling table: the engine against the floor at several sizes, each size measured in a process of its own.

    python benchmarks/run.py --scaling [--cache DIR] [--sizes 130x1,1300x2] [--out-of-core 3900x3]
                                       [--memory-limit 4GB] [--repeat 5]

The record sets are generated once into --cache (sample_data/generate.py, province scale) and reused. Each size
runs in a child process (`python benchmarks/scaling.py --db SET`), so its peak RSS is that size's alone: there the
engine and the floor are first checked equal on every raw value of both built-in schemes (the untimed warm-up),
then run alternately --repeat times (more for small sets, to fill MIN_SECONDS; at most 3 for the out-of-core size);
the ratio is the median engine seconds over the median floor seconds of those same runs. The one grouped pass
(floor.ONE_PASS: first and last visit and visits per station and resident, one pass per other table) runs in
the same alternation; "CPU engine / one pass" is issue 21's yardstick (at most 2.5). Rows per second count every
record row of the set (all tables) over the engine's median wall and CPU seconds. The out-of-core size runs with DuckDB's memory limit (--memory-limit, spilling to a temporary
folder) and prints each table's query as it goes.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from benchmarks import common, floor  # noqa: E402
from indicators.cli.scaling import limited, memory_size, reporter  # noqa: E402
from indicators.records import store as records  # noqa: E402

SIZES = ((130, 1), (130, 2), (1300, 1), (1300, 2), (3900, 1), (3900, 2))
OUT_OF_CORE = (3900, 3)
OUT_OF_CORE_LIMIT = "4GB"
MIN_SECONDS, MAX_REPEAT = 15.0, 60   # per size: at least --repeat runs of each, more for small sets (see measure)
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "indicators-scaling"
COLUMNS = ("records", "attendance rows", "all rows", "engine s", "floor s", "engine / floor", "CPU engine / floor",
           "engine CPU s", "CPU engine / one pass", "rows / s (engine)", "rows / CPU s (engine)", "peak RSS MB",
           "memory limit", "load avg")


def parse_size(text: str) -> tuple[int, int]:
    """'3900x2' -> (3900 stations, 2 years)."""
    try:
        stations, years = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give stations x years, e.g. 1300x2") from None
    if stations < 1 or years < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: stations and years must be at least 1")
    return stations, years


def set_path(cache: Path, stations: int, years: int, scale: float) -> Path:
    return cache / f"s{stations}_y{years}_x{scale:g}.duckdb"


def ensure_set(cache: Path, stations: int, years: int, scale: float) -> tuple[Path, float | None]:
    """The record set's path, generated first (in a child process) when the cache lacks it; with the seconds
    generation took, or None when it was there already."""
    path = set_path(cache, stations, years, scale)
    if path.exists():
        return path, None
    cache.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.stem + ".part.duckdb")   # a set cut off half-way is never taken for a whole one
    part.unlink(missing_ok=True)
    t0 = time.perf_counter()
    common.generate_db(part, stations, years, scale)
    part.rename(path)
    return path, time.perf_counter() - t0


# ---------------------------------------------------------------------------------------------------------------
# one size, in its own process

def measure(db: Path, repeat: int, memory_limit: str | None = None, progress: bool = False,
            min_seconds: float = MIN_SECONDS) -> dict:
    """Engine and floor on one record set: checked equal, then alternated `repeat` times (wall and CPU seconds)."""
    from benchmarks.run import check_agreement, timed_pair

    load_start = os.getloadavg()[0]
    con = records.connect(db, read_only=True)
    schemes = common.builtin_schemes()
    runs = iter(range(10**6))

    def engine():
        if progress:
            print(f"# engine run {next(runs)} (0: the untimed check against the floor)", file=sys.stderr, flush=True)
        return common.engine_results(con, schemes, reporter("en") if progress else None)

    try:
        with limited(con, memory_limit):
            counts = records.table_counts(con)
            limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
            t0 = time.perf_counter()
            check_agreement(con, engine())   # the warm-up run of both
            floor.one_pass(con)
            # Small sets take a fraction of a second: run them more often, so that other work on the machine
            # evens out over at least MIN_SECONDS of alternating runs.
            repeat = max(repeat, min(MAX_REPEAT, math.ceil(min_seconds / (time.perf_counter() - t0))))
            # the one grouped pass (floor.ONE_PASS) is the yardstick of issue 21: the least any scheme reads
            runs = timed_pair({"engine": engine, "floor": lambda: floor.raw_floor(con),
                               "one_pass": lambda: floor.one_pass(con)}, repeat, warmup=0)
    finally:
        con.close()
    (e_wall, e_cpu), (f_wall, f_cpu), (o_wall, o_cpu) = runs["engine"], runs["floor"], runs["one_pass"]
    engine_s, floor_s = statistics.median(e_wall), statistics.median(f_wall)
    total = sum(counts.values())
    return {
        "db": str(db), "rows": counts, "attendance_rows": counts["attendance"], "total_rows": total,
        "engine_runs": e_wall, "floor_runs": f_wall, "engine_cpu_runs": e_cpu, "floor_cpu_runs": f_cpu,
        "engine_s": engine_s, "floor_s": floor_s, "ratio": engine_s / floor_s,
        "ratio_cpu": statistics.median(e_cpu) / statistics.median(f_cpu),
        "one_pass_runs": o_wall, "one_pass_cpu_runs": o_cpu, "engine_cpu_s": statistics.median(e_cpu),
        "ratio_one_pass_cpu": statistics.median(e_cpu) / statistics.median(o_cpu),
        "ratio_one_pass": engine_s / statistics.median(o_wall),
        "rows_per_s": total / engine_s, "rows_per_cpu_s": total / statistics.median(e_cpu),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "memory_limit": memory_limit, "duckdb_memory_limit": limit,
        "load_start": load_start, "load_end": os.getloadavg()[0],
    }


def measure_in_child(db: Path, repeat: int, memory_limit: str | None = None, progress: bool = False,
                     min_seconds: float = MIN_SECONDS) -> dict:
    """measure() in a new Python process (its stderr, the progress lines, goes to ours)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--db", str(db), "--repeat", str(repeat),
           "--min-seconds", str(min_seconds)]
    if memory_limit:
        cmd += ["--memory-limit", memory_limit]
    if progress:
        cmd.append("--progress")
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------------------------
# the table

def label(stations: int, years: int) -> str:
    return f"{stations:,} × {years} y"


def table_row(stations: int, years: int, fig: dict) -> list[str]:
    return [label(stations, years), f"{fig['attendance_rows']:,}", f"{fig['total_rows']:,}",
            f"{fig['engine_s']:.3f}", f"{fig['floor_s']:.3f}", f"{fig['ratio']:.2f}", f"{fig['ratio_cpu']:.2f}",
            f"{fig['engine_cpu_s']:.3f}", f"{fig['ratio_one_pass_cpu']:.2f}",
            f"{fig['rows_per_s'] / 1e6:.1f} M", f"{fig['rows_per_cpu_s'] / 1e6:.1f} M", f"{fig['peak_rss_mb']:,.0f}", fig["memory_limit"] or "–",
            f"{fig['load_start']:.1f}–{fig['load_end']:.1f}"]


def markdown(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|---|" + "---:|" * (len(COLUMNS) - 3) + "---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def run_table(args, emit) -> int:
    """`run.py --scaling`: every size (and the out-of-core one), then the table."""
    cache = Path(args.cache)
    scale = args.scale if args.scale is not None else _province_scale()
    sizes = [(s, y, None, False) for s, y in args.sizes]
    if args.out_of_core:
        sizes.append((*args.out_of_core, args.memory_limit or OUT_OF_CORE_LIMIT, True))
    emit("cache", str(cache))
    emit("scale", scale)
    rows = []
    for stations, years, limit, progress in sizes:
        db, gen_s = ensure_set(cache, stations, years, scale)
        if gen_s is not None:
            emit(f"generate_s_{stations}x{years}", gen_s)
        if progress:
            print(f"# {label(stations, years)} with memory_limit {limit}: each table's query as it runs",
                  file=sys.stderr, flush=True)
        # the out-of-core size takes minutes a run: at most 3 of each there
        fig = measure_in_child(db, min(args.repeat, 3) if progress else args.repeat, limit, progress,
                               0.0 if progress else args.min_seconds)
        emit(f"scaling_{stations}x{years}", json.dumps({"stations": stations, "years": years, **fig}))
        rows.append(table_row(stations, years, fig))
    print(markdown(rows), flush=True)
    emit("load_avg_end", common.machine()["load_avg"])
    if args.drop_sets:
        shutil.rmtree(cache, ignore_errors=True)
    return 0


def _province_scale() -> float:
    import importlib.util
    spec = importlib.util.spec_from_file_location("_gen", common.GENERATOR)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    return gen.PROVINCE_SCALE


def add_options(ap: argparse.ArgumentParser) -> None:
    """run.py's --scaling options."""
    ap.add_argument("--scaling", action="store_true", help="print the scaling table (engine vs floor per size)")
    ap.add_argument("--cache", default=str(DEFAULT_CACHE), help=f"with --scaling: where the record sets are kept "
                                                               f"(default {DEFAULT_CACHE})")
    ap.add_argument("--sizes", type=lambda t: [parse_size(x) for x in t.split(",") if x.strip()],
                    default=list(SIZES), help="with --scaling: stations x years, comma-separated "
                                              "(default 130x1,130x2,1300x1,1300x2,3900x1,3900x2)")
    ap.add_argument("--out-of-core", type=lambda t: None if t == "none" else parse_size(t), default=OUT_OF_CORE,
                    help="with --scaling: the size scored under --memory-limit (default 3900x3; none to skip)")
    ap.add_argument("--memory-limit", type=memory_size, default=None,
                    help="DuckDB's memory limit (e.g. 4GB), spilling to a temporary folder; with --scaling, for "
                         f"the out-of-core size (default {OUT_OF_CORE_LIMIT})")
    ap.add_argument("--min-seconds", type=float, default=MIN_SECONDS,
                    help=f"with --scaling: repeat small sizes until about this many seconds (default {MIN_SECONDS:g})")
    ap.add_argument("--drop-sets", action="store_true", help="with --scaling: delete the cache folder afterwards")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="One size of the scaling table (run by run.py --scaling): JSON.")
    ap.add_argument("--db", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--memory-limit", type=memory_size)
    ap.add_argument("--progress", action="store_true")
    ap.add_argument("--min-seconds", type=float, default=MIN_SECONDS)
    args = ap.parse_args(argv)
    print(json.dumps(measure(Path(args.db), args.repeat, args.memory_limit, args.progress, args.min_seconds)),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
