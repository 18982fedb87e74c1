"""Turning what an evaluator types into specs: working copies of schemes, indicator edits, scale levels,
weights given flat, and uploaded YAML. Pure functions over the frozen specs in `model`; every failure is
a SchemeError naming the field, so a screen can show it as it is. No database, no streamlit."""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Iterable, Mapping

import pandas as pd
import yaml

from indicators.errors import Word
from indicators.scheme import criteria
from indicators.scheme.catalog import BUILTINS
# check_scoring: a rule typed on a screen is checked against its item's points exactly as a YAML `scoring:` block is
from indicators.scheme.model import (CAMPS, DIRECTIONS, SCORING_RULES, Dimension, Grade, Indicator, Level, Measure,
                                     Provenance, Scheme, SchemeError, Scoring, check_scoring, _said, load_yaml,
                                     scoring_from_dict, scoring_to_dict, validate)
from indicators.scoring.engine import check

LEVEL_COLUMNS = ("value", "score", "label_zh", "label_en", "descriptor_zh", "descriptor_en")
# Measure kinds the indicator form offers; ratio (two nested measures) is edited in YAML.
FORM_KINDS = ("count", "sum", "mean", "median", "distinct", "share", "top_share",
              "new_share", "returning_share", "unreached_share", "value")
# Kinds whose table is fixed by the kind itself: the form hides its table, filter and per-1,000 fields.
TABLELESS_KINDS = ("top_share", "new_share", "returning_share", "unreached_share", "value")


# ---------------------------------------------------------------- ids and working copies

def unique_id(base: str, taken: Iterable[str]) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever is not taken."""
    taken = set(taken)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def working_copy(scheme: Scheme, taken: Iterable[str]) -> Scheme:
    """The copy an edit goes into: a built-in gets a new id (e.g. needs-met-copy) and "(copy)" names;
    any other scheme is edited under its own id (saving it replaces the stored one)."""
    if scheme.id not in BUILTINS:
        return scheme
    new_id = unique_id(f"{scheme.id}-copy", set(taken) | set(BUILTINS))
    return replace(scheme, id=new_id, name_zh=f"{scheme.name_zh}（副本）", name_en=f"{scheme.name_en} (copy)")


def clone(scheme: Scheme, new_id: str, name_zh: str, name_en: str, taken: Iterable[str] = ()) -> Scheme:
    """A copy under a new id and names; the id must be new and well formed."""
    new_id = (new_id or "").strip()
    if new_id in BUILTINS or new_id in set(taken):
        raise SchemeError("id", _said("id_taken", id=new_id))
    if not (name_zh or "").strip() or not (name_en or "").strip():
        raise SchemeError("name_zh" if not (name_zh or "").strip() else "name_en", _said("required"))
    return validate(replace(scheme, id=new_id, name_zh=name_zh.strip(), name_en=name_en.strip()))


def rename(scheme: Scheme, name_zh: str, name_en: str, description_zh: str | None = None,
           description_en: str | None = None) -> Scheme:
    for field, value in (("name_zh", name_zh), ("name_en", name_en)):
        if not (value or "").strip():
            raise SchemeError(field, _said("required"))
    changes = {"name_zh": name_zh.strip(), "name_en": name_en.strip()}
    if description_zh is not None:
        changes["description_zh"] = description_zh.strip()
    if description_en is not None:
        changes["description_en"] = description_en.strip()
    return validate(replace(scheme, **changes))


# ---------------------------------------------------------------- indicators

def dimension_of(scheme: Scheme, indicator_id: str) -> Dimension:
    for d in scheme.nodes():
        if any(i.id == indicator_id for i in d.indicators):
            return d
    raise KeyError(indicator_id)


def upsert_indicator(scheme: Scheme, indicator: Indicator, dimension_id: str, old_id: str | None = None,
                     new_dimension: tuple[str, str] | None = None) -> Scheme:
    """The scheme with `indicator` added to (or, when `old_id` names one, replacing that indicator in)
    dimension `dimension_id`. A dimension id that does not exist yet is created with `new_dimension`
    = (name_zh, name_en). Fully checked (structure and measures) before it is returned."""
    if old_id is not None and old_id != indicator.id:
        if any(i.id == indicator.id for i in scheme.indicators):
            raise SchemeError("id", _said("indicator_id_taken", id=indicator.id))
        for g in scheme.gates:
            if g.indicator == old_id:
                raise SchemeError("id", _said("gate_refers", id=old_id))
    elif old_id is None and any(i.id == indicator.id for i in scheme.indicators):
        raise SchemeError("id", _said("indicator_id_taken", id=indicator.id))
    if scheme.weighting == "points" and indicator.points is None:   # a points scheme: the weight given is points
        indicator = replace(indicator, points=indicator.weight)
    placed = False

    def edit(d: Dimension) -> Dimension | None:
        nonlocal placed
        inds = [i for i in d.indicators if i.id != old_id] if old_id else list(d.indicators)
        if d.id == dimension_id:
            if old_id and any(i.id == old_id for i in d.indicators):   # keep its place in the list
                pos = [i.id for i in d.indicators].index(old_id)
                inds.insert(pos, indicator)
            else:
                inds.append(indicator)
            placed = True
        subs = tuple(x for x in (edit(s) for s in d.dimensions) if x is not None)
        return replace(d, indicators=tuple(inds), dimensions=subs, points=None) if inds or subs else None  # points: re-summed
    dims = [x for x in (edit(d) for d in scheme.dimensions) if x is not None]
    if not placed:
        zh, en = new_dimension or ("", "")
        if not zh.strip() or not en.strip():
            raise SchemeError("dimension", _said("new_dimension_names"))
        dims.append(Dimension(id=dimension_id, name_zh=zh.strip(), name_en=en.strip(), indicators=(indicator,)))
    return check(replace(scheme, dimensions=tuple(dims)))


def remove_indicator(scheme: Scheme, indicator_id: str) -> Scheme:
    """The scheme without one indicator (an emptied dimension goes too, at any depth); refused if a gate uses it."""
    for n, g in enumerate(scheme.gates):
        if g.indicator == indicator_id:
            raise SchemeError(f"gates[{n}].indicator", _said("gate_uses", id=indicator_id))

    def edit(d: Dimension) -> Dimension | None:
        inds = tuple(i for i in d.indicators if i.id != indicator_id)
        subs = tuple(x for x in (edit(s) for s in d.dimensions) if x is not None)
        return replace(d, indicators=inds, dimensions=subs, points=None) if inds or subs else None  # points: re-summed
    return check(replace(scheme, dimensions=tuple(x for x in (edit(d) for d in scheme.dimensions) if x is not None)))


def build_measure(kind: str, table: str | None = None, column: str | None = None, filter: str | None = None,
                  base: str | None = None, weight: str | None = None, top: float | None = None,
                  per_1000: bool = False, levels: tuple[Level, ...] = (), days: int | None = None,
                  series: str | None = None, denominator: str | None = None) -> Measure:
    """A measure from form fields; blank text means "not given". per_1000 wraps it per 1,000 residents."""
    def text(v):
        return v.strip() if isinstance(v, str) and v.strip() else None
    if kind in ("new_share", "returning_share", "unreached_share"):   # only the fields the kind reads
        return Measure(kind=kind, base=text(base) if kind == "unreached_share" else None,
                       days=int(days) if kind == "new_share" and days else None)
    if kind == "value":
        return Measure(kind=kind, series=text(series), denominator=text(denominator))
    inner = Measure(kind=kind, table=text(table), column=text(column), filter=text(filter), base=text(base),
                    weight=text(weight), top=top if kind == "top_share" else None, levels=tuple(levels))
    if kind == "top_share":
        inner = Measure(kind=kind, top=top)
    return Measure(kind="per_1000", of=inner) if per_1000 else inner


def missing_fields(measure: Measure) -> list[str]:
    """The form fields a measure still needs before it can be previewed (e.g. a share's counted rows): a
    half-filled form is a normal state, named by field so a screen can say what to fill in."""
    m = measure.of if measure.kind == "per_1000" and measure.of is not None else measure
    if m.kind in ("top_share", "ratio", "value", "new_share", "returning_share", "unreached_share"):
        return []
    need = ["table"]
    if m.kind in ("sum", "mean", "median", "distinct", "scale"):
        need.append("column")
    if m.kind == "share":
        need.append("filter")
    if m.kind == "scale":
        need.append("levels")
    return [name for name in need if getattr(m, name) in (None, "", ())]


FREE_TEXT = frozenset({"evidence", "comment", "title", "rater"})
# What a rating round records about an agreed level (how many raters, their alpha, seen on site): not a level.
ROUND_FACTS = frozenset({"rater_count", "alpha", "on_site"})


def level_columns(columns: Mapping[str, str]) -> list[str]:
    """The columns of a table that can hold a scale's level (column -> type): not an id, a date or free text."""
    return [c for c, ty in columns.items()
            if not c.endswith("_id") and ty not in ("DATE", "TIMESTAMP") and c not in FREE_TEXT | ROUND_FACTS]


def measure_fields(measure: Measure) -> dict:
    """The form fields of a measure (the inverse of build_measure); per_1000 is unwrapped."""
    per = measure.kind == "per_1000" and measure.of is not None
    m = measure.of if per else measure
    return {"kind": m.kind, "table": m.table or "", "column": m.column or "", "filter": m.filter or "",
            "base": m.base or "", "weight": m.weight or "", "top": m.top, "per_1000": per, "levels": m.levels,
            "days": m.days, "series": m.series or "",
            "denominator": m.denominator if isinstance(m.denominator, str) else ""}


# ---------------------------------------------------------------- scale levels (data_editor rows)

def levels_frame(levels: Iterable[Level]) -> pd.DataFrame:
    """Levels as editable rows, one per level."""
    rows = [{c: getattr(lv, c) for c in LEVEL_COLUMNS} for lv in levels]
    df = pd.DataFrame(rows, columns=list(LEVEL_COLUMNS))
    df["score"] = pd.to_numeric(df["score"], errors="coerce").astype(float)
    for c in LEVEL_COLUMNS:
        if c != "score":
            df[c] = df[c].astype(object)
    return df


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip()) \
        or v is pd.NA


def levels_from_frame(df: pd.DataFrame, path: str = "levels") -> tuple[Level, ...]:
    """Validate edited level rows: each needs a value (unique) and a finite score; fully blank rows
    (a row added and left empty) are ignored. Errors name the row, e.g. levels[2].score."""
    out: list[Level] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(df.to_dict("records")):
        if all(_blank(row.get(c)) for c in LEVEL_COLUMNS):
            continue
        value = row.get("value")
        if _blank(value):
            raise SchemeError(f"{path}[{n}].value", _said("level_value_required"))
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value).strip()
        if value in seen:
            raise SchemeError(f"{path}[{n}].value", _said("level_repeat_row", value=value, row=seen[value] + 1))
        seen[value] = n
        raw = row.get("score")
        try:
            score = float(raw)
        except (TypeError, ValueError):
            raise SchemeError(f"{path}[{n}].score", _said("not_number", value=raw)) from None
        if not math.isfinite(score):
            raise SchemeError(f"{path}[{n}].score", _said("score_required"))
        text = {c: ("" if _blank(row.get(c)) else str(row.get(c)).strip())
                for c in ("label_zh", "label_en", "descriptor_zh", "descriptor_en")}
        out.append(Level(value=value, score=score, **text))
    if len(out) < 2:
        raise SchemeError(path, _said("two_levels"))
    return tuple(out)


# ---------------------------------------------------------------- weights given flat

def flat_to_hierarchy(scheme: Scheme, flat: Mapping[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """Flat effective weights (one per indicator) -> (dimension weights, indicator weights within each
    dimension), both on a 0-100 scale, such that scoring reproduces the flat weights. A dimension whose
    indicators all get 0 gets weight 0 and keeps equal indicator weights (a dimension must have one)."""
    total = sum(max(float(flat.get(i.id, 0.0)), 0.0) for i in scheme.indicators)
    if total <= 0:
        raise SchemeError("weights", _said("weights_zero"))
    dims, inds = {}, {}

    def share(d: Dimension) -> float:   # the flat weight held below a dimension, at any depth
        return sum(max(float(flat.get(i.id, 0.0)), 0.0) for i in d.indicators) / total + sum(
            share(x) for x in d.dimensions)

    def place(d: Dimension, s: float):   # children's weights as % of their dimension's share
        for i in d.indicators:
            inds[i.id] = round(max(float(flat.get(i.id, 0.0)), 0.0) / total / s * 100, 6) if s > 0 else 1.0
        for x in d.dimensions:
            sx = share(x)
            dims[x.id] = round(sx / s * 100, 6) if s > 0 else 1.0
            place(x, sx)
    for d in scheme.dimensions:
        s = share(d)
        dims[d.id] = round(s * 100, 6)
        place(d, s)
    return dims, inds


def apply_flat(scheme: Scheme, flat: Mapping[str, float], method: str, note: str = "") -> Scheme:
    dims, inds = flat_to_hierarchy(scheme, flat)
    return scheme.with_weights(dims, inds, provenance=Provenance(method=method, note=note))


def camp_shares(scheme: Scheme, flat: Mapping[str, float]) -> dict[str, float]:
    """Share of the total weight each camp (output, needs) holds; both keys always present."""
    out = {c: 0.0 for c in CAMPS}
    for ind in scheme.indicators:
        out[ind.camp] += max(float(flat.get(ind.id, 0.0)), 0.0)
    total = sum(out.values())
    return {c: (v / total if total > 0 else 0.0) for c, v in out.items()}


def strip_weights(scheme: Scheme) -> Scheme:
    """The scheme with every weight set to 1 and provenance reset: what the records part of scoring
    depends on (normalisation never looks at a weight), used as a cache key. A points scheme stays whole: its
    rules turn values into points (a band gives 40 of the item's 40), so its points are part of the records part,
    and scoring it as weights would rescale awarded points against the other stations."""
    if scheme.weighting == "points":
        return replace(scheme, provenance=Provenance())

    def strip(d: Dimension) -> Dimension:   # every level of the tree; points are weights too
        return replace(d, weight=1.0, points=None, indicators=tuple(replace(i, weight=1.0, points=None)
                                                                     for i in d.indicators),
                       dimensions=tuple(strip(s) for s in d.dimensions))
    return replace(scheme, provenance=Provenance(), weighting="weights",
                   dimensions=tuple(strip(d) for d in scheme.dimensions))


# ---------------------------------------------------------------- uploaded YAML

def parse_upload(data: bytes, filename: str = "upload.yaml") -> Scheme:
    """An uploaded scheme file: decoded (UTF-8, with or without BOM), parsed and fully checked.
    Any problem is a SchemeError whose `field` is the dotted path to the culprit."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SchemeError(_said("at.file"), _said("not_utf8", reason=f"{exc.reason} at byte {exc.start}"), filename) from None
    return check(load_yaml(text, filename), filename)


# ---------------------------------------------------------------- grade bands and scheme options (千分制 and any scheme)

GRADE_COLUMNS = ("grade", "label_zh", "label_en", "min")
# The scheme options the Schemes page edits beside the bands, as they read in a field path.
GRADING_FIELDS = ("grades", "grade_scale", "min_observed", "missing_items", "veto_ranked")


def grades_frame(grades: Iterable[Grade]) -> pd.DataFrame:
    """Grade bands as editable rows, best first: the grade as the scheme writes it (优秀, or A), its labels, its
    minimum."""
    rows = [{"grade": g.grade, "label_zh": g.label_zh, "label_en": g.label_en, "min": float(g.min)}
            for g in sorted(grades, key=lambda g: -g.min)]
    df = pd.DataFrame(rows, columns=list(GRADE_COLUMNS))
    df["min"] = pd.to_numeric(df["min"], errors="coerce").astype(float)
    for c in ("grade", "label_zh", "label_en"):
        df[c] = df[c].astype(object)
    return df


def grade_limit(scheme: Scheme, scale: str) -> float:
    """The highest minimum a band can have: the points available on a points scale, else 100."""
    return float(scheme.points_total() or 100.0) if scale == "points" else 100.0


def rescale_grades(grades: Iterable[Grade], scheme: Scheme, scale: str) -> tuple[Grade, ...]:
    """The bands moved from the scheme's own scale to `scale` (900 of 1,000 points <-> 90 on 0-100), so that
    switching the scale keeps the bands' meaning until the evaluator changes them."""
    grades = tuple(grades)
    if scale == scheme.grade_scale or not scheme.points_total():
        return grades
    factor = grade_limit(scheme, scale) / grade_limit(scheme, scheme.grade_scale)
    return tuple(replace(g, min=round(g.min * factor, 6)) for g in grades)


def _grade_field(n: int, column: str, scale: str = "score") -> Word:
    """Row and column of a band as the editor heads them (the minimum's heading says its scale)."""
    return Word("qa.field.grade_cell", row=n + 1,
                column=Word(f"qa.grade_col.{column}_{scale}" if column == "min" else f"qa.grade_col.{column}"))


def grades_from_frame(df: pd.DataFrame, limit: float | None = None, scale: str = "score") -> tuple[Grade, ...]:
    """Validate edited band rows (best first in the result): each needs a grade (the Chinese label stands in for a
    blank one) and a minimum from 0 to `limit` (on `scale`); fully blank rows are ignored. Errors name the row and
    column in the reader's language."""
    out: list[Grade] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(df.to_dict("records")):
        if all(_blank(row.get(c)) for c in GRADE_COLUMNS):
            continue
        text = {c: ("" if _blank(row.get(c)) else str(row.get(c)).strip()) for c in ("grade", "label_zh", "label_en")}
        name = text["grade"] or text["label_zh"]
        if not name:
            raise SchemeError(_grade_field(n, "grade"), _said("required"))
        if name in seen:
            raise SchemeError(_grade_field(n, "grade"), Word("err.qa.grade_repeat", grade=name, row=seen[name] + 1))
        seen[name] = n
        raw = row.get("min")
        try:
            low = float(raw)
        except (TypeError, ValueError):
            raise SchemeError(_grade_field(n, "min", scale), _said("not_number", value=raw)) from None
        if not math.isfinite(low) or low < 0 or (limit is not None and low > limit + 1e-9):
            raise SchemeError(_grade_field(n, "min", scale), Word("err.qa.grade_min_range", value=f"{low:g}",
                                                           limit=f"{limit if limit is not None else 100:g}"))
        out.append(Grade(grade=name, min=low, label_zh=text["label_zh"], label_en=text["label_en"]))
    if len(out) < 2:
        raise SchemeError(Word("qa.field.grades"), Word("err.qa.two_grades"))
    if min(g.min for g in out) > 0:
        raise SchemeError(Word("qa.field.grades"), _said("grades_zero"))
    return tuple(sorted(out, key=lambda g: -g.min))


def set_grading(scheme: Scheme, grades: Iterable[Grade] | None = None, grade_scale: str | None = None,
                min_observed: float | None = None, missing_items: str | None = None,
                veto_ranked: bool | None = None) -> Scheme:
    """The scheme with new grade bands and options (None: kept), checked by the model; a problem names the option in
    the reader's language (a gate capping at a band that is gone names the gate)."""
    changes: dict = {}
    if grades is not None:
        changes["grades"] = tuple(grades)
    for name, value in (("grade_scale", grade_scale), ("min_observed", min_observed),
                        ("missing_items", missing_items), ("veto_ranked", veto_ranked)):
        if value is not None:
            changes[name] = value
    new = replace(scheme, **changes)
    limit = grade_limit(new, new.grade_scale)
    for n, g in enumerate(sorted(new.grades, key=lambda g: -g.min)):
        if g.min > limit + 1e-9:
            raise SchemeError(_grade_field(n, "min", new.grade_scale), Word("err.qa.grade_min_range", value=f"{g.min:g}",
                                                           limit=f"{limit:g}"))
    try:
        return validate(new)
    except SchemeError as exc:
        top = exc.field.split("[")[0].split(".")[0]
        if top in GRADING_FIELDS and exc.field == top:   # an option's own field: named in words
            raise SchemeError(Word(f"qa.field.{top}"), exc.said()) from None
        raise


# ---------------------------------------------------------------- 评分标准 -> scoring rules, per item

# Where a framework table's 数据来源 starts inside an indicator's rationale (the 评分标准 comes before it).
_SOURCE_MARKS = ("\n数据来源：", "\n数据来源:", "\nData source:", "\nSource:")


def criteria_text(ind: Indicator) -> str:
    """An item's 评分标准 as its table wrote it: the Chinese rationale up to the 数据来源 line."""
    text = ind.rationale_zh or ind.rationale_en or ""
    for mark in _SOURCE_MARKS:
        text = text.split(mark)[0]
    return text.strip()


def rule_text(rule: Mapping | Scoring | None, direction: str = "higher") -> str:
    """A rule in the inline form a table's 计分规则 cell holds: {rule: bands, steps: [[0.9, 50], [0.8, 40]], else: 0};
    a lower-is-better rule carries `direction: lower` so the text says everything the item needs."""
    if rule is None:
        data: dict = {"rule": "awarded"}
    elif isinstance(rule, Scoring):
        data = scoring_to_dict(rule)
    else:
        try:
            data = scoring_to_dict(scoring_from_dict(dict(rule)))
        except SchemeError:   # shown as proposed; reading it back names what is wrong
            data = dict(rule)
    if direction == "lower" and data["rule"] != "awarded":
        data["direction"] = "lower"
    return yaml.safe_dump(data, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10_000).strip()


def parse_rule(text: str, item: str, points: float) -> tuple[Scoring, str]:
    """(rule, direction) from the inline text an evaluator accepted or edited for item `item`; a blank text is
    awarded. Errors name the item and the rule's field, and say what is wrong as the model does."""
    where = f"{item} · scoring"
    text = (text or "").strip()
    if not text:
        return Scoring(), "higher"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SchemeError(where, _said("not_yaml", detail=mark)) from None
    if isinstance(data, str) and data.strip() in SCORING_RULES:   # "awarded" alone
        data = {"rule": data.strip()}
    if not isinstance(data, dict):
        raise SchemeError(where, _said("not_mapping", type=type(data).__name__))
    data = dict(data)
    direction = data.pop("direction", "higher")
    if direction not in DIRECTIONS:
        raise SchemeError(f"{where}.direction", _said("not_choice", choices=", ".join(DIRECTIONS), value=direction))
    scoring = scoring_from_dict(data, where)
    check_scoring(scoring, float(points), direction, where, None)
    return scoring, direction


def propose_rules(scheme: Scheme, propose=None) -> pd.DataFrame:
    """One row per item of a points scheme: its 评分标准 beside the rule proposed from it (inline text), whether to
    accept it (by default when a rule other than awarded was read), what was read and the rule it has now.
    `propose(text, points)` is the 评分标准 reader (indicators.scheme.criteria.propose by default)."""
    propose = propose or criteria.propose
    rows = []
    for ind in scheme.indicators:
        text = criteria_text(ind)
        got = propose(text, float(ind.points or 0)) if text else None
        rule = dict(got.rule) if got is not None else {"rule": "awarded"}
        direction = got.direction if got is not None else "higher"
        rows.append({"accept": rule.get("rule") != "awarded", "id": ind.id, "name_zh": ind.name_zh,
                     "name_en": ind.name_en, "points": float(ind.points or 0), "criteria": text,
                     "rule": rule_text(rule, direction), "kind": rule.get("rule", "awarded"),
                     "matched": got.matched if got is not None else "",
                     "current": rule_text(ind.scoring, ind.direction)})
    return pd.DataFrame(rows, columns=["accept", "id", "name_zh", "name_en", "points", "criteria", "rule", "kind",
                                       "matched", "current"])


def check_rules(scheme: Scheme, rows: pd.DataFrame) -> tuple[dict[str, tuple[Scoring, str]], list[SchemeError]]:
    """The accepted rows' rules, each read and checked against its item's points: ({item: (rule, direction)},
    problems), every problem naming its item, so that all of them can be shown at once."""
    points = {i.id: float(i.points or 0) for i in scheme.indicators}
    rules: dict[str, tuple[Scoring, str]] = {}
    problems: list[SchemeError] = []
    for row in rows.to_dict("records"):
        if not bool(row.get("accept")) or row.get("id") not in points:
            continue
        try:
            rules[row["id"]] = parse_rule("" if _blank(row.get("rule")) else str(row["rule"]), row["id"],
                                          points[row["id"]])
        except SchemeError as exc:
            problems.append(exc)
    return rules, problems


def apply_rules(scheme: Scheme, rules: Mapping[str, tuple[Scoring, str]]) -> Scheme:
    """The scheme with each named item's rule and direction (a rule on a records measure ends its scoring relative
    to the other stations), fully checked."""
    def edit(d: Dimension) -> Dimension:
        return replace(d, indicators=tuple(
            replace(i, scoring=rules[i.id][0], direction=rules[i.id][1], relative=False) if i.id in rules else i
            for i in d.indicators), dimensions=tuple(edit(s) for s in d.dimensions))
    return check(replace(scheme, dimensions=tuple(edit(d) for d in scheme.dimensions)))


# ---------------------------------------------------------------- what a framework table's notes gave

def _recognise_fn():
    try:
        from indicators.scheme.framework import recognise_notes
    except ImportError:   # a framework reader without notes: every note is shown as it is
        return None
    return recognise_notes


def recognised(scheme: Scheme, recognise=None) -> dict:
    """What an imported table gave beyond its items, for the evaluator to confirm: title, points and levels, the
    grade bands and their scale, each 一票否决 clause (applied as a condition on an item, or kept as a note for the
    score sheet's veto column) and the notes that said neither."""
    recognise = recognise or _recognise_fn()
    clauses, unread = [], list(scheme.notes)
    if recognise is not None and scheme.notes:
        found = recognise(list(scheme.notes), {i.id: i.name_zh for i in scheme.indicators})
        unread = list(found.unread)
        k = 0   # the reader made one of the scheme's vetoes of each clause with a condition, in order
        for c in found.vetoes:
            applied = c.indicator is not None and c.op is not None and k < len(scheme.vetoes)
            clauses.append({"text": c.text, "indicator": c.indicator or "", "veto": k if applied else None,
                            "condition": f"{c.indicator} {c.op} {c.value:g}" if applied else "", "applied": applied})
            k += applied
    else:   # the scheme's own vetoes (YAML), each a condition
        clauses = [{"text": v.name_zh or v.name_en, "indicator": v.indicator, "veto": n,
                    "condition": f"{v.indicator} {v.op} {v.value:g}", "applied": True}
                   for n, v in enumerate(scheme.vetoes)]
    return {"title": scheme.title, "points": scheme.points_total(), "levels": scheme.levels(),
            "items": len(scheme.indicators), "modules": len(scheme.dimensions), "grades": scheme.grades,
            "grade_scale": scheme.grade_scale, "vetoes": clauses, "unread": unread}


def keep_vetoes(scheme: Scheme, keep: Iterable[int]) -> Scheme:
    """The scheme with only the veto conditions whose positions are in `keep`."""
    keep = set(keep)
    return validate(replace(scheme, vetoes=tuple(v for n, v in enumerate(scheme.vetoes) if n in keep)))
