"""Words for the workshop pages (facilitator and participant), in English and Chinese (same keys in both)."""

EN: dict[str, str] = {}

ZH: dict[str, str] = {}
