"""The loyalty reasons written for every account at once equal the one-item renderer the pages use."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kam_core.analytics.bulk import split_flat
from kam_core.analytics.loyalty import COMPONENTS, _weakest, compute_loyalty, flag_hvll
from kam_core.analytics.params import Params
from kam_core.i18n.reasons import _renderer
from kam_core.i18n.reasons import loyalty_reason_texts as _reason_texts

# ties at .5 after ×100 (rounded to even), values rounding to −0, −0.0 itself, > 100%, missing
TRICKY = [
    0.005,
    0.015,
    0.125,
    0.285,
    0.575,
    0.995,
    1.0,
    0.0,
    -0.0,
    -0.001,
    -0.004,
    12.5,
    1e20,
    np.nan,
    float("inf"),
    0.4999999,
    2.25,
    2.35,
    7.0,
]


YEARS = [0.05, 0.25, 0.35, 1.45, 3.0]  # one decimal: 0.25 → "0.2", 0.35 → "0.3" (the exact doubles)


def _frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = {c: rng.choice(np.array(YEARS if c == "tenure_years" else TRICKY), n) for c in COMPONENTS}
    return pd.DataFrame({"channel": rng.choice(["DIST", "KA", "NEWCHANNEL", None], n), **values})


def _ranked(df: pd.DataFrame) -> pd.DataFrame:
    return df.join(compute_loyalty(df, Params()).filter(like="pr_"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_reason_sentences_written_at_once_equal_the_renderer_item_by_item(lang):
    df = _ranked(_frame())
    comp, value, pct, counts = _weakest(df)
    channel = df["channel"].astype(str).to_numpy(dtype=object).repeat(counts)
    render = _renderer(lang)
    expected = [
        render(COMPONENTS[c], v, p, ch)
        for c, v, p, ch in zip(comp.tolist(), value.tolist(), pct.tolist(), channel.tolist(), strict=True)
    ]
    assert _reason_texts(comp, value, pct, channel, lang) == expected
    assert any(s.startswith(("share of wallet -0%", "钱包份额 -0%")) for s in expected)


def test_reason_items_are_the_three_weakest_observed_components_weakest_first_ties_in_component_order():
    df = _ranked(
        pd.DataFrame(
            {
                "channel": "DIST",
                "sow": [0.9, 0.1, np.nan],
                "exclusivity": [0.2, 0.5, np.nan],
                "regularity": [0.5, 0.3, np.nan],
                "tenure_years": [1.0, 9.0, np.nan],
                "satisfaction": [9.0, 1.0, 5.0],
            }
        )
    )
    comp, value, pct, counts = _weakest(df)
    flat = list(
        zip(
            np.asarray(COMPONENTS)[comp].tolist(),
            value.tolist(),
            pct.tolist(),
            df["channel"].to_numpy().repeat(counts).tolist(),
            strict=True,
        )
    )
    items = split_flat(flat, counts)
    assert [c for c, *_ in items[0]] == ["exclusivity", "tenure_years", "sow"]  # 50th, 50th, 100th
    assert [c for c, *_ in items[1]] == ["satisfaction", "sow", "regularity"]
    assert items[2] == [("satisfaction", 5.0, pytest.approx(200 / 3), "DIST")]


def test_hvll_reasons_are_the_loyalty_reasons_of_flagged_accounts_with_their_items():
    df = _ranked(_frame(200, seed=3)).assign(volume_cases=np.arange(200.0), n_orders=50.0)
    df["loyalty_score"] = compute_loyalty(df, Params())["loyalty_score"]
    out = flag_hvll(df, Params().with_(ll_sow=2.0))
    flagged = out["high_volume_low_loyalty"]
    assert flagged.any() and not flagged.all()
    assert (out["hvll_reasons"][flagged] == out["loyalty_reasons"][flagged]).all()
    assert out["hvll_reasons"][~flagged].map(len).eq(0).all()
    render = _renderer("en")
    for items, reasons in zip(out["hvll_reason_items"][flagged], out["hvll_reasons"][flagged], strict=True):
        assert [render(i["component"], i["value"], i["percentile"], i["channel"]) for i in items] == reasons
