"""Account analytics on frames: value types, tiers, loyalty, diversion, CLV, credit, allocation, the scorecard.

Pure DataFrame-in/DataFrame-out: nothing here imports SQLAlchemy, :mod:`kam_core.db` or :mod:`kam_core.queries`
(tests/kam_core/test_layers.py enforces it). The SQL reads that feed these functions are in
:mod:`kam_core.queries`; the scorecard from the database is :func:`kam_core.queries.scorecard.compute_scorecard`.

Kept light on purpose: submodules are imported where they are used (``from kam_core.analytics.scorecard
import scorecard_columns``), so importing the package does not pull in scikit-learn or SciPy.
"""
