"""Field checks that collect every problem with its JSON path (``programs[1].tiers[0].from``).

A scenario file is written by hand or by the Simulator page; the user should see every bad
field at once, each named by where it is, not a traceback about the first one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

MISSING = object()


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value).replace("True", "true").replace("False", "false")


class Checker:
    """Reads fields out of plain JSON values and records a message for each bad one."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, path: str, what: str, value: Any = MISSING) -> None:
        got = "" if value is MISSING else f", got {_show(value)}"
        self.errors.append(f"{path} {what}{got}")

    def number(
        self,
        obj: Mapping,
        key: str,
        path: str,
        default: Any = MISSING,
        *,
        lo: float | None = 0.0,
        hi: float | None = None,
        lo_open: bool = False,
        hi_open: bool = False,
    ) -> float | None:
        """A finite number within bounds; ``default`` when absent (MISSING = required)."""
        here = f"{path}.{key}" if path else key
        if key not in obj or obj[key] is None:
            if default is MISSING:
                self.fail(here, "is required")
            return None if default is MISSING else default
        value = obj[key]
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if ok:
            ok = (lo is None or (value > lo if lo_open else value >= lo)) and (
                hi is None or (value < hi if hi_open else value <= hi)
            )
        if not ok:
            self.fail(here, f"must be a number{_bounds(lo, hi, lo_open, hi_open)}", value)
            return None
        return float(value)

    def integer(
        self, obj: Mapping, key: str, path: str, default: Any = MISSING, *, lo: int = 0, hi: int | None = None
    ) -> int | None:
        here = f"{path}.{key}" if path else key
        if key not in obj or obj[key] is None:
            if default is MISSING:
                self.fail(here, "is required")
            return None if default is MISSING else default
        value = obj[key]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < lo or (hi is not None and value > hi):
            self.fail(here, f"must be a whole number{_bounds(lo, hi, False, False)}", obj[key])
            return None
        return value

    def choice(self, obj: Mapping, key: str, path: str, allowed: tuple[str, ...], default: Any = MISSING):
        here = f"{path}.{key}" if path else key
        if key not in obj or obj[key] is None:
            if default is MISSING:
                self.fail(here, f"is required (one of {', '.join(allowed)})")
            return None if default is MISSING else default
        value = obj[key]
        if value not in allowed:
            self.fail(here, f"must be one of {', '.join(allowed)}", value)
            return None
        return value

    def boolean(self, obj: Mapping, key: str, path: str, default: bool) -> bool:
        value = obj.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"{path}.{key}" if path else key, "must be true or false", value)
            return default
        return value

    def text(self, obj: Mapping, key: str, path: str, default: str) -> str:
        value = obj.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            self.fail(f"{path}.{key}" if path else key, "must be text", value)
            return default
        return value

    def date(self, obj: Mapping, key: str, path: str) -> dt.date | None:
        here = f"{path}.{key}" if path else key
        value = obj.get(key)
        if value is None:
            self.fail(here, "is required (YYYY-MM-DD)")
            return None
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(here, "must be a date YYYY-MM-DD", value)
            return None

    def mapping(self, obj: Mapping, key: str, path: str) -> Mapping:
        here = f"{path}.{key}" if path else key
        value = obj.get(key, {})
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.fail(here, "must be an object {...}", value)
            return {}
        return value

    def str_list(self, obj: Mapping, key: str, path: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
        here = f"{path}.{key}" if path else key
        value = obj.get(key, [])
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.fail(here, "must be a list of codes", value)
            return ()
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str | int) or isinstance(item, bool) or str(item).strip() == "":
                self.fail(f"{here}[{i}]", "must be a code (text)", item)
            elif allowed is not None and str(item) not in allowed:
                self.fail(f"{here}[{i}]", f"must be one of {', '.join(allowed)}", item)
            else:
                out.append(str(item).strip())
        return tuple(out)

    def amounts(self, obj: Mapping, key: str, path: str) -> dict[str, float]:
        """An object account_id → number ≥ 0 (volumes, targets, interim payments)."""
        here = f"{path}.{key}" if path else key
        raw = self.mapping(obj, key, path)
        out = {}
        for acc, value in raw.items():
            got = self.number({acc: value}, acc, here)
            if got is not None:
                out[str(acc)] = got
        return out

    def unknown(self, obj: Mapping, allowed: set[str], path: str) -> None:
        for key in obj:
            if key not in allowed:
                self.fail(
                    f"{path}.{key}" if path else str(key),
                    f"is not a known field (allowed: {', '.join(sorted(allowed))})",
                )


def _bounds(lo, hi, lo_open, hi_open) -> str:
    parts = []
    if lo is not None:
        parts.append(f"{'>' if lo_open else '≥'} {_num(lo)}")
    if hi is not None:
        parts.append(f"{'<' if hi_open else '≤'} {_num(hi)}")
    return (" " + " and ".join(parts)) if parts else ""


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
