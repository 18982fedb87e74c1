"""Overview, the first screen: the same stations ranked by the built-in photo-count and needs-met schemes side by
side over the sidebar's period, the stations that move most and why (each a way into its station card), and the
records, the scores and the full comparison one click away."""
from app_pages import auth  # noqa: E402 - first, before anything reads: a page refused stops here
auth.require("read")
import streamlit as st

from app_pages import frame
from indicators.i18n import pick, t
from indicators.outputs import overview
from indicators.scoring.engine import EmptyRecords
from indicators.text_safety import plain

f = frame.current()
L = f.lang
options = frame.schemes(f.db)
scheme_a, scheme_b = options[overview.PHOTO_COUNT][0], options[overview.NEEDS_MET][0]
st.title(t("ov.title", L))
st.caption(t("ov.intro", L, a=pick(scheme_a, L), b=pick(scheme_b, L)))
frame.show_flash()


def links() -> None:
    """The pages a newcomer goes on to, the records first."""
    c1, c2, c3, _ = st.columns([1, 1, 1, 2])
    c1.page_link("app_pages/records.py", label=t("ov.to_records", L), icon=":material/database:")
    c2.page_link("app_pages/scores.py", label=t("ov.to_scores", L), icon=":material/leaderboard:")
    c3.page_link("app_pages/compare.py", label=t("ov.to_compare", L), icon=":material/compare_arrows:")


try:   # the same cached scoring as the Scores and Compare pages: opening them next costs no query
    result_a, result_b = frame.score(f.db, scheme_a, f.period), frame.score(f.db, scheme_b, f.period)
except EmptyRecords:   # a new, empty database: say where to begin
    st.info(t("ov.no_stations", L), icon=":material/database:")
    links()
    st.stop()
ov = overview.build(result_a, result_b, L)

if ov.flat:   # a period without the records a scheme counts: no contrast to state, say why
    st.warning(overview.headline(ov, L), icon=":material/event_busy:")
else:
    st.markdown(f"##### {overview.headline(ov, L)}")
    st.caption(overview.agreement(ov, L))
links()
if f.scheme.id not in (overview.PHOTO_COUNT, overview.NEEDS_MET):
    st.caption(plain(t("ov.current", L, scheme=pick(f.scheme, L))))   # a scheme's name comes from a file


CARD_ANCHOR = "station-card"   # the Scores page's station card heading


def to_card(sid: str, name: str) -> None:
    """Open the Scores page on this station's card (its selectbox reads the choice) and say where the card is."""
    st.session_state["card_station"] = sid
    frame.flash("info", t("ov.card_below", L, station=plain(name), heading=t("scores.card", L),
                          anchor=CARD_ANCHOR))
    st.switch_page("app_pages/scores.py")


left, middle, right = st.columns([5, 5, 4], gap="medium")
left.vega_lite_chart(overview.ranking_spec(ov.ranking_a, L, ov.label_a, "output"), width="stretch")
middle.vega_lite_chart(overview.ranking_spec(ov.ranking_b, L, ov.label_b, "needs"), width="stretch")
with right:
    st.markdown(f"**{t('ov.movers', L)}**", help=t("ov.movers_help", L))
    if ov.movers.empty:
        st.info(t("ov.no_movers", L))
    for sid, row in ov.movers.iterrows():
        with st.container(border=True, gap=None):
            if st.button(plain(row["station"]), key=f"ov_card:{sid}", type="tertiary",
                         icon=":material/arrow_forward:"):
                to_card(sid, row["station"])
            up = row["shift"] > 0
            st.markdown(f":{'green' if up else 'red'}[{'▲' if up else '▼'} {row['move']}]")
            st.caption(plain(row["why"]))   # indicator names come from a scheme file
