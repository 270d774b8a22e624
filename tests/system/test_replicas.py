"""Read replicas on a real primary and streaming replica (tests/pgcluster.py): reads go to the
replica, a client's commit token makes its reads see its writes, a stopped or lagging replica
leaves the rotation and comes back, and /readyz and /metrics show each replica's lag."""

import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from app import migrate
from app.config import Settings
from app.db.session import make_engine, make_session_factory, session_scope
from app.main import create_app
from app.services.keys import Scope, create_key
from tests.factories import article_payload
from tests.helpers import assert_problem
from tests.pgcluster import Cluster

_numbers = itertools.count(1)
ClientMaker = Callable[..., Any]


@pytest.fixture(scope="module")
def primary_key(pg_cluster: Cluster) -> str:
    """The cluster's database migrated (on the primary; the replica follows), and a write key."""
    migrate.upgrade(pg_cluster.primary_url)
    engine = make_engine(pg_cluster.primary_url)
    with session_scope(make_session_factory(engine)) as session:
        key = create_key(session, name="replicas", scope=Scope.write).secret
    engine.dispose()
    pg_cluster.wait_replayed()
    return key


@pytest.fixture
def replica_client(pg_cluster: Cluster, primary_key: str) -> Iterator[ClientMaker]:
    """Make a client of an app over the primary and its replica (settings as keywords)."""

    @contextmanager
    def make(**overrides: Any) -> Iterator[TestClient]:
        settings = Settings(
            database_url=pg_cluster.primary_url,
            database_replica_urls=[pg_cluster.replica_url],
            replica_check_interval_s=0.1,
            rate_limit_reads="1000000/minute",
            rate_limit_writes="1000000/minute",
            **overrides,
        )
        headers = {"Authorization": f"Bearer {primary_key}"}
        with TestClient(create_app(settings), headers=headers) as client:
            yield client

    yield make
    # a test that failed half-way must not leave the next one a stopped or paused replica
    if not pg_cluster.is_running(pg_cluster.replica_dir):
        pg_cluster.start_replica()
    pg_cluster.replica_sql("SELECT pg_wal_replay_resume()")


def _write(client: TestClient) -> tuple[int, str]:
    """A new article through the API: its id and the answer's commit token."""
    n = next(_numbers)
    payload = article_payload(n % 28 + 1, url=f"https://replicas.example/{uuid.uuid4().hex}")
    response = client.post("/v1/articles", json=payload)
    assert response.status_code == 201, response.text
    return response.json()["id"], response.headers["X-Commit-Token"]


def _replicas(client: TestClient) -> list[dict[str, Any]]:
    body = client.get("/readyz").json()
    replicas: list[dict[str, Any]] = body["replicas"]
    return replicas


def _until(check: Callable[[], bool], within_s: float = 10) -> None:
    deadline = time.monotonic() + within_s
    while not check():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.05)


def _reads_of(client: TestClient, replica: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(f'defcoop_replica_reads_total{{replica="{replica}"}}'):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no read count for {replica}")


def test_a_write_answer_carries_a_token_and_a_read_with_it_sees_the_write(
    replica_client: ClientMaker,
) -> None:
    with replica_client() as client:
        for _ in range(20):  # the replica is a few milliseconds behind: the token must cover it
            article_id, token = _write(client)
            read = client.get(f"/v1/articles/{article_id}", headers={"X-Commit-Token": token})
            assert read.status_code == 200, read.text


def test_reads_go_to_the_replica_and_the_token_sends_a_stale_one_to_the_primary(
    pg_cluster: Cluster, replica_client: ClientMaker
) -> None:
    with replica_client(replica_max_lag_seconds=60) as client:
        name = _replicas(client)[0]["name"]
        pg_cluster.replica_sql("SELECT pg_wal_replay_pause()")
        article_id, token = _write(client)
        # without the token the paused replica answers: it has not replayed the write
        assert client.get(f"/v1/articles/{article_id}").status_code == 404
        before = _reads_of(client, "primary")
        fresh = client.get(f"/v1/articles/{article_id}", headers={"X-Commit-Token": token})
        assert fresh.status_code == 200
        assert _reads_of(client, "primary") == before + 1
        pg_cluster.replica_sql("SELECT pg_wal_replay_resume()")
        # once replayed, the replica serves the read with the token too
        _until(lambda: client.get(f"/v1/articles/{article_id}").status_code == 200)
        served = _reads_of(client, name)
        assert (
            client.get(f"/v1/articles/{article_id}", headers={"X-Commit-Token": token}).status_code
            == 200
        )
        assert _reads_of(client, name) == served + 1


def test_a_malformed_token_is_a_400_naming_the_header(replica_client: ClientMaker) -> None:
    with replica_client() as client:
        for token in ("", "16B3748", "0/xyz", "0/1/2", "123456789/0", "-1/0"):
            response = client.get("/v1/articles", headers={"X-Commit-Token": token})
            assert_problem(response, 400, "X-Commit-Token")


def test_a_stopped_replica_leaves_the_rotation_and_comes_back(
    pg_cluster: Cluster, replica_client: ClientMaker
) -> None:
    with replica_client() as client:
        name = _replicas(client)[0]["name"]
        assert _replicas(client)[0]["in_rotation"] is True
        pg_cluster.stop_replica()
        # at once, before any check notices: no read fails, the primary serves them
        for _ in range(5):
            assert client.get("/v1/articles").status_code == 200
        _until(lambda: _replicas(client)[0]["in_rotation"] is False)
        down = _replicas(client)[0]
        assert down["reachable"] is False and down["reason"]
        assert f'defcoop_replica_in_rotation{{replica="{name}"}} 0.0' in client.get("/metrics").text
        article_id, token = _write(client)  # a write meanwhile, caught up on restart
        started = time.monotonic()
        assert client.get(f"/v1/articles/{article_id}").status_code == 200
        assert time.monotonic() - started < 1  # the dead replica is not waited on
        pg_cluster.start_replica()
        _until(lambda: _replicas(client)[0]["in_rotation"] is True)
        served = _reads_of(client, name)
        read = client.get(f"/v1/articles/{article_id}", headers={"X-Commit-Token": token})
        assert read.status_code == 200
        assert _reads_of(client, name) == served + 1


def test_readyz_and_metrics_show_the_lag_and_a_lagging_replica_leaves_the_rotation(
    pg_cluster: Cluster, replica_client: ClientMaker
) -> None:
    with replica_client(replica_max_lag_seconds=1) as client:
        name = _replicas(client)[0]["name"]
        _until(lambda: _replicas(client)[0]["lag_seconds"] == 0)
        pg_cluster.replica_sql("SELECT pg_wal_replay_pause()")
        article_id, _token = _write(client)
        _until(lambda: _replicas(client)[0]["in_rotation"] is False)
        lagging = _replicas(client)[0]
        assert lagging["reachable"] is True and lagging["lag_seconds"] > 1
        assert lagging["behind_bytes"] > 0 and "lags" in lagging["reason"]
        metrics = client.get("/metrics").text
        lag_line = next(
            line
            for line in metrics.splitlines()
            if line.startswith(f'defcoop_replica_lag_seconds{{replica="{name}"}}')
        )
        assert float(lag_line.rsplit(" ", 1)[1]) > 1
        # out of rotation, reads are the primary's: the write is seen without a token
        assert client.get(f"/v1/articles/{article_id}").status_code == 200
        pg_cluster.replica_sql("SELECT pg_wal_replay_resume()")
        _until(lambda: _replicas(client)[0]["in_rotation"] is True)
        assert _replicas(client)[0]["lag_seconds"] == 0


@pytest.mark.parametrize("at", ["query", "commit"])
@pytest.mark.parametrize(
    "path", ["/v1/articles", "/v1/articles/{id}", "/v1/search?q=talks", "/v1/dyads/AZE-TUR"]
)
def test_a_replica_lost_in_the_middle_of_a_read_is_a_503_with_retry_after(
    pg_cluster: Cluster, replica_client: ClientMaker, path: str, at: str
) -> None:
    """What a read on the replica answers when the replica goes (`pg_ctl stop -m fast`
    terminates its backends, as pg_terminate_backend does): a 503 the client may retry, and the
    next read is served. `query`: at the read's first query; `commit`: after its queries (and
    a search's lifted time limit, `SET LOCAL statement_timeout`), just before the commit; found
    by benchmarks/fault_run.py as a 500 (PendingRollbackError at the commit)."""
    with replica_client() as client:
        article_id, _token = _write(client)
        pg_cluster.wait_replayed()
        path = path.format(id=article_id)
        replicas = client.app.state.replicas
        # the checks stop (the replica stays in rotation as last found): their thread runs
        # statements on the replica's engine, whose listeners must not change under it
        replicas.stop()
        replica = replicas.replicas[0]
        terminated: list[int] = []

        def terminate(conn: Any) -> None:
            pid = conn.connection.dbapi_connection.info.backend_pid
            terminated.append(pid)
            pg_cluster.replica_sql(f"SELECT pg_terminate_backend({pid}, 5000)")

        def at_query(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if not terminated and not statement.startswith("SET"):
                terminate(conn)

        def at_commit(conn: Any) -> None:
            if not terminated:
                terminate(conn)

        name, listener = (
            ("before_cursor_execute", at_query) if at == "query" else ("commit", at_commit)
        )
        event.listen(replica.engine, name, listener)
        try:
            lost = client.get(path)
        finally:
            event.remove(replica.engine, name, listener)
        assert terminated, "the read did not go to the replica"
        assert_problem(lost, 503)
        assert int(lost.headers["Retry-After"]) >= 1
        assert client.get(path).status_code == 200
