"""Where the time goes: every query that the engine and the floor run for the two built-in schemes, with its wall
and CPU seconds (best of --repeat), and DuckDB's operator timings (EXPLAIN ANALYZE) for the slowest ones.

    python benchmarks/profile.py --db /tmp/province.duckdb [--repeat 3] [--operators 2] [--python 300]

--python N also times the engine's Python alone: N runs with every query answered from memory (_Replay).
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from benchmarks import common, floor  # noqa: E402
from indicators.records import store as records  # noqa: E402


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class _Recorder:
    """A connection stand-in that records each query's SQL, parameters, wall and CPU seconds."""

    def __init__(self, con):
        self.con, self.log = con, []

    def execute(self, sql, params=None):
        """As the connection's own execute: the floor asks the connection, the engine a cursor."""
        return self.cursor().execute(sql, params)

    def cursor(self):
        rec = self

        class Cur:
            def __init__(self):
                self.cur = rec.con.cursor()

            def execute(self, sql, params=None):
                self.t0, self.c0, self.sql, self.params = time.perf_counter(), _cpu(), sql, params
                self.cur.execute(sql, params) if params is not None else self.cur.execute(sql)
                return self

            def _done(self, out):
                rec.log.append((time.perf_counter() - self.t0, _cpu() - self.c0, self.sql, self.params))
                return out

            def df(self):
                return self._done(self.cur.df())

            def fetchall(self):
                return self._done(self.cur.fetchall())

            def fetchone(self):
                return self._done(self.cur.fetchone())

            def fetchnumpy(self):
                return self._done(self.cur.fetchnumpy())

            def close(self):
                self.cur.close()
        return Cur()


class _Replay:
    """A connection stand-in that answers each query with the result the real connection gave it the first time:
    scoring through it costs the engine's Python and nothing of DuckDB's."""

    def __init__(self, con):
        self.con, self.seen, self.query = con, {}, None

    def cursor(self):
        return self

    def close(self):
        pass

    def execute(self, sql, params=None):
        self.query = (sql, params)
        return self

    def _answer(self, how: str):
        sql, params = self.query
        key = (sql, repr(params), how)
        if key not in self.seen:
            cur = self.con.cursor()
            self.seen[key] = getattr(cur.execute(sql, params) if params is not None else cur.execute(sql), how)()
        return self.seen[key]

    def fetchnumpy(self):
        return {k: v.copy() for k, v in self._answer("fetchnumpy").items()}

    def fetchone(self):
        return self._answer("fetchone")

    def fetchall(self):
        return list(self._answer("fetchall"))

    def df(self):
        return self._answer("df").copy()


def python_only(con, fn, runs: int) -> list[float]:
    """Wall seconds of `fn` on a _Replay of `con`, `runs` times after five untimed runs."""
    replay = _Replay(con)
    for _ in range(5):
        fn(replay)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn(replay)
        out.append(time.perf_counter() - t0)
    return out


def _best(con, fn, repeat: int):
    best = None
    for _ in range(repeat):
        rec = _Recorder(con)
        c0, t0 = _cpu(), time.perf_counter()
        fn(rec)
        run = (time.perf_counter() - t0, _cpu() - c0, rec.log)
        if best is None or run[1] < best[1]:
            best = run
    return best


def _operators(con, sql, params, top: int = 6) -> list[str]:
    """The `top` most expensive operators of one query (CPU seconds summed over DuckDB's threads)."""
    cur = con.cursor()
    rows = cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params).fetchall()
    cur.close()
    found = []

    def walk(node):
        if node.get("type") not in ("RESULT_COLLECTOR", "EXPLAIN_ANALYZE"):
            extra = node.get("extra_info", {})
            what = extra.get("Join Type", "") or extra.get("Table", "") or ""
            found.append((node.get("timing", 0.0), f"{node.get('name', '?')} {what}".strip(),
                          node.get("intermediate_rows", 0)))
        for child in node.get("children", []):
            walk(child)
    for node in json.loads(rows[0][1]).get("operator", []):
        walk(node)
    return [f"    {t:7.3f}s  {n}  ({c:,} rows out)" for t, n, c in sorted(found, reverse=True)[:top]]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--operators", type=int, default=2, help="EXPLAIN ANALYZE the N slowest queries of each")
    ap.add_argument("--python", type=int, default=0, metavar="N",
                    help="also time the engine's Python alone, N runs with every query's result replayed")
    args = ap.parse_args(argv)
    con = records.connect(args.db, read_only=True)
    schemes = common.builtin_schemes()
    runs = {"engine": lambda c: common.engine_results(c, schemes), "floor": lambda c: floor.raw_floor(c)}
    for name, fn in runs.items():
        fn(con)   # warm
        wall, cpu, log = _best(con, fn, args.repeat)
        q_wall, q_cpu = sum(x[0] for x in log), sum(x[1] for x in log)
        print(f"{name}: wall {wall:.3f}s cpu {cpu:.3f}s; queries wall {q_wall:.3f}s cpu {q_cpu:.3f}s; "
              f"python {wall - q_wall:.3f}s")
        for w, c, sql, _ in log:
            print(f"  wall {w:.3f}s cpu {c:.3f}s  {' '.join(sql.split())[:110]}")
        for w, c, sql, params in sorted(log, key=lambda x: -x[1])[:args.operators]:
            print(f"  operators of: {' '.join(sql.split())[:90]}")
            for line in _operators(con, sql, params):
                print(line)
    for name, fn in runs.items() if args.python else ():
        ts = python_only(con, fn, args.python)
        print(f"{name} Python alone (queries replayed): median {statistics.median(ts) * 1000:.2f} ms, "
              f"best {min(ts) * 1000:.2f} ms of {len(ts)}")
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
