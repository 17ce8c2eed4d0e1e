"""Start ``streamlit run app.py`` on a free port and drive it with Playwright's Chromium (Debian package)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(
    db_url: str,
    timeout: float = 90.0,
    port: int | None = None,
    extra_args: tuple = (),
    script: Path | None = None,
    cwd: Path | None = None,
):
    """Yield (base_url, seconds until /_stcore/health answered) for a server on ``db_url``.

    ``script`` (default app.py) is what runs; ``port`` (default: a free one) and ``extra_args`` (e.g.
    ``("--secrets.files", path)``) go to ``streamlit run``; ``cwd`` (default: this checkout) is where it runs,
    so another checkout's app imports its own kam_core (tests/e2e/shoot_before.py).
    """
    port = port or free_port()
    env = os.environ | {"KAM_DATABASE_URL": db_url, "KAM_DEFAULT_LANG": "en"}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script or (cwd or ROOT) / "app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        *extra_args,
    ]
    proc = subprocess.Popen(cmd, cwd=cwd or ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    started = time.perf_counter()
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{proc.stdout.read()}")
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() - started > timeout:
                raise TimeoutError("streamlit did not answer /_stcore/health")
            time.sleep(0.2)
        yield base, time.perf_counter() - started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")
