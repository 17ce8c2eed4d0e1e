"""Shared page-test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def launcher(tmp_path_factory) -> str:
    """A one-line script that runs app.py, beside a link ``p`` to the pages.

    AppTest (1.67) treats a ``pages/`` folder next to the main script as an old-style multipage app and
    replays reruns by running the page file alone (no frame, no sidebar). A real server does not: once
    ``st.navigation`` runs, the folder is ignored. Launching from a folder without ``pages/`` gives the
    browser's behaviour; app.py registers its pages by absolute path, so ``p/<name>.py`` matches them.
    """
    folder = tmp_path_factory.mktemp("launcher")
    (folder / "p").symlink_to(ROOT / "pages", target_is_directory=True)
    script = folder / "app.py"
    script.write_text(f"import runpy\nrunpy.run_path({APP!r}, run_name='__main__')\n", encoding="utf-8")
    return str(script)
