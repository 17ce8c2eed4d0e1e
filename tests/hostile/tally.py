"""Counters the hostile-input tests fill and ``tests/conftest.py`` prints at the end of the run.

``FILES``: tried, refused, imported, crashes (tests/hostile/test_hostile_files.py).
``LINKS``: tried, widened, crashes (tests/kam_core/test_filters.py).
"""

from __future__ import annotations

from collections import Counter

FILES: Counter = Counter()
LINKS: Counter = Counter()


def summary_lines() -> list[str]:
    """The closing-note lines for whatever was tried in this run."""
    out = []
    if FILES["tried"]:
        out.append(f"hostile files: {FILES['tried']} tried, {FILES['refused']} refused, "
                   f"{FILES['imported']} imported, {FILES['crashes']} crashes")
    if LINKS["tried"]:
        out.append(f"hostile links: {LINKS['tried']} tried, {LINKS['widened']} widened, {LINKS['crashes']} crashes")
    return out
