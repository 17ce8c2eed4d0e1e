"""The whole review meeting in one browser flow (#15 "Done when"), in Chinese (the filter step also in English).

A director on a real ``streamlit run`` server over a copy of the small demo brewer: picks 一批商 by name, a top
region by name, reads the same-period-last-year change, clicks a quadrant point into an account card and a
pyramid tier into the filter, edits that card from two sessions (merged, then a real conflict settled with
"Save mine"), and imports an ERP file with a bad line on the Data page. Every shown figure is checked against
SQL on the test database; every step is timed (action → settled) and photographed into docs/screenshots/review/
(``pytest -s`` prints the times; docs/screenshots/review/times.md keeps them).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass

import pandas as pd
import pytest
from e2e_server import streamlit_server
from review_flow_steps import (
    TIMEOUT_MS,
    VIEWPORT,
    Clock,
    centre,
    metric_value,
    parse_number,
    pick,
    picker,
    query,
    settle,
    shoot,
    subtree_sales,
    write_times,
)
from sqlalchemy import create_engine, func, select, text
from test_browser import browser  # noqa: F401 - fixture

from kam_core.db.schema import account, order_header, order_line
from kam_core.i18n import label, t, tn
from kam_core.i18n.markup import shown_text
from kam_core.io.erp_lines import FIELDS

pytestmark = pytest.mark.e2e
REGION = "R01"


@pytest.fixture(scope="module")
def flow_db(demo_engine, tmp_path_factory):
    """A private copy of the demo database: this flow writes (card edits, an ERP import)."""
    path = tmp_path_factory.mktemp("review_flow") / "kam.db"
    shutil.copy(demo_engine.url.database, path)
    engine = create_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@dataclass(frozen=True)
class Period:
    """The view's window (the last twelve months of data, as the app's default) and the same window a year back
    (docs/methods_comparisons.md §1), both written into the link so the flow does not depend on the default."""

    start: dt.date
    end: dt.date

    @property
    def last_year(self) -> tuple[dt.date, dt.date]:
        shift = pd.DateOffset(years=1)
        return (pd.Timestamp(self.start) - shift).date(), (pd.Timestamp(self.end) - shift).date()

    @property
    def link(self) -> str:
        return f"start={self.start}&end={self.end}"


@pytest.fixture(scope="module")
def period(flow_db) -> Period:
    with flow_db.connect() as conn:
        last = pd.Timestamp(conn.execute(select(func.max(order_header.c.order_date))).scalar_one())
    return Period((last - pd.DateOffset(months=12) + pd.Timedelta(days=1)).date(), last.date())


@pytest.fixture(scope="module")
def server(flow_db):
    with streamlit_server(flow_db.url.render_as_string(hide_password=False), timeout=180) as (base, _):
        yield base


def _matching(page, lang: str) -> tuple[int, int]:
    pattern = re.compile(
        r"符合筛选的客户：(\d+) / (\d+)" if lang == "zh" else r"Accounts matching the filters: (\d+) of (\d+)"
    )
    caption = page.get_by_text(pattern).first
    caption.wait_for(timeout=TIMEOUT_MS)
    found = pattern.search(caption.inner_text())
    return int(found.group(1)), int(found.group(2))


def step_channel(page, server, period: Period, clock: Clock, lang: str) -> int:
    """1. Overview: type the channel's name into the picker → the link says channel=DIST, the count follows."""
    started = clock.start()
    page.goto(f"{server}/?lang={lang}&{period.link}", timeout=TIMEOUT_MS)
    everyone, total = _matching(page, lang)
    assert everyone == total
    clock.stop(page, "overview opened", lang, started)
    started = clock.start()
    pick(page, t("filters.channel", lang), t("channel.DIST", lang))
    page.wait_for_url(re.compile(r"channel=DIST"), timeout=TIMEOUT_MS)
    page.wait_for_function(
        "n => !document.body.innerText.includes(n)",
        arg=f"{everyone} / {total}" if lang == "zh" else f"{everyone} of {total}",
    )
    clock.stop(page, "1 channel by name", lang, started)
    assert query(page)["channel"] == ["DIST"]
    chips = picker(page, t("filters.channel", lang)).inner_text()
    assert t("channel.DIST", lang) in chips and "DIST" not in chips.replace("Distributors", "")
    n, _ = _matching(page, lang)
    shoot(page, f"after_1_channel_{lang}")
    return n


def step_region(page, conn, period: Period, clock: Clock, n_channel: int) -> None:
    """2. Region tree: a top region by name → region=R01, the caption counts its sub-regions, the figures are
    the sums over its whole subtree."""
    name = conn.execute(text("SELECT name_zh FROM region WHERE code = :c"), {"c": REGION}).scalar_one()
    path = conn.execute(text("SELECT path FROM region WHERE code = :c"), {"c": REGION}).scalar_one()
    below = conn.execute(text("SELECT COUNT(*) FROM region WHERE path LIKE :p"), {"p": path + "/%"}).scalar_one()
    started = clock.start()
    pick(page, t("filters.region", "zh"), name)
    page.wait_for_url(re.compile(rf"region={REGION}(&|$)"), timeout=TIMEOUT_MS)
    page.get_by_text(t("filters.region_below", "zh", n=below), exact=True).first.wait_for(timeout=TIMEOUT_MS)
    clock.stop(page, "2 region by name", "zh", started)
    assert query(page)["region"] == [REGION] and query(page)["channel"] == ["DIST"]
    n_accounts, sales = subtree_sales(conn, "DIST", REGION, period.start, period.end)
    n, _ = _matching(page, "zh")
    assert n == n_accounts and 0 < n < n_channel
    shown, half_unit = parse_number(metric_value(page, t("overview.net_sales", "zh")))
    assert abs(shown - sales) <= half_unit + 0.5, (shown, sales)
    shoot(page, "after_2_region_zh")


def step_yoy(page, server, conn, period: Period, clock: Clock) -> None:
    """3. The review view reopened from its link: the change against the same period last year equals
    now ÷ before − 1 over the same accounts."""
    label = t("yoy.kpi.net_sales_change", "zh", mode=t("yoy.mode.last_year", "zh"))
    started = clock.start()
    page.goto(f"{server}/?lang=zh&{period.link}&channel=DIST&region={REGION}", timeout=TIMEOUT_MS)
    shown = metric_value(page, label)
    clock.stop(page, "3 YoY KPI (link reopened)", "zh", started)
    _, now = subtree_sales(conn, "DIST", REGION, period.start, period.end)
    _, before = subtree_sales(conn, "DIST", REGION, *period.last_year)
    expected = now / before - 1
    value, half_unit = parse_number(shown)
    assert abs(value - expected) <= half_unit + 1e-9, (shown, expected)
    page.get_by_text(label, exact=True).first.scroll_into_view_if_needed()
    shoot(page, "after_3_yoy_zh")


def step_quadrant(page, clock: Clock) -> str:
    """4a. Risk page (the nav keeps the filters): a click on a quadrant point opens that account's card with
    the language and the filters kept in the link."""
    settle(page)  # a nav click while a script runs is the race of tests/e2e/test_browser.py: click when idle
    started = clock.start()
    page.get_by_role("link", name=t("nav.risk", "zh")).first.click()
    page.wait_for_url(re.compile(r"/risk\?"), timeout=TIMEOUT_MS)
    point = page.locator(".js-plotly-plot .scatterlayer .trace path.point").first
    point.wait_for(timeout=TIMEOUT_MS)
    clock.stop(page, "4a risk page (nav)", "zh", started)
    assert query(page)["channel"] == ["DIST"] and query(page)["region"] == [REGION], page.url
    page.mouse.move(*centre(point))
    hover = page.locator(".hoverlayer .hovertext").first
    hover.wait_for(timeout=TIMEOUT_MS)
    account_id = hover.text_content().split()[0]  # the hover says "ID name"
    shoot(page, "after_4a_risk_zh")
    started = clock.start()
    page.mouse.click(*centre(point))
    page.wait_for_url(re.compile(r"/account\?"), timeout=TIMEOUT_MS)
    box = page.get_by_role("textbox", name=t("account.id_label", "zh"))
    page.wait_for_function("([el, v]) => el.value === v", arg=[box.element_handle(), account_id], timeout=TIMEOUT_MS)
    clock.stop(page, "4a quadrant point → card", "zh", started)
    q = query(page)
    assert q["account"] == [account_id] and q["lang"] == ["zh"], page.url
    assert q["channel"] == ["DIST"] and q["region"] == [REGION], page.url
    shoot(page, "after_4a_card_zh")
    return account_id


def step_tier(page, server, period: Period, clock: Clock) -> None:
    """4b. Overview: a click on a pyramid tier sets the sidebar's tier filter (tier=gold in the link)."""
    page.goto(f"{server}/?lang=zh&{period.link}&channel=DIST", timeout=TIMEOUT_MS)
    bars = page.locator(".js-plotly-plot .funnellayer .point")
    bars.first.wait_for(timeout=TIMEOUT_MS)
    settle(page)
    bars.nth(1).scroll_into_view_if_needed()
    started = clock.start()
    page.mouse.click(*centre(bars.nth(1)))  # platinum on top, then gold
    page.wait_for_url(re.compile(r"tier=gold"), timeout=TIMEOUT_MS)
    chips = picker(page, t("filters.tier", "zh"))
    chips.get_by_text(t("pyramid_tier.gold", "zh")).first.wait_for(timeout=TIMEOUT_MS)
    clock.stop(page, "4b pyramid tier → filter", "zh", started)
    assert query(page)["tier"] == ["gold"] and query(page)["channel"] == ["DIST"], page.url
    shoot(page, "after_4b_tier_zh")


def _basic_form(page):
    return page.get_by_test_id("stForm").filter(has_text=t("account.section.edit_basic", "zh")).first


def _version(engine, account_id: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(account.c.version).where(account.c.account_id == account_id)).scalar_one()


def _save_basic(page, clock: Clock, step: str, card: tuple, conflict: bool = False, **fields: str) -> None:
    """Type into the card's basic form and press Save; wait for this save's own outcome (the new version's
    "saved", or the conflict), not a message an earlier save left on the page."""
    engine, account_id = card
    form = _basic_form(page)
    for field, value in fields.items():
        form.get_by_label(t(f"account.field.{field}", "zh"), exact=True).fill(value)
    expected = t("account.edits.conflict_title", "zh") if conflict else None
    expected = expected or shown_text(t("account.saved", "zh", version=_version(engine, account_id) + 1))
    started = clock.start()
    form.locator("button").filter(has_text=t("account.field.save", "zh")).first.click()
    page.get_by_text(expected, exact=True).first.wait_for(timeout=TIMEOUT_MS)
    clock.stop(page, step, "zh", started)


def _open_card(context, server, account_id: str):
    page = context.new_page()
    page.goto(f"{server}/account?account={account_id}&lang=zh", timeout=TIMEOUT_MS)
    _basic_form(page).wait_for(timeout=TIMEOUT_MS)
    settle(page)
    return page


def step_concurrent_edit(browser, server, conn_engine, clock: Clock, account_id: str) -> None:  # noqa: F811
    """5. Two sessions on the same card: different fields merge; the same field is a conflict in words, settled
    with "Save mine"; the database holds both merged fields and B's value."""
    ctx_a = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    ctx_b = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    a, b = _open_card(ctx_a, server, account_id), _open_card(ctx_b, server, account_id)
    card = (conn_engine, account_id)
    _save_basic(a, clock, "5 A saves phone", card, phone="0571-1111")
    _save_basic(b, clock, "5 B saves address (merged)", card, address="杭州市测试路 1 号")
    assert b.get_by_text(t("account.edits.conflict_title", "zh")).count() == 0
    # B's form now shows A's phone: a stale phone left in B's form would go out as B's change with B's next save
    # of any field and overwrite A's without a conflict
    phone = _basic_form(b).get_by_label(t("account.field.phone", "zh"), exact=True)
    assert phone.input_value() == "0571-1111", phone.input_value()
    shoot(b, "after_5_merged_zh")
    _save_basic(a, clock, "5 A saves phone again", card, phone="0571-2222")
    _save_basic(b, clock, "5 B saves phone → conflict", card, conflict=True, phone="0571-3333")
    warning = b.get_by_test_id("stAlert").filter(has_text=t("account.edits.conflict_title", "zh")).first
    said = shown_text(warning.inner_text())
    assert "0571-2222" in said and "0571-3333" in said and t("account.field.phone", "zh") in said, said
    shoot(b, "after_5_conflict_zh")
    started = clock.start()
    saved = shown_text(t("account.saved", "zh", version=_version(conn_engine, account_id) + 1))
    b.locator("button").filter(has_text=t("account.edits.save_mine", "zh")).first.click()
    b.get_by_text(saved, exact=True).first.wait_for(timeout=TIMEOUT_MS)
    clock.stop(b, "5 B: Save mine", "zh", started)
    shoot(b, "after_5_saved_mine_zh")
    with conn_engine.connect() as conn:
        phone, address = conn.execute(
            select(account.c.phone, account.c.address).where(account.c.account_id == account_id)
        ).one()
    assert (phone, address) == ("0571-3333", "杭州市测试路 1 号")
    ctx_a.close()
    ctx_b.close()


HEADER = "单据号,开票日期,客户编码,客户名称,物料编码,数量,含税单价,备注\n"
GOOD = "E2E-1,2026/6/1,E2E-A1,评审测试客户,E2E-SKU1,10,30.00,\nE2E-1,2026/6/1,E2E-A1,评审测试客户,E2E-SKU2,5,40.00,\n"
BAD = "E2E-2,2026/6/2,,无名,E2E-SKU1,3,30.00,没有客户编码\n"


def _lines(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(order_line)).scalar_one()


def step_erp_import(page, server, engine, clock: Clock, tmp_path) -> None:
    """6. Data page: upload an ERP CSV (Chinese headers, one bad row), check the guessed mapping, keep the valid
    lines, see progress and the result, download the refused line; the database gained the two good lines."""
    csv_path = tmp_path / "erp_六月.csv"
    csv_path.write_text(HEADER + GOOD + BAD, encoding="utf-8")
    before = _lines(engine)
    started = clock.start()
    page.goto(f"{server}/data?lang=zh", timeout=TIMEOUT_MS)
    page.locator("input[type=file]").first.wait_for(state="attached", timeout=TIMEOUT_MS)
    clock.stop(page, "6 data page opened", "zh", started)
    started = clock.start()
    page.locator("input[type=file]").first.set_input_files(str(csv_path))
    run = page.get_by_role("button", name=re.compile(re.escape(t("erp_import.run", "zh"))))
    run.wait_for(timeout=TIMEOUT_MS)
    clock.stop(page, "6 upload → mapping", "zh", started)
    invoice = t("erp_import.field_required", "zh", field=t("erp_field.invoice", "zh"))
    mapped = page.get_by_test_id("stSelectbox").filter(has_text=invoice).first
    assert "单据号" in mapped.inner_text()
    form = shown_text(page.get_by_test_id("stForm").first.inner_text())
    assert all(label("erp_field", f, "zh") in form for f in FIELDS)  # every field by name
    assert not [f for f in FIELDS if re.search(rf"(^|\n){f}\b", form)], form  # never by its code
    keep = page.get_by_role("checkbox", name=t("erp_import.keep_valid", "zh"))
    assert keep.is_checked()
    shoot(page, "after_6_mapping_zh")
    started = clock.start()
    run.click()
    page.get_by_text(t("erp_import.done", "zh"), exact=True).first.wait_for(timeout=TIMEOUT_MS)
    clock.stop(page, "6 import run → result", "zh", started)
    assert page.get_by_test_id("stProgress").filter(has_text=t("erp_import.stage_done", "zh")).count() == 1
    said = shown_text(page.get_by_test_id("stMain").inner_text())
    for sentence in (tn("import_health.item.lines_read", 3, "zh"), tn("import_health.item.lines_imported", 2, "zh")):
        assert sentence in said, said
    assert _lines(engine) == before + 2  # exactly the two good lines, not the bad one
    shoot(page, "after_6_result_zh")
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        page.get_by_role("button", name=re.compile(re.escape(t("erp_import.rejects_download", "zh", n=1)))).click()
    rows = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 2 and rows[0].startswith("row,reason,单据号"), rows
    assert rows[1].startswith("4,no customer") and rows[1].endswith(
        "E2E-2,2026/6/2,,无名,E2E-SKU1,3,30.00,没有客户编码"
    ), rows


def test_the_review_meeting_runs_end_to_end_in_the_browser(browser, server, flow_db, period, tmp_path):  # noqa: F811
    clock = Clock()
    en = browser.new_page(viewport=VIEWPORT, locale="en-US")
    step_channel(en, server, period, clock, "en")
    en.close()
    page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
    n_channel = step_channel(page, server, period, clock, "zh")
    with flow_db.connect() as conn:
        step_region(page, conn, period, clock, n_channel)
        step_yoy(page, server, conn, period, clock)
    account_id = step_quadrant(page, clock)
    step_tier(page, server, period, clock)
    step_concurrent_edit(browser, server, flow_db, clock, account_id)
    step_erp_import(page, server, flow_db, clock, tmp_path)
    page.close()
    table = clock.table()
    print("\n" + table)
    write_times("after", table)
