"""Command-line framework tables: `scheme import` (table -> YAML) and `scheme export` (scheme -> table).

    python -m indicators scheme import framework.xlsx --out framework.yaml [--id my-scheme]
    python -m indicators scheme export needs-met --out needs-met.xlsx [--shape wide] [--lang en]

Bad input raises InputError subclasses (exit 2, the problems listed by file, row and column); on any problem the
--out file is not written.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from indicators.cli.main import BadInput
from indicators.i18n import t
from indicators.scheme import catalog
from indicators.scheme.framework import SHAPES, read_table, write_table
from indicators.scheme.model import dump_yaml


def _write(out: Path, data: bytes) -> None:
    """Write whole or not at all: a temporary file beside `out`, renamed over it."""
    if not out.parent.is_dir():
        raise BadInput(code="cli.no_folder", params={"path": out, "folder": out.parent})
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cmd_import(args) -> int:
    src = Path(args.file)
    if not src.is_file():
        raise BadInput(code="cli.no_file", params={"file": src})
    scheme = read_table(src, src.name, scheme_id=args.id, name_zh=args.name_zh, name_en=args.name_en)
    _write(Path(args.out), dump_yaml(scheme).encode("utf-8"))
    n = len(scheme.indicators)
    print(t("cli.wrote_scheme", args.lang, path=args.out, n=n, d=len(scheme.dimensions)))
    return 0


def cmd_export(args) -> int:
    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise BadInput(code="cli.csv_or_xlsx", params={"path": out})
    con = None
    if args.db:
        from indicators.cli.records_io import _open_read
        con = _open_read(args.db)
    try:
        scheme, _ = catalog.resolve(args.scheme, con)
    finally:
        if con is not None:
            con.close()
    _write(out, write_table(scheme, fmt, args.shape, args.lang))
    print(t("cli.wrote", args.lang, path=out))
    return 0


def register(sub) -> None:
    """Add `scheme import` and `scheme export` to the main parser's subparsers."""
    s = sub.add_parser("scheme", help="framework tables (指标体系表) in and out")
    ss = s.add_subparsers(dest="scheme_command", required=True)
    i = ss.add_parser("import", help="a framework table (CSV or XLSX, long or wide form) -> scheme YAML")
    i.add_argument("file", metavar="FILE")
    i.add_argument("--out", required=True, help="the scheme YAML to write")
    i.add_argument("--id", help="the scheme's id (default: from the file name)")
    i.add_argument("--name-zh", help="the scheme's Chinese name (default: the file name)")
    i.add_argument("--name-en", help="the scheme's English name (default: the file name)")
    i.set_defaults(run=cmd_import)
    e = ss.add_parser("export", help="a scheme -> framework table (.csv or .xlsx)")
    e.add_argument("scheme", metavar="SCHEME", help="built-in name, saved scheme (with --db) or .yaml file")
    e.add_argument("--out", required=True, help="FILE.csv or FILE.xlsx")
    e.add_argument("--shape", choices=SHAPES, default="long", help="long: one row a node; wide: 一级/二级/三级指标")
    e.add_argument("--lang", choices=("zh", "en"), default="zh", help="the headers' language")
    e.add_argument("--db", help="the database holding saved schemes")
    e.set_defaults(run=cmd_export)
