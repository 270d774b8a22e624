"""An expert's raw query is a 400 only when the engine refused the query itself: the same
exception classes also carry a lost connection, a time limit or a busy database, which are the
database's trouble (a 503), never the client's."""

import sqlite3
from contextlib import nullcontext
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.errors import InvalidQuery
from app.search.engines import _validated


class _Refusing:
    """A session whose every statement fails with `error`."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def begin_nested(self) -> Any:
        return nullcontext()

    def execute(self, *_args: Any, **_kwargs: Any) -> None:
        raise self.error


class _Coded(Exception):
    """A driver error with PostgreSQL's SQLSTATE, as psycopg's carry it."""

    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


STATEMENT = text("SELECT 1")


def _validate(error: Exception) -> None:
    _validated(_Refusing(error), STATEMENT, "navy NEAR(", "FTS5")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("q", {}, sqlite3.OperationalError('fts5: syntax error near "("')),
        OperationalError("q", {}, sqlite3.OperationalError("no such column: navy")),
        ProgrammingError("q", {}, _Coded("syntax error in tsquery", "42601")),
    ],
    ids=["fts5 syntax", "fts5 column", "tsquery syntax"],
)
def test_a_query_the_engine_refuses_is_the_clients_error(error: Exception) -> None:
    with pytest.raises(InvalidQuery) as refused:
        _validate(error)
    assert refused.value.errors[0]["field"] == "q"


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("q", {}, sqlite3.OperationalError("database is locked")),
        OperationalError("q", {}, sqlite3.OperationalError("interrupted")),
        OperationalError("q", {}, _Coded("canceling statement due to statement timeout", "57014")),
        OperationalError("q", {}, _Coded("terminating connection", "57P01")),
        OperationalError("q", {}, _Coded("server closed the connection", "08006")),
        OperationalError("q", {}, Exception("SSL SYSCALL error"), connection_invalidated=True),
    ],
    ids=["locked", "interrupted", "timeout", "admin shutdown", "connection", "invalidated"],
)
def test_the_databases_trouble_is_not_a_bad_query(error: Exception) -> None:
    with pytest.raises(type(error)):
        _validate(error)
