"""Words for the limit on failed password sign-ins (the sign-in page and the `users unlock` command), in English and
Chinese."""

EN: dict[str, str] = {
    "err.access.locked": "Password sign-in is paused for this name or this browser after {limit} failed attempts in "
                         "{minutes} minutes. Try again after {until} UTC, or sign in with a one-time link (a lead "
                         "prints one: `python -m indicators users link NAME`).",
    "users.cli.unlocked": "Cleared {n} failed sign-ins of {name}: password sign-in is open again.",
}

ZH: dict[str, str] = {
    "err.access.locked": "此名称或此浏览器在{minutes}分钟内密码登录失败{limit}次，密码登录已暂停。请在北京时间{until}之后再试，"
                         "或用一次性登录链接登录（组长可用命令“python -m indicators users link 名称”生成）。",
    "users.cli.unlocked": "已清除{name}的{n}次失败登录：可以再用密码登录。",
}
