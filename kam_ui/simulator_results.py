"""Simulator page: run with progress, show a result, save/open/compare runs, downloads, shareable link.

The saved run id is bound to the URL as ``?scenario=ID`` (a text input, so the id itself is in the
link); opening such a link pours the saved scenario into the form and shows its stored result, or
re-runs it when the result was computed for a wider scope than the viewer's.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from kam_core.errors import UserError
from kam_core.i18n import format_money, format_number, format_pct
from kam_core.i18n.markup import escape_markdown
from kam_core.sim.baseline import describe_notices
from kam_core.sim.trace_text import step_text
from kam_ui import data
from kam_ui import simulator_tables as tables
from kam_ui.errors import guarded
from kam_ui.lang import current_lang, tr

KEY = "scenario"  # widget key = URL parameter (public contract, docs/DESIGN.md §5)
PICK_KEY = "_sim_pick"
LAST_KEY = "_sim_last"
LOADED_KEY = "_sim_loaded"
FLASH_KEY = "_sim_flash"
UPLOAD_KEY = "sim_upload"


def sim_api():
    """The simulator core (``kam_core.sim.scenario``), or None with a notice while it is not installed."""
    try:
        from kam_core.sim import scenario as sim
    except ImportError as exc:
        st.info(tr("sim.unavailable", error=str(exc)), icon=":material/construction:")
        return None
    return sim


def _use_pick() -> None:
    if st.session_state.get(PICK_KEY) is not None:
        st.session_state[KEY] = str(st.session_state[PICK_KEY])
    st.session_state[PICK_KEY] = None


def saved_picker(saved: pd.DataFrame) -> str | None:
    """The run-id box bound to ``?scenario=`` and a picker of saved runs by name."""
    labels = {int(r.run_id): f"#{r.run_id} · {r.name} · {r.created_by}" for r in saved.itertuples()}
    left, right = st.columns([1, 3])
    left.text_input(tr("sim.saved_id"), key=KEY, bind="query-params", max_chars=12, help=tr("sim.help.saved_id"))
    right.selectbox(
        tr("sim.open_saved"),
        list(labels),
        index=None,
        key=PICK_KEY,
        on_change=_use_pick,
        format_func=labels.get,
        placeholder=tr("sim.open_saved_placeholder"),
    )
    value = str(st.session_state.get(KEY) or "").strip()
    return value or None


def _use_upload(sim, seed_form) -> None:
    upload = st.session_state.get(UPLOAD_KEY)
    if upload is None:
        return
    try:
        scenario = sim.load_scenario(json.loads(upload.getvalue().decode("utf-8-sig")))
    except (UserError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        st.session_state[FLASH_KEY] = ("error", tr("sim.upload_bad", name=upload.name, error=str(exc)))
        return
    seed_form(sim.scenario_to_dict(scenario))
    st.session_state[FLASH_KEY] = ("success", tr("sim.uploaded", name=upload.name))


def upload_json(sim, seed_form) -> None:
    """Open a scenario JSON file (one downloaded here, or written for the CLI) into the form."""
    st.file_uploader(
        tr("sim.upload"),
        type=["json"],
        key=UPLOAD_KEY,
        on_change=_use_upload,
        args=(sim, seed_form),
        help=tr("sim.help.upload"),
    )


def show_flash() -> None:
    """The outcome of the last save or upload, shown once."""
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        kind, text = flash
        (st.success if kind == "success" else st.error)(
            text, icon=":material/check_circle:" if kind == "success" else ":material/error:"
        )


def open_saved(sim, run_id: str, seed_form) -> None:
    """Load a saved run once per id: fill the form, and show its result (re-run if out of scope)."""
    if st.session_state.get(LOADED_KEY) == run_id:
        return
    st.session_state[LOADED_KEY] = run_id
    try:
        scenario, result = sim.load_saved(data.engine(), int(run_id), data.viewer_scope(), data.viewer_identity())
    except (UserError, ValueError):
        st.warning(tr("sim.saved_unknown", id=run_id), icon=":material/search_off:")
        st.session_state.pop(LAST_KEY, None)
        return
    seed_form(sim.scenario_to_dict(scenario))
    if result is None:
        result = _run(sim, scenario)
    if result is not None:
        st.session_state[LAST_KEY] = {
            "scenario": sim.scenario_to_dict(scenario),
            "result": result,
            "run_id": int(run_id),
        }


def _run(sim, scenario) -> dict | None:
    bar = st.progress(0.0, text=tr("sim.running"))

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=f"{tr('sim.running')} {message}")

    try:
        result = sim.run_scenario(data.engine(), scenario, data.viewer_scope(), progress=progress)
    except UserError as exc:
        st.error(tr("sim.invalid", error=str(exc)), icon=":material/error:")
        return None
    finally:
        bar.empty()
    return result


def run_from_form(sim, scenario_json: dict) -> None:
    """Check the form's scenario, run it with a progress bar and keep the result for display."""
    try:
        scenario = sim.load_scenario(scenario_json)
    except UserError as exc:
        st.error(tr("sim.invalid", error=str(exc)), icon=":material/error:")
        return
    result = _run(sim, scenario)
    if result is not None:
        st.session_state[LAST_KEY] = {"scenario": sim.scenario_to_dict(scenario), "result": result, "run_id": None}


def _save(sim, user: str) -> None:
    last = st.session_state.get(LAST_KEY)
    if not last:
        return
    scenario = sim.load_scenario(last["scenario"])
    run_id = sim.save_scenario(data.engine(), scenario, last["result"], user, data.viewer_scope())
    last["run_id"] = run_id
    st.session_state[KEY] = str(run_id)  # the bound URL parameter now reopens this run
    st.session_state[LOADED_KEY] = str(run_id)
    st.session_state[FLASH_KEY] = ("success", tr("sim.saved", id=run_id))


def _metrics(totals: dict, per_case: dict) -> None:
    lang = current_lang()
    money = lambda k: format_money(totals.get(k), lang)  # noqa: E731
    unit = lambda v: "—" if v is None else format_money(v, lang, compact=False, digits=2)  # noqa: E731 - to the fen
    tiles = [
        ("baseline_cases", format_number(totals.get("baseline_cases"), lang)),
        ("scenario_cases", format_number(totals.get("scenario_cases"), lang)),
        ("trade_spend", money("trade_spend")),
        ("incremental_profit", money("incremental_profit")),
        ("roi", format_pct(totals.get("roi"), lang)),
        ("accounts_below_floor", format_number(totals.get("accounts_below_floor"), lang)),
        ("incentive_per_case", unit(per_case.get("incentive_per_case"))),
        ("incentive_per_case_compounded", unit(per_case.get("incentive_per_case_compounded"))),
    ]
    if totals.get("p50") is not None:
        tiles += [(q, money(q)) for q in ("p10", "p50", "p90")]
    for i in range(0, len(tiles), 3):
        row = tiles[i : i + 3]
        for col, (key, value) in zip(st.columns(3), row, strict=False):
            col.metric(tr(f"sim.col.{key}"), value, border=True)


def _account_names() -> dict[str, str]:
    """Account id → name in the reader's language, for the result tables and the trace picker."""
    from kam_ui.account_components import accounts_in_scope
    from kam_ui.simulator_accounts import account_labels

    return account_labels(accounts_in_scope())


def _named(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the account's name beside its id (a reader looks for a name, not an id)."""
    if "account_id" not in df or "name" in df or df.empty:
        return df
    names = _account_names()
    at = list(df.columns).index("account_id") + 1
    out = df.copy()
    out.insert(at, "name", out["account_id"].map(lambda i: names.get(i, i)))  # an id only where no name is known
    return out


def _frame(rows, key: str, kinds: dict[str, str] | None = None) -> None:
    """A result table labelled and formatted in the reader's language (kam_ui.simulator_tables), names not ids."""
    df = _named(rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows or []))
    if df.empty:
        st.caption(tr("sim.nothing"))
        return
    tables.show(df, key, kinds)


def _downloads(sim, scenario: dict, result: dict) -> None:
    name = "".join(ch if ch.isalnum() else "_" for ch in str(scenario.get("name") or "scenario"))[:40]
    left, right = st.columns(2)
    left.download_button(
        tr("sim.download_json"),
        json.dumps(scenario, ensure_ascii=False, indent=2).encode(),
        f"{name}.json",
        "application/json",
        icon=":material/data_object:",
        on_click="ignore",
        key="sim_dl_json",
        width="stretch",
    )
    try:
        from kam_core.io.exports import frames_to_xlsx
    except ImportError:
        right.caption(tr("sim.excel_unavailable"))
        return
    right.download_button(
        tr("sim.download_xlsx"),
        lambda: frames_to_xlsx(sim.result_to_frames(result)),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table_view:",
        on_click="ignore",
        key="sim_dl_xlsx",
        width="stretch",
    )


def _detail_tabs(result: dict) -> None:
    tabs = st.tabs([tr(f"sim.tab.{n}") for n in ("accounts", "trace", "watchlist", "accrual", "per_case")])
    accounts = pd.DataFrame(result.get("accounts") or [])
    with tabs[0]:
        _frame(accounts, "sim_accounts")
    with tabs[1]:
        _trace(pd.DataFrame(result.get("trace") or []))
    with tabs[2]:
        _frame(result.get("watchlist"), "sim_watch")
    with tabs[3]:
        _frame((result.get("accrual") or {}).get("schedule"), "sim_acc")
    with tabs[4]:
        _frame((result.get("per_case") or {}).get("breakdown"), "sim_pc")


@st.fragment
@guarded  # a fragment rerun does not pass through app.py's guard
def _trace(trace: pd.DataFrame) -> None:
    """One account's calculation steps; picking another account reruns only this part."""
    if trace.empty:
        st.caption(tr("sim.nothing"))
        return
    ids = sorted(trace["account_id"].unique())
    names = _account_names()
    chosen = st.selectbox(tr("sim.trace_account"), ids, key="sim_trace_account", format_func=lambda i: names.get(i, i))
    rows = trace[trace["account_id"] == chosen]
    lang = current_lang()
    lines = [
        step_text(tables.cell(r["program"], "code:program", lang), r["step"], lang)
        if isinstance(r.get("step"), dict)
        else str(r["explanation"])
        for r in rows.to_dict("records")  # a run saved before the steps existed has its English sentence
    ]
    st.markdown(f"**{tr('simtab.trace_lines')}**")
    st.markdown("\n".join(f"- {escape_markdown(line)}" for line in lines))
    st.markdown(f"**{tr('simtab.trace_table')}**")
    shown = rows.rename(columns={"tier": "tier_reached"}).drop(columns=["tier_from", "rate"])  # the lines say them
    _frame(shown, "sim_trace")


def show_warnings(result: dict) -> None:
    """The run's warnings; the baseline fallbacks (``notices``) in the reader's language, not twice in English."""
    notices = result.get("notices") or []
    english = set(describe_notices(notices, "en"))
    for warning in describe_notices(notices, current_lang()):  # catalogue sentences with counts
        st.warning(warning, icon=":material/warning:")
    for warning in result.get("warnings") or []:  # may quote names and values: shown as text
        if warning not in english:
            st.warning(escape_markdown(warning), icon=":material/warning:")


def show_last(sim, user: str, share_url) -> None:
    """The last run (fresh or opened): KPIs, warnings, details, save, downloads and the reopening link."""
    last = st.session_state.get(LAST_KEY)
    if not last:
        st.caption(tr("sim.not_run"))
        return
    result, scenario = last["result"], last["scenario"]
    st.subheader(tr("sim.result_title", name=scenario.get("name", "")))
    show_warnings(result)
    _metrics(result.get("totals") or {}, result.get("per_case") or {})
    _detail_tabs(result)
    c1, c2 = st.columns([1, 2])
    c1.button(
        tr("sim.save"),
        icon=":material/bookmark_add:",
        on_click=_save,
        args=(sim, user),
        key="sim_save",
        disabled=last.get("run_id") is not None,
    )
    if last.get("run_id") is not None:
        c2.code(share_url({KEY: str(last["run_id"])}), language=None, wrap_lines=True)
    _downloads(sim, scenario, result)


@st.fragment
@guarded  # a fragment rerun does not pass through app.py's guard
def compare(sim, saved: pd.DataFrame) -> None:
    """Pick 2-5 saved runs; totals side by side with P10/P50/P90 and spend-vs-profit charts.

    A fragment: changing the pick reruns only the comparison, not the page's form and last run."""
    from kam_core.report.scenario_charts import figure_profit_bands, figure_spend_and_profit, summarise_results

    st.subheader(tr("sim.compare_title"))
    labels = {int(r.run_id): f"#{r.run_id} · {r.name}" for r in saved.itertuples()}
    chosen = st.multiselect(
        tr("sim.compare_pick"),
        list(labels),
        format_func=labels.get,
        max_selections=5,
        key="sim_compare",
        placeholder=tr("sim.compare_placeholder"),
    )
    if len(chosen) < 2:
        st.caption(tr("sim.compare_hint"))
        return
    results = []
    for run_id in chosen:
        scenario, result = sim.load_saved(data.engine(), run_id, data.viewer_scope(), data.viewer_identity())
        results.append(result if result is not None else _run(sim, scenario))
    if any(r is None for r in results):
        return
    table = sim.compare_scenarios(results)  # one column per scenario, by its name (made unique)
    names = [c for c in table.columns if not str(c).startswith("Δ ")]
    summary = summarise_results(results, names)
    left, right = st.columns(2)
    left.plotly_chart(figure_profit_bands(summary, current_lang()), width="stretch", key="sim_cmp_bands")
    right.plotly_chart(figure_spend_and_profit(summary, current_lang()), width="stretch", key="sim_cmp_spend")
    st.dataframe(tables.comparison(table, current_lang()), width="stretch", key="sim_cmp_table")
