"""Reading CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX files as text.

Every cell is read as a string ("" for an empty cell) so that validation can report the value
exactly as the user typed it; parsing into dates and numbers happens per column afterwards.
Row labels are positions: data row ``i`` (0-based) is spreadsheet row ``i + 2``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kam_core.errors import UserError

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
ENCODINGS = ("utf-8-sig", "gb18030")  # gb18030 is a superset of GBK and GB2312
ENCODING_NAMES = "UTF-8 (with or without BOM), GB18030/GBK"
_BLOCK = 1 << 20


@dataclass(frozen=True)
class RawTable:
    """A whole file read as text: ``frame`` has one str column per header cell."""

    path: Path
    frame: pd.DataFrame
    encoding: str | None  # None for XLSX
    sheet: str | None = None


def file_kind(path: Path) -> str:
    """``'csv'`` or ``'xlsx'`` from the file name; a UserError for anything else or a missing file."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix == ".xls":
        raise UserError(f"{path.name}: old Excel .xls files are not supported; save it as .xlsx or CSV")
    raise UserError(f"{path.name}: unknown file type {suffix or '(no extension)'!r}; expected .csv or .xlsx")


def detect_encoding(path: Path) -> str:
    """The first of UTF-8 (BOM optional) and GB18030 that decodes the whole file strictly."""
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            with open(path, "rb") as fh:
                while block := fh.read(_BLOCK):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise UserError(f"{Path(path).name}: cannot read the text; tried {ENCODING_NAMES}. "
                    "Save the file as CSV UTF-8 and try again")


def _sniff_separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] > counts[","] else ","


def check_header(path: Path, header: list[str]) -> list[str]:
    """Strip header cells and refuse empty, unnamed, duplicated or data-like headers."""
    name = Path(path).name
    cells = [str(c).strip() for c in header]
    while cells and not cells[-1]:
        cells.pop()
    if not cells:
        raise UserError(f"{name}: the file is empty (no header row)")
    blank = [i + 1 for i, c in enumerate(cells) if not c]
    if blank:
        raise UserError(f"{name}: header row 1 has no column name in column(s) {blank}")
    dupes = sorted({c for c in cells if cells.count(c) > 1})
    if dupes:
        raise UserError(f"{name}: duplicated column name(s) in the header: {', '.join(dupes)}")
    if all(_looks_like_data(c) for c in cells):
        raise UserError(f"{name}: the first row looks like data ({', '.join(cells[:4])}), "
                        "not column names; add a header row")
    return cells


def _looks_like_data(cell: str) -> bool:
    text = cell.replace(",", "").replace("/", "").replace("-", "").replace(".", "").replace(":", "")
    return text.strip().isdigit()


def _csv_header(path: Path, encoding: str) -> tuple[list[str], str]:
    with open(path, encoding=encoding, newline="") as fh:
        first = fh.readline()
        if not first.strip():
            raise UserError(f"{Path(path).name}: the file is empty (no header row)")
        sep = _sniff_separator(first)
        fh.seek(0)
        header = next(csv.reader(fh, delimiter=sep), [])
    return check_header(path, header), sep


def _csv_chunks(path: Path, chunksize: int | None) -> tuple[list[str], Iterator[pd.DataFrame], str]:
    encoding = detect_encoding(path)
    header, sep = _csv_header(path, encoding)
    width = len(header)

    def frames() -> Iterator[pd.DataFrame]:  # opens the file only when iterated
        try:
            with pd.read_csv(path, encoding=encoding, sep=sep, dtype=str, na_filter=False,
                             skip_blank_lines=False, header=0, names=header, usecols=range(width),
                             chunksize=chunksize or 1_000_000, engine="c") as reader:
                for chunk in reader:
                    if len(chunk):  # a header-only file gives one empty chunk: no lines at all
                        yield chunk.fillna("")
        except (ValueError, pd.errors.ParserError) as exc:
            raise UserError(f"{Path(path).name}: cannot read as CSV: {exc}") from None

    return header, frames(), encoding


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xlsx_rows(path: Path, sheet: str | None):
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise UserError(f"{Path(path).name}: not a readable .xlsx workbook ({exc})") from None
    name = sheet if sheet in wb.sheetnames else wb.sheetnames[0]
    return wb, name, wb[name].iter_rows(values_only=True)


def _xlsx_chunks(path: Path, chunksize: int | None, sheet: str | None):
    wb, name, rows = _xlsx_rows(path, sheet)
    first = next(rows, None)
    if first is None:
        wb.close()
        raise UserError(f"{Path(path).name}: sheet {name!r} is empty (no header row)")
    header = check_header(path, [_cell_text(v) for v in first])
    width, size = len(header), chunksize or 1_000_000

    def frames() -> Iterator[pd.DataFrame]:
        start, batch = 0, []
        try:
            for row in rows:
                cells = [_cell_text(v) for v in row[:width]]
                batch.append(cells + [""] * (width - len(cells)))
                if len(batch) == size:
                    yield _frame(batch, header, start)
                    start, batch = start + size, []
            if batch:
                yield _frame(batch, header, start)
        finally:
            wb.close()

    return header, frames(), name


def _frame(rows: list[list[str]], header: list[str], start: int) -> pd.DataFrame:
    index = pd.RangeIndex(start, start + len(rows))
    return pd.DataFrame(rows, columns=header, index=index, dtype=str)


def iter_chunks(path: Path, chunksize: int | None = None, sheet: str | None = None
                ) -> tuple[list[str], Iterator[pd.DataFrame], str | None]:
    """Header, an iterator of text frames (index = 0-based data row, continuing across chunks), encoding.

    Raises
    ------
    UserError
        Missing file, unknown type, undecodable text, empty file, bad or duplicated header.
    """
    path = Path(path)
    if file_kind(path) == "csv":
        return _csv_chunks(path, chunksize)
    header, frames, _ = _xlsx_chunks(path, chunksize, sheet)
    return header, frames, None


def read_table_file(path: Path, sheet: str | None = None) -> RawTable:
    """Read a whole CSV/XLSX file as text (XLSX: the sheet named ``sheet`` if present, else the first)."""
    path = Path(path)
    if file_kind(path) == "csv":
        header, frames, encoding = _csv_chunks(path, None)
        used_sheet = None
    else:
        header, frames, used_sheet = _xlsx_chunks(path, None, sheet)
        encoding = None
    parts = list(frames)
    frame = pd.concat(parts) if parts else pd.DataFrame({c: pd.Series([], dtype=str) for c in header})
    return RawTable(path, frame, encoding, used_sheet)


def blank_rows(frame: pd.DataFrame) -> pd.Series:
    """True for rows whose every cell is empty or whitespace (skipped, but they keep their row number)."""
    if frame.empty:
        return pd.Series(False, index=frame.index)
    return frame.apply(lambda col: col.str.strip() == "").all(axis=1)
