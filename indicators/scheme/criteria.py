"""Reads the common forms of 评分标准 text and proposes a scoring rule per item.

`propose(text, points)` returns a `Proposal`: the rule as the inline dict a framework table or YAML holds
(`{"rule": "bands", "steps": [[0.9, 50.0], [0.8, 40.0]], "else": 0.0}`, `{"rule": "deduct", ...}`,
`{"rule": "linear", "full_at": 1.0}`, `{"rule": "yes_no"}` or `{"rule": "awarded"}`), the part of the text it read
and, for bands, whether a lower value is better. Forms read:

- bands: "90%及以上得50分；80%（含）-90%得40分；低于70%不得分", ranges with -, ~, 至, 到, bounds in words
  (以上, 不低于, 达到, 超过, 以下, 不超过, 低于, 不足 ...) or signs (≥, ≤, <, >), 含/不含 marks. Bounds written
  with 以下 / 不超过 for the best points (投诉率1%及以下得10分) make a lower-is-better band list;
- deduct: "不少于30个得20分，每少1个扣2分，扣完为止" (每少5个 -> unit 5; 每低1个百分点 -> unit 0.01);
- linear: "按解决率×40计分" when the multiplier is the item's points, "未完成的按比例计分" with its target;
- yes_no: "有…得5分，无不得分".

Everything else stays `awarded` (the evaluator's points are the score): judged items (视情况, 酌情, 每缺一项 over
a checklist, 每发现一处), and any text whose figures do not fit together — a wrong proposal costs a station points
silently, a missed one only costs the evaluator a click. Percent figures (90%, 百分之九十) become fractions, as shares
are stored; plain counts stay counts. Full-width characters are folded (NFKC) and small Chinese numerals (一 to 一百)
read as digits. 以上/以下 include the figure itself, 超过/低于/不足 do not, as in Chinese legal usage.
`describe(proposal, lang)` words a rule for showing beside its text.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

from indicators import i18n

__all__ = ["Proposal", "describe", "propose", "propose_all"]


@dataclass(frozen=True)
class Proposal:
    """`rule`: the inline dict; `kind`: its rule name; `matched`: the part of the text read, as written (for an
    awarded item, the words that make it judged, or ""); `direction`: "lower" for bands where less is better."""
    rule: dict = field(hash=False)
    kind: str
    matched: str
    direction: str = "higher"
    share: bool = False       # the figures were written as percentages (90% -> 0.9): show them as such


_AWARDED = {"rule": "awarded"}

# ---------------------------------------------------------------------------------------------------------------
# Normalising, keeping for every character the span of the original text it came from (so `matched` quotes the
# evaluator's own words, not the folded ones).

_CIRCLED = {chr(c) for c in range(0x2460, 0x2474)}          # ①..⑳ (NFKC would turn them into bare digits)
_EXTRA = {"〜": "~", "–": "-", "—": "-", "―": "-", "−": "-", "﹣": "-", "≧": "≥", "≦": "≤", "\n": ";", "\r": ";"}


class _Text:
    def __init__(self, original: str):
        chars: list[str] = []
        spans: list[tuple[int, int]] = []
        for i, ch in enumerate(original):
            out = ";" if ch in _CIRCLED else _EXTRA.get(ch) or unicodedata.normalize("NFKC", ch)
            for o in out:
                if not o.isspace():
                    chars.append(o)
                    spans.append((i, i + 1))
        self.original = original
        self.s = "".join(chars)
        self.spans = spans

    def sub(self, pattern: re.Pattern, repl) -> None:
        chars: list[str] = []
        spans: list[tuple[int, int]] = []
        pos = 0
        for m in pattern.finditer(self.s):
            if m.end() == m.start():
                continue
            chars.append(self.s[pos:m.start()])
            spans.extend(self.spans[pos:m.start()])
            r = repl(m) if callable(repl) else repl
            whole = (self.spans[m.start()][0], self.spans[m.end() - 1][1])
            chars.append(r)
            spans.extend([whole] * len(r))
            pos = m.end()
        chars.append(self.s[pos:])
        spans.extend(self.spans[pos:])
        self.s = "".join(chars)
        self.spans = spans

    def quote(self, start: int, end: int) -> str:
        if end <= start:
            return ""
        return self.original[self.spans[start][0]:self.spans[end - 1][1]].strip(" \t;；,，。")


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}


def _cn_number(word: str) -> int | None:
    """一 .. 九十九, 一百 / 百; None for anything else (then the word is left as written)."""
    rest = word
    if "百" in rest:
        head, tail = rest.split("百", 1)
        if tail or len(head) > 1 or (head and head not in _CN_DIGITS):
            return None
        return _CN_DIGITS[head] * 100 if head else 100
    if "十" in rest:
        head, tail = rest.split("十", 1)
        if len(head) > 1 or len(tail) > 1 or "十" in tail:
            return None
        if (head and head not in _CN_DIGITS) or (tail and tail not in _CN_DIGITS):
            return None
        return (_CN_DIGITS[head] if head else 1) * 10 + (_CN_DIGITS[tail] if tail else 0)
    if len(rest) == 1 and rest in _CN_DIGITS:
        return _CN_DIGITS[rest]
    return None


_UNITS = "人次|户次|场次|万元|万|个月|课时|小时|分钟|个|次|场|户|人|名|家|篇|份|项|期|节|例|条|天|日|件|起|元|组|批|所|类|周|岁"
_CN = "[零〇一二两三四五六七八九十百]+"
_CN_BEFORE_UNIT = re.compile(rf"(?<!百分之)({_CN})(?=(?:{_UNITS})|%|分(?:$|[,;。、)以及为的])|[至到~\-]{_CN}(?:{_UNITS}|%))")
_CN_PERCENT = re.compile(rf"百分之({_CN})")
_PERCENT_WORDS = re.compile(r"个百分点|百分点")
_PAREN_INCL = re.compile(r"\((?:含|包含|包括)[^()]*\)")
_PAREN_EXCL = re.compile(r"\((?:不含|不包含|不包括)[^()]*\)")
# Notes with no figure and no points in them change no rule: (以测评结果为准). One with a figure stays and
# makes the reader give up (每个小组不少于4节 is a condition the count may not reflect).
_PAREN_NOTE = re.compile(r"\([^()\d得扣分加减否罚]*\)|\(\d{1,2}\)")
_ENUM = re.compile(r"(?:^|(?<=[;。,:]))\d{1,2}[.、](?!\d)")
_SIGNS = re.compile(r">=|<=")
INCL, EXCL = "\x01", "\x02"


def _normalise(text: str) -> _Text:
    t = _Text(text)
    t.sub(_SIGNS, lambda m: "≥" if m.group() == ">=" else "≤")
    t.sub(_CN_PERCENT, lambda m: f"{_cn_number(m.group(1))}%" if _cn_number(m.group(1)) is not None
          else m.group())
    t.sub(_CN_BEFORE_UNIT, lambda m: str(_cn_number(m.group(1))) if _cn_number(m.group(1)) is not None
          else m.group())
    t.sub(_PERCENT_WORDS, "%")
    t.sub(_PAREN_EXCL, EXCL)
    t.sub(_PAREN_INCL, INCL)
    t.sub(_PAREN_NOTE, "")     # (以测评结果为准), (1): notes that change no figure
    t.sub(_ENUM, "")
    return t


# ---------------------------------------------------------------------------------------------------------------
# Bounds in one condition ("满意度80%（含）-90%", "不少于30个", "3次及以上", "≤1%").

_NUMBER = re.compile(r"(\d+(?:\.\d+)?)(%?)")
_AFTER = re.compile(rf"(?:{_UNITS}|分)?([{INCL}{EXCL}])?")
_LOWER_INCL = ("大于或等于", "大于等于", "不低于", "不少于", "不小于", "达到", "至少", "≥", "达", "满")
_LOWER_EXCL = ("超过", "高于", "大于", "多于", ">")
_UPPER_INCL = ("小于或等于", "小于等于", "不高于", "不超过", "不多于", "不大于", "最多", "≤")
_UPPER_EXCL = ("未达到", "未达", "不足", "低于", "少于", "小于", "不到", "不满", "未满", "<")
_PREFIXES = sorted([(w, "lo", "incl") for w in _LOWER_INCL] + [(w, "lo", "excl") for w in _LOWER_EXCL]
                   + [(w, "hi", "incl") for w in _UPPER_INCL] + [(w, "hi", "excl") for w in _UPPER_EXCL],
                   key=lambda p: -len(p[0]))
_SUFFIX_LOWER = re.compile(rf"(?:及|或|和)?以上([{INCL}{EXCL}])?")
_SUFFIX_UPPER = re.compile(rf"(?:及|或|和)?(?:以下|以内)([{INCL}{EXCL}])?")
_SUFFIX_MATH = re.compile(r"[≤<]")
_RANGE_SEP = re.compile(r"[-~至到]")
# 满 and 达 alone are bounds only right before a figure (满意度, 达标 are not)
_BOUND_WORDS = re.compile("|".join(re.escape(w) for w, _, _ in _PREFIXES if w not in ("满", "达"))
                          + "|以上|以下|以内")
# 每月/每季度 sets a rate per period the yearly figure does not show (每年 is the year itself); 且/但/同时 join a
# second condition the figure does not carry
_FORBIDDEN_IN_CONDITION = re.compile(r"[扣加减罚且但]|每(?!年)|否决|同时")


@dataclass
class _Interval:
    lo: float | None = None
    lo_flag: str = ""        # incl / excl / open (a range end with no 含 mark)
    lo_w: float | None = None
    hi: float | None = None
    hi_flag: str = ""
    hi_w: float | None = None
    pct: bool | None = None  # None: no figure at all (其他不得分)
    exact: bool = False


def _value(written: float, pct: bool) -> float:
    return round(written / 100.0, 12) if pct else written


def _interval(piece: str) -> _Interval | None:
    """The one interval a condition states, or None when its figures are not one clear bound or range."""
    numbers = list(_NUMBER.finditer(piece))
    if not numbers:
        return _Interval()
    roles = []          # (role, flag, written, pct)
    i = 0
    while i < len(numbers):
        m = numbers[i]
        written, pct = float(m.group(1)), bool(m.group(2))
        after = _AFTER.match(piece, m.end())
        mark = after.group(1)
        rest_at = after.end()
        nxt = numbers[i + 1] if i + 1 < len(numbers) else None
        sep = _RANGE_SEP.match(piece, rest_at)
        if sep and nxt is not None and nxt.start() == sep.end():
            after2 = _AFTER.match(piece, nxt.end())
            tail = piece[after2.end():]
            if _SUFFIX_LOWER.match(tail) or _SUFFIX_UPPER.match(tail) or _SUFFIX_MATH.match(tail):
                return None
            before = piece[:m.start()]
            # 达/达到 before a range only say "reaches" (达90%（含）-95%); any other bound word contradicts it
            if any(before.endswith(w) for w, _, _ in _PREFIXES if w not in ("达", "达到")):
                return None
            pct_any = pct or bool(nxt.group(2))
            lo_flag = {INCL: "incl", EXCL: "excl"}.get(mark, "open")
            hi_flag = {INCL: "incl", EXCL: "excl"}.get(after2.group(1), "open")
            roles.append(("lo", lo_flag, written, pct_any))
            roles.append(("hi", hi_flag, float(nxt.group(1)), pct_any))
            i += 2
            continue
        prefix = next(((role, flag) for w, role, flag in _PREFIXES if piece[:m.start()].endswith(w)), None)
        tail = piece[rest_at:]
        suffix = None
        if (s := _SUFFIX_LOWER.match(tail)):
            suffix = ("lo", "excl" if (s.group(1) or mark) == EXCL else "incl")
        elif (s := _SUFFIX_UPPER.match(tail)):
            suffix = ("hi", "excl" if (s.group(1) or mark) == EXCL else "incl")
        elif (s := _SUFFIX_MATH.match(tail)):
            suffix = ("lo", "incl" if s.group() == "≤" else "excl")
        if prefix and suffix and prefix[0] != suffix[0]:
            return None
        if prefix and mark:
            prefix = (prefix[0], "incl" if mark == INCL else "excl")
        role = suffix or prefix
        if role is None:
            roles.append(("exact", "incl", written, pct))
        else:
            roles.append((role[0], role[1], written, pct))
        i += 1
    kinds = [r[0] for r in roles]
    if len({r[3] for r in roles}) > 1:
        return None
    pct = roles[0][3]
    iv = _Interval(pct=pct)
    if kinds == ["exact"]:
        _, _, w, _ = roles[0]
        return _Interval(_value(w, pct), "incl", w, _value(w, pct), "incl", w, pct, exact=True)
    if "exact" in kinds or kinds.count("lo") > 1 or kinds.count("hi") > 1:
        return None
    for role, flag, w, _ in roles:
        if role == "lo":
            iv.lo, iv.lo_flag, iv.lo_w = _value(w, pct), flag, w
        else:
            iv.hi, iv.hi_flag, iv.hi_w = _value(w, pct), flag, w
    if iv.lo is not None and iv.hi is not None and iv.lo >= iv.hi:
        return None
    return iv


# ---------------------------------------------------------------------------------------------------------------
# Clauses: the text cut after each award ("得50分", "得满分", "不得分").

_AWARD = re.compile(r"(?:可得|得|计|给予?|记|为)(\d+(?:\.\d+)?)分|(?:得|计|给|记|为)?满分|不得分|不计分|不给分")
_PIECE_SEP = re.compile(r"[,;:。、]")


@dataclass
class _Clause:
    condition: str            # the last piece before the award
    preamble: list[str]       # earlier pieces of the same clause
    points: float
    start: int                # where the condition starts in the normalised text
    end: int                  # where the award ends


def _award_points(m: re.Match, points: float) -> float:
    if m.group(1) is not None:
        return float(m.group(1))
    return 0.0 if m.group().startswith("不") else points


def _pieces(text: str, offset: int) -> list[tuple[str, int]]:
    out, pos = [], 0
    for m in _PIECE_SEP.finditer(text + ";"):
        if m.start() > pos:
            out.append((text[pos:m.start()], offset + pos))
        pos = m.end()
    return out


def _clauses(s: str, points: float) -> tuple[list[_Clause], str]:
    clauses = []
    pos = 0
    for m in _AWARD.finditer(s):
        pieces = _pieces(s[pos:m.start()], pos)
        if pieces:
            cond, start = pieces[-1]
            preamble = [p for p, _ in pieces[:-1]]
        else:
            cond, start, preamble = "", m.start(), []
        clauses.append(_Clause(cond, preamble, _award_points(m, points), start, m.end()))
        pos = m.end()
    return clauses, s[pos:]


def _only_separators(text: str) -> bool:
    return not _PIECE_SEP.sub("", text)


def _preamble_ok(pieces: list[str]) -> bool:
    return not any(_BOUND_WORDS.search(p) or _FORBIDDEN_IN_CONDITION.search(p) or _AWARD.search(p)
                   for p in pieces)


# ---------------------------------------------------------------------------------------------------------------
# Judged items: a figure in them does not decide the points.

_JUDGED = re.compile(
    r"视[^,;。]{0,8}?(?:情况|程度|质量|效果)|视情|酌情|酌减|酌扣|综合评[定价分]|评估组|专家组|评审组"
    r"|根据[^,;。]{0,12}?(?:情况|质量|效果|表现)(?:评分|打分|给分|得分|计分|扣分)"
    r"|(?:得|给予?|计|打)\d+(?:\.\d+)?[-~至到]\d+(?:\.\d+)?分|缺(?:少)?1?项|否决"
    r"|每(?:发现|处|例|起|出现|发生)|不规范的?扣|不完整的?扣|不完善的?扣|不及时的?扣|加\d+(?:\.\d+)?分|另加")


# ---------------------------------------------------------------------------------------------------------------
# The rules.

_MULTIPLIER = re.compile(r"(?:×|\*|乘以|乘|(?<![A-Za-z])[xX](?=\d))(\d+(?:\.\d+)?|本项分值|本项满分|分值|满分|本项分)(%)?")


def _linear_times(t: _Text, points: float):
    s = t.s
    found = list(_MULTIPLIER.finditer(s))
    if len(found) != 1 or not re.search(r"按|=|计分|得分", s):
        return None
    m = found[0]
    if m.group(2) or _AWARD.search(s) or re.search(r"[扣加减]", s):
        return None
    rest = s[:m.start()] + s[m.end():]
    if re.search(r"\d", rest):
        return None
    by = m.group(1)
    if by[0].isdigit() and not math.isclose(float(by), points, abs_tol=1e-9):
        return None       # a multiplier other than the item's points: a scale the records may not hold
    start = s.rfind("按", 0, m.start())
    start = start if start >= 0 else max(0, s.rfind("=", 0, m.start()))
    end = m.end()
    tail = re.match(r"分?(?:计分|得分|计算|折算)?", s[end:])
    return {"rule": "linear", "full_at": 1.0}, (start, end + tail.end()), "higher", True


_PROPORTION = re.compile(r"按(?:照)?(?:实际)?(?:完成|达成|达标|覆盖)?(?:的)?(?:比例|比率|完成率|达成率|达标率|覆盖率|百分比)"
                         r"(?:计分|得分|折算|计算|给分|扣分)?")


def _blank(s: str, start: int, end: int) -> str:
    return s[:start] + ";" * (end - start) + s[end:]


def _piece_around(s: str, start: int, end: int) -> tuple[int, int]:
    a = max(s.rfind(c, 0, start) for c in ",;:。、") + 1
    ends = [i for i in (s.find(c, end) for c in ",;:。、") if i >= 0]
    return a, min(ends) if ends else len(s)


def _linear_proportion(t: _Text, points: float):
    s = t.s
    found = list(_PROPORTION.finditer(s))
    if len(found) != 1:
        return None
    a, b = _piece_around(s, found[0].start(), found[0].end())
    around = s[a:found[0].start()] + s[found[0].end():b]
    # "未达到的按比例得分": words around the phrase say only when it applies; a figure there must restate the
    # target (未达100%按实际比例得分)
    if _FORBIDDEN_IN_CONDITION.search(around):
        return None
    restated = None
    if re.search(r"\d", around):
        restated = _interval(around)
        if restated is None or restated.pct is None:
            return None
        restated = restated.hi if restated.lo is None else restated.lo
    rest = _blank(s, a, b)
    clauses, left = _clauses(rest, points)
    if not _only_separators(left) or len(clauses) > 1:
        return None
    if not clauses:
        if restated is not None:
            return None
        if re.search(r"\d", rest) or _BOUND_WORDS.search(rest) or _FORBIDDEN_IN_CONDITION.search(rest):
            return None
        return {"rule": "linear", "full_at": 1.0}, (a, b), "higher", True
    c = clauses[0]
    if not math.isclose(c.points, points, abs_tol=1e-9) or not _preamble_ok(c.preamble):
        return None
    if _FORBIDDEN_IN_CONDITION.search(c.condition):
        return None
    iv = _interval(c.condition)
    if iv is None or iv.pct is None:
        return None
    if iv.exact or (iv.lo is not None and iv.hi is None and iv.lo_flag == "incl"):
        full_at = iv.lo
    else:
        return None
    if full_at <= 0 or (restated is not None and restated != full_at):
        return None
    return {"rule": "linear", "full_at": float(full_at)}, (min(a, c.start), max(b, c.end)), "higher", iv.pct


_PER = re.compile(rf"每(?:缺少|减少|低于|下降|降低|短缺|不足|少|缺|低|差|欠)(\d+(?:\.\d+)?)?(%|{_UNITS})"
                  r"[^\d,;。扣减]{0,8}?,?(?:扣|减)(?:除|去)?(\d+(?:\.\d+)?)分")
_TAIL = re.compile(r"扣(?:完|满|至0分)[^,;。]*|直至扣完|(?:最多|最高)(?:扣|扣除)(\d+(?:\.\d+)?)分")


def _deduct(t: _Text, points: float):
    s = t.s
    pers = list(_PER.finditer(s))
    if len(pers) != 1:
        return None
    per_m = pers[0]
    unit_word = per_m.group(2)
    if unit_word == "项":
        return None       # 项 counts a checklist the evaluator ticks, not a figure the records hold
    per_pct = unit_word == "%"
    unit = float(per_m.group(1) or 1.0)
    per = float(per_m.group(3))
    # the words before 每 in its piece name what is counted (建档率每降低1个百分点): read with it
    a, _ = _piece_around(s, per_m.start(), per_m.end())
    lead = s[a:per_m.start()]
    if re.search(r"\d", lead) or _BOUND_WORDS.search(lead) or _FORBIDDEN_IN_CONDITION.search(lead):
        return None
    used = [(a, per_m.end())]
    rest = _blank(s, a, per_m.end())
    for m in list(_TAIL.finditer(rest)):
        if m.group(1) is not None and float(m.group(1)) < points - 1e-9:
            return None   # a floor above 0 is not this rule
        used.append((m.start(), m.end()))
        rest = _blank(rest, m.start(), m.end())
    clauses, left = _clauses(rest, points)
    if len(clauses) > 1:
        return None
    if clauses:
        c = clauses[0]
        if not _only_separators(left) or not math.isclose(c.points, points, abs_tol=1e-9):
            return None
        if not _preamble_ok(c.preamble) or _FORBIDDEN_IN_CONDITION.search(c.condition):
            return None
        target_piece = c.condition
        used.append((c.start, c.end))
    else:
        with_digits = [(p, at) for p, at in _pieces(rest, 0) if re.search(r"\d", p)]
        if len(with_digits) != 1:
            return None
        target_piece, at = with_digits[0]
        others = [p for p, _ in _pieces(rest, 0) if not re.search(r"\d", p)]
        if not _preamble_ok(others) or _FORBIDDEN_IN_CONDITION.search(target_piece):
            return None
        used.append((at, at + len(target_piece)))
    iv = _interval(target_piece)
    if iv is None or iv.pct is None or iv.pct != per_pct:
        return None
    if iv.exact:
        target = iv.lo
    elif iv.lo is not None and iv.hi is None and iv.lo_flag == "incl":
        target = iv.lo
    elif iv.hi is not None and iv.lo is None and iv.hi_flag == "excl":
        target = iv.hi            # 不足30个的，每少1个扣2分: short of 30
    else:
        return None
    if target is None or target <= 0 or per <= 0 or unit <= 0:
        return None
    rule = {"rule": "deduct", "target": float(target), "per": per}
    unit_value = _value(unit, per_pct)
    if unit_value != 1.0:
        rule["unit"] = float(unit_value)
    return rule, (min(a for a, _ in used), max(b for _, b in used)), "higher", per_pct


_NEGATIVE = re.compile(r"不|未|无|没|否|缺")
_HEDGED = re.compile(r"较|基本|部分|一般|良好|优秀|合格")
# a lone "有…得N分" (nothing said for no) is read only when it asks whether something exists
_EXISTS = re.compile(r"^(?:有|建立|建有|设立|设有|配备|配有|制定|签订|挂牌)")


def _yes_no(t: _Text, points: float):
    clauses, left = _clauses(t.s, points)
    if not _only_separators(left):
        return None
    if len(clauses) == 1:
        c = clauses[0]
        if (_EXISTS.match(c.condition) and not _NEGATIVE.search(c.condition) and not _HEDGED.search(c.condition)
                and not re.search(r"\d", c.condition) and not _FORBIDDEN_IN_CONDITION.search(c.condition)
                and _preamble_ok(c.preamble) and math.isclose(c.points, points, abs_tol=1e-9)):
            return {"rule": "yes_no"}, (c.start, c.end)
        return None
    if len(clauses) != 2:
        return None
    if any(re.search(r"\d", c.condition) or _FORBIDDEN_IN_CONDITION.search(c.condition)
           or _HEDGED.search(c.condition) or not c.condition for c in clauses):
        return None
    if clauses[1].preamble or not _preamble_ok(clauses[0].preamble):
        return None
    negative = [c for c in clauses if _NEGATIVE.search(c.condition)]
    positive = [c for c in clauses if not _NEGATIVE.search(c.condition)]
    if len(negative) != 1 or len(positive) != 1:
        return None
    if not math.isclose(positive[0].points, points, abs_tol=1e-9) or negative[0].points != 0:
        return None
    return {"rule": "yes_no"}, (clauses[0].start, clauses[1].end)


_ELSE_WORDS = re.compile(r"^(?:其他|其它|其余|否则|以下|低于此|达不到|未达到|未达标|不达标|未达|不足|不到|未开展|未完成|"
                         r"未建立|未举办|未组织|没有|无)")


def _bands(t: _Text, points: float):
    clauses, left = _clauses(t.s, points)
    if not clauses or not _only_separators(left):
        return None
    if not _preamble_ok(clauses[0].preamble) or any(c.preamble for c in clauses[1:]):
        return None
    bands = []
    for c in clauses:
        if _FORBIDDEN_IN_CONDITION.search(c.condition) or c.points < 0 or c.points > points + 1e-9:
            return None
        iv = _interval(c.condition)
        if iv is None:
            return None
        if iv.pct is None:           # no figure: only "其他不得分" and its kind
            if c.points != 0 or not _ELSE_WORDS.match(c.condition):
                return None
        bands.append((iv, c.points))
    pcts = {iv.pct for iv, _ in bands if iv.pct is not None}
    if len(pcts) != 1:
        return None
    pct = pcts.pop()
    span = (clauses[0].start, clauses[-1].end)
    higher = _bands_higher(bands, pct)
    lower = _bands_lower(bands, pct)
    if (higher is None) == (lower is None):
        return None
    if higher is not None:
        steps, otherwise = higher
        return {"rule": "bands", "steps": steps, "else": otherwise}, span, "higher", pct
    steps, otherwise = lower
    return {"rule": "bands", "steps": steps, "else": otherwise}, span, "lower", pct


def _integer_gap(below: float | None, above: float | None) -> bool:
    """A range ending at 89 and the next starting at 90 (or 1-2次 then 3次): whole figures as written, one apart."""
    return (below is not None and above is not None and float(below).is_integer() and float(above).is_integer()
            and above - below == 1)


def _bands_higher(bands, pct):
    rest, others = [], []
    for iv, pts in bands:
        if iv.pct is None or iv.lo is None or iv.lo <= 0:
            rest.append((iv, pts))
        else:
            others.append((iv, pts))
    if len(rest) > 1 or not others:
        return None
    others.sort(key=lambda b: -b[0].lo)
    steps = []
    prev = None
    for k, (iv, pts) in enumerate(others):
        if iv.lo_flag == "excl":
            return None
        if k == 0:
            if iv.hi is not None and not (pct and iv.hi >= 1.0 and iv.hi_flag != "excl"):
                return None
            if iv.exact and not (pct and iv.lo == 1.0):
                return None
        elif iv.hi is None:
            # cumulative bands (90%以上得10分；80%以上得6分): the first threshold reached wins, as written
            if pts >= steps[-1][1]:
                return None
        else:
            if iv.hi == prev.lo:
                if iv.hi_flag == "incl" and not iv.exact:
                    return None          # both bands claim the boundary
            elif not (_integer_gap(iv.hi_w, prev.lo_w) and iv.hi_flag != "excl"):
                return None
            if pts >= steps[-1][1]:
                return None
        steps.append([float(iv.lo), float(pts)])
        prev = iv
    otherwise = 0.0
    if rest:
        iv, pts = rest[0]
        if iv.pct is not None:
            if iv.lo is not None and iv.lo > 0:
                return None
            if iv.hi is None or not (iv.hi == prev.lo or (_integer_gap(iv.hi_w, prev.lo_w)
                                                           and iv.hi_flag != "excl")):
                return None
        if pts > steps[-1][1] or (pts == steps[-1][1] and pts != 0):
            return None
        otherwise = float(pts)
    return steps, otherwise


def _bands_lower(bands, pct):
    rest, others = [], []
    for iv, pts in bands:
        if iv.pct is None or iv.hi is None:
            rest.append((iv, pts))
        else:
            others.append((iv, pts))
    if len(rest) > 1 or not others:
        return None
    others.sort(key=lambda b: b[0].hi)
    steps = []
    prev = None
    for k, (iv, pts) in enumerate(others):
        if iv.hi_flag == "excl":
            return None
        if k == 0:
            if iv.lo is not None and iv.lo > 0:
                return None
        elif iv.lo is None:
            if pts >= steps[-1][1]:
                return None
        else:
            if iv.lo == prev.hi:
                if iv.lo_flag == "incl" and not iv.exact:
                    return None
            elif not (_integer_gap(prev.hi_w, iv.lo_w) and iv.lo_flag != "excl"):
                return None
            if pts >= steps[-1][1]:
                return None
        steps.append([float(iv.hi), float(pts)])
        prev = iv
    otherwise = 0.0
    if rest:
        iv, pts = rest[0]
        if iv.pct is not None:
            if iv.hi is not None or iv.lo is None:
                return None
            if not (iv.lo == prev.hi or (_integer_gap(prev.hi_w, iv.lo_w) and iv.lo_flag != "excl")):
                return None
        if pts > steps[-1][1] or (pts == steps[-1][1] and pts != 0):
            return None
        otherwise = float(pts)
    return steps, otherwise


def _consistent(rule: dict, points: float, direction: str) -> bool:
    """The last word: a proposal that breaks any of these is not made (the item stays awarded)."""
    kind = rule["rule"]
    if kind == "bands":
        steps = rule["steps"]
        thresholds = [s[0] for s in steps]
        pts = [s[1] for s in steps] + [rule["else"]]
        ordered = (all(a > b for a, b in zip(thresholds, thresholds[1:])) if direction == "higher"
                   else all(a < b for a, b in zip(thresholds, thresholds[1:])))
        return (bool(steps) and ordered and all(0 <= p <= points + 1e-9 for p in pts)
                and all(a >= b for a, b in zip(pts, pts[1:])) and all(map(math.isfinite, thresholds)))
    if kind == "deduct":
        return rule["target"] > 0 and rule["per"] > 0 and rule.get("unit", 1.0) > 0
    if kind == "linear":
        return rule["full_at"] > 0
    return kind == "yes_no"


def propose(text: str, points: float) -> Proposal:
    """The rule one 评分标准 text states for an item worth `points`, or `awarded` when it states none clearly."""
    if not isinstance(text, str) or not text.strip():
        return Proposal(dict(_AWARDED), "awarded", "")
    try:
        points = float(points)
    except (TypeError, ValueError):
        return Proposal(dict(_AWARDED), "awarded", "")
    if not math.isfinite(points) or points <= 0:
        return Proposal(dict(_AWARDED), "awarded", "")
    t = _normalise(text)
    judged = _JUDGED.search(t.s)
    if judged:
        return Proposal(dict(_AWARDED), "awarded", t.quote(judged.start(), judged.end()))
    for reader in (_linear_times, _linear_proportion, _deduct, _yes_no, _bands):
        found = reader(t, points)
        if found is None:
            continue
        rule, (start, end), *rest = found
        direction, share = (rest + ["higher", False])[:2] if rest else ("higher", False)
        if not _consistent(rule, points, direction):
            break
        return Proposal(rule, rule["rule"], t.quote(start, end), direction, bool(share))
    return Proposal(dict(_AWARDED), "awarded", "")


def propose_all(items: list[tuple[str, str, float]]) -> list[tuple[str, Proposal]]:
    """(code, 评分标准, 分值) for each item -> (code, proposal), in the same order."""
    return [(code, propose(text, points)) for code, text, points in items]


def _figure(value: float, share: bool) -> str:
    return f"{value * 100:g}%" if share else f"{value:g}"


def describe(rule: Proposal | dict, lang: str, direction: str = "higher", share: bool = False) -> str:
    """One line saying what a rule does, for showing beside its text: a Proposal (its direction and share with
    it) or a rule dict. `share`: the figures are fractions, shown as percentages."""
    if isinstance(rule, Proposal):
        rule, direction, share = rule.rule, rule.direction, rule.share
    kind = rule.get("rule", "awarded")
    name = i18n.t(f"criteria.kind.{kind}", lang)
    if kind == "bands":
        key = "criteria.step_lower" if direction == "lower" else "criteria.step_higher"
        parts = [i18n.t(key, lang, threshold=_figure(a, share), points=b) for a, b in rule["steps"]]
        parts.append(i18n.t("criteria.else", lang, points=rule.get("else", 0.0)))
        detail = " · ".join(parts)
    elif kind == "deduct":
        detail = i18n.t("criteria.deduct", lang, target=_figure(rule["target"], share), per=rule["per"],
                        unit=_figure(rule.get("unit", 1.0), share))
    elif kind == "linear":
        detail = i18n.t("criteria.linear", lang, full_at=_figure(rule["full_at"], share))
    else:
        detail = i18n.t(f"criteria.{kind}", lang) if kind in ("yes_no", "awarded") else ""
    return f"{name}: {detail}" if lang != "zh" else f"{name}：{detail}"
