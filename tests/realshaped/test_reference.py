"""Every line-derived scorecard figure of an ERP import equals the independent pandas reference (to 0.01).

Each file of ``tests/realshaped`` (listed in a ``MANIFEST*.toml`` there) is imported with
``import_transactions`` (refused lines to a rejects file) into its own SQLite database; the scorecard
of each window listed is compared, figure by figure and account by account, with
:mod:`tests.realshaped.reference`. A failure lists every mismatch (account, column, ours, reference).

Groups of figures (:data:`GROUPS`) are separate tests, so a known bug in one group does not hide the
others. Where a group is wrong today for a known reason (:data:`CAUSES`), :data:`KNOWN` lists the
causes and the test is ``xfail(strict=True)``: when the fixes merge it passes, strict xfail fails, and
the entry is removed. ``test_known_causes_explain_every_mismatch`` reproduces the known causes in the
reference (:class:`~tests.realshaped.reference.Rules`) and must then match exactly, so an xfail group
cannot hide a new bug; after a fix merges it fails until that cause is removed from :data:`KNOWN`.
Other helpers' files come with their own ``MANIFEST_<name>.toml`` (keys: see MANIFEST.toml).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kam_core.db import ensure_schema, get_engine
from kam_core.io.transactions import import_transactions, parse_mapping
from kam_core.queries.scorecard import compute_scorecard_bundle
from tests.realshaped.reference import TARGET, Rules, compute_reference

HERE = Path(__file__).resolve().parent
TOL = 0.01
GROUPS = {
    "accounts": [],
    "sales": ["net_sales", "gross_sales", "volume_cases", "ly_net_sales", "ly_volume_cases", "growth", "sales_cv"],
    "cost": ["cogs", "gross_profit", "cost_to_serve", "free_goods_cost", "promo_spend", "net_profit"],
    "orders": [
        "n_orders",
        "first_order_in_window",
        "last_order_date",
        "first_order_ever",
        "last_order_ever",
        "order_days_ever",
        "order_weeks_ever",
        "order_days_window",
        "order_weeks_window",
        "tenure_years",
        "recency_days",
        "orders_per_year",
    ],
    "tiers": ["channel", "abc_class", "size_tier", "key_account"],
    "profit_tiers": ["pyramid_tier", "abc_class_profit"],
    "whale": [],
    "lines": [],
}
# why a group of figures differed before issue #12's fixes -> (reason, how the reference reproduces it)
CAUSES = {
    "repeat": ("issue #12.1: repeat lines refused as exact duplicates", {"repeat_lines": False}),
    "free": (
        "free goods (goods lines at price 0) refused as 'zero price on a goods line', their cost lost",
        {"zero_price_goods": False},
    ),
    "nocost": ("unknown cost imported as cogs 0, so profit is overstated", {"unknown_cost_zero": True}),
    "future": ("customers first seen after as_of are scored, with zeros", {"future_accounts": True}),
    "no_sales_days": (
        "order days/weeks NaN instead of 0 for an account without a sales order",
        {"no_sales_days_unknown": True},
    ),
}
WHOLESALER, FREE_GOODS, BOUNDARIES = "erp_wholesaler_gbk.csv", "erp_free_goods_utf8.csv", "erp_tier_boundaries.csv"
# (file, window number, group) -> the causes of today's mismatches. When a fix merges, its cause is removed
# here (test_known_causes_explain_every_mismatch fails until it is); an entry left empty is deleted.
KNOWN: dict = {}  # every cause above is fixed (issue #12); a new known bug goes here with its cause


def _entries() -> list[dict]:
    out = []
    for manifest in sorted(HERE.glob("MANIFEST*.toml")):
        out += tomllib.loads(manifest.read_text(encoding="utf-8")).get("file", [])
    return out


def _cases():
    for entry in _entries():
        for w, window in enumerate(entry.get("windows", [{}])):
            label = window.get("as_of", "default") + ("-since-" + window["since"] if "since" in window else "")
            for group in GROUPS:
                if group in entry.get("skip", []):
                    continue
                causes = KNOWN.get((entry["file"], w, group), ())
                reason = "; ".join(CAUSES[c][0] for c in causes) or entry.get("xfail", {}).get(group)
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                yield pytest.param(entry, w, group, marks=marks, id=f"{Path(entry['file']).stem}-{label}-{group}")


class Corpus:
    """Imports each file once (its own SQLite database) and computes each window's scorecard once."""

    def __init__(self, root: Path):
        self.root, self.engines, self.imports, self.bundles, self.references = root, {}, {}, {}, {}

    def imported(self, entry: dict):
        name = entry["file"]
        if name not in self.engines:
            folder = self.root / Path(name).stem
            folder.mkdir()
            engine = get_engine(f"sqlite:///{folder / 'kam.db'}")
            ensure_schema(engine)
            self.imports[name] = import_transactions(
                engine, HERE / name, parse_mapping(entry["map"]), rejects=folder / "rejects.csv"
            )
            self.engines[name] = engine
        return self.engines[name], self.imports[name]

    def bundle(self, entry: dict, w: int):
        key = (entry["file"], w)
        if key not in self.bundles:
            engine, _ = self.imported(entry)
            window = entry.get("windows", [{}])[w]
            self.bundles[key] = compute_scorecard_bundle(engine, window.get("as_of"), window.get("since"))
        return self.bundles[key]

    def reference(self, entry: dict, w: int, rules: Rules):
        key = (entry["file"], w, rules)
        if key not in self.references:
            window = entry.get("windows", [{}])[w]
            self.references[key] = compute_reference(
                HERE / entry["file"],
                entry["map"],
                window.get("as_of"),
                window.get("since"),
                entry.get("encoding"),
                rules,
            )
        return self.references[key]

    def close(self) -> None:
        for engine in self.engines.values():
            engine.dispose()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    c = Corpus(tmp_path_factory.mktemp("realshaped"))
    yield c
    c.close()


def _norm(value):
    """Comparable form: None for missing, ISO text for dates, float for numbers, str otherwise."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | dt.date):
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = str(value)
    return (
        dt.date.fromisoformat(text[:10]).isoformat() if len(text) >= 10 and text[4] == "-" and text[7] == "-" else text
    )


def same(ours, ref) -> bool:
    a, b = _norm(ours), _norm(ref)
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= TOL
    return a == b


def compare_accounts(ours: pd.DataFrame, ref: pd.DataFrame, columns: list[str]) -> tuple[int, list[tuple]]:
    """(figures that match, mismatches as (account, column, ours, reference)) over accounts in both."""
    ours = ours.set_index("account_id")
    matched, bad = 0, []
    for acc in sorted(set(ours.index) & set(ref.index)):
        for col in columns:
            mine = ours.at[acc, col] if col in ours else "(no column)"
            if same(mine, ref.at[acc, col]):
                matched += 1
            else:
                bad.append((acc, col, _norm(mine), _norm(ref.at[acc, col])))
    return matched, bad


def compare(corpus: Corpus, entry: dict, w: int, group: str, rules: Rules = TARGET) -> tuple[int, list[tuple]]:
    """Matches and mismatches of one group of figures for one file and window (``rules``: which lines count)."""
    ref = corpus.reference(entry, w, rules)
    bundle = corpus.bundle(entry, w)
    if group == "accounts":
        ours, theirs = set(bundle.scorecard["account_id"]), set(ref.accounts.index)
        bad = [(a, "scored", a in ours, a in theirs) for a in sorted(ours ^ theirs)]
        bad += (
            [
                (
                    "window",
                    "start..end",
                    f"{bundle.window.start}..{bundle.window.end}",
                    f"{ref.start.date()}..{ref.end.date()}",
                )
            ]
            if (bundle.window.start, bundle.window.end) != (ref.start.date(), ref.end.date())
            else []
        )
        return len(ours & theirs), bad
    if group == "whale":
        bad = [
            ("whale", k, getattr(bundle.whale, k), v)
            for k, v in ref.whale.items()
            if not same(getattr(bundle.whale, k), v)
        ]
        return len(ref.whale) - len(bad), bad
    if group == "lines":
        _, result = corpus.imported(entry)
        pairs = {
            "lines imported": (result.inserted + result.skipped, ref.n_valid),
            "lines refused": (result.rows_rejected, sum(ref.refused.values())),
        }
        bad = [("import", k, a, b) for k, (a, b) in pairs.items() if a != b]
        return len(pairs) - len(bad), bad
    return compare_accounts(bundle.scorecard, ref.accounts, GROUPS[group])


@pytest.mark.parametrize(("entry", "w", "group"), list(_cases()))
def test_scorecard_figures_equal_the_independent_reference(corpus, entry, w, group):
    matched, bad = compare(corpus, entry, w, group)
    lines = "\n".join(f"  {acc} {col}: ours={a!r} reference={b!r}" for acc, col, a, b in bad)
    assert not bad, f"{entry['file']} window {w} {group}: {len(bad)} mismatch(es), {matched} matched\n{lines}"
    assert matched > 0, f"{entry['file']} window {w} {group}: nothing compared"


@pytest.mark.parametrize(
    ("entry", "w", "group"),
    [pytest.param(*p.values, id=p.id) for p in _cases() if (p.values[0]["file"], *p.values[1:]) in KNOWN],
)
def test_known_causes_explain_every_mismatch(corpus, entry, w, group):
    """Where a group is xfail, reproducing the known causes in the reference must leave no mismatch: an
    unexplained difference is a new bug (or a fix merged: then remove its cause from KNOWN)."""
    # every known cause of the window is reproduced (one reference per window keeps the file fast)
    causes = sorted({c for (f, x, _), cs in KNOWN.items() if (f, x) == (entry["file"], w) for c in cs})
    rules = dataclasses.replace(TARGET, **{k: v for c in causes for k, v in CAUSES[c][1].items()})
    matched, bad = compare(corpus, entry, w, group, rules)
    lines = "\n".join(f"  {acc} {col}: ours={a!r} reference={b!r}" for acc, col, a, b in bad)
    assert not bad, (
        f"{entry['file']} window {w} {group}: {len(bad)} mismatch(es) not explained by {causes} "
        f"({matched} matched); if a fix merged, remove its cause from KNOWN\n{lines}"
    )
    assert matched > 0
