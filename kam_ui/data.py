"""Cached loaders: the engine (shared resource), dimensions, and the scorecard per period and scope.

Expensive work is cached on small, hashable keys (period dates and the scope string); the cheap
interactive filters (region, channel, rep, type, tier) are applied afterwards, outside the cache.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, func, select
from streamlit.connections import BaseConnection

from kam_core.config import resolve_db_url
from kam_core.db import get_engine
from kam_core.db.schema import order_header, region, sales_rep
from kam_core.filters import Filters, KnownValues, apply_filters
from kam_core.queries import scorecard_store
from kam_core.scope import DIRECTOR, Scope
from kam_core.views.health import compute_data_fingerprint
from kam_ui import precompute


def db_url() -> str:
    """The database URL by docs/DESIGN.md §3's precedence: ``--db``/``KAM_DATABASE_URL``, secrets
    ``[connections.kam] url``, the default SQLite file (kam_core.config.resolve_db_url)."""
    return resolve_db_url()


CONNECTION_NAME = "kam"  # st.connection's name: its secrets section is [connections.kam] (docs/DESIGN.md §3)


class KamConnection(BaseConnection[Engine]):
    """``st.connection`` type for the KAM database: its engine is the one ``kam_core.db.get_engine`` builds.

    Streamlit's connection machinery brings the shared cache (one pool per URL for the whole server),
    disposal of an engine that leaves the cache, and a reset when ``[connections.kam]`` in secrets.toml
    changes; the engine itself stays kam_core's, so the dashboard, the CLI and the tests share one
    configuration (see :func:`engine` for why this is not ``type="sql"``).
    """

    def _connect(self, url: str, **_: object) -> Engine:
        return get_engine(url)

    @property
    def engine(self) -> Engine:
        return self._instance

    def reset(self) -> None:
        self.close()  # the base class only forgets the engine: its pooled connections would stay open
        super().reset()

    def close(self) -> None:
        if self._raw_instance is not None:
            self._raw_instance.dispose()


def engine_for(url: str) -> Engine:
    """One engine (connection pool) per database URL for the whole server."""
    return st.connection(CONNECTION_NAME, type=KamConnection, url=url, max_entries=4, ttl=None).engine


# Why not st.connection("kam", type="sql", url=...) (SQLConnection), evaluated for issue #16: it would
# take the URL as given (so docs/DESIGN.md §3's precedence could stay in db_url()) and pass extra keyword
# arguments to create_engine (so pool_pre_ping could stay), but it would lose, or make us copy into the UI
# layer, what kam_core.db.get_engine does for every other caller (CLI, imports, tests):
# - SQLite's connect listener (PRAGMA foreign_keys=ON, journal_mode=WAL, busy_timeout=10000): SQLConnection
#   has no hook for event listeners, so they would be re-attached by hand on every (re)created engine;
#   without them foreign keys go unchecked and an import blocks the dashboard's readers;
# - creating the SQLite file's folder, and the plain UserError for a malformed URL or a missing driver
#   (SQLConnection raises SQLAlchemy's ArgumentError / NoSuchModuleError from inside st.connection);
# - one place for engine settings: a pool or DuckDB/PostgreSQL setting added to get_engine would silently
#   not reach the dashboard.
# SQLConnection's extras (query() with its own cache_data, session) are unused here: reads go through
# kam_core with the viewer's scope. So the connection type is KamConnection above, which keeps get_engine.
def engine() -> Engine:
    """The engine of the current database URL (shared, pooled; see the comment above)."""
    return engine_for(db_url())


VIEWER_KEY = "_kam_viewer"
NOBODY = Scope("rep", "\x00nobody")  # a rep id no account can have: sees nothing


def viewer_scope() -> Scope:
    """The signed-in viewer's scope (set by app.py), else the embedded single local director (docs/DESIGN.md §6).

    With sign-in configured but nobody signed in yet, the scope sees nothing, so no code path
    can show data before app.py has checked who is looking.
    """
    from kam_ui.auth import sign_in_configured

    viewer = st.session_state.get(VIEWER_KEY)
    if viewer is not None:
        return viewer.scope
    return NOBODY if sign_in_configured() else DIRECTOR


def viewer_identity() -> str:
    """Who writes: the signed-in e-mail, "local-director" in the embedded mode, "" before sign-in."""
    from kam_ui.auth import LOCAL_IDENTITY, sign_in_configured

    viewer = st.session_state.get(VIEWER_KEY)
    if viewer is not None:
        return viewer.email
    return "" if sign_in_configured() else LOCAL_IDENTITY


@dataclass(frozen=True)
class Dimensions:
    """What the filter widgets offer: regions at every level, reps, and the data's date range."""

    regions: pd.DataFrame  # code, name_zh, name_en, level, path
    reps: pd.DataFrame  # rep_id, name, name_en
    first_date: dt.date | None
    last_date: dt.date | None

    def known(self) -> KnownValues:
        return KnownValues(region=frozenset(self.regions["code"]), rep=frozenset(self.reps["rep_id"]))

    def region_paths(self) -> dict[str, str]:
        return dict(zip(self.regions["code"], self.regions["path"], strict=True))


@st.cache_data(ttl=300, max_entries=8, show_spinner=False)
def load_dimensions(url: str, scope_text: str) -> Dimensions:
    """Regions and reps within the viewer's scope (kam_core.scope), and the company's order-date range
    (one default period for everyone); cached 5 minutes so an import shows up soon."""
    eng, scope = engine_for(url), Scope.parse(scope_text)
    with eng.connect() as conn:
        regions = pd.DataFrame(
            conn.execute(
                select(region.c.code, region.c.name_zh, region.c.name_en, region.c.level, region.c.path)
                .where(scope.region_clause())
                .order_by(region.c.path)
            )
            .mappings()
            .all(),
            columns=["code", "name_zh", "name_en", "level", "path"],
        )
        reps = pd.DataFrame(
            conn.execute(
                select(sales_rep.c.rep_id, sales_rep.c.name, sales_rep.c.name_en)
                .where(scope.rep_clause())
                .order_by(sales_rep.c.rep_id)
            )
            .mappings()
            .all(),
            columns=["rep_id", "name", "name_en"],
        )
        first, last = conn.execute(
            select(func.min(order_header.c.order_date), func.max(order_header.c.order_date))
        ).one()
    return Dimensions(regions, reps, _as_date(first), _as_date(last))


def _as_date(value) -> dt.date | None:
    if value is None:
        return None
    return pd.Timestamp(value).date()


def dimensions() -> Dimensions:
    return load_dimensions(db_url(), str(viewer_scope()))


def default_period(dims: Dimensions) -> tuple[dt.date | None, dt.date | None]:
    """The last twelve months of data (docs/METHODS.md §8 analysis window)."""
    if dims.last_date is None:
        return None, None
    start = (pd.Timestamp(dims.last_date) - pd.DateOffset(months=12) + pd.Timedelta(days=1)).date()
    return start, dims.last_date


@st.cache_data(ttl=30, max_entries=8, show_spinner=False)
def data_fingerprint(url: str) -> str:
    """Changes when the data changes (checked at most every 30 s; an import clears it at once)."""
    return compute_data_fingerprint(engine_for(url))


# A digest of kam_core's code: part of the stored scorecard's key, so that a new release recomputes instead of
# showing a scorecard stored by older code (Streamlit keys only on the cached function's own source).
code_version = scorecard_store.code_version


# In memory per server; a restarted (or second) server renders its first page from the scorecard stored in the
# database instead of recomputing it. The data fingerprint and the code version in the key retire stale entries.
@dataclass(frozen=True)
class ScorecardView:
    """What the pages use from a scorecard bundle. Plain data on purpose: the database's scorecard_store holds
    exactly this (pandas frames), not the scikit-learn models behind the value-type diagnostics."""

    scorecard: pd.DataFrame
    window: object  # kam_core.analytics.window.Window
    features: pd.DataFrame
    health: tuple[dict, ...]  # data-health items, written by kam_core.analytics.inputs.describe_health
    missing_inputs: tuple[str, ...]


@st.cache_data(max_entries=16, show_spinner=False)  # restarts read the database's scorecard_store, not a disk cache
def load_bundle(
    url: str, start: dt.date | None, end: dt.date | None, scope_text: str, fingerprint: str, code: str
) -> ScorecardView:
    """The scorecard for one window and scope (the expensive part; cached). Read from the database's
    ``scorecard_store`` when a server (this one before a restart, or another, or the background precompute)
    stored it for the same data and code version; computed and stored otherwise."""
    with precompute.foreground():
        s = scorecard_store.scorecard_view(
            engine_for(url), as_of=end, since=start, scope=Scope.parse(scope_text), data_version=fingerprint
        )
    return ScorecardView(s.scorecard, s.window, s.features, tuple(s.health), tuple(s.missing_inputs))


@st.cache_resource(max_entries=8, show_spinner=False)
def shared_bundle(url: str, start: dt.date | None, end: dt.date | None, scope_text: str, fingerprint: str):
    """One in-memory bundle per key shared by all sessions (no copy per rerun); READ-ONLY by contract:
    pages filter it with :func:`filtered`, which returns new frames."""
    return load_bundle(url, start, end, scope_text, fingerprint, code_version())


_READ: set[tuple] = set()  # views this server has read or computed (memory): no "computing" notice, no store look-up


def view(start: dt.date | None, end: dt.date | None):
    """The viewer's scorecard bundle of one window. Says "computing…" while it runs when the window is neither in
    memory nor stored (the background precompute, kam_ui.precompute, has not reached it yet)."""
    url, scope_text = db_url(), str(viewer_scope())
    fingerprint = data_fingerprint(url)
    dims = load_dimensions(url, scope_text)
    precompute.start(url, scope_text, fingerprint, dims.first_date, dims.last_date)
    key = (url, start, end, scope_text, fingerprint)
    if key in _READ or scorecard_store.is_stored(
        engine_for(url), scorecard_store.view_key(fingerprint, start, end, Scope.parse(scope_text))
    ):
        result = shared_bundle(*key)
    else:
        from kam_ui.lang import tr

        with st.spinner(tr("period.computing")):
            result = shared_bundle(*key)
    _READ.add(key)
    return result


def bundle(filters: Filters):
    """The cached scorecard bundle for the filters' period."""
    return view(filters.start, filters.end)


def previous_period(filters: Filters) -> tuple[dt.date, dt.date] | None:
    """The period of equal length that ends the day before ``filters.start``."""
    if filters.start is None or filters.end is None:
        return None
    days = (filters.end - filters.start).days
    prev_end = filters.start - dt.timedelta(days=1)
    return prev_end - dt.timedelta(days=days), prev_end


def previous_bundle(filters: Filters):
    """The bundle of the previous period, or None when there is no order data before the period."""
    period = previous_period(filters)
    dims = dimensions()
    if period is None or dims.first_date is None or period[1] < dims.first_date:
        return None
    url = db_url()
    return shared_bundle(url, period[0], period[1], str(viewer_scope()), data_fingerprint(url))


def data_changed() -> None:
    """After a write (an import): drop what was read from the data, keep the engine and its pool.

    The data fingerprint and the dimensions are read again; the in-memory bundles of the old data go (the
    stored ones are keyed by the old fingerprint and are no longer reached; scorecard_store keeps the newest 64);
    a running background precompute of the old data stops before its next view.
    """
    data_fingerprint.clear()
    load_dimensions.clear()
    shared_bundle.clear()
    _READ.clear()
    precompute.stop_all()


def warm_up(filters: Filters) -> None:
    """Compute (and store) the scorecards the first page needs: the period and its default comparison
    (the same period last year, kam_ui.compare)."""
    from kam_ui.compare import MODES, comparison_bundle

    bundle(filters)
    comparison_bundle(filters, MODES[0])


def store_default_views() -> None:
    """After a write: compute and store the scorecards of the default view (the last 12 months and the same
    months a year before), so that the next Overview, on this server or another, reads them instead of computing;
    the background precompute (kam_ui.precompute) then stores the earlier month-end windows."""
    start, end = default_period(dimensions())
    if end is not None:
        warm_up(Filters(start=start, end=end))


def filtered(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Apply the cheap filters (region at any level, channel, rep, type, tier) to a scorecard."""
    return apply_filters(frame, filters, dimensions().region_paths())
