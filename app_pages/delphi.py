"""Expert rounds (Delphi): the facilitator proposes candidate indicators from the current scheme and gives the
experts a code; each expert rates importance and feasibility (1-5) and states familiarity and basis of judgment;
after a round closes the facilitator sees mean, full-score frequency, CV, Kendall's W with its chi-square test and
the authority coefficient, drops the flagged indicators and opens the next round, where the experts see the last
round's anonymous distribution; the kept indicators become a scheme draft. Engine: indicators/live/delphi.py,
formulas and sources: docs/delphi.md.

Keys live in this tab's session only: st.session_state["dp_lead"] (code, key) and ["dp_me"] {code: token, name}.
An expert's join is checked for this browser session, so wrong study codes count against it and a locked device is
refused unchecked (indicators/live/codes.py); the facilitator sees the lock-out and lifts it.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import auth, frame
from app_pages import live_shared as shared
from indicators.i18n import pick, t
from indicators.live.delphi import BASES, FAMILIARITY, INFLUENCE, SCORES, THRESHOLDS, DelphiError, DelphiStore
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
    return shared.err(exc, "dp", L)


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


def fmt_p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def results(code: str, key: str, status: dict) -> list[str]:
    """The closed round's statistics; returns the flagged indicators."""
    res = store().round_result(code, key)
    nm = names(status)
    st.subheader(t("dp.results", L, round=res["round"]))
    k, kf = res["kendall"], res["kendall_feasibility"]
    m = st.columns(4)
    m[0].metric(t("dp.m.experts", L), res["n_experts"], border=True)
    m[1].metric(t("dp.m.w", L), "—" if k is None else f"{k['w']:.3f}", border=True, help=t("dp.w_help", L))
    m[2].metric(t("dp.m.p", L), "—" if k is None else fmt_p(k["p"]), border=True)
    m[3].metric(t("dp.m.cr", L), "—" if res["cr"] is None else f"{res['cr']:.2f}", border=True,
                help=t("dp.cr_help", L))
    if k is not None:
        st.caption(t("dp.kendall_line", L, w=f"{k['w']:.3f}", chi2=f"{k['chi2']:.2f}", df=k["df"], p=fmt_p(k["p"]),
                     fw="—" if kf is None else f"{kf['w']:.3f}", fp="—" if kf is None else fmt_p(kf["p"])))
    imp, fea = res["importance"], res["feasibility"]
    table = pd.DataFrame({
        "indicator": [nm.get(j, j) for j in imp.index], "mean": imp["mean"], "sd": imp["sd"], "cv": imp["cv"],
        "full": imp["full"], "f_mean": fea["mean"], "f_cv": fea["cv"],
        "flag": [", ".join(t(f"dp.why.{w}", L) for w in res["flags"][j]) for j in imp.index]})
    num = {c: st.column_config.NumberColumn(t(f"dp.col.{c}", L), format="%.2f")
           for c in ("mean", "sd", "cv", "full", "f_mean", "f_cv")}
    st.dataframe(table, hide_index=True, width="stretch", key="dp_stats", column_config={
        "indicator": t("dp.col.indicator", L), "flag": t("dp.col.flag", L), **num})
    th = res["thresholds"]
    st.caption(t("dp.rule", L, mean=f"{th['mean_min']:g}", cv=f"{th['cv_max']:g}", feas=f"{th['feasibility_min']:g}"))
    with st.expander(t("dp.authority", L, ca=f"{res['ca']:.2f}", cs=f"{res['cs']:.2f}", cr=f"{res['cr']:.2f}"),
                     icon=":material/workspace_premium:"):
        au = res["authority"].reset_index()
        au["familiarity"] = [t(f"dp.fam.{x}", L) for x in au["familiarity"]]
        au["basis"] = ["; ".join(f"{t(f'dp.basis.{b}', L)} {t(f'dp.inf.{v}', L)}" for b, v in x.items())
                       for x in au["basis"]]
        st.dataframe(au, hide_index=True, width="stretch", key="dp_authority", column_config={
            "expert": t("dp.col.expert", L), "familiarity": t("dp.col.familiarity", L),
            "basis": t("dp.col.basis", L), "ca": st.column_config.NumberColumn("Ca", format="%.2f"),
            "cs": st.column_config.NumberColumn("Cs", format="%.2f"),
            "cr": st.column_config.NumberColumn("Cr", format="%.2f")})
        st.caption(t("dp.authority_tables", L))
    return res["flagged"]


def decide(code: str, key: str, status: dict, flagged: list[str]) -> None:
    nm = names(status)
    ids = [c["id"] for c in status["candidates"]]
    with st.container(border=True):
        drop = st.multiselect(t("dp.drop", L), ids, default=flagged, key=f"dp_drop:{code}:{status['round']}",
                              format_func=lambda i: nm.get(i, i), help=t("dp.drop_help", L))
        c1, c2 = st.columns(2)
        with c1:
            if st.button(t("dp.next_round", L), key="dp_next", icon=":material/redo:", width="stretch"):
                try:
                    r = store().next_round(code, key, drop)
                except DelphiError as exc:
                    st.error(err(exc))
                else:
                    frame.flash("success", t("dp.next_started", L, round=r))
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
                scheme = store().draft(code, key, new_id, drop)
                frame.save_and_select(f, scheme, f"{auth.name()} · delphi {code}",
                                      t("dp.saved", L, id=scheme.id, n=len(scheme.indicators)))
            except DelphiError as exc:
                st.error(err(exc))
            except SchemeError as exc:
                frame.show_error(exc, L)
            else:
                st.rerun()


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
    if status["state"] == "open":
        st.info(t("dp.hidden", L))
        return
    flagged = results(code, key, status)
    decide(code, key, status, flagged)


# ---------------------------------------------------------------- expert

def expert_join() -> None:
    code = str(st.query_params.get("code") or ss.get("dp_code") or "").strip().upper()
    with st.form("dp_join_form"):
        code_in = st.text_input(t("dp.code", L), value=code, key="dp_join_code", max_chars=12)
        name = st.text_input(t("dp.your_name", L), key="dp_join_name", max_chars=40)
        go = st.form_submit_button(t("dp.join_button", L), type="primary", width="stretch", icon=":material/login:")
    if go:
        try:
            me = store().join(code_in, name, session=shared.session_id())   # wrong codes count
        except DelphiError as exc:
            st.error(err(exc))
            return
        ss.setdefault("dp_me", {})[me.code] = {"token": me.token, "name": me.name}
        ss["dp_code"] = me.code
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


def expert() -> None:
    code = ss.get("dp_code") or str(st.query_params.get("code") or "").strip().upper()
    me = ss.get("dp_me", {}).get(code)
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
    row = st.container(horizontal=True, vertical_alignment="center")
    row.markdown(t("dp.you", L, name=me["name"], code=code, round=status["round"]), width="content")
    row.button(t("dp.refresh", L), key="dp_expert_refresh", type="tertiary", icon=":material/refresh:")   # the click reruns the page
    if status["state"] != "open":
        st.info(t("dp.wait", L, round=status["round"]))
        return
    if status["round"] > 1:
        st.info(t("dp.feedback_intro", L, round=status["round"] - 1))
    nm = names(status)
    prev = (mine or before or {"answers": {}})
    with st.form(f"dp_answer:{code}:{status['round']}"):
        answers = {}
        for c in status["candidates"]:
            st.markdown(f"**{plain(nm.get(c['id'], c['id']))}**")
            last_round(status, c["id"], before)
            old = (mine or {"answers": {}})["answers"].get(c["id"], (None, None))   # each round rated afresh
            a1, a2 = st.columns(2)
            imp = a1.segmented_control(t("dp.importance", L), SCORES, key=f"dp_imp:{code}:{status['round']}:{c['id']}",
                                       default=old[0])
            fea = a2.segmented_control(t("dp.feasibility", L), SCORES,
                                       key=f"dp_fea:{code}:{status['round']}:{c['id']}", default=old[1])
            answers[c["id"]] = (imp, fea)
        st.divider()
        fam = st.radio(t("dp.familiarity", L), FAMILIARITY, horizontal=True, key=f"dp_fam:{code}:{status['round']}",
                       index=FAMILIARITY.index(prev["familiarity"]) if prev.get("familiarity") else None,
                       format_func=lambda x: t(f"dp.fam.{x}", L))
        st.markdown(f"**{t('dp.basis', L)}**")
        basis = {}
        for bname in BASES:
            basis[bname] = st.radio(t(f"dp.basis.{bname}", L), INFLUENCE, horizontal=True,
                                    key=f"dp_basis:{code}:{status['round']}:{bname}",
                                    index=INFLUENCE.index(prev["basis"][bname]) if prev.get("basis") else None,
                                    format_func=lambda x: t(f"dp.inf.{x}", L))
        go = st.form_submit_button(t("dp.submit", L), type="primary", width="stretch", icon=":material/send:")
    if mine:
        st.caption(t("dp.submitted", L))
    if not go:
        return
    if fam is None or any(v is None for v in basis.values()) or any(None in a for a in answers.values()):
        st.error(t("dp.answer_all", L))
        return
    try:
        store().submit(code, me["token"], answers, fam, basis)
    except DelphiError as exc:
        st.error(err(exc))
        return
    frame.flash("success", t("dp.sent", L))
    st.rerun()


ROLES = ("lead", "expert")
if "dp_role" not in ss and st.query_params.get("code") or not auth.allowed("live"):
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
