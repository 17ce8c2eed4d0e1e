"""HTML frame of the review pack: inline CSS (screen and print), header, KPI grid, figures, tables."""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2
import plotly.graph_objects as go
from markupsafe import Markup

from kam_core.i18n import t

TEMPLATES = Path(__file__).resolve().parent / "templates"
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


@functools.cache
def _environment() -> jinja2.Environment:
    """The template environment: autoescaped, so a value is text wherever the template puts it."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _figures_html(figures: list[go.Figure]) -> list[Markup]:
    """Each figure as a div; plotly.js is inlined with the first one only (no network, no duplicates)."""
    return [
        Markup(
            fig.to_html(
                full_html=False,
                include_plotlyjs=(i == 0),
                include_mathjax=False,  # noqa: S704
                config={"displaylogo": False, "responsive": True},
            )
        )  # plotly's own markup
        for i, fig in enumerate(figures)
    ]


def render_page(
    lang: str, header: dict, kpis: list[tuple[str, str]], figures: list[go.Figure], tables: list[dict], notes: list[str]
) -> str:
    """The whole document as a string, from ``templates/pack.html.j2`` (every text value is escaped there).

    ``tables`` are dicts with ``title``, ``head`` (column labels), ``rows`` (lists of cell texts), ``more``
    (a note on rows left out, or "") and ``empty`` (what to say when there are no rows).
    """
    labels = {
        key: t(f"report.{key}", lang)
        for key in ("kpis", "charts", "empty", "data_health", "filters", "print_hint", "footer")
    }
    return (
        _environment()
        .get_template("pack.html.j2")
        .render(
            html_lang="zh-CN" if lang == "zh" else "en",
            title=t("report.title", lang),
            css=Markup(_CSS),  # noqa: S704
            header=header,
            labels=labels,
            kpis=kpis,
            figures=_figures_html(figures),
            tables=tables,
            notes=notes,
        )
    )
