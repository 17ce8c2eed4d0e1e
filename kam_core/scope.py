"""Who sees what (docs/DESIGN.md §6): a viewer's scope as a value, applied in the data access.

A director sees everything, a manager the accounts in a region and everything below it,
a rep the accounts they own. Every query on accounts goes through :meth:`Scope.account_clause`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select, true

from kam_core.db.schema import account, region, sales_rep
from kam_core.errors import UserError

ROLES = ("director", "manager", "rep")


def path_within(path_col, base) -> ColumnElement[bool]:
    """``path_col`` is the region path ``base`` or a path below it.

    A prefix compare, not LIKE: "_" and "%" in a region code must not act as wildcards (a manager of
    ``A_1`` must not see ``AB1``).
    """
    return or_(path_col == base, func.substr(path_col, 1, func.length(base) + 1) == base + "/")


@dataclass(frozen=True)
class Scope:
    """A viewer's role and the region code (manager) or rep id (rep) that bounds what they see."""

    role: str = "director"
    scope_id: str = "*"

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise UserError(f"Unknown role {self.role!r}: expected one of {', '.join(ROLES)}")
        if self.role != "director" and (not self.scope_id or self.scope_id == "*"):
            raise UserError(
                f"Role {self.role} needs an id, e.g. {self.role}:{'R01' if self.role == 'manager' else 'REP001'}"
            )

    @classmethod
    def parse(cls, text: str | None) -> Scope:
        """Parse ``director:*``, ``manager:REGION_CODE`` or ``rep:REP_ID``."""
        if not text:
            return cls()
        role, _, ident = text.partition(":")
        return cls(role.strip().lower(), ident.strip() or "*")

    @property
    def is_director(self) -> bool:
        return self.role == "director"

    def region_ids(self):
        """A subquery of region ids within a manager's region (the region itself and all below it)."""
        base = select(region.c.path).where(region.c.code == self.scope_id).scalar_subquery()
        return select(region.c.region_id).where(path_within(region.c.path, base))

    def account_clause(self, account_id_col=None) -> ColumnElement[bool]:
        """A WHERE clause restricting ``account_id_col`` (default ``account.account_id``) to this scope."""
        if self.is_director:
            return true()
        if self.role == "rep":
            allowed = select(account.c.account_id).where(account.c.owner_rep_id == self.scope_id)
        else:
            allowed = select(account.c.account_id).where(account.c.region_id.in_(self.region_ids()))
        col = account.c.account_id if account_id_col is None else account_id_col
        return col.in_(allowed)

    def region_clause(self) -> ColumnElement[bool]:
        """Regions this viewer may list: all (director), their region and below (manager), the regions of
        their own accounts (rep)."""
        if self.is_director:
            return true()
        if self.role == "rep":
            return region.c.region_id.in_(select(account.c.region_id).where(account.c.owner_rep_id == self.scope_id))
        return region.c.region_id.in_(self.region_ids())

    def rep_clause(self) -> ColumnElement[bool]:
        """Reps this viewer may list: all (director), those based in or owning accounts in their region
        (manager), themselves (rep)."""
        if self.is_director:
            return true()
        if self.role == "rep":
            return sales_rep.c.rep_id == self.scope_id
        owners = select(account.c.owner_rep_id).where(account.c.region_id.in_(self.region_ids()))
        return or_(sales_rep.c.home_region_id.in_(self.region_ids()), sales_rep.c.rep_id.in_(owners))

    def __str__(self) -> str:
        return f"{self.role}:{self.scope_id}"


DIRECTOR = Scope()
