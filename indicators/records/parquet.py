"""Write the record tables to Parquet: the hand-over format that engines past one machine (Spark) read.

Layout of the folder: `<table>.parquet` for a table written whole, or a `<table>/` folder of Hive-style partitions
(`station_id=S01/…`, `month=2024-03/…`) when split. Split by station, every table that belongs to a station is
split (attendance by the station of its activity); split by month, every dated table by the month of its date
(attendance by the month of its activity). The partition column stays in the files as well, so each file reads
alone. Table and column names come from the fixed schema only; the folder never enters SQL text.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from indicators.errors import InputError
from indicators.records.store import ADDED_COLUMNS, PERIOD_COLUMN, TABLES, has_column

PARTITIONS = ("station", "month")


class ExportError(InputError):
    """The export cannot start: the message names the folder and what is wrong with it."""


def _select(table: str, partition: str | None, absent: frozenset[str] = frozenset()) -> tuple[str, str | None]:
    """SQL of one table's rows (our own fixed text) and the column it is split by (None: written whole).
    `absent`: added columns a database of an older version lacks, written with their default."""
    cols = ", ".join(f'{ADDED_COLUMNS[(table, c)]} AS "{c}"' if c in absent else f't."{c}"' for c in TABLES[table])
    if partition == "station" and table != "stations" and "station_id" in TABLES[table]:
        return f'SELECT {cols} FROM "{table}" t', "station_id"
    if partition == "station" and table == "attendance":
        return (f"SELECT {cols}, a.station_id FROM attendance t "
                "JOIN activities a ON a.activity_id = t.activity_id"), "station_id"
    if partition == "month" and table in PERIOD_COLUMN:
        return f"SELECT {cols}, strftime(t.\"{PERIOD_COLUMN[table]}\", '%Y-%m') AS month FROM \"{table}\" t", "month"
    if partition == "month" and table == "attendance":
        return (f"SELECT {cols}, strftime(a.held_on, '%Y-%m') AS month FROM attendance t "
                "JOIN activities a ON a.activity_id = t.activity_id"), "month"
    return f'SELECT {cols} FROM "{table}" t', None


def export_parquet(con: duckdb.DuckDBPyConnection, out: str | Path, partition: str | None = None) -> dict[str, int]:
    """Every record table to Parquet under `out` (a new or empty folder); rows written per table.

    On any failure the folder is left as it was found (a folder we created is removed)."""
    if partition not in (None, *PARTITIONS):
        raise ExportError(f"--partition {partition!r}: split by one of {', '.join(PARTITIONS)}")
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out}: exists and is not an empty folder; give a new folder for the Parquet files")
    if not out.parent.is_dir():
        raise ExportError(f"{out}: the folder {out.parent} does not exist")
    created = not out.exists()
    out.mkdir(exist_ok=True)
    counts: dict[str, int] = {}
    cur = con.cursor()
    try:
        for table in TABLES:
            counts[table] = cur.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]
            # an empty table split into partitions would leave no file at all, and readers need its columns
            absent = frozenset(c for (tb, c) in ADDED_COLUMNS if tb == table and not has_column(cur, tb, c))
            sql, key = _select(table, partition if counts[table] else None, absent)
            rel = cur.sql(sql)
            if key is None:
                rel.write_parquet(str(out / f"{table}.parquet"), compression="zstd")
            else:
                rel.write_parquet(str(out / table), compression="zstd", partition_by=[key],
                                  write_partition_columns=True)
    except BaseException:
        if created:
            shutil.rmtree(out, ignore_errors=True)
        else:
            for child in out.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise
    return counts
