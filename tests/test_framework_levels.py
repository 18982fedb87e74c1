"""Which way a long table's level column counts (issue 22): COINr writes `level` 1 for the indicators and counts up,
Chinese tables write 层级 1 for the top (一级指标) and count down. The parent column says which one a table uses."""
from __future__ import annotations

import pytest

from indicators.scheme.framework import FrameworkProblems, read_table, table_rows
from indicators.scheme.model import scheme_to_dict

# One tree, hand-drawn: 服务成效 holds a sub-dimension 需求回应 (two indicators) and an indicator of its own (入户探访);
# 专业管理 holds one indicator. Each line: code, name, level counted from the indicators (COINr), level counted
# from the top (一级 = 1), parent.
TREE = [("A", "服务成效", 3, 1, ""),
        ("A1", "需求回应", 2, 2, "A"),
        ("u", "紧急需求解决率", 1, 3, "A1"),
        ("s", "居民满意度", 1, 3, "A1"),
        ("v", "入户探访", 1, 2, "A"),
        ("B", "专业管理", 2, 1, ""),
        ("c", "人均成本", 1, 2, "B")]


def table(head: str, counted: str, change: dict[str, str] | None = None) -> bytes:
    """The tree as a CSV under the header `head` (code,name,<level header>,parent,weight); `counted` "bottom"
    writes COINr's numbers, "top" the Chinese ones; `change` replaces a code's level cell."""
    lines = [head]
    for code, name, up, down, parent in TREE:
        level = (change or {}).get(code, str(up if counted == "bottom" else down))
        lines.append(f"{code},{name},{level},{parent},1")
    return ("\n".join(lines) + "\n").encode()


def problems(data: bytes) -> list[tuple]:
    with pytest.raises(FrameworkProblems) as info:
        read_table(data, "t.csv", scheme_id="t")
    return [(p.row, p.column, p.code, dict(p.params), p.line("zh"))
            for p in info.value.problems]


def problems_en(data: bytes) -> list[str]:
    with pytest.raises(FrameworkProblems) as info:
        read_table(data, "t.csv", scheme_id="t")
    return [p.line("en") for p in info.value.problems]


def shape(data: bytes) -> dict:
    return scheme_to_dict(read_table(data, "t.csv", scheme_id="t", name_zh="t", name_en="t"))


ZH_HEAD = "代码,名称,层级,上级,权重"
EN_HEAD = "code,name,level,parent,weight"


@pytest.mark.parametrize("head", [ZH_HEAD, EN_HEAD])
def test_the_same_tree_counted_either_way_imports_to_the_same_scheme(head):
    coinr, chinese = shape(table(head, "bottom")), shape(table(head, "top"))
    assert chinese == coinr
    s = read_table(table(head, "top"), "t.csv", scheme_id="t")
    assert [d.id for d in s.dimensions] == ["A", "B"]
    assert sorted(i.id for i in s.indicators) == ["c", "s", "u", "v"]
    assert s.path_of("u") == ("A", "A1", "u") and s.path_of("v") == ("A", "v") and s.path_of("c") == ("B", "c")


def test_level_cells_written_as_words_count_from_the_top():
    words = {"A": "一级", "B": "一级指标", "A1": "二级", "v": "二级指标", "c": "二级", "u": "三级指标", "s": "三级"}
    assert shape(table(ZH_HEAD, "top", words)) == shape(table(EN_HEAD, "bottom"))


def test_a_level_against_its_parent_is_refused_naming_the_row_and_column_chinese_count():
    # 紧急需求解决率 (row 4) sits under 需求回应 (二级) but says 2: it must be 3; nothing else is wrong
    got = problems(table(ZH_HEAD, "top", {"u": "2"}))
    assert [(r, c, code, params) for r, c, code, params, _ in got] == \
        [(4, "层级", "framework.level_top", {"level": 3, "parent": "A1"})]
    assert "第4行" in got[0][4] and "层级" in got[0][4] and "一级指标为1" in got[0][4]
    # a row without a parent is a 一级指标: 2 is refused there
    got = problems(table(ZH_HEAD, "top", {"B": "2"}))
    assert [(r, c, code) for r, c, code, *_ in got] == [(7, "层级", "framework.level_top_root")]


def test_a_level_against_its_parent_is_refused_naming_the_row_and_column_coinr_count():
    # 需求回应 (row 3) says 3 under 服务成效, which says 3 too: counted from the indicators it must be below 3
    got = problems(table(EN_HEAD, "bottom", {"A1": "3"}))
    assert [(r, c, code, params) for r, c, code, params, _ in got] == \
        [(3, "level", "framework.level_bottom", {"level": 3, "parent": "A"})]
    assert "row 3" in problems_en(table(EN_HEAD, "bottom", {"A1": "3"}))[0]


def test_an_indicator_counted_from_the_indicators_must_be_1():
    # 入户探访 (row 6) holds nothing, so it is an indicator: counted from the indicators its level is 1, not 2
    got = problems(table(EN_HEAD, "bottom", {"v": "2"}))
    assert [(r, c, code) for r, c, code, *_ in got] == [(6, "level", "framework.level_bottom_leaf")]


def test_without_a_parent_level_pair_the_header_decides():
    # levels on the top rows only: no row has both its own level and its parent's, so the header says which way
    text = "{head}\nA,服务成效,1,,1\nu,满意度,,A,1\nv,入户探访,,A,1\n"
    s = read_table(text.format(head=ZH_HEAD).encode(), "t.csv", scheme_id="t")   # 层级: 1 = 一级指标, the top
    assert [d.id for d in s.dimensions] == ["A"] and [i.id for i in s.indicators] == ["u", "v"]
    # `level` counts from the indicators: a 1 is an indicator, and an indicator needs a parent
    got = problems(text.format(head=EN_HEAD).encode())
    assert (2, "parent", "framework.no_parent") in [(r, c, code) for r, c, code, *_ in got]


def test_the_chinese_table_writes_levels_from_the_top_and_the_english_from_the_indicators():
    s = read_table(table(EN_HEAD, "bottom"), "t.csv", scheme_id="t")
    for lang, column, counted in (("zh", "层级", 3), ("en", "level", 2)):
        rows = table_rows(s, "long", lang)
        at = rows[0].index(column)
        got = {r[0]: r[at] for r in rows[1:]}
        assert got == {line[0]: line[counted] for line in TREE}
        assert read_table(_csv(rows), "t.csv", scheme_id="t") == s


def _csv(rows) -> bytes:
    return "\n".join(",".join(str(c) for c in r) for r in rows).encode()


def outline(head: str, change: dict[str, str] | None = None) -> bytes:
    """The tree with no parent column, rows in the printed order, levels counted from the top."""
    lines = [head]
    for code, name, _, down, _ in TREE:
        lines.append(f"{code},{name},{(change or {}).get(code, down)},1")
    return ("\n".join(lines) + "\n").encode()


def test_without_parent_links_the_header_decides_and_counted_from_the_top_the_rows_are_an_outline():
    # 层级 counts from the top: each row belongs to the nearest row above it one level up
    assert shape(outline("代码,名称,层级,权重")) == shape(table(EN_HEAD, "bottom"))
    assert shape(outline("代码,名称,级别,权重")) == shape(table(EN_HEAD, "bottom"))
    # `level` counts from the indicators, where an outline cannot tell a sub-dimension's last indicator from one of
    # the level above: the table is refused once, at the level column, asking for a parent column
    got = problems(outline("code,name,level,weight"))
    assert [(r, c, code) for r, c, code, *_ in got] == [(None, "level", "framework.level_needs_parent")]
    assert "“上级”列" in got[0][4] and "从上往下数" in got[0][4]


def test_an_outline_that_skips_a_level_is_refused_naming_the_row():
    # 入户探访 (row 6) says 3 right after 居民满意度 (3) under 需求回应 (2): fine; 人均成本 (row 8) says 3 under
    # 专业管理 (1): there is no 二级 above it
    got = problems(outline("代码,名称,层级,权重", {"c": "3"}))
    assert [(r, c, code, params) for r, c, code, params, _ in got] == \
        [(8, "层级", "framework.level_outline", {"level": 3, "above": 1})]
    assert "第8行" in got[0][4] and "上级" in got[0][4]
