"""The DuckDB record store: table schema, connections, demo build and CSV loading."""
from __future__ import annotations

import csv
import threading
from contextlib import contextmanager
from pathlib import Path

import duckdb

from indicators.errors import InputError

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
DEMO_DIR = SAMPLE_DIR / "demo"

# The import contract (DESIGN.md section 2). Key column first. Types are DuckDB types.
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
}

# Closed vocabularies: filters that compare these columns to a value outside the list are refused.
VOCABULARIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("residents", "age_band"): ("0-17", "18-39", "40-59", "60-79", "80+"),
    ("residents", "priority_group"): ("elderly_alone", "disabled", "low_income", "left_behind_child", "none"),
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
              "feedback", "expenditures", "ratings")

_write_lock = threading.Lock()


class RecordsError(InputError):
    """Bad records input: the message names the file, table or column."""


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every record table (if missing) and the metadata table."""
    for table, cols in TABLES.items():
        body = ", ".join(f'"{c}" {t}' for c, t in cols.items())
        con.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({body})')
    con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=read_only)


@contextmanager
def writing(con: duckdb.DuckDBPyConnection):
    """The one write path: a lock and a transaction; on any error nothing is kept."""
    with _write_lock:
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
