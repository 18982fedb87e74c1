"""Words for a person's own link back to a rating round or a Delphi consultation (raters and experts who come back
on another day or device), in Chinese and English (same keys in both)."""

ZH: dict[str, str] = {
    "live.mylink.title": "您的专属链接（下次从这里继续）",
    "live.mylink.keep": "请保存这个链接或二维码（截图或收藏均可）。换手机、关掉浏览器或改天再来，都凭它回到您自己的答卷；"
                        "系统不留存原码，遗失无法找回。",
    "live.mylink.how": "在任何设备上打开此链接即可继续，不必重新填写姓名。请不要转给别人：拿到链接的人可以用您的身份作答。",
    "live.mylink.qr": "用手机扫码继续",
}

EN: dict[str, str] = {
    "live.mylink.title": "Your own link (to continue later)",
    "live.mylink.keep": "Keep this link or QR code (a screenshot or a bookmark will do). On another phone, after closing "
                        "the browser or on another day, it brings you back to your own answers; it is not stored, "
                        "so a lost link cannot be recovered.",
    "live.mylink.how": "Open it on any device to continue without entering your name again. Do not pass it on: whoever "
                       "has the link can answer as you.",
    "live.mylink.qr": "Scan with a phone to continue",
}
