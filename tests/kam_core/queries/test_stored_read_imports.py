"""Reading a stored scorecard (a restarted server's first page) imports neither scikit-learn nor scipy: they cost
seconds of CPU and are needed only to compute one (issue #17 item 3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kam_core.db import get_engine
from kam_core.queries import scorecard_store
from tests.kam_tiny_db import tiny_sqlite_url

ROOT = Path(__file__).resolve().parents[3]
READ = """
import sys
from kam_core.db import get_engine
from kam_core.queries import scorecard_store
import kam_ui.data, kam_ui.overview, kam_ui.compare, kam_ui.page, kam_core.views, kam_core.figures.tiers
engine = get_engine(sys.argv[1])
view = scorecard_store.scorecard_view(engine, data_version="v1")
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("sklearn", "scipy"))
print(view.from_store, len(view.scorecard), heavy[:5])
"""


def test_a_stored_view_is_read_without_scikit_learn_or_scipy(tmp_path):
    url = tiny_sqlite_url(tmp_path / "kam.db", history=True)
    engine = get_engine(url)
    computed = scorecard_store.scorecard_view(engine, data_version="v1")  # computes and stores (imports both)
    engine.dispose()
    assert not computed.from_store
    out = subprocess.run(
        [sys.executable, "-c", READ, url], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    ).stdout.split("\n")[-2]
    assert out == f"True {len(computed.scorecard)} []"
