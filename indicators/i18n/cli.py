"""Words the command line prints, in English and Chinese (same keys), and its default language from the locale."""
from __future__ import annotations

import os

EN: dict[str, str] = {
    "cli.error": "error: {msg}",
    "cli.fault": "internal error: {msg} (set INDICATORS_DEBUG=1 for the traceback)",
    "cli.demo_built": "built the synthetic demo database at {db}:",
    "cli.score_head": "{scheme} ({id}) - {n} stations, period {start} – {end}{note}",
    "cli.span_note": " (the records' span)",
    "cli.last_year_note": " (the records' last year; --from and --to choose another)",
    "cli.col.station": "station", "cli.col.name": "name", "cli.col.score": "score", "cli.col.rank": "rank",
    "cli.col.grade": "grade", "cli.col.capped_by": "capped by", "cli.col.shift": "shift",
    "cli.col.points": "points", "cli.col.points_available": "points available",
    "cli.compare_head": "A = {a} ({a_id}), B = {b} ({b_id}); shift > 0: B ranks the station higher",
    "cli.compare_stats": "Kendall tau = {tau:.3f}   Spearman rho = {rho:.3f}   top-{k} overlap = {overlap:.0%}",
    "cli.movers": "Stations that move most:",
    "cli.move.up": "up", "cli.move.down": "down", "cli.move.none": "no change",
    "cli.move_line": "{name} ({sid}): {a} -> {b} ({way} {n})",
    "cli.b_lifts": "{scheme} lifts it", "cli.b_holds": "{scheme} holds it back",
    "cli.a_held": "{scheme} had held it back", "cli.a_lifted": "{scheme} had lifted it",
    "cli.compare_note": "(in brackets, against the average station: after B's indicators, the points each moves the "
                        "station from A to B; after A's, the points each gave the station in A)",
    "cli.ahp_group": "{n} judges combined by {method}; Kendall's W = {w:.3f}",
    "cli.ahp_ok": "consistent", "cli.ahp_bad": "NOT consistent (CR >= 0.10)",
    "cli.ahp_stats": "lambda_max = {lam:.4f}  CI = {ci:.4f}  CR = {cr:.4f} (RI {ri:.2f}, table {table}): {verdict}",
    "cli.ahp_revisit": "revisit ({a}, {b}): the judgment is {r:.2f} times what the weights imply",
    "cli.objective_head": "{method} weights for {id} (they reward dispersion: counts that are easy to inflate vary "
                          "most, so read them as a check, not a verdict)",
    "cli.sens_head": "{id}: {draws:,} weightings drawn around the chosen weights (spread {spread}, seed {seed}){also}",
    "cli.sens_also": "; each draw also reads the records by one of {n} normalisations",
    "cli.rank": "rank",
    "cli.import_table": "{table}: inserted {ins:,}, skipped {skipped:,}",
    "cli.import_total": "total: inserted {ins:,}, skipped {skipped:,} (skipped: already in the database, identical)",
    "cli.import_progress": "  writing {done:,} / {n:,} rows",
    "cli.wrote": "wrote {path}",
    "cli.wrote_export": "wrote {path} ({n} stations, {k} scheme(s))",
}

ZH: dict[str, str] = {
    "cli.error": "错误：{msg}",
    "cli.fault": "内部错误：{msg}（设置 INDICATORS_DEBUG=1可看到调用栈）",
    "cli.demo_built": "已在{db}建好合成演示数据库：",
    "cli.score_head": "{scheme}（{id}）- {n}个社工站，评估期{start}～{end}{note}",
    "cli.span_note": "（记录覆盖的日期范围）",
    "cli.last_year_note": "（记录的最后一年；用 --from 和 --to 另选）",
    "cli.col.station": "社工站", "cli.col.name": "名称", "cli.col.score": "得分", "cli.col.rank": "名次",
    "cli.col.grade": "等级", "cli.col.capped_by": "未通过的否决项", "cli.col.shift": "名次变化",
    "cli.col.points": "得分（分值）", "cli.col.points_available": "总分值",
    "cli.compare_head": "A = {a}（{a_id}），B = {b}（{b_id}）；名次变化 > 0：B 把社工站排得更靠前",
    "cli.compare_stats": "Kendall τ = {tau:.3f}   Spearman ρ = {rho:.3f}；前{k}名重合 = {overlap:.0%}",
    "cli.movers": "名次变化最大的社工站：",
    "cli.move.up": "上升", "cli.move.down": "下降", "cli.move.none": "不变",
    "cli.move_line": "{name}（{sid}）：{a} -> {b}（{way} {n}）",
    "cli.b_lifts": "{scheme}抬高它", "cli.b_holds": "{scheme}压低它",
    "cli.a_held": "{scheme}曾压低它", "cli.a_lifted": "{scheme}曾抬高它",
    "cli.compare_note": "（括号内为相对于平均社工站的分数：B 的指标后是该指标把社工站从 A 移到 B 的分数；A 的指标后是它在 A 中"
                        "给社工站的分数）",
    "cli.ahp_group": "{n}位专家，按{method}合并；Kendall W = {w:.3f}",
    "cli.ahp_ok": "一致", "cli.ahp_bad": "不一致（CR ≥ 0.10）",
    "cli.ahp_stats": "λmax = {lam:.4f}  CI = {ci:.4f}  CR = {cr:.4f}（RI {ri:.2f}，{table}表）：{verdict}",
    "cli.ahp_revisit": "请重新判断（{a}，{b}）：该判断是权重所隐含值的{r:.2f}倍",
    "cli.objective_head": "{id}的{method}权重（它们奖励离散程度：最容易做大的计数变化最大，只可作参照，不可作结论）",
    "cli.sens_head": "{id}：在所选权重附近抽取{draws}组权重（离散度{spread}，随机种子{seed}）{also}",
    "cli.sens_also": "；每次抽取还从{n}种标准化方法中选一种读取记录",
    "cli.rank": "名次",
    "cli.import_table": "{table}：新增{ins}行，跳过{skipped}行",
    "cli.import_total": "合计：新增{ins}行，跳过{skipped}行（跳过的是数据库里已有且完全相同的行）",
    "cli.import_progress": "  正在写入：{done}行，共{n}行",
    "cli.wrote": "已写入{path}",
    "cli.wrote_export": "已写入{path}（{n}个社工站，{k}个方案）",
}


def lang_of_env(environ=os.environ) -> str:
    """The command line's default language: the locale's (LC_ALL, then LC_MESSAGES, then LANG), zh or en."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(var):
            return "zh" if environ[var].strip().lower().startswith("zh") else "en"
    return "en"
