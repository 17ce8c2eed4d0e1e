"""The "before" screenshots of the review meeting (#15): the app as it was when the issue was filed.

    git worktree add /work/wt/e2e15_before c7dadc6
    python tests/e2e/shoot_before.py /work/wt/e2e15_before

Runs that checkout's ``app.py`` (with its own kam_core) on a demo database that checkout builds itself (400 accounts,
24 months, seed 11: the demo of tests/conftest.py; a database of today's schema would be ahead of its migrations), and
goes through the steps of tests/e2e/test_review_meeting_flow.py as far as that app allows, saving
``docs/screenshots/review/before_<step>_<lang>.png`` and the "before" block of times.md. Where the old app has no
such feature (no names in the pickers, no drill-down, no ERP import on the page), it photographs what was there and
the table says so.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from e2e_server import CHROMIUM_ARGS, chromium_path, streamlit_server
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from review_flow_steps import VIEWPORT, centre, settle, shoot, write_times
from sqlalchemy import create_engine

FEATURE_WAIT_MS = 20_000  # how long to look for a feature the old app may not have
CSV = (
    "单据号,开票日期,客户编码,客户名称,物料编码,数量,含税单价,备注\n"
    "E2E-1,2026/6/1,E2E-A1,评审测试客户,E2E-SKU1,10,30.00,\nE2E-1,2026/6/1,E2E-A1,评审测试客户,E2E-SKU2,5,40.00,\n"
    "E2E-2,2026/6/2,,无名,E2E-SKU1,3,30.00,没有客户编码\n"
)


class Run:
    """Times and notes of the before run, one row per view."""

    def __init__(self, base: str, link: str) -> None:
        self.base, self.link, self.rows = base, link, []

    def view(self, page, name: str, path: str, note: str) -> None:
        started = time.perf_counter()
        page.goto(f"{self.base}{path}", timeout=300_000)
        page.locator("[data-testid=stMain]").first.wait_for(timeout=300_000)
        seconds = settle(page) - started
        shoot(page, f"before_{name}")
        self.rows.append((name, f"{seconds:.2f}", note))

    def tried(self, page, name: str, action, note: str) -> None:
        """Try what the new app does (click, type); photograph whatever the old app showed."""
        started = time.perf_counter()
        try:
            action()
        except PlaywrightError as exc:
            note = f"{note} (not possible: {str(exc).splitlines()[0][:80]})"
        seconds = settle(page) - started
        shoot(page, f"before_{name}")
        self.rows.append((name, f"{seconds:.2f}", note))

    def table(self) -> str:
        lines = ["| view | seconds (goto/click → settled) | what the app at c7dadc6 showed |", "|---|---:|---|"]
        return "\n".join(lines + [f"| before_{n} | {s} | {note} |" for n, s, note in self.rows])


def _type_in_picker(page, label: str, typed: str):
    def action():
        box = page.get_by_test_id("stMultiSelect").filter(has=page.get_by_text(label, exact=True)).first
        box.click(timeout=FEATURE_WAIT_MS)
        page.keyboard.type(typed, delay=60)
        page.wait_for_timeout(800)  # the dropdown filters as one types: photograph what it offers

    return action


def _click_chart(page, selector: str, nth: int = 0):
    def action():
        element = page.locator(selector).nth(nth)
        element.wait_for(timeout=FEATURE_WAIT_MS)
        page.mouse.click(*centre(element))

    return action


def _steps_filters(page, run: Run) -> None:
    link = run.link
    for lang, label, name in (("en", "Channel", "Distributors"), ("zh", "渠道", "一批商")):
        run.view(page, f"1_overview_{lang}", f"/?lang={lang}&{link}", f"Overview in {lang}, no filter")
        run.tried(page, f"1_picker_{lang}", _type_in_picker(page, label, name), f"typed {name} in the channel picker")
        run.view(page, f"1_channel_{lang}", f"/?lang={lang}&{link}&channel=DIST", "channel=DIST from the link")
    run.view(page, "2_region_zh", f"/?lang=zh&{link}&channel=DIST&region=R01", "region=R01 from the link")
    run.tried(
        page, "3_yoy_zh", lambda: page.get_by_test_id("stMetric").first.scroll_into_view_if_needed(), "the KPI tiles"
    )


def _steps_drill(page, run: Run) -> None:
    link = run.link
    run.view(page, "4a_risk_zh", f"/risk?lang=zh&{link}&channel=DIST&region=R01", "Risk page, same filters")
    run.tried(
        page,
        "4a_card_zh",
        _click_chart(page, ".js-plotly-plot .scatterlayer .trace path.point"),
        "clicked a quadrant point (the new app opens the account card)",
    )
    run.view(page, "4b_overview_zh", f"/?lang=zh&{link}&channel=DIST", "Overview, channel=DIST")
    run.tried(
        page,
        "4b_tier_zh",
        _click_chart(page, ".js-plotly-plot .funnellayer .point", 1),
        "clicked the pyramid's Gold tier (the new app sets tier=gold)",
    )


def _basic_save(page, field: str, value: str) -> None:
    form = page.get_by_test_id("stForm").first
    form.get_by_label(field, exact=True).fill(value, timeout=FEATURE_WAIT_MS)
    form.locator("button").filter(has_text="保存").first.click(timeout=FEATURE_WAIT_MS)
    settle(page)
    alerts = page.get_by_test_id("stAlert")
    if alerts.count():  # the save's outcome is shown at the top of the card: photograph that, not the form
        alerts.first.scroll_into_view_if_needed()


def _stored(url: str, account_id: str) -> str:
    engine = create_engine(url)
    with engine.connect() as conn:
        phone, address = conn.exec_driver_sql(
            "SELECT phone, address FROM account WHERE account_id = ?", (account_id,)
        ).one()
    engine.dispose()
    return f"stored afterwards: phone {phone}, address {address}"


def _steps_edit(browser, run: Run, account_id: str, url: str) -> None:
    a_ctx, b_ctx = browser.new_context(viewport=VIEWPORT), browser.new_context(viewport=VIEWPORT)
    a, b = a_ctx.new_page(), b_ctx.new_page()
    run.view(a, "5_card_zh", f"/account?account={account_id}&lang=zh", "account card, session A")
    run.view(b, "5_card_b_zh", f"/account?account={account_id}&lang=zh", "account card, session B")
    run.tried(b, "5_merged_zh", lambda: (_basic_save(a, "电话", "0571-1111"), _basic_save(b, "地址", "杭州市测试路 1 号")),
              "A saved the phone 0571-1111, then B the address 杭州市测试路 1 号 (different fields)")  # fmt: skip
    run.rows[-1] = (*run.rows[-1][:2], f"{run.rows[-1][2]}; {_stored(url, account_id)}")
    run.tried(b, "5_conflict_zh", lambda: (_basic_save(a, "电话", "0571-2222"), _basic_save(b, "电话", "0571-3333")),
              "A saved the phone 0571-2222, then B 0571-3333 (the same field)")  # fmt: skip
    run.rows[-1] = (*run.rows[-1][:2], f"{run.rows[-1][2]}; {_stored(url, account_id)}")
    a_ctx.close()
    b_ctx.close()


def _steps_import(page, run: Run) -> None:
    run.view(page, "6_data_zh", "/data?lang=zh", "Data page, import tab")
    path = Path(tempfile.mkdtemp()) / "erp_六月.csv"
    path.write_text(CSV, encoding="utf-8")
    run.tried(
        page,
        "6_upload_zh",
        lambda: page.locator("input[type=file]").first.set_input_files(str(path), timeout=FEATURE_WAIT_MS),
        "uploaded the ERP CSV (Chinese headers, one bad row)",
    )


def _period(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as conn:
        last = pd.Timestamp(conn.exec_driver_sql("SELECT MAX(order_date) FROM order_header").scalar_one())
    engine.dispose()
    start = (last - pd.DateOffset(months=12) + pd.Timedelta(days=1)).date()
    return f"start={start}&end={last.date()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("checkout", type=Path, help="a worktree of the old commit (c7dadc6)")
    parser.add_argument("--account", default=None, help="the account card to edit (default: the first DIST account)")
    args = parser.parse_args()
    db = Path(tempfile.mkdtemp(prefix="kam_before_")) / "demo.db"
    url = f"sqlite:///{db}"
    demo = [sys.executable, "-m", "kam_core", "demo", "--accounts", "400", "--months", "24", "--seed", "11"]
    subprocess.run([*demo, "--db", url], cwd=args.checkout, check=True)
    account_id = args.account or _first_account(url)
    with sync_playwright() as pw, streamlit_server(url, timeout=300, cwd=args.checkout.resolve()) as (base, _):
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        run = Run(base, _period(url))
        page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
        _steps_filters(page, run)
        _steps_drill(page, run)
        _steps_edit(browser, run, account_id, url)
        _steps_import(page, run)
        browser.close()
    print(run.table())
    write_times("before", run.table())


def _first_account(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT a.account_id FROM account a JOIN region r ON r.region_id = a.region_id "
            "WHERE a.tier_code = 'DIST' AND r.path LIKE (SELECT path FROM region WHERE code = 'R01') || '%' "
            "ORDER BY a.account_id LIMIT 1"
        ).scalar_one()
    engine.dispose()
    return str(found)


if __name__ == "__main__":
    main()
