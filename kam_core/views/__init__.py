"""Page-level summaries of a scorecard: pure pandas, shared by the dashboard pages and the CLI/tests."""

from kam_core.views.segments import compute_abc_summary, compute_type_profiles
from kam_core.views.summary import Kpis, compute_changes, compute_kpis, compute_movers, count_orders

__all__ = [
    "Kpis",
    "compute_abc_summary",
    "compute_changes",
    "compute_kpis",
    "compute_movers",
    "compute_type_profiles",
    "count_orders",
]
