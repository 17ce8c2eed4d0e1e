"""Hostile import files (issue 7 item 4): every corpus file is refused with a clear message or imported
exactly; never a crash (an exception other than UserError), never a partial write.

The corpus and its expectations (``corpus/MANIFEST.toml``) are built by ``make_corpus.py``.
Each file is imported into a fresh copy of a small SQLite database (tiers, regions, reps and one
account ``K001``) through the same functions the CLI calls; a few go through the CLI itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import tomllib
import traceback
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from kam_core.db import ensure_schema, get_engine
from kam_core.db.schema import account, metadata
from kam_core.errors import UserError
from kam_core.io.imports import import_table
from kam_core.io.transactions import import_transactions, parse_mapping
from tests.hostile.tally import FILES
from tests.kam_core.io.io_helpers import row_counts, seed_reference

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
MANIFEST = tomllib.loads((CORPUS / "MANIFEST.toml").read_text(encoding="utf-8"))["file"]
ROOT = HERE.parents[1]


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    """The small database every import starts from (copied per file)."""
    path = tmp_path_factory.mktemp("hostile") / "template.db"
    engine = get_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    seed_reference(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(account),
            [
                {
                    "account_id": "K001",
                    "name": "已有客户",
                    "tier_code": "DIST",
                    "region_id": "R01",
                    "created_source": "test",
                }
            ],
        )
    engine.dispose()
    return path


@pytest.fixture
def fresh(template_db, tmp_path):
    """A copy of the template database and a working copy of the file (error reports land in tmp)."""
    db = tmp_path / "kam.db"
    shutil.copy(template_db, db)
    engine = get_engine(f"sqlite:///{db}")
    yield engine, tmp_path
    engine.dispose()


def _import(engine, path: Path, entry: dict):
    if entry["path"] == "table":
        return import_table(engine, path, entry["table"])
    return import_transactions(engine, path, parse_mapping(entry["map"]))


def _texts(engine, spec: str, table_name: str) -> list:
    table, _, column = spec.rpartition(".")
    col = metadata.tables[table or table_name].c[column]
    with engine.connect() as conn:
        return sorted(conn.execute(select(col)).scalars(), key=str)


def check_file(engine, tmp: Path, entry: dict, tally: bool = True) -> None:
    """Import one corpus file and assert its manifest expectation (and count it when ``tally``)."""
    count = FILES if tally else Counter()
    path = shutil.copy(CORPUS / entry["file"], tmp / entry["file"])
    before = row_counts(engine)
    count["tried"] += 1
    started = time.perf_counter()
    try:
        result, error = _import(engine, Path(path), entry), None
    except UserError as exc:
        result, error = None, exc
    except Exception:  # noqa: BLE001 - counted, then reported as the failure
        count["crashes"] += 1
        pytest.fail(f"{entry['file']} crashed the importer:\n{traceback.format_exc()}")
    seconds = time.perf_counter() - started
    after = row_counts(engine)
    if error is not None:
        count["refused"] += 1
        assert entry["expect"] == "refused", f"{entry['file']} should import {entry.get('rows')} rows but: {error}"
        assert entry["message"] in str(error), f"{entry['file']}: message lacks {entry['message']!r}:\n{error}"
        assert after == before, f"{entry['file']}: refused but written: " + str(
            {t: (before[t], after[t]) for t in before if before[t] != after[t]}
        )
    else:
        count["imported"] += 1
        assert entry["expect"] == "imported", f"{entry['file']} should be refused ({entry['message']!r}); {result}"
        gained = after[entry["table"]] - before[entry["table"]]
        assert gained == entry["rows"], f"{entry['file']}: {gained} rows written, expected {entry['rows']}"
        for spec, expected in entry.get("texts", {}).items():
            stored = _texts(engine, spec, entry["table"])
            assert all(v in stored for v in expected), f"{entry['file']}: {spec} stored {stored}, expected {expected}"
    assert seconds < 30, f"{entry['file']} took {seconds:.1f}s"


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_hostile_file_is_refused_clearly_or_imported_exactly(fresh, entry):
    engine, tmp = fresh
    check_file(engine, tmp, entry)


# Files whose outcome depends on the engine (NUL, 32-bit INTEGER, text types): also run on PostgreSQL.
ENGINE_SENSITIVE = [
    "enc_nul_in_cell.csv",
    "num_int_beyond_int32.csv",
    "num_huge_float_ok.csv",
    "non_ascii_names.csv",
    "formula_cells.csv",
    "sql_and_script_text.csv",
    "long_cell_note.csv",
    "erp_non_ascii.csv",
    "erp_formula_names.csv",
    "erp_huge_numbers.csv",
    "date_year_9999.csv",
    "xlsx_formula_text.xlsx",
]


@pytest.mark.parametrize("name", ENGINE_SENSITIVE)
def test_engine_sensitive_files_behave_the_same_on_every_engine(db_engine, tmp_path, name):
    seed_reference(db_engine)
    with db_engine.begin() as conn:
        conn.execute(
            insert(account),
            [
                {
                    "account_id": "K001",
                    "name": "已有客户",
                    "tier_code": "DIST",
                    "region_id": "R01",
                    "created_source": "test",
                }
            ],
        )
    check_file(db_engine, tmp_path, next(e for e in MANIFEST if e["file"] == name), tally=False)


def test_corpus_is_complete_small_and_large_enough():
    listed = {e["file"] for e in MANIFEST}
    on_disk = {p.name for p in CORPUS.iterdir()} - {"MANIFEST.toml"}
    assert listed == on_disk, f"not in the manifest: {on_disk - listed}; missing files: {listed - on_disk}"
    assert len(MANIFEST) >= 50
    assert {e["path"] for e in MANIFEST} == {"table", "erp"}
    assert {e["expect"] for e in MANIFEST} == {"refused", "imported"}
    assert sum(p.stat().st_size for p in CORPUS.iterdir()) < 3_000_000


CLI_CASES = ["xlsx_zip_bomb.xlsx", "enc_latin1.csv", "quote_unbalanced.csv", "erp_bad_dates.csv", "xlsx_is_html.xlsx"]


@pytest.mark.parametrize("name", CLI_CASES)
def test_cli_refuses_with_exit_1_and_no_traceback(template_db, tmp_path, name):
    entry = next(e for e in MANIFEST if e["file"] == name)
    db = tmp_path / "kam.db"
    shutil.copy(template_db, db)
    path = shutil.copy(CORPUS / name, tmp_path / name)
    if entry["path"] == "table":
        args = ["import", str(path), "--table", entry["table"]]
    else:
        args = ["import-transactions", str(path), "--map", entry["map"]]
    proc = subprocess.run(
        [sys.executable, "-m", "kam_core", *args, "--db", f"sqlite:///{db}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"PYTHONWARNINGS": "ignore"},
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert entry["message"] in proc.stderr
