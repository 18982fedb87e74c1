"""What every subcommand shares: the bad-input error, date and period arguments, opening the database, text tables
and padding by display width, and JSON at full precision. It sits below main and the subcommand modules: main
imports them, they import this, and nothing here imports them back."""
from __future__ import annotations

import argparse
import json
import math
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from indicators.errors import InputError
from indicators.i18n import TABLES
from indicators.records.importer import DateError, parse_date
from indicators.records.store import connect
from indicators.scoring.measures import Period


class BadInput(InputError):
    pass


# The language argparse speaks while it parses (set by argparse_words): a bad --from is told in it too.
_parsing_lang = "en"


@contextmanager
def argparse_words(lang: str):
    """argparse's messages in `lang` while it parses: it looks each template up through its module's `_`."""
    global _parsing_lang
    table = TABLES[lang]
    saved = argparse._, argparse.ngettext, _parsing_lang
    argparse._ = lambda text: table.get(f"argparse:{text}", text)
    argparse.ngettext = lambda one, many, n: argparse._(one if n == 1 else many)
    _parsing_lang = lang
    try:
        yield
    finally:
        argparse._, argparse.ngettext, _parsing_lang = saved


def _date(text: str) -> date:
    """ISO dates and the ledger forms evaluators type (2024/3/5, 2024年3月5日): the importer's reading."""
    try:
        return parse_date(text)
    except DateError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc.word.render(_parsing_lang)}") from None


def last_year(con) -> Period:
    """The records' last year: the period a command takes when none is asked for, as the app opens on."""
    from indicators.records.queries import default_period
    try:
        return Period(*default_period(con)[:2])
    except duckdb.Error:   # no record tables: the command that reads them says so in its own words
        return Period(None, None)


def _period(args, con=None) -> Period:
    """The asked-for period; with neither --from nor --to, the records' last year, as the app opens on (an open end
    given one date reaches the records' first or last date). Without a database (Spark's folders) both ends stay open."""
    if args.start is None and args.end is None and con is not None:
        return last_year(con)
    p = Period(args.start, args.end)
    if p.start and p.end and p.start > p.end:
        raise BadInput(code="cli.period", params={"start": p.start, "end": p.end})
    return p


def _open(db: str):
    if not Path(db).exists():
        raise BadInput(code="cli.no_db_demo", params={"db": db})
    return connect(db, read_only=True)


def _connect(db, read_only: bool):
    try:
        return connect(db, read_only=read_only)
    except duckdb.Error as exc:   # not a DuckDB file, or another process holds it
        raise BadInput(code="cli.cannot_open", params={"db": db, "detail": exc}) from None


def _open_read(db: str):
    if not Path(db).exists():
        raise BadInput(code="cli.no_db", params={"db": db})
    return _connect(db, read_only=True)


def _table(df) -> str:
    """A text table aligned by display width (a Chinese character takes two columns). Text stored before the doors
    refused control characters is shown with them replaced: ESC would drive the terminal, U+202E reorder the row,
    a line break split it."""
    from indicators.text_safety import shown
    def safe(x):
        return shown(x, lines=False) if isinstance(x, str) else x
    df = df.map(safe).rename(index=safe, columns=safe)
    with pd.option_context("display.unicode.east_asian_width", True):
        return df.to_string(float_format=lambda v: f"{v:.1f}")


def _pad(text, width: int) -> str:
    """`text` padded to `width` display columns (a Chinese character takes two)."""
    from wcwidth import wcswidth

    from indicators.text_safety import shown
    text = shown(str(text), lines=False)
    return f"{text}{' ' * max(width - max(wcswidth(str(text)), 0), 0)}"


def _full(x: float) -> float | None:
    """Full precision for the JSON: what a reader recomputes from must not be rounded."""
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def plain(x):
    """`x` as JSON values: numpy scalars as Python's (a float64 is a float, kept whole), a gap (NaN, ±inf) as
    null, dates in ISO form; dicts, lists and tuples walked."""
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    if isinstance(x, date):   # a pandas Timestamp too
        return x.isoformat()
    return x


def json_text(x) -> str:
    """The one way the CLI writes JSON: floats in full (repr round-trips), strict JSON (no NaN), Chinese as is."""
    return json.dumps(plain(x), ensure_ascii=False, indent=2, allow_nan=False)


def records(df) -> list[dict]:
    """A table's rows as JSON records at full precision (pandas' to_json keeps only 10 decimals)."""
    return [plain(dict(zip(df.columns, row))) for row in df.itertuples(index=False, name=None)]
