"""The design and methods the code refers to live in the repository, and every section it cites exists.

Docstrings, comments, catalogue texts and tests cite ``docs/METHODS.md §4.3`` and the like; a citation of a
file or section that is not there sends a reader nowhere, so it fails here.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CITATION = re.compile(r"docs/([A-Za-z_]+\.md)(?: ?§ ?(\d+(?:\.\d+)?))?")
HEADING = re.compile(r"^#{2,4} (\d+(?:\.\d+)?)[. ]", re.MULTILINE)


def _tracked_text_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    keep = (".py", ".md", ".toml", ".j2", ".txt")
    return [ROOT / p for p in out.splitlines() if p.endswith(keep) and (ROOT / p).is_file()]


def _sections(doc: Path) -> set[str]:
    return set(HEADING.findall(doc.read_text(encoding="utf-8")))


def _citations() -> list[tuple[str, str, str | None]]:
    found = []
    for path in _tracked_text_files():
        for m in CITATION.finditer(path.read_text(encoding="utf-8", errors="replace")):
            found.append((str(path.relative_to(ROOT)), m.group(1), m.group(2)))
    return found


def test_headings_are_read_as_numbered_sections():
    text = "## 3. Data\n### 3.4 CLV\n#### 5.2.1 x\n"
    assert {"3", "3.4"} <= set(HEADING.findall(text))


def test_the_code_cites_docs_in_the_repository_not_outside_it():
    old_homes = ["/".join(("shared", doc)) for doc in ("DESIGN.md", "METHODS.md")]  # not literal: this file
    outside = [
        str(p.relative_to(ROOT))
        for p in _tracked_text_files()
        if any(home in p.read_text(encoding="utf-8", errors="replace") for home in old_homes)
    ]
    assert outside == []
    assert len(_citations()) > 50  # the code does cite them (a broken pattern would find none)


@pytest.mark.parametrize("doc", ["DESIGN.md", "METHODS.md"])
def test_the_design_and_methods_are_in_docs(doc):
    assert (ROOT / "docs" / doc).is_file()


def test_every_cited_file_and_section_exists():
    sections: dict[str, set[str]] = {}
    missing = []
    for source, doc, section in _citations():
        path = ROOT / "docs" / doc
        if not path.is_file():
            missing.append(f"{source}: docs/{doc} does not exist")
            continue
        if section is None:
            continue
        have = sections.setdefault(doc, _sections(path))
        if section not in have:
            missing.append(f"{source}: docs/{doc} has no section §{section}")
    assert missing == []
