"""Words for the problems of writing an export and of the weight-sensitivity analysis: keys "err.export.<code>" and
"err.sensitivity.<code>", in English and Chinese.

Same keys and the same parameters in both; the English is the message as the engine always wrote it. A `detail`
parameter is English text from a library (numpy): the Chinese may leave it out.
"""

EN: dict[str, str] = {
    "err.export.lang": "--lang takes zh (Chinese) or en (English), not {given}",
    "err.export.results": "export takes one or two score results, got {n}",
    "err.export.suffix": "{path}: the output must end in .xlsx or .csv",
    "err.export.stations_differ": "the two results cover different stations; score both over the same database",
    "err.export.no_folder": "{path}: the folder {folder} does not exist",
    "err.sensitivity.normalised": "normalised",
    "err.sensitivity.alternative": "alternatives[{i}]",
    "err.sensitivity.not_numeric": "{label}: not a numeric matrix ({detail})",
    "err.sensitivity.not_2d": "{label}: must be stations x indicators (2-D); got {n}-D",
    "err.sensitivity.shape": "{label}: shape {m} x {k} differs from the normalised matrix ({base_m} x {base_k})",
    "err.sensitivity.not_finite": "{label}: holds NaN or infinite values; fill missing values first",
    "err.sensitivity.aggregation": "aggregation must be 'arithmetic' or 'geometric' (TOPSIS does not reduce to flat "
                                   "weights); got '{aggregation}'",
    "err.sensitivity.empty": "normalised is empty ({m} stations x {k} indicators)",
    "err.sensitivity.ids": "{n} station ids for {m} rows of normalised",
    "err.sensitivity.duplicate": "station id {station} appears more than once",
    "err.sensitivity.weights_count": "{n} weights for {k} indicators",
    "err.sensitivity.weights_bad": "weights must be finite and non-negative",
    "err.sensitivity.weights_zero": "weights sum to 0",
    "err.sensitivity.draws": "draws must be a positive whole number; got {draws}",
    "err.sensitivity.spread": "spread must be in [0, 1]; got {spread}",
    "err.sensitivity.top_k": "top_k must be a positive whole number; got {top_k}",
}

ZH: dict[str, str] = {
    "err.export.lang": "--lang 只能填 zh（中文）或 en（英文），您填的是{given}",
    "err.export.results": "导出只接受一个或两个评分结果，实际给了{n}个",
    "err.export.suffix": "{path}：输出文件名必须以 .xlsx 或 .csv 结尾",
    "err.export.stations_differ": "两个结果涵盖的社工站不同；请在同一个数据库上为两者评分",
    "err.export.no_folder": "{path}：文件夹{folder}不存在",
    "err.sensitivity.normalised": "标准化矩阵",
    "err.sensitivity.alternative": "备选标准化矩阵{i}",
    "err.sensitivity.not_numeric": "{label}：不是数值矩阵",
    "err.sensitivity.not_2d": "{label}：必须是“社工站 × 指标”的二维矩阵；实际是{n}维",
    "err.sensitivity.shape": "{label}：形状{m} × {k}与标准化矩阵（{base_m} × {base_k}）不同",
    "err.sensitivity.not_finite": "{label}：含有缺失值或无穷大；请先填补缺失值",
    "err.sensitivity.aggregation": "汇总方式必须是“arithmetic”（加权算术）或“geometric”（加权几何）"
                                   "（TOPSIS 不能化为一组权重）；实际是“{aggregation}”",
    "err.sensitivity.empty": "标准化矩阵为空（{m}个社工站 × {k}个指标）",
    "err.sensitivity.ids": "给了{n}个社工站编号，标准化矩阵却有{m}行",
    "err.sensitivity.duplicate": "社工站编号{station}出现了不止一次",
    "err.sensitivity.weights_count": "{n}个权重对应{k}个指标",
    "err.sensitivity.weights_bad": "权重必须是有限的非负数",
    "err.sensitivity.weights_zero": "权重之和为0",
    "err.sensitivity.draws": "抽样次数必须是正整数；实际是{draws}",
    "err.sensitivity.spread": "变动幅度必须在 [0, 1] 之间；实际是{spread}",
    "err.sensitivity.top_k": "前 k 名的 k 必须是正整数；实际是{top_k}",
}
