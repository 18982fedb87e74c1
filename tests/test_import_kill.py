"""Kill -9 in the middle of a large import: afterwards the database holds the old totals or the new ones, never
something in between. The child process prints a line at each stage (checked, each progress callback inside the
transaction, committed); the test waits on those lines, not on time, then sends SIGKILL.

Prints and records: "kill: ..." (test-artifacts/reliability.txt).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from indicators.records import importer

from indicators.records import store as records
ROOT = Path(__file__).resolve().parent.parent
ARTIFACT = ROOT / "test-artifacts" / "reliability.txt"
N_ACT, N_RES, PER_ACT = 1000, 5000, 300          # 300,000 attendance rows
TOTAL = N_ACT * PER_ACT

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

CHILD = r"""
import sys
from indicators.records import importer
from indicators.records import store as records
db, path = sys.argv[1], sys.argv[2]
con = records.connect(db)
plan = importer.check(con, "attendance", path)
if not plan.ok:
    print("refused", plan.problems[:3], flush=True)
    sys.exit(3)
print("checked", plan.inserting, flush=True)
def progress(done, total):
    print("progress", done, total, flush=True)
importer.apply(con, plan, progress)
print("committed", flush=True)
con.close()
print("closed", flush=True)
"""


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A database with stations, activities and residents, and an attendance file of 300,000 new rows."""
    folder = tmp_path_factory.mktemp("kill")
    db = folder / "base.duckdb"
    con = records.connect(db)
    records.create_schema(con)
    stations = "station_id,name,population\n" + "".join(f"S{i},站{i},1000\n" for i in range(10))
    acts = "activity_id,station_id,held_on,kind\n" + "".join(f"A{i},S{i % 10},2024-03-01,group\n" for i in range(N_ACT))
    res = "resident_id,station_id\n" + "".join(f"P{j},S{j % 10}\n" for j in range(N_RES))
    plan = importer.check_many(con, [("stations", stations.encode(), "s.csv"), ("activities", acts.encode(), "a.csv"),
                                     ("residents", res.encode(), "r.csv")])
    assert plan.ok, plan.problems
    importer.apply(con, plan)
    con.execute("CHECKPOINT")
    con.close()
    csv_path = folder / "attendance.csv"
    with csv_path.open("w", encoding="utf-8") as fh:
        fh.write("activity_id,resident_id\n")
        for i in range(N_ACT):
            fh.writelines(f"A{i},P{(i * 7 + k) % N_RES}\n" for k in range(PER_ACT))
    script = folder / "child.py"
    script.write_text(CHILD)
    return db, csv_path, script


def counts(db: Path) -> dict[str, int]:
    con = records.connect(db)
    try:
        return records.table_counts(con)
    finally:
        con.close()


def run_and_kill(base, work: Path, stop_at: str, nth: int = 1) -> tuple[str, dict[str, int]]:
    """Run the child on a fresh copy, kill it at the nth line starting with `stop_at` (never if stop_at is None)."""
    db0, csv_path, script = base
    db = work / f"kill-{stop_at}-{nth}.duckdb"
    shutil.copy(db0, db)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(script), str(db), str(csv_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    guard = threading.Timer(240, proc.kill)   # a hung child must not hang the suite
    guard.start()
    seen, last = 0, ""
    try:
        for line in proc.stdout:
            last = line.strip()
            if stop_at and last.startswith(stop_at):
                seen += 1
                if seen == nth:
                    os.kill(proc.pid, signal.SIGKILL)
                    break
    finally:
        guard.cancel()
        proc.wait(timeout=60)
        proc.stdout.close()
        err = proc.stderr.read()
        proc.stderr.close()
    if stop_at and seen < nth:
        raise AssertionError(f"the child never printed {stop_at!r} #{nth}; last line {last!r}; stderr: {err[-2000:]}")
    return last, counts(db)


def test_sigkill_leaves_old_or_new_totals(base, tmp_path, capsys):
    old = counts(base[0])
    new = {**old, "attendance": old["attendance"] + TOTAL}
    chunks = -(-TOTAL // importer.CHUNK_ROWS)
    points = [("checked", 1), ("progress", 1), ("progress", chunks // 2), ("progress", chunks), ("committed", 1)]
    outcomes = []
    t0 = time.perf_counter()
    for stop_at, nth in points:
        last, got = run_and_kill(base, tmp_path, stop_at, nth)
        assert got in (old, new), f"killed at {last!r}: counts {got} are neither the old {old} nor the new {new}"
        if stop_at == "committed":
            assert got == new, "a committed import must survive the kill"
        if stop_at in ("checked", "progress") and nth < chunks:
            assert got == old, f"killed at {last!r} before commit, yet rows were kept"
        outcomes.append((last, "new" if got == new else "old"))
    # the database a kill left behind is usable: the same import completes, and again adds nothing
    db = tmp_path / f"kill-progress-{chunks // 2}.duckdb"
    con = records.connect(db)
    try:
        report = importer.import_file(con, "attendance", base[1])
        assert report.ok and report.inserted == TOTAL
        again = importer.check(con, "attendance", base[1])
        assert again.ok and again.inserting == 0 and again.skipped == TOTAL
    finally:
        con.close()
    seconds = time.perf_counter() - t0
    line = (f"kill: {len(points)} imports of {TOTAL:,} attendance rows killed with SIGKILL at "
            + ", ".join(f"'{last}' -> {state}" for last, state in outcomes)
            + f"; every time the old or the new totals, never between; recovery import OK; {seconds:.1f} s")
    ARTIFACT.parent.mkdir(exist_ok=True)
    kept = [x for x in (ARTIFACT.read_text(encoding="utf-8").splitlines() if ARTIFACT.exists() else [])
            if not x.startswith("kill:")]
    ARTIFACT.write_text("\n".join([*kept, line]) + "\n", encoding="utf-8")
    with capsys.disabled():
        print("\n" + line)
