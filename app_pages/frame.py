"""The shared frame of every page (not a page itself): the database, the language, the current scheme,
the assessment period, cached queries and scoring, working copies of schemes, and the error guard.

State lives in st.session_state, one session per browser tab:
  lang            "zh" | "en" (the sidebar radio's key; first set from st.context.locale)
  scheme_id       the current scheme (the sidebar selectbox's key)
  period_start / period_end   the sidebar date inputs
  working         {scheme id: Scheme}: edited, unsaved copies of schemes
  _pending_scheme a scheme id to select on the next run (a widget's value cannot be set after it is drawn)
  _flash          a message to show once after a rerun
  _frame          the Frame of the last full run (pages and fragments read it)

Caching (process-wide, so every key names the database path and its data stamp):
  _connection(path)                       st.cache_resource: one records.Store per process: reads on
                                          read-only connections (so the CLI can read the file while the app
                                          is open), read-write only for the length of a write
  stamp(path)                             the Store's data stamp: a token every write renews (records.writing),
                                          this process's or another's (a CLI import); every cache below has it in
                                          its key (by_stamp), so a cached read never outlives the data it read
  counts / table_ranges / date_range / value_periods / choices / station_summary / needs / saved / meta_kind
                                          st.cache_data on (path, stamp, period, filters)
  _score_records(path, records_yaml, start, end)
                                          st.cache_data: the SQL of a scheme runs once per period. The key
                                          is the scheme's YAML with every weight set to 1, because weights
                                          never change the raw or normalised matrices; `score()` then applies
                                          the real weights with ScoreResult.reweighted (numpy only), so moving
                                          a weight or applying new weights never queries again.
  preview(path, measure_repr, start, end) st.cache_data: the raw values of one edited measure
  sensitivity(path, scheme_yaml, start, end, spread, draws, seed, top_k)
                                          st.cache_data: Monte Carlo rank intervals
"""
from __future__ import annotations

import functools
import inspect
import json
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
import streamlit as st

from indicators.scheme import catalog
from indicators.text_safety import plain

from indicators.scheme import editing

from indicators.scoring import measures

from indicators.records import queries

from indicators.records import store as records

from indicators.scoring import engine as scoring
from indicators.clock import shown_time
from indicators.errors import InputError
from indicators.i18n import LANGS, lang_of_locale, pick, t
from indicators.scoring.measures import Period
from indicators.scheme.model import Scheme, SchemeError, dump_yaml, load_yaml
from indicators.scoring.engine import ScoreResult
from indicators.analysis.sensitivity import Sensitivity, rank_intervals

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "demo.duckdb"
DEFAULT_SCHEME = "needs-met"
KNOWN_ERRORS = (InputError,)   # every bad-input error of the package: shown as its message, never a traceback
log = logging.getLogger("indicators.app")


@dataclass(frozen=True)
class Frame:
    """What every page needs to know, gathered by the sidebar on each full run."""
    lang: str
    db: str
    kind: str | None
    scheme: Scheme
    source: str                 # "builtin" | "saved" | "working"
    period: Period
    data_range: tuple[date | None, date | None]


# ---------------------------------------------------------------- database and cached queries

def db_path() -> str:
    return os.environ.get("INDICATORS_DB") or str(DEFAULT_DB)


def _close(con) -> None:
    try:
        con.close()
    except Exception:   # already closed
        pass


@st.cache_resource(show_spinner=False, on_release=_close)
def _connection(path: str):
    """The one Store of this process on `path`; the demo is built there first if no file exists."""
    if not Path(path).exists():
        records.build_demo(path)
    return records.Store(path)


def connection(path: str, lang: str):
    if not Path(path).exists():
        with st.spinner(t("frame.building", lang)):
            return _connection(path)
    return _connection(path)


def stamp(path: str) -> str:
    """The database's data stamp as this process's Store knows it (an attribute read while it holds the file; a read
    of one row when it opens the file again, the only time another process can have written)."""
    return _connection(path).stamp()


def by_stamp(**options):
    """st.cache_data for a query `fn(path, ...)` of the database whose key also holds the data stamp: after any
    write, by this app or by another process (a CLI import), the next call reads again. Arguments keep their
    names, so those starting with "_" stay out of the key as st.cache_data has it."""
    def wrap(fn):
        signature = inspect.signature(fn)
        first = next(iter(signature.parameters))

        def keyed(path, data_stamp, **kwargs):
            return fn(path, **kwargs)
        # st.cache_data tells functions apart by module, name and source: `keyed` is one source for them all
        keyed.__module__, keyed.__qualname__ = fn.__module__, f"{fn.__qualname__}.by_stamp"
        cached = st.cache_data(show_spinner=False, **options)(keyed)

        @functools.wraps(fn)
        def call(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            named = dict(bound.arguments)
            path = named.pop(first)
            return cached(path, stamp(path), **named)
        call.clear = cached.clear
        return call
    return wrap


@by_stamp(max_entries=16)
def meta_kind(path: str) -> str | None:
    return queries.meta_kind(_connection(path))


@by_stamp(max_entries=16)
def counts(path: str) -> dict[str, int]:
    return queries.table_counts(_connection(path))


@by_stamp(max_entries=16)
def table_ranges(path: str) -> pd.DataFrame:
    return queries.table_date_ranges(_connection(path))


@by_stamp(max_entries=16)
def date_range(path: str) -> tuple[date | None, date | None]:
    return queries.date_range(_connection(path))


@by_stamp(max_entries=64)
def value_periods(path: str, series: tuple[str, ...] = ()) -> list[tuple[date, date, int]]:
    """(start, end, rows) of the periods indicator_values holds (only `series` when given), latest first.
    indicator_values has no single date column, so date_range does not see them."""
    return queries.value_periods(_connection(path), series)


@by_stamp(max_entries=16)
def default_period(path: str) -> tuple[date | None, date | None, date | None, date | None]:
    """(default start, default end, first date, last date): the records' last year (queries.default_period)."""
    return queries.default_period(_connection(path))


@by_stamp(max_entries=16)
def stations(path: str) -> pd.DataFrame:
    return measures.load_stations(_connection(path))


@by_stamp(max_entries=64)
def choices(path: str, table: str, column: str) -> list[str]:
    return queries.distinct_values(_connection(path), table, column)


@by_stamp(max_entries=64)
def station_summary(path: str, start: date | None, end: date | None, districts: tuple[str, ...],
                    profiles: tuple[str, ...]) -> pd.DataFrame:
    return queries.station_summary(_connection(path), Period(start, end), districts, profiles)


@by_stamp(max_entries=32)
def needs(path: str, start: date | None, end: date | None) -> pd.DataFrame:
    return queries.needs_in_period(_connection(path), Period(start, end))


@by_stamp(max_entries=16)
def saved(path: str) -> pd.DataFrame:
    return queries.saved_schemes(_connection(path))


@by_stamp(max_entries=32)
def _score_records(path: str, records_yaml: str, start: date | None, end: date | None) -> ScoreResult:
    scheme = load_yaml(records_yaml)
    return scoring.score(_connection(path), scheme, Period(start, end))


@functools.lru_cache(maxsize=64)
def records_yaml(scheme: Scheme) -> str:
    """The records part of a scheme as YAML (every weight 1): the scoring cache key. Kept per scheme, because
    dumping YAML on every slider move cost more than the re-weighting itself (benchmarks/app_timing.py)."""
    return dump_yaml(editing.strip_weights(scheme))


def score(path: str, scheme: Scheme, period: Period) -> ScoreResult:
    """Every stage of the scheme over the period: SQL once per (records part, period), weights by numpy."""
    base = _score_records(path, records_yaml(scheme), period.start, period.end)
    return base.reweighted({d.id: d.weight for d in scheme.nodes()},
                           {i.id: i.weight for i in scheme.indicators}, provenance=scheme.provenance,
                           weighting=scheme.weighting)


@by_stamp(max_entries=64)
def _preview(path: str, measure_repr: str, start: date | None, end: date | None, own: str | None,
             _measure) -> pd.Series:
    con = _connection(path)
    stations = measures.load_stations(con)
    # a new indicator's series may not be imported yet: its preview shows no values rather than an error
    raw = measures.raw_values(con, {"value": measures.plan(_measure, own=own)}, stations, Period(start, end),
                              may_be_absent=frozenset({"value"}))
    return raw["value"]


def preview(path: str, measure, period: Period, own: str | None = None) -> pd.Series:
    """Raw values of one measure per station (plan first so a bad filter raises SchemeError). `own`: the
    indicator's id, the series a `value` measure reads unless it names another."""
    measures.plan(measure, own=own)
    return _preview(path, repr(measure), period.start, period.end, own or None, measure)


@by_stamp(max_entries=16)
def _sensitivity(path: str, scheme_yaml: str, start, end, spread: float, draws: int, seed: int, top_k: int,
                 vary_normalisation: bool, _result: ScoreResult) -> Sensitivity:
    r = _result
    alternatives = [a.to_numpy() for a in scoring.alternative_normalisations(r)] if vary_normalisation else None
    return rank_intervals(r.normalised, r.weights["effective"].to_numpy(), list(r.stations.index),
                          draws=draws, spread=spread, seed=seed, top_k=top_k, aggregation=r.scheme.aggregation,
                          alternatives=alternatives)


def sensitivity(path: str, result: ScoreResult, spread: float, draws: int, seed: int, top_k: int,
                vary_normalisation: bool = False) -> Sensitivity:
    return _sensitivity(path, dump_yaml(result.scheme), result.period.start, result.period.end,
                        float(spread), int(draws), int(seed), int(top_k), bool(vary_normalisation), result)


# Queries of the records cached elsewhere (records_cached), by name: a page script defines its function anew each run.
_RECORD_CACHES: dict = {}


def records_cached(**options):
    """st.cache_data for a query of the records kept outside this module: keyed by the data stamp like the rest, and
    cleared with them."""
    def wrap(fn):
        cached = by_stamp(**options)(fn)
        _RECORD_CACHES[f"{fn.__module__}.{fn.__qualname__}"] = cached
        return cached
    return wrap


def clear_record_caches() -> None:
    """The records changed (an import): drop every cached query, score, preview and sensitivity run of them. The new
    data stamp already keeps them from being read again; this frees their memory at once. Saved schemes stay."""
    for fn in (meta_kind, counts, table_ranges, date_range, value_periods, stations, choices, station_summary, needs,
               _score_records, _preview, _sensitivity, *_RECORD_CACHES.values()):
        fn.clear()


# ---------------------------------------------------------------- schemes

@st.cache_resource(max_entries=4, show_spinner=False)
def _builtin(scheme_id: str) -> Scheme:
    return catalog.builtin(scheme_id)


@st.cache_resource(max_entries=64, show_spinner=False)
def _parse(text: str, source: str) -> Scheme:
    return scoring.check(load_yaml(text, source), source)


def schemes(path: str) -> dict[str, tuple[Scheme, str]]:
    """id -> (scheme, source) for the built-ins, the saved schemes and this session's working copies
    (a working copy stands in for the saved scheme it edits). A saved scheme that no longer loads is
    left out and named in st.session_state['_broken']."""
    out: dict[str, tuple[Scheme, str]] = {sid: (_builtin(sid), "builtin") for sid in catalog.BUILTINS}
    broken = []
    for row in saved(path).itertuples():
        try:
            out[row.scheme_id] = (_parse(row.yaml, f"saved scheme {row.scheme_id}"), "saved")
        except SchemeError as exc:
            broken.append(exc)   # put in the reader's language where shown
    st.session_state["_broken"] = broken
    for sid, sch in st.session_state.get("working", {}).items():
        out[sid] = (sch, "working")
    return out


def scheme_label(entry: tuple[Scheme, str], lang: str) -> str:
    scheme, source = entry
    mark = {"builtin": t("frame.src.builtin", lang), "saved": t("frame.src.saved", lang),
            "working": t("frame.src.working", lang)}[source]
    return f"{pick(scheme, lang)} · {mark}"


def taken_ids(path: str) -> set[str]:
    return set(schemes(path))


def editable(f: Frame) -> Scheme:
    """The scheme an edit goes into: the current working copy, or a new one (built-ins get a new id)."""
    if f.source == "working":
        return f.scheme
    return editing.working_copy(f.scheme, taken_ids(f.db))


def put_working(scheme: Scheme, select: bool = True) -> None:
    """Keep an edited scheme as this session's working copy (and make it current on the next run)."""
    working = dict(st.session_state.get("working", {}))
    working[scheme.id] = scheme
    st.session_state["working"] = working
    if select:
        st.session_state["_pending_scheme"] = scheme.id


def save_and_select(f: Frame, scheme: Scheme, saved_by: str, message: str) -> None:
    """Save a scheme a live process made (workshop, expert rounds), make it current and say so after the rerun."""
    from app_pages import auth; auth.check("save_scheme")   # noqa: E702 - a lead saves schemes (issue 19)
    catalog.save(connection(f.db, f.lang), scheme, saved_by=saved_by)
    saved.clear()
    st.session_state["_pending_scheme"] = scheme.id
    flash("success", message)


def drop_working(scheme_id: str) -> None:
    working = dict(st.session_state.get("working", {}))
    working.pop(scheme_id, None)
    st.session_state["working"] = working


def flash(kind: str, text: str) -> None:
    """Show a message once, after the next rerun."""
    st.session_state["_flash"] = (kind, text)


def show_flash() -> None:
    item = st.session_state.pop("_flash", None)
    if item:
        kind, text = item
        {"success": st.success, "info": st.info, "warning": st.warning}.get(kind, st.info)(text)


# ---------------------------------------------------------------- errors

def show_error(exc: BaseException, lang: str) -> None:
    if isinstance(exc, records.DatabaseBusy):
        busy(exc, lang)
    elif isinstance(exc, SchemeError):
        where = f"{exc.source} · " if exc.source else ""
        st.error(t("error.scheme", lang, where=where, field=exc.field_in(lang), problem=exc.problem_in(lang)))
    elif isinstance(exc, KNOWN_ERRORS):
        st.error(t("error.known", lang, msg=exc.render(lang)))
    else:
        log.exception("unexpected error on a page")     # the log keeps the technical details, the page says what to do
        st.error(t("plain.unexpected", lang, time=shown_time(datetime.now(timezone.utc), lang, "%Y-%m-%d %H:%M")))


def busy(exc: records.DatabaseBusy, lang: str) -> None:
    """Another program holds the database for a moment (a command-line import): say so to whoever reads, with a
    Retry button, and stop the run. A resident (no account: a phone page) reads that the system is busy and nothing
    is lost; an evaluator reads the Store's words, which also name the program holding the file. Neither is told to
    run a command. Stopping (not ending the run normally) is what keeps the answers: Streamlit drops the values of
    widgets a run did not draw only when the run ends normally, so a half-answered ballot is still there after
    Retry (and _keep_answers shows them again)."""
    phone = st.session_state.get("_user") is None
    if phone:
        st.html(f"<style>{_PHONE_CSS}</style>")   # a press stops before its page's own style: no sidebar still
    # the browser forgets what the widgets this run did not draw showed: the next run sets them again
    st.session_state[_KEPT] = {k: v for k, v in st.session_state.items() if _answer(k, v)}
    st.warning(t("busy.phone", lang) if phone else exc.render(lang), icon=":material/hourglass_top:")
    st.button(t("busy.retry", lang), key="_busy_retry", type="primary", icon=":material/refresh:",
              width="stretch" if phone else "content", on_click=st.session_state.__setitem__, args=(_WHOLE, True))
    st.stop()


_KEPT = "_busy_kept"
_WHOLE = "_busy_whole"     # Retry was pressed: the next run draws the whole page


def whole_after_retry() -> None:
    """A fragment's first line: a Retry pressed inside it (a press of the fragment's stopped by busy) reruns the
    whole page, so that the notice above goes (a fragment's rerun leaves what is outside it on screen)."""
    if st.session_state.pop(_WHOLE, False):
        st.rerun(scope="app")


def _answer(key, value) -> bool:
    """A value a person gave a widget (text, a number, a choice, a date), not a button's press (a bool), a file, an
    editor's changes or this app's own state (keys starting with "_")."""
    if not isinstance(key, str) or key.startswith("_") or isinstance(value, bool):
        return False
    items = value if isinstance(value, (list, tuple)) else [value]
    return value is not None and all(isinstance(v, (str, int, float, date)) for v in items)


def _keep_answers() -> None:
    """After a run stopped by a busy database (busy), set the answers it kept again before any widget is drawn (the
    sidebar's first line, a phone page's first line): Streamlit still holds them, but the browser shows a widget's
    value again only when it is set."""
    st.session_state.pop(_WHOLE, None)      # a whole run is under way
    for key, value in st.session_state.pop(_KEPT, {}).items():
        if key in st.session_state and st.session_state[key] == value:
            st.session_state[key] = value


@contextmanager
def guard(lang: str):
    """No traceback reaches the page: the package's errors become an st.error with their message, a database held
    by another program a notice with Retry (busy), anything else a short "something went wrong". st.rerun / st.stop
    pass through (BaseException)."""
    try:
        yield
    except Exception as exc:   # noqa: BLE001 - the point is to catch everything a page raises
        show_error(exc, lang)


def guarded(fn):
    """The same guard around a function (fragments rerun on their own, and widget callbacks run before the page,
    outside the page's guard)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with guard(lang()):
            return fn(*args, **kwargs)
    return wrapper


# ---------------------------------------------------------------- choice widgets whose labels change

_DEFAULTS = ("index", "value", "default")
# Which argument holds each choice widget's default. It is set to the current choice on every run: when the
# browser sends no value for the widget (it can, if a page change interrupts a run), Streamlit falls back to
# this default, and without it to the first option (seen: the scheme jumping to photo-count on quick clicks).
_DEFAULT_OF = {"selectbox": "index", "radio": "index", "select_slider": "value", "segmented_control": "default",
               "pills": "default", "multiselect": "default"}


def choice(widget, label: str, options, *, key: str, format_func=str, **kwargs):
    """Draw a keyed choice widget (st.selectbox, radio, select_slider, segmented_control, multiselect, or
    the same on a column) whose option labels may change between runs: the language, a rename, "unsaved"
    becoming "saved".

    The browser keeps a choice as its label and sends that label back; when the labels have changed since
    it was drawn, Streamlit cannot match it and the choice is lost (it falls back to the default, or comes
    back as the label text). So when the labels change, the current choice is read (Streamlit still decodes
    it with the previous run's labels) and set again before the widget is drawn, which sends the browser
    the new label. Once the widget has a value, its default (index / value / default) is not passed again.
    """
    ss = st.session_state
    options = list(options)
    labels = tuple(str(format_func(o)) for o in options)
    seen = f"_labels:{key}"
    if key in ss:
        for name in _DEFAULTS:
            kwargs.pop(name, None)
        current = ss[key]
        single = not isinstance(current, (list, tuple))
        if single and current not in options:
            del ss[key]                      # the choice is gone (renamed, removed): back to the default
        else:
            if ss.get(seen) not in (None, labels):
                ss[key] = current
            param = _DEFAULT_OF.get(getattr(widget, "__name__", ""))
            if param == "index":
                kwargs["index"] = options.index(current)
            elif param is not None:
                kwargs[param] = current
    ss[seen] = labels
    return widget(label, options, key=key, format_func=format_func, **kwargs)


# ---------------------------------------------------------------- navigation and Streamlit's own words

def navigation(pages: list, lang: str):
    """st.navigation for app.py: every page listed (Streamlit folds a long list under "View 3 more"), Streamlit's own
    words in the reader's language, and an address naming no page opening the first page with a word in that
    language instead of Streamlit's English "Page not found" dialog."""
    streamlit_words(lang)
    asked = _unknown_address(pages)
    page = st.navigation(pages, expanded=True)
    if asked:
        st.toast(t("sw.no_page", lang, page=asked), icon=":material/explore_off:")
    return page


def _unknown_address(pages: list) -> str | None:
    """The page name of an address that names none of `pages` (the default page's own name included: it answers
    only at "/"), after telling Streamlit to open the default page without its dialog; None for a known address.
    Streamlit keeps the asked-for name on its pages manager and offers no option for this: read defensively, so a
    later version without it falls back to Streamlit's own handling."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    manager = getattr(get_script_run_ctx(), "pages_manager", None)
    asked = getattr(manager, "intended_page_name", None)
    if not asked or getattr(manager, "intended_page_script_hash", None) or not hasattr(manager, "set_script_intent"):
        return None   # "/" or a page chosen by its hash: Streamlit finds it or opens the default, silently
    first = next((p for p in pages if p.url_path == ""), pages[0])
    if asked in {p.url_path for p in pages if p is not first}:
        return None
    manager.set_script_intent("", "")
    return None if asked == first.url_path else asked


# What Streamlit writes itself on a page, as patterns of its English (one text node each), and the key of our words
# for it. Only text under these elements is read: the file box, the hint under a text box, the skip link, a choice
# box's list when nothing matches what was typed, and the running/connecting widget at the top right; and the
# placeholder of an empty choice box (an attribute, not a text node).
_STREAMLIT_WORDS = [(r"^Upload$", "sw.upload", {}), (r"^(\S+) per file$", "sw.per_file", {"size": "$1"}),
                    (r"^Drag and drop (?:a file|files|directories) here$", "sw.drop_here", {}),
                    (r"^Press Enter to apply$", "sw.press_apply", {}),
                    (r"^Press (Ctrl|⌘)\+Enter to apply$", "sw.press_keys_apply", {"mod": "$1"}),
                    (r"^Press Enter to submit form$", "sw.press_submit", {}),
                    (r"^Press (Ctrl|⌘)\+Enter to submit form$", "sw.press_keys_submit", {"mod": "$1"}),
                    (r"^Skip to main content$", "sw.skip", {}), (r"^No results$", "sw.no_results", {}),
                    (r"^Stop$", "sw.stop", {}), (r"^Stopping\.\.\.$", "sw.stopping", {}),
                    (r"^Connecting$", "sw.connecting", {}), (r"^Choose an option$", "sw.choose_one", {}),
                    (r"^Choose options$", "sw.choose_some", {})]
_WORDS_SCOPE = ('[data-testid="stFileUploaderDropzone"], [data-testid="InputInstructions"], '
                '[data-testid="stSkipToContent"], [data-testid="stSelectboxVirtualDropdown"], '
                '[data-testid="stMultiSelectDropdown"], [data-testid="stStatusWidget"]')
_HOLDERS = '[data-testid="stSelectbox"] input, [data-testid="stMultiSelect"] input'   # their empty box's words
# Streamlit offers no option for these words, and a CSS rule cannot tell the hint "Press Enter to apply" from the
# character count that stands alone in its place before a box is changed: a watcher puts our words in place of the
# text node whenever Streamlit writes it, and Streamlit's own back when the reader turns to English. Installed once
# per browser tab; each run sends the rules of its language.
_WORDS_JS = """<script>(() => {
  const w = window, rules = %s, scope = %s, holders = %s;
  w.__indWords = rules.map(([re, to]) => [new RegExp(re), to]);
  if (!w.__indWordsWalk) {
    const source = new WeakMap(), wrote = new WeakMap();
    const put = (key, now, write) => {   // a text node's value or an input's placeholder
      if (now !== wrote.get(key)) source.set(key, now);   // Streamlit wrote it: its words
      const src = source.get(key), rule = w.__indWords.find(([re]) => re.test(src));
      const out = rule ? src.replace(rule[0], rule[1]) : src;
      wrote.set(key, out);
      if (now !== out) write(out);
    };
    const fix = (n) => n.parentElement && n.parentElement.closest(scope)
      && put(n, n.nodeValue, (v) => { n.nodeValue = v; });
    const hold = (e) => e.matches(holders)
      && put(e, e.getAttribute("placeholder"), (v) => e.setAttribute("placeholder", v));
    const walk = (root) => {
      const it = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = it.nextNode(); n; n = it.nextNode()) fix(n);
    };
    const added = (n) => n.nodeType === 3 ? fix(n) : n.nodeType === 1 && ((n.closest(scope) ? walk(n)
      : n.querySelectorAll(scope).forEach(walk)), [n, ...n.querySelectorAll(holders)].forEach(hold));
    new MutationObserver((changes) => changes.forEach((c) => c.type === "characterData" ? fix(c.target)
      : c.type === "attributes" ? hold(c.target) : c.addedNodes.forEach(added))).observe(document.body,
      {childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["placeholder"]});
    w.__indWordsWalk = () => {
      document.querySelectorAll(scope).forEach(walk);
      document.querySelectorAll(holders).forEach(hold);
    };
  }
  w.__indWordsWalk();
})();</script>"""


@functools.lru_cache(maxsize=4)
def _words_html(lang: str) -> str:
    rules = [] if lang == "en" else [[pattern, t(key, lang, **fmt)] for pattern, key, fmt in _STREAMLIT_WORDS]
    return _WORDS_JS % (json.dumps(rules, ensure_ascii=False), json.dumps(_WORDS_SCOPE), json.dumps(_HOLDERS))


def streamlit_words(lang: str) -> None:
    """Streamlit's own words on every page (file box, hints under text boxes, skip link) in the reader's language; in
    English, Streamlit's own. Drawn in a container the page never shows (a script, nothing to see)."""
    with st.container(key="streamlit_words"):
        # the block and the wrapper Streamlit puts around it (which would still take the gap between elements)
        st.html("<style>.st-key-streamlit_words, [data-testid=stLayoutWrapper]:has(> .st-key-streamlit_words) "
                "{ display: none; }</style>")
        st.html(_words_html(lang), unsafe_allow_javascript=True)


# ---------------------------------------------------------------- the sidebar

def lang() -> str:
    ss = st.session_state
    if ss.get("lang") not in LANGS:
        asked = st.query_params.get("lang")       # a link may say (a voting slip's QR opens in Chinese)
        ss["lang"] = asked if asked in LANGS else lang_of_locale(st.context.locale)
    return ss["lang"]


def sidebar() -> Frame:
    """Draw the shared frame in the sidebar and return it (also kept as st.session_state['_frame'])."""
    ss = st.session_state
    _keep_answers()
    current_lang = lang()
    path = db_path()
    with st.sidebar:
        # through choice(), like every choice widget: a run cut short by a page change must not fall back to 中文
        choice(st.radio, "语言 / Language", LANGS, key="lang", horizontal=True,
               format_func=lambda code: {"zh": "中文", "en": "English"}[code])
        current_lang = ss["lang"]
        connection(path, current_lang)
        options = schemes(path)
        if "_pending_scheme" in ss:
            ss["scheme_id"] = ss.pop("_pending_scheme")
        if ss.get("scheme_id") not in options:
            ss["scheme_id"] = DEFAULT_SCHEME if DEFAULT_SCHEME in options else next(iter(options))
        choice(st.selectbox, t("frame.scheme", current_lang), list(options), key="scheme_id",
               format_func=lambda sid: scheme_label(options[sid], current_lang))
        scheme, source = options[ss["scheme_id"]]
        if len(scheme_label(options[ss["scheme_id"]], current_lang)) > 22:   # the box cuts long names: say it whole
            st.caption(plain(scheme_label(options[ss["scheme_id"]], current_lang)))   # a name from a file
        start0, end0, lo, hi = default_period(path)
        lo, hi = lo or date.today(), hi or date.today()
        if not isinstance(ss.get("period_start"), date):
            ss["period_start"] = start0 or lo
        if not isinstance(ss.get("period_end"), date):
            ss["period_end"] = end0 or hi
        st.markdown(f"**{t('frame.period', current_lang)}**")
        st.date_input(t("frame.from", current_lang), key="period_start", format="YYYY-MM-DD")
        st.date_input(t("frame.to", current_lang), key="period_end", format="YYYY-MM-DD")
        start, end = ss["period_start"], ss["period_end"]
        if start > end:
            st.warning(t("frame.period_swapped", current_lang))
            start, end = end, start
        st.caption(t("frame.data_range", current_lang, lo=lo, hi=hi))
        kind = meta_kind(path)
        if kind == "demo":
            st.info(t("frame.demo_note", current_lang), icon=":material/science:")
        for problem in ss.get("_broken", []):
            st.warning(t("frame.broken_scheme", current_lang, msg=problem.render(current_lang)))
        st.caption(t("frame.db", current_lang, path=Path(path).name))
    frame = Frame(lang=current_lang, db=path, kind=kind, scheme=scheme, source=source,
                  period=Period(start, end), data_range=(lo, hi))
    ss["_frame"] = frame
    return frame


def value_series(scheme: Scheme) -> dict[str, str]:
    """Indicator id -> the indicator_values series it reads, for the scheme's `value` items."""
    return {i.id: i.measure.series or i.id for i in scheme.indicators if i.measure.kind == "value"}


def periods_with_values(path: str, series) -> list[tuple[date, date, int]]:
    """(start, end, how many of `series` it holds) of every period in indicator_values holding any of them, latest
    first."""
    series = tuple(sorted(set(series)))
    held = {s: {(a, b) for a, b, _ in value_periods(path, (s,))} for s in series}
    return [(a, b, sum((a, b) in held[s] for s in series)) for a, b, _ in value_periods(path, series)]


def _set_period(start: date, end: date) -> None:
    # a callback: it runs before the sidebar draws the date inputs, so their values may still be set
    st.session_state["period_start"], st.session_state["period_end"] = start, end


def no_values_notice(f: Frame, result: ScoreResult) -> bool:
    """When the period holds no value for any of the scheme's value items (every raw value missing), say so in words
    and offer the periods that do, as buttons that set the period. True when it was said."""
    series = value_series(f.scheme)
    if not series or result.raw[list(series)].notna().to_numpy().any():
        return False
    periods = periods_with_values(f.db, set(series.values()))
    L = f.lang
    st.warning(t("qa.no_values", L, period=f.period.text(L), n=len(series)) + " "
               + t("qa.no_values_offer" if periods else "qa.no_values_none", L), icon=":material/event_busy:")
    if periods:
        cols = st.columns(min(len(periods), 4))
        for k, (start, end, n) in enumerate(periods[:8]):
            cols[k % len(cols)].button(t("qa.period_button", L, start=start, end=end, n=n, total=len(series)),
                                       key=f"period_to:{start}:{end}", on_click=_set_period, args=(start, end),
                                       icon=":material/event:")
    return True


def current() -> Frame:
    frame = st.session_state.get("_frame")
    if frame is None:   # a page opened before the sidebar ran (should not happen under st.navigation)
        frame = sidebar()
    return frame


def page_header(f: Frame, title_key: str, intro_key: str | None = None) -> None:
    st.title(t(title_key, f.lang))
    if intro_key:
        st.caption(t(intro_key, f.lang))
    show_flash()


_PHONE_CSS = """
section[data-testid="stSidebar"], [data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapseButton"]
  { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: 3.75rem; padding-left: 1rem; padding-right: 1rem; }
[data-testid="stMain"] h1 { font-size: 2rem; padding-top: 0; }
"""


def phone_page(css: str = "") -> None:
    """A page for a participant's phone: centred, no sidebar (its language switch sits at the top), large headings;
    `css` adds the page's own rules."""
    st.set_page_config(layout="centered", initial_sidebar_state="collapsed")
    st.html(f"<style>{_PHONE_CSS}{css}</style>")
    _keep_answers()
