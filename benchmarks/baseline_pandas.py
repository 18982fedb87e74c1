"""The pandas baseline: the indicators of both built-in schemes the way an analyst would compute them by hand.

Read every table into a DataFrame (`.df()`), then filter, merge and group by in pandas. The read is part of
the time: it is what a user without the engine has to do. Written independently of the engine and of the
floor SQL; the benchmark divides this time by the engine's (ratio_pandas).

    python benchmarks/baseline_pandas.py --db PATH [--repeat N] [--out PREFIX]   # prints JSON: seconds, peak RSS
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import date

import numpy as np
import pandas as pd

NEED_GROUPS = {"care": ("elderly_care", "disability_support"), "home": ("housing_repair", "accessibility"),
               "family": ("child_care", "employment"), "neighbourhood": ("neighbour_dispute", "health")}
TABLES = ("stations", "needs", "activities", "attendance", "inspections", "feedback", "expenditures", "ratings",
          "residents")


def read_tables(con) -> dict[str, pd.DataFrame]:
    return {t: con.cursor().execute(f"SELECT * FROM {t}").df() for t in TABLES}


def _in_period(df: pd.DataFrame, col: str, start, end) -> pd.DataFrame:
    d = pd.to_datetime(df[col])
    return df[(d >= pd.Timestamp(start or date(1900, 1, 1))) & (d <= pd.Timestamp(end or date(2262, 1, 1)))]


def _share(num: pd.Series, den: pd.Series, index: pd.Index) -> pd.Series:
    num = num.reindex(index).fillna(0).astype(float)
    den = den.reindex(index).fillna(0).astype(float)
    return (num / den).where(den != 0)


def raw_pandas(frames: dict[str, pd.DataFrame], start=None, end=None) -> dict[str, pd.DataFrame]:
    """Raw values (stations x indicators) of photo-count and needs-met, NaN where the indicator has no data."""
    st = frames["stations"].sort_values("station_id").set_index("station_id")
    idx = st.index
    pop = st["population"].astype(float).where(st["population"] > 0)
    acts = _in_period(frames["activities"], "held_on", start, end)
    ins = _in_period(frames["inspections"], "inspected_on", start, end)
    needs = _in_period(frames["needs"], "raised_on", start, end)
    fb = _in_period(frames["feedback"], "given_on", start, end)
    exp = _in_period(frames["expenditures"], "spent_on", start, end)
    rat = _in_period(frames["ratings"], "rated_on", start, end)

    # photo-count
    g = acts.groupby("station_id")
    n_act = g.size().reindex(idx, fill_value=0).astype(float)
    photo = pd.DataFrame({
        "activities_held": n_act,
        "community_events": acts[acts["kind"].isin(["community", "publicity"])].groupby("station_id").size()
        .reindex(idx, fill_value=0).astype(float),
        "photos": g["photos"].sum().reindex(idx, fill_value=0).astype(float),
        "media_items": g["media_items"].sum().reindex(idx, fill_value=0).astype(float),
        "headcount_reported": g["headcount"].sum().reindex(idx, fill_value=0).astype(float) * 1000.0 / pop,
        "inspection_prep_hours": ins.groupby("station_id")["prep_hours"].sum().reindex(idx, fill_value=0)
        .astype(float),
    }, index=idx)

    # needs-met: needs
    urgent = needs[needs["urgency"] >= 4]
    resolved = needs["status"] == "resolved"
    w = needs["urgency"] * needs["households_affected"]
    days = (pd.to_datetime(needs["resolved_on"]) - pd.to_datetime(needs["raised_on"])).dt.days

    # attendance: the station of each visit comes from its activity
    att = frames["attendance"].merge(acts[["activity_id", "station_id"]], on="activity_id")
    visits = att.groupby(["station_id", "resident_id"], dropna=False).size().rename("visits").reset_index()
    visits = visits.sort_values(["station_id", "visits"], ascending=[True, False])
    visits["rank"] = visits.groupby("station_id").cumcount() + 1
    visits["attendees"] = visits.groupby("station_id")["visits"].transform("size")
    top = visits[visits["rank"] <= np.ceil(0.1 * visits["attendees"])].groupby("station_id")["visits"].sum()
    everyone = visits.groupby("station_id")["visits"].sum()
    reached = visits.dropna(subset=["resident_id"]).groupby("station_id").size()

    # activities: days to the next inspection of the station (all inspections, not only the period's)
    a = acts[["station_id", "held_on", "need_id"]].copy()
    a["held_on"] = pd.to_datetime(a["held_on"])
    i = frames["inspections"][["station_id", "inspected_on"]].dropna().copy()
    i["inspected_on"] = pd.to_datetime(i["inspected_on"])
    nxt = pd.merge_asof(a.sort_values("held_on"), i.sort_values("inspected_on"), left_on="held_on",
                        right_on="inspected_on", by="station_id", direction="forward")
    nxt["days"] = (nxt["inspected_on"] - nxt["held_on"]).dt.days
    pre = nxt[nxt["days"] <= 3].groupby("station_id").size()

    votes = fb[fb["channel"].isin(["council", "evaluation_meeting"])]
    votes = votes["need_met"].map({"yes": 100.0, "no": 0.0}).groupby(votes["station_id"]).mean()
    sat = fb["rating"].map({1: 0.0, 2: 25.0, 3: 50.0, 4: 75.0, 5: 100.0}).groupby(fb["station_id"]).mean()
    spend = exp.groupby("station_id")["amount"].sum()
    q = rat[rat["indicator_id"] == "professional_quality"]
    quality = q["level"].map({"优": 100.0, "良": 80.0, "中": 60.0, "差": 40.0}).groupby(q["station_id"]).mean()

    needs_met = pd.DataFrame({
        "urgent_needs_resolved": _share(urgent[urgent["status"] == "resolved"].groupby("station_id").size(),
                                        urgent.groupby("station_id").size(), idx),
        "weighted_needs_met": _share(w[resolved].groupby(needs["station_id"][resolved]).sum(),
                                     w.groupby(needs["station_id"]).sum(), idx),
        "days_to_resolve": days[resolved].groupby(needs["station_id"][resolved]).median().reindex(idx)
        .astype(float),
        **{f"{g}_needs_resolved": _share(needs[in_g & resolved].groupby("station_id").size(),
                                         needs[in_g].groupby("station_id").size(), idx)
           for g, cats in NEED_GROUPS.items() for in_g in [needs["category"].isin(cats)]},
        "residents_reached": reached.reindex(idx, fill_value=0).astype(float) * 1000.0 / pop,
        "repeat_attendance": _share(top, everyone, idx),
        "need_met_votes": votes.reindex(idx).astype(float),
        "satisfaction": sat.reindex(idx).astype(float),
        "need_linked_activities": _share(acts[acts["need_id"].notna()].groupby("station_id").size(),
                                         n_act, idx),
        "pre_inspection_activities": _share(pre, n_act, idx),
        "spending_on_needs": _share(exp[exp["need_id"].notna()].groupby("station_id")["amount"].sum(), spend, idx),
        "image_project_spending": _share(exp[exp["category"] == "image_project"].groupby("station_id")["amount"]
                                         .sum(), spend, idx),
        "professional_quality": quality.reindex(idx).astype(float),
    }, index=idx)
    return {"photo-count": photo, "needs-met": needs_met.assign(**_reach(frames, start, end, idx))}


def _reach(frames: dict[str, pd.DataFrame], start, end, idx: pd.Index) -> dict[str, pd.Series]:
    """needs-met's rotation indicators: new attendees (ever, and within 365 days), month-on-month returning,
    priority-group residents never reached."""
    lo, hi = pd.Timestamp(start or date(1900, 1, 1)), pd.Timestamp(end or date(2262, 1, 1))
    v = frames["attendance"].merge(frames["activities"][["activity_id", "station_id", "held_on"]], on="activity_id")
    v["held_on"] = pd.to_datetime(v["held_on"])
    v = v[v["held_on"] <= hi]
    inside, before = v[v["held_on"] >= lo], v[v["held_on"] < lo]
    first = inside.groupby(["station_id", "resident_id"])["held_on"].min().rename("first")
    last = before.groupby(["station_id", "resident_id"])["held_on"].max().rename("last")
    who = first.to_frame().join(last)
    gap = (who["first"] - who["last"]).dt.days
    st = who.index.get_level_values("station_id")
    history = before.groupby("station_id").size().reindex(idx, fill_value=0) > 0
    n = who.groupby(st).size()
    new = _share(who["last"].isna().groupby(st).sum(), n, idx).where(history)
    new_year = _share((who["last"].isna() | (gap > 365)).groupby(st).sum(), n, idx).where(history)
    months = inside.assign(m=inside["held_on"].dt.year * 12 + inside["held_on"].dt.month)[
        ["station_id", "resident_id", "m"]].drop_duplicates()
    seen = set(zip(months["station_id"], months["resident_id"], months["m"]))
    later = months[months["m"] > months.groupby("station_id")["m"].transform("min")]
    came_back = [(s_, r, m - 1) in seen for s_, r, m in zip(later["station_id"], later["resident_id"], later["m"])]
    returning = _share(pd.Series(came_back, index=later.index, dtype=float).groupby(later["station_id"]).sum(),
                       later.groupby("station_id").size(), idx)
    res = frames["residents"]
    listed = res[res["priority_group"] != "none"]
    reached = set(zip(inside["station_id"], inside["resident_id"]))
    not_seen = [(s_, r) not in reached for s_, r in zip(listed["station_id"], listed["resident_id"])]
    unreached = _share(pd.Series(not_seen, index=listed.index, dtype=float).groupby(listed["station_id"]).sum(),
                       listed.groupby("station_id").size(), idx)
    return {"new_attendees": new, "first_in_a_year": new_year, "month_on_month_returning": returning,
            "priority_unreached": unreached}


def run_once(con, start=None, end=None) -> dict[str, pd.DataFrame]:
    return raw_pandas(read_tables(con), start, end)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out", help="also write the raw values to OUT-<scheme>.parquet")
    args = ap.parse_args(argv)
    import duckdb
    con = duckdb.connect(args.db, read_only=True)
    seconds = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        raw = run_once(con)
        seconds.append(time.perf_counter() - t0)
    if args.out:
        for name, df in raw.items():
            df.to_parquet(f"{args.out}-{name}.parquet")
    print(json.dumps({"seconds": seconds,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
