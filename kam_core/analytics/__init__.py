"""Account analytics: metrics in SQL, value types, tiers, loyalty, diversion, CLV, credit, allocation.

Kept light on purpose: submodules are imported where they are used (``from kam_core.analytics.scorecard
import compute_scorecard``), so importing the package does not pull in scikit-learn or SciPy.
"""

__all__ = ["compute_scorecard", "compute_scorecard_bundle", "scorecard_columns"]


def __getattr__(name: str):
    if name in __all__:
        from kam_core.analytics import scorecard

        return getattr(scorecard, name)
    raise AttributeError(f"module 'kam_core.analytics' has no attribute {name!r}")
