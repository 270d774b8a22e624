"""Engines, session factories and the CLI's transaction boundary."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from app.db.changefeed import track_changes

WRITE_OPTION = "defcoop_writes"  # execution option: this transaction will write


def writing_session(factory: sessionmaker[Session]) -> Session:
    """A session whose transaction, once its first statement begins it, is a writing one
    (SQLite: BEGIN IMMEDIATE). Nothing is begun before: work before the first statement (a
    page's extraction) does not hold the write lock."""
    return factory(execution_options={WRITE_OPTION: True})


_CACHES = "defcoop_caches"


def session_cache(session: Session, name: str) -> dict[Any, Any]:
    """A lookup table that lives as long as the session's work: any rollback (a savepoint's
    too) empties it, since the objects in it may then be gone."""
    caches: dict[str, dict[Any, Any]] = session.info.setdefault(_CACHES, {})
    return caches.setdefault(name, {})


@event.listens_for(Session, "after_soft_rollback")
def _forget_caches(session: Session, _previous: Any) -> None:
    session.info.pop(_CACHES, None)


def _session_in_utc(dbapi_connection: Any, _record: Any) -> None:
    # Timestamps are read in the session's time zone: in any other than UTC, one stored at
    # 0001-01-01 or 9999-12-31 UTC falls outside years 1 to 9999, which Python cannot hold.
    # SET outside a transaction, so no rollback undoes it (as PGTZ, or a server default, may).
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
    dbapi_connection.autocommit = autocommit


_IDLE_SINCE = "defcoop_idle_since"


def _ping_when_idle(engine: Engine, idle_s: float) -> None:
    """SQLAlchemy's pre-ping (SQLAlchemy's recipe for a custom one: raising DisconnectionError
    at checkout makes the pool connect afresh), for connections idle `idle_s` or longer only.
    One back from a request a moment ago was working then: a ping before each request cost a
    round trip, the most of any single step of a search on PostgreSQL but its own query. A
    server that went away since is seen by the next request on it, as by one that was running."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)  # none yet: connected just now
        if since is None or time.monotonic() - since < idle_s:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(str(error)) from error
        if not alive:
            raise DisconnectionError("the connection did not answer a ping")


def make_engine(
    url: str,
    *,
    busy_timeout_ms: int = 5000,
    prepared_statements: bool = True,
    ping_after_idle_s: float | None = None,
    **kwargs: Any,
) -> Engine:
    """Create an engine; on SQLite, turn on foreign keys, WAL and real SAVEPOINTs; on
    PostgreSQL, sessions in UTC, and with `prepared_statements=False` none prepared on the
    server (psycopg prepares a statement run five times on a connection; a pooler in
    transaction mode, such as PgBouncer before 1.21, hands the next transaction another
    server connection, where that statement does not exist).

    On PostgreSQL a connection taken from the pool is checked first (SELECT 1; a dead one is
    replaced): every time, or with `ping_after_idle_s` only one that has lain unused that long.
    """
    if not url.startswith("sqlite"):
        if not prepared_statements:
            connect_args = {**kwargs.pop("connect_args", {}), "prepare_threshold": None}
            kwargs["connect_args"] = connect_args
        always = ping_after_idle_s is None
        pg_engine = create_engine(url, pool_pre_ping=always, **kwargs)
        event.listen(pg_engine, "connect", _session_in_utc)
        if ping_after_idle_s is not None:
            _ping_when_idle(pg_engine, ping_after_idle_s)
        return pg_engine
    engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy's documented
        # recipe is to switch it off and emit BEGIN ourselves (see "Serializable
        # isolation / Savepoints / Transactional DDL" in the SQLite dialect docs).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if ":memory:" not in url and "mode=memory" not in url:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, _record: Any) -> None:
        # A time limit's progress handler (app.db.limits) ends with the work it limits: a
        # request commits inside its limit, so the connection comes back with the handler on,
        # and the next work on it, limited or not, must not inherit a past deadline.
        if dbapi_connection is not None:
            dbapi_connection.set_progress_handler(None, 0)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A transaction that will write takes the write lock up front (BEGIN IMMEDIATE): a
        # deferred one that read first cannot wait for the lock later and fails as "locked".
        immediate = connection.get_execution_options().get(WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that record every change they flush in the change feed."""
    return track_changes(sessionmaker(bind=engine, expire_on_commit=False, autoflush=False))


@contextmanager
def session_scope(factory: sessionmaker[Session], *, write: bool = True) -> Iterator[Session]:
    """The unit of work (the CLI's; a request's is deps.get_session): commit on success, roll
    back on any error."""
    with transaction(writing_session(factory) if write else factory()) as session:
        yield session


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit the session's work on success, roll back on any error, close it either way."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
