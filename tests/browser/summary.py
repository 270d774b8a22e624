"""Where the browser tests put their screenshots, and the lines that list them at the end of
a run. The hooks live here, free of Playwright, so that the suite's top conftest can take
them too: under pytest-xdist only the main process prints the summary, and it collects no
tests, so it never loads tests/browser/conftest.py (unless tests/browser is named)."""

import os
import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT

SCREENSHOTS = Path(
    os.environ.get("DEFCOOP_SCREENSHOTS") or ROOT / "tests" / "browser" / "screenshots"
)
STARTED = pytest.StashKey[float]()
LISTED = pytest.StashKey[bool]()


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash.setdefault(STARTED, time.time())


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The screenshots this run wrote (the folder may hold older ones too), listed once
    however many conftests took this hook."""
    if config.stash.get(LISTED, False) or not SCREENSHOTS.is_dir():
        return
    config.stash[LISTED] = True
    since = config.stash.get(STARTED, 0.0)
    shots = sorted(p.name for p in SCREENSHOTS.glob("*.png") if p.stat().st_mtime >= since)
    if shots:
        terminalreporter.write_sep("-", f"explorer screenshots: {len(shots)} in {SCREENSHOTS}")
        terminalreporter.write_line("  ".join(shots))
