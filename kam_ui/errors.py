"""Errors on a page: a database outage or an unexpected exception becomes a short, localised message.

Every such error is logged with the standard ``logging`` module (logger ``kam``). In a deployment
(sign-in configured in ``.streamlit/secrets.toml``, or ``KAM_DEPLOYMENT=1``) users see no traceback:
``client.showErrorDetails`` is set to ``"none"`` and the guard swallows the exception after logging it.
Locally (neither set) the friendly message is followed by Streamlit's own error box, with the traceback
as ``.streamlit/config.toml`` allows (``stacktrace``), so developers still see what broke.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.exc import InterfaceError, OperationalError

from kam_core.errors import DatabaseUnavailable
from kam_ui.lang import tr

LOGGER = logging.getLogger("kam")
DB_ERRORS = (DatabaseUnavailable, OperationalError, InterfaceError)
_PREFIX = "Cannot reach the database: "
_DETAILS = "client.showErrorDetails"


@functools.cache  # once per server process
def configure_logging() -> None:
    """Give the ``kam`` logger a stderr handler (level ``KAM_LOG_LEVEL``, default INFO), once."""
    if not LOGGER.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        LOGGER.addHandler(handler)
    LOGGER.setLevel(os.environ.get("KAM_LOG_LEVEL", "INFO").upper())


def deployed() -> bool:
    """True in a deployment: sign-in configured, or ``KAM_DEPLOYMENT`` set to 1/true/yes."""
    from kam_ui.auth import sign_in_configured

    return os.environ.get("KAM_DEPLOYMENT", "").strip().lower() in ("1", "true", "yes") or sign_in_configured()


def apply_error_details() -> None:
    """In a deployment, keep tracebacks out of the browser (Streamlit's own error boxes included)."""
    if deployed() and st.get_option(_DETAILS) != "none":
        st.set_option(_DETAILS, "none")


def db_reason(exc: BaseException) -> str:
    """The short cause of a database error (first line of the driver's message)."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return (text.splitlines() or [""])[0].removeprefix(_PREFIX)


def show_db_unavailable(exc: BaseException) -> None:
    """The app's "database unavailable" message (the cause only locally: it can name hosts)."""
    LOGGER.warning("database unavailable: %s", db_reason(exc))
    st.error(tr("errors.db_unavailable"), icon=":material/cloud_off:")
    if not deployed():
        st.caption(tr("errors.db_reason", reason=db_reason(exc)))


@contextmanager
def page_guard() -> Iterator[None]:
    """Run a page (or the frame) so that no raw database error or traceback reaches a user.

    ``st.stop``/``st.rerun`` pass through (they are not ``Exception``s).
    """
    try:
        yield
    except DB_ERRORS as exc:
        show_db_unavailable(exc)
    except Exception:
        LOGGER.exception("unexpected error while drawing a page")
        st.error(tr("errors.unexpected"), icon=":material/error:")
        if not deployed():
            raise


def guarded(func: Callable) -> Callable:
    """``page_guard`` around a function, for fragments (a fragment rerun does not pass through app.py)."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        with page_guard():
            return func(*args, **kwargs)

    return run
