"""Counters the hostile-input tests fill and ``tests/conftest.py`` prints at the end of the run.

``FILES``: tried, refused, imported, crashes (tests/hostile/test_hostile_files.py).
``LINKS``: tried, widened, crashes (tests/kam_core/test_filters.py).
``WRITES``: tried, refused, landed (writes outside the viewer's rights: tests/kam_core/test_permissions.py,
tests/pages/test_scoped_data_page.py), counted by :func:`hostile_write`.
"""

from __future__ import annotations

from collections import Counter

FILES: Counter = Counter()
LINKS: Counter = Counter()
WRITES: Counter = Counter()


def hostile_write(snapshot, write, refusal=Exception):
    """Try a write the viewer must not make; count it and return the exception it raised (or None).

    ``snapshot()`` returns the state the write must not change (e.g. every row of the tables it could
    touch). Refused: ``write()`` raised ``refusal`` and the state is unchanged. Landed: the state changed.
    """
    before = snapshot()
    WRITES["tried"] += 1
    error = None
    try:
        write()
    except refusal as exc:  # the refusal the caller expects; anything else propagates and fails the test
        error = exc
    if snapshot() != before:
        WRITES["landed"] += 1
    elif error is not None:
        WRITES["refused"] += 1
    return error


def export_counts() -> dict[str, dict[str, int]]:
    """This process's counters as plain data (a parallel worker sends them to the controller)."""
    return {"files": dict(FILES), "links": dict(LINKS), "writes": dict(WRITES)}


def add_counts(counts: dict[str, dict[str, int]]) -> None:
    """Add a worker's :func:`export_counts` to this process's counters."""
    for name, counter in (("files", FILES), ("links", LINKS), ("writes", WRITES)):
        counter.update(counts.get(name, {}))


def summary_lines() -> list[str]:
    """The closing-note lines for whatever was tried in this run."""
    out = []
    if FILES["tried"]:
        out.append(
            f"hostile files: {FILES['tried']} tried, {FILES['refused']} refused, "
            f"{FILES['imported']} imported, {FILES['crashes']} crashes"
        )
    if LINKS["tried"]:
        out.append(f"hostile links: {LINKS['tried']} tried, {LINKS['widened']} widened, {LINKS['crashes']} crashes")
    if WRITES["tried"]:
        out.append(f"hostile writes: {WRITES['tried']} tried, {WRITES['refused']} refused, {WRITES['landed']} landed")
    return out
