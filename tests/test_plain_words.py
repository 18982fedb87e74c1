"""Plain Chinese for the people who read it (issue 22, items 4 and 5): each refusal a non-programmer meets is
triggered for real (a bad file imported, a scheme file with a Chinese colon, a garbled CSV ...) and its Chinese must
say where the problem is and what to do, with no programming word; the residents' phone pages speak to 您, say
what a vote is in everyday words, and show times in Beijing time."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app import unescaped

from indicators.errors import InputError
from indicators.i18n import t
from indicators.records import importer
from indicators.records import store as records
from indicators.scheme import framework
from indicators.scheme import editing
from indicators.scheme.model import MAX_YAML_BYTES, SchemeError, dump_yaml, load_file, load_yaml
from indicators.scheme import catalog
from indicators.scoring import expr

# Words a 民政局 official or a resident must not meet (the contract's glossary), and English a Chinese reader
# cannot read: a library's message left in (e.g. "expected", "found"), a type name, a code point, a byte.
PROGRAMMING = ("哈希", "明文", "YAML", "HTML", "UTC", "pip", "KeyError", "字节", "None", "NoneType", "list", "dict",
               "映射", "字段", "U+", "0x", "控制字符", "解析器", "expected", "found", "got ", "str")


def plain_zh(text: str) -> str:
    """`text` after checking it holds no programming word; returned for further checks."""
    bad = [w for w in PROGRAMMING if w in text]
    assert not bad, (bad, text)
    return text


def scheme_text() -> str:
    return dump_yaml(catalog.builtin("needs-met"))


def refused(text: str) -> SchemeError:
    with pytest.raises(SchemeError) as caught:
        load_yaml(text, "我的方案.yaml")
    return caught.value


def zh_of(exc: SchemeError) -> str:
    return f"{exc.field_in('zh')}：{exc.problem_in('zh')}"


# ---------------------------------------------------------------- scheme files

def test_a_chinese_colon_in_a_scheme_file_is_named_with_its_line_and_what_to_type():
    lines = scheme_text().splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("name_zh:"))
    lines[n] = lines[n].replace("name_zh:", "name_zh：", 1)
    said = plain_zh(zh_of(refused("\n".join(lines))))
    assert f"第{n + 1}行" in said and "中文全角冒号“：”" in said and "英文" in said, said
    # a Chinese colon inside a name stays allowed
    ok = scheme_text().replace("name_zh: ", "name_zh: 需求：满足 ", 1)
    assert load_yaml(ok).name_zh.startswith("需求：满足")


def test_a_list_where_lines_of_name_and_value_belong_says_so_in_words():
    said = plain_zh(zh_of(refused("- 社区服务\n- 居民满意\n")))
    assert "（顶层）" in said and "“名称: 内容”" in said and "以“- ”开头" in said, said


def test_an_empty_entry_and_a_text_for_a_number_are_quoted_as_written():
    text = scheme_text()
    empty = re.sub(r"(?m)^dimensions:\n", "dimensions:\n- null\n", text, count=1)
    said = plain_zh(zh_of(refused(empty)))
    assert "dimensions[0]" in said and "空白（什么也没填）" in said, said
    weight = re.search(r"(?m)^(\s+)weight: [0-9.]+$", text)
    said = plain_zh(zh_of(refused(text[:weight.start()] + f"{weight.group(1)}weight: abc" + text[weight.end():])))
    assert "weight" in said and "应填一个数字" in said and "文字“abc”" in said and "'abc'" not in said, said


def test_an_unknown_name_in_a_scheme_file_is_named_with_what_to_check():
    text = scheme_text().replace("name_zh: ", "colour: red\nname_zh: ", 1)
    said = plain_zh(zh_of(refused(text)))
    assert "colour" in said and "拼写" in said and "这里可以写的名称有" in said, said


def test_a_scheme_file_that_cannot_be_read_says_what_to_check_without_the_parsers_english():
    exc = refused("id: x\nname_zh: 甲\n  name_en: [a\n")
    said = plain_zh(zh_of(exc))
    assert re.match(r"第\d+行第\d+列：", said) and "英文冒号" in said and "对齐" in said, said
    assert str(exc.params["detail"]) not in said


def test_an_invisible_character_in_a_name_is_described_not_coded():
    text = scheme_text().replace("name_zh: ", "name_zh: \u202e", 1)
    said = plain_zh(zh_of(refused(text)))
    assert "第1个字符是一个看不见的特殊字符" in said and "删掉" in said, said


def test_a_scheme_file_too_large_is_measured_as_its_limit_is_stated(tmp_path):
    big = tmp_path / "大.yaml"
    big.write_bytes(b"#" * (MAX_YAML_BYTES * 4 + 1))
    with pytest.raises(SchemeError) as caught:
        load_file(big)
    said = plain_zh(zh_of(caught.value))
    assert said.endswith("文件有4.0 MB，方案文件最大4 MB"), said
    assert caught.value.problem_in("en") == "is 4.0 MB; a scheme file may be at most 4 MB"


def test_an_uploaded_scheme_file_in_another_encoding_says_how_to_save_it():
    with pytest.raises(SchemeError) as caught:
        editing.parse_upload(scheme_text().encode("gbk"), "方案.yaml")
    said = plain_zh(zh_of(caught.value))
    assert "文字编码无法识别" in said and "UTF-8编码另存" in said, said


# ---------------------------------------------------------------- records import

def import_problem(tmp_path: Path, name: str, data: bytes) -> str:
    """The records import's refusal of one stations file, in Chinese, as the Records page shows it."""
    con = records.connect(tmp_path / "imp.duckdb")
    try:
        records.create_schema(con)
        plan = importer.check(con, "stations", data, name)
    finally:
        con.close()
    assert not plan.ok
    return importer.ImportProblems(plan.problems).render("zh")


STATIONS_HEAD = "station_id,name,name_en,district,street,population,profile\n"


def test_a_garbled_csv_says_save_as_csv_utf8_or_xlsx(tmp_path):
    said = plain_zh(import_problem(tmp_path, "stations.csv",
                                   STATIONS_HEAD.encode() + b"S01,\xff\xfe\xfa,x,d,s,1000,urban\n"))
    assert "stations.csv" in said and "从第2行起是乱码" in said, said
    assert "另存为" in said and "CSV UTF-8（逗号分隔）" in said and ".xlsx" in said, said


def test_an_invisible_character_in_a_cell_says_what_it_is_and_what_to_do(tmp_path):
    data = (STATIONS_HEAD + "S01,城关\x07社工站,Chengguan,城关区,街道,1000,urban\n").encode()
    said = plain_zh(import_problem(tmp_path, "stations.csv", data))
    assert "第2行" in said and "看不见的特殊字符" in said and "重新输入" in said, said


def test_a_measure_cell_that_is_not_a_measure_shows_how_to_write_one():
    text = ("code,name_zh,name_en,parent,weight,measure\n"
            "a,甲,A,,1,\n"
            "a1,甲一,A one,a,1,\"[1, 2]\"\n")
    with pytest.raises(InputError) as caught:
        framework.read_table(text.encode(), "指标体系表.csv", scheme_id="f")
    said = plain_zh(caught.value.render("zh"))
    assert "指标体系表.csv" in said and "第3行" in said and "花括号" in said and "英文逗号" in said, said
    assert "{kind: count, table: activities}" in said and "{{" not in said, said


# ---------------------------------------------------------------- formulas, exports, the unforeseen

def test_a_chinese_comma_in_a_formula_is_named_and_placed():
    with pytest.raises(expr.ExprError) as caught:
        expr.compile_value("days_between(opened，date('2024-01-01'))", {"opened": "date"})
    said = plain_zh(caught.value.render("zh"))
    assert said.startswith("第20个字符是中文全角逗号“，”") and "英文半角的“,”" in said, said


def test_a_wrong_language_for_an_export_says_which_ones_there_are(tmp_path):
    from indicators.outputs.export import ExportError, _words
    with pytest.raises(ExportError) as caught:
        _words("fr")                              # export_scores(..., lang="fr") asks this first
    said = caught.value.render("zh")
    assert "zh（中文）或 en（英文）" in said and "您填的是'fr'" in said and "应为" not in said, said


def test_an_unforeseen_failure_says_what_to_do_not_the_exception():
    def page():
        from app_pages.frame import show_error
        show_error(KeyError("station_id"), "zh")

    at = AppTest.from_function(page).run()
    said = plain_zh(" ".join(e.value for e in at.error))
    assert "刷新页面后再试一次" in said and "北京时间" in said and "station_id" not in said, said


# ---------------------------------------------------------------- the residents' phone pages

def shown(at: AppTest) -> str:
    """What a resident reads on the phone: texts, labels, choices, progress lines and help."""
    out = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "success", "warning", "error"):
        out += [e.value for e in at.get(kind)]
    for kind in ("button", "text_input", "text_area", "radio", "number_input", "segmented_control", "expander"):
        for e in at.get(kind):
            out += [getattr(e, "label", ""), getattr(e.proto, "help", "")]
            out += [str(o) for o in getattr(e, "options", [])]
    out += [e.proto.text for e in at.get("progress")]
    return "\n".join(unescaped(o) for o in out if o)


@pytest.fixture
def meeting(db):
    from tests.test_app_meeting import facilitator_opens
    _, code, _, codes = facilitator_opens("zh")
    return code, codes


def test_a_residents_ballot_in_chinese_speaks_to_you_in_plain_words(meeting):
    from tests.test_app_meeting import phone
    from tests.test_app_raters import button
    code, codes = meeting
    ph = phone("zh", code, codes[0])
    said = plain_zh(shown(ph))
    assert "您满意吗？请打分（1分＝很不满意，5分＝很满意）" in said and "您投了什么，谁也看不到（主持人也看不到）" in said
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日(提出的需求|举办的活动)", said), said
    # the same slip on a second phone, still showing the first item, after the first phone answered it
    twin = phone("zh", code, codes[0])
    for at in (ph, twin):
        at.segmented_control(key=f"vt_met:{code}:0").set_value("yes")
        at.segmented_control(key=f"vt_rating:{code}:0").set_value(5)
        button(at, t("vt.send", "zh")).click().run()
    assert not ph.error
    assert [plain_zh(e.value) for e in twin.error] == ["这一项您已经投过了，每项只能投一次。"]
    wrong = phone("zh", code, "XXXXXX")
    assert [plain_zh(e.value) for e in wrong.error] == ["投票码不对，请核对纸条上的号码。"]


def test_the_workshop_phone_in_chinese_asks_for_a_name_that_works_for_chinese_names(db):
    from tests.test_app_workshop import allocate, join, open_page, start
    _, code = start("zh")
    ph = join(code, "王芳", "residents", lang="zh")
    n = len([k for k in ph.number_input if k.key.startswith(f"jw:{code}:")])
    allocate(ph, code, [100] + [0] * (n - 1))
    ph.button(key="join_submit").click().run()
    said = plain_zh(shown(ph))
    assert re.search(r"已于北京时间\d\d:\d\d:\d\d提交（第1次）", said), said
    other = open_page("join", "zh", code=code)
    other.text_input(key="join_name").input("王芳")
    other.radio(key="join_group").set_value("residents")
    next(b for b in other.button if b.label == t("join.join_button", "zh")).click().run()
    refusal = plain_zh(" ".join(e.value for e in other.error))
    assert "在姓名后注明单位或楼号" in refusal and "姓氏首字母" not in refusal, refusal
    assert "您" in plain_zh(shown(other))
