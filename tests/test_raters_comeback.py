"""Issue 23 for rating rounds: people who come back (resume by token, a taken name asks for the link), the lead's
progress view, removing a person and merging two identities (the agreed levels follow), a first reveal kept as
history after reopening, refusals instead of silent drops, the panel's decision (合议) and the agreed level that
replaces single ratings of the same station, item and period. Every alpha here is computed by hand in the comments
(ordinal metric, coincidence matrix o, value counts n, delta(c, k) = (sum n_g for g = c..k - (n_c + n_k) / 2)^2,
alpha = 1 - (n - 1) * sum o*delta / sum n_c*n_k*delta over ordered pairs)."""
from datetime import date, datetime

import pytest

from indicators.live.raters import RaterError, RaterStore
from indicators.scheme.model import dump_yaml
from indicators.scoring.measures import Period
from indicators.scoring.engine import score
from tests.conftest import station
from tests.test_raters import SCHEME

Q = "quality"


@pytest.fixture
def db(tiny):
    return tiny({"stations": [station("S1"), station("S2"), station("S3")]})


def levels(rs, rnd, key=None):
    res = rs.result(rnd.code, key or rnd.lead_key)
    u = res["units"]
    return dict(zip(u["station_id"], u["level"])), res


def duplicate_round(db):
    """王评 joined, rated S1 优 and S2 中, reloaded the tablet and joined again as 王评W (S2 良, S3 良); 李评 and 张评
    rated everything. Ranks 差0 中1 良2 优3."""
    rs = RaterStore(db)
    rnd = rs.create(SCHEME, ["S1", "S2", "S3"], date(2024, 6, 30))
    old, w, b, c = (rs.join(rnd.code, n) for n in ("王评", "王评W", "李评", "张评"))
    plan = {old: {"S1": "优", "S2": "中"}, w: {"S2": "良", "S3": "良"}, b: {"S1": "良", "S2": "良", "S3": "中"},
            c: {"S1": "良", "S2": "中", "S3": "良"}}
    for who, given in plan.items():
        for s, lv in given.items():
            rs.rate(rnd.code, who.token, s, Q, lv, "档案", "site")
    rs.reveal(rnd.code, rnd.lead_key)
    return rs, rnd, old, w


def test_a_duplicate_made_s2_fair_and_removing_it_brings_good_back_in_the_records(db):
    rs, rnd, old, w = duplicate_round(db)
    agreed, res = levels(rs, rnd)
    # S2: 中 良 良 中 -> ranks 1 1 2 2 -> lower median 中 (the issue's wrong level)
    assert agreed == {"S1": "良", "S2": "中", "S3": "良"}
    # Units S1 {3,2,2}, S2 {1,1,2,2}, S3 {2,1,2}: o11 2/3, o12 = o21 7/3, o22 8/3, o23 = o32 1; n = (3, 6, 1), 10
    # d12 = 4.5^2 = 20.25, d23 = 3.5^2 = 12.25, d13 = 8^2 = 64; sum o*d = 2(7/3*20.25 + 12.25) = 119;
    # sum n*n*d = 2(3*6*20.25 + 6*12.25 + 3*64) = 1260; alpha = 1 - 9*119/1260 = 0.15
    assert res["alpha"] == pytest.approx(0.15)
    rs.agree(rnd.code, rnd.lead_key)
    assert db.execute("SELECT level FROM ratings WHERE station_id = 'S2'").fetchall() == [("中",)]
    with pytest.raises(RaterError) as why:
        rs.remove(rnd.code, rnd.lead_key, old.rater_id, " ")
    assert why.value.reason == "no_reason"
    rs.remove(rnd.code, rnd.lead_key, old.rater_id, "重新加入为王评W，原身份作废", by="组长")
    agreed, res = levels(rs, rnd)
    assert agreed == {"S1": "良", "S2": "良", "S3": "良"}
    # S1 {2,2}, S2 {2,2,1}, S3 {2,1,2}: o22 4, o12 = o21 2; n = (2, 6), 8; d12 = (8 - 4)^2 = 16;
    # alpha = 1 - 7 * (2*2*16) / (2*2*6*16) = 1 - 448/384 = -1/6
    assert res["alpha"] == pytest.approx(-1 / 6)
    assert sorted(res["raters"]) == sorted(["王评W", "李评", "张评"])
    # the round was agreed: the records follow at once, rater count and names without the removed person
    assert db.execute("SELECT level, rater_count, rater FROM ratings WHERE station_id = 'S2'").fetchall() == [
        ("良", 3, f"rating round {rnd.code} (王评W, 李评, 张评)")]
    people = rs.people(rnd.code, rnd.lead_key).set_index("name")
    assert people.at["王评", "status"] == "removed" and people.at["王评", "removed_reason"].startswith("重新加入")
    acts = rs.actions(rnd.code, rnd.lead_key)
    assert acts[acts["action"] == "remove"][["by", "whom", "detail"]].values.tolist() == [["组长", "王评", {"levels": 2}]]
    with pytest.raises(RaterError) as gone:           # the removed identity's link no longer rates
        rs.rate(rnd.code, old.token, "S1", Q, "优", "", "site", reason="x")
    assert gone.value.reason == "removed"


def test_merging_moves_what_the_kept_identity_lacks_and_drops_the_rest(db):
    rs, rnd, old, w = duplicate_round(db)
    out = rs.merge(rnd.code, rnd.lead_key, keep_id=w.rater_id, drop_id=old.rater_id, reason="同一人重新加入")
    assert out == {"moved": 1, "dropped": 1}         # S1 优 moves to 王评W; S2 中 dropped (王评W's 良 stands)
    mine = rs.mine(rnd.code, w.token).set_index("station_id")["level"].to_dict()
    assert mine == {"S1": "优", "S2": "良", "S3": "良"}
    agreed, res = levels(rs, rnd)
    assert agreed == {"S1": "良", "S2": "良", "S3": "良"}
    # S1 {3,2,2}, S2 {2,2,1}, S3 {2,1,2}: o22 3, o23 = o32 1, o12 = o21 2; n = (2, 6, 1), 9;
    # d12 = 16, d23 = 12.25, d13 = 56.25; sum o*d = 2(2*16 + 12.25) = 88.5; sum n*n*d = 2(192 + 73.5 + 112.5) = 756
    # alpha = 1 - 8*88.5/756 = 48/756
    assert res["alpha"] == pytest.approx(48 / 756)
    people = rs.people(rnd.code, rnd.lead_key).set_index("name")
    assert people.at["王评", "status"] == "merged" and people.at["王评", "merged_into"] == "王评W"
    # three levels of quality, no station finished: the scheme has a second item (records) nobody rated
    assert people.at["王评W", "stations_done"] == [] and people.at["王评W", "levels"] == 3
    assert rs.actions(rnd.code, rnd.lead_key)["detail"].tolist() == [{"moved": 1, "dropped": 1}]


def test_a_taken_name_asks_for_the_link_and_the_token_brings_the_rater_back(db):
    rs = RaterStore(db)
    rnd = rs.create(SCHEME, ["S1"], date(2024, 6, 30))
    a = rs.join(rnd.code, "王评", session="tablet-1")
    rs.rate(rnd.code, a.token, "S1", Q, "良", "档案齐全", "paper")
    with pytest.raises(RaterError) as taken:
        rs.join(rnd.code, "王评", session="tablet-2")
    assert taken.value.reason == "name_taken"
    back = rs.resume(rnd.code.lower(), f" {a.token} ", session="tablet-2")
    assert (back.rater_id, back.name) == (a.rater_id, "王评")
    assert rs.mine(rnd.code, back.token)[["level", "evidence", "seen"]].values.tolist() == [["良", "档案齐全", "paper"]]
    with pytest.raises(RaterError) as forged:
        rs.resume(rnd.code, "not-a-token")
    assert forged.value.reason == "unknown_rater"
    people = rs.people(rnd.code, rnd.lead_key)
    assert people[["name", "levels", "done", "stations_done"]].values.tolist() == [["王评", 1, 0, []]]


def test_reopening_after_a_reveal_keeps_the_first_reveal_and_logs_every_change(db):
    rs = RaterStore(db)
    rnd = rs.create(SCHEME, ["S1", "S2"], date(2024, 6, 30))
    a, b = rs.join(rnd.code, "王"), rs.join(rnd.code, "李")
    for who, s1 in ((a, "中"), (b, "优")):
        rs.rate(rnd.code, who.token, "S1", Q, s1, "", "site")
        rs.rate(rnd.code, who.token, "S2", Q, "良", "", "site")
    rs.reveal(rnd.code, rnd.lead_key)
    rs.reopen(rnd.code, rnd.lead_key, reason="再看一次现场", by="组长")
    with pytest.raises(RaterError) as why:          # reopened, but a change after a reveal still needs a reason
        rs.rate(rnd.code, a.token, "S1", Q, "优", "", "site")
    assert why.value.reason == "no_reason"
    rs.rate(rnd.code, a.token, "S1", Q, "优", "回访记录", "site", reason="补看了回访记录")
    rs.rate(rnd.code, a.token, "S1", Q, "优", "回访记录", "site")          # the same level again: nothing to log
    rs.reveal(rnd.code, rnd.lead_key)
    res = rs.result(rnd.code, rnd.lead_key)
    # first reveal: S1 {1,3}, S2 {2,2}: o13 = o31 1, o22 2; n = (1, 2, 1), 4; d13 = (4 - 1)^2 = 9,
    # d12 = d23 = 1.5^2 = 2.25; alpha = 1 - 3 * 18 / (2(2*2.25 + 2*2.25 + 9)) = 1 - 54/36 = -0.5
    assert res["first_alpha"] == pytest.approx(-0.5)
    assert res["alpha"] == 1.0                       # now S1 {3,3}, S2 {2,2}
    assert (res["first_flagged"], res["flagged"]) == (1, 0)
    log = rs.changes(rnd.code, rnd.lead_key)
    assert log[["rater", "old_level", "new_level", "reason"]].values.tolist() == [["王", "中", "优", "补看了回访记录"]]
    first = rs.scores(rnd.code, rnd.lead_key, first=True)
    assert first[first["station_id"] == "S1"]["level"].tolist() == ["中", "优"]
    assert rs.actions(rnd.code, rnd.lead_key)[["action", "reason"]].values.tolist() == [["reopen", "再看一次现场"]]


def test_a_level_after_close_or_agreement_is_refused_with_a_reason_and_evidence_has_no_preset(db):
    rs = RaterStore(db)
    rnd = rs.create(SCHEME, ["S1", "S2"], date(2024, 6, 30))
    a, b = rs.join(rnd.code, "王"), rs.join(rnd.code, "李")
    with pytest.raises(RaterError) as seen:          # 佐证是: no preset, the rater must say
        rs.rate(rnd.code, a.token, "S1", Q, "良", "档案")
    assert seen.value.reason == "bad_seen"
    rs.rate(rnd.code, a.token, "S1", Q, "良", "档案", "site")
    rs.rate(rnd.code, b.token, "S1", Q, "良", "档案", "paper")
    rs.reveal(rnd.code, rnd.lead_key)
    with pytest.raises(RaterError) as closed:        # a new level after close
        rs.rate(rnd.code, a.token, "S2", Q, "良", "", "site")
    assert closed.value.reason == "closed"
    rs.agree(rnd.code, rnd.lead_key)
    with pytest.raises(RaterError) as agreed:        # a stale form after agreement
        rs.rate(rnd.code, a.token, "S1", Q, "优", "", "site", reason="晚到的修改")
    assert agreed.value.reason == "agreed"
    assert rs.mine(rnd.code, a.token)["level"].tolist() == ["良"]


def test_flagged_units_need_a_panel_decision_or_a_confirmation_before_agreeing(db):
    rs = RaterStore(db)
    rnd = rs.create(SCHEME, ["S1"], date(2024, 6, 30))
    a, b = rs.join(rnd.code, "王"), rs.join(rnd.code, "李")
    rs.rate(rnd.code, a.token, "S1", Q, "中", "", "site")
    rs.rate(rnd.code, b.token, "S1", Q, "优", "", "site")
    rs.reveal(rnd.code, rnd.lead_key)
    with pytest.raises(RaterError) as flagged:
        rs.agree(rnd.code, rnd.lead_key)
    assert flagged.value.reason == "flagged"
    with pytest.raises(RaterError) as note:
        rs.decide(rnd.code, rnd.lead_key, "S1", Q, "良", "")
    assert note.value.reason == "no_reason"
    rs.decide(rnd.code, rnd.lead_key, "S1", Q, "良", "合议：现场记录完整，台账缺两次回访", by="组长")
    written = rs.agree(rnd.code, rnd.lead_key)       # the flag is decided: no confirmation needed
    assert written["level"].tolist() == ["良"]       # not the lower median 中
    assert written["evidence"].iloc[0].endswith("合议: 合议：现场记录完整，台账缺两次回访")


def test_the_agreed_level_replaces_single_ratings_of_the_period_or_is_averaged_with_them(db):
    db.executemany("INSERT INTO ratings (rating_id, station_id, indicator_id, level, rater, rated_on) VALUES "
                   "(?, ?, ?, ?, ?, ?)", [["R1", "S1", "professional_quality", "中", "督导", date(2024, 3, 1)],
                                          ["R0", "S1", "professional_quality", "差", "督导", date(2023, 3, 1)]])
    rs = RaterStore(db)
    rnd = rs.create(SCHEME, ["S1"], date(2024, 6, 30))          # period: 2024
    a, b = rs.join(rnd.code, "王"), rs.join(rnd.code, "李")
    for who in (a, b):
        rs.rate(rnd.code, who.token, "S1", Q, "良", "", "site")
    rs.reveal(rnd.code, rnd.lead_key)
    y2024 = Period(date(2024, 1, 1), date(2024, 12, 31))
    assert score(db, SCHEME, y2024).raw[Q]["S1"] == 60.0           # before: the single rating 中
    written = rs.agree(rnd.code, rnd.lead_key)
    assert "合议等级取代本评估期单人评定 1 条（R1）" in written["evidence"].iloc[0]
    assert score(db, SCHEME, y2024).raw[Q]["S1"] == 80.0           # replace (default): 良 alone
    assert score(db, SCHEME, Period(date(2023, 1, 1), date(2023, 12, 31))).raw[Q]["S1"] == 40.0   # 2023 untouched
    assert rs.singles(rnd.code, rnd.lead_key)[["rating_id", "aside"]].values.tolist() == [["R1", True]]
    written = rs.agree(rnd.code, rnd.lead_key, mode="average")
    assert "与本评估期单人评定 1 条（R1）取平均" in written["evidence"].iloc[0]
    assert score(db, SCHEME, y2024).raw[Q]["S1"] == 70.0           # (60 + 80) / 2
    rs.agree(rnd.code, rnd.lead_key)                                # the round's last mode is kept
    assert score(db, SCHEME, y2024).raw[Q]["S1"] == 70.0
    rs.agree(rnd.code, rnd.lead_key, mode="replace")
    assert score(db, SCHEME, y2024).raw[Q]["S1"] == 80.0
    assert db.execute("SELECT count(*) FROM ratings").fetchall()[0][0] == 2     # R0 and the agreed row


def test_a_database_from_before_issue_23_is_migrated(db):
    db.execute("CREATE TABLE round_raters (rater_id VARCHAR PRIMARY KEY, code VARCHAR, name VARCHAR, "
               "name_key VARCHAR, token_hash VARCHAR, joined_at TIMESTAMP, UNIQUE (code, name_key))")
    db.execute("CREATE TABLE rating_rounds (code VARCHAR PRIMARY KEY, title VARCHAR, scheme_id VARCHAR, "
               "scheme_yaml VARCHAR, stations VARCHAR, rated_on DATE, key_hash VARCHAR, state VARCHAR, "
               "created_at TIMESTAMP, updated_at TIMESTAMP)")
    db.execute("INSERT INTO rating_rounds VALUES ('OLD234', '', 'rubric', ?, '[\"S1\"]', DATE '2023-11-30', 'h', "
               "'revealed', TIMESTAMP '2023-11-01 08:00', TIMESTAMP '2023-11-02 09:00')", [dump_yaml(SCHEME)])
    rs = RaterStore(db)
    old = rs.status("OLD234")
    assert old["revealed_at"] == datetime(2023, 11, 2, 9, 0)            # its last change counts as the reveal
    assert old["period"] == (date(2023, 1, 1), date(2023, 12, 31))       # its rating date's year
    rnd = rs.create(SCHEME, ["S1"], date(2024, 6, 30))
    a = rs.join(rnd.code, "王")
    rs.rate(rnd.code, a.token, "S1", Q, "良", "", "site")
    assert rs.people(rnd.code, rnd.lead_key)["status"].tolist() == ["active"]
