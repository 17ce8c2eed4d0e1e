"""Browser-measured budgets of issue #17 (Playwright + Debian's chromium, a real ``streamlit run`` server).

    python bench/bench_browser.py bench/.cache/kam_bench_2000x24.db [--markdown]

On a copy of the database (the source is left as it is) and with a fresh, empty Streamlit disk cache (the
server's HOME is a temporary folder), so only what the database stores can help a restarted server:

1. first render, nothing stored: a new server, ``/`` until the Overview settles (computes and stores); then the
   server is left until it is idle (the background precompute, kam_ui.precompute, has stored the month-end views:
   a deployment restarts long after an import);
2. first render after restart: the server stopped and started again, ``/`` again;
3. period change: in that session, the same Overview with another window (``?start=…&end=…``): the twelve months
   to the month end before the data's last month (stored ahead by the background), then nine month ends back
   (beyond the background's plan: the page computes it and its comparison);
4. after an import: once the server is idle, a one-row visit file imported on the Data page (the import stores
   the default view's scorecards; timed click to done), then at once ``/`` in a new tab (the background is
   recomputing the other month-end views of the new data meanwhile);
5. scenario link: a saved scenario's shared link (``/simulator?scenario=ID``) on a restarted server.

Each time is from ``page.goto`` (or the click) to the page being settled (``tests/e2e/measure_ui.py``'s
rule: drawn, unchanged for 1.2 s with no script running; the settling wait is not counted). Server CPU counts
every thread of the server, the background precompute's too when it runs during a row (row 4's render).
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
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from e2e_server import CHROMIUM_ARGS, streamlit_server  # noqa: E402
from measure_ui import _wait_rendered  # noqa: E402

BUDGETS = {"restart": 2.0, "import": 4.0, "period": 1.0, "scenario": 2.0}


def _settled(page, marker: str | None = None, settle_s: float = 1.2) -> float:
    """The moment the page settled (for pages other than the Overview: a text marker, then no change)."""
    if marker is None:
        return _wait_rendered(page, settle_s)
    page.get_by_text(marker).first.wait_for(timeout=300_000)
    last, since = None, time.perf_counter()
    while True:
        state = (page.locator("[data-testid]").count(), page.locator("[data-testid=stStatusWidget]").count())
        now = time.perf_counter()
        if state != last or state[1]:
            last, since = state, now
        elif now - since >= settle_s:
            return since
        page.wait_for_timeout(100)


def server_cpu() -> float:
    """CPU seconds (user + system) the streamlit servers started by this process have used so far: on a shared
    machine the wall clock includes waiting for a core, the server's CPU time does not."""
    tick, me, total = os.sysconf("SC_CLK_TCK"), str(os.getpid()), 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            if stat[1] == me and b"streamlit" in Path(f"/proc/{pid}/cmdline").read_bytes():
                total += (int(stat[11]) + int(stat[12])) / tick
        except (OSError, IndexError):
            continue
    return total


class Clock:
    """Wall seconds and server CPU seconds of one step."""

    def __init__(self):
        self.t0, self.c0 = time.perf_counter(), server_cpu()

    def stop(self, end: float | None = None) -> tuple[float, float]:
        return (end or time.perf_counter()) - self.t0, server_cpu() - self.c0


def _timed_goto(browser, url: str, marker: str | None = None) -> tuple[tuple[float, float], object]:
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="en-US")
    clock = Clock()
    page.goto(url)
    return clock.stop(_settled(page, marker)), page


def _quiet(idle_s: float = 3.0, limit_s: float = 900.0) -> float:
    """Wait until the server uses no CPU (< 0.1 s over ``idle_s``): the background precompute
    (kam_ui.precompute) has stored its views, so the next row measures that row's work alone. Returns the wait."""
    t0 = time.perf_counter()
    last = server_cpu()
    while time.perf_counter() - t0 < limit_s:
        time.sleep(idle_s)
        now = server_cpu()
        if now - last < 0.1:
            break
        last = now
    return time.perf_counter() - t0


def _months_back(last, months: int) -> dict:
    """The twelve-month window ending on the month end ``months`` before ``last`` (a month end), as URL dates."""
    import pandas as pd

    end = (pd.Timestamp(last) - pd.offsets.MonthEnd(months)).date()
    start = (pd.Timestamp(end) - pd.DateOffset(months=12) + pd.Timedelta(days=1)).date()
    return {"start": start.isoformat(), "end": end.isoformat()}


def _prepare(db: Path) -> tuple[int, str, dict, dict]:
    """A saved scenario (its run id and name), a one-row visit file, and the period of the default view."""
    import pandas as pd
    from sqlalchemy import func, select

    from kam_core.db import ensure_schema, get_engine
    from kam_core.db.schema import order_header, visit
    from kam_core.sim.scenario import load_scenario, run_scenario, save_scenario

    engine = get_engine(f"sqlite:///{db}")
    ensure_schema(engine)
    with engine.connect() as conn:
        row = dict(conn.execute(select(visit).limit(1)).mappings().first())
        last = conn.execute(select(func.max(order_header.c.order_date))).scalar()
    row.pop("visit_id")
    pd.DataFrame([row]).to_csv(db.parent / "visit.csv", index=False)
    scenario = load_scenario(ROOT / "data" / "scenarios" / "summer_push.json")
    run_id = save_scenario(engine, scenario, run_scenario(engine, scenario), "bench@local")
    engine.dispose()
    # one month back: stored ahead by the background (kam_core.queries.precompute plans the default window and
    # the six month ends before it); nine months back: beyond that plan, so the page computes it
    return run_id, scenario.name, _months_back(last, 1), _months_back(last, 9)


def _import_one_row(page, base: str, csv: Path) -> float:
    page.goto(f"{base}/data?lang=en")
    _settled(page, "What are you importing?")
    page.get_by_text("One data table", exact=True).click()  # the ERP invoice lines are the default kind
    box = page.locator("[data-testid=stSelectbox]").filter(has_text="Target table").first
    _settled(page, "Target table")  # a choice made during the radio's rerun is lost when the rerun ends
    for _ in range(3):
        box.click()
        page.keyboard.type("Visits")  # the list is virtualised: filter it, then take the exact label
        page.get_by_role("option", name="Visits", exact=True).click()
        _settled(page, "Target table")  # the rerun of the choice is over: an upload during it can be dropped
        if box.filter(has_text="Visits").count():
            break
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(csv))
    button = page.get_by_role("button", name="Import into Visits")
    button.wait_for(timeout=300_000)
    clock = Clock()
    button.click()
    page.get_by_text("Import finished.").first.wait_for(timeout=300_000)
    return clock.stop(_settled(page, "Import finished."))


class _Rows(list):
    """The measured rows, each also printed at once (a later step failing keeps the earlier figures)."""

    def append(self, row) -> None:
        super().append(row)
        print(f"  … {row[0]}: {row[1][0]:.2f} s wall, {row[1][1]:.2f} s server CPU", file=sys.stderr, flush=True)


def measure(source: Path) -> list[tuple[str, tuple[float, float]]]:
    from playwright.sync_api import sync_playwright

    rows = _Rows()
    with tempfile.TemporaryDirectory(prefix="kam_bench_browser_") as tmp:
        tmp = Path(tmp)
        db = tmp / "kam.db"
        shutil.copyfile(source, db)
        os.environ["HOME"] = str(tmp / "home")  # an empty Streamlit disk cache for the servers started below
        run_id, name, stored, far = _prepare(db)
        url = f"sqlite:///{db}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            with streamlit_server(url) as (base, _):
                rows.append(("first render, nothing stored", _timed_goto(browser, f"{base}/?lang=en")[0]))
                # a deployment restarts long after an import: by then the background has stored its views
                print(f"  (waited {_quiet():.0f} s for the background precompute)", file=sys.stderr, flush=True)
            with streamlit_server(url) as (base, _):
                took, page = _timed_goto(browser, f"{base}/?lang=en")
                rows.append(("first render after restart", took))
                clock = Clock()
                page.goto(f"{base}/?lang=en&start={stored['start']}&end={stored['end']}")
                rows.append(("period change (one month back, stored ahead)", clock.stop(_settled(page))))
                clock = Clock()
                page.goto(f"{base}/?lang=en&start={far['start']}&end={far['end']}")
                rows.append(("period change (nine months back, not stored: computed)", clock.stop(_settled(page))))
                print(f"  (waited {_quiet():.0f} s for the server to be idle)", file=sys.stderr, flush=True)
                rows.append(
                    (
                        "import of one row (click to done, stores the default view)",
                        _import_one_row(page, base, db.parent / "visit.csv"),
                    )
                )
                rows.append(("first render after an import", _timed_goto(browser, f"{base}/?lang=en")[0]))
                print(f"  (waited {_quiet():.0f} s for the background precompute)", file=sys.stderr, flush=True)
            with streamlit_server(url) as (base, _):
                took, _ = _timed_goto(browser, f"{base}/simulator?lang=en&scenario={run_id}", marker=name)
                rows.append(("scenario link after restart", took))
            browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path, help="a SQLite database with data (it is copied, not changed)")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    from run import python_speed  # bench/run.py's reference loop: tables of different days compare by it

    t0, speed = time.perf_counter(), python_speed()
    print(f"Python reference loop (10⁷ additions, best of 3) at the start: {speed:.2f} s", flush=True)
    rows = measure(args.db)
    for what, (wall, cpu) in rows:
        line = (
            f"| {what} | {wall:.2f} | {cpu:.2f} |" if args.markdown else f"{what:62s} {wall:6.2f} s  {cpu:6.2f} s CPU"
        )
        print(line, flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}; Python reference loop at the end: {python_speed():.2f} s")
    print(f"(all: {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
