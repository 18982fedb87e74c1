"""Builds two 千分制 framework tables as bureaus hand them out, a score sheet (得分表) for each, and expected.json.

    python sample_data/qianfen/build.py      # rewrites every file beside this script

Two styles, on purpose unlike each other, so that the reader is not tuned to one:

- table_district.xlsx: a district's 绩效评估指标. Title and subtitle rows above the header, 一级/二级 names with
  their points in the name (基础建设（150分）) merged over their rows, letter codes (B11, Z21) in a 代码 column
  left of the 三级指标, 分值, 评分标准 in words, 数据来源; a 合计 row, then footnote rows: 注：grade bands written
  优秀≥900分；良好800-899分 …, veto clauses naming no item, a scoring remark.
- table_city.xlsx (and table_city.csv in GBK, as WPS saves it): a city's 星级评估标准. Title, a blank row and a
  form line above the header, a 序号 column, 一级/二级 names with ASCII brackets (组织建设(100分)), number codes
  (1.1.2) in an 编号 column, 满分 instead of 分值, a 计分规则 column, 考核方式; a 说明 block whose bands read
  "总分900分以上为优秀，800分（含）至900分为良好 …" and whose veto list names one item (3.1.1 below 40 points).

Score sheets for 16 of the demo stations (S01 … S16, so they import into the demo database):

- scores_district_wide.xlsx: one row a station (站点编号, 站点名称), one column an item whose header is its code,
  its name, or "code name（N分）" in turn, a 一票否决 column (a reason for one station) and 扣分说明.
- scores_city_transposed.xlsx: items as rows (编号, 指标名称, 满分), stations as columns, a 一票否决 row.

expected.json holds, for each table, every station's total (the plain sum of its awarded points), its points at
every dimension (codes D1, D1.1 … as the reader numbers a table without dimension codes), its module (一级)
subtotals, its grade by the table's own bands and its veto reason (null when not vetoed; a vetoed station takes the
lowest band). It is computed here from the points drawn, never by the scoring engine. Points are drawn in steps of
0.5 from a fixed seed, so every sum is exact in binary floating point; two stations sit exactly on a band's
minimum (900 and 600 points). No real station or person is described.
"""
from __future__ import annotations

import csv
import io
import json
import random
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO_STATIONS = HERE.parent / "demo" / "stations.csv"
SEED = 20241018
N_STATIONS = 16
PERIOD = ("2024-01-01", "2024-12-31")
GRADES = [("优秀", 900), ("良好", 800), ("合格", 600), ("不合格", 0)]

# Item kinds, for drawing what an evaluator would award: judge (any 0.5 step, by judgement), full (every station
# earns it all), yes_no (all or nothing), deduct:k (k points off per shortfall), steps:a/b/c (the points a band
# gives, lowest first).

DISTRICT_TITLE = "××区2024年度社会工作服务站绩效评估指标（千分制）"
DISTRICT_SUBTITLE = "（适用于街道社会工作服务站，满分1000分）"
# (一级, 二级, code, 三级, points, 评分标准, 数据来源, kind)
DISTRICT = [
    ("基础建设", "阵地建设", "B11", "服务场地面积", 20,
     "服务场地面积不少于200平方米得20分，每少20平方米扣2分，扣完为止。", "实地查看", "deduct:2"),
    ("基础建设", "阵地建设", "B12", "功能室设置", 20,
     "设有个案室、小组活动室、办公室等功能室，每缺一项扣5分。", "实地查看", "deduct:5"),
    ("基础建设", "阵地建设", "B13", "标识标牌", 10,
     "统一悬挂社会工作服务站标识标牌得10分，无不得分。", "实地查看", "full"),
    ("基础建设", "阵地建设", "B14", "设施设备", 10,
     "办公及活动设施设备齐全、运转正常，视情况得0-10分。", "实地查看", "judge"),
    ("基础建设", "人员配备", "B21", "专职社工数量", 20,
     "配备专职社会工作者不少于3名得20分，每少1名扣5分。", "查阅人员花名册", "deduct:5"),
    ("基础建设", "人员配备", "B22", "持证上岗", 15,
     "持证社工占比达到60%及以上得15分；40%（含）-60%得10分；低于40%得5分。", "查阅台账", "steps:5/10/15"),
    ("基础建设", "人员配备", "B23", "督导配备", 15,
     "有专业督导且每季度督导不少于1次得15分，每缺1次扣3分。", "查阅督导记录", "deduct:3"),
    ("基础建设", "制度建设", "B31", "管理制度", 15,
     "建立考勤、财务、档案等管理制度并上墙公示得15分，每缺一项扣3分。", "查阅资料、实地查看", "deduct:3"),
    ("基础建设", "制度建设", "B32", "服务流程", 15, "服务流程规范，视情况得0-15分。", "查阅台账", "judge"),
    ("基础建设", "制度建设", "B33", "档案管理", 10, "服务档案分类归档、资料完整，视情况得0-10分。", "查阅台账", "judge"),
    ("专业服务", "个案服务", "Z11", "个案服务数量", 40,
     "年度开展个案服务不少于20个得40分，每少1个扣2分，扣完为止。", "查阅个案台账", "deduct:2"),
    ("专业服务", "个案服务", "Z12", "个案服务质量", 50,
     "抽查个案3个，按专业规范评分，视质量得0-50分。", "查阅个案档案、访谈", "judge"),
    ("专业服务", "个案服务", "Z13", "个案结案率", 30, "按个案结案率×30计分。", "查阅个案台账", "judge"),
    ("专业服务", "小组服务", "Z21", "小组活动数量", 40,
     "年度开展小组活动不少于12个得40分，每少1个扣3分。", "查阅台账", "full"),
    ("专业服务", "小组服务", "Z22", "小组活动质量", 60,
     "小组目标明确、过程记录完整、有成效评估，视情况得0-60分。", "查阅小组档案", "judge"),
    ("专业服务", "社区活动", "Z31", "社区活动场次", 40,
     "年度开展社区活动不少于24场得40分，每少1场扣2分。", "查阅活动台账、照片", "deduct:2"),
    ("专业服务", "社区活动", "Z32", "志愿者队伍", 30,
     "建立志愿者队伍，注册志愿者不少于30人得30分，每少5人扣3分。", "查阅志愿者名册", "deduct:3"),
    ("专业服务", "社区活动", "Z33", "资源链接", 30,
     "按链接资源金额（万元）×3计分，最高30分。", "查阅台账", "judge"),
    ("专业服务", "困难群体探访", "Z41", "入户探访覆盖率", 50,
     "困难群体入户探访覆盖率90%及以上得50分；80%（含）-90%得40分；70%（含）-80%得25分；低于70%不得分。",
     "查阅探访记录、入户核实", "steps:0/25/40/50"),
    ("专业服务", "困难群体探访", "Z42", "探访记录", 30, "探访记录完整规范，视情况得0-30分。", "查阅台账", "judge"),
    ("服务成效", "居民满意", "C11", "居民满意度", 100,
     "居民满意度90%及以上得100分；80%（含）-90%得80分；70%（含）-80%得60分；低于70%得0分。", "满意度调查",
     "steps:0/60/80/100"),
    ("服务成效", "居民满意", "C12", "服务对象评价", 50,
     "随机访谈服务对象不少于5人，视评价情况得0-50分。", "访谈", "judge"),
    ("服务成效", "需求回应", "C21", "需求台账", 40,
     "建立居民需求台账并动态更新得40分，更新不及时扣10分，未建立不得分。", "查阅台账", "steps:0/30/40"),
    ("服务成效", "需求回应", "C22", "需求解决率", 60, "按需求解决率×60计分。", "查阅需求台账、电话回访", "judge"),
    ("服务成效", "社会影响", "C31", "宣传报道", 30,
     "在区级以上媒体宣传报道每篇得5分，最高30分。", "查阅宣传报道资料", "steps:0/5/10/15/20/25/30"),
    ("服务成效", "社会影响", "C32", "经验推广", 20, "服务经验在全区推广或交流发言的得20分，无不得分。", "查阅资料", "yes_no"),
    ("规范管理", "项目管理", "G11", "年度服务计划", 20, "有年度服务计划和总结得20分，无不得分。", "查阅资料", "yes_no"),
    ("规范管理", "项目管理", "G12", "资金使用", 40,
     "专项资金专款专用、账目清晰，视情况得0-40分；发现违规使用的本项不得分。", "查阅财务账目", "judge"),
    ("规范管理", "项目管理", "G13", "中期自评", 20,
     "按时提交中期自评报告得20分，逾期提交得10分，未提交不得分。", "查阅资料", "steps:0/10/20"),
    ("规范管理", "安全管理", "G21", "安全制度", 30, "建立安全管理制度和台账，每缺一项扣5分。", "查阅资料、实地查看", "deduct:5"),
    ("规范管理", "安全管理", "G22", "应急预案", 40,
     "制定应急预案并每年演练不少于1次得40分；有预案未演练得20分；无预案不得分。", "查阅资料、实地查看", "steps:0/20/40"),
]
DISTRICT_NOTES = [
    "注：1. 评估等次：优秀≥900分；良好800-899分；合格600-799分；600分以下为不合格。",
    "2. 发生重大安全责任事故的，实行一票否决。",
    "3. 违规使用专项资金、被审计部门通报的，实行一票否决。",
    "4. 各项得分不超过该项分值，扣分扣完为止。",
]

CITY_TITLE = "××市2024年度城乡社区社会工作服务站星级评估标准"
CITY_FORM_LINE = "评估单位（盖章）：                    评估时间：    年  月  日"
# (一级, 二级, code, 三级, points, 评分标准, 计分规则, 考核方式, kind)
AW = "{rule: awarded}"
CITY = [
    ("组织建设", "机构设置", "1.1.1", "登记备案", 20,
     "服务站已在民政部门备案并挂牌运行的，得20分；未备案的不得分。", "", "查阅资料", "yes_no"),
    ("组织建设", "机构设置", "1.1.2", "场所保障", 20,
     "有固定服务场所，面积在150平方米以上的得20分，100-150平方米的得15分，100平方米以下的得8分。", "",
     "实地查看", "steps:8/15/20"),
    ("组织建设", "队伍建设", "1.2.1", "人员配备", 30, "专职社工不少于3人，每少1人扣10分，扣完为止。", "",
     "查阅资料", "deduct:10"),
    ("组织建设", "队伍建设", "1.2.2", "教育培训", 15, "年人均参加培训不少于40学时得15分，每少10学时扣3分。", "",
     "查阅培训记录", "deduct:3"),
    ("组织建设", "队伍建设", "1.2.3", "督导支持", 15, "视督导频次与质量得0-15分。", AW, "查阅督导记录、个别访谈",
     "judge"),
    ("服务开展", "个案工作", "2.1.1", "个案数量", 40, "全年开案不少于15个，每少1个扣3分。", "", "查阅个案档案",
     "deduct:3"),
    ("服务开展", "个案工作", "2.1.2", "个案规范", 40,
     "个案档案要素齐全（接案、预估、计划、介入、评估、结案），每缺一项扣5分。", "", "查阅个案档案", "deduct:5"),
    ("服务开展", "个案工作", "2.1.3", "个案成效", 40, "视服务对象改变情况得0-40分。", AW, "个别访谈", "judge"),
    ("服务开展", "小组工作", "2.2.1", "小组数量", 50, "全年开展小组工作不少于6个（每个不少于6节），每少1个扣8分。",
     "", "查阅资料", "full"),
    ("服务开展", "小组工作", "2.2.2", "小组质量", 50, "视小组设计、过程记录与评估得0-50分。", AW, "查阅资料", "judge"),
    ("服务开展", "社区工作", "2.3.1", "社区活动", 50, "每月开展社区活动不少于2次得50分，每少1次扣2分。", "",
     "查阅活动记录、照片", "deduct:2"),
    ("服务开展", "社区工作", "2.3.2", "社区议事", 40, "协助建立居民议事机制，每季度召开议事会得40分，视召开情况酌情扣分。",
     AW, "查阅会议记录", "judge"),
    ("服务开展", "社区工作", "2.3.3", "志愿服务", 40, "按志愿服务时数（百小时）×4计分，最高40分。", "",
     "查阅志愿服务记录", "judge"),
    ("服务开展", "特殊群体关爱", "2.4.1", "探访服务", 60,
     "对辖区困难老人、困境儿童等探访率达到100%得60分，95%（含）-100%得50分，90%（含）-95%得40分，90%以下得20分。",
     "", "查阅探访台账、入户核实", "steps:20/40/50/60"),
    ("服务开展", "特殊群体关爱", "2.4.2", "服务转介", 40, "建立转介机制并有转介记录的得40分，无转介记录的得0分。", "",
     "查阅资料", "yes_no"),
    ("服务成效", "满意度", "3.1.1", "居民满意度", 80,
     "问卷调查居民满意度：95%以上得80分，90%-95%得70分，85%-90%得60分，80%-85%得50分，80%以下得30分。", "",
     "问卷调查", "steps:30/50/60/70/80"),
    ("服务成效", "满意度", "3.1.2", "合作方评价", 40, "街道、社区评价，视评价情况得0-40分。", AW, "座谈会", "judge"),
    ("服务成效", "需求满足", "3.2.1", "需求解决", 50, "按已解决需求占登记需求的比例×50计分。", "",
     "查阅需求台账、电话回访", "judge"),
    ("服务成效", "需求满足", "3.2.2", "需求回应时效", 30, "一般需求7日内回应得30分，超时每例扣2分。", "", "查阅台账",
     "deduct:2"),
    ("服务成效", "品牌建设", "3.3.1", "宣传报道", 30, "市级以上媒体报道每次得10分，区级每次得5分，最高30分。", "",
     "查阅宣传资料", "steps:0/5/10/15/20/25/30"),
    ("服务成效", "品牌建设", "3.3.2", "品牌项目", 20, "形成服务品牌项目的得20分，无不得分。", "", "查阅资料", "yes_no"),
    ("内部治理", "财务管理", "4.1.1", "资金使用", 40, "专款专用，票据规范，视情况得0-40分。", AW, "查阅财务账目", "judge"),
    ("内部治理", "财务管理", "4.1.2", "预算执行", 30, "预算执行率达到90%及以上得30分，每低5个百分点扣5分。", "",
     "查阅财务资料", "deduct:5"),
    ("内部治理", "档案管理", "4.2.1", "文书档案", 25, "档案分类规范、及时归档，视情况得0-25分。", AW, "查阅档案", "judge"),
    ("内部治理", "档案管理", "4.2.2", "信息报送", 25, "按时报送信息和统计报表，每迟报1次扣5分。", "", "查阅资料",
     "deduct:5"),
    ("创新发展", "创新项目", "5.1.1", "创新举措", 50, "有创新服务举措并取得实效，视情况得0-50分。", AW,
     "个别访谈、查阅资料", "judge"),
    ("创新发展", "创新项目", "5.1.2", "经验交流", 30, "在市级以上会议交流经验得30分，区级得15分，无不得分。", "",
     "查阅资料", "steps:0/15/30"),
]
CITY_VETO_ITEM, CITY_VETO_BELOW = "3.1.1", 40.0
CITY_VETO_REASON = "3.1.1居民满意度测评得分低于40分"   # the clause as the reader keeps it, the Veto's name
CITY_NOTES = [
    "说明：",
    "1. 评估总分1000分。总分900分以上为优秀，800分（含）至900分为良好，600分（含）至800分为合格，不足600分为不合格。",
    "2. 有下列情形之一的，实行一票否决，评估等次直接定为不合格：",
    "（1）发生重大安全事故或群体性事件的；",
    "（2）存在违规收费行为的；",
    f"（3）{CITY_VETO_REASON}的。",
    "3. 评估采取查阅资料、实地查看、问卷调查、个别访谈等方式进行。",
]


def stations() -> list[tuple[str, str]]:
    with DEMO_STATIONS.open(encoding="utf-8") as fh:
        return [(r["station_id"], r["name"]) for r in csv.DictReader(fh)][:N_STATIONS]


def _half(x: float) -> float:
    return round(x * 2) / 2


def award(rng: random.Random, kind: str, points: float, q: float) -> float:
    """Points an evaluator would award on one item to a station of quality q (0-1)."""
    if kind == "full":
        return float(points)
    if kind == "yes_no":
        return float(points) if rng.random() < q + 0.1 else 0.0
    if kind.startswith("deduct:"):
        per = float(kind.split(":")[1])
        short = max(0, round((1 - q) * rng.uniform(0, 2.2) * points / per / 2))
        return max(0.0, points - short * per)
    if kind.startswith("steps:"):
        steps = [float(s) for s in kind.split(":")[1].split("/")]
        i = round((q + rng.gauss(0, 0.12)) * (len(steps) - 1))
        return steps[min(len(steps) - 1, max(0, i))]
    frac = min(1.0, max(0.0, q + rng.gauss(0, 0.08)))
    return _half(points * frac)


def draw(rng: random.Random, items: list[tuple], qualities: list[float]) -> list[dict[str, float]]:
    """Awarded points, one dict (code -> points) a station."""
    return [{it[2]: award(rng, it[-1], it[4], q) for it in items} for q in qualities]


def settle(awards: dict[str, float], items: list[tuple], total: float) -> None:
    """Moves a station's judged items so that its points add up to exactly `total` (a band's minimum)."""
    gap = total - sum(awards.values())
    for it in items:
        if it[-1] != "judge" or gap == 0:
            continue
        code, points = it[2], it[4]
        new = min(points, max(0.0, awards[code] + gap))
        gap -= new - awards[code]
        awards[code] = new
    assert gap == 0, gap


def nearest(awards: list[dict[str, float]], total: float) -> dict[str, float]:
    return min(awards, key=lambda a: abs(sum(a.values()) - total))


def grade_of(total: float) -> str:
    return next(label for label, low in GRADES if total >= low)


def expected(items: list[tuple], awards: list[dict[str, float]], ids: list[str], vetoes: dict[str, str]) -> dict:
    """What the evaluator's own spreadsheet says: sums of the awarded points, bands, veto."""
    tops = list(dict.fromkeys(it[0] for it in items))
    seconds = {a: list(dict.fromkeys(it[1] for it in items if it[0] == a)) for a in tops}
    code_of: dict[tuple, str] = {}
    dims: dict[str, dict] = {}
    for n, a in enumerate(tops, 1):
        code_of[(a,)] = f"D{n}"
        dims[f"D{n}"] = {"name": a, "level": 1, "points": sum(it[4] for it in items if it[0] == a)}
        for m, b in enumerate(seconds[a], 1):
            code_of[(a, b)] = f"D{n}.{m}"
            dims[f"D{n}.{m}"] = {"name": b, "level": 2, "parent": f"D{n}",
                                 "points": sum(it[4] for it in items if it[:2] == (a, b))}
    out_stations = {}
    for sid, got in zip(ids, awards):
        nodes = {code: 0.0 for code in dims}
        for it in items:
            nodes[code_of[(it[0],)]] += got[it[2]]
            nodes[code_of[(it[0], it[1])]] += got[it[2]]
        total = sum(got.values())
        veto = vetoes.get(sid)
        out_stations[sid] = {
            "total": total, "score": total / 10,
            "modules": {c: v for c, v in nodes.items() if dims[c]["level"] == 1},
            "node_points": nodes, "grade": GRADES[-1][0] if veto else grade_of(total), "veto": veto,
            "grade_by_points": grade_of(total), "items": got}
    return {"points_total": sum(it[4] for it in items), "items": len(items), "dimensions": dims,
            "stations": out_stations}


def _merge_runs(ws, first_row: int, keys: list, column: int) -> None:
    start = 0
    for n in range(1, len(keys) + 1):
        if n == len(keys) or keys[n] != keys[start]:
            if n - start > 1:
                ws.merge_cells(start_row=first_row + start, start_column=column, end_row=first_row + n - 1,
                               end_column=column)
            start = n


def _save(wb, path: Path) -> None:
    wb.properties.created = wb.properties.modified = datetime(2024, 12, 31)   # the same content on every build
    wb.save(path)


def district_rows() -> list[list]:
    """The district table's cells, row by row, as the XLSX shows them (merged cells blank but their first)."""
    pts1 = {a: sum(it[4] for it in DISTRICT if it[0] == a) for a, *_ in DISTRICT}
    pts2 = {(a, b): sum(it[4] for it in DISTRICT if it[:2] == (a, b)) for a, b, *_ in DISTRICT}
    rows: list[list] = [[DISTRICT_TITLE] + [None] * 6, [DISTRICT_SUBTITLE] + [None] * 6,
                        ["一级指标", "二级指标", "代码", "三级指标", "分值", "评分标准", "数据来源"]]
    prev: tuple = ()
    for a, b, code, c, pts, crit, src, _ in DISTRICT:
        first = f"{a}（{pts1[a]}分）" if prev[:1] != (a,) else None
        second = f"{b}（{pts2[(a, b)]}分）" if prev[:2] != (a, b) else None
        rows.append([first, second, code, c, pts, crit, src])
        prev = (a, b)
    rows.append(["合计", None, None, None, sum(it[4] for it in DISTRICT), None, None])
    rows += [[note] + [None] * 6 for note in DISTRICT_NOTES]
    return rows


def build_district(path: Path) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "评估指标"
    for r in district_rows():
        ws.append(r)
    width = 7
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    first = 4
    _merge_runs(ws, first, [it[0] for it in DISTRICT], 1)
    _merge_runs(ws, first, [it[:2] for it in DISTRICT], 2)
    total_row = first + len(DISTRICT)
    ws.merge_cells(start_row=total_row, start_column=1, end_row=total_row, end_column=4)
    for n in range(len(DISTRICT_NOTES)):
        ws.merge_cells(start_row=total_row + 1 + n, start_column=1, end_row=total_row + 1 + n, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    for row in ws.iter_rows(min_row=3, max_row=total_row):
        for cell in row:
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    for letter, w in zip("ABCDEFG", (16, 18, 8, 18, 8, 60, 20)):
        ws.column_dimensions[letter].width = w
    _save(wb, path)


def city_rows() -> list[list]:
    pts1 = {a: sum(it[4] for it in CITY if it[0] == a) for a, *_ in CITY}
    pts2 = {(a, b): sum(it[4] for it in CITY if it[:2] == (a, b)) for a, b, *_ in CITY}
    width = 9
    rows: list[list] = [[CITY_TITLE] + [None] * (width - 1), [None] * width,
                        [CITY_FORM_LINE] + [None] * (width - 1),
                        ["序号", "一级指标", "二级指标", "编号", "三级指标", "满分", "评分标准", "计分规则", "考核方式"]]
    prev: tuple = ()
    for n, (a, b, code, c, pts, crit, rule, src, _) in enumerate(CITY, 1):
        first = f"{a}({pts1[a]}分)" if prev[:1] != (a,) else None
        second = f"{b}({pts2[(a, b)]}分)" if prev[:2] != (a, b) else None
        rows.append([n, first, second, code, c, pts, crit, rule or None, src])
        prev = (a, b)
    rows += [[note] + [None] * (width - 1) for note in CITY_NOTES]
    return rows


def build_city(path: Path, csv_path: Path) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font
    rows = city_rows()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "星级评估标准"
    for r in rows:
        ws.append(r)
    width = len(rows[3])
    for r in (1, 3):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
    first = 5
    _merge_runs(ws, first, [it[0] for it in CITY], 2)
    _merge_runs(ws, first, [it[:2] for it in CITY], 3)
    last = first + len(CITY) - 1
    for n in range(len(CITY_NOTES)):
        ws.merge_cells(start_row=last + 1 + n, start_column=1, end_row=last + 1 + n, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    for row in ws.iter_rows(min_row=4, max_row=last):
        for cell in row:
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    _save(wb, path)
    buf = io.StringIO()   # the same table saved as CSV by WPS: GBK, merged cells blank
    csv.writer(buf, lineterminator="\r\n").writerows([["" if c is None else c for c in r] for r in rows])
    csv_path.write_bytes(buf.getvalue().encode("gbk"))


def district_awards() -> tuple[list[dict[str, float]], dict[str, str], list[str]]:
    rng = random.Random(SEED)
    qualities = [0.97, 0.95, 0.93, 0.91, 0.9, 0.88, 0.86, 0.84, 0.82, 0.8, 0.76, 0.72, 0.68, 0.62, 0.5, 0.3]
    rng.shuffle(qualities)
    awards = draw(rng, DISTRICT, qualities)
    settle(nearest(awards, 900.0), DISTRICT, 900.0)   # one station exactly on 优秀's minimum
    settle(nearest(awards, 600.0), DISTRICT, 600.0)   # and one on 合格's
    best = max(range(N_STATIONS), key=lambda i: sum(awards[i].values()))
    ids = [sid for sid, _ in stations()]
    vetoes = {ids[best]: "2024年8月服务站活动中发生重大安全责任事故"}   # the best on points: the veto still wins
    notes = {}
    for i, got in enumerate(awards):
        lost = [(it[2], it[3], it[4] - got[it[2]]) for it in DISTRICT if got[it[2]] < it[4]]
        lost.sort(key=lambda x: -x[2])
        if lost:
            notes[ids[i]] = "；".join(f"{c}{name}扣{_num(x)}分" for c, name, x in lost[:2])
    return awards, vetoes, [notes.get(sid, "") for sid in ids]


def city_awards() -> tuple[list[dict[str, float]], dict[str, str], dict[str, str]]:
    rng = random.Random(SEED + 1)
    qualities = [0.98, 0.94, 0.92, 0.9, 0.88, 0.86, 0.83, 0.81, 0.79, 0.77, 0.74, 0.7, 0.65, 0.6, 0.5, 0.32]
    rng.shuffle(qualities)
    awards = draw(rng, CITY, qualities)
    ids = [sid for sid, _ in stations()]
    # the table's own veto names 3.1.1 below 40 points: exactly one station falls there
    low = min(range(N_STATIONS), key=lambda i: qualities[i])
    for i, got in enumerate(awards):
        if i == low:
            got[CITY_VETO_ITEM] = 30.0
        elif got[CITY_VETO_ITEM] < CITY_VETO_BELOW:
            got[CITY_VETO_ITEM] = 50.0
    settle(nearest([a for i, a in enumerate(awards) if i != low], 800.0), CITY, 800.0)   # one on 良好's minimum
    sheet_veto = {ids[1]: "存在违规收费行为（2024年5月区民政局通报）"}   # from the sheet's 一票否决 row
    vetoes = {**sheet_veto, ids[low]: CITY_VETO_REASON}
    return awards, vetoes, sheet_veto


def _num(x: float):
    return int(x) if float(x).is_integer() else x


def build_district_sheet(path: Path, awards, vetoes, notes) -> None:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "得分表"
    heads = []
    for n, it in enumerate(DISTRICT):   # code, name, or both with the points, in turn: sheets mix them
        heads.append([it[2], it[3], f"{it[2]} {it[3]}（{it[4]}分）"][n % 3])
    ws.append(["站点编号", "站点名称", *heads, "一票否决", "扣分说明"])
    for (sid, name), got, note in zip(stations(), awards, notes):
        ws.append([sid, name, *[_num(got[it[2]]) for it in DISTRICT], vetoes.get(sid), note or None])
    _save(wb, path)


def build_city_sheet(path: Path, awards, sheet_veto) -> None:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "得分表"
    ids = [sid for sid, _ in stations()]
    ws.append(["编号", "指标名称", "满分", *ids])
    for it in CITY:
        ws.append([it[2], it[3], it[4], *[_num(got[it[2]]) for got in awards]])
    ws.append(["一票否决", None, None, *[sheet_veto.get(sid) for sid in ids]])
    _save(wb, path)


def main() -> int:
    build_district(HERE / "table_district.xlsx")
    build_city(HERE / "table_city.xlsx", HERE / "table_city.csv")
    ids = [sid for sid, _ in stations()]
    d_awards, d_vetoes, d_notes = district_awards()
    build_district_sheet(HERE / "scores_district_wide.xlsx", d_awards, d_vetoes, d_notes)
    c_awards, c_vetoes, c_sheet_veto = city_awards()
    build_city_sheet(HERE / "scores_city_transposed.xlsx", c_awards, c_sheet_veto)
    out = {
        "period": {"from": PERIOD[0], "to": PERIOD[1]},
        "grades": [{"grade": g, "min": m} for g, m in GRADES],
        "district": {"table": "table_district.xlsx", "sheet": "scores_district_wide.xlsx", "shape": "wide",
                     "title": f"{DISTRICT_TITLE}\n{DISTRICT_SUBTITLE}", "notes": ["合计 1000", *DISTRICT_NOTES],
                     **expected(DISTRICT, d_awards, ids, d_vetoes)},
        "city": {"table": "table_city.xlsx", "table_csv": "table_city.csv", "sheet": "scores_city_transposed.xlsx",
                 "shape": "transposed", "title": f"{CITY_TITLE}\n{CITY_FORM_LINE}", "notes": CITY_NOTES,
                 "indicator_veto": {"indicator": CITY_VETO_ITEM, "op": "<", "value": CITY_VETO_BELOW,
                                    "name_zh": CITY_VETO_REASON},
                 **expected(CITY, c_awards, ids, c_vetoes)},
    }
    (HERE / "expected.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote the tables, sheets and expected.json in {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
