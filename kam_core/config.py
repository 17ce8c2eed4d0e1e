"""Where the database is and the analysis defaults (docs/METHODS.md §8), as data."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

_PACKAGE_PARENT = Path(__file__).resolve().parent.parent
# In a checkout (app.py beside the package) the database and secrets live in the checkout; when installed
# with `pip install .` the package sits in site-packages, so they are looked for in the working directory.
PROJECT_ROOT = _PACKAGE_PARENT if (_PACKAGE_PARENT / "app.py").is_file() else Path.cwd()
DEFAULT_DB_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'kam.db'}"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"


def resolve_db_url(cli_url: str | None = None, secrets_path: Path = SECRETS_PATH) -> str:
    """Return the database URL: ``--db``, else ``KAM_DATABASE_URL``, else secrets.toml, else the default.

    Parameters
    ----------
    cli_url
        The value of ``--db`` if given.
    secrets_path
        The Streamlit secrets file to look in for ``[connections.kam] url``.
    """
    if cli_url:
        return cli_url
    env = os.environ.get("KAM_DATABASE_URL")
    if env:
        return env
    if secrets_path.is_file():
        with secrets_path.open("rb") as fh:
            secrets = tomllib.load(fh)
        url = secrets.get("connections", {}).get("kam", {}).get("url")
        if url:
            return str(url)
    return DEFAULT_DB_URL
