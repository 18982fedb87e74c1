"""Queries of the records cached outside app_pages/frame.py are dropped with the rest when the records change."""
from indicators.records import store as records


def test_reach_figures_follow_an_import(db):
    from app_pages import frame, reach_card
    before = reach_card.figures(str(db), None, None)
    # through the app's own handle, as an import does: a station's priority-group residents leave its register
    with records.writing(frame._connection(str(db))) as cur:
        cur.execute("DELETE FROM residents WHERE priority_group <> 'none' AND station_id = 'S01'")
    assert reach_card.figures(str(db), None, None).equals(before)       # cached: the import has not said so yet
    frame.clear_record_caches()                                          # what every write path calls
    after = reach_card.figures(str(db), None, None)
    assert not after.equals(before)
