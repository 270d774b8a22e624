"""Time limits on database work: SQLite's progress handler, PostgreSQL's statement_timeout.

Limits nest: a search's own limit inside a request's limit. The tightest deadline wins, and
leaving a limit restores the one around it. A statement the limit stops becomes a 503
(ServiceUnavailable) as it leaves the limit; `is_timeout` is the one test of such a stop.

The deadlines belong to the session, not to its connection: entering a limit does not start a
transaction (a writing request takes SQLite's write lock at its first statement, not before its
extraction), and the connection gets them when the session's transaction begins on it.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, SessionTransaction

from app.errors import ServiceUnavailable

_DEADLINES = "defcoop_deadlines"
_QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for statement_timeout (and cancellation)
TOO_LONG = "The request took longer than its time limit; narrow it and try again."


def is_timeout(exc: BaseException) -> bool:
    """Whether the database stopped a statement for its time limit: SQLite's progress handler
    interrupts it, PostgreSQL cancels it (statement_timeout). SQLite's interrupt can roll the
    whole transaction back, so the savepoint rollback after it fails ("no such savepoint"):
    the errors it was raised during count too."""
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OperationalError) and _stopped(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def _stopped(error: OperationalError) -> bool:
    if getattr(error.orig, "sqlstate", None) == _QUERY_CANCELED:
        return True
    message = str(error.orig if error.orig is not None else error).lower()
    return "interrupted" in message or "statement timeout" in message


@contextmanager
def time_limit(
    session: Session, seconds: float, *, detail: str = TOO_LONG, retry_after: int = 2
) -> Iterator[Callable[[], None]]:
    """Statements run inside are stopped once `seconds` have passed, and work that is not the
    database's calls the check this yields between its steps: either way a 503 with `detail`."""
    deadlines: list[float] = session.info.setdefault(_DEADLINES, [])
    deadline = time.monotonic() + seconds
    deadlines.append(deadline)

    def stopped() -> ServiceUnavailable:
        return ServiceUnavailable(detail, headers={"Retry-After": str(retry_after)})

    def check() -> None:
        if time.monotonic() > deadline:
            raise stopped()

    try:
        _apply_to(session, deadlines)
        yield check
    except OperationalError as error:
        if is_timeout(error):
            raise stopped() from error
        raise
    finally:
        deadlines.pop()
        _apply_to(session, deadlines)


@event.listens_for(Session, "after_begin")
def _on_begin(session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    deadlines: list[float] | None = session.info.get(_DEADLINES)
    if deadlines:
        _apply(connection, deadlines)


def _apply_to(session: Session, deadlines: list[float]) -> None:
    """The deadlines onto the connection the session's transaction holds, if it holds one yet
    (otherwise `_on_begin` applies them when it does)."""
    transaction = session.get_transaction()
    if transaction is None:
        return
    for connection in _connections(transaction):
        if not connection.closed and not connection.invalidated:
            try:
                _apply(connection, deadlines)
            except DBAPIError as error:
                # in a failed transaction the reset fails too; the rollback drops the limit
                # anyway. A lost connection (a replica stopping) is raised: swallowed, it would
                # surface at the commit as a PendingRollbackError, a 500 instead of a 503
                if error.connection_invalidated:
                    raise


def _connections(transaction: SessionTransaction) -> list[Connection]:
    # each connection is there twice, under itself and under its engine: once each here (on
    # PostgreSQL every limit's change was sent twice)
    return list({id(conn): conn for conn, *_ in transaction._connections.values()}.values())


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
    deadlines: list[float] = session.info.get(_DEADLINES, [])
    entered, started = list(deadlines), time.monotonic()
    try:
        yield
    finally:
        if deadlines:  # as on entry, later by the time inside (nested ones moved them too)
            moved = time.monotonic() - started
            deadlines[:] = [deadline + moved for deadline in entered]
            _apply_to(session, deadlines)
