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

from indicators.scheme import catalog

from indicators.analysis import sensitivity

from indicators.weights import ahp, objective
from indicators.analysis.compare import compare
from indicators.scoring.measures import Period
from indicators.errors import InputError
from indicators.records.importer import parse_date
from indicators.records.store import build_demo, connect
from indicators.scoring.engine import ScoreResult, alternative_normalisations, score


class BadInput(InputError):
    pass


def _date(text: str) -> date:
    """ISO dates and the ledger forms evaluators type (2024/3/5, 2024年3月5日): the importer's reading."""
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None


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
    if args.engine == "spark":
        from indicators.cli.spark import scored_on_spark
        result = scored_on_spark(args)
    elif not args.db or args.records:
        raise BadInput("--records goes with --engine spark" if args.records else
                       "score needs --db (or --engine spark --records PATH)")
    else:
        con = _open(args.db)
        scheme, name = catalog.resolve(args.scheme, con)
        result = score(con, scheme, _period(args), source=name)
    scheme = result.scheme
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
        shift = int(r["shift"])
        way = "up" if shift > 0 else "down" if shift < 0 else "no change"
        print(f"  {r['name_en']} ({sid}): {int(r['rank_a'])} -> {int(r['rank_b'])} ({way} {abs(shift)})")
        in_b, only_a = cmp.reasons(sid)
        lifts, holds = ("lifts it", "held it back") if shift >= 0 else ("holds it back", "lifted it")
        if in_b:
            print(f"      {sb.id} {lifts}: " + "; ".join(f"{names[i]} ({e:+.1f})" for i, e in in_b))
        if only_a:
            print(f"      {sa.id} {holds}: " + "; ".join(f"{names[i]} ({e:+.1f})" for i, e in only_a))
    print("  (in brackets: points the indicator moves the station, against the average station, from A to B)")
    return 0


def _scored(args):
    con = _open(args.db)
    scheme, name = catalog.resolve(args.scheme, con)
    return score(con, scheme, _period(args), source=name)


def cmd_weights_ahp(args) -> int:
    judges = [ahp.read_matrix_csv(path) for path in args.matrix]
    agreement = None
    if len(judges) == 1:
        criteria, matrix = judges[0]
        result = ahp.ahp(matrix, criteria, ri_table=args.ri_table)
    else:
        named = {Path(p).stem: pair for p, pair in zip(args.matrix, judges)}
        result, agreement = ahp.aggregate_judgments(named, method=args.group, ri_table=args.ri_table)
    if args.format == "json":
        out = result.to_dict()
        if agreement is not None:
            out["group"] = {"method": args.group, "judges": list(named),
                            "kendall_w": _num(agreement["kendall_w"]), "mean_cosine": _num(agreement["mean_cosine"]),
                            "individual_cr": {k: _num(v) for k, v in agreement["individual_cr"].items()}}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    if agreement is not None:
        print(f"{len(judges)} judges combined by {args.group.upper()}; Kendall's W = {agreement['kendall_w']:.3f}")
    for c, w in zip(result.criteria, result.weights):
        print(f"  {c:<24}{w:8.4f}")
    verdict = "consistent" if result.consistent else "NOT consistent (CR >= 0.10)"
    print(f"lambda_max = {result.lambda_max:.4f}  CI = {result.ci:.4f}  CR = {result.cr:.4f} "
          f"(RI {result.ri:.2f}, table {result.ri_table}): {verdict}")
    if not result.consistent:
        for a, b, r in result.disagreements:
            print(f"  revisit ({a}, {b}): the judgment is {r:.2f} times what the weights imply")
    return 0


def cmd_weights_objective(args) -> int:
    result = _scored(args)
    raw = result.raw.to_numpy()
    higher = [i.direction == "higher" for i in result.scheme.indicators]
    fn = objective.entropy_weights if args.method == "entropy" else objective.critic_weights
    w = dict(zip(result.raw.columns, (float(x) for x in fn(raw, higher))))
    if args.format == "json":
        print(json.dumps({"method": args.method, "scheme": result.scheme.id,
                          "weights": {k: _num(v) for k, v in w.items()}}, indent=2))
        return 0
    print(f"{args.method} weights for {result.scheme.id} (they reward dispersion: counts that are easy to "
          "inflate vary most, so read them as a check, not a verdict)")
    for k, v in sorted(w.items(), key=lambda kv: -kv[1]):
        print(f"  {k:<28}{v:8.4f}")
    return 0


def cmd_sensitivity(args) -> int:
    result = _scored(args)
    alternatives = [a.to_numpy() for a in alternative_normalisations(result)] if args.vary_normalisation else None
    sens = sensitivity.rank_intervals(
        result.normalised.to_numpy(), result.weights["effective"].to_numpy(), list(result.stations.index),
        draws=args.draws, spread=args.spread, seed=args.seed, top_k=args.top_k,
        aggregation=result.scheme.aggregation, alternatives=alternatives)
    t = sens.table.sort_values(["rank", "rank_p50"])
    if args.format == "json":
        print(json.dumps({"scheme": result.scheme.id, "draws": args.draws, "seed": args.seed, "spread": args.spread,
                          "top_k": args.top_k, "normalisations": sens.normalisations, "stations": [
                              {"station_id": sid, "rank": int(r["rank"]), "rank_p05": int(r["rank_p05"]),
                               "rank_p50": int(r["rank_p50"]), "rank_p95": int(r["rank_p95"]),
                               "p_top_k": _num(r["p_top_k"]), "sentence": r["sentence_en"]}
                              for sid, r in t.iterrows()]}, ensure_ascii=False, indent=2))
        return 0
    also = (f"; each draw also reads the records by one of {sens.normalisations} normalisations"
            if sens.normalisations > 1 else "")
    print(f"{result.scheme.id}: {args.draws:,} weightings drawn around the chosen weights (spread {args.spread}, "
          f"seed {args.seed}){also}")
    for sid, r in t.iterrows():
        print(f"  {result.stations.at[sid, 'name_en']:<28} rank {int(r['rank']):>3}  {r['sentence_en']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m indicators", description="Assessment-indicator designer for social work stations.")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="build the synthetic demo database")
    d.add_argument("--db", required=True)
    d.set_defaults(run=cmd_demo)

    def common(sp, db_required=True):
        sp.add_argument("--db", required=db_required)
        sp.add_argument("--from", dest="start", type=_date)
        sp.add_argument("--to", dest="end", type=_date)

    s = sub.add_parser("score", help="score every station with one scheme")
    common(s, db_required=False)
    s.add_argument("--scheme", required=True, help="built-in name, saved name, or a .yaml file")
    s.add_argument("--format", choices=("table", "csv", "json"), default="table")
    from indicators.cli import spark   # --engine spark --records PATH, and export-records
    spark.add_engine_options(s)
    s.set_defaults(run=cmd_score)

    c = sub.add_parser("compare", help="rank stations under two schemes and explain the moves")
    common(c)
    c.add_argument("--scheme", action="append", required=True, help="give twice: A then B")
    c.add_argument("--format", choices=("table", "json"), default="table")
    c.add_argument("--top-k", type=int, default=5)
    c.add_argument("--movers", type=int, default=5, help="how many of the biggest moves to explain")
    c.set_defaults(run=cmd_compare)

    w = sub.add_parser("weights", help="derive weights: AHP from judgment matrices, entropy or CRITIC from records")
    wsub = w.add_subparsers(dest="method", required=True)
    a = wsub.add_parser("ahp", help="AHP weights from pairwise-comparison CSV files (one per judge)")
    a.add_argument("--matrix", action="append", required=True,
                   help="CSV whose header row and first column name the criteria; give several for a group")
    a.add_argument("--group", choices=("aij", "aip"), default="aij",
                   help="combine judges by geometric mean of judgments (aij) or of priorities (aip)")
    a.add_argument("--ri-table", choices=tuple(ahp.RANDOM_INDEX), default="saaty")
    a.add_argument("--format", choices=("table", "json"), default="table")
    a.set_defaults(run=cmd_weights_ahp)
    for method in ("entropy", "critic"):
        o = wsub.add_parser(method, help=f"{method} weights from the stations' raw values")
        common(o)
        o.add_argument("--scheme", required=True)
        o.add_argument("--format", choices=("table", "json"), default="table")
        o.set_defaults(run=cmd_weights_objective)

    m = sub.add_parser("sensitivity", help="how robust each station's rank is to plausible weights")
    common(m)
    m.add_argument("--scheme", required=True)
    m.add_argument("--draws", type=int, default=10_000)
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--spread", type=float, default=0.2, help="0 = no variation; 0.2 = weights vary about 20%%")
    m.add_argument("--top-k", type=int, default=5)
    m.add_argument("--vary-normalisation", action="store_true",
                   help="each draw also reads the records by min-max or by rank normalisation")
    m.add_argument("--format", choices=("table", "json"), default="table")
    m.set_defaults(run=cmd_sensitivity)

    from indicators.cli.records_io import register   # import, export, report
    register(sub)
    spark.register(sub)
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
