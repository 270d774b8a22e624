"""A writing request takes SQLite's write lock at its first statement, not when it starts: the
page's extraction before it holds no other writer up. Its time limits still apply from the
statement that begins the transaction."""

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from app.api.routes import articles
from app.config import Settings
from app.db.limits import time_limit
from app.db.session import session_scope
from app.errors import ServiceUnavailable
from tests.helpers import ON_POSTGRES

DB = tuple[Settings, Engine, sessionmaker[Session]]
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's write lock")


def _lock_is_free(settings: Settings) -> bool:
    """Whether another connection can take the write lock at once."""
    path = Path(settings.database_url.removeprefix("sqlite:///"))
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    finally:
        other.close()


@sqlite_only
def test_a_writing_session_takes_the_lock_at_its_first_statement(db: DB) -> None:
    settings, _engine, factory = db
    with session_scope(factory) as session, time_limit(session, 5):
        assert _lock_is_free(settings)
        session.execute(text("SELECT 1"))
        assert not _lock_is_free(settings)  # BEGIN IMMEDIATE, though it only read so far
    assert _lock_is_free(settings)


def test_a_limit_entered_before_the_transaction_stops_its_statements(db: DB) -> None:
    _settings, _engine, factory = db
    slow = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
        if not ON_POSTGRES
        else "SELECT pg_sleep(5)"
    )
    started = time.monotonic()
    with (
        pytest.raises(ServiceUnavailable),
        session_scope(factory) as session,
        time_limit(session, 0.2),
    ):
        session.execute(text(slow))
    assert time.monotonic() - started < 3


@sqlite_only
def test_a_post_extracts_before_it_takes_the_write_lock(
    client: TestClient, db: DB, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = db[0]
    seen: list[bool] = []
    prepare = articles.prepare_article

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(_lock_is_free(settings))
        return prepare(*args, **kwargs)

    monkeypatch.setattr(articles, "prepare_article", watched)
    body = {"url": "https://lock.example/1", "body": "Chile and Peru signed a pact in Lima."}
    response = client.post("/v1/articles", json=body)
    assert response.status_code == 201, response.text
    assert seen == [True]


postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="a server that drops connections")


@postgres_only
@pytest.mark.parametrize("idle_s", [0.0, 3600.0])
def test_a_connection_idle_past_the_bound_is_pinged_and_replaced_when_dead(idle_s: float) -> None:
    from sqlalchemy.exc import OperationalError

    from app.db.session import make_engine
    from tests.helpers import TEST_URL

    engine = make_engine(TEST_URL, ping_after_idle_s=idle_s, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            pid = conn.scalar(text("SELECT pg_backend_pid()"))
        with engine.connect() as other:  # the pooled one again: pinged only when idle_s is 0
            assert other.scalar(text("SELECT pg_backend_pid()")) == pid
        killer = make_engine(TEST_URL)
        with killer.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killer.dispose()
        time.sleep(0.2)
        with engine.connect() as conn:
            if idle_s == 0:  # idle long enough: the ping finds it dead, a new one answers
                assert conn.scalar(text("SELECT pg_backend_pid()")) != pid
            else:  # used a moment ago: taken unchecked, and the statement meets the loss
                with pytest.raises(OperationalError):
                    conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()
