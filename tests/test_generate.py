"""The seeded synthetic-data generator (sample_data/generate.py) and the demo CSVs."""
from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indicators.records.store import PERIOD_COLUMN, TABLES, VOCABULARIES, load_csv_dir  # noqa: E402

_spec = importlib.util.spec_from_file_location("sample_data_generate", ROOT / "sample_data" / "generate.py")
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

DEMO_DIR = ROOT / "sample_data" / "demo"
# Filled only by a rating round's agreed levels (indicators/live/raters.py); the generator leaves them empty.
PANEL_ONLY = {("ratings", "rater_count"), ("ratings", "alpha"), ("ratings", "on_site")}


@pytest.fixture(scope="module")
def demo():
    return gen.generate()


SMALL = {"stations": 7, "years": 2, "seed": 7, "start": "2023-07-01"}


@pytest.fixture(scope="module")
def small():
    """Two years, an odd number of stations, another seed and start day."""
    return gen.generate(**SMALL)


@pytest.fixture(scope="module")
def demo_figures(demo):
    return gen.station_figures(gen.load_frames(demo), since="2024-01-01")   # the assessment year


@pytest.fixture(params=["demo", "small"])
def frames(request):
    return request.getfixturevalue(request.param)


@pytest.fixture(params=["demo", "small"])
def frames_and_period(request):
    """The frames with their first day and number of assessment years."""
    spec = SMALL if request.param == "small" else {"years": 1, "start": "2024-01-01"}
    return request.getfixturevalue(request.param), pd.Timestamp(spec["start"]), spec["years"]


# --- determinism and the committed demo -------------------------------------------------


def test_same_seed_gives_identical_frames():
    a = gen.generate(stations=5, years=1, seed=11)
    b = gen.generate(stations=5, years=1, seed=11)
    for table in TABLES:
        pd.testing.assert_frame_equal(a[table], b[table])


def test_other_seed_differs():
    a = gen.generate(stations=5, years=1, seed=11)
    c = gen.generate(stations=5, years=1, seed=12)
    assert any(not a[t].equals(c[t]) for t in ("activities", "attendance", "needs"))


def test_demo_csvs_are_what_the_generator_writes(demo, tmp_path):
    written = gen.write_csv(demo, tmp_path)
    committed = sorted(p.name for p in DEMO_DIR.glob("*.csv"))
    assert committed == sorted(f"{t}.csv" for t in TABLES)
    for table, path in written.items():
        assert path.read_bytes() == (DEMO_DIR / f"{table}.csv").read_bytes(), (
            f"sample_data/demo/{table}.csv differs from generate(); rerun python sample_data/generate.py")


def test_demo_size_limits():
    """Small enough to commit and to load at every app start: 2024 and its history year (2023) together."""
    total = sum(p.stat().st_size for p in DEMO_DIR.glob("*.csv"))
    assert total < 6_000_000
    with (DEMO_DIR / "attendance.csv").open(encoding="utf-8") as fh:
        assert sum(1 for _ in fh) - 1 < 240_000


# --- shape and types --------------------------------------------------------------------


def test_columns_and_dtypes_follow_the_schema(frames):
    assert list(frames) == list(TABLES)
    for table, cols in TABLES.items():
        df = frames[table]
        assert list(df.columns) == list(cols), table
        for col, typ in cols.items():
            s = df[col]
            if (table, col) in PANEL_ONLY:
                assert s.isna().all(), (table, col)
                continue
            if typ == "INTEGER":
                assert s.dtype == np.int64, (table, col)
            elif typ == "DOUBLE":
                assert s.dtype == np.float64 and s.notna().all(), (table, col)
            elif typ == "DATE":
                assert pd.api.types.is_datetime64_any_dtype(s), (table, col)


def test_csv_integers_have_no_decimal_point_and_nulls_are_empty(tmp_path):
    frames = gen.generate(stations=3, seed=5)
    gen.write_csv(frames, tmp_path)
    for table, cols in TABLES.items():
        with (tmp_path / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert rows or table == "indicator_values", table   # the generator invents no values from elsewhere
        for col, typ in cols.items():
            values = [r[col] for r in rows]
            if (table, col) in PANEL_ONLY:
                assert set(values) == {""}, (table, col)
                continue
            if typ == "INTEGER":
                assert all(re.fullmatch(r"-?\d+", v) for v in values), (table, col)
            if typ == "DATE":
                assert all(v == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in values), (table, col)
            assert not any(v in ("nan", "NaN", "None", "NaT", "<NA>") for v in values), (table, col)
    # and they load into the record store as the app loads them
    con = duckdb.connect()
    counts = load_csv_dir(con, tmp_path)
    assert counts == {t: len(df) for t, df in frames.items()}


def test_station_ids_widen_with_the_count():
    st = gen.generate(stations=3)["stations"]["station_id"].tolist()
    assert st == ["S01", "S02", "S03"]
    frame, *_ = gen._stations(np.random.default_rng(1), 1300)
    assert frame["station_id"].iloc[0] == "S0001" and frame["station_id"].iloc[-1] == "S1300"
    assert frame["name"].is_unique and frame["station_id"].is_unique


# --- references and vocabularies --------------------------------------------------------


def test_references_are_valid(frames):
    st = frames["stations"].set_index("station_id")
    res = frames["residents"].set_index("resident_id")["station_id"]
    needs = frames["needs"].set_index("need_id")
    acts = frames["activities"].set_index("activity_id")
    for table, df in frames.items():
        key = next(iter(TABLES[table]))
        if table != "attendance":
            assert df[key].is_unique, table
        if "station_id" in df and table != "stations":
            assert df["station_id"].isin(st.index).all(), table
    assert res.index.is_unique

    a = frames["activities"]
    linked = a[a["need_id"].notna()]
    assert linked["need_id"].isin(needs.index).all()
    assert (needs.loc[linked["need_id"], "station_id"].to_numpy() == linked["station_id"].to_numpy()).all()
    assert (needs.loc[linked["need_id"], "raised_on"].to_numpy() < linked["held_on"].to_numpy()).all()

    t = frames["attendance"]
    assert not t.duplicated().any()
    assert t["activity_id"].isin(acts.index).all() and t["resident_id"].isin(res.index).all()
    assert (acts.loc[t["activity_id"], "station_id"].to_numpy() == res.loc[t["resident_id"]].to_numpy()).all()

    f = frames["feedback"]
    assert f["resident_id"].isin(res.index).all()
    assert (res.loc[f["resident_id"]].to_numpy() == f["station_id"].to_numpy()).all()
    fa = f[f["activity_id"].notna()]
    assert fa["activity_id"].isin(acts.index).all()
    assert (acts.loc[fa["activity_id"], "station_id"].to_numpy() == fa["station_id"].to_numpy()).all()
    assert (acts.loc[fa["activity_id"], "held_on"].to_numpy() <= fa["given_on"].to_numpy()).all()
    fn = f[f["need_id"].notna()]
    assert fn["need_id"].isin(needs.index).all()
    assert (needs.loc[fn["need_id"], "station_id"].to_numpy() == fn["station_id"].to_numpy()).all()

    e = frames["expenditures"]
    en = e[e["need_id"].notna()]
    assert en["need_id"].isin(needs.index).all()
    assert (needs.loc[en["need_id"], "station_id"].to_numpy() == en["station_id"].to_numpy()).all()
    assert (needs.loc[en["need_id"], "raised_on"].to_numpy() <= en["spent_on"].to_numpy()).all()

    # every resident row is used somewhere, or is on the station's register of a priority group (reached or not)
    seen = set(t["resident_id"]) | set(f["resident_id"])
    listed = set(frames["residents"].loc[frames["residents"]["priority_group"] != "none", "resident_id"])
    assert seen <= set(res.index) and set(res.index) - seen <= listed


def test_vocabularies_are_respected(frames):
    for (table, col), allowed in VOCABULARIES.items():
        values = frames[table][col].dropna()
        assert values.isin(allowed).all(), (table, col, set(values) - set(allowed))
    assert frames["residents"]["age_band"].isin(["0-17", "18-39", "40-59", "60-79", "80+"]).all()
    assert frames["needs"]["category"].isin(gen.NEED_CATEGORIES).all()
    assert frames["stations"]["profile"].isin(gen.PROFILES).all()
    assert frames["stations"]["district"].isin(gen.DISTRICTS).all()
    assert (frames["ratings"]["indicator_id"] == "professional_quality").all()
    assert frames["ratings"]["level"].isin(["优", "良", "中", "差"]).all()
    pg = frames["residents"]["priority_group"]
    assert (pg == "none").mean() > 0.6 and (pg != "none").any()
    # a child is never "elderly_alone", an old person never "left_behind_child"
    r = frames["residents"]
    assert not ((r["priority_group"] == "elderly_alone") & r["age_band"].isin(["0-17", "18-39", "40-59"])).any()
    assert not ((r["priority_group"] == "left_behind_child") & (r["age_band"] != "0-17")).any()


# Tables with rows in the history year before the first assessment year (generate's default history=1).
HISTORY_TABLES = {"needs", "activities", "inspections"}


def test_dates_and_ranges(frames_and_period):
    frames, first, years = frames_and_period
    last = first + pd.DateOffset(years=years) - pd.Timedelta(days=1)
    before = first - pd.DateOffset(years=1)
    for table, col in PERIOD_COLUMN.items():
        d = frames[table][col]
        assert d.notna().all() and d.min() >= (before if table in HISTORY_TABLES else first), table
        assert d.max() <= last, table
        early = d < first   # the history's rows, listed after those of the assessment years
        assert (early.any() == (table in HISTORY_TABLES)) and not early.iloc[: (~early).sum()].any(), table
    h = frames["needs"][frames["needs"]["raised_on"] < first]
    assert (h["resolved_on"].dropna() <= first + pd.Timedelta(days=59)).all()

    n = frames["needs"][frames["needs"]["raised_on"] >= first]
    resolved = n["status"] == "resolved"
    assert (n["resolved_on"].notna() == resolved).all()
    r = n[resolved]
    assert (r["resolved_on"] > r["raised_on"]).all()
    year_of = [(first + pd.DateOffset(years=y)) for y in range(years + 1)]
    year_end = pd.Series([next(b for b in year_of if b > d) - pd.Timedelta(days=1) for d in r["raised_on"]],
                         index=r.index)
    assert (r["resolved_on"] <= year_end + pd.Timedelta(days=60)).all()
    assert n["urgency"].between(1, 5).all() and n["households_affected"].between(1, 200).all()
    assert frames["feedback"]["rating"].between(1, 5).all()
    assert frames["stations"]["population"].between(8000, 40000).all()

    st_years = len(frames["stations"]) * years

    def per_station_year(df, col):
        year = sum(((df[col] >= b).astype(int) for b in year_of[1:-1]), pd.Series(0, index=df.index))
        return df.groupby([df["station_id"], year]).size()

    needs_per = per_station_year(n, "raised_on")
    assert len(needs_per) == st_years and needs_per.between(40, 120).all()
    ratings_per = per_station_year(frames["ratings"], "rated_on")
    assert len(ratings_per) == st_years and ratings_per.between(2, 4).all()
    assert frames["residents"].groupby("station_id").size().between(150, 2000).all()

    a = frames["activities"]
    real = frames["attendance"].groupby("activity_id").size().reindex(a["activity_id"], fill_value=0)
    assert (a["headcount"].to_numpy() >= real.to_numpy()).all()
    assert (a["photos"] >= 0).all() and (a["media_items"] >= 0).all()
    assert (a["cost"] > 0).all() and (a["staff_hours"] > 0).all()
    case = a["kind"] == "case"
    assert real[case.to_numpy()].between(1, 2).all()


# --- stations and profiles --------------------------------------------------------------


def test_profiles_balanced_and_interleaved(demo):
    st = demo["stations"]
    assert st["profile"].value_counts().to_dict() == {p: 8 for p in gen.PROFILES}
    assert st["profile"].tolist() != sorted(st["profile"])
    assert set(st["district"]) == set(gen.DISTRICTS)
    # every district with three or more stations holds at least two profiles
    per_d = st.groupby("district")["profile"].nunique()
    size = st.groupby("district").size()
    assert (per_d[size >= 3] >= 2).all()


def test_population_does_not_follow_profile(demo):
    st = demo["stations"]
    pop = st["population"].astype(float)
    means = pop.groupby(st["profile"]).mean()
    between = (st["profile"].map(means) - pop.mean()).pow(2).sum()
    eta_sq = between / (pop - pop.mean()).pow(2).sum()
    assert eta_sq < 0.1


# --- calibration against the study ------------------------------------------------------


def _by(figures, profile):
    return figures[figures["profile"] == profile]


def test_pre_inspection_window_share(demo_figures):
    show, mixed, needs = (_by(demo_figures, p) for p in ("show_window", "mixed", "needs_driven"))
    share = lambda d: d["n_win"].sum() / d["n_act"].sum()  # noqa: E731
    assert share(show) > 0.5
    assert share(needs) < 0.45
    assert 0.45 <= share(mixed) <= 0.6


def test_inspections_per_station_year(demo_figures, small):
    assert demo_figures["inspections_per_year"].between(28, 36).all()
    ins = small["inspections"]
    ins = ins[ins["inspected_on"] >= pd.Timestamp(SMALL["start"])]   # the assessment years, not the history
    per = ins.groupby(["station_id", (ins["inspected_on"] >= pd.Timestamp("2024-07-01"))]).size()
    assert per.between(28, 36).all() and len(per) == 14


def test_mixed_budget_matches_the_study(demo_figures, demo):
    mixed = _by(demo_figures, "mixed")
    for col, target in (("elderly", 0.087), ("image", 0.213)):
        assert (mixed[col] - target).abs().max() <= 0.015, col
        assert abs(mixed[col].mean() - target) <= 0.015, col
    # the pooled share too (sum of amounts over mixed stations)
    e = demo["expenditures"].merge(demo["stations"][["station_id", "profile"]], on="station_id")
    e = e[e["profile"] == "mixed"]
    shares = e.groupby("category")["amount"].sum() / e["amount"].sum()
    assert abs(shares["elderly_friendly_renovation"] - 0.087) <= 0.015
    assert abs(shares["image_project"] - 0.213) <= 0.015


def test_repeat_attendees(demo_figures):
    assert (_by(demo_figures, "show_window")["top10"] > 0.5).all()
    assert (_by(demo_figures, "needs_driven")["top10"] < 0.35).all()


def test_profiles_disagree_on_outputs_and_needs(demo_figures):
    p = gen.profile_figures(demo_figures)
    for key in ("photos", "media", "activities_per_year", "headcount_ratio", "image", "prep_hours"):
        assert p.at[key, "show_window"] > p.at[key, "mixed"] > p.at[key, "needs_driven"], key
    for key in ("urgent_resolved", "act_linked", "elderly", "spend_linked", "meeting_yes", "rating",
                "rubric_good", "reach_per_1000"):
        assert p.at[key, "show_window"] < p.at[key, "mixed"] < p.at[key, "needs_driven"], key
    assert p.at["days_to_resolve", "show_window"] >= 60
    assert p.at["days_to_resolve", "needs_driven"] <= 25
    assert p.at["urgent_resolved", "needs_driven"] >= 0.7 and p.at["urgent_resolved", "show_window"] <= 0.35


def test_ranks_overlap_across_profiles(demo_figures):
    """Noise: a couple of mixed stations beat the weakest needs_driven one on needs measures."""
    needs = _by(demo_figures, "needs_driven")
    mixed = _by(demo_figures, "mixed")
    weakest = needs.loc[needs["urgent_resolved"].idxmin()]
    better = mixed[(mixed["urgent_resolved"] > weakest["urgent_resolved"])
                   & (mixed["days_to_resolve"] <= weakest["days_to_resolve"])]
    assert len(better) >= 2


def test_check_command_prints_the_table(capsys):
    assert gen.main(["--check", str(DEMO_DIR)]) == 0
    out = capsys.readouterr().out
    assert "| share of activities 0-3 days before an inspection |" in out
    assert out.count("\n") >= len(gen.CALIBRATION_ROWS) + 2


def test_cli_writes_every_table(tmp_path, capsys):
    assert gen.main(["--out", str(tmp_path), "--stations", "2", "--seed", "3"]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == sorted(f"{t}.csv" for t in TABLES)
