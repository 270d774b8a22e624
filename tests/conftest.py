"""Fixtures: a freshly migrated database per test, on SQLite (default) or PostgreSQL.

Set DEFCOOP_TEST_DATABASE_URL=postgresql+psycopg://user@host/db to run on PostgreSQL.
SQLite: the schema is migrated once into a template file, copied for each test.
PostgreSQL: migrated once; each test runs inside an outer transaction that is rolled back.
Under pytest-xdist each worker has its own template file (a per-worker temporary directory)
or its own PostgreSQL database (`<db>_gw0`, ...), created here and dropped at the end.
"""

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from app import migrate
from app.config import Settings
from app.db.changefeed import track_changes
from app.db.session import make_engine, make_session_factory, session_scope
from app.main import create_app
from app.search import topk
from app.services.keys import Scope, create_key
from tests.browser.summary import pytest_sessionstart, pytest_terminal_summary  # noqa: F401
from tests.helpers import ADMIN_URL, EVAL, ON_POSTGRES, TEST_URL, running
from tests.pgcluster import pg_cluster  # noqa: F401  (a fixture: the primary and its replica)

settings.register_profile("ci", max_examples=150)
settings.register_profile("thorough", max_examples=3000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_report_header() -> str:
    return f"defcoop database: {'PostgreSQL ' + make_url(TEST_URL).database if ON_POSTGRES else 'SQLite'}"


@pytest.fixture(autouse=True)
def _forget_search_indexes() -> Iterator[None]:
    """The index handles a test opened, dropped from the process-wide registry after it."""
    # The registry (a handle, and a tantivy writer with its memory, per index directory) lives as
    # long as the process; each test's index sits in its own temporary directory, so a handle
    # left behind is never used again and, in a long run or an xdist worker, only piles up.
    before = topk.open_directories()
    yield
    topk.forget(topk.open_directories() - before)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    if not ON_POSTGRES:
        pytest.skip("PostgreSQL only")
    own = TEST_URL != ADMIN_URL  # an xdist worker's database, made for this run
    if own:
        _create_database(make_url(TEST_URL).database)
    migrate.downgrade(TEST_URL, "base")
    migrate.upgrade(TEST_URL)
    engine = make_engine(TEST_URL)
    yield engine
    engine.dispose()
    if own:
        _drop_database(make_url(TEST_URL).database)


def _create_database(name: str | None) -> None:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _drop_database(name: str | None) -> None:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def db(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Settings, Engine, sessionmaker[Session]]]:
    """(settings, engine, session factory) for an isolated, migrated database."""
    if ON_POSTGRES:
        engine: Engine = request.getfixturevalue("postgres_engine")
        connection = engine.connect()
        outer = connection.begin()
        factory = track_changes(
            sessionmaker(
                bind=connection,
                join_transaction_mode="create_savepoint",
                expire_on_commit=False,
                autoflush=False,
            )
        )
        yield Settings(database_url=TEST_URL), engine, factory
        outer.rollback()
        connection.close()
        return
    template: Path = request.getfixturevalue("sqlite_template")
    path = tmp_path / "test.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    yield Settings(database_url=url), engine, make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def app(db: tuple[Settings, Engine, sessionmaker[Session]]) -> FastAPI:
    settings, engine, factory = db
    application = create_app(settings, engine=engine)
    application.state.session_factory = factory
    return application


@pytest.fixture
def write_key(db: tuple[Settings, Engine, sessionmaker[Session]]) -> str:
    """A write-scoped API key in the test database."""
    with db[2]() as session:
        secret = create_key(session, name="tests", scope=Scope.write).secret
        session.commit()
    return secret


@pytest.fixture
def client(app: FastAPI, write_key: str) -> Iterator[TestClient]:
    """A client that sends a write key (tests of access control use their own clients)."""
    with TestClient(app, headers={"Authorization": f"Bearer {write_key}"}) as test_client:
        yield test_client


@pytest.fixture
def session(db: tuple[Settings, Engine, sessionmaker[Session]]) -> Iterator[Session]:
    with db[2]() as s:
        yield s


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database (not migrated), dropped afterwards."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    name = f"defcoop_scratch_{uuid.uuid4().hex[:12]}"
    _create_database(name)
    yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    _drop_database(name)


@pytest.fixture
def server_settings() -> dict[str, str]:
    """DEFCOOP_ settings of the `server` fixture's process beyond the test defaults."""
    return {}


@pytest.fixture
def server(
    scratch_url: str, tmp_path: Path, server_settings: dict[str, str]
) -> Iterator[tuple[str, str]]:
    """A real `defcoop serve` on a new migrated database: (base url, write key)."""
    migrate.upgrade(scratch_url)
    engine = make_engine(scratch_url)
    with session_scope(make_session_factory(engine)) as session:
        key = create_key(session, name="e2e", scope=Scope.write).secret
    engine.dispose()
    with running(scratch_url, tmp_path, settings=server_settings) as base:
        yield base, key


@pytest.fixture
def eval_articles() -> list[dict[str, str]]:
    path = EVAL / "articles.jsonl"
    if not path.exists():
        pytest.skip("../shared/eval is not present")
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


@pytest.fixture
def scorer(eval_articles: list[dict[str, str]]) -> Any:
    """../shared/eval/score.py, imported as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("score", EVAL / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
