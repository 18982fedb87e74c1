"""Rating round (third-party raters, on a tablet): the lead evaluator opens a round on stations and the current
scheme's rubric items and gives the raters its code; each rater walks through a station's items (level with its
descriptor, evidence note, seen on site or only on paper). Levels stay hidden until the lead reveals them; then the
panel sees agreement (Krippendorff's alpha), the items two levels apart, and moderates (each change logged with a
reason); the agreed levels land in `ratings`. Engine and formulas: indicators/live/raters.py, docs/raters.md.

Keys live in this tab's session only: st.session_state["rt_lead"] (code, key) and ["rt_me"] {code: token, name}.
A rater's join is checked for this browser session, so wrong round codes count against it and a locked tablet is
refused unchecked (indicators/live/codes.py); the lead sees the lock-out and lifts it.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import auth, frame
from app_pages import live_shared as shared
from indicators.i18n import pick, t
from indicators.live.raters import SEEN, RaterError, RaterStore
from indicators.text_safety import plain

f = frame.current()
L = f.lang
ss = st.session_state
frame.page_header(f, "rt.title", "rt.intro")


def store() -> RaterStore:
    return shared.store("raters", f)


def err(exc: RaterError) -> str:
    return shared.err(exc, "rt", L)


def name_of(item: dict) -> str:
    return (item["name_zh"] if L == "zh" else item["name_en"]) or item["id"]


def level_label(lv: dict) -> str:
    label = lv["label_zh"] if L == "zh" else lv["label_en"]
    return lv["value"] if label in ("", lv["value"]) else f"{lv['value']} · {label}"


def station_label(status: dict, sid: str) -> str:
    zh, en = status["station_names"].get(sid, (sid, sid))
    return f"{sid} · {(zh if L == 'zh' else en) or zh or sid}"


# ---------------------------------------------------------------- lead

def start() -> None:
    stations = frame.stations(f.db)
    left, right = st.columns([3, 2], gap="large")
    with left, st.container(border=True):
        st.subheader(t("rt.start", L))
        st.markdown(t("rt.start_on", L, scheme=plain(pick(f.scheme, L)), id=f.scheme.id))
        with st.form("rt_start_form", border=False):
            title = st.text_input(t("rt.round_title", L), key="rt_title", max_chars=80)
            chosen = st.multiselect(t("rt.stations", L), list(stations.index), key="rt_stations",
                                    format_func=lambda s: f"{s} · {stations.at[s, 'name']}")
            rated_on = st.date_input(t("rt.rated_on", L), value=f.period.end, key="rt_rated_on",
                                     help=t("rt.rated_on_help", L), format="YYYY-MM-DD")
            go = st.form_submit_button(t("rt.start_button", L), type="primary", icon=":material/play_arrow:")
        if go:
            try:
                rnd = store().create(f.scheme, chosen, rated_on, title)
            except RaterError as exc:
                st.error(err(exc))
            else:
                ss["rt_lead"] = {"code": rnd.code, "key": rnd.lead_key}
                frame.flash("success", t("rt.started", L, code=rnd.code))
                st.rerun()
    with right, st.container(border=True):
        shared.resume_form("rt", L, store().check_lead, RaterError)


def alpha_text(a) -> str:
    return "—" if a is None else f"{a:.3f}"


def agreement_panel(code: str, key: str, status: dict) -> None:
    res = store().result(code, key)
    items = {i["id"]: i for i in status["items"]}
    st.subheader(t("rt.agreement", L))
    m1, m2, m3 = st.columns(3)
    m1.metric(t("rt.alpha_overall", L), alpha_text(res["alpha"]), border=True, help=t("rt.alpha_help", L))
    m2.metric(t("rt.alpha_first", L), alpha_text(res["first_alpha"]), border=True)
    m3.metric(t("rt.flagged", L), int(res["units"]["flagged"].sum()), border=True, help=t("rt.flagged_help", L))
    per_item = pd.DataFrame([{"item": name_of(items[i]), "first": alpha_text(res["first_item_alpha"].get(i)),
                              "now": alpha_text(a)} for i, a in res["item_alpha"].items()])
    st.dataframe(per_item, hide_index=True, width="stretch", key="rt_item_alpha", column_config={
        "item": t("rt.col.item", L), "first": t("rt.col.alpha_first", L), "now": t("rt.col.alpha_now", L)})
    scores = store().scores(code, key)
    wide = scores.pivot_table(index=["station_id", "item"], columns="rater", values="level", aggfunc="first")
    units = res["units"].set_index(["station_id", "item"])
    table = units.join(wide).reset_index()
    table.insert(0, "station", [station_label(status, s) for s in table["station_id"]])
    table["item"] = [name_of(items[i]) for i in table["item"]]
    table["flag"] = ["⚠ " + t("rt.flag_mark", L) if x else "" for x in table["flagged"]]
    cols = ["station", "item", *res["raters"], "spread", "flag", "level", "on_site", "n"]
    st.dataframe(table[cols], hide_index=True, width="stretch", key="rt_units", column_config={
        "station": t("rt.col.station", L), "item": t("rt.col.item", L),
        "spread": st.column_config.NumberColumn(t("rt.col.spread", L), format="%d"),
        "flag": t("rt.col.flag", L), "level": t("rt.col.agreed", L),
        "on_site": st.column_config.NumberColumn(t("rt.col.on_site", L), format="%d"),
        "n": st.column_config.NumberColumn(t("rt.col.n", L), format="%d")})
    st.caption(t("rt.rule", L))
    log = store().changes(code, key)
    with st.expander(t("rt.log", L, n=len(log)), icon=":material/history:"):
        if log.empty:
            st.caption(t("rt.log_empty", L))
        else:
            log["item"] = [name_of(items[i]) for i in log["item"]]
            st.dataframe(log, hide_index=True, width="stretch", key="rt_log", column_config={
                "rater": t("rt.col.rater", L), "station_id": t("rt.col.station", L), "item": t("rt.col.item", L),
                "old_level": t("rt.col.old", L), "new_level": t("rt.col.new", L), "reason": t("rt.col.reason", L),
                "changed_at": st.column_config.DatetimeColumn(t("rt.col.when", L), format="YYYY-MM-DD HH:mm")})


def lift(code: str, key: str) -> None:
    """The lift button's callback: new tablets may type codes again, locked ones are free."""
    try:
        store().lift(code, key, by=auth.name())
    except RaterError as exc:
        ss["rt_error"] = err(exc)
    else:
        frame.flash("success", t("codes.lifted", L))


def lead(code: str, key: str) -> None:
    try:
        status = store().status(code)
    except RaterError as exc:
        st.error(err(exc))
        ss.pop("rt_lead", None)
        return
    st.header(t("rt.header", L, code=code, title=plain(status["title"] or status["scheme_id"])))
    state = status["state"]
    {"open": st.success, "revealed": st.warning, "agreed": st.info}[state](t(f"rt.state.{state}", L))
    shared.code_panel(code, key, "rt", L)
    m1, m2, m3 = st.columns(3)
    m1.metric(t("rt.m.raters", L), status["n_raters"], border=True)
    m2.metric(t("rt.m.scores", L), status["n_scores"], border=True)
    m3.metric(t("rt.m.units", L), status["n_units"], border=True)
    shared.lockout_notice(store().lockout(code, key), L, lambda: lift(code, key), key="rt_lift", prefix="rt")
    if "rt_error" in ss:
        st.error(ss.pop("rt_error"))
    b = st.container(horizontal=True)
    try:
        if state == "open" and b.button(t("rt.reveal", L), key="rt_reveal", type="primary",
                                        icon=":material/visibility:", disabled=not status["n_scores"]):
            store().reveal(code, key)
            st.rerun()
        if state == "revealed" and b.button(t("rt.reopen", L), key="rt_reopen", icon=":material/lock_open:"):
            store().reopen(code, key)
            st.rerun()
        if state in ("revealed", "agreed") and b.button(t("rt.agree", L), key="rt_agree", type="primary",
                                                        icon=":material/task_alt:", help=t("rt.agree_help", L)):
            written = store().agree(code, key)
            frame.clear_record_caches()
            ss["rt_written"] = written
            st.rerun()
        b.button(t("rt.refresh", L), key="rt_refresh", icon=":material/refresh:")   # the click reruns the page
        if b.button(t("rt.leave", L), key="rt_leave", type="tertiary", icon=":material/logout:"):
            ss.pop("rt_lead", None)
            st.rerun()
    except RaterError as exc:
        st.error(err(exc))
    if state == "open":
        st.info(t("rt.hidden", L))
    else:
        agreement_panel(code, key, status)
    written = ss.get("rt_written")
    if written is not None and len(written) and written["rating_id"].iloc[0].startswith(code):
        st.subheader(t("rt.written", L, n=len(written)))
        st.dataframe(written, hide_index=True, width="stretch", key="rt_written_table")


# ---------------------------------------------------------------- rater

def rater_join() -> tuple[str, dict] | None:
    code = str(st.query_params.get("code") or ss.get("rt_code") or "").strip().upper()
    with st.form("rt_join_form"):
        code_in = st.text_input(t("rt.code", L), value=code, key="rt_join_code", max_chars=12)
        name = st.text_input(t("rt.your_name", L), key="rt_join_name", max_chars=40, help=t("rt.your_name_help", L))
        go = st.form_submit_button(t("rt.join_button", L), type="primary", width="stretch", icon=":material/login:")
    if go:
        try:
            me = store().join(code_in, name, session=shared.session_id())   # wrong codes count
        except RaterError as exc:
            st.error(err(exc))
            return None
        ss.setdefault("rt_me", {})[me.code] = {"token": me.token, "name": me.name}
        ss["rt_code"] = me.code
        st.rerun()
    return None


def distribution(status: dict, scores: pd.DataFrame, sid: str, item: dict) -> str:
    """How the panel rated this station's item, anonymously: level x count."""
    mine = scores[(scores["station_id"] == sid) & (scores["item"] == item["id"])]
    counts = mine["level"].value_counts()
    parts = [f"{lv['value']} × {int(counts.get(lv['value'], 0))}" for lv in reversed(item["levels"])]
    return t("rt.panel_levels", L, levels=" · ".join(parts))


def rate_station(code: str, me: dict, status: dict) -> None:
    sid = frame.choice(st.selectbox, t("rt.station", L), status["stations"], key=f"rt_station:{code}",
                       format_func=lambda s: station_label(status, s))
    mine = store().mine(code, me["token"])
    done = mine.groupby("station_id").size()
    n_items = len(status["items"])
    st.caption(t("rt.progress", L, done=int((done >= n_items).sum()), total=len(status["stations"])))
    revealed = status["state"] == "revealed"
    panel = store().scores(code, token=me["token"]) if revealed else None
    if status["state"] == "agreed":
        st.info(t("rt.state.agreed", L))
        return
    if revealed:
        st.warning(t("rt.moderation", L))
    with st.form(f"rt_form:{code}:{sid}"):
        answers = {}
        for item in status["items"]:
            st.subheader(plain(name_of(item)))
            prev = mine[(mine["station_id"] == sid) & (mine["item"] == item["id"])]
            prev = prev.iloc[0] if len(prev) else None
            values = [lv["value"] for lv in reversed(item["levels"])]      # best first, as a rubric reads
            by_value = {lv["value"]: lv for lv in item["levels"]}
            if revealed:
                st.caption(distribution(status, panel, sid, item))
            level = st.radio(t("rt.level", L), values, key=f"rt_lv:{code}:{sid}:{item['id']}",
                             index=values.index(prev["level"]) if prev is not None else None,
                             format_func=lambda v: plain(level_label(by_value[v])),   # radio labels are Markdown
                             captions=[plain(by_value[v]["descriptor_zh" if L == "zh" else "descriptor_en"])
                                       for v in values])
            note = st.text_area(t("rt.evidence", L), value=prev["evidence"] if prev is not None else "",
                                key=f"rt_ev:{code}:{sid}:{item['id']}", max_chars=500, height=80,
                                placeholder=t("rt.evidence_placeholder", L))
            seen = st.radio(t("rt.seen", L), SEEN, horizontal=True, key=f"rt_seen:{code}:{sid}:{item['id']}",
                            index=SEEN.index(prev["seen"]) if prev is not None else 0,
                            format_func=lambda s: t(f"rt.seen.{s}", L))
            answers[item["id"]] = (level, note, seen, prev)
        reason = st.text_input(t("rt.reason", L), key=f"rt_reason:{code}:{sid}") if revealed else ""
        go = st.form_submit_button(t("rt.save", L), type="primary", width="stretch", icon=":material/save:")
    if not go:
        return
    if any(a[0] is None for a in answers.values()):
        st.error(t("rt.pick_all", L))
        return
    try:
        for item_id, (level, note, seen, prev) in answers.items():
            if revealed and prev is not None and prev["level"] == level and prev["evidence"] == note \
                    and prev["seen"] == seen:
                continue
            store().rate(code, me["token"], sid, item_id, level, note, seen, reason=reason)
    except RaterError as exc:
        st.error(err(exc))
        return
    frame.flash("success", t("rt.saved", L, station=station_label(status, sid)))
    st.rerun()


def rater() -> None:
    code = ss.get("rt_code") or str(st.query_params.get("code") or "").strip().upper()
    me = ss.get("rt_me", {}).get(code)
    if not me:
        rater_join()
        return
    try:
        status = store().status(code)
    except RaterError as exc:
        st.error(err(exc))
        return
    row = st.container(horizontal=True, vertical_alignment="center")
    row.markdown(t("rt.you", L, name=me["name"], code=code), width="content")
    row.button(t("rt.refresh", L), key="rt_rater_refresh", type="tertiary", icon=":material/refresh:")   # the click reruns the page
    rate_station(code, me, status)


ROLES = ("lead", "rater")
if "rt_role" not in ss and st.query_params.get("code") or not auth.allowed("live"):
    ss["rt_role"] = "rater"          # not signed in (or no live role): the rater's side only, with a round code
role = frame.choice(st.segmented_control, t("rt.role", L), ROLES, key="rt_role", default="lead", required=True,
                    format_func=lambda r: t(f"rt.role.{r}", L)) if auth.allowed("live") else "rater"
if role == "lead":
    active = ss.get("rt_lead")
    if active:
        lead(active["code"], active["key"])
    else:
        start()
else:
    rater()
