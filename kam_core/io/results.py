"""What an import reports: problems found in a file and the summary of what was written.

A :class:`Problem` names the file, the row as a spreadsheet numbers it (header = row 1, first
data row = 2), the column, the value as it stood in the file and what was expected, so a user
can open the file, go to the cell and fix it.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kam_core.errors import UserError
from kam_core.io.cells import csv_row

SHOWN_PROBLEMS = 100


@dataclass(frozen=True)
class Problem:
    """One bad cell (or a bad header, row 1) in an input file."""

    file: str
    row: int
    column: str
    value: str
    expected: str

    def __str__(self) -> str:
        value = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return f"{self.file}: row {self.row}, column {self.column!r}: {value!r}: expected {self.expected}"


PROBLEM_COLUMNS = ("file", "row", "column", "value", "expected")


def sort_problems(problems: Sequence[Problem]) -> list[Problem]:
    """Problems in the order a user reads the file: by row, then column."""
    return sorted(problems, key=lambda p: (p.row, p.column))


def write_problems_csv(problems: Sequence[Problem], path: Path) -> Path:
    """Write every problem to ``path`` as UTF-8 CSV with a BOM (Excel opens Chinese text correctly)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(PROBLEM_COLUMNS)
        for p in problems:
            writer.writerow(csv_row([p.file, p.row, p.column, p.value, p.expected]))  # the value is user text
    return path


class ImportValidationError(UserError):
    """A file failed validation; nothing was written. ``problems`` lists every bad cell.

    ``str()`` shows the first :data:`SHOWN_PROBLEMS`; when there are more, the full list is
    written as CSV next to the input (``FILE.errors.csv``) and the message says where.
    """

    def __init__(self, file: Path | str, problems: Sequence[Problem], report_path: Path | None = None):
        self.file = Path(file)
        self.problems = sort_problems(problems)
        self.report_path = report_path
        if report_path is None and len(self.problems) > SHOWN_PROBLEMS:
            self.report_path = self._write_report()
        super().__init__(self._message())

    def _write_report(self) -> Path | None:
        target = self.file.with_name(self.file.name + ".errors.csv")
        try:
            return write_problems_csv(self.problems, target)
        except OSError:  # a read-only folder must not hide the real problem
            return None

    def _message(self) -> str:
        rows = len({p.row for p in self.problems})
        head = f"{self.file.name}: {len(self.problems)} problem(s) in {rows} row(s); nothing was imported"
        lines = [head, *(f"  {p}" for p in self.problems[:SHOWN_PROBLEMS])]
        if len(self.problems) > SHOWN_PROBLEMS:
            where = (
                f"the full report is in {self.report_path}"
                if self.report_path
                else "the full report could not be written next to the input"
            )
            lines.append(f"  ... {len(self.problems) - SHOWN_PROBLEMS} more; {where}")
        return "\n".join(lines)


@dataclass(frozen=True)
class ImportResult:
    """What an import did. ``rejected`` and ``notes`` map a reason to a count of lines."""

    file: str
    target: str
    rows_read: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    rejects_file: str | None = None
    details: dict = field(default_factory=dict)  # the data-health record (kam_core.io.import_health)
    notices: list[str] = field(default_factory=list)  # sentences the summary must show (what was assumed)

    @property
    def rows_written(self) -> int:
        return self.inserted + self.updated

    @property
    def rows_rejected(self) -> int:
        return sum(self.rejected.values())

    def summary(self) -> str:
        """A few readable lines for the CLI and the Data page."""
        parts = [f"{self.file}: {self.rows_read} row(s) read into {self.target}: {self.inserted} inserted"]
        if self.updated or self.target != "order_line":
            parts[0] += f", {self.updated} updated"
        if self.unchanged:
            parts[0] += f", {self.unchanged} unchanged"
        if self.skipped:
            parts[0] += f", {self.skipped} already imported (skipped)"
        parts += [f"  created {n} new {what}" for what, n in self.created.items() if n]
        parts += [f"  note: {n} {what}" for what, n in self.notes.items() if n]
        parts += [f"  note: {text}" for text in self.notices]
        if self.rejected:
            parts.append(
                f"  refused {self.rows_rejected} line(s)"
                + (f", written with row number and reason to {self.rejects_file}" if self.rejects_file else "")
            )
            parts += [f"    {n} {reason}" for reason, n in sorted(self.rejected.items(), key=lambda kv: -kv[1])]
        return "\n".join(parts)
