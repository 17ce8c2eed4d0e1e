"""The review pack: the current filtered view as one self-contained, printable HTML file."""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["build_review_pack", "compute_pack_view"]

if TYPE_CHECKING:
    from kam_core.report.pack import build_review_pack, compute_pack_view


def __getattr__(name: str):
    # The pack (jinja2, every figure module) loads on first use: the simulator imports only
    # kam_core.report.scenario_charts, and opening a scenario link should not pay for the pack.
    if name in __all__:
        from kam_core.report import pack

        return getattr(pack, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
