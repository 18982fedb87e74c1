"""A write by another process reaches the app's cached reads: the data stamp (indicators/records/store.py).

Issue 19: a CLI import that landed about a second after an app write (when the app's Store let go of the file)
succeeded, and the app went on showing what it had cached before. Here this test's process is the app (its frame's
Store and cached queries) and the command line runs as a real second process.
"""
from __future__ import annotations

import random
import statistics
import time

import pytest
import streamlit as st

from app_pages import frame
from indicators.records import queries
from indicators.records import store as records
from tests.test_two_processes import cli

NEW_STATION = "station_id,name,district,street,population\nS99,新站,城关区,街道,1000\n"


@pytest.fixture
def app(demo_copy, monkeypatch):
    """The path of a demo copy that this process holds as the app does; its caches and Store dropped after."""
    calls = []
    real = queries.table_counts
    monkeypatch.setattr(queries, "table_counts", lambda con: calls.append(1) or real(con))
    yield str(demo_copy), calls
    st.cache_data.clear()
    st.cache_resource.clear()     # closes the Store (on_release)


def test_a_cli_import_just_after_an_app_write_reaches_the_apps_cached_reads(app, tmp_path):
    path, queried = app
    assert frame.counts(path)["stations"] == 24
    before = frame.score(path, frame._builtin("needs-met"), frame.Period(None, None))
    assert "S99" not in before.stations.index
    # an app write: the Store then holds the file read-write for a moment (LINGER) and lets go
    with records.writing(frame._connection(path)) as cur:
        cur.execute("INSERT INTO meta VALUES ('written_by_app', 'yes')")
    assert frame.counts(path)["stations"] == 24 and len(queried) == 2   # its own write renewed the stamp
    ledger = tmp_path / "stations.csv"
    ledger.write_text(NEW_STATION, encoding="utf-8")
    r = cli("import", "--db", path, str(ledger))   # waits while the app holds the file, then lands
    assert r.returncode == 0, r.stderr
    assert frame.counts(path)["stations"] == 25     # without the stamp: 24, from the cache
    after = frame.score(path, frame._builtin("needs-met"), frame.Period(None, None))
    assert "S99" in after.stations.index
    assert frame.counts(path)["stations"] == 25 and len(queried) == 3   # and cached again from then on


@pytest.mark.parametrize("page", ["records", "scores"])
def test_the_stamp_check_costs_next_to_nothing_per_run(db, monkeypatch, capsys, page):
    """What a page run pays for the stamp: one check per cached call (a cache lookup of the Store and an attribute
    read while it holds the file), measured on a signed-in page's later runs, everything else cached."""
    from tests.test_app import assert_clean, open_app
    spent = []
    real = frame.stamp

    def timed(path):
        t0 = time.perf_counter()
        try:
            return real(path)
        finally:
            spent.append(time.perf_counter() - t0)
    monkeypatch.setattr(frame, "stamp", timed)
    at = open_app("en", page)
    assert_clean(at)
    runs = []
    for _ in range(5):
        spent.clear()
        t0 = time.perf_counter()
        at.run()
        runs.append((time.perf_counter() - t0, len(spent), sum(spent)))
    assert_clean(at)
    wall, checks, cost = sorted(runs)[len(runs) // 2]          # the median run
    with capsys.disabled():
        print(f"\n{page}: a run {wall * 1e3:.0f} ms, {checks} stamp checks costing {cost * 1e3:.2f} ms together")
    assert checks > 0 and cost < 0.1 * wall


def test_the_stamp_costs_a_write_about_half_a_millisecond(demo_copy, monkeypatch, capsys):
    """The same small write through the app's Store with and without renewing the stamp, interleaved at random (so
    a change in the machine's load falls on both alike); medians of 600 writes each."""
    store = records.Store(demo_copy)
    real = records._new_stamp
    took = {True: [], False: []}
    rng = random.Random(19)
    try:
        for i in range(1200):
            stamped = rng.random() < 0.5
            monkeypatch.setattr(records, "_new_stamp", real if stamped else lambda cur, made=False: store._stamp)
            t0 = time.perf_counter()
            with records.writing(store) as cur:
                cur.execute("INSERT INTO meta VALUES (?, 'x')", [f"cost-{i}"])
            took[stamped].append(time.perf_counter() - t0)
    finally:
        store.close()
    with_, without = statistics.median(took[True]), statistics.median(took[False])
    with capsys.disabled():
        print(f"\na write through the Store: {without * 1e3:.2f} ms without the stamp, {with_ * 1e3:.2f} ms with it "
              f"(medians of {len(took[False])} and {len(took[True])})")
    assert with_ - without < 0.003
