"""Specs as data: Measure, Level, Indicator, Dimension, Gate, Grade, Scheme; YAML in and out with field-named errors."""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from indicators.errors import InputError, Word, char_word, value_word

try:
    from yaml.cyaml import CParser   # libyaml, in every PyYAML wheel
except ImportError:   # pragma: no cover - PyYAML built from source without libyaml
    CParser = None

MEASURE_KINDS = ("count", "sum", "mean", "median", "distinct", "share", "ratio", "per_1000",
                 "top_share", "scale", "value")
# Who the services reach over time (rotation of service recipients): attendance against its own history.
REACH_KINDS = ("new_share", "returning_share", "unreached_share")
MEASURE_KINDS += REACH_KINDS
NORMALISATIONS = ("minmax", "goalposts", "target", "rank")
MISSING_RULES = ("median", "worst", "zero", "mean", "group_mean")   # mean, group_mean: imputed on raw values
CAMPS = ("output", "needs")
DIRECTIONS = ("higher", "lower")
AGGREGATIONS = ("arithmetic", "geometric", "topsis")
WEIGHTINGS = ("weights", "points")
PROVENANCES = ("direct", "needs", "ahp", "entropy", "critic", "combined", "workshop")
GATE_OPS = (">=", ">", "<=", "<")
SCORING_RULES = ("awarded", "bands", "deduct", "linear", "yes_no")
EVIDENCE_KINDS = ("paper", "site", "residents", "other")
COMBINES = ("mean", "median")
GRADE_SCALES = ("score", "points")
MISSING_ITEMS = ("zero", "refuse")
# indicator_values rows of this series veto the station for their period in every points scheme (note: the reason);
# a score sheet's 一票否决 column writes veto_series(scheme id), which vetoes in that scheme only
VETO_SERIES = "一票否决"


def veto_series(scheme_id: str) -> str:
    """The veto series of one scheme's score sheets: a veto from one bureau's table leaves another's alone."""
    return f"{VETO_SERIES}@{scheme_id}"
_ID = re.compile(r"^[a-z][a-z0-9_\-]{0,63}$")   # a scheme id (file names, URLs)
# Codes as evaluators write them (B11, 1.1.2, Goods, urgent_resolved, 一级1): kept and matched exactly; no white
# space or control characters, which would not survive a spreadsheet cell or a terminal table.
_NODE_ID = re.compile(r"^[^\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]{1,64}$")


def code_key(code: str) -> str:
    """The form two codes are compared in for look-alikes: B11 / b11 / Ｂ11 fold to one key."""
    return unicodedata.normalize("NFKC", code).casefold()


class SchemeError(InputError):
    """A scheme that cannot be used. `field` is the dotted path to the culprit, `source` the file.

    `problem` (and a field that is a place rather than a path, such as "line 3") may be a Word of the word tables
    (indicators/i18n/scheme_errors.py): its English is the message, and it is put in the reader's language where
    it is shown."""

    def __init__(self, field: str | Word, problem: str | Word, source: str | None = None, code: str | None = None,
                 **params):
        if isinstance(problem, Word):
            code, params, problem = problem.key.removeprefix("err."), problem.params, str(problem)
        self._field, self.field, self.problem, self.source = field, str(field), problem, source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{self.field}: {problem}", code=code, params=params)

    def problem_in(self, lang: str) -> str:
        """What is wrong, in `lang` when the error has a code (the source stays as written)."""
        return InputError.render(self, lang) if self.code else self.problem

    def field_in(self, lang: str) -> str:
        """The field path as written, or the place in the file ("line 3") in `lang`."""
        return self._field.render(lang) if isinstance(self._field, Word) else self.field

    def place(self) -> str | Word:
        """The field path as written, or the place in the file as words to render later."""
        return self._field

    def said(self) -> str | Word:
        """The problem as words to render later: its Word when it has a code, else its text."""
        return Word(f"err.{self.code}", **self.params) if self.code else self.problem

    def render(self, lang: str) -> str:
        where = f"{self.source}: " if self.source else ""
        return f"{where}{self.field_in(lang)}: {self.problem_in(lang)}"


def _said(code: str, **params) -> Word:
    """A scheme problem by its code in the word tables (indicators/i18n/scheme_errors.py) and its parameters."""
    return Word(f"err.scheme.{code}", **params)


@dataclass(frozen=True)
class Level:
    """One step of an ordinal scale: the stored value, its score, labels and what it looks like."""
    value: str
    score: float
    label_zh: str = ""
    label_en: str = ""
    descriptor_zh: str = ""
    descriptor_en: str = ""


@dataclass(frozen=True)
class Measure:
    """How an indicator's raw value is computed from records; which fields apply depends on `kind`.

    count/sum/mean/median/distinct: aggregate `column` (a value expression) over `table` rows matching `filter`.
    share: among rows matching `base` (all rows if empty), the share that also match `filter`, counting rows
      or summing the value expression `weight`.
    ratio: numerator / denominator, two measures.  per_1000: measure `of` per 1,000 residents served.
    top_share: share of attendance taken by the most frequent `top` fraction of attendees.
    scale: mean score of `column` over `table` rows matching `filter`, each value scored by `levels`.
    value: the station's value of `series` in indicator_values for the period (default series: the indicator's
      own id), divided by `denominator` when given: a numeric column of stations (population) or another series.
    new_share: share of the period's attendees not seen at the station before the period (with `days`: not seen
      in the `days` days before their first attendance in the period).
    returning_share: of each month's attendees (the period's first month aside), the share who also came the
      month before, pooled over the months.
    unreached_share: among the station's residents matching `base` (all when empty), the share with no
      attendance in the period.
    """
    kind: str
    table: str | None = None
    column: str | None = None
    filter: str | None = None
    base: str | None = None
    weight: str | None = None
    numerator: Measure | None = None
    denominator: Measure | str | None = None   # a measure for ratio; a station column or series name for value
    of: Measure | None = None
    top: float | None = None
    levels: tuple[Level, ...] = ()
    series: str | None = None
    days: int | None = None   # new_share: the look-back in days (none: any time before the period)
    combine: str = "mean"     # value: several raters' values for one station and period -> their mean or median


@dataclass(frozen=True)
class Normalisation:
    method: str = "minmax"
    low: float | None = None      # goalposts: value scored 0 (or 100 when lower is better)
    high: float | None = None     # goalposts: value scored 100
    target: float | None = None   # target: value that scores 100


@dataclass(frozen=True)
class Scoring:
    """How a points scheme turns an indicator's value into points (its 评分标准 as a rule), criterion-referenced:
    a station's points never depend on the other stations.

    awarded: the value is the points earned (0 to the item's points): an evaluator's award on a score sheet.
    bands: `steps` (threshold, points) in the order they are tried; the first threshold the value reaches (>=, or
      <= when lower is better) gives its points, else `otherwise`.
    deduct: full points at or above `target` (at or below when lower is better), `per` points off for each `unit`
      short, never below 0.
    linear: points x min(value / full_at, 1).
    yes_no: full points for a yes (1), else 0.
    """
    rule: str = "awarded"
    steps: tuple[tuple[float, float], ...] = ()
    otherwise: float = 0.0
    target: float | None = None
    per: float | None = None
    unit: float = 1.0
    full_at: float | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    name_en: str
    camp: str
    measure: Measure
    weight: float = 1.0
    direction: str = "higher"
    normalisation: Normalisation = field(default_factory=Normalisation)
    missing: str = "median"
    unit: str = ""
    rationale_zh: str = ""
    rationale_en: str = ""
    serves: tuple[str, ...] = ()   # need categories the indicator answers (for needs-derived weights)
    points: float | None = None    # a points scheme's 分值 for this indicator (its weight is then these points)
    scoring: Scoring | None = None  # points schemes: the rule from value to points (None: awarded for a value)
    evidence: str | None = None     # paper, site or residents: what earns its points (None: classified from text)
    relative: bool = False          # points schemes: scored against the other stations (an explicit normalisation)

    @property
    def qualitative(self) -> bool:
        return self.measure.kind == "scale"


@dataclass(frozen=True)
class Dimension:
    """A node of the scheme's tree: it holds indicators, sub-dimensions (any depth), or both. Its weight is
    relative to its siblings; in a points scheme its points are the sum of its children's (filled by validate)."""
    id: str                        # unique among all nodes, except that an indicator may share its dimension's
    name_zh: str
    name_en: str
    indicators: tuple[Indicator, ...] = ()
    weight: float = 1.0
    dimensions: tuple[Dimension, ...] = ()
    points: float | None = None

    @property
    def children(self) -> tuple:
        """Indicators first, then sub-dimensions: the order the YAML and the depth-first walks use."""
        return self.indicators + self.dimensions


@dataclass(frozen=True)
class Gate:
    """A must-pass condition on an indicator's raw value; failing it caps the grade."""
    indicator: str
    op: str
    value: float
    cap: str
    name_zh: str = ""
    name_en: str = ""


@dataclass(frozen=True)
class Veto:
    """一票否决: a station whose indicator's raw value satisfies `op value` gets the lowest band, whatever its
    points, and is listed after the others (a yes/no indicator: value 1 is yes)."""
    indicator: str
    op: str = ">="
    value: float = 1.0
    name_zh: str = ""
    name_en: str = ""


@dataclass(frozen=True)
class Grade:
    grade: str
    min: float
    label_zh: str = ""
    label_en: str = ""


DEFAULT_GRADES = (
    Grade("A", 85, "优秀", "Excellent"), Grade("B", 70, "良好", "Good"),
    Grade("C", 55, "合格", "Pass"), Grade("D", 0, "不合格", "Fail"),
)


@dataclass(frozen=True)
class Treatment:
    """Data treatment before normalising (indicators/scoring/treatment.py); the defaults change nothing.

    group: the station column whose groups `missing: group_mean` averages over. outliers: "off" or "winsorise"
    (COINr's rule: Winsorise up to `winmax` points while |skew| >= `skew` and kurtosis >= `kurtosis`, else log).
    """
    group: str = "district"
    outliers: str = "off"
    winmax: int = 5
    skew: float = 2.0
    kurtosis: float = 3.5


@dataclass(frozen=True)
class Provenance:
    method: str = "direct"
    note: str = ""


@dataclass(frozen=True)
class Scheme:
    id: str
    name_zh: str
    name_en: str
    dimensions: tuple[Dimension, ...]
    description_zh: str = ""
    description_en: str = ""
    weighting: str = "weights"
    aggregation: str = "arithmetic"
    gates: tuple[Gate, ...] = ()
    grades: tuple[Grade, ...] = DEFAULT_GRADES
    provenance: Provenance = field(default_factory=Provenance)
    treatment: Treatment = field(default_factory=Treatment)   # data treatment hook; default: none
    vetoes: tuple[Veto, ...] = ()
    title: str = ""                 # a framework table's title rows, as written
    notes: tuple[str, ...] = ()     # a framework table's note rows, as written
    grade_scale: str = "score"      # grade minimums on 0-100 ("score") or in points earned ("points")
    missing_items: str = "zero"     # points schemes: a missing item earns 0 ("zero") or the station is not scored
    min_observed: float = 0.5       # a station with a smaller share of its indicators observed gets no grade
    veto_ranked: bool = False       # keep vetoed stations in the ranking instead of listing them after it

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Every leaf, depth-first (a dimension's own indicators before those of its sub-dimensions)."""
        return tuple(i for d in self.nodes() for i in d.indicators)

    def nodes(self) -> tuple[Dimension, ...]:
        """Every dimension at every level, depth-first (a parent before its sub-dimensions)."""
        out: list[Dimension] = []

        def walk(dims):
            for d in dims:
                out.append(d)
                walk(d.dimensions)
        walk(self.dimensions)
        return tuple(out)

    def levels(self) -> int:
        """How many levels of dimensions the tree has (1 for the classic dimensions-then-indicators scheme)."""
        def depth(dims) -> int:
            return max((1 + depth(d.dimensions) for d in dims), default=0)
        return depth(self.dimensions)

    def _parents(self) -> dict[str, str | None]:
        parents: dict[str, str | None] = {d.id: None for d in self.dimensions}
        for d in self.nodes():
            for c in d.children:
                if c.id != d.id:   # an indicator sharing its dimension's code: the code names the dimension
                    parents[c.id] = d.id
        return parents

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def node(self, code: str) -> Dimension | Indicator:
        """The dimension or indicator with this code."""
        for d in self.nodes():
            if d.id == code:
                return d
            for i in d.indicators:
                if i.id == code:
                    return i
        raise KeyError(code)

    def parent_of(self, code: str) -> str | None:
        """The code of the dimension holding `code`; None for a top-level dimension."""
        return self._parents()[code]

    def children_of(self, code: str | None) -> tuple:
        """The child nodes (Indicator and Dimension objects) of dimension `code`; None gives the top level."""
        if code is None:
            return self.dimensions
        node = self.node(code)
        return node.children if isinstance(node, Dimension) else ()

    def path_of(self, code: str) -> tuple[str, ...]:
        """Codes from the top-level dimension down to `code` itself."""
        parents, out = self._parents(), [code]
        if code not in parents:
            raise KeyError(code)
        while parents[out[-1]] is not None:
            out.append(parents[out[-1]])
        return tuple(reversed(out))

    def points_total(self) -> float | None:
        """Points available (the sum of the leaves' points) in a points scheme; None in a weights scheme."""
        if self.weighting != "points":
            return None
        return float(sum(i.points for i in self.indicators))

    def with_weights(self, dimension_weights: dict[str, float] | None = None,
                     indicator_weights: dict[str, float] | None = None, **changes) -> Scheme:
        """A copy with some weights replaced (codes not named keep theirs; dimension codes at any depth); validated.

        In a points scheme an indicator's weight is its points: a new indicator weight becomes its points and the
        dimensions' points follow from the leaves, so dimension weights are not used there."""
        dw, iw = dimension_weights or {}, indicator_weights or {}
        points = changes.get("weighting", self.weighting) == "points"

        def leaf(i: Indicator) -> Indicator:
            w = float(iw.get(i.id, i.weight))
            return replace(i, weight=w, points=w if points else None)

        def node(d: Dimension) -> Dimension:
            return replace(d, weight=float(dw.get(d.id, d.weight)), points=None,
                           indicators=tuple(leaf(i) for i in d.indicators),
                           dimensions=tuple(node(s) for s in d.dimensions))
        return validate(replace(self, dimensions=tuple(node(d) for d in self.dimensions), **changes))


def node_paths(scheme: Scheme) -> dict[str, str]:
    """Every node code -> its dotted field path in the YAML (dimensions[0].dimensions[1].indicators[2])."""
    out: dict[str, str] = {}

    def walk(dims, prefix):
        for d_n, d in enumerate(dims):
            path = f"{prefix}dimensions[{d_n}]"
            out[d.id] = path
            for i_n, i in enumerate(d.indicators):
                out[i.id] = f"{path}.indicators[{i_n}]"
            walk(d.dimensions, f"{path}.")
    walk(scheme.dimensions, "")
    return out


# ---------------------------------------------------------------- dict form (YAML) in and out

_FIRST = ("id", "name_zh", "name_en", "weight", "points")             # what a reader looks for first in a YAML block
_LAST = ("scoring", "measure", "indicators", "dimensions", "levels", "gates", "vetoes", "grades", "notes")   # long nested blocks go below


def _to_plain(obj: Any) -> Any:
    """Dataclass -> dict, dropping values equal to the field default so the YAML stays short and diffs cleanly."""
    if isinstance(obj, tuple):
        return [_to_plain(x) for x in obj]
    if not hasattr(obj, "__dataclass_fields__"):
        return obj
    out = {}
    names = [f.name for f in fields(obj)]
    first = () if isinstance(obj, Measure) else _FIRST
    order = sorted(names, key=lambda n: (0, first.index(n)) if n in first else (2, _LAST.index(n)) if n in _LAST
                   else (1, names.index(n)))
    by_name = {f.name: f for f in fields(obj)}
    for name in order:
        value = getattr(obj, name)
        keep = name == "weight" and isinstance(value, float)   # weights are always written: they are the point
        if not keep and value == _default(by_name[name]):
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out[name] = _to_plain(value)
    return out


def _default(f) -> Any:
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return MISSING


def scheme_to_dict(scheme: Scheme) -> dict:
    out = _to_plain(scheme)
    by_id = {i.id: i for i in scheme.indicators}

    def rules(dims):   # scoring in its short form; a relative item says its normalisation explicitly
        for d in dims:
            for i in d.get("indicators", ()):
                ind = by_id[i["id"]]
                i.pop("relative", None)
                if ind.scoring is not None:
                    i["scoring"] = scoring_to_dict(ind.scoring)
                if ind.relative:
                    i.setdefault("normalisation", _to_plain(ind.normalisation) or {"method": "minmax"})
            rules(d.get("dimensions", ()))
    rules(out["dimensions"])
    if scheme.weighting == "points":   # weights follow from points there: writing both would invite a mismatch

        def drop(dims):
            for d in dims:
                d.pop("weight", None)
                for i in d.get("indicators", ()):
                    i.pop("weight", None)
                drop(d.get("dimensions", ()))
        drop(out["dimensions"])
    return out


def dump_yaml(scheme: Scheme) -> str:
    return yaml.safe_dump(scheme_to_dict(scheme), allow_unicode=True, sort_keys=False, width=120)


class _Reader:
    """Reads one mapping, naming the dotted field path in every error."""

    def __init__(self, data: Any, path: str, source: str | None):
        if not isinstance(data, dict):
            if isinstance(data, str):   # "name_zh：社区" read as one text where "name: value" lines belong
                _full_width(data, source, path or _said("at.top"))
            raise SchemeError(path or _said("at.top"), _said("not_mapping", type=value_word(data)), source)
        self.data, self.path, self.source = data, path, source
        self.used: set[str] = set()

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, problem: str | Word):
        raise SchemeError(self.at(key), problem, self.source)

    def get(self, key, kind=str, required=False, default=None, choices=None):
        self.used.add(key)
        if key not in self.data or self.data[key] is None:
            if required:
                self.fail(key, _said("required"))
            return default
        value = self.data[key]
        if kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.fail(key, _said("not_number", value=value_word(value)))
            value = float(value)
            if not math.isfinite(value):
                self.fail(key, _said("not_finite", value=value_word(value)))
        elif kind is str:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)   # YAML reads level values like 5 as numbers
            if not isinstance(value, str):
                self.fail(key, _said("not_text", value=value_word(value)))
        elif kind is list:
            if not isinstance(value, list):
                self.fail(key, _said("not_list", type=value_word(value)))
        if choices and value not in choices:
            self.fail(key, _said("not_choice", choices=", ".join(choices), value=value_word(value)))
        return value

    def sub(self, key, required=False):
        self.used.add(key)
        if key not in self.data or self.data[key] is None:
            if required:
                self.fail(key, _said("required"))
            return None
        return _Reader(self.data[key], self.at(key), self.source)

    def items(self, key, required=False):
        values = self.get(key, list, required=required, default=[])
        return [(_Reader(v, f"{self.at(key)}[{n}]", self.source)) for n, v in enumerate(values)]

    def done(self):
        extra = [k for k in self.data if k not in self.used]
        if extra:
            self.fail(extra[0], _said("unknown_field", name=extra[0], known=", ".join(sorted(self.used))))


def _measure(r: _Reader) -> Measure:
    kind = r.get("kind", required=True, choices=MEASURE_KINDS)
    if kind == "value":   # its denominator is a name, not a measure
        m = Measure(kind=kind, series=r.get("series"), denominator=r.get("denominator"),
                    combine=r.get("combine", default="mean", choices=COMBINES))
        r.done()
        return m
    if kind in REACH_KINDS:
        return _reach_measure(r, kind)
    sub = {k: (_measure(s) if (s := r.sub(k)) else None) for k in ("numerator", "denominator", "of")}
    levels = tuple(_level(x) for x in r.items("levels"))
    m = Measure(kind=kind, table=r.get("table"), column=r.get("column"), filter=r.get("filter"),
                base=r.get("base"), weight=r.get("weight"), top=r.get("top", float), levels=levels, **sub)
    r.done()
    return m


def _reach_measure(r: _Reader, kind: str) -> Measure:
    """A rotation measure: only the fields its kind reads (any other is refused by name)."""
    days = r.get("days", float) if kind == "new_share" else None
    if days is not None and not (days.is_integer() and 1 <= days <= 36500):
        r.fail("days", _said("days_range", value=f"{days:g}"))
    base = r.get("base") if kind == "unreached_share" else None
    r.done()
    return Measure(kind=kind, base=base, days=None if days is None else int(days))


def _level(r: _Reader) -> Level:
    lv = Level(value=r.get("value", required=True), score=r.get("score", float, required=True),
               label_zh=r.get("label_zh", default=""), label_en=r.get("label_en", default=""),
               descriptor_zh=r.get("descriptor_zh", default=""), descriptor_en=r.get("descriptor_en", default=""))
    r.done()
    return lv


def _weight_or_points(r: _Reader, points_scheme: bool) -> dict:
    """A node's weight (weights scheme) or points (points scheme); the other one is refused by name."""
    if points_scheme:
        if "weight" in r.data:
            r.fail("weight", _said("points_not_weights"))
        return {"points": r.get("points", float)}
    if "points" in r.data:
        r.fail("points", _said("points_need_weighting"))
    return {"weight": r.get("weight", float, default=1.0)}


def _indicator(r: _Reader, points_scheme: bool = False) -> Indicator:
    norm = Normalisation()
    if (nr := r.sub("normalisation")):
        norm = Normalisation(method=nr.get("method", default="minmax", choices=NORMALISATIONS),
                             low=nr.get("low", float), high=nr.get("high", float), target=nr.get("target", float))
        nr.done()
    serves = tuple(str(s) for s in r.get("serves", list, default=[]))
    scoring = scoring_from_dict(r.sub("scoring")) if "scoring" in r.data else None
    r.used.add("scoring")
    measure = _measure(r.sub("measure", required=True))
    if points_scheme and scoring is None and measure.kind != "value" and "normalisation" not in r.data:
        r.fail("scoring", _said("scoring_or_relative"))   # awarded points must never be min-max rescaled silently
    ind = Indicator(
        id=r.get("id", required=True), name_zh=r.get("name_zh", required=True),
        name_en=r.get("name_en", required=True), camp=r.get("camp", required=True, choices=CAMPS),
        measure=measure, **_weight_or_points(r, points_scheme), scoring=scoring,
        relative=points_scheme and scoring is None and "normalisation" in r.data,
        evidence=r.get("evidence", choices=EVIDENCE_KINDS),
        direction=r.get("direction", default="higher", choices=DIRECTIONS), normalisation=norm,
        missing=r.get("missing", default="median", choices=MISSING_RULES), unit=r.get("unit", default=""),
        rationale_zh=r.get("rationale_zh", default=""), rationale_en=r.get("rationale_en", default=""),
        serves=serves)
    r.done()
    return ind


def scoring_from_dict(r: Any, path: str = "scoring", source: str | None = None) -> Scoring:
    """A `scoring:` block (YAML, or a framework table's 计分规则 cell) -> Scoring, naming the field in errors.
    `r`: the mapping (errors name `path` in `source`), or a reader already placed in a scheme file."""
    if r is None:
        return Scoring()
    if not isinstance(r, _Reader):
        r = _Reader(r, path, source)
    rule = r.get("rule", required=True, choices=SCORING_RULES)
    steps: list[tuple[float, float]] = []
    if rule == "bands":
        for n, step in enumerate(r.get("steps", list, required=True)):
            if not (isinstance(step, list) and len(step) == 2 and all(
                    isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in step)):
                raise SchemeError(f"{r.at('steps')}[{n}]", _said("step_pair"), r.source)
            steps.append((float(step[0]), float(step[1])))
        if not steps:
            r.fail("steps", _said("required"))
    out = Scoring(rule=rule, steps=tuple(steps),
                  otherwise=r.get("else", float, default=0.0) if rule == "bands" else 0.0,
                  target=r.get("target", float, required=True) if rule == "deduct" else None,
                  per=r.get("per", float, required=True) if rule == "deduct" else None,
                  unit=r.get("unit", float, default=1.0) if rule == "deduct" else 1.0,
                  full_at=r.get("full_at", float, required=True) if rule == "linear" else None)
    for key, value in (("per", out.per), ("unit", out.unit), ("full_at", out.full_at)):
        if value is not None and value <= 0:
            r.fail(key, _said("above_zero", value=f"{value:g}"))
    r.done()
    return out


def scoring_to_dict(s: Scoring) -> dict:
    """The short inline form of a rule, as a table's 计分规则 cell and the YAML write it."""
    out: dict[str, Any] = {"rule": s.rule}
    if s.rule == "bands":
        out["steps"] = [[_plain_number(a), _plain_number(b)] for a, b in s.steps]
        out["else"] = _plain_number(s.otherwise)
    elif s.rule == "deduct":
        out.update(target=_plain_number(s.target), per=_plain_number(s.per))
        if s.unit != 1.0:
            out["unit"] = _plain_number(s.unit)
    elif s.rule == "linear":
        out["full_at"] = _plain_number(s.full_at)
    return out


def _plain_number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def _dimension(r: _Reader, points_scheme: bool) -> Dimension:
    d = Dimension(id=r.get("id", required=True), name_zh=r.get("name_zh", required=True),
                  name_en=r.get("name_en", required=True),
                  indicators=tuple(_indicator(x, points_scheme) for x in r.items("indicators")),
                  dimensions=tuple(_dimension(x, points_scheme) for x in r.items("dimensions")),
                  **_weight_or_points(r, points_scheme))
    r.done()
    return d


def _flag(r: _Reader, key: str) -> bool:
    r.used.add(key)
    value = r.data.get(key, False)
    if not isinstance(value, bool):
        r.fail(key, _said("not_flag", value=value))
    return value


def scheme_from_dict(data: Any, source: str | None = None) -> Scheme:
    r = _Reader(data, "", source)
    weighting = r.get("weighting", default="weights", choices=WEIGHTINGS)
    dims = [_dimension(dr, weighting == "points") for dr in r.items("dimensions", required=True)]
    gates = []
    for gr in r.items("gates"):
        gates.append(Gate(indicator=gr.get("indicator", required=True),
                          op=gr.get("op", required=True, choices=GATE_OPS),
                          value=gr.get("value", float, required=True), cap=gr.get("cap", required=True),
                          name_zh=gr.get("name_zh", default=""), name_en=gr.get("name_en", default="")))
        gr.done()
    grades = []
    for gr in r.items("grades"):
        grades.append(Grade(grade=gr.get("grade", required=True), min=gr.get("min", float, required=True),
                            label_zh=gr.get("label_zh", default=""), label_en=gr.get("label_en", default="")))
        gr.done()
    prov = Provenance()
    if (pr := r.sub("provenance")):
        prov = Provenance(method=pr.get("method", default="direct", choices=PROVENANCES),
                          note=pr.get("note", default=""))
        pr.done()
    vetoes = []
    for vr in r.items("vetoes"):
        vetoes.append(Veto(indicator=vr.get("indicator", required=True),
                           op=vr.get("op", default=">=", choices=GATE_OPS), value=vr.get("value", float, default=1.0),
                           name_zh=vr.get("name_zh", default=""), name_en=vr.get("name_en", default="")))
        vr.done()
    notes = tuple(str(x) for x in r.get("notes", list, default=[]))
    treatment = _treatment(r.sub("treatment"))
    scheme = Scheme(
        id=r.get("id", required=True), name_zh=r.get("name_zh", required=True),
        name_en=r.get("name_en", required=True), dimensions=tuple(dims),
        description_zh=r.get("description_zh", default=""), description_en=r.get("description_en", default=""),
        weighting=weighting, aggregation=r.get("aggregation", default="arithmetic", choices=AGGREGATIONS),
        gates=tuple(gates), grades=tuple(grades) or DEFAULT_GRADES, provenance=prov, vetoes=tuple(vetoes),
        title=r.get("title", default=""), notes=notes,
        grade_scale=r.get("grade_scale", default="score", choices=GRADE_SCALES),
        missing_items=r.get("missing_items", default="zero", choices=MISSING_ITEMS),
        min_observed=r.get("min_observed", float, default=0.5), veto_ranked=_flag(r, "veto_ranked"))
    scheme = replace(scheme, treatment=treatment) if treatment != Treatment() else scheme
    r.done()
    return validate(scheme, source)


# A scheme file is a few hundred nodes; these limits are far above any real one and refuse hostile files
# (alias bombs, deep nesting, giant numbers, huge flat lists) in well under a second instead of running until killed.
# 1,000 indicators with both names and rationales written out are about 550,000 characters and 35,000 nodes. Nodes
# cost Python time (about 7 microseconds each), characters almost none (libyaml scans them), hence the low node cap.
MAX_YAML_BYTES = 1_000_000
MAX_YAML_NODES = 50_000       # after aliases are expanded: *a repeated is counted every time
MAX_YAML_DEPTH = 50
MAX_NUMBER = 1e15             # weights, scores, bounds: any larger value is a typo or an attack (1e308 + 1e308 = inf)
# The tree itself, the same at every door (scheme file, framework table, saved scheme): far above real schemes (3-4
# levels, a few hundred items), and low enough that the YAML written for any tree within them stays within the
# limits above, so that whatever one door accepts the others load back.
MAX_LEVELS = 10               # dimension levels + the indicator level
MAX_TREE_NODES = 2_000        # dimensions and indicators together


@dataclass
class YamlBudget:
    """YAML nodes still allowed (an alias counted as everything it expands to). A scheme file gets one budget; a
    framework table shares one among all its measure cells, so that many cells cost no more than one file."""
    nodes: int = MAX_YAML_NODES


class _Guards(Composer, SafeConstructor, Resolver):
    """Composer with the limits: nesting deeper than MAX_YAML_DEPTH (long before Python's recursion limit) or more
    nodes than the budget stop it at once, naming the field where it happened."""

    def _guard(self, source, budget: YamlBudget):
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._at: list = []   # (the parent node, the key or index in it) from the top down to the node being read
        self._source, self._budget, self.composed, self.aliased = source, budget, 0, False

    def compose_node(self, parent, index):
        self._at.append((parent, index.value if isinstance(index, yaml.ScalarNode) else index))
        self.composed += 1   # every node and every alias once, as written: counted before it costs anything
        self.aliased = self.aliased or self.check_event(yaml.AliasEvent)
        try:
            if len(self._at) > MAX_YAML_DEPTH:
                line = self.peek_event().start_mark.line + 1
                parts = _keys(self._at)
                path = _yaml_path(parts[:6]) + ("..." if len(parts) > 6 else "")
                raise SchemeError(path or _said("at.line", line=line),
                                  _said("too_deep_at", limit=MAX_YAML_DEPTH, line=line), self._source)
            if self.composed > self._budget.nodes:   # name the list or mapping holding the most items so far
                sizes = [-1 if p is None else len(p.value) for p, _ in self._at]
                path = _yaml_path(_keys(self._at[:sizes.index(max(sizes))]))
                raise SchemeError(path or _said("at.top"), _said("too_many_values", limit=f"{MAX_YAML_NODES:,}"),
                                  self._source)
            return super().compose_node(parent, index)
        finally:
            self._at.pop()

    def construct_yaml_int(self, node):
        if len(node.value) > 40:   # Python refuses to read ints of more than 4,300 digits; no scheme needs 40
            return _LongNumber(len(node.value))
        return super().construct_yaml_int(node)


class _LongNumber(int):
    """Stands in for an integer too long to read, so that check_numbers can name its field."""

    def __new__(cls, digits: int):
        self = super().__new__(cls, 10 ** 40)
        self.digits = digits
        return self


_Guards.add_constructor("tag:yaml.org,2002:int", _Guards.construct_yaml_int)


class _PyLoader(_Guards, Reader, Scanner, Parser):
    """The guards over PyYAML's pure-Python parser (used when PyYAML was built without libyaml)."""

    def __init__(self, stream, source, budget: YamlBudget):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        self._guard(source, budget)


if CParser is not None:
    class _CLoader(_Guards, CParser):
        """The guards over libyaml's parser: scanning in C is what keeps a hostile file of 1,000,000 characters
        under a second (pure Python took 13 s on a flat list of 500,000 items); composing stays in Python, guarded."""

        def __init__(self, stream, source, budget: YamlBudget):
            CParser.__init__(self, stream)
            self._guard(source, budget)


_GuardedLoader = _CLoader if CParser is not None else _PyLoader


def _keys(at: list) -> list:
    """The field path of a composer's (parent, key) steps: mapping keys and list indexes (a key being read has none)."""
    return [k for _, k in at if isinstance(k, (str, int))]


def _yaml_path(parts) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _expanded_sizes(root) -> dict[int, int]:
    """Node count of every node with aliases expanded, by id; each distinct node is visited once, so a
    billion-node alias tree costs as much as its few dozen distinct nodes."""
    size: dict[int, int] = {}
    open_: set[int] = set()     # nodes whose children are still being sized: meeting one again is a cycle
    stack = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in size:
            continue
        kids = ([k for pair in node.value for k in pair] if isinstance(node, yaml.MappingNode)
                else list(node.value) if isinstance(node, yaml.SequenceNode) else [])
        if ready or not kids:
            size[id(node)] = min(1 + sum(size[id(k)] for k in kids), 10 * MAX_YAML_NODES)
            open_.discard(id(node))
        elif id(node) in open_:
            size[id(node)] = 10 * MAX_YAML_NODES   # an alias inside its own anchor: endless when expanded
        else:
            open_.add(id(node))
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in size)
    return size


def _check_expansion(root, source, budget: YamlBudget) -> None:
    """Spends the nodes `root` expands to from the budget. Composing counted each alias once and stayed within the
    budget, so a file over it here is over it through its aliases."""
    size = _expanded_sizes(root)
    if size[id(root)] <= budget.nodes:
        budget.nodes -= size[id(root)]
        return
    # name the field: follow the largest child down while it alone is over the budget
    node, path, seen = root, [], set()
    while id(node) not in seen:
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            kids = [(k.value if isinstance(k, yaml.ScalarNode) else "?", v) for k, v in node.value]
        elif isinstance(node, yaml.SequenceNode):
            kids = list(enumerate(node.value))
        else:
            kids = []
        big = [(p, k) for p, k in kids if size[id(k)] > budget.nodes]
        if not big:
            break
        step, node = big[0]
        path.append(step)
    raise SchemeError(_yaml_path(path) or _said("at.top"), _said("alias_bomb", limit=f"{MAX_YAML_NODES:,}"), source)


def check_numbers(data: Any, source) -> None:
    """Every number finite and within MAX_NUMBER, so that no weight, sum or bound overflows later."""
    if not isinstance(data, (dict, list)):
        _check_number(data, (), source)
        return
    stack = [((), data)]   # (path, a mapping or list): the scalars are checked in place, only containers are stacked
    while stack:
        path, box = stack.pop()
        for key, value in ((str(k), v) for k, v in box.items()) if isinstance(box, dict) else enumerate(box):
            if isinstance(value, (dict, list)):
                stack.append((path + (key,), value))
            elif isinstance(value, (int, float)):
                _check_number(value, path + (key,), source)


def _check_number(value: Any, path: tuple, source) -> None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not abs(value) <= MAX_NUMBER:
        shown = (f"{value:.3g}" if isinstance(value, float) else _said("digits", n=f"{value.digits:,}")
                 if isinstance(value, _LongNumber) else str(value))   # nan fails `abs(x) <= limit` too
        raise SchemeError(_yaml_path(path) or _said("at.top"), _said("huge_number", limit=f"{MAX_NUMBER:g}", got=shown),
                          source)


OUTLIER_RULES = ("off", "winsorise")


def _treatment(r: _Reader | None) -> Treatment:
    """The optional `treatment:` block; every field optional."""
    if r is None:
        return Treatment()
    winmax = r.get("winmax", float, default=5.0)
    if winmax < 0 or not winmax.is_integer():
        r.fail("winmax", _said("winmax", value=f"{winmax:g}"))
    t = Treatment(group=r.get("group", default="district"),
                  outliers=r.get("outliers", default="off", choices=OUTLIER_RULES), winmax=int(winmax),
                  skew=r.get("skew", float, default=2.0), kurtosis=r.get("kurtosis", float, default=3.5))
    if t.skew <= 0:
        r.fail("skew", _said("skew", value=f"{t.skew:g}"))
    r.done()
    return t


# An English name followed by a Chinese colon at a line's start ("name_zh：社区"): YAML reads the line as one text and
# stops at the next line, or takes the text where a mapping belongs (an input method left in Chinese mode). Looked for
# only once the file failed, so a colon inside a name or a text never is.
_FULL_WIDTH_KEY = re.compile(r"^[ \t]*(?:-[ \t]+)?[A-Za-z_][A-Za-z0-9_]*[ \t]*(：)", re.MULTILINE)


def _full_width(text: str, source, where=None) -> None:
    """Raises the refusal naming a Chinese colon typed where the file's grammar needs the English one (at its line,
    or at `where`), if `text` has one; else returns."""
    m = _FULL_WIDTH_KEY.search(text) if "：" in text else None
    if m:
        where = where or _said("at.line", line=text.count("\n", 0, m.start(1)) + 1)
        raise SchemeError(where, _said("full_width", mark=char_word(m.group(1))), source)


def _check_brackets(text: str, source) -> None:
    """Flow brackets nested far too deep, found in one pass before PyYAML's scanner (which slows down on thousands of
    open brackets): the line and its key are named. Brackets in quoted text count too, so the limit is generous."""
    if text.count("[") + text.count("{") <= 4 * MAX_YAML_DEPTH:   # too few to be that deep: no walk over the text
        return
    depth = 0
    for n, line in enumerate(text.splitlines(), start=1):
        for ch in line:
            depth = depth + 1 if ch in "[{" else max(depth - 1, 0) if ch in "]}" else depth
            if depth > 4 * MAX_YAML_DEPTH:
                key = re.match(r"\s*-?\s*([^:\[{]+):", line)
                field = _said("at.line_key", line=n, name=key.group(1).strip()) if key else _said("at.line", line=n)
                raise SchemeError(field, _said("too_deep", limit=MAX_YAML_DEPTH), source)


def load_yaml_value(text: str, source: str | None = None, budget: YamlBudget | None = None) -> Any:
    """Any YAML text from a person (a scheme file, a framework table's measure cell) read under the limits above:
    its size, nesting, node count (aliases expanded; `budget` shared by several texts) and numbers. The value, or a
    SchemeError naming the field inside the text."""
    budget = YamlBudget() if budget is None else budget
    if len(text) > MAX_YAML_BYTES:
        raise SchemeError(_said("at.file"), _said("too_many_chars", n=f"{len(text):,}", limit=f"{MAX_YAML_BYTES:,}"),
                          source)
    if budget.nodes <= 0:   # spent by the texts before this one
        raise SchemeError(_said("at.top"), _said("too_many_values", limit=f"{MAX_YAML_NODES:,}"), source)
    _check_brackets(text, source)
    loader = None
    try:
        loader = _GuardedLoader(text, source, budget)
        root = loader.get_single_node()
        if loader.aliased:
            _check_expansion(root, source, budget)
        else:   # without aliases the nodes are the ones composed, each once
            budget.nodes -= loader.composed
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        _full_width(text, source)        # the likeliest cause, named, when there is one
        mark = getattr(exc, "problem_mark", None)
        where = _said("at.line_column", line=mark.line + 1, column=mark.column + 1) if mark else _said("at.yaml")
        raise SchemeError(where, _said("not_yaml", detail=getattr(exc, "problem", exc)), source) from None
    except UnicodeError as exc:   # libyaml reads UTF-8: a lone surrogate in the text cannot be encoded
        raise SchemeError(_said("at.yaml"), _said("not_yaml", detail=exc.reason), source) from None
    finally:
        if loader is not None:
            loader.dispose()
    check_numbers(data, source)
    return data


def load_yaml(text: str, source: str | None = None) -> Scheme:
    return scheme_from_dict(load_yaml_value(text, source), source)


def load_file(path: str | Path) -> Scheme:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_YAML_BYTES * 4:   # UTF-8: up to 4 bytes a character; load_yaml counts exactly
            raise SchemeError(_said("at.file"), _said("too_many_bytes", mb=f"{path.stat().st_size / 1e6:.1f}",
                                                          limit=f"{MAX_YAML_BYTES * 4 / 1e6:g}"), str(path))
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemeError(_said("at.file"), _said("unreadable", detail=exc), str(path)) from None
    return load_yaml(text, str(path))


# ---------------------------------------------------------------- structural checks

def _check_weights(items, path: str, source, all_zero: bool = True):
    for n, item in enumerate(items):
        if item.weight < 0:
            raise SchemeError(f"{path}[{n}].weight", _said("negative", value=f"{item.weight:g}"), source)
    if all_zero and items and sum(i.weight for i in items) <= 0:
        raise SchemeError(f"{path}[*].weight", _said("all_zero"), source)


def _check_measure(m: Measure, path: str, source):
    def need(name):
        if getattr(m, name) in (None, "", ()):
            raise SchemeError(f"{path}.{name}", _said("measure_needs", kind=m.kind), source)
    if m.kind in ("ratio",):
        need("numerator"); need("denominator")
        _check_measure(m.numerator, f"{path}.numerator", source)
        _check_measure(m.denominator, f"{path}.denominator", source)
    elif m.kind == "per_1000":
        need("of")
        _check_measure(m.of, f"{path}.of", source)
    elif m.kind == "value":
        pass   # the series and denominator names are checked against the record columns when compiled
    elif m.kind in REACH_KINDS:
        if m.days is not None and not (isinstance(m.days, int) and 1 <= m.days <= 36500):
            raise SchemeError(f"{path}.days", _said("days_range", value=repr(m.days)), source)
    elif m.kind == "top_share":
        need("top")
        if not 0 < m.top < 1:
            raise SchemeError(f"{path}.top", _said("top_fraction", value=f"{m.top:g}"), source)
    else:
        need("table")
        if m.kind in ("sum", "mean", "median", "distinct", "scale"):
            need("column")
        if m.kind == "share":
            need("filter")
        if m.kind == "scale":
            need("levels")
            seen = set()
            for n, lv in enumerate(m.levels):
                if lv.value in seen:
                    raise SchemeError(f"{path}.levels[{n}].value", _said("level_repeat", value=lv.value), source)
                seen.add(lv.value)


def _check_indicator(ind: Indicator, ipath: str, source):
    if not isinstance(ind.id, str) or not _NODE_ID.match(ind.id):
        raise SchemeError(f"{ipath}.id", _said("bad_code", id=ind.id), source)
    if ind.evidence is not None and ind.evidence not in EVIDENCE_KINDS:
        raise SchemeError(f"{ipath}.evidence", _said("not_choice", choices=", ".join(EVIDENCE_KINDS),
                                                     value=ind.evidence), source)
    _check_measure(ind.measure, f"{ipath}.measure", source)
    nm = ind.normalisation
    if nm.method == "goalposts":
        if nm.low is None or nm.high is None:
            raise SchemeError(f"{ipath}.normalisation", _said("goalposts_both"), source)
        if nm.low >= nm.high:
            raise SchemeError(f"{ipath}.normalisation.high", _said("goalposts_order", low=f"{nm.low:g}"), source)
    if nm.method == "target" and (nm.target is None or nm.target < 0):
        raise SchemeError(f"{ipath}.normalisation.target", _said("target_required"), source)


def _check_points(item, path: str, points_scheme: bool, source):
    if not points_scheme:
        if item.points is not None:
            raise SchemeError(f"{path}.points", _said("points_need_weighting"), source)
        if isinstance(item, Indicator) and item.scoring is not None:
            raise SchemeError(f"{path}.scoring", _said("scoring_needs_points"), source)
        return
    if isinstance(item, Indicator):
        if item.points is None:
            raise SchemeError(f"{path}.points", _said("points_required"), source)
        if not (math.isfinite(item.points) and item.points >= 0):   # 0 points: an item for information only
            raise SchemeError(f"{path}.points", _said("points_positive", value=f"{item.points:g}"), source)
        if item.scoring is not None:
            check_scoring(item.scoring, item.points, item.direction, f"{path}.scoring", source)


def check_scoring(s: Scoring, points: float, direction: str = "higher", path: str = "scoring",
                  source: str | None = None) -> None:
    """A rule that can give more than the item's points, or bands that are not monotone, is refused: a better
    value must never earn fewer points."""
    if s.rule == "bands":
        higher = direction == "higher"
        for n, (thr, pts) in enumerate(s.steps):
            if not 0 <= pts <= points + 1e-9:
                raise SchemeError(f"{path}.steps[{n}]", _said("step_points", points=f"{points:g}", got=f"{pts:g}"),
                                  source)
            if n and not ((thr < s.steps[n - 1][0]) if higher else (thr > s.steps[n - 1][0])):
                raise SchemeError(f"{path}.steps[{n}]", _said("steps_order_higher" if higher else "steps_order_lower"),
                                  source)
            if n and pts > s.steps[n - 1][1]:
                raise SchemeError(f"{path}.steps[{n}]", _said("steps_points_order"), source)
        if not 0 <= s.otherwise <= s.steps[-1][1]:
            raise SchemeError(f"{path}.else", _said("else_points", last=f"{s.steps[-1][1]:g}"), source)
    elif s.rule == "deduct" and s.per > points + 1e-9 and points > 0:
        pass   # one unit short loses everything: allowed ("不达标不得分")


def _check_text(path: str, value: Any, source, breaks: bool = False) -> None:
    """Names refused with a control character in them (C0, C1, bidi overrides): they hide or reorder what a reader
    sees, or drive a terminal. Multi-line fields (rationales, notes, titles) may hold tabs and line breaks."""
    from indicators.text_safety import control, named
    if isinstance(value, str) and (bad := control(value, allow_breaks=breaks)):
        raise SchemeError(path, _said("control", char=named(bad[1]), at=bad[0] + 1), source)


def _check_node_text(node, path: str, source) -> None:
    for field in ("name_zh", "name_en", "unit"):
        _check_text(f"{path}.{field}", getattr(node, field, ""), source)
    for field in ("rationale_zh", "rationale_en"):
        _check_text(f"{path}.{field}", getattr(node, field, ""), source, breaks=True)


def _look_alike(code: str, path: str, seen: dict[str, str], source) -> None:
    """B11 beside b11 or Ｂ11: two codes a reader cannot tell apart are refused, naming both."""
    key = ("look-alike", code_key(code))   # kept beside the codes themselves: one look-up, not a scan
    other = seen.get(key)
    if other is not None and other != code:
        raise SchemeError(path, _said("look_alike", id=code, other=other, where=seen[other]), source)
    seen[key] = code


def _tree(dims: tuple[Dimension, ...], prefix: str, points_scheme: bool, seen: dict[str, str],
          source) -> tuple[Dimension, ...]:
    """Checks one level of dimensions and everything below it; in a points scheme returns them with points summed
    up from the leaves and every weight set to its node's points."""
    out = []
    for d_n, dim in enumerate(dims):
        dpath = f"{prefix}dimensions[{d_n}]"
        if not isinstance(dim.id, str) or not _NODE_ID.match(dim.id):
            raise SchemeError(f"{dpath}.id", _said("bad_node_id", id=dim.id), source)
        if dim.id in seen:
            raise SchemeError(f"{dpath}.id", _said("id_used", id=dim.id, where=seen[dim.id]), source)
        _look_alike(dim.id, f"{dpath}.id", seen, source)
        seen[dim.id] = dpath
        _check_node_text(dim, dpath, source)
        if not dim.children:
            raise SchemeError(f"{dpath}.indicators", _said("empty_dimension"), source)
        inds = []
        for i_n, ind in enumerate(dim.indicators):
            ipath = f"{dpath}.indicators[{i_n}]"
            if ind.id in seen and seen[ind.id] != dpath:   # a dimension of one indicator may share its code
                raise SchemeError(f"{ipath}.id", _said("id_used", id=ind.id, where=seen[ind.id]), source)
            _check_indicator(ind, ipath, source)
            _check_node_text(ind, ipath, source)
            if ind.id not in seen:
                _look_alike(ind.id, f"{ipath}.id", seen, source)
            seen[ind.id] = ipath
            _check_points(ind, ipath, points_scheme, source)
            if points_scheme:   # a records measure with no rule is scored against the other stations, and says so
                inds.append(replace(ind, weight=ind.points, relative=ind.scoring is None and (
                    ind.relative or ind.measure.kind != "value")))
        subs = _tree(dim.dimensions, f"{dpath}.", points_scheme, seen, source)
        if points_scheme:
            total = float(sum(c.points for c in (*inds, *subs)))
            if dim.points is not None and not math.isclose(dim.points, total, rel_tol=1e-9, abs_tol=1e-9):
                raise SchemeError(f"{dpath}.points", _said("points_sum", given=f"{dim.points:g}", total=f"{total:g}"),
                                  source)
            dim = replace(dim, points=total, weight=total, indicators=tuple(inds), dimensions=subs)
        else:
            _check_points(dim, dpath, points_scheme, source)
            kinds = [k for k in ("indicators", "dimensions") if getattr(dim, k)]
            for kind in kinds:
                _check_weights(getattr(dim, kind), f"{dpath}.{kind}", source, all_zero=False)
            if sum(c.weight for c in dim.children) <= 0:
                where = f"{kinds[0]}[*]" if len(kinds) == 1 else "(indicators, dimensions)[*]"
                raise SchemeError(f"{dpath}.{where}.weight", _said("all_zero"), source)
        out.append(dim)
    return tuple(out)


def _check_tree_size(dims: tuple[Dimension, ...], source) -> None:
    """MAX_LEVELS and MAX_TREE_NODES, in one pass without recursion, before the recursive checks below run (a
    10,000-level chain would otherwise reach Python's recursion limit)."""
    stack, count = [(d, 1, f"dimensions[{n}]") for n, d in enumerate(dims)], 0
    while stack:
        dim, depth, path = stack.pop()
        count += 1 + len(dim.indicators)
        levels = depth + (1 if dim.indicators else 0)
        if levels > MAX_LEVELS:
            shown = path if len(path) <= 80 else path[:38] + "..." + path[-38:]
            raise SchemeError(shown, _said("too_many_levels", limit=MAX_LEVELS), source)
        if count > MAX_TREE_NODES:
            raise SchemeError("dimensions", _said("too_many_nodes", limit=f"{MAX_TREE_NODES:,}"), source)
        stack.extend((s, depth + 1, f"{path}.dimensions[{n}]") for n, s in enumerate(dim.dimensions))


def validate(scheme: Scheme, source: str | None = None) -> Scheme:
    """Checks that need no database: codes, tree, weights or points, normalisation parameters, gates, grades.

    Returns the scheme to use: in a points scheme every dimension's points are summed from its leaves and every
    weight is its node's points (so a child's weight within its parent is points / parent points)."""
    if not _ID.match(scheme.id):
        raise SchemeError("id", _said("bad_scheme_id", id=scheme.id), source)
    if scheme.weighting not in WEIGHTINGS:
        raise SchemeError("weighting", _said("not_choice", choices=", ".join(WEIGHTINGS), value=scheme.weighting), source)
    if scheme.aggregation not in AGGREGATIONS:
        raise SchemeError("aggregation", _said("not_choice", choices=", ".join(AGGREGATIONS),
                                               value=scheme.aggregation), source)
    if not scheme.dimensions:
        raise SchemeError("dimensions", _said("no_dimensions"), source)
    points_scheme = scheme.weighting == "points"
    if not points_scheme:
        _check_weights(scheme.dimensions, "dimensions", source)
    _check_tree_size(scheme.dimensions, source)
    for field in ("name_zh", "name_en"):
        _check_text(field, getattr(scheme, field), source)
    for field in ("description_zh", "description_en", "title"):
        _check_text(field, getattr(scheme, field), source, breaks=True)
    for n, note in enumerate(scheme.notes):
        _check_text(f"notes[{n}]", note, source, breaks=True)
    for key, items in (("gates", scheme.gates), ("vetoes", scheme.vetoes), ("grades", scheme.grades)):
        for n, item in enumerate(items):
            for field in ("name_zh", "name_en", "label_zh", "label_en", "grade"):
                _check_text(f"{key}[{n}].{field}", getattr(item, field, ""), source)
    seen: dict[str, str] = {}
    dims = _tree(scheme.dimensions, "", points_scheme, seen, source)
    if points_scheme:
        scheme = replace(scheme, dimensions=dims)
        if scheme.points_total() <= 0:
            raise SchemeError("dimensions", _said("points_all_zero"), source)
        if scheme.aggregation != "arithmetic":   # a 分值 table's total is the plain sum of the points earned
            raise SchemeError("aggregation", _said("points_arithmetic", value=scheme.aggregation), source)
    elif scheme.grade_scale == "points":
        raise SchemeError("grade_scale", _said("grade_scale_points"), source)
    for key, value, choices in (("grade_scale", scheme.grade_scale, GRADE_SCALES),
                                ("missing_items", scheme.missing_items, MISSING_ITEMS)):
        if value not in choices:
            raise SchemeError(key, _said("not_choice", choices=", ".join(choices), value=value), source)
    if not (isinstance(scheme.min_observed, (int, float)) and 0 <= scheme.min_observed <= 1):
        raise SchemeError("min_observed", _said("share_range", value=scheme.min_observed), source)
    leaves = {i.id for i in scheme.indicators}
    grade_names = [g.grade for g in scheme.grades]
    if len(set(grade_names)) != len(grade_names):
        raise SchemeError("grades", _said("grades_unique"), source)
    if min(g.min for g in scheme.grades) > 0:
        raise SchemeError("grades", _said("grades_zero"), source)
    for g_n, gate in enumerate(scheme.gates):
        if gate.indicator not in leaves:
            raise SchemeError(f"gates[{g_n}].indicator", _said("gate_indicator", id=gate.indicator), source)
        if gate.cap not in grade_names:
            raise SchemeError(f"gates[{g_n}].cap", _said("gate_cap", cap=gate.cap, grades=", ".join(grade_names)), source)
    for v_n, veto in enumerate(scheme.vetoes):
        if veto.indicator not in leaves:
            raise SchemeError(f"vetoes[{v_n}].indicator", _said("gate_indicator", id=veto.indicator), source)
        if veto.op not in GATE_OPS:
            raise SchemeError(f"vetoes[{v_n}].op", _said("not_choice", choices=", ".join(GATE_OPS), value=veto.op),
                              source)
    return scheme
