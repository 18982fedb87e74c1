"""Results out: XLSX and CSV exports hold exactly the ScoreResult's numbers; the HTML report card is self-contained,
parses, names the station, score and rank, in both languages; the audit trail of scheme changes."""
from __future__ import annotations

import math
from dataclasses import replace
from html import escape
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest

from indicators.scheme import history as audit

from indicators.scheme import catalog

from indicators.records import store as records
from indicators.analysis.compare import compare
from indicators.errors import InputError
from indicators.outputs.export import ExportError, export_scores, neutralise
from indicators.outputs.report import UnknownStation, station_report
from indicators.scoring.engine import score


@pytest.fixture(scope="module")
def results(demo_db):
    con = records.connect(demo_db, read_only=True)
    out = {name: score(con, catalog.builtin(name)) for name in catalog.BUILTINS}
    con.close()
    return out


def close(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)


def sheet_rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_xlsx_one_result(results, tmp_path, lang):
    r = results["needs-met"]
    path = export_scores(r, tmp_path / "s.xlsx", lang=lang)
    wb = openpyxl.load_workbook(path)
    english = ["scores", "raw", "normalised", "contributions", "dimension_scores", "nodes", "weights", "tree", "about"]
    sheets = {"en": english, "zh": ["得分", "原始值", "标准化值", "贡献", "上级指标得分", "各级得分", "权重", "指标树", "说明"]}[lang]
    assert wb.sheetnames == sheets
    rows = sheet_rows(wb[sheets[0]])
    head, body = rows[0], rows[1:]
    assert head[0] == ("排名" if lang == "zh" else "rank")
    assert len(body) == len(r.stations)
    for rank, sid, name, district, sc, grade, capped in body:
        assert rank == r.rank[sid] and grade == r.grade[sid] and close(sc, r.total[sid])
        assert name == (r.stations.at[sid, "name"] if lang == "zh" else r.stations.at[sid, "name_en"])
        assert (capped or "") == (r.capped_by[sid] if lang == "en" else capped or "")
    assert [b[0] for b in body] == sorted(b[0] for b in body)
    # the weights sheet maps the column names back to indicator ids
    named = dict(zip(english, sheets))
    w = sheet_rows(wb[named["weights"]])
    name_to_id = {row[1]: row[0] for row in w[1:]}
    for row in w[1:]:
        assert close(row[5], r.weights.at[row[0], "effective"])
    enums = {row[6:9] and tuple(row[6:9]) for row in w[1:]}   # camp, direction, normalisation
    words = {"zh": {"需求成效类", "产出类", "越高越好", "越低越好", "极差标准化", "固定上下限", "目标值法", "排序法"},
             "en": {"needs", "output", "higher", "lower", "minmax", "goalposts", "target", "rank"}}[lang]
    assert {v for e in enums for v in e} <= words
    for sheet, frame in (("raw", r.raw), ("normalised", r.normalised), ("contributions", r.contributions)):
        rows = sheet_rows(wb[named[sheet]])
        ids = [name_to_id[h] for h in rows[0][2:]]
        assert ids == list(frame.columns)
        for row in rows[1:]:
            for ind, v in zip(ids, row[2:]):
                assert close(v, frame.at[row[0], ind]), (sheet, row[0], ind)
    dims = sheet_rows(wb[named["dimension_scores"]])
    dim_ids = [d.id for d in r.scheme.dimensions]
    for row in dims[1:]:
        for d, v in zip(dim_ids, row[2:]):
            assert close(v, r.dimension_scores.at[row[0], d])


def test_xlsx_two_results_has_the_comparison(results, tmp_path):
    a, b = results["photo-count"], results["needs-met"]
    path = export_scores([a, b], tmp_path / "c.xlsx", lang="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "comparison"
    assert {"A scores", "B scores", "A raw", "B weights", "about"} <= set(wb.sheetnames)
    cmp = compare(a, b)
    rows = sheet_rows(wb["comparison"])
    top = {row[0]: row[1] for row in rows[:6] if row[0]}
    assert close(top["Kendall tau"], cmp.kendall_tau) and close(top["Spearman rho"], cmp.spearman_rho)
    start = next(i for i, row in enumerate(rows) if row[0] == "station_id")
    assert rows[start][2:5] == ["rank A", "rank B", "shift"]
    body = rows[start + 1:]
    assert len(body) == len(a.stations)
    for sid, _, ra, rb, shift, sa, sb, why in body:
        assert (ra, rb, shift) == (a.rank[sid], b.rank[sid], a.rank[sid] - b.rank[sid])
        assert close(sa, a.total[sid]) and close(sb, b.total[sid])
        if shift:
            assert why
    scores_b = sheet_rows(wb["B scores"])[1:]
    assert {row[1]: row[0] for row in scores_b} == b.rank.to_dict()


def test_csv_wide_table(results, tmp_path):
    r = results["needs-met"]
    path = export_scores(r, tmp_path / "s.csv", lang="en")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(path, encoding="utf-8-sig", dtype={"station_id": str})
    assert list(df.columns[:5]) == ["station_id", "station", "score", "rank", "grade"]
    assert len(df.columns) == 5 + len(r.nodes.columns) + 3 * len(r.raw.columns)
    df = df.set_index("station_id")
    for sid in r.stations.index:
        assert close(df.at[sid, "score"], r.total[sid]) and df.at[sid, "rank"] == r.rank[sid]
        for ind in r.scheme.indicators:
            assert close(df.at[sid, f"{ind.name_en} raw"], r.raw.at[sid, ind.id])
            assert close(df.at[sid, f"{ind.name_en} contribution"], r.contributions.at[sid, ind.id])
    two = export_scores([results["photo-count"], r], tmp_path / "two.csv", lang="zh")
    df2 = pd.read_csv(two, encoding="utf-8-sig")
    assert {"photo-count 排名", "needs-met 排名", "名次变化"} <= set(df2.columns)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_points_tree_exports_its_nodes_points_and_weights(demo_db, tmp_path, lang):
    from indicators.scheme.model import load_yaml
    from tests.conftest import ROOT
    con = records.connect(demo_db, read_only=True)
    r = score(con, load_yaml((ROOT / "tests" / "data" / "tree-scheme.yaml").read_text(encoding="utf-8")))
    con.close()
    wb = openpyxl.load_workbook(export_scores(r, tmp_path / "t.xlsx", lang=lang))
    sheet = {"scores": "得分", "nodes": "各级得分", "tree": "指标树"} if lang == "zh" else {}
    wb_sheet = lambda name: wb[sheet.get(name, name)]   # noqa: E731
    scores = sheet_rows(wb_sheet("scores"))
    assert scores[0][-2:] == (["得分（分值）", "总分值"] if lang == "zh" else ["points", "points available"])
    for row in scores[1:]:
        assert close(row[-2], r.points_earned[row[1]]) and row[-1] == 100
    nodes = sheet_rows(wb_sheet("nodes"))
    assert nodes[0][2:4] == (["服务成效", "服务成效 / 需求解决"] if lang == "zh" else ["Outcomes", "Outcomes / Needs resolved"])
    codes = list(r.nodes.columns)
    for row in nodes[1:]:
        for code, v in zip(codes, row[2:]):
            assert close(v, r.nodes.at[row[0], code])
    tree = {row[0]: row for row in sheet_rows(wb_sheet("tree"))[1:]}
    assert tree["A1"][3:6] == [2, "A", "A/A1"] and tree["A1"][-1] == 30
    assert close(tree["urgent_needs_resolved"][7], 0.15)     # 15 of 100 points
    df = pd.read_csv(export_scores(r, tmp_path / "t.csv", lang="en"), encoding="utf-8-sig").set_index("station_id")
    for sid in r.stations.index:
        assert close(df.at[sid, "Outcomes / Needs resolved score"], r.nodes.at[sid, "A1"])
        assert close(df.at[sid, "points"], r.points_earned[sid])


def test_export_refuses_bad_requests(results, tmp_path):
    r = results["needs-met"]
    with pytest.raises(ExportError, match=r"must end in \.xlsx or \.csv"):
        export_scores(r, tmp_path / "s.pdf")
    with pytest.raises(ExportError, match="does not exist"):
        export_scores(r, tmp_path / "no" / "s.xlsx")
    with pytest.raises(ExportError, match="one or two"):
        export_scores([r, r, r], tmp_path / "s.xlsx")
    with pytest.raises(ExportError, match=r"zh \(Chinese\) or en"):
        export_scores(r, tmp_path / "s.xlsx", lang="fr")
    assert not list(tmp_path.iterdir())   # nothing half-written left behind
    assert issubclass(ExportError, InputError)


def test_neutralise():
    assert [neutralise(x) for x in ("=1", "+1", "-1", "@a", "\tx", "\rx", "ok", "", -1, 2.5, None)] == \
        ["'=1", "'+1", "'-1", "'@a", "'\tx", "'\rx", "ok", "", -1, 2.5, None]


class _Strict(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in ("meta", "br", "line", "rect", "link", "img", "input", "hr"):
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_card(results, lang):
    r = results["needs-met"]
    sid = r.table().index[2]
    html = station_report(r, sid, lang, demo=True)
    p = _Strict()
    p.feed(html)
    p.close()
    assert not p.stack and {"html", "head", "style", "body", "svg", "table"} <= set(p.tags)
    low = html.lower()
    for banned in ("<script", "<link", "src=", "url(", "@import", "http://", "https://", "@font-face"):
        assert banned not in low, banned
    assert "@media print" in html
    name = r.stations.at[sid, "name"] if lang == "zh" else r.stations.at[sid, "name_en"]
    assert name in html and f"{r.total[sid]:.1f}" in html
    n = len(r.stations)
    rank = int(r.rank[sid])
    assert (f"第{rank}名／共{n}个" if lang == "zh" else f"{rank} of {n}") in html
    assert ("合成演示数据" if lang == "zh" else "Synthetic demo data") in html
    assert html.count("<li>") == 6   # three strengths, three weaknesses
    for ind in r.scheme.indicators:
        assert escape(ind.name_zh if lang == "zh" else ind.name_en) in html
    assert "Synthetic demo data" not in station_report(r, sid, "en", demo=False)


def test_report_names_the_gate_that_caps_the_grade(results):
    r = results["needs-met"]
    capped = [s for s in r.stations.index if r.capped_by[s]]
    if not capped:
        pytest.skip("no station fails a gate in the demo")
    from indicators.scoring.engine import grade_of
    for sid in capped:
        html = station_report(r, sid, "en")
        lowered = grade_of(r.total[sid], r.scheme) != r.grade[sid]
        assert ("Grade capped at" if lowered else "Must-pass condition not met") in html and "must be" in html
        assert ("因未通过否决项" if lowered else "未通过否决项") in station_report(r, sid, "zh")


def test_report_unknown_station(results):
    with pytest.raises(UnknownStation, match="no station 'S7'.*did you mean"):
        station_report(results["needs-met"], "S7", "en")


# ---------------------------------------------------------------- CLI (a local runner, as the lead's main does)

def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """Through the real entry point, so the wiring in indicators.cli.main is tested too."""
    from indicators.cli.main import main
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_export_and_report(capsys, demo_db, tmp_path):
    code, out, err = run_cli(capsys, "export", "--db", str(demo_db), "--scheme", "photo-count", "--scheme", "needs-met",
                             "--out", str(tmp_path / "c.xlsx"), "--lang", "en", "--from", "2024-01-01", "--to", "2024/12/31")
    assert code == 0, err
    assert "comparison" in openpyxl.load_workbook(tmp_path / "c.xlsx").sheetnames
    code, _, err = run_cli(capsys, "export", "--db", str(demo_db), "--scheme", "needs-met", "--out", str(tmp_path / "c.txt"))
    assert code == 2 and "must end in .xlsx or .csv" in err
    code, _, err = run_cli(capsys, "export", "--db", str(demo_db), "--scheme", "needs-met", "--out", str(tmp_path / "x.csv"),
                           "--from", "2024-06-01", "--to", "2024-01-01")
    assert code == 2 and "--from 2024-06-01 is after --to 2024-01-01" in err
    code, out, err = run_cli(capsys, "report", "--db", str(demo_db), "--scheme", "needs-met", "--station", "S03", "--lang", "zh",
                             "--out", str(tmp_path / "S03.html"))
    assert code == 0, err
    html = (tmp_path / "S03.html").read_text(encoding="utf-8")
    assert "合成演示数据" in html   # the demo database says it is a demo
    code, _, err = run_cli(capsys, "report", "--db", str(demo_db), "--scheme", "needs-met", "--station", "NOPE",
                           "--out", str(tmp_path / "x.html"))
    assert code == 2 and "no station 'NOPE'" in err and not (tmp_path / "x.html").exists()
    code, _, err = run_cli(capsys, "report", "--db", str(tmp_path / "none.duckdb"), "--scheme", "needs-met",
                           "--station", "S01", "--out", str(tmp_path / "x.html"))
    assert code == 2 and "no database there" in err


# ---------------------------------------------------------------- audit trail

def test_audit_summary_and_history(tmp_path):
    con = records.connect(tmp_path / "a.duckdb")
    base = catalog.builtin("needs-met")
    assert audit.history(con).empty and list(audit.history(con).columns) == list(audit.COLUMNS)
    changed = base.with_weights({"reach": 30}, {"urgent_needs_resolved": 50})
    d0 = changed.dimensions[0]
    i0 = d0.indicators[0]
    changed = replace(changed, dimensions=(replace(d0, indicators=(
        replace(i0, measure=replace(i0.measure, filter="status = 'closed_unresolved'")),) + d0.indicators[2:]),)
        + changed.dimensions[1:])
    with records.writing(con) as cur:
        audit.record(cur, "评估员甲", None, base, "create")
        summary = audit.record(cur, "评估员甲", base, changed, "update")
        audit.record(cur, "admin", changed, None, "delete")
    lines = summary.splitlines()
    assert "dimension reach weight changed 15 -> 30" in lines
    assert "indicator urgent_needs_resolved weight changed 40 -> 50" in lines
    assert "indicator urgent_needs_resolved measure filter changed \"status = 'resolved'\" -> " \
           "\"status = 'closed_unresolved'\"" in lines
    assert "indicator weighted_needs_met removed from needs_resolved" in lines
    h = audit.history(con, "needs-met")
    assert h["action"].tolist() == ["create", "update", "delete"]
    assert h["user"].tolist()[0] == "评估员甲"
    assert "-  weight: 15" in h["diff"][1] and "+  weight: 30" in h["diff"][1]
    assert h["summary"][0].startswith("created scheme needs-met") and h["summary"][2] == "deleted scheme needs-met"
    assert audit.summarise(base, base) == "no change"
    con.close()


@pytest.mark.parametrize("lang, day, point, at_most", [("en", " days", " points", "≤ 30.0%"),
                                                       ("zh", " 天", " 分", "≤ 30.0%")])
def test_report_card_gives_units_and_reads_like_prose(results, lang, day, point, at_most):
    r = results["needs-met"]
    units = {i.unit for i in r.scheme.indicators}
    assert {"days", "score"} <= units
    failed = [sid for sid in r.stations.index if r.capped_by[sid]]
    assert failed, "the demo has a station that fails the image-project gate"
    html = station_report(r, failed[0], lang)
    assert day in html and point in html
    assert at_most in html and "&lt;=" not in html and "<=" not in html


def test_audit_summary_sees_changes_below_the_top_level():
    """A sub-dimension's weight, a leaf added three levels down and a sub-dimension moved are all in the summary."""
    from indicators.scheme.model import scheme_from_dict

    def tree(w_sub=1, extra=False, sub_under="top1"):
        leaf = {"id": "x", "name_zh": "x", "name_en": "x", "weight": 1, "camp": "needs", "measure": {"kind": "value"}}
        deep = {"id": "deep", "name_zh": "深", "name_en": "Deep", "weight": 1,
                "indicators": [leaf] + ([dict(leaf, id="y", name_zh="y", name_en="y")] if extra else [])}
        sub = {"id": "sub", "name_zh": "子", "name_en": "Sub", "weight": w_sub, "dimensions": [deep]}
        tops = [{"id": "top1", "name_zh": "一", "name_en": "One", "weight": 1,
                 "indicators": [dict(leaf, id="z", name_zh="z", name_en="z")]},
                {"id": "top2", "name_zh": "二", "name_en": "Two", "weight": 1,
                 "indicators": [dict(leaf, id="w", name_zh="w", name_en="w")]}]
        next(t for t in tops if t["id"] == sub_under)["dimensions"] = [sub]
        return scheme_from_dict({"id": "deep", "name_zh": "深", "name_en": "Deep", "dimensions": tops})

    base = tree()
    assert audit.summarise(base, tree(w_sub=3)).splitlines() == ["dimension sub weight changed 1 -> 3"]
    assert audit.summarise(base, tree(extra=True)).splitlines() == ["indicator y added to deep (weight 1, camp needs)"]
    assert "dimension sub moved from top1 to top2" in audit.summarise(base, tree(sub_under="top2")).splitlines()


def test_a_chinese_report_card_names_the_station_in_chinese_only(results):
    # no English name and no scheme file id under a Chinese title: the code is named 社工站编号
    result = results["needs-met"]
    sid = result.stations.index[0]
    zh, en = station_report(result, sid, "zh"), station_report(result, sid, "en")
    name_en = result.stations.at[sid, "name_en"]
    assert name_en in en and name_en not in zh and "(needs-met)" in en and "needs-met" not in zh
    assert f"社工站编号：{sid}" in zh
