"""The relationship around each account: contacts, surveys, co-investment, competitor brands carried,
category volume (share-of-wallet denominator) and the six capabilities of wholesalers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kam_core.demo.activities import _levels, active_span
from kam_core.demo.catalogue import COMPETITORS
from kam_core.demo.names import person_names
from kam_core.demo.season import History

ROLE = {
    "buyer": "采购经理 Purchasing manager",
    "store_mgr": "店长 Store manager",
    "owner": "老板 Owner",
    "exec": "总经理 General manager",
    "finance": "财务主管 Finance lead",
}
COMMENTS = {
    0: ["送货慢，价格没优势 / Slow delivery, no price advantage", "返利兑现太慢 / Rebates paid too late"],
    1: ["还可以，希望多些促销 / OK, want more promotions", "业务员来得少 / Rep rarely comes"],
    2: ["服务到位，培训很有用 / Good service, training helps", "合作愉快 / Good partnership"],
}


def contacts(rng: np.random.Generator, acc: pd.DataFrame, h: History) -> pd.DataFrame:
    levels = _levels(acc)
    a = np.repeat(np.arange(len(acc)), [len(x) for x in levels])
    lv = np.concatenate([np.array(x, dtype=object) for x in levels])
    names, _ = person_names(rng, len(a))
    since = pd.to_datetime(acc["first_order_date"]).fillna(h.end - pd.Timedelta(days=60)).to_numpy()[a]
    return pd.DataFrame(
        {
            "account_id": acc["account_id"].to_numpy()[a],
            "level": lv,
            "name": names,
            "role": pd.Series(lv).map(ROLE).to_numpy(),
            "phone": ["13" + "".join(map(str, d)) for d in rng.integers(0, 10, (len(a), 9))],
            "since": since,
        }
    )


def surveys(rng: np.random.Generator, acc: pd.DataFrame, h: History) -> pd.DataFrame:
    """About two responses a year per ordering account, from owner/buyer and store staff; NPS follows the
    account's loyalty (butterflies <= 6, other big accounts >= 8)."""
    first, stop = active_span(acc, h)
    ordering = acc["start_day"].to_numpy() < h.days
    years = np.where(ordering, np.maximum(stop - first, 0) / 365.25, 0.0)
    n = np.where(ordering, np.maximum(rng.poisson(2.0 * years), np.ceil(years).astype(int)), 0)
    a = np.repeat(np.arange(len(acc)), n)
    # spread responses evenly through the active span so the last year always has some
    k = np.concatenate([np.arange(m) for m in n]) if len(n) else np.zeros(0, dtype=int)
    frac = (k + rng.uniform(0.1, 0.9, len(a))) / np.maximum(n[a], 1)
    day = first[a] + np.floor(frac * (stop - first)[a]).astype(int)
    nps = np.clip(np.round(acc["nps_mean"].to_numpy()[a] + rng.normal(0, 1.0, len(a))), 0, 10)
    big_loyal = acc["nps_mean"].to_numpy()[a] >= 8.6
    nps = np.where(acc["hvll"].to_numpy()[a], np.minimum(nps, 6), np.where(big_loyal, np.maximum(nps, 8), nps))
    roles = rng.choice(np.array(["owner", "buyer", "store_staff"]), len(a), p=[0.45, 0.3, 0.25])
    band = np.select([nps <= 6, nps <= 8], [0, 1], 2)
    comment = np.array(
        [COMMENTS[b][i % 2] for b, i in zip(band, rng.integers(0, 2, len(a)), strict=True)], dtype=object
    )
    return pd.DataFrame(
        {
            "account_id": acc["account_id"].to_numpy()[a],
            "respondent_role": roles,
            "response_date": h.start + pd.to_timedelta(day, unit="D"),
            "nps_0_10": nps.astype(int),
            "csat_1_5": np.clip(np.round((nps + 1) / 2.2), 1, 5).astype(int),
            "comment": np.where(rng.random(len(a)) < 0.4, comment, None),  # type: ignore[call-overload]  # None fills an object array
        }
    )


def co_investment(rng: np.random.Generator, acc: pd.DataFrame, h: History) -> pd.DataFrame:
    """Joint funding: strategic partners pay 35-60% of joint marketing, JBP and data projects; extrinsic
    accounts a little towards coolers and signage; price buyers take coolers and pay nothing."""
    t = acc["type_idx"].to_numpy()
    ratio = acc["coinv_ratio"].to_numpy()
    ordering = (acc["start_day"] < h.days).to_numpy()
    n = np.where(
        ~ordering,
        0,
        np.where(
            ratio >= 0.3,
            rng.integers(2, 5, len(acc)),
            np.where(ratio > 0, rng.integers(1, 3, len(acc)), (rng.random(len(acc)) < 0.3).astype(int)),
        ),
    )
    a = np.repeat(np.arange(len(acc)), n)
    kinds = np.where(
        t[a] == 2,
        rng.choice(np.array(["joint_marketing", "jbp", "data"]), len(a)),
        np.where(ratio[a] > 0, rng.choice(np.array(["cooler", "signage", "joint_marketing"]), len(a)), "cooler"),
    )
    ours = np.round(acc["size"].to_numpy()[a] * rng.uniform(0.5, 2.0, len(a)), -1) + 500
    r = np.clip(ratio[a] * rng.uniform(0.85, 1.15, len(a)), 0, 0.9)
    theirs = np.round(ours * r / (1 - r), -1)
    start = h.end - pd.to_timedelta(rng.integers(30, 540, len(a)), unit="D")
    return pd.DataFrame(
        {
            "account_id": acc["account_id"].to_numpy()[a],
            "type": kinds,
            "amount_ours": ours,
            "amount_theirs": theirs,
            "start_date": start,
            "end_date": start + pd.to_timedelta(rng.integers(180, 720, len(a)), unit="D"),
        }
    )


def competitors(rng: np.random.Generator, acc: pd.DataFrame, h: History, window_start: pd.Timestamp) -> pd.DataFrame:
    """Brands each account carries (observed in the last year, plus an older audit of some of them) with
    their estimated share of the account's beer volume (together 1 - our share of wallet)."""
    ordering = (acc["start_day"] < h.days).to_numpy()
    k = np.where(ordering, np.clip(acc["n_comp"].to_numpy().astype(int), 0, len(COMPETITORS)), 0)
    popularity = np.array([0.3, 0.25, 0.15, 0.1, 0.08, 0.07, 0.05])
    keys = np.log(popularity)[None, :] + rng.gumbel(size=(len(acc), len(COMPETITORS)))
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    a_idx, b_idx = np.nonzero(rank < k[:, None])
    share = rng.dirichlet(np.ones(len(COMPETITORS)), len(acc))[a_idx, b_idx]
    norm = np.bincount(a_idx, weights=share, minlength=len(acc))
    est = (1 - acc["sow"].to_numpy()[a_idx]) * share / norm[a_idx]
    last_day = np.minimum(acc["loss_day"].to_numpy(), h.days)[a_idx] - 1
    w0 = max(int((window_start - h.start).days), 0)
    obs = np.clip(w0 + np.floor(rng.random(len(a_idx)) * (last_day - w0)), 0, h.days - 1).astype(int)
    base = pd.DataFrame(
        {
            "a": a_idx,
            "brand_id": COMPETITORS["brand_id"].to_numpy()[b_idx],
            "day": obs,
            "share": est,
            "source": rng.choice(np.array(["visit", "audit", "survey"]), len(a_idx), p=[0.6, 0.3, 0.1]),
        }
    )
    older = base[(rng.random(len(base)) < 0.5) & (base["day"] > 400)].assign(
        day=lambda d: d["day"] - 365, source="audit"
    )
    out = pd.concat([base, older], ignore_index=True).drop_duplicates(["a", "brand_id", "day"])
    out = out.sort_values(["a", "brand_id", "day"], kind="mergesort")
    return pd.DataFrame(
        {
            "account_id": acc["account_id"].to_numpy()[out["a"].to_numpy()],
            "brand_id": out["brand_id"].to_numpy(),
            "observed_date": h.start + pd.to_timedelta(out["day"].to_numpy(), unit="D"),
            "est_volume_share": np.round(out["share"].to_numpy(), 3),
            "source": out["source"].to_numpy(),
        }
    )


def category_volume(
    rng: np.random.Generator, acc: pd.DataFrame, monthly_cases: pd.DataFrame, h: History
) -> pd.DataFrame:
    """Monthly total beer cases per account (all brands), for every month it is served: our cases smoothed over
    three months, divided by its share of wallet, with noise. ``monthly_cases``: a, month (first day), cases."""
    first, stop = active_span(acc, h)
    ordering = np.flatnonzero(acc["start_day"].to_numpy() < h.days)
    months = h.month_starts()
    m_first = np.searchsorted(months, h.start + pd.to_timedelta(first[ordering], unit="D"), side="right") - 1
    m_stop = np.searchsorted(months, h.start + pd.to_timedelta(stop[ordering] - 1, unit="D"), side="right")
    n = np.maximum(m_stop - m_first, 0)
    a = np.repeat(ordering, n)
    k = np.repeat(m_first, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    grid = pd.DataFrame({"a": a, "month": months[k]})
    grid = grid.merge(monthly_cases, on=["a", "month"], how="left").fillna({"cases": 0.0})
    smooth = grid.groupby("a")["cases"].transform(
        lambda s: s.clip(lower=0).rolling(3, center=True, min_periods=1).mean()
    )
    total = smooth / acc["sow"].to_numpy()[grid["a"].to_numpy()] * rng.lognormal(0, 0.05, len(grid))
    declared = acc["tier"].isin(["DIST", "WHS2", "KA"]).to_numpy()[grid["a"].to_numpy()]
    return pd.DataFrame(
        {
            "account_id": acc["account_id"].to_numpy()[grid["a"].to_numpy()],
            "period": grid["month"].to_numpy(),
            "total_beer_cases_est": np.round(np.maximum(total, grid["cases"].clip(lower=0)), 1),
            "source": np.where(declared, "declared", "estimate"),
            "confidence": np.where(declared, 0.8, 0.6),
        }
    )


def capabilities(rng: np.random.Generator, acc: pd.DataFrame, h: History) -> pd.DataFrame:
    """The six capabilities (资料卡) of distributors and wholesalers, assessed each January and at onboarding."""
    sel = acc[acc["tier"].isin(["DIST", "WHS2"]) & (acc["start_day"] < h.days)]
    rows = []
    for _, r in sel.iterrows():
        big = r["tier"] == "DIST"
        first = h.start + pd.Timedelta(days=int(r["start_day"]))
        dates = sorted({first.normalize(), *[d for d in pd.date_range(first, h.end, freq="YS")]})
        for d in dates:
            grow = 1 + 0.1 * (d - h.start).days / 365.25
            rows.append(
                dict(
                    account_id=r["account_id"],
                    assessed_on=d,
                    sub_distributors=int(r["size"] / 1500 * grow) if big else int(rng.integers(0, 4)),
                    terminals=int(r["size"] / (40 if big else 30) * grow * rng.uniform(0.8, 1.2)),
                    portfolio_complementarity=int(rng.integers(2, 6)),
                    loyalty_rating=int(np.clip(round(r["sow"] * 5 + rng.normal(0, 0.5)), 1, 5)),
                    capital_rmb=float(round(r["size"] * rng.uniform(6, 20), -3)),
                    staff=int(max(2, r["size"] / (600 if big else 400))),
                    vehicles=int(max(1, r["size"] / 3000)),
                    note="年度评估 annual review",
                )
            )
    return pd.DataFrame(rows)
