"""Seeded synthetic records for the assessment-indicator designer.

Everything here is invented: stations, streets, residents and figures are made by this
script from a fixed seed and calibrated to the figures of the X Community study
(summarised in docs/design.md: 32 inspections a year, more than half of the activities around
the inspection cycle, 8.7% of the budget on elderly-friendly renovation and 21.3% on
image projects, the same residents attending again and again). No real station or
person is described.

    python sample_data/generate.py                      # writes sample_data/demo/*.csv
    python sample_data/generate.py --out DIR --stations 1300 --years 3
    python sample_data/generate.py --stations 1300 --years 3 --scale 1.44 --out /tmp/province.duckdb
    python sample_data/generate.py --stations 1300 --years 3 --scale 1.44 --format parquet --out DIR
    python sample_data/generate.py --check sample_data/demo   # calibration per profile

Three behaviour profiles drive the records (the profile is stored, a score never is):
show_window stations stage events for inspections, needs_driven stations quietly solve
residents' problems, mixed stations sit in between. Each station also gets its own
noise, so that rankings by the two camps of indicators overlap a little.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

try:
    from indicators.records.store import TABLES, VOCABULARIES
except ModuleNotFoundError:  # run as a script: python sample_data/generate.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from indicators.records.store import TABLES, VOCABULARIES

DEMO_DIR = Path(__file__).resolve().parent / "demo"

# Profiles in latent order: a station's latent position is 0, 1 or 2 plus noise.
PROFILES = ("show_window", "mixed", "needs_driven")

# Study figures for X Community (a mixed station in this data).
STUDY_ELDERLY_SHARE = 0.087
STUDY_IMAGE_SHARE = 0.213

DISTRICTS = ("城关区", "七里河区", "西固区", "安宁区", "红古区")
DISTRICT_WEIGHTS = (0.30, 0.21, 0.17, 0.17, 0.15)

# Invented street names: first syllable x second syllable (+ "街道").
_SYL1 = (
    ("东", "Dong"), ("西", "Xi"), ("南", "Nan"), ("北", "Bei"), ("新", "Xin"), ("安", "An"),
    ("和", "He"), ("兴", "Xing"), ("华", "Hua"), ("康", "Kang"), ("宁", "Ning"), ("瑞", "Rui"),
    ("福", "Fu"), ("泰", "Tai"), ("丰", "Feng"), ("嘉", "Jia"), ("春", "Chun"), ("青", "Qing"),
    ("金", "Jin"), ("银", "Yin"), ("柳", "Liu"), ("杏", "Xing"), ("桃", "Tao"), ("松", "Song"),
    ("枫", "Feng"), ("云", "Yun"), ("阳", "Yang"), ("明", "Ming"), ("光", "Guang"), ("河", "He"),
    ("湖", "Hu"), ("泉", "Quan"), ("石", "Shi"), ("沙", "Sha"), ("川", "Chuan"), ("雁", "Yan"),
    ("秀", "Xiu"), ("永", "Yong"), ("长", "Chang"), ("广", "Guang"),
)
_SYL2 = (
    ("岗", "gang"), ("坪", "ping"), ("园", "yuan"), ("苑", "yuan"), ("湾", "wan"), ("源", "yuan"),
    ("林", "lin"), ("桥", "qiao"), ("台", "tai"), ("滩", "tan"), ("洲", "zhou"), ("坡", "po"),
    ("庄", "zhuang"), ("门", "men"), ("城", "cheng"), ("堡", "bao"), ("沟", "gou"), ("渠", "qu"),
    ("塬", "yuan"), ("井", "jing"), ("店", "dian"), ("屯", "tun"), ("场", "chang"), ("营", "ying"),
    ("峪", "yu"), ("峡", "xia"), ("坝", "ba"), ("铺", "pu"), ("里", "li"), ("池", "chi"),
    ("坊", "fang"), ("亭", "ting"), ("崖", "ya"), ("苗", "miao"),
)
_STREET_ROUNDS = (("", ""), ("路", " Road"), ("新村", " Xincun"))

AGE_BANDS = ("0-17", "18-39", "40-59", "60-79", "80+")
AGE_P = (0.14, 0.18, 0.24, 0.32, 0.12)
AGE_P_CORE = (0.02, 0.04, 0.16, 0.62, 0.16)  # the regulars of staged events are mostly retired
PRIORITY = VOCABULARIES[("residents", "priority_group")]  # last one is "none"
# P(priority group | age band) at a mixed station; scaled per station, "none" takes the rest.
PRIORITY_P = np.array([
    # elderly_alone, disabled, low_income, left_behind_child
    (0.00, 0.02, 0.00, 0.10),
    (0.00, 0.03, 0.05, 0.00),
    (0.00, 0.04, 0.07, 0.00),
    (0.10, 0.04, 0.04, 0.00),
    (0.25, 0.08, 0.03, 0.00),
])

NEED_CATEGORIES = ("elderly_care", "disability_support", "child_care", "employment",
                   "housing_repair", "neighbour_dispute", "health", "accessibility")
NEED_CATEGORY_P = (0.25, 0.08, 0.12, 0.10, 0.12, 0.10, 0.13, 0.10)
NEED_HOUSEHOLDS = (8, 3, 5, 6, 25, 2, 10, 40)  # typical households affected, per category
NEED_TITLES = {
    "elderly_care": ("独居老人助餐", "高龄老人日间照料", "失能老人上门护理", "空巢老人定期探访", "老年人防诈骗"),
    "disability_support": ("残疾人康复训练", "残疾人就业帮扶", "辅具申领协助", "精神障碍患者家庭支持"),
    "child_care": ("留守儿童课后托管", "困境儿童学业辅导", "儿童安全教育", "暑期托管服务"),
    "employment": ("失业人员技能培训", "灵活就业岗位对接", "低收入家庭就业帮扶"),
    "housing_repair": ("老旧楼道照明维修", "屋顶漏水修缮", "冬季供暖管道维修", "危旧房屋排查"),
    "neighbour_dispute": ("楼上漏水纠纷调解", "停车位纠纷调解", "噪音扰民调解", "宠物纠纷调解"),
    "health": ("慢性病健康管理", "高血压筛查随访", "心理健康疏导", "家庭医生签约服务"),
    "accessibility": ("加装电梯扶手", "单元门口无障碍坡道", "楼道加装扶手", "小区无障碍通道改造"),
}
RENOVATION_CATEGORIES = ("elderly_care", "disability_support", "housing_repair", "accessibility")
NEED_SOURCES = VOCABULARIES[("needs", "source")]  # survey, council, petition, referral, visit
SOURCE_P = {  # per profile
    "show_window": (0.10, 0.10, 0.35, 0.30, 0.15),
    "mixed": (0.22, 0.18, 0.20, 0.20, 0.20),
    "needs_driven": (0.35, 0.25, 0.05, 0.10, 0.25),
}
UNRESOLVED = ("open", "in_progress", "closed_unresolved")
UNRESOLVED_P = (0.35, 0.40, 0.25)
URGENCY_P = (0.10, 0.20, 0.30, 0.24, 0.16)

KINDS = VOCABULARIES[("activities", "kind")]  # case, group, community, publicity
KIND_P = {
    "show_window": (0.05, 0.12, 0.45, 0.38),
    "mixed": (0.18, 0.27, 0.33, 0.22),
    "needs_driven": (0.38, 0.40, 0.17, 0.05),
}
KIND_TITLES = (
    ("个案探访", "个案辅导", "个案跟进", "入户走访"),
    ("长者健康小组", "亲子成长小组", "手工兴趣小组", "减压支持小组", "书法小组"),
    ("邻里文化节", "社区趣味运动会", "节日游园会", "文艺汇演", "志愿服务日", "便民服务集市"),
    ("政策宣传进社区", "防诈骗宣传", "垃圾分类宣传", "文明城市创建宣传", "法治宣传", "消防安全宣传"),
)
KIND_LINKED_SUFFIX = ("·个案服务", "·小组活动", "·社区活动", "·宣传活动")
KIND_COST = (120.0, 800.0, 4000.0, 2000.0)
KIND_HOURS = (3.0, 8.0, 24.0, 12.0)
KIND_MEDIA = (0.2, 0.6, 1.3, 1.5)
KIND_LINK = (1.15, 1.10, 0.80, 0.60)

LEVELS = VOCABULARIES[("inspections", "level")]  # district, city, province
LEVEL_P = (0.70, 0.22, 0.08)
LEVEL_PREP = (1.0, 1.5, 2.2)
LEVEL_STAGING = (1.0, 2.0, 3.0)  # bigger inspections attract more staging
WINDOW_DAYS_P = (0.15, 0.35, 0.30, 0.20)  # activity held 0, 1, 2, 3 days before an inspection

CHANNELS = VOCABULARIES[("feedback", "channel")]  # council, evaluation_meeting, survey, hotline
COMMENTS_LOW = ("反映的问题一直没解决", "活动很多，但解决不了实际困难", "拍照的时间比办事的时间长",
                "每次来的都是同一批人", "希望多听听我们的意见")
COMMENTS_MID = ("还可以，希望更贴近需求", "服务一般", "有帮助，但跟进不够", "希望活动时间更灵活")
COMMENTS_HIGH = ("社工上门帮了大忙", "问题很快就解决了", "服务很贴心", "老人吃饭的问题解决了",
                 "扶手装好了，出门方便多了", "孩子放学有人管了")

EXPENSE_CATEGORIES = VOCABULARIES[("expenditures", "category")]
# elderly_friendly_renovation, image_project, staff, activities, training, admin
REST_SPLIT = (0.55, 0.27, 0.07, 0.11)  # staff, activities, training, admin: of what is left

RUBRIC_LEVELS = ("差", "中", "良", "优")
RUBRIC_CUTS = (-0.1, 0.9, 1.7)
RUBRIC_EVIDENCE = (
    ("台账以照片和宣传材料为主，缺少需求评估", "服务偏离居民需求，成效无法证明", "个案记录缺失，过程材料为迎检补写"),
    ("活动记录以过程材料为主，成效评估不足", "需求评估不够系统", "专业方法运用不够规范"),
    ("服务记录较完整，需求回应较及时", "专业方法运用基本规范", "居民参与较好，回访记录基本齐全"),
    ("需求评估规范，个案记录完整，成效有回访", "服务方案紧扣居民需求，督导记录齐全", "专业方法运用得当，居民参与度高"),
)
RATERS = ("第三方评估机构A", "第三方评估机构B", "第三方评估机构C")

_BIG = np.int64(1 << 22)  # station * _BIG + day: a sort key (days are < 2**22)


# ----------------------------------------------------------------------------------------
# small vectorised helpers


def _lerp3(t, show, mixed, needs):
    """Piecewise-linear through (0, show), (1, mixed), (2, needs); linear beyond the ends."""
    t = np.asarray(t, dtype=float)
    return np.where(t <= 1.0, show + (mixed - show) * t, mixed + (needs - mixed) * (t - 1.0))


def _choice_rows(rng, probs):
    """One category index per row of a (n, k) probability matrix."""
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    u = rng.random(len(probs))
    return np.minimum((u[:, None] >= cum).sum(axis=1), probs.shape[1] - 1)


def _pick(starts, ends, weights, u):
    """For each query, an index in [start, end) drawn with the given weights; -1 if none."""
    cum = np.concatenate(([0.0], np.cumsum(weights, dtype=float)))
    lo, hi = cum[starts], cum[ends]
    idx = np.searchsorted(cum, lo + u * (hi - lo), side="right") - 1
    idx = np.clip(idx, starts, np.maximum(ends - 1, starts))
    idx[~(hi - lo > 0)] = -1
    return idx


def _group_bounds(sorted_groups, groups):
    """[start, end) of each queried group in an array sorted by group."""
    return (np.searchsorted(sorted_groups, groups, side="left"),
            np.searchsorted(sorted_groups, groups, side="right"))


def _ids(prefix, n, width, after=0):
    """prefix + 1..n zero-padded; with `after`, the n ids that follow the first `after` (same width rule)."""
    width = max(width, len(str(after + n)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(after + 1, after + n + 1)], dtype=object)


def _take(values, idx):
    """values[idx] as an object array, None where idx < 0."""
    out = np.asarray(values, dtype=object)[np.maximum(idx, 0)]
    out[idx < 0] = None
    return out


def _dates(start, days):
    """start + days as datetime64[s]; NaT where days < 0."""
    days = np.asarray(days)
    out = (start + days.astype("timedelta64[D]")).astype("datetime64[s]")
    out[days < 0] = np.datetime64("NaT")
    return out


class _Period:
    """The assessment years: day offsets are counted from the start of the first year."""

    def __init__(self, start: str, years: int, before: int = 0):
        """`years` years from `start`; with `before`, the `years` years that end the day before `start` less
        `before` - `years` years (the history: before=1, years=1 is the year before `start`)."""
        if years < 1:
            raise ValueError("years must be >= 1")
        first = pd.Timestamp(start) - pd.DateOffset(years=before)
        bounds = [first + pd.DateOffset(years=y) for y in range(years + 1)]
        self.start = np.datetime64(first.date(), "D")
        self.years = years
        self.year_start = np.array([(b - first).days for b in bounds[:-1]], dtype=np.int64)
        self.year_end = np.array([(b - first).days - 1 for b in bounds[1:]], dtype=np.int64)  # inclusive
        self.year_days = self.year_end - self.year_start + 1


# ----------------------------------------------------------------------------------------
# tables


def _stations(rng, n):
    if n < 1:
        raise ValueError("stations must be >= 1")
    # Districts: largest-remainder counts, stations listed district by district.
    quota = np.array(DISTRICT_WEIGHTS) * n
    counts = np.floor(quota).astype(int)
    counts[np.argsort(-(quota - counts), kind="stable")[: n - counts.sum()]] += 1
    district = np.repeat(np.arange(len(DISTRICTS)), counts)

    # Profiles: a random order of the three in every block of three stations, so that
    # 3k stations get k of each and every district gets a mix.
    blocks = -(-n // 3)
    order = np.argsort(rng.random((blocks, 3)), axis=1)
    profile_pos = order.ravel()[:n]

    # Population: sorted draws cut into triples; every block takes one triple and gives
    # one value to each profile, so that population does not follow the profile.
    pops = np.sort(rng.uniform(8000, 40000, n))
    full = n // 3
    tri = rng.permutation(full)
    population = np.empty(n)
    for b in range(blocks):  # one iteration per three stations
        lo = b * 3
        size = min(3, n - lo)
        vals = pops[tri[b] * 3: tri[b] * 3 + 3] if b < full else pops[full * 3:]
        population[lo: lo + size] = vals[rng.permutation(size)]
    population = (np.round(population / 10) * 10).astype(np.int64)

    # Invented street names, unique.
    combos = [(a + b, pa + pb) for a, pa in _SYL1 for b, pb in _SYL2]
    perm = rng.permutation(len(combos))
    street, name_en = [], []
    for i in range(n):
        rnd, k = divmod(i, len(combos))
        zh, py = combos[perm[k]]
        suffix_zh, suffix_en = _STREET_ROUNDS[rnd % len(_STREET_ROUNDS)]
        extra = "" if rnd < len(_STREET_ROUNDS) else str(rnd // len(_STREET_ROUNDS) + 1)
        street.append(f"{zh}{suffix_zh}{extra}街道")
        name_en.append(f"{py}{suffix_en}{(' ' + extra) if extra else ''} Street Station")
    street = np.array(street, dtype=object)

    # Latent positions (0 show_window, 1 mixed, 2 needs_driven) plus station noise: one
    # for what residents gain (care), one for staging (stage).
    pos = profile_pos.astype(float)
    care = pos + np.clip(rng.normal(0, 0.18, n), -0.35, 0.35)
    stage = pos + np.clip(rng.normal(0, 0.18, n), -0.35, 0.35)
    # Deliberate overlap: one weak needs_driven station, two strong mixed ones, one mixed
    # station that stages almost like a show window.
    nd = np.flatnonzero(profile_pos == 2)
    mx = np.flatnonzero(profile_pos == 1)
    if len(nd) >= 2 and len(mx) >= 3:
        care[rng.choice(nd)] = 1.05
        strong = rng.choice(mx, 3, replace=False)
        care[strong[:2]] = (1.55, 1.65)
        stage[strong[2]] = 0.35

    width = max(2, len(str(n)))
    frame = pd.DataFrame({
        "station_id": [f"S{i:0{width}d}" for i in range(1, n + 1)],
        "name": street + "社工站",
        "name_en": name_en,
        "district": np.array(DISTRICTS, dtype=object)[district],
        "street": street,
        "population": population,
        "profile": np.array(PROFILES, dtype=object)[profile_pos],
    })
    return frame, profile_pos, care, stage


def _residents_pool(rng, population, care, stage):
    """Everyone a station could reach; those never seen in the records are dropped later."""
    n = len(population)
    size = np.clip(np.round(population * _lerp3(care, 0.015, 0.022, 0.045)
                            * rng.lognormal(0, 0.1, n)), 300, 1500).astype(np.int64)
    st = np.repeat(np.arange(n), size)
    m = len(st)
    core_frac = np.clip(_lerp3(stage, 0.08, 0.08, 0.0), 0, 0.2)
    core_share = np.clip(_lerp3(stage, 0.68, 0.38, 0.0), 0, 0.8)
    core = rng.random(m) < core_frac[st]
    base = rng.lognormal(0, np.clip(_lerp3(stage, 0.55, 0.5, 0.35), 0.2, 0.7)[st])
    sum_core = np.bincount(st, weights=base * core, minlength=n)
    sum_rest = np.bincount(st, weights=base * ~core, minlength=n)
    has_core = sum_core > 0
    share = np.where(has_core, core_share, 0.0)
    weight = np.where(core, base * share[st] / np.where(has_core, sum_core, 1)[st],
                      base * (1 - share[st]) / sum_rest[st])

    age = np.where(core, _choice_rows(rng, np.tile(AGE_P_CORE, (m, 1))),
                   _choice_rows(rng, np.tile(AGE_P, (m, 1))))
    scale = np.clip(_lerp3(care, 0.6, 1.0, 1.6), 0.3, 2.0)
    p = PRIORITY_P[age] * scale[st][:, None]
    cum = np.cumsum(p, axis=1)
    u = rng.random(m)
    pg = (u[:, None] >= cum).sum(axis=1)  # 4 = none
    return {"station": st, "core": core, "weight": weight, "age": age, "priority": pg,
            "start": np.concatenate(([0], np.cumsum(size)[:-1])), "end": np.cumsum(size)}


# Residents on a station's registers of priority groups, per resident served: a show_window station's few
# regulars leave most of its register unreached, a needs_driven station's wide reach covers much of it.
REGISTER_RATE = 0.012


def _register(rng, population, pool, used):
    """The registers of priority groups beyond the residents seen: the pool's unseen priority-group members, then
    as many more (never reached: outside the pool) as bring each station's register to about REGISTER_RATE of
    its population. Station by station; its own random stream, so nothing else the generator draws moves."""
    n = len(population)
    in_group = pool["priority"] < len(PRIORITY) - 1
    listed = np.flatnonzero(~used & in_group)
    have = np.bincount(pool["station"][in_group], minlength=n)
    want = np.round(population * REGISTER_RATE * rng.lognormal(0, 0.1, n)).astype(np.int64)
    extra = np.maximum(want - have, 0)
    st = np.repeat(np.arange(n), extra)
    # (age band, group) pairs as often as a mixed station's residents fall in them, given a priority group
    pair_p = (np.array(AGE_P)[:, None] * PRIORITY_P).ravel()
    pair = _choice_rows(rng, np.tile(pair_p, (len(st), 1)))
    station = np.concatenate([pool["station"][listed], st])
    age = np.concatenate([pool["age"][listed], pair // PRIORITY_P.shape[1]])
    priority = np.concatenate([pool["priority"][listed], pair % PRIORITY_P.shape[1]])
    member = np.concatenate([listed, np.full(len(st), -1)])   # the pool index; -1: outside the pool
    order = np.argsort(station, kind="stable")
    return {"station": station[order], "age": age[order], "priority": priority[order], "member": member[order]}


def _inspections(rng, period, n, stage):
    sy = np.arange(n * period.years)  # station-years
    station, year = sy // period.years, sy % period.years
    count = 32 + rng.integers(-3, 4, len(sy))
    ins_station = np.repeat(station, count)
    ins_year = np.repeat(year, count)
    k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    spacing = period.year_days[ins_year] / np.repeat(count, count)
    day = period.year_start[ins_year] + np.floor(
        (k + 0.5 + rng.uniform(-0.35, 0.35, len(k))) * spacing).astype(np.int64)
    level = _choice_rows(rng, np.tile(LEVEL_P, (len(k), 1)))
    prep = (_lerp3(stage, 30.0, 16.0, 6.0)[ins_station].clip(3) * np.array(LEVEL_PREP)[level]
            * rng.lognormal(0, 0.35, len(k)))
    prep = np.round(prep * 2) / 2
    return {"station": ins_station, "year": ins_year, "day": day, "level": level, "prep": prep}


def _needs(rng, period, n, profile_pos, care):
    sy = np.arange(n * period.years)
    station, year = sy // period.years, sy % period.years
    count = np.clip(np.round(_lerp3(care, 70, 80, 90)[station] * rng.lognormal(0, 0.15, len(sy))),
                    40, 120).astype(np.int64)
    st = np.repeat(station, count)
    yr = np.repeat(year, count)
    m = len(st)
    day = period.year_start[yr] + rng.integers(0, period.year_days[yr])
    cat = _choice_rows(rng, np.tile(NEED_CATEGORY_P, (m, 1)))
    src_p = np.array([SOURCE_P[p] for p in PROFILES])[profile_pos[st]]
    source = _choice_rows(rng, src_p)
    urgency = 1 + _choice_rows(rng, np.tile(URGENCY_P, (m, 1)))
    households = np.clip(np.round(np.array(NEED_HOUSEHOLDS)[cat] * rng.lognormal(0, 0.8, m)),
                         1, 200).astype(np.int64)
    urgent = urgency >= 4
    c = care[st]
    p_res = np.where(urgent, _lerp3(c, 0.31, 0.54, 0.84), _lerp3(c, 0.18, 0.36, 0.55)).clip(0.02, 0.97)
    median = _lerp3(c, 72.0, 40.0, 18.0).clip(8) * np.where(urgent, 0.85, 1.2)
    days = np.maximum(1, np.ceil(median * rng.lognormal(0, 0.55, m))).astype(np.int64)
    resolved = (rng.random(m) < p_res) & (day + days <= period.year_end[yr] + 60)
    other = _choice_rows(rng, np.tile(UNRESOLVED_P, (m, 1)))
    status = np.where(resolved, "resolved", np.array(UNRESOLVED, dtype=object)[other])
    resolved_day = np.where(resolved, day + days, -1)
    title_idx = (rng.random(m) * np.array([len(NEED_TITLES[k]) for k in NEED_CATEGORIES])[cat]).astype(int)
    titles = np.array([NEED_TITLES[NEED_CATEGORIES[c_]][t] for c_, t in zip(cat, title_idx)], dtype=object)
    order = np.lexsort((rng.random(m), day, st))  # by station, then date
    out = {"station": st, "year": yr, "day": day, "cat": cat, "source": source, "urgency": urgency,
           "households": households, "status": status.astype(object), "resolved_day": resolved_day,
           "title": titles}
    return {k: v[order] for k, v in out.items()}


def _pick_need(rng, needs, q_station, q_day, weights, p_link):
    """A need of the same station raised strictly before q_day, or -1 (also with prob 1 - p_link)."""
    key = needs["station"] * _BIG + needs["day"]
    starts = np.searchsorted(key, q_station * _BIG, side="left")
    ends = np.searchsorted(key, q_station * _BIG + q_day, side="left")
    idx = _pick(starts, ends, weights, rng.random(len(q_station)))
    idx[rng.random(len(q_station)) >= p_link] = -1
    return idx


def _activities(rng, period, n, care, stage, ins, needs, scale=1.0):
    sy = np.arange(n * period.years)
    station, year = sy // period.years, sy % period.years
    # `scale` multiplies the activities of every station-year (x * 1.0 is exact: the default changes nothing).
    count = np.round(_lerp3(stage, 285, 225, 165)[station].clip(60)
                     * rng.lognormal(0, 0.08, len(sy)) * scale).astype(np.int64)
    st = np.repeat(station, count)
    yr = np.repeat(year, count)
    m = len(st)
    s = stage[st]
    kind_p = np.stack([_lerp3(s, *[KIND_P[p][j] for p in PROFILES]) for j in range(4)], axis=1).clip(0.01)
    kind = _choice_rows(rng, kind_p)

    # Dates: some are staged for an inspection, the rest fall on any day of the year.
    day = period.year_start[yr] + rng.integers(0, period.year_days[yr])
    staged = rng.random(m) < np.clip(_lerp3(s, 0.38, 0.30, 0.0), 0, 0.9)
    ins_group = ins["station"] * period.years + ins["year"]
    lo, hi = _group_bounds(ins_group, st * period.years + yr)
    pick = _pick(lo, hi, np.array(LEVEL_STAGING)[ins["level"]], rng.random(m))
    before = _choice_rows(rng, np.tile(WINDOW_DAYS_P, (m, 1)))
    staged &= pick >= 0
    staged_day = np.maximum(ins["day"][np.maximum(pick, 0)] - before, period.year_start[yr])
    day = np.where(staged, staged_day, day)

    order = np.lexsort((rng.random(m), day, st))
    st, yr, kind, day, s = st[order], yr[order], kind[order], day[order], s[order]
    c = care[st]

    # Need links: needs_driven stations address urgent needs on purpose.
    p_link = np.clip(_lerp3(c, 0.08, 0.42, 0.82) * np.array(KIND_LINK)[kind], 0, 0.98)
    w = needs["urgency"].astype(float) ** 2
    need = _pick_need(rng, needs, st, day, w, p_link)

    lo_ph = np.round(_lerp3(s, 10, 3, 0)).clip(0).astype(np.int64)
    hi_ph = np.maximum(np.round(_lerp3(s, 40, 20, 5)).astype(np.int64), lo_ph)
    photos = lo_ph + np.floor(rng.random(m) * (hi_ph - lo_ph + 1)).astype(np.int64)
    media = rng.poisson(np.clip(_lerp3(s, 2.2, 0.7, 0.12), 0.02, None) * np.array(KIND_MEDIA)[kind])
    size = np.select(
        [kind == 0, kind == 1, kind == 2],
        [1 + (rng.random(m) < 0.25), rng.integers(5, 16, m), rng.integers(15, 46, m)],
        rng.integers(15, 36, m),
    ).astype(np.int64)
    cost = np.round(np.array(KIND_COST)[kind] * _lerp3(s, 1.3, 1.1, 0.95) * rng.lognormal(0, 0.4, m))
    hours = np.round(np.array(KIND_HOURS)[kind] * rng.lognormal(0, 0.3, m) * 2) / 2
    inflate_lo = np.clip(_lerp3(s, 1.5, 1.1, 1.0), 1.0, None)
    inflate_hi = np.maximum(_lerp3(s, 3.0, 1.6, 1.1), inflate_lo)
    inflate = rng.uniform(inflate_lo, inflate_hi)

    base_titles = np.array([t for ts in KIND_TITLES for t in ts], dtype=object)
    offsets = np.cumsum([0] + [len(ts) for ts in KIND_TITLES])[:-1]
    t_idx = offsets[kind] + (rng.random(m) * np.array([len(ts) for ts in KIND_TITLES])[kind]).astype(int)
    title = base_titles[t_idx]
    linked = need >= 0
    title[linked] = needs["title"][need[linked]] + np.array(KIND_LINKED_SUFFIX, dtype=object)[kind[linked]]
    return {"station": st, "year": yr, "day": day, "kind": kind, "title": title, "need": need,
            "photos": photos, "media": media, "size": size, "cost": cost, "hours": hours,
            "inflate": inflate}


def _attendance(rng, acts, pool):
    """Who attended: weighted draws without replacement from the station's residents.

    Candidates are drawn with replacement (inverse CDF over the station's weights), and
    the first `size` distinct ones of each activity are kept: successive draws with
    duplicates rejected are exactly weighted sampling without replacement.
    """
    size = acts["size"]
    draws = 2 * size + 3
    a_idx = np.repeat(np.arange(len(size)), draws)
    st = acts["station"][a_idx]
    cum = np.concatenate(([0.0], np.cumsum(pool["weight"])))
    lo, hi = cum[pool["start"][st]], cum[pool["end"][st]]
    res = np.searchsorted(cum, lo + rng.random(len(a_idx)) * (hi - lo), side="right") - 1
    res = np.clip(res, pool["start"][st], pool["end"][st] - 1)
    key = a_idx.astype(np.int64) * len(pool["station"]) + res
    _, first = np.unique(key, return_index=True)
    keep = np.zeros(len(key), dtype=bool)
    keep[first] = True
    csum = np.cumsum(keep)
    group_start = np.repeat(np.cumsum(draws) - draws, draws)
    before = np.concatenate(([0], csum))[group_start]
    keep &= (csum - before) <= size[a_idx]
    a_idx, res = a_idx[keep], res[keep]
    order = np.lexsort((res, a_idx))
    return a_idx[order], res[order]


def _feedback(rng, period, n, care, pool, needs, acts, att_act, att_res):
    ny = period.years
    sy = np.arange(n * ny)
    station, year = sy // ny, sy % ny
    parts = []

    # Residents' councils (quarterly) and service evaluation meetings (twice a year): votes.
    for channel, per_year, lo_v, hi_v in ((0, 4, 6, 13), (1, 2, 8, 16)):
        meet_sy = np.repeat(sy, per_year)
        k = np.tile(np.arange(per_year), len(sy))
        y = meet_sy % ny
        mday = period.year_start[y] + np.floor(
            (k + rng.uniform(0.45, 0.95, len(k))) * period.year_days[y] / per_year).astype(np.int64)
        votes = rng.integers(lo_v, hi_v, len(k))
        parts.append({"sy": np.repeat(meet_sy, votes), "day": np.repeat(mday, votes),
                      "channel": np.full(votes.sum(), channel), "act": np.full(votes.sum(), -1)})

    # Surveys after activities: a random attendance row of the station-year.
    n_survey = rng.integers(20, 51, len(sy))
    act_sy = acts["station"] * ny + acts["year"]
    row_sy = act_sy[att_act]
    s_sy = np.repeat(sy, n_survey)
    lo, hi = _group_bounds(row_sy, s_sy)
    row = _pick(lo, hi, np.ones(len(att_act)), rng.random(len(s_sy)))
    s_sy, row = s_sy[row >= 0], row[row >= 0]
    s_act = att_act[row]
    s_day = np.minimum(acts["day"][s_act] + rng.integers(0, 11, len(row)), period.year_end[s_sy % ny])
    parts.append({"sy": s_sy, "day": s_day, "channel": np.full(len(row), 2), "act": s_act,
                  "res": att_res[row]})

    # Hotline calls: any resident, any day.
    n_hot = rng.integers(5, 16, len(sy))
    h_sy = np.repeat(sy, n_hot)
    hy = h_sy % ny
    parts.append({"sy": h_sy, "day": period.year_start[hy] + rng.integers(0, period.year_days[hy]),
                  "channel": np.full(len(h_sy), 3), "act": np.full(len(h_sy), -1)})

    f_sy = np.concatenate([p["sy"] for p in parts])
    day = np.concatenate([p["day"] for p in parts])
    channel = np.concatenate([p["channel"] for p in parts])
    act = np.concatenate([p["act"] for p in parts])
    res = np.concatenate([p.get("res", np.full(len(p["sy"]), -1)) for p in parts])
    st = f_sy // ny
    m = len(st)
    # Voters at meetings are the usual attendees (weighted); callers are anyone.
    meeting = channel <= 1
    w_idx = _pick(pool["start"][st], pool["end"][st], pool["weight"], rng.random(m))
    u_idx = _pick(pool["start"][st], pool["end"][st], np.ones(len(pool["weight"])), rng.random(m))
    res = np.where(res >= 0, res, np.where(meeting, w_idx, u_idx))

    # Needs: meetings vote on listed needs; some calls are about a need; surveys follow the activity.
    p_need = np.select([meeting, channel == 3], [0.95, 0.5], 0.0)
    need = _pick_need(rng, needs, st, day, np.ones(len(needs["day"])), p_need)
    from_act = (channel == 2) & (act >= 0)
    need = np.where(from_act, acts["need"][np.maximum(act, 0)], need)

    c = care[st]
    met_by_then = (need >= 0) & (needs["resolved_day"][np.maximum(need, 0)] >= 0) & \
        (needs["resolved_day"][np.maximum(need, 0)] <= day)
    p_yes = np.clip(_lerp3(c, 0.18, 0.5, 0.82) + np.where(met_by_then, 0.15, -0.1), 0.02, 0.98)
    yes = rng.random(m) < p_yes
    asked = np.where(meeting, rng.random(m) < 0.97,
                     np.where(channel == 2, (need >= 0) & (rng.random(m) < 0.35), rng.random(m) < 0.1))
    need_met = np.where(asked, np.where(yes, "yes", "no"), None).astype(object)
    mu = _lerp3(c, 2.5, 3.4, 4.3) + np.where(asked, np.where(yes, 0.6, -0.6), 0.0)
    rating = np.clip(np.round(mu + rng.normal(0, 0.7, m)), 1, 5).astype(np.int64)
    texts = (COMMENTS_LOW, COMMENTS_MID, COMMENTS_HIGH)
    band = np.where(rating <= 2, 0, np.where(rating == 3, 1, 2))
    pick = rng.random(m)
    comment = np.array([texts[b][int(p * len(texts[b]))] for b, p in zip(band, pick)], dtype=object)
    comment[rng.random(m) >= 0.6] = None

    order = np.lexsort((rng.random(m), day, st))
    out = {"station": st, "res": res, "day": day, "channel": channel, "act": act, "need": need,
           "rating": rating, "need_met": need_met, "comment": comment}
    return {k: v[order] for k, v in out.items()}


def _expenditures(rng, period, n, profile_pos, care, stage, population, needs):
    ny = period.years
    # Budget shares per station. Mixed stations follow the study: their shares average
    # exactly 8.7% and 21.3%, each within one percentage point.
    elderly = np.clip(_lerp3(care, 0.05, STUDY_ELDERLY_SHARE, 0.175) + rng.normal(0, 0.008, n), 0.01, 0.3)
    image = np.clip(_lerp3(stage, 0.30, STUDY_IMAGE_SHARE, 0.05) + rng.normal(0, 0.01, n), 0.01, 0.45)
    mx = np.flatnonzero(profile_pos == 1)
    if len(mx):
        spread = np.linspace(-0.01, 0.01, len(mx)) if len(mx) > 1 else np.zeros(1)
        elderly[mx] = STUDY_ELDERLY_SHARE + rng.permutation(spread)
        image[mx] = STUDY_IMAGE_SHARE + rng.permutation(spread)

    sy = np.arange(n * ny)
    station, year = sy // ny, sy % ny
    budget = (250_000 + 8.0 * population[station]) * rng.lognormal(0, 0.08, len(sy))
    rest = np.array(REST_SPLIT) * rng.lognormal(0, 0.1, (len(sy), 4))
    rest /= rest.sum(axis=1, keepdims=True)
    left = 1 - elderly[station] - image[station]
    shares = np.column_stack([elderly[station], image[station], rest * left[:, None]])  # (sy, 6)

    # Items per category and station-year.
    n_items = np.column_stack([
        rng.integers(2, 8, len(sy)), rng.integers(3, 10, len(sy)), np.full(len(sy), 12),
        rng.integers(12, 31, len(sy)), rng.integers(2, 7, len(sy)), np.full(len(sy), 4),
    ])
    it_sy = np.repeat(np.repeat(sy, 6), n_items.ravel())
    it_cat = np.repeat(np.tile(np.arange(6), len(sy)), n_items.ravel())
    grp = it_sy * 6 + it_cat
    m = len(it_sy)
    k = np.arange(m) - np.repeat(np.cumsum(n_items.ravel()) - n_items.ravel(), n_items.ravel())
    gamma = rng.gamma(2.0, 1.0, m)
    gsum = np.bincount(grp, weights=gamma, minlength=len(sy) * 6)
    amount = np.round(gamma / gsum[grp] * (budget[:, None] * shares).ravel()[grp], 2)

    y = it_sy % ny
    ydays = period.year_days[y]
    day = period.year_start[y] + rng.integers(0, ydays)
    day = np.where(it_cat == 2, period.year_start[y] + np.floor(k * ydays / 12).astype(np.int64) + 24, day)
    day = np.where(it_cat == 5, period.year_start[y] + np.floor(k * ydays / 4).astype(np.int64) + 10, day)
    day = np.minimum(day, period.year_end[y])

    st = it_sy // ny
    p_link = np.clip(_lerp3(care[st], 0.1, 0.45, 0.85), 0, 0.98)
    renov_w = np.isin(needs["cat"], [NEED_CATEGORIES.index(c) for c in RENOVATION_CATEGORIES]).astype(float)
    need_r = _pick_need(rng, needs, st, day, renov_w, p_link)
    need_a = _pick_need(rng, needs, st, day, np.ones(len(renov_w)), p_link)
    need = np.select([it_cat == 0, it_cat == 3], [need_r, need_a], -1)

    order = np.lexsort((rng.random(m), day, st))
    out = {"station": st, "day": day, "cat": it_cat, "amount": amount, "need": need}
    return {k_: v[order] for k_, v in out.items()}


def _ratings(rng, period, n, care):
    ny = period.years
    sy = np.arange(n * ny)
    count = rng.integers(2, 5, len(sy))
    r_sy = np.repeat(sy, count)
    st, y = r_sy // ny, r_sy % ny
    m = len(st)
    day = period.year_start[y] + rng.integers(0, period.year_days[y])
    q = care[st] + rng.normal(0, 0.5, m)
    level = np.searchsorted(np.array(RUBRIC_CUTS), q, side="right")
    ev = np.array([RUBRIC_EVIDENCE[lv][int(u * len(RUBRIC_EVIDENCE[lv]))]
                   for lv, u in zip(level, rng.random(m))], dtype=object)
    rater = np.array(RATERS, dtype=object)[rng.integers(0, len(RATERS), m)]
    order = np.lexsort((rng.random(m), day, st))
    out = {"station": st, "day": day, "level": level, "rater": rater, "evidence": ev}
    return {k: v[order] for k, v in out.items()}


# ----------------------------------------------------------------------------------------
# the public entry points


# Activities (and with them attendance) per station-year at province scale: 1,300 stations x 3 years then give
# about 1.2 million activities and 24 million attendance rows (a provincial bureau's records). The default, 1.0,
# is the demo's calibration to the study.
PROVINCE_SCALE = 1.44


def generate(stations: int = 24, years: int = 1, seed: int = 20240101,
             start: str = "2024-01-01", scale: float = 1.0, history: int = 1) -> dict[str, pd.DataFrame]:
    """Synthetic records, one DataFrame per table of records.TABLES; same seed, same frames.

    `scale` multiplies the number of activities per station-year (attendance follows); 1.0 is the demo.
    `history` years before `start` add inspections, needs, activities and attendance (see _history); the rows of
    the assessment years are the same with any `history`, and each table lists them first.
    """
    frames, (act_ids, att_act, res_ids, att_res) = _generate(stations, years, seed, start, scale, history)
    frames["attendance"] = pd.DataFrame({"activity_id": act_ids[att_act], "resident_id": res_ids[att_res]})
    for table, cols in TABLES.items():   # columns the generator does not make (ratings' panel fields) stay empty
        frames[table] = frames[table].reindex(columns=list(cols)).reset_index(drop=True)
    return {t: frames[t] for t in TABLES}


_PANDAS_TYPES = {"VARCHAR": object, "DOUBLE": float, "DATE": "datetime64[s]"}


def _history(rng, start, years, n, profile_pos, care, stage, pool, scale):
    """The `years` years before `start`, so that figures looking back before the assessment period (residents
    reached for the first time) have something to look back on: inspections, needs, activities and who attended,
    drawn as the assessment years' are (same stations, same residents and weights: the regulars come back) from a
    stream of their own. Feedback, spending and ratings start with the assessment years."""
    period = _Period(start, years, before=years)
    r_ins, r_need, r_act, r_att, r_turn = rng.spawn(5)
    ins = _inspections(r_ins, period, n, stage)
    needs = _needs(r_need, period, n, profile_pos, care)
    acts = _activities(r_act, period, n, care, stage, ins, needs, scale)
    # Turnover: some of today's residents were not yet reached (newcomers, people the station found since), each
    # in the place of a former one (moved away, no longer on a register) with the same weight. A station that
    # looks for new people turns over more; the regulars of staged events were always there.
    core = pool["core"]
    gone = ~core & (r_turn.random(len(core)) < _lerp3(care, 0.12, 0.30, 0.50)[pool["station"]])
    att_act, att_res = _attendance(r_att, acts, pool)
    former = np.cumsum(gone) - 1          # a former resident per place left: 0, 1, ... in pool order
    person = np.where(gone[att_res], -1 - former[att_res], att_res)
    age = _choice_rows(r_turn, np.tile(AGE_P, (int(gone.sum()), 1)))
    return {"period": period, "ins": ins, "needs": needs, "acts": acts, "att_act": att_act, "att_res": person,
            "former_station": pool["station"][gone], "former_age": age}


# One table's frame from one draw (the assessment years or the history), its ids given.
def _needs_frame(needs, period, sid, need_ids):
    return pd.DataFrame({
        "need_id": need_ids,
        "station_id": sid[needs["station"]],
        "category": np.array(NEED_CATEGORIES, dtype=object)[needs["cat"]],
        "title": needs["title"],
        "source": np.array(NEED_SOURCES, dtype=object)[needs["source"]],
        "raised_on": _dates(period.start, needs["day"]),
        "urgency": needs["urgency"].astype(np.int64),
        "households_affected": needs["households"],
        "status": needs["status"],
        "resolved_on": _dates(period.start, needs["resolved_day"]),
    })


def _activities_frame(acts, period, sid, act_ids, need_ids, att_act):
    real = np.bincount(att_act, minlength=len(act_ids))
    headcount = np.maximum(real, np.round(real * acts["inflate"])).astype(np.int64)
    return pd.DataFrame({
        "activity_id": act_ids,
        "station_id": sid[acts["station"]],
        "held_on": _dates(period.start, acts["day"]),
        "kind": np.array(KINDS, dtype=object)[acts["kind"]],
        "title": acts["title"],
        "need_id": _take(need_ids, acts["need"]),
        "photos": acts["photos"],
        "media_items": acts["media"].astype(np.int64),
        "headcount": headcount,
        "cost": acts["cost"],
        "staff_hours": acts["hours"],
    })


def _inspections_frame(ins, period, sid, ins_ids):
    return pd.DataFrame({
        "inspection_id": ins_ids,
        "station_id": sid[ins["station"]],
        "inspected_on": _dates(period.start, ins["day"]),
        "level": np.array(LEVELS, dtype=object)[ins["level"]],
        "prep_hours": ins["prep"],
    })


def _generate(stations, years, seed, start, scale, history=1):
    """Every table but attendance as DataFrames, and attendance as (activity ids, row -> activity index,
    resident ids, row -> resident index): 24 million rows of text would cost more than the rest together."""
    if not scale > 0:
        raise ValueError("scale must be > 0")
    if history < 0:
        raise ValueError("history must be >= 0")
    period = _Period(start, years)
    rng = np.random.default_rng(seed)
    (r_st, r_pool, r_ins, r_need, r_act, r_att, r_fb, r_exp, r_rat) = rng.spawn(9)

    st_frame, profile_pos, care, stage = _stations(r_st, stations)
    n = stations
    sid = st_frame["station_id"].to_numpy(dtype=object)
    pool = _residents_pool(r_pool, st_frame["population"].to_numpy(), care, stage)
    ins = _inspections(r_ins, period, n, stage)
    needs = _needs(r_need, period, n, profile_pos, care)
    acts = _activities(r_act, period, n, care, stage, ins, needs, scale)
    att_act, att_res = _attendance(r_att, acts, pool)
    fb = _feedback(r_fb, period, n, care, pool, needs, acts, att_act, att_res)
    exp = _expenditures(r_exp, period, n, profile_pos, care, stage,
                        st_frame["population"].to_numpy(), needs)
    rat = _ratings(r_rat, period, n, care)

    # Residents: those seen in attendance or feedback, numbered station by station.
    used = np.zeros(len(pool["station"]), dtype=bool)
    used[att_res] = True
    used[fb["res"]] = True
    res_rank = np.cumsum(used) - 1
    # Plus the station's registers of priority groups (the community's lists of elderly people living alone,
    # disabled and low-income residents, left-behind children): each listed resident has a row, reached or not.
    # Numbered after those seen, so that every id seen in attendance and feedback stays as it was.
    reg = _register(rng.spawn(1)[0], st_frame["population"].to_numpy(), pool, used)
    n_res = int(used.sum()) + len(reg["station"])
    res_ids = _ids("R", n_res, 6)
    kept = np.flatnonzero(used)
    res_station = np.concatenate([pool["station"][kept], reg["station"]])
    res_age = np.concatenate([pool["age"][kept], reg["age"]])
    res_priority = np.concatenate([pool["priority"][kept], reg["priority"]])

    need_ids = _ids("N", len(needs["day"]), 6)
    act_ids = _ids("A", len(acts["day"]), 7)
    ins_ids = _ids("I", len(ins["day"]), 6)
    res_row = res_rank[att_res]

    frames = {
        "stations": st_frame,
        "residents": pd.DataFrame({
            "resident_id": res_ids,
            "station_id": sid[res_station],
            "age_band": np.array(AGE_BANDS, dtype=object)[res_age],
            "priority_group": np.array(PRIORITY, dtype=object)[res_priority],
        }),
        "needs": _needs_frame(needs, period, sid, need_ids),
        "activities": _activities_frame(acts, period, sid, act_ids, need_ids, att_act),
        "inspections": _inspections_frame(ins, period, sid, ins_ids),
        "feedback": pd.DataFrame({
            "feedback_id": _ids("F", len(fb["day"]), 7),
            "station_id": sid[fb["station"]],
            "resident_id": res_ids[res_rank[fb["res"]]],
            "given_on": _dates(period.start, fb["day"]),
            "channel": np.array(CHANNELS, dtype=object)[fb["channel"]],
            "activity_id": _take(act_ids, fb["act"]),
            "need_id": _take(need_ids, fb["need"]),
            "rating": fb["rating"],
            "need_met": fb["need_met"],
            "comment": fb["comment"],
        }),
        "expenditures": pd.DataFrame({
            "expense_id": _ids("E", len(exp["day"]), 6),
            "station_id": sid[exp["station"]],
            "spent_on": _dates(period.start, exp["day"]),
            "category": np.array(EXPENSE_CATEGORIES, dtype=object)[exp["cat"]],
            "amount": exp["amount"],
            "need_id": _take(need_ids, exp["need"]),
        }),
        "ratings": pd.DataFrame({
            "rating_id": _ids("Q", len(rat["day"]), 5),
            "station_id": sid[rat["station"]],
            "indicator_id": "professional_quality",
            "level": np.array(RUBRIC_LEVELS, dtype=object)[rat["level"]],
            "rater": rat["rater"],
            "rated_on": _dates(period.start, rat["day"]),
            "evidence": rat["evidence"],
        }),
        # Values from elsewhere (surveys, statistics) are not invented here: the demo holds none of them;
        # sample_data/framework/indicator_values.csv is an example file to import on top of the demo.
        "indicator_values": pd.DataFrame({c: pd.Series([], dtype=_PANDAS_TYPES[t])
                                          for c, t in TABLES["indicator_values"].items()}),
    }

    if history:
        # Drawn after everything above (the next child stream), so no row of the assessment years moves; every
        # history row goes after them in its table, its id numbered after theirs.
        h = _history(rng.spawn(1)[0], start, history, n, profile_pos, care, stage, pool, scale)
        hp, h_needs, h_acts = h["period"], h["needs"], h["acts"]
        # The pool member behind each resident row; a member seen only in the history gets a row of its own
        # after the registers (a member of a priority group not seen since is on the register already).
        row_of = np.full(len(pool["station"]), -1, dtype=np.int64)
        row_of[kept] = np.arange(len(kept))
        listed = reg["member"] >= 0
        row_of[reg["member"][listed]] = len(kept) + np.flatnonzero(listed)
        # Attendees of the history only: today's residents not seen since (no priority group: a member of one
        # would be on the register already) and former residents (-1 - k), station by station.
        person = h["att_res"]
        now = np.unique(person[(person >= 0) & (row_of[np.maximum(person, 0)] < 0)])
        was = np.unique(-1 - person[person < 0])
        o_station = np.concatenate([pool["station"][now], h["former_station"][was]])
        o_age = np.concatenate([pool["age"][now], h["former_age"][was]])
        o_priority = np.concatenate([pool["priority"][now], np.full(len(was), len(PRIORITY) - 1)])
        order = np.argsort(o_station, kind="stable")
        o_row = np.empty(len(order), dtype=np.int64)
        o_row[order] = n_res + np.arange(len(order))
        row_of[now] = o_row[: len(now)]
        former_row = np.full(len(h["former_station"]), -1, dtype=np.int64)
        former_row[was] = o_row[len(now):]
        res_ids = np.concatenate([res_ids, _ids("R", len(order), 6, after=n_res)])
        h_need_ids = _ids("N", len(h_needs["day"]), 6, after=len(need_ids))
        h_act_ids = _ids("A", len(h_acts["day"]), 7, after=len(act_ids))
        more = {
            "residents": pd.DataFrame({
                "resident_id": res_ids[n_res:],
                "station_id": sid[o_station[order]],
                "age_band": np.array(AGE_BANDS, dtype=object)[o_age[order]],
                "priority_group": np.array(PRIORITY, dtype=object)[o_priority[order]],
            }),
            "needs": _needs_frame(h_needs, hp, sid, h_need_ids),
            "activities": _activities_frame(h_acts, hp, sid, h_act_ids, h_need_ids, h["att_act"]),
            "inspections": _inspections_frame(h["ins"], hp, sid,
                                              _ids("I", len(h["ins"]["day"]), 6, after=len(ins_ids))),
        }
        for table, df in more.items():
            frames[table] = pd.concat([frames[table], df], ignore_index=True)
        att_act = np.concatenate([att_act, len(act_ids) + h["att_act"]])
        res_row = np.concatenate([res_row, np.where(person >= 0, row_of[np.maximum(person, 0)],
                                                    former_row[np.maximum(-1 - person, 0)])])
        act_ids = np.concatenate([act_ids, h_act_ids])

    for table, cols in TABLES.items():
        if table in frames:
            frames[table] = frames[table].reindex(columns=list(cols)).reset_index(drop=True)
    return frames, (act_ids, att_act, res_ids, res_row)


def write_csv(frames: dict[str, pd.DataFrame], out: str | Path) -> dict[str, Path]:
    """<table>.csv per table: UTF-8, header row, empty string for NULL, ISO dates."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for table in TABLES:
        path = out / f"{table}.csv"
        frames[table].to_csv(path, index=False, encoding="utf-8", lineterminator="\n",
                             na_rep="", date_format="%Y-%m-%d")
        paths[table] = path
    return paths


# ----------------------------------------------------------------------------------------
# province-scale output: a DuckDB database or Parquet files, written column-wise (never row by row)

_ARROW_TYPES = {"VARCHAR": "string", "INTEGER": "int32", "DOUBLE": "float64", "DATE": "date32"}


def _arrow_tables(stations: int, years: int, seed: int, start: str, scale: float, history: int = 1) -> dict:
    """One pyarrow Table per record table, typed as records.TABLES. Attendance is dictionary-encoded
    (row -> activity index, row -> resident index), so 24 million rows never become Python strings."""
    import pyarrow as pa

    frames, (act_ids, att_act, res_ids, att_res) = _generate(stations, years, seed, start, scale, history)
    out = {}
    for table, cols in TABLES.items():
        if table == "attendance":
            out[table] = pa.table({
                "activity_id": pa.DictionaryArray.from_arrays(
                    pa.array(att_act, pa.int32()), pa.array(act_ids, pa.string())),
                "resident_id": pa.DictionaryArray.from_arrays(
                    pa.array(att_res, pa.int32()), pa.array(res_ids, pa.string())),
            })
            continue
        schema = pa.schema([(c, getattr(pa, _ARROW_TYPES[t])()) for c, t in cols.items()])
        out[table] = pa.Table.from_pandas(frames.pop(table), preserve_index=False).cast(schema)
    return out


def write_duckdb(tables: dict, path: str | Path, check_only: bool = False) -> dict[str, int]:
    """A new DuckDB record store at `path` (records.create_schema), each table inserted in one statement from
    a registered Arrow table; meta kind = 'synthetic'. Replaces a synthetic database; any other existing file
    raises FileExistsError (with check_only, that check is all it does)."""
    import duckdb

    from indicators.records.store import LOAD_ORDER, connect, create_schema, get_meta

    path = Path(path)
    if path.exists():
        con = connect(path)
        try:
            kind = get_meta(con, "kind")
        finally:
            con.close()
        if kind != "synthetic":
            raise FileExistsError(f"{path}: exists and is not a synthetic database (meta kind {kind!r}); "
                                  "refusing to overwrite it")
    if check_only:
        return {}
    if path.exists():
        path.unlink()
        Path(str(path) + ".wal").unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("SET preserve_insertion_order = true")
        con.execute("BEGIN TRANSACTION")
        create_schema(con)
        for table in LOAD_ORDER:
            con.register("_frame", tables[table])
            con.execute(f'INSERT INTO "{table}" SELECT * FROM _frame')
            con.unregister("_frame")
        con.execute("INSERT INTO meta VALUES ('kind', 'synthetic'), ('note', ?)",
                    ["synthetic records from sample_data/generate.py; not real stations"])
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
        counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in TABLES}
    except BaseException:
        con.close()
        path.unlink(missing_ok=True)
        raise
    con.close()
    return counts


def write_parquet(tables: dict, out: str | Path) -> dict[str, Path]:
    """<table>.parquet per table (zstd), typed as records.TABLES."""
    import pyarrow.parquet as pq

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for table in TABLES:
        paths[table] = out / f"{table}.parquet"
        pq.write_table(tables[table], paths[table], compression="zstd")
    return paths


# ----------------------------------------------------------------------------------------
# calibration check (DuckDB SQL over the records)

_STATION_SQL = """
WITH acts AS (SELECT * FROM activities WHERE held_on >= $since),
insps AS (SELECT * FROM inspections WHERE inspected_on >= $since),
span AS (
  SELECT greatest(1, round(date_diff('day', min(held_on), max(held_on)) / 365.25))::INTEGER AS years
  FROM acts
),
win AS (
  SELECT a.station_id,
         count(*) AS n_act,
         count(*) FILTER (WHERE date_diff('day', a.held_on, i.inspected_on) BETWEEN 0 AND 3) AS n_win,
         avg(a.photos) AS photos, avg(a.media_items) AS media,
         count(a.need_id) / count(*) AS act_linked,
         sum(a.headcount) AS headcount
  FROM acts a
  ASOF LEFT JOIN insps i ON a.station_id = i.station_id AND i.inspected_on >= a.held_on
  GROUP BY a.station_id
),
att AS (
  SELECT a.station_id, t.resident_id, count(*) AS n
  FROM attendance t JOIN acts a USING (activity_id)
  GROUP BY a.station_id, t.resident_id
),
ranked AS (
  SELECT station_id, n,
         row_number() OVER (PARTITION BY station_id ORDER BY n DESC, resident_id) AS rn,
         count(*) OVER (PARTITION BY station_id) AS attendees
  FROM att
),
reach AS (
  SELECT station_id, sum(n) AS rows, max(attendees) AS attendees,
         sum(n) FILTER (WHERE rn <= ceil(attendees / 10.0)) / sum(n) AS top10
  FROM ranked GROUP BY station_id
),
insp AS (
  SELECT station_id, count(*) AS n_ins, avg(prep_hours) AS prep FROM insps GROUP BY station_id
),
nd AS (
  SELECT station_id,
         avg(CASE WHEN status = 'resolved' THEN 1 ELSE 0 END) FILTER (WHERE urgency >= 4) AS urgent_resolved,
         median(date_diff('day', raised_on, resolved_on)) AS days_to_resolve
  FROM needs WHERE raised_on >= $since GROUP BY station_id
),
spend AS (
  SELECT station_id,
         sum(amount) FILTER (WHERE category = 'elderly_friendly_renovation') / sum(amount) AS elderly,
         sum(amount) FILTER (WHERE category = 'image_project') / sum(amount) AS image,
         sum(amount) FILTER (WHERE category IN ('activities', 'elderly_friendly_renovation') AND need_id IS NOT NULL)
           / sum(amount) FILTER (WHERE category IN ('activities', 'elderly_friendly_renovation')) AS spend_linked
  FROM expenditures WHERE spent_on >= $since GROUP BY station_id
),
fb AS (
  SELECT station_id,
         avg(CASE WHEN need_met = 'yes' THEN 1 ELSE 0 END)
           FILTER (WHERE channel IN ('council', 'evaluation_meeting') AND need_met IS NOT NULL) AS meeting_yes,
         avg(rating) AS rating
  FROM feedback WHERE given_on >= $since GROUP BY station_id
),
rub AS (
  SELECT station_id, avg(CASE WHEN level IN ('优', '良') THEN 1 ELSE 0 END) AS rubric_good
  FROM ratings WHERE rated_on >= $since GROUP BY station_id
)
SELECT s.station_id, s.profile, s.population,
       insp.n_ins / span.years AS inspections_per_year,
       insp.prep AS prep_hours,
       win.n_act / span.years AS activities_per_year,
       win.n_act, win.n_win, win.n_win / win.n_act AS window_share,
       win.photos, win.media, win.headcount / reach.rows AS headcount_ratio,
       win.act_linked, reach.top10, 1000.0 * reach.attendees / s.population AS reach_per_1000,
       reach.rows AS attendance_rows,
       nd.urgent_resolved, nd.days_to_resolve,
       spend.elderly, spend.image, spend.spend_linked,
       fb.meeting_yes, fb.rating, rub.rubric_good
FROM stations s CROSS JOIN span
LEFT JOIN win USING (station_id) LEFT JOIN reach USING (station_id) LEFT JOIN insp USING (station_id)
LEFT JOIN nd USING (station_id) LEFT JOIN spend USING (station_id) LEFT JOIN fb USING (station_id)
LEFT JOIN rub USING (station_id)
ORDER BY s.station_id
"""

# (column, label, target, how to aggregate a profile, decimals)
CALIBRATION_ROWS = (
    ("stations", "stations", "8 / 8 / 8 in the demo", "count", 0),
    ("inspections_per_year", "inspections per station per year", "≈32 (study)", "mean", 1),
    ("prep_hours", "prep hours per inspection", "show > mixed > needs", "mean", 1),
    ("activities_per_year", "activities per station per year", "show many, needs fewer", "mean", 0),
    ("window_share", "share of activities 0-3 days before an inspection", "≈0.60 / ≈0.50 / ≈0.30-0.35", "pooled", 3),
    ("photos", "photos per activity", "10-40 / between / 0-5", "mean", 1),
    ("media", "media items per activity", "many / some / few", "mean", 2),
    ("headcount_ratio", "reported headcount / attendance rows", "1.5-3 / between / ≈1", "mean", 2),
    ("act_linked", "share of activities linked to a need", "few / some / most", "mean", 3),
    ("top10", "attendance share of the top 10% attendees", ">0.5 / between / ≈0.20-0.25", "mean", 3),
    ("reach_per_1000", "distinct attendees per 1,000 residents served", "narrow / between / broad", "mean", 1),
    ("urgent_resolved", "share of urgent needs (4-5) resolved", "≈0.25 / between / ≈0.80", "mean", 3),
    ("days_to_resolve", "median days to resolve (station median)", "60+ / between / ≈20", "mean", 1),
    ("elderly", "budget share: elderly_friendly_renovation", "≈5% / 8.7% (study) / 15-20%", "mean", 3),
    ("image", "budget share: image_project", "≈30% / 21.3% (study) / ≈5%", "mean", 3),
    ("spend_linked", "activity+renovation spending linked to a need", "little / some / most", "mean", 3),
    ("meeting_yes", "council/evaluation votes need_met = yes", "mostly no / between / mostly yes", "mean", 3),
    ("rating", "mean feedback rating (1-5)", "2-3 / between / 4-5", "mean", 2),
    ("rubric_good", "rubric ratings 优/良", "mostly 中/差 / between / mostly 优/良", "mean", 3),
)


def load_frames(frames: dict[str, pd.DataFrame]):
    """An in-memory DuckDB holding the frames, with the record schema."""
    import duckdb

    from indicators.records.store import create_schema

    con = duckdb.connect()
    create_schema(con)
    for table, df in frames.items():
        con.register("_frame", df)
        con.execute(f'INSERT INTO "{table}" SELECT * FROM _frame')
        con.unregister("_frame")
    return con


def load_dir(folder: str | Path):
    """An in-memory DuckDB loaded from <table>.csv files, as the app loads them."""
    import duckdb

    from indicators.records.store import load_csv_dir

    con = duckdb.connect()
    load_csv_dir(con, Path(folder))
    return con


def station_figures(con, since: str | None = None) -> pd.DataFrame:
    """The calibration measures per station (DuckDB SQL over the record tables); with `since` (a date), over the
    rows dated on or after it only: the assessment years without the history before them."""
    return con.cursor().execute(_STATION_SQL, {"since": pd.Timestamp(since or "0001-01-01").date()}).df()


def profile_figures(per_station: pd.DataFrame) -> pd.DataFrame:
    """Calibration measures per profile: rows are measures, columns the three profiles."""
    out = {}
    for prof in PROFILES:
        d = per_station[per_station["profile"] == prof]
        col = {}
        for key, label, _target, how, _dec in CALIBRATION_ROWS:
            if how == "count":
                col[key] = float(len(d))
            elif how == "pooled":
                col[key] = d["n_win"].sum() / d["n_act"].sum() if len(d) else np.nan
            else:
                col[key] = d[key].astype(float).mean()
        out[prof] = col
    return pd.DataFrame(out)


def calibration_markdown(per_station: pd.DataFrame) -> str:
    prof = profile_figures(per_station)
    lines = ["| measure | target (show_window / mixed / needs_driven) | show_window | mixed | needs_driven |",
             "|---|---|---:|---:|---:|"]
    for key, label, target, how, dec in CALIBRATION_ROWS:
        vals = " | ".join(f"{prof.at[key, p]:.{dec}f}" for p in PROFILES)
        lines.append(f"| {label} | {target} | {vals} |")
    return "\n".join(lines)


def _station_markdown(per_station: pd.DataFrame) -> str:
    cols = ["station_id", "profile", "population", "window_share", "top10", "photos", "urgent_resolved",
            "days_to_resolve", "act_linked", "meeting_yes", "elderly", "image", "rubric_good"]
    d = per_station[cols].copy()
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in d.itertuples(index=False):
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write synthetic records (CSV, Parquet or a DuckDB database), "
                                             "or check their calibration.")
    ap.add_argument("--out", help="folder for <table>.csv or .parquet, or a file ending in .duckdb "
                                  "(default, for CSV only: sample_data/demo)")
    ap.add_argument("--format", choices=("csv", "parquet", "duckdb"),
                    help="default: duckdb when --out ends in .duckdb, else csv")
    ap.add_argument("--stations", type=int, default=24)
    ap.add_argument("--years", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply activities (and so attendance) per station-year; 1.0 is the calibrated demo, "
                         f"{PROVINCE_SCALE} gives about 1.2M activities and 24M attendance rows at 1,300 x 3")
    ap.add_argument("--seed", type=int, default=20240101)
    ap.add_argument("--start", default="2024-01-01", help="first day of the first assessment year (with --check: "
                                                          "the figures read the rows from this day on)")
    ap.add_argument("--history", type=int, default=1,
                    help="years before --start with inspections, needs, activities and attendance only (default 1: "
                         "what the new-attendee figures look back on); 0 writes the assessment years alone")
    ap.add_argument("--check", metavar="DIR", help="print the calibration figures of the CSVs in DIR and exit")
    ap.add_argument("--per-station", action="store_true", help="with --check: also print a row per station")
    args = ap.parse_args(argv)

    if args.check:
        missing = [t for t in TABLES if not (Path(args.check) / f"{t}.csv").exists()]
        if missing:
            ap.error(f"--check {args.check}: missing {', '.join(t + '.csv' for t in missing)}")
        con = load_dir(args.check)
        per_station = station_figures(con, since=args.start)
        print(calibration_markdown(per_station))
        if args.per_station:
            print()
            print(_station_markdown(per_station))
        return 0

    fmt = args.format or ("duckdb" if (args.out or "").lower().endswith(".duckdb") else "csv")
    if fmt in ("duckdb", "parquet"):
        if not args.out:
            ap.error(f"--format {fmt} needs --out (the demo folder holds only the committed CSVs)")
        if fmt == "duckdb" and Path(args.out).exists():
            try:
                write_duckdb({}, args.out, check_only=True)
            except FileExistsError as exc:
                ap.error(str(exc))
        t0 = time.perf_counter()
        tables = _arrow_tables(args.stations, args.years, args.seed, args.start, args.scale, args.history)
        t1 = time.perf_counter()
        if fmt == "duckdb":
            write_duckdb(tables, args.out)
        else:
            write_parquet(tables, args.out)
        t2 = time.perf_counter()
        rows = ", ".join(f"{t} {tbl.num_rows:,}" for t, tbl in tables.items())
        print(f"wrote {args.out} ({fmt}): {rows}")
        print(f"generate {t1 - t0:.2f}s, write {t2 - t1:.2f}s")
        return 0

    args.out = args.out or str(DEMO_DIR)
    t0 = time.perf_counter()
    frames = generate(args.stations, args.years, args.seed, args.start, args.scale, args.history)
    t1 = time.perf_counter()
    write_csv(frames, args.out)
    t2 = time.perf_counter()
    rows = ", ".join(f"{t} {len(df):,}" for t, df in frames.items())
    print(f"wrote {args.out}: {rows}")
    print(f"generate {t1 - t0:.2f}s, write {t2 - t1:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
