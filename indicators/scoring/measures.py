"""Measure specs -> parameterised DuckDB SQL: one grouped pass per record relation, then raw values per station."""
from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass
from datetime import date
from typing import Callable, Sequence

import duckdb
import numpy as np
import pandas as pd

from indicators.errors import InputError, Word
from indicators.scoring.expr import ExprError, columns_used, compile_filter, compile_value
from indicators.scheme.model import REACH_KINDS, Indicator, Measure, SchemeError, _said
from indicators.records.store import PERIOD_COLUMN, TABLES, VOCABULARIES

FAR_PAST, FAR_FUTURE = date(1900, 1, 1), date(9999, 12, 31)


@dataclass(frozen=True)
class Period:
    """The assessment period; either end may be open."""
    start: date | None = None
    end: date | None = None

    def params(self) -> list[date]:
        return [self.start or FAR_PAST, self.end or FAR_FUTURE]

    def __str__(self) -> str:
        return f"{self.start or '…'} – {self.end or '…'}"

    def text(self, lang: str) -> str:
        """The period as a reader of `lang` writes a range: 2024-01-01 – 2024-12-31, 2024-01-01～2024-12-31."""
        return f"{self.start or '…'}～{self.end or '…'}" if lang == "zh" else str(self)


# Columns each measure table offers: the record columns plus derived ones (computed only when a filter uses them).
_DERIVED = {
    "needs": {"days_to_resolve": "BIGINT"},
    "activities": {"days_to_next_inspection": "BIGINT"},
    "attendance": {"station_id": "VARCHAR", "held_on": "DATE", "kind": "VARCHAR", "need_id": "VARCHAR",
                   "age_band": "VARCHAR", "priority_group": "VARCHAR"},
}
# Attendance columns that the per-(station, resident) pre-aggregation keeps.
_PER_RESIDENT = frozenset({"station_id", "resident_id"})
MEASURE_TABLES = ("needs", "activities", "attendance", "inspections", "feedback", "expenditures",
                  "ratings", "residents")
# Numeric station columns a `value` measure may divide by.
STATION_NUMBERS = tuple(c for c, t in TABLES["stations"].items() if t in ("INTEGER", "BIGINT", "DOUBLE"))


def table_columns(table: str) -> dict[str, str]:
    return {**TABLES[table], **_DERIVED.get(table, {})}


def table_vocab(table: str) -> dict[str, tuple[str, ...]]:
    vocab = {c: v for (t, c), v in VOCABULARIES.items() if t == table}
    if table == "attendance":
        vocab["kind"] = VOCABULARIES[("activities", "kind")]
        vocab["priority_group"] = VOCABULARIES[("residents", "priority_group")]
    return vocab


def _attendees_pass(used: set[str], span: tuple[int, int] | None = None) -> tuple[str, int]:
    """The (station, resident) rows of the attendees relation, before the station's first month is joined to them
    (with_first_month), and how many period params they take."""
    if not used & ROTATION:
        # Attendance pre-aggregated once: one row per (station, resident) with the number of visits. Every
        # term that needs no more than that (top_share, distinct residents) runs over it, so the
        # 24-million-row join of attendance to activities happens once per scheme.
        inner, n = _relation_sql("attendance", set())
        return (f"SELECT station_id, resident_id, count(*) AS visits FROM ({inner}) "
                "GROUP BY station_id, resident_id"), n
    return attendees_sql(used, *(span or (0, 1))), 2


def with_first_month(rows: str) -> str:
    """The attendees rows of the relation named `rows` with the station's first month of the period beside each:
    its attendees have no month before it to return from (returning_share). A grouped pass over the rows joined
    back, cheaper than a window over them."""
    first = _MONTH.format(d="first_in")
    return (f"SELECT x.*, {first} AS first_month, o.station_first_month FROM {rows} x LEFT JOIN (SELECT station_id "
            f"AS s, min({first}) AS station_first_month FROM {rows} GROUP BY station_id) o ON o.s = x.station_id")


def _relation_sql(table: str, used: set[str], span: tuple[int, int] | None = None) -> tuple[str, int]:
    """SQL of one measure table for the period (our own fixed text) and how many period params it takes;
    `span` is month_span's (first month, words) for the attendees' month masks."""
    if table == "needs":
        extra = ", date_diff('day', raised_on, resolved_on) AS days_to_resolve" if "days_to_resolve" in used else ""
        return f"SELECT *{extra} FROM needs WHERE raised_on BETWEEN ? AND ?", 2
    if table == "activities":
        if "days_to_next_inspection" in used:
            # The first inspection of its station on or after the day an activity was held: each inspection day
            # closes a window (the station's previous inspection day, this one], and an activity joins the one
            # window it falls in (two inspections on one day need no DISTINCT: the second one's window (that day,
            # that day] is empty). A range join on the small inspections table, plain SQL that Spark runs as well.
            # Joined on the station alone, each activity would be checked against every window of its station, a
            # cost that grows with the square of the years; so a window within two calendar months is joined on
            # (station, month) too, once for each month it touches, and only the longer ones (the first window,
            # long gaps) on the station alone (benchmarks/README.md).
            # (each window's two months are computed once, in w, not again in every condition: 4-6% of the query)
            return ("WITH w AS (SELECT station_id, inspected_on, after_on, date_trunc('month', inspected_on) AS m_to, "
                    "date_trunc('month', after_on + 1) AS m_from FROM (SELECT station_id, inspected_on, "
                    "coalesce(lag(inspected_on) OVER (PARTITION BY station_id ORDER BY inspected_on), "
                    "DATE '0001-01-01') AS after_on FROM inspections WHERE inspected_on IS NOT NULL)), "
                    "short AS (SELECT station_id, after_on, inspected_on, m_to AS month FROM w "
                    "WHERE m_from >= m_to - INTERVAL 1 MONTH UNION ALL SELECT station_id, after_on, inspected_on, m_from "
                    "FROM w WHERE m_from = m_to - INTERVAL 1 MONTH), "
                    "long AS (SELECT station_id, after_on, inspected_on FROM w WHERE m_from < m_to - INTERVAL 1 MONTH) "
                    "SELECT a.*, date_diff('day', a.held_on, coalesce(s.inspected_on, l.inspected_on)) "
                    "AS days_to_next_inspection FROM activities a "
                    "LEFT JOIN short s ON a.station_id = s.station_id AND date_trunc('month', a.held_on) = s.month "
                    "AND a.held_on > s.after_on AND a.held_on <= s.inspected_on "
                    "LEFT JOIN long l ON a.station_id = l.station_id "
                    "AND a.held_on > l.after_on AND a.held_on <= l.inspected_on "
                    "WHERE a.held_on BETWEEN ? AND ?"), 2
        return "SELECT * FROM activities WHERE held_on BETWEEN ? AND ?", 2
    if table == "attendance":
        people = {"age_band", "priority_group"} & used
        join = " LEFT JOIN residents r ON r.resident_id = t.resident_id" if people else ""
        cols = "".join(f", r.{c}" for c in sorted(people))
        return ("SELECT t.activity_id, t.resident_id, a.station_id, a.held_on, a.kind, a.need_id" + cols +
                " FROM attendance t JOIN activities a ON a.activity_id = t.activity_id" + join +
                " WHERE a.held_on BETWEEN ? AND ?"), 2
    if table == "attendees":
        rows, n = _attendees_pass(used, span)
        return (f"WITH per AS ({rows}) {with_first_month('per')}" if "@months" in used else rows), n
    if table == "indicator_values":
        # A value counts for the period when its own period overlaps it; of those, a station's figures of the most
        # recent period (latest end, then latest start) are the ones read: recency 1. Several raters' sheets for
        # that period are several rows of recency 1, which the term combines (series_term).
        return ("SELECT *, rank() OVER (PARTITION BY station_id, indicator_id ORDER BY period_end DESC, "
                "period_start DESC) AS recency FROM indicator_values WHERE period_end >= ? AND period_start <= ?"), 2
    if table in PERIOD_COLUMN:
        return f"SELECT * FROM {table} WHERE {PERIOD_COLUMN[table]} BETWEEN ? AND ?", 2
    return f"SELECT * FROM {table}", 0


@dataclass(frozen=True)
class Term:
    """One aggregate over one measure table, grouped by station; `empty` is its value for a station with no rows."""
    table: str
    sql: str
    params: tuple
    empty: float
    used: frozenset[str]
    # an unreached_share term: the residents it counts, as a filter on residents (SQL, params); the attendees pass
    # then joins only the residents some term counts, not every registered one (residents_joined)
    residents: tuple[str, tuple] | None = None


Combine = Callable[[Sequence[np.ndarray], np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Plan:
    terms: tuple[Term, ...]
    combine: Combine   # (term values aligned with stations, population) -> raw values


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den
    out[~np.isfinite(out)] = np.nan   # a zero denominator is missing data, not infinity
    return out


COMBINES = ("mean", "median")   # how several raters' values for one station and period become one


def series_term(series: str, combine: str = "mean") -> Term:
    """One station's value of a series in indicator_values for the period. Several rows overlapping the period:
    those of the most recent period (ends last, then starts last) count, one per rater, combined by their mean
    or median (`combine`); a single source is one row, its own value. None: missing."""
    agg = {"mean": "avg", "median": "median"}.get(combine)
    if agg is None:
        raise SchemeError("measure.combine", _said("not_choice", choices=", ".join(COMBINES), value=combine))
    return Term("indicator_values", f"{agg}(value) FILTER (WHERE indicator_id = ? AND recency = 1)",
                (series,), math.nan, frozenset({"indicator_id", "value", "period_start", "period_end"}))


class MissingSeries(InputError):
    """A `value` measure reads a series of which indicator_values holds no row at all, in any period: an
    import that has not happened (or a misspelt code), which must not be scored as a column of missing values
    filled by the missing rule."""


def value_terms(measure: Measure, own: str | None, path: str = "measure",
                source: str | None = None) -> tuple[Term, Term | None]:
    """(the value's term, the denominator's term or None) of a `value` measure; names checked, never pasted."""
    series = measure.series or own
    if not series:
        raise SchemeError(f"{path}.series", _said("series_required"), source)
    combine = getattr(measure, "combine", None) or "mean"   # Measure.combine: several raters' values
    if combine not in COMBINES:
        raise SchemeError(f"{path}.combine", _said("not_choice", choices=", ".join(COMBINES), value=combine), source)
    den = measure.denominator
    if den is None or den == "":
        return series_term(series, combine), None
    if not isinstance(den, str):
        raise SchemeError(f"{path}.denominator", _said("denominator_name"), source)
    if den in TABLES["stations"]:
        if den not in STATION_NUMBERS:
            raise SchemeError(f"{path}.denominator", _said("denominator_not_number", column=den,
                                                           numeric=", ".join(STATION_NUMBERS)), source)
        # the name is one of the known columns (checked above), so quoting it is safe
        return series_term(series, combine), Term("stations", f'max("{den}")', (), math.nan, frozenset({den}))
    return series_term(series, combine), series_term(den, combine)


def plan(measure: Measure, path: str = "measure", source: str | None = None, own: str | None = None) -> Plan:
    """Compile a measure; an unknown table, column, value or function raises SchemeError naming `path`.
    `own` is the indicator's id: the series a `value` measure reads unless it names another."""
    kind = measure.kind
    if kind == "value":
        value, den = value_terms(measure, own, path, source)
        if den is None:
            return Plan((value,), lambda v, pop: v[0])
        return Plan((value, den), lambda v, pop: _div(v[0], v[1]))
    if kind == "ratio":
        a = plan(measure.numerator, f"{path}.numerator", source, own)
        b = plan(measure.denominator, f"{path}.denominator", source, own)
        k = len(a.terms)
        return Plan(a.terms + b.terms, lambda v, pop: _div(a.combine(v[:k], pop), b.combine(v[k:], pop)))
    if kind == "per_1000":
        inner = plan(measure.of, f"{path}.of", source, own)
        return Plan(inner.terms, lambda v, pop: _div(inner.combine(v, pop) * 1000.0, pop))
    if kind in REACH_KINDS:
        return reach_plan(measure, path, source)
    if kind == "top_share":
        cols = frozenset()
        # The visits of the ceil(top x attendees) most frequent attendees: the sum of that many largest visit
        # counts (how ties are ordered cannot change the sum), one sorted list per station instead of a window.
        # (attendees also holds pairs with no visit in the period when a rotation measure shares the pass)
        top = Term("attendees", "coalesce(list_sum(list_slice(list_sort(list(visits) FILTER (WHERE visits > 0), "
                   "'DESC'), 1, CAST(ceil(? * count(*) FILTER (WHERE visits > 0)) AS BIGINT))), 0)",
                   (float(measure.top),), 0.0, cols)
        everyone = Term("attendees", "coalesce(sum(visits), 0)", (), 0.0, cols)
        return Plan((top, everyone), lambda v, pop: _div(v[0], v[1]))

    table = measure.table
    if table not in MEASURE_TABLES:
        raise SchemeError(f"{path}.table", _said("unknown_table", table=table, tables=", ".join(MEASURE_TABLES)), source)
    columns, vocab = table_columns(table), table_vocab(table)

    def compiled(field: str, text: str | None, boolean: bool) -> tuple[str, list, set[str]]:
        if text is None or not str(text).strip():
            return "", [], set()
        try:
            sql, params = compile_filter(text, columns, vocab) if boolean else compile_value(text, columns)
            return sql, params, set(columns_used(text))
        except ExprError as exc:
            raise SchemeError(f"{path}.{field}", f"{exc} (in {text!r})", source, "expr.in_text", error=exc,
                              text=text) from None

    where, wparams, wused = compiled("filter", measure.filter, True)

    def agg(expr: str, params: list, cond: str, cparams: list, zero: bool = False) -> tuple[str, tuple]:
        sql = f"{expr} FILTER (WHERE {cond})" if cond else expr
        return (f"coalesce({sql}, 0)" if zero else sql), tuple(params + cparams)

    if kind == "count":
        sql, p = agg("count(*)", [], where, wparams)
        return Plan((Term(table, sql, p, 0.0, frozenset(wused)),), lambda v, pop: v[0])
    if kind == "share":
        base, bparams, bused = compiled("base", measure.base, True)
        # An empty filter is no filter: join only the conditions that were given (never "(...) AND ()").
        both = " AND ".join(f"({c})" for c in (base, where) if c)
        if measure.weight:
            value, vparams, vused = compiled("weight", measure.weight, False)
            num_sql, num_p = agg(f"sum({value})", vparams, both, bparams + wparams, zero=True)
            den_sql, den_p = agg(f"sum({value})", vparams, base, bparams, zero=True)
        else:   # a share of rows counts them (a sum of 1s is a 128-bit sum in DuckDB, slower to add and to fetch)
            vused = set()
            num_sql, num_p = agg("count(*)", [], both, bparams + wparams)
            den_sql, den_p = agg("count(*)", [], base, bparams)
        used = frozenset(wused | bused | vused)
        return Plan((Term(table, num_sql, num_p, 0.0, used), Term(table, den_sql, den_p, 0.0, used)),
                    lambda v, pop: _div(v[0], v[1]))
    if kind == "scale":
        if measure.column not in columns:
            raise SchemeError(f"{path}.column", _said("unknown_column", column=measure.column, table=table), source)
        cases = " ".join("WHEN ? THEN ?" for _ in measure.levels)
        params = [p for lv in measure.levels for p in (lv.value, float(lv.score))]
        expr = f'avg(CASE CAST("{measure.column}" AS VARCHAR) {cases} END)'
        sql, p = agg(expr, params, where, wparams)
        return Plan((Term(table, sql, p, math.nan, frozenset(wused | {measure.column})),), lambda v, pop: v[0])

    if kind == "distinct":   # a plain column: residents and needs are counted by their ids, which are text
        if measure.column not in columns:
            raise SchemeError(f"{path}.column", _said("unknown_column_known", column=measure.column, table=table,
                                                      known=", ".join(sorted(columns))), source)
        used = frozenset(wused | {measure.column})
        if table == "attendance" and used <= _PER_RESIDENT:
            # Distinct residents (or stations) need only the (station, resident) pairs: count them on the
            # pre-aggregated attendees, where each pair is one row, so resident ids are already distinct.
            expr = 'count("resident_id")' if measure.column == "resident_id" else f'count(DISTINCT "{measure.column}")'
            sql, p = agg(expr, [], f"visits > 0 AND ({where})" if where else "visits > 0", wparams)
            return Plan((Term("attendees", sql, p, 0.0, used),), lambda v, pop: v[0])
        sql, p = agg(f'count(DISTINCT "{measure.column}")', [], where, wparams)
        return Plan((Term(table, sql, p, 0.0, used),), lambda v, pop: v[0])
    value, vparams, vused = compiled("column", measure.column, False)
    # A sum over no rows is 0; a mean or median over no rows is missing.
    expr = {"sum": f"sum({value})", "mean": f"avg({value})", "median": f"median({value})"}[kind]
    sql, p = agg(expr, vparams, where, wparams, zero=kind == "sum")
    empty = 0.0 if kind == "sum" else math.nan
    return Plan((Term(table, sql, p, empty, frozenset(wused | vused)),), lambda v, pop: v[0])


# ---------------------------------------------------------------- who the services reach (rotation)

# The rotation measures share the `attendees` pass: one grouped query over attendance joined to activities, one
# row per (station, resident). A term names in `used` what it needs beyond the visit count, and the relation
# computes only that (our own fixed text, taking one (period start, period end) pair, cross-joined once as `p`):
#   @history     first_in (first visit in the period) and last_before (last visit before it): visits up to the
#                period's end are read, those before it only for last_before
#   @months      the months of the period a resident came, as bit masks, for month-on-month returning
#   @registered  the registered residents an unreached share counts (registered = 1), whether they came or not:
#                grouped apart, over those residents LEFT JOINed to the pass (_attendees_and_registered)
# Rows added for history have visits = 0, which the attendee terms filter out.
ROTATION = frozenset({"@history", "@months", "@registered"})
_PERIOD_ROW = "(SELECT CAST(? AS DATE) AS p_start, CAST(? AS DATE) AS p_end) p"
# Months are counted from the period's first month with an activity (k = 0, 1, ...) and kept in words of 62
# (bits of a BIGINT, the sign and one spare bit left alone so that a word shifted by one cannot overflow): a
# resident's months in word i are the bits of one bit_or, and the months attended right after an attended month
# are bit_count(mask & (mask << 1)), plus a pair across two words (bit 61 of one, bit 0 of the next). A period of
# up to five years and two months is one word; the number of words is known before the query (month_span).
_WORD = 62
_MONTH = "(year({d}) * 12 + month({d}))"
# (the month of the first and the last day, not the least and greatest month of every day: the same numbers, with
# year() and month() taken twice instead of once per activity)
MONTH_SPAN_SQL = (f"SELECT {_MONTH.format(d='min(held_on)')} AS lo, {_MONTH.format(d='max(held_on)')} AS hi "
                  "FROM activities WHERE held_on BETWEEN ? AND ?")


def attendees_sql(used: set[str], months_from: int = 0, words: int = 1) -> str:
    """The attendees relation with what the rotation terms in `used` need, in one grouped pass: no `lag` window.
    `months_from` is the period's first month with an activity (year * 12 + month) and `words` how many words
    of 62 months reach its last one (month_span). The station's first month (with_first_month) and the registered
    residents (_attendees_and_registered) are joined by the query."""
    history, months = ("@history" in used), ("@months" in used)
    k = f"{_MONTH.format(d='a.held_on')} - {int(months_from)}"
    # Per activity (not per attendance row): whether it falls in the period and its month's word and bit.
    # With month bits, an activity is in the period exactly when it has a bit (NULL before it), so the bit is the
    # test and no in-period flag rides through the 24-million-row join and grouping (2-3% of this query).
    inside, before = ("a.bit IS NOT NULL", "a.bit IS NULL") if months else ("in_p", "NOT in_p")
    acts = ("SELECT a.activity_id, a.station_id, a.held_on" + (", a.held_on >= p.p_start AS in_p" if history
                                                                and not months else "")
            + (f", CASE WHEN a.held_on >= p.p_start THEN CAST(floor(({k}) / {_WORD}) AS INTEGER) END AS w"
               if months and words > 1 else "")
            + (f", CASE WHEN a.held_on >= p.p_start THEN CAST(1 AS BIGINT) << CAST(({k}) % {_WORD} AS INTEGER) "
               "END AS bit" if months else "")
            + f" FROM activities a CROSS JOIN {_PERIOD_ROW} WHERE a.held_on <= p.p_end"
            + ("" if history else " AND a.held_on >= p.p_start"))
    f_in = f" FILTER (WHERE {inside})" if history else ""
    cols = ["count(a.bit) AS visits" if history and months else f"count(*){f_in} AS visits",
            f"min(a.held_on){f_in} AS first_in"]
    if history:
        cols.append(f"max(a.held_on) FILTER (WHERE {before}) AS last_before")
    n = max(1, int(words)) if months else 0
    # (one word: every bit is in it, and bits outside the period are NULL, which bit_or skips)
    cols += ["bit_or(a.bit) AS m0"] if n == 1 else [f"bit_or(a.bit) FILTER (WHERE a.w = {i}) AS m{i}" for i in range(n)]
    sql = (f"SELECT a.station_id, t.resident_id, {', '.join(cols)} FROM attendance t JOIN ({acts}) a "
           "ON a.activity_id = t.activity_id GROUP BY a.station_id, t.resident_id")
    out = ["first_in"] + (["last_before"] if history else [])
    if months:
        m = [f"coalesce(m{i}, 0)" for i in range(n)]
        top = f"CAST(1 AS BIGINT) << {_WORD - 1}"
        pairs = [f"bit_count({x} & ({x} << 1))" for x in m] + [
            f"CASE WHEN ({m[i]} & ({top})) <> 0 AND ({m[i + 1]} & 1) <> 0 THEN 1 ELSE 0 END" for i in range(n - 1)]
        sql = (f"SELECT station_id, resident_id, visits, {', '.join(out)}, "
               f"{' + '.join(f'bit_count({x})' for x in m)} AS months_in, {' + '.join(pairs)} AS month_pairs "
               f"FROM ({sql}) g")
    return sql


def floats(column) -> np.ndarray:
    """A fetched column as floats, NULL as NaN: DuckDB's fetchnumpy masks NULLs, another engine's DataFrame holds
    them as None or NaN (and its numbers may be Decimals)."""
    if isinstance(column, np.ma.MaskedArray):
        return column.astype(float).filled(np.nan)
    if isinstance(column, np.ndarray) and column.dtype.kind in "biuf":
        return column.astype(float)
    return pd.to_numeric(pd.Series(column), errors="coerce").to_numpy(dtype=float)


def month_span(run, period: Period) -> tuple[int, int]:
    """(first month, words) of attendees_sql for `period`: its first and last month with an activity."""
    found = run(MONTH_SPAN_SQL, period.params())
    lo, hi = floats(found["lo"])[0], floats(found["hi"])[0]
    if np.isnan(lo):
        return 0, 1
    return int(lo), int(hi - lo) // _WORD + 1


def reach_terms(measure: Measure, path: str = "measure", source: str | None = None) -> tuple[Term, Term, Term | None]:
    """(count, out of, history) of a rotation measure: its raw value is count / out of, and missing where the
    history term (when there is one) is 0, i.e. the station has no attendance recorded before the period."""
    history_, months_ = frozenset({"@history"}), frozenset({"@months"})
    if measure.kind == "new_share":
        attendees = Term("attendees", "count(first_in)", (), 0.0, history_)   # count(x), cheaper than a FILTER
        history = Term("attendees", "count(last_before)", (), 0.0, history_)
        if measure.days is None:
            new = Term("attendees", "count(*) FILTER (WHERE first_in IS NOT NULL AND last_before IS NULL)",
                       (), 0.0, history_)
        else:   # not seen in the `days` days before the first visit of the period
            new = Term("attendees", "count(*) FILTER (WHERE first_in IS NOT NULL AND (last_before IS NULL "
                       "OR date_diff('day', last_before, first_in) > ?))", (int(measure.days),), 0.0, history_)
        return new, attendees, history
    if measure.kind == "returning_share":
        # resident-months after the station's first month of the period, and those whose month before was attended
        months = Term("attendees", "coalesce(sum(months_in), 0) - count(*) FILTER (WHERE first_month = "
                      "station_first_month)", (), 0.0, months_)
        back = Term("attendees", "coalesce(sum(month_pairs), 0)", (), 0.0, months_)
        return back, months, None
    # unreached_share: residents matching `base`, and those of them not reached
    columns = dict(TABLES["residents"])
    base, params, used = "", [], set()
    if measure.base is not None and str(measure.base).strip():
        try:
            base, params = compile_filter(measure.base, columns, table_vocab("residents"))
            used = columns_used(measure.base)
        except ExprError as exc:
            raise SchemeError(f"{path}.base", f"{exc} (in {measure.base!r})", source, "expr.in_text", error=exc,
                              text=measure.base) from None
    where = f"registered = 1 AND ({base})" if base else "registered = 1"
    used = frozenset(used | {"@registered"})
    rows = (base or "TRUE", tuple(params))
    registered = Term("attendees", f"count(*) FILTER (WHERE {where})", tuple(params), 0.0, used, rows)
    unreached = Term("attendees", f"count(*) FILTER (WHERE {where} AND visits = 0)", tuple(params), 0.0, used, rows)
    return unreached, registered, None


def reach_plan(measure: Measure, path: str = "measure", source: str | None = None) -> Plan:
    count, of, history = reach_terms(measure, path, source)
    if history is None:
        return Plan((count, of), lambda v, pop: _div(v[0], v[1]))

    def share_with_history(v, pop):
        out = _div(v[0], v[1])
        out[v[2] <= 0] = np.nan   # no attendance before the period: whether anyone is new cannot be told
        return out
    return Plan((count, of, history), share_with_history)


def check_indicators(indicators: Sequence[Indicator], source: str | None = None,
                     paths: dict[str, str] | None = None) -> dict[str, Plan]:
    """Compile every indicator's measure (no database needed); errors name the indicator's field."""
    out = {}
    for ind in indicators:
        args = (ind.measure, f"{(paths or {}).get(ind.id, ind.id)}.measure", source, ind.id)
        try:
            out[ind.id] = _plan_once(*args)
        except TypeError:   # a measure built with a list somewhere cannot be a cache key: compiled each time
            out[ind.id] = plan(*args)
    return out


@functools.lru_cache(maxsize=4096)
def _plan_once(measure: Measure, path: str, source: str | None, own: str) -> Plan:
    """plan(), kept: a measure's SQL depends on nothing else, and compiling both built-in schemes' 26 measures
    again on every scoring was a tenth of its Python at 130 stations (a refused one is not kept)."""
    return plan(measure, path, source, own)


def load_stations(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    got = con.cursor().execute(
        "SELECT station_id, name, name_en, district, street, population, profile FROM stations ORDER BY station_id"
    ).fetchnumpy()   # a quarter cheaper than .df() at 130 stations
    sid = got.pop("station_id")
    # a population left empty stays an integer column with <NA>, as .df() gives it
    got = {k: pd.arrays.IntegerArray(v.data, v.mask) if isinstance(v, np.ma.MaskedArray) and v.dtype.kind in "iu"
           else v for k, v in got.items()}
    return pd.DataFrame(got, index=pd.Index(sid, name="station_id", dtype="str"))


def raw_values(con: duckdb.DuckDBPyConnection | None, plans: dict[str, Plan], stations: pd.DataFrame,
               period: Period = Period(), run=None, progress=None, may_be_absent=frozenset()) -> pd.DataFrame:
    """Run the plans: one grouped query per measure table, every term of that table in it. Stations x indicators.

    A series no row of indicator_values holds is refused by name, except for the plans named in `may_be_absent`:
    a points scheme's awarded items, where an item no sheet holds earns 0 and is flagged 缺项 (a sheet may hold
    any subset of a table's items), never a median.

    Another SQL engine takes the same queries through `run(sql, params)`, which returns the columns by name (a
    DataFrame: scoring/spark.py); by default they run on the DuckDB connection `con`, fetched as NumPy arrays
    (a DataFrame per query cost more than a small query at 130 stations). `progress(table, indicator ids,
    seconds)` is called before each table's query (seconds None) and after it (its wall seconds)."""
    by_table: dict[str, list[Term]] = {}
    for p in plans.values():
        for t in p.terms:
            if t not in by_table.setdefault(t.table, []):
                by_table[t.table].append(t)
    index = stations.index
    names = index.tolist()
    values: dict[Term, np.ndarray] = {}
    if run is None:
        cur = con.cursor()
        run = lambda sql, params: cur.execute(sql, params).fetchnumpy()   # noqa: E731
    if "indicator_values" in by_table:
        _refuse_missing_series(run, {k: p for k, p in plans.items() if k not in may_be_absent})
    for table, terms in by_table.items():
        used = set().union(*(t.used for t in terms))
        # the month masks of returning_share need the period's span of months first (a scan of activities' days)
        span = month_span(run, period) if table == "attendees" and "@months" in used else None
        # terms of one aggregate (a share's denominator is often another indicator's count) share its column
        column = {key: n for n, key in enumerate(dict.fromkeys((t.sql, t.params) for t in terms))}
        counted = {(t.sql, t.params) for t in terms if t.residents is not None}   # unreached shares' residents
        if counted:
            sql, params = _attendees_and_registered(column, counted, terms, period, span)
        else:
            rel, n_period = _relation_sql(table, used, span)
            params = period.params() * (n_period // 2) + [p for (_, ps) in column for p in ps]
            sql = f"WITH rel AS ({rel}) SELECT station_id, {_select(column)} FROM rel GROUP BY station_id"
        if progress:
            who = [ind for ind, p in plans.items() if any(t.table == table for t in p.terms)]
            progress(table, who, None)
            t0 = time.perf_counter()
        try:
            found = run(sql, params)
        except duckdb.CatalogException:
            if table != "indicator_values":
                raise
            # a database made before indicator_values existed: no values from elsewhere, every one missing
            found = pd.DataFrame({"station_id": pd.Series([], dtype=object),
                                  **{f"v{n}": pd.Series([], dtype=float) for n in column.values()}})
        if progress:
            progress(table, who, time.perf_counter() - t0)
        # Row of each station in the result (one per station: grouped by it); -1 for stations with no rows at all
        # in this table for the period, which take the term's `empty` value. (A dict: pandas' get_indexer first
        # builds an index of the ids, six times the cost at 130 stations.)
        row = {s: k for k, s in enumerate(found["station_id"])}
        pos = np.fromiter((row.get(s, -1) for s in names), dtype=np.intp, count=len(names))
        present = pos >= 0
        got = {n: floats(found[f"v{n}"])[pos[present]] for n in column.values()}
        if counted:   # a station may have attendees and no resident counted, or the reverse: `empty` for that part
            part = {"attending": floats(found["attending"])[pos[present]] > 0,
                    "counted": floats(found["counted"])[pos[present]] > 0}
        for t in terms:
            key = (t.sql, t.params)
            col = np.full(len(index), t.empty, dtype=float)
            col[present] = got[column[key]]
            if counted:
                here = np.flatnonzero(present)[~part["counted" if key in counted else "attending"]]
                col[here] = t.empty
            values[t] = col
    population = stations["population"].astype(float).to_numpy(copy=True)
    population[population <= 0] = np.nan
    return block({k: np.asarray(p.combine([values[t] for t in p.terms], population), dtype=float)
                  for k, p in plans.items()}, index)


def block(columns: dict[str, np.ndarray], index: pd.Index, labels: pd.Index | None = None) -> pd.DataFrame:
    """Stations x columns as one block, under `labels` when they are already made (at 130 stations a frame from
    a dict of columns, or labels made again, cost more than the arithmetic)."""
    data = np.column_stack(list(columns.values())) if columns else np.empty((len(index), 0))
    return pd.DataFrame(data, index=index, columns=pd.Index(list(columns)) if labels is None else labels)


def _select(column: dict[tuple[str, tuple], int]) -> str:
    return ", ".join(f"{sql} AS v{n}" for (sql, _), n in column.items())


def _attendees_and_registered(column: dict, counted: set, terms: Sequence[Term], period: Period,
                              span: tuple[int, int] | None) -> tuple[str, list]:
    """The attendees query when unreached shares count registered residents: the attendee terms grouped over the
    (station, resident) pass, and the counted terms over the residents of their bases LEFT JOINed to that pass
    (registered = 1, visits 0 for one who never came), the two joined by station, each with a flag (`attending`,
    `counted`) saying the station has rows in it. Joining the residents into every attendee row instead (a FULL
    JOIN, then every term over all the rows) cost 3% more at 1,300 stations (benchmarks/README.md)."""
    mine = {key: n for key, n in column.items() if key not in counted}
    theirs = {key: n for key, n in column.items() if key in counted}
    used = set().union(*(t.used for t in terms if (t.sql, t.params) in mine)) - {"@registered"}
    rel, n_period = _attendees_pass(used, span)   # kept once (v), read by both sides
    joined, jparams = residents_joined(terms)
    params = period.params() * (n_period // 2)
    b = (f"SELECT station_id, 1 AS counted, {_select(theirs)} FROM (SELECT r.*, 1 AS registered, "
         f"coalesce(v.visits, 0) AS visits FROM {joined} r LEFT JOIN v ON v.station_id = r.station_id "
         "AND v.resident_id = r.resident_id) x GROUP BY station_id")
    b_params = [p for (_, ps) in theirs for p in ps] + jparams   # in the order of the text: select list, then FROM
    if not mine:
        cols = ", ".join(f"v{n}" for n in theirs.values())
        return f"WITH v AS ({rel}) SELECT station_id, 0 AS attending, counted, {cols} FROM ({b}) b", params + b_params
    # the first month joined on the attendee side only: v itself is not copied with it (4% of the query)
    rows = f"({with_first_month('v')}) y" if "@months" in used else "v"
    a = f"SELECT station_id, 1 AS attending, {_select(mine)} FROM {rows} GROUP BY station_id"
    cols = ", ".join([f"a.v{n}" for n in mine.values()] + [f"b.v{n}" for n in theirs.values()])
    return (f"WITH v AS ({rel}), a AS ({a}), b AS ({b}) SELECT coalesce(a.station_id, b.station_id) AS station_id, "
            f"coalesce(a.attending, 0) AS attending, coalesce(b.counted, 0) AS counted, {cols} "
            "FROM a FULL JOIN b ON a.station_id = b.station_id"), \
        params + [p for (_, ps) in mine for p in ps] + b_params


def residents_joined(terms: Sequence[Term]) -> tuple[str, list]:
    """The residents that the unreached shares among `terms` count, and its params: only those of their bases (the
    OR of them), unless one counts every registered resident. Residents outside every base would add rows that no
    term counts: at 1,300 stations the join to all of them cost 8% of both built-in schemes' CPU
    (benchmarks/README.md)."""
    bases = list(dict.fromkeys(t.residents for t in terms if t.residents is not None))
    if not bases or ("TRUE", ()) in bases:
        return "residents", []
    where = " OR ".join(f"({sql})" for sql, _ in bases)
    return f"(SELECT * FROM residents WHERE {where})", [p for _, params in bases for p in params]


def _refuse_missing_series(run, plans: dict[str, Plan]) -> None:
    """Raise MissingSeries when a series that a value measure reads (or divides by) has no row at all in
    indicator_values, naming each such series and the indicator reading it."""
    readers: dict[str, list[str]] = {}
    for key, p in plans.items():
        parts = key.split("\0")
        # keys are indicator ids, "<n>\0<id>" (score_many) or "<id>\0<part>" (term_values)
        who = parts[1] if len(parts) == 2 and parts[0].isdigit() else parts[0]
        for t in p.terms:
            if t.table == "indicator_values":
                readers.setdefault(t.params[0], [])
                if who not in readers[t.params[0]]:
                    readers[t.params[0]].append(who)
    wanted = sorted(readers)
    if not wanted:
        return
    try:
        found = run(f"SELECT DISTINCT indicator_id FROM indicator_values WHERE indicator_id IN "
                    f"({', '.join('?' for _ in wanted)})", wanted)
        held = set(found["indicator_id"])
    except duckdb.CatalogException:   # a database made before indicator_values existed holds none
        held = set()
    absent = [s for s in wanted if s not in held]
    if absent:
        items = [Word("err.values.series_of", series=s, indicators=", ".join(readers[s])) for s in absent]
        raise MissingSeries(code="values.no_series", params={"items": items, "n": len(absent)})


def value_inputs(con: duckdb.DuckDBPyConnection, indicators: Sequence[Indicator], stations: pd.DataFrame,
                 period: Period = Period()) -> pd.DataFrame | None:
    """For each `value` measure with a denominator, the value and the denominator per station (columns
    (indicator id, "value" | "denominator")), so that a raw value = value / denominator can be shown whole."""
    terms = {}
    for ind in indicators:
        if ind.measure.kind == "value" and ind.measure.denominator:
            terms[(ind.id, "value")], terms[(ind.id, "denominator")] = value_terms(ind.measure, ind.id)
    return term_values(con, terms, stations, period) if terms else None


def term_values(con: duckdb.DuckDBPyConnection | None, terms: dict[tuple[str, str], Term | Plan],
                stations: pd.DataFrame, period: Period = Period()) -> pd.DataFrame:
    """Each named term (or plan) per station, in one pass as raw_values runs them: columns (name, part)."""
    plans = {f"{a}\0{b}": x if isinstance(x, Plan) else Plan((x,), lambda v, pop: v[0])
             for (a, b), x in terms.items()}
    out = raw_values(con, plans, stations, period)
    out.columns = pd.MultiIndex.from_tuples([tuple(c.split("\0")) for c in out.columns])
    return out
