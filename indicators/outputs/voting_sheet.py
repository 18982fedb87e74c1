"""The printable sheet of an evaluation meeting's voting codes: one slip per code, each with the QR code of its
voting link, as a standalone HTML page (print it from the browser)."""
from __future__ import annotations

from html import escape

import segno

from indicators.i18n import t


def vote_link(base: str, code: str, vote_code: str) -> str:
    """The phone page's address with the meeting and the voting code in it: scanning it is all a resident does.
    The page opens in Chinese (a switch at its top offers English)."""
    return f"{base.rstrip('/')}/vote?m={code}&v={vote_code}&lang=zh"


def spaced(vote_code: str) -> str:
    """K7Q2MX -> K7Q-2MX: read aloud and typed in two groups of three."""
    return f"{vote_code[:3]}-{vote_code[3:]}" if len(vote_code) == 6 else vote_code


def voting_sheet_html(status: dict, vote_codes, base: str, lang: str = "zh") -> str:
    """`status` is MeetingStore.status(code); `base` the app's address as phones reach it."""
    station = status["station_name_zh" if lang == "zh" else "station_name_en"] or status["station_id"]
    title = status["title"] or t("mt.title", lang)
    code = status["code"]
    slips = []
    for vc in vote_codes:
        qr = segno.make(vote_link(base, code, vc), error="m").svg_inline(scale=3, border=2)
        slips.append(
            f'<div class="slip"><div class="head">{escape(title)}<br><small>{escape(station)}</small></div>'
            f'<div class="qr">{qr}</div><div class="scan">{escape(t("mt.sheet.scan", lang))}</div>'
            f'<div class="label">{escape(t("mt.sheet.your_code", lang))}</div>'
            f'<div class="code">{escape(spaced(vc))}</div>'
            f'<div class="small">{escape(t("mt.sheet.or_type", lang, url=base.rstrip("/") + "/vote", code=code))}'
            f'</div><div class="small">{escape(t("mt.sheet.rule", lang))}</div></div>')
    return f"""<!doctype html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<title>{escape(t("mt.sheet.title", lang, code=code))}</title>
<style>
@page {{ size: A4; margin: 10mm; }}
body {{ font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0; }}
h1 {{ font-size: 14pt; margin: 0 0 4mm; }}
.grid {{ display: grid; grid-template-columns: repeat(3, 1fr); gap: 4mm; }}
.slip {{ border: 1px dashed #888; padding: 3mm; text-align: center; break-inside: avoid; page-break-inside: avoid; }}
.head {{ font-size: 10pt; font-weight: 600; }}
.qr svg {{ width: 36mm; height: 36mm; }}
.scan {{ font-size: 10pt; }}
.label {{ font-size: 9pt; color: #444; margin-top: 2mm; }}
.code {{ font: 700 20pt ui-monospace, Menlo, Consolas, monospace; letter-spacing: .08em; }}
.small {{ font-size: 7.5pt; color: #444; margin-top: 1mm; }}
</style></head><body>
<h1>{escape(t("mt.sheet.title", lang, code=code))} · {escape(title)} · {escape(station)}</h1>
<div class="grid">{''.join(slips)}</div>
</body></html>"""
