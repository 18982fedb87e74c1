"""The DuckDB record store: table schema, connections, demo build and CSV loading."""
from __future__ import annotations

import csv
import re
import secrets
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

from indicators.errors import InputError

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
DEMO_DIR = SAMPLE_DIR / "demo"
if not DEMO_DIR.is_dir():   # installed by pip: the demo's records are package data (pyproject.toml)
    DEMO_DIR = Path(__file__).resolve().parent / "demo"

# The import contract (docs/design.md, "Records"). Key column first. Types are DuckDB types.
TABLES: dict[str, dict[str, str]] = {
    "stations": {
        "station_id": "VARCHAR", "name": "VARCHAR", "name_en": "VARCHAR", "district": "VARCHAR",
        "street": "VARCHAR", "population": "INTEGER", "profile": "VARCHAR",
    },
    "residents": {
        "resident_id": "VARCHAR", "station_id": "VARCHAR", "age_band": "VARCHAR",
        "priority_group": "VARCHAR",
    },
    "needs": {
        "need_id": "VARCHAR", "station_id": "VARCHAR", "category": "VARCHAR", "title": "VARCHAR",
        "source": "VARCHAR", "raised_on": "DATE", "urgency": "INTEGER",
        "households_affected": "INTEGER", "status": "VARCHAR", "resolved_on": "DATE",
    },
    "activities": {
        "activity_id": "VARCHAR", "station_id": "VARCHAR", "held_on": "DATE", "kind": "VARCHAR",
        "title": "VARCHAR", "need_id": "VARCHAR", "photos": "INTEGER", "media_items": "INTEGER",
        "headcount": "INTEGER", "cost": "DOUBLE", "staff_hours": "DOUBLE",
    },
    "attendance": {"activity_id": "VARCHAR", "resident_id": "VARCHAR"},
    "inspections": {
        "inspection_id": "VARCHAR", "station_id": "VARCHAR", "inspected_on": "DATE",
        "level": "VARCHAR", "prep_hours": "DOUBLE",
    },
    "feedback": {
        "feedback_id": "VARCHAR", "station_id": "VARCHAR", "resident_id": "VARCHAR",
        "given_on": "DATE", "channel": "VARCHAR", "activity_id": "VARCHAR", "need_id": "VARCHAR",
        "rating": "INTEGER", "need_met": "VARCHAR", "comment": "VARCHAR",
    },
    "expenditures": {
        "expense_id": "VARCHAR", "station_id": "VARCHAR", "spent_on": "DATE", "category": "VARCHAR",
        "amount": "DOUBLE", "need_id": "VARCHAR",
    },
    "ratings": {
        "rating_id": "VARCHAR", "station_id": "VARCHAR", "indicator_id": "VARCHAR", "level": "VARCHAR",
        "rater": "VARCHAR", "rated_on": "DATE", "evidence": "VARCHAR",
        # an agreed level of a rating round (indicators/live/raters.py): how many raters, their alpha, how many
        # saw the evidence on site rather than only in the paper ledger; empty for a single rater's rating
        "rater_count": "INTEGER", "alpha": "DOUBLE", "on_site": "INTEGER",
    },
    # Values that come from elsewhere (a survey firm, a bureau's statistics, a site-visit sheet), one per station,
    # indicator, period and rater; read by the `value` measure. Keyed by (station_id, indicator_id, period_start,
    # period_end, rater); rater '' is a single source. `rater` is last: databases made before it get it appended
    # by create_schema (ALTER TABLE), so old and new files hold the columns in the same order.
    "indicator_values": {
        "station_id": "VARCHAR", "indicator_id": "VARCHAR", "period_start": "DATE", "period_end": "DATE",
        "value": "DOUBLE", "source": "VARCHAR", "note": "VARCHAR", "rater": "VARCHAR",
    },
}

# Closed vocabularies: filters that compare these columns to a value outside the list are refused.
VOCABULARIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("residents", "age_band"): ("0-17", "18-39", "40-59", "60-79", "80+"),
    ("residents", "priority_group"): ("elderly_alone", "disabled", "low_income", "left_behind_child", "none"),
    ("needs", "category"): ("elderly_care", "disability_support", "child_care", "employment", "housing_repair",
                            "neighbour_dispute", "health", "accessibility"),
    ("needs", "source"): ("survey", "council", "petition", "referral", "visit"),
    ("needs", "status"): ("open", "in_progress", "resolved", "closed_unresolved"),
    ("activities", "kind"): ("case", "group", "community", "publicity"),
    ("inspections", "level"): ("district", "city", "province"),
    ("feedback", "channel"): ("council", "evaluation_meeting", "survey", "hotline"),
    ("feedback", "need_met"): ("yes", "no"),
    ("expenditures", "category"): (
        "elderly_friendly_renovation", "image_project", "staff", "activities", "training", "admin",
    ),
}

# The date that the assessment period filters, per dated table.
PERIOD_COLUMN = {
    "needs": "raised_on", "activities": "held_on", "inspections": "inspected_on",
    "feedback": "given_on", "expenditures": "spent_on", "ratings": "rated_on",
}

# Tables loaded in this order so that references exist before they are used.
LOAD_ORDER = ("stations", "residents", "needs", "activities", "attendance", "inspections",
              "feedback", "expenditures", "ratings", "indicator_values")

_write_lock = threading.Lock()


class RecordsError(InputError):
    """Bad records input: the message names the file, table or column."""


# Columns added after databases were already in use: (table, column) -> the DEFAULT that old rows take.
ADDED_COLUMNS: dict[tuple[str, str], str] = {("indicator_values", "rater"): "''"}


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every record table (if missing) and the metadata table; add the columns a table made before them
    lacks (ADDED_COLUMNS), so a database of an older version keeps working once it is written to."""
    for table, cols in TABLES.items():
        body = ", ".join(f'"{c}" {t}' + (f" DEFAULT {ADDED_COLUMNS[(table, c)]}" if (table, c) in ADDED_COLUMNS
                                         else "") for c, t in cols.items())
        con.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({body})')
    for (table, col), default in ADDED_COLUMNS.items():
        con.execute(f'ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS "{col}" {TABLES[table][col]} DEFAULT {default}')
    con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")


def has_column(con, table: str, column: str) -> bool:
    """Whether the database's `table` has `column` (a read-only database of an older version may lack an added
    one: readers then take its default)."""
    rows = con.cursor().execute("SELECT 1 FROM information_schema.columns WHERE table_schema = 'main' AND "
                                "table_name = ? AND column_name = ?", [table, column]).fetchall()
    return bool(rows)


# How long to wait for another process that holds the file (an app writing, a command exporting) to let go.
LOCK_WAIT_SECONDS = 3.0

# The data stamp: a one-row table that every write (`writing`) sets to a new random token in its own transaction, so
# a process that cached what it read can tell whether anyone, itself or another process, wrote since. A token rather
# than a counter: a database deleted and built again (the demo) starts no count over that an old cache could match.
# A table of its own, not a meta row: a write that adds nothing (a re-import) leaves records and meta as they were.
STAMP_TABLE = "data_stamp"


class DatabaseBusy(InputError):
    """Another process holds the database file, so it cannot be opened the way asked (DuckDB: one writer
    process, or any number of read-only ones). The message says who holds it and what to do."""


def _holder(exc: duckdb.Error) -> tuple[str, str] | None:
    """(program, PID) of the process DuckDB names in a lock conflict, or None when it is another error."""
    text = str(exc)
    if "Conflicting lock" not in text:
        return None
    m = re.search(r"Conflicting lock is held in (.*?) \(PID (\d+)\)", text)
    return (Path(m.group(1)).name, m.group(2)) if m else ("?", "?")


def connect(path: str | Path, read_only: bool = False,
            wait: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """Open the file; while another process holds it, try again for up to `wait` seconds (its writes are
    short), then raise DatabaseBusy naming that process."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.ConnectionException:
            # This process holds the file in the other mode (a Store just after a write): it lets go in moments.
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)
        except duckdb.IOException as exc:
            holder = _holder(exc)
            if holder is None:
                raise
            if time.monotonic() >= deadline:
                program, pid = holder
                raise DatabaseBusy(code="db.busy_write" if not read_only else "db.busy_read",
                                   params={"path": str(path), "program": program, "pid": pid}) from None
            time.sleep(0.05)


class Store:
    """One process's handle on a records file that other processes may read at the same time.

    Reads use read-only connections, so a command-line export or score can read the file while the app is
    open. A write takes the file read-write (`writing(store)`): it stops new reads, closes the read-only
    anchor, waits for reads already running in this process to finish (each read has its own connection, so
    none is cut off), and writes in one transaction. The file stays read-write for LINGER seconds after the
    last write, so a burst of writes (a page saving several things) opens it once, then goes back to
    read-only. DuckDB allows one process to write, or any number to read, never both: while another process
    holds the file, a write waits `wait` seconds and then raises DatabaseBusy naming that process.

    It stands in for a connection: `cursor()` gives a connection for one read (closed when dropped).

    `stamp()` says which data the file holds (the data stamp, STAMP_TABLE) at the cost of an attribute read: it is
    read from the file whenever the anchor opens and renewed by this Store's own writes. While the anchor is open
    (read-only or read-write) no other process can write (DuckDB's lock), so another process's write can land only
    while it is closed (between the LINGER after a write and the next read), and the next open reads it.
    """

    LINGER = 1.0

    def __init__(self, path: str | Path, wait: float | None = None):
        self.path = str(path)
        self.wait = LOCK_WAIT_SECONDS if wait is None else wait
        self._gate = threading.Lock()      # held by a write for its whole length; a read takes it to open
        self._anchor: duckdb.DuckDBPyConnection | None = None
        self._writable = False
        self._timer: threading.Timer | None = None
        self._stamp = ""

    def stamp(self) -> str:
        """The data stamp of the file now (opening it read-only if this Store does not hold it): it changes with
        every write, by this process or another. Raises DatabaseBusy while another process writes."""
        with self._gate:
            if self._anchor is None:
                self._anchor = self._open(read_only=True)
            return self._stamp

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._gate:
            if self._anchor is None:
                self._anchor = self._open(read_only=True)
            # A connection of its own (DuckDB shares the open database with the anchor, so this is cheap):
            # closing the anchor never cuts off a read that is running.
            return duckdb.connect(self.path, read_only=not self._writable)

    def close(self) -> None:
        with self._gate:
            self._close_anchor()

    def _close_anchor(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._anchor is not None:
            self._anchor.close()
            self._anchor = None
        self._writable = False

    def _open(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        """Open the anchor; reads of this process still holding the other mode finish in moments."""
        deadline = time.monotonic() + max(self.wait, 30.0)
        while True:
            try:
                con = connect(self.path, read_only=read_only, wait=self.wait)
            except duckdb.ConnectionException:   # "a different configuration than existing connections"
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)
                continue
            except DatabaseBusy as exc:   # the app's: words for a person at a browser, not at a command line
                raise DatabaseBusy(code="db.app_busy_write" if exc.code == "db.busy_write" else "db.app_busy_read",
                                   params={**exc.params, "name": Path(self.path).name}) from None
            self._writable = not read_only
            self._stamp = read_stamp(con)    # another process may have written while this Store let go
            return con

    def _back_to_reading(self, timer: threading.Timer) -> None:
        with self._gate:
            if self._timer is timer:
                self._close_anchor()        # the next read opens the file read-only again

    @contextmanager
    def _writer(self):
        with self._gate:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if not self._writable:
                self._close_anchor()
                self._anchor = self._open(read_only=False)
            try:
                yield self._anchor
            finally:
                self._timer = threading.Timer(self.LINGER, lambda: self._back_to_reading(timer))
                timer = self._timer
                timer.daemon = True
                timer.start()


@contextmanager
def writing(con: duckdb.DuckDBPyConnection | Store):
    """The one write path: a lock and a transaction, which also renews the data stamp; on any error nothing is kept.
    On a Store, the file is held read-write only for the length of the transaction."""
    if isinstance(con, Store):
        with con._writer() as rw:
            with _transaction(rw) as cur:
                yield cur
                stamp = _new_stamp(cur, made=bool(con._stamp))
            con._stamp = stamp           # committed: this Store's own write needs no read to be seen
        return
    with _write_lock, _transaction(con) as cur:
        yield cur
        _new_stamp(cur)


def _new_stamp(cur, made: bool = False) -> str:
    """Set the data stamp to a new token in the write's transaction (so it commits or rolls back with the data).
    `made`: the file is known to hold the stamp's row (a Store that read one), so one UPDATE does: the app's
    frequent small writes (votes) pay one statement, not three."""
    token = secrets.token_hex(8)
    if not made:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {STAMP_TABLE} (token VARCHAR)")
        cur.execute(f"DELETE FROM {STAMP_TABLE}")
        cur.execute(f"INSERT INTO {STAMP_TABLE} VALUES (?)", [token])
    else:
        cur.execute(f"UPDATE {STAMP_TABLE} SET token = ?", [token])
    return token


def read_stamp(con) -> str:
    """The file's data stamp ('' for a file no write of this version has touched)."""
    try:
        rows = con.cursor().execute(f"SELECT token FROM {STAMP_TABLE}").fetchall()
    except duckdb.CatalogException:
        return ""
    return rows[0][0] if rows else ""


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection):
    cur = con.cursor()
    cur.execute("BEGIN TRANSACTION")
    try:
        yield cur
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    else:
        cur.execute("COMMIT")


def get_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    try:
        row = con.cursor().execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
    except duckdb.CatalogException:
        return None
    return row[0][0] if row else None


def load_csv_dir(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """Load <table>.csv files from a folder into empty tables, in one transaction."""
    counts = {}
    with writing(con) as cur:
        create_schema(cur)
        for table in LOAD_ORDER:
            path = folder / f"{table}.csv"
            if not path.exists():
                continue
            with path.open(encoding="utf-8-sig", newline="") as fh:
                header = next(csv.reader(fh), [])
            unknown = [c for c in header if c not in TABLES[table]]
            if unknown:
                raise RecordsError(f"{path}: unknown column(s) {', '.join(unknown)} for table {table}")
            cols = ", ".join(f'"{c}"' for c in header)
            types = {c: TABLES[table][c] for c in header}
            cur.execute(
                f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM read_csv(?, header=true, columns=?, nullstr=?)',
                [str(path), types, ""],
            )
            counts[table] = cur.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]
    return counts


def build_demo(path: str | Path, source: Path = DEMO_DIR) -> dict[str, int]:
    """Build the synthetic demo database at `path`. Refuses to overwrite a file that is not a demo."""
    path = Path(path)
    if path.exists():
        con = connect(path)
        try:
            if get_meta(con, "kind") != "demo":
                raise RecordsError(f"{path}: exists and is not a demo database; refusing to overwrite it")
        finally:
            con.close()
        path.unlink()
        Path(str(path) + ".wal").unlink(missing_ok=True)
    con = connect(path)
    try:
        counts = load_csv_dir(con, source)
        with writing(con) as cur:
            cur.execute("INSERT INTO meta VALUES ('kind', 'demo'), ('note', ?)",
                        ["synthetic records from sample_data/generate.py; not real stations"])
    except BaseException:
        con.close()
        path.unlink(missing_ok=True)
        raise
    con.close()
    return counts


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    cur = con.cursor()
    return {t: cur.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in TABLES}
