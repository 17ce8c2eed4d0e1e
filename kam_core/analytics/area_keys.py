"""Small-retail key accounts per area (issue #14): every region node at a chosen level gets its own.

Within each node of the chosen level (大区 region, 片区 area, 社区 community, 街道 street) the RETAIL
accounts with sales are ranked by net sales; the key accounts are the union of the fewest accounts
that cover 80 % of the node's net sales and the fewest that cover 80 % of its positive net profit
(the 80/80 rule of the scorecard, applied inside the node), at least one per node with sales,
at most ``max_per_area`` (the strongest by net sales). docs/methods_area_keys.md has the rule,
its defaults and a worked example.
"""

from __future__ import annotations

import pandas as pd

LEVELS = ("region", "area", "community", "street")
RETAIL = "RETAIL"
DEFAULT_COVERAGE = 0.80
DEFAULT_MAX_PER_AREA = 3
STATUSES = ("ok", "no_sales", "unowned")
_REGION_COLS = ("region_id", "parent_id", "level", "path")
_CARD_COLS = ("account_id", "channel", "region_path", "net_sales", "net_profit")


def _require(frame: pd.DataFrame, cols: tuple[str, ...], what: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ValueError(f"Required column(s) {', '.join(missing)} missing from {what}")


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"level {level!r} is not a region level: expected one of {', '.join(LEVELS)}")


def map_to_level(regions: pd.DataFrame, level: str) -> pd.Series:
    """The region id at ``level`` above (or equal to) every region, walking ``parent_id``.

    Parameters
    ----------
    regions
        The region tree: ``region_id``, ``parent_id``, ``level``, ``path``.
    level
        One of :data:`LEVELS`.

    Returns
    -------
    pandas.Series
        Indexed by region id; NaN for a region above ``level`` or whose ancestors are not in ``regions``.
    """
    _check_level(level)
    _require(regions, _REGION_COLS, "the region tree")
    ids = regions["region_id"].tolist()
    parent = dict(zip(ids, regions["parent_id"].tolist(), strict=True))
    lvl = dict(zip(ids, regions["level"].tolist(), strict=True))

    def up(node: object) -> object:
        for _ in range(len(ids) + 1):  # a tree is never deeper than its node count; stops a parent cycle
            if node is None or lvl.get(node) == level or not isinstance(node, str):
                break
            node = parent.get(node)
        return node if isinstance(node, str) and lvl.get(node) == level else None

    # plain dicts: a few thousand regions, walked in microseconds (pandas maps cost ~10 ms each)
    return pd.Series({r: up(r) for r in ids}, index=ids, dtype=object)


def account_nodes(scorecard: pd.DataFrame, regions: pd.DataFrame, level: str) -> pd.Series:
    """The region id at ``level`` of every scorecard row, from its ``region_path`` (NaN: none at that level)."""
    node = map_to_level(regions, level).to_dict()
    by_path = {p: node.get(r) for p, r in zip(regions["path"].tolist(), regions["region_id"].tolist(), strict=True)}
    return pd.Series([by_path.get(p) for p in scorecard["region_path"].tolist()], index=scorecard.index, dtype=object)


def _covering(df: pd.DataFrame, col: str, coverage: float) -> pd.Series:
    """True for the fewest largest positive ``col`` values of each node whose sum reaches ``coverage`` of it.

    An account is in when the accounts ranked above it cover less than ``coverage``: the one that
    crosses the line is in, so a node with sales always has at least one.
    """
    value = df[col].fillna(0).clip(lower=0)
    ranked = df.assign(_v=value).sort_values(["area_id", "_v", "account_id"], ascending=[True, False, True])
    g = ranked.groupby("area_id")["_v"]
    before = g.cumsum() - ranked["_v"]
    flag = (before < coverage * g.transform("sum")) & (ranked["_v"] > 0)
    return flag.reindex(df.index)


def compute_area_key_accounts(
    scorecard: pd.DataFrame,
    regions: pd.DataFrame,
    level: str,
    coverage: float = DEFAULT_COVERAGE,
    max_per_area: int = DEFAULT_MAX_PER_AREA,
) -> pd.DataFrame:
    """The RETAIL key accounts of every region node at ``level``.

    Parameters
    ----------
    scorecard
        One row per account: ``account_id``, ``channel``, ``region_path``, ``net_sales``, ``net_profit``
        (``name``, ``name_en`` and ``rep`` are carried along when present).
    regions
        The region tree (``region_id``, ``parent_id``, ``level``, ``path``): at least the accounts' regions and
        their ancestors. An account's region is the one whose ``path`` is its ``region_path``.
    level
        The level of the nodes (:data:`LEVELS`).
    coverage
        Share of the node's net sales (and of its positive net profit) the key accounts cover.
    max_per_area
        At most this many key accounts per node (the largest by net sales).

    Returns
    -------
    pandas.DataFrame
        One row per key account: ``area_id``, the scorecard's columns, ``area_sales``, ``sales_share``,
        ``rank`` (1 = largest net sales in the node), ``by_sales``, ``by_profit``; sorted by node and rank.

    Raises
    ------
    ValueError
        A required column is missing, an unknown level, coverage outside (0, 1] or a cap below 1.

    Examples
    --------
    Sales 60, 30, 10 in one community: 60 covers 60 % (< 80 %), 60 + 30 covers 90 %, so two key accounts.
    """
    _require(scorecard, _CARD_COLS, "the scorecard")
    if not 0 < coverage <= 1:
        raise ValueError(f"coverage must be in (0, 1], got {coverage}")
    if int(max_per_area) < 1:
        raise ValueError(f"max_per_area must be at least 1, got {max_per_area}")
    carried = [c for c in (*_CARD_COLS, "name", "name_en", "rep") if c in scorecard.columns]
    df = scorecard.loc[scorecard["channel"] == RETAIL, carried].copy()  # a few columns, not the scorecard's 200
    df["area_id"] = account_nodes(df, regions, level)
    df = df[df["area_id"].notna() & (df["net_sales"] > 0)]
    df = df.sort_values(["area_id", "net_sales", "account_id"], ascending=[True, False, True])
    groups = df.groupby("area_id", sort=False)
    df["area_sales"] = groups["net_sales"].transform("sum")
    df["sales_share"] = df["net_sales"] / df["area_sales"]
    df["rank"] = groups.cumcount() + 1
    df["by_sales"] = _covering(df, "net_sales", coverage)
    df["by_profit"] = _covering(df, "net_profit", coverage)
    keys = df[df["by_sales"] | df["by_profit"]]
    keys = keys[keys.groupby("area_id").cumcount() < int(max_per_area)]
    return keys.reset_index(drop=True)


def _key_lists(keys: pd.DataFrame, names: dict) -> dict[str, dict]:
    """Per node: the number of key accounts, their names, their distinct owners and how many have none."""
    per_area: dict[str, dict] = {}
    labels = keys["name"].tolist() if "name" in keys else keys["account_id"].tolist()
    reps = keys["rep"].tolist() if "rep" in keys else [None] * len(keys)
    for area, rep, label in zip(keys["area_id"].tolist(), reps, labels, strict=True):
        entry = per_area.setdefault(area, {"n": 0, "names": [], "owners": [], "unowned": 0})
        owned = isinstance(rep, str) and bool(rep)
        entry["n"] += 1
        entry["names"].append(str(label))
        entry["unowned"] += not owned
        if owned and names.get(rep, rep) not in entry["owners"]:
            entry["owners"].append(names.get(rep, rep))
    return per_area


def summarise_areas(
    keys: pd.DataFrame, scorecard: pd.DataFrame, regions: pd.DataFrame, level: str, rep_names: dict | None = None
) -> pd.DataFrame:
    """One row per region node at ``level`` in ``regions``: its key accounts, their owners and a status.

    Parameters
    ----------
    keys
        :func:`compute_area_key_accounts` output.
    scorecard, regions, level
        As given to :func:`compute_area_key_accounts`.
    rep_names
        Rep id → display name (ids are shown where a name is missing).

    Returns
    -------
    pandas.DataFrame
        ``area_id``, ``retail_accounts`` (RETAIL accounts in the node), ``retail_sales``, ``key_accounts``,
        ``key_names``, ``owners``, ``unowned`` (key accounts with no owner) and ``status``: ``no_sales``
        (no RETAIL account with sales), ``unowned`` (a key account has no owner) or ``ok``; sorted with the
        nodes that need attention first.
    """
    _check_level(level)
    areas = regions.loc[regions["level"] == level, "region_id"]
    retail = scorecard.loc[scorecard["channel"] == RETAIL, ["account_id", "region_path", "net_sales"]]
    retail = retail.assign(area_id=account_nodes(retail, regions, level))
    by_area = retail.groupby("area_id")
    out = pd.DataFrame({"area_id": areas.to_numpy()})
    out["retail_accounts"] = out["area_id"].map(by_area.size()).fillna(0).astype(int)
    out["retail_sales"] = out["area_id"].map(by_area["net_sales"].sum()).fillna(0.0)
    lists = _key_lists(keys, rep_names or {})
    empty = {"n": 0, "names": [], "owners": [], "unowned": 0}
    rows = [lists.get(a, empty) for a in out["area_id"].tolist()]
    out["key_accounts"] = [r["n"] for r in rows]
    out["key_names"] = ["、".join(r["names"]) for r in rows]
    out["owners"] = ["、".join(r["owners"]) for r in rows]
    out["unowned"] = [r["unowned"] for r in rows]
    out["status"] = "ok"
    out.loc[out["unowned"] > 0, "status"] = "unowned"
    out.loc[out["key_accounts"] == 0, "status"] = "no_sales"
    rank = out["status"].map({"no_sales": 0, "unowned": 1, "ok": 2})
    return out.assign(_r=rank).sort_values(["_r", "area_id"]).drop(columns="_r").reset_index(drop=True)
