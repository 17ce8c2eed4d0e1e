"""Plain-pandas versions of the per-account figures of notes/features.md, for scoring the demo's planted truth.

Deliberately simple and independent of kam_core.analytics: it reads whole tables of a small database.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from kam_core.db.schema import metadata

PROTOTYPES = pd.DataFrame(
    {
        "promo_share": [1.0, -0.3, -0.6],
        "price_sensitivity": [1.0, -0.3, -0.6],
        "competitor_brands": [0.7, 0.0, -1.0],
        "service_min_per_10k": [-1.0, 1.2, 0.3],
        "advice_events": [-0.8, 1.2, 0.3],
        "premium_mix": [-0.8, 1.0, 0.3],
        "tenure_years": [-0.5, 0.0, 1.2],
        "co_invest_ratio": [-0.8, 0.0, 1.3],
        "contact_levels": [-0.7, 0.2, 1.2],
        "exclusivity": [-0.7, 0.0, 1.1],
        "data_sharing": [-0.5, 0.0, 1.0],
    },
    index=["intrinsic", "extrinsic", "strategic"],
)
FEATURES = list(PROTOTYPES.columns)


def read(engine: Engine, table: str) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(select(metadata.tables[table]))
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def _dates(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    out = df.copy()
    for c in cols:
        out[c] = pd.to_datetime(out[c])
    return out


def compute_features(engine: Engine) -> tuple[pd.DataFrame, pd.Timestamp]:
    """One row per account with orders in the 12-month window: the eleven type features, loyalty inputs,
    diversion signals and size."""
    acc = _dates(read(engine, "account"), "first_order_date", "contract_start").set_index("account_id")
    oh = _dates(read(engine, "order_header"), "order_date")
    ol = read(engine, "order_line")
    as_of = oh["order_date"].max()
    start = as_of - pd.DateOffset(months=12) + pd.Timedelta(days=1)
    lines = ol.merge(oh, on="order_id")
    lines["tier_code"] = acc.loc[lines["account_id"], "tier_code"].to_numpy()
    first_ever = lines.groupby("account_id")["order_date"].min()
    w = lines[(lines["order_date"] >= start) & (lines["order_date"] <= as_of)].copy()
    pl = _dates(read(engine, "price_list"), "valid_from", "valid_to")
    w = w.merge(pl[["sku_id", "tier_code", "valid_from", "valid_to", "floor_price"]], on=["sku_id", "tier_code"])
    w = w[(w["order_date"] >= w["valid_from"]) & (w["valid_to"].isna() | (w["order_date"] <= w["valid_to"]))]
    prod = _dates(read(engine, "product"), "launch_date").set_index("sku_id")
    pos = w[w["qty_cases"] > 0]
    promo = pos["promo_id"].notna() | (pos["invoice_price"] <= pos["floor_price"])
    seg = prod.loc[pos["sku_id"], "segment"].to_numpy()
    launch = prod.loc[pos["sku_id"], "launch_date"].to_numpy()
    new = (launch <= pos["order_date"].to_numpy()) & (pos["order_date"].to_numpy() <= launch + np.timedelta64(366, "D"))
    premium = np.isin(seg, ["premium", "super_premium"]) | new
    f = pd.DataFrame({"pos_cases": pos.groupby("account_id")["qty_cases"].sum()})
    f["promo_share"] = (
        pos[promo.to_numpy()].groupby("account_id")["qty_cases"].sum().reindex(f.index).fillna(0) / f["pos_cases"]
    )
    f["premium_mix"] = pos[premium].groupby("account_id")["qty_cases"].sum().reindex(f.index).fillna(0) / f["pos_cases"]
    w["value"] = w["qty_cases"] * w["invoice_price"]
    f["net_sales"] = w.groupby("account_id")["value"].sum()
    f["cases"] = w.groupby("account_id")["qty_cases"].sum()
    f["tier"] = acc.loc[f.index, "tier_code"]
    f["price_sensitivity"] = _elasticity(w)
    f = f.join(_service(engine, start, as_of, f["net_sales"]))
    f["competitor_brands"] = _competitors(engine, start, as_of).reindex(f.index).fillna(0)
    earliest = pd.concat([acc["first_order_date"], acc["contract_start"], first_ever.reindex(acc.index)], axis=1).min(
        axis=1
    )
    f["tenure_years"] = (as_of - earliest.reindex(f.index)).dt.days / 365.25
    f["co_invest_ratio"] = _co_invest(engine, start, as_of).reindex(f.index).fillna(0)
    f["contact_levels"] = _levels(engine, start, as_of).reindex(f.index).fillna(0)
    f["sow"] = _sow(engine, start, as_of, f["cases"])
    f["exclusivity"] = np.where(acc.loc[f.index, "exclusive_agreement"].astype(bool), 1.0, f["sow"].clip(upper=1))
    f["data_sharing"] = (
        acc.loc[f.index, "data_sharing"].astype(bool) | acc.loc[f.index, "jbp_in_place"].astype(bool)
    ).astype(float)
    f["exclusive_agreement"] = acc.loc[f.index, "exclusive_agreement"].astype(bool)
    f = f.join(_rhythm(oh, start, as_of)).join(_nps(engine, start, as_of))
    return f, as_of


def _elasticity(w: pd.DataFrame) -> pd.Series:
    p = w[w["qty_cases"] > 0].assign(month=lambda d: d["order_date"].dt.to_period("M"))
    m = p.groupby(["account_id", "month"]).agg(cases=("qty_cases", "sum"), value=("value", "sum"))
    m["price"] = m["value"] / m["cases"]
    out = {}
    for acc_id, g in m.groupby(level=0):
        if len(g) >= 6 and g["price"].std() > 0:
            out[acc_id] = -np.polyfit(np.log(g["price"]), np.log(g["cases"]), 1)[0]
    return pd.Series(out, dtype=float)


def _service(engine, start, end, sales: pd.Series) -> pd.DataFrame:
    v = _dates(read(engine, "visit"), "visit_date")
    v = v[(v["visit_date"] >= start) & (v["visit_date"] <= end)]
    s = _dates(read(engine, "service_event"), "event_date")
    s = s[(s["event_date"] >= start) & (s["event_date"] <= end)]
    minutes = (
        v.groupby("account_id")[["duration_min", "travel_min"]]
        .sum()
        .sum(axis=1)
        .add(s.groupby("account_id")["minutes"].sum(), fill_value=0)
    )
    adv_v = (
        v[v["visit_type"].isin(["training", "consulting"]) | v["advice_given"].astype(bool)]
        .groupby("account_id")
        .size()
    )
    adv_s = s[s["type"].isin(["training", "consulting", "planogram", "menu_engineering"])].groupby("account_id").size()
    out = pd.DataFrame(index=sales.index)
    out["service_min_per_10k"] = minutes.reindex(sales.index).fillna(0) / (sales.clip(lower=1) / 10_000)
    out["service_minutes"] = minutes.reindex(sales.index).fillna(0)
    out["advice_events"] = adv_v.add(adv_s, fill_value=0).reindex(sales.index).fillna(0)
    return out


def _competitors(engine, start, end) -> pd.Series:
    c = _dates(read(engine, "account_competitor"), "observed_date")
    return c[(c["observed_date"] >= start) & (c["observed_date"] <= end)].groupby("account_id")["brand_id"].nunique()


def _co_invest(engine, start, end) -> pd.Series:
    c = _dates(read(engine, "co_investment"), "start_date", "end_date")
    c = c[(c["start_date"] <= end) & (c["end_date"].isna() | (c["end_date"] >= start))]
    g = c.groupby("account_id")[["amount_theirs", "amount_ours"]].sum()
    tot = g.sum(axis=1)
    return (g["amount_theirs"] / tot.where(tot > 0)).fillna(0)


def _levels(engine, start, end) -> pd.Series:
    c = read(engine, "account_contact")[["account_id", "level"]]
    v = _dates(read(engine, "visit"), "visit_date")
    v = v[(v["visit_date"] >= start) & (v["visit_date"] <= end)][["account_id", "contact_level"]]
    both = pd.concat([c, v.rename(columns={"contact_level": "level"})]).dropna()
    return both.groupby("account_id")["level"].nunique()


def _sow(engine, start, end, cases: pd.Series) -> pd.Series:
    cv = _dates(read(engine, "account_category_volume"), "period")
    tot = (
        cv[(cv["period"] >= start.to_period("M").start_time) & (cv["period"] <= end)]
        .groupby("account_id")["total_beer_cases_est"]
        .sum()
    )
    return (cases / tot.reindex(cases.index)).clip(upper=1)


def _rhythm(oh: pd.DataFrame, start, end) -> pd.DataFrame:
    o = oh[(oh["order_date"] >= start) & (oh["order_date"] <= end) & ~oh["is_return"].astype(bool)]
    days = o[["account_id", "order_date"]].drop_duplicates().sort_values(["account_id", "order_date"])
    days["gap"] = days.groupby("account_id")["order_date"].diff().dt.days
    g = days.groupby("account_id")["gap"]
    return pd.DataFrame({"n_orders": o.groupby("account_id")["order_id"].nunique(), "gap_cv": g.std() / g.mean()})


def _nps(engine, start, end) -> pd.DataFrame:
    s = _dates(read(engine, "survey_response"), "response_date")
    s = s[(s["response_date"] >= start) & (s["response_date"] <= end)]
    return pd.DataFrame({"nps_mean": s.groupby("account_id")["nps_0_10"].mean()})


def standardise(f: pd.DataFrame) -> pd.DataFrame:
    """log1p of counts and ratios, impute with the tier median, z-score within tier."""
    x = f[FEATURES].copy()
    for c in ("service_min_per_10k", "advice_events", "competitor_brands", "contact_levels", "tenure_years"):
        x[c] = np.log1p(x[c].clip(lower=0))
    x = x.groupby(f["tier"]).transform(lambda s: s.clip(s.quantile(0.01), s.quantile(0.99)).fillna(s.median()))
    return x.groupby(f["tier"]).transform(lambda s: (s - s.mean()) / (s.std(ddof=0) or 1.0)).fillna(0.0)


def nearest_prototype(z: pd.DataFrame) -> pd.Series:
    d = ((z.to_numpy()[:, None, :] - PROTOTYPES.to_numpy()[None, :, :]) ** 2).sum(axis=2)
    return pd.Series(PROTOTYPES.index.to_numpy()[d.argmin(axis=1)], index=z.index)


def diversion_signals(engine: Engine, as_of: pd.Timestamp) -> pd.DataFrame:
    """S1, S2, S4, S5, S7 per account over the 12-month window (notes/features.md)."""
    start = as_of - pd.DateOffset(months=12) + pd.Timedelta(days=1)
    acc = read(engine, "account").set_index("account_id")
    region = read(engine, "region").set_index("region_id")
    terr = read(engine, "account_territory")
    tpath = terr.assign(path=region.loc[terr["region_id"], "path"].to_numpy()).groupby("account_id")["path"].first()

    def outside(acc_ids: pd.Series, region_ids: pd.Series) -> np.ndarray:
        p = region.loc[region_ids, "path"].to_numpy()
        t = tpath.reindex(acc_ids).to_numpy()
        return np.array(
            [not (isinstance(tt, str) and (pp == tt or pp.startswith(tt + "/"))) for pp, tt in zip(p, t, strict=True)]
        )

    out = pd.DataFrame(index=acc.index)
    cs = _dates(read(engine, "code_scan"), "scan_time")
    cs = cs[
        cs["scan_type"].isin(["terminal", "consumer"])
        & (cs["scan_time"] >= start)
        & (cs["scan_time"] <= as_of + pd.Timedelta(days=1))
    ]
    cs = cs.assign(out=outside(cs["shipped_account_id"], cs["scan_region_id"]))
    out["s1"] = cs.groupby("shipped_account_id")["out"].mean()
    out["n_scans"] = cs.groupby("shipped_account_id").size()
    oh = _dates(read(engine, "order_header"), "order_date")
    ol = read(engine, "order_line")
    w = oh[(oh["order_date"] >= start) & (oh["order_date"] <= as_of)]
    out["s7"] = (
        pd.Series(outside(w["account_id"], w["ship_to_region_id"]), index=w.index).groupby(w["account_id"]).mean()
    )
    lines = ol.merge(oh, on="order_id")
    cases = (
        lines[(lines["order_date"] >= start) & (lines["order_date"] <= as_of)].groupby("account_id")["qty_cases"].sum()
    )
    per_outlet = cases / acc["outlets_served"].reindex(cases.index)
    med = per_outlet.groupby(acc["tier_code"].reindex(per_outlet.index)).transform("median")
    out["s2"] = per_outlet / med
    mpc = _dates(read(engine, "market_price_check"), "check_date")
    mpc = mpc[mpc["traced_account_id"].notna() & (mpc["check_date"] >= start)]
    pl = _dates(read(engine, "price_list"), "valid_from", "valid_to")
    mpc = mpc.assign(tier_code=acc.loc[mpc["traced_account_id"], "tier_code"].to_numpy()).merge(
        pl[["sku_id", "tier_code", "valid_from", "valid_to", "floor_price"]], on=["sku_id", "tier_code"]
    )
    mpc = mpc[
        (mpc["check_date"] >= mpc["valid_from"]) & (mpc["valid_to"].isna() | (mpc["check_date"] <= mpc["valid_to"]))
    ]
    out["s5"] = mpc[mpc["observed_price"] < mpc["floor_price"]].groupby("traced_account_id").size()
    out["s5"] = out["s5"].fillna(0)
    out["s4"] = _threshold_chasing(engine, lines, start, as_of)
    out["tier"] = acc["tier_code"]
    return out


def _threshold_chasing(engine, lines: pd.DataFrame, start, as_of) -> pd.Series:
    enrol = read(engine, "rebate_enrollment")
    tiers = read(engine, "rebate_tier")
    prog = read(engine, "rebate_program")
    q_progs = prog[(prog["type"] == "retro_tiered") & (prog["period"] == "quarter")]["program_id"]
    sub = lines[lines["account_id"].isin(enrol.loc[enrol["program_id"].isin(q_progs), "account_id"])]
    sub = sub[(sub["order_date"] >= start - pd.DateOffset(months=3)) & (sub["order_date"] <= as_of)]
    sub = sub.assign(q=sub["order_date"].dt.to_period("Q"))
    sub = sub.assign(late=(sub["q"].dt.end_time.dt.normalize() - sub["order_date"]).dt.days < 10)
    g = (
        sub.groupby(["account_id", "q"])
        .apply(
            lambda d: pd.Series({"tot": d["qty_cases"].sum(), "late": d.loc[d["late"], "qty_cases"].sum()}),
            include_groups=False,
        )
        .reset_index()
    )
    g = g[g["q"].dt.end_time <= as_of + pd.Timedelta(days=1)]
    pid = enrol[enrol["program_id"].isin(q_progs)].set_index("account_id")["program_id"]
    g["pid"] = pid.reindex(g["account_id"]).to_numpy()
    crossed = []
    for _, r in g.iterrows():
        b = tiers.loc[tiers["program_id"] == r["pid"], "lower_bound"].to_numpy()
        crossed.append(bool(((r["tot"] - r["late"] < b) & (b <= r["tot"])).any()))
    g = g[crossed]  # the mean late share over the quarters where a tier was crossed
    return (g["late"] / g["tot"]).groupby(g["account_id"]).mean()
