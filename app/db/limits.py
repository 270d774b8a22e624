"""Time limits on database work: SQLite's progress handler, PostgreSQL's statement_timeout.

Limits nest: a search's own limit inside a request's limit. The tightest deadline wins, and
leaving a limit restores the one around it.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

_DEADLINES = "defcoop_deadlines"


@contextmanager
def time_limit(session: Session, seconds: float) -> Iterator[None]:
    """Statements run inside are interrupted (OperationalError) once `seconds` have passed."""
    connection = session.connection()
    deadlines: list[float] = connection.info.setdefault(_DEADLINES, [])
    deadlines.append(time.monotonic() + seconds)
    try:
        _apply(connection, deadlines)
        yield
    finally:
        deadlines.pop()
        if not connection.closed and not connection.invalidated:
            # in a failed transaction the reset fails too; the rollback drops the limit anyway
            with suppress(DBAPIError):
                _apply(connection, deadlines)


def _apply(connection: Any, deadlines: list[float]) -> None:
    if connection.dialect.name == "postgresql":
        if connection.in_transaction():
            left = (min(deadlines) - time.monotonic()) if deadlines else 0
            milliseconds = max(1, int(left * 1000)) if deadlines else 0
            connection.execute(text(f"SET LOCAL statement_timeout = {milliseconds}"))
        return
    raw = connection.connection.dbapi_connection
    if not deadlines:
        raw.set_progress_handler(None, 0)
        return
    deadline = min(deadlines)
    raw.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 1_000)


@contextmanager
def not_counted(session: Session) -> Iterator[None]:
    """Work inside a time limit that does not count against the work after it: statements
    inside are limited as ever, and on leaving the deadlines move on by the time it took.
    Extraction between statements (no database work), or one chunk of a bulk load (each
    chunk then has the limit's time for its own database work)."""
    connection = session.connection()
    deadlines: list[float] = connection.info.get(_DEADLINES, [])
    entered, started = list(deadlines), time.monotonic()
    try:
        yield
    finally:
        if deadlines:  # as on entry, later by the time inside (nested ones moved them too)
            moved = time.monotonic() - started
            deadlines[:] = [deadline + moved for deadline in entered]
            if not connection.closed and not connection.invalidated:
                with suppress(DBAPIError):
                    _apply(connection, deadlines)
