"""The workshop pages through AppTest: the facilitator page (app_pages/workshop.py) and the participant page
(app_pages/join.py), each session its own AppTest on one temporary demo database (INDICATORS_DB).

AppTest runs the script once per .run(): the live fragment's polling (run_every) does not tick here, so the
facilitator's view is refreshed with another .run(), as a browser's next poll would.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from indicators.scheme import catalog

from indicators.records import queries

from indicators.records import store as records
from indicators.clock import shown_time
from indicators.i18n import t
from indicators.scheme.model import load_yaml
from indicators.live.workshop import WorkshopStore
from tests.test_app import assert_clean, open_app

ROOT = Path(__file__).resolve().parent.parent


def open_page(page: str, lang: str = "en", code: str | None = None) -> AppTest:
    return open_app(lang, page, code)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def start(lang: str = "en", title: str = "Spring round") -> tuple[AppTest, str]:
    fac = open_page("workshop", lang)
    fac.text_input(key="ws_title").input(title)
    button(fac, t("ws.start_button", lang)).click().run()
    assert_clean(fac)
    return fac, fac.session_state["ws_active"]["code"]


def texts(block) -> str:
    """Every proto under a block (what a browser could draw from it), as one text."""
    return " ".join(str(getattr(n, "proto", "")) + texts(n) for n in getattr(block, "children", {}).values())


def assert_key_folded_off_the_projector(fac: AppTest, lang: str) -> None:
    """The facilitator key: never in the main area (the page to project), once in the sidebar, in a folded
    expander that says it is not for the projector, with its warning and a copy button (st.code)."""
    key = fac.session_state["ws_active"]["key"]
    assert key not in texts(fac.main)
    panels = [e for e in fac.sidebar.expander if e.label == t("ws.key_title", lang)]
    assert len(panels) == 1 and not panels[0].proto.expanded
    assert [c.value for c in panels[0].code] == [key]
    assert [w.value for w in panels[0].warning] == [t("ws.key_warning", lang)]
    assert texts(fac.sidebar).count(key) == 1


def metric(at: AppTest, key: str, lang: str = "en") -> int:
    return int(next(m.value for m in at.metric if m.label == t(key, lang)))


def join(code: str, name: str, group: str, lang: str = "en") -> AppTest:
    ph = open_page("join", lang, code=code)
    assert_clean(ph)
    ph.text_input(key="join_name").input(name)
    ph.radio(key="join_group").set_value(group)
    button(ph, t("join.join_button", lang)).click().run()
    assert_clean(ph)
    return ph


def allocate(ph: AppTest, code: str, points: list[int]) -> None:
    keys = [n.key for n in ph.number_input if n.key.startswith(f"jw:{code}:")]
    assert len(keys) == len(points)
    for key, p in zip(keys, points):
        ph.number_input(key=key).set_value(p)
    ph.run()


def saved(path: Path) -> dict:
    con = records.connect(path, read_only=True)   # the app may hold it open: read beside it
    try:
        df = queries.saved_schemes(con)
        return dict(zip(df["scheme_id"], df["yaml"]))
    finally:
        con.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_facilitator_page_renders_in_both_languages(db, lang):
    fac = open_page("workshop", lang)
    assert_clean(fac)
    assert fac.title[0].value == t("ws.title", lang)
    labels = {b.label for b in fac.button}
    assert {t("ws.start_button", lang), t("ws.resume_button", lang)} <= labels
    scheme = catalog.builtin("needs-met")
    assert fac.radio(key="ws_level").options == [t("ws.level.dimension", lang, n=len(scheme.dimensions)),
                                                 t("ws.level.indicator", lang, n=len(scheme.indicators))]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_starting_a_workshop_shows_code_link_and_key(db, lang):
    fac, code = start(lang)
    assert len(code) == 6
    shown = " ".join(m.value for m in fac.markdown)
    assert code in shown                                                   # the big code
    assert any(f"/join?code={code}" in c.value for c in fac.code)           # the link
    assert_key_folded_off_the_projector(fac, lang)
    assert metric(fac, "ws.m.submitted", lang) == 0
    reveal = fac.button(key="ws_reveal")
    assert reveal.disabled                                                  # open: reveal must wait, and says why
    assert any(t("ws.reveal_needs_close", lang) in c.value for c in fac.caption)


def test_participant_joins_allocates_and_the_count_goes_up(db):
    fac, code = start("en")
    ph = join(code, "王阿姨", "residents", lang="zh")
    assert any("王阿姨" in m.value for m in ph.markdown)
    n = len([k for k in ph.number_input if k.key.startswith(f"jw:{code}:")])
    allocate(ph, code, [60, 50] + [0] * (n - 2))                        # 110: too many, cannot send
    assert ph.button(key="join_submit").disabled
    assert any(t("join.total_over", "zh", total=110, over=10) == e.value for e in ph.error)
    allocate(ph, code, [40, 20] + [10] * (n - 2))                           # 100
    assert not ph.button(key="join_submit").disabled
    ph.button(key="join_submit").click().run()
    assert_clean(ph)
    assert any(s.value == t("join.sent", "zh") for s in ph.success)
    assert any("第1次" in c.value for c in ph.caption)                     # "submitted at ..., version 1"
    fac.run()                                                               # the facilitator's next poll
    assert_clean(fac)
    assert metric(fac, "ws.m.joined") == 1 and metric(fac, "ws.m.submitted") == 1
    # a change replaces the earlier submission
    allocate(ph, code, [10, 50] + [10] * (n - 2))
    ph.button(key="join_submit").click().run()
    assert any("第2次" in c.value for c in ph.caption)
    fac.run()
    assert metric(fac, "ws.m.submitted") == 1


def test_scale_to_100_keeps_the_proportions(db):
    _, code = start("en")
    ph = join(code, "Li", "social_workers")
    n = len([k for k in ph.number_input if k.key.startswith(f"jw:{code}:")])
    allocate(ph, code, [10] + [5] * (n - 1))
    ph.button(key="join_scale").click().run()
    values = [k.value for k in ph.number_input if k.key.startswith(f"jw:{code}:")]
    assert sum(values) == 100 and values[0] == max(values)
    assert not ph.button(key="join_submit").disabled


def test_wrong_code_shows_an_error(db):
    ph = open_page("join", "en", code="ZZZZZZ")
    assert not ph.exception
    assert [e.value for e in ph.error] == [t("ws.err.no_workshop", "en", code="ZZZZZZ")]
    assert ph.text_input(key="join_code_input")                            # and asks for the code again


def test_name_taken_shows_an_error(db):
    _, code = start("en")
    join(code, "Wang", "residents")
    ph = open_page("join", "en", code=code)
    ph.text_input(key="join_name").input("wang ")
    ph.radio(key="join_group").set_value("evaluators")
    button(ph, t("join.join_button", "en")).click().run()
    assert not ph.exception
    assert [e.value for e in ph.error] == [t("ws.err.name_taken", "en", code=code)]


def test_closed_workshop_refuses_a_submission_with_a_message(db):
    fac, code = start("en")
    ph = join(code, "Zhang", "community_workers")
    assert not ph.button(key="join_submit").disabled                        # the equal split adds up to 100
    button(fac, t("ws.close", "en")).click().run()                          # the facilitator closes meanwhile
    assert_clean(fac)
    ph.button(key="join_submit").click().run()                              # the phone still showed the button
    assert not ph.exception
    assert [e.value for e in ph.error] == [t("join.not_sent", "en", msg=t("ws.err.closed", "en", code=code))]
    assert any(i.value == t("join.closed", "en") for i in ph.info)
    fac.run()
    assert metric(fac, "ws.m.submitted") == 0


def test_close_reveal_and_save_as_scheme(db):
    fac, code = start("en", title="Chengguan spring")
    people = [("A", "residents", [40, 20, 10, 10, 10, 10]), ("B", "residents", [30, 30, 10, 10, 10, 10]),
              ("C", "social_workers", [10, 10, 20, 20, 20, 20]), ("D", "evaluators", [20, 20, 20, 20, 10, 10])]
    phones = []
    for name, group, points in people:
        ph = join(code, name, group)
        allocate(ph, code, points[:len([k for k in ph.number_input if k.key.startswith(f"jw:{code}:")])])
        ph.button(key="join_submit").click().run()
        assert_clean(ph)
        phones.append(ph)
    fac.run()
    assert metric(fac, "ws.m.submitted") == 4
    assert any(i.value == t("ws.hidden_while_open", "en") for i in fac.info)   # not on the projector yet
    button(fac, t("ws.close", "en")).click().run()
    assert_clean(fac)
    # closed: the weights, the differences, the rankings
    tables = {tuple(d.value.columns) for d in fac.dataframe}
    assert any("workshop" in cols and "photo" in cols for cols in tables)
    assert not fac.button(key="ws_reveal").disabled
    fac.button(key="ws_reveal").click().run()
    assert_clean(fac)
    # the phones now see the aggregate only
    ph = phones[0]
    ph.run()
    assert_clean(ph)
    assert any(s.value == t("join.result", "en") for s in ph.subheader)
    assert not [n for n in ph.number_input if n.key.startswith(f"jw:{code}:")]
    # save as a scheme: a taken id is refused, a new one stored
    fac.text_input(key=f"ws_new_id:{code}").input("needs-met")
    button(fac, t("ws.save_button", "en")).click().run()
    assert [e.value for e in fac.error] == [t("ws.id_taken", "en", id="needs-met")]
    assert saved(db) == {}
    fac.text_input(key=f"ws_new_id:{code}").input("needs-met-spring")
    button(fac, t("ws.save_button", "en")).click().run()
    assert_clean(fac)
    stored = saved(db)
    assert "needs-met-spring" in stored
    scheme = load_yaml(stored["needs-met-spring"])
    assert scheme.provenance.method == "workshop" and code in scheme.provenance.note
    assert fac.session_state["scheme_id"] == "needs-met-spring"             # now the current scheme
    fac.switch_page("app_pages/scores.py").run()
    assert_clean(fac)


def test_resume_with_code_and_key(db):
    con = records.connect(db)
    try:
        ws = WorkshopStore(con).create(catalog.builtin("needs-met"), title="Elsewhere")
    finally:
        con.close()
    fac = open_page("workshop", "zh")
    fac.text_input(key="ws_resume_code").input(ws.code.lower())
    fac.text_input(key="ws_resume_key").input("not the key")
    button(fac, t("ws.resume_button", "zh")).click().run()
    assert [e.value for e in fac.error] == [t("ws.err.wrong_key", "zh", code=ws.code)]
    fac.text_input(key="ws_resume_code").input(ws.code.lower())
    fac.text_input(key="ws_resume_key").input(ws.facilitator_key)
    button(fac, t("ws.resume_button", "zh")).click().run()
    assert_clean(fac)
    assert fac.session_state["ws_active"] == {"code": ws.code, "key": ws.facilitator_key}
    assert fac.header[0].value == t("ws.header", "zh", code=ws.code, title="Elsewhere")


def test_participant_page_language_toggle(db):
    _, code = start("en")
    ph = open_page("join", "en", code=code)
    assert ph.title[0].value == t("join.title", "en")
    ph.segmented_control(key="join_lang").set_value("zh").run()
    assert_clean(ph)
    assert ph.title[0].value == t("join.title", "zh")
    assert ph.session_state["lang"] == "zh"
    assert ph.radio(key="join_group").options[0] == t("wsg.residents", "zh")


def test_indicator_level_workshop_weighs_every_indicator(db):
    fac = open_page("workshop", "zh")
    fac.radio(key="ws_level").set_value("indicator")
    button(fac, t("ws.start_button", "zh")).click().run()
    assert_clean(fac)
    code = fac.session_state["ws_active"]["code"]
    ph = join(code, "周", "civil_affairs", lang="zh")
    scheme = catalog.builtin("needs-met")
    inputs = [n for n in ph.number_input if n.key.startswith(f"jw:{code}:")]
    assert [n.key.rsplit(":", 1)[1] for n in inputs] == [i.id for i in scheme.indicators]
    assert sum(n.value for n in inputs) == 100                              # an equal split to start from
    shown = {m.value for m in ph.markdown}
    assert {f"**{d.name_zh}**" for d in scheme.dimensions} <= shown       # grouped under their dimensions
    ph.button(key="join_submit").click().run()
    assert_clean(ph)
    fac.run()
    assert metric(fac, "ws.m.submitted", "zh") == 1


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_wrong_workshop_codes_lock_new_phones_until_the_facilitator_lifts_it(db, lang, monkeypatch):
    from datetime import timedelta
    from indicators.live import codes as codes_mod
    monkeypatch.setattr(codes_mod, "UNKNOWN_LIMIT", 2)      # the rule, not the number: two wrong codes lock
    fac, code = start(lang)
    quiet = [w.value for w in fac.main.warning]              # nothing of codes (the key's warning is in the sidebar)
    for wrong in ("ZZZZZZ", "ZZZZZY"):                       # two phones, one wrong code each
        assert [e.value for e in open_page("join", lang, code=wrong).error] == [
            t("ws.err.no_workshop", lang, code=wrong)]
    con = records.connect(db, read_only=True, wait=30)
    try:
        first = con.execute("SELECT min(tried_at) FROM live_attempts WHERE kind = 'workshop'").fetchall()[0][0]
    finally:
        con.close()
    fac.run()                                                # the live panel's next poll
    # the lock-out ends an hour after the first wrong code: Beijing time in Chinese, UTC (as stored) in English
    until = shown_time(first + timedelta(hours=1), lang) if lang == "zh" else f"{first + timedelta(hours=1):%H:%M}"
    assert [w.value for w in fac.main.warning] == quiet + [t("codes.lock.unknown.ws", lang, n=2, limit=2, until=until)]
    # a phone with the right code is refused, unchecked, until the facilitator lifts the lock-out
    assert [e.value for e in open_page("join", lang, code=code).error] == [t("ws.err.locked", lang)]
    fac.button(key="ws_lift").click().run()
    assert_clean(fac)
    assert [w.value for w in fac.main.warning] == quiet and t("codes.lifted", lang) in [s.value for s in fac.success]
    join(code, "Ann", "residents", lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_three_people_from_three_groups_are_pooled_and_the_reveal_says_so(db, lang):
    fac, code = start(lang)
    counts = {"residents": 1, "social_workers": 1, "evaluators": 1}
    for k, group in enumerate(counts):
        ph = join(code, f"P{k}", group, lang)
        ph.button(key="join_submit").click().run()
        assert_clean(ph)
    fac.run()
    button(fac, t("ws.close", lang)).click().run()
    assert_clean(fac)
    fac.button(key="ws_reveal").click().run()
    assert_clean(fac)
    sep = "、" if lang == "zh" else ", "
    listed = sep.join(t("ws.group_count", lang, group=t(f"wsg.{g}", lang), n=1) for g in counts)
    captions = [c.value for c in fac.caption]
    assert t("ws.compare.pooled", lang, n=3, groups=3, k=3, counts=listed, other=t("wsg.other", lang)) in captions
    assert not any("只有一个群体" in c or "Only one group" in c for c in captions)
    weights = next(d.value for d in fac.dataframe if "overall" in d.value.columns)
    assert list(weights.columns) == ["item", "overall", "other"]   # no column of withheld numbers
    for d in fac.dataframe:                                         # nothing a browser would print as None or nan
        cells = d.value.astype(str).to_numpy().ravel().tolist()
        assert not d.value.isna().any().any() and not {"None", "nan", "NaN", "<NA>"} & set(cells)
    # the coefficient of variation is withheld with three people, and the page says so in words
    assert t("ws.cv_withheld", lang, n=4) in captions
    assert_key_folded_off_the_projector(fac, lang)
