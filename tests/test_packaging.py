"""The installable package: entry point, version, package data (the wheel itself is built by .ci/run)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import kam_core
from kam_core.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_kam_command_is_the_cli_main_function():
    assert _pyproject()["project"]["scripts"] == {"kam": "kam_core.cli:main"}


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip().endswith(kam_core.__version__)


def test_every_runtime_requirement_is_a_declared_dependency():
    declared = {
        d.split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip().lower()
        for d in _pyproject()["project"]["dependencies"]
    }
    pinned = {
        line.split("==")[0].split("[")[0].strip().lower()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    # httpx and Authlib come with streamlit[auth]; they are pinned for a repeatable install
    assert pinned - declared == {"httpx", "authlib"}


def test_the_data_files_the_core_reads_are_package_data():
    package_data = _pyproject()["tool"]["setuptools"]["package-data"]
    assert "catalog/*.toml" in package_data["kam_core.i18n"]
    assert list((ROOT / "kam_core" / "i18n" / "catalog").glob("*.toml"))
    assert (ROOT / "kam_core" / "db" / package_data["kam_core.db"][0]).is_file()
