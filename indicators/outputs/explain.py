"""How a scheme's indicators become 0-100, in words: each by its own normalisation (min-max, rank, goalposts,
distance to target, as indicators.scoring.engine.normalise computes them) and what the grade bands then mean."""
from __future__ import annotations

from collections import Counter

from indicators.i18n import pick, t
from indicators.scheme.model import Scheme

RELATIVE = ("minmax", "rank")          # a station's value is read against the other stations'
ABSOLUTE = ("goalposts", "target")     # against the scheme's own fixed values
ORDER = RELATIVE + ABSOLUTE


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x:g}"


def _sentences(lang: str, *parts: str) -> str:
    return ("" if lang == "zh" else " ").join(parts)   # Chinese runs its sentences on without a space


def summary(scheme: Scheme, lang: str) -> str:
    """One or two sentences: the rule every indicator follows, or each rule and how many follow it, and whether a
    score is therefore relative to these stations, measured against fixed values, or both."""
    methods = Counter(i.normalisation.method for i in scheme.indicators)
    if len(methods) == 1:
        (only,) = methods
        return t("nc.grade_note" if only == "minmax" else f"ex.{only}.all", lang)
    parts = t("ex.part_sep", lang).join(t("ex.part", lang, method=t(f"ex.method.{m}", lang), n=methods[m])
                                        for m in ORDER if methods[m])
    kind = ("both" if any(methods[m] for m in RELATIVE) and any(methods[m] for m in ABSOLUTE)
            else "relative" if any(methods[m] for m in RELATIVE) else "absolute")
    return _sentences(lang, t("ex.mixed", lang, parts=parts), t(f"ex.tail.{kind}", lang))


def relative_only(scheme: Scheme) -> bool:
    return all(i.normalisation.method in RELATIVE for i in scheme.indicators)


def grades_note(scheme: Scheme, lang: str, bands: str, by_rank: bool = False) -> str:
    """What the Scores page says above its ranking of a weights scheme: how the indicators become 0-100, then what a
    grade is (a fixed cut-off on that score, or a share of the stations by rank)."""
    if by_rank:
        grades = t("nc.grade_note_rank", lang, bands=bands)
    else:
        grades = t("ex.bands.relative" if relative_only(scheme) else "ex.bands", lang, bands=bands)
    return _sentences(lang, summary(scheme, lang), grades)


def indicator_lines(scheme: Scheme, lang: str) -> list[str]:
    """One line an indicator, in the scheme's order: its rule with its own numbers (goalposts, target)."""
    lines = []
    for ind in scheme.indicators:
        nm, lower = ind.normalisation, ind.direction == "lower"
        key = f"ex.line.{nm.method}" + ("_lower" if lower and nm.method != "rank" else "")
        lines.append(t(key, lang, name=pick(ind, lang), low=_num(nm.low), high=_num(nm.high),
                       target=_num(nm.target)))
    return lines
