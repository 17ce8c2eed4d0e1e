"""Reading CSV (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16 with BOM) and XLSX files as text.

Every cell is read as a string ("" for an empty cell) so that validation can report the value
exactly as the user typed it; parsing into dates and numbers happens per column afterwards.
Row labels are positions: data row ``i`` (0-based) is spreadsheet row ``i + 2``.

Hostile files are refused before they cost memory: NUL bytes (UTF-16 without BOM, binary files),
undecodable bytes (named by line), more than :data:`MAX_COLUMNS` columns, a ".xlsx" that is
really CSV, HTML or an image, zip bombs (see :data:`XLSX_MAX_UNCOMPRESSED`), and rows with
filled cells beyond the header's last column (an unquoted separator shifts a row's cells).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kam_core.errors import UserError

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
ENCODINGS = ("utf-8-sig", "gb18030")  # gb18030 is a superset of GBK and GB2312
ENCODING_NAMES = "UTF-8 (with or without BOM), GB18030/GBK, UTF-16 with BOM"
_BLOCK = 1 << 20
# More columns than any real export has (ERP line exports run to ~200); refused before parsing.
MAX_COLUMNS = 2000
# Zip-bomb guard, checked on the zip directory before openpyxl inflates anything. A 1M-line,
# 10-column ERP export is ~60 MB on disk as XLSX and ~600 MB of sheet XML, compressing ~10:1;
# limits well above that still refuse a bomb (deflate reaches ~1000:1 on repetitive XML).
XLSX_MAX_UNCOMPRESSED = 2_000_000_000  # bytes, all entries together
XLSX_MAX_RATIO = 200  # uncompressed / compressed, per entry larger than XLSX_RATIO_FLOOR
XLSX_RATIO_FLOOR = 10_000_000  # small entries (styles, shared strings of a tiny file) may compress better
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls (OLE) file"),
)


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


def _line_of(path: Path, offset: int) -> int:
    """1-based line number of byte ``offset``."""
    line, done = 1, 0
    with open(path, "rb") as fh:
        while done < offset and (block := fh.read(min(_BLOCK, offset - done))):
            line += block.count(b"\n")
            done += len(block)
    return line


def _utf16(path: Path) -> str | None:
    with open(path, "rb") as fh:
        head = fh.read(2)
    return "utf-16" if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else None


def _nul(name: str, line: int) -> UserError:
    return UserError(
        f"{name}: line {line} contains NUL bytes; the file looks like UTF-16 without a byte-order "
        "mark or like a binary file. Save it as CSV UTF-8 and try again"
    )


def detect_encoding(path: Path) -> str:
    """UTF-16 when the file starts with its BOM, else the first of UTF-8 (BOM optional) and GB18030 that
    decodes the whole file strictly.

    Raises
    ------
    UserError
        Neither decodes (the message names the first line that is not UTF-8), the file starts as UTF-8
        Chinese text and turns into something else (mixed encodings), or it contains NUL bytes.
    """
    name = Path(path).name
    utf16 = _utf16(path)
    bad_utf8 = bad_gbk = None
    for candidate in (utf16,) if utf16 else ENCODINGS:
        decoder = codecs.getincrementaldecoder(candidate)(errors="strict")
        pos = start = lines = 0
        cjk = False
        block = b""
        try:
            with open(path, "rb") as fh:
                while block := fh.read(_BLOCK):
                    start, pos = pos, pos + len(block)
                    if candidate != "utf-16" and (nul := block.find(b"\x00")) >= 0:  # a NUL byte is a NUL here
                        raise _nul(name, lines + block[:nul].count(b"\n") + 1)
                    text = decoder.decode(block)
                    if candidate == "gb18030" and (hit := _utf8_cjk_run(block)) >= 0:
                        line = lines + block[:hit].count(b"\n") + 1
                        raise UserError(
                            f"{name}: mixed text encodings: line {line} is UTF-8 Chinese but the file "
                            "is not UTF-8 throughout (GBK elsewhere?). Save the whole file as CSV UTF-8 "
                            "and try again"
                        )
                    if "\x00" in text:
                        raise _nul(name, lines + text[: text.index("\x00")].count("\n") + 1)
                    lines += text.count("\n")
                    cjk = cjk or _has_cjk(text)
                start = pos
                decoder.decode(b"", final=True)
            return candidate
        except UnicodeDecodeError as exc:
            pending = len(exc.object) - len(block)
            line = _line_of(path, max(start - pending + exc.start, 0))
            if candidate != "utf-8-sig":
                bad_gbk = (line, bytes(exc.object[exc.start : exc.end]))
                continue
            bad_utf8 = (line, bytes(exc.object[exc.start : exc.end]))
            before = bytes(exc.object[: exc.start])
            before = before[: before.rfind(b"\n") + 1]  # whole lines only: a GBK line rarely decodes as UTF-8
            if cjk or _has_cjk(before.decode("utf-8", "ignore")):
                raise UserError(
                    f"{name}: mixed text encodings: the lines before line {line} are UTF-8 Chinese "
                    f"but line {line} is not UTF-8 (bytes {bad_utf8[1]!r}). Save the whole file as "
                    "CSV UTF-8 and try again"
                ) from None
    where = ""
    if bad_utf8 and bad_gbk and bad_utf8[0] == bad_gbk[0]:
        where = f" (line {bad_utf8[0]} has bytes {bad_utf8[1]!r} that are neither UTF-8 nor GBK/GB18030)"
    elif bad_utf8 and bad_gbk:
        where = (
            f" (line {bad_utf8[0]} has bytes {bad_utf8[1]!r} that are not UTF-8, line {bad_gbk[0]} has bytes "
            f"{bad_gbk[1]!r} that are not GBK/GB18030{'; the file mixes encodings' if bad_gbk[0] > bad_utf8[0] else ''})"
        )
    raise UserError(
        f"{name}: cannot read the text{where}; tried {ENCODING_NAMES}. Save the file as CSV UTF-8 and try again"
    )


def _utf8_cjk_run(block: bytes, run: int = 5) -> int:
    """Offset of ``run`` consecutive UTF-8-encoded CJK characters (U+4E00..U+9FFF) in ``block``, else -1.

    GBK text almost never looks like that (random GB2312 text: no run of 4 in 40 million characters), so
    inside a file read as GB18030 it means part of the file is UTF-8 and would turn into mojibake.
    """
    a = np.frombuffer(block, dtype=np.uint8)
    if len(a) < 3 * run:
        return -1
    cont = (a >= 0x80) & (a <= 0xBF)
    lead = (a[:-2] >= 0xE4) & (a[:-2] <= 0xE9) & cont[1:-1] & cont[2:]
    hits = lead[: len(lead) - 3 * (run - 1)].copy()
    for k in range(1, run):
        hits &= lead[3 * k : len(lead) - 3 * (run - 1 - k)]
    found = np.flatnonzero(hits)
    return int(found[0]) if len(found) else -1


_CJK = re.compile("[\u4e00-\u9fff]")


def _has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def _sniff_separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def check_header(path: Path, header: list[str]) -> list[str]:
    """Strip header cells and refuse empty, unnamed, duplicated or data-like headers."""
    name = Path(path).name
    cells = [str(c).strip() for c in header]
    while cells and not cells[-1]:
        cells.pop()
    if not cells:
        raise UserError(f"{name}: the file is empty (no header row)")
    if len(cells) > MAX_COLUMNS:
        raise UserError(
            f"{name}: the header row has {len(cells):,} columns; at most {MAX_COLUMNS:,} columns "
            "are read. Keep only the columns to import"
        )
    blank = [i + 1 for i, c in enumerate(cells) if not c]
    if blank:
        raise UserError(f"{name}: header row 1 has no column name in column(s) {blank}")
    dupes = sorted({c for c in cells if cells.count(c) > 1})
    if dupes:
        raise UserError(f"{name}: duplicated column name(s) in the header: {', '.join(dupes)}")
    if all(_looks_like_data(c) for c in cells):
        raise UserError(
            f"{name}: the first row looks like data ({', '.join(cells[:4])}), not column names; add a header row"
        )
    return cells


def _looks_like_data(cell: str) -> bool:
    text = cell.replace(",", "").replace("/", "").replace("-", "").replace(".", "").replace(":", "")
    return text.strip().isdigit()


def _csv_header(path: Path, encoding: str) -> tuple[list[str], str, int]:
    """Column names, separator, and how many fields pandas must expect (the header's, or the first data
    row's when it carries trailing empty cells)."""
    name = Path(path).name
    with open(path, encoding=encoding, newline="") as fh:
        first = fh.readline()
        if not first.strip():
            raise UserError(f"{name}: the file is empty (no header row)")
        sep = _sniff_separator(first)
        fh.seek(0)
        try:
            reader = csv.reader(fh, delimiter=sep)
            raw = next(reader, [])
        except csv.Error as exc:  # e.g. a cell longer than the csv module's field limit
            raise UserError(f"{name}: cannot read the header row (row 1) as column names: {exc}") from None
        header = check_header(path, raw)
        try:
            row2 = next(reader, [])
        except csv.Error:  # a huge first cell: pandas reads it (it has no field limit)
            row2 = []
    _refuse_extra_cells(name, 2, row2, len(header))
    return header, sep, max(len(raw), len(row2), len(header))


def _refuse_extra_cells(name: str, row: int, cells: list[str], width: int) -> None:
    extra = [c for c in cells[width:] if str(c).strip()]
    if extra:
        raise UserError(
            f"{name}: row {row} has {len(cells)} cells but the header has {width} columns "
            f"(extra cell {_clip(extra[0])!r}); a cell that contains the separator must be quoted"
        )


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _csv_chunks(path: Path, chunksize: int | None) -> tuple[list[str], Iterator[pd.DataFrame], str]:
    encoding = detect_encoding(path)
    header, sep, fields = _csv_header(path, encoding)
    width, name = len(header), Path(path).name
    # Trailing cells past the header (a trailing separator) get placeholder names and must stay empty;
    # a row with even more cells is a tokenizer error that names its row.
    names = header + [f"\x00extra{i}" for i in range(fields - width)]

    def frames() -> Iterator[pd.DataFrame]:  # opens the file only when iterated
        try:
            with pd.read_csv(
                path,
                encoding=encoding,
                sep=sep,
                dtype=str,
                na_filter=False,
                skip_blank_lines=False,
                header=0,
                names=names,
                index_col=False,
                chunksize=chunksize or 1_000_000,
                engine="c",
            ) as reader:
                for chunk in reader:
                    if not len(chunk):  # a header-only file gives one empty chunk: no lines at all
                        continue
                    chunk = chunk.fillna("")
                    if len(names) > width:
                        extra = chunk.iloc[:, width:].apply(lambda col: col.str.strip() != "").any(axis=1)
                        if extra.any():
                            i = extra.to_numpy().nonzero()[0][0]
                            _refuse_extra_cells(name, int(chunk.index[i]) + 2, chunk.iloc[i].tolist(), width)
                        chunk = chunk.iloc[:, :width]
                    yield chunk
        except (ValueError, pd.errors.ParserError) as exc:
            raise UserError(f"{name}: cannot read as CSV: {_parser_message(exc, width)}") from None

    return header, frames(), encoding


def _parser_message(exc: Exception, width: int) -> str:
    """pandas' tokenizer message in spreadsheet rows (its "line" counts records, header = 1)."""
    text = str(exc)
    if m := re.search(r"EOF inside string starting at row (\d+)", text):
        return (
            f"a quote opened on row {int(m.group(1)) + 1} is never closed (EOF inside string); "
            "close it or remove the stray quote character"
        )
    if m := re.search(r"Expected \d+ fields in line (\d+), saw (\d+)", text):
        return (
            f"row {m.group(1)} has {m.group(2)} cells but the header has {width} columns; "
            "a cell that contains the separator must be quoted"
        )
    return text


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


def _not_a_zip(path: Path) -> str:
    """What a file that is not a zip archive looks like, for the message."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta")):
        return "an HTML/XML page (a web report saved with an .xlsx name); open it in Excel and save as .xlsx"
    if not head:
        return "an empty file"
    if head.startswith(b"PK"):
        return "a damaged or truncated zip archive (an incomplete download or copy?)"
    if b"\x00" not in head and (b"," in head or b"\t" in head or b";" in head):
        return "CSV text; rename it to .csv"
    return "binary data, not a spreadsheet"


def check_xlsx_archive(path: Path) -> None:
    """Refuse a .xlsx that is not a zip archive, or whose entries inflate absurdly (a zip bomb).

    Only the zip directory is read (sizes as declared); nothing is decompressed here.
    """
    name = Path(path).name
    if not zipfile.is_zipfile(path):
        raise UserError(
            f"{name}: not a readable .xlsx workbook: the file is not a zip archive, it looks like {_not_a_zip(path)}"
        )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UserError(f"{name}: not a readable .xlsx workbook ({exc})") from None
    total = sum(i.file_size for i in infos)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise UserError(
            f"{name}: refused: the workbook would inflate to {total / 1e6:,.0f} MB uncompressed "
            f"(limit {XLSX_MAX_UNCOMPRESSED / 1e6:,.0f} MB); it looks like a zip bomb. Export it as CSV"
        )
    for info in infos:
        if info.file_size > XLSX_RATIO_FLOOR and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1):
            raise UserError(
                f"{name}: refused: {info.filename} inflates {info.file_size / max(info.compress_size, 1):,.0f} "
                f"times ({info.compress_size:,} bytes compressed, {info.file_size:,} uncompressed; limit "
                f"{XLSX_MAX_RATIO} times); it looks like a zip bomb. Export it as CSV"
            )


def _xlsx_rows(path: Path, sheet: str | None):
    import openpyxl

    check_xlsx_archive(path)
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
        start = 0
        batch: list[list[str]] = []
        try:
            for row in rows:
                if len(row) > width and any(v is not None and str(v).strip() for v in row[width:]):
                    _refuse_extra_cells(Path(path).name, start + len(batch) + 2, [_cell_text(v) for v in row], width)
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


def iter_chunks(
    path: Path, chunksize: int | None = None, sheet: str | None = None
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
