"""First start: create the schema and, on an empty database, build the demo brewer with a progress bar."""

from __future__ import annotations

import threading

import streamlit as st
from sqlalchemy import Engine

from kam_core.db import ensure_schema, has_data
from kam_ui.lang import tr

DEMO_ACCOUNTS, DEMO_MONTHS, DEMO_SEED = 2000, 24, 7
_LOCK = threading.Lock()  # two browser tabs on a fresh clone must not build the demo twice
_READY: set[str] = set()


def _progress_callback(bar):
    """Adapt the generator's progress calls (fraction and/or message, in any order) to a progress bar."""

    def report(*args, **kwargs) -> None:
        values = list(args) + list(kwargs.values())
        fraction = next((float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)), None)
        message = next((v for v in values if isinstance(v, str)), "")
        if fraction is not None and fraction > 1:
            fraction = fraction / 100
        bar.progress(min(max(fraction or 0.0, 0.0), 1.0), text=tr("app.building_step", step=message))

    return report


def _build_demo(engine: Engine) -> bool:
    try:
        from kam_core.demo import generate
    except ImportError:
        return False
    with st.status(tr("app.building_demo", accounts=DEMO_ACCOUNTS, months=DEMO_MONTHS), expanded=True) as status:
        bar = st.progress(0.0)
        summary = generate(
            engine, accounts=DEMO_ACCOUNTS, months=DEMO_MONTHS, seed=DEMO_SEED, progress=_progress_callback(bar)
        )
        bar.progress(1.0, text=tr("app.warming"))
        _warm_up()
        status.update(label=tr("app.demo_ready", summary=str(summary)[:200]), state="complete", expanded=False)
    return True


def _warm_up() -> None:
    """Compute the default period's scorecards once, so the first page opens from the (disk) cache."""
    from kam_core.filters import Filters
    from kam_ui.data import default_period, dimensions, warm_up

    start, end = default_period(dimensions())
    warm_up(Filters(start=start, end=end))


def ensure_database(engine: Engine, url: str) -> bool:
    """Make sure the database has a schema and data; True when there is data to show.

    On an empty database the demo generator runs once (2,000 accounts × 24 months, seed 7) so that
    ``streamlit run app.py`` on a fresh clone needs nothing else. Raises DatabaseUnavailable when the
    database cannot be reached (and remembers nothing, so the next run tries again).
    """
    if url in _READY:
        return True
    with _LOCK:  # DatabaseUnavailable propagates: the page guard (kam_ui.errors) shows it; nothing is remembered
        if url in _READY:
            return True
        ensure_schema(engine)
        if not has_data(engine) and not _build_demo(engine):
            st.warning(tr("app.demo_missing"), icon=":material/database:")
            return False
        _READY.add(url)
        return True
