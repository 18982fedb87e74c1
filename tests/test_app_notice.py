"""The Scores page's public notice (公示) section through AppTest, in Chinese and English: the objection inputs with
their defaults, the preview of the selected station's notice, the downloads, and a bad contact shown as st.error."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from indicators.i18n import t
from tests.test_app import assert_clean, open_app


def preview(at) -> str:
    (frame,) = at.get("iframe")
    return frame.proto.srcdoc


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_notice_section_defaults_preview_and_downloads(db, lang):
    at = open_app(lang, "scores")
    assert_clean(at)
    assert t("notice.app.title", lang) in [s.value for s in at.subheader]
    assert at.text_input(key="notice_contact").value == t("notice.app.contact_default", lang)
    assert at.date_input(key="notice_deadline").value == date.today() + timedelta(days=7)
    labels = {d.label for d in at.get("download_button")}
    assert {t("notice.app.html", lang), t("notice.app.pdf", lang)} <= labels
    html = preview(at)
    assert t("notice.banner", lang) in html and "<script" not in html
    at.selectbox(key="card_station").set_value("S03").run()
    at.text_input(key="notice_contact").set_value("电话 0931-8123456").run()
    at.date_input(key="notice_deadline").set_value(date(2030, 1, 31)).run()
    assert_clean(at)
    table = next(d.value for d in at.dataframe if "rank" in d.value.columns)
    row = table.loc["S03"]   # the ranking is indexed by station id
    html = preview(at)
    assert "S03" in html and "电话 0931-8123456" in html
    assert ("2030年1月31日" if lang == "zh" else "2030-01-31") in html
    assert row["station"] in html and f"{row['score']:.1f}" in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_empty_contact_is_an_error_in_the_language(db, lang):
    at = open_app(lang, "scores")
    at.text_input(key="notice_contact").set_value("   ").run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("err.notice.contact", lang)]
    assert not at.get("iframe")
    assert t("notice.app.pdf", lang) not in {d.label for d in at.get("download_button")}


def test_the_untouched_default_contact_follows_the_language(db):
    at = open_app("en", "scores")
    at.radio(key="lang").set_value("zh").run()
    assert_clean(at)
    assert at.text_input(key="notice_contact").value == t("notice.app.contact_default", "zh")
    at.text_input(key="notice_contact").set_value("电话 0931-8123456").run()
    at.radio(key="lang").set_value("en").run()
    assert at.text_input(key="notice_contact").value == "电话 0931-8123456"   # what was typed stays


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
    data = meeting_notice(summary, "zh", {"contact": "电话 0931-8123456", "deadline": date(2099, 1, 1)},
                          issued_on=date(2026, 12, 2))
    public_notice.show(data, "meeting_K7Q2MX", key="meeting_notice")


def test_a_meetings_notice_through_show():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_function(_meeting_page, default_timeout=60).run()
    assert_clean(at)
    assert {d.label for d in at.get("download_button")} == {t("notice.app.html", "zh"), t("notice.app.pdf", "zh")}
    html = preview(at)
    assert "皋兰路社工站 居民评议会结果公示" in html and "少于3" in html and "64.0" in html
