"""Command-line public notice (公示) of one station's result in an assessment round, as HTML or PDF.

    python -m indicators notice --db demo.duckdb --scheme needs-met --station S04 --lang zh \\
        --issuer "城关区民政局" --objection-contact "电话 0931-8123456" --objection-deadline 2026-12-09 \\
        --out S04_notice.pdf

`register(sub)` adds the subcommand to the main parser. Bad input exits 2 with a message naming the field.
"""
from __future__ import annotations

from pathlib import Path

from indicators.cli.common import BadInput, _date, _open, last_year
from indicators.i18n import t
from indicators.i18n.cli import lang_of_env
from indicators.outputs.notice import notice_html, notice_pdf, round_notice
from indicators.records.store import get_meta
from indicators.scheme import catalog
from indicators.scoring.engine import score
from indicators.scoring.measures import Period


def cmd_notice(args) -> int:
    out = Path(args.out)
    kind = out.suffix.lower()
    if kind not in (".html", ".pdf"):
        raise BadInput(code="notice.out", params={"path": str(out)})
    if not out.parent.is_dir():
        raise BadInput(code="notice.folder", params={"folder": str(out.parent)})
    period = Period(args.period_start, args.period_end)
    if period.start and period.end and period.start > period.end:
        raise BadInput(code="notice.period", params={"start": str(period.start), "end": str(period.end)})
    con = _open(args.db)
    try:
        scheme, name = catalog.resolve(args.scheme, con)
        if period.start is None and period.end is None:   # the records' last year, as score and the app take it
            period = last_year(con)
        result = score(con, scheme, period, source=name)
        demo = get_meta(con, "kind") == "demo"
    finally:
        con.close()
    notice = round_notice(result, args.station, args.lang,
                          {"issuer": args.issuer, "contact": args.objection_contact,
                           "deadline": args.objection_deadline}, demo=demo)
    if kind == ".pdf":
        out.write_bytes(notice_pdf(notice))
    else:
        out.write_text(notice_html(notice), encoding="utf-8")
    print(t("notice.cli.wrote", args.lang, path=out))
    return 0


def register(sub) -> None:
    """Add the `notice` subcommand to the main parser's subparsers."""
    n = sub.add_parser("notice", help="a one-page public notice (公示) of one station's result, HTML or PDF")
    n.add_argument("--db", required=True)
    n.add_argument("--scheme", required=True, help="built-in, saved or .yaml: the published scheme")
    n.add_argument("--station", required=True, help="station id, e.g. S07")
    n.add_argument("--period-start", type=_date, help="first day of the assessment period")
    n.add_argument("--period-end", type=_date, help="last day of the assessment period")
    n.add_argument("--lang", choices=("zh", "en"), default=lang_of_env())
    n.add_argument("--issuer", required=True,
                   help="the body that issues the notice (落款单位), printed above the date, e.g. 城关区民政局")
    n.add_argument("--objection-contact", required=True, help="how residents object: phone, address or office")
    n.add_argument("--objection-deadline", required=True, type=_date, help="last day to object (YYYY-MM-DD)")
    n.add_argument("--out", required=True, help="FILE.html or FILE.pdf")
    n.set_defaults(run=cmd_notice)
