"""The Scores page's public notice (公示) section: the issuing body (落款单位), the objection channel and deadline (no
defaults: a notice is signed by someone and names a real phone or address), a preview of the selected station's
notice, and its HTML and PDF downloads. The notice itself is made in indicators/outputs/notice.py."""
from datetime import date

import streamlit as st

from app_pages import frame
from indicators.errors import InputError
from indicators.i18n import t
from indicators.outputs import notice
from indicators.scoring.engine import ScoreResult


def section(f: frame.Frame, result: ScoreResult, station_id: str) -> None:
    L = f.lang
    st.subheader(t("notice.app.title", L))
    st.caption(t("notice.app.intro", L))
    issuer = st.text_input(t("notice.app.issuer", L), max_chars=notice.ISSUER_CHARS, key="notice_issuer",
                           placeholder=t("notice.app.issuer_placeholder", L), help=t("notice.app.issuer_help", L))
    c1, c2 = st.columns([3, 1])
    contact = c1.text_input(t("notice.app.contact", L), max_chars=notice.CONTACT_CHARS, key="notice_contact",
                            placeholder=t("notice.app.contact_placeholder", L), help=t("notice.app.contact_help", L))
    deadline = c2.date_input(t("notice.app.deadline", L), value=notice.default_deadline(), key="notice_deadline",
                             min_value=date.today(), format="YYYY-MM-DD")
    try:
        data = notice.round_notice(result, station_id, L,
                                   {"issuer": issuer, "contact": contact, "deadline": deadline},
                                   demo=f.kind == "demo")
    except InputError as exc:
        refused(exc, L)
        return
    show(data, f"notice_{station_id}_{result.scheme.id}_{L}")


def refused(exc: InputError, L: str) -> None:
    """Why there is no notice yet: an issuing body or a contact still to be typed (said as what to do), or input that
    is wrong (an error). Either way the message names the field."""
    if notice.missing_fields(exc):
        st.warning(exc.render(L), icon=":material/edit_note:")
    else:
        st.error(exc.render(L))


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
