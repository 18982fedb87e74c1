"""A printable report card for one station: self-contained HTML (inline CSS and SVG, no scripts, fonts or network).

    html = station_report(result, "S07", "zh", demo=True)

Every number is a cell of the ScoreResult: raw -> normalised -> weight -> contribution per indicator, dimension
scores, total, rank and grade (with the gates that capped it). A points scheme adds its points earned of available at
every node, each item's points lost beside its 评分标准, and above them a veto or a grade not given. All user text is
escaped.
"""
from __future__ import annotations

import difflib
import math
from datetime import date
from html import escape

import pandas as pd

from indicators.errors import InputError
from indicators.outputs import views
from indicators.scoring.engine import ScoreResult
from indicators.i18n import t as word, term


class UnknownStation(InputError):
    """The station asked for is not among the scored stations."""


_T = {
    "en": {
        "title": "Assessment report card", "code": "Station code", "district": "District", "street": "Street", "period": "Assessment period",
        "scheme": "Assessment scheme", "score": "Score", "rank": "Rank", "rank_of": "{rank} of {n}", "grade": "Grade",
        "all": "all records", "from": "from {d}", "to": "to {d}", "range": "{start} – {end}",
        "capped": "Grade capped at {cap} by a must-pass condition: {gates}.",
        "gate_failed": "Must-pass condition not met: {gates}; it caps the grade at {cap}, and the score is already "
                       "below that.",
        "gate_line": "{name} (value {value}, must be {op} {limit})", "no_value": "no data",
        "dimensions": "Scores of the indicators at every level", "dim_note": "0–100; the line marks the average station.",
        "contributions": "Contribution of each indicator", "contrib_note":
            "Points each indicator adds to the total score: this station against the average station.",
        "this": "this station", "average": "average station",
        "strengths": "Strengths", "weaknesses": "Weaknesses",
        "detail": "From records to score", "indicator": "Indicator", "dimension": "Parent indicator", "raw": "Raw value",
        "normalised": "Normalised (0–100)", "weight": "Weight", "contribution": "Contribution",
        "avg_contribution": "Average station", "missing": "no data: {rule}",
        "rules": {"median": "median of the others", "worst": "scored 0", "zero": "taken as 0",
                  "mean": "mean of the others", "group_mean": "mean of its group"},
        "method": "Normalised values run from 0 (worst station or goalpost) to 100 (best); a contribution is the "
                  "normalised value times the effective weight, and the contributions add up to the score.",
        "demo": "Synthetic demo data: the stations, residents and records in this report are invented.",
        "generated": "Generated {d}",
        "strong": "{name}: {raw}; it scores {norm} of 100 against an average of {avg}, and adds {diff} points "
                  "more to the total than the average station does.",
        "strong_flat": "{name}: {raw}; it scores {norm} of 100 (average {avg}), level with the average station.",
        "strong_below": "{name}: {raw}; it scores {norm} of 100 against an average of {avg}; its smallest shortfall, "
                        "{diff} points below the average station.",
        "weak_above": "{name}: {raw}; it scores {norm} of 100 against an average of {avg}; its smallest lead, "
                      "{diff} points above the average station, with {gap} points still open.",
        "weak": "{name}: {raw}; it scores {norm} of 100 against an average of {avg}, {diff} points below the "
                "average station; a perfect result would add {gap} points.",
        "weak_flat": "{name}: {raw}; it scores {norm} of 100 (average {avg}); {gap} points are still open here.",
        "none": "(none)",
        "no_data_note": "No data for {names}: filled by the scheme's rule, so not counted as a strength or weakness.",
    },
    "zh": {
        "title": "社工站评估报告", "code": "社工站编号", "district": "所属区县", "street": "街道", "period": "评估期", "scheme": "评估方案",
        "score": "得分", "rank": "排名", "rank_of": "第{rank}名／共{n}个", "grade": "等级",
        "all": "全部记录", "from": "{d}起", "to": "至{d}", "range": "{start}至{end}",
        "capped": "因未通过否决项，等级最高为{cap}：{gates}。",
        "gate_failed": "未通过否决项：{gates}；该项将等级限制在{cap}以内，本站得分已低于此等级。",
        "gate_line": "{name}（实际值为{value}，要求{op} {limit}）", "no_value": "无数据",
        "dimensions": "各级指标得分", "dim_note": "满分100分；竖线为全部社工站的平均值。",
        "contributions": "各指标对总分的贡献", "contrib_note": "每个指标为总分贡献的分值：本站与社工站平均水平对比。",
        "this": "本站", "average": "平均水平",
        "strengths": "优势", "weaknesses": "不足",
        "detail": "从记录到得分", "indicator": "指标", "dimension": "上级指标", "raw": "原始值",
        "normalised": "标准化值（0～100）", "weight": "权重", "contribution": "贡献分",
        "avg_contribution": "平均水平", "missing": "无数据：{rule}",
        "rules": {"median": "取其他社工站的中位数", "worst": "记为0分", "zero": "按0计",
                  "mean": "取其他社工站的均值", "group_mean": "取同组均值"},
        "method": "标准化值为0～100（0为最差的社工站或下限，100为最好）；贡献分＝标准化值×有效权重，各指标贡献分之和即总分。",
        "demo": "合成演示数据：本报告中的社工站、居民与记录均为虚构。",
        "generated": "生成日期：{d}",
        "strong": "{name}：{raw}，得分{norm}（平均{avg}），比平均水平多贡献{diff}分。",
        "strong_flat": "{name}：{raw}，得分{norm}（平均{avg}），与平均水平持平。",
        "strong_below": "{name}：{raw}，得分{norm}（平均{avg}），是本站差距最小的一项，比平均水平少{diff}分。",
        "weak_above": "{name}：{raw}，得分{norm}（平均{avg}），是本站领先最少的一项，仅比平均水平多{diff}分，仍有{gap}分的提升空间。",
        "weak": "{name}：{raw}，得分{norm}（平均{avg}），比平均水平少{diff}分；若做到最好还可增加{gap}分。",
        "weak_flat": "{name}：{raw}，得分{norm}（平均{avg}），仍有{gap}分的提升空间。",
        "none": "（无）",
        "no_data_note": "{names}无数据：按评估方案的规则填补，不计为优势或不足。",
    },
}

_CSS = """
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;
 color:#1d2733;margin:0 auto;max-width:900px;padding:24px;line-height:1.5;font-size:14px}
h1{font-size:22px;margin:0 0 2px} h2{font-size:16px;margin:24px 0 8px;border-bottom:2px solid #d5dde6;padding-bottom:3px}
.sub{color:#4a5a6a;margin:0}
.demo{background:#fff4d6;border:1px solid #e5c36a;padding:6px 10px;margin:12px 0;border-radius:4px}
.head{display:flex;gap:12px;margin:16px 0;flex-wrap:wrap}
.kpi{border:1px solid #d5dde6;border-radius:6px;padding:8px 14px;min-width:150px}
.kpi .v{font-size:26px;font-weight:700} .kpi .l{color:#4a5a6a;font-size:12px}
.cap{color:#9a3412;margin:6px 0}
.veto{background:#fde8e8;border:2px solid #b4161b;color:#7f1d1d;font-weight:700;font-size:15px;padding:8px 12px;
 margin:10px 0;border-radius:4px}
.status{background:#fff4d6;border:1px solid #e5c36a;padding:6px 10px;margin:8px 0;border-radius:4px}
tr.dim td{font-weight:700;background:#f5f7fa} tr.total th{border-top:2px solid #1d2733}
.flag{color:#9a3412;font-size:11.5px;white-space:nowrap}
.crit{color:#4a5a6a} table.pts th{white-space:nowrap}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{border-bottom:1px solid #e3e8ee;padding:4px 6px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
ul{margin:4px 0 0 18px;padding:0} li{margin:3px 0}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.note{color:#4a5a6a;font-size:12px}
svg text{font-family:inherit}
section{break-inside:avoid;page-break-inside:avoid}
@media print{
 @page{size:A4;margin:14mm}
 body{padding:0;max-width:none;font-size:11.5px}
 .kpi{border-color:#999} h2{border-color:#999}
 table{page-break-inside:auto} tr{page-break-inside:avoid}
 a{color:inherit;text-decoration:none}
}
"""


def _pick(obj, lang: str, field: str = "name") -> str:
    first, second = (f"{field}_zh", f"{field}_en") if lang == "zh" else (f"{field}_en", f"{field}_zh")
    return getattr(obj, first, "") or getattr(obj, second, "") or getattr(obj, "id", "")


def _cell(frame: pd.DataFrame, sid: str, col: str) -> str:
    if col not in frame.columns:
        return ""
    v = frame.at[sid, col]
    return v if isinstance(v, str) else ""


def _fmt(x: float, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:,.{digits}f}"


def _raw_text(value: float, unit: str, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _T[lang]["no_value"]
    if unit == "share":
        return f"{value:.1%}"
    sep = "," if lang == "en" else ""   # no thousands separators in running Chinese text
    text = f"{value:{sep}.2f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:{sep}.0f}"
    return f"{text} {term('unit', unit, lang)}" if unit else text   # days, points of a scale, per 1,000 ...


def _units(ch: str) -> int:
    return 2 if ord(ch) > 0x2e80 else 1   # CJK characters are about twice as wide as Latin ones


def _short(text: str, n: int = 36) -> str:
    """At most n display units (a CJK character counts two)."""
    if sum(_units(c) for c in text) <= n:
        return text
    out, used = [], 0
    for c in text:
        if used + _units(c) > n - 1:
            break
        out.append(c)
        used += _units(c)
    return "".join(out) + "…"


def _bar_chart(rows: list[tuple[str, float, float]], vmax: float, t: dict, marker: bool) -> str:
    """Horizontal bars: (label, station value, average value). marker=True draws the average as a line,
    otherwise as a second, lighter bar."""
    # The label column fits the longest label (about 6.6 px a display unit at 12 px), so names are not cut.
    longest = max((sum(_units(c) for c in r[0]) for r in rows), default=10)
    label_w, bar_w, pad = min(max(160, int(6.6 * longest) + 16), 440), 360, 8
    row_h = 30 if not marker else 24
    height = 28 + row_h * len(rows) + 6
    width = label_w + bar_w + 70
    vmax = vmax if vmax > 0 else 1.0
    out = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'style="max-width:{width}px">']
    # legend
    out.append(f'<rect x="{label_w}" y="6" width="12" height="10" fill="#2563a8"/>'
               f'<text x="{label_w + 16}" y="15" font-size="11">{escape(t["this"])}</text>')
    if marker:
        out.append(f'<line x1="{label_w + 120}" y1="5" x2="{label_w + 120}" y2="17" stroke="#c2410c" stroke-width="2"/>'
                   f'<text x="{label_w + 126}" y="15" font-size="11">{escape(t["average"])}</text>')
    else:
        out.append(f'<rect x="{label_w + 120}" y="6" width="12" height="10" fill="#b8c7d9"/>'
                   f'<text x="{label_w + 136}" y="15" font-size="11">{escape(t["average"])}</text>')
    for k, (label, value, avg) in enumerate(rows):
        y = 28 + k * row_h
        v = 0.0 if value is None or math.isnan(value) else max(value, 0.0)
        a = 0.0 if avg is None or math.isnan(avg) else max(avg, 0.0)
        out.append(f'<text x="{label_w - pad}" y="{y + 13}" font-size="12" text-anchor="end">'
                   f'<title>{escape(label)}</title>{escape(_short(label, round((label_w - 16) / 6.6) + 1))}</text>')
        w = bar_w * min(v / vmax, 1.0)
        aw = bar_w * min(a / vmax, 1.0)
        if marker:
            out.append(f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="14" fill="#eef2f6"/>')
            out.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="14" fill="#2563a8"/>')
            out.append(f'<line x1="{label_w + aw:.1f}" y1="{y}" x2="{label_w + aw:.1f}" y2="{y + 18}" '
                       f'stroke="#c2410c" stroke-width="2"/>')
            out.append(f'<text x="{label_w + bar_w + 6}" y="{y + 13}" font-size="12">{_fmt(value)}</text>')
        else:
            out.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="11" fill="#2563a8"/>')
            out.append(f'<rect x="{label_w}" y="{y + 13}" width="{aw:.1f}" height="11" fill="#b8c7d9"/>')
            out.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 10}" font-size="10.5">{_fmt(value, 2)}</text>')
            out.append(f'<text x="{label_w + aw + 4:.1f}" y="{y + 23}" font-size="10.5" fill="#4a5a6a">'
                       f'{_fmt(avg, 2)}</text>')
    out.append("</svg>")
    return "".join(out)


_OP_SIGN = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}   # as a reader writes them, not as code does


def _gate_value(result: ScoreResult, sid: str, gate) -> float:
    try:
        return float(result.raw.at[sid, gate.indicator])
    except (KeyError, TypeError, ValueError):
        return float("nan")


def _gate_failed(value: float, op: str, limit: float) -> bool:
    if math.isnan(value):
        return True
    return not {">=": value >= limit, ">": value > limit, "<=": value <= limit, "<": value < limit}[op]


def day_text(d: date, lang: str) -> str:
    """A day as a reader writes it: 2024年1月1日 in Chinese, 2024-01-01 in English."""
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else d.isoformat()


def period_text(p, lang: str) -> str:
    """An assessment period as a reader writes it: "2024年1月1日至2024年12月31日" / "2024-01-01 – 2024-12-31",
    "from 2024-07-01", "all records"."""
    t = _T[lang]
    if p.start and p.end:
        return t["range"].format(start=day_text(p.start, lang), end=day_text(p.end, lang))
    if p.start:
        return t["from"].format(d=day_text(p.start, lang))
    if p.end:
        return t["to"].format(d=day_text(p.end, lang))
    return t["all"]


def check_station(result: ScoreResult, station_id: str) -> str:
    """The station id as the result knows it; UnknownStation (naming --station, with close ids) if it is not there."""
    sid = str(station_id)
    if sid not in result.stations.index:
        known = [str(s) for s in result.stations.index]
        close = difflib.get_close_matches(sid, known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; stations: {', '.join(known[:10])}" + (
            " ..." if len(known) > 10 else "")
        raise UnknownStation(f"--station: no station {sid!r} in the database{hint}")
    return sid


def station_names(result: ScoreResult, sid: str, lang: str) -> tuple[str, str]:
    """(the station's name in the language, its name in the other language or "")."""
    st = result.stations
    name = (_cell(st, sid, "name") if lang == "zh" else _cell(st, sid, "name_en")) or _cell(st, sid, "name") \
        or _cell(st, sid, "name_en") or sid
    return name, (_cell(st, sid, "name_en") if lang == "zh" else _cell(st, sid, "name"))


def _select(rel: pd.Series) -> tuple[list[str], list[str]]:
    """Up to three strengths (largest lead over the average station; a lead is needed) and three weaknesses
    (largest shortfall), disjoint. `rel` holds only the indicators with data: an imputed value is never praised."""
    order = list(rel.sort_values(ascending=False, kind="stable").index)
    n = len(order)
    k_strong = min(3, (n + 1) // 2)
    strengths = [i for i in order if rel[i] > 0.05][:k_strong]
    rest = [i for i in reversed(order) if i not in strengths]
    return strengths, rest[: min(3, len(rest))]


def station_report(result: ScoreResult, station_id: str, lang: str = "zh", demo: bool = False) -> str:
    """The station's report card as one self-contained HTML page, in Chinese (zh) or English (en)."""
    if lang not in _T:
        raise InputError(f"lang: expected zh or en, got {lang!r}")
    sid = check_station(result, station_id)
    t = _T[lang]
    scheme = result.scheme
    st = result.stations
    name, other = station_names(result, sid, lang)
    n = len(st)
    total = float(result.total[sid])
    rank = int(result.rank[sid])
    grade = str(result.grade[sid])
    standing = views.station_status(result, sid, lang)
    points = views.is_points(result)
    band = {g.grade: g for g in scheme.grades}.get(grade)
    grade_label = views.band_label(band, lang) if band else ""
    if grade_label == grade:
        grade_label = ""
    period = period_text(result.period, lang)

    h: list[str] = []
    e = escape
    lang_attr = "zh-CN" if lang == "zh" else "en"
    h.append(f'<!DOCTYPE html><html lang="{lang_attr}"><head><meta charset="utf-8">'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">'
             f'<title>{e(t["title"])} – {e(name)}</title><style>{_CSS}</style></head><body>')
    h.append(f'<header><p class="sub">{e(t["title"])}</p><h1>{e(name)}</h1>')
    if lang == "zh":   # a Chinese reader gets the Chinese name alone, and the code named as such
        h.append(f'<p class="sub">{e(t["code"])}：{e(sid)}</p>')
    elif other and other != name:
        h.append(f'<p class="sub">{e(other)} · {e(sid)}</p>')
    else:
        h.append(f'<p class="sub">{e(sid)}</p>')
    facts = []
    colon = "：" if lang == "zh" else ": "
    for key, col in (("district", "district"), ("street", "street")):
        v = _cell(st, sid, col)
        if v:
            facts.append(f'{e(t[key])}{colon}{e(v)}')
    facts.append(f'{e(t["period"])}{colon}{e(period)}')
    # the scheme's file id only in English: in Chinese it is a word of the program, not of the scheme
    facts.append(f'{e(t["scheme"])}{colon}{e(_pick(scheme, lang))}' + (f' ({e(scheme.id)})' if lang == "en" else ""))
    h.append(f'<p class="sub">{" · ".join(facts)}</p></header>')
    if demo:
        h.append(f'<p class="demo">{e(t["demo"])}</p>')

    # headline
    h.append('<section class="head">')
    if points:   # the evaluator works in points: they come first
        earned, available = (views.fmt_points(standing[k], lang) for k in ("earned", "available"))
        h.append(f'<div class="kpi"><div class="v">{e(earned)}</div><div class="l">'
                 f'{e(word("pts.headline", lang))} / {e(available)}</div></div>')
    h.append(f'<div class="kpi"><div class="v">{total:.1f}</div><div class="l">{e(t["score"])} / 100</div></div>')
    h.append(f'<div class="kpi"><div class="v">{rank}</div><div class="l">{e(t["rank"])}{colon}'
             f'{e(t["rank_of"].format(rank=rank, n=n))}</div></div>')
    if grade:
        h.append(f'<div class="kpi"><div class="v">{e(grade)}</div><div class="l">{e(t["grade"])}'
                 f'{(colon + e(grade_label)) if grade_label else ""}</div></div>')
    else:   # 数据不足: no grade was given, and the card says so where the grade would be
        h.append(f'<div class="kpi"><div class="v">{e(standing["grade"])}</div><div class="l">{e(t["grade"])}</div>'
                 f'</div>')
    h.append('</section>')
    if standing["veto"]:
        h.append(f'<p class="veto">{e(standing["lines"][0])}</p>')
    for line in standing["lines"][1 if standing["veto"] else 0:]:
        h.append(f'<p class="status">{e(line)}</p>')
    if points:
        h.append(_points_section(result, sid, lang))
    failed = []
    for gate in scheme.gates:
        v = _gate_value(result, sid, gate)
        if _gate_failed(v, gate.op, gate.value):
            gname = _pick(gate, lang) if (gate.name_zh or gate.name_en) else gate.indicator
            unit = scheme.indicator(gate.indicator).unit if gate.indicator in result.raw.columns else ""
            sep = "," if lang == "en" else ""
            shown = (lambda x: f"{x:.1%}") if unit == "share" else \
                (lambda x: f"{x:{sep}.4g} {term('unit', unit, lang)}" if unit else f"{x:{sep}.4g}")
            failed.append((gate, t["gate_line"].format(
                name=gname, value=t["no_value"] if math.isnan(v) else shown(v), op=_OP_SIGN.get(gate.op, gate.op),
                limit=shown(gate.value))))
    if failed:
        floor = {b.grade: b.min for b in scheme.grades}
        caps = sorted({g.cap for g, _ in failed}, key=lambda c: floor.get(c, 0))
        sep = "；" if lang == "zh" else "; "
        uncapped = next((b.grade for b in sorted(scheme.grades, key=lambda b: -b.min) if total >= b.min - 1e-9), grade)
        key = "capped" if floor.get(grade, 0) < floor.get(uncapped, 0) else "gate_failed"
        h.append(f'<p class="cap">{e(t[key].format(cap=caps[0], gates=sep.join(x for _, x in failed)))}</p>')

    # dimensions
    dims = result.nodes   # every dimension at every level, named by its path ("服务成效 / 需求解决")
    names = {d.id: _pick(d, lang) for d in scheme.nodes()}
    path = {d.id: " / ".join(names[c] for c in scheme.path_of(d.id)) for d in scheme.nodes()}
    dim_rows = [(path[d.id], float(dims.at[sid, d.id]), float(dims[d.id].mean())) for d in scheme.nodes()]
    h.append(f'<section><h2>{e(t["dimensions"])}</h2>')
    h.append(_bar_chart(dim_rows, 100.0, t, marker=True))
    h.append(f'<p class="note">{e(t["dim_note"])}</p></section>')

    # contributions vs the average station
    # a points scheme speaks in points: a contribution on the 0-100 total times available / 100 is the item's points
    scale = float(result.points_available) / 100 if points else 1.0
    contrib = result.contributions * scale
    avg = contrib.mean(axis=0)
    inds = list(scheme.indicators)
    c_rows = [(_pick(i, lang), float(contrib.at[sid, i.id]), float(avg[i.id])) for i in inds]
    vmax = max([max(v, a) for _, v, a in c_rows] + [1e-9])
    h.append(f'<section><h2>{e(t["contributions"])}</h2>')
    h.append(_bar_chart(c_rows, vmax, t, marker=False))
    h.append(f'<p class="note">{e(t["contrib_note"])}</p></section>')

    # strengths and weaknesses
    rel = contrib.loc[sid] - avg
    no_data = [i for i in rel.index if bool(result.missing.at[sid, i])]
    strong, weak = _select(rel.drop(no_data))
    norm = result.normalised
    weights = result.weights["effective"]

    def sentence(ind_id: str, good: bool) -> str:
        ind = scheme.indicator(ind_id)
        d = float(rel[ind_id])
        vals = dict(name=_pick(ind, lang), raw=_raw_text(float(result.raw.at[sid, ind_id]), ind.unit, lang),
                    norm=f"{float(norm.at[sid, ind_id]):.0f}", avg=f"{float(norm[ind_id].mean()):.0f}",
                    diff=f"{abs(d):.1f}",
                    gap=f"{(100 - float(norm.at[sid, ind_id])) * float(weights[ind_id]) * scale:.1f}")
        if good:
            key = "strong" if d > 0.05 else "strong_below" if d < -0.05 else "strong_flat"
        else:
            key = "weak" if d < -0.05 else "weak_above" if d > 0.05 else "weak_flat"
        return t[key].format(**vals)

    h.append('<section class="cols">')
    for title, ids, good in ((t["strengths"], strong, True), (t["weaknesses"], weak, False)):
        items = "".join(f"<li>{e(sentence(i, good))}</li>" for i in ids) or f"<li>{e(t['none'])}</li>"
        h.append(f'<div><h2>{e(title)}</h2><ul>{items}</ul></div>')
    h.append('</section>')
    if no_data:
        h.append(f'<p class="note">{e(t["no_data_note"].format(names=", ".join(_pick(scheme.indicator(i), lang) for i in no_data)))}</p>')

    # detail table
    dim_of = {i.id: path[d.id] for d in scheme.nodes() for i in d.indicators}
    h.append(f'<section><h2>{e(t["detail"])}</h2><table><thead><tr><th>{e(t["indicator"])}</th>'
             f'<th>{e(t["dimension"])}</th><th class="n">{e(t["raw"])}</th><th class="n">{e(t["normalised"])}</th>'
             f'<th class="n">{e(t["weight"])}</th><th class="n">{e(t["contribution"])}</th>'
             f'<th class="n">{e(t["avg_contribution"])}</th></tr></thead><tbody>')
    for ind in inds:
        raw = float(result.raw.at[sid, ind.id])
        missing = bool(result.missing.at[sid, ind.id])
        raw_text = t["missing"].format(rule=t["rules"].get(ind.missing, ind.missing)) if missing \
            else _raw_text(raw, ind.unit, lang)
        h.append(f'<tr><td>{e(_pick(ind, lang))}</td><td>{e(dim_of[ind.id])}</td>'
                 f'<td class="n">{e(raw_text)}</td><td class="n">{_fmt(float(norm.at[sid, ind.id]))}</td>'
                 f'<td class="n">{float(weights[ind.id]):.1%}</td>'
                 f'<td class="n">{_fmt(float(contrib.at[sid, ind.id]), 2)}</td>'
                 f'<td class="n">{_fmt(float(avg[ind.id]), 2)}</td></tr>')
    h.append(f'<tr><th>{e(t["score"])}</th><td></td><td></td><td></td><td class="n">100%</td>'
             f'<th class="n">{total * scale:.2f}</th><td class="n">{_fmt(float(result.total.mean()) * scale, 2)}</td>'
             f'</tr>')
    method = word("pts.report.method", lang) if points else t["method"]
    h.append(f'</tbody></table><p class="note">{e(method)}</p></section>')
    h.append(f'<footer class="note">{e(t["generated"].format(d=day_text(date.today(), lang)))}</footer>')
    h.append("</body></html>")
    return "".join(h)


NUM = ' class="n"'


def _points_section(result: ScoreResult, sid: str, lang: str) -> str:
    """A points scheme's table: every node with its points earned, available and lost, each item with its marks
    (缺项, 相对评分) and why it lost points beside its 评分标准 (扣分说明)."""
    e = escape
    tree = views.points_tree(result, sid, lang)
    cols = ("pts.col.code", "pts.col.item", "pts.col.earned", "pts.col.available", "pts.col.lost",
            "pts.col.deduction")
    h = [f'<section><h2>{e(word("pts.report.section", lang))}</h2><table class="pts"><thead><tr>']
    h += [f'<th{NUM if k in (2, 3, 4) else ""}>{e(word(c, lang))}</th>' for k, c in enumerate(cols)]
    h.append('</tr></thead><tbody>')
    for r in tree.itertuples():
        nums = "".join(f'<td class="n">{e(views.fmt_points(x, lang))}</td>' for x in (r.earned, r.available, r.lost))
        if r.kind == "total":
            h.append(f'<tr class="total"><th></th><th>{e(r.name)}</th>{nums.replace("td", "th")}<th></th></tr>')
            continue
        pad = f' style="padding-left:{6 + 14 * (r.depth - 1)}px"'
        if r.kind == "dimension":
            h.append(f'<tr class="dim"><td>{e(r.code)}</td><td{pad}>{e(r.name)}</td>{nums}<td></td></tr>')
            continue
        flag = f' <span class="flag">〔{e(r.flag)}〕</span>' if r.flag else ""
        why = (e(r.deduction) if r.deduction else
               f'<span class="crit">{e(word("pts.criterion_is", lang, text=r.criterion))}</span>' if r.criterion
               else "")
        h.append(f'<tr><td>{e(r.code)}</td><td{pad}>{e(r.name)}{flag}</td>{nums}<td>{why}</td></tr>')
    h.append(f'</tbody></table><p class="note">{e(word("pts.report.note", lang))}</p></section>')
    return "".join(h)
