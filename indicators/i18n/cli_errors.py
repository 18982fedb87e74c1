"""Words for the command line's own bad-input problems (options, database paths, files, folders): keys
"err.cli.<code>", in English and Chinese; and the lines `scheme import` and `export-records` print when done.

Same keys and the same parameters in both; the English is the message as the CLI always printed it. A `detail`
parameter is English text from a library (DuckDB): the Chinese says what it means instead.
"""

EN: dict[str, str] = {
    "err.cli.period": "--from {start} is after --to {end}",
    "err.cli.no_db_demo": "{db}: no database there; build the demo with: python -m indicators demo --db {db}",
    "err.cli.no_db": "{db}: no database there; import records into it or build the demo first",
    "err.cli.cannot_open": "{db}: cannot open the database: {detail}",
    "err.cli.records_without_spark": "--records goes with --engine spark",
    "err.cli.duckdb_only": "{option} sets DuckDB and does nothing with --engine spark; give Spark its memory "
                           "with PYSPARK_SUBMIT_ARGS=\"--driver-memory 4g pyspark-shell\"",
    "err.cli.score_needs_db": "score needs --db (or --engine spark --records PATH)",
    "err.cli.compare_two": "compare needs exactly two --scheme options, got {n}",
    "err.cli.export_schemes": "export takes one or two --scheme options, got {n}",
    "err.cli.runs": "--runs must be at least 16, got {runs}",
    "err.cli.spread": "--spread must be between 0 and 1, got {spread}",
    "err.cli.which_table": "{file}: cannot tell which table it is for; name the file <table>.csv or .xlsx or give "
                           "--table (tables: {tables})",
    "err.cli.no_file": "{file}: no such file",
    "err.cli.no_folder": "{path}: the folder {folder} does not exist",
    "err.cli.csv_or_xlsx": "{path}: the file name must end in .csv or .xlsx",
    "err.cli.spark_records": "--engine spark needs --records: a folder of Parquet files (python -m indicators "
                             "export-records) or a database in the Spark catalog",
    "err.cli.spark_missing": "--engine spark needs {module}: pip install -r requirements-spark.txt",
    "cli.wrote_scheme": "wrote {path}: {n} indicators, {d} top-level dimensions",
    "cli.wrote_parquet": "wrote {path} ({format}{split}): {counts}",
    "cli.parquet_split": ", split by {by}",
    "cli.parquet_count": "{table} {n:,}",
    "cli.list_sep": ", ",
}

ZH: dict[str, str] = {
    "err.cli.period": "--from {start}晚于 --to {end}",
    "err.cli.no_db_demo": "{db}：这里没有数据库；可用此命令建演示库：“python -m indicators demo --db {db}”",
    "err.cli.no_db": "{db}：这里没有数据库；请先向其中导入记录，或先建演示库",
    "err.cli.cannot_open": "{db}：无法打开数据库（不是 DuckDB 数据库文件，或正被其他程序占用）",
    "err.cli.records_without_spark": "--records 只能与 --engine spark 一起使用",
    "err.cli.duckdb_only": "{option}是 DuckDB 的设置，与 --engine spark 一起使用不起作用；Spark 的内存请用 "
                           "PYSPARK_SUBMIT_ARGS=\"--driver-memory 4g pyspark-shell\" 设定",
    "err.cli.score_needs_db": "score 命令需要 --db（或 --engine spark --records 路径）",
    "err.cli.compare_two": "compare 命令需要正好两个 --scheme，实际给了{n}个",
    "err.cli.export_schemes": "export 命令接受一个或两个 --scheme，实际给了{n}个",
    "err.cli.runs": "--runs 至少为16，实际是{runs}",
    "err.cli.spread": "--spread 必须在0～1之间，实际是{spread}",
    "err.cli.which_table": "{file}：看不出是哪张表的数据；请把文件命名为 <表名>.csv 或 .xlsx，或用 --table 指定"
                           "（表：{tables}）",
    "err.cli.no_file": "{file}：没有这个文件",
    "err.cli.no_folder": "{path}：文件夹{folder}不存在",
    "err.cli.csv_or_xlsx": "{path}：文件名必须以 .csv 或 .xlsx 结尾",
    "err.cli.spark_records": "--engine spark 需要 --records：一个 Parquet 文件夹（由“python -m indicators "
                             "export-records”导出），或 Spark 目录中的数据库",
    "err.cli.spark_missing": "--engine spark 需要{module}：请运行“pip install -r requirements-spark.txt”",
    "cli.wrote_scheme": "已写入{path}：{n}个指标，{d}个一级指标",
    "cli.wrote_parquet": "已写入{path}（{format}{split}）：{counts}",
    "cli.parquet_split": "，按{by}分区",
    "cli.parquet_count": "{table}{n}行",
    "cli.list_sep": "，",
}
