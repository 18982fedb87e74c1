"""Command-line records in and results out: import, export, report. `register(sub)` adds them to the main parser.

    python -m indicators import --db my.duckdb --table needs needs.xlsx
    python -m indicators import --db my.duckdb stations.csv needs.csv activities.csv   # table from each file name
    python -m indicators import --db my.duckdb --table indicator_values 得分表.xlsx --scheme qianfen \
        --from 2024-01-01 --to 2024-12-31 --rater 王评估                           # a score sheet (得分表)
    python -m indicators export --db my.duckdb --scheme photo-count --scheme needs-met --out cmp.xlsx --lang en
    python -m indicators report --db my.duckdb --scheme needs-met --station S07 --out S07.html

Bad input raises InputError subclasses (the main entry point turns them into exit 2); the database is left as it was.
"""
from __future__ import annotations

import sys
from pathlib import Path

from indicators.scheme import catalog
from indicators.outputs.export import export_scores
from indicators.cli.common import BadInput, _connect, _date, _open_read, _period
from indicators.records.importer import ImportProblems, Problem, apply, check_many
from indicators.records import score_sheet
from indicators.records.store import TABLES, create_schema, get_meta
from indicators.outputs.report import station_report
from indicators.i18n import t
from indicators.i18n.cli import lang_of_env
from indicators.scoring.engine import score


CliInputError = BadInput   # one kind of command-line input error, whichever command raised it


def cmd_import(args) -> int:
    sources = []
    for f in args.files:
        table = args.table or Path(f).stem.lower()
        if table not in TABLES:
            raise CliInputError(code="cli.which_table", params={"file": f, "tables": ", ".join(TABLES)})
        if not Path(f).is_file():
            raise CliInputError(code="cli.no_file", params={"file": f})
        sources.append((table, f, Path(f).name))
    # A file for indicator_values that is not in its long shape is a score sheet (得分表): read against a scheme.
    sheets = [s for s in sources if s[0] == "indicator_values" and not score_sheet.is_long_file(s[1], s[2])]
    sources = [s for s in sources if s not in sheets]
    if sheets and not args.scheme:
        raise CliInputError(code="sheet.scheme_required", params={"file": sheets[0][2]})
    if sheets and (args.start is None or args.end is None):
        raise CliInputError(code="sheet.period_required")
    db = Path(args.db)
    created = not db.exists()
    con = _connect(db, read_only=False)
    ok = False
    try:
        if created:
            create_schema(con)
        plan = check_many(con, sources)
        sheet_plans = []
        if sheets:
            scheme, _ = catalog.resolve(args.scheme, con)
            sheet_plans = [score_sheet.check_sheet(con, scheme, f, args.start, args.end, args.rater or "", name)
                           for _, f, name in sheets]
        # all or nothing: every file's problems listed together before anything is written
        problems = list(plan.problems) + [p for sp in sheet_plans for p in sp.problems]
        if problems:
            raise ImportProblems(problems[:200], plan.problem_total + sum(len(sp.problems) for sp in sheet_plans))
        for sp in sheet_plans:
            _sheet_summary(sp, args.lang)
        total = plan.inserting
        step = max(total // 10, 1)
        shown = [0]

        def progress(done: int, n: int) -> None:
            if args.progress and (done - shown[0] >= step or done == n):
                shown[0] = done
                print(t("cli.import_progress", args.lang, done=done, n=n), file=sys.stderr, flush=True)

        report = apply(con, plan, progress) if sources else None
        sheet_report = score_sheet.apply_sheet(con, sheet_plans) if sheet_plans else None
        ok = True
    finally:
        con.close()
        if created and not ok:   # a new database that received nothing is not left behind
            db.unlink(missing_ok=True)
            Path(str(db) + ".wal").unlink(missing_ok=True)
    if report is not None:
        for table, (ins, skipped) in report.by_table.items():
            print(t("cli.import_table", args.lang, table=table, ins=ins, skipped=skipped))
        print(t("cli.import_total", args.lang, ins=report.inserted, skipped=report.skipped))
    if sheet_report is not None:
        print(t("sheet.done", args.lang, ins=sheet_report.inserted, replaced=sheet_report.replaced))
    return 0


def _sheet_summary(plan: score_sheet.SheetPlan, lang: str, listed: int = 20) -> None:
    """What a checked score sheet holds, its blank cells (missing, not an error), vetoes and what it replaces."""
    print(t("sheet.read", lang, file=plan.file, shape=t(f"sheet.shape.{plan.layout.shape}", lang),
            scheme=plan.scheme, stations=len(plan.stations), items=len(plan.items), start=plan.start,
            end=plan.end, rater=plan.rater or t("sheet.no_rater", lang)))
    if plan.blanks:
        print(t("sheet.blanks", lang, n=plan.blanks))
        for w in plan.warnings[:listed]:
            print(f"  {w.line(lang)}")
        if plan.blanks > listed:
            print("  " + t("sheet.blanks_more", lang, n=plan.blanks - listed))
    if plan.vetoed:
        print(t("sheet.vetoed", lang, n=len(plan.vetoed), stations=", ".join(plan.vetoed)))
    if plan.replacing:
        print(t("sheet.replaces", lang, n=plan.replacing))


def cmd_export(args) -> int:
    if args.sheet:
        return _export_sheet(args)
    if len(args.scheme) > 2:
        raise CliInputError(code="cli.export_schemes", params={"n": len(args.scheme)})
    con = _open_read(args.db)
    try:
        period = _period(args, con)
        results = []
        for s in args.scheme:
            scheme, name = catalog.resolve(s, con)
            results.append(score(con, scheme, period, source=name))
    finally:
        con.close()
    path = export_scores(results, args.out, lang=args.lang)
    print(t("cli.wrote_export", args.lang, path=path, n=len(results[0].stations), k=len(results)))
    return 0


def _export_sheet(args) -> int:
    """The score sheet of a scheme and period written back in the shape it was imported in, with the module
    subtotals, total, grade and veto (values: every rater's, combined as the scheme combines them)."""
    from dataclasses import replace

    if len(args.scheme) != 1:
        raise CliInputError(code="cli.export_schemes", params={"n": len(args.scheme)})
    if args.start is None or args.end is None:
        raise CliInputError(code="sheet.period_required")
    con = _open_read(args.db)
    try:
        scheme, name = catalog.resolve(args.scheme[0], con)
        layout = score_sheet.stored_layout(con, scheme.id, args.start, args.end)
        if layout is None:
            raise CliInputError(code="sheet.no_layout", params={"scheme": scheme.id, "start": args.start,
                                                                "end": args.end})
        result = score(con, scheme, _period(args, con), source=name)
        _, _, notes = score_sheet.sheet_values(con, scheme, args.start, args.end)
    finally:
        con.close()
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CliInputError(code="cli.no_folder", params={"path": out, "folder": out.parent})
    fmt = "xlsx" if out.suffix.lower() in (".xlsx", ".xlsm") else "csv"
    out.write_bytes(score_sheet.export_sheet(result, replace(layout, file_format=fmt), notes=notes))
    print(t("cli.wrote", args.lang, path=out))
    return 0


def cmd_report(args) -> int:
    con = _open_read(args.db)
    try:
        scheme, name = catalog.resolve(args.scheme, con)
        result = score(con, scheme, _period(args, con), source=name)
        demo = get_meta(con, "kind") == "demo"
    finally:
        con.close()
    html = station_report(result, args.station, args.lang, demo=demo)
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CliInputError(code="cli.no_folder", params={"path": out, "folder": out.parent})
    out.write_text(html, encoding="utf-8")
    print(t("cli.wrote", args.lang, path=out))
    return 0


def register(sub) -> None:
    """Add the import, export and report subcommands to the main parser's subparsers."""
    i = sub.add_parser("import", help="import records from CSV or XLSX files (all or nothing)")
    i.add_argument("--db", required=True, help="the database (created with the schema if it does not exist)")
    i.add_argument("--table", choices=list(TABLES), help="the table; default: each file's name (needs.csv -> needs)")
    i.add_argument("--progress", action="store_true", help="report writing progress on stderr")
    i.add_argument("--scheme", help="a score sheet (得分表, not the long indicator_values shape): the scheme whose "
                                    "items its headers or first column name (built-in, saved or .yaml)")
    i.add_argument("--from", dest="start", type=_date, help="a score sheet: the first day of the period of its points")
    i.add_argument("--to", dest="end", type=_date, help="a score sheet: the last day of the period of its points")
    i.add_argument("--rater", default="", help="a score sheet: who scored it (several raters' sheets for one "
                                               "period are combined when scoring); default: none (one source)")
    i.add_argument("files", nargs="+", metavar="FILE", help="CSV (UTF-8 or GBK) or XLSX; several files = one import")
    i.set_defaults(run=cmd_import)

    def common(sp):
        sp.add_argument("--db", required=True)
        sp.add_argument("--from", dest="start", type=_date)
        sp.add_argument("--to", dest="end", type=_date)
        sp.add_argument("--lang", choices=("zh", "en"), default=lang_of_env())

    e = sub.add_parser("export", help="export scores (one scheme, or two compared) to .xlsx or .csv")
    common(e)
    e.add_argument("--scheme", action="append", required=True, help="built-in, saved or .yaml; give twice to compare")
    e.add_argument("--out", required=True, help="FILE.xlsx or FILE.csv")
    e.add_argument("--sheet", action="store_true", help="the score sheet (得分表) imported for this scheme and "
                                                        "period, in its own shape, with subtotals, total, grade, veto")
    e.set_defaults(run=cmd_export)

    r = sub.add_parser("report", help="a printable HTML report card for one station")
    common(r)
    r.add_argument("--scheme", required=True)
    r.add_argument("--station", required=True, help="station id, e.g. S07")
    r.add_argument("--out", required=True, help="FILE.html")
    r.set_defaults(run=cmd_report)


__all__ = ["register", "ImportProblems", "Problem"]
