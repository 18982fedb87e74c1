"""Sign in (evaluators): name and password, or the organisation's identity provider when `.streamlit/secrets.toml`
has an [auth] section (st.login). A one-time link (?signin=TOKEN) signs in before any page runs (app.py). Signed
in, this page says who you are and signs you out. Residents, raters and experts need no account. Failed passwords
count against the name and this browser session (indicators/access/accounts.py: 5 in 10 minutes pause them)."""
import streamlit as st

from app_pages import auth, frame, live_shared
from indicators.access import AccessError
from indicators.i18n import LANGS, t

L = frame.lang()
ss = st.session_state


def set_lang() -> None:
    ss["lang"] = ss["auth_lang"]


if ss.get("auth_lang") != L:
    ss["auth_lang"] = L
top = st.container(horizontal=True, horizontal_alignment="right")
frame.choice(top.segmented_control, "语言 / Language", LANGS, key="auth_lang", required=True, on_change=set_lang,
             label_visibility="collapsed", format_func=lambda c: {"zh": "中文", "en": "English"}[c])
st.title(t("auth.title", L))
frame.show_flash()

problem = ss.pop("_auth_error", None)
if problem is not None:
    st.error(problem.render(L))

me = auth.user()
if me:
    st.success(t("auth.welcome", L, name=me["name"], role=t(f"auth.role.{me['role']}", L)))
    if st.button(t("auth.sign_out", L), key="auth_page_sign_out", icon=":material/logout:"):
        auth.sign_out()
        st.rerun()
    st.stop()

st.caption(t("auth.intro", L))
with st.form("auth_form"):
    who = st.text_input(t("auth.name", L), key="auth_name", max_chars=60)
    password = st.text_input(t("auth.password", L), key="auth_password", type="password", max_chars=200)
    go = st.form_submit_button(t("auth.go", L), type="primary", icon=":material/login:")
if go:
    try:
        found = auth.store(lang=L).sign_in(who, password, session=live_shared.session_id())   # failures count
    except AccessError as exc:
        st.error(exc.render(L))
    else:
        auth._begin(found, L)
        st.rerun()

if auth._oidc_configured():
    unknown = ss.get("_oidc_unknown")
    if unknown:
        st.warning(t("auth.oidc_unknown", L, email=unknown))
    if st.button(t("auth.oidc", L), key="auth_oidc", icon=":material/badge:"):
        st.login()

if auth.is_embedded_demo(frame.db_path()):
    st.info(t("auth.demo_hint", L), icon=":material/terminal:")
st.caption(t("auth.how_accounts", L))
