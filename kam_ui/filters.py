"""The shared filter sidebar, bound to the URL (``bind="query-params"``), and the current Filters.

Widget keys are the public URL parameter names (docs/DESIGN.md §5): start, end, region, channel, rep,
type, tier, lang. Bound widgets live in ``app.py``'s sidebar, so they survive page switches and a
pasted link rebuilds the view. Streamlit itself drops values a widget cannot take; the raw query is
decoded once more with :meth:`Filters.from_query` so every dropped value gets a visible notice.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import streamlit as st

from kam_core.filters import CHANNELS, LIST_PARAMS, PYRAMID_TIERS, VALUE_TYPES, Filters, Notice
from kam_core.i18n.markup import escape_markdown
from kam_ui.data import Dimensions, default_period
from kam_ui.lang import LANG_KEY, current_lang, default_lang, lbl, tr

STATE_KEY = "_kam_filters"
_SEEN_KEY = "_kam_seen_notices"
_DATE_MIN, _DATE_MAX = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _raw_query() -> dict[str, list[str]]:
    qp = st.query_params
    return {key: qp.get_all(key) for key in qp.keys()}


def _language_control() -> str:
    # No format_func on bound widgets: Streamlit writes the *formatted* option into the URL, and the
    # URL must carry the codes of the public contract (lang=zh|en, channel=KA, ...), whatever the language.
    st.sidebar.radio(
        tr("app.language"),
        ("zh", "en"),
        index=("zh", "en").index(default_lang()),
        key=LANG_KEY,
        bind="query-params",
        horizontal=True,
        help=tr("app.language_help"),
    )
    return current_lang()


def _region_label(regions, lang: str):
    names = dict(zip(regions["code"], regions["name_zh" if lang == "zh" else "name_en"], strict=True))
    depth = dict(zip(regions["code"], regions["path"].str.count("/"), strict=True))
    return lambda code: tr(
        "filters.region_level", indent="· " * depth.get(code, 0), name=names.get(code, code), code=code
    ).strip()


def _rep_label(reps, lang: str):
    column = "name" if lang == "zh" else "name_en"
    names = dict(zip(reps["rep_id"], reps[column].fillna(reps["name"]), strict=True))
    return lambda rep: f"{escape_markdown(names.get(rep, rep))} · {escape_markdown(rep)}"


def _legend(options: list[str], name_of, limit: int = 12) -> str:
    """Tooltip naming the codes (first ``limit``), since the chips themselves show codes."""
    shown = [f"{escape_markdown(o)} = {name_of(o)}" for o in options[:limit]]
    return "  \n".join(shown + (["…"] if len(options) > limit else []))


def _clear(dims: Dimensions) -> None:
    start, end = default_period(dims)
    st.session_state["start"], st.session_state["end"] = start, end
    for key in LIST_PARAMS:
        st.session_state[key] = []


def _widgets(dims: Dimensions, lang: str) -> dict:
    start, end = default_period(dims)
    sb = st.sidebar
    sb.header(tr("filters.header"))
    values = {
        "start": sb.date_input(
            tr("filters.start"),
            value=start,
            min_value=_DATE_MIN,
            max_value=_DATE_MAX,
            format="YYYY-MM-DD",
            key="start",
            bind="query-params",
        ),
        "end": sb.date_input(
            tr("filters.end"),
            value=end,
            min_value=_DATE_MIN,
            max_value=_DATE_MAX,
            format="YYYY-MM-DD",
            key="end",
            bind="query-params",
        ),
    }
    choices = {
        "region": (list(dims.regions["code"]), _region_label(dims.regions, lang)),
        "channel": (list(CHANNELS), lambda c: lbl("channel", c)),
        "rep": (list(dims.reps["rep_id"]), _rep_label(dims.reps, lang)),
        "type": (list(VALUE_TYPES), lambda v: lbl("value_type", v)),
        "tier": (list(PYRAMID_TIERS), lambda v: lbl("pyramid_tier", v)),
    }
    for key, (options, name_of) in choices.items():
        values[key] = sb.multiselect(
            tr(f"filters.{key}"),
            options,
            key=key,
            bind="query-params",
            placeholder=tr("filters.all"),
            help=_legend(options, name_of),
        )
        if values[key]:  # the chips show codes (see above); name them underneath
            sb.caption("; ".join(name_of(v) for v in values[key][:8]) + (" …" if len(values[key]) > 8 else ""))
    sb.button(tr("filters.reset"), on_click=_clear, args=(dims,), icon=":material/filter_alt_off:")
    return values


def _build(values: dict, lang: str, notices: list[Notice]) -> Filters:
    start, end = values.get("start"), values.get("end")
    if start and end and start > end:  # picked in the widgets: keep the view, say what was ignored
        notices.append(Notice("start", f"{start.isoformat()}>{end.isoformat()}", "start_after_end"))
        start = end = None
    lists = {k: tuple(values.get(k) or ()) for k in LIST_PARAMS}
    return Filters(start=start, end=end, lang=lang, **lists)


def _show_notices(notices: list[Notice]) -> None:
    seen = st.session_state.setdefault(_SEEN_KEY, set())
    for n in notices:
        if (n.param, n.value, n.reason) in seen:
            continue
        seen.add((n.param, n.value, n.reason))
        text = tr(f"notice.{n.reason}", param=n.param, value=n.value)
        st.toast(text, icon=":material/link_off:")
        st.sidebar.caption(text)


def show_notices(notices: list[Notice]) -> None:
    """Say, once per session, which link parameters were dropped (a toast and a sidebar caption)."""
    _show_notices(notices)


def render_sidebar(dims: Dimensions) -> Filters:
    """Draw the language control and the shared filters; return (and remember) the current Filters."""
    raw = _raw_query()
    lang = _language_control()
    _, notices = Filters.from_query(raw, dims.known(), default_lang=lang)
    filters = _build(_widgets(dims, lang), lang, notices)
    _show_notices(notices)
    st.session_state[STATE_KEY] = filters
    return filters


def current_filters() -> Filters:
    """The Filters the sidebar produced on this run (defaults if a page runs without the frame)."""
    filters = st.session_state.get(STATE_KEY)
    return filters if isinstance(filters, Filters) else Filters(lang=current_lang())


def share_url(filters: Filters, extra: dict[str, str] | None = None) -> str:
    """The current page's URL with the filters (and page-level ``extra`` parameters) as a query."""
    try:
        base = st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser context (tests)
        base = ""
    query = filters.to_query() | {k: [v] for k, v in (extra or {}).items()}
    return f"{base}?{urlencode(query, doseq=True)}"


def render_share_link(filters: Filters, extra: dict[str, str] | None = None) -> None:
    """A "link to this view" popover in the sidebar with the URL in a copyable code block."""
    with st.sidebar.popover(tr("filters.copy_link"), icon=":material/link:", width="stretch"):
        st.caption(tr("filters.copy_link_help"))
        st.code(share_url(filters, extra), language=None, wrap_lines=True)
