"""Words for scoring large record files (progress of `score --progress`), in English and Chinese (same keys)."""

EN: dict[str, str] = {
    "scale.running": "[{total:7.1f} s] {table}: running ({n} indicators: {indicators})",
    "scale.done": "[{total:7.1f} s] {table}: done in {seconds:.1f} s",
}

ZH: dict[str, str] = {
    "scale.running": "[{total:7.1f}秒] {table}：正在计算（{n}个指标：{indicators}）",
    "scale.done": "[{total:7.1f}秒] {table}：完成，用时{seconds:.1f}秒",
}
