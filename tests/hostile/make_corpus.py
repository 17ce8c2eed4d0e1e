"""Build the hostile import corpus in ``tests/hostile/corpus/`` and its ``MANIFEST.toml``.

Every file is malformed or malicious in one way (wrong encoding, broken or fake XLSX, zip bomb,
bad header, bad cells, formula injection, huge numbers, very wide or very long input ...). The
manifest says, per file, which import path takes it (``table`` with ``--table NAME`` or ``erp``
with ``--map ...``) and what must happen: ``refused`` with a substring the message must contain,
or ``imported`` with the number of rows the target table gains (and, for some, cell texts that
must come back exactly, e.g. formula-like text stored as text).

The output is deterministic (fixed content, fixed zip timestamps), so re-running gives the same
bytes. Regenerate after changing this script with::

    python -m tests.hostile.make_corpus          # from the repository root

and commit ``tests/hostile/corpus/``. The whole corpus stays under 3 MB (the zip bomb is a
~0.3 MB file that inflates to ~300 MB).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile
from pathlib import Path

from openpyxl import Workbook

CORPUS = Path(__file__).resolve().parent / "corpus"
STAMP = (2026, 1, 1, 0, 0, 0)

ACC_HEAD = "account_id,name,tier_code,region_id,owner_rep_id"
ERP_MAP = (
    "invoice=单据号,date=日期,account_id=客户编码,account_name=客户名称,channel=渠道,"
    "sku=物料编码,product_name=物料名称,quantity=数量,unit_price=单价,unit_cost=成本"
)
ERP_HEAD = "单据号,日期,客户编码,客户名称,渠道,物料编码,物料名称,数量,单价,成本"
FORMULAS = ["=CMD|' /C calc'!A0", "+1+2", "-3+4", "@SUM(A1:A2)", '=HYPERLINK("http://evil.example","x")', "\t=1+1"]
HOSTILE_TEXT = [
    "'; DROP TABLE account; --",
    "<script>alert(1)</script>",
    "R01' OR '1'='1",
    '"quoted" name',
    "Robert'); DELETE FROM sales_rep;--",
]
NON_ASCII = [
    "杭州西湖酒水一批",
    "Ünïcödé Brauerei",
    "🍺 啤酒屋",
    "مخزن الشراب",
    "e\u0301\u0301 combining",
    "zero\u200bwidth",
]

ENTRIES: list[dict] = []


def _write(name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = CORPUS / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def table(
    name: str,
    data,
    table_name: str = "account",
    *,
    refused: str | None = None,
    rows: int | None = None,
    texts: dict | None = None,
    encoding: str = "utf-8",
    note: str = "",
) -> None:
    """A file for ``import FILE --table table_name`` (data written unless None: already written)."""
    if data is not None:
        _write(name, data, encoding)
    ENTRIES.append(_entry(name, "table", table_name, refused, rows, texts, note))


def erp(
    name: str,
    data,
    *,
    refused: str | None = None,
    rows: int | None = None,
    texts: dict | None = None,
    encoding: str = "utf-8",
    mapping: str = ERP_MAP,
    note: str = "",
) -> None:
    """A file for ``import-transactions FILE --map mapping`` (rows = order lines added)."""
    if data is not None:
        _write(name, data, encoding)
    entry = _entry(name, "erp", "order_line", refused, rows, texts, note)
    entry["map"] = mapping
    ENTRIES.append(entry)


def _entry(name, path, target, refused, rows, texts, note) -> dict:
    assert (refused is None) != (rows is None), name
    entry = {"file": name, "path": path, "table": target, "note": note}
    if refused is not None:
        entry.update(expect="refused", message=refused)
    else:
        entry.update(expect="imported", rows=rows)
    if texts:
        entry["texts"] = texts
    return entry


def csv_text(*lines: str, end: str = "\n") -> str:
    return end.join(lines) + end


def accounts(names: list[str], start: int = 1) -> list[str]:
    return [f"A{start + i:03d},{_quote(n)},DIST,R01,REP1" for i, n in enumerate(names)]


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n\r') else text


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression, compresslevel=9) as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name, STAMP), data, compress_type=compression)
    return buf.getvalue()


def xlsx_bytes(rows: list[list], sheet: str = "Sheet1", strings: bool = False) -> bytes:
    """A real workbook via openpyxl, re-zipped with fixed timestamps (deterministic bytes).

    ``strings``: every str cell is a string cell even when it starts with ``=`` (no formula).
    """
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    if strings:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type == "f":
                    cell.data_type = "s"
    wb.properties.created = wb.properties.modified = dt.datetime(2026, 1, 1)
    raw = io.BytesIO()
    wb.save(raw)
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    parts["docProps/core.xml"] = re.sub(
        rb"<dcterms:modified([^>]*)>[^<]*<", rb"<dcterms:modified\1>2026-01-01T00:00:00Z<", parts["docProps/core.xml"]
    )  # openpyxl stamps the save time
    return _zip(parts)


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def _bomb(target_mb: int) -> bytes:
    """A valid workbook whose sheet XML inflates to ``target_mb`` MB of identical rows."""
    base = xlsx_bytes([["account_id", "name", "tier_code"], ["A001", "x", "DIST"]], sheet="account")
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    row = (
        b'<row><c t="inlineStr"><is><t>A001</t></is></c><c t="inlineStr"><is><t>x</t></is></c>'
        b'<c t="inlineStr"><is><t>DIST</t></is></c></row>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                zf.writestr(zipfile.ZipInfo(name, STAMP), data)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", STAMP)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as fh:
            fh.write(SHEET_HEAD)
            fh.write(row * 10_000)  # real rows first, then whitespace (deflate packs long runs ~1000:1)
            block = b" " * (1 << 20)
            for _ in range(target_mb):
                fh.write(block)
            fh.write(SHEET_TAIL)
    return buf.getvalue()


def _forged_size(data: bytes, member: str, claimed: int) -> bytes:
    """Patch the central directory so ``member`` claims ``claimed`` uncompressed bytes."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", out, pos + 28)[0]
        name = bytes(out[pos + 46 : pos + 46 + name_len]).decode()
        if name == member:
            struct.pack_into("<I", out, pos + 24, claimed)
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


def build() -> list[dict]:
    CORPUS.mkdir(parents=True, exist_ok=True)
    for old in CORPUS.iterdir():
        if old.is_file():
            old.unlink()
    ENTRIES.clear()
    good = accounts(["城东一批商贸", "好又多超市"])

    # --- encodings -------------------------------------------------------------------------
    table(
        "enc_gbk_no_bom.csv",
        csv_text(ACC_HEAD, *good),
        encoding="gbk",
        rows=2,
        texts={"name": ["城东一批商贸", "好又多超市"]},
        note="GBK without BOM is read as GB18030",
    )
    table(
        "enc_utf8_bom.csv",
        "\ufeff" + csv_text(ACC_HEAD, *good),
        rows=2,
        texts={"account_id": ["A001", "A002"]},
        note="UTF-8 with BOM: the BOM is not part of the first column name",
    )
    table(
        "enc_utf16le_bom_tab.txt",
        "\ufeff" + csv_text(ACC_HEAD.replace(",", "\t"), *[g.replace(",", "\t") for g in good]),
        encoding="utf-16-le",
        rows=2,
        texts={"name": ["城东一批商贸", "好又多超市"]},
        note="Excel 'Unicode text': UTF-16 LE with BOM, tab separated",
    )
    table(
        "enc_utf16be_bom.csv",
        "\ufeff" + csv_text(ACC_HEAD, *good),
        encoding="utf-16-be",
        rows=2,
        note="UTF-16 BE with BOM",
    )
    table(
        "enc_utf16le_no_bom.csv",
        csv_text(ACC_HEAD, *good),
        encoding="utf-16-le",
        refused="NUL",
        note="UTF-16 without BOM: every other byte is NUL",
    )
    table(
        "enc_latin1.csv",
        csv_text(ACC_HEAD, "A001,Café Zürich,DIST,R01,REP1"),
        encoding="latin-1",
        refused="line 2",
        note="Latin-1 bytes are neither UTF-8 nor GB18030",
    )
    table(
        "enc_invalid_utf8.csv",
        csv_text(ACC_HEAD, "A001,ok,DIST,R01,REP1").encode() + b"A002,bad\xff\xfe\xff,DIST,R01,REP1\n",
        refused="line 3",
        note="invalid bytes 0xFF 0xFE in the middle of a UTF-8 file",
    )
    table(
        "enc_mixed_utf8_then_gbk.csv",
        csv_text(ACC_HEAD, "A001,城东一批商贸,DIST,R01,REP1").encode() + "A002,好又多超市,KA,R02,REP2\n".encode("gbk"),
        refused="line 3",
        note="UTF-8 lines then a GBK line (two exports pasted together)",
    )
    table(
        "enc_mixed_gbk_then_utf8.csv",
        csv_text(ACC_HEAD, "A001,城东一批商贸,DIST,R01,REP1").encode("gbk")
        + "A002,杭州西湖酒水一批,KA,R02,REP2\n".encode(),
        refused="line 3 has bytes b'\\x80' that are not GBK",
        note="a GBK line then a UTF-8 line that is not valid GBK either",
    )
    table(
        "enc_mixed_gbk_then_utf8_as_gbk.csv",
        csv_text(ACC_HEAD, "A001,城东一批商贸,DIST,R01,REP1").encode("gbk")
        + "A002,杭州西湖酒水,KA,R02,REP2\n".encode(),
        refused="line 3 is UTF-8 Chinese",
        note="a GBK line then a UTF-8 line that also decodes as GB18030: read as GBK it would import mojibake",
    )
    table(
        "enc_nul_in_cell.csv",
        csv_text(ACC_HEAD, "A001,bad\x00name,DIST,R01,REP1"),
        refused="NUL",
        note="a NUL byte in a cell (PostgreSQL cannot store it)",
    )

    # --- XLSX that is not what it says -----------------------------------------------------
    good_xlsx = xlsx_bytes([ACC_HEAD.split(","), *[g.split(",") for g in good]], sheet="account")
    table("xlsx_good_control.xlsx", good_xlsx, rows=2, note="control: a correct workbook")
    table(
        "xlsx_truncated.xlsx",
        good_xlsx[: len(good_xlsx) // 2],
        refused="not a readable .xlsx",
        note="the second half of the zip is missing",
    )
    table("xlsx_is_csv.xlsx", csv_text(ACC_HEAD, *good), refused="CSV", note="a CSV file renamed to .xlsx")
    table(
        "xlsx_is_html.xlsx",
        "<html><body><table><tr><td>account_id</td></tr></table></body></html>\n",
        refused="HTML",
        note="a web report saved as .xlsx (an HTML table)",
    )
    table(
        "xlsx_is_png.xlsx",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        refused="PNG",
        note="an image renamed to .xlsx",
    )
    table(
        "xlsx_zip_not_workbook.xlsx",
        _zip({"hello.txt": b"not a workbook"}),
        refused="not a readable .xlsx",
        note="a zip archive without a workbook inside",
    )
    table(
        "xlsx_zip_bomb.xlsx",
        _bomb(300),
        refused="uncompressed",
        note="sheet XML inflates to ~300 MB from ~0.3 MB on disk",
    )
    table(
        "xlsx_forged_size.xlsx",
        _forged_size(good_xlsx, "xl/worksheets/sheet1.xml", 3_000_000_000),
        refused="uncompressed",
        note="central directory claims a 3 GB sheet",
    )
    table("xlsx_empty_sheet.xlsx", xlsx_bytes([], sheet="account"), refused="empty", note="no cells at all")
    table(
        "xlsx_header_only.xlsx",
        xlsx_bytes([ACC_HEAD.split(",")], sheet="account"),
        rows=0,
        note="header row only: nothing to import, nothing refused",
    )
    table(
        "xlsx_formula_text.xlsx",
        xlsx_bytes(
            [ACC_HEAD.split(","), *[[f"F{i}", f, "DIST", "R01", "REP1"] for i, f in enumerate(FORMULAS)]],
            sheet="account",
            strings=True,
        ),
        rows=len(FORMULAS),
        texts={"name": [f.strip() for f in FORMULAS]},
        note="string cells that look like formulas are stored as text",
    )
    table(
        "xlsx_real_formulas_no_cache.xlsx",
        xlsx_bytes([ACC_HEAD.split(","), ["A001", "=1+1", "DIST", "R01", "REP1"]], sheet="account"),
        refused="name is required",
        note="a real formula never calculated by Excel has no value to import",
    )
    table(
        "xlsx_wide_5000_cols.xlsx",
        xlsx_bytes([[f"c{i}" for i in range(5000)], list(range(5000))]),
        refused="columns",
        note="5,000 columns",
    )
    table(
        "xlsx_mixed_types.xlsx",
        xlsx_bytes(
            [
                ACC_HEAD.split(",") + ["outlets_served", "first_order_date"],
                ["A001", "a", "DIST", "R01", "REP1", 12, 46203],
                ["A002", "b", "DIST", "R01", "REP1", "twelve", "someday"],
            ],
            sheet="account",
        ),
        refused="'twelve'",
        note="text in a number cell and a date cell",
    )

    # --- empty, header problems -------------------------------------------------------------
    table("empty.csv", b"", refused="empty", note="zero bytes")
    table("blank_lines_only.csv", "\n \n\n", refused="empty", note="only blank lines")
    table("header_only.csv", csv_text(ACC_HEAD), rows=0, note="a header and no data")
    table("header_only_crlf.csv", csv_text(ACC_HEAD, end="\r\n"), rows=0)
    table("missing_key_column.csv", csv_text("name,tier_code", "x,DIST"), refused="key column 'account_id'")
    table(
        "missing_required_column.csv",
        csv_text("account_id,tier_code", "A001,DIST"),
        refused="column 'name' is required",
        note="a new row needs every required column",
    )
    table(
        "duplicated_columns.csv",
        csv_text("account_id,name,name,tier_code", "A001,a,b,DIST"),
        refused="duplicated column name(s) in the header: name",
    )
    table(
        "unknown_columns.csv",
        csv_text(ACC_HEAD + ",colour,size", "A001,a,DIST,R01,REP1,red,XL"),
        refused="'colour'",
        note="columns the table does not have",
    )
    table("blank_header_cell.csv", csv_text("account_id,,tier_code", "A001,a,DIST"), refused="no column name")
    table("header_is_data.csv", csv_text("1001,2026-01-01,3.5", "1002,2026-01-02,4"), refused="looks like data")
    table(
        "wide_5000_cols.csv",
        csv_text(",".join(f"c{i}" for i in range(5000)), ",".join("1" * 5000)),
        refused="columns",
        note="5,000 columns",
    )
    table(
        "wide_data_row.csv",
        csv_text(ACC_HEAD, "A001,a,DIST,R01,REP1" + ",x" * 3000),
        refused="row 2 has 3005 cells",
        note="a data row with 3,000 more cells than the header",
    )
    table(
        "wide_later_row.csv",
        csv_text(ACC_HEAD, *good, "A003,c,DIST,R01,REP1" + ",x" * 3000),
        refused="row 4 has 3005 cells",
        note="a later data row with 3,000 more cells than the header",
    )
    table(
        "unquoted_comma_in_name.csv",
        csv_text(ACC_HEAD + ",address,phone", "A001,a,DIST,R01,REP1,,", "A002,b,DIST,R01,REP1,杭州,西湖区,0571-1"),
        refused="row 3 has 8 cells but the header has 7 columns",
        note="an unquoted comma shifts the cells",
    )
    table(
        "trailing_separators.csv",
        csv_text(ACC_HEAD + ",", *[g + "," for g in good]),
        rows=2,
        texts={"owner_rep_id": ["REP1", "REP1"]},
        note="a trailing comma on every line (header too)",
    )
    table(
        "trailing_separator_data_only.csv",
        csv_text(ACC_HEAD, *[g + "," for g in good]),
        rows=2,
        note="a trailing comma on the data lines only",
    )
    table(
        "xlsx_cell_past_header.xlsx",
        xlsx_bytes([ACC_HEAD.split(","), good[0].split(","), [*good[1].split(","), None, "stray"]], sheet="account"),
        refused="row 3 has 7 cells but the header has 5 columns",
        note="a filled cell past the last named column",
    )
    table(
        "xlsx_empty_cells_past_header.xlsx",
        xlsx_bytes([ACC_HEAD.split(","), [*good[0].split(","), None, ""]], sheet="account"),
        rows=1,
    )
    table(
        "short_data_row.csv",
        csv_text(ACC_HEAD, "A001,a,DIST"),
        rows=1,
        note="missing trailing cells are empty cells (region and rep are optional)",
    )
    table(
        "long_header_cell.csv",
        csv_text("account_id," + "h" * 200_000, "A001,x"),
        refused="column",
        note="a 200,000-character column name",
    )

    # --- cells -----------------------------------------------------------------------------
    table(
        "formula_cells.csv",
        csv_text(ACC_HEAD, *accounts(FORMULAS)),
        rows=len(FORMULAS),
        texts={"name": [f.strip() for f in FORMULAS]},
        note="=, +, -, @ prefixes are text, never evaluated",
    )
    table(
        "sql_and_script_text.csv",
        csv_text(ACC_HEAD, *accounts(HOSTILE_TEXT)),
        rows=len(HOSTILE_TEXT),
        texts={"name": HOSTILE_TEXT},
        note="SQL and HTML in values are stored as typed",
    )
    table(
        "sql_in_key.csv",
        csv_text(ACC_HEAD, "A1'; DROP TABLE x;--,a,DIST,R01,REP1"),
        rows=1,
        texts={"account_id": ["A1'; DROP TABLE x;--"]},
        note="SQL text as a key value",
    )
    table(
        "non_ascii_names.csv",
        csv_text(ACC_HEAD, *accounts(NON_ASCII)),
        rows=len(NON_ASCII),
        texts={"name": NON_ASCII},
        note="CJK, emoji, Arabic, combining marks, zero-width space",
    )
    table(
        "long_cell_name.csv",
        csv_text(ACC_HEAD, "A001," + "长" * 50_000 + ",DIST,R01,REP1"),
        refused="at most 128 characters",
        note="a 50,000-character name",
    )
    table(
        "long_cell_note.csv",
        csv_text("account_id,visit_date,visit_type,note", "K001,2026-06-01,order," + "n" * 300_000),
        "visit",
        rows=1,
        note="a 300,000-character note (text column without limit)",
    )
    table(
        "duplicate_keys.csv",
        csv_text(ACC_HEAD, "A001,a,DIST,R01,REP1", "A002,b,DIST,R01,REP1", "A001,c,KA,R02,REP2"),
        refused="already on row 2",
    )
    table("unknown_reference_region.csv", csv_text(ACC_HEAD, "A001,a,DIST,R99,REP1"), refused="'R99'")
    table("unknown_reference_tier.csv", csv_text(ACC_HEAD, "A001,a,BEER,R01,REP1"), refused="'BEER'")
    table(
        "unknown_account_visit.csv",
        csv_text("account_id,visit_date,visit_type", "A999,2026-06-01,order"),
        "visit",
        refused="'A999'",
        note="a visit to an account that does not exist",
    )
    table(
        "self_reference_loop.csv",
        csv_text("account_id,name,tier_code,parent_account_id", "A001,a,DIST,A002", "A002,b,DIST,A001"),
        refused="loop",
    )
    table(
        "value_not_allowed.csv", csv_text(ACC_HEAD + ",status", "A001,a,DIST,R01,REP1,bankrupt"), refused="'bankrupt'"
    )
    table(
        "mixed_types_int.csv",
        csv_text(
            ACC_HEAD + ",outlets_served",
            "A001,a,DIST,R01,REP1,12",
            "A002,b,DIST,R01,REP1,twelve",
            "A003,c,DIST,R01,REP1,3.5",
        ),
        refused="row 3, column 'outlets_served': 'twelve'",
    )
    table(
        "mixed_types_float.csv",
        csv_text("sku_id,name,std_cogs_per_case", "S1,a,21.5", "S2,b,abc", 'S3,c,"1,5"'),
        "product",
        refused="'abc'",
    )
    table(
        "mixed_types_bool.csv",
        csv_text(ACC_HEAD + ",exclusive_agreement", "A001,a,DIST,R01,REP1,maybe"),
        refused="'maybe'",
    )

    # --- dates -----------------------------------------------------------------------------
    date_head = ACC_HEAD + ",first_order_date"
    good_dates = ["2026/1/5", "2026-01-05", "20260105", "46027", "2026年1月5日", "2026.01.05", "2026-01-05 00:00:00"]
    table(
        "dates_accepted_formats.csv",
        csv_text(date_head, *[f"A{i:03d},n,DIST,R01,REP1,{d}" for i, d in enumerate(good_dates)]),
        rows=len(good_dates),
        note="every accepted date format (46027 is the Excel serial of 2026-01-05)",
    )
    for name, value in [
        ("impossible", "2026-13-45"),
        ("feb30", "2026-02-30"),
        ("day_first", "31/12/2026"),
        ("month_first", "12/31/2026"),
        ("text", "next Tuesday"),
        ("serial_huge", "999999"),
        ("year_0", "0000-01-01"),
        ("year_9999", "9999-12-31"),
    ]:
        table(
            f"date_{name}.csv",
            csv_text(date_head, f"A001,n,DIST,R01,REP1,{value}"),
            refused=f"column 'first_order_date': '{value}'",
        )

    # --- numbers ---------------------------------------------------------------------------
    num_head = ACC_HEAD + ",outlets_served,warehouse_capacity_cases"
    table(
        "num_huge_float_ok.csv",
        csv_text(num_head, "A001,n,DIST,R01,REP1,1,1e308"),
        rows=1,
        note="1e308 is a finite float",
    )
    for name, col, value in [
        ("float_overflow", 7, "1e309"),
        ("inf", 7, "inf"),
        ("neg_inf", 7, "-inf"),
        ("nan", 7, "NaN"),
        ("int_20_digits", 6, "99999999999999999999"),
        ("int_1e308", 6, "1e308"),
        ("int_beyond_int32", 6, "3000000000"),
        ("int_fraction", 6, "2.5"),
    ]:
        cells = ["A001", "n", "DIST", "R01", "REP1", "1", "1"]
        cells[col - 1] = value  # column 6 outlets_served (int), 7 warehouse_capacity_cases (float)
        column = "outlets_served" if col == 6 else "warehouse_capacity_cases"
        table(f"num_{name}.csv", csv_text(num_head, ",".join(cells)), refused=f"column {column!r}: {value!r}")
    table(
        "num_negative_zero_and_thousands.csv",
        csv_text(num_head, 'A001,n,DIST,R01,REP1,-0,"1,234.5"', "A002,n,DIST,R01,REP1,0,-0.0"),
        rows=2,
    )

    # --- line ends, quotes, separators -----------------------------------------------------
    table("crlf.csv", csv_text(ACC_HEAD, *good, end="\r\n"), rows=2, texts={"region_id": ["R01", "R01"]})
    table(
        "cr_only.csv",
        csv_text(ACC_HEAD, *good, end="\r"),
        rows=2,
        texts={"owner_rep_id": ["REP1", "REP1"]},
        note="old Mac line ends",
    )
    table(
        "quote_unbalanced.csv",
        csv_text(ACC_HEAD, 'A001,"unclosed name,DIST,R01,REP1', "A002,b,DIST,R01,REP1"),
        refused="EOF inside string",
        note="a quote that never closes swallows the rest of the file",
    )
    table(
        "quote_embedded_newline.csv",
        csv_text(ACC_HEAD, 'A001,"two\nlines",DIST,R01,REP1'),
        rows=1,
        texts={"name": ["two\nlines"]},
        note="a quoted newline is part of the cell",
    )
    table("sep_semicolon.csv", csv_text(ACC_HEAD.replace(",", ";"), *[g.replace(",", ";") for g in good]), rows=2)
    table("sep_tab.tsv", csv_text(ACC_HEAD.replace(",", "\t"), *[g.replace(",", "\t") for g in good]), rows=2)
    table(
        "sep_pipe.csv",
        csv_text(ACC_HEAD.replace(",", "|"), *[g.replace(",", "|") for g in good]),
        refused="a column of table account",
        note="an unsupported separator reads as one unknown column",
    )
    table("bad_extension.json", '{"account_id": "A001"}', refused="unknown file type")
    table("old_excel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), refused=".xls files are not supported")
    table("unknown_table.csv", csv_text(ACC_HEAD, *good), "account; DROP TABLE account", refused="cannot be imported")

    # --- ERP transaction files -------------------------------------------------------------
    def line(
        inv="INV1",
        date="2026-06-30",
        acct="C001",
        name="城东一批",
        ch="一批商",
        sku="SKU1",
        pname="勇闯500ml",
        qty="10",
        price="48",
        cost="30",
    ) -> str:
        return ",".join(_quote(v) for v in (inv, date, acct, name, ch, sku, pname, qty, price, cost))

    erp("erp_clean.csv", csv_text(ERP_HEAD, line(), line(sku="SKU2", qty="5"), line(inv="INV2", acct="C002")), rows=3)
    erp(
        "erp_returns_negative.csv",
        csv_text(ERP_HEAD, line(), line(inv="R1", qty="-4")),
        rows=2,
        note="negative quantities are returns: valid",
    )
    erp("erp_gbk.csv", csv_text(ERP_HEAD, line(), line(inv="INV2")), encoding="gbk", rows=2)
    erp("erp_utf8_bom_crlf.csv", "\ufeff" + csv_text(ERP_HEAD, line(), line(inv="INV2"), end="\r\n"), rows=2)
    erp("erp_semicolon.csv", csv_text(ERP_HEAD.replace(",", ";"), line().replace(",", ";")), rows=1)
    erp(
        "erp_formula_names.csv",
        csv_text(ERP_HEAD, *[line(inv=f"I{i}", acct=f"C{i}", name=f) for i, f in enumerate(FORMULAS)]),
        rows=len(FORMULAS),
        texts={"account.name": [f.strip() for f in FORMULAS]},
        note="new customers named like formulas keep the text",
    )
    erp(
        "erp_sql_script.csv",
        csv_text(ERP_HEAD, *[line(inv=f"I{i}", sku=f"S{i}", pname=t) for i, t in enumerate(HOSTILE_TEXT)]),
        rows=len(HOSTILE_TEXT),
        texts={"product.name": HOSTILE_TEXT},
    )
    erp(
        "erp_non_ascii.csv",
        csv_text(ERP_HEAD, *[line(inv=f"I{i}", acct=f"客户{i}", name=n) for i, n in enumerate(NON_ASCII)]),
        rows=len(NON_ASCII),
        texts={"account.name": NON_ASCII},
    )
    erp("erp_excel_serial_and_thousands.csv", csv_text(ERP_HEAD, line(date="46203", price="1,050.00")), rows=1)
    erp("erp_header_only.csv", csv_text(ERP_HEAD), rows=0)
    erp("erp_empty.csv", b"", refused="empty")
    erp(
        "erp_missing_column.csv",
        csv_text(ERP_HEAD.replace(",数量", ""), "INV1,2026-06-30,C1,a,KA,S1,p,48,30"),
        refused="'数量' (mapped to quantity) is not in the file",
    )
    erp(
        "erp_map_names_absent_column.csv",
        csv_text(ERP_HEAD, line()),
        mapping=ERP_MAP.replace("数量", "Qty"),
        refused="'Qty' (mapped to quantity) is not in the file",
    )
    erp(
        "erp_bad_dates.csv",
        csv_text(ERP_HEAD, line(date="2026-13-45"), line(inv="I2", date="31/12/2026"), line(inv="I3", date="soon")),
        refused="'31/12/2026'",
    )
    erp(
        "erp_huge_numbers.csv",
        csv_text(
            ERP_HEAD,
            line(qty="1e308"),
            line(inv="I2", price="99999999999999999999"),
            line(inv="I3", qty="inf"),
            line(inv="I4", price="NaN"),
        ),
        refused="'1e308'",
        note="absurd quantities and prices are refused, not summed into inf",
    )
    erp("erp_zero_qty.csv", csv_text(ERP_HEAD, line(qty="0")), refused="a quantity other than 0")
    erp("erp_negative_price.csv", csv_text(ERP_HEAD, line(price="-48")), refused="'-48'")
    erp("erp_long_code.csv", csv_text(ERP_HEAD, line(sku="S" * 40)), refused="at most 32 characters")
    erp("erp_unknown_channel.csv", csv_text(ERP_HEAD, line(ch="Mars")), refused="'Mars'")
    erp(
        "erp_duplicate_line.csv",
        csv_text(ERP_HEAD, line(), line()),
        rows=2,
        note="a repeat scan: imported as a purchase and reported as a possible duplicate",
    )
    erp("erp_invoice_two_customers.csv", csv_text(ERP_HEAD, line(), line(acct="C999")), refused="row 2")
    erp("erp_nul.csv", csv_text(ERP_HEAD, line(name="a\x00b")), refused="NUL")
    erp(
        "erp_shifted_line.csv",
        csv_text(ERP_HEAD, line(), "INV2,2026-06-30,C001,城东,一批,一批商,SKU1,p,1,48,30"),
        refused="row 3 has 11 cells",
        note="an unquoted comma in the customer name",
    )
    erp(
        "erp_wide.csv",
        csv_text(ERP_HEAD + "".join(f",x{i}" for i in range(3000)), line() + ",1" * 3000),
        refused="columns",
    )
    erp(
        "erp_quote_unbalanced.csv",
        csv_text(ERP_HEAD, 'INV1,2026-06-30,C001,"broken,KA,SKU1,p,1,48,30', line(inv="I2")),
        refused="EOF inside string",
    )
    erp("erp_duplicated_header.csv", csv_text(ERP_HEAD + ",数量", line() + ",1"), refused="duplicated column")
    erp(
        "erp_xlsx_good.xlsx",
        xlsx_bytes([ERP_HEAD.split(","), line().split(","), line(inv="I2", qty="-1").split(",")]),
        rows=2,
    )
    erp("erp_xlsx_bomb.xlsx", _bomb(300), refused="uncompressed")
    erp("erp_xlsx_is_html.xlsx", "<!DOCTYPE html><html><table><tr><td>单据号</td></tr></table></html>", refused="HTML")
    erp(
        "erp_long_cell.csv",
        csv_text(ERP_HEAD, line(name="名" * 50_000)),
        rows=1,
        note="a 50,000-character customer name is cut to the 128 the column holds",
    )
    (CORPUS / "MANIFEST.toml").write_text(_manifest_toml(ENTRIES), encoding="utf-8")
    return ENTRIES


def _toml_str(value: str) -> str:
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in value) + '"'


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _toml_str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_str(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def _manifest_toml(entries: list[dict]) -> str:
    lines = [
        "# Generated by tests/hostile/make_corpus.py; do not edit by hand.",
        "# expect = refused: the import raises UserError whose message contains `message`, nothing written.",
        "# expect = imported: the target table gains `rows` rows; `texts` cells come back exactly.",
        "",
    ]
    for e in entries:
        lines.append("[[file]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in e.items()]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    built = build()
    size = sum(p.stat().st_size for p in CORPUS.iterdir())
    print(f"{len(built)} files in {CORPUS} ({size / 1e6:.2f} MB)")
