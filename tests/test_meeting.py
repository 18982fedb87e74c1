"""Residents' evaluation meeting on a tiny database: turnout, share met, the feedback rows and the station's needs-met
raw values by hand; hidden until reveal; every refusal leaves the database as it was; the reveal is all or nothing."""
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.live import meeting as meeting_mod
from indicators.live.meeting import MeetingError, MeetingStore, dated_on, item_stats
from indicators.scheme import catalog
from indicators.scoring.engine import score
from indicators.scoring.measures import Period
from tests.conftest import station

PERIOD = Period(date(2024, 1, 1), date(2024, 6, 30))
HELD = date(2024, 6, 30)
NEEDS_MET = catalog.builtin("needs-met")


def need(nid, sid, status, raised="2024-02-01", resolved=None):
    return {"need_id": nid, "station_id": sid, "category": "elderly_care", "title": f"需求{nid}", "source": "survey",
            "raised_on": raised, "urgency": 4, "households_affected": 3, "status": status, "resolved_on": resolved}


ROWS = {
    "stations": [station("S1"), station("S2"), station("S3")],
    "needs": [need("N1", "S1", "resolved", resolved="2024-04-01"), need("N2", "S1", "in_progress"),
              need("N3", "S1", "open"), need("N4", "S1", "resolved", raised="2023-01-01", resolved="2023-06-01"),
              need("N5", "S2", "resolved", resolved="2024-03-01")],
    "activities": [{"activity_id": "A1", "station_id": "S1", "held_on": "2024-05-01", "kind": "group",
                    "title": "助老小组", "need_id": "N1", "photos": 3, "media_items": 0, "headcount": 10},
                   {"activity_id": "A2", "station_id": "S1", "held_on": "2024-08-01", "kind": "group",
                    "title": "下半年活动", "need_id": None, "photos": 1, "media_items": 0, "headcount": 5}],
    "feedback": [
        {"feedback_id": "F1", "station_id": "S1", "resident_id": "R1", "given_on": "2024-03-01", "channel": "council",
         "need_id": "N1", "rating": 4, "need_met": "yes"},
        {"feedback_id": "F2", "station_id": "S2", "resident_id": "R2", "given_on": "2024-03-01", "channel": "council",
         "need_id": "N5", "rating": 2, "need_met": "no"},
        {"feedback_id": "F3", "station_id": "S3", "resident_id": "R3", "given_on": "2024-03-01", "channel": "council",
         "rating": 5, "need_met": "yes"},
    ],
}
ITEMS = [("need", "N1"), ("need", "N2"), ("activity", "A1")]


@pytest.fixture
def db(tiny):
    return tiny(ROWS)


def count(db, sql="SELECT count(*) FROM feedback"):
    return db.execute(sql).fetchall()[0][0]


def open_meeting(ms, n=4):
    return ms.create("S1", PERIOD, ITEMS, n, title="2024年上半年居民评议会")


def cast(ms, mt):
    """Three of the four codes vote; the fourth never does."""
    c1, c2, c3, _ = mt.vote_codes
    ms.vote(mt.code, c1, 0, "yes", 5)
    ms.vote(mt.code, c2, 0, "no", 3)
    ms.vote(mt.code, c3, 0, "unsure", 4, "  楼道灯还是不亮  ")
    ms.vote(mt.code, c1, 1, "yes", None)
    ms.vote(mt.code, c2, 1, None, None, "跳过的评论不保存")      # a skip: nothing written
    ms.vote(mt.code, c3.lower()[:3] + "-" + c3[3:].lower(), 1, None, 2)   # typed in lower case with a dash


def test_candidates_are_the_stations_needs_in_hand_and_its_activities_of_the_period(db):
    got = MeetingStore(db).candidates("S1", PERIOD)
    # N3 is open (nothing done yet), N4 was resolved before the period began, A2 is held after it
    assert list(zip(got["kind"], got["id"])) == [("need", "N1"), ("need", "N2"), ("activity", "A1")]


def test_a_meeting_from_votes_to_feedback_rows_scores_and_summary(db):
    ms = MeetingStore(db)
    mt = open_meeting(ms)
    assert len(mt.vote_codes) == len(set(mt.vote_codes)) == 4
    assert all(len(c) == 6 and set(c) <= set(meeting_mod.CODE_ALPHABET) for c in mt.vote_codes)
    cast(ms, mt)
    assert ms.progress(mt.code, mt.key) == {"tokens_issued": 4, "turnout": 3, "answered": [3, 2, 0]}
    assert ms.status(mt.code)["turnout"] == 3
    assert count(db) == 3                                           # nothing written while voting
    ms.close(mt.code, mt.key)
    s = ms.reveal(mt.code, mt.key, on=HELD)
    assert s["turnout"] == 3 and s["tokens_issued"] == 4 and s["held_on"] == HELD
    assert [(i["kind"], i["id"], i["votes"], i["met_yes"], i["met_no"], i["met_unsure"], i["n_ratings"],
             i["rating_mean"], i["comments"]) for i in s["items"]] == [
        ("need", "N1", 3, 1, 1, 1, 3, 4.0, 1),          # ratings 5, 3, 4
        ("need", "N2", 2, 1, 0, 0, 1, 2.0, 0),          # a yes without a rating, a rating without an answer
        ("activity", "A1", 0, 0, 0, 0, 0, None, 0)]
    assert s["share_met"] == pytest.approx(2 / 3)       # yes 2, no 1 over all items; unsure is left out
    rows = db.execute("SELECT feedback_id, station_id, resident_id, given_on, channel, need_id, activity_id, rating, "
                      "need_met, comment FROM feedback WHERE channel = 'evaluation_meeting' ORDER BY feedback_id"
                      ).fetchall()
    c = mt.code
    assert rows == [
        (f"{c}-01-001", "S1", None, HELD, "evaluation_meeting", "N1", None, 5, "yes", None),
        (f"{c}-01-002", "S1", None, HELD, "evaluation_meeting", "N1", None, 3, "no", None),
        (f"{c}-01-003", "S1", None, HELD, "evaluation_meeting", "N1", None, 4, None, "楼道灯还是不亮"),
        (f"{c}-02-001", "S1", None, HELD, "evaluation_meeting", "N2", None, None, "yes", None),
        (f"{c}-02-002", "S1", None, HELD, "evaluation_meeting", "N2", None, 2, None, None)]
    raw = score(db, NEEDS_MET, PERIOD).raw
    # need_met_votes (council + meeting, yes 100 / no 0): F1 yes, then yes, no, yes -> (100+100+0+100)/4
    assert raw.at["S1", "need_met_votes"] == pytest.approx(75.0)
    # satisfaction (every channel, 1..5 -> 0..100): F1 4 -> 75, then 5, 3, 4, 2 -> (75+100+50+75+25)/5
    assert raw.at["S1", "satisfaction"] == pytest.approx(65.0)
    assert raw.at["S2", "need_met_votes"] == 0.0 and raw.at["S2", "satisfaction"] == 25.0   # S2 unchanged
    after = score(db, NEEDS_MET, PERIOD)
    assert s["score_after"] == pytest.approx(after.total["S1"]) and s["rank_after"] == after.rank["S1"]
    db.execute("DELETE FROM feedback WHERE channel = 'evaluation_meeting'")
    before = score(db, NEEDS_MET, PERIOD)
    assert before.raw.at["S1", "need_met_votes"] == 100.0 and before.raw.at["S1", "satisfaction"] == 75.0
    assert s["score_before"] == pytest.approx(before.total["S1"]) and s["rank_before"] == before.rank["S1"]
    # min-max across stations: S3 (yes, 5) is the best, S2 (no, 2) the worst, so S1 drops from 100 to 75 on
    # need_met_votes and from (75-25)/(100-25) to (65-25)/(100-25) on satisfaction
    dims = {d.id: d for d in NEEDS_MET.dimensions}
    voice = dims["residents_voice"]
    w = {i.id: i.weight / sum(j.weight for j in voice.indicators) for i in voice.indicators}
    share = voice.weight / sum(d.weight for d in NEEDS_MET.dimensions)     # 20 of 100 when written
    drop = (w["need_met_votes"] * 25 + w["satisfaction"] * (50 / 75 - 40 / 75) * 100) * share
    assert s["score_before"] - s["score_after"] == pytest.approx(drop)
    assert s["n_stations"] == 3 and s["scheme_id"] == "needs-met" and s["scheme_name_zh"] == NEEDS_MET.name_zh
    assert ms.comments(c, mt.key).values.tolist() == [[0, "楼道灯还是不亮"]]


def test_the_summary_is_exactly_the_contract(db):
    ms = MeetingStore(db)
    mt = open_meeting(ms)
    cast(ms, mt)
    s = ms.reveal(mt.code, mt.key, on=HELD)        # reveal closes the voting itself
    assert s == ms.summary(mt.code, mt.key)
    assert list(s) == ["code", "title", "station_id", "station_name_zh", "station_name_en", "period_start",
                       "period_end", "held_on", "tokens_issued", "turnout", "items", "share_met", "scheme_id",
                       "scheme_name_zh", "scheme_name_en", "score_before", "score_after", "rank_before", "rank_after",
                       "n_stations"]
    assert list(s["items"][0]) == ["kind", "id", "title", "votes", "met_yes", "met_no", "met_unsure", "n_ratings",
                                   "rating_mean", "comments"]
    assert (s["code"], s["title"], s["station_id"], s["station_name_zh"], s["station_name_en"]) == (
        mt.code, "2024年上半年居民评议会", "S1", "站S1", "Station S1")
    assert (s["period_start"], s["period_end"]) == (PERIOD.start, PERIOD.end)
    assert [i["title"] for i in s["items"]] == ["需求N1", "需求N2", "助老小组"]
    assert "楼道灯" not in repr(s)                  # comment text is never in the published dict


def test_a_meeting_after_the_period_counts_toward_the_period_it_judges(db):
    assert dated_on(PERIOD.start, PERIOD.end, date(2024, 7, 15)) == PERIOD.end
    assert dated_on(PERIOD.start, PERIOD.end, date(2024, 5, 1)) == date(2024, 5, 1)
    ms = MeetingStore(db)
    mt = open_meeting(ms)
    cast(ms, mt)
    s = ms.reveal(mt.code, mt.key, on=date(2024, 7, 15))
    assert ms.scoring(mt.code, mt.key) == {"scored_from": PERIOD.start, "scored_to": PERIOD.end,
                                          "dated_on": PERIOD.end, "feedback_rows": 5}
    assert s["held_on"] == date(2024, 7, 15)                     # the meeting keeps its real day
    after = score(db, NEEDS_MET, PERIOD)                         # the period's score, as any page shows it
    assert after.raw.at["S1", "need_met_votes"] == pytest.approx(75.0)
    assert s["score_after"] == pytest.approx(after.total["S1"])


def test_every_refusal_leaves_the_database_as_it_was(db, tiny):
    ms = MeetingStore(db)
    mt = open_meeting(ms)
    other = ms.create("S1", PERIOD, ITEMS[:1], 2)
    c1, c2 = mt.vote_codes[:2]

    def refused(reason, fn, *args, **kw):
        before = count(db, "SELECT count(*) FROM meeting_votes"), count(db)
        with pytest.raises(MeetingError) as why:
            fn(*args, **kw)
        assert why.value.reason == reason, str(why.value)
        assert (count(db, "SELECT count(*) FROM meeting_votes"), count(db)) == before

    ms.vote(mt.code, c1, 0, "yes", 4)
    refused("used", ms.vote, mt.code, c1, 0, "no", 1)                      # a code votes once per item
    refused("unknown_voter", ms.vote, mt.code, "ZZZZZZ", 0, "yes", 4)     # never issued
    refused("unknown_voter", ms.vote, mt.code, other.vote_codes[0], 0, "yes", 4)   # another meeting's code
    refused("unknown_voter", ms.ballot, mt.code, "")
    refused("no_meeting", ms.vote, "NOPE22", c1, 0, "yes", 4)
    refused("bad_answer", ms.vote, mt.code, c2, 0, "maybe", 4)
    refused("bad_answer", ms.vote, mt.code, c2, 0, "yes", 6)
    refused("bad_answer", ms.vote, mt.code, c2, 0, "yes", True)
    refused("bad_item", ms.vote, mt.code, c2, 3, "yes", 4)
    assert ms.ballot(mt.code, c1)["done"] == [0] and ms.ballot(mt.code, c2)["done"] == []
    # nothing of the votes is readable before the reveal, not even with the key
    refused("hidden", ms.summary, mt.code, mt.key)
    refused("hidden", ms.comments, mt.code, mt.key)
    refused("hidden", ms.scoring, mt.code, mt.key)
    assert not {"items_stats", "met_yes", "share_met"} & set(ms.status(mt.code))
    # the facilitator's actions need the key; a voting code is not a key
    for key in (None, "", c1, other.key):
        refused("wrong_key", ms.close, mt.code, key)
        refused("wrong_key", ms.reveal, mt.code, key, on=HELD)
        refused("wrong_key", ms.progress, mt.code, key)
        refused("wrong_key", ms.summary, mt.code, key)
        refused("wrong_key", ms.check_key, mt.code, key)
    assert ms.check_key(mt.code.lower(), mt.key) == mt.code
    ms.close(mt.code, mt.key)
    refused("closed", ms.vote, mt.code, c2, 0, "yes", 4)                  # a vote after close
    refused("closed", ms.close, mt.code, mt.key)
    ms.reopen(mt.code, mt.key)
    ms.vote(mt.code, c2, 0, "no", 2)
    ms.reveal(mt.code, mt.key, on=HELD)
    refused("closed", ms.vote, mt.code, mt.vote_codes[2], 0, "yes", 4)    # and after the reveal
    refused("revealed", ms.reveal, mt.code, mt.key, on=HELD)
    assert count(db, "SELECT count(*) FROM feedback WHERE channel = 'evaluation_meeting'") == 2


def test_opening_a_meeting_checks_station_items_period_and_count(db):
    ms = MeetingStore(db)
    for kwargs, reason in ((dict(station_id="S9"), "no_station"), (dict(items=[("need", "N3")]), "bad_item"),
                           (dict(items=[("need", "N5")]), "bad_item"), (dict(items=[]), "no_items"),
                           (dict(n=0), "bad_count"), (dict(n="x"), "bad_count"), (dict(n=501), "bad_count"),
                           (dict(period=Period(None, PERIOD.end)), "bad_period")):
        args = {"station_id": "S1", "period": PERIOD, "items": ITEMS, "n": 3, **kwargs}
        with pytest.raises(MeetingError) as why:
            ms.create(args["station_id"], args["period"], args["items"], args["n"])
        assert why.value.reason == reason
    assert count(db, "SELECT count(*) FROM meetings") == 0


def test_a_reveal_that_fails_half_way_writes_nothing(db, monkeypatch):
    ms = MeetingStore(db)
    mt = open_meeting(ms)
    cast(ms, mt)
    calls = []

    def failing(con, scheme, period):
        calls.append(1)
        if len(calls) == 2:                     # after the feedback rows went in
            raise RuntimeError("disk full")
        return score(con, scheme, period)
    monkeypatch.setattr(meeting_mod, "score", failing)
    with pytest.raises(RuntimeError):
        ms.reveal(mt.code, mt.key, on=HELD)
    assert count(db) == 3 and ms.status(mt.code)["state"] == "open"
    monkeypatch.undo()
    assert ms.reveal(mt.code, mt.key, on=HELD)["turnout"] == 3
    assert count(db) == 8


def test_item_stats_counts_only_answered_rows():
    import pandas as pd
    votes = pd.DataFrame({"item_pos": [0, 0, 0, 1], "met": ["yes", None, "unsure", None],
                          "rating": [None, None, 3, None], "comment": ["ok", "dropped", " ", None]})
    assert item_stats(votes, 2) == [
        {"votes": 2, "met_yes": 1, "met_no": 0, "met_unsure": 1, "n_ratings": 1, "rating_mean": 3.0, "comments": 1},
        {"votes": 0, "met_yes": 0, "met_no": 0, "met_unsure": 0, "n_ratings": 0, "rating_mean": None, "comments": 0}]


ANSWER = st.sampled_from(["yes", "no", "unsure", None])
RATING = st.sampled_from([1, 2, 3, 4, 5, None])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.tuples(ANSWER, RATING), min_size=3, max_size=3), min_size=1, max_size=6))
def test_any_votes_land_as_their_rows_and_move_the_raw_values_to_the_mean(ballots):
    """Whatever is voted: one feedback row per answered vote, turnout = codes with an answer, and S1's raw values are
    the plain means over the old rows and the new ones."""
    import duckdb
    from indicators.records import store as records
    con = duckdb.connect()
    records.create_schema(con)
    for table, items in ROWS.items():
        for item in items:
            con.execute(f'INSERT INTO "{table}" ({", ".join(item)}) VALUES ({", ".join("?" * len(item))})',
                        list(item.values()))
    ms = MeetingStore(con)
    mt = ms.create("S1", PERIOD, ITEMS, len(ballots))
    for vc, ballot in zip(mt.vote_codes, ballots):
        for pos, (met, rating) in enumerate(ballot):
            ms.vote(mt.code, vc, pos, met, rating)
    s = ms.reveal(mt.code, mt.key, on=HELD)
    answered = [(m, r) for b in ballots for m, r in b if m is not None or r is not None]
    assert count(con) == 3 + len(answered) == 3 + sum(i["votes"] for i in s["items"])
    assert s["turnout"] == sum(any(m is not None or r is not None for m, r in b) for b in ballots)
    met = [100.0] + [100.0 if m == "yes" else 0.0 for m, _ in answered if m in ("yes", "no")]    # F1 said yes
    rated = [75.0] + [(r - 1) * 25.0 for _, r in answered if r is not None]                        # F1 rated 4
    raw = score(con, NEEDS_MET, PERIOD).raw
    assert raw.at["S1", "need_met_votes"] == pytest.approx(sum(met) / len(met))
    assert raw.at["S1", "satisfaction"] == pytest.approx(sum(rated) / len(rated))
    yes, no = sum(m == "yes" for m, _ in answered), sum(m == "no" for m, _ in answered)
    assert s["share_met"] == (pytest.approx(yes / (yes + no)) if yes + no else None)
    assert 0 <= s["score_after"] <= 100 and 1 <= s["rank_after"] <= s["n_stations"] == 3
    con.close()


def test_the_voting_sheet_has_a_slip_per_code_and_escapes_what_it_prints():
    from indicators.outputs.voting_sheet import vote_link, voting_sheet_html
    status = {"code": "K7Q2MX", "title": "<script>alert(1)</script>", "station_id": "S1",
              "station_name_zh": "站<S1>", "station_name_en": "Station S1"}
    html = voting_sheet_html(status, ["ABCDEF", "GHJKLM"], "http://192.168.1.20:8501/", "zh")
    assert html.count('class="slip"') == 2 and html.count("<svg") == 2
    assert 'class="code">ABC-DEF<' in html and 'class="code">GHJ-KLM<' in html
    assert "<script>" not in html and "&lt;script&gt;" in html and "站&lt;S1&gt;" in html
    assert "http://192.168.1.20:8501/vote" in html
    assert vote_link("http://h:1/", "K7Q2MX", "ABCDEF") == "http://h:1/vote?m=K7Q2MX&v=ABCDEF&lang=zh"


def test_the_notice_tells_alike_items_apart_and_withholds_a_unanimous_answer(tiny):
    """Four needs of one station with the same title keep their need ids on the notice; an item that all three
    voters answered alike prints no breakdown (3 / 0 / 0 / 100% would tell each voter's answer), nor a mean
    rating at an end of the scale (5.0 says every rating was 5); a split item prints as before."""
    from indicators.outputs.notice import meeting_notice
    rail = [{**need(f"H{k}", "S1", "resolved", raised=f"2024-0{k}-01", resolved="2024-06-01"), "title": "楼道加装扶手"}
            for k in range(1, 5)]
    db = tiny({**ROWS, "needs": ROWS["needs"] + rail})
    ms = MeetingStore(db)
    mt = ms.create("S1", PERIOD, [("need", f"H{k}") for k in range(1, 5)], 3)
    for vc, split in zip(mt.vote_codes, ("yes", "yes", "no")):
        ms.vote(mt.code, vc, 0, "yes", 5)          # everyone alike
        ms.vote(mt.code, vc, 1, split, 4)          # 2 yes, 1 no
    s = ms.reveal(mt.code, mt.key, on=HELD)
    obj = {"issuer": "城关区民政局", "contact": "电话 0931-8123456", "deadline": date(2024, 7, 7)}
    zh = meeting_notice(s, "zh", obj, issued_on=HELD).sections[0].rows
    en = meeting_notice(s, "en", obj, issued_on=HELD).sections[0].rows
    assert [r[2] for r in zh] == [f"楼道加装扶手（H{k}）" for k in range(1, 5)]
    assert [r[2] for r in en] == [f"楼道加装扶手 (H{k})" for k in range(1, 5)]
    # votes, yes, no, unsure, share, ratings, mean, comments
    assert zh[0][3:] == ("3", "不公布", "不公布", "不公布", "不公布", "3", "不公布", "0")
    assert en[0][3:] == ("3", "withheld", "withheld", "withheld", "withheld", "3", "withheld", "0")
    # two yes, one no: both fewer than 3, the share withheld, the rest as before
    assert zh[1][3:] == ("3", "少于3人", "少于3人", "0", "不公布", "3", "4.0", "0")
    assert zh[2][3:] == ("0", "0", "0", "0", "–", "0", "–", "0")


@pytest.mark.parametrize("yes, no, unsure, shown, headline", [
    (4, 0, 0, False, "withheld"), (0, 0, 5, False, "withheld"), (0, 7, 0, False, "withheld"),  # at any size
    (4, 0, 4, True, "100%"), (3, 3, 0, True, "50%"), (0, 0, 0, True, "–"),   # split, or nobody answered
])
def test_an_item_all_in_one_answer_is_withheld_at_any_size(yes, no, unsure, shown, headline):
    from indicators.outputs.notice import meeting_notice
    votes = yes + no + unsure
    item = {"kind": "need", "id": "N9", "title": "t", "votes": votes, "met_yes": yes, "met_no": no,
            "met_unsure": unsure, "n_ratings": votes, "rating_mean": 3.0 if votes else None, "comments": 0}
    s = {"station_id": "S1", "code": "K7Q2MX", "tokens_issued": 10, "turnout": max(votes, 3), "items": [item],
         "share_met": yes / (yes + no) if yes + no else None}
    n = meeting_notice(s, "en", {"issuer": "District bureau", "contact": "tel", "deadline": date(2024, 7, 7)},
                       issued_on=HELD)
    row = n.sections[0].rows[0]
    assert (row[4:8] != ("withheld",) * 4) == shown
    assert dict(n.headline)['Share answering "yes" (all items)'] == headline
