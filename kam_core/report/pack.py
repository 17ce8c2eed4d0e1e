"""The review pack: the current filtered view as ONE self-contained, printable HTML file.

Made for review meetings and e-mail: it opens offline (plotly.js is inlined once, nothing is
fetched from the network), states its filters, period, viewer scope and generation time, and
prints on A4 (``@media print``). The numbers are the dashboard's own scorecard, filtered the same way.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Engine, select

from kam_core.db.schema import region, sales_rep
from kam_core.figures.profit import build_loss_bars, build_tier_profit_bars
from kam_core.figures.risk import build_loyalty_quadrant
from kam_core.figures.tiers import build_pyramid, build_whale_curve
from kam_core.figures.value_types import build_value_type_map
from kam_core.filters import Filters, apply_filters
from kam_core.i18n import format_date, format_money, format_number, format_pct, label, local_names, t
from kam_core.i18n.plural import tn
from kam_core.i18n.reasons import localise_reasons
from kam_core.report.template import render_page
from kam_core.scope import DIRECTOR, Scope
from kam_core.vocab import PYRAMID_TIERS, QUADRANTS, VALUE_TYPES

MAX_TABLE_ROWS = 50
DEFAULT_TZ = "Asia/Shanghai"  # the brewer's time; the dashboard passes the viewer's browser zone when it knows it
# the pack prints: a fixed size and white background instead of the page's responsive, themed charts
PACK_LAYOUT: dict[str, Any] = {
    "template": "plotly_white",
    "height": 380,
    "margin": {"l": 70, "r": 20, "t": 60, "b": 60},
}
TABLE_COLUMNS = {
    "key_accounts": [
        "account_id",
        "name",
        "channel",
        "region",
        "rep",
        "key_basis",
        "net_sales",
        "net_profit",
        "pyramid_tier",
        "value_type",
        "loyalty_score",
    ],
    "at_risk": [
        "account_id",
        "name",
        "channel",
        "region",
        "rep",
        "net_sales",
        "loyalty_score",
        "churn_prob",
        "hvll_reasons",
    ],
    "diversion": ["account_id", "name", "channel", "region", "rep", "diversion_score", "diversion_evidence"],
}


@dataclass(frozen=True)
class PackView:
    """The filtered scorecard and what the pack says about it."""

    scorecard: pd.DataFrame
    whale_curve: pd.DataFrame
    top20_share: float | None
    start: dt.date
    end: dt.date
    health: tuple[dict, ...] = ()  # data-health items, for describe_health in the pack's language


def _region_paths(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(select(region.c.region_id, region.c.code, region.c.path)).all()
    return {**{r.region_id: r.path for r in rows}, **{r.code: r.path for r in rows}}


def compute_pack_view(engine: Engine, filters: Filters, scope: Scope = DIRECTOR, bundle=None) -> PackView:
    """The scorecard for the filters' period, limited to the scope, then filtered like the dashboard.

    ``bundle`` is a scorecard bundle already computed for this period and scope (the dashboard's cache);
    without it the scorecard is computed here.
    """
    from kam_core.analytics import tiers
    from kam_core.queries.scorecard import compute_scorecard_bundle

    if bundle is None:
        bundle = compute_scorecard_bundle(engine, as_of=filters.end, since=filters.start, scope=scope)
    df = bundle.scorecard
    if not df.empty:
        df = apply_filters(df, filters, _region_paths(engine)).reset_index(drop=True)
    if df.empty:
        curve, share = pd.DataFrame({"x": [], "y": []}), None
    else:
        costed = df[df["cost_basis"].ne("none")] if "cost_basis" in df else df  # no cost data: no profit to rank
        curve, whale = tiers.compute_whale_curve(costed, "net_profit")
        share = whale.top20_share
    return PackView(df, curve, share, bundle.window.start, bundle.window.end, tuple(bundle.health))


def build_pack_figures(view: PackView, lang: str) -> list[go.Figure]:
    """The pack's charts, drawn by the same builders as the pages (``kam_core.figures``) in ``lang``:
    pyramid, whale curve, value-type map, volume × loyalty quadrant (none for an empty view)."""
    df = view.scorecard
    if df.empty:
        return []
    named = df.assign(name=local_names(df, lang))  # hover labels in the language
    pyramid = build_pyramid(
        df["pyramid_tier"].value_counts(),
        t("report.chart.pyramid", lang),
        {tier: label("pyramid_tier", tier, lang) for tier in PYRAMID_TIERS},
        value_text=lambda n: tn("count.accounts", n, lang),  # "1 account", "2 accounts" as on the pages
        layout=PACK_LAYOUT,
    )
    relative = view.top20_share is not None
    whale = build_whale_curve(
        view.whale_curve,
        view.top20_share,
        t("report.chart.whale", lang),
        t("report.chart.whale_x", lang),
        t("report.chart.whale_y" if relative else "pyramid.whale_y_abs", lang),
        t("pyramid.whale_callout", lang),
        layout=PACK_LAYOUT,
    )
    types = build_value_type_map(
        named,
        {v: label("value_type", v, lang) for v in VALUE_TYPES},
        t("report.chart.value_types", lang),
        tuple(t(f"segments.axis_{v}", lang) for v in VALUE_TYPES),
        label("value_type", "untyped", lang),
        layout=PACK_LAYOUT,
    )
    quadrant = build_loyalty_quadrant(
        named,
        title=t("report.chart.loyalty", lang),
        x_label=t("risk.quadrant_x", lang),
        y_label=t("risk.quadrant_y", lang),
        flagged_name=t("risk.flagged", lang),
        others_name=t("risk.others", lang),
        quadrant_names=tuple(t(f"quadrant.{q}", lang) for q in QUADRANTS),
        layout={**PACK_LAYOUT, "height": 440, "margin": {**PACK_LAYOUT["margin"], "t": 95, "b": 95}},
    )
    return [pyramid, whale, *_loss_figures(df, named, lang), types, quadrant]


def _loss_figures(df: pd.DataFrame, named: pd.DataFrame, lang: str) -> list[go.Figure]:
    """Profit per tier and the biggest loss-making accounts as bars (accounts with cost data only, as the whale)."""
    if "net_profit" not in df or "pyramid_tier" not in df:
        return []
    costed = df["cost_basis"].ne("none") if "cost_basis" in df else pd.Series(True, index=df.index)
    money = t("report.chart.profit_axis", lang)
    tiers = build_tier_profit_bars(
        df[costed],
        {tier: label("pyramid_tier", tier, lang) for tier in PYRAMID_TIERS},
        t("report.chart.tier_profit", lang),
        money,
        layout=PACK_LAYOUT,
    )
    losers = named[costed & named["net_profit"].lt(0)]
    if losers.empty:
        return [tiers]
    height = max(PACK_LAYOUT["height"], 120 + 26 * min(len(losers), 15))
    loss = build_loss_bars(
        losers, t("report.chart.loss_accounts", lang), money, layout={**PACK_LAYOUT, "height": height}
    )
    return [tiers, loss]


def _kpis(view: PackView, lang: str) -> list[tuple[str, str]]:
    df = view.scorecard

    def total(col: str) -> float:
        return float(df[col].sum()) if col in df else 0.0

    def count(col: str) -> int:
        return int(df[col].fillna(False).astype(bool).sum()) if col in df else 0

    def accounts(n: int) -> str:
        return tn("count.accounts", n, lang)

    loss = df[df["net_profit"].lt(0)] if "net_profit" in df else df.iloc[:0]
    cases = [(t("report.kpi.volume", lang), tn("count.cases", round(total("volume_cases")), lang))]
    return [
        (t("report.kpi.accounts", lang), accounts(len(df))),
        (t("report.kpi.net_sales", lang), format_money(total("net_sales"), lang)),
        *(cases if "volume_cases" in df else []),
        (t("report.kpi.gross_profit", lang), format_money(total("gross_profit"), lang)),
        (t("report.kpi.cost_to_serve", lang), format_money(total("cost_to_serve"), lang)),
        (t("report.kpi.net_profit", lang), format_money(total("net_profit"), lang)),
        (t("report.kpi.top20_share", lang), format_pct(view.top20_share, lang)),
        (t("report.kpi.loss_accounts", lang), accounts(len(loss))),
        (t("report.kpi.loss_total", lang), format_money(float(loss["net_profit"].sum()) if len(loss) else 0.0, lang)),
        (t("report.kpi.a_accounts", lang), accounts(count("key_account"))),  # the 80/80 union
        (t("report.kpi.at_risk", lang), accounts(count("high_volume_low_loyalty"))),
        (t("report.kpi.diversion", lang), accounts(count("diversion_flag"))),
    ]


def select_tables(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Key accounts (80% of sales or of profit per channel tier, docs/methods_key_accounts.md §1; by net sales),
    at-risk (HVLL by net sales) and the diversion queue (by score)."""
    if df.empty:
        return {name: df for name in TABLE_COLUMNS}
    flag = lambda col: df[col].fillna(False).astype(bool) if col in df else pd.Series(False, index=df.index)  # noqa: E731
    return {
        "key_accounts": df[flag("key_account")].sort_values("net_sales", ascending=False),
        "at_risk": df[flag("high_volume_low_loyalty")].sort_values("net_sales", ascending=False),
        "diversion": df[flag("diversion_flag")].sort_values("diversion_score", ascending=False),
    }


def _cell(col: str, value, lang: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return t("common.none", lang)
    if col in ("net_sales", "net_profit", "gross_profit"):
        return format_money(value, lang)
    if col in ("loyalty_score", "diversion_score"):
        return format_number(value, lang, 2)
    if col == "churn_prob":
        return format_pct(value, lang)
    if col == "key_basis":
        return t(f"key_basis.{value}", lang)
    if col in ("channel", "pyramid_tier", "value_type"):
        return label(col, value, lang)
    if isinstance(value, list | tuple):
        return "; ".join(map(str, value))
    return str(value)


def localise_rows(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A copy in ``lang``: account names (English name where there is one), reasons and diversion evidence
    rebuilt from their structured items (the scorecard's text columns are English)."""
    out = localise_reasons(df, lang)
    if "name" in out:
        out["name"] = local_names(out, lang)
    return out


def render_table(df: pd.DataFrame, name: str, lang: str) -> dict:
    """One table of the pack (at most MAX_TABLE_ROWS rows) as plain texts for the template, which escapes them."""
    table: dict[str, Any] = {
        "title": t(f"report.table.{name}", lang),
        "head": [],
        "rows": [],
        "more": "",
        "empty": t("report.none_listed", lang),
    }
    if df.empty:
        return table
    more = len(df) - MAX_TABLE_ROWS
    shown = localise_rows(df.head(MAX_TABLE_ROWS), lang)
    cols = [c for c in TABLE_COLUMNS[name] if c in df.columns]
    table["head"] = [t(f"col.{c}", lang) for c in cols]
    table["rows"] = [[_cell(c, row[c], lang) for c in cols] for _, row in shown.iterrows()]
    table["more"] = t("report.more_rows", lang, n=more) if more > 0 else ""
    return table


def _names(engine: Engine, lang: str) -> dict[str, dict[str, str]]:
    """Region and rep display names in ``lang``, by region code / rep id."""
    zh = lang == "zh"
    with engine.connect() as conn:
        regions = conn.execute(select(region.c.code, region.c.name_zh, region.c.name_en)).all()
        reps = conn.execute(select(sales_rep.c.rep_id, sales_rep.c.name, sales_rep.c.name_en)).all()
    return {
        "region": {r.code: (r.name_zh if zh else r.name_en) or r.name_zh or r.code for r in regions},
        "rep": {r.rep_id: (r.name if zh else r.name_en) or r.name or r.rep_id for r in reps},
    }


def describe_filters(filters: Filters, lang: str, names: dict[str, dict[str, str]] | None = None) -> list[str]:
    """One line per active filter, in words: codes translated where the catalogue knows them, regions and reps
    named (``names``: region code / rep id → name in ``lang``) with their code."""
    kinds = {"channel": "channel", "type": "value_type", "tier": "pyramid_tier"}
    names = names or {}

    def shown(name: str, value: str) -> str:
        if name in kinds:
            return label(kinds[name], value, lang)
        known = names.get(name, {}).get(value)
        return t("filters.region_level", lang, indent="", name=known, code=value) if known else value

    lines = []
    for name, values in filters.selections.items():
        if values:
            lines.append(f"{t(f'filters.{name}', lang)}: {', '.join(shown(name, v) for v in values)}")
    return lines


def local_stamp(when: dt.datetime, tz: str | None = None) -> str:
    """``when`` in the zone ``tz`` (naive = UTC; unknown or no zone: :data:`DEFAULT_TZ`), e.g.
    ``2026-07-01 17:30 Asia/Shanghai (UTC+08:00)``: the zone is always named, so nobody guesses."""
    try:
        zone = zoneinfo.ZoneInfo(tz or DEFAULT_TZ)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(DEFAULT_TZ)
    local = (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).astimezone(zone)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {zone.key} (UTC{offset[:3]}:{offset[3:]})"


def build_review_pack(
    engine: Engine,
    filters: Filters,
    scope: Scope = DIRECTOR,
    lang: str | None = None,
    now: dt.datetime | None = None,
    bundle=None,
    tz: str | None = None,
) -> bytes:
    """One self-contained HTML file (UTF-8 bytes) of the filtered view: KPIs, charts, tables.

    Parameters
    ----------
    engine
        The database.
    filters
        The dashboard's current filters (period, region, channel, rep, type, tier).
    scope
        The viewer's scope; the pack never shows more than the viewer may see.
    lang
        ``zh`` or ``en`` (default: ``filters.lang``).
    now
        Generation time (default: now); a naive value is taken as UTC.
    bundle
        Optional scorecard bundle of the same period and scope, to avoid computing it twice.
    tz
        IANA zone the time is printed in, named in the text (default and fallback for an unknown zone:
        :data:`DEFAULT_TZ`, Asia/Shanghai; the dashboard passes the viewer's browser zone).

    Returns
    -------
    bytes
        The HTML document; plotly.js is inlined once, nothing is loaded from the network.
    """
    from kam_core.analytics.inputs import describe_health

    lang = lang or filters.lang
    view = compute_pack_view(engine, filters, scope, bundle)
    figures = build_pack_figures(view, lang)
    tables = [render_table(df, name, lang) for name, df in select_tables(view.scorecard).items()]
    stamp = local_stamp(now or dt.datetime.now(dt.UTC), tz)
    header = {
        "generated": t("report.generated", lang, when=stamp),
        "window": t("report.window", lang, start=format_date(view.start, lang), end=format_date(view.end, lang)),
        "viewer": t("report.viewer", lang, scope=t(f"auth.role_{scope.role}", lang, id=scope.scope_id)),
        "filters": describe_filters(filters, lang, _names(engine, lang)) or [t("report.filters_none", lang)],
    }
    notes = describe_health(list(view.health), lang)
    return render_page(lang, header, _kpis(view, lang), figures, tables, notes).encode("utf-8")
