"""The CLI contract of docs/DESIGN.md §4: exit 0 on success, 1 with a readable message, never a traceback."""

import subprocess
import sys

import pytest

from kam_core.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kam_core", *args], capture_output=True, text=True, timeout=120)


def test_help_lists_every_command_and_exits_zero():
    res = run_cli("--help")
    assert res.returncode == 0
    for command in ("demo", "import", "import-transactions", "accounts", "simulate", "export"):
        assert command in res.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("bogus",),
        ("demo", "--accounts", "many"),
        ("import", "x.csv"),  # --table missing
        ("export", "--what", "account", "--format", "pdf", "--out", "x"),
    ],
    ids=["unknown-command", "non-numeric-option", "missing-required-option", "bad-choice"],
)
def test_usage_errors_exit_one_with_a_message(args):
    res = run_cli(*args)
    assert res.returncode == 1
    assert "error" in res.stderr
    assert "Traceback" not in res.stderr


def test_unreachable_database_is_a_clear_error_not_a_traceback():
    res = run_cli("init", "--db", "postgresql+psycopg://nobody:x@127.0.0.1:1/none")
    assert res.returncode == 1
    assert "Cannot reach the database" in res.stderr
    assert "Traceback" not in res.stderr


def test_malformed_database_url_is_a_clear_error(capsys):
    assert main(["init", "--db", "nosuchdriver://x"]) == 1
    assert "Cannot use database URL" in capsys.readouterr().err


def test_bad_role_is_a_clear_error(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'k.db'}"
    assert main(["export", "--db", db, "--what", "account", "--out", str(tmp_path / "a.csv"), "--as", "king:1"]) == 1
    assert "Unknown role" in capsys.readouterr().err


def test_init_creates_the_schema(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'k.db'}"
    assert main(["init", "--db", db]) == 0
    assert "schema ready" in capsys.readouterr().out


DESIGN_COLUMNS = [
    "account_id",
    "name",
    "channel",
    "region",
    "rep",
    "net_sales",
    "gross_profit",
    "cost_to_serve",
    "net_profit",
    "value_type",
    "value_type_confidence",
    "pyramid_tier",
    "size_tier",
    "abc_class",
    "loyalty_score",
    "high_volume_low_loyalty",
    "diversion_score",
    "diversion_flag",
    "clv",
]


def test_accounts_prints_the_scorecard_contract_as_csv_and_json(demo_engine, capsys):
    import io
    import json

    import pandas as pd

    db = demo_engine.url.render_as_string(hide_password=False)
    assert main(["accounts", "--db", db, "--format", "csv"]) == 0
    df = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str, keep_default_na=False)
    assert list(df.columns[: len(DESIGN_COLUMNS)]) == DESIGN_COLUMNS
    assert set(df["high_volume_low_loyalty"]) <= {"true", "false"}
    assert set(df["diversion_flag"]) <= {"true", "false"}
    assert set(df["pyramid_tier"]) <= {"platinum", "gold", "iron", "lead"}
    assert set(df["size_tier"]) <= {"vip", "major", "ordinary", "small"}
    assert set(df["abc_class"]) <= {"A", "B", "C"}
    assert set(df["value_type"]) - {""} <= {"intrinsic", "extrinsic", "strategic"}

    rep = df["rep"].value_counts().index[0]
    assert main(["accounts", "--db", db, "--format", "json", "--as", f"rep:{rep}"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert 0 < len(rows) < len(df)
    assert {r["rep"] for r in rows} == {rep}
    assert all(isinstance(r["diversion_flag"], bool) for r in rows)
