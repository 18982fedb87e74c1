"""The app's words in Chinese and English: `t(key, lang, **fmt)`.

The language is always passed in (the app keeps it in each session's state); there is no
process-wide current language. Both tables must hold the same keys (tests check it). A key
missing from one table falls back to the other so a screen never shows a bare key.
"""
from __future__ import annotations

import re

import importlib
import pkgutil

from . import en, zh


def _word_modules():
    """Every other module here holds one topic's words as EN and ZH dicts: found, not listed, so that a topic
    added on one branch never edits this file."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name not in ("en", "zh"):
            yield importlib.import_module(f"{__name__}.{info.name}")


# One table per language: the core words, then each topic's.
EN, ZH = dict(en.STRINGS), dict(zh.STRINGS)
for _module in _word_modules():
    EN.update(_module.EN)
    ZH.update(_module.ZH)

LANGS = ("zh", "en")
TABLES = {"zh": ZH, "en": EN}


def lang_of_locale(locale: str | None) -> str:
    """zh, zh-CN, zh_TW ... -> "zh"; anything else (or nothing) -> "en"."""
    return "zh" if (locale or "").strip().lower().startswith("zh") else "en"


# a count the caller formatted with thousands separators ("16,384"): running Chinese text writes none (docs/glossary.md)
_GROUPED = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def t(key: str, lang: str, **fmt) -> str:
    table = TABLES.get(lang, EN)
    text = table.get(key)
    if text is None:
        text = EN.get(key, ZH.get(key, key))
    if lang == "zh":
        fmt = {k: v.replace(",", "") if isinstance(v, str) and _GROUPED.fullmatch(v) else v for k, v in fmt.items()}
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
