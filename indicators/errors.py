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
