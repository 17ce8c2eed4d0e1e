"""Columns of lists and dicts (reasons, evidence items) in Parquet's own nested types, for the scorecard store.

One JSON text per cell made reading a stored scorecard of 100,000 accounts cost seconds (parsing ~10^6 reason
texts and items). Here a column whose cells are lists of flat items, or flat dicts, is one Parquet
``list<struct>`` column: each item is a struct row with its *shape* (which keys, in which order, with which value
types) and one field per (key, value type). Reading takes each field as a whole column and rebuilds the items
shape by shape, so the cells come back exactly: the same keys in the same order, ``int``, ``float``, ``bool``,
``str`` and ``None`` values as they were (Parquet's struct type alone would pad every dict with the keys of
all others). A column that does not fit (nested values, other types, mixed lists and dicts) stays JSON.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pyarrow as pa

_TYPES = {"str": pa.string(), "bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "NoneType": pa.null()}
_SCALAR = "__value__"  # the "key" of an item that is a plain value, not a dict
_CELL: dict[type, str] = {list: "list", dict: "dict"}


def _shape(item) -> tuple | None:
    """``((key, type name), ...)`` of a flat dict, ``((_SCALAR, type name),)`` of a plain value, else None."""
    if isinstance(item, dict):
        pairs = tuple((k, type(v).__name__) for k, v in item.items())
        ok = all(type(k) is str and k != _SCALAR and t in _TYPES for k, t in pairs)
        return pairs if ok else None
    name = type(item).__name__
    return ((_SCALAR, name),) if name in _TYPES else None


def nested_kind(values: list, missing: np.ndarray) -> str | None:
    """``list`` or ``dict`` when every present cell is a list of flat items (or every one a flat dict)."""
    kinds = {_CELL.get(type(v)) for v, gap in zip(values, missing.tolist(), strict=True) if not gap}
    if len(kinds) != 1 or None in kinds:
        return None
    return kinds.pop()


def encode(values: list, missing: np.ndarray, cell: str) -> tuple[pd.Series, dict] | None:
    """The cells as one Arrow ``list<struct>`` array (in a pandas Series) and the shapes behind it, or None
    when an item is not flat (the column is then stored as JSON)."""
    cells = [[] if gap else (v if cell == "list" else [v]) for v, gap in zip(values, missing.tolist(), strict=True)]
    lengths = np.fromiter((len(c) for c in cells), dtype=np.int64, count=len(cells))
    items = [item for c in cells for item in c]
    shape_ids: dict[tuple, int] = {}
    field_ids: dict[tuple, int] = {}
    maybe = [_shape(item) for item in items]
    if None in maybe:
        return None
    shapes = [shape for shape in maybe if shape is not None]
    sid = np.fromiter((shape_ids.setdefault(shape, len(shape_ids)) for shape in shapes), np.int32, len(items))
    for shape in shape_ids:
        for pair in shape:
            field_ids.setdefault(pair, len(field_ids))
    columns: list[list] = [[None] * len(items) for _ in field_ids]
    for i, (item, shape) in enumerate(zip(items, shapes, strict=True)):
        for pair, value in zip(shape, item.values() if isinstance(item, dict) else (item,), strict=True):
            columns[field_ids[pair]][i] = value
    try:
        fields = [pa.array(col, type=_TYPES[name]) for col, (_, name) in zip(columns, field_ids, strict=True)]
    except (OverflowError, pa.ArrowException):  # an int beyond 64 bits
        return None
    struct = pa.StructArray.from_arrays([pa.array(sid), *fields], names=["s"] + [f"f{j}" for j in range(len(fields))])
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
    lists = pa.ListArray.from_arrays(offsets, struct, mask=pa.array(missing))
    spec = {"cell": cell, "shapes": [[[k, n, field_ids[(k, n)]] for k, n in shape] for shape in shape_ids]}
    return pd.Series(pd.arrays.ArrowExtensionArray(lists)), spec


def _build(values: pa.StructArray, shape: list) -> list:
    """The items of one shape from whole field columns (``map`` over C iterators: ~10^6 items per second)."""
    if not shape:  # empty dicts
        return [{} for _ in range(len(values))]
    cols = [values.field(f"f{j}").to_pylist() for _, _, j in shape]
    if shape[0][0] == _SCALAR:
        return cols[0]
    return list(map(dict, map(zip, itertools.repeat([k for k, _, _ in shape]), zip(*cols, strict=True))))


def _items(values: pa.StructArray, spec: dict) -> list:
    """Every item of the column, rebuilt shape by shape."""
    if len(spec["shapes"]) == 1:
        return _build(values, spec["shapes"][0])
    sid = values.field("s").to_numpy(zero_copy_only=False)
    out = np.empty(len(values), dtype=object)
    for s, shape in enumerate(spec["shapes"]):
        idx = np.flatnonzero(sid == s)
        part = np.empty(len(idx), dtype=object)
        part[:] = _build(values.take(pa.array(idx)), shape)
        out[idx] = part
    return out.tolist()


def decode(column: pa.ChunkedArray, spec: dict, gap) -> list:
    """The cells :func:`encode` stored: lists (or dicts) exactly as they were; missing cells as ``gap``."""
    lists = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    offsets = lists.offsets.to_numpy()
    bounds = (offsets - offsets[0]).tolist()
    items = _items(lists.flatten(), spec) if bounds[-1] else []
    cells = list(map(items.__getitem__, map(slice, bounds[:-1], bounds[1:])))
    if lists.null_count:
        for i in np.flatnonzero(lists.is_null().to_numpy(zero_copy_only=False)).tolist():
            cells[i] = gap
    if spec["cell"] == "dict":
        return [c[0] if type(c) is list else c for c in cells]
    return cells
