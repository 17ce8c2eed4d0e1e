"""Write the real-shaped ERP exports of ``tests/realshaped/`` and their ``MANIFEST.toml``.

The files are invented (names, codes, prices), small (a few hundred lines) and shaped like what a
brewer's sales office exports: Chinese or English headers, GBK or UTF-8 with BOM, extra columns the
import does not map (line amount, remark), credit notes, free goods at price 0, freight and postage
lines, cash sales without a customer code, a clerk's repeated line, an invoice number that a second
office reused, several date formats and costs on some lines only. ``reference.py`` computes the
expected scorecard figures from these files; ``test_reference.py`` compares.

Deterministic: a fixed seed per file, so re-running gives the same bytes. Regenerate with::

    python -m tests.realshaped.make_files        # from the repository root

and commit the files. Other helpers add their own files with their own prefixes and describe them in
their own ``MANIFEST_<name>.toml`` (the test reads every ``MANIFEST*.toml`` here).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

ZH_HEAD = [
    "单据号",
    "单据日期",
    "客户编码",
    "客户名称",
    "客户类型",
    "物料编码",
    "物料名称",
    "数量",
    "含税单价",
    "成本单价",
    "金额",
    "备注",
]
ZH_MAP = (
    "invoice=单据号,date=单据日期,account_id=客户编码,account_name=客户名称,channel=客户类型,sku=物料编码,"
    "product_name=物料名称,quantity=数量,unit_price=含税单价,unit_cost=成本单价"
)
EN_HEAD = [
    "Invoice No",
    "Invoice Date",
    "Customer Code",
    "Customer Name",
    "Channel",
    "Item Code",
    "Item Description",
    "Qty (cases)",
    "Unit Price",
    "Unit Cost",
    "Line Amount",
]
EN_MAP = (
    "invoice=Invoice No,date=Invoice Date,account_id=Customer Code,account_name=Customer Name,"
    "channel=Channel,sku=Item Code,product_name=Item Description,quantity=Qty (cases),"
    "unit_price=Unit Price,unit_cost=Unit Cost"
)

# sku: (name, price per case, cost per case or None = never given in the file)
ZH_SKUS = {
    "PJ330-24": ("清爽啤酒330ml×24听", 48.0, 31.0),
    "PJ500-12": ("纯生啤酒500ml×12瓶", 56.0, 35.5),
    "PJ600-12": ("经典啤酒600ml×12瓶", 38.0, 24.2),
    "PJ1L-6": ("原浆啤酒1L×6桶装", 90.0, 52.0),
    "JN330-24": ("精酿IPA 330ml×24", 120.0, None),  # a new craft SKU whose cost the ERP never exports
}
ZH_FREIGHT = {"YF001": "运费", "YF002": "快递费"}
EN_SKUS = {
    "LAG-330C": ("Lager 330ml can x24", 52.0, 33.0),
    "LAG-500B": ("Lager 500ml bottle x12", 58.0, 36.0),
    "PIL-330B": ("Pilsner 330ml bottle x24", 75.0, 44.5),
    "GFT-750X12": ("Gift box 750ml x12", 1150.0, 690.0),
}
EN_FREIGHT = {"FRT": "Freight charge", "PST": "Postage"}
DATE_STYLES = ("%Y-%m-%d", "%Y/%-m/%-d", "%Y%m%d", "%Y年%-m月%-d日", "%Y-%m-%d 10:%M:00", "%Y.%m.%d")


def _customers(
    rng: random.Random, spec: list[tuple[str, str, int]], names: list[str], branch: str = "{}号店"
) -> list[tuple]:
    """(code, name, channel word) for ``count`` customers per (prefix, channel word, count)."""
    out, k = [], 0
    for prefix, channel, count in spec:
        for i in range(count):
            suffix = "" if k < len(names) else branch.format(k // len(names) + 1)
            out.append((f"{prefix}{i + 1:03d}", names[k % len(names)] + suffix, channel))
            k += 1
    rng.shuffle(out)
    return out


def _money(x: float, thousands: bool = False) -> str:
    return f"{x:,.2f}" if thousands else f"{x:.2f}".rstrip("0").rstrip(".")


class Export:
    """Rows of one file in file order, with helpers for the plantings."""

    def __init__(self, head: list[str], thousands: bool = False):
        self.head, self.rows, self.thousands = head, [], thousands

    def line(
        self,
        inv,
        date: str,
        cust: tuple | None,
        sku: str,
        name: str,
        qty: float,
        price: float,
        cost: float | None,
        remark: str = "",
    ) -> list[str]:
        code, cname, channel = cust if cust else ("", "现金客户", "")
        row = [
            inv,
            date,
            code,
            cname,
            channel,
            sku,
            name,
            _money(qty),
            _money(price, self.thousands),
            "" if cost is None else _money(cost),
            _money(qty * price, self.thousands),
        ]
        if len(self.head) > len(row):
            row.append(remark)
        self.rows.append(row)
        return row

    def text(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(self.head)
        writer.writerows(self.rows)
        return buf.getvalue()


def _invoices(rng: random.Random, customers: list[tuple], first: dt.date, last: dt.date, n: int) -> list[tuple]:
    """(date, customer) of ``n`` invoices; big customers order more often. Sorted by date."""
    days = (last - first).days
    weights = [3.0 if c[2] in ("一批商", "Distributor", "连锁超市") else 1.0 for c in customers]
    out = [(first + dt.timedelta(days=rng.randrange(days + 1)), rng.choices(customers, weights)[0]) for _ in range(n)]
    return sorted(out, key=lambda x: (x[0], x[1][0]))


def wholesaler(rng: random.Random) -> tuple[str, dict]:
    """A sub-wholesaler's sales office: GBK, Chinese headers, every planting at once."""
    names = [
        "城东酒水一批",
        "西湖副食批发",
        "钱塘二批",
        "下沙便民超市",
        "滨江烟酒店",
        "老李夜宵",
        "拱墅批发部",
        "萧山二批",
        "临平食杂店",
        "余杭酒水",
        "富阳土产",
        "桐庐小卖部",
        "建德酒楼",
        "淳安二批",
        "海宁烟酒",
    ]
    cust = _customers(
        rng, [("D", "一批商", 4), ("W", "二批商", 12), ("R", "烟酒店", 8), ("R8", "便利店", 2), ("H", "餐饮", 4)], names
    )
    ex = Export(ZH_HEAD)
    skus = list(ZH_SKUS)
    churned, newcomer = cust[-1], cust[-2]  # one buys only before the window, one only after 2026-03-31
    regular = cust[:-2]
    plan = _invoices(rng, regular, dt.date(2025, 1, 3), dt.date(2026, 6, 27), 120)
    plan += [
        (dt.date(2025, 2, 11), churned),
        (dt.date(2025, 4, 8), churned),
        (dt.date(2026, 5, 6), newcomer),
        (dt.date(2026, 6, 12), newcomer),
    ]
    plan.sort(key=lambda x: (x[0], x[1][0]))
    repeats = set(rng.sample(range(len(plan)), 6))
    returns = set(rng.sample([i for i in range(len(plan)) if i not in repeats], 8))
    for k, (day, c) in enumerate(plan):
        style = DATE_STYLES[rng.randrange(len(DATE_STYLES))]
        date = day.strftime(style)
        if k in returns:  # a credit note: every line negative (退货单)
            inv = f"TH{day:%Y%m}{k:04d}"
            for sku in rng.sample(skus[:4], rng.randint(1, 2)):
                name, price, cost = ZH_SKUS[sku]
                ex.line(inv, date, c, sku, name, -rng.randint(1, 6), price, cost, "退货")
            continue
        inv = f"XS{day:%Y%m}{k:04d}"
        craft = c[2] == "餐饮"  # only restaurants buy the craft SKU whose cost is never exported
        for sku in rng.sample(skus if craft else skus[:4], rng.randint(1, 4)):
            name, price, cost = ZH_SKUS[sku]
            qty = rng.randint(2, 40) * (5 if c[2] == "一批商" else 1)
            known = cost is not None and (sku in ("PJ330-24", "PJ500-12") or rng.random() < 0.55)
            row = ex.line(inv, date, c, sku, name, qty, price, cost if known else None)
            if k in repeats and len(ex.rows) and row is ex.rows[-1]:
                ex.rows.append(list(row))  # the clerk keyed the same line twice: two real deliveries
                repeats.discard(k)
        if rng.random() < 0.12:  # free goods: 搭赠 at price 0, cost known
            ex.line(inv, date, c, "PJ330-24", ZH_SKUS["PJ330-24"][0], rng.randint(1, 3), 0.0, 31.0, "搭赠")
        if rng.random() < 0.10:  # a broken case credited on the same invoice
            ex.line(inv, date, c, "PJ600-12", ZH_SKUS["PJ600-12"][0], -1, 38.0, 24.2, "破损退回")
        if rng.random() < 0.25:
            sku = rng.choice(list(ZH_FREIGHT))
            ex.line(inv, date, c, sku, ZH_FREIGHT[sku], 1, rng.choice([0.0, 30.0, 45.0, 80.0]), None)
    reused = next(r for r in ex.rows if r[0].startswith("XS2025") and r[2].startswith("W"))
    other = next(c for c in regular if c[0] != reused[2] and c[2] == "二批商")
    ex.line(reused[0], "2025/11/19", other, "PJ500-12", ZH_SKUS["PJ500-12"][0], 12, 56.0, 35.5, "二部开单")
    ex.line(reused[0], "2025/11/19", other, "PJ600-12", ZH_SKUS["PJ600-12"][0], 6, 38.0, None, "二部开单")
    for day in ("2025-08-14", "2026-01-09", "2026-04-22"):
        ex.line(
            f"XS{day[:4]}{day[5:7]}9{day[8:]}", day, None, "PJ330-24", ZH_SKUS["PJ330-24"][0], 2, 50.0, None, "散客现金"
        )
    entry = {
        "file": "erp_wholesaler_gbk.csv",
        "encoding": "gbk",
        "map": ZH_MAP,
        "plants": "GBK, Chinese headers, unmapped 金额/备注 columns; credit notes (TH…, all lines negative) "
        "and broken-case credits inside sales invoices; free goods (搭赠) at price 0 with cost; "
        "freight/courier lines (运费/快递费, some at 0); 6 repeated lines (same invoice, identical "
        "row); invoice " + reused[0] + " reused by a second office for " + other[0] + " on "
        "2025-11-19 (2 lines); 3 cash-sale lines without a customer code; six date formats; "
        "unit cost on some lines only (PJ600-12 and PJ1L-6 take the SKU's first cost, JN330-24, "
        "bought by the restaurants only, never has one); "
        + churned[0]
        + " buys only in early 2025, "
        + newcomer[0]
        + " only from May 2026",
        "windows": [{}, {"as_of": "2026-03-31", "since": "2025-10-01"}],
    }
    return ex.text(), entry


def distributor(rng: random.Random) -> tuple[str, dict]:
    """A regional distributor's invoice export: UTF-8 with BOM, English headers, every cost known."""
    names = [
        "Riverside Beverage Co.",
        "Harbour Mart",
        "Golden Lantern KTV",
        "Lakeview Grocers",
        "Northgate Foods",
        "Sunrise Hypermarket",
        "Old Town Liquor",
        "Pine Street Store",
        "Eastport Trading",
        "Metro Superstore",
    ]
    cust = _customers(
        rng,
        [("DS", "Distributor", 5), ("KA", "hypermarket", 6), ("RT", "retail", 10), ("SW", "wholesaler", 4)],
        names,
        " branch {}",
    )
    ex = Export(EN_HEAD, thousands=True)
    for k, (day, c) in enumerate(_invoices(rng, cust, dt.date(2024, 7, 1), dt.date(2026, 5, 29), 110)):
        date = day.strftime(("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")[k % 3])
        credit = rng.random() < 0.07
        inv = f"{'CN' if credit else 'SI'}-{day:%y}{k:05d}"
        for sku in rng.sample(list(EN_SKUS), rng.randint(1, 3)):
            name, price, cost = EN_SKUS[sku]
            qty = -rng.randint(1, 4) if credit else rng.randint(1, 30) * (4 if c[2] == "Distributor" else 1)
            ex.line(inv, date, c, sku, name, qty, price, cost)
        if not credit and rng.random() < 0.3:
            sku = rng.choice(list(EN_FREIGHT))
            ex.line(inv, date, c, sku, EN_FREIGHT[sku], 1, rng.choice([25.0, 60.0, 1200.0]), None)
    entry = {
        "file": "erp_distributor_bom.csv",
        "encoding": "utf-8-sig",
        "map": EN_MAP,
        "plants": "UTF-8 with BOM, English headers and channel words (Distributor, hypermarket, retail, "
        "wholesaler), prices with thousands separators (1,150.00), three date formats, credit notes "
        "(CN-…, all lines negative), freight and postage lines; every goods line has a cost, no "
        "repeated or refused line: the control file, every figure must match today",
        "windows": [{}, {"as_of": "2025-12-31"}],
    }
    return ex.text(), entry


def free_goods(rng: random.Random) -> tuple[str, dict]:
    """Chain stores with 买十赠一 free goods at price 0 (cost known), plain UTF-8, eight months of history."""
    names = ["联华超市", "世纪联华", "物美便利", "好又多", "华润万家", "大润发", "罗森便利", "全家便利"]
    cust = _customers(rng, [("KA", "连锁超市", 5), ("CV", "便利店", 7)], names)
    ex = Export(ZH_HEAD)
    for k, (day, c) in enumerate(_invoices(rng, cust, dt.date(2025, 9, 1), dt.date(2026, 4, 28), 60)):
        inv, date = f"PS{day:%Y%m%d}{k:03d}", day.strftime("%Y/%-m/%-d")
        for sku in rng.sample(["PJ330-24", "PJ500-12", "PJ600-12"], rng.randint(1, 3)):
            name, price, cost = ZH_SKUS[sku]
            qty = rng.randint(5, 60)
            ex.line(inv, date, c, sku, name, qty, price, cost)
            if qty >= 10 and rng.random() < 0.5:
                ex.line(inv, date, c, sku, name, qty // 10, 0.0, cost, "买十赠一")
    entry = {
        "file": "erp_free_goods_utf8.csv",
        "encoding": "utf-8",
        "map": ZH_MAP,
        "plants": "plain UTF-8, Chinese headers, chain-store channel words (连锁超市, 便利店); free goods "
        "(买十赠一) as goods lines at price 0 with a cost; eight months of history (window "
        "longer than the data, no last year); nothing else unusual",
        "windows": [{}],
    }
    return ex.text(), entry


def boundaries(rng: random.Random) -> tuple[str, dict]:
    """Ten small shops whose sales and profits sit exactly on the ABC, size and pyramid cut-offs, with ties.

    Sales 7000 / 1000 / 1000 / 500 / 500 (total 10,000; a credit-note-only shop is clipped to 0): the
    cumulative share before the third is exactly 80% (B), before the fifth exactly 95% (C); R9 and R10
    tie (R10 sorts first as text), so do R2 and R3. Profits 3000 / 400 / 400 / 200 / 200 among ten shops:
    rank 2 ÷ 10 = 20% is platinum, rank 5 ÷ 10 = 50% gold; zero and negative profit are lead.
    """
    ex = Export(ZH_HEAD)
    shop = {c: (c, f"{c}号烟酒店", "烟酒店") for c in ("R1", "R2", "R3", "R5", "R6", "R7", "R8", "R9", "R10", "R11")}
    name = "经典啤酒600ml×12瓶"
    for k, (cust, day, qty, price, cost) in enumerate(
        [
            ("R1", "2026-01-05", 100, 70.0, 40.0),
            ("R9", "2026-01-06", 20, 50.0, 30.0),
            ("R10", "2026-01-06", 20, 50.0, 30.0),
            ("R2", "2026-01-07", 10, 50.0, 30.0),
            ("R3", "2026-01-07", 10, 50.0, 30.0),
            ("R5", "2026-02-02", 10, 50.0, 30.0),
            ("R5", "2026-02-09", -10, 50.0, 30.0),
            ("R6", "2026-02-10", -2, 50.0, 30.0),
            ("R11", "2026-03-02", 4, 50.0, 30.0),
            ("R11", "2026-03-03", -4, 50.0, 30.0),
        ]
    ):
        ex.line(f"LS26{k:04d}", day, shop[cust], "PJ600-12", name, qty, price, cost)
    for k, cust in enumerate(("R7", "R8")):
        ex.line(f"LS26{90 + k:04d}", "2026-03-20", shop[cust], "YF001", "运费", 1, 20.0, None)
    entry = {
        "file": "erp_tier_boundaries.csv",
        "encoding": "utf-8-sig",
        "map": ZH_MAP,
        "plants": "ten RETAIL shops on the exact cut-offs: cumulative sales share before an account exactly "
        "80% and 95%, sales and profit ties broken by account_id as text (R10 before R9), rank ÷ "
        "accounts exactly 20% and 50%, zero-profit and negative-profit shops (lead), a credit-note "
        "only shop (negative sales, clipped to 0 for ABC), two freight-only shops",
        "windows": [{}],
    }
    return ex.text(), entry


def _toml(entries: list[dict]) -> str:
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    out = [
        "# Real-shaped ERP exports written by make_files.py (regenerate, do not edit by hand).",
        "# Keys per [[file]]: file, encoding, map (import-transactions --map), plants (what the file holds),",
        "# windows (one scorecard per window; {} = the default: as_of = last order date, 12 months).",
        "# Other helpers describe their files in their own MANIFEST_<name>.toml with the same keys, plus",
        '# optionally skip = [groups not compared] and xfail = {group = "reason"} (test_reference.GROUPS).',
        "",
    ]
    for e in entries:
        out += [
            "[[file]]",
            f"file = {q(e['file'])}",
            f"encoding = {q(e['encoding'])}",
            f"map = {q(e['map'])}",
            f"plants = {q(e['plants'])}",
            "windows = ["
            + ", ".join("{" + ", ".join(f"{k} = {q(v)}" for k, v in w.items()) + "}" for w in e["windows"])
            + "]",
            "",
        ]
    return "\n".join(out)


def main() -> None:
    entries = []
    for seed, build in ((20251, wholesaler), (20252, distributor), (20253, free_goods), (20254, boundaries)):
        text, entry = build(random.Random(seed))
        (HERE / entry["file"]).write_bytes(text.encode(entry["encoding"]))
        entries.append(entry)
    (HERE / "MANIFEST.toml").write_text(_toml(entries), encoding="utf-8")


if __name__ == "__main__":
    main()
