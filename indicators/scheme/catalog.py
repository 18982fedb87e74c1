"""Where schemes come from: the built-in YAML files, YAML files on disk, and schemes saved in the database."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb

from indicators.scheme import history as audit
from indicators.scheme.model import Scheme, SchemeError, _said, dump_yaml, load_file, load_yaml
from indicators.records.store import writing
from indicators.scoring.engine import check

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"
BUILTINS = ("photo-count", "needs-met")


def builtin(name: str) -> Scheme:
    return check(load_file(BUILTIN_DIR / f"{name}.yaml"))


def _ensure_table(cur) -> None:
    cur.execute("CREATE TABLE IF NOT EXISTS schemes (scheme_id VARCHAR PRIMARY KEY, yaml VARCHAR, "
                "saved_at TIMESTAMP, saved_by VARCHAR)")


def saved_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    try:
        rows = con.cursor().execute("SELECT scheme_id FROM schemes ORDER BY scheme_id").fetchall()
    except duckdb.CatalogException:
        return []
    return [r[0] for r in rows]


def available(con: duckdb.DuckDBPyConnection | None = None) -> list[str]:
    """Built-in ids first, then saved ones (a saved scheme may not reuse a built-in id)."""
    return list(BUILTINS) + (saved_ids(con) if con is not None else [])


def save(con: duckdb.DuckDBPyConnection, scheme: Scheme, saved_by: str = "") -> None:
    """Validate, then store (replacing a saved scheme of the same id) in one transaction."""
    check(scheme)
    if scheme.id in BUILTINS:
        raise SchemeError("id", _said("builtin_id", id=scheme.id))
    with writing(con) as cur:
        _ensure_table(cur)
        old = cur.execute("SELECT yaml FROM schemes WHERE scheme_id = ?", [scheme.id]).fetchall()
        before = load_yaml(old[0][0]) if old else None
        audit.record(cur, saved_by, before, scheme, "save" if before else "create")   # same transaction
        cur.execute("DELETE FROM schemes WHERE scheme_id = ?", [scheme.id])
        cur.execute("INSERT INTO schemes VALUES (?, ?, ?, ?)",
                    [scheme.id, dump_yaml(scheme), datetime.now(timezone.utc).replace(tzinfo=None), saved_by])


def resolve(name_or_file: str, con: duckdb.DuckDBPyConnection | None = None) -> tuple[Scheme, str]:
    """A scheme by built-in id, saved id, or YAML path; returns it with the name to quote in messages."""
    if name_or_file in BUILTINS:
        return builtin(name_or_file), name_or_file
    if con is not None and name_or_file in saved_ids(con):
        text = con.cursor().execute("SELECT yaml FROM schemes WHERE scheme_id = ?", [name_or_file]).fetchall()[0][0]
        return check(load_yaml(text, f"saved scheme {name_or_file}"), f"saved scheme {name_or_file}"), name_or_file
    path = Path(name_or_file)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        if not path.exists():
            raise SchemeError(_said("at.file"), _said("no_file"), str(path))
        return check(load_file(path), str(path)), str(path)
    known = ", ".join(available(con))
    raise SchemeError("scheme", _said("no_scheme", name=name_or_file, known=known))
