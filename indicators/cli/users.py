"""Accounts on the command line: `python -m indicators users add|list|link|disable|unlock`. `register(sub)` adds them.

    python -m indicators users add wang --role lead --db records.duckdb                # password asked twice
    echo "$PW" | python -m indicators users add li --role evaluator --password-stdin --db records.duckdb
    python -m indicators users add zhao --role facilitator --link --db records.duckdb  # prints a one-time link
    python -m indicators users link wang --db records.duckdb --base-url http://192.168.1.20:8501
    python -m indicators users list --db records.duckdb
    python -m indicators users disable li --db records.duckdb
    python -m indicators users unlock wang --db records.duckdb     # after 5 failed passwords in 10 minutes

Bad input (unknown role, short password, a name taken, an unknown user) exits 2 with the reason.
The database must not be open in the app while an account is written (DuckDB lets one process write).
"""
from __future__ import annotations

import getpass
import sys
from pathlib import Path

import pandas as pd

from indicators.access import ROLES, AccountStore, signin_url
from indicators.access.accounts import LINK_MINUTES, AccessError
from indicators.cli.common import BadInput, _table
from indicators.i18n import t
from indicators.records.store import connect


def _store(db: str):
    if not Path(db).exists():
        raise BadInput(code="cli.no_db_demo", params={"db": db})
    con = connect(db)
    return con, AccountStore(con)


def _password(args) -> str:
    if args.password_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise AccessError(code="access.no_password")
        return line
    first = getpass.getpass(t("users.cli.password", args.lang, name=args.name))
    if first != getpass.getpass(t("users.cli.again", args.lang)):
        raise AccessError(code="access.mismatch")
    return first


def _print_link(store: AccountStore, name: str, args) -> None:
    token = store.link(name)
    print(t("users.cli.link", args.lang, name=name, minutes=LINK_MINUTES))
    print(signin_url(token, args.base_url))


def cmd_add(args) -> int:
    con, store = _store(args.db)
    try:
        password = None if args.link else _password(args)
        user = store.add(args.name, args.role, password=password, email=args.email)
        print(t("users.cli.added", args.lang, name=user.name, role=user.role))
        if args.link:
            _print_link(store, user.name, args)
    finally:
        con.close()
    return 0


def cmd_link(args) -> int:
    con, store = _store(args.db)
    try:
        _print_link(store, args.name, args)
    finally:
        con.close()
    return 0


def cmd_list(args) -> int:
    con, store = _store(args.db)
    try:
        rows = store.users()
    finally:
        con.close()
    if not rows:
        print(t("users.cli.none", args.lang))
        return 0
    yes, no = t("users.cli.yes", args.lang), t("users.cli.no", args.lang)
    view = pd.DataFrame([{t("users.cli.col.name", args.lang): r["name"], t("users.cli.col.role", args.lang): r["role"],
                          t("users.cli.col.email", args.lang): r["email"] or "",
                          t("users.cli.col.password", args.lang): yes if r["password"] else no,
                          t("users.cli.col.disabled", args.lang): yes if r["disabled"] else no} for r in rows])
    print(_table(view.set_index(view.columns[0])))
    return 0


def cmd_disable(args) -> int:
    con, store = _store(args.db)
    try:
        store.disable(args.name)
    finally:
        con.close()
    print(t("users.cli.disabled", args.lang, name=args.name))
    return 0


def cmd_unlock(args) -> int:
    con, store = _store(args.db)
    try:
        n = store.unlock(args.name)
    finally:
        con.close()
    print(t("users.cli.unlocked", args.lang, name=args.name, n=n))
    return 0


def register(sub) -> None:
    """Add the `users` subcommand (add, list, link, disable) to the main parser's subparsers."""
    u = sub.add_parser("users", help="accounts that sign in to the app: add, list, link, disable, unlock")
    us = u.add_subparsers(dest="users_command", required=True)
    a = us.add_parser("add", help="add an account (password asked twice, from stdin, or a one-time link)")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=ROLES)
    a.add_argument("--email", help="the email an identity provider (st.login) reports for this person")
    how = a.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    how.add_argument("--link", action="store_true", help="no password: print a one-time sign-in link instead")
    a.set_defaults(run=cmd_add)
    lk = us.add_parser("link", help="print a one-time sign-in link for an account")
    lk.add_argument("name")
    lk.set_defaults(run=cmd_link)
    for p in (a, lk):
        p.add_argument("--base-url", default="http://localhost:8501/", help="the app's address as people open it")
    ls = us.add_parser("list", help="list the accounts")
    ls.set_defaults(run=cmd_list)
    d = us.add_parser("disable", help="disable an account: no more sign-ins; its links and sessions end")
    d.add_argument("name")
    d.set_defaults(run=cmd_disable)
    un = us.add_parser("unlock", help="clear an account's failed password sign-ins (5 in 10 minutes pause them)")
    un.add_argument("name")
    un.set_defaults(run=cmd_unlock)
    for p in (a, lk, ls, d, un):
        p.add_argument("--db", required=True)
