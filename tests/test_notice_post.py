"""A notice fit to post (issue 22 item 1), checked by hand on the tiny inputs of tests/test_notice.py: the issuing
body (落款单位) is required like the contact and signs above the date; a Chinese notice names the station in Chinese
only (no English name, no code) and the scheme without its id; dates as 2026年1月1日至2026年6月30日; the grades in
words; the answer columns say what residents were asked; 评估, never 考核; 少于3人 and 0～100. The report card
speaks the same words."""
from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest

from indicators.errors import InputError
from indicators.outputs.notice import meeting_notice, notice_html, notice_pdf, round_notice
from indicators.outputs.report import station_report
from tests.test_notice import ISSUED, item, pdf_text, summary, tiny_result

OBJ = {"issuer": "城关区民政局", "contact": "电话 0931-8123456，皋兰路12号", "deadline": date(2026, 12, 9)}


class _Text(HTMLParser):
    """The text a reader sees, one string per element's text run."""

    def __init__(self):
        super().__init__()
        self.runs: list[str] = []

    def handle_data(self, data):
        if data.strip():
            self.runs.append(data.strip())


def seen(html: str) -> list[str]:
    p = _Text()
    p.feed(html[html.index("<body>"):])   # not the <title> or the CSS
    return p.runs


# ---------------------------------------------------------------- the issuing body and the contact

@pytest.mark.parametrize("objection, en, zh", [
    ({"contact": "电话 0931-8123456", "deadline": date(2026, 12, 9)}, "issuing body:", "落款单位："),
    ({"issuer": "  ", "contact": "电话 0931-8123456", "deadline": date(2026, 12, 9)}, "issuing body:", "落款单位："),
    ({"issuer": "城关区民政局", "deadline": date(2026, 12, 9)}, "objection contact:", "异议联系方式："),
    ({"deadline": date(2026, 12, 9)}, "issuing body and objection contact:", "落款单位和异议联系方式："),
])
def test_a_notice_without_issuer_or_contact_is_refused_naming_the_field(objection, en, zh):
    for make in (lambda: meeting_notice(summary(), "zh", objection, issued_on=ISSUED),
                 lambda: round_notice(tiny_result(), "S1", "zh", objection, issued_on=ISSUED)):
        with pytest.raises(InputError) as exc:
            make()
        assert exc.value.render("en").startswith(en) and exc.value.render("zh").startswith(zh)


def test_the_app_gives_no_vague_default_contact():
    from indicators.i18n import EN, ZH
    assert "notice.app.contact_default" not in EN and "评估组办公室" not in ZH.values()


@pytest.mark.parametrize("lang, date_line", [("zh", "2026年12月2日"), ("en", "Issued on 2026-12-02")])
def test_the_issuer_signs_above_the_date_in_html_and_pdf(lang, date_line):
    n = round_notice(tiny_result(), "S1", lang, OBJ, issued_on=ISSUED)
    runs = seen(notice_html(n))
    assert runs[-3:] == [("特此公示。" if lang == "zh" else "Hereby published."), "城关区民政局", date_line]
    _, text = pdf_text(notice_pdf(n))
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    assert lines[-2:] == ["城关区民政局", date_line]


# ---------------------------------------------------------------- a Chinese notice in Chinese only

def test_a_chinese_round_notice_names_the_station_and_scheme_in_chinese_only():
    n = round_notice(tiny_result(), "S1", "zh", OBJ, issued_on=ISSUED)
    assert dict(n.facts)["社工站"] == "东岗社工站" and dict(n.facts)["评估方案"] == "小方案"
    html = notice_html(n)
    _, pdf = pdf_text(notice_pdf(n))
    for text in (" ".join(seen(html)), pdf):
        assert "Donggang" not in text and "S1" not in text and "tiny" not in text


def test_a_chinese_round_notice_of_the_demo_has_no_english_and_no_code(demo_db):
    from indicators.records.store import connect
    from indicators.scheme import catalog
    from indicators.scoring.engine import score
    con = connect(demo_db, read_only=True)
    result = score(con, catalog.builtin("needs-met"))
    con.close()
    text = " ".join(seen(notice_html(round_notice(result, "S04", "zh", OBJ, issued_on=ISSUED))))
    assert result.stations.at["S04", "name"] in text
    assert result.stations.at["S04", "name_en"] not in text
    assert "S04" not in text and "(needs-met)" not in text and "needs-met" not in text
    # apart from the grade letters (优秀（A）) nothing in Latin letters but the contact the issuer typed
    assert set(re.findall(r"[A-Za-z]+", text)) <= {"A", "B", "C", "D"}


def test_a_chinese_meeting_notice_names_the_station_in_chinese_only_and_items_without_codes():
    n = meeting_notice(summary(), "zh", OBJ, issued_on=ISSUED)
    assert dict(n.facts)["社工站"] == "皋兰路社工站"
    text = " ".join(seen(notice_html(n)))
    assert "Gaolan" not in text and "S01" not in text and "N0001" not in text
    # two needs of one title keep their ids apart, and only they
    twins = summary(items=[item("楼道加装扶手", 9, 3, 3, 3, 8, 3.5, 0, id_="N0089"),
                           item("楼道加装扶手", 9, 3, 3, 3, 8, 3.5, 0, id_="N0090"),
                           item("独居老人助餐", 9, 3, 3, 3, 8, 3.5, 0, id_="N0091")])
    rows = meeting_notice(twins, "zh", OBJ, issued_on=ISSUED).sections[0].rows
    assert [r[2] for r in rows] == ["楼道加装扶手（N0089）", "楼道加装扶手（N0090）", "独居老人助餐"]


def test_the_english_notice_means_the_same():
    n = round_notice(tiny_result(), "S1", "en", OBJ, issued_on=ISSUED)
    assert dict(n.facts)["Station"] == "Donggang (东岗社工站)" and dict(n.facts)["Assessment scheme"] == "Tiny scheme"
    assert n.issuer == "城关区民政局"
    assert ("Grade bands: 85 points and above: Excellent (A); 70 to below 85 points: Good (B); 55 to below 70 "
            "points: Pass (C); below 55 points: Fail (D).") in n.notes
    assert 'A veto item was not passed (Satisfaction passes): the grade can be at most "Fail".' in n.notes


# ---------------------------------------------------------------- dates, grades, words

def test_dates_are_written_the_chinese_way():
    n = round_notice(tiny_result(), "S1", "zh", OBJ, issued_on=ISSUED)
    assert dict(n.facts)["评估期"] == "2026年1月1日至2026年6月30日"
    assert n.objection[1] == "公示期：2026年12月2日至2026年12月9日。"
    html = notice_html(n)
    assert "2026-01-01" not in html and "2026-06-30" not in html


def test_grades_are_in_words():
    n = round_notice(tiny_result(), "S1", "zh", OBJ, issued_on=ISSUED)
    # S1: 65 points is a C (合格) by the bands, but its satisfaction 2 < 5 fails the gate that caps at D
    assert dict(n.headline)["等级"] == "不合格"
    assert ("等级划分：85分及以上为优秀（A）；70分及以上、85分以下为良好（B）；55分及以上、70分以下为合格（C）；"
            "55分以下为不合格（D）。") in n.notes
    assert "未通过否决项（满意度达标），评估等级最高为“不合格”。" in n.notes
    assert dict(round_notice(tiny_result(), "S2", "zh", OBJ, issued_on=ISSUED).headline)["等级"] == "合格"   # 62.5


def test_the_answer_columns_say_what_was_asked():
    n = meeting_notice(summary(), "zh", OBJ, issued_on=ISSUED)
    items = n.sections[0]
    assert [c.replace("\n", "") for c in items.columns[4:8]] == ["回答“是”", "回答“否”", "回答“不清楚”", "回答“是”的比例"]
    assert "这项需求解决了吗？" in items.note and "这项活动满足了您的需求吗？" in items.note
    assert dict(n.headline)["回答“是”的比例（全部事项）"] == "73%"
    html = notice_html(n)
    assert "已解决" not in html and "未解决" not in html and "解决比例" not in html
    en = meeting_notice(summary(), "en", OBJ, issued_on=ISSUED).sections[0]
    assert en.columns[4:8] == ('"Yes"', '"No"', '"Not sure"', 'Share "yes"')
    assert "Was this need met?" in en.note


@pytest.mark.parametrize("make", [
    lambda: meeting_notice(summary(), "zh", OBJ, issued_on=ISSUED),
    lambda: round_notice(tiny_result(), "S1", "zh", OBJ, issued_on=ISSUED),
])
def test_a_chinese_notice_says_pinggu_few_people_and_full_width_ranges(make):
    html = notice_html(make())
    text = " ".join(seen(html))
    assert "考核" not in text and "维度" not in text and "站点" not in text
    assert not re.search(r"\d-\d", text.replace("0931-8123456", ""))   # ranges as 0～100, 1～5
    assert "评估" in text


def test_small_counts_say_people_and_comments():
    row = meeting_notice(summary(), "zh", OBJ, issued_on=ISSUED).sections[0].rows[2]   # two voters
    assert row[3] == "少于3人" and row[10] == "少于3条"


def test_the_round_table_heads_say_yiji_zhibiao_and_0_to_100():
    (s,) = round_notice(tiny_result(), "S1", "zh", OBJ, issued_on=ISSUED).sections
    assert [c.replace("\n", "") for c in s.columns] == ["一级指标", "权重", "所含指标", "得分（0～100）", "计入总分"]


# ---------------------------------------------------------------- the report card

def test_the_report_card_speaks_of_pinggu_and_chinese_dates():
    html = station_report(tiny_result(), "S1", "zh")
    text = " ".join(seen(html))
    assert "社工站评估报告" in text and "评估方案：小方案" in text
    assert "评估期：2026年1月1日至2026年6月30日" in text
    assert "考核" not in text and "维度" not in text and "站点" not in text and "0-100" not in text
