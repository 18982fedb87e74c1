"""Assessment-indicator designer for community social work stations: the Streamlit entry point.

    streamlit run app.py                       # uses ./demo.duckdb, built from sample_data/demo on first start
    INDICATORS_DB=/path/to/records.duckdb streamlit run app.py

The sidebar holds the shared frame (language, current scheme, assessment period); each page in
app_pages/ reads it from app_pages.frame and calls the `indicators` package.
"""
from pathlib import Path

import streamlit as st

from app_pages import auth, frame
from indicators.access import PAGES as NEEDS
from indicators.access import can
from indicators.i18n import t

st.set_page_config(layout="wide", page_title="评估指标设计 · Indicator designer", page_icon=":material/balance:")

lang = frame.lang()
user = None
with frame.guard(lang):
    auth.demo_console(lang)      # the embedded demo only: a one-time sign-in link for its lead, on the console
    user = auth.restore(lang)    # a one-time link, the identity provider's user, or this browser's session
role = user["role"] if user else None
PAGES = [
    ("app_pages/signin.py", "page.signin", ":material/login:"),
    ("app_pages/overview.py", "page.overview", ":material/dashboard:"),
    ("app_pages/records.py", "page.records", ":material/database:"),
    ("app_pages/indicators.py", "page.indicators", ":material/checklist:"),
    ("app_pages/weights.py", "page.weights", ":material/tune:"),
    ("app_pages/scores.py", "page.scores", ":material/leaderboard:"),
    ("app_pages/compare.py", "page.compare", ":material/compare_arrows:"),
    ("app_pages/schemes.py", "page.schemes", ":material/description:"),
    ("app_pages/audit.py", "page.audit", ":material/troubleshoot:"),
    ("app_pages/workshop.py", "page.workshop", ":material/groups:"),
    ("app_pages/join.py", "page.join", ":material/smartphone:"),
    ("app_pages/raters.py", "page.raters", ":material/fact_check:"),
    ("app_pages/delphi.py", "page.delphi", ":material/how_to_vote:"),
    ("app_pages/meeting.py", "page.meeting", ":material/campaign:"),
    ("app_pages/vote.py", "page.vote", ":material/ballot:"),
]




def stem(path: str) -> str:
    return Path(path).stem


def shown(path: str) -> bool:
    """In the navigation: the phone pages always; the sign-in page to someone not signed in; the rest by role.
    Every page stays reachable by its address, where its own guard refuses (auth.require)."""
    if stem(path) == "signin":
        return user is None
    return NEEDS[stem(path)] is None or can(role, NEEDS[stem(path)])


def as_page(path: str, key: str, icon: str):
    # signed in, "/" opens the overview (the two rankings side by side), not the records
    return st.Page(path, title=t(key, lang), icon=icon, visibility="visible" if shown(path) else "hidden",
                   default=user is not None and stem(path) == "overview")


# The first page is the one "/" opens: the sign-in page, or (signed in) the overview.
ORDER = (PAGES[1:] + PAGES[:1] if user else
         [p for p in PAGES if NEEDS[stem(p[0])] is None] + [p for p in PAGES if NEEDS[stem(p[0])] is not None])
page = frame.navigation([as_page(path, key, icon) for path, key, icon in ORDER], lang)

with frame.guard(lang):
    auth.write_cookie()
    if user:
        auth.sidebar(lang)       # who is signed in, and sign out: first in the sidebar
        frame.sidebar()
    else:
        auth.phone_frame(lang)   # no sidebar, no query: the phone pages need only the language and the database
    page.run()
