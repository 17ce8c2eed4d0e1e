"""The account card: the account picker bound to ``?account=ID``, the header and the read-only sections.

The picker is a text input bound to the URL (the id itself, so a pasted link reopens the card) plus a
name search that writes the id into it. The card is read fresh on every run (small, indexed queries),
never from a cache, so a save shows at once; the newest audit id read just before the card is remembered
as what the user has seen (kam_core.profile.edit_mark), which is what an edit is checked against, field by
field (see kam_ui.account_forms).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kam_core.filters import decode_account_param
from kam_core.i18n import format_date, format_money, format_number, load_catalog
from kam_core.i18n.markup import escape_markdown
from kam_core.io.column_kinds import COUNT, MONEY_WHOLE, SHARE
from kam_core.profile import AccountNotFound, AccountProfile, edit_mark, list_accounts, load_profile
from kam_ui import data
from kam_ui.filters import show_notices
from kam_ui.lang import current_lang, lbl, tr, tr_text
from kam_ui.tables import CODE, show_table

KEY = "account"  # widget key = URL parameter (public contract, docs/DESIGN.md §5)
PICK_KEY = "_acct_pick"
SEEN_KEY = "_acct_seen_mark"
SEEN_VERSION_KEY = "_acct_seen_version"
FIX_KEY = "_acct_link_fix"


@st.cache_data(ttl=120, max_entries=8, show_spinner=False)
def _accounts(url: str, scope_text: str) -> pd.DataFrame:
    from kam_core.scope import Scope

    return list_accounts(data.engine_for(url), Scope.parse(scope_text))


def forget_accounts() -> None:
    """Drop the cached account list (after an import that may have added or renamed accounts)."""
    _accounts.clear()


def accounts_in_scope() -> pd.DataFrame:
    """Ids and names of the accounts the viewer may see (cached two minutes)."""
    return _accounts(data.db_url(), str(data.viewer_scope()))


def _use_pick() -> None:
    picked = st.session_state.get(PICK_KEY)
    if picked:
        st.session_state[KEY] = picked
    st.session_state[PICK_KEY] = None


def _check_link(link: tuple[str | None, list] | None) -> None:
    """Check ``?account=`` as the link arrives: a value that is too long or garbled is dropped, a repeated
    one resolved to its first value, each with a visible notice (left alone, the box would cut a long
    value to 32 characters, which could be another account's id, and take the last of repeated values).

    A bound box takes its first value from the URL whatever the session state says, so the fixed value
    goes in on one immediate rerun, before the box is drawn again.
    """
    if link is None or not link[1]:
        return
    chosen, notices = link
    if (chosen or "") != str(st.session_state.get(KEY) or "").strip():
        st.session_state[FIX_KEY] = (chosen or "", notices)
        st.rerun()
    show_notices(notices)


def _apply_fix() -> None:
    fix = st.session_state.pop(FIX_KEY, None)
    if fix is not None:
        st.session_state[KEY] = fix[0]
        show_notices(fix[1])


def pick_account() -> str | None:
    """The id box (bound to ``?account=``) and a name search; returns the chosen id or None."""
    accounts = accounts_in_scope()
    name_col = "name" if current_lang() == "zh" else "name_en"
    names = dict(zip(accounts["account_id"], accounts[name_col].fillna(accounts["name"]), strict=True))
    # the box is drawn for the first time: its value is the link's (read before the box cuts it to 32)
    link = decode_account_param(st.query_params.get_all(KEY)) if KEY not in st.session_state else None
    _apply_fix()
    left, right = st.columns([1, 2])
    left.text_input(tr("account.id_label"), key=KEY, bind="query-params", help=tr("account.id_help"), max_chars=32)
    right.selectbox(
        tr("account.find"),
        list(names),
        index=None,
        key=PICK_KEY,
        on_change=_use_pick,
        format_func=lambda i: f"{names.get(i, '')} · {i}",
        placeholder=tr("account.find_placeholder"),
    )
    _check_link(link)
    value = str(st.session_state.get(KEY) or "").strip()
    return value or None


def load_card(account_id: str) -> AccountProfile | None:
    """The profile within the viewer's scope, or a short notice (unknown and out-of-scope look the same)."""
    mark = edit_mark(data.engine())  # before the card: a change committed in between counts as unseen
    try:
        profile = load_profile(data.engine(), account_id, data.viewer_scope())
    except AccountNotFound:
        st.warning(tr("account.not_found", id=account_id), icon=":material/person_off:")
        return None
    st.session_state.setdefault(SEEN_KEY, {})[profile.account_id] = mark
    st.session_state.setdefault(SEEN_VERSION_KEY, {})[profile.account_id] = profile.version  # "saved" vs "nothing"
    return profile


def seen_mark(account_id: str) -> int:
    """The newest audit id when the user last saw the card (what an edit is checked against)."""
    return int(st.session_state.get(SEEN_KEY, {}).get(account_id) or 0)


def _last_12(monthly: pd.DataFrame) -> pd.DataFrame:
    return monthly.tail(12) if not monthly.empty else monthly


def _gross_profit_text(m: pd.DataFrame, lang: str) -> str:
    """The 12-month gross profit, or "no cost data" / the figure with its partial coverage (cost_basis rules)."""
    from kam_core.analytics.cost_basis import compute_cost_basis
    from kam_ui.honest import cost_word

    total = format_money(m["gross_profit"].sum(), lang)
    if "uncosted_sales" not in m or m.empty:
        return total
    unc = float(m["uncosted_sales"].fillna(0).sum())
    lines = pd.Series([1 if (m["uncosted_sales"].fillna(0) != 0).any() else 0])
    basis = compute_cost_basis(pd.Series([float(m["net_sales"].sum())]), pd.Series([unc]), lines).iloc[0]
    word = cost_word(basis["cost_basis"], basis["cost_coverage"])
    return word if basis["cost_basis"] == "none" else (f"{total} · {word}" if word else total)


def header(p: AccountProfile) -> None:
    """Name, channel, region, owner, status, version and the headline figures."""
    lang = current_lang()
    b = p.basic
    name = b["name"] if lang == "zh" or not b.get("name_en") else f"{b['name_en']} · {b['name']}"
    st.subheader(f"{escape_markdown(name)} ({escape_markdown(p.account_id)})")
    region = (p.region or {}).get("name_zh" if lang == "zh" else "name_en") or b.get("region_id") or "—"
    owner = (p.owner or {}).get("name" if lang == "zh" else "name_en") or b.get("owner_rep_id") or "—"
    st.caption(
        tr(
            "account.status_line",
            channel=lbl("channel", b["tier_code"]),
            region=region,
            owner=owner,
            status=tr(f"account.status.{b['status']}"),
            version=p.version,
        )
    )
    if p.parent:
        st.caption(tr("account.parent", name=p.parent["name"], id=p.parent["account_id"]))
    m = _last_12(p.monthly)
    nps = p.satisfaction["nps_0_10"].dropna()
    tier = p.tiers["pyramid_tier"].dropna() if not p.tiers.empty else pd.Series(dtype=object)
    nps_text = format_number(nps.iloc[0], lang) if not nps.empty else "—"
    tiles = [
        (tr("account.kpi.net_sales_12m"), format_money(m["net_sales"].sum(), lang)),
        (tr("account.kpi.gross_profit_12m"), _gross_profit_text(m, lang)),
        (tr("account.kpi.cases_12m"), format_number(m["cases"].sum(), lang)),
        (tr("account.kpi.open_ar"), format_money(p.invoices["open_amount"].sum(), lang)),
        (tr("account.kpi.overdue"), format_money(p.overdue["open_amount"].sum(), lang)),
        (tr("account.kpi.nps"), nps_text)
        if tier.empty
        else (tr("account.kpi.tier"), lbl("pyramid_tier", tier.iloc[0])),
    ]
    for row in (tiles[:3], tiles[3:]):
        for col, (label, value) in zip(st.columns(3), row, strict=True):
            col.metric(label, value, border=True)


_CODE_COLUMNS = {
    "visit_type": "account.visit_type",
    "contact_level": "account.level",
    "level": "account.level",
    "respondent_role": "account.level",
    "status": "account.status",
    "authority": "account.authority",
}
_KINDS = {  # figures whose names the export kinds do not know
    "est_volume_share": SHARE,
    "cases": COUNT,
    "paid_amount": MONEY_WHOLE,
    "open_amount": MONEY_WHOLE,
    "statement_cycle": CODE + "statement_cycle",
}


def _column_label(column: str) -> str:
    catalog = load_catalog()
    for key in (f"account.field.{column}", f"account.col.{column}", f"col.{column}"):
        if key in catalog:
            return tr_text(key)
    return column  # a column without a label: the page tests (tests/pages/test_table_labels.py) name it


def table(
    frame: pd.DataFrame, columns: list[str] | None = None, key: str | None = None, kinds: dict[str, str] | None = None
) -> None:
    """A read-only table with translated headers and code values (:func:`kam_ui.tables.show_table`), or
    "nothing recorded"."""
    if frame.empty:
        st.caption(tr("account.section.empty"))
        return
    part = frame[columns] if columns else frame
    codes = {c: CODE + prefix for c, prefix in _CODE_COLUMNS.items() if c in part}
    show_table(part, {c: _column_label(c) for c in part.columns}, codes | _KINDS | (kinds or {}), key=key)


def overview_section(p: AccountProfile) -> None:
    """Monthly trend, territory and the accounts this one supplies."""
    from kam_core.profile.charts import figure_monthly_trend

    st.markdown(f"**{tr('account.section.trend')}**")
    if p.monthly.empty:
        st.caption(tr("account.section.empty"))
    else:
        st.plotly_chart(
            figure_monthly_trend(p.monthly, current_lang()),
            width="stretch",
            config={"displaylogo": False},
            key="acct_trend",
        )
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{tr('account.section.territory')}**")
        territory = p.territory
        if "name_zh" in territory:  # the region by its name in the viewer's language, not its code
            names = (
                territory["name_en"].fillna(territory["name_zh"]) if current_lang() == "en" else territory["name_zh"]
            )
            territory = territory.assign(region=names)
        cols = ("region", "valid_from", "valid_to", "exclusive")
        table(territory, [c for c in cols if c in territory], key="acct_territory", kinds={"region": "text"})
    with right:
        from kam_ui.account_plan import sub_distributors  # it uses this module's table()

        sub_distributors(p)


def capabilities_view(p: AccountProfile) -> None:
    """The latest assessment as metrics, then the history."""
    from kam_core.profile.read import CAPABILITY_FIELDS

    if not p.capabilities:
        st.caption(tr("account.section.no_capabilities"))
    else:
        cols = st.columns(len(CAPABILITY_FIELDS))
        for col, name in zip(cols, CAPABILITY_FIELDS, strict=True):
            value = p.capabilities.get(name)
            shown = "—" if value is None or pd.isna(value) else format_number(value, current_lang())
            col.metric(tr(f"account.field.{name}"), shown, border=True)
        st.caption(format_date(p.capabilities.get("assessed_on"), current_lang()))
    with st.expander(tr("account.section.capability_history")):
        table(p.capability_history, key="acct_cap_hist")


def satisfaction_view(p: AccountProfile) -> None:
    st.markdown(f"**{tr('account.section.satisfaction')}**")
    table(p.satisfaction, ["response_date", "respondent_role", "nps_0_10", "csat_1_5", "comment"], key="acct_sat")
    st.markdown(f"**{tr('account.section.competitors')}**")
    table(p.competitors, key="acct_comp", kinds={"source": CODE + "competitor_source"})


def credit_view(p: AccountProfile) -> None:
    """Terms in force (settlement mode in words), invoices and the overdue ones."""
    st.markdown(f"**{tr('account.section.terms')}**")
    if p.credit_terms.empty:
        st.caption(tr("account.section.no_terms"))
    else:
        terms = p.credit_terms.assign(
            settlement_mode=p.credit_terms["settlement_mode"].map(lambda m: lbl("settlement", m))
        )
        table(terms, key="acct_terms")
    st.markdown(f"**{tr('account.section.overdue')}**")
    table(p.overdue, key="acct_overdue")
    st.markdown(f"**{tr('account.section.invoices')}**")
    table(p.invoices, key="acct_invoices")


def _say_untyped(tiers: pd.DataFrame) -> pd.DataFrame:
    """Snapshots keep the confidence of an account left untyped for insufficient evidence: say it in words.
    A missing profit tier (no cost data) is said as such."""
    if tiers.empty or "rackham_type" not in tiers:
        return tiers
    weak = tiers["rackham_type"].isna() & tiers.get("rackham_conf", pd.Series(index=tiers.index)).notna()
    out = tiers.assign(
        rackham_type=tiers["rackham_type"]
        .astype(object)
        .mask(weak, tr("honest.value_type_status.insufficient_evidence"))
    )
    if "pyramid_tier" in out:
        out["pyramid_tier"] = (
            out["pyramid_tier"].astype(object).mask(out["pyramid_tier"].isna(), tr("honest.cost_basis.none"))
        )
    return out


def history_view(p: AccountProfile) -> None:
    """Tier snapshots over time and every recorded change (who, when, what)."""
    st.markdown(f"**{tr('account.section.tiers')}**")
    table(
        _say_untyped(p.tiers),
        [
            c
            for c in (
                "as_of",
                "pyramid_tier",
                "size_tier",
                "abc_class",
                "rackham_type",
                "hvll_flag",
                "credit_grade",
                "suggested_limit",
            )
            if c in p.tiers
        ],
        key="acct_tiers",
    )
    st.markdown(f"**{tr('account.section.changes')}**")
    table(p.history, key="acct_history")
