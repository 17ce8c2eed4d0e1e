"""Baseline cases per account for the scenario period, from order history (docs/METHODS.md §5.3, level 1).

The database does the heavy part: one ``GROUP BY account, month`` over order lines (service
lines such as freight excluded, credit notes netted). Then, per account and period month ``m``:

- **Seasonality by construction.** The baseline starts from the account's own cases in the
  same calendar month a year earlier (``m − 12``; further back in whole years when the period
  lies beyond the data), so summer peaks and winter troughs come with it.
- **Recent trend.** It is scaled by the last three months of history against the same three
  months a year before, ``(Σ recent + 1) / (Σ recent_ly + 1)``, clipped to [0.5, 2]; 1 when the
  account has no history that far back (its first cases later than ``hist_end − 14`` months).
- **Chinese New Year.** CNY moves between January and February; when it falls in a different
  month than in the reference year, the reference year's Jan+Feb volume is re-split so that
  the CNY month keeps its share.
- **Short history** (no cases as far back as the reference month a year earlier, e.g. an account, or a
  whole database, whose history starts in November): the fallback of :func:`_short_history`,

      baseline[a, m] = rate[a] × S[c, ref(m)] / mean(S[c, k] for k in T[a])

  with ``T[a]`` the account's trailing months (the last three months of history, only those since its first
  month with cases), ``rate[a]`` its mean monthly cases over ``T[a]``, and ``S[c, k]`` the seasonal index of
  its channel ``c`` over the last 12 months of history: the cases of the channel's *other* accounts with a
  full 12 months of history in month ``k`` over their monthly mean. A channel without such accounts takes
  the index of all such accounts; with none at all (the whole history is shorter than 12 months) the
  baseline is flat: ``rate[a]`` in every month (method ``run_rate_flat``). An account without any cases
  before the period gets 0 (``no_history``). :func:`baseline_notices` counts each case for the result's
  warnings (docs/methods_sim_baseline.md).
- **Uncertainty.** The relative noise of the period total is the spread of the account's
  year-on-year monthly log ratios divided by √(months in the period), kept within [3 %, 60 %];
  the scenario default when fewer than six ratios exist.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Select, and_, func, select

from kam_core.db.case_factor import case_factor_sql
from kam_core.db.schema import order_header, order_line, product
from kam_core.db.sqlfn import month_key
from kam_core.i18n import t

# first day of Chinese New Year (Spring Festival)
CNY = {
    2020: "2020-01-25",
    2021: "2021-02-12",
    2022: "2022-02-01",
    2023: "2023-01-22",
    2024: "2024-02-10",
    2025: "2025-01-29",
    2026: "2026-02-17",
    2027: "2027-02-06",
    2028: "2028-01-26",
    2029: "2029-02-13",
    2030: "2030-02-03",
    2031: "2031-01-23",
    2032: "2032-02-11",
}
TREND_CLIP = (0.5, 2.0)
CV_CLIP = (0.03, 0.6)


def cny_month(year: int) -> int:
    """Month (1 or 2) of Chinese New Year; February when the year is not in the table."""
    return int(CNY[year][5:7]) if year in CNY else 2


def period_months(start: dt.date, end: dt.date) -> list[str]:
    """``YYYY-MM`` keys of the months the period touches, oldest first."""
    return [p.strftime("%Y-%m") for p in pd.period_range(start, end, freq="M")]


def fetch_monthly(conn: Connection, selected: Select, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Cases, net sales and COGS per account and month in ``[start, end]`` (a GROUP BY in the database).

    ``selected`` is a one-column SELECT of the account ids in the scenario (already limited to the
    viewer's scope), used as an ``IN`` subquery so that no id list travels to the database.
    """
    ym = month_key(order_header.c.order_date).label("ym")
    qty = order_line.c.qty_cases
    cases = qty * case_factor_sql()  # case-equivalents (kam_core.db.case_factor); money stays qty × price
    stmt = (
        select(
            order_header.c.account_id,
            ym,
            func.sum(cases).label("cases"),
            func.sum(qty * order_line.c.invoice_price).label("sales"),
            func.sum(qty * order_line.c.cogs_per_case).label("cogs"),
        )
        .select_from(
            order_line.join(order_header, order_header.c.order_id == order_line.c.order_id).join(
                product, product.c.sku_id == order_line.c.sku_id
            )
        )
        .where(
            and_(
                order_header.c.order_date >= start,
                order_header.c.order_date <= end,
                product.c.is_service.is_(False),
                order_header.c.account_id.in_(selected),
            )
        )
        .group_by(order_header.c.account_id, ym)
    )
    rows = conn.execute(stmt).all()
    df = pd.DataFrame(rows, columns=["account_id", "ym", "cases", "sales", "cogs"])
    return df.astype({"account_id": str, "ym": str, "cases": float, "sales": float, "cogs": float})


def _shift(ym: str, months: int) -> str:
    return (pd.Period(ym, freq="M") + months).strftime("%Y-%m")


def _reference_month(m: str, hist_end: str) -> tuple[str, int]:
    """Same calendar month, whole years back, no later than ``hist_end``; returns (month, years back)."""
    k = 1
    while _shift(m, -12 * k) > hist_end:
        k += 1
    return _shift(m, -12 * k), k


def _cny_resplit(ref: pd.DataFrame, months: list[str], refs: list[str], pivot: pd.DataFrame) -> pd.DataFrame:
    """Re-split the reference Jan+Feb by CNY month when CNY moved between the years."""
    out = ref.copy()
    for j, (m, r) in enumerate(zip(months, refs, strict=True)):
        mm, year, ryear = int(m[5:7]), int(m[:4]), int(r[:4])
        if mm not in (1, 2) or cny_month(year) == cny_month(ryear):
            continue
        jan, feb = f"{ryear}-01", f"{ryear}-02"
        if jan not in pivot.columns or feb not in pivot.columns:
            continue
        both = pivot[jan] + pivot[feb]
        cny_ly = pivot[jan] if cny_month(ryear) == 1 else pivot[feb]
        # this month is this year's CNY month → it gets last year's CNY-month volume, else the rest
        out.iloc[:, j] = (cny_ly if cny_month(year) == mm else both - cny_ly).to_numpy()
    return out


def compute_baseline(
    monthly: pd.DataFrame,
    accounts: pd.Index,
    channel: pd.Series,
    start: dt.date,
    end: dt.date,
    default_cv: float = 0.15,
) -> pd.DataFrame:
    """Baseline per account and period month from ``fetch_monthly`` rows (history before ``start`` only).

    Returns a frame indexed by account_id with the period months as columns (cases) plus
    ``baseline`` (sum), ``baseline_ly`` (same period a year earlier; NaN for a new account),
    ``baseline_cv``, ``method`` (``last_year``, ``run_rate``, ``run_rate_flat`` or ``no_history``).
    """
    months = period_months(start, end)
    first = months[0]
    hist = monthly[monthly["ym"] < first]
    pivot = hist.pivot_table(index="account_id", columns="ym", values="cases", aggfunc="sum")
    pivot = pivot.reindex(accounts).fillna(0.0)
    hist_end = max(hist["ym"]) if len(hist) else _shift(first, -1)
    all_months = [p.strftime("%Y-%m") for p in pd.period_range(_shift(hist_end, -35), hist_end, freq="M")]
    pivot = pivot.reindex(columns=all_months, fill_value=0.0)
    refs = [_reference_month(m, hist_end)[0] for m in months]
    ref = _cny_resplit(pivot[refs].set_axis(months, axis=1), months, refs, pivot)
    recent = pivot[[_shift(hist_end, -i) for i in range(3)]].sum(axis=1)
    recent_ly = pivot[[_shift(hist_end, -12 - i) for i in range(3)]].sum(axis=1)
    started = pivot.gt(0).idxmax(axis=1).where(pivot.gt(0).any(axis=1))
    # without cases in all three months a year before the last three, there is no trend to measure (a
    # history of exactly 12 months would otherwise compare against zeros and get the clip's 2×)
    known = started.notna() & (started.fillna("9999-99") <= _shift(hist_end, -14))
    trend = ((recent + 1.0) / (recent_ly + 1.0)).clip(*TREND_CLIP).where(known, 1.0)
    has_ly = started.notna() & (started.fillna("9999-99") <= min(refs))
    by_ly = ref.mul(trend, axis=0)
    by_run, flat = _short_history(pivot, channel.reindex(accounts), started, hist_end, refs, months)
    base = by_ly.where(has_ly, by_run, axis=0)
    out = base.copy()
    out["baseline"] = base.sum(axis=1)
    ly_months = [_shift(m, -12) for m in months]
    ly = pivot.reindex(columns=ly_months).sum(axis=1)
    out["baseline_ly"] = ly.where(has_ly & (ly > 0))
    out["baseline_cv"] = _noise(pivot, hist_end, len(months), default_cv)
    short = np.where(flat, "run_rate_flat", "run_rate")
    out["method"] = np.where(has_ly, "last_year", np.where(started.notna(), short, "no_history"))
    return out


def baseline_notices(base: pd.DataFrame) -> list[dict]:
    """Structured notices about the fallbacks of a baseline frame (its ``method`` column), for the result.

    ``fallback``: accounts on the short-history baseline (seasonal or flat), ``flat``: of which without a
    seasonal index, ``no_history``: accounts with no cases before the period (baseline 0). Only non-zero
    counts are returned; :func:`describe_notices` writes them in zh or en.
    """
    method = base["method"].astype(str)
    counts = {
        "fallback": int(method.isin(["run_rate", "run_rate_flat"]).sum()),
        "flat": int((method == "run_rate_flat").sum()),
        "no_history": int((method == "no_history").sum()),
    }
    return [{"code": code, "accounts": n} for code, n in counts.items() if n]


def describe_notices(notices: object, lang: str = "zh") -> list[str]:
    """The notices of :func:`baseline_notices` as sentences in ``lang`` (zh or en)."""
    if not isinstance(notices, list | tuple):
        return []
    return [
        t(f"sim.baseline_note.{n['code']}", lang, accounts=int(n["accounts"]))
        for n in notices
        if isinstance(n, dict) and n.get("code") in ("fallback", "flat", "no_history")
    ]


def _seasonal_index(pivot: pd.DataFrame, channel: pd.Series, started: pd.Series, last12: list[str]) -> pd.DataFrame:
    """Per account: the seasonal index of its channel over ``last12`` (NaN row: none available).

    From the accounts with cases since ``last12[0]`` or earlier (a full 12 months of history): per channel,
    their summed cases per month over the mean month; a channel without such accounts (or with no cases)
    takes the index of all of them.
    """
    full = (started.notna() & (started.fillna("9999-99") <= last12[0])).to_numpy()
    ch = channel.fillna("?").astype(str).to_numpy()
    ref = pivot.loc[full, last12]
    overall = ref.sum(axis=0)
    overall = overall / overall.mean() if overall.mean() > 0 else overall * np.nan
    by_channel = ref.groupby(ch[full]).sum()
    mean = by_channel.mean(axis=1)
    by_channel = by_channel[mean > 0].div(mean[mean > 0], axis=0)
    rows = by_channel.reindex(ch)
    rows.loc[rows.isna().all(axis=1).to_numpy()] = overall.to_numpy()  # no own-channel index: everyone's
    return rows.set_axis(pivot.index)


def _short_history(
    pivot: pd.DataFrame, channel: pd.Series, started: pd.Series, hist_end: str, refs: list[str], months: list[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """The short-history baseline (module docstring) for every account, and where it is flat."""
    last12 = [_shift(hist_end, -i) for i in range(11, -1, -1)]
    last3 = last12[-3:]
    # trailing months: the last three, only since the account's first month with cases
    trail = np.array([[m >= s for m in last3] for s in started.fillna("9999-99")], dtype=bool).reshape(-1, 3)
    n = np.maximum(trail.sum(axis=1), 1)
    rate = (pivot[last3].to_numpy() * trail).sum(axis=1) / n
    season = _seasonal_index(pivot, channel, started, last12)
    denom = (np.nan_to_num(season[last3].to_numpy()) * trail).sum(axis=1) / n
    flat = ~(np.isfinite(season[last3].to_numpy()).all(axis=1) & (denom > 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = season[refs].to_numpy() / np.where(flat, 1.0, denom)[:, None]
    scale = np.where(flat[:, None], 1.0, scale)
    return pd.DataFrame(rate[:, None] * scale, index=pivot.index, columns=months), flat


def _noise(pivot: pd.DataFrame, hist_end: str, n_months: int, default_cv: float) -> pd.Series:
    """Relative sd of the period total from year-on-year monthly log ratios."""
    now = [_shift(hist_end, -i) for i in range(12)]
    then = [_shift(m, -12) for m in now]
    a, b = pivot[now].to_numpy(), pivot[then].to_numpy()
    ok = (a > 0) & (b > 0)
    ratio = np.where(ok, np.log(np.where(ok, a, 1.0) / np.where(ok, b, 1.0)), np.nan)
    count = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows get the default below
        sd = np.nanstd(ratio, axis=1, ddof=1)
    cv = np.clip(sd / np.sqrt(max(n_months, 1)), *CV_CLIP)
    return pd.Series(np.where(count >= 6, cv, default_cv), index=pivot.index)
