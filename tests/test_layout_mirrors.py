"""The test tree mirrors the packages (docs/DESIGN.md §2): tests/kam_core/<sub>/ tests kam_core/<sub>/."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_folder_under_kam_core_names_a_kam_core_subpackage():
    folders = [p for p in (ROOT / "tests" / "kam_core").iterdir() if p.is_dir() and p.name != "__pycache__"]
    assert folders, "tests/kam_core has subfolders"
    orphans = [p.name for p in folders if not (ROOT / "kam_core" / p.name / "__init__.py").is_file()]
    assert orphans == []


def test_top_level_core_tests_name_a_top_level_core_module():
    """tests/kam_core/test_cli_io.py tests kam_core/cli.py; a subpackage's tests live in its folder."""
    modules = {p.stem for p in (ROOT / "kam_core").glob("*.py")}
    misplaced = []
    for test in (ROOT / "tests" / "kam_core").glob("test_*.py"):
        name = test.stem.removeprefix("test_")
        if not any(name == m or name.startswith(m + "_") for m in modules):
            misplaced.append(test.name)
    assert misplaced == []
