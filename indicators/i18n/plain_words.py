"""Plain words for messages a non-programmer reads (issue 22, items 4 and 5): characters named as a person names
them (a Chinese colon, an invisible character), values quoted as written, and the words for a failure the app did
not foresee. Built by indicators/errors.py (char_word, value_word) and app_pages/frame.py."""

EN: dict[str, str] = {
    "plain.char.full_width": "a full-width (Chinese) {mark} “{ch}”; type the English “{ascii}” instead (switch the "
                             "input method to English)",
    "plain.char.colon": "colon", "plain.char.comma": "comma", "plain.char.paren": "parenthesis",
    "plain.char.quote": "quotation mark", "plain.char.semicolon": "semicolon", "plain.char.stop": "full stop",
    "plain.char.pause": "enumeration comma", "plain.char.space": "space", "plain.char.bang": "exclamation mark",
    "plain.char.question": "question mark", "plain.char.bracket": "bracket", "plain.char.angle": "angle bracket",
    "plain.char.minus": "minus sign", "plain.char.equals": "equals sign",
    "plain.char.invisible": "an invisible special character (usually brought in by copying from a web page or "
                            "another program)",
    'plain.char.other': "'{ch}'",
    "plain.value.empty": "nothing (the place is empty)",
    "plain.value.text": "the text “{text}”",
    "plain.value.yes": "yes (true)", "plain.value.no": "no (false)",
    "plain.value.list": "a list (lines starting with “- ”)",
    "plain.value.mapping": "several “name: value” lines",
    "plain.unexpected": "Something went wrong and what you just did was not completed. Reload the page and try "
                        "again; if it happens again, tell the person who runs this system the time it happened "
                        "({time}).",
}

ZH: dict[str, str] = {
    "plain.char.full_width": "中文全角{mark}“{ch}”，请切换到英文输入法，改为英文半角的“{ascii}”",
    "plain.char.colon": "冒号", "plain.char.comma": "逗号", "plain.char.paren": "括号",
    "plain.char.quote": "引号", "plain.char.semicolon": "分号", "plain.char.stop": "句号",
    "plain.char.pause": "顿号", "plain.char.space": "空格", "plain.char.bang": "感叹号",
    "plain.char.question": "问号", "plain.char.bracket": "方括号", "plain.char.angle": "书名号",
    "plain.char.minus": "减号", "plain.char.equals": "等号",
    "plain.char.invisible": "一个看不见的特殊字符（多是从网页或其他软件复制时带进来的）",
    "plain.char.other": "“{ch}”",
    "plain.value.empty": "空白（什么也没填）",
    "plain.value.text": "文字“{text}”",
    "plain.value.yes": "“是”（true）", "plain.value.no": "“否”（false）",
    "plain.value.list": "一个列表（以“- ”开头的几行）",
    "plain.value.mapping": "几行“名称: 内容”",
    "plain.unexpected": "系统出了意外故障，您刚才的操作没有完成。请刷新页面后再试一次；如果再次出现，请把发生的时间"
                        "（北京时间{time}）告诉系统管理员。",
}
