"""export-records: every record table to Parquet, whole or split by station or month, read back row for row; a folder
that is in use is refused and left alone. Needs no Spark (DuckDB reads the files back)."""
from __future__ import annotations

import duckdb
import pytest

from indicators.cli.main import main
from indicators.records.store import TABLES


def _read_back(out, table: str) -> list[tuple]:
    """The table's rows as the files hold them, schema columns only, sorted."""
    cols = ", ".join(f'"{c}"' for c in TABLES[table])
    whole = out / f"{table}.parquet"
    path = str(whole) if whole.exists() else str(out / table / "**" / "*.parquet")
    return sorted(duckdb.sql(f"SELECT {cols} FROM read_parquet(?, hive_partitioning = false)",
                             params=[path]).fetchall(), key=repr)


@pytest.mark.parametrize("partition", [None, "station", "month"])
def test_export_records_round_trip(capsys, demo_db, tmp_path, partition):
    out = tmp_path / "records"
    argv = ["export-records", "--db", str(demo_db), "--format", "parquet", "--out", str(out)]
    assert main(argv + (["--partition", partition] if partition else [])) == 0
    printed = capsys.readouterr().out
    assert "attendance 207,214" in printed   # 2024 and the history year 2023
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        for table, columns in TABLES.items():
            cols = ", ".join(f'"{c}"' for c in columns)
            expected = sorted(con.execute(f'SELECT {cols} FROM "{table}"').fetchall(), key=repr)
            assert _read_back(out, table) == expected, table
    finally:
        con.close()
    if partition == "station":
        assert (out / "attendance" / "station_id=S01").is_dir() and (out / "stations.parquet").is_file()
    if partition == "month":
        assert (out / "activities" / "month=2024-03").is_dir() and (out / "residents.parquet").is_file()
        assert (out / "attendance" / "month=2024-12").is_dir()


def test_export_records_refuses_a_folder_in_use(capsys, demo_db, tmp_path):
    out = tmp_path / "records"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    code = main(["export-records", "--db", str(demo_db), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "not an empty folder" in err and str(out) in err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    code = main(["export-records", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "new")])
    assert code == 2 and "no database there" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_score_needs_a_source(capsys):
    assert main(["score", "--scheme", "needs-met"]) == 2
    assert "--db" in capsys.readouterr().err
    assert main(["score", "--engine", "spark", "--scheme", "needs-met"]) == 2
    assert "--records" in capsys.readouterr().err
    assert main(["score", "--db", "x.duckdb", "--records", "records/", "--scheme", "needs-met"]) == 2
    assert "--records goes with --engine spark" in capsys.readouterr().err
