"""Alembic, driven from code: used by the CLI, /readyz and the tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

# pg_advisory_xact_lock's key for "migrating this database" (the bytes of b"defcoopm").
MIGRATION_LOCK_KEY = 0x646566636F6F706D


def _script_location() -> Path:
    packaged = Path(__file__).parent / "_migrations"  # a wheel install (see pyproject)
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "migrations"  # a source checkout


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_script_location()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate up to `revision`. Several processes may do this at once (replicas starting
    together): one migrates, the others wait for it and then find nothing left to do."""
    with migration_lock(url):
        command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    with migration_lock(url):
        command.downgrade(alembic_config(url), revision)


@contextmanager
def migration_lock(url: str) -> Iterator[None]:
    """Hold this database's migration lock: on PostgreSQL a transaction-level advisory lock,
    in a transaction of its own kept open while Alembic migrates on another connection (a
    session-level lock would not survive a pooler in transaction mode: PgBouncer may run the
    unlock on another server connection, and the lock stays held on the first); on SQLite an
    exclusive lock on a file beside the database (`<file>.migrate-lock`), since two
    migrations' reads of alembic_version would not otherwise be serialised. An in-memory
    database needs none."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.begin() as conn:  # the lock ends with this transaction
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
                yield
        finally:
            engine.dispose()
        return
    database = parsed.database
    if backend != "sqlite" or not database or database == ":memory:" or "mode=memory" in url:
        yield
        return
    import fcntl  # POSIX only, as the Docker image and CI are

    lock_path = Path(database.removeprefix("file:").split("?", 1)[0]).expanduser()
    lock_path = lock_path.with_name(lock_path.name + ".migrate-lock")
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def head_revision(url: str) -> str | None:
    """The newest migration's revision. The scripts are read once a process (15 ms each time:
    /readyz asks on every health check, each second per node behind a load balancer); they
    do not change while it runs, and every database (`url`) has the same history."""
    return _head_of(_script_location())


@lru_cache(maxsize=4)
def _head_of(location: Path) -> str | None:
    config = Config()
    config.set_main_option("script_location", str(location))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_search_object(name: str | None) -> bool:
    """Names of the full-text objects that live outside the ORM models (see 0003_search_index)."""
    return bool(name) and (
        str(name).startswith("article_fts")
        or str(name) in {"search_vector", "ix_article_search_vector"}
    )


# PostgreSQL-only indexes, made by migrations alone (SQLite has no syntax for them)
POSTGRESQL_ONLY = {"ix_article_newest"}  # 0021_newest_first_index


def outside_models(name: str | None) -> bool:
    """Objects the migrations make that the ORM models do not describe: autogenerate and the
    models-match test leave them out."""
    return is_search_object(name) or name in POSTGRESQL_ONLY
