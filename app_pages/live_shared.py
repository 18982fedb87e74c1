"""What the live pages share (not a page itself): their engine's store on the app's connection, a refusal in the
reader's language, the app's address and QR codes, a person's own link back, this browser session's id for the
wrong-code limit and the facilitator's lock-out notice."""
import io
import secrets
from urllib.parse import urlsplit

import streamlit as st

from app_pages import frame
from indicators.clock import shown_time
from indicators.i18n import has, t
from indicators.live.delphi import DelphiStore
from indicators.live.meeting import MeetingStore
from indicators.live.raters import RaterStore

STORES = {"raters": RaterStore, "delphi": DelphiStore, "meeting": MeetingStore}
DEFAULT_BASE = "http://localhost:8501"


def base_url(page_path: str) -> str:
    """This app's address as the browser sees it, without the page's own path (`page_path`, as st.navigation names
    the page after its file); else the Host header; else localhost:8501."""
    try:
        url = st.context.url
    except Exception:    # noqa: BLE001 - no browser context (tests)
        url = None
    if not url:
        try:
            host = st.context.headers.get("Host")
        except Exception:   # noqa: BLE001
            host = None
        return f"http://{host}" if host else DEFAULT_BASE
    parts = urlsplit(url)
    if not parts.netloc:
        return DEFAULT_BASE
    path = parts.path.rstrip("/")
    if path.endswith(f"/{page_path}") or path == page_path:
        path = path[: -len(page_path)].rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"


def qr_png(text: str) -> bytes | None:
    """A QR code of `text` as PNG bytes, or None without the segno package."""
    try:
        import segno
    except ImportError:
        return None
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=10, border=2)
    return buf.getvalue()


def personal_link(link: str, lang: str, fresh: bool) -> None:
    """A person's own way back (a rater's or an expert's resume link holding their token): open and marked "keep
    this" right after they join (`fresh`), folded afterwards so it can be shown again on the same browser."""
    with st.expander(t("live.mylink.title", lang), expanded=fresh, icon=":material/bookmark:"):
        if fresh:
            st.warning(t("live.mylink.keep", lang), icon=":material/priority_high:")
        st.caption(t("live.mylink.how", lang))
        st.code(link, language=None, wrap_lines=True)
        png = qr_png(link)
        if png is not None:
            st.image(png, caption=t("live.mylink.qr", lang), width=220)


@st.cache_resource(show_spinner=False, max_entries=8)
def _store(kind: str, path: str, con_id: int, _con):
    """One store per process, kind and connection (it creates its tables once)."""
    return STORES[kind](_con)


def store(kind: str, f: frame.Frame):
    con = frame.connection(f.db, f.lang)
    return _store(kind, f.db, id(con), con)


def err(exc, prefix: str, lang: str) -> str:
    """A refusal by its reason code (`<prefix>.err.<reason>`), else the engine's own message."""
    key = f"{prefix}.err.{exc.reason}"
    return t(key, lang, code=exc.details.get("code", ""), msg=str(exc)) if has(key) else str(exc)


def code_panel(code: str, key: str, prefix: str, lang: str) -> None:
    """The join code, large, how to join (`<prefix>.join_how`), and the lead's key behind an expander."""
    c1, c2 = st.columns([1, 2])
    c1.markdown(f'<div style="font-size:3rem;font-weight:700;letter-spacing:.14em;font-family:ui-monospace,'
                f'Menlo,Consolas,monospace">{code}</div>', unsafe_allow_html=True)
    with c2:
        st.caption(t(f"{prefix}.join_how", lang, code=code))
        with st.expander(t(f"{prefix}.key_title", lang), icon=":material/key:"):
            st.code(key, language=None)


def resume_form(prefix: str, lang: str, check, error) -> None:
    """Resume as the lead from another tab: code and key, checked by `check(code, key)` (returns the clean code);
    the pair is kept in st.session_state[f"{prefix}_lead"]."""
    st.subheader(t(f"{prefix}.resume", lang))
    with st.form(f"{prefix}_resume_form", border=False):
        code = st.text_input(t(f"{prefix}.code", lang), key=f"{prefix}_resume_code", max_chars=12)
        key = st.text_input(t(f"{prefix}.key", lang), key=f"{prefix}_resume_key", type="password")
        go = st.form_submit_button(t(f"{prefix}.resume_button", lang), icon=":material/login:")
    if go:
        try:
            clean = check(code, key.strip())
        except error as exc:
            st.error(err(exc, prefix, lang))
        else:
            st.session_state[f"{prefix}_lead"] = {"code": clean, "key": key.strip()}
            st.rerun()


def session_id() -> str:
    """This browser session's id for the wrong-code limit (indicators/live/codes.py): random, kept in its state."""
    return st.session_state.setdefault("live_session", secrets.token_hex(16))


def lockout_notice(lock, lang: str, lift, key: str, prefix: str = "mt") -> None:
    """What a facilitator sees of wrong codes: a warning while new phones (or some phones) are refused, with a
    button that lifts the lock-out (`lift()`, run as the button's callback); a quiet count otherwise. `prefix`
    names the process (mt, rt, dp, ws), whose words say which codes were wrong."""
    if not lock.any:
        if lock.failures:
            st.caption(t("codes.lock.counted", lang, n=lock.failures, limit=lock.limit))
        return
    lines = []
    if lock.locked:
        lines.append(t("codes.lock.target", lang, n=lock.failures, limit=lock.limit, until=shown_time(lock.until, lang) if lang == "zh" else f"{lock.until:%H:%M}"))
    if lock.unknown_locked:
        words = f"codes.lock.unknown.{prefix}" if has(f"codes.lock.unknown.{prefix}") else "codes.lock.unknown"
        lines.append(t(words, lang, n=lock.unknown_failures, limit=lock.unknown_limit,
                       until=shown_time(lock.unknown_until, lang) if lang == "zh" else f"{lock.unknown_until:%H:%M}"))
    if lock.sessions_locked:
        lines.append(t("codes.lock.sessions", lang, n=lock.sessions_locked))
    st.warning("\n\n".join(lines), icon=":material/block:")
    st.button(t("codes.lift", lang), key=key, icon=":material/lock_open:", help=t("codes.lift_help", lang),
              on_click=frame.guarded(lift))
