"""The one base class for bad input: anything raised as InputError is the user's to fix (CLI exit 2, st.error)."""


def _in(value, lang: str):
    """A parameter in the reader's language: Words and coded errors render themselves, a list of them is joined
    ("; " in English, "；" in Chinese), anything else stays."""
    if isinstance(value, list):
        return ("；" if lang == "zh" else "; ").join(str(_in(v, lang)) for v in value)
    return value.render(lang) if hasattr(value, "render") else value


class Word:
    """Words put in the reader's language only where they are shown: a word-table key and its parameters.
    str() gives the English."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params

    def render(self, lang: str) -> str:
        from indicators.i18n import t   # the word tables import nothing of ours; imported late to stay a leaf
        if not self.params:   # t() formats only with parameters: undo a template's doubled braces ({{kind: ...}})
            return t(self.key, lang).replace("{{", "{").replace("}}", "}")
        return t(self.key, lang, **{k: _in(v, lang) for k, v in self.params.items()})

    def __str__(self) -> str:
        return self.render("en")

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


class InputError(ValueError):
    """Bad input. The message names the file, row, field or cell, and what is wrong with it.

    An error may carry a `code` (a key of the word tables under "err.") and its `params`; the app and the CLI
    show it with `render(lang)`, so the words are chosen where they reach a person, never by matching text.
    Without a message, the English words of the code are the message (logs, tests, str()).
    """

    code: str | None = None
    params: dict = {}

    def __init__(self, *args, code: str | None = None, params: dict | None = None):
        if code is not None:
            self.code, self.params = code, dict(params or {})
            if not args:
                args = (self._words("en"),)
        super().__init__(*args)

    def _words(self, lang: str) -> str:
        return Word(f"err.{self.code}", **self.params).render(lang)

    def render(self, lang: str) -> str:
        """The message in `lang` when the error has a code the word tables know, else its own message."""
        from indicators.i18n import has
        if self.code is not None and has(f"err.{self.code}"):
            return self._words(lang)
        return str(self)


# Chinese punctuation typed where the English one is meant (an input method left in Chinese mode): a reader is told
# which mark it is and what to type instead, never a code point.
FULL_WIDTH = {"：": ("colon", ":"), "，": ("comma", ","), "（": ("paren", "("), "）": ("paren", ")"),
              "“": ("quote", '"'), "”": ("quote", '"'), "‘": ("quote", "'"), "’": ("quote", "'"),
              "；": ("semicolon", ";"), "。": ("stop", "."), "、": ("pause", ","), "\u3000": ("space", " "),
              "！": ("bang", "!"), "？": ("question", "?"), "【": ("bracket", "["), "】": ("bracket", "]"),
              "《": ("angle", "<"), "》": ("angle", ">"), "－": ("minus", "-"), "＝": ("equals", "=")}


def char_word(ch: str) -> Word:
    """A character a reader must change, named in words: a full-width mark and the half-width one to type instead,
    an invisible (control or text-direction) character, or the character itself."""
    if ch in FULL_WIDTH:
        name, ascii_ = FULL_WIDTH[ch]
        return Word("plain.char.full_width", mark=Word(f"plain.char.{name}"), ch=ch, ascii=ascii_)
    if not ch.isprintable():
        return Word("plain.char.invisible")
    return Word("plain.char.other", ch=ch)


def value_word(value) -> Word | str:
    """A value a file holds, as a message quotes it: nothing written, "text" in quotes, a number as it is."""
    if value is None:
        return Word("plain.value.empty")
    if isinstance(value, bool):
        return Word("plain.value.yes" if value else "plain.value.no")
    if isinstance(value, str):
        return Word("plain.value.text", text=value)
    if isinstance(value, (list, tuple)):
        return Word("plain.value.list")
    if isinstance(value, dict):
        return Word("plain.value.mapping")
    return str(value)
