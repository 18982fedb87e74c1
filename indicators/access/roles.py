"""Who may do what: the one table of roles and actions, and which app page each action opens.

A lead may do everything a facilitator may, a facilitator everything an evaluator may:

| action        | evaluator | facilitator | lead |
|---------------|-----------|-------------|------|
| read          | yes       | yes         | yes  |   overview, records, schemes, audit, compare (no change to the database)
| score         | yes       | yes         | yes  |   indicators, weights, scores (working copies live in the session only)
| live          |           | yes         | yes  |   run a workshop, a residents' meeting, a rating round, expert rounds
| import        |           |             | yes  |   import records
| save_scheme   |           |             | yes  |   save a scheme to the database (and so write its change history)
| withdraw      |           |             | yes  |   withdraw a revealed meeting result
| manage_users  |           |             | yes  |   (the command line only: `python -m indicators users`)

Someone who is not signed in may do none of these: they reach only the phone pages, each with its code.
"""
from __future__ import annotations

ROLES = ("evaluator", "facilitator", "lead")

CAN: dict[str, frozenset[str]] = {
    "read": frozenset(ROLES),
    "score": frozenset(ROLES),
    "live": frozenset({"facilitator", "lead"}),
    "import": frozenset({"lead"}),
    "save_scheme": frozenset({"lead"}),
    "withdraw": frozenset({"lead"}),
    "manage_users": frozenset({"lead"}),
}

# Each page of the app (its file's stem) and the action it needs; None: a phone page, open to anyone with a code
# (the rating-round and Delphi pages show their lead's side only to a role that may run live processes).
PAGES: dict[str, str | None] = {
    "signin": None,
    "overview": "read",
    "records": "read",
    "indicators": "score",
    "weights": "score",
    "scores": "score",
    "compare": "read",
    "schemes": "read",
    "audit": "read",
    "workshop": "live",
    "meeting": "live",
    "join": None,
    "vote": None,
    "raters": None,
    "delphi": None,
}
PHONE_PAGES = tuple(p for p, a in PAGES.items() if a is None and p != "signin")


def can(role: str | None, action: str) -> bool:
    """May `role` (None: not signed in) do `action`? An action not in the table is a programming error."""
    if action not in CAN:
        raise KeyError(f"unknown action {action!r}")
    return role in CAN[action]


def pages_for(role: str | None) -> list[str]:
    """The pages `role` sees in the navigation (None: not signed in: the sign-in page and the phone pages)."""
    return [p for p, a in PAGES.items() if a is None or can(role, a)]
