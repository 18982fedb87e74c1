"""The command line: build the demo database, score stations, compare two schemes. Exit 2 on bad input, 1 on a fault."""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import traceback
from datetime import date
from pathlib import Path

from . import catalog
from .compare import compare
from .measures import Period
from .errors import InputError
from .records import build_demo, connect
from .scoring import ScoreResult, score


class BadInput(InputError):
    pass


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2024-01-31") from None


def _period(args) -> Period:
    p = Period(args.start, args.end)
    if p.start and p.end and p.start > p.end:
        raise BadInput(f"--from {p.start} is after --to {p.end}")
    return p


def _open(db: str):
    if not Path(db).exists():
        raise BadInput(f"{db}: no database there; build the demo with: python -m indicators demo --db {db}")
    return connect(db, read_only=True)


def _num(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 6)


def score_json(result: ScoreResult) -> dict:
    stations = []
    for sid in result.table().index:
        stations.append({
            "station_id": sid, "name": result.stations.at[sid, "name"],
            "name_en": result.stations.at[sid, "name_en"], "score": _num(result.total[sid]),
            "rank": int(result.rank[sid]), "grade": result.grade[sid], "capped_by": result.capped_by[sid],
            "dimensions": {d: _num(v) for d, v in result.dimension_scores.loc[sid].items()},
            "indicators": {i: {"raw": _num(result.raw.at[sid, i]), "normalised": _num(result.normalised.at[sid, i]),
                               "missing": bool(result.missing.at[sid, i]),
                               "contribution": _num(result.contributions.at[sid, i])}
                           for i in result.raw.columns},
        })
    return {"scheme": result.scheme.id, "period": {"from": _iso(result.period.start), "to": _iso(result.period.end)},
            "weights": {i: _num(w) for i, w in result.weights["effective"].items()}, "stations": stations}


def _iso(d):
    return d.isoformat() if d else None


def cmd_demo(args) -> int:
    counts = build_demo(args.db)
    print(f"built the synthetic demo database at {args.db}:")
    for table, n in counts.items():
        print(f"  {table:<13}{n:>9,}")
    return 0


def cmd_score(args) -> int:
    con = _open(args.db)
    scheme, name = catalog.resolve(args.scheme, con)
    result = score(con, scheme, _period(args), source=name)
    if args.format == "json":
        print(json.dumps(score_json(result), ensure_ascii=False, indent=2))
        return 0
    table = result.table()[["name_en", "name", "score", "rank", "grade", "capped_by"]]
    if args.format == "csv":
        sys.stdout.write(table.to_csv(float_format="%.2f"))
        return 0
    print(f"{scheme.name_en} ({scheme.id}) - {len(table)} stations, period {result.period}")
    print(table.to_string(float_format=lambda v: f"{v:.1f}"))
    return 0


def cmd_compare(args) -> int:
    if len(args.scheme) != 2:
        raise BadInput(f"compare needs exactly two --scheme options, got {len(args.scheme)}")
    con = _open(args.db)
    period = _period(args)
    (sa, na), (sb, nb) = (catalog.resolve(s, con) for s in args.scheme)
    cmp = compare(score(con, sa, period, na), score(con, sb, period, nb), top_k=args.top_k)
    t = cmp.table
    if args.format == "json":
        print(json.dumps({
            "scheme_a": sa.id, "scheme_b": sb.id, "kendall_tau": _num(cmp.kendall_tau),
            "spearman_rho": _num(cmp.spearman_rho), "top_k": cmp.top_k, "top_k_overlap": _num(cmp.top_k_overlap),
            "stations": [{"station_id": sid, "name": r["name"], "name_en": r["name_en"],
                          "score_a": _num(r["score_a"]), "score_b": _num(r["score_b"]),
                          "rank_a": int(r["rank_a"]), "rank_b": int(r["rank_b"]), "shift": int(r["shift"]),
                          "explained_by": list(r["explained_by"])} for sid, r in t.iterrows()],
        }, ensure_ascii=False, indent=2))
        return 0
    names = {i.id: i.name_en for i in (*sa.indicators, *sb.indicators)}
    view = t[["name_en", "rank_a", "rank_b", "shift", "score_a", "score_b"]].rename(
        columns={"rank_a": f"rank {sa.id}", "rank_b": f"rank {sb.id}", "score_a": f"score {sa.id}",
                 "score_b": f"score {sb.id}"})
    print(f"A = {sa.name_en} ({sa.id}), B = {sb.name_en} ({sb.id}); shift > 0: B ranks the station higher")
    print(view.to_string(float_format=lambda v: f"{v:.1f}"))
    print(f"\nKendall tau = {cmp.kendall_tau:.3f}   Spearman rho = {cmp.spearman_rho:.3f}   "
          f"top-{cmp.top_k} overlap = {cmp.top_k_overlap:.0%}")
    print("\nStations that move most:")
    for sid, r in cmp.movers(args.movers).iterrows():
        way = "up" if r["shift"] > 0 else "down" if r["shift"] < 0 else "no change"
        why = "; ".join(names[i] for i in r["explained_by"])
        print(f"  {r['name_en']} ({sid}): {int(r['rank_a'])} -> {int(r['rank_b'])} ({way} {abs(int(r['shift']))})"
              f" - because of: {why}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m indicators", description="Assessment-indicator designer for social work stations.")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="build the synthetic demo database")
    d.add_argument("--db", required=True)
    d.set_defaults(run=cmd_demo)

    def common(sp):
        sp.add_argument("--db", required=True)
        sp.add_argument("--from", dest="start", type=_date)
        sp.add_argument("--to", dest="end", type=_date)

    s = sub.add_parser("score", help="score every station with one scheme")
    common(s)
    s.add_argument("--scheme", required=True, help="built-in name, saved name, or a .yaml file")
    s.add_argument("--format", choices=("table", "csv", "json"), default="table")
    s.set_defaults(run=cmd_score)

    c = sub.add_parser("compare", help="rank stations under two schemes and explain the moves")
    common(c)
    c.add_argument("--scheme", action="append", required=True, help="give twice: A then B")
    c.add_argument("--format", choices=("table", "json"), default="table")
    c.add_argument("--top-k", type=int, default=5)
    c.add_argument("--movers", type=int, default=5, help="how many of the biggest moves to explain")
    c.set_defaults(run=cmd_compare)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception as exc:   # a fault of ours: say so plainly, details only on request
        if os.environ.get("INDICATORS_DEBUG"):
            traceback.print_exc()
        print(f"internal error: {type(exc).__name__}: {exc} (set INDICATORS_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 1
