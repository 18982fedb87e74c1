"""Words for the moment another program holds the database (a command-line import) as the app says it: to a
resident's phone and to an evaluator's page, in English and Chinese. The command line's words are err.db.busy_*
(errors.py); the app's Store raises err.db.app_busy_* instead, so no page tells a browser user to run a command."""

EN: dict[str, str] = {
    "busy.phone": "The evaluation system is busy for a moment, saving other records. Nothing you entered is lost: "
                  "press Retry in a few seconds, then carry on.",
    "busy.retry": "Retry",
    "err.db.app_busy_read": "Another program is writing to this database ({name}: {program}, PID {pid}), most "
                            "likely an import from the command line. This works again as soon as it has finished: "
                            "try again in a few seconds.",
    "err.db.app_busy_write": "Another program has this database open ({name}: {program}, PID {pid}), most likely a "
                             "command reading or importing it, so nothing was saved just now. Nothing you entered "
                             "is lost: try again in a few seconds.",
}

ZH: dict[str, str] = {
    "busy.phone": "评估系统正在保存其他记录，请稍等片刻。您填写的内容都还在：请过几秒钟点“重试”，然后继续。",
    "busy.retry": "重试",
    "err.db.app_busy_read": "另一个程序正在写入这个数据库（{name}：{program}，进程号{pid}），多半是命令行导入。"
                            "它结束后即可照常使用：请过几秒钟再试。",
    "err.db.app_busy_write": "另一个程序正打开着这个数据库（{name}：{program}，进程号{pid}），多半是命令行在读取或导入，"
                             "所以刚才的操作没有保存。您填写的内容都还在：请过几秒钟再试。",
}
