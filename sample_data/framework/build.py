"""Builds the example framework table (framework.xlsx) and its values from elsewhere (indicator_values.csv).

    python sample_data/framework/build.py      # rewrites both files beside this script

framework.xlsx is an invented evaluator's 指标体系 in the wide form of Chinese evaluation manuals: 一级指标,
二级指标 and 三级指标 (merged cells, as printed), 分值 adding up to 100, 评分标准 and 数据来源. Five indicators
are measured from the records (their 计量方法 is a measure as in the scheme YAML); three name no measure and read
indicator_values: a satisfaction survey in two waves, home visits counted by the street office (divided by the
population served, 分母 = population) and the share of certified social workers on the staff roster.

indicator_values.csv holds those three series for the 24 demo stations over 2024. The numbers are synthetic,
drawn from a fixed seed: each station's figures lean on its demo profile (needs_driven stations a little higher,
show_window stations a little lower) plus noise, so they agree with the records only loosely, as figures from
another source would. No real station or person is described.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEMO_STATIONS = HERE.parent / "demo" / "stations.csv"
SEED = 20241231

HEADER = ["一级指标", "一级指标分值", "二级指标", "二级指标分值", "三级指标", "代码", "分值", "方向", "分母",
          "标准化", "计量方法", "评分标准", "数据来源", "一级指标英文名称", "二级指标英文名称", "英文名称"]
# English names, optional in a framework table: with them the scheme reads in English too
ENGLISH = {"服务成效": "Service outcomes", "需求回应": "Response to needs", "居民满意": "Residents' satisfaction",
           "专业服务": "Professional service", "服务覆盖": "Reach", "专业质量": "Professional quality",
           "规范管理": "Sound management", "资金管理": "Use of funds", "队伍建设": "Staff",
           "urgent_resolved": "Urgent needs resolved", "days_to_resolve": "Days to resolve a need (median)",
           "satisfaction": "Residents' satisfaction survey score", "council_need_met": "Needs met, as the council says",
           "home_visits": "Home visits to vulnerable residents (per resident served)",
           "professional_quality": "Supervision rating", "spending_on_needs": "Spending linked to a need",
           "certified_staff": "Share of certified social workers"}
SCALE = ("{kind: scale, table: ratings, column: level, filter: \"indicator_id = 'professional_quality'\", "
         "levels: [{value: 优, score: 100}, {value: 良, score: 80}, {value: 中, score: 60}, {value: 差, score: 40}]}")
# (一级, 二级, 三级, code, points, direction, denominator, measure, 评分标准, 数据来源)
ROWS = [
    ("服务成效", "需求回应", "紧急需求解决率", "urgent_resolved", 15, "正向", "",
     "{kind: share, table: needs, base: urgency >= 4, filter: \"status = 'resolved'\"}",
     "紧急程度4级以上的需求中已解决的比例，按站点间相对水平计分。", "需求台账"),
    ("服务成效", "需求回应", "需求解决天数（中位数）", "days_to_resolve", 10, "负向", "",
     "{kind: median, table: needs, column: days_to_resolve, filter: \"status = 'resolved'\"}",
     "从提出到解决的天数中位数，越短得分越高。", "需求台账"),
    ("服务成效", "居民满意", "居民满意度调查得分", "satisfaction", 15, "正向", "", "",
     "第三方机构入户调查的满意度得分（百分制），取评估期内最近一次调查。", "第三方满意度调查"),
    ("服务成效", "居民满意", "居民议事会认定需求已满足", "council_need_met", 10, "正向", "",
     "{kind: scale, table: feedback, column: need_met, filter: \"channel in ('council', 'evaluation_meeting')\", "
     "levels: [{value: 'yes', score: 100}, {value: 'no', score: 0}]}",
     "议事会、评议会上居民认定需求已满足的比例。", "居民评议记录"),
    ("专业服务", "服务覆盖", "困难群体入户探访（每服务居民）", "home_visits", 15, "正向", "population", "",
     "街道统计的入户探访户次除以服务人口。", "街道办事处统计"),
    ("专业服务", "专业质量", "督导评估等级", "professional_quality", 15, "正向", "", SCALE,
     "第三方按评估细则评定个案、小组工作的专业水平：优、良、中、差。", "第三方评级"),
    ("规范管理", "资金管理", "与需求挂钩的支出占比", "spending_on_needs", 10, "正向", "",
     "{kind: share, table: expenditures, filter: need_id is not null, weight: amount}",
     "支出中能对应到已登记需求的金额比例。", "财务台账"),
    ("规范管理", "队伍建设", "持证社工占比", "certified_staff", 10, "正向", "", "",
     "持有社会工作者职业资格证书的工作人员占比。", "站点人员花名册"),
]


def build_framework(path: Path) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "指标体系"
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    first_points = {a: sum(r[4] for r in ROWS if r[0] == a) for a, *_ in ROWS}
    second_points = {(a, b): sum(r[4] for r in ROWS if r[:2] == (a, b)) for a, b, *_ in ROWS}
    for a, b, c, code, pts, direction, den, measure, criteria, source in ROWS:
        # every item here is scored against the other stations (标准化 min-max), and says so: a points table
        # otherwise reads a value as points awarded, and a measure over records needs a rule
        ws.append([a, first_points[a], b, second_points[(a, b)], c, code, pts, direction, den, "minmax", measure,
                   criteria, source, ENGLISH[a], ENGLISH[b], ENGLISH[code]])
    # merge the level-1 and level-2 cells (and their points) over the rows they span, as manuals print them
    for col, key in ((1, lambda r: r[0]), (2, lambda r: r[0]), (3, lambda r: r[:2]), (4, lambda r: r[:2]),
                     (14, lambda r: r[0]), (15, lambda r: r[:2])):
        start = 0
        for n in range(1, len(ROWS) + 1):
            if n == len(ROWS) or key(ROWS[n]) != key(ROWS[start]):
                if n - start > 1:
                    ws.merge_cells(start_row=start + 2, start_column=col, end_row=n + 1, end_column=col)
                start = n
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    for letter, width in zip("ABCDEFGHIJKLMNOP", (12, 8, 12, 8, 30, 20, 8, 8, 12, 10, 40, 50, 18, 20, 20, 40)):
        ws.column_dimensions[letter].width = width
    from datetime import datetime
    wb.properties.created = wb.properties.modified = datetime(2024, 12, 31)   # the same content on every build
    wb.save(path)


def values_rows() -> list[list]:
    with DEMO_STATIONS.open(encoding="utf-8") as fh:
        stations = list(csv.DictReader(fh))
    rng = np.random.default_rng(SEED)
    lean = {"show_window": -1.0, "mixed": 0.0, "needs_driven": 1.0}
    rows = []
    for st in stations:
        x = lean.get(st["profile"], 0.0)
        pop = int(st["population"])
        h1 = np.clip(78 + 5 * x + rng.normal(0, 4), 40, 99)
        h2 = np.clip(h1 + 1.5 * x + rng.normal(0, 3), 40, 99)
        visits = int(round(pop * np.clip(0.04 + 0.012 * x + rng.normal(0, 0.008), 0.005, None)))
        certified = np.clip(0.45 + 0.1 * x + rng.normal(0, 0.08), 0.05, 1.0)
        sid = st["station_id"]
        rows += [
            [sid, "satisfaction", "2024-01-01", "2024-06-30", f"{h1:.1f}", "第三方满意度调查", "上半年"],
            [sid, "satisfaction", "2024-07-01", "2024-12-31", f"{h2:.1f}", "第三方满意度调查", "下半年"],
            [sid, "home_visits", "2024-01-01", "2024-12-31", str(visits), "街道办事处统计", "户次"],
            [sid, "certified_staff", "2024-01-01", "2024-12-31", f"{certified:.2f}", "站点人员花名册", "年末"],
        ]
    return rows


def build_values(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["station_id", "indicator_id", "period_start", "period_end", "value", "source", "note"])
        w.writerows(values_rows())


def main() -> int:
    build_framework(HERE / "framework.xlsx")
    build_values(HERE / "indicator_values.csv")
    print(f"wrote {HERE / 'framework.xlsx'} and {HERE / 'indicator_values.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
