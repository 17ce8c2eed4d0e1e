"""HTML frame of the review pack: inline CSS (screen and print), header, KPI grid, figures, tables."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from kam_core.i18n import t

_CSS = """
:root { --ink:#1d2733; --muted:#5f6b7a; --line:#d9dee5; --accent:#1f5fa8; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans SC","PingFang SC","Microsoft YaHei",-apple-system,"Segoe UI",Arial,sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1180px; padding: 24px; line-height: 1.45; }
h1 { margin: 0 0 4px; font-size: 26px; } h2 { font-size: 19px; border-bottom: 2px solid var(--accent);
     padding-bottom: 4px; margin-top: 28px; }
.meta { color: var(--muted); font-size: 13px; margin: 2px 0; } .muted { color: var(--muted); font-size: 13px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; }
.kpi { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.kpi .label { color: var(--muted); font-size: 12px; } .kpi .value { font-size: 22px; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 12px; }
.chart { border: 1px solid var(--line); border-radius: 8px; padding: 4px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f3f5f8; }
ul.filters { margin: 4px 0 0; padding-left: 18px; font-size: 13px; }
.hint { font-size: 12px; color: var(--muted); }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  .hint { display: none; }
  .charts { grid-template-columns: 1fr 1fr; }
  .chart, .kpi, table, tr { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section.tables { break-before: page; page-break-before: always; }
  thead { display: table-header-group; }
}
"""


def _figures_html(figures: list[go.Figure]) -> str:
    """Each figure as a div; plotly.js is inlined with the first one only (no network, no duplicates)."""
    parts = []
    for i, fig in enumerate(figures):
        div = fig.to_html(full_html=False, include_plotlyjs=(i == 0), include_mathjax=False,
                          config={"displaylogo": False, "responsive": True})
        parts.append(f"<div class='chart'>{div}</div>")
    return "".join(parts)


def render_page(lang: str, header: dict, kpis: list[tuple[str, str]], figures: list[go.Figure],
                tables: dict[str, str], notes: list[str]) -> str:
    """The whole document as a string; every text passed in is escaped here, tables arrive escaped."""
    e = html.escape
    title = t("report.title", lang)
    filters = "".join(f"<li>{e(line)}</li>" for line in header["filters"])
    kpi_html = "".join(f"<div class='kpi'><div class='label'>{e(k)}</div><div class='value'>{e(v)}</div></div>"
                       for k, v in kpis)
    if figures:
        body = (f"<h2>{e(t('report.kpis', lang))}</h2><div class='kpis'>{kpi_html}</div>"
                f"<h2>{e(t('report.charts', lang))}</h2><div class='charts'>{_figures_html(figures)}</div>"
                "<section class='tables'>"
                + "".join(f"<h2>{e(t(f'report.table.{name}', lang))}</h2>{table}" for name, table in tables.items())
                + "</section>")
    else:
        body = f"<p><strong>{e(t('report.empty', lang))}</strong></p>"
    notes_html = "" if not notes else (f"<h2>{e(t('report.data_health', lang))}</h2><ul class='muted'>"
                                       + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    return (f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{e(title)}</title>"
            f"<style>{_CSS}</style></head><body>"
            f"<header><h1>{e(title)}</h1><p class='meta'>{e(header['window'])}</p>"
            f"<p class='meta'>{e(header['viewer'])} · {e(header['generated'])}</p>"
            f"<p class='meta'>{e(t('report.filters', lang))}:</p><ul class='filters'>{filters}</ul>"
            f"<p class='hint'>{e(t('report.print_hint', lang))}</p></header>"
            f"{body}{notes_html}<footer><p class='muted'>{e(t('report.footer', lang))}</p></footer></body></html>")
