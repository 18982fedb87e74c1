"""The app's words in Chinese and English: `t(key, lang, **fmt)`.

The language is always passed in (the app keeps it in each session's state); there is no
process-wide current language. Both tables must hold the same keys (tests check it). A key
missing from one table falls back to the other so a screen never shows a bare key.
"""
from __future__ import annotations

from . import en, newcomer, records_io, workshop, zh

# One table per language, merged from the modules that own the words (each holds EN and ZH dicts).
EN = {**en.STRINGS, **workshop.EN, **records_io.EN, **newcomer.EN}
ZH = {**zh.STRINGS, **workshop.ZH, **records_io.ZH, **newcomer.ZH}

LANGS = ("zh", "en")
TABLES = {"zh": ZH, "en": EN}


def lang_of_locale(locale: str | None) -> str:
    """zh, zh-CN, zh_TW ... -> "zh"; anything else (or nothing) -> "en"."""
    return "zh" if (locale or "").strip().lower().startswith("zh") else "en"


def t(key: str, lang: str, **fmt) -> str:
    table = TABLES.get(lang, EN)
    text = table.get(key)
    if text is None:
        text = EN.get(key, ZH.get(key, key))
    return text.format(**fmt) if fmt else text


def has(key: str) -> bool:
    return key in EN


def pick(obj, lang: str, field: str = "name") -> str:
    """The `<field>_zh` or `<field>_en` attribute of a spec in the language, else the other one."""
    first, second = (f"{field}_zh", f"{field}_en") if lang == "zh" else (f"{field}_en", f"{field}_zh")
    return getattr(obj, first, "") or getattr(obj, second, "") or getattr(obj, "id", "")


def term(group: str, value, lang: str) -> str:
    """A vocabulary word (camp, direction, need category, ...) in the language; unknown values as they are."""
    key = f"{group}.{value}"
    return t(key, lang) if key in EN else str(value)
