"""The API through PgBouncer in transaction mode (docs/pgbouncer.ini, in front of the
throwaway primary of tests/pgcluster.py): migrations from several processes at once take the
lock and leave none held, and a run of requests, each transaction on whichever server
connection PgBouncer hands out, keeps the session's settings (UTC) and never trips over
session state (prepared statements, locks, timeouts) left on another connection."""

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app import migrate
from app.config import Settings
from app.db.session import make_engine, make_session_factory, session_scope
from app.main import create_app
from app.services.keys import Scope, create_key
from tests.factories import article_payload
from tests.helpers import free_port
from tests.pgcluster import Cluster, _as_owner

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "pgbouncer.ini"
DATABASE = "bouncer"
# A server default other than UTC: a session that lost its own setting would show it.
SERVER_ZONE = "Pacific/Chatham"


def _pgbouncer() -> str | None:
    return shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )


@pytest.fixture(scope="module")
def bouncer(pg_cluster: Cluster) -> Iterator[str]:
    """PgBouncer with the sample configuration (its own port, trust authentication) in front of
    a database of the cluster's primary whose default time zone is not UTC; its URL."""
    binary = _pgbouncer()
    if binary is None:
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    admin = create_engine(pg_cluster.url(pg_cluster.primary_port, "postgres"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}"'))
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        conn.execute(text(f"ALTER DATABASE \"{DATABASE}\" SET timezone = '{SERVER_ZONE}'"))
    admin.dispose()
    root = Path(tempfile.mkdtemp(prefix="defcoop-bouncer-", dir=pg_cluster.root))
    shutil.chown(root, "postgres") if os.geteuid() == 0 else None
    port = free_port()
    config = root / "pgbouncer.ini"
    # the sample, with what differs here put in place of its own values
    overrides = {
        "listen_port": str(port),
        "default_pool_size": "3",
        "auth_type": "trust",
        "auth_file": str(root / "users.txt"),
        "logfile": str(root / "pgbouncer.log"),
        "pidfile": str(root / "pgbouncer.pid"),
    }
    lines = []
    for line in SAMPLE.read_text().splitlines():
        name = line.partition("=")[0].strip()
        if name == "defcoop":  # the one database entry
            line = f"{DATABASE} = host=127.0.0.1 port={pg_cluster.primary_port} dbname={DATABASE}"
        elif name in overrides:
            line = f"{name} = {overrides.pop(name)}"
        lines.append(line)
    assert overrides == {}, f"the sample no longer sets {sorted(overrides)}"
    lines.append(f"unix_socket_dir = {root}")
    config.write_text("\n".join(lines) + "\n")
    (root / "users.txt").write_text('"postgres" ""\n')
    for path in root.iterdir():
        shutil.chown(path, "postgres") if os.geteuid() == 0 else None
    process = subprocess.Popen(
        [*_as_owner(), binary, str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/{DATABASE}"
    try:
        _wait_answering(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_answering(url: str, process: subprocess.Popen[bytes], within_s: float = 20) -> None:
    engine = create_engine(url, connect_args={"connect_timeout": 2})
    deadline = time.monotonic() + within_s
    try:
        while True:
            try:
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                return
            except Exception:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    raise RuntimeError(f"pgbouncer did not answer: {output}") from None
                time.sleep(0.1)
    finally:
        engine.dispose()


def test_migrations_from_several_processes_through_pgbouncer_take_the_lock_and_release_it(
    bouncer: str, pg_cluster: Cluster
) -> None:
    errors: list[BaseException] = []

    def upgrade() -> None:
        try:
            migrate.upgrade(bouncer)
        except BaseException as error:  # the test reads them below
            errors.append(error)

    threads = [threading.Thread(target=upgrade) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a migration waits for a lock"
    assert errors == []
    engine = make_engine(bouncer)
    assert migrate.current_revision(engine) == migrate.head_revision(bouncer)
    engine.dispose()
    # no server connection of PgBouncer's pool is left holding the migration lock
    primary = create_engine(pg_cluster.url(pg_cluster.primary_port, DATABASE))
    with primary.connect() as conn:
        held = conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"))
        assert held.scalar() == 0
    primary.dispose()


def test_requests_through_pgbouncer_in_transaction_mode_keep_their_settings(
    bouncer: str,
) -> None:
    migrate.upgrade(bouncer)
    settings = Settings(
        database_url=bouncer,
        database_prepared_statements=False,
        rate_limit_reads="1000000/minute",
        rate_limit_writes="1000000/minute",
        db_time_limit_s=5,
    )
    engine = make_engine(bouncer, prepared_statements=False, pool_size=4)
    with session_scope(make_session_factory(engine)) as session:
        key = create_key(session, name="bouncer", scope=Scope.write).secret
    # the database's own default shows where a session did not set its zone ...
    plain = create_engine(bouncer)
    with plain.connect() as conn:
        assert conn.execute(text("SHOW TimeZone")).scalar() == SERVER_ZONE
    plain.dispose()
    # ... and ours are UTC on every server connection of the pool (three at once: all of them)
    with ExitStack() as stack:
        connections = [stack.enter_context(engine.begin()) for _ in range(3)]
        zones = {conn.execute(text("SHOW TimeZone")).scalar() for conn in connections}
    engine.dispose()
    assert zones == {"UTC"}
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app(settings), headers=headers) as client:
        ids = []
        for number in range(4):
            payload = article_payload(number + 1, url=f"https://example.org/bouncer/{number}")
            created = client.post("/v1/articles", json=payload)
            assert created.status_code == 201, created.text
            ids.append(created.json()["id"])
        # far more transactions than server connections, each statement repeated often
        # enough that psycopg would prepare it, from several threads at once
        failures: list[str] = []

        def read(rounds: int) -> None:
            try:
                reads(rounds)
            except Exception as error:  # a server error the test client raised
                failures.append(repr(error))

        def reads(rounds: int) -> None:
            for _ in range(rounds):
                for article_id in ids:
                    answer = client.get(f"/v1/articles/{article_id}")
                    if answer.status_code != 200:
                        failures.append(answer.text)
                    elif not answer.json()["created_at"].endswith(("Z", "+00:00")):
                        failures.append(f"not UTC: {answer.json()['created_at']}")
                listed = client.get("/v1/articles", params={"limit": 10})
                if listed.status_code != 200:
                    failures.append(listed.text)

        threads = [threading.Thread(target=read, args=(8,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)
        assert failures == []
        deleted = client.delete(f"/v1/articles/{ids[0]}")
        assert deleted.status_code == 204, deleted.text
        assert client.get(f"/v1/articles/{ids[0]}").status_code == 404
