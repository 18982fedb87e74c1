"""Expert rounds (Delphi): the facilitator proposes candidate indicators from the current scheme and gives the
experts a code; each expert rates importance and feasibility (1-5) and states familiarity and basis of judgment;
after a round closes the facilitator sees mean, full-score frequency, CV, Kendall's W with its chi-square test and
the authority coefficient, drops the flagged indicators and opens the next round, where the experts see the last
round's anonymous distribution; the kept indicators become a scheme draft. Engine: indicators/live/delphi.py,
formulas and sources: docs/delphi.md.

Keys live in this tab's session only: st.session_state["dp_lead"] (code, key) and ["dp_me"] {code: token, name}.
An expert's join is checked for this browser session, so wrong study codes count against it and a locked device is
refused unchecked (indicators/live/codes.py); the facilitator sees the lock-out and lifts it.

Experts come back (issue 23): each gets a personal link `…/delphi?study=CODE&token=TOKEN` and its QR code, shown
once after joining ("keep this") and folded afterwards; opening it on any device resumes them (the token is then
taken out of the address bar), and the same browser remembers them in a cookie (dpx_CODE) across reloads. Their
unsent answers stay in this session while they wait for a rerun. An answer sent after its round closed is answered
"not saved", never dropped; a half-filled form names the first thing missing and scrolls to it.
"""
from __future__ import annotations

import json
from urllib.parse import quote, unquote

import pandas as pd
import streamlit as st

from app_pages import auth, frame
from app_pages import live_shared as shared
from indicators.i18n import pick, t, term
from indicators.live.delphi import (BASES, FAMILIARITY, INFLUENCE, SCORES, THRESHOLDS, DelphiError, DelphiStore,
                                    fmt_p)
from indicators.outputs import delphi_report
from indicators.scheme import editing
from indicators.scheme.model import SchemeError
from indicators.text_safety import plain

f = frame.current()
L = f.lang
ss = st.session_state
frame.page_header(f, "dp.title", "dp.intro")


def store() -> DelphiStore:
    return shared.store("delphi", f)


def err(exc: DelphiError) -> str:
    if exc.reason in ("reason_needed",):
        return t(f"dpw.err.{exc.reason}", L)
    if exc.reason == "removed":
        return t("dpw.removed", L, code=exc.details.get("code", ""))
    return shared.err(exc, "dp", L)


def p_text(p: float) -> str:
    """p as the papers print it: `p < 0.001`, else `p = 0.012`."""
    text = fmt_p(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def num(x, places: int = 2) -> str:
    """A number for a table cell; an empty cell (never "None") when there is none."""
    return "" if x is None or pd.isna(x) else f"{x:.{places}f}"


def names(status: dict) -> dict[str, str]:
    out = {i.id: pick(i, L) for i in frame.schemes(f.db).get(status["scheme_id"], (f.scheme,))[0].indicators}
    out.update({c["id"]: (c["name_zh"] if L == "zh" else c["name_en"]) or c["id"] for c in status["candidates"]})
    return out


# ---------------------------------------------------------------- facilitator

def start() -> None:
    inds = {i.id: i for i in f.scheme.indicators}
    left, right = st.columns([3, 2], gap="large")
    with left, st.container(border=True):
        st.subheader(t("dp.start", L))
        st.markdown(t("dp.start_on", L, scheme=plain(pick(f.scheme, L)), id=f.scheme.id))
        with st.form("dp_start_form", border=False):
            title = st.text_input(t("dp.study_title", L), key="dp_title", max_chars=80)
            cands = st.multiselect(t("dp.candidates", L), list(inds), default=list(inds), key="dp_candidates",
                                   format_func=lambda i: pick(inds[i], L))
            c1, c2, c3 = st.columns(3)
            mean_min = c1.number_input(t("dp.th.mean_min", L), 1.0, 5.0, THRESHOLDS["mean_min"], 0.1,
                                       key="dp_mean_min")
            cv_max = c2.number_input(t("dp.th.cv_max", L), 0.01, 2.0, THRESHOLDS["cv_max"], 0.01, key="dp_cv_max")
            feas_min = c3.number_input(t("dp.th.feasibility_min", L), 1.0, 5.0, THRESHOLDS["feasibility_min"], 0.1,
                                       key="dp_feas_min")
            go = st.form_submit_button(t("dp.start_button", L), type="primary", icon=":material/play_arrow:")
        if go:
            try:
                study = store().create(f.scheme, cands, title, {"mean_min": mean_min, "cv_max": cv_max,
                                                                "feasibility_min": feas_min})
            except DelphiError as exc:
                st.error(err(exc))
            else:
                ss["dp_lead"] = {"code": study.code, "key": study.key}
                frame.flash("success", t("dp.started", L, code=study.code))
                st.rerun()
    with right, st.container(border=True):
        shared.resume_form("dp", L, store().check_facilitator, DelphiError)


def results(code: str, key: str, status: dict, rnd: int | None = None) -> list[str]:
    """A closed round's statistics (default the current round); returns the flagged indicators."""
    res = store().round_result(code, key, rnd)
    nm = names(status)
    if rnd is None:
        st.subheader(t("dp.results", L, round=res["round"]))
    tag = f"{code}:{res['round']}"
    k, kf = res["kendall"], res["kendall_feasibility"]
    m = st.columns(4)
    m[0].metric(t("dp.m.experts", L), res["n_experts"], border=True)
    m[1].metric(t("dp.m.w", L), "—" if k is None else f"{k['w']:.3f}", border=True, help=t("dp.w_help", L))
    m[2].metric(t("dp.m.p", L), "—" if k is None else p_text(k["p"]), border=True)
    m[3].metric(t("dp.m.cr", L), "—" if res["cr"] is None else f"{res['cr']:.2f}", border=True,
                help=t("dp.cr_help", L))
    if k is not None:
        st.caption(t("dp.kendall_line", L, w=f"{k['w']:.3f}", chi2=f"{k['chi2']:.2f}", df=k["df"], p=p_text(k["p"]),
                     fw="—" if kf is None else f"{kf['w']:.3f}", fp="—" if kf is None else p_text(kf["p"])))
    imp, fea = res["importance"], res["feasibility"]
    sep = "、" if L == "zh" else ", "
    table = pd.DataFrame({
        "indicator": [nm.get(j, j) for j in imp.index],
        **{c: [num(x) for x in src[col]] for c, src, col in (("mean", imp, "mean"), ("sd", imp, "sd"),
                                                              ("cv", imp, "cv"), ("full", imp, "full"),
                                                              ("f_mean", fea, "mean"), ("f_cv", fea, "cv"))},
        "flag": [sep.join(t(f"dp.why.{w}", L) for w in res["flags"][j]) for j in imp.index]})
    cols = {c: st.column_config.TextColumn(t(f"dp.col.{c}", L)) for c in ("mean", "sd", "cv", "full", "f_mean", "f_cv")}
    st.dataframe(table, hide_index=True, width="stretch", key=f"dp_stats:{tag}" if rnd else "dp_stats",
                 column_config={"indicator": st.column_config.TextColumn(t("dp.col.indicator", L), width="medium"),
                                "flag": st.column_config.TextColumn(t("dp.col.flag", L), width="large"), **cols})
    th = res["thresholds"]
    st.caption(t("dp.rule", L, mean=f"{th['mean_min']:g}", cv=f"{th['cv_max']:g}", feas=f"{th['feasibility_min']:g}"))
    with st.container(border=True):      # not folded: every table on the page is drawn (and screenshots show it)
        words = t("dp.authority", L, ca=f"{res['ca']:.2f}", cs=f"{res['cs']:.2f}", cr=f"{res['cr']:.2f}")
        st.markdown(f":material/workspace_premium: **{words}**")
        au = res["authority"].reset_index()
        au["familiarity"] = [t(f"dp.fam.{x}", L) for x in au["familiarity"]]
        au["basis"] = ["; ".join(f"{t(f'dp.basis.{b}', L)} {t(f'dp.inf.{v}', L)}" for b, v in x.items())
                       for x in au["basis"]]
        st.dataframe(au, hide_index=True, width="stretch", key=f"dp_authority:{tag}", column_config={
            "expert": t("dp.col.expert", L), "familiarity": t("dp.col.familiarity", L),
            "basis": t("dp.col.basis", L), "ca": st.column_config.NumberColumn("Ca", format="%.2f"),
            "cs": st.column_config.NumberColumn("Cs", format="%.2f"),
            "cr": st.column_config.NumberColumn("Cr", format="%.2f")})
        st.caption(t("dp.authority_tables", L))
    return res["flagged"]


def decide(code: str, key: str, status: dict, flagged: list[str]) -> None:
    """Drop indicators and open the next round, or save the kept ones as a draft. A flagged indicator that stays
    needs the facilitator's reason (recorded, and named in the draft's note); a gate losing its indicator is
    announced before saving."""
    nm = names(status)
    ids = [c["id"] for c in status["candidates"]]
    with st.container(border=True):
        drop = st.multiselect(t("dp.drop", L), ids, default=flagged, key=f"dp_drop:{code}:{status['round']}",
                              format_func=lambda i: nm.get(i, i), help=t("dp.drop_help", L))
        reasons = {j: st.text_input(t("dpw.keep_reason", L, name=plain(nm.get(j, j))), max_chars=200,
                                    key=f"dp_keep_why:{code}:{status['round']}:{j}")
                   for j in flagged if j not in drop}
        check = store().check_draft(code, key, drop)
        for g in check["lost_gates"]:
            st.warning(t("dpw.gate_lost", L, gate=plain(pick(g, L) or g.indicator),
                         name=plain(nm.get(g.indicator, g.indicator))), icon=":material/gpp_maybe:")
        c1, c2 = st.columns(2)
        with c1:
            if status["state"] == "closed" and st.button(t("dp.next_round", L), key="dp_next", icon=":material/redo:",
                                                         width="stretch"):
                try:
                    r = store().next_round(code, key, drop, reasons, by=auth.name())
                except DelphiError as exc:
                    st.error(err(exc))
                else:
                    frame.flash("success", t("dp.next_started", L, round=r))
                    st.rerun()
            if status["state"] == "closed" and st.button(t("dpw.finish", L), key="dp_finish", type="tertiary",
                                                         icon=":material/flag:"):
                store().finish(code, key)
                frame.flash("success", t("dpw.finish_done", L))
                st.rerun()
        with c2, st.form("dp_save_form", border=False):
            taken = frame.taken_ids(f.db)
            new_id = st.text_input(t("dp.new_id", L), value=editing.unique_id(f"{status['scheme_id']}-delphi", taken),
                                   key=f"dp_new_id:{code}")
            go = st.form_submit_button(t("dp.save", L), type="primary", icon=":material/save:", width="stretch")
        if go:
            new_id = new_id.strip()
            if new_id in taken:
                st.error(t("dp.id_taken", L, id=new_id))
                return
            try:
                scheme = store().draft(code, key, new_id, drop, reasons=reasons, by=auth.name())
                frame.save_and_select(f, scheme, f"{auth.name()} · delphi {code}",
                                      t("dp.saved", L, id=scheme.id, n=len(scheme.indicators)))
            except DelphiError as exc:
                st.error(err(exc))
            except SchemeError as exc:
                frame.show_error(exc, L)
            else:
                st.rerun()


def panel(code: str, key: str, status: dict) -> None:
    """Every expert with progress per round (answered / not yet), and removing one with a reason."""
    ex = store().experts(code, key)
    present = ex[ex["removed_at"].isna()]
    done = int(present["current"].sum())
    with st.container(border=True):
        st.markdown(f":material/groups: **{t('dpw.panel', L)} · {done}/{len(present)}**")
        st.dataframe(delphi_report.experts_table(ex, status["round"], L), hide_index=True, width="stretch",
                     key="dp_panel")
        if present.empty:
            st.caption(t("dpw.remove_none", L))
            return
        with st.form("dp_remove_form", border=False):
            who = st.selectbox(t("dpw.remove_who", L), present["expert_id"].tolist(), index=None,
                               format_func=dict(zip(ex["expert_id"], ex["name"])).get, key="dp_remove_who")
            why = st.text_input(t("dpw.remove_reason", L), max_chars=200, key="dp_remove_why")
            go = st.form_submit_button(t("dpw.remove", L), icon=":material/person_remove:")
        if go and who:
            if not why.strip():
                st.error(t("dpw.reason_needed", L))
                return
            try:
                store().remove(code, key, who, why, by=auth.name())
            except DelphiError as exc:
                st.error(err(exc))
            else:
                frame.flash("success", t("dpw.removed_ok", L, name=dict(zip(ex["expert_id"], ex["name"]))[who]))
                st.rerun()


def rounds_view(code: str, key: str, status: dict) -> None:
    """Round to round: every closed round's table stays visible; the report's tables (response rate, authority,
    concordance, importance per round, screening, comments) and the XLSX download."""
    hist = store().history(code, key)
    if not hist["rounds"]:
        return
    st.subheader(t("dpw.rounds", L))
    st.caption(t("dpw.rounds_intro", L))
    current = status["round"] if status["state"] != "open" else None
    for r in hist["rounds"]:
        if r != current:
            with st.container(border=True):
                st.markdown(f":material/history: **{t('dpw.round_table', L, round=r)}**")
                results(code, key, status, r)
    tables = delphi_report.tables(hist, L)
    st.download_button(t("dpw.report", L), delphi_report.xlsx(hist, L),
                       file_name=f"delphi-{code}-{L}.xlsx", icon=":material/download:", key="dp_report",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    st.download_button(t("dpw.report_pdf", L), delphi_report.pdf(hist, L), file_name=f"delphi-{code}-{L}.pdf",
                       icon=":material/picture_as_pdf:", key="dp_report_pdf", mime="application/pdf")
    for n, (title, df) in enumerate(tables.items()):
        st.markdown(f"**{t('dpw.report_title', L, sheet=title)}**")
        if df.empty:
            st.caption(t("dpw.no_decisions" if n == 5 else "dpw.no_comments", L) if n >= 5 else "—")
            continue
        wide = {c: st.column_config.TextColumn(c, width="large") for c in df.columns
                if c in (t("dpw.col.reason", L), t("dpw.col.text", L), t("dpw.col.flags", L))}
        w_col = t("dpw.col.w", L)
        shown = pd.DataFrame({c: [f"{v:.{3 if c == w_col else 2}f}" if isinstance(v, float) else str(v)
                                  for v in df[c]] for c in df.columns})
        st.dataframe(shown, hide_index=True, width="stretch", key=f"dp_report_table:{n}", column_config=wide)


def lift(code: str, key: str) -> None:
    """The lift button's callback: new devices may type codes again, locked ones are free."""
    try:
        store().lift(code, key, by=auth.name())
    except DelphiError as exc:
        ss["dp_error"] = err(exc)
    else:
        frame.flash("success", t("codes.lifted", L))


def lead(code: str, key: str) -> None:
    try:
        status = store().status(code)
    except DelphiError as exc:
        st.error(err(exc))
        ss.pop("dp_lead", None)
        return
    st.header(t("dp.header", L, code=code, title=plain(status["title"] or status["scheme_id"])))
    st.markdown(t(f"dp.state.{status['state']}", L, round=status["round"]))
    shared.code_panel(code, key, "dp", L)
    m1, m2, m3 = st.columns(3)
    m1.metric(t("dp.m.round", L), status["round"], border=True)
    m2.metric(t("dp.m.joined", L), status["n_experts"], border=True)
    m3.metric(t("dp.m.answered", L), status["n_answers"], border=True)
    shared.lockout_notice(store().lockout(code, key), L, lambda: lift(code, key), key="dp_lift", prefix="dp")
    if "dp_error" in ss:
        st.error(ss.pop("dp_error"))
    b = st.container(horizontal=True)
    if status["state"] == "open" and b.button(t("dp.close", L), key="dp_close", type="primary", icon=":material/lock:"):
        try:
            store().close_round(code, key)
        except DelphiError as exc:
            st.error(err(exc))
        else:
            st.rerun()
    b.button(t("dp.refresh", L), key="dp_refresh", icon=":material/refresh:")   # the click reruns the page
    if b.button(t("dp.leave", L), key="dp_leave", type="tertiary", icon=":material/logout:"):
        ss.pop("dp_lead", None)
        st.rerun()
    panel(code, key, status)
    if status["state"] == "open":
        st.info(t("dp.hidden", L))
    else:
        flagged = results(code, key, status)
        decide(code, key, status, flagged)
    rounds_view(code, key, status)


# ---------------------------------------------------------------- expert

def cookie_name(code: str) -> str:
    return f"dpx_{code}"


def set_cookie(name: str, value: str, days: float) -> None:
    st.html(f"<script>document.cookie = {json.dumps(f'{name}={value}')} + "
            f"'; path=/; max-age={int(days * 86400)}; SameSite=Strict';</script>", unsafe_allow_javascript=True)


def from_cookie(code: str) -> str | None:
    try:
        raw = st.context.cookies.get(cookie_name(code))
    except Exception:   # noqa: BLE001 - no browser context (tests)
        return None
    return unquote(raw) if raw else None


def remember(code: str, token: str, name: str, fresh: bool) -> None:
    """This session is the expert `name` of study `code`; the browser keeps the token for 60 days (a reload or a
    closed tab comes back as the same expert); `fresh`: show the personal link open once, with "keep this"."""
    ss.setdefault("dp_me", {})[code] = {"token": token, "name": name}
    ss["dp_code"] = code
    ss["_dp_cookie"] = (cookie_name(code), quote(token, safe=""), 60)
    if fresh:
        ss["dp_fresh"] = code


def my_link(code: str, token: str) -> str:
    return f"{shared.base_url('delphi')}/delphi?study={quote(code)}&token={quote(token, safe='')}"


def from_link() -> None:
    """An expert's own link (?study=CODE&token=…, or ?code=): resume them and take the token out of the address."""
    token = st.query_params.get("token")
    if not token:
        return
    code = str(st.query_params.get("study") or st.query_params.get("code") or "").strip().upper()
    del st.query_params["token"]
    try:
        me = store().resume(code, token)
    except DelphiError as exc:
        ss["dp_link_error"] = (t("dpw.bad_link", L, code=code) if exc.reason == "unknown_expert" else err(exc))
        ss["dp_code"] = code
        return
    remember(me.code, token, me.name, fresh=False)
    ss["dp_welcome"] = me.name


def expert_join() -> None:
    code = str(st.query_params.get("study") or st.query_params.get("code") or ss.get("dp_code") or "").strip().upper()
    with st.form("dp_join_form"):
        code_in = st.text_input(t("dp.code", L), value=code, key="dp_join_code", max_chars=12)
        name = st.text_input(t("dp.your_name", L), key="dp_join_name", max_chars=40)
        go = st.form_submit_button(t("dp.join_button", L), type="primary", width="stretch", icon=":material/login:")
    if go:
        try:
            me = store().join(code_in, name, session=shared.session_id())   # wrong codes count
        except DelphiError as exc:
            if exc.reason == "name_taken":     # the same person on another device: ask for the link
                st.warning(t("dpw.name_taken", L, name=plain(name.strip()), code=exc.details.get("code", "")),
                           icon=":material/link:")
            else:
                st.error(err(exc))
            return
        remember(me.code, me.token, me.name, fresh=True)
        st.rerun()


def last_round(status: dict, ind: str, before: dict | None) -> None:
    """The previous round's anonymous distribution of importance, and this expert's own answer then."""
    d = status["distribution"].get(status["round"] - 1, {}).get(ind)
    if not d:
        return
    bars = "  ".join(f"{v}: {'▇' * n}{n}" for v, n in zip(SCORES, d["counts"]))
    own = ""
    if before and ind in before["answers"]:
        own = " · " + t("dp.you_gave", L, score=before["answers"][ind][0])
    st.caption(t("dp.last_round", L, bars=bars, mean=f"{d['mean']:.2f}", full=f"{d['full']:.0%}") + own)


def about(c: dict) -> None:
    """What the expert rates: the indicator's meaning, direction and unit."""
    text = c[f"rationale_{L}"] or c["rationale_zh"] or c["rationale_en"]
    bits = [t("dpw.definition", L, text=plain(text))] if text else []
    bits.append(t("dpw.direction", L, text=term("direction", c["direction"], L)))
    if c.get("unit"):
        bits.append(t("dpw.unit", L, text=plain(c["unit"])))
    st.caption(" · ".join(bits))


def missing(status: dict, nm: dict, answers: dict, fam, basis: dict) -> tuple[str, str] | None:
    """The first thing not answered, as (anchor, words), in the order of the form."""
    for c in status["candidates"]:
        imp, fea = answers[c["id"]]
        if imp is None:
            return c["id"], t("dpw.missing_imp", L, name=plain(nm.get(c["id"], c["id"])))
        if fea is None:
            return c["id"], t("dpw.missing_fea", L, name=plain(nm.get(c["id"], c["id"])))
    if fam is None:
        return "fam", t("dpw.missing_fam", L)
    for b, v in basis.items():
        if v is None:
            return "fam", t("dpw.missing_basis", L, basis=t(f"dp.basis.{b}", L))
    return None


def point_at(anchor: str) -> None:
    """Scroll the expert's page to the item named missing."""
    st.html(f"<script>const el = window.parent.document.getElementById({json.dumps('dp-at-' + anchor)});"
            "if (el) el.scrollIntoView({behavior: 'smooth', block: 'center'});</script>", unsafe_allow_javascript=True)


def sent_late(code: str, status: dict) -> int | None:
    """The round whose form was sent in this run although it is no longer open (closed meanwhile): None if none."""
    shown = ss.get("dp_form_round")
    if not shown or shown[0] != code:
        return None
    r = shown[1]
    if ss.get(f"dp_send:{code}:{r}") and not (status["state"] == "open" and status["round"] == r):
        return r
    return None


def expert() -> None:
    from_link()
    code = ss.get("dp_code") or str(st.query_params.get("study") or st.query_params.get("code") or "").strip().upper()
    if "_dp_cookie" in ss:
        set_cookie(*ss.pop("_dp_cookie"))
    if "dp_link_error" in ss:
        st.error(ss.pop("dp_link_error"))
    me = ss.get("dp_me", {}).get(code)
    if not me and code and (tok := from_cookie(code)):     # the same browser, after a reload or another day
        try:
            back = store().resume(code, tok)
        except DelphiError:
            back = None
        if back:
            remember(back.code, tok, back.name, fresh=False)
            me = ss["dp_me"][code]
    if not me:
        expert_join()
        return
    try:
        status = store().status(code)
        mine = store().mine(code, me["token"])
        before = store().mine(code, me["token"], status["round"] - 1) if status["round"] > 1 else None
    except DelphiError as exc:
        st.error(err(exc))
        return
    if (name := ss.pop("dp_welcome", None)):
        st.success(t("dpw.back", L, name=plain(name)))
    row = st.container(horizontal=True, vertical_alignment="center")
    row.markdown(t("dp.you", L, name=me["name"], code=code, round=status["round"]), width="content")
    row.button(t("dp.refresh", L), key="dp_expert_refresh", type="tertiary", icon=":material/refresh:")   # the click reruns the page
    shared.personal_link(my_link(code, me["token"]), L, fresh=ss.pop("dp_fresh", None) == code)
    late = sent_late(code, status)
    if late is not None:
        st.error(t("dpw.closed", L, round=late), icon=":material/block:")
    if status["state"] == "finished":
        st.success(t("dpw.finished", L, rounds=status["round"]), icon=":material/celebration:")
        return
    if status["state"] != "open":
        st.info(t("dp.wait", L, round=status["round"]))
        return
    if status["round"] > 1:
        st.info(t("dp.feedback_intro", L, round=status["round"] - 1))
    nm = names(status)
    prev = (mine or before or {"answers": {}})
    rnd = status["round"]
    ss["dp_form_round"] = (code, rnd)
    gap = ss.pop("dp_missing", None)
    if gap:
        st.error(t("dpw.missing", L, what=gap[1]), icon=":material/arrow_downward:")
    st.caption(t("dpw.anchors", L))
    with st.form(f"dp_answer:{code}:{rnd}"):
        answers, comments = {}, {}
        for c in status["candidates"]:
            st.html(f'<div id="dp-at-{c["id"]}"></div>')
            st.markdown(f"**{plain(nm.get(c['id'], c['id']))}**")
            if gap and gap[0] == c["id"]:
                st.error(t("dpw.missing", L, what=gap[1]))
            about(c)
            last_round(status, c["id"], before)
            old = (mine or {"answers": {}})["answers"].get(c["id"], (None, None))   # each round rated afresh
            a1, a2 = st.columns(2)
            imp = a1.segmented_control(t("dp.importance", L), SCORES, key=f"dp_imp:{code}:{rnd}:{c['id']}",
                                       default=old[0])
            fea = a2.segmented_control(t("dp.feasibility", L), SCORES, key=f"dp_fea:{code}:{rnd}:{c['id']}",
                                       default=old[1])
            comments[c["id"]] = st.text_input(t("dpw.comment", L), key=f"dp_note:{code}:{rnd}:{c['id']}",
                                              value=(mine or {}).get("comments", {}).get(c["id"], ""), max_chars=500)
            answers[c["id"]] = (imp, fea)
        st.divider()
        st.html('<div id="dp-at-fam"></div>')
        if gap and gap[0] == "fam":
            st.error(t("dpw.missing", L, what=gap[1]))
        fam = st.radio(t("dp.familiarity", L), FAMILIARITY, horizontal=True, key=f"dp_fam:{code}:{rnd}",
                       index=FAMILIARITY.index(prev["familiarity"]) if prev.get("familiarity") else None,
                       format_func=lambda x: t(f"dp.fam.{x}", L))
        st.markdown(f"**{t('dp.basis', L)}**")
        basis = {}
        for bname in BASES:
            basis[bname] = st.radio(t(f"dp.basis.{bname}", L), INFLUENCE, horizontal=True,
                                    key=f"dp_basis:{code}:{rnd}:{bname}",
                                    index=INFLUENCE.index(prev["basis"][bname]) if prev.get("basis") else None,
                                    format_func=lambda x: t(f"dp.inf.{x}", L))
        suggestion = st.text_area(t("dpw.suggest", L), key=f"dp_suggest:{code}:{rnd}", max_chars=500,
                                  value=(mine or {}).get("suggestion", ""))
        go = st.form_submit_button(t("dp.submit", L), type="primary", width="stretch", icon=":material/send:",
                                   key=f"dp_send:{code}:{rnd}")
    if gap:
        point_at(gap[0])
    if mine:
        st.caption(t("dp.submitted", L))
    if not go:
        return
    hole = missing(status, nm, answers, fam, basis)
    if hole:
        ss["dp_missing"] = hole
        st.rerun()
    try:
        store().submit(code, me["token"], answers, fam, basis, comments, suggestion)
    except DelphiError as exc:
        st.error(t("dpw.closed", L, round=rnd) if exc.reason == "closed" else err(exc))
        return
    frame.flash("success", t("dp.sent", L))
    st.rerun()


ROLES = ("lead", "expert")
if ("dp_role" not in ss and (st.query_params.get("code") or st.query_params.get("study")) or st.query_params.get("token")
        or not auth.allowed("live")):
    ss["dp_role"] = "expert"         # not signed in (or no live role): the expert's side only, with a study code
role = frame.choice(st.segmented_control, t("dp.role", L), ROLES, key="dp_role", default="lead", required=True,
                    format_func=lambda r: t(f"dp.role.{r}", L)) if auth.allowed("live") else "expert"
if role == "lead":
    active = ss.get("dp_lead")
    if active:
        lead(active["code"], active["key"])
    else:
        start()
else:
    expert()
