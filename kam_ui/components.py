"""Small components: KPI row, empty states that say what to do, account tables with card links, downloads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from kam_core.io.cells import flatten_value
from kam_core.io.column_kinds import MONEY_WHOLE, SHARE
from kam_ui.drill import Target, card_link_for, drill_chart
from kam_ui.filters import current_filters
from kam_ui.honest import cost_word, mark_missing
from kam_ui.lang import current_lang, lbl, tr
from kam_ui.tables import CODE_COLUMNS, table_view, with_name_en


@dataclass(frozen=True)
class Kpi:
    """One metric tile: label key, formatted value, optional formatted change and whether up is good."""

    label: str
    value: str
    delta: str | None = None
    good_when_up: bool = True
    help: str | None = None


def kpi_row(kpis: Sequence[Kpi], per_row: int = 3) -> None:
    """Bordered metrics, at most ``per_row`` side by side (wide enough for ¥1,234.5万 on a projector);
    the change is coloured so that "good" is green."""
    for first in range(0, len(kpis), per_row):
        chunk = kpis[first : first + per_row]
        for col, kpi in zip(st.columns(per_row), chunk, strict=False):
            col.metric(
                kpi.label,
                kpi.value,
                kpi.delta,
                border=True,
                help=kpi.help,
                delta_color="normal" if kpi.good_when_up else "inverse",
            )


def empty_state(key: str, **fmt: object) -> None:
    """An info box with the catalogue message ``key`` (which tells the user what to do)."""
    st.info(tr(key, **fmt), icon=":material/info:")


def card_link(account_id: str) -> str:
    """A relative link to the account card that keeps the language and the sidebar's filters."""
    return card_link_for(account_id, current_filters())


def explain_reasons(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose value-type reasons, HVLL reasons and diversion evidence are written in the current
    language from the analytics' structured items (:func:`kam_core.i18n.reasons.localise_reasons`)."""
    from kam_core.i18n.reasons import localise_reasons

    return localise_reasons(frame, current_lang())


def localise(frame: pd.DataFrame) -> pd.DataFrame:
    """A display copy: code columns as names in the current language, lists and dicts as text (as exports)."""
    out = frame.copy()
    for col, kind in CODE_COLUMNS.items():
        if col in out:
            out[col] = out[col].map(lambda c, k=kind: lbl(k, c) if isinstance(c, str) else lbl(k, None))
    for col in out.columns:
        if out[col].dtype == object and out[col].map(lambda v: isinstance(v, list | tuple | dict)).any():
            out[col] = out[col].map(lambda v: flatten_value(v) if isinstance(v, list | tuple | dict) else v)
    return out


def card_column() -> dict:
    """The column config of a ``card`` column of links to account cards."""
    return {"card": st.column_config.LinkColumn(tr("col.card"), display_text=tr("common.open_card"), width="small")}


def account_table(
    frame: pd.DataFrame,
    columns: Sequence[str],
    money: Sequence[str] = (),
    pct: Sequence[str] = (),
    key: str | None = None,
    height: int | str = "auto",
) -> None:
    """An account list whose last column opens the account card (``/account?account=ID``).

    The cells go through :func:`kam_ui.tables.table_view`: ``money`` columns in whole yuan, ``pct`` as shares,
    codes by their names, the account name in the viewer's language, gaps as "—".
    """
    cols = [c for c in columns if c in frame.columns]
    if "name" in cols and current_lang() == "en":
        frame = with_name_en(frame)  # analytics frames may carry the Chinese name only
    source = frame[cols + (["name_en"] if "name" in cols and "name_en" in frame else [])]
    marked = mark_missing(frame, source.copy())  # withheld codes said in words before the codes become names
    shown, config = table_view(marked, kinds={c: MONEY_WHOLE for c in money} | {c: SHARE for c in pct})
    if (
        any(c in shown for c in ("gross_profit", "net_profit", "clv"))
        and "cost_basis" in frame
        and frame["cost_basis"].ne("known").any()
    ):  # a column of blanks only where some cost is missing
        shown["cost_basis"] = [
            cost_word(b, c) or ""
            for b, c in zip(frame["cost_basis"], frame.get("cost_coverage", frame["cost_basis"]), strict=True)
        ]
        config["cost_basis"] = st.column_config.Column(tr("col.cost_basis"))
    shown["card"] = frame["account_id"].map(card_link)
    st.dataframe(shown, column_config=config | card_column(), hide_index=True, width="stretch", height=height, key=key)


def downloads(frames: dict[str, pd.DataFrame], name: str, key: str) -> None:
    """CSV (first frame) and Excel (one sheet per frame) download buttons.

    The cells go through kam_core.io.cells, as the CLI's do (lists as "a; b", formulas as text). The
    files are built only when a button is clicked (a callable ``data``): writing a workbook of 10,000
    rows on every filter change would cost seconds.
    """
    from kam_core.io.exports import frame_to_csv_bytes, frames_to_xlsx

    left, right = st.columns(2)
    left.download_button(
        tr("common.download_csv"),
        lambda: frame_to_csv_bytes(next(iter(frames.values()))),
        f"{name}.csv",
        "text/csv",
        icon=":material/download:",
        key=f"{key}_csv",
        on_click="ignore",
    )
    right.download_button(
        tr("common.download_xlsx"),
        lambda: frames_to_xlsx(frames),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table_view:",
        key=f"{key}_xlsx",
        on_click="ignore",
    )


def show_figure(
    builder: Callable[[], object] | None, name: str, key: str | None = None, drill: Target | None = None
) -> None:
    """Draw a plotly figure from a builder; an empty state if the figure module is not there yet.

    With ``drill`` (and a ``key``) a click drills down (:mod:`kam_ui.drill`): ``"account"`` opens the
    clicked account's card, ``"tier"`` / ``"channel"`` sets that sidebar filter to the clicked bar's code.
    """
    if builder is None:
        empty_state("common.figure_missing", name=name)
        return
    config = {"displaylogo": False}
    if drill is not None and key is not None:
        drill_chart(builder(), key, drill, config=config)
        st.caption(tr(f"drill.hint_{drill}"))  # a click is not obvious on a chart: say what it does
        return
    st.plotly_chart(builder(), width="stretch", key=key, config=config)
