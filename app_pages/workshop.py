"""Workshop (facilitator, on the laptop and the projector): start a weighting workshop on the current scheme,
show its join code, link and QR code, watch the submissions come in per stakeholder group, then close, reveal
the aggregate on the phones and keep it as a scheme. The live panel is a fragment that polls the store every
few seconds while the workshop is open; its rankings are the app's cached scoring re-weighted with numpy. It also
shows a lock-out after wrong workshop codes typed on phones (join.py counts them): counts, end and a Lift button.

The facilitator key lives in this tab's session only (st.session_state["ws_active"]); "Resume" reopens the
view from another tab with the code and the key. Engine and rules: indicators/workshop.py, docs/workshop.md."""
from __future__ import annotations

from app_pages import auth  # noqa: E402 - first, before anything reads: a page refused stops here
auth.require("live")
from urllib.parse import urlsplit

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import frame, live_shared
from app_pages import workshop_shared as shared
from indicators.clock import in_reader_clock, shown_time
from indicators.outputs import charts
from indicators.scheme import editing
from indicators.i18n import pick, t
from indicators.scheme.model import SchemeError
from indicators.live.workshop import BALANCES, GROUPS, LEVELS, MEANS, OTHER, WorkshopError, WorkshopStore, rankings
from indicators.text_safety import plain

POLL_SECONDS = 3
PAGE_PATH = "workshop"          # this page's URL path (st.navigation names it after the file)
GROUP_COLORS = {"overall": "#222222", "residents": "#2b7bba", "community_workers": "#31a354",
                "social_workers": "#756bb1", "civil_affairs": "#e6550d", "evaluators": "#969696"}

f = frame.current()
L = f.lang
ss = st.session_state
frame.page_header(f, "ws.title", "ws.intro")


# ---------------------------------------------------------------- plumbing

def store() -> WorkshopStore:
    return shared.store(f)


def err(exc: WorkshopError) -> str:
    return shared.err(exc, L)


def group_name(g: str) -> str:
    return shared.group_name(g, L)


def item_names(status: dict) -> dict[str, str]:
    return {i["id"]: (i["name_zh"] if L == "zh" else i["name_en"]) or i["id"] for i in status["items"]}


def base_url() -> str:
    return live_shared.base_url(PAGE_PATH)


def listing(groups) -> str:
    return ("、" if L == "zh" else ", ").join(group_name(g) for g in groups)


def local_time(iso_utc: str) -> str:
    """A UTC time of the store as this reader reads it: Beijing time in Chinese, else the browser's zone when it is
    known, else UTC said as such."""
    try:
        zone = st.context.timezone
    except Exception:   # noqa: BLE001 - no browser context (tests)
        zone = None
    return shown_time(iso_utc, L, "%Y-%m-%d %H:%M", zone=zone)


def counted(counts: dict[str, int]) -> str:
    """Groups with their numbers of submissions: 居民代表 1 人、社会工作者 1 人."""
    sep = "、" if L == "zh" else ", "
    return sep.join(t("ws.group_count", L, group=group_name(g), n=n) for g, n in counts.items())


def comparison_text(reason: str, d: dict) -> str:
    """In words, why the projected reveal compares no groups (`WorkshopResult.comparison`)."""
    if reason == "one_group":
        return t("ws.one_group", L, group=group_name(d["group"]), n=d["n"])
    if reason == "pooled":
        return t("ws.compare.pooled", L, n=sum(d["pooled"].values()), groups=len(d["pooled"]), k=d["k"],
                 counts=counted(d["pooled"]), other=group_name(OTHER))
    return t("ws.compare.withheld", L, counts=counted(d["counts"]), k=d["k"])


def pts(x: float) -> str:
    return f"{x * 100:.1f}"


# ---------------------------------------------------------------- start or resume

def start_or_resume() -> None:
    left, right = st.columns([3, 2], gap="large")
    with left, st.container(border=True):
        st.subheader(t("ws.start", L))
        st.markdown(t("ws.start_on", L, scheme=pick(f.scheme, L), id=f.scheme.id))
        counts = {"dimension": len(f.scheme.dimensions), "indicator": len(f.scheme.indicators)}
        # Not a form: Enter in the title would submit it, starting the workshop before the level is chosen.
        title = st.text_input(t("ws.workshop_title", L), key="ws_title", max_chars=80,
                              placeholder=t("ws.workshop_title_placeholder", L))
        level = frame.choice(st.radio, t("ws.level", L), LEVELS, key="ws_level", horizontal=True,
                             format_func=lambda lv: t(f"ws.level.{lv}", L, n=counts[lv]))
        go = st.button(t("ws.start_button", L), type="primary", icon=":material/play_arrow:", key="ws_start")
        if go:
            try:
                ws = store().create(f.scheme, title=title, level=level)
            except WorkshopError as exc:
                st.error(err(exc))
            else:
                ss["ws_active"] = {"code": ws.code, "key": ws.facilitator_key}
                frame.flash("success", t("ws.started", L, code=ws.code))
                st.rerun()
    with right, st.container(border=True):
        st.subheader(t("ws.resume", L))
        st.caption(t("ws.resume_help", L))
        with st.form("ws_resume_form", border=False):
            code = st.text_input(t("ws.code", L), key="ws_resume_code", max_chars=12)
            key = st.text_input(t("ws.key", L), key="ws_resume_key", type="password")
            go = st.form_submit_button(t("ws.resume_button", L), icon=":material/login:")
        if go:
            try:
                store().participants(code, key.strip())          # checks code and key
                clean = store().status(code)["code"]
            except WorkshopError as exc:
                st.error(err(exc))
            else:
                ss["ws_active"] = {"code": clean, "key": key.strip()}
                frame.flash("success", t("ws.resumed", L, code=clean))
                st.rerun()


# ---------------------------------------------------------------- the join panel (code, link, QR, key)

def join_panel(code: str, key: str) -> None:
    left, right = st.columns([3, 1.2], gap="large", vertical_alignment="top")
    if "ws_base" not in ss:
        ss["ws_base"] = base_url()
    base = (ss.get("ws_base") or live_shared.DEFAULT_BASE).strip().rstrip("/")
    link = f"{base}/join?code={code}"
    with left:
        st.markdown(f"**{t('ws.join_code', L)}**")
        st.markdown(f'<div class="ws-code" style="font-size:clamp(3rem,6vw,5.5rem);font-weight:700;'
                    f'letter-spacing:.14em;line-height:1.05;white-space:nowrap;'
                    f'font-family:ui-monospace,Menlo,Consolas,monospace">{code}</div>', unsafe_allow_html=True)
        st.markdown(f"**{t('ws.join_link', L)}**")
        st.code(link, language=None)
        st.text_input(t("ws.base_url", L), key="ws_base", help=t("ws.base_url_help", L))
        host = (urlsplit(base).hostname or "").lower()
        if host in ("localhost", "127.0.0.1", "::1", "0.0.0.0"):
            st.caption(":material/warning: " + t("ws.localhost_warning", L))
    with right:
        png = live_shared.qr_png(link)
        if png is None:     # the page says to use the link or code; the fix is for whoever runs the server
            frame.log.warning("QR code not shown: the segno package is missing (pip install segno)")
            st.caption(t("ws.qr_missing", L))
        else:
            st.image(png, caption=t("ws.qr_caption", L), width="stretch")


def key_panel(key: str) -> None:
    """The facilitator key, once, in the sidebar and folded: the main area is what the room sees on the projector.
    st.code gives it a copy button."""
    with st.sidebar, st.expander(t("ws.key_title", L), expanded=False, icon=":material/key:"):
        st.warning(t("ws.key_warning", L))
        st.code(key, language=None, wrap_lines=True)   # the whole key in view in the narrow sidebar


# ---------------------------------------------------------------- results

def weights_chart(long: pd.DataFrame) -> alt.Chart:
    """Grouped horizontal bars: one row per item, one bar per group (black: everyone). long: item, who,
    who_label, points, order."""
    domain = list(dict.fromkeys(long.sort_values("order")["who_label"]))
    colors = [GROUP_COLORS.get(w, "#999999") for w in dict.fromkeys(long.sort_values("order")["who"])]
    items = list(dict.fromkeys(long["item"]))
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("item:N", sort=items, title=None, axis=alt.Axis(labelLimit=260, labelFont=charts.FONT)),
        yOffset=alt.YOffset("who_label:N", sort=domain),
        x=alt.X("points:Q", title=t("ws.chart.weight", L)),
        color=alt.Color("who_label:N", scale=alt.Scale(domain=domain, range=colors),
                        legend=alt.Legend(title=t("ws.chart.group", L), orient="right", labelLimit=180)),
        tooltip=[alt.Tooltip("item:N", title=t("ws.chart.item", L)),
                 alt.Tooltip("who_label:N", title=t("ws.chart.group", L)),
                 alt.Tooltip("points:Q", title=t("ws.chart.weight", L), format=".1f")],
    ).properties(title=alt.Title(t("ws.chart_title", L), subtitle=t("ws.chart_subtitle", L), anchor="start",
                                 font=charts.FONT, subtitleFont=charts.FONT),
                 height=max(220, 16 * len(long)), width="container", autosize=charts.AUTOSIZE)


def results(code: str, key: str, mean: str, balance: str, status: dict) -> None:
    # This panel is projected: the same small-group rule as the phones (no aggregate of fewer than min_group).
    res = store().result(code, key, mean=mean, balance=balance).shared(status["min_group"])
    names = item_names(status)
    groups = list(res.by_group)
    st.subheader(t("ws.weights", L))
    st.caption(t("nc.small_groups", L, k=status["min_group"], other=group_name(OTHER)))
    st.caption(t("ws.weights_note", L, n=res.n_submissions, how=t(f"ws.how.{mean}.{balance}", L)))
    if res.floored and mean == "geometric":
        st.caption(t("ws.floored", L, n=res.floored))

    table = res.table(L)
    show = pd.DataFrame({"item": [names[i] for i in table.index], "overall": table["overall"] * 100})
    cols = {"item": st.column_config.TextColumn(t("ws.col.item", L)),
            "overall": st.column_config.NumberColumn(t("ws.col.overall", L), format="%.1f")}
    for g in groups:
        show[g] = table[g] * 100
        cols[g] = st.column_config.NumberColumn(f"{group_name(g)} ({res.n_by_group[g]})", format="%.1f")
    show["spread"] = table["group_spread"] * 100
    show["cv"] = table["cv"]
    cols.update({
        "spread": st.column_config.NumberColumn(t("ws.col.spread", L), format="%.1f", help=t("ws.col.spread_help", L)),
        "cv": st.column_config.NumberColumn(t("ws.col.cv", L), format="%.2f", help=t("ws.col.cv_help", L))})
    if len(groups) < 2:
        show = show.drop(columns=["spread"])
    if show["cv"].isna().all():   # withheld with this few people: a column of blanks would print "None"
        show = show.drop(columns=["cv"])
        st.caption(t("ws.cv_withheld", L, n=status["min_group"] + 1))
    st.dataframe(show, hide_index=True, width="stretch", column_config=cols, key="ws_weights_table")

    left, right = st.columns(2, gap="large")
    with left:
        order = {"overall": 0, **{g: n + 1 for n, g in enumerate((*GROUPS, OTHER))}}
        long = [{"item": names[i], "who": "overall", "who_label": t("ws.col.overall", L), "points": w * 100,
                 "order": 0} for i, w in res.weights.items()]
        long += [{"item": names[i], "who": g, "who_label": group_name(g), "points": w * 100, "order": order[g]}
                 for g in groups for i, w in res.by_group[g].items()]
        st.altair_chart(weights_chart(pd.DataFrame(long)), width="stretch")
    with right:   # where the groups differ, biggest spread first
        st.subheader(t("ws.disagreement", L))
        why = res.comparison()
        if why is not None:
            st.caption(comparison_text(*why))
        else:
            disp = res.dispersion.sort_values("group_spread", ascending=False)
            lines = []
            for item, row in disp.iterrows():
                if row["group_spread"] < 0.01:
                    continue
                hi, lo = row["group_high"], row["group_low"]
                line = t("ws.differ_line", L, item=names[item], spread=pts(row["group_spread"]),
                         high=group_name(hi), hi=pts(res.by_group[hi][item]), low=group_name(lo),
                         lo=pts(res.by_group[lo][item]))
                up = listing(res.pulls.at[item, "up"]) or t("ws.none", L)
                down = listing(res.pulls.at[item, "down"]) or t("ws.none", L)
                lines.append(f"- {line} {t('ws.pull_line', L, up=up, down=down)}")
            st.markdown("\n".join(lines) if lines else t("ws.agree_all", L))

    # the ranking under each group's weights, beside photo count: cached scoring, numpy re-weighting
    st.subheader(t("ws.rankings", L))
    st.caption(t("ws.rankings_caption", L, period=str(f.period)))
    scored = frame.score(f.db, res.scheme, f.period)
    ranks = rankings(scored, res)
    photo_scheme = frame.schemes(f.db)["photo-count"][0]
    photo = frame.score(f.db, photo_scheme, f.period).rank
    stations = scored.stations
    ranks["name"] = stations["name_en" if L == "en" else "name"].reindex(ranks.index).fillna(ranks["name"])
    ranks.insert(1, "photo", photo.reindex(ranks.index))
    rcols = {"name": st.column_config.TextColumn(t("ws.col.station", L)),
             "photo": st.column_config.NumberColumn(t("ws.col.photo", L), format="%d"),
             "scheme": st.column_config.NumberColumn(t("ws.col.scheme", L), format="%d"),
             "workshop": st.column_config.NumberColumn(t("ws.col.workshop", L), format="%d")}
    for g in groups:
        rcols[g] = st.column_config.NumberColumn(group_name(g), format="%d")
    table_tab, chart_tab = st.tabs([t("ws.rank_table", L), t("ws.rank_chart", L)])
    with table_tab:
        st.dataframe(ranks, hide_index=True, width="stretch", column_config=rcols, key="ws_rank_table",
                     height=min(38 + 35 * len(ranks), 720))
    with chart_tab:
        slope = pd.DataFrame({"station": ranks["name"], "rank_a": ranks["photo"], "rank_b": ranks["workshop"]})
        st.altair_chart(charts.slope_chart(slope, L, t("ws.col.photo", L), t("ws.col.workshop", L)),
                        width="stretch")


def participants_panel(code: str, key: str) -> None:
    people = store().participants(code, key)
    if people.empty:
        return
    with st.expander(t("ws.participants", L), icon=":material/group:"):
        view = people.reset_index()
        view["group"] = view["group"].map(group_name)
        view["submitted_at"] = in_reader_clock(view["submitted_at"], L)
        st.dataframe(view, hide_index=True, width="stretch", key="ws_people",
                     column_order=["display_name", "group", "submitted", "revision", "submitted_at"],
                     column_config={
                         "display_name": st.column_config.TextColumn(t("ws.col.name", L)),
                         "group": st.column_config.TextColumn(t("ws.col.group", L)),
                         "submitted": st.column_config.CheckboxColumn(t("ws.col.submitted", L)),
                         "revision": st.column_config.NumberColumn(t("ws.col.revision", L), format="%d"),
                         "submitted_at": st.column_config.DatetimeColumn(t("ws.col.submitted_at", L),
                                                                         format="HH:mm:ss")})
        ids = list(people.index)
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        who = frame.choice(c1.selectbox, t("ws.remove", L), ids, key="ws_remove_who", index=None,
                           help=t("ws.remove_help", L),
                           format_func=lambda p: f"{people.at[p, 'display_name']} · {group_name(people.at[p, 'group'])}")
        if c2.button(t("ws.remove_button", L), key="ws_remove_go", disabled=who is None, icon=":material/person_remove:"):
            store().remove(code, key, who)
            frame.flash("info", t("ws.removed", L, name=people.at[who, "display_name"]))
            st.rerun()


def seen(status: dict) -> tuple:
    """What, when it changes, needs the whole page redrawn (buttons, save panel, polling on or off)."""
    shown = status["result"] or {}
    return status["state"], status["revealed"], shown.get("mean"), shown.get("balance")


def lift(code: str, key: str) -> None:
    """The lift button's callback: new phones may type workshop codes again, locked ones are free."""
    try:
        store().lift(code, key, by=auth.name())
    except WorkshopError as exc:
        ss["ws_error"] = err(exc)
    else:
        frame.flash("success", t("codes.lifted", L))


def live(code: str, key: str, mean: str, balance: str, seen_state: tuple, show_weights: bool) -> None:
    """The live panel: counts per group, then the weights, the differences and the rankings."""
    try:
        status = store().status(code)
        if seen(status) != seen_state:     # closed, reopened or revealed from another tab: redraw everything
            st.rerun()
        if status["open"]:
            st.caption(t("ws.live_caption", L, s=POLL_SECONDS))
        n_p, n_s = status["n_participants"], status["n_submissions"]
        m1, m2, m3 = st.columns(3)
        m1.metric(t("ws.m.joined", L), n_p, border=True)
        m2.metric(t("ws.m.submitted", L), n_s, border=True)
        m3.metric(t("ws.m.waiting", L), n_p - n_s, border=True)
        # wrong workshop codes typed on phones (join.py checks them for the phone's session): counts, end, lift
        live_shared.lockout_notice(store().lockout(code, key), L, lambda: lift(code, key), key="ws_lift", prefix="ws")
        if "ws_error" in ss:
            st.error(ss.pop("ws_error"))
        groups = pd.DataFrame([{"group": group_name(g), "joined": v["participants"], "submitted": v["submissions"]}
                               for g, v in status["by_group"].items()])
        st.dataframe(groups, hide_index=True, width="stretch", key="ws_groups", column_config={
            "group": st.column_config.TextColumn(t("ws.col.group", L)),
            "joined": st.column_config.NumberColumn(t("ws.col.joined", L), format="%d"),
            "submitted": st.column_config.ProgressColumn(t("ws.col.submitted", L), format="%d", min_value=0,
                                                         max_value=max(1, int(groups["joined"].max())))})
        participants_panel(code, key)
        if not n_s:
            st.info(t("ws.no_submissions_yet", L))
        elif status["open"] and not show_weights:
            st.info(t("ws.hidden_while_open", L))
        else:
            results(code, key, mean, balance, status)
    except WorkshopError as exc:
        st.error(err(exc))


# ---------------------------------------------------------------- the page

def actions(code: str, key: str, status: dict, mean: str, balance: str) -> None:
    is_open, revealed = status["open"], status["revealed"]
    b = st.container(horizontal=True, vertical_alignment="center")
    try:
        if is_open:
            if b.button(t("ws.close", L), key="ws_close", type="primary", icon=":material/lock:",
                        help=t("ws.close_help", L)):
                store().close(code, key)
                frame.flash("success", t("ws.closed_done", L, code=code))
                st.rerun()
        elif b.button(t("ws.reopen", L), key="ws_reopen", icon=":material/lock_open:", help=t("ws.reopen_help", L)):
            store().reopen(code, key)
            frame.flash("info", t("ws.reopened", L, code=code))
            st.rerun()
        if revealed:
            if b.button(t("ws.hide", L), key="ws_hide", icon=":material/visibility_off:"):
                store().hide(code, key)
                frame.flash("info", t("ws.hidden_done", L))
                st.rerun()
            shown = status["result"] or {}
            if (shown.get("mean"), shown.get("balance")) != (mean, balance):
                if b.button(t("ws.reveal_again", L), key="ws_reveal_again", icon=":material/sync:",
                            help=t("ws.reveal_again_help", L, how=t(f"ws.how.{shown.get('mean')}.{shown.get('balance')}", L))):
                    store().reveal(code, key, mean=mean, balance=balance)
                    frame.flash("success", t("ws.revealed_done", L, code=code))
                    st.rerun()
        elif b.button(t("ws.reveal", L), key="ws_reveal", icon=":material/visibility:", disabled=is_open,
                      type="secondary" if is_open else "primary",
                      help=t("ws.reveal_needs_close", L) if is_open else t("ws.reveal_help", L)):
            store().reveal(code, key, mean=mean, balance=balance)
            frame.flash("success", t("ws.revealed_done", L, code=code))
            st.rerun()
        if b.button(t("ws.leave", L), key="ws_leave", type="tertiary", icon=":material/logout:",
                    help=t("ws.leave_help", L)):
            ss.pop("ws_active", None)
            st.rerun()
    except WorkshopError as exc:
        st.error(err(exc))
    if is_open:
        st.caption(":material/info: " + t("ws.reveal_needs_close", L))


def save_panel(code: str, key: str, status: dict, mean: str, balance: str) -> None:
    with st.container(border=True):
        st.subheader(t("ws.save", L))
        if status["open"]:
            st.caption(t("ws.save_after_close", L))
            return
        if not status["n_submissions"]:
            st.caption(t("ws.err.no_submissions", L, code=code))
            return
        st.caption(t("ws.save_intro", L, how=t(f"ws.how.{mean}.{balance}", L)))
        taken = frame.taken_ids(f.db)
        base = f"{status['scheme_id']}-ws-{code.lower()}"
        src_zh, src_en = status["scheme_name_zh"], status["scheme_name_en"]
        with st.form("ws_save_form", border=False):
            new_id = st.text_input(t("ws.new_id", L), value=editing.unique_id(base, taken), key=f"ws_new_id:{code}",
                                   help=t("ws.new_id_help", L))
            n1, n2 = st.columns(2)
            name_zh = n1.text_input(t("ws.name_zh", L), value=f"{src_zh}（工作坊 {code}）", key=f"ws_name_zh:{code}")
            name_en = n2.text_input(t("ws.name_en", L), value=f"{src_en} (workshop {code})", key=f"ws_name_en:{code}")
            go = st.form_submit_button(t("ws.save_button", L), type="primary", icon=":material/save:")
        if not go:
            return
        new_id = new_id.strip()
        if new_id in taken:
            st.error(t("ws.id_taken", L, id=new_id))
            return
        try:
            scheme = store().to_scheme(code, key, new_id, mean=mean, balance=balance)
            scheme = editing.rename(scheme, name_zh, name_en)
            frame.save_and_select(f, scheme, f"{auth.name()} · workshop {code}", t("ws.saved", L, id=scheme.id))
        except WorkshopError as exc:
            st.error(err(exc))
        except SchemeError as exc:
            frame.show_error(exc, L)
        else:
            st.rerun()


def facilitate(code: str, key: str) -> None:
    try:
        status = store().status(code)
    except WorkshopError as exc:
        st.error(err(exc))
        if st.button(t("ws.leave", L), key="ws_leave_gone"):
            ss.pop("ws_active", None)
            st.rerun()
        return
    scheme_name = status["scheme_name_zh"] if L == "zh" else status["scheme_name_en"]
    level = t(f"ws.level.{status['level']}", L, n=len(status["items"]))
    st.header(t("ws.header", L, code=code, title=plain(status["title"] or scheme_name)))
    st.caption(t("ws.on_scheme", L, scheme=plain(scheme_name), level=level, created=local_time(status["created_at"])))
    state = "revealed" if status["revealed"] else status["state"]
    {"open": st.success, "closed": st.warning, "revealed": st.info}[state](t(f"ws.state.{state}", L))

    key_panel(key)
    join_panel(code, key)

    st.divider()
    c1, c2, c3 = st.columns([1, 1, 1.2], vertical_alignment="bottom")
    mean = frame.choice(c1.segmented_control, t("ws.mean", L), MEANS, key="ws_mean", default="geometric",
                        required=True, help=t("ws.mean_help", L), format_func=lambda m: t(f"ws.mean.{m}", L))
    balance = frame.choice(c2.segmented_control, t("ws.balance", L), BALANCES, key="ws_balance",
                           default="participants", required=True, help=t("ws.balance_help", L),
                           format_func=lambda b: t(f"ws.balance.{b}", L))
    show_weights = True
    if status["open"]:
        show_weights = c3.toggle(t("ws.peek", L), key="ws_peek", help=t("ws.peek_help", L))
    actions(code, key, status, mean, balance)

    panel = st.fragment(frame.guarded(live), run_every=POLL_SECONDS if status["open"] else None)
    panel(code, key, mean, balance, seen(status), show_weights)

    st.divider()
    save_panel(code, key, status, mean, balance)


active = ss.get("ws_active")
if active:
    facilitate(active["code"], active["key"])
else:
    start_or_resume()
