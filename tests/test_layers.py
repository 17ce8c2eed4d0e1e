"""The layers of kam_core, read from the import statements of its source (no module is executed).

``kam_core.analytics`` computes on frames: neither it nor any kam_core module it imports (directly or through
others) imports SQLAlchemy, ``kam_core.db`` or ``kam_core.queries``. ``kam_core.db`` (schema, engines, the
order_day pre-aggregate) imports neither ``kam_core.analytics`` nor ``kam_core.queries``, which read through it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kam_core

ROOT = Path(kam_core.__file__).resolve().parent
FORBIDDEN_IN_ANALYTICS = ("sqlalchemy", "kam_core.db", "kam_core.queries")
FORBIDDEN_IN_DB = ("kam_core.analytics", "kam_core.queries")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(package: str) -> dict[str, Path]:
    base = ROOT.parent.joinpath(*package.split("."))
    return {_module_name(p): p for p in sorted(base.rglob("*.py")) if "migrations" not in p.parts}


ALL = _modules("kam_core")


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module named by an import statement in ``source`` (also inside functions), as absolute names;
    ``from package import name`` yields ``package.name`` too, since ``name`` may be a submodule.

    >>> sorted(imports_of("from kam_core.db import order_days\\nimport sqlalchemy as sa", "kam_core.x"))
    ['kam_core.db', 'kam_core.db.order_days', 'sqlalchemy']
    """
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's package
                package = module.split(".") if is_package else module.split(".")[:-1]
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return out


def _direct(name: str) -> set[str]:
    path = ALL[name]
    return imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _offending(name: str, prefixes: tuple[str, ...]) -> list[str]:
    """The imports of ``name`` within ``prefixes``, without the ``package.name`` entries of the same statement."""
    hits = {i for i in _direct(name) if _within(i, prefixes)}
    return sorted(i for i in hits if not any(i.startswith(h + ".") for h in hits))


def _reachable(start: str) -> dict[str, str]:
    """The kam_core modules ``start`` imports, directly or through other kam_core modules: name → importer.

    The package ``kam_core`` itself (its ``__init__`` loads the database layer for the curated API) is not
    followed: importing ``kam_core.analytics.x`` runs it, but nothing in the analytics names it."""
    seen, todo = {start: start}, [start]
    while todo:
        current = todo.pop()
        for name in _direct(current):
            if name in ALL and name != "kam_core" and name not in seen:
                seen[name] = current
                todo.append(name)
    return seen


@pytest.mark.parametrize("module", sorted(_modules("kam_core.analytics")))
def test_analytics_imports_no_sql_directly_or_through_other_modules(module):
    bad = []
    for name, importer in _reachable(module).items():
        bad += [f"{name} (reached through {importer}) imports {i}" for i in _offending(name, FORBIDDEN_IN_ANALYTICS)]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("module", sorted(_modules("kam_core.db")))
def test_the_database_layer_imports_no_analytics_and_no_queries(module):
    bad = _offending(module, FORBIDDEN_IN_DB)
    assert not bad, f"{module} imports {bad}"


def test_the_check_sees_an_import_of_sqlalchemy_or_the_database_layer():
    # the same functions the tests above use, on literal sources: a forbidden import is found wherever it is
    found = imports_of(
        "def f():\n    from sqlalchemy import select\n\nfrom .. import queries\nimport kam_core.db.schema\n",
        "kam_core.analytics.x",
    )
    assert {"sqlalchemy", "kam_core.queries", "kam_core.db.schema"} <= found
    assert all(_within(i, FORBIDDEN_IN_ANALYTICS) for i in ("sqlalchemy", "kam_core.queries", "kam_core.db.schema"))
    assert not _within("kam_core.dbx", FORBIDDEN_IN_ANALYTICS)
    assert imports_of("from . import order_days", "kam_core.db", is_package=True) >= {"kam_core.db.order_days"}
