"""Residents' evaluation meeting (facilitator, on a tablet or laptop): open a meeting on a station's needs and
activities of the sidebar's period, print the voting codes (one slip per code, each with the QR code of its voting
link), watch the turnout and any lock-out after wrong codes (and lift it), close, reveal; then the results per item,
the station's needs-met score and rank before and after, and the public notice; withdraw the result with a reason,
which puts the scores back. Engine and rules: indicators/live/meeting.py, docs/meeting.md.

Keys live in this tab's session only: st.session_state["mt_lead"] (code, key) and ["mt_codes"] {code: voting codes}.
"""
from __future__ import annotations

from app_pages import auth  # noqa: E402 - first, before anything reads: a page refused stops here
auth.require("live")
from datetime import date

import pandas as pd
import streamlit as st

from app_pages import frame
from app_pages import live_shared as shared
from app_pages import public_notice
from indicators.access import AccessError
from indicators.i18n import LANGS, t
from indicators.live.meeting import MeetingError, MeetingStore
from indicators.outputs import notice
from indicators.outputs.voting_sheet import voting_sheet_html
from indicators.text_safety import plain
from indicators.clock import in_reader_clock

f = frame.current()
L = f.lang
ss = st.session_state
frame.page_header(f, "mt.title", "mt.intro")
PAGE_PATH = "meeting"          # this page's URL path (st.navigation names it after the file)
POLL_SECONDS = 4               # how often the turnout refreshes while the voting is open


def store() -> MeetingStore:
    return shared.store("meeting", f)


def err(exc: MeetingError) -> str:
    return shared.err(exc, "mt", L)


def base_url() -> str:
    return shared.base_url(PAGE_PATH)


def station_name(status_or_row, sid: str) -> str:
    zh, en = status_or_row
    return f"{sid} · {(zh if L == 'zh' else en) or zh or sid}"


def item_label(item: dict) -> str:
    return f"{t('mt.kind.' + item['kind'], L)} {item['id']} · {item['title']}"


# ---------------------------------------------------------------- open or resume

def start() -> None:
    stations = frame.stations(f.db)
    left, right = st.columns([3, 2], gap="large")
    with left, st.container(border=True):
        st.subheader(t("mt.start", L))
        st.markdown(t("mt.period", L, start=f.period.start, end=f.period.end))
        sid = frame.choice(st.selectbox, t("mt.station", L), list(stations.index), key="mt_station",
                           format_func=lambda s: station_name((stations.at[s, "name"], stations.at[s, "name_en"]), s))
        found = store().candidates(sid, f.period)
        items = [{"kind": r.kind, "id": r.id, "title": r.title} for r in found.itertuples()]
        keys = [f"{i['kind']}:{i['id']}" for i in items]
        labels = dict(zip(keys, (item_label(i) for i in items)))
        if not items:
            st.info(t("mt.no_candidates", L))
        # Not a form: the items depend on the station chosen above.
        top = found[found["kind"] == "need"].sort_values("weight", ascending=False, kind="stable").head(5)
        default = [f"need:{i}" for i in top["id"]]
        chosen = st.multiselect(t("mt.items", L), keys, default=default, key=f"mt_items:{sid}:{f.period}",
                                format_func=labels.get, help=t("mt.items_help", L))
        title = st.text_input(t("mt.meeting_title", L), key="mt_title", max_chars=80,
                              placeholder=t("mt.meeting_title_placeholder", L))
        n = st.number_input(t("mt.n_codes", L), min_value=1, max_value=500, value=20, step=1, key="mt_n",
                            help=t("mt.n_codes_help", L))
        if st.button(t("mt.start_button", L), type="primary", icon=":material/play_arrow:", key="mt_start"):
            try:
                mt = store().create(sid, f.period, [tuple(k.split(":", 1)) for k in chosen], int(n), title)
            except MeetingError as exc:
                st.error(err(exc))
            else:
                ss["mt_lead"] = {"code": mt.code, "key": mt.key}
                ss.setdefault("mt_codes", {})[mt.code] = list(mt.vote_codes)
                frame.flash("success", t("mt.started", L, code=mt.code))
                st.rerun()
    with right, st.container(border=True):
        shared.resume_form("mt", L, store().check_key, MeetingError)


# ---------------------------------------------------------------- running

def sheet_panel(status: dict) -> None:
    codes = ss.get("mt_codes", {}).get(status["code"])
    with st.container(border=True):
        st.markdown(f"**{t('mt.sheet', L)}**")
        if not codes:
            st.caption(t("mt.sheet_gone", L))
            return
        st.caption(t("mt.sheet_help", L))
        if "mt_base" not in ss:
            ss["mt_base"] = base_url()
        base = (ss.get("mt_base") or base_url()).strip()
        st.text_input(t("mt.base_url", L), key="mt_base", help=t("mt.base_url_help", L))
        st.download_button(t("mt.sheet_download", L), voting_sheet_html(status, codes, base, L),
                           file_name=f"voting-codes-{status['code']}.html", mime="text/html", key="mt_sheet",
                           icon=":material/print:", on_click="ignore", type="primary")


def counts(code: str, key: str, status: dict) -> None:
    """Codes issued, how many voted, how many answered each item; never what they answered. And wrong codes."""
    shared.lockout_notice(store().lockout(code, key), L, lambda: lift(code, key), key="mt_lift")
    p = store().progress(code, key)
    m1, m2 = st.columns(2)
    m1.metric(t("mt.m.issued", L), p["tokens_issued"], border=True)
    m2.metric(t("mt.m.turnout", L), p["turnout"], border=True)
    if status["state"] == "open":
        st.caption(t("mt.live", L, s=POLL_SECONDS))
    st.info(t("mt.hidden", L))
    st.markdown(f"**{t('mt.answered', L)}**")
    table = pd.DataFrame({"item": [item_label(i) for i in status["items"]], "answered": p["answered"]})
    st.dataframe(table, hide_index=True, width="stretch", key="mt_progress", column_config={
        "item": t("mt.col.item", L),
        "answered": st.column_config.ProgressColumn(t("mt.col.answered", L), format="%d", min_value=0,
                                                    max_value=max(1, p["tokens_issued"]))})


def results(code: str, key: str) -> None:
    s = store().summary(code, key)
    st.subheader(t("mt.results", L))
    m1, m2 = st.columns(2)
    m1.metric(t("mt.m.turnout", L), t("mt.turnout_of", L, turnout=s["turnout"], issued=s["tokens_issued"]),
              border=True)
    m2.metric(t("mt.share_met", L), "—" if s["share_met"] is None else f"{s['share_met']:.1%}", border=True,
              help=t("mt.share_met_help", L))
    table = pd.DataFrame([{"item": item_label(i), "votes": i["votes"], "yes": i["met_yes"], "no": i["met_no"],
                           "unsure": i["met_unsure"], "n_ratings": i["n_ratings"], "rating_mean": i["rating_mean"],
                           "comments": i["comments"]} for i in s["items"]])
    st.dataframe(table, hide_index=True, width="stretch", key="mt_results", column_config={
        "item": t("mt.col.item", L), "votes": t("mt.col.votes", L), "yes": t("mt.col.yes", L),
        "no": t("mt.col.no", L), "unsure": t("mt.col.unsure", L), "n_ratings": t("mt.col.n_ratings", L),
        "rating_mean": st.column_config.NumberColumn(t("mt.col.rating_mean", L), format="%.2f"),
        "comments": t("mt.col.comments", L)})
    scheme = s["scheme_name_zh"] if L == "zh" else s["scheme_name_en"]
    st.subheader(t("mt.score", L, scheme=plain(scheme)))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("mt.score_before", L), f"{s['score_before']:.2f}", border=True)
    c2.metric(t("mt.score_after", L), f"{s['score_after']:.2f}", f"{s['score_after'] - s['score_before']:+.2f}",
              border=True)
    c3.metric(t("mt.rank_before", L), t("mt.rank_of", L, rank=s["rank_before"], n=s["n_stations"]), border=True)
    c4.metric(t("mt.rank_after", L), t("mt.rank_of", L, rank=s["rank_after"], n=s["n_stations"]),
              s["rank_before"] - s["rank_after"], border=True)
    how = store().scoring(code, key)
    st.caption(t("mt.scored_window", L, start=how["scored_from"], end=how["scored_to"], rows=how["feedback_rows"],
                 dated=how["dated_on"], held=s["held_on"]))
    notes = store().comments(code, key)
    with st.expander(t("mt.comments", L, n=len(notes)), icon=":material/chat:"):
        if len(notes):        # a table, not markdown: residents' text is shown as text
            notes["item"] = [item_label(s["items"][p]) for p in notes["item_pos"]]
            st.dataframe(notes[["item", "comment"]], hide_index=True, width="stretch", key="mt_comments",
                         column_config={"item": t("mt.col.item", L), "comment": t("mt.col.comment", L)})
    notice_panel(s)


def notice_panel(summary: dict) -> None:
    """The public notice (公示) of the meeting: who issues it, how residents may object and by when, then the notice to read and to
    download as HTML and print-ready PDF, in either language. Small counts are suppressed by the notice itself."""
    st.subheader(t("mt.notice", L))
    issuer = st.text_input(t("notice.app.issuer", L), key="mt_notice_issuer", max_chars=notice.ISSUER_CHARS,
                           placeholder=t("notice.app.issuer_placeholder", L), help=t("notice.app.issuer_help", L))
    c1, c2, c3 = st.columns([3, 2, 2])
    contact = c1.text_input(t("mt.notice_contact", L), key="mt_notice_contact", max_chars=200,
                            placeholder=t("mt.notice_contact_placeholder", L))
    deadline = c2.date_input(t("mt.notice_deadline", L), value=notice.default_deadline(), min_value=date.today(),
                             key="mt_notice_deadline", format="YYYY-MM-DD")
    lang = frame.choice(c3.segmented_control, t("mt.notice_lang", L), LANGS, key="mt_notice_lang",
                        default=L, required=True, format_func=lambda c: {"zh": "中文", "en": "English"}[c])
    try:   # no issuing body or no contact yet: a message naming what to type
        data = notice.meeting_notice(summary, lang, {"issuer": issuer, "contact": contact, "deadline": deadline})
    except notice.NoticeInput as exc:
        public_notice.refused(exc, L)
        return
    public_notice.show(data, f"notice-{summary['code']}-{lang}", key="mt_notice")


@frame.guarded     # a press during a command-line import: the busy notice, not a traceback
def act(fn, *args) -> None:
    """A button's callback: run the store action; a refusal is shown once on the page that follows."""
    try:
        fn(*args)
    except MeetingError as exc:
        ss["mt_error"] = err(exc)


def reveal(code: str, key: str) -> None:
    store().reveal(code, key, by=auth.name())
    frame.clear_record_caches()       # the feedback records changed


def lift(code: str, key: str) -> None:
    try:
        store().lift(code, key)
    except MeetingError as exc:
        ss["mt_error"] = err(exc)
    else:
        frame.flash("success", t("codes.lifted", L))


@frame.guarded     # a press during a command-line import: the busy notice, not a traceback
def withdraw(code: str, key: str) -> None:
    """The withdraw form's callback: only when confirmed and with a reason."""
    reason, by = ss.get("mt_withdraw_reason", ""), auth.name()
    if not ss.get("mt_withdraw_confirm") or not str(reason).strip():
        ss["mt_error"] = t("mt.withdraw_unconfirmed", L)
        return
    try:
        auth.check("withdraw")
        n = store().withdraw(code, key, reason, by=by)
    except MeetingError as exc:
        ss["mt_error"] = err(exc)
        return
    except AccessError as exc:
        ss["mt_error"] = exc.render(L)
        return
    frame.clear_record_caches()       # the feedback records changed
    frame.flash("success", t("mt.withdrawn_done", L, rows=n))


def withdraw_panel(code: str, key: str) -> None:
    rows = store().scoring(code, key)["feedback_rows"]
    with st.expander(t("mt.withdraw", L), icon=":material/undo:"):
        st.caption(t("mt.withdraw_intro", L, rows=rows))
        with st.form("mt_withdraw_form", border=False):
            st.text_area(t("mt.withdraw_reason", L), key="mt_withdraw_reason", max_chars=500)
            st.caption(t("auth.save_as", L, name=auth.name()))
            st.checkbox(t("mt.withdraw_confirm", L), key="mt_withdraw_confirm")
            st.form_submit_button(t("mt.withdraw_button", L), icon=":material/undo:", on_click=withdraw,
                                  args=(code, key))


def history(code: str, key: str) -> None:
    """The reveal and the withdrawal, each kept; a table, so the reason is shown as text."""
    h = store().history(code, key)
    if h.empty:
        return
    st.markdown(f"**{t('mt.history', L)}**")
    h["event"] = [t(f"mt.event.{e}", L) for e in h["event"]]
    h["at"] = in_reader_clock(h["at"], L)       # Beijing time in Chinese, as the column's name says
    st.dataframe(h, hide_index=True, width="stretch", key="mt_history", column_config={
        "event": t("mt.col.event", L), "at": st.column_config.DatetimeColumn(t("mt.col.at", L),
                                                                             format="YYYY-MM-DD HH:mm"),
        "by": t("mt.col.by", L), "reason": t("mt.col.reason", L), "feedback_rows": t("mt.col.rows", L)})


def lead(code: str, key: str) -> None:
    try:
        status = store().status(code)
    except MeetingError as exc:
        st.error(err(exc))
        ss.pop("mt_lead", None)
        return
    station = station_name((status["station_name_zh"], status["station_name_en"]), status["station_id"])
    st.header(t("mt.header", L, code=code, title=plain(status["title"] or station)))
    st.caption(t("mt.on", L, station=plain(station), start=status["period_start"], end=status["period_end"]))
    state = status["state"]
    {"open": st.success, "closed": st.warning, "revealed": st.info, "withdrawn": st.warning}[state](
        t(f"mt.state.{state}", L))
    shared.code_panel(code, key, "mt", L)
    if state in ("open", "closed"):
        sheet_panel(status)
    b = st.container(horizontal=True)
    # Actions run as callbacks, before the page is drawn: one run shows their outcome (no st.rerun half-way).
    if state == "open":
        b.button(t("mt.close", L), key="mt_close", icon=":material/lock:", on_click=act, args=(store().close, code, key))
    if state == "closed":
        b.button(t("mt.reopen", L), key="mt_reopen", icon=":material/lock_open:", on_click=act,
                 args=(store().reopen, code, key))
    if state in ("open", "closed"):
        b.button(t("mt.reveal", L), key="mt_reveal", type="primary", icon=":material/visibility:",
                 help=t("mt.reveal_help", L), on_click=act, args=(reveal, code, key))
    b.button(t("mt.refresh", L), key="mt_refresh", icon=":material/refresh:")   # the click reruns the page
    b.button(t("mt.leave", L), key="mt_leave", type="tertiary", icon=":material/logout:",
             on_click=lambda: ss.pop("mt_lead", None))
    if "mt_error" in ss:
        st.error(ss.pop("mt_error"))
    if state == "revealed":
        results(code, key)
        if auth.allowed("withdraw"):          # a lead withdraws a result; the callback checks again
            withdraw_panel(code, key)
        history(code, key)
    elif state == "withdrawn":
        history(code, key)
    else:
        # While the voting runs, the counts refresh by themselves (only counts: the answers stay hidden).
        st.fragment(frame.guarded(counts), run_every=POLL_SECONDS if state == "open" else None)(code, key, status)


active = ss.get("mt_lead")
if active:
    lead(active["code"], active["key"])
else:
    start()
