"""What several test modules share: paths, the database under test, problem checks, a server."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
EVAL = SHARED / "eval"
BIN = Path(sys.executable).parent  # defcoop, and the python the tour's json picking runs on
PROBLEM = "application/problem+json"

# The database the suite was pointed at; on PostgreSQL it is also where the per-worker
# databases are created from, so that `pytest -n` workers never migrate one schema together.
ADMIN_URL = os.environ.get("DEFCOOP_TEST_DATABASE_URL", "")
ON_POSTGRES = ADMIN_URL.startswith("postgresql")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _worker_url(url: str) -> str:
    """The database URL this process tests against: the given one, or a per-xdist-worker copy."""
    if not ON_POSTGRES or not WORKER:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(hide_password=False)


TEST_URL = _worker_url(ADMIN_URL)


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """The problem+json body of a response with this status (naming `field`, when given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    if field is not None:
        assert field in {e["field"] for e in body["errors"]}, body
    return body


def free_port() -> int:
    """A TCP port nobody listens on now (the kernel's pick, so parallel workers differ)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(
    url: str,
    tmp_path: Path,
    command: str = "serve",
    ready_s: float = 30,
    settings: dict[str, str] | None = None,
) -> Iterator[str]:
    """`defcoop COMMAND` (serve, or demo: load the samples first) on a free port; its base url."""
    port = free_port()
    env = {
        **os.environ,
        "DEFCOOP_DATABASE_URL": url,
        "DEFCOOP_LOG_LEVEL": "warning",
        "DEFCOOP_RATE_LIMIT_READS": "1000000/minute",
        "DEFCOOP_RATE_LIMIT_WRITES": "1000000/minute",
        **(settings or {}),
    }
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [str(BIN / "defcoop"), command, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_s
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "server.log").read_text())
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
