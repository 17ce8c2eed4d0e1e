"""Where a restarted server's first Overview spends its wall time: the page's element count, the URL and the
server's CPU every 100 ms after ``page.goto`` (bench/README.md, "Issue #17 on a quiet machine").

    python bench/probe_restart.py DB.sqlite [--checkout DIR]   # DIR: another checkout's app (e.g. a git worktree)

On a copy of the database: one server renders the Overview (and stores its views), a second one, started
afterwards, is probed for 12 s. While the element count grows with the server's CPU flat, the browser is drawing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests" / "e2e")]

import bench_browser as bb  # noqa: E402
from e2e_server import CHROMIUM_ARGS, streamlit_server  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--checkout", type=Path, default=None, help="run this checkout's app instead of this one")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kam_probe_"))
    db = tmp / "kam.db"
    shutil.copyfile(args.db, db)
    os.environ["HOME"] = str(tmp / "home")
    os.environ.setdefault("KAM_PRECOMPUTE_MONTHS", "0")  # the restart alone, no background work
    url = f"sqlite:///{db}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        with streamlit_server(url, cwd=args.checkout) as (base, _):
            bb._timed_goto(browser, f"{base}/?lang=en")
        with streamlit_server(url, cwd=args.checkout) as (base, _):
            page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="en-US")
            t0, last = time.perf_counter(), None
            page.goto(f"{base}/?lang=en")
            while time.perf_counter() - t0 < 12:
                state = (page.locator("[data-testid]").count(), page.locator("[data-testid=stStatusWidget]").count())
                if state != last:
                    print(
                        f"{time.perf_counter() - t0:6.2f} s  elements {state[0]:4d}  running {state[1]}  "
                        f"server CPU {bb.server_cpu():.2f} s  {page.url}",
                        flush=True,
                    )
                    last = state
                page.wait_for_timeout(100)
        browser.close()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
