"""Promotions after the event: pick a past promotion, show observed uplift, interval, cost, ROI and the
simulator's prediction beside it (kam_core.queries.post_event_run; docs/methods_post_event.md)."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from kam_core.errors import UserError
from kam_core.i18n.formatting import format_money, format_number
from kam_core.io.column_kinds import COUNT, MONEY_WHOLE, NUMBER
from kam_core.queries.post_event import list_past_promotions
from kam_core.queries.post_event_run import PostEventReview, review_promotion
from kam_core.scope import Scope
from kam_ui import data
from kam_ui.lang import current_lang, tr, tr_text
from kam_ui.tables import missing_word, show_table


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _promotions(url: str, scope_text: str, fingerprint: str) -> pd.DataFrame:
    with data.engine_for(url).connect() as conn:
        return list_past_promotions(conn, Scope.parse(scope_text))


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def _review(url: str, promo_id: str, scope_text: str, fingerprint: str) -> PostEventReview | str:
    try:
        return review_promotion(data.engine_for(url), promo_id, Scope.parse(scope_text))
    except UserError as exc:
        return str(exc)


def pick_promotion() -> str | None:
    """A select box of the past promotions the viewer sees; None (with a notice) when there are none."""
    url, scope = data.db_url(), str(data.viewer_scope())
    promos = _promotions(url, scope, data.data_fingerprint(url))
    if promos.empty:
        st.info(tr("promo.none"))
        return None
    lang = current_lang()
    names = {
        r.promo_id: tr_text(
            "promo.option",
            name=_name(r.name, lang),
            mechanic=tr_text(f"promo.mechanic.{r.mechanic}"),
            start=r.start_date.isoformat(),
            end=r.end_date.isoformat(),
            n=int(r.participants),
        )
        for r in promos.itertuples()
    }
    return st.selectbox(tr("promo.pick"), list(names), format_func=names.get, key="promo_pick")


def _name(name: str, lang: str) -> str:
    """The demo's names are "中文 / English": show the part of the current language."""
    if " / " in name:
        zh, en = name.split(" / ", 1)
        return en if lang == "en" else zh
    return name


def _num(x: float | None, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return format_number(x, current_lang(), digits)


def show_review(promo_id: str) -> None:
    """Metrics, comparisons, cost and predicted-vs-observed of one promotion."""
    url = data.db_url()
    with st.spinner(tr("promo.computing")):
        review = _review(url, promo_id, str(data.viewer_scope()), data.data_fingerprint(url))
    if isinstance(review, str):
        st.warning(tr("promo.cannot", error=review))
        return
    head = review.headline()
    cases, gp = head["cases"], head["gross_profit"]
    inc, lo, hi = cases.total()
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("promo.kpi.cases"), _num(inc), border=True, help=tr("promo.kpi.ci", low=_num(lo), high=_num(hi)))
    g, glo, ghi = gp.total()
    c2.metric(tr("promo.kpi.gp"), _num(g), border=True, help=tr("promo.kpi.ci", low=_num(glo), high=_num(ghi)))
    c3.metric(tr("promo.kpi.cost"), _num(review.cost["total"]), border=True)
    roi = review.roi
    c4.metric(
        tr("promo.kpi.roi"),
        _num(roi[0], 2) if roi else "–",
        border=True,
        help=tr("promo.kpi.ci", low=_num(roi[1], 2), high=_num(roi[2], 2)) if roi else tr("promo.no_cost"),
    )
    st.caption(tr("promo.ci_caption", low=_num(lo), high=_num(hi), n=cases.n_treated, controls=cases.n_control))
    st.subheader(tr("promo.comparisons"))
    comparisons = _comparisons(review)
    per_account = [
        tr_text(f"promo.col.{k}") for k in ("per_account", "low", "high", "treated_change", "control_change")
    ]
    counts = [tr_text(f"promo.col.{k}") for k in ("participants", "controls")]
    show_table(
        comparisons,
        {c: c for c in comparisons.columns},  # the frame's columns are already the labels
        dict.fromkeys(per_account, NUMBER) | dict.fromkeys(counts, COUNT),
    )
    st.subheader(tr("promo.predicted_vs_observed"))
    if review.prediction is None:
        st.info(tr("promo.no_prediction"))
    else:
        versus = _versus(review)
        show_table(versus, {c: c for c in versus.columns})
    st.subheader(tr("promo.cost_breakdown"))
    cost = pd.DataFrame(
        {
            tr_text("promo.col.item"): [tr_text(f"promo.cost.{k}") for k in review.cost],
            tr_text("promo.col.amount"): list(review.cost.values()),
        }
    )
    show_table(cost, {c: c for c in cost.columns}, {tr_text("promo.col.amount"): MONEY_WHOLE})
    for note in review.notes:
        st.caption(tr(f"promo.note.{note}"))


def _comparisons(review: PostEventReview) -> pd.DataFrame:
    rows = []
    for name, est in review.estimates.items():
        if est is None:
            continue
        c = est["cases"]
        rows.append(
            {
                tr_text("promo.col.comparison"): tr_text(f"promo.cmp.{name}"),
                tr_text("promo.col.per_account"): round(c.per_account, 2),
                tr_text("promo.col.low"): round(c.ci_low, 2),
                tr_text("promo.col.high"): round(c.ci_high, 2),
                tr_text("promo.col.treated_change"): round(c.treated_change, 2),
                tr_text("promo.col.control_change"): round(c.control_change, 2),
                tr_text("promo.col.participants"): c.n_treated,
                tr_text("promo.col.controls"): c.n_control,
            }
        )
    return pd.DataFrame(rows)


def _versus(review: PostEventReview) -> pd.DataFrame:
    """Predicted against observed, each row in its own unit (cases, yuan, a ratio): the cells are text."""
    p = review.prediction
    inc, _, _ = review.headline()["cases"].total()
    gp, _, _ = review.headline()["gross_profit"].total()
    observed = [inc, gp, review.cost["total"], review.roi[0] if review.roi else None]
    predicted = [p["incremental_cases"], p["incremental_gross_profit"], p["cost"], p["roi"]]
    lang = current_lang()
    writers = (
        lambda v: format_number(v, lang),
        lambda v: format_money(v, lang, compact=False),
        lambda v: format_money(v, lang, compact=False),
        lambda v: format_number(v, lang, 2),
    )
    text = lambda values: [missing_word(lang) if v is None else w(v) for w, v in zip(writers, values, strict=True)]  # noqa: E731
    return pd.DataFrame(
        {
            tr_text("promo.col.measure"): [tr_text(f"promo.measure.{k}") for k in ("cases", "gp", "cost", "roi")],
            tr_text("promo.col.predicted"): text(predicted),
            tr_text("promo.col.observed"): text(observed),
        }
    )
