"""The dashboard's download buttons write the same cells as the CLI (kam_core.io.cells): lists as text, formulas safe."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from kam_ui import components


class _Column:
    def __init__(self, files: dict):
        self.files = files

    def download_button(self, label, data, file_name, *args, **kwargs):
        self.files[file_name] = data() if callable(data) else data


class _St:
    def __init__(self):
        self.files: dict[str, bytes] = {}

    def columns(self, n):
        return [_Column(self.files) for _ in range(n)]


def test_downloads_flatten_lists_and_neutralise_formulas_in_csv_and_xlsx(monkeypatch):
    fake = _St()
    monkeypatch.setattr(components, "st", fake)
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x")', "bare\rCR"],
            "reasons": [["a", "b"], {"k": 1}],
            "flag": [True, False],
            "n": [-5.0, float("nan")],
        }
    )
    components.downloads({"view": frame, "other": frame.head(1)}, "risk", key="t")
    assert set(fake.files) == {"risk.csv", "risk.xlsx"}
    back = pd.read_csv(io.BytesIO(fake.files["risk.csv"]), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back.to_dict("list") == {
        "name": ['\'=HYPERLINK("http://x")', "bare\rCR"],
        "reasons": ["a; b", "k: 1"],
        "flag": ["true", "false"],
        "n": ["-5.0", ""],
    }
    wb = openpyxl.load_workbook(io.BytesIO(fake.files["risk.xlsx"]))
    assert wb.sheetnames == ["view", "other"]
    name, reasons = wb["view"]["A2"], wb["view"]["B2"]
    assert (name.value, name.data_type, name.quotePrefix) == ('=HYPERLINK("http://x")', "s", True)
    assert reasons.value == "a; b"
    ws = wb["view"]  # the one writer's dressing: frozen, styled header, fitted widths
    assert ws.freeze_panes == "A2" and ws["A1"].font.b and ws["A1"].alignment.wrap_text
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws.column_dimensions["A"].width >= len('=HYPERLINK("http://x")')
