"""Helpers of the review-meeting browser flow (tests/e2e/test_review_meeting_flow.py): step timing, settling,
screenshots, pickers, and the independent SQL figures the shown numbers are checked against."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
from PIL import Image
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots" / "review"
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 180_000  # a loaded 2-core machine: generous, every wait is for a condition, never a fixed sleep
QUIET_MS = 1200


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def settle(page, quiet_ms: int = QUIET_MS, timeout_ms: int = TIMEOUT_MS) -> float:
    """Wait until no script run is in progress and the page has stopped changing for ``quiet_ms``; return the
    moment (perf_counter) its final state was first seen, so the quiet wait itself is not counted.

    "Running indicator gone" alone is not enough: Streamlit shows it only after a short delay, so a wait that
    starts right after a click could stop before the rerun has drawn anything.
    """
    deadline = time.perf_counter() + timeout_ms / 1000
    last, since = None, time.perf_counter()
    while time.perf_counter() < deadline:
        state = (
            page.locator("[data-testid]").count(),
            page.locator(".js-plotly-plot .main-svg").count(),
            page.locator("[data-testid=stStatusWidget]").count() + page.locator("[data-testid=stSpinner]").count(),
        )
        now = time.perf_counter()
        if state != last or state[2]:
            last, since = state, now
        elif (now - since) * 1000 >= quiet_ms:
            return since
        page.wait_for_timeout(100)
    raise TimeoutError("the page kept running")


class Clock:
    """Wall time of each step: from the action (goto/click) to the page having settled."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, float]] = []

    def start(self) -> float:
        return time.perf_counter()

    def stop(self, page, step: str, lang: str, started: float) -> float:
        seconds = settle(page) - started
        self.rows.append((step, lang, seconds))
        return seconds

    def table(self) -> str:
        lines = ["| step | lang | seconds (action → settled) |", "|---|---|---:|"]
        lines += [f"| {step} | {lang} | {sec:.2f} |" for step, lang, sec in self.rows]
        return "\n".join(lines)


def shoot(page, name: str) -> Path:
    """A 1280×800 PNG of what the user sees (after the charts have drawn)."""
    if page.locator(".js-plotly-plot").count():
        page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=TIMEOUT_MS)
    settle(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    with Image.open(path) as shot:  # a 256-colour PNG: the UI has few colours, the file is a third the size
        small = shot.convert("RGB").quantize(256)
    small.save(path, optimize=True)
    return path


def picker(page, label: str):
    """The sidebar's name picker (a multiselect) with this label."""
    return page.get_by_test_id("stMultiSelect").filter(has=page.get_by_text(label, exact=True)).first


def pick(page, label: str, typed: str) -> None:
    """Type a name into the picker and click the option that starts with it (region options are indented
    with "· " per level; fuzzy search may rank a near name first)."""
    box = picker(page, label)
    box.click()
    page.keyboard.type(typed, delay=60)
    option = page.get_by_role("option", name=re.compile("^(· )*" + re.escape(typed))).first
    option.wait_for(timeout=TIMEOUT_MS)
    option.click()
    page.keyboard.press("Escape")


def centre(locator) -> tuple[float, float]:
    """Where to point at a chart element (Plotly's drag layer lies on top: Playwright's own click would refuse)."""
    box = locator.bounding_box()
    assert box, "the chart element is not drawn"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def metric_value(page, label: str) -> str:
    """The shown value of the KPI tile whose label is ``label``."""
    tile = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True)).first
    tile.wait_for(timeout=TIMEOUT_MS)
    return tile.get_by_test_id("stMetricValue").inner_text().strip()


_UNITS = {"万": 1e4, "亿": 1e8, "K": 1e3, "M": 1e6, "B": 1e9}


def parse_number(shown: str) -> tuple[float, float]:
    """A shown amount ("¥1,234.5万", "+12.3%", "-4.1 %") as (value, half a unit of its last shown digit)."""
    found = re.search(r"([-−+]?)\s*[¥￥]?\s*([\d,]+(?:\.(\d+))?)\s*(万|亿|K|M|B)?\s*(%)?", shown)
    assert found, f"no number in {shown!r}"
    sign = -1.0 if found.group(1) in ("-", "−") else 1.0
    scale = _UNITS.get(found.group(4) or "", 1.0) * (0.01 if found.group(5) else 1.0)
    decimals = len(found.group(3) or "")
    value = sign * float(found.group(2).replace(",", "")) * scale
    return value, 0.5 * 10.0**-decimals * scale


def subtree_sales(conn, channel: str, region_code: str, start: dt.date, end: dt.date) -> tuple[int, float]:
    """Independent of the app: accounts of ``channel`` in the region's subtree, and their net sales (quantity ×
    invoice price of goods lines, credit notes netted: docs/METHODS.md §3) ordered between ``start`` and ``end``."""
    path = conn.execute(text("SELECT path FROM region WHERE code = :c"), {"c": region_code}).scalar_one()
    inside = "(r.path = :p OR r.path LIKE :under)"
    params = {"p": path, "under": path + "/%", "ch": channel, "s": start, "e": end}
    accounts = conn.execute(
        text(
            f"SELECT a.account_id FROM account a JOIN region r ON r.region_id = a.region_id WHERE a.tier_code = :ch AND {inside}"
        ),
        params,
    ).scalars()
    lines = pd.read_sql_query(
        text(
            "SELECT ol.qty_cases, ol.invoice_price FROM order_line ol "
            "JOIN order_header oh ON oh.order_id = ol.order_id JOIN account a ON a.account_id = oh.account_id "
            "JOIN region r ON r.region_id = a.region_id JOIN product p ON p.sku_id = ol.sku_id "
            f"WHERE p.is_service = 0 AND a.tier_code = :ch AND {inside} AND oh.order_date BETWEEN :s AND :e"
        ),
        conn,
        params=params,
    )
    return len(list(accounts)), float((lines["qty_cases"] * lines["invoice_price"]).sum())


TIMES = SHOTS / "times.md"


def write_times(section: str, body: str) -> None:
    """Replace the ``section`` (after | before) block of docs/screenshots/review/times.md, keep the rest."""
    start, end = f"<!-- {section} -->", f"<!-- /{section} -->"
    old = TIMES.read_text(encoding="utf-8") if TIMES.is_file() else f"{start}\n{end}\n"
    if start not in old:
        old += f"\n{start}\n{end}\n"
    head, rest = old.split(start, 1)
    _, tail = rest.split(end, 1)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    TIMES.write_text(f"{head}{start}\nMeasured {stamp}.\n\n{body}\n{end}{tail}", encoding="utf-8")
