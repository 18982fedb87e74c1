"""User text in and out, safely: pure functions, no streamlit, no I/O.

- `control(text, allow)`: the first control character in a name, title or cell (C0 and DEL, C1, bidi embeddings,
  overrides and isolates), so that a door (scheme YAML, framework table, ledger) can refuse it, naming the field.
  Such characters hide or reorder what a reader sees (U+202E shows "exe.txt" as "txt.exe") or drive a terminal
  (ESC starts an escape sequence).
- `shown(text, lines=...)`: the same characters replaced by U+FFFD on output (terminal tables, XLSX, CSV), for text
  stored before the doors refused them.
- `plain(text)`: text for st.markdown that shows exactly as written: no link, image, HTML, emoji code, colour or
  LaTeX. Every ASCII punctuation character gets a backslash (CommonMark lets any of them be escaped, and GFM's bare
  links need ':' or '.'), so nothing in it can start markup.
"""
from __future__ import annotations

import re

# C0 but tab, LF and CR (multi-line fields may hold them), DEL, C1, the bidi embeddings and overrides (U+202A-202E)
# and isolates (U+2066-2069)
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_CONTROL_RE = re.compile(f"[{_CONTROL}]")
_CONTROL_OR_BREAK_RE = re.compile(f"[{_CONTROL}\t\n\r]")
_PUNCT_RE = re.compile(r"([!-/:-@\[-`{-~])")   # all ASCII punctuation


def control(text: str, allow_breaks: bool = False) -> tuple[int, str] | None:
    """(position, character) of the first control character, or None. Tab, LF and CR count too unless
    `allow_breaks` (a rationale, a note, a title may run over lines; a name may not)."""
    m = (_CONTROL_RE if allow_breaks else _CONTROL_OR_BREAK_RE).search(text)
    return (m.start(), m.group()) if m else None


def named(ch: str):
    """A control character as a reader can name it in a message: in words ("an invisible special character"), never
    a code point; an errors.Word, put in a message's parameters."""
    from indicators.errors import char_word
    return char_word(ch)


def shown(text: str, lines: bool = True) -> str:
    """`text` with every control character replaced by U+FFFD; tab and line breaks kept when `lines`, else each
    made a space (a terminal table's cell is one line)."""
    if lines:
        return _CONTROL_RE.sub("\ufffd", text)
    return _CONTROL_RE.sub("\ufffd", text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
                           .replace("\t", " ").replace("\u2028", " ").replace("\u2029", " "))


def plain(text) -> str:
    """`text` (anything; None shows as nothing) for st.markdown, st.caption, st.info and widget labels, shown as
    written. Line breaks stay line breaks (two trailing spaces: a Markdown hard break)."""
    if text is None:
        return ""
    out = _PUNCT_RE.sub(r"\\\1", shown(str(text)))
    return out.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "  \n")
