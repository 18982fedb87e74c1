"""Turning what an evaluator types into specs: working copies of schemes, indicator edits, scale levels,
weights given flat, and uploaded YAML. Pure functions over the frozen specs in `model`; every failure is
a SchemeError naming the field, so a screen can show it as it is. No database, no streamlit."""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Iterable, Mapping

import pandas as pd

from indicators.scheme.catalog import BUILTINS
from indicators.scheme.model import (CAMPS, Dimension, Indicator, Level, Measure, Provenance, Scheme, SchemeError,
                    _said, load_yaml, validate)
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
        raise SchemeError(_said("at.file"), _said("not_utf8", reason=exc.reason, at=exc.start), filename) from None
    return check(load_yaml(text, filename), filename)
