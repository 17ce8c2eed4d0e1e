"""The review pack draws every chart in a real browser with no network: plotly.js is inflated from the file
itself (kam_core.report.template), then each figure is drawn from its JSON."""

import datetime as dt
import re
import shutil
import subprocess

import pytest
from kam_tiny_db import seed_tiny

from kam_core.filters import Filters
from kam_core.report import build_review_pack

CHROMIUM = shutil.which("chromium")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_every_pack_chart_is_drawn_offline(tmp_path):
    from kam_core.db import ensure_schema, get_engine

    engine = get_engine(f"sqlite:///{tmp_path / 'kam.db'}")
    ensure_schema(engine)
    seed_tiny(engine)
    doc = build_review_pack(engine, Filters(lang="en"), now=dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    page = tmp_path / "pack.html"
    page.write_bytes(doc)
    charts = doc.decode().count('class="kam-figure"')
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=20000", "--dump-dom"]
    # no proxy, no network: a fetch would fail and the chart would stay empty
    args += ["--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"]
    dom = subprocess.run([CHROMIUM, *args, page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert charts >= 4
    drawn = sum(bool(re.search(f'<div id="kam-fig-{i}"[^>]*class="js-plotly-plot"', dom)) for i in range(charts))
    assert drawn == charts, dom[-2000:]
