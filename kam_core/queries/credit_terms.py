"""The credit terms in force per account (the inputs of :func:`kam_core.analytics.credit.compute_credit`)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, and_, func, select

from kam_core.db.schema import credit_terms
from kam_core.queries.metrics import _frame


def fetch_credit_terms(conn: Connection, as_of) -> pd.DataFrame:
    """The credit terms row valid at ``as_of`` (latest valid_from) per account."""
    ct = credit_terms
    latest = (
        select(ct.c.account_id, func.max(ct.c.valid_from).label("vf"))
        .where(ct.c.valid_from <= as_of)
        .group_by(ct.c.account_id)
        .subquery()
    )
    stmt = select(
        ct.c.account_id,
        ct.c.settlement_mode,
        ct.c.payment_terms_days,
        ct.c.statement_cycle,
        ct.c.deduction_rate,
        ct.c.credit_limit,
        ct.c.deposit_amount,
    ).select_from(ct.join(latest, and_(latest.c.account_id == ct.c.account_id, latest.c.vf == ct.c.valid_from)))
    return _frame(conn, stmt)
