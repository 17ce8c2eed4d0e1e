"""Measure the dashboard in a real browser and (optionally) refresh the README screenshots.

    python tests/e2e/measure_ui.py sqlite:///data/kam.db [--shots docs/screenshots] [--runs 2] [--langs en zh]

Screenshots are ``<page>.png`` in English and ``<page>_zh.png`` in Chinese (Debian's fonts-noto-cjk draws the
Chinese; without it the characters show as boxes).

Prints: server start → /_stcore/health, then for each run (a fresh server each time) the time from
the server being up to the Overview being rendered (KPIs visible). The first run on a new database
computes the scorecards; later runs read them from Streamlit's disk cache.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from e2e_server import CHROMIUM_ARGS, chromium_path, streamlit_server
from playwright.sync_api import sync_playwright
from review_flow_steps import settle

PAGES = [
    ("overview", "/"),
    ("segments", "/segments"),
    ("pyramid", "/pyramid"),
    ("risk", "/risk"),
    ("plan", "/plan"),
    ("data", "/data"),
    ("promotions", "/promotions"),
]
RENDERED = re.compile(
    r"Accounts matching the filters|Data: import|Promotions after the event|符合筛选的客户|数据：导入|促销复盘"
)


def _wait_rendered(page, settle_s: float = 1.2) -> float:
    """Wait until the page is drawn and stays unchanged for ``settle_s`` with no script running.

    Returns the moment (perf_counter) the final state was first seen, so the settling wait is not
    counted. Streamlit shows its running indicator only after a short delay, so "indicator gone" alone
    would stop at the first caption.
    """
    page.get_by_text(RENDERED).first.wait_for(timeout=300_000)
    return settle(page, int(settle_s * 1000), timeout_ms=300_000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--shots", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--langs", nargs="+", default=["en"], choices=["en", "zh"])
    args = parser.parse_args()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for run in range(args.runs):
            with streamlit_server(args.db) as (base, up):
                page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="en-US")
                started = time.perf_counter()
                page.goto(f"{base}/?lang=en")
                done = _wait_rendered(page)
                print(f"run {run + 1}: server up in {up:.1f}s; first Overview render {done - started:.2f}s")
                if args.shots and run == args.runs - 1:
                    args.shots.mkdir(parents=True, exist_ok=True)
                    for lang in args.langs:
                        for name, path in PAGES:
                            page.goto(f"{base}{path}?lang={lang}")
                            _wait_rendered(page)
                            page.wait_for_timeout(1000)  # tables draw on a canvas after the data arrives
                            suffix = "" if lang == "en" else f"_{lang}"
                            page.screenshot(path=str(args.shots / f"{name}{suffix}.png"))
                page.close()
        browser.close()


if __name__ == "__main__":
    main()
