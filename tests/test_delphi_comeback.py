"""Issue 23 for the Delphi consultation: experts who come back by their token, removal of an expert (their answers
leave every statistic), the closed round answered in words, the recorded decisions and overrides, one Cr per panel
from exact sums, the multi-round report, and an older database gaining the new tables.

The study: 3 experts x 4 indicators. Every figure below is worked by hand in the comments."""
import io
import math
from fractions import Fraction

import duckdb
import openpyxl
import pytest

from indicators.i18n import t
from indicators.live.delphi import DelphiError, DelphiStore, panel_authority
from indicators.outputs import delphi_report
from indicators.scheme import catalog
from tests.conftest import station

BASIS = {"practice": "high", "theory": "medium", "peers": "low", "intuition": "low"}        # Ca 0.9
ALL_HIGH = dict.fromkeys(BASIS, "high")                                                      # Ca 1.0
MOSTLY_LOW = {"practice": "medium", "theory": "low", "peers": "low", "intuition": "low"}    # Ca 0.4+.1+.1+.1 = 0.7
# Round 1 importance (feasibility 4 throughout), indicators a b c d:
#   E1 5 4 4 3  ranks 4 2.5 2.5 1     (one tie pair: 6)
#   E2 5 5 4 2  ranks 3.5 3.5 2 1     (6)
#   E3 4 5 3 3  ranks 3 4 1.5 1.5     (6)
# R = 10.5 10 6 3.5, mean 7.5, S = 9 + 6.25 + 2.25 + 16 = 33.5; W = 12 S / (9 * 60 - 3 * 18) = 402 / 486;
# chi2 = 3 * 3 * W = 7.444; d: mean 8/3 < 3.5 -> flagged (and dropped).
# Authority: E1 familiar (Cs 0.8) Ca 0.9; E2 very (1.0) Ca 1.0; E3 somewhat (0.6) Ca 0.7:
#   Ca = 26/30 -> 0.87, Cs = 24/30 = 0.80, Cr = 50/60 = 0.8333 -> 0.83
R1 = [[5, 4, 4, 3], [5, 5, 4, 2], [4, 5, 3, 3]]
AUTH1 = [("familiar", BASIS), ("very", ALL_HIGH), ("somewhat", MOSTLY_LOW)]
# Round 2, a b c (everyone familiar, BASIS: Cr 0.85):
#   E1 5 4 3  ranks 3 2 1
#   E2 5 5 4  ranks 2.5 2.5 1   (6)
#   E3 5 4 4  ranks 3 1.5 1.5   (6)
# R = 8.5 6 3.5, mean 6, S = 6.25 + 0 + 6.25 = 12.5; W = 150 / (9 * 24 - 3 * 12) = 150 / 180 = 5/6;
# chi2 = 3 * 2 * 5/6 = 5.0, df 2, p = exp(-5/2) = 0.0821
R2 = [[5, 4, 3], [5, 5, 4], [5, 4, 4]]


@pytest.fixture
def db(tiny):
    return tiny({"stations": [station("S1")]})


def two_rounds(db):
    ds = DelphiStore(db)
    scheme = catalog.builtin("needs-met")
    cands = [i.id for i in scheme.indicators][:4]
    study = ds.create(scheme, cands, "遴选")
    ex = [ds.join(study.code, n) for n in ("甲", "乙", "丙")]
    for who, scores, (fam, basis) in zip(ex, R1, AUTH1):
        ds.submit(study.code, who.token, {c: (v, 4) for c, v in zip(cands, scores)}, fam, basis,
                  comments={cands[0]: "口径要统一"}, suggestion="居民满意度" if who is ex[0] else "")
    ds.close_round(study.code, study.key)
    ds.next_round(study.code, study.key, by="王主任")
    for who, scores in zip(ex, R2):
        ds.submit(study.code, who.token, {c: (v, 4) for c, v in zip(cands, scores)}, "familiar", BASIS)
    ds.close_round(study.code, study.key)
    return ds, study, cands, ex


def test_w_chi2_and_cr_per_round_by_hand(db):
    ds, study, cands, _ = two_rounds(db)
    h = ds.history(study.code, study.key)
    r1, r2 = h["rounds"][1], h["rounds"][2]
    assert r1["kendall"]["w"] == pytest.approx(402 / 486) and r1["kendall"]["chi2"] == pytest.approx(9 * 402 / 486)
    assert (r1["ca"], r1["cs"], r1["cr"]) == (0.87, 0.8, 0.83)
    assert r1["exact"]["cr"] == Fraction(5, 6)
    assert r1["flagged"] == [cands[3]]
    assert r2["kendall"]["w"] == pytest.approx(5 / 6) and r2["kendall"]["chi2"] == pytest.approx(5.0)
    assert r2["kendall"]["df"] == 2 and r2["kendall"]["p"] == pytest.approx(math.exp(-2.5))
    assert r2["cr"] == 0.85
    assert list(r2["importance"].index) == cands[:3]                   # d left after round 1
    assert h["response"] == [{"round": 1, "asked": 3, "answered": 3, "rate": 1.0},
                             {"round": 2, "asked": 3, "answered": 3, "rate": 1.0}]
    dec = h["decisions"]
    assert dec[["round", "indicator", "action", "by"]].values.tolist() == [[1, cands[3], "drop", "王主任"]]
    assert dec["flags"].tolist() == [("mean",)]


def test_one_cr_per_panel_whatever_the_order():
    # (0.9 + 0.8) / 2 = 0.85 and (0.8 + 0.8) / 2 = 0.80: Cr = 33/40 = 0.825 exactly, printed 0.83 (half up, once);
    # the float mean of 0.85 and 0.8 prints as 0.82 or 0.83 depending on the order of the sums.
    medium = {"practice": "medium", "theory": "medium", "peers": "low", "intuition": "low"}      # Ca 0.8
    a, b = ("familiar", BASIS), ("familiar", medium)
    one, other = panel_authority([a, b]), panel_authority([b, a])
    assert one == other and one["cr"] == 0.83 and one["exact"]["cr"] == Fraction(33, 40)
    assert f"{one['cr']:.2f}" == "0.83"


def test_removing_an_expert_takes_their_answers_out_of_every_statistic(db):
    ds, study, cands, ex = two_rounds(db)
    with pytest.raises(DelphiError) as why:
        ds.remove(study.code, study.key, ex[2].expert_id, "  ")
    assert why.value.reason == "reason_needed"
    ds.remove(study.code, study.key, ex[2].expert_id, "重复加入", by="王主任")
    h = ds.history(study.code, study.key)
    # round 1 without E3: E1 ranks 4 2.5 2.5 1, E2 3.5 3.5 2 1; R = 7.5 6 4.5 2, mean 5, S = 16.5;
    # W = 12 * 16.5 / (4 * 60 - 2 * 12) = 198 / 216; Cr = (17 + 20) / 40 = 0.925 -> 0.93
    assert h["rounds"][1]["kendall"]["w"] == pytest.approx(198 / 216) and h["rounds"][1]["n_experts"] == 2
    assert h["rounds"][1]["cr"] == 0.93
    # round 2 without E3: ranks 3 2 1 and 2.5 2.5 1; R = 5.5 4.5 2, S = 6.5; W = 78 / (4 * 24 - 2 * 6) = 78/84
    assert h["rounds"][2]["kendall"]["w"] == pytest.approx(78 / 84)
    assert h["rounds"][1]["importance"].at[cands[0], "mean"] == pytest.approx(5.0)
    assert h["response"][0] == {"round": 1, "asked": 2, "answered": 2, "rate": 1.0}
    st = ds.status(study.code)
    assert st["n_experts"] == 2 and st["distribution"][1][cands[0]]["counts"] == [0, 0, 0, 0, 2]
    row = h["experts"].set_index("name").loc["丙"]
    assert row["reason"] == "重复加入" and row["removed_by"] == "王主任" and row["answered"] == [1, 2]
    with pytest.raises(DelphiError) as gone:                     # the removed expert's link no longer works
        ds.resume(study.code, ex[2].token)
    assert gone.value.reason == "removed"


def test_an_expert_comes_back_by_token_and_a_taken_name_is_refused(db):
    ds = DelphiStore(db)
    scheme = catalog.builtin("needs-met")
    study = ds.create(scheme, [i.id for i in scheme.indicators][:2])
    e = ds.join(study.code, "专家甲")
    back = ds.resume(study.code.lower(), e.token)
    assert (back.expert_id, back.name) == (e.expert_id, "专家甲")
    with pytest.raises(DelphiError) as taken:
        ds.join(study.code, "专家甲")
    assert taken.value.reason == "name_taken"
    with pytest.raises(DelphiError) as bad:
        ds.resume(study.code, e.token[:-2])
    assert bad.value.reason == "unknown_expert"


def test_an_answer_after_the_round_closed_is_refused_not_dropped(db):
    ds = DelphiStore(db)
    scheme = catalog.builtin("needs-met")
    cands = [i.id for i in scheme.indicators][:2]
    study = ds.create(scheme, cands)
    ex = [ds.join(study.code, n) for n in ("甲", "乙", "丙")]
    for who in ex[:2]:
        ds.submit(study.code, who.token, {c: (4, 4) for c in cands}, "familiar", BASIS)
    ds.close_round(study.code, study.key)
    with pytest.raises(DelphiError) as late:
        ds.submit(study.code, ex[2].token, {c: (5, 5) for c in cands}, "familiar", BASIS)
    assert late.value.reason == "closed"
    assert db.execute("SELECT count(*) FROM delphi_authority").fetchall()[0][0] == 2


def test_a_flagged_indicator_kept_twice_is_named_in_both_languages(db):
    ds = DelphiStore(db)
    scheme = catalog.builtin("needs-met")
    cands = [i.id for i in scheme.indicators][:3]
    study = ds.create(scheme, cands)
    ex = [ds.join(study.code, n) for n in ("甲", "乙")]
    low = {cands[0]: (5, 5), cands[1]: (5, 5), cands[2]: (2, 5)}          # cands[2]: mean 2 < 3.5, both rounds
    for _ in range(2):
        for who in ex:
            ds.submit(study.code, who.token, low, "familiar", BASIS)
        ds.close_round(study.code, study.key)
        if ds.status(study.code)["round"] == 1:
            ds.next_round(study.code, study.key, drop=[], reasons={cands[2]: "政策要求"})
    with pytest.raises(DelphiError):
        ds.draft(study.code, study.key, "nm-d", drop=[])                  # no reason for the second override
    draft = ds.draft(study.code, study.key, "nm-d", drop=[], reasons={cands[2]: "政策要求"})
    zh, en = draft.provenance.note.split("\n")
    name = scheme.indicators[2]
    assert f"指标“{name.name_zh}”被标记2次（第1、2轮），经主持人决定保留，理由：政策要求" in zh
    assert f"\u201c{name.name_en}\u201d was flagged 2 time(s) (round 1, 2) and kept by the facilitator: 政策要求" in en
    assert "Authority Cr = 0.85" in en and "权威系数 Cr = 0.85" in zh


def test_a_gate_losing_its_indicator_is_announced(db):
    ds = DelphiStore(db)
    scheme = catalog.builtin("needs-met")
    gated = {g.indicator for g in scheme.gates}
    assert gated, "needs-met has a gate"
    g = next(iter(gated))
    cands = [g] + [i.id for i in scheme.indicators if i.id != g][:2]
    study = ds.create(scheme, cands)
    for n in ("甲", "乙"):
        e = ds.join(study.code, n)
        ds.submit(study.code, e.token, {c: (5, 5) for c in cands}, "familiar", BASIS)
    ds.close_round(study.code, study.key)
    check = ds.check_draft(study.code, study.key, drop=[g])
    assert [x.indicator for x in check["lost_gates"]] == [g]
    note = ds.draft(study.code, study.key, "nm-g", drop=[g]).provenance.note
    assert "否决项" in note and "the draft has no such gate" in note


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_has_the_tables_chinese_delphi_studies_print(db, lang):
    ds, study, cands, ex = two_rounds(db)
    book = openpyxl.load_workbook(io.BytesIO(delphi_report.xlsx(ds.history(study.code, study.key), lang)))
    sheets = [t(f"dpw.sheet.{k}", lang) for k in delphi_report.SHEETS]
    assert book.sheetnames == sheets
    if lang == "zh":
        assert sheets[:5] == ["专家基本情况", "专家积极系数", "专家权威程度", "协调系数", "指标重要性赋值"]

    def rows(sheet):
        return [[c.value for c in r] for r in book[sheet].iter_rows()]
    assert rows(sheets[0])[0][0] == t("dpw.report_title", lang, sheet=sheets[0])
    c = lambda k, **kw: t(f"dpw.col.{k}", lang, **kw)   # noqa: E731
    assert rows(sheets[1])[1:] == [[c("r"), c("asked"), c("answered"), c("rate")], [1, 3, 3, "100.0%"],
                                   [2, 3, 3, "100.0%"]]
    assert rows(sheets[2])[1:] == [[c("r"), c("ca"), c("cs"), c("cr")], [1, 0.87, 0.8, 0.83], [2, 0.9, 0.8, 0.85]]
    assert rows(sheets[3])[1:] == [[c("r"), c("w"), c("chi2"), c("df"), c("p")], [1, 0.827, 7.44, 3, "0.059"],
                                   [2, 0.833, 5.0, 2, "0.082"]]
    imp = rows(sheets[4])
    assert imp[1] == [c("indicator"), c("mean", round=1), c("cv", round=1), c("full", round=1),
                      c("mean", round=2), c("cv", round=2), c("full", round=2)]
    assert imp[5][1:] == [2.67, 0.22, 0.0, None, None, None]          # d: 3 2 3, gone in round 2: empty cells
    assert imp[2][1:4] == [4.67, 0.12, 0.67]                           # a: 5 5 4
    assert rows(sheets[5])[2][2] == t("dpw.act.drop", lang)
    texts = [r[3] for r in rows(sheets[6])[2:]]
    assert "居民满意度" in texts and texts.count("口径要统一") == 3
    assert not any(v == "None" for s in sheets for r in rows(s) for v in r)


def test_an_older_database_gains_the_new_tables(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE delphi_experts (expert_id VARCHAR PRIMARY KEY, code VARCHAR, name VARCHAR, "
                "name_key VARCHAR, token_hash VARCHAR, joined_at TIMESTAMP, UNIQUE (code, name_key))")
    con.execute("INSERT INTO delphi_experts VALUES ('e1', 'ABCDEF', '甲', '甲', 'x', now())")
    con.close()
    con = duckdb.connect(str(path))
    DelphiStore(con)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"delphi_removed", "delphi_decisions", "delphi_comments"} <= tables
    assert con.execute("SELECT name FROM delphi_experts").fetchall() == [("甲",)]
    con.close()


def test_p_is_printed_as_the_papers_print_it():
    from indicators.live.delphi import fmt_p
    assert (fmt_p(0.0002), fmt_p(0.001), fmt_p(0.0589)) == ("< 0.001", "0.001", "0.059")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_prints_as_a_pdf_with_every_table(db, lang):
    from pypdf import PdfReader
    ds, study, cands, ex = two_rounds(db)
    hist = ds.history(study.code, study.key)
    reader = PdfReader(io.BytesIO(delphi_report.pdf(hist, lang)))
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height                      # landscape: the importance table is wide
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")
    for title in (t(f"dpw.sheet.{k}", lang) for k in delphi_report.SHEETS):
        assert t("dpw.report_title", lang, sheet=title).replace(" ", "") in text
    assert "0.827" in text and "7.44" in text and "None" not in text      # round 1's W and chi-square, no "None"
