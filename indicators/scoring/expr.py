"""A small filter/value expression language, parsed by hand and compiled to parameterised DuckDB SQL.

User text never reaches SQL by pasting: it is tokenised, parsed into a tree, type-checked against
the known columns, a closed list of functions and any closed vocabularies, and only then emitted.
In the emitted SQL every identifier is a whitelisted, double-quoted column name and every literal
is a `?` parameter (docs/design.md, "Indicators and schemes"). Keywords and function names are case-insensitive; columns are not.

    or_expr   := and_expr ('or' and_expr)*          and_expr := not_expr ('and' not_expr)*
    not_expr  := 'not' not_expr | predicate
    predicate := sum [ compop sum | ['not'] 'in' '(' literal (',' literal)* ')'
                     | 'is' ['not'] 'null' | ['not'] 'between' sum 'and' sum ]
    sum := term (('+'|'-') term)*    term := unary (('*'|'/') unary)*    unary := '-' unary | primary
    primary := number | 'text' | true | false | column | function '(' args ')' | '(' or_expr ')'
    compop: = == != <> < <= > >=     literal: ['-'] number | 'text' | true | false
"""
from __future__ import annotations

import datetime
import difflib
import math
import re
from dataclasses import dataclass
from typing import Mapping, NamedTuple, Sequence

from indicators.errors import InputError, char_word, Word

__all__ = ["ExprError", "compile_filter", "compile_value", "columns_used"]

MAX_LENGTH = 2000
MAX_DEPTH = 40
_INT_LIMIT = 2**63 - 1  # BIGINT; larger literals would silently become HUGEINT or fail at run time

KEYWORDS = {"and", "or", "not", "in", "is", "null", "between", "true", "false"}
# name -> (fewest args, most args, argument types, result type); round's digits, coalesce and date
# are checked by hand in _Checker._call.
FUNCTIONS: dict[str, tuple[int, int, tuple[str, ...], str]] = {
    "lower": (1, 1, ("text",), "text"), "upper": (1, 1, ("text",), "text"),
    "length": (1, 1, ("text",), "number"), "abs": (1, 1, ("number",), "number"),
    "round": (1, 2, ("number",), "number"), "coalesce": (2, 100, (), ""), "date": (1, 1, (), "date"),
    "year": (1, 1, ("date",), "number"), "month": (1, 1, ("date",), "number"),
    "days_between": (2, 2, ("date", "date"), "number"),
}
_OPS = ("<=", ">=", "<>", "!=", "==", "=", "<", ">", "+", "-", "*", "/", "(", ")", ",")
_COMPARE = {"=": "=", "==": "=", "!=": "<>", "<>": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_TYPE_OF = {**dict.fromkeys("TINYINT SMALLINT INTEGER INT BIGINT HUGEINT UTINYINT USMALLINT UINTEGER UBIGINT "
                             "FLOAT REAL DOUBLE DECIMAL NUMERIC".split(), "number"),
            "VARCHAR": "text", "TEXT": "text", "STRING": "text", "DATE": "date", "BOOLEAN": "bool", "BOOL": "bool"}
_SHOWN = {k: Word(f"err.expr.type.{k}") for k in ("number", "text", "date", "bool")}   # str(): English
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_STRING = re.compile(r"'(?:[^']|'')*'")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class ExprError(InputError):
    """message: plain English naming the problem and the offending token; position: 0-based char offset or None."""

    def __init__(self, message: str, position: int | None = None, code: str | None = None, **params):
        super().__init__(message, code=code and f"expr.{code}", params=params)
        self.message = message
        self.position = position


class _Tok(NamedTuple):
    kind: str  # 'num', 'str', 'name', 'op', 'end'
    value: object
    pos: int
    end: int

    def is_kw(self, word: str) -> bool:
        return self.kind == "name" and str(self.value).lower() == word


@dataclass
class _Node:
    kind: str  # lit col call neg arith and or not cmp in isnull between
    pos: int
    end: int
    val: object = None
    kids: tuple = ()
    as_date: bool = False  # a string literal the checker decided to compile as CAST(? AS DATE)


def _tokenize(text: str) -> list[_Tok]:
    if len(text) > MAX_LENGTH:
        raise ExprError(f"The expression is {len(text)} characters long; the limit is {MAX_LENGTH}.", MAX_LENGTH,
                        "too_long", n=len(text), limit=MAX_LENGTH)
    toks, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif c == "'":
            m = _STRING.match(text, i)
            if m is None:
                raise ExprError("Unterminated text: a quote ' opened here is never closed.", i, "unterminated")
            toks.append(_Tok("str", m.group()[1:-1].replace("''", "'"), i, m.end()))  # '' is an escaped quote
            i = m.end()
        elif c == '"':
            raise ExprError('Double quotes are not allowed: write text in single quotes, e.g. \'case\'.', i, "double_quotes")
        elif c.isascii() and c.isdigit():
            m = _NUMBER.match(text, i)
            raw, j = m.group(), m.end()
            if j < n and (text[j].isalnum() or text[j] in "_."):
                raise ExprError(f"Malformed number starting '{text[i:j + 1]}'.", i, "bad_number", text=text[i:j + 1])
            if m.group(1) or m.group(2):
                value: int | float = float(raw)
                if not math.isfinite(value):
                    raise ExprError(f"The number {raw} is out of range.", i, "out_of_range", raw=raw)
            else:
                value = int(raw)
                if value > _INT_LIMIT:
                    raise ExprError(f"The number {raw} is out of range (largest allowed is {_INT_LIMIT}).", i,
                                    "int_out_of_range", raw=raw, limit=_INT_LIMIT)
            toks.append(_Tok("num", value, i, j))
            i = j
        elif c.isascii() and (c.isalpha() or c == "_"):
            m = _IDENT.match(text, i)
            toks.append(_Tok("name", m.group(), i, m.end()))
            i = m.end()
        elif text.startswith("--", i) or text.startswith("/*", i):
            raise ExprError(f"Comments ('{text[i:i + 2]}') are not allowed in expressions.", i, "comment", text=text[i:i + 2])
        else:
            op = next((o for o in _OPS if text.startswith(o, i)), None)
            if op is None:
                raise ExprError(f"character {i + 1} is {char_word(c)}: a formula takes only English letters, numbers, "
                                "'quoted text', operators, commas and parentheses", i,
                                "bad_char", at=i + 1, what=char_word(c))
            toks.append(_Tok("op", op, i, i + len(op)))
            i += len(op)
    toks.append(_Tok("end", None, n, n))
    return toks


class _Parser:
    def __init__(self, text: str):
        if not isinstance(text, str):
            raise ExprError("The expression must be text.", None, "not_text")
        if not text.strip():
            raise ExprError("The expression is empty.", 0, "empty")
        self.text, self.toks, self.i, self.depth = text, _tokenize(text), 0, 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def _take(self, *words: str) -> _Tok | None:
        """Consume the current token if it is one of these operators or (case-insensitive) keywords."""
        t = self.tok
        if (t.kind == "op" and t.value in words) or (t.kind == "name" and str(t.value).lower() in words):
            self.i += 1
            return t
        return None

    def _fail(self, expected: str) -> ExprError:
        t = self.tok
        found = Word("err.expr.end") if t.kind == "end" else f"'{self.text[t.pos:t.end]}'"
        return ExprError(f"Expected {expected} but found {found}.", t.pos, "expected", expected=expected, found=found)

    def _expect(self, word: str, expected: str) -> _Tok:
        t = self._take(word)
        if t is None:
            raise self._fail(expected)
        return t

    def _nested(self, pos: int, parse):
        # Every way of nesting passes here, so the depth limit also bounds Python's recursion.
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"The expression is nested more than {MAX_DEPTH} levels deep.", pos)
        node = parse()
        self.depth -= 1
        return node

    def _list(self, item, close_expected: str) -> list[_Node]:
        items = [item()]
        while self._take(","):
            items.append(item())
        self._expect(")", close_expected)
        return items

    def parse(self) -> _Node:
        node = self._or()
        if self.tok.kind != "end":
            if self.tok.value == ")":
                raise ExprError("Unbalanced parentheses: this ')' has no matching '('.", self.tok.pos, "close_unmatched")
            raise ExprError(f"Unexpected '{self.text[self.tok.pos:self.tok.end]}' after a complete expression "
                            "(a missing 'and' or 'or'?).", self.tok.pos, "trailing",
                            text=self.text[self.tok.pos:self.tok.end])
        return node

    def _chain(self, kind: str, sub, *seps: str) -> _Node:
        # Flat chains (not nested recursion) so a long `a or b or c ...` cannot exhaust the stack.
        kids, ops = [sub()], []
        while op := self._take(*seps):
            ops.append(str(op.value).upper())
            kids.append(sub())
        if len(kids) == 1:
            return kids[0]
        return _Node(kind, kids[0].pos, kids[-1].end, tuple(ops), tuple(kids))

    def _or(self) -> _Node:
        return self._chain("or", self._and, "or")

    def _and(self) -> _Node:
        return self._chain("and", self._not, "and")

    def _not(self) -> _Node:
        if t := self._take("not"):
            inner = self._nested(t.pos, self._not)
            return _Node("not", t.pos, inner.end, kids=(inner,))
        return self._predicate()

    def _predicate(self) -> _Node:
        left = self._sum()
        if op := self._take(*_COMPARE):
            right = self._sum()
            return _Node("cmp", left.pos, right.end, _COMPARE[op.value], (left, right))
        if self._take("is"):
            negated = bool(self._take("not"))
            end = self._expect("null", Word("err.expr.want.null_after_is")).end
            return _Node("isnull", left.pos, end, negated, (left,))
        negated = bool(self._take("not"))
        if self._take("in"):
            self._expect("(", Word("err.expr.want.paren_after_in"))
            items = self._list(self._literal, Word("err.expr.want.list_sep"))
            return _Node("in", left.pos, self.toks[self.i - 1].end, negated, (left, *items))
        if self._take("between"):
            low = self._sum()
            self._expect("and", Word("err.expr.want.and_after_between"))
            high = self._sum()
            return _Node("between", left.pos, high.end, negated, (left, low, high))
        if negated:
            raise self._fail(Word("err.expr.want.in_or_between"))
        return left

    def _literal(self) -> _Node:
        start, negative = self.tok.pos, bool(self._take("-"))
        t = self.tok
        if t.kind == "num" or (t.kind == "str" and not negative):
            self.i += 1
            return _Node("lit", start, t.end, -t.value if negative else t.value)
        if not negative and self._take("true", "false"):
            return _Node("lit", start, t.end, t.is_kw("true"))
        raise self._fail(Word("err.expr.want.list_value"))

    def _sum(self) -> _Node:
        return self._chain("arith", self._term, "+", "-")

    def _term(self) -> _Node:
        return self._chain("arith", self._unary, "*", "/")

    def _unary(self) -> _Node:
        if not (t := self._take("-")):
            return self._primary()
        inner = self._nested(t.pos, self._unary)
        if inner.kind == "lit" and type(inner.val) in (int, float):  # fold -3 into one literal
            return _Node("lit", t.pos, inner.end, -inner.val)
        return _Node("neg", t.pos, inner.end, kids=(inner,))

    def _primary(self) -> _Node:
        t = self.tok
        if t.kind in ("num", "str"):
            self.i += 1
            return _Node("lit", t.pos, t.end, t.value)
        if self._take("("):
            inner = self._nested(t.pos, self._or)
            if self.tok.kind == "end":
                raise ExprError("Unbalanced parentheses: this '(' is never closed.", t.pos, "open_unclosed")
            self._expect(")", Word("err.expr.want.close"))
            return inner
        if self._take("true", "false"):
            return _Node("lit", t.pos, t.end, t.is_kw("true"))
        if t.is_kw("null"):
            raise ExprError("'null' can only be tested with 'is null' or 'is not null'.", t.pos, "bare_null")
        if t.kind != "name" or str(t.value).lower() in KEYWORDS:
            raise self._fail(Word("err.expr.want.value"))
        self.i += 1
        if not self._take("("):
            return _Node("col", t.pos, t.end, t.value)
        word = str(t.value).lower()
        if word not in FUNCTIONS:
            raise ExprError(f"Unknown function '{t.value}'. Allowed functions: {', '.join(sorted(FUNCTIONS))}.", t.pos,
                            "unknown_function", name=t.value, allowed=", ".join(sorted(FUNCTIONS)))
        if self._take(")"):
            return _Node("call", t.pos, self.toks[self.i - 1].end, word)
        args = self._nested(t.pos, lambda: self._list(self._or, Word("err.expr.want.arg_sep", fn=word)))
        return _Node("call", t.pos, self.toks[self.i - 1].end, word, tuple(args))


class _Checker:
    """Type-checks the tree; marks string literals that stand for dates. Raises before any SQL exists."""

    def __init__(self, text: str, columns: Mapping[str, str], vocab: Mapping[str, Sequence[str]] | None):
        self.text, self.columns, self.vocab = text, columns, vocab or {}

    def src(self, n: _Node) -> str:
        """The user's own text for a node, shortened so messages stay readable."""
        shown = " ".join(self.text[n.pos:n.end].split())
        return shown if len(shown) <= 60 else shown[:57] + "..."

    def type(self, n: _Node) -> str:
        k = n.kind
        if k == "lit":
            return "bool" if isinstance(n.val, bool) else "text" if isinstance(n.val, str) else "number"
        if k == "col":
            return self._column(n)
        if k == "call":
            return self._call(n)
        if k in ("and", "or", "not"):
            for kid in n.kids:
                if (t := self.type(kid)) != "bool":
                    raise ExprError(f"'{k}' needs true/false conditions, but {self.src(kid)} is {_SHOWN[t]}.", kid.pos,
                                    "needs_bool", op=k, src=self.src(kid), got=_SHOWN[t])
            return "bool"
        if k in ("neg", "arith"):
            for kid in n.kids:
                if (t := self.type(kid)) != "number":
                    hint = Word("err.expr.days_hint") if t == "date" else ""
                    raise ExprError(f"Arithmetic needs numbers, but {self.src(kid)} is {_SHOWN[t]}.{hint}", kid.pos,
                                    "needs_number", src=self.src(kid), got=_SHOWN[t], hint=hint)
            return "number"
        if k == "isnull":
            self.type(n.kids[0])
            return "bool"
        if k in ("cmp", "in", "between"):
            self._unify(n.kids, "compare")
            if k in ("in", "cmp") and (k == "in" or n.val in ("=", "<>")):
                self._check_vocab(n)
            return "bool"
        raise AssertionError(k)

    def _column(self, n: _Node) -> str:
        name = n.val
        if name not in self.columns:
            known = sorted(self.columns)
            msg = f"Unknown column '{name}'. Known columns: {', '.join(known)}."
            close = difflib.get_close_matches(name, known, n=1)
            hint = Word("err.expr.did_you_mean", name=close[0]) if close else ""
            raise ExprError(msg + (f" Did you mean '{close[0]}'?" if close else ""), n.pos,
                            "unknown_column", name=name, known=", ".join(known), hint=hint)
        declared = str(self.columns[name]).upper().split("(")[0].strip()
        if declared not in _TYPE_OF:
            raise ExprError(f"Column '{name}' has type {declared}, which expressions cannot use.", n.pos)
        return _TYPE_OF[declared]

    def _as_date(self, n: _Node) -> bool:
        """A 'YYYY-MM-DD' string literal may stand for a date; anything else may not."""
        if n.kind != "lit" or not isinstance(n.val, str):
            return False
        try:
            if not _ISO_DATE.fullmatch(n.val):
                raise ValueError
            datetime.date.fromisoformat(n.val)
        except ValueError:
            raise ExprError(f"'{n.val}' is not a valid date; write dates as 'YYYY-MM-DD'.", n.pos,
                            "bad_date", text=n.val) from None
        n.as_date = True
        return True

    def _unify(self, nodes: Sequence[_Node], verb: str) -> str:
        types = [self.type(x) for x in nodes]
        if len(set(types)) == 1:
            return types[0]
        if set(types) == {"date", "text"} and all(t == "date" or self._as_date(x) for x, t in zip(nodes, types)):
            return "date"
        bad, bad_type = next((x, t) for x, t in zip(nodes, types) if t != types[0])
        raise ExprError(f"Cannot {verb} {self.src(nodes[0])} ({_SHOWN[types[0]]}) with "
                        f"{self.src(bad)} ({_SHOWN[bad_type]}).", bad.pos, "mixed",
                        verb=Word(f"err.expr.verb.{verb}") if verb in ("compare", "mix") else verb,
                        a=self.src(nodes[0]), a_type=_SHOWN[types[0]], b=self.src(bad), b_type=_SHOWN[bad_type])

    def _check_vocab(self, n: _Node) -> None:
        col = next((x for x in n.kids if x.kind == "col" and x.val in self.vocab), None)
        if col is None:
            return
        allowed = list(self.vocab[col.val])
        for lit in n.kids:
            if lit.kind == "lit" and isinstance(lit.val, str) and lit.val not in allowed:
                raise ExprError(f"'{lit.val}' is not a value of {col.val}; allowed values: "
                                f"{', '.join(allowed)}.", lit.pos, "not_in_vocabulary", value=lit.val,
                                column=col.val, allowed=", ".join(allowed))

    def _call(self, n: _Node) -> str:
        name, args = n.val, n.kids
        least, most, arg_types, result = FUNCTIONS[name]
        if not least <= len(args) <= most:
            want = str(least) if least == most else f"{least} or {most}" if name == "round" else f"at least {least}"
            raise ExprError(f"{name}() takes {want} argument(s), got {len(args)}.", n.pos,
                            "arg_count", name=name, want=want, got=len(args))
        if name == "date":
            if not (args[0].kind == "lit" and isinstance(args[0].val, str)):
                raise ExprError(f"date() takes a date written as text, e.g. date('2024-07-01'), "
                                f"not {self.src(args[0])}.", args[0].pos, "date_text", src=self.src(args[0]))
            self._as_date(args[0])
        elif name == "coalesce":
            return self._unify(args, "mix")
        elif name == "round" and len(args) == 2:
            digits = args[1]
            if not (digits.kind == "lit" and type(digits.val) is int and abs(digits.val) <= 20):
                raise ExprError(f"round() digits must be a whole number from -20 to 20, "
                                f"not {self.src(digits)}.", digits.pos, "round_digits", src=self.src(digits))
        for arg, want in zip(args, arg_types):
            got = self.type(arg)
            if got != want and not (want == "date" and self._as_date(arg)):
                raise ExprError(f"{name}() needs {_SHOWN[want]}, but {self.src(arg)} is {_SHOWN[got]}.", arg.pos,
                                "fn_needs", name=name, want=_SHOWN[want], src=self.src(arg), got=_SHOWN[got])
        return result


def _emit(n: _Node, params: list) -> str:
    """SQL for a checked tree: every operation parenthesised, every literal a parameter."""
    k = n.kind
    if k == "lit":
        params.append(n.val)
        return "CAST(? AS DATE)" if n.as_date else "?"
    if k == "col":
        if not _IDENT.fullmatch(n.val):  # the tokenizer already guarantees this; belt and braces
            raise ExprError(f"Refusing the column name {n.val!r}.", n.pos)
        return f'"{n.val}"'
    if k in ("arith", "and", "or"):
        sql = _emit(n.kids[0], params)
        for op, kid in zip(n.val, n.kids[1:]):
            sql = f"({sql} {op} {_emit(kid, params)})"
        return sql
    if k == "neg":
        return f"(- {_emit(n.kids[0], params)})"
    if k == "not":
        return f"(NOT {_emit(n.kids[0], params)})"
    if k == "cmp":
        return f"({_emit(n.kids[0], params)} {n.val} {_emit(n.kids[1], params)})"
    if k == "isnull":
        return f"({_emit(n.kids[0], params)} IS {'NOT ' if n.val else ''}NULL)"
    if k == "in":
        head = _emit(n.kids[0], params)
        items = ", ".join(_emit(x, params) for x in n.kids[1:])
        return f"({head} {'NOT ' if n.val else ''}IN ({items}))"
    if k == "between":
        x, lo, hi = (_emit(kid, params) for kid in n.kids)
        return f"({x} {'NOT ' if n.val else ''}BETWEEN {lo} AND {hi})"
    if k == "call":
        if n.val == "date":
            return _emit(n.kids[0], params)  # the checker marked the literal as_date
        args = [_emit(x, params) for x in n.kids]
        if n.val == "days_between":
            return f"date_diff('day', {args[0]}, {args[1]})"
        return f"{n.val}({', '.join(args)})"
    raise AssertionError(k)


def _compile(text: str, columns: Mapping[str, str], vocab, want: str) -> tuple[str, list]:
    tree = _Parser(text).parse()
    checker = _Checker(text, columns, vocab)
    got = checker.type(tree)
    if got != want and want == "bool":
        raise ExprError(f"A filter must be a true/false condition, but {checker.src(tree)} is {_SHOWN[got]}; "
                        "compare it with something, e.g. urgency >= 4.", tree.pos, "filter_not_bool",
                        src=checker.src(tree), got=_SHOWN[got])
    if got != want:
        raise ExprError(f"A value must be a number, but {checker.src(tree)} is {_SHOWN[got]}.", tree.pos,
                        "value_not_number", src=checker.src(tree), got=_SHOWN[got])
    params: list = []
    return _emit(tree, params), params


def compile_filter(text: str, columns: Mapping[str, str],
                   vocab: Mapping[str, Sequence[str]] | None = None) -> tuple[str, list]:
    """Boolean expression -> (sql, params). columns maps column name -> DuckDB type name
    ('VARCHAR', 'INTEGER', 'BIGINT', 'DOUBLE', 'DATE', 'BOOLEAN'). vocab maps a column to its closed list of values."""
    return _compile(text, columns, vocab, "bool")


def compile_value(text: str, columns: Mapping[str, str]) -> tuple[str, list]:
    """Numeric expression -> (sql, params); must be numeric-typed (error otherwise)."""
    return _compile(text, columns, None, "number")


def columns_used(text: str) -> set[str]:
    """Column names referenced (after parsing)."""
    found, stack = set(), [_Parser(text).parse()]
    while stack:
        n = stack.pop()
        if n.kind == "col":
            found.add(n.val)
        stack.extend(n.kids)
    return found
