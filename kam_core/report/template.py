"""HTML frame of the review pack: inline CSS (screen and print), header, KPI grid, figures, tables."""

from __future__ import annotations

import base64
import functools
import gzip
import json
from pathlib import Path

import jinja2
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup
from plotly.offline import get_plotlyjs

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


@functools.cache
def plotly_gzip_base64() -> str:
    """The bundled plotly.js (the installed plotly package's copy), gzipped and base64-encoded: about 40% of its
    size. The page inflates it with the browser's own ``DecompressionStream``: nothing is fetched."""
    return base64.b64encode(gzip.compress(get_plotlyjs().encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")


# Inflates plotly.js, runs it, then draws each figure from its JSON; without DecompressionStream it says so.
_LOADER = """
(async function () {
  const figs = document.querySelectorAll("script.kam-figure");
  try {
    const packed = document.getElementById("kam-plotly").textContent.trim();
    const bytes = Uint8Array.from(atob(packed), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    const code = document.createElement("script");
    code.text = await new Response(stream).text();
    document.head.appendChild(code);
    for (const el of figs) {
      const spec = JSON.parse(el.textContent);
      Plotly.newPlot(el.dataset.target, spec.data, spec.layout, spec.config);
    }
  } catch (err) {
    for (const el of figs) { document.getElementById(el.dataset.target).textContent = el.dataset.fallback; }
  }
})();
"""
DIGITS = 4  # decimals kept in the chart data: shares and percentiles to 0.01%, money to the fen and below


def _rounded(fig: go.Figure) -> go.Figure:
    """A copy whose float data (x, y, a, b, c, z) keeps :data:`DIGITS` decimals: the same picture, a smaller file."""
    out = go.Figure(fig)
    for trace in out.data:
        for attr in ("x", "y", "a", "b", "c", "z"):
            values = getattr(trace, attr, None)
            if values is None:
                continue
            arr = np.asarray(values)
            if arr.dtype.kind == "f":
                trace[attr] = np.round(arr, DIGITS)
    return out


def _figures_html(figures: list[go.Figure], fallback: str) -> list[Markup]:
    """Each figure as an empty div and its JSON (``<`` escaped, so the JSON cannot end its script element);
    the loader draws them once plotly.js is inflated."""
    config = {"displaylogo": False, "responsive": True, "displayModeBar": False}  # a printed page has no buttons
    out = []
    for i, fig in enumerate(figures):
        spec = json.loads(pio.to_json(_rounded(fig), validate=False))
        body = json.dumps({**spec, "config": config}, ensure_ascii=False, separators=(",", ":"))
        body = body.replace("<", "\\u003c")  # "<" only occurs inside JSON strings, where \u003c means the same
        height = fig.layout.height or 360
        out.append(
            Markup(  # noqa: S704 - the JSON is escaped above, the attributes below
                f'<div id="kam-fig-{i}" style="height:{int(height)}px;width:100%"></div>'
                f'<script type="application/json" class="kam-figure" data-target="kam-fig-{i}" '
                f'data-fallback="{Markup.escape(fallback)}">{body}</script>'
            )
        )
    return out


def plotly_script() -> Markup:
    """The packed plotly.js and its loader (once per document)."""
    packed = f'<script type="application/octet-stream" id="kam-plotly">{plotly_gzip_base64()}</script>'
    return Markup(packed + f"<script>{_LOADER}</script>")  # noqa: S704 - base64 and our own code


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
            figures=_figures_html(figures, t("report.charts_need_browser", lang)),
            plotly=plotly_script() if figures else Markup(""),  # noqa: S704
            tables=tables,
            notes=notes,
        )
    )
