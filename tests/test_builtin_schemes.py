"""The two built-in schemes on the demo records: they disagree, and each moves only with what it counts."""
import pytest

from indicators.scheme import catalog

from indicators.records import store as records
from indicators.analysis.compare import compare
from indicators.scoring.engine import score


def both(path):
    con = records.connect(path, read_only=True)
    try:
        return score(con, catalog.builtin("photo-count")), score(con, catalog.builtin("needs-met"))
    finally:
        con.close()


def test_rankings_disagree_and_profiles_explain_it(demo_db):
    photo, needs = both(demo_db)
    cmp = compare(photo, needs)
    assert cmp.kendall_tau < 0.3                      # far from the same ranking
    assert (cmp.table["shift"] != 0).sum() >= 16
    profile = photo.stations["profile"]
    # Show-window stations lead on photo count; needs-driven ones lead on needs met.
    assert photo.total.groupby(profile).mean().idxmax() == "show_window"
    assert needs.total.groupby(profile).mean().idxmax() == "needs_driven"


def test_every_move_is_explained_by_indicators_pushing_that_way(demo_db):
    photo, needs = both(demo_db)
    cmp = compare(photo, needs)
    for sid, row in cmp.table.iterrows():
        if row["shift"] == 0:
            continue
        assert row["explained_by"], sid
        for ind in row["explained_by"]:
            assert (cmp.effects.at[sid, ind] > 0) == (row["shift"] > 0)


def pick_station(path):
    con = records.connect(path, read_only=True)
    sid = con.execute("SELECT station_id FROM stations WHERE profile = 'mixed' ORDER BY station_id LIMIT 1").fetchall()[0][0]
    con.close()
    return sid


def change(path, sql, sid):
    con = records.connect(path)
    con.execute(sql, [sid])
    con.close()


def test_adding_photos_moves_photo_count_only(demo_copy):
    sid = pick_station(demo_copy)
    photo0, needs0 = both(demo_copy)
    change(demo_copy, "UPDATE activities SET photos = photos + 50 WHERE station_id = ?", sid)
    photo1, needs1 = both(demo_copy)
    assert photo1.total[sid] > photo0.total[sid]
    assert needs1.total[sid] == pytest.approx(needs0.total[sid], abs=1e-12)


def test_resolving_urgent_needs_moves_needs_met_only(demo_copy):
    sid = pick_station(demo_copy)
    photo0, needs0 = both(demo_copy)
    change(demo_copy, "UPDATE needs SET status = 'resolved', resolved_on = raised_on + INTERVAL 7 DAY "
                      "WHERE station_id = ? AND urgency >= 4", sid)
    photo1, needs1 = both(demo_copy)
    assert needs1.total[sid] > needs0.total[sid]
    assert needs1.raw.at[sid, "urgent_needs_resolved"] == 1.0
    assert photo1.total[sid] == pytest.approx(photo0.total[sid], abs=1e-12)


def test_reasons_tell_both_sides_of_each_move(demo_db):
    photo, needs = both(demo_db)
    cmp = compare(photo, needs)
    for sid, row in cmp.table.iterrows():
        if row["shift"] == 0:
            continue
        in_b, only_a = cmp.reasons(sid)
        assert in_b or only_a
        assert all(i in needs.contributions.columns for i, _ in in_b)
        assert all(i in photo.contributions.columns and i not in needs.contributions.columns for i, _ in only_a)
        assert all((e > 0) == (row["shift"] > 0) for _, e in in_b + only_a)
