"""The public notice (公示): its data on tiny hand-made inputs (values as given, small counts suppressed at 1 and 2,
not at 0 or 3, no comment text, zh and en), its HTML (self-contained, no script), its PDF (one A4 page whose
text holds the station's name and score in both languages) and the `notice` command's exit codes."""
from __future__ import annotations

import io
from datetime import date
from html.parser import HTMLParser

import pandas as pd
import pytest
from pypdf import PdfReader

from indicators.errors import InputError
from indicators.outputs.notice import MIN_COUNT, Notice, meeting_notice, notice_html, notice_pdf, round_notice
from indicators.records.store import connect
from indicators.scheme import catalog
from indicators.scheme.model import Dimension, Gate, Indicator, Measure, Normalisation, Scheme
from indicators.scoring.engine import score, score_raw
from indicators.scoring.measures import Period

SECRET = "楼下的王阿姨说不好用 secret-comment-text"
OBJ = {"issuer": "城关区民政局", "contact": "电话 0931-8123456", "deadline": date(2026, 12, 9)}
ISSUED = date(2026, 12, 2)


def item(title, votes, yes, no, unsure, n_ratings, mean, comments, kind="need", id_="N0001"):
    return {"kind": kind, "id": id_, "title": title, "votes": votes, "met_yes": yes, "met_no": no,
            "met_unsure": unsure, "n_ratings": n_ratings, "rating_mean": mean, "comments": comments,
            "comment_texts": [SECRET], "resident_ids": ["R00017"]}   # what a careless store might add: never shown


def summary(**over):
    s = {
        "code": "K7Q2MX", "title": "2026年第四季度居民评议会",
        "station_id": "S01", "station_name_zh": "皋兰路社工站", "station_name_en": "Gaolan Road Station",
        "period_start": date(2026, 10, 1), "period_end": date(2026, 12, 31), "held_on": date(2026, 12, 2),
        "tokens_issued": 12, "turnout": 10,
        "items": [item("独居老人助餐", 10, 7, 2, 1, 9, 4.1, 3),
                  item("楼道照明维修", 9, 3, 3, 3, 8, 3.44, 0, id_="N0002"),
                  item("暑期课堂", 2, 1, 1, 0, 2, 3.0, 1, kind="activity", id_="A0007")],
        "share_met": 0.7333, "scheme_id": "needs-met", "scheme_name_zh": "需求满足导向", "scheme_name_en": "Needs met",
        "score_before": 61.24, "score_after": 64.03, "rank_before": 9, "rank_after": 7, "n_stations": 24,
        "voters": [{"resident_id": "R00017", "name": "王秀英"}],
    }
    s.update(over)
    return s


def texts(n: Notice) -> str:
    return " ".join([n.title, *(a + " " + b for a, b in n.facts), *(a + " " + b for a, b in n.headline),
                     *(" ".join([s.heading, *s.columns, *(c for r in s.rows for c in r), s.note]) for s in n.sections),
                     *n.objection, *n.notes])


def test_meeting_values_as_given_zh():
    n = meeting_notice(summary(), "zh", OBJ, issued_on=ISSUED)
    assert n.kind == "meeting" and n.banner.replace(" ", "") == "公示"
    assert n.title == "皋兰路社工站 居民评议会结果公示"
    facts = dict(n.facts)
    assert facts["社工站"] == "皋兰路社工站"
    assert facts["评议会编号"] == "K7Q2MX" and facts["评议日期"] == "2026年12月2日"
    assert facts["评估期"] == "2026年10月1日至2026年12月31日" and facts["评估方案"] == "需求满足导向"
    assert {v: k for k, v in n.headline}["10"] == "参加投票人数（发放投票码12个）"
    assert [v for _, v in n.headline] == ["10", "73%", "64.0", "第7名"]
    items, effect = n.sections
    assert items.rows[0] == ("1", "需求", "独居老人助餐", "10", "7", "少于3人", "少于3人", "不公布", "9", "4.1",
                             "3")
    # 3 is printed, 0 is printed; 3/(3+3) = 50%; the mean as given, to one decimal
    assert items.rows[1] == ("2", "需求", "楼道照明维修", "9", "3", "3", "3", "50%", "8", "3.4", "0")
    # two voters: everything about the item is a small count or withheld
    assert items.rows[2] == ("3", "活动", "暑期课堂", "少于3人", "少于3人", "少于3人", "不公布", "不公布",
                             "少于3人", "不公布", "少于3条")
    assert effect.rows == (("得分（满分100）", "61.2", "64.0", "+2.8"),
                           ("排名", "第9名／共24个", "第7名／共24个", "+2"))
    assert n.objection[0] == "对公示结果有异议的，请于2026年12月9日前通过以下方式提出：电话 0931-8123456。"
    assert n.objection[1] == "公示期：2026年12月2日至2026年12月9日。"


def test_meeting_values_en():
    n = meeting_notice(summary(), "en", OBJ, issued_on=ISSUED)
    assert n.title == "Results of the residents' evaluation meeting: Gaolan Road Station"
    assert dict(n.facts)["Station"] == "Gaolan Road Station (皋兰路社工站)"
    assert [v for _, v in n.headline] == ["10", "73%", "64.0", "7"]
    assert n.sections[0].rows[1] == ("2", "Need", "楼道照明维修", "9", "3", "3", "3", "50%", "8", "3.4", "0")
    assert n.sections[0].rows[0][5] == "fewer than\u00a03"
    assert "by 2026-12-09 via: 电话 0931-8123456." in n.objection[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("count, shown", [(0, "0"), (1, None), (2, None), (3, "3"), (4, "4")])
def test_suppression_at_1_and_2_not_at_0_or_3(lang, count, shown):
    fewer, comments = ("少于3人", "少于3条") if lang == "zh" else ("fewer than\u00a03", "fewer than\u00a03")
    s = summary(items=[item("x", 10, 5, 5, 0, count, 4.0 if count else None, count)])
    row = meeting_notice(s, lang, OBJ, issued_on=ISSUED).sections[0].rows[0]
    assert row[8] == (shown or fewer) and row[10] == (shown or comments)   # ratings and comments counts
    withheld = "不公布" if lang == "zh" else "withheld"
    if shown is None:
        assert row[9] == withheld   # the mean of 1 or 2 ratings
    elif count == 0:
        assert row[9] == "–"
    else:
        assert row[9] == "4.0"


def test_one_small_answer_withholds_the_next_smallest():
    """votes - yes - no would give a lone small answer away: the smallest other answer is withheld too."""
    s = summary(items=[item("x", 10, 5, 3, 2, 10, 4.0, 0)])
    row = meeting_notice(s, "en", OBJ, issued_on=ISSUED).sections[0].rows[0]
    assert row[3:8] == ("10", "5", "withheld", "fewer than\u00a03", "withheld")


@pytest.mark.parametrize("turnout", [1, 2])
def test_few_voters_hide_what_their_votes_changed(turnout):
    s = summary(turnout=turnout, items=[item("x", turnout, turnout, 0, 0, turnout, 5.0, 0)])
    n = meeting_notice(s, "zh", OBJ, issued_on=ISSUED)
    head = dict(n.headline)
    assert head["参加投票人数（发放投票码12个）"] == "少于3人" and head["回答“是”的比例（全部事项）"] == "不公布"
    assert "64.0" not in texts(n) and "第7名" not in texts(n)
    assert n.sections[1].rows[0] == ("得分（满分100）", "61.2", "不公布", "不公布")


def test_share_met_hidden_when_all_yes_or_all_no_are_few():
    s = summary(items=[item("x", 10, 8, 2, 0, 10, 4.0, 0), item("y", 10, 10, 0, 0, 10, 4.0, 0)])
    n = meeting_notice(s, "en", OBJ, issued_on=ISSUED)
    assert dict(n.headline)['Share answering "yes" (all items)'] == "withheld"   # 2 "no" answers in all


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_comment_text_no_resident(lang):
    n = meeting_notice(summary(), lang, OBJ, issued_on=ISSUED)
    for out in (texts(n), notice_html(n)):
        assert SECRET not in out and "secret" not in out
        assert "R00017" not in out and "王秀英" not in out


@pytest.mark.parametrize("bad, field, zh", [
    ({"issuer": "民政局", "contact": "", "deadline": date(2026, 12, 9)}, "objection contact", "异议"),
    ({"issuer": "民政局", "contact": "x" * 201, "deadline": date(2026, 12, 9)}, "objection contact", "异议"),
    ({"issuer": "民政局", "contact": "tel", "deadline": "next week"}, "objection deadline", "异议"),
    ({"issuer": "民政局", "contact": "tel"}, "objection deadline", "异议"),
    ({"contact": "tel", "deadline": date(2026, 12, 9)}, "issuing body", "落款单位"),
    ({"issuer": "局" * 101, "contact": "tel", "deadline": date(2026, 12, 9)}, "issuing body", "落款单位"),
    ({"issuer": " ", "contact": " ", "deadline": date(2026, 12, 9)}, "issuing body and objection contact",
     "落款单位和异议联系方式"),
])
def test_bad_objection_names_the_field(bad, field, zh):
    with pytest.raises(InputError) as exc:
        meeting_notice(summary(), "en", bad)
    assert exc.value.render("en").startswith(field)
    assert exc.value.render("zh").startswith(zh)


def test_a_deadline_before_the_issue_is_refused():
    with pytest.raises(InputError) as exc:
        meeting_notice(summary(), "zh", {**OBJ, "deadline": date(2026, 12, 1)}, issued_on=ISSUED)
    assert exc.value.render("zh").startswith("异议截止日期：2026-12-01早于")
    assert meeting_notice(summary(), "zh", {**OBJ, "deadline": ISSUED}, issued_on=ISSUED)   # same day


def test_bad_summary_and_lang_name_the_field():
    with pytest.raises(InputError, match="turnout"):
        meeting_notice(summary(turnout=-1), "en", OBJ)
    with pytest.raises(InputError, match="lang"):
        meeting_notice(summary(), "fr", OBJ)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.refs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.refs += [v for k, v in attrs if k in ("src", "href")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_meeting_html_self_contained(lang):
    html = notice_html(meeting_notice(summary(), lang, OBJ, issued_on=ISSUED))
    p = _Tags()
    p.feed(html)
    assert "script" not in p.tags and not p.refs and "@import" not in html and "url(" not in html
    assert "@page{size:A4" in html
    assert ("皋兰路社工站" if lang == "zh" else "Gaolan Road Station") in html and "64.0" in html


def pdf_text(data: bytes) -> tuple[int, str]:
    r = PdfReader(io.BytesIO(data))
    return len(r.pages), "".join(p.extract_text() for p in r.pages)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_meeting_pdf_one_page_with_name_and_score(lang):
    data = notice_pdf(meeting_notice(summary(), lang, OBJ, issued_on=ISSUED))
    assert data.startswith(b"%PDF")
    pages, text = pdf_text(data)
    assert pages == 1
    assert "皋兰路社工站" in text and "64.0" in text and "K7Q2MX" in text
    assert ("公示" in text.replace(" ", "")) if lang == "zh" else ("Gaolan Road Station" in text)
    assert SECRET not in text


def test_no_english_column_heading_is_split_inside_a_word():
    """Column widths come from the bold font's own metrics: "Comments" once wrapped to "Comment" / "s"."""
    n = meeting_notice(summary(), "en", OBJ, issued_on=ISSUED)
    _, text = pdf_text(notice_pdf(n))
    words = {w for s in n.sections for c in s.columns for w in c.split()}
    assert "Comments" in words
    for w in words:
        assert w in text, w


def test_pdf_of_many_items_still_one_page():
    many = [item(f"需求事项{k}号：楼道照明与无障碍通道维修", 10, 6, 3, 1, 9, 4.0, 3, id_=f"N{k:04d}")
            for k in range(40)]
    pages, text = pdf_text(notice_pdf(meeting_notice(summary(items=many), "zh", OBJ, issued_on=ISSUED)))
    assert pages == 1 and "需求事项39号" in text


def test_min_count_is_three():
    assert MIN_COUNT == 3


# ================================================================ an assessment round's notice

def tiny_result():
    """Three stations, two dimensions (3:1), goalposts 0-10 so every normalised value is raw x 10 by hand.

    S1: a 100, b 60 -> needs 80; c 20 -> voice 20; total .75 * 80 + .25 * 20 = 65 (C), but c < 5 fails the gate
    (cap D). S2: a 50, b 50 -> 50; c 100; total 37.5 + 25 = 62.5 (C). S3: 0."""
    def ind(iid, zh, en):
        return Indicator(iid, zh, en, "needs", Measure("count", table="activities"),
                         normalisation=Normalisation("goalposts", low=0, high=10))
    scheme = Scheme("tiny", "小方案", "Tiny scheme", (
        Dimension("needs", "需求解决", "Needs resolved", (ind("a", "紧急需求解决率", "Urgent needs resolved"),
                                                          ind("b", "需求满足率", "Needs met"))),
        Dimension("voice", "居民评议", "Residents' voice", (ind("c", "居民满意度", "Satisfaction"),), weight=1 / 3)),
        gates=(Gate("c", ">=", 5, "D", "满意度达标", "Satisfaction passes"),))
    ids = ["S1", "S2", "S3"]
    stations = pd.DataFrame({"name": ["东岗社工站", "西固社工站", "七里河社工站"],
                             "name_en": ["Donggang", "Xigu", "Qilihe"], "district": ["城关区", "西固区", "七里河区"],
                             "population": 1000}, index=pd.Index(ids, name="station_id"))
    raw = pd.DataFrame({"a": [10, 5, 0], "b": [6, 5, 0], "c": [2, 10, 0]}, index=stations.index, dtype=float)
    return score_raw(scheme, raw, stations, Period(date(2026, 1, 1), date(2026, 6, 30)))


def test_round_values_zh():
    n = round_notice(tiny_result(), "S1", "zh", OBJ, issued_on=ISSUED)
    assert n.kind == "round" and n.title == "东岗社工站 评估结果公示"
    assert n.facts == (("社工站", "东岗社工站"), ("所属区县", "城关区"),
                       ("评估期", "2026年1月1日至2026年6月30日"), ("评估方案", "小方案"))
    assert n.headline == (("得分（满分100）", "65.0"), ("排名（共3个社工站）", "第1名"), ("等级", "不合格"))
    (s,) = n.sections
    assert s.columns == ("一级指标", "权重", "所含指标", "得分\n（0～100）", "计入总分")
    assert s.rows == (("需求解决", "75%", "紧急需求解决率、需求满足率", "80.0", "60.0"),
                      ("居民评议", "25%", "居民满意度", "20.0", "5.0"))
    assert s.total == ("合计", "100%", "", "", "65.0")
    assert "未通过否决项（满意度达标），评估等级最高为“不合格”。" in n.notes
    assert ("等级划分：85分及以上为优秀（A）；70分及以上、85分以下为良好（B）；55分及以上、70分以下为合格（C）；"
            "55分以下为不合格（D）。") in n.notes


def test_round_values_en():
    n = round_notice(tiny_result(), "S2", "en", OBJ, issued_on=ISSUED, demo=True)
    assert n.title == "Assessment result: Xigu"
    assert n.headline == (("Score (of 100)", "62.5"), ("Rank (of 3 stations)", "2"), ("Grade", "Pass"))
    assert n.sections[0].rows == (("Needs resolved", "75%", "Urgent needs resolved; Needs met", "50.0", "37.5"),
                                  ("Residents' voice", "25%", "Satisfaction", "100.0", "25.0"))
    assert not any("must-pass" in x for x in n.notes)
    assert any(x.startswith("Synthetic demo data") for x in n.notes)
    assert n.objection[0] == "Anyone who disagrees with this result may object by 2026-12-09 via: 电话 0931-8123456."


def test_round_numbers_are_the_results_cells():
    r = tiny_result()
    for sid in r.stations.index:
        n = round_notice(r, sid, "en", OBJ, issued_on=ISSUED)
        assert dict(n.headline)["Score (of 100)"] == f"{r.total[sid]:.1f}"
        assert [row[3] for row in n.sections[0].rows] == [f"{r.dimension_scores.at[sid, d]:.1f}"
                                                           for d in ("needs", "voice")]
        pts = [float(row[4]) for row in n.sections[0].rows]
        assert sum(pts) == pytest.approx(r.total[sid], abs=0.1)


def test_round_unknown_station_names_the_field():
    with pytest.raises(InputError, match="--station: no station 'S9'"):
        round_notice(tiny_result(), "S9", "en", OBJ)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_round_pdf_and_html(lang):
    n = round_notice(tiny_result(), "S1", lang, OBJ, issued_on=ISSUED)
    pages, text = pdf_text(notice_pdf(n))
    assert pages == 1 and "东岗社工站" in text and ("Donggang" in text) == (lang == "en") and "65.0" in text
    html = notice_html(n)
    p = _Tags()
    p.feed(html)
    assert "script" not in p.tags and "东岗社工站" in html and "65.0" in html


# ================================================================ the command line

@pytest.fixture
def run_cli(capsys):
    """`python -m indicators notice ...` in this process: (exit status, stderr)."""
    from indicators.cli.main import main

    def run(*args):
        try:
            code = main(["notice", *args])
        except SystemExit as exc:   # argparse's own refusals
            code = exc.code
        return code, capsys.readouterr().err
    return run


def test_cli_writes_pdf_and_html(run_cli, demo_db, tmp_path):
    con = connect(demo_db, read_only=True)
    r = score(con, catalog.builtin("needs-met"), Period(date(2024, 7, 1), date(2024, 12, 31)))
    con.close()
    common = ["--db", str(demo_db), "--scheme", "needs-met", "--station", "S04", "--period-start", "2024-07-01",
              "--period-end", "2024-12-31", "--issuer", "城关区民政局", "--objection-contact", "电话 0931-8123456",
              "--objection-deadline", "2026-12-09"]
    code, err = run_cli(*common, "--lang", "zh", "--out", str(tmp_path / "n.pdf"))
    assert code == 0, err
    pages, text = pdf_text((tmp_path / "n.pdf").read_bytes())
    assert pages == 1 and r.stations.at["S04", "name"] in text and f"{r.total['S04']:.1f}" in text
    code, err = run_cli(*common, "--lang", "en", "--out", str(tmp_path / "n.html"))
    assert code == 0, err
    html = (tmp_path / "n.html").read_text(encoding="utf-8")
    assert r.stations.at["S04", "name_en"] in html and f"{r.total['S04']:.1f}" in html and "2026-12-09" in html


@pytest.mark.parametrize("change, field", [
    ({"--out": "n.txt"}, "--out"),
    ({"--out": "nofolder/n.pdf"}, "--out"),
    ({"--station": "S99"}, "--station"),
    ({"--objection-contact": " "}, "objection contact"),
    ({"--issuer": " "}, "issuing body"),
    ({"--objection-deadline": "soon"}, "--objection-deadline"),
    ({"--objection-deadline": "2020-01-01"}, "objection deadline: 2020-01-01 is before"),
    ({"--period-end": "2024-01-01"}, "--period-start"),
    ({"--scheme": "no-such-scheme"}, "no-such-scheme"),
])
def test_cli_bad_input_exits_2_naming_the_field(run_cli, demo_db, tmp_path, change, field):
    opts = {"--db": str(demo_db), "--scheme": "needs-met", "--station": "S04", "--period-start": "2024-07-01",
            "--period-end": "2024-12-31", "--issuer": "城关区民政局", "--objection-contact": "tel",
            "--objection-deadline": "2026-12-09",
            "--out": "n.pdf", "--lang": "en"}
    opts.update(change)
    opts["--out"] = str(tmp_path / opts["--out"])
    code, err = run_cli(*(x for kv in opts.items() for x in kv))
    assert code == 2 and field in err and "Traceback" not in err
    assert not list(tmp_path.glob("n.*"))


def test_cli_no_database_exits_2(run_cli, tmp_path):
    code, err = run_cli("--db", str(tmp_path / "none.duckdb"), "--scheme", "needs-met", "--station", "S04",
                "--issuer", "城关区民政局", "--objection-contact", "tel", "--objection-deadline", "2026-12-09", "--out", str(tmp_path / "n.pdf"))
    assert code == 2 and "none.duckdb" in err


def test_user_text_is_escaped_in_html_and_pdf():
    hostile = '<script>alert(1)</script> & <b>'
    n = meeting_notice(summary(title=hostile), "en", {"issuer": hostile, "contact": hostile,
                                                      "deadline": date(2026, 12, 9)}, issued_on=ISSUED)
    html = notice_html(n)
    p = _Tags()
    p.feed(html)
    assert "script" not in p.tags and "b" not in p.tags and "&lt;script&gt;" in html
    pages, text = pdf_text(notice_pdf(n))
    assert pages == 1 and "<script>alert(1)</script> & <b>" in text
