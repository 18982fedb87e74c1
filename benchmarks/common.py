"""What the benchmark and its smoke test share: the engine run, the 50-indicator scheme, comparisons, the machine."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indicators.scheme import catalog

from indicators.scoring import engine as scoring  # noqa: E402
from indicators.scheme.model import Dimension, Gate, Indicator, Scheme, validate  # noqa: E402

SCHEMES = ("photo-count", "needs-met")
GENERATOR = ROOT / "sample_data" / "generate.py"


def builtin_schemes() -> dict[str, Scheme]:
    return {name: catalog.builtin(name) for name in SCHEMES}


def engine_results(con, schemes: dict[str, Scheme] | None = None, progress=None) -> dict[str, scoring.ScoreResult]:
    """Both built-in schemes end to end, SQL to ScoreResult, as the engine scores two schemes for a comparison
    (scoring.score_many: each record table read once for both)."""
    schemes = schemes or builtin_schemes()
    return dict(zip(schemes, scoring.score_many(con, list(schemes.values()), progress=progress)))


def generate_db(path: str | Path, stations: int, years: int, scale: float | None = None, seed: int = 20240101):
    """Write synthetic records to a DuckDB file in a child process (its memory is not the benchmark's)."""
    # --history 0: the sizes are the years scored, as every figure in benchmarks/README.md was measured
    cmd = [sys.executable, str(GENERATOR), "--stations", str(stations), "--years", str(years),
           "--seed", str(seed), "--history", "0", "--out", str(path)]
    if scale is not None:
        cmd += ["--scale", str(scale)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return done.stdout


def differences(a: pd.DataFrame, b: pd.DataFrame, tol: float = 1e-9) -> list[str]:
    """Cells where two stations x indicators matrices differ by more than tol (absolute or relative);
    NaN equals NaN. Empty when they agree; also reports differing stations or indicators."""
    if list(a.index) != list(b.index):
        return [f"stations differ: {list(a.index)[:5]}... vs {list(b.index)[:5]}..."]
    if set(a.columns) != set(b.columns):
        return [f"indicators differ: only in the first {sorted(set(a.columns) - set(b.columns))}, only in the "
                f"second {sorted(set(b.columns) - set(a.columns))} (did a built-in scheme change? benchmarks/floor.py "
                "and benchmarks/baseline_pandas.py compute its indicators by hand)"]
    b = b[list(a.columns)]
    out = []
    for col in a.columns:
        x, y = a[col].to_numpy(dtype=float), b[col].to_numpy(dtype=float)
        nan_x, nan_y = np.isnan(x), np.isnan(y)
        close = np.isclose(x, y, rtol=tol, atol=tol) | (nan_x & nan_y)
        for i in np.flatnonzero(~close)[:3]:
            out.append(f"{col} @ {a.index[i]}: {x[i]!r} vs {y[i]!r}")
    return out


# ---------------------------------------------------------------- the 50-indicator scheme for re-weighting

_KINDS = ("case", "group", "community", "publicity")


def wide_scheme(n: int = 50) -> Scheme:
    """A scheme of `n` indicators in 10 dimensions, made by replicating the built-in indicators with different
    filters (one kind of activity, one source of needs, one channel of feedback...), so that every indicator
    has real data behind it. It has the needs-met gate and both directions."""
    base = [i for s in builtin_schemes().values() for i in s.indicators]
    variants: list[Indicator] = list(base)
    k = 0
    while len(variants) < n:
        for ind in base:
            if len(variants) >= n:
                break
            m = ind.measure
            extra = None
            if m.table == "activities":
                extra = f"kind = '{_KINDS[k % 4]}'"
            elif m.table == "needs":
                extra = f"urgency >= {1 + k % 5}"
            elif m.table == "feedback":
                extra = f"rating >= {1 + k % 3}"
            elif m.table == "expenditures":
                extra = f"amount >= {100 * (k % 4)}"
            elif m.table == "inspections":
                extra = f"level = '{('district', 'city', 'province')[k % 3]}'"
            elif m.kind == "per_1000" and m.of.table == "activities":
                of = replace(m.of, filter=f"kind = '{_KINDS[k % 4]}'")
                variants.append(replace(ind, id=f"{ind.id}_v{k}", measure=replace(m, of=of)))
                continue
            elif m.kind == "top_share":
                variants.append(replace(ind, id=f"{ind.id}_v{k}", measure=replace(m, top=(0.05, 0.2, 0.25)[k % 3])))
                continue
            else:
                continue
            filt = f"({m.filter}) and {extra}" if m.filter else extra
            variants.append(replace(ind, id=f"{ind.id}_v{k}", measure=replace(m, filter=filt)))
        k += 1
    rng = np.random.default_rng(50)
    dims = []
    per = -(-n // 10)
    for d in range(10):
        inds = tuple(replace(i, weight=float(rng.integers(1, 10))) for i in variants[d * per:(d + 1) * per])
        if inds:
            dims.append(Dimension(f"dim{d}", f"维度{d}", f"Dimension {d}", inds, weight=float(rng.integers(1, 10))))
    gate = Gate("image_project_spending", "<=", 0.3, "C", "形象工程支出不超过30%", "Image projects at most 30%")
    return scoring.check(validate(Scheme("wide-50", "五十项指标", "Fifty indicators", tuple(dims), gates=(gate,))))


# ---------------------------------------------------------------- the machine

def machine() -> dict[str, str]:
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return {"cores": str(os.cpu_count()), "memory_gib": f"{mem_gib:.1f}", "cpu": cpu,
            "python": platform.python_version(), "load_avg": " ".join(f"{x:.2f}" for x in load)}
