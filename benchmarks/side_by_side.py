"""Before and after in one run: both built-in schemes scored by two checkouts of the code, alternately, with the
floor and the one grouped pass beside them; CPU seconds (DuckDB's threads included) and wall seconds.

    git archive <old commit> | (mkdir -p /tmp/before && tar -x -C /tmp/before)
    python benchmarks/side_by_side.py --db SET.duckdb --before /tmp/before [--rounds 2] [--repeat 3]

Each measurement is a child process (`--child`) importing the package of one checkout, one untimed run, then
--repeat timed runs; the checkouts take turns --rounds times, so a change in the machine's load touches them alike.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child(root: str, db: str, what: str, repeat: int) -> dict:
    sys.path.insert(0, root)
    import duckdb
    from benchmarks import common, floor
    from indicators.scoring import engine

    con = duckdb.connect(db, read_only=True)
    schemes = common.builtin_schemes()
    run = {"engine": lambda: engine.score_many(con, list(schemes.values())),
           "floor": lambda: floor.raw_floor(con), "one_pass": lambda: floor.one_pass(con)}[what]

    def cpu():
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime
    run()
    wall, cpus = [], []
    for _ in range(repeat):
        c0, t0 = cpu(), time.perf_counter()
        run()
        wall.append(time.perf_counter() - t0)
        cpus.append(cpu() - c0)
    return {"wall": wall, "cpu": cpus}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--before", required=True, help="a checkout (e.g. git archive) of the code before the change")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", nargs=2, metavar=("ROOT", "WHAT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], args.db, args.child[1], args.repeat)))
        return 0
    after = str(HERE.parent)
    cases = [("before", args.before, "engine"), ("before", args.before, "floor"), ("after", after, "engine"),
             ("after", after, "floor"), ("after", after, "one_pass")]
    got = {c: ([], []) for c in cases}
    loads = [os.getloadavg()[0]]
    for _ in range(args.rounds):
        for case in cases:
            out = subprocess.run([sys.executable, __file__, "--db", args.db, "--before", args.before, "--repeat",
                                  str(args.repeat), "--child", case[1], case[2]],
                                 capture_output=True, text=True, check=True).stdout
            d = json.loads(out.strip().splitlines()[-1])
            got[case][0].extend(d["wall"])
            got[case][1].extend(d["cpu"])
        loads.append(os.getloadavg()[0])
    one = statistics.median(got[cases[-1]][1])
    for (side, _, what), (wall, cpu) in got.items():
        print(f"{side:6s} {what:8s} cpu median {statistics.median(cpu):.3f} s  wall median {statistics.median(wall):.3f} s"
              f"  cpu / one pass {statistics.median(cpu) / one:.2f}")
    print("load average (1 min) at each round:", " ".join(f"{x:.1f}" for x in loads))
    return 0


if __name__ == "__main__":
    sys.exit(main())
