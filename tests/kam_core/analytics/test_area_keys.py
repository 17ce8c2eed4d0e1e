"""Small-retail key accounts per area (issue #14 item 3) on a literal region tree and scorecard."""

from __future__ import annotations

import pandas as pd
import pytest

from kam_core.analytics.area_keys import compute_area_key_accounts, map_to_level, summarise_areas

# R1 > A1 > {C1 > S1, S2; C2 > S3; C3 > S4}; R1 > A2 > C4 > S5
REGIONS = pd.DataFrame(
    [
        ("R1", None, "region"),
        ("A1", "R1", "area"),
        ("A2", "R1", "area"),
        ("C1", "A1", "community"),
        ("C2", "A1", "community"),
        ("C3", "A1", "community"),
        ("C4", "A2", "community"),
        ("S1", "C1", "street"),
        ("S2", "C1", "street"),
        ("S3", "C2", "street"),
        ("S4", "C3", "street"),
        ("S5", "C4", "street"),
    ],
    columns=["region_id", "parent_id", "level"],
)
_PARENT = dict(zip(REGIONS["region_id"], REGIONS["parent_id"], strict=True))


def _path(rid: object) -> str:
    return (_path(_PARENT[rid]) + "/" + rid).lstrip("/") if isinstance(rid, str) else ""


REGIONS["path"] = REGIONS["region_id"].map(_path)
CARD = pd.DataFrame(
    [
        ("r1", "RETAIL", "S1", 600.0, 60.0, "REP1"),
        ("r2", "RETAIL", "S1", 300.0, 50.0, "REP1"),
        ("r3", "RETAIL", "S2", 100.0, 40.0, "REP1"),
        ("r4", "RETAIL", "S3", 500.0, 10.0, "REP1"),
        ("d1", "DIST", "S3", 5000.0, 900.0, "REP1"),  # not small retail: never an area key account
        ("r5", "RETAIL", "S4", 0.0, -5.0, "REP1"),  # C3: a retail account without sales
        ("k1", "KA", "S4", 900.0, 90.0, "REP1"),
        ("r6", "RETAIL", "S5", 200.0, 20.0, None),  # C4: the only seller has no owner
    ],
    columns=["account_id", "channel", "region_id", "net_sales", "net_profit", "rep"],
).assign(name=lambda d: d["account_id"].str.upper(), region_path=lambda d: d["region_id"].map(_path))


def _independent_keys(card: pd.DataFrame, node: dict, coverage: float, cap: int) -> dict[str, list[str]]:
    """The rule written out by hand: per node, the 80 % sets by sales and by profit, union, top ``cap`` by sales."""
    out: dict[str, list[str]] = {}
    retail = card[(card["channel"] == "RETAIL") & (card["net_sales"] > 0)]
    for area, grp in retail.groupby(retail["region_id"].map(node)):
        chosen = set()
        for col in ("net_sales", "net_profit"):
            vals = grp.set_index("account_id")[col].clip(lower=0).sort_values(ascending=False)
            run = 0.0
            for acc, v in vals.items():
                if v > 0 and run < coverage * vals.sum():
                    chosen.add(acc)
                run += v
        ordered = grp.sort_values("net_sales", ascending=False)["account_id"]
        out[area] = [a for a in ordered if a in chosen][:cap]
    return out


def test_map_to_level_walks_the_parents_and_leaves_regions_above_the_level_empty():
    node = map_to_level(REGIONS, "community")
    assert node["S1"] == "C1" and node["S5"] == "C4" and node["C2"] == "C2"
    assert pd.isna(node["A1"]) and pd.isna(node["R1"])
    assert _path("S1") == "R1/A1/C1/S1"


def test_every_community_with_retail_sales_gets_its_own_key_accounts():
    keys = compute_area_key_accounts(CARD, REGIONS, "community")
    got = keys.groupby("area_id")["account_id"].agg(list).to_dict()
    assert got == {"C1": ["r1", "r2", "r3"], "C2": ["r4"], "C4": ["r6"]}
    assert got == _independent_keys(CARD, map_to_level(REGIONS, "community").to_dict(), 0.8, 3)
    c1 = keys[keys["area_id"] == "C1"].set_index("account_id")
    # r3 is in by profit only: sales 600+300 already cover 90 %, profit 60+50 = 110 of 150 does not cover 80 %
    assert c1.loc["r3", "by_profit"] and not c1.loc["r3", "by_sales"]
    assert c1["sales_share"].tolist() == pytest.approx([0.6, 0.3, 0.1])


def test_choosing_the_area_level_ranks_across_its_communities_and_caps_the_count():
    keys = compute_area_key_accounts(CARD, REGIONS, "area", max_per_area=3)
    got = keys.groupby("area_id")["account_id"].agg(list).to_dict()
    # A1: sales set r1, r4, r2 (600+500+300 of 1500); profit set adds r3; the cap keeps the top three by sales
    assert got == {"A1": ["r1", "r4", "r2"], "A2": ["r6"]}
    assert got == _independent_keys(CARD, map_to_level(REGIONS, "area").to_dict(), 0.8, 3)
    assert compute_area_key_accounts(CARD, REGIONS, "area", max_per_area=5).query("area_id == 'A1'")[
        "rank"
    ].tolist() == [1, 2, 3, 4]


def test_summary_names_the_community_without_retail_sales_and_the_one_without_an_owner():
    keys = compute_area_key_accounts(CARD, REGIONS, "community")
    summary = summarise_areas(keys, CARD, REGIONS, "community", {"REP1": "张三"}).set_index("area_id")
    assert summary.loc["C3", "status"] == "no_sales" and summary.loc["C3", "key_accounts"] == 0
    assert summary.loc["C3", "retail_accounts"] == 1  # r5 exists, sells nothing
    assert summary.loc["C4", "status"] == "unowned" and summary.loc["C4", "unowned"] == 1
    assert summary.loc["C1", "status"] == "ok" and summary.loc["C1", "owners"] == "张三"
    assert summary.loc["C1", "key_names"] == "R1、R2、R3"
    assert list(summary.index[:2]) == ["C3", "C4"]  # what needs attention first


def test_the_inputs_are_not_changed_and_bad_arguments_are_named():
    before = CARD.copy()
    compute_area_key_accounts(CARD, REGIONS, "street")
    pd.testing.assert_frame_equal(CARD, before)
    with pytest.raises(ValueError, match="level 'city'"):
        compute_area_key_accounts(CARD, REGIONS, "city")
    with pytest.raises(ValueError, match="net_profit"):
        compute_area_key_accounts(CARD.drop(columns="net_profit"), REGIONS, "area")
    with pytest.raises(ValueError, match="coverage"):
        compute_area_key_accounts(CARD, REGIONS, "area", coverage=1.5)
