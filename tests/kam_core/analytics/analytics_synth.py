"""A small synthetic brewer for analytics tests, independent of the demo generator.

Plants a few diverters (ship-to and scans outside their territory, a below-floor price check) and a few
high-volume / low-loyalty accounts (low share of wallet, irregular orders, low NPS), and returns their ids.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from kam_core.db import schema as s
from kam_core.db.bulk import bulk_insert

CHANNELS = ("DIST", "WHS2", "KA", "RETAIL")
END = dt.date(2026, 6, 30)


def _regions():
    rows = []
    for r in ("R01", "R02"):
        rows.append({"region_id": r, "parent_id": None, "level": "region", "code": r, "path": r})
        for a in ("A1", "A2"):
            ra = f"{r}{a}"
            rows.append({"region_id": ra, "parent_id": r, "level": "area", "code": ra, "path": f"{r}/{ra}"})
            rc = f"{ra}C1"
            rows.append({"region_id": rc, "parent_id": ra, "level": "community", "code": rc, "path": f"{r}/{ra}/{rc}"})
            for st in ("S1", "S2"):
                rs = f"{rc}{st}"
                rows.append(
                    {"region_id": rs, "parent_id": rc, "level": "street", "code": rs, "path": f"{r}/{ra}/{rc}/{rs}"}
                )
    df = pd.DataFrame(rows)
    df["name_zh"] = df["code"]
    df["name_en"] = df["code"]
    return df


def _reference(conn) -> pd.DataFrame:
    bulk_insert(conn, s.region, _regions())
    bulk_insert(
        conn,
        s.channel_tier,
        pd.DataFrame(
            [{"tier_code": c, "name_zh": c, "name_en": c, "level_in_chain": i} for i, c in enumerate(CHANNELS, 1)]
        ),
    )
    bulk_insert(
        conn,
        s.sales_rep,
        pd.DataFrame(
            [
                {"rep_id": f"REP{i}", "name": f"rep{i}", "hourly_cost": 60.0 + 10 * i, "home_region_id": r}
                for i, r in enumerate(("R01", "R02", "R01"), 1)
            ]
        ),
    )
    products = pd.DataFrame(
        [
            {"sku_id": "SKU1", "name": "main can", "segment": "mainstream", "std_cogs_per_case": 30.0},
            {"sku_id": "SKU2", "name": "main bottle", "segment": "mainstream", "std_cogs_per_case": 28.0},
            {"sku_id": "SKU3", "name": "premium", "segment": "premium", "std_cogs_per_case": 50.0},
            {
                "sku_id": "SKU4",
                "name": "new",
                "segment": "mainstream",
                "std_cogs_per_case": 32.0,
                "launch_date": dt.date(2026, 1, 1),
            },
        ]
    )
    bulk_insert(conn, s.product, products)
    base = {"SKU1": 48.0, "SKU2": 45.0, "SKU3": 90.0, "SKU4": 55.0}
    bulk_insert(
        conn,
        s.price_list,
        pd.DataFrame(
            [
                {
                    "sku_id": k,
                    "tier_code": c,
                    "valid_from": dt.date(2020, 1, 1),
                    "list_price": v,
                    "floor_price": v * 0.85,
                }
                for k, v in base.items()
                for c in CHANNELS
            ]
        ),
    )
    return products.assign(list_price=products["sku_id"].map(base))


def _accounts(n: int, rng) -> pd.DataFrame:
    streets = [r for r in _regions().query("level == 'street'")["region_id"]]
    acc = pd.DataFrame(
        {
            "account_id": [f"AC{i:04d}" for i in range(n)],
            "tier_code": [CHANNELS[i % 4] for i in range(n)],
            "region_id": [streets[i % len(streets)] for i in range(n)],
            "owner_rep_id": [f"REP{1 + i % 3}" for i in range(n)],
        }
    )
    acc["name"] = "acc " + acc["account_id"]
    acc["status"] = "active"
    acc["contract_type"] = np.where(acc["tier_code"].isin(["DIST", "KA"]), "contractual", "noncontractual")
    acc["first_order_date"] = [END - dt.timedelta(days=int(d)) for d in rng.integers(500, 3000, n)]
    acc["outlets_served"] = rng.integers(20, 60, n)
    acc["exclusive_agreement"] = rng.random(n) < 0.3
    acc["data_sharing"] = rng.random(n) < 0.2
    acc["jbp_in_place"] = False
    return acc


def _orders(acc: pd.DataFrame, prices: pd.DataFrame, months: int, rng, hvll: set, div: set):
    heads, lines = [], []
    start = pd.Timestamp(END) - pd.DateOffset(months=months) + pd.Timedelta(days=1)
    size = np.exp(rng.normal(0, 0.6, len(acc))) * 40
    size[[i for i, a in enumerate(acc["account_id"]) if a in hvll | div]] *= 4
    for i, a in enumerate(acc["account_id"]):
        area = acc.at[i, "region_id"][:5]
        irregular = a in hvll
        d = start + pd.Timedelta(days=int(rng.integers(0, 10)))
        while d <= pd.Timestamp(END):
            oid = f"O{len(heads):06d}"
            other_area = "R02A1" if area != "R02A1" else "R01A1"
            ship = (other_area if a in div and rng.random() < 0.4 else area) + "C1S1"
            heads.append(
                {
                    "order_id": oid,
                    "account_id": a,
                    "order_date": d.date(),
                    "ship_to_region_id": ship,
                    "rep_id": acc.at[i, "owner_rep_id"],
                    "delivery_cost": 20.0,
                    "settlement_mode": "credit",
                    "payment_terms_days": 30,
                }
            )
            for ln, row in enumerate(prices.sample(2, random_state=int(rng.integers(1e9))).itertuples(), 1):
                price = row.list_price * (0.8 if rng.random() < 0.2 else 0.95)
                lines.append(
                    {
                        "order_id": oid,
                        "line_no": ln,
                        "sku_id": row.sku_id,
                        "qty_cases": float(max(1, round(size[i] * rng.uniform(0.6, 1.4)))),
                        "list_price": row.list_price,
                        "invoice_price": price,
                        "cogs_per_case": row.std_cogs_per_case,
                    }
                )
            gap = rng.choice([3, 40]) if irregular else int(rng.integers(12, 17))
            d += pd.Timedelta(days=int(gap))
    return pd.DataFrame(heads), pd.DataFrame(lines)


def _activity(acc, heads, lines, rng, hvll: set, div: set) -> dict:
    n = len(acc)
    ids = acc["account_id"]
    visits = pd.DataFrame(
        {
            "account_id": np.repeat(ids, 6),
            "rep_id": np.repeat(acc["owner_rep_id"], 6),
            "visit_date": [END - dt.timedelta(days=int(x)) for x in rng.integers(1, 330, 6 * n)],
            "visit_type": rng.choice(["order", "merch", "training"], 6 * n),
            "duration_min": rng.uniform(20, 60, 6 * n),
            "travel_min": 15.0,
            "contact_level": rng.choice(["buyer", "owner", "exec"], 6 * n),
        }
    )
    vol = lines.merge(heads[["order_id", "account_id"]]).groupby("account_id")["qty_cases"].sum().reindex(ids)
    sow = np.where(ids.isin(hvll), 0.3, 0.85)
    cat = pd.DataFrame(
        {
            "account_id": ids,
            "period": dt.date(2026, 1, 1),
            "total_beer_cases_est": (vol.to_numpy() / sow),
            "source": "estimate",
        }
    )
    surveys = pd.DataFrame(
        {
            "account_id": np.repeat(ids, 2),
            "respondent_role": "owner",
            "response_date": dt.date(2026, 3, 1),
            "nps_0_10": np.where(np.repeat(ids.isin(hvll), 2), 4, 9),
        }
    )
    terr = pd.DataFrame({"account_id": ids, "region_id": acc["region_id"].str[:5], "valid_from": dt.date(2020, 1, 1)})
    scans = pd.DataFrame(
        {
            "code": [f"C{i}" for i in range(20 * n)],
            "shipped_account_id": np.repeat(ids, 20),
            "scan_time": dt.datetime(2026, 5, 1),
            "scan_type": "consumer",
            "scan_region_id": [
                ("R02A2C1S1" if a in div and k % 3 == 0 else r[:5] + "C1S2")
                for a, r in zip(np.repeat(ids, 20), np.repeat(acc["region_id"], 20), strict=True)
                for k in [rng.integers(3)]
            ],
        }
    )
    checks = pd.DataFrame(
        {
            "region_id": "R02A2C1S1",
            "sku_id": "SKU1",
            "check_date": dt.date(2026, 4, 1),
            "observed_price": 30.0,
            "traced_account_id": sorted(div),
        }
    )
    return {
        s.visit: visits,
        s.account_category_volume: cat,
        s.survey_response: surveys,
        s.account_territory: terr,
        s.code_scan: scans,
        s.market_price_check: checks,
    }


def build_synth(engine, n: int = 48, months: int = 14, seed: int = 0) -> dict[str, set]:
    """Fill an empty schema; return {'hvll': ids, 'diverters': ids}."""
    rng = np.random.default_rng(seed)
    acc = _accounts(n, rng)
    hvll = {a for a in acc["account_id"][acc["tier_code"].isin(["WHS2", "RETAIL"])][:2]}
    div = {a for a in acc["account_id"][acc["tier_code"] == "DIST"][:2]}
    with engine.begin() as conn:
        prices = _reference(conn)
        bulk_insert(conn, s.account, acc)
        heads, lines = _orders(acc, prices, months, rng, hvll, div)
        bulk_insert(conn, s.order_header, heads)
        bulk_insert(conn, s.order_line, lines)
        for table, df in _activity(acc, heads, lines, rng, hvll, div).items():
            bulk_insert(conn, table, df)
    return {"hvll": hvll, "diverters": div}
