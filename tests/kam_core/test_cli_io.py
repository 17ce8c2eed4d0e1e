"""CLI contract for import, import-transactions and export: exit 0 good, 1 bad input, no traceback."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest

from kam_core.cli import main
from tests.kam_core.io.io_helpers import write_csv

TIERS = "tier_code,name_zh,name_en,level_in_chain\nDIST,一批商,Distributor,1\nKA,KA卖场,KA,2\n"
ERP = (
    "单据号,日期,客户编码,物料编码,数量,单价\n"
    "INV1,2026-06-30,C1,SKU1,10,50\nINV1,2026-06-30,,SKU2,5,60\nINV2,2026-07-01,C2,SKU1,-2,50\n"
)
ERP_MAP = "invoice=单据号,date=日期,account_id=客户编码,sku=物料编码,quantity=数量,unit_price=单价"


def _db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'k.db'}"


def test_import_of_a_good_file_exits_zero_and_prints_a_summary(tmp_path, capsys):
    path = write_csv(tmp_path / "tiers.csv", TIERS, "utf-8-sig")
    assert main(["import", str(path), "--table", "channel_tier", "--db", _db(tmp_path)]) == 0
    assert "2 inserted" in capsys.readouterr().out


def test_import_of_a_bad_file_exits_one_and_names_the_rows(tmp_path, capsys):
    path = write_csv(tmp_path / "tiers.csv", TIERS + "RETAIL,小终端,Retail,x\nONPREM,,On-premise,3\n")
    assert main(["import", str(path), "--table", "channel_tier", "--db", _db(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "row 4, column 'level_in_chain': 'x'" in err and "row 5, column 'name_zh'" in err
    assert not (tmp_path / "tiers.csv.errors.csv").exists()


def test_more_than_100_problems_print_100_and_write_the_full_report(tmp_path, capsys):
    lines = "".join(f"T{i},名{i},N{i},bad{i}\n" for i in range(150))
    path = write_csv(tmp_path / "tiers.csv", "tier_code,name_zh,name_en,level_in_chain\n" + lines)
    assert main(["import", str(path), "--table", "channel_tier", "--db", _db(tmp_path)]) == 1
    err = capsys.readouterr().err
    report = tmp_path / "tiers.csv.errors.csv"
    assert str(report) in err and "50 more" in err
    assert err.count("expected a whole number") == 100
    with open(report, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["file", "row", "column", "value", "expected"]
    assert [int(r[1]) for r in rows[1:]] == list(range(2, 152))


def test_missing_file_and_unknown_table_exit_one(tmp_path, capsys):
    assert main(["import", str(tmp_path / "nope.csv"), "--table", "account", "--db", _db(tmp_path)]) == 1
    assert "not found" in capsys.readouterr().err
    path = write_csv(tmp_path / "t.csv", TIERS)
    assert main(["import", str(path), "--table", "order_line", "--db", _db(tmp_path)]) == 1
    assert "cannot be imported" in capsys.readouterr().err


def test_import_transactions_with_rejects_exits_zero_and_without_exits_one(tmp_path, capsys):
    path = write_csv(tmp_path / "erp.csv", ERP, "gbk")
    assert main(["import-transactions", str(path), "--map", ERP_MAP, "--db", _db(tmp_path)]) == 1
    assert "row 3, column '客户编码'" in capsys.readouterr().err
    rejects = tmp_path / "rejects.csv"
    assert (
        main(["import-transactions", str(path), "--map", ERP_MAP, "--rejects", str(rejects), "--db", _db(tmp_path)])
        == 0
    )
    out = capsys.readouterr().out
    assert "2 inserted" in out and "1 no customer" in out
    assert rejects.read_text(encoding="utf-8-sig").splitlines()[1].startswith("3,")


def test_bad_mapping_exits_one(tmp_path, capsys):
    path = write_csv(tmp_path / "erp.csv", ERP)
    assert main(["import-transactions", str(path), "--map", "invoice", "--db", _db(tmp_path)]) == 1
    assert "malformed" in capsys.readouterr().err
    assert main(["import-transactions", str(path), "--map", "price=单价", "--db", _db(tmp_path)]) == 1
    assert "unknown field" in capsys.readouterr().err


def test_export_exits_zero_and_writes_the_file(tmp_path, capsys):
    write_csv(tmp_path / "tiers.csv", TIERS)
    main(["import", str(tmp_path / "tiers.csv"), "--table", "channel_tier", "--db", _db(tmp_path)])
    out = tmp_path / "tiers.xlsx"
    assert main(["export", "--what", "channel_tier", "--format", "xlsx", "--out", str(out), "--db", _db(tmp_path)]) == 0
    assert "wrote 2 rows" in capsys.readouterr().out and out.stat().st_size > 0
    assert main(["export", "--what", "all", "--format", "csv", "--out", str(out), "--db", _db(tmp_path)]) == 1


def test_user_errors_never_print_a_traceback(tmp_path):
    bad = write_csv(tmp_path / "erp.csv", ERP)
    runs = [
        ["import", str(tmp_path / "missing.csv"), "--table", "account"],
        ["import", str(bad), "--table", "account"],
        ["import-transactions", str(bad), "--map", ERP_MAP],
    ]
    for args in runs:
        res = subprocess.run(
            [sys.executable, "-m", "kam_core", *args, "--db", _db(tmp_path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert res.returncode == 1, args
        assert "Traceback" not in res.stderr and "error:" in res.stderr


REPEATS = (
    "invoice,date,account_id,sku,quantity,unit_price\n"
    "I1,2026-06-30,C1,S1,2,10\nI1,2026-06-30,C1,S1,2,10\nI2,2026-07-01,C2,S1,1,10\n"
)


def test_import_transactions_imports_repeat_lines_and_dedupe_exact_refuses_them(tmp_path, capsys):
    path = write_csv(tmp_path / "erp.csv", REPEATS)
    assert main(["import-transactions", str(path), "--db", _db(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "3 inserted" in out and "1 possible duplicate(s)" in out and "¥20.00" in out
    assert main(["import-transactions", str(path), "--dedupe", "exact", "--db", f"sqlite:///{tmp_path / 'b.db'}"]) == 1
    assert "row 3" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:  # argparse's usage error, exit 1 (docs/DESIGN.md §4)
        main(["import-transactions", str(path), "--dedupe", "fuzzy", "--db", _db(tmp_path)])
    assert usage.value.code == 1 and "invalid choice: 'fuzzy'" in capsys.readouterr().err


def test_import_transactions_default_tier_is_used_and_an_unknown_one_exits_one(tmp_path, capsys):
    path = write_csv(tmp_path / "erp.csv", REPEATS)
    assert main(["import-transactions", str(path), "--default-tier", "VIP", "--db", _db(tmp_path)]) == 1
    assert "unknown tier code 'VIP'" in capsys.readouterr().err
    assert main(["import-transactions", str(path), "--default-tier", "ONPREM", "--db", _db(tmp_path)]) == 0
    assert "2 new account(s) had no channel and were put in tier ONPREM" in capsys.readouterr().out
