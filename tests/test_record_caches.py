"""The app's cached queries of the records follow every write: a new data stamp gives them new keys."""
import pytest

from indicators.records import queries
from indicators.records import store as records


@pytest.fixture
def queried(monkeypatch):
    """How many times the app's cached counts() really queried the database."""
    calls = []
    real = queries.table_counts
    monkeypatch.setattr(queries, "table_counts", lambda con: calls.append(1) or real(con))
    return calls


def test_reach_figures_follow_a_write_without_being_told(db):
    from app_pages import frame, reach_card
    before = reach_card.figures(str(db), None, None)
    stamp = frame.stamp(str(db))
    # through the app's own handle, as an import does: a station's priority-group residents leave its register
    with records.writing(frame._connection(str(db))) as cur:
        cur.execute("DELETE FROM residents WHERE priority_group <> 'none' AND station_id = 'S01'")
    assert frame.stamp(str(db)) != stamp
    after = reach_card.figures(str(db), None, None)                   # no clear_record_caches() needed
    assert not after.equals(before)


def test_reads_are_cached_until_a_write_and_a_failed_write_keeps_them(db, queried):
    from app_pages import frame
    path = str(db)
    assert frame.counts(path)["stations"] == 24 and frame.counts(path)["stations"] == 24
    assert len(queried) == 1                                           # the second came from the cache
    stamp = frame.stamp(path)
    with pytest.raises(RuntimeError):
        with records.writing(frame._connection(path)) as cur:
            cur.execute("DELETE FROM stations")
            raise RuntimeError("a fault mid-write")                    # rolled back: nothing changed
    assert frame.stamp(path) == stamp and frame.counts(path)["stations"] == 24 and len(queried) == 1
    with records.writing(frame._connection(path)) as cur:
        cur.execute("DELETE FROM stations WHERE station_id = 'S24'")
    assert frame.stamp(path) != stamp and frame.counts(path)["stations"] == 23 and len(queried) == 2
    assert records.read_stamp(frame._connection(path).cursor()) == frame.stamp(path)   # the file holds it too
