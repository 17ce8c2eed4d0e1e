"""Overview blocks: KPI tiles with change vs the comparison window, actual vs last year and target, movers, changes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kam_core.i18n import format_cases, format_date, format_money, format_number, format_pct
from kam_core.io.column_kinds import MONEY_WHOLE
from kam_core.views import Kpis, compute_kpis, count_orders
from kam_core.views.compare import Attainment, pct_change
from kam_ui.components import Kpi, card_column, card_link, empty_state, kpi_row
from kam_ui.lang import current_lang, lbl, tr, tr_text, trn
from kam_ui.tables import show_table, with_name_en


def _delta(now: float | None, before: float | None, money: bool, share: bool = False) -> str | None:
    """The change as money, a share (percentage points) or a count; a count never reads as a percentage."""
    if now is None or before is None:
        return None
    change = now - before
    if money:
        return format_money(change, current_lang())
    return format_pct(change, current_lang()) if share else format_number(change, current_lang())


def no_sales(page) -> bool:
    """An empty state in words when the period has no orders at all (True: draw nothing else).

    When only the filtered accounts have none, a note says so and the page goes on: their drop to zero
    is what the movers and changes then show.
    """
    from kam_ui.data import dimensions

    lang, w = current_lang(), page.bundle.window
    period = {"start": format_date(w.start, lang), "end": format_date(w.end, lang)}
    if count_orders(page.everyone) == 0:
        dims = dimensions()
        if dims.first_date and dims.last_date:
            empty_state(
                "overview.no_sales_period",
                first=format_date(dims.first_date, lang),
                last=format_date(dims.last_date, lang),
                **period,
            )
        else:
            empty_state("overview.no_sales_period_nodata", **period)
        return True
    if count_orders(page.rows) == 0:
        empty_state("overview.no_sales_selection", n=len(page.rows), **period)
    return False


def show_kpis(now: pd.DataFrame, before: pd.DataFrame | None) -> Kpis:
    """The KPI row for ``now`` with changes against ``before`` (None: no comparison window with data)."""
    k = compute_kpis(now)
    p = compute_kpis(before) if before is not None else None
    lang = current_lang()
    pick = lambda attr: getattr(p, attr) if p else None  # noqa: E731
    no_cost = int(now["cost_basis"].eq("none").sum()) if "cost_basis" in now else 0
    profit_help = trn("plural.honest.kpi_without_cost", no_cost) if no_cost else None
    none_at_all = bool(len(now)) and no_cost == len(now)  # a sum of nothing is not ¥0 of profit
    profit = lambda v: tr("honest.cost_basis.none") if none_at_all else format_money(v, lang)  # noqa: E731
    kpi_row(
        [
            Kpi(
                tr("overview.net_sales"), format_money(k.net_sales, lang), _delta(k.net_sales, pick("net_sales"), True)
            ),
            Kpi(
                tr("overview.gross_profit"),
                profit(k.gross_profit),
                _delta(k.gross_profit, pick("gross_profit"), True),
                help=profit_help,
            ),
            Kpi(
                tr("overview.net_profit"),
                profit(k.net_profit),
                _delta(k.net_profit, pick("net_profit"), True),
                help=profit_help,
            ),
            Kpi(
                tr("overview.key_accounts"),
                format_number(k.key_accounts, lang),
                _delta(k.key_accounts, pick("key_accounts"), False),
            ),
            Kpi(
                tr("overview.concentration"),
                format_pct(k.top20_sales_share, lang),
                _delta(k.top20_sales_share, pick("top20_sales_share"), False, share=True),
                good_when_up=False,
                help=tr("overview.concentration_help", hhi=format_number(k.hhi, lang, 3)),
            ),
            Kpi(
                tr("overview.at_risk"),
                format_number(k.at_risk, lang),
                _delta(k.at_risk, pick("at_risk"), False),
                good_when_up=False,
                help=trn("plural.overview.at_risk_help", k.diverting),
            ),
        ]
    )
    return k


def _cases(frame: pd.DataFrame | None) -> float | None:
    if frame is None or "volume_cases" not in frame:
        return None
    return float(pd.to_numeric(frame["volume_cases"], errors="coerce").fillna(0).sum())


def _change_tile(label: str, now: float, before: float | None, fmt, mode_text: str) -> Kpi:
    """A change in % against the comparison window; in words when there is no base to compare with."""
    change = pct_change(now, before)
    lang = current_lang()
    shown = tr("yoy.no_base") if change is None else format_pct(change, lang)
    before_text = "–" if before is None else fmt(before, lang)
    return Kpi(
        label,
        shown,
        None if change is None else fmt(now - before, lang),
        help=tr("yoy.change_help", now=fmt(now, lang), before=before_text, mode=mode_text),
    )


def _attain_tile(label: str, actual: float, target: float | None, att: Attainment, fmt) -> Kpi:
    lang = current_lang()
    ratio = None if target is None or target <= 0 else actual / target
    return Kpi(
        label,
        tr("yoy.no_target_value") if ratio is None else format_pct(ratio, lang),
        help=tr(
            "yoy.attain_help",
            actual=fmt(actual, lang),
            target="–" if target is None else fmt(target, lang),
            months=len(att.months),
            first=format_date(att.months[0], lang),
            last=format_date(att.months[-1], lang),
            level=tr(f"yoy.level.{att.level}"),
            n=att.n_accounts,
        ),
    )


def show_comparison(
    now: pd.DataFrame, before: pd.DataFrame | None, mode: str, att: Attainment | None, any_targets: bool
) -> None:
    """Net sales and cases: change against the comparison window (Δ%) and attainment of the view's targets."""
    mode_text = tr(f"yoy.mode.{mode}")
    st.subheader(tr("yoy.vs_title", mode=mode_text))
    sales_before = float(before["net_sales"].sum()) if before is not None else None
    tiles = [
        _change_tile(
            tr("yoy.kpi.net_sales_change", mode=mode_text),
            float(now["net_sales"].sum()),
            sales_before,
            format_money,
            mode_text,
        ),
        _change_tile(
            tr("yoy.kpi.cases_change", mode=mode_text), _cases(now) or 0.0, _cases(before), format_cases, mode_text
        ),
    ]
    if att is not None:
        tiles += [
            _attain_tile(tr("yoy.kpi.net_sales_attain"), att.actual_net_sales, att.target_net_sales, att, format_money),
            _attain_tile(tr("yoy.kpi.cases_attain"), att.actual_cases, att.target_cases, att, format_cases),
        ]
    kpi_row(tiles, per_row=4)
    if att is None:
        st.info(tr("yoy.no_targets_level" if any_targets else "yoy.no_targets"), icon=":material/info:")


def show_movers(movers: pd.DataFrame, mode: str, rows: pd.DataFrame) -> None:
    movers = with_name_en(movers, rows)
    shown = movers[["name", *(["name_en"] if "name_en" in movers else []), "channel"]].assign(
        before=movers["net_sales_before"], now=movers["net_sales_now"], change=movers["change"]
    )
    labels = {
        "before": tr_text("yoy.movers_before", mode=tr_text(f"yoy.mode.{mode}")),
        "now": tr_text("overview.movers_now"),
        "change": tr_text("overview.movers_change"),
    }
    shown = shown.assign(card=movers["account_id"].map(card_link))
    show_table(
        shown,
        labels | {"card": ""},
        dict.fromkeys(("before", "now", "change"), MONEY_WHOLE),
        extra_config=card_column(),
    )


def show_changes(changes: pd.DataFrame, rows: pd.DataFrame) -> None:
    changes = with_name_en(changes, rows)
    as_text = lambda v: lbl("pyramid_tier", v) if isinstance(v, str) else tr_text("common.yes" if v else "common.no")  # noqa: E731
    # each distinct value translated once (a period with a thousand changes has a handful of distinct values)
    texts = {v: as_text(v) for v in pd.unique(pd.concat([changes["before"], changes["after"]]))}
    shown = changes[["name", *(["name_en"] if "name_en" in changes else [])]].assign(
        change=changes["change"].map({c: tr_text(f"change.{c}") for c in changes["change"].unique()}),
        before=changes["before"].map(texts),
        after=changes["after"].map(texts),
        card=changes["account_id"].map(card_link),
    )
    labels = {
        "change": tr_text("overview.change"),
        "before": tr_text("overview.before"),
        "after": tr_text("overview.after"),
    }
    show_table(shown, labels | {"card": ""}, height=320, extra_config=card_column())
