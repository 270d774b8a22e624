"""A time limit on one search: SQLite's progress handler, PostgreSQL's statement_timeout."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session


@contextmanager
def time_limit(session: Session, seconds: float) -> Iterator[None]:
    """Statements run inside are interrupted (OperationalError) once `seconds` have passed."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SET LOCAL statement_timeout = {max(1, int(seconds * 1000))}"))
        try:
            yield
        finally:
            connection.execute(text("SET LOCAL statement_timeout = 0"))
        return
    raw = connection.connection.dbapi_connection
    deadline = time.monotonic() + seconds

    def handler() -> int:
        return 1 if time.monotonic() > deadline else 0

    raw.set_progress_handler(handler, 1_000)  # type: ignore[union-attr]
    try:
        yield
    finally:
        raw.set_progress_handler(None, 0)  # type: ignore[union-attr]
