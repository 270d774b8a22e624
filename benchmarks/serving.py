"""A real `defcoop serve` process for the benchmarks: started on a free port, ready, stopped."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def defcoop() -> str:
    return str(Path(sys.executable).parent / "defcoop")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """(base url, server pid) of uvicorn with one worker, once /healthz answers."""
    port = free_port()
    server = subprocess.Popen([defcoop(), "serve", "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=10)
