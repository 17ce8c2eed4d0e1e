"""Every table a director reads, on every page but the simulator, in both languages (issue #15.2 and #15.7).

The check looks at what the browser shows: a column's header is its column-config label (the Dataframe
proto's ``columns`` JSON) or, without one, the frame's column name; a hidden column or index is skipped.
A header must not be a raw column name, a cell must not read None/nan/NaT, an unformatted figure must not
carry more than two decimals, and a Chinese table must not show an English code (DIST, KA, diamond,
intrinsic…).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re

import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from kam_core.db.schema import account
from kam_core.i18n import load_catalog, t
from kam_core.vocab import CHANNELS, PYRAMID_TIERS, SIZE_TIERS, VALUE_TYPE_FEATURES, VALUE_TYPES

PAGES = ["overview", "segments", "pyramid", "risk", "promotions", "account", "plan", "data"]
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")  # promo_share, size_tier, basis_value
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # in zh any bare ASCII word is a column name or a code
MISSING_WORDS = {"None", "nan", "NaN", "NaT", "<NA>", "null"}
CODE_WORDS = set(CHANNELS + PYRAMID_TIERS + SIZE_TIERS + VALUE_TYPES + VALUE_TYPE_FEATURES) | {
    "diamond",
    "known",
    "estimated",
    "partial",
    "untyped",
}
CODE_IN_TEXT = re.compile(
    r"(?<![A-Za-z0-9_])(" + "|".join(sorted(map(re.escape, CODE_WORDS), key=len)[::-1]) + ")(?![A-Za-z0-9_])"
)
ZH_WITH_ASCII = re.compile(  # Chinese names that themselves hold an ASCII word (KA卖场, KA 费用): not a code
    "|".join(
        re.escape(entry["zh"])
        for entry in load_catalog().values()
        if re.search(r"[A-Za-z]{2}", entry["zh"]) and "{" not in entry["zh"] and len(entry["zh"]) <= 12
    )
)
CATALOGUE_CODES = {key.rsplit(".", 1)[-1] for key in load_catalog()}  # monthly, visit, semi_monthly…
REGION_CODE = re.compile(r"^R\d{2}([A-Z]\d{2})*$")  # the demo's region codes (R04, R01A01C01)
CJK = re.compile(r"[\u4e00-\u9fff]")
NAME_HEADERS = {t(key, "en") for key in ("col.name", "col.region", "col.owner", "account.field.name")}
NO_ENGLISH = {"phone"}  # the contacts table: a person's name, which the schema holds in Chinese only
FIXED_FORMATS = ("percent", "compact", "dollar", "euro", "yen", "accounting", "%")  # a format that rounds


def _config(element) -> dict:
    raw = element.proto.columns
    return json.loads(raw) if raw else {}


def _shown_columns(element) -> list[tuple[str, pd.Series, dict]]:
    """(header the user reads, cells, the column's config) for every visible column, the index included."""
    frame = element.value
    config = _config(element)
    out = []
    index_conf = config.get("_index", {})
    if not index_conf.get("hidden") and not isinstance(frame.index, pd.RangeIndex):
        name = frame.index.name if frame.index.name is not None else ""
        out.append((index_conf.get("label", name) or "", pd.Series(frame.index, dtype=object), index_conf))
    for col in frame.columns:
        conf = config.get(str(col), {})
        if conf.get("hidden"):
            continue
        out.append((str(conf.get("label", col)), frame[col], conf))
    return out


def _fixed_precision(conf: dict) -> bool:
    fmt = str((conf.get("type_config") or {}).get("format") or "")
    return any(f in fmt for f in FIXED_FORMATS)


def _problems(element, lang: str, where: str) -> list[str]:
    found = []
    for header, cells, conf in _shown_columns(element):
        at = f"{where} column {header!r}"
        if header and (SNAKE.match(header) or (lang == "zh" and IDENTIFIER.match(header))):
            found.append(f"{at}: a raw column name as header")
        for value in cells.tolist()[:200]:
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
                found.append(f"{at}: an empty cell shows as None")
                break
            text = str(value)
            if text in MISSING_WORDS:
                found.append(f"{at}: cell {text!r}")
                break
            if lang == "en" and REGION_CODE.match(text):
                found.append(f"{at}: region code {text!r} instead of its name")
                break
            if (
                lang == "en"
                and header in NAME_HEADERS
                and not NO_ENGLISH & set(element.value.columns)
                and CJK.search(text)
            ):
                found.append(f"{at}: Chinese text {text[:40]!r} in the English view")
                break
            if isinstance(value, float) and not _fixed_precision(conf) and abs(value - round(value, 2)) > 1e-9:
                found.append(f"{at}: unrounded figure {value!r}")
                break
            if isinstance(value, pd.Timestamp) and value == value.normalize():
                found.append(f"{at}: a date shown with 00:00:00 ({value})")
                break
            if lang == "zh" and isinstance(value, str) and not text.startswith(("http", "/")):
                if (re.fullmatch(r"[a-z_]+", text) and text in CATALOGUE_CODES) or REGION_CODE.match(text):
                    found.append(f"{at}: code {text!r} instead of its name")
                    break
                code = CODE_IN_TEXT.search(ZH_WITH_ASCII.sub("", text))
                if code:
                    found.append(f"{at}: English code {code.group(0)!r} in {text[:60]!r}")
                    break
    return found


@pytest.fixture
def app(demo_engine, launcher, monkeypatch):
    monkeypatch.setenv("KAM_DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    return AppTest.from_file(launcher, default_timeout=240)


def _account_with_plan(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(select(account.c.account_id).order_by(account.c.account_id).limit(1)).scalar_one()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_table_is_labelled_and_formatted_in_the_viewers_language(app, demo_engine, page, lang):
    app.query_params["lang"] = lang
    if page == "account":
        app.query_params["account"] = _account_with_plan(demo_engine)
    app.run()
    if page != "overview":
        app.switch_page(f"p/{page}.py").run()
    assert not app.exception, [e.value for e in app.exception]
    tables = list(app.dataframe)
    problems = [p for i, table in enumerate(tables) for p in _problems(table, lang, f"{page}/{lang} table {i}")]
    print(f"{page}/{lang}: {len(tables)} tables")
    assert not problems, "\n".join(problems)


@pytest.fixture
def tiny_with_imports(tmp_path, launcher, monkeypatch):
    """The tiny brewer with one logged import and one user without a display name (the Data page's tables)."""
    from kam_tiny_db import tiny_sqlite_url

    from kam_core.db import get_engine
    from kam_core.db.schema import app_user, import_log

    url = tiny_sqlite_url(tmp_path / "kam.db")
    engine = get_engine(url)
    with engine.begin() as conn:
        conn.execute(
            import_log.insert(),
            {
                "imported_at": dt.datetime(2026, 6, 30, 9, 15),
                "imported_by": "local",
                "file_name": "orders_june.csv",
                "target": "order_line",
                "rows_read": 12,
                "rows_written": 11,
                "rows_skipped": 0,
                "rows_rejected": 1,
            },
        )
        conn.execute(app_user.insert(), {"email": "li@example.com", "role": "manager", "scope_id": "R01"})
    engine.dispose()
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    return AppTest.from_file(launcher, default_timeout=120)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_data_pages_import_log_and_users_are_labelled_too(tiny_with_imports, lang):
    app = tiny_with_imports
    app.query_params["lang"] = lang
    app.run()
    app.switch_page("p/data.py").run()
    assert not app.exception, [e.value for e in app.exception]
    by_first_column = {t("data.col_table", lang): "data_counts", t("imports_table.imported_at", lang): "data_imports"}
    by_first_column["email"] = "admin_users"
    tables = {by_first_column.get(table.value.columns[0], str(i)): table for i, table in enumerate(app.dataframe)}
    assert {"data_counts", "data_imports", "admin_users"} <= set(tables), sorted(tables)
    problems = [p for key, table in tables.items() for p in _problems(table, lang, f"data/{lang} {key}")]
    assert not problems, "\n".join(problems)
    imports = {h: cells.tolist() for h, cells, _ in _shown_columns(tables["data_imports"])}
    assert imports[t("imports_table.target", lang)] == [t("table.order_line", lang)]
    assert imports[t("imports_table.imported_at", lang)][0].endswith(":15")  # local time, minutes kept
    users = {h: cells.tolist() for h, cells, _ in _shown_columns(tables["admin_users"])}
    assert users[t("admin.role", lang)] == [t("role.manager", lang)]
    assert users[t("admin.display_name", lang)] == [t("common.none", lang)]
