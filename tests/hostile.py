"""Hostile inputs shared by the hardening tests: scheme files that attack the YAML reader, ledger cells that attack a
spreadsheet or a web page. Each maker returns text; the tests say what must happen to it."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = (ROOT / "indicators" / "scheme" / "builtin" / "needs-met.yaml").read_text(encoding="utf-8")


def alias_bomb(levels: int = 9, fan: int = 10, at: str = "serves") -> str:
    """The scheme with its first `serves` list (or first indicator weight) replaced by a fan**levels-element tree
    of aliases: a few hundred bytes that a naive reader expands to a billion values."""
    tree = alias_tree(levels, fan)
    if at == "serves":
        return BASE.replace("    serves:", f"    serves: {tree}\n    x_serves:", 1)
    return weight(tree, 2)


def deep_flow_list(depth: int = 5000) -> str:
    return BASE.replace("    serves:", "    serves: " + "[" * depth + "]" * depth + "\n    x_serves:", 1)


def deep_mapping(depth: int = 3000) -> str:
    return BASE.replace("    serves:", "    serves: " + "{a: " * depth + "1" + "}" * depth + "\n    x_serves:", 1)


def flat_list(chars: int = 999_000, item: str = "a") -> str:
    """The scheme with its first `serves` list holding as many `item`s as fit in `chars` characters: no alias, no
    nesting, only far more values than any scheme has."""
    room = chars - len(BASE) - len("    serves: []\n    x_serves:")
    n = room // (len(item) + 1)
    return BASE.replace("    serves:", "    serves: [" + ",".join([item] * n) + "]\n    x_serves:", 1)


def weight(value: str, nth: int = 1) -> str:
    """The scheme with its nth `weight:` line set to `value` (as written in YAML)."""
    lines, seen = BASE.splitlines(keepends=True), 0
    for n, line in enumerate(lines):
        if line.lstrip().startswith("weight:"):
            seen += 1
            if seen == nth:
                lines[n] = line[: line.index("weight:")] + f"weight: {value}\n"
                break
    return "".join(lines)


# Text that a spreadsheet would run as a formula once it strips leading blanks or splits on ';'.
FORMULA_PAYLOADS = [
    "=1+1", "+1+1", "-1+1", "@SUM(A1)", "=HYPERLINK(\"http://x\",\"y\")", "=cmd|' /C calc'!A0",
    " =1+1", "  +1", "\t=1+1", "\n=1+1", "\r=1+1", "\u3000=1+1", "\u00a0=1+1", "\u2003@SUM(A1)", "\ufeff=1",
    "\u200b=1", ";=1+1", " ;-1", "\t;@x", "\u3000\u3000;+1", "；=1+1", "\u2028=1",
]
SCRIPT_PAYLOADS = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)",
                   "{{7*7}}", "'; DROP TABLE stations; --", "Robert'); DROP TABLE needs;--"]


def framework_csv(cells: dict[int, dict[str, str]]) -> str:
    """The built-in needs-met scheme as a long-form framework table (CSV, English headers) with some cells replaced:
    {row number as a spreadsheet shows it (the header is row 1): {column: text}}. Row 3 is its first indicator,
    row 4 the second, both in the dimension of row 2."""
    import csv
    import io

    from indicators.scheme.framework import table_rows
    from indicators.scheme.model import load_yaml

    rows = table_rows(load_yaml(BASE), "long", "en")
    head = rows[0]
    for number, changes in cells.items():
        for column, text in changes.items():
            rows[number - 1][head.index(column)] = text
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def measure(filter_yaml: str) -> str:
    """A framework table's measure cell whose filter is `filter_yaml` (hostile YAML in place of an expression)."""
    return "{kind: count, table: activities, filter: " + filter_yaml + "}"


def alias_tree(levels: int = 9, fan: int = 10) -> str:
    """A flow list of fan**levels values written in a few hundred characters of anchors and aliases."""
    return "[" + ", ".join(f"&b{i} [" + ", ".join([f"*b{i - 1}" if i else "x"] * fan) + "]" for i in range(levels)) + "]"


# Characters a name must not hold: they hide or reorder what a reader sees (bidi overrides and isolates), or drive
# a terminal (ESC), or are invisible in a cell (C0, C1)
CONTROL_CHARS = ["\x1b[2J", "\u202e", "\u202a", "\u2066", "\u2069", "\x85", "\x9b", "\x00", "\x07", "\x0b", "\x7f"]
# Where a line may end for one reader or another
BREAKS = ["\r", "\n", "\r\n", "\u2028", "\u2029"]


def yaml_name(text: str, nth: int = 1) -> str:
    """The scheme with its nth indented `name_en:` (a dimension's or an indicator's) set to `text`, written as a
    double-quoted YAML string (control characters as escapes, so the file itself is clean text)."""
    quoted = '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in text) + '"'
    lines, seen = BASE.splitlines(keepends=True), 0
    for n, line in enumerate(lines):
        if line.startswith("    ") and line.lstrip().startswith("name_en:"):
            seen += 1
            if seen == nth:
                lines[n] = line[: line.index("name_en:")] + f"name_en: {quoted}\n"
                break
    return "".join(lines)


def chain_table(n: int) -> str:
    """A long-form framework table whose dimensions form one chain n long, an indicator at its end."""
    rows = ["code,name,level,parent,weight"] + [f"d{k},d{k},,{f'd{k - 1}' if k else ''},1" for k in range(n)]
    return "\n".join(rows + [f"i,i,1,d{n - 1},1"]) + "\n"


def flat_table(n: int) -> str:
    """A long-form framework table of one dimension holding n - 1 indicators."""
    return "code,name,level,parent,weight\nd,d,,,1\n" + "".join(f"i{j},indicator {j},1,d,1\n" for j in range(n - 1))


def loop_table(n: int) -> str:
    """Dimensions whose parents go round in a loop n long, an indicator hanging from it."""
    rows = ["code,name,level,parent,weight"] + [f"d{k},d{k},,d{(k - 1) % n},1" for k in range(n)]
    return "\n".join(rows + ["i,i,1,d0,1"]) + "\n"
