"""Words for the engine's coded errors (InputError.code, keys "err.<code>"), in English and Chinese (same keys)."""

EN: dict[str, str] = {
    # ---- the records file held by another process (records.store)
    "err.db.busy_write": "{path}: another program holds this database open ({program}, PID {pid}), probably the "
                         "app or a command reading it, so nothing can be written now. Wait for it to finish and "
                         "run the command again; to import while the app is open, use the app's Records page "
                         "(import), or stop the app first.",
    "err.db.busy_read": "{path}: another program is writing to this database ({program}, PID {pid}). Wait a "
                        "moment and run the command again.",
    # ---- the importer (Problem.code)
    "err.import.vocabulary": "expected one of {codes} (or {labels})",
}

ZH: dict[str, str] = {
    "err.db.busy_write": "{path}：另一个程序正打开着这个数据库（{program}，进程号 {pid}），多半是本应用或正在读取它的命令，"
                         "所以现在无法写入。请等它结束后再运行一次命令；应用开着时要导入，请在应用的“记录”页导入，"
                         "或先关闭应用。",
    "err.db.busy_read": "{path}：另一个程序正在写入这个数据库（{program}，进程号 {pid}）。请稍等片刻再运行一次命令。",
    "err.import.vocabulary": "应为以下之一：{labels}（或代码 {codes}）",
}
