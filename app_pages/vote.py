"""Voting in a residents' evaluation meeting (a resident's phone): opened from the QR code on a voting slip
(?m=MEETING&v=VOTECODE), one item at a time: was the need met (yes / no / unsure), a rating 1-5, an optional
comment; large text and big buttons, nothing to type. Nobody sees a single vote. Engine: indicators/live/meeting.py.

This phone's codes live in its session only: st.session_state["vt_codes"] = (meeting code, voting code), set once
the codes got in. That first check (typed, or the slip's link) is made for this browser session, so wrong codes
count against it and against the meeting and a locked-out phone is refused unchecked (indicators/live/codes.py);
later checks of codes that got in are not counted, so a phone that is voting keeps voting through a lock-out.

A room presses Send at once, so a press does next to nothing: the answer area is a fragment (a tap or a press reruns
only it) that reads nothing from the database; st.session_state["vt_seen"] = {"state", "done"} is what it shows,
read with the ballot at each full run, updated by each Send, read again when a Send is refused. Figures:
docs/meeting.md, "Fifty phones at once".
"""
from __future__ import annotations

import streamlit as st

from app_pages import frame
from app_pages import live_shared as shared
from indicators.clock import shown_date
from indicators.i18n import LANGS, t
from indicators.live.meeting import ANSWERS, MeetingError, MeetingStore
from indicators.text_safety import plain

# Older residents vote here: large text and big buttons.
frame.phone_page("""
[data-testid="stMain"] p, [data-testid="stMain"] label p { font-size: 1.25rem; }
[data-testid="stMain"] [data-testid="stButtonGroup"] button { min-height: 3.4rem; flex: 1 1 0; }
[data-testid="stMain"] [data-testid="stButtonGroup"] button p { font-size: 1.5rem; }
[data-testid="stMain"] .stButton button { min-height: 3.4rem; }
[data-testid="stMain"] .stButton button p { font-size: 1.4rem; }
""")

f = frame.current()
L = f.lang
ss = st.session_state


def set_lang() -> None:
    ss["lang"] = ss["vt_lang"]


if ss.get("vt_lang") != L:
    ss["vt_lang"] = L
top = st.container(horizontal=True, horizontal_alignment="right")
frame.choice(top.segmented_control, "语言 / Language", LANGS, key="vt_lang", required=True, on_change=set_lang,
             label_visibility="collapsed", format_func=lambda c: {"zh": "中文", "en": "English"}[c])
st.title(t("vt.title", L))
RATINGS = (1, 2, 3, 4, 5)


def store() -> MeetingStore:
    return shared.store("meeting", f)


def err(exc: MeetingError) -> str:
    return shared.err(exc, "mt", L)


def enter() -> None:
    """No QR link: type the two codes from the slip."""
    st.markdown(t("vt.enter", L))
    with st.form("vt_enter"):
        m = st.text_input(t("vt.meeting_code", L), key="vt_m", max_chars=12)
        v = st.text_input(t("vt.vote_code", L), key="vt_v", max_chars=12)
        go = st.form_submit_button(t("vt.go", L), type="primary", width="stretch")
    if go:
        if admit(m, v):
            st.rerun()


def admit(m: str, v: str) -> bool:
    """The codes' first check, for this browser session; kept in the session when they got in."""
    try:
        b = store().ballot(m, v, session=shared.session_id())
    except MeetingError as exc:
        st.error(err(exc))
        return False
    ss["vt_codes"] = (b["code"], v.strip())
    return True


def ballot(m: str, v: str) -> None:
    """The meeting's title and station, then its answer area. The codes are checked again at every full run (the
    page opening, a language switch); a press reruns only the answer area."""
    try:
        b = store().ballot(m, v)
    except MeetingError as exc:
        st.error(err(exc))
        ss.pop("vt_codes", None)
        enter()
        return
    name = b["station_name_zh" if L == "zh" else "station_name_en"] or b["station_id"]
    st.markdown(f"### {plain(b['title']) or t('mt.title', L)}\n{plain(name)}")   # titles and names as written
    st.info(t("vt.private", L), icon=":material/lock:")
    ss["vt_seen"] = {"state": b["state"], "done": frozenset(b["done"])}
    answers(m, v, b["items"])


@st.fragment
def answers(m: str, v: str, items: list[dict]) -> None:
    """The item to answer, its answers and Send / Skip. A fragment: a press reruns this alone, and it reads nothing
    from the database; which items are done and whether the voting is open are kept in ss["vt_seen"] (read at the
    full run, updated by each Send, read again when a Send is refused)."""
    frame.whole_after_retry()
    if "vt_codes" not in ss:               # a Send found the codes no longer valid: back to typing them in
        st.rerun()
    problem()
    seen = ss["vt_seen"]
    if seen["state"] != "open":
        st.success(t("vt.closed", L))
        return
    left = [n for n in range(len(items)) if n not in seen["done"]]
    if not left:
        st.success(t("vt.thanks", L))
        st.markdown(t("vt.thanks_more", L))
        return
    pos = left[0]
    item = items[pos]
    st.progress(len(seen["done"]) / len(items), text=t("vt.item_of", L, n=pos + 1, total=len(items)))
    st.subheader(plain(item["title"]))
    st.caption(t(f"vt.about.{item['kind']}", L, on=shown_date(item.get("on", ""), L)))
    st.segmented_control(t(f"vt.{item['kind']}_q", L), ANSWERS, key=f"vt_met:{m}:{pos}", width="stretch",
                         format_func=lambda a: t(f"vt.met.{a}", L))
    st.segmented_control(t("vt.rating_q", L), RATINGS, key=f"vt_rating:{m}:{pos}", width="stretch")
    with st.expander(t("vt.comment", L), icon=":material/edit:"):
        st.text_area(t("vt.comment", L), key=f"vt_comment:{m}:{pos}", max_chars=300, label_visibility="collapsed")
    # The answer is sent by the button's callback, before the area is drawn: the next item follows in one run.
    st.button(t("vt.send", L), type="primary", width="stretch", key=f"vt_send:{m}:{pos}", on_click=send,
              args=(m, v, pos, True))
    st.button(t("vt.skip", L), type="tertiary", width="stretch", key=f"vt_skip:{m}:{pos}", on_click=send,
              args=(m, v, pos, False))


@frame.guarded     # a press while another program holds the database: the notice, not a traceback
def send(m: str, v: str, pos: int, answered: bool) -> None:
    met, rating = ss.get(f"vt_met:{m}:{pos}"), ss.get(f"vt_rating:{m}:{pos}")
    if answered and met is None and rating is None:
        ss["vt_problem"] = ("warning", t("vt.pick_one", L))
        return
    try:
        if answered:
            store().vote(m, v, pos, met, rating, ss.get(f"vt_comment:{m}:{pos}", ""))
        else:
            store().vote(m, v, pos, None, None)
    except MeetingError as exc:
        ss["vt_problem"] = ("error", err(exc))
        refresh(m, v)
    else:
        seen = ss["vt_seen"]
        ss["vt_seen"] = {**seen, "done": seen["done"] | {pos}}


def problem() -> None:
    """What the last Send refused, once."""
    if "vt_problem" in ss:
        kind, text = ss.pop("vt_problem")
        (st.warning if kind == "warning" else st.error)(text)


def refresh(m: str, v: str) -> None:
    """After a refused Send: what the database says now (closed, answered from another phone, codes gone)."""
    try:
        b = store().ballot(m, v)
    except MeetingError:
        ss.pop("vt_codes", None)
    else:
        ss["vt_seen"] = {"state": b["state"], "done": frozenset(b["done"])}


link = (str(st.query_params.get("m") or ""), str(st.query_params.get("v") or ""))
if "vt_codes" not in ss and all(link) and ss.get("vt_link_tried") != link:
    admit(*link)                        # a busy database stops the run here: the link is checked again after Retry
    ss["vt_link_tried"] = link          # a wrong link is checked once, not again at every rerun of the page
if "vt_codes" in ss:
    ballot(*ss["vt_codes"])
else:
    problem()
    enter()
