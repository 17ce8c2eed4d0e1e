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
from kam_core.i18n import label
from kam_core.i18n.catalog_loader import load_catalog
from kam_core.i18n.markup import escape_markdown
from kam_ui.data import Dimensions, default_period
from kam_ui.lang import LANG_KEY, current_lang, default_lang, tr, tr_text

STATE_KEY = "_kam_filters"
_SEEN_KEY = "_kam_seen_notices"
_DATE_MIN, _DATE_MAX = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _raw_query() -> dict[str, list[str]]:
    qp = st.query_params
    return {key: qp.get_all(key) for key in qp.keys()}


def restore_lost_params(defaults: dict[str, object]) -> None:
    """Write a bound filter's value back into the URL when a page switch dropped it (the value stays in the session).

    A navigation click that lands while the previous page's script is still running interrupts that run; on the
    next page, Streamlit 1.67 then neither keeps the bound parameters in the address bar nor puts them back,
    although the widgets keep their values: the view is filtered but its link is not (reproduced in
    tests/e2e/test_nav_race.py). Assigning the value again is a programmatic set, which Streamlit syncs to the
    URL. Not on browser back/forward: there the URL is what the user asked for.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or getattr(ctx, "is_history_navigation", False):
        return
    present = set(st.query_params.keys())
    for key, default in defaults.items():
        value = st.session_state.get(key)
        if key not in present and value is not None and value != [] and value != default:
            st.session_state[key] = value


def _language_control() -> str:
    restore_lost_params({LANG_KEY: default_lang()})
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


def _other(lang: str) -> str:
    return "en" if lang == "zh" else "zh"


def _both(name: object, other: object) -> str:
    """``name · other-language name`` (typing either finds the option); one name when they agree."""
    first = str(name) if isinstance(name, str) and name else ""
    second = str(other) if isinstance(other, str) and other and other != first else ""
    return escape_markdown(" · ".join(t for t in (first, second) if t))


def _region_label(regions, lang: str):
    col = {"zh": "name_zh", "en": "name_en"}
    names = dict(zip(regions["code"], zip(regions[col[lang]], regions[col[_other(lang)]], strict=True), strict=True))
    depth = dict(zip(regions["code"], regions["path"].str.count("/"), strict=True))

    def label(code: str) -> str:
        name, other = names.get(code, (code, None))
        return "· " * depth.get(code, 0) + (_both(name, other) or escape_markdown(code))

    return label


def _rep_label(reps, lang: str):
    zh, en = reps["name"], reps["name_en"].fillna(reps["name"])
    pairs = dict(zip(reps["rep_id"], zip(zh, en, strict=True), strict=True))

    def label(rep: str) -> str:
        name_zh, name_en = pairs.get(rep, (rep, rep))
        return _both(name_zh, name_en) if lang == "zh" else _both(name_en, name_zh)

    return label


def _code_label(kind: str, lang: str):
    return lambda code: _both(label(kind, code, lang), label(kind, code, _other(lang)))


def _descendants(regions, code: str) -> int:
    """How many regions lie below ``code`` (a region filter keeps them all)."""
    path = dict(zip(regions["code"], regions["path"], strict=True)).get(code)
    if not path:
        return 0
    return int(regions["path"].str.startswith(path + "/").sum())


def _clear(dims: Dimensions) -> None:
    start, end = default_period(dims)
    st.session_state["start"], st.session_state["end"] = start, end
    for key in LIST_PARAMS:
        st.session_state[key] = []


def _pick_key(key: str) -> str:
    return f"_pick_{key}"


def _picked(key: str) -> None:
    """A name picker changed: its codes go to the bound widget (and so to the URL)."""
    st.session_state[key] = list(st.session_state.get(_pick_key(key)) or [])


def _name_picker(box, key: str, options: list[str], name_of, current: list[str]) -> None:
    st.session_state[_pick_key(key)] = [v for v in current if v in options]
    box.multiselect(
        tr(f"filters.{key}"),
        options,
        format_func=name_of,
        key=_pick_key(key),
        on_change=_picked,
        args=(key,),
        placeholder=tr("filters.all"),
    )


def _widgets(dims: Dimensions, lang: str) -> dict:
    start, end = default_period(dims)
    restore_lost_params({"start": start, "end": end} | {key: [] for key in LIST_PARAMS})
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
        "channel": (list(CHANNELS), _code_label("channel", lang)),
        "rep": (list(dims.reps["rep_id"]), _rep_label(dims.reps, lang)),
        "type": (list(VALUE_TYPES), _code_label("value_type", lang)),
        "tier": (list(PYRAMID_TIERS), _code_label("pyramid_tier", lang)),
    }
    # The pickers the user sees show names (searchable in both languages); the bound widgets below them
    # carry the codes in the URL (docs/DESIGN.md §5). A bound widget writes its *formatted* option into
    # the URL, so it cannot show names itself. The bound ones are drawn first (a URL seeds them on this
    # run), into an expander placed after the pickers' container.
    pickers = sb.container()
    codes = sb.expander(tr("filters.codes"), icon=":material/link:")
    for key, (options, _) in choices.items():
        values[key] = codes.multiselect(
            tr("filters.codes_of", what=tr(f"filters.{key}")),
            options,
            key=key,
            bind="query-params",
            placeholder=tr("filters.all"),
        )
    for key, (options, name_of) in choices.items():
        _name_picker(pickers, key, options, name_of, values[key])
        if key == "region" and values[key]:
            below = sum(_descendants(dims.regions, code) for code in values[key])
            if below:
                pickers.caption(tr("filters.region_below", n=below))
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
        text = tr(f"notice.{n.reason}", param=_param_name(n), value=n.value)
        st.toast(text, icon=":material/link_off:")
        st.sidebar.caption(text)


def _param_name(notice: Notice) -> str:
    """A link parameter as the sidebar names it (渠道, not channel); an unknown parameter as it was written."""
    if notice.reason == "unknown_param":
        return notice.param
    key = {"lang": "app.language"}.get(notice.param, f"filters.{notice.param}")
    return tr_text(key) if key in load_catalog() else notice.param


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
