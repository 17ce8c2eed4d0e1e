"""Computed scorecards stored in the database (table ``scorecard_store``), keyed by data and code version.

Computing a scorecard takes seconds (2,000 accounts) to a minute (100,000): the queries are SQL, but the
models (value types with their bootstrap, CLV, loyalty) run per account. A stored result is read back in a
fraction of a second by any server on the same database, after a restart too, and only ever for the key it
was stored under: the data version (:func:`kam_core.views.health.compute_data_fingerprint`), the code version
(:func:`code_version`), the window, the viewer's scope and the settings. Anything else recomputes.

The frames are stored as Parquet (no pickle: reading a stored row never runs code; lists of reasons and evidence
items in Parquet's nested types, :mod:`kam_core.queries.store_codec`), the window and the data-health items as JSON.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from kam_core.analytics.bulk import collector_paused
from kam_core.analytics.window import Window
from kam_core.db.schema import scorecard_store
from kam_core.queries import store_codec
from kam_core.scope import DIRECTOR

KEEP = 64  # rows kept: the newest; older keys (old data or code versions) are deleted when a new one is stored


@dataclass(frozen=True)
class StoredScorecard:
    """What the pages need from a scorecard bundle (no models): plain frames and JSON-able items."""

    scorecard: pd.DataFrame
    window: Window | None
    features: pd.DataFrame
    health: tuple[dict, ...]
    missing_inputs: tuple[str, ...]
    seconds: float = 0.0  # what computing it took
    from_store: bool = False


@functools.cache
def code_version() -> str:
    """A digest of kam_core's code and catalogues: a new release recomputes instead of reading a result
    stored by older code."""
    import kam_core

    digest = hashlib.sha256()
    root = Path(kam_core.__file__).parent
    for path in sorted(root.rglob("*.py")) + sorted(root.rglob("*.toml")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def store_key(data_version: str, start, end, scope_text: str, params_hash: str, code: str | None = None) -> str:
    """The key of one view: every input of the result, digested."""
    parts = [data_version, code or code_version(), str(start), str(end), scope_text, params_hash]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _tag(value):
    """JSON for what object columns hold: dates tagged (they must come back as dates), NumPy as Python."""
    if isinstance(value, pd.Timestamp):
        return {"__ts__": value.isoformat()}
    if isinstance(value, dt.datetime):
        return {"__dt__": value.isoformat()}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    if hasattr(value, "tolist"):  # NumPy arrays and scalars
        return value.tolist()
    raise TypeError(f"cannot store a {type(value).__name__} in a scorecard column")


def _untag(obj: dict):
    if "__date__" in obj:
        return dt.date.fromisoformat(obj["__date__"])
    if "__dt__" in obj:
        return dt.datetime.fromisoformat(obj["__dt__"])
    if "__ts__" in obj:
        return pd.Timestamp(obj["__ts__"])
    return obj


def _kind(values: pd.Series) -> tuple[str, str]:
    """How an object column is stored: ``str`` or ``date`` (Parquet's own types) when every value is one and
    the gaps are all None or all NaN (the second item says which), ``nested`` (Parquet lists of structs,
    :mod:`kam_core.queries.store_codec`) when every value is a list of flat items or a flat dict, else ``json``
    (one JSON text per cell)."""
    missing = values.isna()
    gaps = values[missing].tolist()
    gap = "none" if all(v is None for v in gaps) else "nan" if all(isinstance(v, float) for v in gaps) else ""
    types = {type(v) for v in values[~missing].tolist()}
    if gap and types <= {str}:
        return "str", gap
    if gap and types <= {dt.date}:
        return "date", gap
    if gap and types and types <= {list, dict} and len(types) == 1:
        return "nested", gap
    return "json", gap


def _parquet(frame: pd.DataFrame) -> bytes:
    """Parquet of ``frame``. Object columns of text or dates (gaps None or NaN, as they were) in Parquet's own
    types; lists of reasons and evidence items in Parquet lists of structs with their shapes
    (:mod:`kam_core.queries.store_codec`); any other as one JSON text per cell, so that they come back exactly.
    The kinds (and the shapes) go in the file's metadata."""
    kinds: dict[str, list] = {}
    encoded: dict[str, pd.Series] = {}
    for c in (c for c in frame.columns if frame[c].dtype == object):
        kind, gap = _kind(frame[c])
        values = frame[c].tolist()
        if kind == "nested":
            missing = frame[c].isna().to_numpy()
            cell = store_codec.nested_kind(values, missing)
            done = store_codec.encode(values, missing, cell) if cell else None
            if done is not None:
                encoded[c], kinds[c] = done[0].set_axis(frame.index), [kind, gap, done[1]]
                continue
            kind = "json"
        if kind == "json":
            encoded[c] = pd.Series([json.dumps(v, default=_tag, ensure_ascii=False) for v in values], index=frame.index)
        kinds[c] = [kind, gap]
    nested = [c for c, spec in kinds.items() if spec[0] == "nested"]
    plain = frame.drop(columns=nested).assign(**{c: v for c, v in encoded.items() if c not in nested})
    table = pa.Table.from_pandas(plain, preserve_index=True)
    for c in nested:  # after the pandas columns: pandas' metadata does not know them (read with pyarrow)
        table = table.append_column(c, encoded[c].array._pa_array)
    attrs = {"kam_object_columns": kinds, "kam_columns": [str(c) for c in frame.columns]}
    table = table.replace_schema_metadata({**table.schema.metadata, b"PANDAS_ATTRS": json.dumps(attrs).encode()})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _restore(column: pd.Series, kind: str, gap: str) -> pd.Series:
    if kind == "json":  # one parse of the whole column: 10^5 separate json.loads cost seconds
        text = "[" + ",".join(column.tolist()) + "]"
        hook = _untag if '"__d' in text or '"__ts__"' in text else None
        return pd.Series(json.loads(text, object_hook=hook), index=column.index, dtype=object)
    values = column.astype(object)
    return values.where(column.notna(), None if gap == "none" else np.nan).astype(object)


def _frame(data: bytes) -> pd.DataFrame:
    """The frame :func:`_parquet` stored (also one stored before lists had their own types: all JSON)."""
    schema = pq.read_schema(io.BytesIO(data))
    attrs = json.loads((schema.metadata or {}).get(b"PANDAS_ATTRS", b"{}"))
    kinds = attrs.get("kam_object_columns", {})
    nested = [c for c, spec in kinds.items() if spec[0] == "nested"]
    plain = [c for c in schema.pandas_metadata["columns"] if c["field_name"] == c["name"] and c["name"] not in nested]
    frame = pd.read_parquet(io.BytesIO(data), columns=[c["name"] for c in plain]) if nested else None
    frame = pd.read_parquet(io.BytesIO(data)) if frame is None else frame
    frame.attrs = {}  # first: pandas deep-copies attrs into every frame derived from this one
    restored = {c: _restore(frame[c], spec[0], spec[1]) for c, spec in kinds.items() if spec[0] != "nested"}
    if nested:
        table = pq.read_table(io.BytesIO(data), columns=nested)
        with collector_paused():  # ~10^6 new lists and dicts: no reference cycles to look for
            for c in nested:
                gap = None if kinds[c][1] == "none" else np.nan
                cells = store_codec.decode(table[c], kinds[c][2], gap)
                restored[c] = pd.Series(cells, index=frame.index, dtype=object)
    if restored:
        frame = frame.assign(**restored)
    return frame[attrs["kam_columns"]] if nested else frame


def _json_default(value):
    if isinstance(value, dt.date | dt.datetime | pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):  # NumPy scalars in health items
        return value.item()
    raise TypeError(f"not JSON: {type(value).__name__}")


def save(engine: Engine, key: str, data_version: str, result: StoredScorecard) -> None:
    """Store ``result`` under ``key`` (replacing a row of the same key) and drop all but the newest rows."""
    window = result.window
    meta = {
        "window": [str(window.start), str(window.end)] if window is not None else None,
        "health": list(result.health),
        "missing_inputs": list(result.missing_inputs),
    }
    row = {
        "key": key,
        "data_version": data_version[:200],
        "computed_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "seconds": float(result.seconds),
        "scorecard": _parquet(result.scorecard),
        "features": _parquet(result.features),
        "meta": json.dumps(meta, default=_json_default, ensure_ascii=False),
    }
    try:
        with engine.begin() as conn:
            conn.execute(delete(scorecard_store).where(scorecard_store.c.key == key))
            conn.execute(insert(scorecard_store).values(**row))
            newest = select(scorecard_store.c.key).order_by(scorecard_store.c.computed_at.desc()).limit(KEEP)
            keep = set(conn.execute(newest).scalars())
            conn.execute(delete(scorecard_store).where(scorecard_store.c.key.not_in(keep)))
    except IntegrityError:  # another server stored the same key at the same moment: its row is as good
        pass


def load(engine: Engine, key: str) -> StoredScorecard | None:
    """The result stored under ``key``, or None."""
    from kam_core.analytics.window import Window

    with engine.connect() as conn:
        row = conn.execute(select(scorecard_store).where(scorecard_store.c.key == key)).mappings().first()
    if row is None:
        return None
    meta = json.loads(row["meta"])
    window = Window(*(dt.date.fromisoformat(d) for d in meta["window"])) if meta["window"] else None
    return StoredScorecard(
        _frame(row["scorecard"]),
        window,
        _frame(row["features"]),
        tuple(meta["health"]),
        tuple(meta["missing_inputs"]),
        float(row["seconds"]),
        from_store=True,
    )


def view_key(data_version: str, since, as_of, scope=None, params=None) -> str:
    """The key :func:`scorecard_view` stores a view under (the defaults: the director, the default settings)."""
    from kam_core.analytics.params import DEFAULT_PARAMS

    return store_key(data_version, since, as_of, str(scope or DIRECTOR), (params or DEFAULT_PARAMS).params_hash)


def is_stored(engine: Engine, key: str) -> bool:
    """Whether a view is stored under ``key`` (reads the key only, not the frames)."""
    with engine.connect() as conn:
        return conn.execute(select(scorecard_store.c.key).where(scorecard_store.c.key == key)).first() is not None


def scorecard_view(
    engine: Engine, as_of=None, since=None, scope=None, params=None, data_version: str | None = None
) -> StoredScorecard:
    """The scorecard of one view: read from the store when its key is there, else computed and stored.

    Parameters
    ----------
    engine
        Database with the schema.
    as_of, since, scope, params
        As for :func:`kam_core.analytics.scorecard.compute_scorecard_bundle`.
    data_version
        The data fingerprint (computed when None).
    """
    from kam_core.analytics.params import DEFAULT_PARAMS
    from kam_core.views.health import compute_data_fingerprint

    scope, p = scope or DIRECTOR, params or DEFAULT_PARAMS
    version = data_version if data_version is not None else compute_data_fingerprint(engine)
    key = view_key(version, since, as_of, scope, p)
    stored = load(engine, key)
    if stored is not None:
        return stored
    with _key_lock(key):  # one computation per key in this process: a page asking for the view the background
        stored = load(engine, key)  # precompute (kam_core.queries.precompute) is computing waits for its result
        if stored is not None:
            return stored
        from kam_core.queries.scorecard import compute_scorecard_bundle

        t0, data_before = time.perf_counter(), compute_data_fingerprint(engine)
        b = compute_scorecard_bundle(engine, as_of=as_of, since=since, scope=scope, params=p)
        result = StoredScorecard(
            b.scorecard, b.window, b.features, tuple(b.health), tuple(b.missing_inputs), time.perf_counter() - t0
        )
        # an import during the computation: the result may mix old and new rows, so it is not stored (the caller
        # gets it; the next request, with the new data version, recomputes)
        if compute_data_fingerprint(engine) == data_before:
            save(engine, key, version, result)
        return result


_KEY_LOCKS: dict[str, threading.Lock] = {}
_KEY_LOCKS_GUARD = threading.Lock()


def _key_lock(key: str) -> threading.Lock:
    with _KEY_LOCKS_GUARD:
        if len(_KEY_LOCKS) > 4 * KEEP:  # forget the locks of old keys (none is held for long: one computation)
            for old in [k for k, lock in _KEY_LOCKS.items() if not lock.locked()]:
                del _KEY_LOCKS[old]
        return _KEY_LOCKS.setdefault(key, threading.Lock())
