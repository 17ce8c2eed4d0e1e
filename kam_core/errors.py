"""Errors a user can cause and fix. The CLI prints these without a traceback and exits 1."""

from __future__ import annotations


class UserError(Exception):
    """Bad input from a user: a message that says what is wrong and where."""


class DatabaseUnavailable(UserError):
    """The database cannot be reached (server down, wrong URL, missing driver)."""


class NotAuthorised(UserError):
    """The viewer may not do this write (role not allowed, or rows outside the viewer's scope); nothing is written."""
