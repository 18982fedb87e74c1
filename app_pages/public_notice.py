"""The Scores page's public notice (公示) section: the objection channel and deadline, a preview of the selected
station's notice, and its HTML and PDF downloads. The notice itself is made in indicators/outputs/notice.py."""
from datetime import date

import streamlit as st

from app_pages import frame
from indicators.errors import InputError
from indicators.i18n import LANGS, t
from indicators.outputs import notice
from indicators.scoring.engine import ScoreResult


def section(f: frame.Frame, result: ScoreResult, station_id: str) -> None:
    L = f.lang
    st.subheader(t("notice.app.title", L))
    st.caption(t("notice.app.intro", L))
    default = t("notice.app.contact_default", L)
    if st.session_state.get("notice_contact") in {t("notice.app.contact_default", x) for x in LANGS} - {default}:
        st.session_state["notice_contact"] = default   # the untouched default follows the language
    c1, c2 = st.columns([3, 1])
    contact = c1.text_input(t("notice.app.contact", L), value=default, max_chars=200,
                            key="notice_contact", help=t("notice.app.contact_help", L))
    deadline = c2.date_input(t("notice.app.deadline", L), value=notice.default_deadline(), key="notice_deadline",
                             min_value=date.today(), format="YYYY-MM-DD")
    try:
        data = notice.round_notice(result, station_id, L, {"contact": contact, "deadline": deadline},
                                   demo=f.kind == "demo")
    except InputError as exc:
        st.error(exc.render(L))
        return
    show(data, f"notice_{station_id}_{result.scheme.id}_{L}")


def show(data: notice.Notice, stem: str, key: str = "notice") -> None:
    """HTML and PDF downloads of a notice (the PDF made when clicked) and its preview; also for a meeting's notice
    (`notice.meeting_notice`), with a `key` of its own when both are on one page."""
    L = data.lang
    html = notice.notice_html(data)
    d1, d2 = st.columns(2)
    d1.download_button(t("notice.app.html", L), html, file_name=f"{stem}.html", mime="text/html",
                       icon=":material/campaign:", key=f"dl_{key}_html", on_click="ignore", width="stretch")
    d2.download_button(t("notice.app.pdf", L), lambda: notice.notice_pdf(data), file_name=f"{stem}.pdf",
                       mime="application/pdf", icon=":material/picture_as_pdf:", key=f"dl_{key}_pdf",
                       on_click="ignore", width="stretch")
    with st.expander(t("notice.app.preview", L), expanded=False):
        st.iframe(html, height=1160)   # in a frame: the notice's own CSS stays inside it
