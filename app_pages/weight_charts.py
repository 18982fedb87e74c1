"""The Weights page's two charts as the Vega-Lite specs it draws, made cheaply enough for every slider move (a module
of that page, not a page itself).

Building a chart with altair costs 20-30 ms of CPU however few its rows (its schema machinery): the two charts were
over half of the server's work for a slider move. So
- the camp-share chart is kept per (shares, language): the built-in schemes put all their weight in one camp, and
  no move of theirs changes it;
- the top-10 chart is built by altair once per (stations in rank order, language); a move that keeps that order puts
  only its new rows into it, made from the frame by altair's own default data transformer. The spec is then what
  altair builds (tests/test_app_start.py checks it against charts.ranking_chart for many moves).
Each spec also names its data the same from one move to the next (altair names it by a hash of the rows), so the
browser hands the drawn chart its new rows instead of building the chart again.
"""
from __future__ import annotations

import functools
import json
import threading

import pandas as pd
from altair.vegalite.data import default_data_transformer

from indicators.outputs import charts, views

_LAYOUTS = 64                # top-10 layouts kept: (order, language) pairs seen lately
_layouts: dict[tuple, str] = {}
_lock = threading.Lock()     # one process serves every browser tab


def named(spec: dict, name: str) -> dict:
    """`spec` (altair's to_dict) with its datasets named `name-0`, `name-1`, ... instead of by their rows' hash."""
    data = spec.pop("datasets", {})
    text = json.dumps(spec)
    for n, old in enumerate(data):
        text = text.replace(json.dumps(old), json.dumps(f"{name}-{n}"))
    return {**json.loads(text), "datasets": {f"{name}-{n}": rows for n, rows in enumerate(data.values())}}


@functools.lru_cache(maxsize=64)
def _camp_share(shares: tuple[tuple[str, float], ...], lang: str) -> str:
    spec = charts.camp_share_chart(views.camp_frame(dict(shares), lang), lang).to_dict(validate=False)
    return json.dumps(named(spec, "camp_share"))


def camp_share(shares: dict[str, float], lang: str) -> dict:
    """charts.camp_share_chart of these shares (editing.camp_shares), as a spec to draw."""
    return json.loads(_camp_share(tuple(shares.items()), lang))


def top10(top: pd.DataFrame, lang: str) -> dict:
    """charts.ranking_chart of `top` (views.ranking_changes, best first), as a spec to draw."""
    key = (tuple(top.sort_values(["rank", "station"])["station"]), lang)   # what the chart orders its bars by
    with _lock:
        layout = _layouts.get(key)
    if layout is None:
        spec = named(charts.ranking_chart(top, lang).to_dict(validate=False), "top10")
        with _lock:
            if len(_layouts) >= _LAYOUTS:
                _layouts.clear()
            _layouts[key] = json.dumps({k: v for k, v in spec.items() if k != "datasets"})
        return spec
    return {**json.loads(layout), "datasets": {"top10-0": default_data_transformer(top.copy())["values"]}}
