"""argparse's own messages (a missing option, an unknown command, a bad value), keyed by argparse's templates:
the command line prints them before a command runs, so they follow --lang (or the locale) like everything else.

The English is argparse's template unchanged; the Chinese keeps the same %-placeholders.
"""

_ZH = {
    "usage: ": "用法：",
    "%(prog)s: error: %(message)s\n": "%(prog)s：输入有误：%(message)s\n",
    "the following arguments are required: %s": "缺少必填选项：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected %s argument": "需要%s个值",
    "expected %s arguments": "需要%s个值",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 中必须给出一个",
    "ambiguous option: %(option)s could match %(matches)s": "选项不明确：%(option)s 可能是 %(matches)s",
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "unexpected option string: %s": "意外的选项：%s",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "show this help message and exit": "显示本帮助并退出",
    "positional arguments": "位置参数",
    "options": "选项",
}

ZH: dict[str, str] = {f"argparse:{k}": v for k, v in _ZH.items()}
EN: dict[str, str] = {f"argparse:{k}": k for k in _ZH}
