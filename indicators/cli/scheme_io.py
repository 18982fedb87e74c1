"""Command-line framework tables: `scheme import` (table -> YAML) and `scheme export` (scheme -> table).

    python -m indicators scheme import framework.xlsx --out framework.yaml [--id my-scheme]
        [--grades 优秀:900,良好:800,合格:600,不合格:0] [--rules-from-criteria]
    python -m indicators scheme export needs-met --out needs-met.xlsx [--shape wide] [--lang en]

Bad input raises InputError subclasses (exit 2, the problems listed by file, row and column); on any problem the
--out file is not written.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from indicators.cli.common import BadInput, _open_read
from indicators.i18n import t
from indicators.scheme import catalog
from indicators.scheme.framework import SHAPES, SOURCE_MARK, parse_grades, read_table, recognise_notes, write_table
from indicators.scheme.model import dump_yaml, scheme_from_dict, scheme_to_dict


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


def _criteria():
    """The 评分标准 reader (indicators.scheme.criteria), or None where this installation has none."""
    try:
        from indicators.scheme import criteria
    except ImportError:
        return None
    return criteria


def _criteria_text(rationale: str) -> str:
    return rationale.rsplit(SOURCE_MARK, 1)[0] if SOURCE_MARK in rationale else rationale


def _with_rules(scheme, lang: str, write: bool):
    """Prints the rule the 评分标准 of each item proposes, beside its text; with `write`, the scheme with them."""
    criteria = _criteria()
    if criteria is None:
        if write:
            raise BadInput(code="cli.qianfen_no_criteria", params={"option": "--rules-from-criteria"})
        return scheme
    rules: dict[str, dict] = {}
    print(t("qianfen.proposals", lang))
    for ind in scheme.indicators:
        text = _criteria_text(ind.rationale_zh)
        if not text or ind.points is None or ind.scoring is not None:   # a 计分规则 the table gives wins
            continue
        got = criteria.propose(text, ind.points)
        shown = ", ".join(f"{k}: {v}" for k, v in got.rule.items())
        print(t("qianfen.proposal", lang, code=ind.id, rule=f"{{{shown}}}", text=text))
        rules[ind.id] = got
    if not write:
        print(t("qianfen.proposals_not_written", lang, option="--rules-from-criteria"))
        return scheme
    data = scheme_to_dict(scheme)

    def walk(d: dict) -> None:
        for ind in d.get("indicators", []):
            if ind["id"] in rules:
                ind["scoring"] = rules[ind["id"]].rule
                if rules[ind["id"]].direction == "lower":
                    ind["direction"] = "lower"
        for sub in d.get("dimensions", []):
            walk(sub)
    for d in data["dimensions"]:
        walk(d)
    return scheme_from_dict(data, "--rules-from-criteria")


def _summary(scheme, lang: str, source: str) -> None:
    """What the table gave: title, points, levels, items, grade bands and veto clauses, as read."""
    if scheme.title:
        print(t("qianfen.title", lang, title=scheme.title.replace("\n", " / ")))
    total = scheme.points_total()
    print(t("qianfen.shape", lang, points=f"{total:g}" if total is not None else "-", levels=scheme.levels() + 1,
            n=len(scheme.indicators), d=len(scheme.dimensions)))
    scale = scheme.grade_scale
    bands = "; ".join(f"{g.grade} ≥ {g.min:g}" for g in scheme.grades)
    print(t(f"qianfen.grades_{source}", lang, bands=bands, scale=t(f"qianfen.scale_{scale}", lang)))
    names = {i.id: i.name_zh for i in scheme.indicators}
    found = recognise_notes(list(scheme.notes), names)
    for clause in found.vetoes:
        if clause.veto() is not None:
            print(t("qianfen.veto_on", lang, text=clause.text, code=clause.indicator, op=clause.op,
                    value=f"{clause.value:g}"))
        elif clause.indicator is not None:
            print(t("qianfen.veto_unread", lang, text=clause.text, code=clause.indicator))
        else:
            print(t("qianfen.veto_sheet", lang, text=clause.text))
    for note in found.unread:
        print(t("qianfen.note", lang, text=note))


def cmd_import(args) -> int:
    src = Path(args.file)
    if not src.is_file():
        raise BadInput(code="cli.no_file", params={"file": src})
    grades = parse_grades(args.grades) if args.grades is not None else None
    scheme = read_table(src, src.name, scheme_id=args.id, name_zh=args.name_zh, name_en=args.name_en,
                        grades=grades)
    # a table as handed out (title rows, footnotes) or an option about them: say what was read from it; a plain
    # table (one the tool exported, say) gets the one line it always got
    handed_out = bool(scheme.title or scheme.notes or grades is not None or args.rules_from_criteria)
    if args.rules_from_criteria or (handed_out and _criteria() is not None):
        scheme = _with_rules(scheme, args.lang, args.rules_from_criteria)
    if handed_out:
        source = "option" if grades is not None else "notes" if recognise_notes(list(scheme.notes)).grades \
            else "default"
        _summary(scheme, args.lang, source)
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
    i.add_argument("--grades", metavar="BANDS",
                   help="grade bands replacing those of the table's notes, e.g. 优秀:900,良好:800,合格:600,不合格:0 "
                        "(minimums on the table's points when above 100, else on 0-100)")
    i.add_argument("--rules-from-criteria", action="store_true",
                   help="write the scoring rule each item's 评分标准 states (a table with title rows or notes has "
                        "them printed either way)")
    i.set_defaults(run=cmd_import)
    e = ss.add_parser("export", help="a scheme -> framework table (.csv or .xlsx)")
    e.add_argument("scheme", metavar="SCHEME", help="built-in name, saved scheme (with --db) or .yaml file")
    e.add_argument("--out", required=True, help="FILE.csv or FILE.xlsx")
    e.add_argument("--shape", choices=SHAPES, default="long", help="long: one row a node; wide: 一级/二级/三级指标")
    e.add_argument("--lang", choices=("zh", "en"), default="zh", help="the headers' language")
    e.add_argument("--db", help="the database holding saved schemes")
    e.set_defaults(run=cmd_export)
