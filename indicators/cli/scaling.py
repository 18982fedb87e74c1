"""Scoring large record files on one machine: `score --memory-limit 4GB [--temp-dir DIR] [--progress]`.

    python -m indicators score --db national.duckdb --scheme needs-met --memory-limit 4GB --progress

With a memory limit DuckDB spills its hash tables to a temporary folder instead of failing; --progress prints
each table's query (which indicators it serves, its seconds and the time so far) on stderr.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager

from indicators.i18n import t

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def memory_size(text: str) -> str:
    """'4GB', '500 MB', '1.5GiB' -> the normalised text DuckDB reads; anything else is refused (exit 2)."""
    m = _SIZE.match(text)
    if not m or float(m.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a size such as 4GB, 500MB or 2GiB")
    unit = m.group(2)
    unit = unit[0].upper() + "iB" if unit.lower().endswith("ib") else unit.upper()
    return f"{m.group(1)}{unit}"


def add_score_options(score_parser) -> None:
    """--memory-limit, --temp-dir and --progress on the `score` subcommand."""
    score_parser.add_argument("--memory-limit", type=memory_size, metavar="SIZE",
                              help="DuckDB's memory limit (e.g. 4GB); beyond it, queries spill to --temp-dir")
    score_parser.add_argument("--temp-dir", metavar="DIR",
                              help="with --memory-limit: where DuckDB spills (default: a new folder in the "
                                   "system's temporary folder, removed afterwards)")
    score_parser.add_argument("--progress", action="store_true",
                              help="print each table's query as it runs, with its seconds, on stderr")


@contextmanager
def limited(con, memory_limit: str | None, temp_dir: str | None = None):
    """The connection with DuckDB's memory limit and spill folder set (values as parameters, never pasted), and
    back to DuckDB's defaults on the way out; a spill folder made here is removed then."""
    if not memory_limit:
        yield con
        return
    made = None if temp_dir else tempfile.mkdtemp(prefix="indicators-spill-")
    try:
        con.execute("SET memory_limit = ?", [memory_limit])
        con.execute("SET temp_directory = ?", [temp_dir or made])
        # Rows may come back in any order: every query is grouped by station and read by station id.
        con.execute("SET preserve_insertion_order = false")
        yield con
    finally:
        for setting in ("memory_limit", "temp_directory", "preserve_insertion_order"):
            con.execute(f"RESET {setting}")
        if made:
            shutil.rmtree(made, ignore_errors=True)


def reporter(lang: str, out=None):
    """A `progress(table, indicators, seconds)` for scoring that prints one line per event on stderr."""
    out = out or sys.stderr
    t0 = time.perf_counter()

    def progress(table: str, indicators, seconds: float | None) -> None:
        total = time.perf_counter() - t0
        if seconds is None:
            line = t("scale.running", lang, table=table, n=len(indicators), indicators=", ".join(indicators),
                     total=total)
        else:
            line = t("scale.done", lang, table=table, seconds=seconds, total=total)
        print(line, file=out, flush=True)
    return progress
