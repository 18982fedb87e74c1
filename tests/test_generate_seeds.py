"""The generator holds its documented calibration on every seed, not only the demo's: ten seeds (the demo's and
1-9), each bound as sample_data/README.md states it. Per-station bounds that chance can cross on some seed are
stated as distributions (e.g. the top-10% share: above 0.5 at 7 of 8 show_window stations or more, none below 0.45).
About 12 s: the ten data sets are made once for the module."""
from __future__ import annotations

import pytest

from tests.test_generate import gen

SEEDS = (20240101, 1, 2, 3, 4, 5, 6, 7, 8, 9)   # the demo's seed first; seed 6 has a show_window station at 0.494


@pytest.fixture(scope="module")
def figures():
    out = {}
    for seed in SEEDS:
        # the history year changes no row of the assessment year (tests/test_generate_history.py): left out here
        con = gen.load_frames(gen.generate(seed=seed, history=0))
        out[seed] = gen.station_figures(con)
        con.close()
    return out


def _by(f, profile):
    return f[f["profile"] == profile]


def test_profile_bounds_hold_on_every_seed(figures):
    for seed, f in figures.items():
        show, mixed, needs = (_by(f, p) for p in gen.PROFILES)
        share = lambda d: d["n_win"].sum() / d["n_act"].sum()  # noqa: E731
        assert share(show) > 0.5 and share(needs) < 0.45 and 0.45 <= share(mixed) <= 0.6, seed
        assert f["inspections_per_year"].between(28, 36).all(), seed
        for col, target in (("elderly", 0.087), ("image", 0.213)):
            assert (mixed[col] - target).abs().max() <= 0.015, (seed, col)
        p = gen.profile_figures(f)
        for key in ("photos", "media", "activities_per_year", "headcount_ratio", "image", "prep_hours"):
            assert p.at[key, "show_window"] > p.at[key, "mixed"] > p.at[key, "needs_driven"], (seed, key)
        for key in ("urgent_resolved", "act_linked", "elderly", "spend_linked", "meeting_yes", "rating",
                    "rubric_good", "reach_per_1000"):
            assert p.at[key, "show_window"] < p.at[key, "mixed"] < p.at[key, "needs_driven"], (seed, key)
        assert p.at["days_to_resolve", "show_window"] >= 60 and p.at["days_to_resolve", "needs_driven"] <= 25, seed
        assert p.at["urgent_resolved", "needs_driven"] >= 0.7 and p.at["urgent_resolved", "show_window"] <= 0.35, seed


def test_repeat_attendees_as_a_distribution(figures):
    for seed, f in figures.items():
        show, needs = _by(f, "show_window")["top10"], _by(f, "needs_driven")["top10"]
        assert show.mean() > 0.5, seed                                  # the documented profile bound
        assert (show > 0.5).sum() >= len(show) - 1 and show.min() > 0.45, (seed, show.min())
        assert (needs < 0.35).all(), (seed, needs.max())
    # on the demo seed every show_window station is above 0.5 (the demo CSVs are pinned to this seed)
    assert (_by(figures[SEEDS[0]], "show_window")["top10"] > 0.5).all()
