"""The zh and en string tables: same keys, same placeholders, no empty text, and t() behaves."""
import re
from pathlib import Path

import pytest

from indicators.i18n import EN, ZH, lang_of_locale, pick, t, term
from indicators.scheme import catalog
ROOT = Path(__file__).resolve().parent.parent


def test_both_tables_have_the_same_keys():
    assert set(EN) == set(ZH), (sorted(set(EN) - set(ZH)), sorted(set(ZH) - set(EN)))


def test_every_string_has_the_same_placeholders_in_both_languages():
    for key in EN:
        en, zh = (set(re.findall(r"\{(\w+)(?:[:!][^{}]*)?\}", table[key])) for table in (EN, ZH))   # {n:,} is n
        # a message's `detail` or `reason` is a library's English (a codec, PyYAML): Chinese may leave it out
        assert zh <= en and en - zh <= {"detail", "reason"}, key


def test_no_string_is_empty_and_chinese_is_chinese():
    assert all(v.strip() for v in EN.values()) and all(v.strip() for v in ZH.values())
    cjk = re.compile(r"[\u4e00-\u9fff]")
    # page titles and section labels are really translated (a few terms such as AHP stay as they are)
    for key in ("page.records", "page.weights", "frame.scheme", "frame.demo_note", "error.unexpected",
                "w.objective_warning", "chart.quadrant.show_window", "chart.quadrant.quiet_achiever"):
        assert cjk.search(ZH[key]) and not cjk.search(EN[key]), key


def test_every_key_the_app_uses_exists():
    used = set()
    for path in [ROOT / "app.py", *ROOT.glob("app_pages/*.py"), ROOT / "indicators" / "outputs" / "views.py",
                 ROOT / "indicators" / "outputs" / "charts.py"]:
        text = path.read_text(encoding="utf-8")
        used |= {m for m in re.findall(r'\bt\("([a-z0-9_.]+)"', text)}
        used |= {m for pair in re.findall(r'page_header\(f, "([a-z0-9_.]+)"(?:, "([a-z0-9_.]+)")?', text)
                 for m in pair if m}
    missing = sorted(k for k in used if k not in EN)
    assert not missing


def test_t_formats_and_falls_back():
    assert t("records.per_station", "en", period="2024") == "Per station, 2024"
    assert t("records.per_station", "zh", period="2024") == "各社工站情况（2024）"
    assert t("page.records", "fr") == "Records"          # unknown language: English
    assert t("no.such.key", "zh") == "no.such.key"       # never raises on screen


@pytest.mark.parametrize("locale, lang", [("zh-CN", "zh"), ("zh_TW", "zh"), ("ZH", "zh"), ("en-US", "en"),
                                          ("de-DE", "en"), (None, "en"), ("", "en")])
def test_language_from_browser_locale(locale, lang):
    assert lang_of_locale(locale) == lang


def test_names_come_from_the_scheme_in_the_language():
    scheme = catalog.builtin("needs-met")
    assert pick(scheme, "zh") == "需求导向评估方案" and pick(scheme, "en") == "Needs met"
    ind = scheme.indicator("urgent_needs_resolved")
    assert pick(ind, "zh") == "紧急需求解决率" and pick(ind, "en") == "Urgent needs resolved"
    assert pick(ind, "zh", "rationale").startswith("紧急程度")


def test_vocabulary_terms_cover_the_closed_lists():
    from indicators.scheme.model import CAMPS, DIRECTIONS, MEASURE_KINDS, MISSING_RULES, NORMALISATIONS, PROVENANCES
    from indicators.records.store import TABLES
    for group, values in (("camp", CAMPS), ("direction", DIRECTIONS), ("kind", MEASURE_KINDS),
                          ("missing", MISSING_RULES), ("norm", NORMALISATIONS), ("provenance", PROVENANCES),
                          ("table", TABLES)):
        for v in values:
            assert f"{group}.{v}" in EN, f"{group}.{v}"
            assert term(group, v, "zh") != v
    assert term("category", "no_such_category", "zh") == "no_such_category"
