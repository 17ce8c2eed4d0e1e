"""Saved runs (table ``scenario_run``), side-by-side comparison and spreadsheet frames."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import Engine, insert, select

from kam_core.db.schema import scenario_run
from kam_core.errors import UserError
from kam_core.permissions import check_action
from kam_core.scope import DIRECTOR, Scope
from kam_core.sim.spec import Scenario, load_scenario, scenario_to_dict
from kam_core.sim.trace_text import step_text

COMPARE_METRICS = (
    ("totals", "accounts"),
    ("totals", "baseline_cases"),
    ("totals", "scenario_cases"),
    ("totals", "incremental_cases"),
    ("totals", "pull_forward_cases"),
    ("totals", "rebate_cost"),
    ("totals", "promotion_cost"),
    ("totals", "trade_spend"),
    ("totals", "our_gross_profit"),
    ("totals", "incremental_profit"),
    ("totals", "roi"),
    ("totals", "cost_per_incremental_case"),
    ("totals", "p10"),
    ("totals", "p50"),
    ("totals", "p90"),
    ("totals", "p_roi_negative"),
    ("totals", "accounts_below_floor"),
    ("per_case", "incentive_per_case"),
    ("per_case", "incentive_per_case_compounded"),
    ("per_case", "net_price_per_case"),
    ("per_case", "our_gp_per_case"),
    ("accrual", "expected_rebate"),
)


def compare_scenarios(results: list[dict]) -> pd.DataFrame:
    """2–5 results side by side: one row per metric, one column per scenario, then Δ vs the first.

    Runs with the same seed over the same accounts share their random numbers, so the Δ columns
    reflect the programs, not simulation noise.

    Raises
    ------
    UserError
        Fewer than 2 or more than 5 results.
    """
    if not 2 <= len(results) <= 5:
        raise UserError(f"Compare 2 to 5 scenarios, got {len(results)}")
    names: list[str] = []
    for r in results:
        name = str(r.get("scenario", {}).get("name") or "scenario")
        while name in names:
            name += "′"
        names.append(name)
    data = {
        n: [r.get(block, {}).get(key) for block, key in COMPARE_METRICS] for n, r in zip(names, results, strict=True)
    }
    df = pd.DataFrame(data, index=pd.Index([k for _, k in COMPARE_METRICS], name="metric"), dtype=float)
    for n in names[1:]:
        df[f"Δ {n} vs {names[0]}"] = df[n] - df[names[0]]
    return df


def save_scenario(engine: Engine, scenario: Scenario, result: dict | None, user: str, scope: Scope = DIRECTOR) -> int:
    """Store a scenario and its result in ``scenario_run``; returns the new ``run_id``.

    ``user`` (the signed-in e-mail) owns the run: only they and directors list and open it.
    """
    check_action(scope, "scenario_save")
    row = {
        "created_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "created_by": user or "unknown",
        "name": scenario.name[:128],
        "params": json.dumps(scenario_to_dict(scenario), ensure_ascii=False),
        "seed": scenario.seed,
        "n_draws": scenario.draws,
        "results": None if result is None else json.dumps(result, ensure_ascii=False, default=str),
    }
    with engine.begin() as conn:
        key = conn.execute(insert(scenario_run).values(**row)).inserted_primary_key
        assert key is not None  # one row inserted: SQLAlchemy always sets it then
        return int(key[0])


def load_saved(
    engine: Engine, run_id: int, scope: Scope = DIRECTOR, user: str | None = None
) -> tuple[Scenario, dict | None]:
    """A saved run: the scenario and its stored result.

    A manager or rep opens only runs saved by ``user`` (themselves); another person's run is
    reported as unknown, so its name and programs are never shown.

    The result is ``None`` when it was computed for a wider scope than the viewer's (a rep must
    not read a director's per-account figures); re-run the scenario under your own scope.

    Raises
    ------
    UserError
        No saved run with that id (or, for a manager or rep, none of their own).
    """
    with engine.connect() as conn:
        row = conn.execute(
            select(scenario_run.c.params, scenario_run.c.results, scenario_run.c.created_by).where(
                scenario_run.c.run_id == int(run_id)
            )
        ).first()
    if row is None or not (scope.is_director or (user and row.created_by == user)):
        raise UserError(f"No saved scenario run {run_id}")
    scenario = load_scenario(json.loads(row.params))
    result = json.loads(row.results) if row.results else None
    if result is not None and not scope.is_director and result.get("scope") != str(scope):
        result = None
    return scenario, result


def list_saved(engine: Engine, scope: Scope = DIRECTOR, user: str | None = None) -> pd.DataFrame:
    """Saved runs, newest first: run_id, created_at, created_by, name, seed, n_draws, period.

    A director lists every run; a manager or rep only their own (``created_by == user``).
    """
    cols = [
        scenario_run.c.run_id,
        scenario_run.c.created_at,
        scenario_run.c.created_by,
        scenario_run.c.name,
        scenario_run.c.seed,
        scenario_run.c.n_draws,
        scenario_run.c.params,
    ]
    query = select(*cols).order_by(scenario_run.c.run_id.desc())
    if not scope.is_director:
        query = query.where(scenario_run.c.created_by == (user or ""))  # no run is saved without a name
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    df = pd.DataFrame(rows, columns=["run_id", "created_at", "created_by", "name", "seed", "n_draws", "params"])
    period = [json.loads(p).get("period", {}) for p in df["params"]]
    df["period_start"] = [p.get("start") for p in period]
    df["period_end"] = [p.get("end") for p in period]
    return df.drop(columns="params")


def result_to_frames(result: dict) -> dict[str, pd.DataFrame]:
    """Tables for an Excel download: totals, per_case, accounts, trace, watchlist, accrual."""
    totals = pd.DataFrame({"metric": list(result["totals"]), "value": list(result["totals"].values())})
    per_case = {k: v for k, v in result["per_case"].items() if k not in ("breakdown", "floor_guard")}
    return {
        "totals": totals,
        "per_case": pd.concat(
            [
                pd.DataFrame({"program": ["(all)"], **{k: [v] for k, v in per_case.items()}}),
                pd.DataFrame(result["per_case"]["breakdown"]),
            ],
            ignore_index=True,
        ),
        "accounts": pd.DataFrame(result["accounts"]),
        "trace": _trace_frame(result["trace"]),
        "watchlist": pd.DataFrame(
            result["watchlist"],
            columns=[
                "account_id",
                "program",
                "current_tier",
                "next_tier_from",
                "gap",
                "gap_cases",
                "extra_rebate_if_reached",
                "p_next_tier",
            ],
        ),
        "accrual": pd.DataFrame(result["accrual"]["schedule"]),
    }


def _trace_frame(trace: list[dict]) -> pd.DataFrame:
    """The trace with each step as its English sentence (kam_core.sim.trace_text); runs saved before the steps
    existed already carry their sentence."""
    rows = [
        {**{k: v for k, v in r.items() if k != "step"}, "explanation": step_text(r["program"], r["step"], "en")}
        if isinstance(r.get("step"), dict)
        else r
        for r in trace
    ]
    return pd.DataFrame(rows)
