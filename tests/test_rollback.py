"""The write path keeps nothing of a failed import: a multi-file import that fails after its first file's rows were
inserted leaves the database exactly as it was. (Before this test, turning ROLLBACK into COMMIT in
records.writing passed the whole suite.)"""
import pytest

from indicators.records import importer
from indicators.records import store as records
from tests.test_import import NEEDS, NEEDS_HEAD, STATIONS, db, state  # noqa: F401  (db: an empty database)


@pytest.fixture
def con(db):
    return db


def _plan(con):
    plan = importer.check_many(con, [("stations", STATIONS.encode(), "stations.csv"),
                                     ("needs", NEEDS.encode(), "needs.csv")])
    assert plan.ok and [p.table for p in plan.parts] == ["stations", "needs"]   # stations are written first
    return plan


def test_second_file_stale_between_check_and_apply_keeps_nothing_of_the_first(con):
    plan = _plan(con)
    # between check and apply someone else writes need N3: the second file is now stale
    with records.writing(con) as cur:
        cur.execute("INSERT INTO needs (need_id, station_id, category, title, source, raised_on, urgency, status)"
                    " VALUES ('N3', 'S09', 'health', 'x', 'visit', DATE '2024-01-01', 3, 'open')")
    before = state(con)
    inserted = []
    with pytest.raises(importer.StaleImport, match="needs.csv"):
        importer.apply(con, plan, progress=lambda done, total: inserted.append(done))
    assert inserted and inserted[0] == 2          # the stations' rows had gone in when the needs file failed
    assert state(con) == before
    assert con.execute("SELECT count(*) FROM stations").fetchall() == [(0,)]
    assert con.execute("SELECT need_id FROM needs").fetchall() == [("N3",)]


def test_a_fault_mid_import_keeps_nothing(con):
    plan = _plan(con)
    before = state(con)

    def fail_after_first_file(done, total):
        if done >= 2:
            raise RuntimeError("disk full")
    with pytest.raises(RuntimeError, match="disk full"):
        importer.apply(con, plan, progress=fail_after_first_file)
    assert state(con) == before
    assert con.execute("SELECT count(*) FROM stations").fetchall() == [(0,)]
    # and the connection is usable: the same plan now goes in whole
    importer.apply(con, plan)
    assert con.execute("SELECT count(*) FROM stations").fetchall() == [(2,)]
