"""The audit trail of scheme changes: who changed what, when, in words and as a unified diff of the YAML.

    with writing(con) as cur:
        ... store the scheme ...
        audit.record(cur, user, before, after, "save")     # same transaction: the change and its record together
    audit.history(con, "needs-met")                        # newest last
"""
from __future__ import annotations

import difflib
from dataclasses import fields
from datetime import datetime, timezone
from typing import Any

import duckdb
import pandas as pd

from indicators.scheme.model import Dimension, Measure, Scheme, dump_yaml

COLUMNS = ("at", "user", "scheme_id", "action", "summary", "diff")


def ensure_table(cur) -> None:
    cur.execute('CREATE TABLE IF NOT EXISTS scheme_audit ("at" TIMESTAMP, "user" VARCHAR, scheme_id VARCHAR, '
                'action VARCHAR, summary VARCHAR, diff VARCHAR)')


def record(cur, user: str, before: Scheme | None, after: Scheme | None, action: str) -> str:
    """Add one audit row through `cur` (call it inside the write transaction); returns the summary."""
    if before is None and after is None:
        raise ValueError("record needs a scheme before or after the change")
    ensure_table(cur)
    scheme_id = (after or before).id
    summary = summarise(before, after)
    diff = yaml_diff(before, after)
    cur.execute("INSERT INTO scheme_audit VALUES (?, ?, ?, ?, ?, ?)",
                [datetime.now(timezone.utc).replace(tzinfo=None), user or "", scheme_id, action, summary, diff])
    return summary


def history(con: duckdb.DuckDBPyConnection, scheme_id: str | None = None) -> pd.DataFrame:
    """The audit rows, oldest first (all schemes, or one)."""
    cur = con.cursor()
    try:
        if scheme_id is None:
            df = cur.execute('SELECT "at", "user", scheme_id, "action", summary, diff FROM scheme_audit '
                             'ORDER BY "at", rowid').df()
        else:
            df = cur.execute('SELECT "at", "user", scheme_id, "action", summary, diff FROM scheme_audit '
                             'WHERE scheme_id = ? ORDER BY "at", rowid', [scheme_id]).df()
    except duckdb.CatalogException:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})
    return df.reset_index(drop=True)


def yaml_diff(before: Scheme | None, after: Scheme | None) -> str:
    a = dump_yaml(before).splitlines(keepends=True) if before else []
    b = dump_yaml(after).splitlines(keepends=True) if after else []
    sid = (after or before).id
    return "".join(difflib.unified_diff(a, b, fromfile=f"{sid} (before)" if before else "/dev/null",
                                        tofile=f"{sid} (after)" if after else "/dev/null"))


# ---------------------------------------------------------------- readable summary

def _v(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:g}"
    if isinstance(x, str):
        return repr(x)
    if x is None:
        return "none"
    return str(x)


def _w(x: float) -> str:
    return f"{x:g}"


def summarise(before: Scheme | None, after: Scheme | None) -> str:
    """What changed, one line per change, in the evaluator's words."""
    if before is None:
        return (f"created scheme {after.id} with {len(after.dimensions)} dimensions and "
                f"{len(after.indicators)} indicators")
    if after is None:
        return f"deleted scheme {before.id}"
    lines: list[str] = []
    if before.id != after.id:
        lines.append(f"id changed {before.id} -> {after.id}")
    for name in ("name_zh", "name_en", "description_zh", "description_en", "aggregation"):
        a, b = getattr(before, name), getattr(after, name)
        if a != b:
            lines.append(f"{name} changed {_v(a)} -> {_v(b)}")
    if before.provenance != after.provenance:
        if before.provenance.method != after.provenance.method:
            lines.append(f"weight provenance changed {before.provenance.method} -> {after.provenance.method}")
        if before.provenance.note != after.provenance.note:
            lines.append("provenance note changed")
    lines += _dimensions(before, after)
    lines += _indicators(before, after)
    lines += _gates(before, after)
    if before.grades != after.grades:
        a = ", ".join(f"{g.grade}>={_w(g.min)}" for g in before.grades)
        b = ", ".join(f"{g.grade}>={_w(g.min)}" for g in after.grades)
        lines.append(f"grade bands changed {a} -> {b}" if a != b else "grade labels changed")
    return "\n".join(lines) if lines else "no change"


def _dimensions(before: Scheme, after: Scheme) -> list[str]:
    out = []
    a = {d.id: d for d in before.nodes()}   # every level: a sub-dimension's change is a change too
    b = {d.id: d for d in after.nodes()}
    pa, pb = before._parents(), after._parents()
    for did in [d for d in b if d not in a]:
        out.append(f"dimension {did} added (weight {_w(b[did].weight)})")
    for did in [d for d in a if d not in b]:
        out.append(f"dimension {did} removed")
    for did in [d for d in a if d in b]:
        da, db = a[did], b[did]
        if pa.get(did) != pb.get(did):
            out.append(f"dimension {did} moved from {pa.get(did) or 'the top'} to {pb.get(did) or 'the top'}")
        if da.weight != db.weight:
            out.append(f"dimension {did} weight changed {_w(da.weight)} -> {_w(db.weight)}")
        for name in ("name_zh", "name_en"):
            if getattr(da, name) != getattr(db, name):
                out.append(f"dimension {did} {name} changed {_v(getattr(da, name))} -> {_v(getattr(db, name))}")
    order_a = [d.id for d in before.nodes() if d.id in b]
    order_b = [d.id for d in after.nodes() if d.id in a]
    if order_a != order_b:
        out.append("dimensions reordered")
    return out


def _dim_of(scheme: Scheme) -> dict[str, Dimension]:
    return {i.id: d for d in scheme.nodes() for i in d.indicators}


def _indicators(before: Scheme, after: Scheme) -> list[str]:
    out = []
    a = {i.id: i for i in before.indicators}
    b = {i.id: i for i in after.indicators}
    da, db = _dim_of(before), _dim_of(after)
    for iid in sorted(b.keys() - a.keys()):
        out.append(f"indicator {iid} added to {db[iid].id} (weight {_w(b[iid].weight)}, camp {b[iid].camp})")
    for iid in sorted(a.keys() - b.keys()):
        out.append(f"indicator {iid} removed from {da[iid].id}")
    for iid in [i for i in a if i in b]:
        ia, ib = a[iid], b[iid]
        if da[iid].id != db[iid].id:
            out.append(f"indicator {iid} moved from {da[iid].id} to {db[iid].id}")
        if ia.weight != ib.weight:
            out.append(f"indicator {iid} weight changed {_w(ia.weight)} -> {_w(ib.weight)}")
        for name in ("name_zh", "name_en", "camp", "direction", "missing", "unit", "serves"):
            x, y = getattr(ia, name), getattr(ib, name)
            if x != y:
                out.append(f"indicator {iid} {name} changed {_v(x)} -> {_v(y)}")
        if ia.rationale_zh != ib.rationale_zh or ia.rationale_en != ib.rationale_en:
            out.append(f"indicator {iid} rationale changed")
        if ia.normalisation != ib.normalisation:
            na, nb = ia.normalisation, ib.normalisation
            parts = [f"{f.name} {_v(getattr(na, f.name))} -> {_v(getattr(nb, f.name))}"
                     for f in fields(na) if getattr(na, f.name) != getattr(nb, f.name)]
            out.append(f"indicator {iid} normalisation changed: {', '.join(parts)}")
        out += [f"indicator {iid} {line}" for line in _measure(ia.measure, ib.measure, "measure")]
    return out


def _measure(a: Measure | None, b: Measure | None, path: str) -> list[str]:
    if a == b:
        return []
    if a is None or b is None:
        return [f"{path} {'added' if a is None else 'removed'}"]
    out = []
    for f in fields(Measure):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if x == y:
            continue
        if f.name in ("numerator", "denominator", "of"):
            out += _measure(x, y, f"{path}.{f.name}")
        elif f.name == "levels":
            out.append(f"{path}.levels changed " + ", ".join(f"{lv.value}={_w(lv.score)}" for lv in x) + " -> " +
                       ", ".join(f"{lv.value}={_w(lv.score)}" for lv in y))
        elif f.name == "filter":
            out.append(f"{path} filter changed {_v(x)} -> {_v(y)}")
        else:
            out.append(f"{path}.{f.name} changed {_v(x)} -> {_v(y)}")
    return out


def _gates(before: Scheme, after: Scheme) -> list[str]:
    def key(g):
        return f"{g.indicator} {g.op} {_w(g.value)} (cap {g.cap})"
    a = {key(g): g for g in before.gates}
    b = {key(g): g for g in after.gates}
    out = [f"gate added: {k}" for k in b if k not in a] + [f"gate removed: {k}" for k in a if k not in b]
    for k in [k for k in a if k in b]:
        if a[k] != b[k]:
            out.append(f"gate {k} renamed")
    return out
