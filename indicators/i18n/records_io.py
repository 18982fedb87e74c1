"""Words for importing records and exporting results, in English and Chinese (same keys in both)."""

EN: dict[str, str] = {}

ZH: dict[str, str] = {}
