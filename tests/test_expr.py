"""Tests for indicators.scoring.expr: filters compile to parameterised SQL that DuckDB runs, and nothing else does."""
from __future__ import annotations

import datetime as dt
import functools
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.scoring.expr import ExprError, columns_used, compile_filter, compile_value

COLUMNS = {"kind": "VARCHAR", "photos": "INTEGER", "held_on": "DATE", "need_id": "VARCHAR",
           "urgency": "INTEGER", "cost": "DOUBLE", "title": "VARCHAR", "published": "BOOLEAN"}
KINDS = ("case", "group", "community", "publicity")
VOCAB = {"kind": KINDS}
ROWS = [  # kind, photos, held_on, need_id, urgency, cost, title, published
    ("case", 0, dt.date(2024, 3, 5), "N1", 5, 120.0, "Home visit", False),
    ("group", 12, dt.date(2024, 7, 1), None, 2, 800.5, "O'Brien visit", True),
    ("community", 30, dt.date(2024, 7, 15), None, 1, 2500.0, "Fair", True),
    ("publicity", 45, dt.date(2024, 9, 30), None, None, 3000.0, "Photo day", True),
    ("case", 2, dt.date(2024, 11, 11), "N2", 4, 60.0, "Follow-up", False),
    ("group", 5, dt.date(2023, 12, 31), "N3", 3, None, None, None),
]


def activities(con: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
    """A table t holding ROWS, in a fresh in-memory database unless one is given."""
    con = con or duckdb.connect()
    con.execute("CREATE OR REPLACE TABLE t (kind VARCHAR, photos INTEGER, held_on DATE, need_id VARCHAR, "
                "urgency INTEGER, cost DOUBLE, title VARCHAR, published BOOLEAN)")
    con.execute("INSERT INTO t VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * len(ROWS)),
                [v for row in ROWS for v in row])
    return con


@functools.cache
def scratch() -> duckdb.DuckDBPyConnection:
    """One in-memory database for property examples (a connection costs ~10 ms); each example
    replaces table t with its own rows before querying, so no example sees another's data."""
    return duckdb.connect()


def count(con, text: str, vocab=VOCAB) -> int:
    sql, params = compile_filter(text, COLUMNS, vocab)
    return con.execute(f"SELECT count(*) FROM t WHERE {sql}", params).fetchall()[0][0]


def error_of(text: str, compile=compile_filter, **kw) -> ExprError:
    with pytest.raises(ExprError) as info:
        compile(text, COLUMNS, **kw)
    return info.value


# ---------------------------------------------------------------- valid filters, hand-counted

@pytest.mark.parametrize("text, expected", [
    ("kind in ('case', 'group') and need_id is not null", 3),
    ("urgency >= 4", 2),
    ("kind = 'case' or kind = 'community'", 3),
    ("kind == 'case'", 2),
    ("kind != 'case' and kind <> 'group'", 2),
    ("held_on >= date('2024-07-01')", 4),
    ("held_on >= '2024-07-01'", 4),
    ("'2024-07-01' <= held_on", 4),
    ("held_on between '2024-07-01' and '2024-09-30'", 3),
    ("held_on in ('2024-07-01', '2023-12-31')", 2),
    ("photos not between 1 and 30", 2),
    ("photos between 1 and 30 and urgency > 2", 2),
    ("photos * 2 > 50", 2),
    ("urgency * photos >= 30", 1),
    ("2 + photos * 2 = 26", 1),          # precedence: 2 + (12 * 2)
    ("(2 + photos) * 2 = 28", 1),
    ("photos - 10 - 2 = 0", 1),          # left-associative: (12 - 10) - 2
    ("photos / 2 / 3 = 5", 1),            # (30 / 2) / 3
    ("need_id is null", 3),
    ("not (kind = 'case')", 4),
    ("not kind = 'case'", 4),
    ("not not kind = 'case'", 2),
    ("published", 3),
    ("not published", 2),
    ("published = false", 2),
    ("coalesce(urgency, 0) = 0", 1),
    ("year(held_on) = 2024 and month(held_on) >= 7", 4),
    ("days_between(held_on, '2024-12-31') < 60", 1),
    ("days_between(date('2024-01-01'), held_on) > 300", 1),
    ("lower(title) = 'o''brien visit'", 1),
    ("upper(kind) = 'CASE'", 2),
    ("length(title) <= 4", 1),
    ("round(cost / 100) = 8", 1),
    ("round(cost, 1) = 800.5", 1),
    ("abs(urgency - 3) <= 1", 3),
    ("(urgency >= 4 or photos > 40) and not kind = 'publicity'", 2),
    ("-urgency < -3", 2),
    ("- -urgency > 3", 2),
    ("photos in (0, 2, 5)", 3),
    ("photos not in (0, 2, 5)", 3),
    ("cost >= 1e3", 2),
    ("true", 6),
    ("false or false", 0),
    ("TRUE AND kind IN ('case') OR kind Is Null", 2),
    ("kind in ('case') AND NOT need_id IS NULL", 2),
    ("  urgency\n>=\t4  ", 2),
    ("((((urgency >= 4))))", 2),
])
def test_valid_filters_count_the_hand_counted_rows(text, expected):
    con = activities()
    assert count(con, text) == expected


def test_sql_shape_quotes_columns_parameterises_literals_and_parenthesises():
    sql, params = compile_filter("kind in ('case', 'group') and urgency >= 4 + 1 * 2", COLUMNS, VOCAB)
    assert sql == '(("kind" IN (?, ?)) AND ("urgency" >= (? + (? * ?))))'
    assert params == ["case", "group", 4, 1, 2]
    sql, params = compile_filter("held_on >= date('2024-07-01') and need_id is not null", COLUMNS)
    assert sql == '(("held_on" >= CAST(? AS DATE)) AND ("need_id" IS NOT NULL))'
    assert params == ["2024-07-01"]
    sql, params = compile_filter("days_between(held_on, '2024-12-31') between 0 and 10", COLUMNS)
    assert sql == "(date_diff('day', \"held_on\", CAST(? AS DATE)) BETWEEN ? AND ?)"
    assert params == ["2024-12-31", 0, 10]


def test_null_is_never_a_parameter():
    sql, params = compile_filter("urgency is null or need_id is not null", COLUMNS)
    assert "IS NULL" in sql and "IS NOT NULL" in sql and params == []


def test_compile_value_runs_and_matches_python():
    con = activities()
    sql, params = compile_value("urgency * photos + 1", COLUMNS)
    got = [r[0] for r in con.execute(f"SELECT {sql} FROM t", params).fetchall()]
    assert got == [None if r[4] is None else r[4] * r[1] + 1 for r in ROWS]
    sql, params = compile_value("coalesce(cost, 0) / 2", COLUMNS)
    assert con.execute(f"SELECT sum({sql}) FROM t", params).fetchall()[0][0] == pytest.approx(6480.5 / 2)
    sql, params = compile_value("days_between('2024-01-01', held_on)", COLUMNS)
    assert con.execute(f"SELECT max({sql}) FROM t", params).fetchall()[0][0] == 315


@pytest.mark.parametrize("text, word", [("kind", "text"), ("photos > 1", "true/false"), ("held_on", "date")])
def test_compile_value_refuses_non_numbers(text, word):
    err = error_of(text, compile_value)
    assert "number" in err.message and word in err.message


def test_columns_used():
    assert columns_used("urgency * photos + year(held_on)") == {"urgency", "photos", "held_on"}
    assert columns_used("kind in ('year', 'lower') and not published") == {"kind", "published"}
    assert columns_used("round(cost, 2) > 1") == {"cost"}
    with pytest.raises(ExprError):
        columns_used("kind = ")


# ---------------------------------------------------------------- errors

def test_expr_error_is_a_value_error_with_position():
    err = error_of("photos > 1 and kindd = 'case'")
    assert isinstance(err, ValueError)
    assert err.position == 15 and str(err) == err.message


def test_unknown_column_lists_known_sorted_and_suggests():
    err = error_of("kindd = 'case'")
    assert "'kindd'" in err.message and "Did you mean 'kind'?" in err.message
    assert ", ".join(sorted(COLUMNS)) in err.message
    err = error_of("zzzzzz > 1")
    assert "'zzzzzz'" in err.message and "Did you mean" not in err.message


def test_column_names_are_case_sensitive():
    assert "Did you mean 'kind'?" in error_of("Kind = 'case'").message


def test_unknown_function_lists_the_allowed_ones():
    err = error_of("sleep(5) > 1")
    assert "'sleep'" in err.message
    for name in ("lower", "upper", "length", "abs", "round", "coalesce", "year", "month", "date", "days_between"):
        assert name in err.message


@pytest.mark.parametrize("text, fragment", [
    ("photos = 'a'", "'a'"),
    ("kind > 3", "kind"),
    ("held_on = 3", "held_on"),
    ("held_on > kind", "kind"),
    ("held_on = '2024-13-01'", "2024-13-01"),
    ("held_on = 'yesterday'", "yesterday"),
    ("held_on < '20240701'", "20240701"),
    ("kind + 1 > 2", "kind"),
    ("held_on - held_on > 2", "days_between"),
    ("-kind = 'a'", "kind"),
    ("photos and published", "photos"),
    ("published or kind", "kind"),
    ("not photos", "photos"),
    ("photos", "photos"),
    ("photos in (1, 'two')", "'two'"),
    ("photos between 1 and 'x'", "'x'"),
    ("coalesce(kind, 3) = 'a'", "3"),
    ("lower(photos) = 'a'", "photos"),
    ("year(kind) = 2024", "kind"),
    ("abs(kind) = 1", "kind"),
    ("date(held_on) = held_on", "held_on"),
    ("date('2024-02-30') < held_on", "2024-02-30"),
    ("round(cost, urgency) > 1", "urgency"),
    ("round(cost, 1.5) > 1", "1.5"),
    ("lower(kind, kind) = 'a'", "lower"),
    ("coalesce(kind) = 'a'", "coalesce"),
    ("published = 1", "published"),
])
def test_type_errors_name_the_offender(text, fragment):
    assert fragment in error_of(text).message


@pytest.mark.parametrize("text, bad", [
    ("kind = 'meeting'", "meeting"),
    ("kind != 'Case'", "Case"),
    ("'workshop' <> kind", "workshop"),
    ("kind in ('case', 'party')", "party"),
    ("kind not in ('party')", "party"),
])
def test_closed_vocabulary(text, bad):
    err = error_of(text, vocab=VOCAB)
    assert f"'{bad}'" in err.message and "kind" in err.message
    assert all(k in err.message for k in KINDS)
    # without a vocabulary the same text is fine
    compile_filter(text, COLUMNS)


def test_vocabulary_allows_known_values_and_other_operators():
    con = activities()
    assert count(con, "kind in ('case', 'publicity') and kind != 'group'") == 3
    assert count(con, "kind > 'd'") == 3  # ordering is not a membership test


@pytest.mark.parametrize("text, fragment, position", [
    ("photos > 1 photos", "'photos'", 11),
    ("photos > 1)", "')'", 10),
    ("(photos > 1", "'('", 0),
    ("lower(kind = 'a'", "lower()", 16),
    ("kind = 'case", "Unterminated", 7),
    ("kind = 'a'; drop table t", "';'", 10),
    ("kind = `a`", "'`'", 7),
    ("photos > 1 -- comment", "'--'", 11),
    ("photos > 1 /* c */", "'/*'", 11),
    ('"kind" = \'a\'', "single quotes", 0),
    ("kind = $$x$$", "'$'", 7),
    ("photos > 1e999", "1e999", 9),
    ("photos > 99999999999999999999", "99999999999999999999", 9),
    ("photos > 3abc", "3a", 9),
    ("photos > 1.", "1.", 9),
    ("photos = null", "is null", 9),
    ("null is null", "is null", 0),
    ("photos is 1", "'null'", 10),
    ("photos not like 1", "'like'", 11),
    ("photos in 1", "'('", 10),
    ("photos in ()", "')'", 11),
    ("photos in (urgency)", "'urgency'", 11),
    ("photos between 1 or 2", "'or'", 17),
    ("photos >", "end of the expression", 8),
    ("and", "'and'", 0),
    ("photos > 1 and", "end of the expression", 14),
    ("kind = 'a' || 'b'", "'|'", 11),
    ("photos ! 1", "'!'", 7),
    ("a.b = 1", "'.'", 1),
])
def test_syntax_errors(text, fragment, position):
    err = error_of(text)
    assert fragment in err.message
    assert err.position == position


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_is_refused(text):
    assert "empty" in error_of(text).message


def test_non_text_is_refused():
    with pytest.raises(ExprError):
        compile_filter(None, COLUMNS)  # type: ignore[arg-type]


def test_length_limit():
    ok = "photos in (" + ", ".join(["1"] * 600) + ")"
    assert len(ok) < 2000
    compile_filter(ok, COLUMNS)
    long = "photos > 1 " + " " * 1990
    assert "2000" in error_of(long).message


@pytest.mark.parametrize("opener, closer", [("(", ")"), ("not ", ""), ("- ", ""), ("abs(", ")")])
def test_nesting_limit(opener, closer):
    def nest(depth):
        inner = "photos > 0" if opener in ("(", "not ") else "photos"
        text = opener * depth + inner + closer * depth
        return text if opener in ("(", "not ") else text + " > 0"
    compile_filter(nest(40), COLUMNS)
    err = error_of(nest(41))
    assert "40" in err.message and "nested" in err.message


def test_long_flat_chains_do_not_exhaust_the_stack():
    con = activities()
    text = " or ".join(["photos=0"] * 160)
    assert len(text) < 2000 and count(con, text) == 1
    sql, params = compile_value(" + ".join(["photos"] * 220), COLUMNS)
    assert con.execute(f"SELECT sum({sql}) FROM t", params).fetchall()[0][0] == 94 * 220


def test_unknown_column_type_is_refused_only_when_used():
    cols = {**COLUMNS, "stamp": "TIMESTAMP"}
    compile_filter("photos > 1", cols)
    with pytest.raises(ExprError, match="stamp"):
        compile_filter("stamp is null", cols)


# ---------------------------------------------------------------- injection

INJECTIONS = [
    "kind = 'a'; DROP TABLE t",
    "kind = 'a'; DROP TABLE t; --",
    "1=1 --",
    "1=1; --",
    "kind = 'x' or 1=1)",
    "kind = 'x') or (1=1",
    '"kind" = \'case\'',
    'kind = "case"',
    "kind = $$x$$",
    "kind = $1",
    "kind = ?",
    "kind = :x",
    "station_id; drop",
    "photos; drop table t",
    "photos > 1 union select 1",
    "kind = 'a' /* */",
    "kind = E'\\x27'",
    "kind\u037e drop table t",        # Greek question mark looks like ';'
    "kind \uff1d 'case'",              # full-width equals
    "k\u0456nd = 'case'",              # Cyrillic i
    "kind = 'case'\u200b",             # zero-width space
    "kind = 'case'\x00",
    "photos > 1\u2028or 1=1",
    "t.kind = 'case'",
    "read_csv('x') is null",
    "main.t is null",
    "kind = 'a' or pg_sleep(1) is null",
    "photos > 1 ; select 1",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_attempts_are_refused(text):
    with pytest.raises(ExprError):
        compile_filter(text, {**COLUMNS, "station_id": "VARCHAR"})
    con = activities()
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(len(ROWS),)]


@pytest.mark.parametrize("payload", [
    "'a''; drop table t; --'",
    "'x'' OR ''1''=''1'",
    "'\"kind\"; DROP TABLE t'",
    "'$$ drop $$'",
    "'\\'",
    "'\u037e DROP TABLE t \u2028 --'",
])
def test_string_content_is_only_ever_a_parameter(payload):
    con = activities()
    sql, params = compile_filter(f"title = {payload}", COLUMNS)
    assert sql == '("title" = ?)'
    assert len(params) == 1 and params[0] == payload.strip()[1:-1].replace("''", "'")
    assert con.execute(f"SELECT count(*) FROM t WHERE {sql}", params).fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(len(ROWS),)]


def test_vocab_check_quotes_an_injection_back_as_a_value():
    err = error_of("kind = 'a''; drop table t; --'", vocab=VOCAB)
    assert "a'; drop table t; --" in err.message


def test_package_module_does_not_import_streamlit_or_duckdb():
    root = Path(__file__).resolve().parent.parent
    code = "import sys, indicators.scoring.expr; assert 'streamlit' not in sys.modules and 'duckdb' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)


# ---------------------------------------------------------------- property: arbitrary text

SQL_WORDS = {"AND", "OR", "NOT", "IN", "IS", "NULL", "BETWEEN", "CAST", "AS", "DATE",
             "lower", "upper", "length", "abs", "round", "coalesce", "year", "month", "date_diff"}
SQL_TOKEN = re.compile(r"""\s+|"(?P<col>[^"]*)"|(?P<word>[A-Za-z_]+)|'day'|\?|<=|>=|<>|[=<>+\-*/(),]""")
SOUP = ["kind", "photos", "held_on", "need_id", "urgency", "cost", "title", "published", "nope",
        "and", "or", "not", "in", "is", "null", "between", "true", "false", "AND", "Not",
        "lower(", "upper(", "length(", "abs(", "round(", "coalesce(", "year(", "month(", "date(",
        "days_between(", "sleep(", "(", ")", ",", "=", "==", "!=", "<>", "<", "<=", ">", ">=",
        "+", "-", "*", "/", "0", "1", "2.5", "-3", "1e3", "1e999", "'case'", "'it''s'", "'2024-07-01'",
        "'2024-02-30'", "'", '"', ";", "--", "/*", "$$", "`", ".", "\u200b", "\uff1d"]
# Valid conditions, joined and then damaged at random: most of these compile or nearly do,
# so the checks on the emitted SQL run often rather than only on the rare soup that parses.
CONDITIONS = ["photos > 1", "kind = 'case'", "held_on >= '2024-07-01'", "urgency * photos >= 3",
              "need_id is null", "published", "cost not between 1 and 2", "kind in ('case', 'x')",
              "year(held_on) = 2024", "lower(title) <> 'it''s'", "days_between(held_on, date('2024-01-01')) < 9",
              "(photos + 1) / 2 = -cost", "coalesce(urgency, 0) in (1, -2)", "not (published or title is not null)"]


@st.composite
def damaged_conditions(draw) -> str:
    parts = draw(st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=4))
    text = parts[0]
    for part in parts[1:]:
        text += draw(st.sampled_from([" and ", " or ", " and not ", " OR NOT "])) + part
    for _ in range(draw(st.integers(0, 2))):
        at, cut = draw(st.integers(0, len(text))), draw(st.integers(0, 3))
        text = text[:at] + draw(st.sampled_from(SOUP)) + text[at + cut:]
    return text


def assert_safe_sql(sql: str, params: list) -> None:
    pos = 0
    while pos < len(sql):
        m = SQL_TOKEN.match(sql, pos)
        assert m and m.end() > pos, f"unexpected SQL at {pos}: {sql[pos:pos + 20]!r} in {sql!r}"
        if m.group("col") is not None:
            assert m.group("col") in COLUMNS
        if m.group("word") is not None:
            assert m.group("word") in SQL_WORDS, sql
        pos = m.end()
    assert sql.count("?") == len(params)
    assert all(type(p) in (int, float, str, bool) for p in params)


def check_arbitrary(text: str) -> None:
    for compile, kw in ((compile_filter, {"vocab": VOCAB}), (compile_filter, {}), (compile_value, {})):
        try:
            sql, params = compile(text, COLUMNS, **kw)
        except ExprError as err:
            assert err.message and (err.position is None or 0 <= err.position <= len(text))
            continue
        assert_safe_sql(sql, params)
        con = activities(scratch())
        try:  # it must also bind; only run-time arithmetic limits may stop it
            con.execute(f"SELECT count(*) FROM t WHERE {sql}" if compile is compile_filter
                        else f"SELECT {sql} FROM t", params).fetchall()
        except (duckdb.OutOfRangeException, duckdb.ConversionException):
            pass
    try:
        assert columns_used(text) <= set(text.split()) | set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    except ExprError:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_property_arbitrary_text_only_raises_expr_error(text):
    check_arbitrary(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(SOUP), max_size=14), st.sampled_from([" ", ""]))
def test_property_token_soup_only_raises_expr_error(tokens, sep):
    check_arbitrary(sep.join(tokens))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_conditions())
def test_property_damaged_conditions_only_raise_expr_error(text):
    check_arbitrary(text)


# ---------------------------------------------------------------- property: generated trees vs Python

GEN_COLUMNS = {"a": "INTEGER", "b": "INTEGER", "s": "VARCHAR", "u": "VARCHAR"}
small_int = st.integers(-3, 3)
small_text = st.text(alphabet="ab' ", max_size=3)
# Precedence levels of the grammar; a child is parenthesised when it binds looser than its slot needs.
OR, AND, NOT, PRED, SUM, TERM, UNARY, ATOM = range(8)


def ints():
    leaf = st.one_of(st.sampled_from([("col", "a"), ("col", "b")]), small_int.map(lambda v: ("lit", v)))
    return st.recursive(leaf, lambda kid: st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*"]), kid, kid),
        st.tuples(st.just("neg"), kid)), max_leaves=6)


def texts():
    return st.one_of(st.sampled_from([("col", "s"), ("col", "u")]), small_text.map(lambda v: ("lit", v)),
                     st.sampled_from([("col", "s"), ("col", "u")]).map(lambda c: ("lower", c)))


CMP = ["=", "==", "!=", "<>", "<", "<=", ">", ">="]


def bools():
    leaf = st.one_of(
        st.tuples(st.just("cmp"), st.sampled_from(CMP), ints(), ints()),
        st.tuples(st.just("cmp"), st.sampled_from(CMP), texts(), texts()),
        st.tuples(st.just("in"), st.booleans(), ints(), st.lists(small_int, min_size=1, max_size=3)),
        st.tuples(st.just("in"), st.booleans(), texts(), st.lists(small_text, min_size=1, max_size=3)),
        st.tuples(st.just("isnull"), st.booleans(), st.one_of(ints(), texts())),
        st.tuples(st.just("between"), st.booleans(), ints(), ints(), ints()),
        st.sampled_from([("lit", True), ("lit", False)]),
    )
    return st.recursive(leaf, lambda kid: st.one_of(
        st.tuples(st.sampled_from(["and", "or"]), kid, kid), st.tuples(st.just("not"), kid)), max_leaves=6)


def render_lit(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    return str(v)


def render(node, need: int = OR) -> str:
    """Text for a tree, with only the parentheses the precedence rules require."""
    kind = node[0]
    if kind == "col":
        text, level = node[1], ATOM
    elif kind == "lit":
        text, level = render_lit(node[1]), UNARY if isinstance(node[1], int) and node[1] < 0 else ATOM
    elif kind == "lower":
        text, level = f"lower({render(node[1])})", ATOM
    elif kind == "neg":
        text, level = f"- {render(node[1], UNARY)}", UNARY
    elif kind in ("+", "-", "*"):
        level = SUM if kind in "+-" else TERM
        text = f"{render(node[1], level)} {kind} {render(node[2], level + 1)}"
    elif kind == "cmp":
        text, level = f"{render(node[2], SUM)} {node[1]} {render(node[3], SUM)}", PRED
    elif kind == "in":
        items = ", ".join(render_lit(v) for v in node[3])
        text, level = f"{render(node[2], SUM)} {'not ' if node[1] else ''}in ({items})", PRED
    elif kind == "isnull":
        text, level = f"{render(node[2], SUM)} is {'not ' if node[1] else ''}null", PRED
    elif kind == "between":
        low, high = render(node[3], SUM), render(node[4], SUM)
        text, level = f"{render(node[2], SUM)} {'not ' if node[1] else ''}between {low} and {high}", PRED
    elif kind == "not":
        text, level = f"not {render(node[1], NOT)}", NOT
    else:  # and / or
        level = AND if kind == "and" else OR
        text = f"{render(node[1], level)} {kind} {render(node[2], level + 1)}"
    return f"({text})" if level < need else text


def k_and(x, y):
    if x is False or y is False:
        return False
    return None if x is None or y is None else True


def k_or(x, y):
    if x is True or y is True:
        return True
    return None if x is None or y is None else False


def k_not(x):
    return None if x is None else not x


def evaluate(node, row):
    """SQL semantics in Python, three-valued logic included."""
    kind = node[0]
    if kind == "col":
        return row[node[1]]
    if kind == "lit":
        return node[1]
    if kind == "lower":
        v = evaluate(node[1], row)
        return None if v is None else v.lower()
    if kind == "neg":
        v = evaluate(node[1], row)
        return None if v is None else -v
    if kind in ("+", "-", "*"):
        x, y = evaluate(node[1], row), evaluate(node[2], row)
        if x is None or y is None:
            return None
        return x + y if kind == "+" else x - y if kind == "-" else x * y
    if kind == "cmp":
        x, y = evaluate(node[2], row), evaluate(node[3], row)
        if x is None or y is None:
            return None
        op = {"==": "=", "!=": "<>"}.get(node[1], node[1])
        return {"=": x == y, "<>": x != y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]
    if kind == "in":
        x = evaluate(node[2], row)
        return None if x is None else (x in node[3]) != node[1]
    if kind == "isnull":
        return (evaluate(node[2], row) is None) != node[1]
    if kind == "between":
        x, lo, hi = (evaluate(n, row) for n in node[2:])
        inside = k_and(None if x is None or lo is None else lo <= x, None if x is None or hi is None else x <= hi)
        return k_not(inside) if node[1] else inside
    if kind == "not":
        return k_not(evaluate(node[1], row))
    x, y = evaluate(node[1], row), evaluate(node[2], row)
    return k_and(x, y) if kind == "and" else k_or(x, y)


def sometimes_null(values):
    return st.one_of(values, values, values, st.none())  # nulls in about a quarter of the cells


gen_rows = st.lists(st.fixed_dictionaries({
    "a": sometimes_null(small_int), "b": sometimes_null(small_int),
    "s": sometimes_null(small_text), "u": sometimes_null(st.sampled_from(["A", "a", "b'"])),
}), min_size=1, max_size=8)


def gen_table(rows) -> duckdb.DuckDBPyConnection:
    con = scratch()
    con.execute("CREATE OR REPLACE TABLE t (id INTEGER, a INTEGER, b INTEGER, s VARCHAR, u VARCHAR)")
    con.execute("INSERT INTO t VALUES " + ", ".join(["(?, ?, ?, ?, ?)"] * len(rows)),
                [v for i, r in enumerate(rows) for v in (i, r["a"], r["b"], r["s"], r["u"])])
    return con


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bools(), gen_rows)
def test_property_generated_filters_match_python(tree, rows):
    text = render(tree)
    sql, params = compile_filter(text, GEN_COLUMNS)
    con = gen_table(rows)
    got = [r[0] for r in con.execute(f"SELECT id FROM t WHERE {sql} ORDER BY id", params).fetchall()]
    assert got == [i for i, row in enumerate(rows) if evaluate(tree, row) is True], (text, sql, params)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ints(), gen_rows)
def test_property_generated_values_match_python(tree, rows):
    text = render(tree)
    sql, params = compile_value(text, GEN_COLUMNS)
    con = gen_table(rows)
    got = [r[0] for r in con.execute(f"SELECT {sql} FROM t ORDER BY id", params).fetchall()]
    assert got == [evaluate(tree, row) for row in rows], (text, sql, params)
