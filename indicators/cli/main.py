"""The command line: build the demo database, score stations, compare two schemes. Exit 2 on bad input, 1 on a fault."""
from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from indicators.scheme import catalog

from indicators.analysis import sensitivity

from indicators.weights import ahp, objective
from indicators.analysis.compare import compare
from indicators.cli.common import BadInput, _date, _full, _open, _pad, _period, _table, argparse_words, json_text
from indicators.errors import InputError
from indicators.i18n import t
from indicators.i18n import t as _t
from indicators.i18n.cli import lang_of_env
from indicators.records.queries import date_range
from indicators.records.store import build_demo
from indicators.scoring.engine import ScoreResult, alternative_normalisations, score, score_many


def score_json(result: ScoreResult) -> dict:
    points = result.points_earned
    node_points = result.node_points()
    stations = []
    for sid in result.table().index:
        row = {
            "station_id": sid, "name": result.stations.at[sid, "name"],
            "name_en": result.stations.at[sid, "name_en"], "score": _full(result.total[sid]),
            "rank": int(result.rank[sid]), "grade": result.grade[sid] or None, "capped_by": result.capped_by[sid],
            "veto": result.veto[sid] or None, "status": result.status[sid], "complete": _full(result.complete[sid]),
            "dimensions": {d: _full(v) for d, v in result.dimension_scores.loc[sid].items()},
            "nodes": {d: _full(v) for d, v in result.nodes.loc[sid].items()},
            "indicators": {i: {"raw": _full(result.raw.at[sid, i]), "normalised": _full(result.normalised.at[sid, i]),
                               "missing": bool(result.missing.at[sid, i]),
                               "contribution": _full(result.contributions.at[sid, i])}
                           for i in result.raw.columns},
        }
        if points is not None:
            row["points"], row["points_available"] = _full(points[sid]), result.points_available
            row["node_points"] = {d: _full(v) for d, v in node_points.loc[sid].items()}
            for i, cell in row["indicators"].items():
                cell["points"] = _full(result.item_points.at[sid, i])
        if result.distances is not None:   # TOPSIS: each node's distances to the ideal and the anti-ideal
            d = result.distances.loc[sid]
            row["distances"] = {n: {"d_plus": _full(d[(n, "d_plus")]), "d_minus": _full(d[(n, "d_minus")])}
                                for n in dict.fromkeys(result.distances.columns.get_level_values(0))}
        stations.append(row)
    return {"scheme": result.scheme.id, "period": {"from": _iso(result.period.start), "to": _iso(result.period.end)},
            "aggregation": result.scheme.aggregation, "weighting": result.scheme.weighting,
            "grade_scale": result.scheme.grade_scale, "relative": list(result.relative),
            "weights": {i: _full(w) for i, w in result.weights["effective"].items()}, "stations": stations}


def _iso(d):
    return d.isoformat() if d else None


def _values_in_period(con, result: ScoreResult) -> None:
    """A scheme read from indicator_values whose period holds none of its values would show every station tied
    with nothing to say why: refuse, and name the periods that do hold them."""
    from indicators.records.queries import value_periods
    series = [i.measure.series or i.id for i in result.scheme.indicators if i.measure.kind == "value"]
    if not series or result.raw[[i.id for i in result.scheme.indicators if i.measure.kind == "value"]].notna().any().any():
        return
    held = value_periods(con, series)
    raise BadInput(code="cli.no_values_in_period", params={
        "period": str(result.period), "periods": "; ".join(f"--from {a} --to {b} ({n})" for a, b, n in held[:6])
        or "-"})


def cmd_demo(args) -> int:
    counts = build_demo(args.db)
    print(t("cli.demo_built", args.lang, db=args.db))
    for table, n in counts.items():
        print(f"  {table:<13}{n:>9,}")
    return 0


def cmd_score(args) -> int:
    if args.engine == "spark":
        if args.memory_limit or args.temp_dir:   # DuckDB's settings: silently ignored they would mislead
            raise BadInput(code="cli.duckdb_only", params={"option": "--memory-limit" if args.memory_limit
                                                           else "--temp-dir"})
        from indicators.cli.spark import scored_on_spark
        result = scored_on_spark(args)
    elif not args.db or args.records:
        raise BadInput(code="cli.records_without_spark" if args.records else "cli.score_needs_db")
    else:
        from indicators.cli.scaling import limited, reporter   # --memory-limit, --temp-dir, --progress
        con = _open(args.db)
        scheme, name = catalog.resolve(args.scheme, con)
        with limited(con, args.memory_limit, args.temp_dir):
            result = score(con, scheme, _period(args, con), source=name,
                           progress=reporter(args.lang) if args.progress else None)
    scheme = result.scheme
    if args.engine != "spark":
        _values_in_period(con, result)
    if args.format == "json":
        print(json_text(score_json(result)))
        return 0
    table = result.table()[["name_en", "name", "score", "rank", "grade", "capped_by"]]
    if result.points_earned is not None:   # a points scheme: points earned out of points available, as in the JSON
        table.insert(3, "points", result.points_earned)
        available = float(result.points_available)
        table.insert(4, "points_available", int(available) if available.is_integer() else available)
        if result.veto.any():
            table["veto"] = result.veto
    if (result.status != "ranked").any():   # vetoed, 数据不足 or 缺项: listed after the ranked stations, and why
        table["status"] = result.status
    if args.format == "csv":
        from indicators.outputs.export import csv_text   # station names may be formulas or hold line breaks
        rows = [[table.index.name or "", *table.columns]] + [[sid, *row] for sid, row in
                                                             zip(table.index, table.itertuples(index=False))]
        sys.stdout.write(csv_text(rows, float_format="%.2f"))
        return 0
    lang = args.lang
    open_end = None in (result.period.start, result.period.end) and args.engine != "spark"   # Spark: no local file
    lo, hi = date_range(con) if open_end else (None, None)
    start, end = result.period.start or lo, result.period.end or hi   # an open end reaches the records' first/last date
    note = (t("cli.span_note", lang) if (start, end) != (result.period.start, result.period.end) else
            t("cli.last_year_note", lang) if args.start is None and args.end is None else "")
    print(t("cli.score_head", lang, scheme=scheme.name_zh if lang == "zh" else scheme.name_en, id=scheme.id,
            n=len(table), start=start or "…", end=end or "…", note=note))
    view = table.drop(columns=["name_en" if lang == "zh" else "name"])
    from indicators.outputs.views import gate_labels, grade_labels   # as the app names them: "A · 优秀", 中文 gates
    labels = grade_labels(scheme, lang)
    view["grade"], view["capped_by"] = view["grade"].map(lambda g: labels.get(g, g)), gate_labels(result, lang)
    if "status" in view:
        view["status"] = [t(f"cli.status.{x}", lang) for x in view["status"]]
    view.columns = [t(f"cli.col.{'name' if c in ('name', 'name_en') else c}", lang) for c in view.columns]
    view.index.name = t("cli.col.station", lang)
    print(_table(view))
    return 0


def cmd_compare(args) -> int:
    if len(args.scheme) != 2:
        raise BadInput(code="cli.compare_two", params={"n": len(args.scheme)})
    con = _open(args.db)
    period = _period(args, con)
    (sa, na), (sb, nb) = (catalog.resolve(s, con) for s in args.scheme)
    cmp = compare(*score_many(con, [sa, sb], period, [na, nb]), top_k=args.top_k)   # one pass per table
    t = cmp.table
    if args.format == "json":
        print(json_text({
            "scheme_a": sa.id, "scheme_b": sb.id, "kendall_tau": _full(cmp.kendall_tau),
            "spearman_rho": _full(cmp.spearman_rho), "top_k": cmp.top_k, "top_k_overlap": _full(cmp.top_k_overlap),
            "stations": [{"station_id": sid, "name": r["name"], "name_en": r["name_en"],
                          "score_a": _full(r["score_a"]), "score_b": _full(r["score_b"]),
                          "rank_a": int(r["rank_a"]), "rank_b": int(r["rank_b"]), "shift": int(r["shift"]),
                          "explained_by": list(r["explained_by"])} for sid, r in t.iterrows()],
        }))
        return 0
    lang = args.lang
    zh = lang == "zh"
    names = {i.id: i.name_zh if zh else i.name_en for i in (*sa.indicators, *sb.indicators)}
    name_col = "name" if zh else "name_en"
    view = t[[name_col, "rank_a", "rank_b", "shift", "score_a", "score_b"]].rename(
        columns={name_col: _t("cli.col.name", lang), "shift": _t("cli.col.shift", lang),
                 "rank_a": f"{_t('cli.col.rank', lang)} {sa.id}", "rank_b": f"{_t('cli.col.rank', lang)} {sb.id}",
                 "score_a": f"{_t('cli.col.score', lang)} {sa.id}", "score_b": f"{_t('cli.col.score', lang)} {sb.id}"})
    view.index.name = _t("cli.col.station", lang)
    print(_t("cli.compare_head", lang, a=sa.name_zh if zh else sa.name_en, a_id=sa.id,
             b=sb.name_zh if zh else sb.name_en, b_id=sb.id))
    print(_table(view))
    print("\n" + _t("cli.compare_stats", lang, tau=cmp.kendall_tau, rho=cmp.spearman_rho, k=cmp.top_k,
                    overlap=cmp.top_k_overlap))
    print("\n" + _t("cli.movers", lang))
    sep = "；" if zh else "; "
    for sid, r in cmp.movers(args.movers).iterrows():
        shift = int(r["shift"])
        way = "up" if shift > 0 else "down" if shift < 0 else "none"
        print("  " + _t("cli.move_line", lang, name=r[name_col], sid=sid, a=int(r["rank_a"]), b=int(r["rank_b"]),
                        way=_t(f"cli.move.{way}", lang), n=abs(shift)))
        in_b, only_a = cmp.reasons(sid)
        b_says, a_said = ("cli.b_lifts", "cli.a_held") if shift >= 0 else ("cli.b_holds", "cli.a_lifted")
        if in_b:   # B's figure: what the indicator moves from A to B, so it has the sign of the move
            print(f"      {_t(b_says, lang, scheme=sb.id)}: " + sep.join(f"{names[i]} ({e:+.1f})" for i, e in in_b))
        if only_a:  # A's figure: what the indicator gave the station in A (minus its effect on the move)
            print(f"      {_t(a_said, lang, scheme=sa.id)}: " + sep.join(f"{names[i]} ({-e:+.1f})" for i, e in only_a))
    print("  " + _t("cli.compare_note", lang))
    return 0


def _scored(args):
    con = _open(args.db)
    scheme, name = catalog.resolve(args.scheme, con)
    return score(con, scheme, _period(args, con), source=name)


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
                            "kendall_w": _full(agreement["kendall_w"]), "mean_cosine": _full(agreement["mean_cosine"]),
                            "individual_cr": {k: _full(v) for k, v in agreement["individual_cr"].items()}}
        print(json_text(out))
        return 0
    lang = args.lang
    if agreement is not None:
        print(t("cli.ahp_group", lang, n=len(judges), method=args.group.upper(), w=agreement["kendall_w"]))
    for c, w in zip(result.criteria, result.weights):
        print(f"  {_pad(c, 24)}{w:8.4f}")
    verdict = t("cli.ahp_ok" if result.consistent else "cli.ahp_bad", lang)
    print(t("cli.ahp_stats", lang, lam=result.lambda_max, ci=result.ci, cr=result.cr, ri=result.ri,
            table=result.ri_table, verdict=verdict))
    if not result.consistent:
        for a, b, r in result.disagreements:
            print("  " + t("cli.ahp_revisit", lang, a=a, b=b, r=r))
    return 0


def cmd_weights_objective(args) -> int:
    result = _scored(args)
    raw = result.raw.to_numpy()
    higher = [i.direction == "higher" for i in result.scheme.indicators]
    fn = objective.entropy_weights if args.method == "entropy" else objective.critic_weights
    w = dict(zip(result.raw.columns, (float(x) for x in fn(raw, higher))))
    if args.format == "json":
        print(json_text({"method": args.method, "scheme": result.scheme.id,
                          "weights": {k: _full(v) for k, v in w.items()}}))
        return 0
    print(t("cli.objective_head", args.lang, method=args.method, id=result.scheme.id))
    for k, v in sorted(w.items(), key=lambda kv: -kv[1]):
        print(f"  {_pad(k, 28)}{v:8.4f}")
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
        print(json_text({"scheme": result.scheme.id, "draws": args.draws, "seed": args.seed, "spread": args.spread,
                          "top_k": args.top_k, "normalisations": sens.normalisations, "stations": [
                              {"station_id": sid, "rank": int(r["rank"]), "rank_p05": int(r["rank_p05"]),
                               "rank_p50": int(r["rank_p50"]), "rank_p95": int(r["rank_p95"]),
                               "p_top_k": _full(r["p_top_k"]), "sentence": r["sentence_en"]}
                              for sid, r in t.iterrows()]}))
        return 0
    lang = args.lang
    also = _t("cli.sens_also", lang, n=sens.normalisations) if sens.normalisations > 1 else ""
    print(_t("cli.sens_head", lang, id=result.scheme.id, draws=args.draws, spread=args.spread, seed=args.seed,
             also=also))
    name_col, sentence = ("name", "sentence_zh") if lang == "zh" else ("name_en", "sentence_en")
    for sid, r in t.iterrows():
        print(f"  {_pad(result.stations.at[sid, name_col], 28)} {_t('cli.rank', lang)} {int(r['rank']):>3}  "
              f"{r[sentence]}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    # installed by pip the command is `indicators`; in the repository it is `python -m indicators`
    prog = "indicators" if Path(sys.argv[0]).name == "indicators" else "python -m indicators"
    p = argparse.ArgumentParser(prog=prog, description="Assessment-indicator designer for social work stations.")
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
    from indicators.cli import scaling; scaling.add_score_options(s)   # noqa: E702
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
    from indicators.cli import scheme_io   # scheme import, scheme export
    scheme_io.register(sub)
    from indicators.cli.audit import register as register_audit; register_audit(sub)   # noqa: E702
    spark.register(sub)
    from indicators.cli.notice import register as register_notice; register_notice(sub)   # noqa: E702
    from indicators.cli.users import register as register_users; register_users(sub)   # noqa: E702
    _with_lang(p)
    return p


def _with_lang(parser: argparse.ArgumentParser) -> None:
    """Give every command that prints words a --lang (default: the locale's), whoever registered it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sp in action.choices.values():
                _with_lang(sp)
            return
    if not any(a.dest == "lang" for a in parser._actions):
        parser.add_argument("--lang", choices=("zh", "en"), default=lang_of_env(),
                            help="the language of the words printed (default: from LANG / LC_ALL)")


def _lang_asked(argv: list[str]) -> str:
    """The --lang given on the command line (read before argparse, whose own errors come first), else the locale's."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in ("zh", "en"):
            return argv[i + 1]
        if arg in ("--lang=zh", "--lang=en"):
            return arg.split("=", 1)[1]
    return lang_of_env()


class _ReaderMayLeave:
    """stdout for one command: once its reader has gone (`... | head`), further lines are dropped instead of raised,
    so the command still writes its file or finishes its import: what it prints must never decide what it saves."""

    def __init__(self, stream):
        self._stream, self.gone = stream, False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self.gone = True
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self.gone = True

    def __getattr__(self, name):
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    with argparse_words(_lang_asked(argv)):
        args = build_parser().parse_args(argv)
    lang = getattr(args, "lang", None) or lang_of_env()
    stdout = sys.stdout = _ReaderMayLeave(sys.stdout)
    try:
        return args.run(args)
    except InputError as exc:
        print(t("cli.error", lang, msg=exc.render(lang)), file=sys.stderr)
        return 2
    except Exception as exc:   # a fault of ours: say so plainly, details only on request
        if os.environ.get("INDICATORS_DEBUG"):
            traceback.print_exc()
        print(t("cli.fault", lang, msg=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
        return 1
    finally:
        sys.stdout = stdout._stream
        if stdout.gone:   # Python's own flush at exit would raise again: point the closed pipe at nothing
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError, AttributeError):
                pass   # a stream with no file behind it (a test's capture) has nothing to flush at exit
