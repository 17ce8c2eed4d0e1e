"""SQL reads behind the analytics: each function takes a connection (or an engine), aggregates in the database
(GROUP BY; the order lines are never loaded whole) and returns frames that :mod:`kam_core.analytics` computes on.

The entry point is :func:`kam_core.queries.scorecard.compute_scorecard_bundle` (window, inputs, scorecard, data
health, the viewer's rows). Submodules are named by what they read: ``metrics`` (accounts, order lines and
headers), ``activity`` (visits, service, contacts, surveys), ``money`` (fees, rebates, receivables),
``credit_terms``, ``diversion_signals``, ``volume_health`` (product units), ``scorecard_inputs`` (all of them
joined per account), ``window`` (last order date), ``snapshots`` (stored scorecard snapshots), ``area`` (the region tree and the
assignable reps of the area key accounts), ``follow_ups`` (contact dates, promotions, launches and closed
follow-ups of the follow-up cadence).
"""
