"""The one base class for bad input: anything raised as InputError is the user's to fix (CLI exit 2, st.error)."""


class InputError(ValueError):
    """Bad input. The message names the file, row, field or cell, and what is wrong with it."""
