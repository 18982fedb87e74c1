"""The command line, `python -m indicators`: one subcommand per task, each in the module that registers it.

    main.py        demo, score, compare, weights (ahp, entropy, critic), sensitivity; the parser and its --lang
    records_io.py  import (ledgers, all or nothing), export (workbook), report (a station's report card)
    scheme_io.py   scheme import, scheme export (framework tables: 指标体系 in CSV or XLSX, long or wide)
    audit.py       audit (the statistical audit of a scheme and its data treatment)
    spark.py       export-records (Parquet for Spark) and score --engine spark
    notice.py      notice (the public notice 公示, HTML or PDF)
    users.py       users add, list, link, disable (accounts that sign in to the app, one-time sign-in links)
    scaling.py     score's --memory-limit, --temp-dir and --progress
    common.py      what they share (bad input, dates and periods, opening the database, tables, JSON): below them all;
                   main imports the subcommand modules, none of them imports main
"""
