"""Shared test helpers: a tiny database built row by row in each test, and the demo database built once per session."""
from __future__ import annotations

from pathlib import Path

import pytest

from indicators.records import store as records
ROOT = Path(__file__).resolve().parent.parent


def make_db(path: Path, rows: dict[str, list[dict]]):
    """A fresh database at `path` holding exactly `rows` (table -> list of column dicts)."""
    con = records.connect(path)
    records.create_schema(con)
    for table, items in rows.items():
        for item in items:
            cols = ", ".join(f'"{c}"' for c in item)
            marks = ", ".join("?" for _ in item)
            con.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', list(item.values()))
    return con


def station(sid: str, population: int = 1000, **kw) -> dict:
    return {"station_id": sid, "name": f"站{sid}", "name_en": f"Station {sid}", "district": "城关区",
            "street": "街道", "population": population, "profile": "mixed", **kw}


@pytest.fixture
def tiny(tmp_path):
    """Factory: tiny(rows) -> open connection to a new temporary database."""
    made = []

    def build(rows):
        con = make_db(tmp_path / f"tiny{len(made)}.duckdb", rows)
        made.append(con)
        return con
    yield build
    for con in made:
        con.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo database, built once from sample_data/ (tests must not write to it)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    records.build_demo(path)
    return path


@pytest.fixture
def demo_copy(demo_db, tmp_path) -> Path:
    """A private copy of the demo database that a test may change."""
    import shutil
    dest = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, dest)
    return dest


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    """A demo database of its own for one app test, named by INDICATORS_DB; Streamlit's caches emptied after."""
    import streamlit as st

    path = tmp_path / "app.duckdb"
    records.build_demo(path)
    monkeypatch.setenv("INDICATORS_DB", str(path))
    yield path
    st.cache_data.clear()
    st.cache_resource.clear()     # closes this test's connection (on_release)
