"""The public notice (公示) of a residents' evaluation meeting or of an assessment round: its data, HTML and PDF.

    data = meeting_notice(summary, "zh", {"contact": "0931-1234567", "deadline": date(2026, 12, 20)})
    data = round_notice(result, "S07", "en", objection)
    html, pdf = notice_html(data), notice_pdf(data)          # one A4 page each, Chinese and English

The data is a plain `Notice` (title, facts, headline figures, sections of rows, objection, notes) from which both
renderers draw, so the HTML and the PDF say the same thing. Every number comes from the meeting's summary dict or
from the engine's ScoreResult. No resident can be identified: a count from 1 to MIN_COUNT - 1 is shown as "fewer
than 3", what is computed from such a count is withheld, and so is an item all of whose voters answered alike
(its counts would tell each one's answer); comment text and resident ids never appear.
"""
from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

from indicators.errors import InputError
from indicators.i18n import pick, t
from indicators.outputs.report import check_station, day_text, period_text, station_names
from indicators.outputs import views
from indicators.outputs.views import band_label
from indicators.scoring.engine import ScoreResult
from indicators.scoring.measures import Period

MIN_COUNT = 3          # the smallest count of residents a notice prints as a number (0 is printed: nobody)
RATING_ENDS = (1.0, 5.0)   # a meeting's ratings run 1-5: a mean at either end means every rating was the same
DEADLINE_DAYS = 7      # the usual objection window: a notice is posted for a week
HTML_PER_PDF = 1.4     # the HTML runs 0.8-1.35 times as tall as the PDF (measured in Chromium); the rest is margin
CONTACT_CHARS = 200    # the longest objection contact a notice prints
ISSUER_CHARS = 100     # the longest issuing body (落款单位) a notice prints


class NoticeInput(InputError):
    """Bad input to a notice: the issuing body, the objection channel, the deadline, the language or the meeting
    summary."""


@dataclass(frozen=True)
class Section:
    """A table: heading, column names, rows of display strings, and the columns that hold numbers."""
    heading: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()
    note: str = ""
    total: tuple[str, ...] | None = None   # a last row in bold (a sum)
    wide: int = 0                          # the one column whose text wraps (names); the others keep one line


@dataclass(frozen=True)
class Notice:
    """One notice, in one language, as display strings."""
    lang: str
    kind: str                                   # "meeting" or "round"
    banner: str                                 # 公示 / PUBLIC NOTICE
    title: str                                  # "<station> 居民评议会结果公示"
    facts: tuple[tuple[str, str], ...]          # (label, value): station, period, scheme ...
    headline: tuple[tuple[str, str], ...]       # (label, value): the figures printed large
    sections: tuple[Section, ...]
    objection: tuple[str, ...]                  # how to object, by when; the public period
    notes: tuple[str, ...]                      # the suppression rule, the method
    issued_on: date = field(default_factory=date.today)
    closing: str = ""                           # 特此公示。
    alert: tuple[str, ...] = ()                 # printed in a red box under the figures: a veto, no grade given
    issuer: str = ""                            # 落款单位, printed above the date of issue


# ================================================================ small counts

def _small(n) -> bool:
    return n is not None and 1 <= n < MIN_COUNT


_FEWER = {"people": "notice.fewer", "items": "notice.fewer_items", "codes": "notice.fewer_codes"}


def _count(n, lang: str, unit: str = "people") -> str:
    """A count as printed: "少于3人" for 1 and 2 (少于3条 for comments, 少于3个 for voting codes)."""
    if n is None:
        return t("notice.none", lang)
    return t(_FEWER[unit], lang, n=MIN_COUNT) if _small(n) else f"{int(n)}"


def _share(x, lang: str) -> str:
    return t("notice.none", lang) if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.0%}"


def _alike(counts) -> bool:
    """Every answer is the same one (and someone answered): printed, the counts would tell each voter's answer,
    however many they are, so they are withheld like a small count."""
    return sum(1 for c in counts if c) == 1


def _breakdown(votes: int, counts: list[int]) -> list[bool]:
    """Which of the answers (met yes / no / unsure) to withhold beyond the small ones themselves.

    All of them when the voters are few or all answered alike; otherwise, when exactly one answer is small, the
    next smallest too, because the votes minus the printed answers would give the small one away."""
    if _small(votes) or _alike(counts):
        return [True] * len(counts)
    small = [_small(c) for c in counts]
    if sum(small) == 1:
        other = min((k for k in range(len(counts)) if not small[k]), key=lambda k: counts[k])
        return [k == other for k in range(len(counts))]
    return [False] * len(counts)


# ================================================================ inputs

def _check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise NoticeInput(code="notice.lang", params={"value": repr(lang)})
    return lang


def check_objection(objection: dict) -> tuple[str, date, str]:
    """(contact, deadline, issuer) from {"issuer": text, "contact": text, "deadline": date or ISO text}; NoticeInput
    naming the field. The issuing body and the contact are both required: a notice nobody signed, or one that
    gives residents no phone or address to object to, is not fit to post."""
    contact = str((objection or {}).get("contact") or "").strip()
    issuer = str((objection or {}).get("issuer") or "").strip()
    if not contact and not issuer:
        raise NoticeInput(code="notice.issuer_contact")
    if not issuer or len(issuer) > ISSUER_CHARS:
        raise NoticeInput(code="notice.issuer")
    if not contact or len(contact) > CONTACT_CHARS:
        raise NoticeInput(code="notice.contact")
    deadline = (objection or {}).get("deadline")
    if isinstance(deadline, str):
        try:
            deadline = date.fromisoformat(deadline.strip())
        except ValueError:
            pass
    if not isinstance(deadline, date):
        raise NoticeInput(code="notice.deadline", params={"value": repr(deadline)})
    return contact, deadline, issuer


def missing_fields(exc: InputError) -> bool:
    """The error says an issuing body or a contact is still to be typed (not that one is wrong)."""
    return getattr(exc, "code", None) in ("notice.issuer_contact", "notice.issuer", "notice.contact")


def default_deadline(today: date | None = None) -> date:
    return (today or date.today()) + timedelta(days=DEADLINE_DAYS)


def _objection(objection: dict, lang: str, issued_on: date) -> tuple[tuple[str, ...], str]:
    """(the objection lines, the issuing body)."""
    contact, deadline, issuer = check_objection(objection)
    if deadline < issued_on:   # residents would have no time at all to object
        raise NoticeInput(code="notice.deadline_past", params={"deadline": deadline.isoformat(),
                                                               "issued": issued_on.isoformat()})
    return (t("notice.objection", lang, deadline=_day(deadline, lang), contact=contact),
            t("notice.period_public", lang, start=_day(issued_on, lang), deadline=_day(deadline, lang))), issuer


_day = day_text


def _item_label(it: dict, lang: str, repeated: set[str] = frozenset()) -> str:
    """An item's title, with its id only when another item has the same title, so that needs of one title (four
    楼道加装扶手 at a station) stay apart; a resident reads no record code otherwise."""
    title, iid = str(it.get("title") or "").strip(), str(it.get("id") or "").strip()
    if not title or not iid or title == iid or title not in repeated:
        return title or iid
    return t("notice.item_label", lang, title=title, id=iid)


def _station(name: str, other: str, lang: str) -> str:
    """The station as a resident reads it: on a Chinese notice its Chinese name alone; on an English one the English
    name with the Chinese beside it (the name on the station's door). Never its internal code."""
    return f"{name} ({other})" if lang == "en" and other and other != name else name


def _rank(rank, lang: str) -> str:
    return t("notice.rank_value", lang, rank=rank)


def _grade_name(scheme, grade: str, lang: str) -> str:
    """A grade as a resident reads it: its label (优秀 / Excellent), else the grade as the scheme writes it."""
    band = next((b for b in scheme.grades if b.grade == grade), None)
    return (band_label(band, lang) if band else "") or grade


def _grade_word(band, lang: str) -> str:
    """A band with its label and its letter, 优秀（A）; the label alone when the grade is itself the label."""
    label = band_label(band, lang)
    return t("notice.grade_word", lang, label=label, grade=band.grade) if label and label != band.grade \
        else (label or band.grade)


def bands_words(scheme, lang: str) -> str:
    """The grade bands in words: 85分及以上为优秀（A）；70分及以上、85分以下为良好（B）；…；55分以下为不合格（D）."""
    bands = sorted(scheme.grades, key=lambda g: -g.min)
    if len(bands) < 2:
        return "".join(_grade_word(b, lang) for b in bands)
    words = [t("notice.bands.top", lang, min=f"{bands[0].min:g}", grade=_grade_word(bands[0], lang))]
    words += [t("notice.bands.mid", lang, min=f"{b.min:g}", upper=f"{upper.min:g}", grade=_grade_word(b, lang))
              for upper, b in zip(bands, bands[1:-1])]
    words.append(t("notice.bands.low", lang, upper=f"{bands[-2].min:g}", grade=_grade_word(bands[-1], lang)))
    return t("notice.bands.sep", lang).join(words)


# ================================================================ the meeting's notice

def _int_field(d: dict, key: str) -> int:
    v = d.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or v != int(v):
        raise NoticeInput(code="notice.summary", params={"field": key})
    return int(v)


def meeting_notice(summary: dict, lang: str, objection: dict, issued_on: date | None = None) -> Notice:
    """The notice of one residents' evaluation meeting from its summary dict (see docs/publication.md)."""
    L = _check_lang(lang)
    issued_on = issued_on or date.today()
    s = summary
    for key in ("station_id", "items"):
        if key not in s:
            raise NoticeInput(code="notice.summary", params={"field": key})
    name = (s.get(f"station_name_{L}") or s.get("station_name_zh") or s.get("station_name_en") or s["station_id"])
    other = s.get("station_name_zh") or ""
    scheme = (s.get(f"scheme_name_{L}") or s.get("scheme_name_zh") or s.get("scheme_name_en")
              or s.get("scheme_id") or "")
    issued, turnout = _int_field(s, "tokens_issued"), _int_field(s, "turnout")
    few = _small(turnout)   # then nothing computed from the votes is printed

    facts = [(t("notice.station", L), _station(name, other, L))]
    if s.get("title"):
        facts.append((t("notice.meeting", L), s["title"]))
    facts.append((t("notice.code", L), str(s.get("code", ""))))
    if s.get("held_on"):
        facts.append((t("notice.held_on", L), _day(s["held_on"], L)))
    facts.append((t("notice.period", L), period_text(Period(s.get("period_start"), s.get("period_end")), L)))
    if scheme:
        facts.append((t("notice.scheme", L), scheme))

    items = s["items"] or []
    titles = [str(it.get("title") or "").strip() for it in items]
    repeated = {x for x in titles if x and titles.count(x) > 1}
    rows = []
    yes_all = no_all = unsure_all = 0
    for k, it in enumerate(items, start=1):
        votes = _int_field(it, "votes")
        yes, no, unsure = (_int_field(it, f) for f in ("met_yes", "met_no", "met_unsure"))
        n_ratings, comments = _int_field(it, "n_ratings"), _int_field(it, "comments")
        yes_all, no_all, unsure_all = yes_all + yes, no_all + no, unsure_all + unsure
        hide = _breakdown(votes, [yes, no, unsure])
        answers = [t("notice.withheld", L) if h and not _small(c) else _count(c, L)
                   for c, h in zip((yes, no, unsure), hide)]
        share = t("notice.withheld", L) if (any(hide) or _small(yes) or _small(no)) else \
            _share(yes / (yes + no) if yes + no else None, L)
        mean = it.get("rating_mean")
        ends = mean is not None and float(mean) in RATING_ENDS      # every rating was that one
        mean_text = t("notice.withheld", L) if (_small(n_ratings) or _small(votes) or ends) else \
            (t("notice.none", L) if mean is None else f"{float(mean):.1f}")
        kind = it.get("kind", "")
        rows.append((str(k), t(f"notice.kind.{kind}", L) if kind in ("need", "activity") else str(kind),
                     _item_label(it, L, repeated), _count(votes, L), *answers, share,
                     _count(n_ratings, L), mean_text, _count(comments, L, "items")))

    share_met = s.get("share_met")
    headline = [(t("notice.turnout", L, issued=_count(issued, L, "codes")), _count(turnout, L)),
                (t("notice.share_met", L), t("notice.withheld", L) if few or _small(yes_all) or _small(no_all)
                 or _alike((yes_all, no_all, unsure_all)) else _share(share_met, L))]
    n = s.get("n_stations")
    before, after = s.get("score_before"), s.get("score_after")
    rb, ra = s.get("rank_before"), s.get("rank_after")
    if after is not None and not few:
        headline.append((t("notice.score", L), f"{after:.1f}"))
    if ra is not None and n and not few:
        headline.append((t("notice.rank_n", L, n=n), _rank(ra, L)))

    sections = [Section(
        t("notice.items", L),
        tuple(t(f"notice.col.{c}", L) for c in ("no", "kind", "item", "votes", "yes", "no_", "unsure", "share",
                                                 "ratings", "mean", "comments")),
        tuple(rows), numeric=tuple(range(3, 11)), wide=2,
        note=t("notice.asked", L, need_q=t("vt.need_q", L), activity_q=t("vt.activity_q", L)) if rows
        else t("notice.no_items", L))]
    if before is not None and after is not None:
        w = t("notice.withheld", L)
        score_row = (t("notice.score", L), f"{before:.1f}", w if few else f"{after:.1f}",
                     w if few else f"{after - before:+.1f}")
        effect = [score_row]
        if rb is not None and ra is not None and n:
            effect.append((t("notice.rank", L), t("notice.rank_of", L, rank=rb, n=n),
                           w if few else t("notice.rank_of", L, rank=ra, n=n),
                           w if few else f"{rb - ra:+d}"))
        sections.append(Section(
            t("notice.effect", L),
            tuple(t(f"notice.col.{c}", L) for c in ("measure", "before", "after", "change")),
            tuple(effect), numeric=(1, 2, 3), note=t("notice.under_scheme", L, scheme=scheme, n=n or "–")))
    notes = (t("notice.small", L, k=MIN_COUNT - 1, n=MIN_COUNT), t("notice.alike", L), t("notice.no_comments", L))
    lines, issuer = _objection(objection, L, issued_on)
    return Notice(L, "meeting", t("notice.banner", L), f"{name} {t('notice.meeting.heading', L)}"
                  if L == "zh" else f"{t('notice.meeting.heading', L)}: {name}",
                  tuple(facts), tuple(headline), tuple(sections), lines, notes,
                  issued_on, t("notice.hereby", L), issuer=issuer)


# ================================================================ an assessment round's notice

def round_notice(result: ScoreResult, station_id: str, lang: str, objection: dict, issued_on: date | None = None,
                 demo: bool = False) -> Notice:
    """The notice of one station's result in an assessment round: the scheme's dimensions and weights, the score,
    rank and grade, the points each dimension adds to the score, and how to object. Cells of `result` only."""
    L = _check_lang(lang)
    issued_on = issued_on or date.today()
    sid = check_station(result, station_id)
    scheme = result.scheme
    name, other = station_names(result, sid, L)
    n = len(result.stations)
    facts = [(t("notice.station", L), _station(name, other, L))]
    district = result.stations.at[sid, "district"] if "district" in result.stations.columns else ""
    if isinstance(district, str) and district:
        facts.append((t("notice.district", L), district))
    facts += [(t("notice.period", L), period_text(result.period, L)),
              (t("notice.scheme", L), pick(scheme, L))]
    if views.is_points(result):
        return _points_round(result, sid, L, objection, issued_on, demo, facts)
    total = float(result.total[sid])
    standing = views.station_status(result, sid, L)
    graded = standing["status"] != "insufficient"
    headline = [(t("notice.score", L), f"{total:.1f}"),
                (t("notice.rank_n", L, n=n), _rank(int(result.rank[sid]), L) if graded else t("notice.none", L))]
    if scheme.grades:
        headline.append((t("notice.grade", L), _grade_name(scheme, str(result.grade[sid]), L) if graded
                         else t("pts.notice.not_graded", L)))

    w = result.weights   # per indicator: its top-level dimension and that dimension's weight
    contrib = result.contributions.loc[sid].groupby(w["dimension"]).sum()
    sep = "、" if L == "zh" else "; "
    rows, weight_sum = [], 0.0
    for d in scheme.dimensions:
        mine = w[w["dimension"] == d.id]
        weight = float(mine["dimension_weight"].iloc[0])
        weight_sum += weight
        rows.append((pick(d, L), f"{weight:.0%}",
                     sep.join(pick(scheme.indicator(i), L) for i in mine.index),
                     f"{float(result.dimension_scores.at[sid, d.id]):.1f}", f"{float(contrib[d.id]):.1f}"))
    notes = [t("notice.method", L)]
    if scheme.grades:
        notes.append(t("notice.grade_bands", L, bands=bands_words(scheme, L)))
    failed = set(result.capped_by[sid].split(", ")) - {""}   # the engine names a gate in English
    gates = [g for g in scheme.gates if (g.name_en or g.indicator) in failed]
    if gates:
        floor = {b.grade: b.min for b in scheme.grades}
        notes.append(t("notice.capped", L, cap=_grade_name(scheme, min((g.cap for g in gates),
                                                                         key=lambda c: floor.get(c, 0)), L),
                       gates=sep.join(pick(g, L) if (g.name_zh or g.name_en) else g.indicator for g in gates)))
    if demo:
        notes.append(t("notice.demo", L))
    section = Section(
        t("notice.dimensions", L),
        tuple(t(f"notice.col.{c}", L) for c in ("dimension", "weight", "indicators", "dim_score", "contribution")),
        tuple(rows), numeric=(1, 3, 4), wide=2,
        total=(t("notice.total", L), f"{weight_sum:.0%}", "", "", f"{total:.1f}"))
    return _round(result, sid, L, name, objection, issued_on, facts, headline, section, notes)


def _round(result: ScoreResult, sid: str, L: str, name: str, objection: dict, issued_on: date, facts: list,
           headline: list, section: Section, notes: list) -> Notice:
    """A round's notice (by score or by points) from its parts, with the objection lines and the issuing body."""
    lines, issuer = _objection(objection, L, issued_on)
    return Notice(L, "round", t("notice.banner", L), f"{name} {t('notice.round.heading', L)}" if L == "zh"
                  else f"{t('notice.round.heading', L)}: {name}", tuple(facts), tuple(headline), (section,),
                  lines, tuple(notes), issued_on, t("notice.hereby", L), alert=_alerts(result, sid, L),
                  issuer=issuer)


def _alerts(result: ScoreResult, sid: str, L: str) -> tuple[str, ...]:
    """In words an official can sign: why the station was vetoed (因…，实行一票否决), or why no grade or no score
    was given."""
    standing = views.station_status(result, sid, L)
    scheme = result.scheme
    out = []
    if standing["veto"]:
        out.append(t("pts.notice.veto", L, reason=standing["veto"].rstrip("。.；; "), grade=standing["grade"]))
    if standing["status"] == "insufficient":
        n = len(scheme.indicators)
        share = standing["complete"]
        out.append(t("pts.notice.insufficient", L, observed=round(share * n), n=n, share=views.fmt_share(share),
                     min=views.fmt_share(scheme.min_observed)))
    if standing["status"] == "refused":
        gaps = [pick(i, L) for i in scheme.indicators if bool(result.missing.at[sid, i.id])]
        out.append(t("pts.notice.refused", L, names=t("pts.sep", L).join(gaps)))
    return tuple(out)


def _points_round(result: ScoreResult, sid: str, L: str, objection: dict, issued_on: date, demo: bool,
                  facts: list) -> Notice:
    """A points scheme's notice (千分制): points earned of available, rank, the grade as the table writes it (优秀),
    points earned and lost per top-level dimension, and prominently a veto or a grade not given."""
    scheme = result.scheme
    name, _ = station_names(result, sid, L)
    standing = views.station_status(result, sid, L)
    status = standing["status"]
    placed = status in ("ranked", "vetoed")   # insufficient and refused stations are listed apart, not ranked
    fp = views.fmt_points
    # a station the scheme refuses to score (缺项) has no total to publish, only the reason
    headline = [(t("pts.headline", L), t("notice.none", L) if status == "refused" else
                 t("notice.points_of", L, earned=fp(standing["earned"]), total=fp(standing["available"]))),
                (t("notice.rank_n", L, n=len(result.stations)), _rank(int(result.rank[sid]), L) if placed
                 else t("notice.none", L))]
    if scheme.grades:
        headline.append((t("notice.grade", L), _grade_name(scheme, str(result.grade[sid]), L) if placed
                         else t("pts.notice.not_graded", L)))
    nodes = result.node_points().loc[sid]
    sep = "、" if L == "zh" else "; "
    rows = []
    for d in scheme.dimensions:
        got = float(nodes[d.id])
        rows.append((pick(d, L), fp(d.points), sep.join(pick(i, L) for i in _leaves(d)), fp(got),
                     fp(d.points - (0.0 if math.isnan(got) else got))))
    earned = standing["earned"]
    section = Section(
        t("pts.notice.dimensions", L),
        (t("notice.col.dimension", L), t("pts.col.available", L), t("notice.col.indicators", L),
         t("pts.col.earned", L), t("pts.col.lost", L)),
        tuple(rows), numeric=(1, 3, 4), wide=2,
        total=(t("notice.total", L), fp(standing["available"]), "", fp(earned),
               fp(standing["available"] - (0.0 if math.isnan(earned) else earned))))
    notes = [t("pts.notice.method", L)]
    if scheme.grades:
        notes.append(t("notice.grade_bands", L, bands=bands_words(scheme, L)))
    gaps = [pick(i, L) for i in scheme.indicators
            if bool(result.missing.at[sid, i.id]) and not views.gap_filled(result, sid, i.id)]
    if gaps and status != "refused":
        notes.append(t("pts.notice.missing", L, names=t("pts.sep", L).join(gaps)))
    relative = [pick(scheme.indicator(i), L) for i in views.relative_ids(result)]
    if relative:
        notes.append(t("pts.notice.relative", L, names=t("pts.sep", L).join(relative)))
    if demo:
        notes.append(t("notice.demo", L))
    return _round(result, sid, L, name, objection, issued_on, facts, headline, section, notes)


def _leaves(d) -> list:
    """Every item below a dimension, depth-first."""
    return [*d.indicators, *(i for sub in d.dimensions for i in _leaves(sub))]


# ================================================================ HTML

_CSS = """
*{box-sizing:border-box}
html{background:#eceff2}
body{font-family:"Noto Serif CJK SC","Source Han Serif SC","Songti SC",SimSun,"Noto Sans CJK SC","Microsoft YaHei",
 serif;color:#111;margin:0;line-height:1.55;font-size:13.5px}
.page{background:#fff;width:210mm;min-height:297mm;margin:16px auto;padding:16mm 17mm 14mm;
 box-shadow:0 1px 6px rgba(0,0,0,.18)}
.banner{text-align:center;color:#b4161b;font-size:40px;font-weight:700;letter-spacing:.35em;margin:0 0 4px;
 padding-left:.35em}
.rule{border:0;border-top:3px solid #b4161b;border-bottom:1px solid #b4161b;height:5px;margin:0 0 14px}
h1{text-align:center;font-size:21px;margin:0 0 14px}
h2{font-size:15px;margin:16px 0 6px;padding-left:8px;border-left:4px solid #b4161b}
.facts{display:grid;grid-template-columns:auto 1fr;gap:2px 14px;margin:0 0 12px}
.facts dt{color:#444} .facts dd{margin:0;font-weight:600}
.kpis{display:flex;gap:10px;margin:8px 0 4px}
.kpi{flex:1;border:1.5px solid #333;padding:6px 10px;text-align:center}
.kpi .v{font-size:22px;font-weight:700} .kpi .l{font-size:12px;color:#333}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{border:1px solid #777;padding:3px 4px;text-align:left;vertical-align:top}
th{background:#f1f1f1;font-weight:600} td.n,th.n{text-align:right;font-variant-numeric:tabular-nums} td,th{word-break:keep-all} td.w{word-break:normal;min-width:7em}
tr.total td{font-weight:700} th .l{white-space:nowrap}
.note{font-size:12px;color:#333;margin:4px 0 0}
.objection{border:1.5px solid #b4161b;padding:6px 12px;margin-top:14px}
.alert{border:2px solid #b4161b;background:#fdeceb;padding:6px 12px;margin:10px 0 4px}
.alert p{margin:2px 0;font-size:15px;font-weight:700;color:#8a1014}
.objection h2{border:0;padding:0;color:#b4161b;margin:2px 0 4px}
.objection p{margin:2px 0;font-size:14px}
.notes{margin-top:10px} .notes p{font-size:11.5px;color:#333;margin:2px 0}
.closing{margin:14px 0 0;text-indent:2em;font-size:14px}
.sign{text-align:right;margin:10px 0 0;font-size:14.5px} .sign p{margin:2px 0}
.sign .issuer{font-weight:700}
@media print{
 @page{size:A4;margin:0}
 html{background:#fff}
 .page{margin:0;box-shadow:none;width:auto;min-height:0;padding:12mm 15mm 8mm}
 section,.objection,tr{break-inside:avoid;page-break-inside:avoid}
}
"""


def _lines(text: str) -> str:
    """A column heading for HTML: escaped; a heading set in lines (回答 / “不清楚”) breaks there and only there."""
    lines = text.split("\n")
    return escape(text) if len(lines) == 1 else "<br>".join(f'<span class="l">{escape(x)}</span>' for x in lines)


def notice_html(n: Notice) -> str:
    """The notice as one self-contained HTML page (inline CSS, no scripts, fonts, images or links), A4 in print."""
    e = escape
    # No script may measure the page, so the print zoom comes from the PDF's layout of the same notice
    zoom = min(1.0, 1 / (fill(n) * HTML_PER_PDF))
    h = [(f'<!DOCTYPE html><html lang="{"zh-CN" if n.lang == "zh" else "en"}"><head><meta charset="utf-8">'
          f'<meta name="viewport" content="width=device-width, initial-scale=1">'
          f'<title>{e(n.title)}</title><style>{_CSS}@media print{{.page{{zoom:{zoom:.2f}}}}}</style></head><body>'
          f'<main class="page">'
          f'<p class="banner">{e(n.banner)}</p><hr class="rule"><h1>{e(n.title)}</h1><dl class="facts">')]
    h += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in n.facts]
    h.append('</dl><div class="kpis">')
    h += [f'<div class="kpi"><div class="v">{e(v)}</div><div class="l">{e(k)}</div></div>' for k, v in n.headline]
    h.append("</div>")
    if n.alert:
        h.append('<div class="alert">' + "".join(f"<p>{e(a)}</p>" for a in n.alert) + "</div>")
    for s in n.sections:
        h.append(f"<section><h2>{e(s.heading)}</h2>")
        if s.rows:
            cls = [' class="n"' if j in s.numeric else ' class="w"' if j == s.wide else "" for j in range(len(s.columns))]
            h.append("<table><thead><tr>" + "".join(f"<th{cls[j]}>{_lines(c)}</th>" for j, c in enumerate(s.columns))
                     + "</tr></thead><tbody>")
            for r in s.rows:
                h.append("<tr>" + "".join(f"<td{cls[j]}>{e(c)}</td>" for j, c in enumerate(r)) + "</tr>")
            if s.total:
                h.append('<tr class="total">' + "".join(f"<td{cls[j]}>{e(c)}</td>" for j, c in enumerate(s.total))
                         + "</tr>")
            h.append("</tbody></table>")
        if s.note:
            h.append(f'<p class="note">{e(s.note)}</p>')
        h.append("</section>")
    h.append(f'<section class="objection"><h2>{e(t("notice.objection.heading", n.lang))}</h2>')
    h += [f"<p>{e(p)}</p>" for p in n.objection]
    h.append('</section><div class="notes">' + "".join(f"<p>{e(p)}</p>" for p in n.notes) + "</div>")
    h.append(f'<p class="closing">{e(n.closing)}</p><div class="sign">'
             + (f'<p class="issuer">{e(n.issuer)}</p>' if n.issuer else "")
             + f'<p class="date">{e(t("notice.issued", n.lang, d=_day(n.issued_on, n.lang)))}</p></div>')
    h.append("</main></body></html>")
    return "".join(h)


# ================================================================ PDF

_CJK_FONT = "STSong-Light"   # one of reportlab's built-in CID fonts: the reader's PDF viewer supplies the glyphs
# Curly quotes stay in Helvetica: set in the CID font, a viewer that substitutes its own Chinese font draws “ narrow
# in a full-width box, and 回答“是” reads as 回答“ 是”.
_CJK = re.compile(r"([\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\u2026]+)")
_RED = "#b4161b"


def _rich(text: str) -> str:
    """Text for a reportlab Paragraph: XML-escaped, each run of Chinese characters set in the CID font (Helvetica has
    no Chinese glyphs, and STSong-Light's Latin letters are poor)."""
    return _CJK.sub(lambda m: f'<font name="{_CJK_FONT}">{m.group(1)}</font>',
                    escape(text, quote=False)).replace("\n", "<br/>")


# A paragraph in a table cell cannot break across pages, so a name of 1,500 characters once made a row taller than
# the page (reportlab's LayoutError). Every text is cut to this many characters with an ellipsis (far above any real
# name or title); if a row still cannot fit, to the second length.
PDF_CHARS = (300, 60)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def notice_pdf(n: Notice) -> bytes:
    """The notice as a one-page A4 PDF; the type shrinks step by step until it fits one page."""
    from reportlab.platypus.doctemplate import LayoutError
    for limit in PDF_CHARS:
        try:
            for scale in (1.0, 0.92, 0.85, 0.78, 0.71, 0.64, 0.58, 0.52):
                data, pages = _pdf(n, scale, limit)
                if pages == 1:
                    return data
            return data
        except LayoutError:
            if limit == PDF_CHARS[-1]:
                raise
    raise AssertionError("unreachable")


def _story(n: Notice, k: float, limit: int = PDF_CHARS[0]) -> list:
    """The PDF's flowables with the type at scale k, every text cut to `limit` characters."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import HRFlowable, Paragraph, Spacer, Table, TableStyle

    if _CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_CJK_FONT))
    red = colors.HexColor(_RED)

    def style(size, bold=False, align=0, color=colors.black, lead=1.35, before=0, after=0):
        return ParagraphStyle("s", fontName="Helvetica-Bold" if bold else "Helvetica", fontSize=size * k,
                              leading=size * k * lead, alignment=align, textColor=color, spaceBefore=before * k,
                              spaceAfter=after * k, wordWrap="CJK" if n.lang == "zh" else None)   # no spaces
    body, small, cell, head = style(10.5), style(8.5), style(8.5), style(8.5, bold=True)
    cell_r, head_r = style(8.5, align=TA_RIGHT), style(8.5, bold=True, align=TA_RIGHT)
    h2 = style(11.5, bold=True, color=red, before=9, after=3)

    def P(text: str, s=body) -> Paragraph:
        return Paragraph(_rich(_cut(text, limit)), s)

    width = A4[0] - 34 * mm
    story = [P(n.banner, style(30, bold=True, align=TA_CENTER, color=red, lead=1.2)),
             HRFlowable(width="100%", thickness=2.4, color=red, spaceBefore=2 * k, spaceAfter=1.2),
             HRFlowable(width="100%", thickness=0.7, color=red, spaceAfter=8 * k),
             P(n.title, style(15, bold=True, align=TA_CENTER, after=8))]
    facts = Table([[P(a, style(9.5, color=colors.HexColor("#444444"))), P(b, style(9.5, bold=True))]
                   for a, b in n.facts], colWidths=[38 * mm, width - 38 * mm])
    facts.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5)]))
    story += [facts, Spacer(1, 7 * k)]
    if n.headline:
        kpi = Table([[P(v, style(15, bold=True, align=TA_CENTER)) for _, v in n.headline],
                     [P(label, style(8.5, align=TA_CENTER)) for label, _ in n.headline]],
                    colWidths=[width / len(n.headline)] * len(n.headline))
        kpi.setStyle(TableStyle([("BOX", (i, 0), (i, 1), 1, colors.black) for i in range(len(n.headline))]
                                + [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        story.append(kpi)
    if n.alert:   # a veto or a grade not given: boxed in red under the figures
        alert = Table([[P(a, style(11, bold=True, color=red))] for a in n.alert], colWidths=[width])
        alert.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.5, red), ("LEFTPADDING", (0, 0), (-1, -1), 8),
                                   ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fdeceb"))]))
        story += [Spacer(1, 6 * k), alert]
    for s in n.sections:
        story.append(P(s.heading, h2))
        if s.rows:
            def row(r, numeric, hd=False):
                return [P(c, (head_r if hd else cell_r) if j in numeric else (head if hd else cell))
                        for j, c in enumerate(r)]
            data = ([row(s.columns, s.numeric, True)] + [row(r, s.numeric) for r in s.rows]
                    + ([row(s.total, s.numeric, True)] if s.total else []))
            tbl = Table(data, colWidths=_col_widths(s, width, 8.5 * k), repeatRows=1)
            tbl.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
                                     ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1f1f1")),
                                     ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                     ("TOPPADDING", (0, 0), (-1, -1), 1.5 * k),
                                     ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * k)]))
            story.append(tbl)
        if s.note:
            story.append(P(s.note, style(8.5, before=3)))
    box = Table([[P(t("notice.objection.heading", n.lang), style(11.5, bold=True, color=red))]]
                + [[P(p, style(10.5))] for p in n.objection], colWidths=[width])
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.2, red), ("LEFTPADDING", (0, 0), (-1, -1), 8)]))
    story += [Spacer(1, 10 * k), box, Spacer(1, 6 * k)]
    story += [P(p, small) for p in n.notes]
    story.append(P(n.closing, style(10.5, before=10)))
    if n.issuer:   # the issuing body signs above the date
        story.append(P(n.issuer, style(11, bold=True, align=TA_RIGHT, before=6)))
    story.append(P(t("notice.issued", n.lang, d=_day(n.issued_on, n.lang)), style(10.5, align=TA_RIGHT, before=3)))
    return story


def _page():
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    return A4, 17 * mm, 15 * mm, 13 * mm   # page, side, top and bottom margins


def _pdf(n: Notice, k: float, limit: int = PDF_CHARS[0]) -> tuple[bytes, int]:
    from reportlab.platypus import SimpleDocTemplate
    page, side, top, bottom = _page()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=page, leftMargin=side, rightMargin=side, topMargin=top,
                            bottomMargin=bottom, title=_cut(n.title, limit), author="", subject=n.banner)
    doc.build(_story(n, k, limit))
    return buf.getvalue(), doc.page


def fill(n: Notice) -> float:
    """How much of an A4 page the notice takes at full size (above 1: it needs shrinking), measured by laying it
    out as the PDF does without writing one."""
    page, side, top, bottom = _page()
    width, height = page[0] - 2 * side, page[1] - top - bottom
    used = sum(f.wrap(width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in _story(n, 1.0))
    return used / height


def _col_widths(s: Section, width: float, size: float) -> list[float]:
    """Each column at least as wide as its longest word and, space allowing, as its longest cell; the wide column
    takes what the others leave (up to a quarter of the table first, then any spare)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def w(text: str) -> float:   # a character set in the Chinese font is the type size wide; Latin and “ ”
        return max(sum(size if _CJK.match(c) else stringWidth(c, "Helvetica-Bold", size) for c in line)
                   for line in text.split("\n")) + 13   # as set in bold, the widest use; + padding

    def word(text: str, most: int = 4) -> float:   # a Chinese run may break anywhere, but looks best kept to four
        return max([min(w(x), most * size + 13) if _CJK.search(x) else w(x) for x in text.split()] or [13])
    cols = range(len(s.columns))
    cells = [[s.columns[j]] + [r[j] for r in (*s.rows, *([s.total] if s.total else []))] for j in cols]
    # a heading's line (“不清楚”) is kept whole up to five characters: a quotation mark alone on a line reads badly
    least = [max([word(cells[j][0], 5)] + [word(c) for c in cells[j][1:]]) for j in cols]
    full = [max(w(c) for c in cells[j][1:] or [""]) for j in cols]
    full = [max(f, x) for f, x in zip(full, least)]
    out = list(least)
    # the wide column wraps: it never takes what the others need to keep their words whole
    rest = width - sum(least) + least[s.wide]
    out[s.wide] = max(least[s.wide], min(full[s.wide], width * 0.25, rest))
    spare = width - sum(out)
    want = [0 if j == s.wide else full[j] - out[j] for j in cols]
    if spare > 0 and sum(want) > 0:
        for j in cols:
            out[j] += min(want[j], spare * want[j] / sum(want))
    spare = width - sum(out)
    if spare > 0:
        out[s.wide] += spare
    total = sum(out)
    return [x * width / total for x in out] if total > width else out
