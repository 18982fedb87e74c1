"""Command-line statistical audit of a scheme: `python -m indicators audit`. `register(sub)` adds it to the main parser.

    python -m indicators audit --db demo.duckdb --scheme photo-count
    python -m indicators audit --db demo.duckdb --scheme needs-met --format json --lang en --runs 2048 --seed 1

Prints the findings (redundant pairs, indicators against their own dimension, near-constant indicators, weak
dimensions, weights that are not the weights you get, what moves the ranks), then the tables behind them, then
which kind of evidence earns the scheme's points (paper, site checks, residents; `evidence` in the JSON, with the
points each station could still gain from paperwork alone).
Bad input exits 2 through the main entry point (InputError); the database is only read.
"""
from __future__ import annotations

import math
import os
import time

from indicators.analysis import evidence, sobol
from indicators.analysis.audit import FACTORS, audit, index_text, to_json
from indicators.cli.common import BadInput, _date, _open_read, _pad, _period, json_text, records
from indicators.i18n import t
from indicators.scheme import catalog
from indicators.scoring.engine import score


def _fmt(x: float, spec: str = ".2f") -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def cmd_audit(args) -> int:
    if args.runs < 16:
        raise BadInput(code="cli.runs", params={"runs": args.runs})
    if not 0 <= args.spread <= 1:
        raise BadInput(code="cli.spread", params={"spread": args.spread})
    con = _open_read(args.db)
    try:
        scheme, name = catalog.resolve(args.scheme, con)
        result = score(con, scheme, _period(args, con), source=name)
    finally:
        con.close()
    started = time.perf_counter()
    a = audit(result, runs=args.runs, seed=args.seed, spread=args.spread)
    seconds = time.perf_counter() - started
    L = args.lang
    shares = evidence.evidence_shares(scheme, L)
    gain = evidence.paperwork_gain(result)
    if args.format == "json":
        out = to_json(a)
        log = result.treatment
        out["treatment"] = [] if log is None else records(log)
        out["evidence"] = evidence.to_json(shares, gain)
        out["seconds"] = seconds
        print(json_text(out))
        return 0
    print(t("sa.cli.head", L, scheme=scheme.id, n=len(result.stations), k=len(result.raw.columns)))
    for _, f in a.findings.iterrows():
        print(f"  [{t('sa.kind.' + f['kind'], L)}] {f[L]}")
    print()
    print(t("sa.cli.importance", L))
    for i, row in a.importance.iterrows():
        print(f"  {i:<30}{_fmt(row['nominal'], '.1%'):>8}{_fmt(row['effective'], '.1%'):>8}  r={_fmt(row['r_total'])}")
    print(t("sa.cli.alpha", L))
    for node, row in a.alpha.iterrows():
        print(f"  {node:<30}{_fmt(row['alpha']):>8}  ({int(row['indicators'])})")
    print(t("sa.cli.sobol", L, runs=a.runs, seed=a.seed))
    for f in FACTORS:
        row = a.sobol_overall.loc[f]
        first, total = (index_text(row[x], row[f"{x}_lo"], row[f"{x}_hi"], row[f"{x}_uncertain"], L)
                        for x in ("first", "total"))   # with its interval, or "uncertain" when too wide to read
        print(f"  {_pad(t('sa.factor.' + f, L), 16)}{_pad(first, 24)}{_pad(total, 24)}{row['options']}")
    print(t("sobol.cli.rule", L, resamples=sobol.RESAMPLES, wide=f"{sobol.WIDE:g}"))
    if result.treatment is not None and len(result.treatment):
        print(t("sa.cli.treated", L, n=len(result.treatment)))
        for _, row in result.treatment.iterrows():
            print(f"  {row['station_id']} {row['indicator']}: {_fmt(row['before'], 'g')} -> "
                  f"{_fmt(row['after'], 'g')}  {row['why_' + L]}")
    _print_evidence(shares, gain, result, L)
    load = os.getloadavg()[0]
    print(t("sa.cli.time", L, seconds=f"{seconds:.2f}", load=f"{load:.1f}"))
    return 0


def _print_evidence(shares, gain, result, L: str) -> None:
    """The paragraph: the sentence, points per kind, and the gain from paperwork alone."""
    print()
    print(t("ev.cli.head", L))
    print("  " + evidence.sentence(shares, L))
    for kind, row in shares.kinds.iterrows():
        print(f"  {_pad(t('ev.kind.' + kind, L), 24)}{row['points']:>10.4g}{row['share']:>8.1%}  ({int(row['items'])})")
    colon = "：" if L == "zh" else ": "
    for _, row in shares.items.iterrows():
        print(f"    {_pad(row['code'], 28)}{row['points']:>8.4g}  {t('ev.short.' + row['kind'], L)}{colon}{row['why']}")
    names = result.stations["name" if L == "zh" else "name_en"]
    if len(gain):
        print("  " + evidence.gain_sentence(shares, gain, names, L))


def register(sub) -> None:
    """Add the audit subcommand to the main parser's subparsers."""
    a = sub.add_parser("audit", help="statistical audit of a scheme: correlations, alpha, flags, Sobol indices")
    a.add_argument("--db", required=True)
    a.add_argument("--from", dest="start", type=_date)
    a.add_argument("--to", dest="end", type=_date)
    a.add_argument("--scheme", required=True, help="built-in name, saved name, or a .yaml file")
    a.add_argument("--format", choices=("table", "json"), default="table")
    a.add_argument("--lang", choices=("zh", "en"), default="zh")
    a.add_argument("--runs", type=int, default=1024, help="base sample size N of the Sobol estimate (N x (k+2) runs)")
    a.add_argument("--seed", type=int, default=0)
    a.add_argument("--spread", type=float, default=0.2, help="each weight varies by up to this fraction (0.2 = ±20%%)")
    a.set_defaults(run=cmd_audit)
