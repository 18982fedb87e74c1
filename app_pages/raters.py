"""Rating round (third-party raters, on a tablet): the lead evaluator opens a round on stations and the current
scheme's rubric items and gives the raters its code; each rater walks through a station's items (level with its
descriptor, evidence note, seen on site or only on paper). Levels stay hidden until the lead reveals them; then the
panel sees agreement (Krippendorff's alpha), the items two levels apart, and moderates (each change logged with a
reason, a panel decision with its note); the agreed levels land in `ratings`. Engine and formulas:
indicators/live/raters.py, docs/raters.md.

Keys live in this tab's session only: st.session_state["rt_lead"] (code, key) and ["rt_me"] {code: token, name}.
A rater gets a personal link (…/raters?round=CODE&token=TOKEN) when joining; opening it (or pasting it into the
join form) brings the same rater back on any device; the page reads the token and takes it out of the address bar.
Unsaved levels and notes are kept per station in st.session_state["rt_drafts"] until saved.
A rater's join is checked for this browser session, so wrong round codes count against it and a locked tablet is
refused unchecked (indicators/live/codes.py); the lead sees the lock-out and lifts it.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pandas as pd
import streamlit as st

from app_pages import auth, frame
from app_pages import live_shared as shared
from indicators.i18n import has, pick, t
from indicators.live.raters import AGREE_MODES, SEEN, RaterError, RaterStore
from indicators.text_safety import plain

f = frame.current()
L = f.lang
ss = st.session_state
frame.page_header(f, "rt.title", "rt.intro")


def store() -> RaterStore:
    return shared.store("raters", f)


def err(exc: RaterError) -> str:
    if exc.reason == "flagged":
        return t("rtp.err.flagged", L, n=exc.details.get("n", ""))
    return shared.err(exc, "rtp" if has(f"rtp.err.{exc.reason}") else "rt", L)


def name_of(item: dict) -> str:
    return (item["name_zh"] if L == "zh" else item["name_en"]) or item["id"]


def level_label(lv: dict) -> str:
    label = lv["label_zh"] if L == "zh" else lv["label_en"]
    return lv["value"] if label in ("", lv["value"]) else f"{lv['value']} · {label}"


def station_label(status: dict, sid: str) -> str:
    zh, en = status["station_names"].get(sid, (sid, sid))
    return f"{sid} · {(zh if L == 'zh' else en) or zh or sid}"


def when(ts) -> str:
    """A stored time (UTC) as the reader reads it: Beijing time in Chinese, UTC in English; empty when none."""
    if ts is None or pd.isna(ts):
        return ""
    return f"{ts + timedelta(hours=8) if L == 'zh' else ts:%Y-%m-%d %H:%M}"


def my_link(code: str, token: str) -> str:
    return f"{shared.base_url('raters')}/raters?round={code}&token={token}"


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
                rnd = store().create(f.scheme, chosen, rated_on, title, period=(f.period.start, f.period.end))
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


def cell(row) -> str:
    """One rater's level, where the evidence was seen and the note, for the side-by-side table."""
    note = str(row.evidence or "").strip() or "—"
    return t("rtp.cell", L, level=row.level, seen=t(f"rtp.seen.{row.seen}", L), note=note)


def first_and_final(res: dict, log: pd.DataFrame) -> None:
    st.subheader(t("rtp.first_final", L))
    m = st.columns(3)
    m[0].metric(t("rtp.alpha_ff", L), f"{alpha_text(res['first_alpha'])} → {alpha_text(res['alpha'])}",
                border=True, help=t("rt.alpha_help", L))
    m[1].metric(t("rtp.flagged_ff", L), f"{res['first_flagged']} → {res['flagged']}", border=True,
                help=t("rt.flagged_help", L))
    m[2].metric(t("rtp.changes", L), len(log), border=True)
    st.caption(t("rtp.history_note", L))


def agreement_panel(code: str, key: str, status: dict) -> dict:
    res = store().result(code, key)
    log = store().changes(code, key)
    items = {i["id"]: i for i in status["items"]}
    st.subheader(t("rt.agreement", L))
    first_and_final(res, log)
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
    table["decision"] = [f"✓ {n}" if d else "" for d, n in zip(table["decided"], table["note"])]
    table[res["raters"]] = table[res["raters"]].astype(object).where(table[res["raters"]].notna(), "—")
    cols = ["station", "item", *res["raters"], "spread", "flag", "level", "decision", "on_site", "n"]
    st.dataframe(table[cols], hide_index=True, width="stretch", key="rt_units", column_config={
        "station": t("rt.col.station", L), "item": t("rt.col.item", L),
        "spread": st.column_config.NumberColumn(t("rt.col.spread", L), format="%d"),
        "flag": t("rt.col.flag", L), "level": t("rt.col.agreed", L), "decision": t("rtp.col.decision", L),
        "on_site": st.column_config.NumberColumn(t("rt.col.on_site", L), format="%d"),
        "n": st.column_config.NumberColumn(t("rt.col.n", L), format="%d")})
    st.caption(t("rt.rule", L))
    with st.expander(t("rtp.evidence", L), icon=":material/compare:", expanded=bool(res["flagged"])):
        notes = scores.assign(text=[cell(r) for r in scores.itertuples()]).pivot_table(
            index=["station_id", "item"], columns="rater", values="text", aggfunc="first")
        notes = notes.reindex(columns=res["raters"]).fillna("—").reset_index()
        notes.insert(0, "station", [station_label(status, s) for s in notes["station_id"]])
        notes["item"] = [name_of(items[i]) for i in notes["item"]]
        st.dataframe(notes[["station", "item", *res["raters"]]], hide_index=True, width="stretch", key="rt_notes",
                     column_config={"station": t("rt.col.station", L), "item": t("rt.col.item", L)})
    if status["state"] == "revealed":
        decide_form(code, key, status, res)
    with st.expander(t("rt.log", L, n=len(log)), icon=":material/history:"):
        if log.empty:
            st.caption(t("rt.log_empty", L))
        else:
            log["item"] = [name_of(items[i]) for i in log["item"]]
            log["changed_at"] = [when(x) for x in log["changed_at"]]
            st.dataframe(log, hide_index=True, width="stretch", key="rt_log", column_config={
                "rater": t("rt.col.rater", L), "station_id": t("rt.col.station", L), "item": t("rt.col.item", L),
                "old_level": t("rt.col.old", L), "new_level": t("rt.col.new", L), "reason": t("rt.col.reason", L),
                "changed_at": t("rtp.col.when", L)})
    return res


def decide_form(code: str, key: str, status: dict, res: dict) -> None:
    """The panel's decision (合议) on one station and item, with its note."""
    items = {i["id"]: i for i in status["items"]}
    units = [(u.station_id, u.item) for u in res["units"].itertuples()]
    with st.expander(t("rtp.decide", L), icon=":material/gavel:"):
        with st.form("rt_decide_form", border=False):
            unit = st.selectbox(t("rtp.decide_unit", L), units, key="rt_decide_unit",
                                format_func=lambda u: f"{station_label(status, u[0])} · {name_of(items[u[1]])}")
            values = list(dict.fromkeys(lv["value"] for i in status["items"] for lv in reversed(i["levels"])))
            level = st.radio(t("rtp.decide_level", L), values, horizontal=True, key="rt_decide_level", index=None)
            note = st.text_input(t("rtp.decide_note", L), key="rt_decide_note", max_chars=500)
            c = st.container(horizontal=True)
            go = c.form_submit_button(t("rtp.decide_button", L), type="primary")
            undo = c.form_submit_button(t("rtp.decide_clear", L))
        if (go or undo) and unit:
            try:
                store().decide(code, key, unit[0], unit[1], None if undo else level, note, by=auth.name())
            except RaterError as exc:
                st.error(err(exc))
            else:
                frame.flash("success", t("rtp.decided", L))
                st.rerun()


def people_panel(code: str, key: str, status: dict) -> None:
    """Every person who joined, with what each has finished; take one out or merge two, with a reason."""
    people = store().people(code, key)
    st.subheader(t("rtp.people", L))
    st.caption(t("rtp.people_caption", L))
    n_items = len(status["items"])
    rows = []
    for p in people.itertuples():
        status_text = (t("rtp.status.merged", L, into=p.merged_into) if p.status == "merged" else
                       t("rtp.status.removed", L, why=p.removed_reason) if p.status == "removed" else
                       t("rtp.status.active", L))
        row = {"name": p.name, "status": status_text,
               "levels": f"{p.levels} / {n_items * len(status['stations'])}",
               "done": ", ".join(p.stations_done) or "—", "last": when(p.last) or "—"}
        for sid in status["stations"]:
            k = p.per_station.get(sid, 0)
            row[sid] = "✓" if k >= n_items else f"{k} / {n_items}" if k else "—"
        rows.append(row)
    table = pd.DataFrame(rows, columns=["name", "status", *status["stations"], "levels", "done", "last"])
    st.dataframe(table, hide_index=True, width="stretch", key="rt_people", column_config={
        "name": t("rtp.col.name", L), "status": t("rtp.col.status", L), "levels": t("rtp.col.levels", L),
        "done": t("rtp.col.done", L), "last": t("rtp.col.last", L),
        **{sid: station_label(status, sid) for sid in status["stations"]}})
    active = people[people["status"] == "active"]
    names = dict(zip(active["rater_id"], active["name"]))
    if not names:
        return
    left, right = st.columns(2)
    with left.expander(t("rtp.remove", L), icon=":material/person_remove:"), st.form("rt_remove_form", border=False):
        who = st.selectbox(t("rtp.remove_who", L), list(names), format_func=names.get, key="rt_remove_who")
        why = st.text_input(t("rtp.reason", L), key="rt_remove_reason", max_chars=500)
        if st.form_submit_button(t("rtp.remove_button", L), icon=":material/person_remove:"):
            people_action(status, lambda: store().remove(code, key, who, why, by=auth.name()),
                          t("rtp.removed", L, name=names.get(who, "")))
    with right.expander(t("rtp.merge", L), icon=":material/merge:"), st.form("rt_merge_form", border=False):
        keep = st.selectbox(t("rtp.merge_keep", L), list(names), format_func=names.get, key="rt_merge_keep")
        drop = st.selectbox(t("rtp.merge_drop", L), list(names), format_func=names.get, key="rt_merge_drop",
                            index=min(1, len(names) - 1))
        why = st.text_input(t("rtp.reason", L), key="rt_merge_reason", max_chars=500)
        st.caption(t("rtp.merge_rule", L))
        if st.form_submit_button(t("rtp.merge_button", L), icon=":material/merge:"):
            people_action(status, lambda: store().merge(code, key, keep, drop, why, by=auth.name()), None)


def people_action(status: dict, act, done: str | None) -> None:
    try:
        out = act()
    except RaterError as exc:
        st.error(err(exc))
        return
    if status["state"] == "agreed":
        frame.clear_record_caches()
        ss.pop("rt_written", None)
    said = done or t("rtp.merged", L, **out)
    frame.flash("success", said + (" " + t("rtp.follow", L) if status["state"] == "agreed" else ""))
    st.rerun()


def detail(action: str, d: dict) -> str:
    """What an action of the lead's log did, in words (the engine keeps the numbers)."""
    if not d or not has(f"rtp.detail.{action}"):
        return ""
    if action == "agree":
        said = t("rtp.detail.agree", L, rows=d["rows"], mode=t(f"rtp.mode_short.{d['mode']}", L), aside=d["aside"])
        return said + (t("rtp.detail.confirmed", L, n=d["confirmed"]) if d.get("confirmed") else "")
    return t(f"rtp.detail.{action}", L, **d)


def actions_log(code: str, key: str, status: dict) -> None:
    acts = store().actions(code, key)
    with st.expander(t("rtp.actions", L, n=len(acts)), icon=":material/manage_history:"):
        if acts.empty:
            return
        items = {i["id"]: name_of(i) for i in status["items"]}
        acts["action_word"] = [t(f"rtp.action.{a}", L) for a in acts["action"]]
        acts["acted_at"] = [when(x) for x in acts["acted_at"]]
        acts["what"] = [" · ".join(x for x in (s or "", items.get(i, i or ""), lv or "") if x)
                        for s, i, lv in zip(acts["station_id"], acts["item"], acts["level"])]
        acts["detail"] = [detail(a, d) for a, d in zip(acts["action"], acts["detail"])]
        acts["action"] = acts.pop("action_word")
        acts = acts[["acted_at", "action", "by", "whom", "what", "reason", "detail"]].fillna("")
        st.dataframe(acts, hide_index=True, width="stretch", key="rt_actions", column_config={
            "acted_at": t("rtp.col.when", L),
            "action": t("rtp.col.action", L), "by": t("rtp.col.by", L), "whom": t("rtp.col.whom", L),
            "what": t("rtp.decide_unit", L), "reason": t("rt.col.reason", L), "detail": t("rtp.col.detail", L)})


def lift(code: str, key: str) -> None:
    """The lift button's callback: new tablets may type codes again, locked ones are free."""
    try:
        store().lift(code, key, by=auth.name())
    except RaterError as exc:
        ss["rt_error"] = err(exc)
    else:
        frame.flash("success", t("codes.lifted", L))


def agree_controls(code: str, key: str, status: dict, res: dict | None) -> None:
    """How agreed levels meet single ratings of the same period (replace by default, or average), a confirmation
    while flagged units have no panel decision, and the button."""
    singles = store().singles(code, key)
    start_, end_ = status["period"]
    with st.container(border=True):
        mode = st.radio(t("rtp.mode", L), AGREE_MODES, key=f"rt_mode:{code}", horizontal=True,
                        index=AGREE_MODES.index(status["agree_mode"] or "replace"),
                        format_func=lambda m: t(f"rtp.mode.{m}", L))
        st.caption(t("rtp.mode_help", L, start=start_, end=end_, n=len(singles)))
        open_flags = res["open_flags"] if res else 0
        confirm = st.checkbox(t("rtp.confirm_flagged", L, n=open_flags), key=f"rt_confirm:{code}") \
            if open_flags else False
        if st.button(t("rt.agree", L), key="rt_agree", type="primary", icon=":material/task_alt:",
                     help=t("rt.agree_help", L)):
            try:
                written = store().agree(code, key, mode=mode, confirm=confirm, by=auth.name())
            except RaterError as exc:
                st.error(err(exc))
                return
            frame.clear_record_caches()
            ss["rt_written"] = written
            st.rerun()


def written_table(code: str, status: dict) -> None:
    """The rows written to the ratings records, with Chinese (or English) column names and readable values."""
    written = ss.get("rt_written")
    if written is None or not len(written) or not written["rating_id"].iloc[0].startswith(code):
        return
    by_key = {i["key"]: name_of(i) for i in status["items"]}
    shown = written.assign(
        station_id=[station_label(status, s) for s in written["station_id"]],
        indicator_id=[by_key.get(k, k) for k in written["indicator_id"]],
        alpha=[alpha_text(None if pd.isna(a) else a) for a in written["alpha"]],
        rated_on=[f"{d:%Y-%m-%d}" for d in written["rated_on"]],
        evidence=written["evidence"].fillna("").str.replace("[site]", f"[{t('rtp.seen.site', L)}]", regex=False)
        .str.replace("[paper]", f"[{t('rtp.seen.paper', L)}]", regex=False))
    st.subheader(t("rt.written", L, n=len(written)))
    start_, end_ = status["period"]
    st.caption(t("rtp.written_caption", L, start=start_, end=end_,
                 mode=t(f"rtp.mode.{status['agree_mode'] or 'replace'}", L)))
    cols = ["station_id", "indicator_id", "level", "rater_count", "alpha", "on_site", "rated_on", "evidence",
            "rating_id"]
    st.dataframe(shown[cols], hide_index=True, width="stretch", key="rt_written_table", column_config={
        "station_id": t("rt.col.station", L), "indicator_id": t("rtp.col.indicator", L),
        "level": t("rtp.col.level", L), "rater_count": t("rtp.col.rater_count", L), "alpha": t("rtp.col.alpha", L),
        "on_site": t("rtp.col.on_site", L), "rated_on": t("rtp.col.rated_on", L),
        "evidence": st.column_config.TextColumn(t("rtp.col.evidence", L), width="large"),
        "rating_id": t("rtp.col.rating_id", L)})


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
    b = st.container(horizontal=True, vertical_alignment="bottom")
    try:
        if state == "open" and b.button(t("rt.reveal", L), key="rt_reveal", type="primary",
                                        icon=":material/visibility:", disabled=not status["n_scores"]):
            store().reveal(code, key)
            st.rerun()
        if state == "revealed":
            why = b.text_input(t("rtp.reopen_reason", L), key=f"rt_reopen_reason:{code}", max_chars=500)
            if b.button(t("rt.reopen", L), key="rt_reopen", icon=":material/lock_open:"):
                store().reopen(code, key, reason=why, by=auth.name())
                st.rerun()
        b.button(t("rt.refresh", L), key="rt_refresh", icon=":material/refresh:")   # the click reruns the page
        if b.button(t("rt.leave", L), key="rt_leave", type="tertiary", icon=":material/logout:"):
            ss.pop("rt_lead", None)
            st.rerun()
    except RaterError as exc:
        st.error(err(exc))
    people_panel(code, key, status)
    res = None
    if state == "open":
        st.info(t("rt.hidden", L))
        if status["revealed_at"] is not None:       # reopened: the first reveal stays in view
            res = store().result(code, key)
            first_and_final(res, store().changes(code, key))
    else:
        res = agreement_panel(code, key, status)
    actions_log(code, key, status)
    if state in ("revealed", "agreed"):
        agree_controls(code, key, status, res)
    written_table(code, status)


# ---------------------------------------------------------------- rater

TOKEN_IN_LINK = re.compile(r"token=([A-Za-z0-9_\-]+)")


def from_link(text: str) -> str:
    """The token in a pasted personal link (or the token itself)."""
    hit = TOKEN_IN_LINK.search(text or "")
    return hit.group(1) if hit else str(text or "").strip()


def come_back(code: str, token: str) -> bool:
    try:
        me = store().resume(code, token, session=shared.session_id())
    except RaterError as exc:
        st.error(err(exc))
        return False
    ss.setdefault("rt_me", {})[me.code] = {"token": me.token, "name": me.name, "fresh": False, "back": True}
    ss["rt_code"] = me.code
    return True


def rater_join() -> None:
    code = str(st.query_params.get("round") or st.query_params.get("code") or ss.get("rt_code") or "")
    code = code.strip().upper()
    with st.form("rt_join_form"):
        code_in = st.text_input(t("rt.code", L), value=code, key="rt_join_code", max_chars=12)
        name = st.text_input(t("rt.your_name", L), key="rt_join_name", max_chars=40, help=t("rt.your_name_help", L))
        link = st.text_input(t("rtp.link", L), key="rt_join_link", help=t("rtp.link_help", L))
        go = st.form_submit_button(t("rt.join_button", L), type="primary", width="stretch", icon=":material/login:")
    if not go:
        return
    if link.strip():
        if come_back(code_in, from_link(link)):
            st.rerun()
        return
    try:
        me = store().join(code_in, name, session=shared.session_id())   # wrong codes count
    except RaterError as exc:
        st.error(err(exc))
        return
    ss.setdefault("rt_me", {})[me.code] = {"token": me.token, "name": me.name, "fresh": True}
    ss["rt_code"] = me.code
    st.rerun()


def distribution(status: dict, scores: pd.DataFrame, sid: str, item: dict) -> str:
    """How the panel rated this station's item, anonymously: level x count."""
    mine = scores[(scores["station_id"] == sid) & (scores["item"] == item["id"])]
    counts = mine["level"].value_counts()
    parts = [f"{lv['value']} × {int(counts.get(lv['value'], 0))}" for lv in reversed(item["levels"])]
    return t("rt.panel_levels", L, levels=" · ".join(parts))


def saved_of(mine: pd.DataFrame, sid: str, item_id: str) -> dict | None:
    row = mine[(mine["station_id"] == sid) & (mine["item"] == item_id)]
    return None if row.empty else {"level": row["level"].iloc[0], "note": row["evidence"].iloc[0] or "",
                                   "seen": row["seen"].iloc[0]}


def keys(code: str, sid: str, item_id: str) -> dict:
    return {"level": f"rt_lv:{code}:{sid}:{item_id}", "note": f"rt_ev:{code}:{sid}:{item_id}",
            "seen": f"rt_seen:{code}:{sid}:{item_id}"}


def collect_drafts(code: str, status: dict, mine: pd.DataFrame) -> dict:
    """Fold what the widgets hold (this run's values, also of a station just left) into the drafts kept per
    station; a value equal to the saved one is no draft. Returns {station: {item: {level, note, seen}}}."""
    drafts = ss.setdefault("rt_drafts", {})
    for sid in status["stations"]:
        for item in status["items"]:
            k = keys(code, sid, item["id"])
            if k["level"] not in ss:
                continue
            now = {field: ss.get(key) for field, key in k.items()}
            now["note"] = (now["note"] or "").strip()
            saved = saved_of(mine, sid, item["id"]) or {"level": None, "note": "", "seen": None}
            d = drafts.setdefault(f"{code}:{sid}", {})
            if now == saved:
                d.pop(item["id"], None)
            else:
                d[item["id"]] = now
            if not d:
                drafts.pop(f"{code}:{sid}")
    return {k.split(":", 1)[1]: v for k, v in drafts.items() if k.startswith(f"{code}:")}


def rate_station(code: str, me: dict, status: dict) -> None:
    mine = store().mine(code, me["token"])
    drafts = collect_drafts(code, status, mine)
    sid = frame.choice(st.selectbox, t("rt.station", L), status["stations"], key=f"rt_station:{code}",
                       format_func=lambda s: station_label(status, s) + (" ✎" if s in drafts else ""))
    others = [station_label(status, s) for s in status["stations"] if s in drafts and s != sid]
    if others:
        st.warning(t("rtp.unsaved_other", L, stations="、".join(others) if L == "zh" else ", ".join(others)),
                   icon=":material/edit_note:")
    done = mine.groupby("station_id").size()
    n_items = len(status["items"])
    st.caption(t("rt.progress", L, done=int((done >= n_items).sum()), total=len(status["stations"])))
    state = status["state"]
    ever = status["revealed_at"] is not None
    panel = store().scores(code, token=me["token"]) if state == "revealed" else None
    if state == "agreed":
        st.info(t("rt.state.agreed", L) + " " + t("rtp.agreed_banner", L))
    elif state == "revealed":
        st.warning(t("rt.moderation", L))
    answers = {}
    with st.container(border=True):
        for item in status["items"]:
            st.subheader(plain(name_of(item)))
            saved = saved_of(mine, sid, item["id"])
            start_ = drafts.get(sid, {}).get(item["id"]) or saved or {"level": None, "note": "", "seen": None}
            k = keys(code, sid, item["id"])
            values = [lv["value"] for lv in reversed(item["levels"])]      # best first, as a rubric reads
            by_value = {lv["value"]: lv for lv in item["levels"]}
            if panel is not None:
                st.caption(distribution(status, panel, sid, item))
            level = st.radio(t("rt.level", L), values, key=k["level"],
                             index=values.index(start_["level"]) if start_["level"] in values else None,
                             format_func=lambda v: plain(level_label(by_value[v])),   # radio labels are Markdown
                             captions=[plain(by_value[v]["descriptor_zh" if L == "zh" else "descriptor_en"])
                                       for v in values])
            note = st.text_area(t("rt.evidence", L), value=start_["note"], key=k["note"], max_chars=500, height=80,
                                placeholder=t("rt.evidence_placeholder", L))
            seen = st.radio(t("rt.seen", L), SEEN, horizontal=True, key=k["seen"],      # no preset: the rater says
                            index=SEEN.index(start_["seen"]) if start_["seen"] in SEEN else None,
                            format_func=lambda s: t(f"rt.seen.{s}", L))
            answers[item["id"]] = ({"level": level, "note": (note or "").strip(), "seen": seen}, saved)
        if sid in drafts:
            st.caption(t("rtp.unsaved_here", L))
        reason = st.text_input(t("rt.reason", L), key=f"rt_reason:{code}:{sid}") if ever else ""
        go = st.button(t("rt.save", L), key=f"rt_save:{code}:{sid}", type="primary", width="stretch",
                       icon=":material/save:")
    if go:
        save(code, me, status, sid, answers, reason)


def save(code: str, me: dict, status: dict, sid: str, answers: dict, reason: str) -> None:
    """Send this station's levels; a refusal says it was not saved and what to do, and the draft stays."""
    if any(a["level"] is None for a, _ in answers.values()):
        st.error(t("rt.pick_all", L))
        return
    if any(a["seen"] is None for a, _ in answers.values()):
        st.error(t("rtp.pick_seen", L))
        return
    try:
        for item_id, (a, saved) in answers.items():
            if saved is not None and a == saved:
                continue
            store().rate(code, me["token"], sid, item_id, a["level"], a["note"], a["seen"], reason=reason)
    except RaterError as exc:
        key = f"rtp.not_saved.{exc.reason}"
        st.error(t(key, L) if has(key) else t("rtp.not_saved.other", L, msg=err(exc)), icon=":material/block:")
        return
    ss.get("rt_drafts", {}).pop(f"{code}:{sid}", None)
    me["fresh"] = False
    frame.flash("success", t("rt.saved", L, station=station_label(status, sid)))
    st.rerun()


def rater() -> None:
    token = st.query_params.get("token")
    if token:       # a personal link: the same rater again, then the token leaves the address bar
        code = str(st.query_params.get("round") or st.query_params.get("code") or "").strip().upper()
        come_back(code, token)
        del st.query_params["token"]
    code = ss.get("rt_code") or str(st.query_params.get("round") or st.query_params.get("code") or "").strip().upper()
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
    if me.pop("back", False):
        st.success(t("rtp.back", L, name=me["name"]))
    shared.personal_link(my_link(code, me["token"]), L, fresh=me.get("fresh", False))
    rate_station(code, me, status)


ROLES = ("lead", "rater")
if "rt_role" not in ss and (st.query_params.get("code") or st.query_params.get("round")) or not auth.allowed("live"):
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
