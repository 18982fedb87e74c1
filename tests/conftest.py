"""Shared test helpers: a tiny database built row by row in each test, and the demo database built once per session."""
from __future__ import annotations

from pathlib import Path

import pytest

from indicators.records import store as records
ROOT = Path(__file__).resolve().parent.parent
TEST_LEAD = {"name": "测试组长 test-lead", "role": "lead"}


def pytest_configure(config):
    config.addinivalue_line("markers", "signed_out: this AppTest opens the app without a signed-in user")
    config.addinivalue_line("markers", "signed_in_as(role): this AppTest's signed-in user has this role")


@pytest.fixture(autouse=True)
def _signed_in_app(request, monkeypatch):
    """Every AppTest starts signed in as a lead (the app refuses its pages to a session without a user): the user is
    put into the session state, as the sign-in page does, unless the test is marked `signed_out`; a test marked
    `signed_in_as("evaluator")` gets that role. Browser tests sign in through a link instead (tests/e2e/conftest.py)."""
    if request.node.get_closest_marker("signed_out"):
        return
    from streamlit.testing.v1 import AppTest
    marker = request.node.get_closest_marker("signed_in_as")
    user = dict(TEST_LEAD, role=marker.args[0]) if marker else TEST_LEAD
    made = {}

    def signed_in(factory):
        def make(*args, **kwargs):
            at = factory(*args, **kwargs)
            at.session_state["_user"] = dict(user)
            made[id(at)] = at
            return at
        return make

    for name in ("from_file", "from_string", "from_function"):
        monkeypatch.setattr(AppTest, name, signed_in(getattr(AppTest, name)))


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
