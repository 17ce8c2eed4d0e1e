"""The review pack: the current filtered view as one self-contained, printable HTML file."""

from kam_core.report.pack import build_review_pack, compute_pack_view

__all__ = ["build_review_pack", "compute_pack_view"]
