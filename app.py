"""Assessment-indicator designer for community social work stations: the Streamlit entry point.

    streamlit run app.py                       # uses ./demo.duckdb, built from sample_data/demo on first start
    INDICATORS_DB=/path/to/records.duckdb streamlit run app.py

The sidebar holds the shared frame (language, current scheme, assessment period); each page in
app_pages/ reads it from app_pages.frame and calls the `indicators` package.
"""
import streamlit as st

from app_pages import frame
from indicators.i18n import t

st.set_page_config(layout="wide", page_title="评估指标设计 · Indicator designer", page_icon=":material/balance:")

lang = frame.lang()
PAGES = [
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
page = st.navigation([st.Page(path, title=t(key, lang), icon=icon) for path, key, icon in PAGES])

with frame.guard(lang):
    frame.sidebar()
    page.run()
