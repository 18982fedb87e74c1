"""Weights from pairwise judgments (AHP), for one judge or a group.

Pure numpy/pandas: no DuckDB, no streamlit. Every function checks its input and raises
``WeightsError`` (a ``ValueError``) whose message names the file, cell, column or criterion
at fault, so the CLI and the app can show it as it is.

Formulas and constants: docs/design.md, "Weighting: formulas, constants and sources".
"""
from __future__ import annotations

import csv
import itertools
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.errors import Word
from indicators.weights.common import WeightsError, _fmt

__all__ = [
    "WeightsError", "RANDOM_INDEX", "RANDOM_INDEX_SOURCES", "AHPResult", "check_matrix", "ahp",
    "read_matrix_csv", "aggregate_judgments", "CR_THRESHOLD", "MIN_CRITERIA", "MAX_CRITERIA",
]


# --------------------------------------------------------------------------------------------
# AHP constants
# --------------------------------------------------------------------------------------------

CR_THRESHOLD = 0.10          # Saaty: a consistency ratio below 0.10 is acceptable
MIN_CRITERIA, MAX_CRITERIA = 2, 15
SAATY_MIN, SAATY_MAX = 1.0 / 9.0, 9.0

# Random consistency index RI(n) for n = 1..15 (index 0 is n = 1).
RANDOM_INDEX: dict[str, tuple[float, ...]] = {
    # Saaty's table (Saaty, The Analytic Hierarchy Process, 1980, from large samples of random
    # reciprocal matrices), as docs/design.md lists it,
    # including 1.48 at n = 12, which breaks the otherwise increasing sequence (some
    # reproductions print 1.54 there); choose another table if that matters for n = 12.
    "saaty": (0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59),
    # Alonso, J.A. and Lamata, M.T. (2006) "Consistency in the analytic hierarchy process: a new
    # approach", Int. J. of Uncertainty, Fuzziness and Knowledge-Based Systems 14(4), 445-459:
    # mean lambda_max of 100,000 random matrices per n.
    "alonso_lamata": (0, 0, 0.5245, 0.8815, 1.1086, 1.2479, 1.3417, 1.4056, 1.4499, 1.4854,
                      1.5141, 1.5365, 1.5551, 1.5713, 1.5838),
    # Donegan, H.A. and Dodd, F.J. (1991) "A note on Saaty's random indexes", Mathematical and
    # Computer Modelling 15(10), 135-137, doi:10.1016/0895-7177(91)90098-R.
    "donegan_dodd": (0, 0, 0.4914, 0.8286, 1.0591, 1.1797, 1.2519, 1.3171, 1.3733, 1.4055,
                     1.4213, 1.4497, 1.4643, 1.4822, 1.4969),
}

RANDOM_INDEX_SOURCES: dict[str, str] = {
    "saaty": "Saaty (1980), The Analytic Hierarchy Process",
    "alonso_lamata": "Alonso & Lamata (2006), IJUFKS 14(4):445-459",
    "donegan_dodd": "Donegan & Dodd (1991), Math. Comput. Modelling 15(10):135-137",
}

_RECIPROCAL_RTOL = 1e-3
_THE_MATRIX = Word("err.weights.the_matrix")   # a matrix with no file or judge: "matrix", "判断矩阵"



def _names(criteria: Sequence[str] | None, n: int, source: str | Word) -> list[str]:
    if criteria is None:
        return [f"C{i + 1}" for i in range(n)]
    names = [str(c) for c in criteria]
    if len(names) != n:
        raise WeightsError(code="weights.ahp.names_count", params={"source": source, "names": len(names), "n": n})
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise WeightsError(code="weights.ahp.name_twice", params={"source": source, "name": name})
        seen.add(name)
    return names


def _frame_names(frame: pd.DataFrame, source: str | Word = _THE_MATRIX) -> list[str] | None:
    """Criterion names of a DataFrame matrix: its column labels unless they are just 0..n-1.
    Row labels, when not 0..n-1, must be the same names in the same order."""
    cols = [str(c) for c in frame.columns]
    idx = [str(i) for i in frame.index]
    default = [str(i) for i in range(len(cols))]
    if cols == default:
        return None
    if idx != [str(i) for i in range(len(idx))] and idx != cols:
        raise WeightsError(code="weights.ahp.rows_columns",
                           params={"source": source, "rows": ", ".join(idx), "columns": ", ".join(cols)})
    return cols


def _is_typed_reciprocal(small: float, large: float) -> bool:
    """True if `small` is 1/`large` typed with 2-4 decimals (0.33 or 0.333 for 1/3, 0.167 for 1/6)."""
    exact = 1.0 / large
    return any(abs(round(exact, d) - small) < 1e-12 for d in (2, 3, 4))


# --------------------------------------------------------------------------------------------
# AHP
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class AHPResult:
    """Priorities from one pairwise-comparison matrix (or a group's)."""

    criteria: tuple[str, ...]
    weights: np.ndarray
    lambda_max: float
    ci: float
    cr: float
    ri: float
    ri_table: str
    consistent: bool
    # (criterion_i, criterion_j, a_ij * w_j / w_i), worst first, top 3. Each pair is oriented so
    # that a_ij >= 1 (the judgment as said: "i matters a_ij times as much as j"); a ratio above 1
    # means the judgment favours i more than the derived weights do, below 1 less.
    disagreements: list[tuple[str, str, float]] = field(default_factory=list)
    matrix: np.ndarray | None = None   # the checked matrix the result came from (AIJ for groups)

    def weight_of(self, criterion: str) -> float:
        return float(self.weights[self.criteria.index(criterion)])

    def to_dict(self) -> dict:
        """Plain JSON/YAML-friendly values (lists and floats)."""
        return {
            "criteria": list(self.criteria),
            "weights": [float(w) for w in self.weights],
            "lambda_max": float(self.lambda_max),
            "ci": float(self.ci),
            "cr": float(self.cr),
            "consistent": bool(self.consistent),
            "ri": float(self.ri),
            "ri_table": self.ri_table,
            "disagreements": [[a, b, float(r)] for a, b, r in self.disagreements],
        }


def check_matrix(matrix, criteria: Sequence[str] | None = None, source: str | Word = _THE_MATRIX,
                 *, rtol: float = _RECIPROCAL_RTOL) -> np.ndarray:
    """Check a pairwise-comparison matrix and return it as a clean float array.

    Rules, checked in this order, each error naming `source` and the cell by criterion name:
    square; n in 2..15; every cell a finite number; every cell > 0; diagonal 1 (within `rtol`);
    reciprocal, a_ji = 1/a_ij, accepted when |a_ij * a_ji - 1| <= rtol (default 1e-3) or when the
    smaller of the two is the reciprocal typed with 2-4 decimals (0.33 / 0.333 for 1/3, 0.167 for
    1/6, 0.143 for 1/7); every judgment within Saaty's scale 1/9..9.

    The returned matrix is exactly reciprocal: for each pair the entry >= 1 is kept as the
    judgment and its mirror is set to the exact reciprocal (so "3" and "0.333" become 3 and 1/3).

    `matrix` may be a nested list, a numpy array or a DataFrame; for a DataFrame whose columns are
    not 0..n-1, the column labels are the criteria (and the row labels, if not 0..n-1, must match).
    """
    if isinstance(matrix, pd.DataFrame):
        if criteria is None:
            criteria = _frame_names(matrix, source)
        matrix = matrix.to_numpy()
    if isinstance(matrix, (list, tuple)) and all(isinstance(r, (list, tuple, np.ndarray)) for r in matrix):
        lengths = [len(r) for r in matrix]
        for k, ln in enumerate(lengths):
            if ln != len(matrix):
                raise WeightsError(code="weights.ahp.row_cells",
                                   params={"source": source, "row": k + 1, "cells": ln, "rows": len(matrix)})
    try:
        a = np.array(matrix, dtype=float)
    except (TypeError, ValueError) as exc:
        raise WeightsError(code="weights.ahp.not_numeric", params={"source": source, "detail": exc}) from None
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        shape = " x ".join(str(s) for s in a.shape) if a.ndim else Word("err.weights.single_value")
        raise WeightsError(code="weights.ahp.not_square", params={"source": source, "shape": shape})
    n = a.shape[0]
    if not MIN_CRITERIA <= n <= MAX_CRITERIA:
        raise WeightsError(code="weights.ahp.size",
                           params={"source": source, "n": n, "low": MIN_CRITERIA, "high": MAX_CRITERIA})
    names = _names(criteria, n, source)

    def cell(i: int, j: int) -> Word:
        return Word("err.weights.cell", a=names[i], b=names[j])

    for i in range(n):
        for j in range(n):
            v = a[i, j]
            if not math.isfinite(v):
                raise WeightsError(code="weights.ahp.not_finite", params={"source": source, "cell": cell(i, j),
                                                                          "value": v})
            if v <= 0:
                if v <= -1:
                    hint = Word("err.weights.ahp.hint_negative", a=names[i], b=names[j], n=_fmt(-v), value=_fmt(v))
                else:
                    hint = Word("err.weights.ahp.hint_zero")
                raise WeightsError(code="weights.ahp.not_positive",
                                   params={"source": source, "cell": cell(i, j), "value": _fmt(v), "hint": hint})
    for i in range(n):
        if abs(a[i, i] - 1.0) > rtol:
            raise WeightsError(code="weights.ahp.diagonal",
                               params={"source": source, "cell": cell(i, i), "value": _fmt(a[i, i])})
    out = a.copy()
    np.fill_diagonal(out, 1.0)
    for i, j in itertools.combinations(range(n), 2):
        aij, aji = a[i, j], a[j, i]
        large, small = max(aij, aji), min(aij, aji)
        if not (abs(aij * aji - 1.0) <= rtol or _is_typed_reciprocal(small, large)):
            raise WeightsError(code="weights.ahp.reciprocal", params={
                "source": source, "cell": cell(i, j), "value": _fmt(aij), "a": names[i], "b": names[j],
                "mirror": _fmt(aji), "expected": _fmt(1.0 / aij)})
        if large > SAATY_MAX * (1 + rtol):
            bi, bj = (i, j) if aij >= aji else (j, i)
            raise WeightsError(code="weights.ahp.scale",
                               params={"source": source, "cell": cell(bi, bj), "value": _fmt(large)})
        if aij >= aji:
            out[i, j], out[j, i] = aij, 1.0 / aij
        else:
            out[i, j], out[j, i] = 1.0 / aji, aji
    return out


def _ri(ri_table: str, n: int) -> float:
    if ri_table not in RANDOM_INDEX:
        raise WeightsError(code="weights.ahp.ri_unknown",
                           params={"table": ri_table, "tables": ", ".join(RANDOM_INDEX)})
    table = RANDOM_INDEX[ri_table]
    if n > len(table):
        raise WeightsError(code="weights.ahp.ri_short", params={"table": ri_table, "last": len(table), "n": n})
    return float(table[n - 1])


def _principal(a: np.ndarray) -> tuple[np.ndarray, float]:
    """Principal (Perron) eigenvector normalised to sum 1, and the real part of lambda_max."""
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    v = np.abs(vecs[:, k].real)
    return v / v.sum(), float(vals[k].real)


def _disagreements(a: np.ndarray, w: np.ndarray, names: Sequence[str], top: int = 3
                   ) -> list[tuple[str, str, float]]:
    rows = []
    for i, j in itertools.combinations(range(len(names)), 2):
        if a[i, j] < 1.0:            # orient the pair as the judgment was said (a_ij >= 1)
            i, j = j, i
        ratio = float(a[i, j] * w[j] / w[i])
        rows.append((abs(math.log(ratio)), names[i], names[j], ratio))
    rows.sort(key=lambda r: -r[0])   # stable: equal deviations keep the matrix order
    return [(r[1], r[2], r[3]) for r in rows[:top]]


def _result(a: np.ndarray, w: np.ndarray, lam: float, names: Sequence[str], ri_table: str
            ) -> AHPResult:
    n = len(names)
    if n <= 2:
        ci = cr = 0.0
        ri = _ri(ri_table, n)
    else:
        # lambda_max >= n for a positive reciprocal matrix; a tiny negative CI is rounding noise.
        ci = max((lam - n) / (n - 1), 0.0)
        ri = _ri(ri_table, n)
        cr = ci / ri
    w = np.array(w, dtype=float)
    w.setflags(write=False)
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return AHPResult(criteria=tuple(names), weights=w, lambda_max=float(lam), ci=float(ci),
                     cr=float(cr), ri=float(ri), ri_table=ri_table, consistent=bool(cr < CR_THRESHOLD),
                     disagreements=_disagreements(a, w, names), matrix=a)


def ahp(matrix, criteria: Sequence[str] | None = None, ri_table: str = "saaty") -> AHPResult:
    """AHP priorities of a pairwise-comparison matrix (Saaty's eigenvector method).

    weights = principal right eigenvector (numpy.linalg.eig, real part of the largest eigenvalue),
    normalised to sum 1; CI = (lambda_max - n)/(n - 1); CR = CI/RI(n) with RI from
    RANDOM_INDEX[ri_table]; consistent when CR < 0.10. For n <= 2 a reciprocal matrix is always
    consistent: CI = CR = 0. `disagreements` lists the three judgments furthest (on a log scale)
    from what the weights imply: a_ij * w_j / w_i, 1 meaning full agreement.
    """
    _ri(ri_table, MIN_CRITERIA)          # unknown table name -> WeightsError before any work
    if criteria is None and isinstance(matrix, pd.DataFrame):
        criteria = _frame_names(matrix)
    a = check_matrix(matrix, criteria)
    names = _names(criteria, a.shape[0], "matrix")
    w, lam = _principal(a)
    return _result(a, w, lam, names, ri_table)


# --------------------------------------------------------------------------------------------
# CSV input
# --------------------------------------------------------------------------------------------

def _parse_cell(text: str) -> float | None:
    """'3', '0.333', '1/3', ' 1 / 3 ', full-width '１／３' -> float; '' -> None; else ValueError."""
    t = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if t == "":
        return None
    if "/" in t:
        num, _, den = t.partition("/")
        return float(Fraction(num) / Fraction(den))   # ZeroDivisionError / ValueError propagate
    return float(t)


def read_matrix_csv(path: str | Path) -> tuple[list[str], np.ndarray]:
    """Read a pairwise-comparison matrix from a CSV file.

    Layout: the header row names the criteria after one leading label cell (which is ignored, e.g.
    "criterion" or empty); each following row starts with a criterion name and holds that row's
    judgments. Rows and columns must name the same criteria in the same order. Cells are numbers
    ("3", "0.333") or fractions ("1/3"). A blank cell is filled from its mirror (the reciprocal),
    so filling only the upper (or lower) triangle is enough (a rounded reciprocal facing a blank,
    such as 0.333 or 0.14, is read as the exact 1/3 or 1/7); a blank diagonal is 1; a pair with
    both cells blank is an error. UTF-8 with or without BOM; comma, semicolon or tab separated.
    Blank lines are skipped. Errors name the file, row and column.

    Returns (criteria, matrix) with the matrix checked by ``check_matrix``.
    """
    path = Path(path)
    src = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise WeightsError(code="weights.ahp.file_not_found", params={"source": src, "path": path}) from None
    except UnicodeDecodeError as exc:
        raise WeightsError(code="weights.ahp.not_utf8",
                           params={"source": src, "reason": f"{exc.reason} at byte {exc.start}"}) from None
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = ","
    if "," not in first:
        delimiter = "\t" if "\t" in first else (";" if ";" in first else ",")
    rows = [(k + 1, [c.strip() for c in r]) for k, r in
            enumerate(csv.reader(text.splitlines(), delimiter=delimiter))]
    rows = [(ln, r) for ln, r in rows if any(c for c in r)]
    if not rows:
        raise WeightsError(code="weights.ahp.empty_file", params={"source": src})
    header_line, header = rows[0]
    while len(header) > 1 and header[-1] == "":
        header = header[:-1]
    criteria = header[1:]
    if len(criteria) < 1:
        raise WeightsError(code="weights.ahp.header_line", params={"source": src, "line": header_line})
    for c, name in enumerate(criteria, start=2):
        if name == "":
            raise WeightsError(code="weights.ahp.header_blank", params={"source": src, "column": c})
    dupes = sorted({c for c in criteria if criteria.count(c) > 1})
    if dupes:
        raise WeightsError(code="weights.ahp.header_twice", params={"source": src, "names": ", ".join(dupes)})
    body = rows[1:]
    n = len(criteria)
    if len(body) != n:
        raise WeightsError(code="weights.ahp.rows_count", params={"source": src, "n": n, "rows": len(body)})
    values: list[list[float | None]] = []
    for k, (line, row) in enumerate(body):
        while len(row) > n + 1 and row[-1] == "":
            row = row[:-1]
        name = row[0] if row else ""
        if name != criteria[k]:
            raise WeightsError(code="weights.ahp.row_name", params={
                "source": src, "row": k + 1, "line": line, "name": name, "expected": criteria[k]})
        cells = row[1:]
        if len(cells) != n:
            raise WeightsError(code="weights.ahp.row_length", params={
                "source": src, "row": k + 1, "name": name, "line": line, "cells": len(cells), "n": n})
        parsed = []
        for j, c in enumerate(cells):
            try:
                parsed.append(_parse_cell(c))
            except (ValueError, ZeroDivisionError):
                raise WeightsError(code="weights.ahp.bad_cell", params={
                    "source": src, "row": k + 1, "name": name, "column": j + 1, "criterion": criteria[j],
                    "text": c}) from None
        values.append(parsed)
    a = np.ones((n, n))
    for i in range(n):
        for j in range(n):
            v = values[i][j]
            if v is not None:
                a[i, j] = v
            elif i == j:
                a[i, j] = 1.0
            else:
                mirror = values[j][i]
                if mirror is None:
                    raise WeightsError(code="weights.ahp.both_blank", params={
                        "source": src, "row": i + 1, "a": criteria[i], "column": j + 1, "b": criteria[j]})
                if mirror == 0:
                    a[i, j] = 0.0          # check_matrix reports the zero in the mirror cell
                    continue
                a[i, j] = 1.0 / mirror
                whole = round(1.0 / mirror)
                if 0 < mirror < 1 and 2 <= whole <= 9 and _is_typed_reciprocal(mirror, whole):
                    # a typed reciprocal ("0.333" for 1/3) facing a blank: read it as exactly 1/3
                    a[i, j], values[j][i] = float(whole), 1.0 / whole
                    a[j, i] = 1.0 / whole
    return list(criteria), check_matrix(a, criteria, source=src)


# --------------------------------------------------------------------------------------------
# Groups
# --------------------------------------------------------------------------------------------

def _kendall_w(priorities: np.ndarray) -> float:
    """Kendall's W (with tie correction) over m judges' rankings of n criteria (rows = judges)."""
    m, n = priorities.shape
    if m == 1:
        return 1.0
    # rank 1 = most important; priorities equal to 9 decimals tie (average ranks)
    ranks = pd.DataFrame(-np.round(priorities, 9)).rank(axis=1, method="average").to_numpy()
    r = ranks.sum(axis=0)
    s = float(((r - r.mean()) ** 2).sum())
    ties = 0.0
    for row in ranks:
        _, counts = np.unique(row, return_counts=True)
        ties += float((counts ** 3 - counts).sum())
    denom = m * m * (n ** 3 - n) - m * ties
    if denom <= 0:        # every judge ties every criterion: identical rankings
        return 1.0
    return 12.0 * s / denom


def _mean_cosine(priorities: np.ndarray) -> float:
    m = priorities.shape[0]
    if m == 1:
        return 1.0
    unit = priorities / np.linalg.norm(priorities, axis=1, keepdims=True)
    sims = unit @ unit.T
    iu = np.triu_indices(m, k=1)
    return float(sims[iu].mean())


def _unpack_judge(item, label: str | Word):
    """-> (names or None, matrix). Items are matrices, DataFrames or (criteria, matrix) pairs."""
    if (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], (list, tuple))
            and all(isinstance(c, str) for c in item[0])):
        return [str(c) for c in item[0]], item[1]
    if isinstance(item, pd.DataFrame):
        return _frame_names(item, label), item.to_numpy()
    return None, item


def aggregate_judgments(matrices, method: str = "aij", criteria: Sequence[str] | None = None,
                        ri_table: str = "saaty") -> tuple[AHPResult, dict]:
    """Combine several people's pairwise comparisons into one set of priorities.

    `matrices`: a sequence (or a mapping judge -> item) whose items are matrices, DataFrames, or
    (criteria, matrix) pairs as returned by ``read_matrix_csv``. Named items are reordered to
    `criteria` (or to the first item's order); all must name the same criteria.

    method "aij" (aggregation of individual judgments): the element-wise geometric mean of the
    matrices, then ``ahp`` of that matrix. The result is reciprocal by construction.
    method "aip" (aggregation of individual priorities): ``ahp`` of each matrix, then the
    geometric mean of the priority vectors, normalised to sum 1. For AIP the returned AHPResult
    has weights = those aggregated priorities, while lambda_max, CI, CR and ``consistent`` are
    those of the AIJ (geometric-mean) matrix, and ``disagreements`` compare the AIJ matrix with
    the AIP weights. (AIP has no single matrix of its own.)

    The dict holds the agreement measures:
      method, judges (labels), aij_matrix (list of lists),
      individual: [{judge, weights, cr, consistent}] and individual_cr {judge: cr};
      kendall_w: Kendall's coefficient of concordance W (with tie correction) over the judges'
        rankings of the criteria by their own priorities: 1 = every judge ranks the criteria the
        same, 0 = no agreement on the order (1 for a single judge);
      mean_cosine: mean pairwise cosine similarity of the judges' priority vectors: 1 = identical
        proportions (1 for a single judge); priorities are positive, so it lies in (0, 1].
    """
    method = method.lower()
    if method not in ("aij", "aip"):
        raise WeightsError(code="weights.ahp.group_method", params={"method": method})
    if isinstance(matrices, Mapping):
        items = [(str(k), v) for k, v in matrices.items()]
    else:
        items = [(f"judge {k + 1}", v) for k, v in enumerate(matrices)]
    if not items:
        raise WeightsError(code="weights.ahp.no_judgments")
    # messages name an unnamed judge in the reader's language; the labels returned stay "judge 1" ...
    said = {label: label if isinstance(matrices, Mapping) else Word("err.weights.judge", k=k + 1)
            for k, (label, _) in enumerate(items)}
    unpacked = [(label, *_unpack_judge(item, said[label])) for label, item in items]
    order = [str(c) for c in criteria] if criteria is not None else next(
        (names for _, names, _ in unpacked if names is not None), None)
    checked = []
    for label, names, mat in unpacked:
        if names is None:
            a = check_matrix(mat, order, source=said[label])
        else:
            a = check_matrix(mat, names, source=said[label])
            if order is not None and names != order:
                if sorted(names) != sorted(order):
                    missing = [c for c in order if c not in names]
                    extra = [c for c in names if c not in order]
                    none = Word("err.weights.none")
                    raise WeightsError(code="weights.ahp.criteria_differ", params={
                        "source": said[label], "missing": ", ".join(missing) or none, "extra": ", ".join(extra) or none})
                perm = [names.index(c) for c in order]
                a = a[np.ix_(perm, perm)]
        checked.append(a)
    n = checked[0].shape[0]
    for (label, _, _), a in zip(unpacked, checked):
        if a.shape[0] != n:
            raise WeightsError(code="weights.ahp.criteria_count",
                               params={"source": said[label], "n": a.shape[0], "first": said[unpacked[0][0]],
                                       "first_n": n})
    names = _names(order, n, Word("err.weights.group"))
    stack = np.stack(checked)
    aij = np.exp(np.log(stack).mean(axis=0))
    # exact reciprocity: geometric means of reciprocal matrices are reciprocal; remove rounding
    iu = np.triu_indices(n, k=1)
    aij[(iu[1], iu[0])] = 1.0 / aij[iu]
    np.fill_diagonal(aij, 1.0)
    group = ahp(aij, names, ri_table=ri_table)
    individual = [ahp(a, names, ri_table=ri_table) for a in checked]
    pri = np.vstack([r.weights for r in individual])
    if method == "aip":
        g = np.exp(np.log(pri).mean(axis=0))
        g = g / g.sum()
        g.setflags(write=False)
        result = AHPResult(criteria=group.criteria, weights=g, lambda_max=group.lambda_max,
                           ci=group.ci, cr=group.cr, ri=group.ri, ri_table=ri_table,
                           consistent=group.consistent,
                           disagreements=_disagreements(group.matrix, g, names),
                           matrix=group.matrix)
    else:
        result = group
    labels = [label for label, _, _ in unpacked]
    info = {
        "method": method,
        "judges": labels,
        "aij_matrix": [[float(x) for x in row] for row in group.matrix],
        "individual": [{"judge": lab, "weights": [float(x) for x in r.weights], "cr": r.cr,
                        "consistent": r.consistent} for lab, r in zip(labels, individual)],
        "individual_cr": {lab: r.cr for lab, r in zip(labels, individual)},
        "kendall_w": _kendall_w(pri),
        "mean_cosine": _mean_cosine(pri),
    }
    return result, info
