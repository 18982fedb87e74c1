"""Command-line Spark: `score --engine spark` options, and `export-records` (the records as Parquet, for Spark to read).

    python -m indicators export-records --db my.duckdb --format parquet --out records/ --partition station
    python -m indicators score --engine spark --records records/ --scheme needs-met
    python -m indicators score --engine spark --master spark://head:7077 --records hdfs:///bureau/records --scheme needs-met

Only the raw values are computed on Spark; everything after them runs here, as for `score --db`.
"""
from __future__ import annotations

from pathlib import Path

from indicators.cli.common import BadInput, _open, _period
from indicators.i18n import has, t
from indicators.records.parquet import PARTITIONS, export_parquet
from indicators.scheme import catalog
from indicators.records.queries import last_year
from indicators.scoring.engine import ScoreResult
from indicators.scoring.measures import Period


def add_engine_options(score_parser) -> None:
    """--engine, --records and --master on the `score` subcommand."""
    score_parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                              help="where the measures run: the DuckDB file (--db) or Spark (--records)")
    score_parser.add_argument("--records", metavar="PATH_OR_DATABASE",
                              help="with --engine spark: a folder or URI of Parquet files written by export-records, "
                                   "or a database in the Spark catalog")
    score_parser.add_argument("--master", default="local[2]",
                              help="with --engine spark: the Spark master (default local[2]; e.g. spark://host:7077, "
                                   "yarn)")


def scored_on_spark(args) -> ScoreResult:
    """The scheme scored on Spark; --db, when given, is read only for a scheme saved in it."""
    if not args.records:
        raise BadInput(code="cli.spark_records")
    try:
        from indicators.scoring import spark
    except ImportError as exc:
        raise BadInput(code="cli.spark_missing", params={"module": exc.name}) from None

    period = _period(args)
    if args.db:
        con = _open(args.db)
        try:
            scheme, name = catalog.resolve(args.scheme, con)
        finally:
            con.close()
    else:
        scheme, name = catalog.resolve(args.scheme)
    session = spark.session(args.master)
    spark.open_records(session, args.records)
    if args.start is None and args.end is None:   # the records' last year, as on DuckDB and in the app
        period = Period(*last_year(*spark.date_range(session)))
    return spark.score(session, scheme, period, source=name)


def _table_name(table: str, lang: str) -> str:
    """A record table's name in the reader's language (the importer's words); an unknown one as it is."""
    key = f"err.import.table.{table}"
    return t(key, lang) if has(key) else table


def cmd_export_records(args) -> int:
    if not Path(args.db).exists():
        raise BadInput(code="cli.no_db", params={"db": args.db})
    con = _open(args.db)
    try:
        counts = export_parquet(con, args.out, args.partition)
    finally:
        con.close()
    lang = args.lang
    split = t("cli.parquet_split", lang, by=args.partition) if args.partition else ""
    counts = t("cli.list_sep", lang).join(t("cli.parquet_count", lang, table=_table_name(name, lang), n=n)
                                          for name, n in counts.items())
    print(t("cli.wrote_parquet", lang, path=args.out, format=args.format, split=split, counts=counts))
    return 0


def register(sub) -> None:
    """Add the export-records subcommand to the main parser's subparsers."""
    e = sub.add_parser("export-records", help="write every record table to Parquet, the format --engine spark reads")
    e.add_argument("--db", required=True)
    e.add_argument("--format", choices=("parquet",), default="parquet")
    e.add_argument("--out", required=True, help="a new (or empty) folder")
    e.add_argument("--partition", choices=PARTITIONS,
                   help="split each table into a folder per station or per month (default: one file per table)")
    e.set_defaults(run=cmd_export_records)
