"""What the two workshop pages share (not a page itself): the store on the app's connection, and words."""
import streamlit as st

from app_pages import frame
from indicators.i18n import has, t
from indicators.live.workshop import WorkshopError, WorkshopStore


@st.cache_resource(show_spinner=False, max_entries=4)
def _store(path: str, con_id: int, _con) -> WorkshopStore:
    """One store per process and connection (it creates its tables once)."""
    return WorkshopStore(_con)


def store(f: frame.Frame) -> WorkshopStore:
    con = frame.connection(f.db, f.lang)
    return _store(f.db, id(con), con)


def err(exc: WorkshopError, lang: str) -> str:
    """A refusal in the reader's language (by its reason code), else the engine's own message."""
    key = f"ws.err.{exc.reason}"
    return t(key, lang, code=exc.details.get("code", ""), msg=str(exc)) if has(key) else str(exc)


def group_name(g: str, lang: str) -> str:
    return t(f"wsg.{g}", lang) if has(f"wsg.{g}") else g
