"""Who sees what in the app (AppTest): without sign-in every page but the phone pages refuses, shows no station and
reads nothing from the database; the phone pages ask for a code and refuse a wrong one; each role reaches exactly
the pages of the roles table (indicators/access/roles.py); the name recorded with a save is the signed-in one.

These tests set the session's user themselves: they are marked `signed_out` (tests/conftest.py signs every other
AppTest in as a lead)."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from indicators.access import PAGES, AccountStore, can
from indicators.i18n import t
from indicators.records import store as records
from tests.test_app import assert_clean

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.signed_out
GUARDED = [p for p, a in PAGES.items() if a is not None]


def station_names(path: Path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [n for row in con.execute("SELECT name, name_en FROM stations").fetchall() for n in row if n]
    finally:
        con.close()


def shown_text(at: AppTest) -> str:
    """Every value the page drew (tables as text), to look for a station's name in."""
    out = []

    def walk(node):
        value = getattr(node, "value", None)
        if value is not None:
            out.append(value.to_string() if hasattr(value, "to_string") else str(value))
        for attr in ("label", "body"):
            if isinstance(getattr(node, attr, None), str):
                out.append(getattr(node, attr))
        out.append(str(getattr(node, "proto", "")))
        for child in getattr(node, "children", {}).values():
            walk(child)
    walk(at._tree)
    return "\n".join(out)


@pytest.fixture
def connects(monkeypatch):
    """Every duckdb.connect made while the app runs (the records Store and the stores all open through it)."""
    calls = []
    real = duckdb.connect

    def counted(*args, **kwargs):
        calls.append(args[0] if args else kwargs.get("database"))
        return real(*args, **kwargs)
    monkeypatch.setattr(duckdb, "connect", counted)
    return calls


def app(lang: str, user: dict | None = None, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.context["locale"] = "zh-CN" if lang == "zh" else "en-US"
    for k, v in params.items():
        at.query_params[k] = v
    if user:
        at.session_state["_user"] = user
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_guarded_page_refuses_without_sign_in_and_reads_nothing(db, connects, lang):
    names = station_names(db)
    connects.clear()
    at = app(lang)
    at.run()
    assert_clean(at)
    assert t("auth.title", lang) in [x.value for x in at.title]          # "/" opens the sign-in page
    for page in GUARDED:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert [x.value for x in at.title] == [t("auth.refused_title", lang)], page
        assert t("auth.refused", lang) in [i.value for i in at.info], page
        text = shown_text(at)
        assert not [n for n in names if n in text], page
        assert not at.sidebar.selectbox and not at.dataframe and not at.button and not at.text_input, page
    assert connects == [], connects                 # not one connection: no query ran, signed out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_phone_pages_without_sign_in_ask_for_a_code_and_refuse_a_wrong_one(db, lang):
    names = station_names(db)
    cases = [("join", {}), ("join", {"code": "ZZZZZZ"}), ("vote", {}), ("vote", {"m": "ZZZZZZ", "v": "ABCDEF"}),
             ("raters", {}), ("raters", {"code": "ZZZZZZ"}), ("delphi", {}), ("delphi", {"code": "ZZZZZZ"})]
    for page, params in cases:
        at = app(lang, **params)
        at.run()
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, params, [e.value for e in at.exception])
        text = shown_text(at)
        assert not [n for n in names if n in text], (page, params)
        assert not at.sidebar.selectbox and not at.dataframe, (page, params)
        # the lead's side of a rating round or expert study is not offered: no role switch, no "start" form
        assert not at.segmented_control or page in ("join", "vote"), (page, [s.label for s in at.segmented_control])
        assert not [f for f in at.get("form") if "start" in str(getattr(f, "proto", ""))], (page, params)
        if params and page in ("join", "vote"):
            assert at.error, (page, params)              # a wrong code is refused, in the page's words


def test_a_bad_sign_in_link_is_refused_and_leaves_the_address(db):
    at = app("en", signin="not-a-token")
    at.run()
    assert "signin" not in at.query_params
    assert t("err.access.link", "en") in [e.value for e in at.error]
    assert "_user" not in at.session_state


def lead_with_a_link(db) -> str:
    """The account 王组长 (lead, password p4ssword!) and a one-time link's token for it."""
    con = duckdb.connect(str(db))
    try:
        store = AccountStore(con)
        store.add("王组长", "lead", password="p4ssword!")
        return store.link("王组长")
    finally:
        con.close()


def sign_in(at: AppTest, name: str, password: str) -> list[str]:
    """Send the sign-in form; the errors it shows."""
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_password").input(password)
    at.get("form_submit_button")[0].click().run()
    return [e.value for e in at.error]


def test_a_link_signs_in_once_and_the_password_form_signs_in(db):
    token = lead_with_a_link(db)
    at = app("zh", signin=token)
    at.run()
    assert_clean(at)
    assert at.session_state["_user"] == {"name": "王组长", "role": "lead"}
    assert "signin" not in at.query_params
    again = app("zh", signin=token)
    again.run()
    assert "_user" not in again.session_state and t("err.access.link_used", "zh") in [e.value for e in again.error]
    form = app("en")
    form.run()
    assert t("err.access.wrong", "en") in sign_in(form, "王组长", "wrong-pass") and "_user" not in form.session_state
    sign_in(form, "王组长", "p4ssword!")
    assert form.session_state["_user"]["name"] == "王组长"


def test_five_wrong_passwords_pause_the_name_everywhere_and_a_link_still_signs_in(db):
    from indicators.access.accounts import FAIL_LIMIT, FAIL_WINDOW
    token = lead_with_a_link(db)
    form = app("en")
    form.run()
    for n in range(FAIL_LIMIT):
        assert sign_in(form, "王组长", f"wrong-{n}") == [t("err.access.wrong", "en")]
    ro = records.connect(db, read_only=True, wait=30)
    try:
        first = ro.execute("SELECT min(failed_at) FROM signin_failures").fetchall()[0][0]
    finally:
        ro.close()
    words = {"limit": FAIL_LIMIT, "minutes": 10, "until": f"{first + FAIL_WINDOW:%H:%M}"}
    # the right password now, from this browser and from another one, is refused in words that do not say whether
    # the name exists; nobody is signed in
    assert sign_in(form, "王组长", "p4ssword!") == [t("err.access.locked", "en", **words)]
    other = app("zh")
    other.run()
    beijing = {**words, "until": f"{first + FAIL_WINDOW + timedelta(hours=8):%H:%M}"}   # UTC+8, no summer time
    assert sign_in(other, "王组长", "p4ssword!") == [t("err.access.locked", "zh", **beijing)]
    assert "_user" not in form.session_state and "_user" not in other.session_state
    # a one-time link still signs the locked-out lead in
    by_link = app("zh", signin=token)
    by_link.run()
    assert_clean(by_link)
    assert by_link.session_state["_user"] == {"name": "王组长", "role": "lead"}


@pytest.mark.parametrize("role", ["evaluator", "facilitator", "lead"])
def test_each_role_reaches_exactly_its_pages(db, role):
    at = app("en", {"name": f"test-{role}", "role": role})
    at.run()
    assert_clean(at)
    for page in GUARDED:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (role, page, [e.value for e in at.exception])
        refused = t("auth.refused_role_title", "en") in [x.value for x in at.title]
        assert refused == (not can(role, PAGES[page])), (role, page)
        if refused:
            assert t("auth.refused_role", "en", role=t(f"auth.role.{role}", "en")) in [w.value for w in at.warning]
    at.switch_page("app_pages/records.py").run()
    uploads = [u for u in at.get("file_uploader")]
    assert bool(uploads) == can(role, "import"), role          # only a lead is offered the import
    for page, who in (("raters", "rt_role"), ("delphi", "dp_role")):
        at.switch_page(f"app_pages/{page}.py").run()
        has_switch = any(s.key == who for s in at.segmented_control)
        assert has_switch == can(role, "live"), (role, page)


def test_a_save_records_the_signed_in_name_and_an_evaluator_may_not_save(db):
    from tests.test_app import saved_ids
    for role, name in (("evaluator", "an evaluator"), ("lead", "李组长")):
        at = app("en", {"name": name, "role": role})
        at.run()
        at.switch_page("app_pages/schemes.py").run()
        at.button(key="clone_go").click().run()
        assert_clean(at)
        assert t("auth.save_as", "en", name=name) in [c.value for c in at.caption]
        assert not [ti for ti in at.text_input if ti.key == "saved_by"]     # no typed name any more
        at.button(key="save_go").click().run()
        if role == "evaluator":
            assert [e.value for e in at.error] and not [s for s in saved_ids(db) if "copy" in s]
        else:
            assert_clean(at)
            con = records.connect(db, read_only=True)     # waits while the app lets go of the file
            try:
                users = [r[0] for r in con.execute("SELECT \"user\" FROM scheme_audit").fetchall()]
            finally:
                con.close()
            assert users and set(users) == {"李组长"}


def test_sign_out_ends_the_session_and_its_remembered_token(db):
    con = duckdb.connect(str(db))
    try:
        token = AccountStore(con).link(AccountStore(con).add("周组长", "lead").name)
    finally:
        con.close()
    at = app("en", signin=token)
    at.run()
    remembered = at.session_state["_session_token"]
    assert sessions_with(db, remembered) == 1
    at.switch_page("app_pages/scores.py").run()
    assert_clean(at)
    at.sidebar.button(key="auth_sign_out").click().run()
    assert "_user" not in at.session_state
    at.switch_page("app_pages/scores.py").run()
    assert [x.value for x in at.title] == [t("auth.refused_title", "en")]
    assert sessions_with(db, remembered) == 0


def sessions_with(db, token: str) -> int:
    con = records.connect(db, read_only=True)
    try:
        return con.execute("SELECT count(*) FROM signin_sessions WHERE token_hash = sha256(?)", [token]).fetchone()[0]
    finally:
        con.close()


def test_the_identity_providers_user_signs_in_with_the_role_of_the_matching_account(db):
    con = duckdb.connect(str(db))
    try:
        AccountStore(con).add("吴评估员", "evaluator", email="wu@example.org")
    finally:
        con.close()
    auth = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test", "client_id": "x",
            "client_secret": "y", "server_metadata_url": "https://id.example.org/.well-known/openid-configuration"}
    at = app("en")
    at.secrets["auth"] = auth
    at.user = {"is_logged_in": True, "email": "WU@example.org"}
    at.run()
    assert_clean(at)
    assert at.session_state["_user"] == {"name": "吴评估员", "role": "evaluator"}
    stranger = app("en")
    stranger.secrets["auth"] = auth
    stranger.user = {"is_logged_in": True, "email": "nobody@example.org"}
    stranger.run()
    assert "_user" not in stranger.session_state
    assert t("auth.oidc_unknown", "en", email="nobody@example.org") in [w.value for w in stranger.warning]
    assert t("auth.oidc", "en") in [b.label for b in stranger.button]


def test_the_embedded_demo_prints_a_one_time_link_for_its_lead_and_a_real_database_gets_no_account(
        tmp_path, monkeypatch, capsys, db):
    import re

    import streamlit as st

    from app_pages import frame
    demo = tmp_path / "embedded" / "demo.duckdb"
    demo.parent.mkdir()
    monkeypatch.setattr(frame, "DEFAULT_DB", demo)
    monkeypatch.delenv("INDICATORS_DB")
    try:
        at = app("en")
        at.run()                                            # builds the demo, makes demo-lead, prints one link
        assert_clean(at)
        assert t("auth.demo_hint", "en") in [i.value for i in at.info]
        printed = capsys.readouterr().out
        (url,) = re.findall(r"http://localhost:\d+/\?signin=(\S+)", printed)
        assert t("users.demo_console", "en", minutes=15) in printed
        again = app("en")
        again.run()                                         # a second session: the same link, not a new one
        assert not re.findall(r"signin=", capsys.readouterr().out)
        signed = app("en", signin=url)
        signed.run()
        assert signed.session_state["_user"] == {"name": "demo-lead", "role": "lead"}
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
    monkeypatch.setenv("INDICATORS_DB", str(db))            # a real database (not the embedded demo's path)
    at = app("en")
    at.run()
    assert t("auth.demo_hint", "en") not in [i.value for i in at.info]
    con = records.connect(db, read_only=True)
    try:
        assert not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'users'").fetchone()[0]
    finally:
        con.close()
