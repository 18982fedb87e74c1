"""What the rating rounds and the Delphi rounds share: a fresh join code and a checked display name (their secrets
are made and hashed by `indicators.live.codes.Codes`, with the database's key)."""
from __future__ import annotations

import secrets

from indicators.live.workshop import CODE_ALPHABET, CODE_LENGTH, MAX_NAME, WorkshopError


def new_code(cur, table: str) -> str:
    """A join code not yet used in `table` (a fixed name of ours, never user text)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not cur.execute(f"SELECT 1 FROM {table} WHERE code = ?", [code]).fetchall():
            return code


def clean_name(name, error: type[WorkshopError]) -> str:
    """The name with its spacing tidied, or `error` (reason bad_name) when empty or too long."""
    name = " ".join(str(name or "").split())
    if not name or len(name) > MAX_NAME:
        raise error(f"enter a name of 1 to {MAX_NAME} characters", "bad_name")
    return name

