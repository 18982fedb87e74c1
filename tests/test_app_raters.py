"""The rating-round and Delphi pages through AppTest, in both languages: each person (lead, rater, facilitator,
expert) is an AppTest session of its own on one temporary demo database (the `db` fixture, INDICATORS_DB)."""
from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from indicators.i18n import t
from indicators.records import store as records
from tests.test_app import assert_clean, open_app, saved_ids


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def table(at: AppTest, column: str):
    """The first dataframe on the page with this column (AppTest does not expose a dataframe's key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def rows(path, sql):
    # Read-only, beside the app's own handle in this process: a read-write open fails while the app holds the
    # file read-only (it does again once a run reads after its last write's linger, sooner on a busy machine).
    con = records.connect(path, read_only=True, wait=30)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# ---------------------------------------------------------------- rating round

def lead_starts(lang: str, stations: list[str]) -> tuple[AppTest, str]:
    lead = open_app(lang, "raters")
    assert_clean(lead)
    lead.multiselect(key="rt_stations").set_value(stations)
    lead.date_input(key="rt_rated_on").set_value(date(2024, 12, 1))
    button(lead, t("rt.start_button", lang)).click().run()
    assert_clean(lead)
    return lead, lead.session_state["rt_lead"]["code"]


def rater_rates(lang: str, code: str, name: str, levels: dict[str, str], seen: str = "site") -> AppTest:
    tab = open_app(lang, "raters", code=code)
    assert tab.segmented_control(key="rt_role").value == "rater"
    tab.text_input(key="rt_join_name").input(name)
    button(tab, t("rt.join_button", lang)).click().run()
    assert_clean(tab)
    for sid, level in levels.items():
        rate(tab, code, sid, level, seen, lang)
    return tab


def rate(tab: AppTest, code: str, sid: str, level: str, seen: str, lang: str, reason: str | None = None) -> None:
    tab.selectbox(key=f"rt_station:{code}").set_value(sid).run()
    tab.radio(key=f"rt_lv:{code}:{sid}:professional_quality").set_value(level)
    tab.text_area(key=f"rt_ev:{code}:{sid}:professional_quality").input(f"{level} 个案记录")
    tab.radio(key=f"rt_seen:{code}:{sid}:professional_quality").set_value(seen)
    if reason is not None:
        tab.text_input(key=f"rt_reason:{code}:{sid}").input(reason)
    button(tab, t("rt.save", lang)).click().run()
    assert_clean(tab)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_two_raters_rate_moderate_and_the_agreed_levels_land_in_ratings(db, lang):
    lead, code = lead_starts(lang, ["S01", "S02", "S03"])
    assert code in " ".join(m.value for m in lead.markdown)
    a = rater_rates(lang, code, "王评", {"S01": "优", "S02": "良", "S03": "差"})
    b = rater_rates(lang, code, "李评", {"S01": "中", "S02": "良", "S03": "差"}, seen="paper")
    assert rows(db, "SELECT count(*) FROM round_scores")[0][0] == 6
    button(lead, t("rt.refresh", lang)).click().run()
    assert any(i.value == t("rt.hidden", lang) for i in lead.info)        # hidden until reveal
    button(lead, t("rt.reveal", lang)).click().run()
    assert_clean(lead)
    units = table(lead, "flag")
    flagged = units[units["flag"] != ""]
    assert list(flagged["station"].str[:3]) == ["S01"]                     # 优 vs 中: two levels apart
    # moderation: rater B moves S01 from 中 to 良 with a reason; the log names B
    b.run()
    assert any(t("rt.moderation", lang) == w.value for w in b.warning)
    rate(b, code, "S01", "良", "site", lang, reason="复核个案档案")
    button(lead, t("rt.refresh", lang)).click().run()
    log = table(lead, "old_level")
    assert log[["rater", "old_level", "new_level"]].values.tolist() == [["李评", "中", "良"]]
    button(lead, t("rt.agree", lang)).click().run()
    assert_clean(lead)
    got = rows(db, "SELECT station_id, level, rater_count, on_site, rated_on FROM ratings WHERE rating_id LIKE "
                   f"'{code}-%' ORDER BY station_id")
    # lower median of two: S01 优/良 -> 良; S02 良/良; S03 差/差. On site: A always, B only after moderation (S01)
    assert got == [("S01", "良", 2, 2, date(2024, 12, 1)), ("S02", "良", 2, 1, date(2024, 12, 1)),
                   ("S03", "差", 2, 1, date(2024, 12, 1))]
    alpha = rows(db, f"SELECT DISTINCT alpha FROM ratings WHERE rating_id LIKE '{code}-%'")
    assert len(alpha) == 1 and 0 < alpha[0][0] <= 1
    assert table(lead, "rating_id").shape[0] == 3
    a.run()
    assert_clean(a)


def test_a_scheme_without_rubric_items_is_refused_in_words(db):
    lead = open_app("zh", "raters")
    lead.selectbox(key="scheme_id").set_value("photo-count").run()
    lead.multiselect(key="rt_stations").set_value(["S01"])
    button(lead, t("rt.start_button", "zh")).click().run()
    assert [e.value for e in lead.error] == [t("rt.err.no_items", "zh")]
    assert rows(db, "SELECT count(*) FROM rating_rounds")[0][0] == 0


def test_a_rater_with_a_wrong_code_is_told_so(db):
    tab = open_app("en", "raters", code="ZZZZZZ")
    tab.text_input(key="rt_join_name").input("Wang")
    button(tab, t("rt.join_button", "en")).click().run()
    assert [e.value for e in tab.error] == [t("rt.err.no_round", "en", code="ZZZZZZ")]


# ---------------------------------------------------------------- Delphi

BASIS = {"practice": "high", "theory": "medium", "peers": "low", "intuition": "low"}


def expert_answers(tab: AppTest, code: str, rnd: int, scores: dict[str, tuple[int, int]], lang: str) -> None:
    for ind, (imp, fea) in scores.items():
        tab.segmented_control(key=f"dp_imp:{code}:{rnd}:{ind}").set_value(imp)
        tab.segmented_control(key=f"dp_fea:{code}:{rnd}:{ind}").set_value(fea)
    tab.radio(key=f"dp_fam:{code}:{rnd}").set_value("familiar")
    for b, v in BASIS.items():
        tab.radio(key=f"dp_basis:{code}:{rnd}:{b}").set_value(v)
    button(tab, t("dp.submit", lang)).click().run()
    assert_clean(tab)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_delphi_study_of_two_rounds_yields_a_saved_draft(db, lang):
    lead = open_app(lang, "delphi")
    assert_clean(lead)
    cands = ["urgent_needs_resolved", "days_to_resolve", "need_linked_activities"]
    lead.multiselect(key="dp_candidates").set_value(cands)
    button(lead, t("dp.start_button", lang)).click().run()
    assert_clean(lead)
    code = lead.session_state["dp_lead"]["code"]
    plan = {"甲": [(5, 5), (4, 4), (2, 4)], "乙": [(5, 4), (5, 4), (3, 3)], "丙": [(4, 5), (5, 5), (2, 4)]}
    experts = {}
    for name, answers in plan.items():
        tab = open_app(lang, "delphi", code=code)
        tab.text_input(key="dp_join_name").input(name)
        button(tab, t("dp.join_button", lang)).click().run()
        expert_answers(tab, code, 1, dict(zip(cands, answers)), lang)
        experts[name] = tab
    button(lead, t("dp.close", lang)).click().run()
    assert_clean(lead)
    stats = table(lead, "f_mean")
    assert stats["mean"].tolist() == ["4.67", "4.67", "2.33"]                 # 14/3, 14/3, 7/3 as printed
    assert stats["flag"].tolist()[:2] == ["", ""] and stats["flag"].tolist()[2]
    assert lead.multiselect(key=f"dp_drop:{code}:1").value == [cands[2]]   # the flagged one is proposed
    button(lead, t("dp.next_round", lang)).click().run()
    assert_clean(lead)
    tab = experts["甲"]
    tab.run()
    captions = " ".join(c.value for c in tab.caption)
    assert t("dp.you_gave", lang, score=5) in captions                     # own answer and the distribution
    assert "4: ▇1" in captions and "5: ▇▇2" in captions                  # round 1: 5, 5, 4
    for name, tab in experts.items():
        tab.run()
        expert_answers(tab, code, 2, dict(zip(cands[:2], plan[name][:2])), lang)
    button(lead, t("dp.close", lang)).click().run()
    lead.text_input(key=f"dp_new_id:{code}").input("needs-met-delphi")
    button(lead, t("dp.save", lang)).click().run()
    assert_clean(lead)
    assert "needs-met-delphi" in saved_ids(db)
    assert lead.session_state["scheme_id"] == "needs-met-delphi"
    from indicators.scheme.model import load_yaml
    yaml = rows(db, "SELECT yaml FROM schemes WHERE scheme_id = 'needs-met-delphi'")[0][0]
    assert [i.id for i in load_yaml(yaml).indicators] == cands[:2]


def test_delphi_refuses_a_half_answered_form(db):
    lead = open_app("zh", "delphi")
    button(lead, t("dp.start_button", "zh")).click().run()
    code = lead.session_state["dp_lead"]["code"]
    tab = open_app("zh", "delphi", code=code)
    tab.text_input(key="dp_join_name").input("专家")
    button(tab, t("dp.join_button", "zh")).click().run()
    button(tab, t("dp.submit", "zh")).click().run()
    first = t("dpw.missing", "zh", what=t("dpw.missing_imp", "zh", name="紧急需求解决率"))   # names what is missing
    assert [e.value for e in tab.error] == [first, first]                # on top, and at the indicator
    assert rows(db, "SELECT count(*) FROM delphi_answers")[0][0] == 0


# ---------------------------------------------------------------- wrong codes: a locked tablet and the lead's lift

def five_wrong_then_the_right_code(lang: str, page: str, prefix: str, code: str, name: str) -> AppTest:
    """A tablet types five codes that name nothing, then the right one: refused, unchecked."""
    tab = open_app(lang, page, code="ZZZZZZ")
    tab.text_input(key=f"{prefix}_join_name").input(name)
    missing = "rt.err.no_round" if prefix == "rt" else "dp.err.no_study"
    for n in range(5):
        tab.text_input(key=f"{prefix}_join_code").input(f"NOPE{n:02d}")
        button(tab, t(f"{prefix}.join_button", lang)).click().run()
        assert [e.value for e in tab.error] == [t(missing, lang, code=f"NOPE{n:02d}")]
    tab.text_input(key=f"{prefix}_join_code").input(code)
    button(tab, t(f"{prefix}.join_button", lang)).click().run()
    assert [e.value for e in tab.error] == [t(f"{prefix}.err.locked_session", lang)]
    assert f"{prefix}_me" not in tab.session_state
    return tab


def lead_lifts(lead: AppTest, prefix: str, lang: str) -> None:
    button(lead, t(f"{prefix}.refresh", lang)).click().run()
    assert [w.value for w in lead.warning] == [t("codes.lock.sessions", lang, n=1)]
    lead.button(key=f"{prefix}_lift").click().run()
    assert_clean(lead)
    assert not lead.warning and t("codes.lifted", lang) in [s.value for s in lead.success]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_tablet_locked_by_wrong_round_codes_gets_in_once_the_lead_lifts_it(db, lang):
    lead, code = lead_starts(lang, ["S01"])
    assert not lead.warning
    tab = five_wrong_then_the_right_code(lang, "raters", "rt", code, "王评")
    assert rows(db, "SELECT kind, count(*) FROM live_attempts GROUP BY kind") == [("raters", 5)]
    lead_lifts(lead, "rt", lang)
    button(tab, t("rt.join_button", lang)).click().run()
    assert_clean(tab)
    assert tab.session_state["rt_me"][code]["name"] == "王评"


def test_a_device_locked_by_wrong_study_codes_gets_in_once_the_facilitator_lifts_it(db):
    lead = open_app("en", "delphi")
    button(lead, t("dp.start_button", "en")).click().run()
    code = lead.session_state["dp_lead"]["code"]
    assert not lead.warning
    tab = five_wrong_then_the_right_code("en", "delphi", "dp", code, "Expert A")
    assert rows(db, "SELECT kind, count(*) FROM live_attempts GROUP BY kind") == [("delphi", 5)]
    lead_lifts(lead, "dp", "en")
    button(tab, t("dp.join_button", "en")).click().run()
    assert_clean(tab)
    assert tab.session_state["dp_me"][code]["name"] == "Expert A"
