"""The Data page's ERP invoice import: column mapping, preview, progress and the rejects file.

The same import as ``python -m kam_core import-transactions`` (kam_core.io.transactions): the form only
chooses its arguments. The mapping starts from a guess (kam_core.io.erp_mapping) and shows every field by
name, so the user checks it before the file is read in full.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from kam_core.errors import UserError
from kam_core.i18n.markup import escape_markdown
from kam_core.io.column_kinds import COUNT, TEXT
from kam_core.io.erp_lines import FIELDS, REQUIRED
from kam_core.io.erp_mapping import suggest_mapping
from kam_core.io.import_health import describe_import
from kam_core.permissions import NotAuthorised
from kam_core.vocab import CHANNELS
from kam_ui.account_components import forget_accounts
from kam_ui.data import data_changed, engine, viewer_identity, viewer_scope
from kam_ui.lang import current_lang, lbl, lbl_fn, tr, tr_fn, tr_text
from kam_ui.tables import show_table

NOT_MAPPED = ""  # the mapping selectbox's "not in this file"
TIERS = ("RETAIL", *(c for c in CHANNELS if c != "RETAIL"))  # the usual default first, then the chain order
RESULT_KEY = "erp_import_result"


def _column_name():
    """``format_func`` of the mapping selectboxes: the column's own name, or "not in this file"."""
    missing = tr_text("erp_import.not_mapped")
    return lambda column: column if column else missing


def _mapping_form(header: list[str]) -> tuple[dict[str, str], bool, str, str] | None:
    """The mapping and options, or None until the form is submitted."""
    guess = suggest_mapping(header)
    options = [NOT_MAPPED, *header]
    with st.form(key="erp_import_form"):
        st.markdown(tr("erp_import.mapping_help"))
        mapping: dict[str, str] = {}
        columns = st.columns(3)
        for i, field in enumerate(FIELDS):
            required = field in REQUIRED
            column = columns[i % 3].selectbox(
                tr(
                    "erp_import.field_required" if required else "erp_import.field_optional",
                    field=lbl("erp_field", field),
                ),
                options,
                index=options.index(guess[field]) if field in guess else 0,
                format_func=_column_name(),
                key=f"erp_map_{field}",
            )
            if column:
                mapping[field] = column
        left, mid, right = st.columns(3)
        keep = left.checkbox(tr("erp_import.keep_valid"), value=True, help=tr("erp_import.keep_valid_help"))
        dedupe = mid.radio(
            tr("erp_import.dedupe"),
            ("none", "exact"),
            format_func=tr_fn("erp_import.dedupe_"),
            help=tr("erp_import.dedupe_help"),
        )
        tier = right.selectbox(
            tr("erp_import.default_tier"),
            TIERS,
            format_func=lbl_fn("channel"),
            help=tr("erp_import.default_tier_help"),
        )
        submitted = st.form_submit_button(tr("erp_import.run"), type="primary", icon=":material/upload:")
    if not submitted:
        return None
    missing = [f for f in REQUIRED if f not in mapping]
    if missing:
        st.error(
            tr("erp_import.missing", fields="、".join(lbl("erp_field", f) for f in missing)), icon=":material/error:"
        )
        return None
    return mapping, keep, str(dedupe), str(tier)


def _run(path: Path, mapping: dict[str, str], keep: bool, dedupe: str, tier: str) -> None:
    from kam_core.io.results import ImportValidationError
    from kam_core.io.transactions import import_transactions

    rejects = Path(tempfile.mkdtemp(prefix="kam_rejects_")) / f"{path.stem}_rejects.csv" if keep else None
    bar = st.progress(0.0, text=tr_text("erp_import.stage_start"))

    def progress(stage: str, done: int, total: int | None) -> None:
        share = min(done / total, 1.0) if total else 0.0
        order = {"scope": 0, "check": 1, "write": 2}[stage]
        bar.progress((order + share) / 3, text=tr_text(f"erp_import.stage_{stage}", n=f"{done:,}"))

    try:
        result = import_transactions(
            engine(), path, mapping, rejects=rejects, user=viewer_identity(), dedupe=dedupe,
            default_tier=tier, scope=viewer_scope(), progress=progress,
        )  # fmt: skip
    except ImportValidationError as exc:
        bar.empty()
        st.error(tr("data.rejected", n=len(exc.problems)), icon=":material/error:")
        show_problems(exc.problems)
        return
    except NotAuthorised as exc:
        bar.empty()
        st.error(tr("erp_import.not_allowed", reason=str(exc)), icon=":material/lock:")
        return
    except UserError as exc:
        bar.empty()
        st.error(escape_markdown(exc), icon=":material/error:")
        return
    bar.progress(1.0, text=tr_text("erp_import.stage_done"))
    data_changed()
    forget_accounts()
    st.session_state[RESULT_KEY] = {
        "lines": describe_import(result.details, current_lang()),
        "rejects": rejects.read_bytes() if rejects is not None and rejects.is_file() and result.rows_rejected else None,
        "rejects_name": rejects.name if rejects is not None else "",
        "n_rejected": result.rows_rejected,
    }


def show_problems(problems) -> None:
    """The refused cells as a table with labelled columns (file, row, column, value, expected)."""
    frame = pd.DataFrame([p.__dict__ for p in problems], columns=["file", "row", "column", "value", "expected"])
    shown = frame.rename(columns={c: tr_text(f"erp_import.problem_{c}") for c in frame.columns})
    kinds = dict.fromkeys(shown.columns, TEXT) | {tr_text("erp_import.problem_row"): COUNT}
    show_table(shown, {c: c for c in shown.columns}, kinds)


def _show_result() -> None:
    done = st.session_state.get(RESULT_KEY)
    if not done:
        return
    st.success(tr("erp_import.done"), icon=":material/check_circle:")
    st.markdown("\n".join(f"- {escape_markdown(line)}" for line in done["lines"]))
    if done["rejects"]:
        st.download_button(
            tr("erp_import.rejects_download", n=done["n_rejected"]),
            done["rejects"],
            file_name=done["rejects_name"],
            mime="text/csv",
            icon=":material/download:",
            key="erp_rejects_download",
        )


def show_erp_import(path: Path, head: pd.DataFrame) -> None:
    """Mapping form, then the import with a progress bar, then what it did (and the rejects file)."""
    st.caption(tr("erp_import.caption"))
    chosen = _mapping_form([str(c) for c in head.columns])
    if chosen is not None:
        mapping, keep, dedupe, tier = chosen
        st.session_state.pop(RESULT_KEY, None)
        _run(path, mapping, keep, dedupe, tier)
    _show_result()
