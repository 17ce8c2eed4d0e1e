"""The CLI contract of DESIGN.md §4: exit 0 on success, 1 with a readable message, never a traceback."""

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
