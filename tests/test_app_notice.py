"""The Scores page's public notice (公示) section through AppTest, in Chinese and English: the issuing body and the
objection inputs (no defaults: a missing one is named), the preview of the selected station's notice, the
downloads."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from indicators.i18n import t
from tests.test_app import assert_clean, open_app


def preview(at) -> str:
    (frame,) = at.get("iframe")
    return frame.proto.srcdoc


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_notice_section_asks_for_issuer_and_contact_then_previews_and_downloads(db, lang):
    at = open_app(lang, "scores")
    assert_clean(at)
    assert t("notice.app.title", lang) in [s.value for s in at.subheader]
    # no default issuer or contact: the notice waits for both, and says which
    assert at.text_input(key="notice_issuer").value == "" and at.text_input(key="notice_contact").value == ""
    assert at.date_input(key="notice_deadline").value == date.today() + timedelta(days=7)
    assert t("err.notice.issuer_contact", lang) in [w.value for w in at.warning]
    assert not at.get("iframe") and t("notice.app.pdf", lang) not in {d.label for d in at.get("download_button")}
    at.selectbox(key="card_station").set_value("S03").run()
    at.text_input(key="notice_issuer").set_value("城关区民政局").run()
    assert t("err.notice.contact", lang) in [w.value for w in at.warning]   # the contact is still missing
    at.text_input(key="notice_contact").set_value("电话 0931-8123456").run()
    at.date_input(key="notice_deadline").set_value(date(2030, 1, 31)).run()
    assert_clean(at)
    labels = {d.label for d in at.get("download_button")}
    assert {t("notice.app.html", lang), t("notice.app.pdf", lang)} <= labels
    table = next(d.value for d in at.dataframe if "rank" in d.value.columns)
    row = table.loc["S03"]   # the ranking is indexed by station id
    html = preview(at)
    assert t("notice.banner", lang) in html and "<script" not in html
    assert "城关区民政局" in html and "电话 0931-8123456" in html and "S03" not in html
    assert ("2030年1月31日" if lang == "zh" else "2030-01-31") in html
    assert row["station"] in html and f"{row['score']:.1f}" in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_blank_issuer_is_named_in_the_language(db, lang):
    at = open_app(lang, "scores")
    at.text_input(key="notice_contact").set_value("电话 0931-8123456").run()
    at.text_input(key="notice_issuer").set_value("   ").run()
    assert not at.exception and not at.error
    assert [w.value for w in at.warning] == [t("err.notice.issuer", lang)]
    assert not at.get("iframe")
    assert t("notice.app.pdf", lang) not in {d.label for d in at.get("download_button")}


def test_what_was_typed_stays_across_a_language_switch(db):
    at = open_app("en", "scores")
    at.text_input(key="notice_issuer").set_value("城关区民政局").run()
    at.text_input(key="notice_contact").set_value("电话 0931-8123456").run()
    at.radio(key="lang").set_value("zh").run()
    assert_clean(at)
    assert at.text_input(key="notice_issuer").value == "城关区民政局"
    assert at.text_input(key="notice_contact").value == "电话 0931-8123456"
    assert "城关区民政局" in preview(at)


def _meeting_page():
    """A page that shows a meeting's notice as the meeting page would (run by AppTest.from_function)."""
    from datetime import date

    from app_pages import public_notice
    from indicators.outputs.notice import meeting_notice
    item = {"kind": "need", "id": "N1", "title": "楼道照明维修", "votes": 9, "met_yes": 3, "met_no": 3,
            "met_unsure": 3, "n_ratings": 2, "rating_mean": 3.5, "comments": 1}
    summary = {"code": "K7Q2MX", "station_id": "S01", "station_name_zh": "皋兰路社工站", "station_name_en": "Gaolan",
               "period_start": date(2026, 10, 1), "period_end": date(2026, 12, 31), "held_on": date(2026, 12, 2),
               "tokens_issued": 12, "turnout": 9, "items": [item], "share_met": 0.5, "scheme_name_zh": "需求满足导向",
               "score_before": 61.2, "score_after": 64.0, "rank_before": 9, "rank_after": 7, "n_stations": 24}
    data = meeting_notice(summary, "zh", {"issuer": "城关区民政局", "contact": "电话 0931-8123456",
                                          "deadline": date(2099, 1, 1)}, issued_on=date(2026, 12, 2))
    public_notice.show(data, "meeting_K7Q2MX", key="meeting_notice")


def test_a_meetings_notice_through_show():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_function(_meeting_page, default_timeout=60).run()
    assert_clean(at)
    assert {d.label for d in at.get("download_button")} == {t("notice.app.html", "zh"), t("notice.app.pdf", "zh")}
    html = preview(at)
    assert "皋兰路社工站 居民评议会结果公示" in html and "少于3" in html and "64.0" in html
