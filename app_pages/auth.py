"""Who is signed in, and the guard at the top of every page (a module, not a page). The accounts, links and the
roles table are indicators/access; this is their app side.

    user = auth.restore(lang)       # app.py, every run: ?signin=TOKEN (once), st.login's user, a remembered session
    auth.require("read")            # the first line of a page script: a refusal and st.stop() unless allowed
    auth.allowed("import")          # hide what the role may not do
    auth.name()                     # the signed-in name, recorded with saves, imports, reveals, withdrawals

State: st.session_state["_user"] = {"name", "role"} (plain session state on the server: a browser cannot set it);
["_session_token"] the remembered session's token, also kept in this browser's cookie `ind_session` so that a reload
stays signed in (it is checked against the database, hashed, and ends on sign-out, expiry or a disabled account).
Without a user, a page that needs one shows a short refusal and stops before it reads anything.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import streamlit as st

from app_pages import frame
from indicators.access import AccountStore, AccessError, User, can, signin_url
from indicators.access.accounts import LINK_MINUTES, SESSION_HOURS
from indicators.errors import Word
from indicators.i18n import t
from indicators.scoring.measures import Period

COOKIE = "ind_session"
log = logging.getLogger("indicators.app")


@st.cache_resource(show_spinner=False, max_entries=8)
def _store(path: str, con_id: int, _con) -> AccountStore:
    """One account store per process and connection (it creates its tables once)."""
    return AccountStore(_con)


def store(path: str | None = None, lang: str = "en") -> AccountStore:
    path = path or frame.db_path()
    con = frame.connection(path, lang)
    return _store(path, id(con), con)


# ---------------------------------------------------------------- who is signed in

def user() -> dict | None:
    return st.session_state.get("_user")


def role() -> str | None:
    u = user()
    return u["role"] if u else None


def name() -> str:
    """The signed-in user's name: what the change history, imports, reveals and withdrawals record."""
    u = user()
    return u["name"] if u else ""


def allowed(action: str) -> bool:
    return can(role(), action)


def _begin(u: User, lang: str, remember: bool = True) -> None:
    ss = st.session_state
    ss["_user"] = {"name": u.name, "role": u.role}
    if remember:
        token = store(lang=lang).new_session(u)
        ss["_session_token"] = token
        ss["_auth_cookie"] = (token, SESSION_HOURS / 24)
    frame.flash("success", t("auth.welcome", lang, name=u.name, role=t(f"auth.role.{u.role}", lang)))


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:   # noqa: BLE001 - no secrets.toml at all
        return False


def _cookie() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:   # noqa: BLE001 - no browser context
        return None
    return value if isinstance(value, str) and value else None     # (AppTest hands a stand-in object)


def restore(lang: str) -> dict | None:
    """Sign in from what this run brings, once: a one-time link (?signin=TOKEN, removed from the address at once),
    the identity provider's user (st.login) whose email matches an account, or this browser's remembered session.
    Nothing is read from the database when none of these is present."""
    ss = st.session_state
    token = st.query_params.get("signin")
    if token:
        del st.query_params["signin"]
        try:
            _begin(store(lang=lang).use_link(str(token)), lang)
        except AccessError as exc:
            ss["_auth_error"] = exc
    if ss.get("_user"):
        return ss["_user"]
    if _oidc_configured() and getattr(st.user, "is_logged_in", False):
        email = str(st.user.get("email") or "")
        found = store(lang=lang).by_email(email)
        if found:
            _begin(found, lang, remember=False)
            return ss["_user"]
        ss["_oidc_unknown"] = email
    saved = _cookie()
    if saved and ss.get("_cookie_checked") != saved:
        ss["_cookie_checked"] = saved          # a stale cookie is checked once per session, not at every run
        found = store(lang=lang).session_user(saved)
        if found:
            ss["_user"] = {"name": found.name, "role": found.role}
            ss["_session_token"] = saved
    return ss.get("_user")


def write_cookie() -> None:
    """Set (or clear) the remembered-session cookie in this browser, once after it changed."""
    item = st.session_state.pop("_auth_cookie", None)
    if item is None:
        return
    value, days = item
    st.html(f"<script>document.cookie = {json.dumps(f'{COOKIE}={value}')} + "
            f"'; path=/; max-age={int(days * 86400)}; SameSite=Strict';</script>", unsafe_allow_javascript=True)


def sign_out() -> None:
    ss = st.session_state
    try:
        store(lang=frame.lang()).end_session(ss.get("_session_token"))
    finally:
        for k in ("_user", "_session_token", "_frame", "working"):
            ss.pop(k, None)
        ss["_auth_cookie"] = ("", 0)
    if _oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()                      # else the identity provider's cookie would sign the same person in again


def record(action: str, detail: str = "") -> None:
    """Keep who did what (imports) in the access log."""
    store(lang=frame.lang()).log(name(), action, detail)


# ---------------------------------------------------------------- the guard

def refusal(lang: str, signed_in: bool) -> None:
    st.title(t("auth.refused_role_title" if signed_in else "auth.refused_title", lang))
    if signed_in:
        st.warning(t("auth.refused_role", lang, role=t(f"auth.role.{role()}", lang)), icon=":material/block:")
    else:
        st.info(t("auth.refused", lang), icon=":material/lock:")
        st.page_link("app_pages/signin.py", label=t("auth.to_signin", lang), icon=":material/login:")


def require(action: str) -> None:
    """The first line of a page that needs a role: unless this session's user may do `action`, a short refusal,
    and the script stops there (nothing read, nothing drawn)."""
    if allowed(action):
        return
    refusal(frame.lang(), user() is not None)
    st.stop()


def check(action: str) -> None:
    """Inside a page a role may open: refuse one action it may not do (shown by the page's error guard)."""
    if not allowed(action):
        raise AccessError(code="access.not_allowed",
                          params={"role": Word(f"auth.role.{role()}") if role() else "-",
                                  "action": Word(f"auth.action.{action}")})


# ---------------------------------------------------------------- the frame of a session without sign-in

def phone_frame(lang: str) -> frame.Frame:
    """What the phone pages need (the language and the database), without the sidebar and its queries."""
    f = frame.Frame(lang=lang, db=frame.db_path(), kind=None, scheme=frame._builtin(frame.DEFAULT_SCHEME),
                    source="builtin", period=Period(None, None), data_range=(None, None))
    st.session_state["_frame"] = f
    return f


def sidebar(lang: str) -> None:
    u = user()
    with st.sidebar:
        row = st.container(horizontal=True, vertical_alignment="center")
        row.caption(t("auth.signed_in_as", lang, name=u["name"], role=t(f"auth.role.{u['role']}", lang)))
        if row.button(t("auth.sign_out", lang), key="auth_sign_out", type="tertiary", icon=":material/logout:"):
            sign_out()
            st.rerun()


# ---------------------------------------------------------------- the demo

def is_embedded_demo(path: str) -> bool:
    return Path(path).resolve() == frame.DEFAULT_DB.resolve() and frame.meta_kind(path) == "demo"


@st.cache_resource(show_spinner=False)
def _demo_link(path: str) -> str:
    token = store(path).demo_link()
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    url = signin_url(token, f"http://localhost:{st.get_option('server.port')}/{base}")
    print(f"\n  {t('users.demo_console', 'en', minutes=LINK_MINUTES)}\n  "
          f"{t('users.demo_console', 'zh', minutes=LINK_MINUTES)}\n\n  {url}\n", flush=True)
    return url


def demo_console(lang: str) -> None:
    """On the embedded demo database only (built from sample_data/): make or reuse the demo lead and print one
    one-time sign-in link on the console, once per server process. A real database gets no account by itself."""
    path = frame.db_path()
    if Path(path).resolve() != frame.DEFAULT_DB.resolve():
        return
    frame.connection(path, lang)
    if is_embedded_demo(path):
        try:
            _demo_link(path)
        except Exception:   # noqa: BLE001 - the demo's convenience must never stop the app
            log.exception("could not make the demo sign-in link")


__all__ = ["user", "role", "name", "allowed", "restore", "require", "check", "phone_frame", "sign_out", "record"]
