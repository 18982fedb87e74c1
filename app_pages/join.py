"""Join (participant, on a phone): open the link or type the code, give a name and a stakeholder group, share
100 points between the workshop's items and send them; change them until the facilitator closes the workshop;
after the reveal, see the room's aggregated result (never a name or one person's answer).

Made for a 390 px wide screen: no sidebar (it is hidden here), a language switch at the top, one column.
The participant token lives in this session (st.session_state["join_me"]) and, so that a reloaded page signs
the same person back in, in a cookie of this browser scoped to the workshop (wsp_<code>), set with a line of
JavaScript; st.context.cookies reads it when a new session starts. A small fragment polls the public status so
the phone moves on by itself when the facilitator closes or reveals.

A code's first check in this session (typed, or the link) is made for the browser session, so wrong codes count
against it and against every workshop's budget of codes that name nothing (indicators/live/codes.py); the codes that
got in are kept in st.session_state["join_admitted"] and checked without counting after that."""
from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import quote, unquote

import pandas as pd
import streamlit as st

from app_pages import frame
from app_pages import live_shared
from app_pages import workshop_shared as shared
from indicators.clock import shown_time
from indicators.i18n import LANGS, pick, t
from indicators.live.workshop import GROUPS, WorkshopError, WorkshopStore, leaves_of
from indicators.text_safety import plain

POLL_SECONDS = 4
COOKIE_DAYS = 2

frame.phone_page('[data-testid="stNumberInput"] input { font-size: 1.1rem; }')

f = frame.current()
L = f.lang
ss = st.session_state


# ---------------------------------------------------------------- plumbing

def store() -> WorkshopStore:
    return shared.store(f)


def err(exc: WorkshopError) -> str:
    return shared.err(exc, L)


def group_name(g: str) -> str:
    return shared.group_name(g, L)


def local_time(utc: datetime) -> str:
    """A UTC time of the store as the phone's reader reads it: Beijing time in Chinese (the words say 北京时间), else
    the phone's time zone (as the browser reports it), else UTC said as such."""
    try:
        zone = st.context.timezone
    except Exception:   # noqa: BLE001 - no browser context (tests)
        zone = None
    return shown_time(utc, L, "%H:%M:%S", zone=zone)


def set_cookie(name: str, value: str, days: float) -> None:
    st.html(f"<script>document.cookie = {json.dumps(f'{name}={value}')} + "
            f"'; path=/; max-age={int(days * 86400)}; SameSite=Strict';</script>", unsafe_allow_javascript=True)


def cookie_name(code: str) -> str:
    return f"wsp_{code}"


def remember(code: str, token: str, name: str, group: str) -> None:
    ss.setdefault("join_me", {})[code] = {"token": token, "name": name, "group": group}
    ss["_join_cookie"] = (cookie_name(code), quote(json.dumps([token, name, group]), safe=""), COOKIE_DAYS)


def forget(code: str) -> None:
    ss.get("join_me", {}).pop(code, None)
    for k in [k for k in ss if isinstance(k, str) and k.startswith(f"jw:{code}:")]:
        del ss[k]
    ss["_join_cookie"] = (cookie_name(code), "", 0)


def from_cookie(code: str) -> tuple[str, str, str] | None:
    try:
        raw = st.context.cookies.get(cookie_name(code))
    except Exception:   # noqa: BLE001 - no browser context (tests)
        return None
    if not raw:
        return None
    try:
        token, name, group = json.loads(unquote(raw))
        return str(token), str(name), str(group)
    except (ValueError, TypeError):
        return None


def set_lang() -> None:
    ss["lang"] = ss["join_lang"]


# ---------------------------------------------------------------- top: language, title

if ss.get("join_lang") != L:
    ss["join_lang"] = L
top = st.container(horizontal=True, horizontal_alignment="right")
frame.choice(top.segmented_control, t("join.lang", L), LANGS, key="join_lang", required=True, on_change=set_lang,
             label_visibility="collapsed", format_func=lambda c: {"zh": "中文", "en": "English"}[c])
st.title(t("join.title", L))
if "_join_cookie" in ss:
    set_cookie(*ss.pop("_join_cookie"))


def show_flash() -> None:
    """The outcome of the last action (sent, not sent, welcome back), where the eye is: under the button."""
    item = ss.pop("_join_flash", None)
    if item:
        {"success": st.success, "error": st.error, "info": st.info}[item[0]](item[1])


def ask_code(message: str | None = None) -> None:
    if message:
        st.error(message)
    st.caption(t("join.intro", L))
    with st.form("join_code_form"):
        typed = st.text_input(t("join.code", L), key="join_code_input", max_chars=12,
                              placeholder=t("join.code_placeholder", L))
        go = st.form_submit_button(t("join.code_go", L), type="primary", width="stretch")
    if go and typed.strip():
        ss.pop("join_refused", None)          # typed again on purpose: check it again
        st.query_params["code"] = typed.strip().upper()
        st.rerun()


# ---------------------------------------------------------------- joining

def join_form(code: str, status: dict) -> None:
    if not status["open"]:
        st.warning(t("join.closed_not_joined", L))
        return
    st.caption(t("join.intro", L))
    with st.form("join_form"):
        name = st.text_input(t("join.name", L), key="join_name", max_chars=40, help=t("join.name_help", L))
        group = frame.choice(st.radio, t("join.group", L), GROUPS, key="join_group", index=None,
                             format_func=group_name)
        go = st.form_submit_button(t("join.join_button", L), type="primary", width="stretch", icon=":material/login:")
    if not go:
        return
    if group is None:
        st.error(t("join.pick_group", L))
        return
    try:
        me = store().join(code, name, group)
    except WorkshopError as exc:
        st.error(err(exc))
        return
    remember(code, me.participant_token, me.display_name, me.group)
    st.rerun()


def rejoin(code: str) -> dict | None:
    """This session's participant for `code`, or the one this browser's cookie remembers (a reloaded page)."""
    me = ss.get("join_me", {}).get(code)
    if me:
        return me
    saved = from_cookie(code)
    if not saved:
        return None
    token, name, group = saved
    try:
        mine = store().my_submission(code, token)
        back = store().join(code, name, mine["group"] if mine else group, participant_token=token)
    except WorkshopError:
        forget(code)       # removed by the facilitator, or a stale cookie: join afresh
        return None
    remember(code, token, back.display_name, back.group)
    ss["_join_welcome"] = t("join.rejoined", L, name=back.display_name)
    st.rerun()


# ---------------------------------------------------------------- weighing

def equal_points(ids: list[str]) -> dict[str, int]:
    base, extra = divmod(100, len(ids))
    return {k: base + (1 if n < extra else 0) for n, k in enumerate(ids)}


def scaled_points(values: dict[str, float]) -> dict[str, int]:
    """Proportions kept, whole points adding up to 100 (largest remainder)."""
    total = sum(values.values())
    if total <= 0:
        return equal_points(list(values))
    raw = {k: v * 100 / total for k, v in values.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - out[k], reverse=True)[:100 - sum(out.values())]:
        out[k] += 1
    return out


def wkey(code: str, item: str) -> str:
    return f"jw:{code}:{item}"


def scale_cb(code: str, ids: list[str]) -> None:
    for k, v in scaled_points({i: float(ss.get(wkey(code, i)) or 0) for i in ids}).items():
        ss[wkey(code, k)] = v


@frame.guarded     # a press while another program holds the database: the notice, not a traceback
def submit_cb(code: str, ids: list[str]) -> None:
    """Runs before the script: read what the phone shows now, send it, say how it went."""
    me = ss.get("join_me", {}).get(code)
    weights = {i: float(ss.get(wkey(code, i)) or 0) for i in ids}
    if round(sum(weights.values())) != 100:
        ss["_join_flash"] = ("error", t("join.submit_disabled", L))
        return
    try:
        store().submit(code, me["token"] if me else None, weights)
    except WorkshopError as exc:
        ss["_join_flash"] = ("error", t("join.not_sent", L, msg=err(exc)))
    else:
        ss["_join_flash"] = ("success", t("join.sent", L))


def dimension_names(status: dict) -> dict[str, str]:
    entry = frame.schemes(f.db).get(status["scheme_id"])
    if not entry:
        return {}
    return {d.id: (d.name_zh if L == "zh" else d.name_en) or d.id for d in entry[0].dimensions}


def dimension_lines(status: dict) -> dict[str, str]:
    """One line per dimension saying what it holds (its indicators), so a phone shows more than a bare name."""
    entry = frame.schemes(f.db).get(status["scheme_id"])
    if not entry:
        return {}
    by_id = {i.id: i for i in entry[0].indicators}
    return {d.id: t("nc.dim_covers", L, names=t("nc.sep", L).join(pick(by_id[i], L) for i in leaves_of(d)))
            for d in entry[0].dimensions}


def weigh(code: str, status: dict, mine: dict | None) -> None:
    items = status["items"]
    ids = [i["id"] for i in items]
    if any(wkey(code, i) not in ss for i in ids):
        start = scaled_points(mine["weights"]) if mine else equal_points(ids)
        if mine and abs(sum(mine["weights"].values()) - 100) < 1e-9:
            start = {k: int(round(v)) for k, v in mine["weights"].items()}
        for i in ids:
            ss.setdefault(wkey(code, i), start[i])
    st.subheader(t("join.allocate", L))
    st.caption(t("join.allocate_help", L))
    dims = dimension_names(status) if status["level"] == "indicator" else {}
    lines = dimension_lines(status) if status["level"] == "dimension" else {}
    last_dim = None
    for it in items:
        if status["level"] == "indicator" and it.get("dimension") != last_dim:
            last_dim = it.get("dimension")
            st.markdown(f"**{plain(dims.get(last_dim, last_dim))}**")
        name = (it["name_zh"] if L == "zh" else it["name_en"]) or it["id"]
        st.number_input(plain(name), min_value=0, max_value=100, step=5, key=wkey(code, it["id"]))
        if it["id"] in lines:
            st.caption(plain(lines[it["id"]]))
    total = int(sum(int(ss.get(wkey(code, i)) or 0) for i in ids))
    st.progress(min(total, 100) / 100)
    if total == 100:
        st.success(t("join.total_ok", L), icon=":material/check_circle:")
    elif total < 100:
        st.warning(t("join.total_left", L, total=total, left=100 - total), icon=":material/pending:")
    else:
        st.error(t("join.total_over", L, total=total, over=total - 100), icon=":material/error:")
    if total != 100 and total > 0:
        st.button(t("join.scale", L), key="join_scale", on_click=scale_cb, args=(code, ids), width="stretch",
                  help=t("join.scale_help", L), icon=":material/balance:")
    st.button(t("join.update" if mine else "join.submit", L), key="join_submit", type="primary", width="stretch",
              disabled=total != 100, on_click=submit_cb, args=(code, ids), icon=":material/send:",
              help=None if total == 100 else t("join.submit_disabled", L))
    show_flash()
    if mine:
        st.caption(t("join.submitted_at", L, time=local_time(mine["submitted_at"]), revision=mine["revision"]))
    else:
        st.caption(t("join.not_submitted", L))


def my_weights(status: dict, mine: dict) -> None:
    names = {i["id"]: (i["name_zh"] if L == "zh" else i["name_en"]) or i["id"] for i in status["items"]}
    st.subheader(t("join.your_weights", L))
    st.dataframe(pd.DataFrame({"item": [names[k] for k in mine["normalised"]],
                               "points": [v * 100 for v in mine["normalised"].values()]}),
                 hide_index=True, width="stretch", column_config={
                     "item": st.column_config.TextColumn(t("ws.col.item", L)),
                     "points": st.column_config.ProgressColumn(t("join.points", L), format="%.0f", min_value=0,
                                                               max_value=100)})
    st.caption(t("join.submitted_at", L, time=local_time(mine["submitted_at"]), revision=mine["revision"]).split(
        "。" if L == "zh" else ". ")[0])


def revealed(status: dict) -> None:
    res = status["result"]
    names = {i["id"]: (i["name_zh"] if L == "zh" else i["name_en"]) or i["id"] for i in status["items"]}
    st.subheader(t("join.result", L))
    if not res or res.get("weights") is None:
        st.info(t("join.too_few", L, n=(res or {}).get("min_group", 3)))
        return
    st.caption(t("join.result_note", L, n=res["n_submissions"], how=t(f"ws.how.{res['mean']}.{res['balance']}", L)))
    cv = res.get("cv") or {}
    for k, w in res["weights"].items():
        text = f"**{names[k]}** · {w * 100:.1f} {t('join.points', L)}"
        if k in cv:
            c = cv[k]
            text += " · " + t("join.agree.high" if c < 0.25 else "join.agree.mid" if c < 0.5 else "join.agree.low", L)
        st.progress(min(max(w, 0.0), 1.0), text=text)
    if res["by_group"]:
        st.markdown(f"**{t('join.by_group', L)}**")
        by = pd.DataFrame({group_name(g): {names[k]: v * 100 for k, v in w.items()} for g, w in res["by_group"].items()})
        st.dataframe(by, width="stretch", column_config={c: st.column_config.NumberColumn(format="%.1f")
                                                         for c in by.columns})
    if res["withheld_groups"]:
        sep = "、" if L == "zh" else ", "
        st.caption(t("join.withheld", L, groups=sep.join(group_name(g) for g in res["withheld_groups"])))


def seen_of(status: dict) -> tuple:
    shown = status["result"] or {}
    return status["state"], status["revealed"], shown.get("mean"), shown.get("balance")


def watch(code: str, seen: tuple) -> None:
    """Polls the public status: the phone moves on by itself when the facilitator closes, reveals or reopens."""
    try:
        status = store().status(code)
    except WorkshopError:
        return
    if seen_of(status) != seen:
        st.rerun()
    st.caption(t("join.progress", L, n=status["n_submissions"], joined=status["n_participants"]))


# ---------------------------------------------------------------- the page

def page() -> None:
    code = str(st.query_params.get("code") or "").strip()
    if not code:
        ask_code()
        return
    admitted = ss.setdefault("join_admitted", set())
    first = code not in admitted
    if first and ss.get("join_refused") == code:
        ask_code(err(ss["join_refused_why"]))   # the same wrong code is not checked again at every rerun
        return
    try:
        status = store().status(code, session=live_shared.session_id() if first else None)
    except WorkshopError as exc:
        ss["join_refused"], ss["join_refused_why"] = code, exc
        ask_code(err(exc))
        return
    ss.pop("join_refused", None)
    admitted.update({code, status["code"]})
    code = status["code"]
    scheme = status["scheme_name_zh"] if L == "zh" else status["scheme_name_en"]
    st.markdown(t("join.about", L, title=plain(status["title"] or scheme), scheme=plain(scheme)) + f" · `{code}`")
    me = rejoin(code)
    if me is None:
        show_flash()
        join_form(code, status)
        if st.button(t("join.other_code", L), key="join_other_code", type="tertiary"):
            st.query_params.clear()
            st.rerun()
        return
    row = st.container(horizontal=True, vertical_alignment="center")
    row.markdown(t("join.you", L, name=me["name"], group=group_name(me["group"])), width="content")
    if row.button(t("join.not_you", L), key="join_leave", type="tertiary"):
        forget(code)
        st.rerun()
    welcome = ss.pop("_join_welcome", None)
    if welcome:
        st.info(welcome, icon=":material/waving_hand:")
    try:
        mine = store().my_submission(code, me["token"])
    except WorkshopError as exc:          # removed by the facilitator
        forget(code)
        ss["_join_flash"] = ("error", err(exc))
        st.rerun()
    if status["revealed"]:
        show_flash()
        revealed(status)
    elif status["open"]:
        weigh(code, status, mine)
    else:
        show_flash()
        st.info(t("join.closed", L), icon=":material/hourglass_top:")
        if mine:
            my_weights(status, mine)
        else:
            st.caption(t("join.not_submitted", L))
    st.fragment(frame.guarded(watch), run_every=POLL_SECONDS)(code, seen_of(status))
    st.caption(t("join.remembered", L))


with frame.guard(L):
    page()
