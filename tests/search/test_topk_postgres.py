"""The top-k index on PostgreSQL: each node's own, fed in commit order in the background.

Each test makes its own database (writes must really commit to be seen by another node's
keeper) and runs one or two API nodes on it, each an app with its own index directory.
"""

import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.orm import Session

from app import migrate
from app.config import Settings
from app.db import feed_order
from app.db.session import make_engine, make_session_factory, session_scope
from app.main import create_app
from app.models import Article, Change
from app.search.query import parse
from app.search.topk import TopKIndex
from app.services import search_index
from app.services.index_keeper import MAX_LAG_S
from app.services.keys import Scope, create_key
from tests.factories import article_payload, make_article, write_change
from tests.helpers import ADMIN_URL, ON_POSTGRES, ROOT

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only")

WITHIN_S = 2.0  # issue 16: committed through any node, searchable on every node within 2 s


@pytest.fixture
def url(scratch_url: str) -> str:
    migrate.upgrade(scratch_url)
    return scratch_url


@pytest.fixture
def key(url: str) -> str:
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        secret = create_key(session, name="nodes", scope=Scope.write).secret
    engine.dispose()
    return secret


@contextmanager
def node(url: str, directory: Path, key: str) -> Iterator[TestClient]:
    """An API node: its own engine, its own index directory, its keeper running."""
    settings = Settings(
        database_url=url,
        search_index_dir=str(directory),
        search_index_poll_s=0.05,
        rate_limit_reads="1000000/minute",
        rate_limit_writes="1000000/minute",
    )
    app = create_app(settings)
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        yield client


def search(client: TestClient, q: str) -> dict[str, Any]:
    response = client.get("/v1/search", params={"q": q})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def found(client: TestClient, q: str) -> set[int]:
    return {item["id"] for item in search(client, q)["items"]}


def index_state(client: TestClient) -> dict[str, Any]:
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    state: dict[str, Any] = ready.json()["search_index"]
    return state


def eventually(condition: Callable[[], bool], within_s: float) -> float:
    """Seconds until `condition` held; fails past `within_s`."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < within_s, f"not within {within_s} s"
        time.sleep(0.02)
    return time.monotonic() - started


def in_step(client: TestClient) -> bool:
    return bool(index_state(client)["state"] == "in_step")


def index_hits(directory: Path, q: str) -> list[int]:
    """What the index in `directory` itself holds for `q` (not what a search shows)."""
    index = TopKIndex(directory)
    return index.search(index.compile(parse(q)), limit=20, offset=0, sort="relevance").ids


def post(client: TestClient, n: int, **overrides: Any) -> int:
    response = client.post("/v1/articles", json=article_payload(n, **overrides))
    assert response.status_code == 201, response.text
    article_id: int = response.json()["id"]
    return article_id


# -- the feed itself ---------------------------------------------------------------------------


def test_a_slow_writer_that_drew_its_id_first_is_not_passed_over(url: str) -> None:
    engine = create_engine(url)
    reader = Session(engine)
    try:
        with engine.connect() as slow, engine.connect() as fast:
            slow.begin()
            slow_id = write_change(slow, 1)
            fast.begin()
            fast_id = write_change(fast, 2)
            fast.commit()
            assert slow_id < fast_id  # by id, a reader past fast_id would never see slow_id
            # the fast row is committed and visible, but not final: the reader waits
            assert [r.id for r in reader.execute(select(Change.id))] == [fast_id]
            assert feed_order.read(reader, feed_order.START) == []
            reader.rollback()
            slow.commit()
        rows = feed_order.read(reader, feed_order.START)
        assert [r.id for r in rows] == [slow_id, fast_id]  # commit order is xid order here
    finally:
        reader.close()
        engine.dispose()


def test_interleaved_slow_and_fast_writers_lose_nothing(url: str) -> None:
    """Writers that hold their transaction open for random times, some rolled back, while a
    reader follows the feed from its last position: it reads every committed row once."""
    engine = create_engine(url, pool_size=12)
    committed: list[int] = []
    lock = threading.Lock()
    writing = threading.Event()
    writing.set()

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        for n in range(12):
            with engine.connect() as connection:
                connection.begin()
                ids = [write_change(connection, seed * 100 + n) for _ in range(rng.randint(1, 3))]
                time.sleep(rng.choice([0, 0, 0.001, 0.01, 0.05, 0.2]))
                if rng.random() < 0.15:
                    connection.rollback()
                    continue
                connection.commit()
                with lock:
                    committed.extend(ids)

    read: list[int] = []
    positions: list[feed_order.Position] = []

    def follow() -> None:
        position = feed_order.START
        while True:
            done = not writing.is_set()  # checked before the read: a last full pass after
            with Session(engine) as session:
                for row in feed_order.read(session, position, limit=7):
                    position = feed_order.position_of(row)
                    positions.append(position)
                    read.append(row.id)
            if done and len(read) == len(committed):
                return
            time.sleep(0.003)

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(8)]
    follower = threading.Thread(target=follow, daemon=True)  # a reader that misses a row never ends
    follower.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writing.clear()
    follower.join(timeout=30)
    engine.dispose()
    assert not follower.is_alive()
    assert sorted(read) == sorted(committed) and len(read) == len(set(read))
    assert positions == sorted(positions)
    assert read != sorted(read)  # the run did commit rows out of id order


def test_a_transaction_in_another_database_does_not_hold_the_feed_back(url: str) -> None:
    other = create_engine(ADMIN_URL)  # the suite's own database, on the same server
    engine = create_engine(url)
    try:
        with other.connect() as elsewhere, engine.connect() as writer:
            elsewhere.begin()
            elsewhere.execute(text("SELECT pg_current_xact_id()"))  # holds a transaction id
            writer.begin()
            change_id = write_change(writer, 1)
            writer.commit()
            with Session(engine) as reader:
                assert [r.id for r in feed_order.read(reader, feed_order.START)] == [change_id]
            elsewhere.rollback()
    finally:
        other.dispose()
        engine.dispose()


# -- nodes -------------------------------------------------------------------------------------


def test_a_write_through_one_node_is_found_on_another_within_two_seconds(
    url: str, key: str, tmp_path: Path
) -> None:
    with node(url, tmp_path / "a", key) as a, node(url, tmp_path / "b", key) as b:
        eventually(lambda: in_step(a) and in_step(b), 10)
        article_id = post(a, 1, title="Frigate order")
        eventually(lambda: found(b, "frigate") == {article_id}, WITHIN_S)
        assert search(b, "frigate")["query"]["engine"] == "tantivy"
        edited = a.patch(f"/v1/articles/{article_id}", json={"title": "Corvette order"})
        assert edited.status_code == 200
        eventually(lambda: found(b, "corvette") == {article_id}, WITHIN_S)
        assert search(b, "frigate")["total"] == 0
        assert a.delete(f"/v1/articles/{article_id}").status_code == 204
        # gone from the index itself, not only dropped when the hits are loaded
        gone = eventually(lambda: index_hits(tmp_path / "b", "corvette") == [], WITHIN_S)
        assert gone < WITHIN_S and in_step(b)


def test_a_slow_writer_holds_the_other_node_back_and_loses_nothing(
    url: str, key: str, tmp_path: Path
) -> None:
    """A transaction that wrote first and commits last: no node indexes past it meanwhile,
    and afterwards both articles are found (an id-ordered reader would have lost it)."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    paused, resume = threading.Event(), threading.Event()

    with session_scope(factory) as session:
        slow = make_article(session, 900, title="Slow news").id

    def hold(_session: Session) -> None:
        paused.set()
        resume.wait(10)

    def slow_writer() -> None:
        session = factory()
        # an edit (an insert would wait with the fast writer on the same summary rows)
        session.get_one(Article, slow).title = "Slow frigate"
        session.flush()  # the transaction id is drawn here, before the fast writer's
        event.listen(session, "before_commit", hold)
        session.commit()
        session.close()

    with node(url, tmp_path / "a", key) as a, node(url, tmp_path / "b", key) as b:
        corvettes = {post(a, n, title=f"Corvette order {n}") for n in range(2, 5)}
        eventually(lambda: in_step(b) and found(b, "corvette") == corvettes, 10)
        first = b.get("/v1/search", params={"q": "corvette", "limit": 1}).json()
        assert first["query"]["engine"] == "tantivy" and first["next_cursor"]
        thread = threading.Thread(target=slow_writer)
        thread.start()
        assert paused.wait(10)
        fast = post(a, 1, title="Fast frigate")
        time.sleep(MAX_LAG_S + 0.3)  # node b polls every 0.05 s
        state = index_state(b)
        # the fast article waits behind the slow transaction, which may yet commit below it
        assert state["state"] == "catching_up" and state["documents_behind"] >= 1
        assert state["seconds_behind"] > MAX_LAG_S
        assert index_hits(tmp_path / "b", "frigate") == []
        body = search(b, "frigate")  # so the database answers meanwhile
        assert body["query"]["engine"] == "postgresql-tsvector" and found(b, "frigate") == {fast}
        # a ranking the index began goes on there: tsvector could not read its cursor
        params = {"q": "corvette", "limit": 1, "cursor": first["next_cursor"]}
        second = b.get("/v1/search", params=params)
        assert second.status_code == 200, second.text
        assert second.json()["query"]["engine"] == "tantivy"
        assert len(second.json()["items"]) == 1
        resume.set()
        thread.join()
        eventually(lambda: found(b, "frigate") == {fast, slow}, WITHIN_S)
        eventually(lambda: in_step(b), WITHIN_S)
        assert search(b, "frigate")["query"]["engine"] == "tantivy"
    engine.dispose()


def test_a_node_without_an_index_answers_from_the_database_while_it_builds(
    url: str, key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with node(url, tmp_path / "a", key) as a:
        ids = {post(a, n, title=f"Frigate order {n}") for n in range(1, 6)}
    release = threading.Event()
    real = search_index.documents

    def held(session: Any, batch: list[int]) -> Any:
        release.wait(20)  # the build stops here until the test has looked
        return real(session, batch)

    monkeypatch.setattr(search_index, "documents", held)
    with node(url, tmp_path / "new", key) as b:
        eventually(lambda: index_state(b)["documents_behind"] == 5, 5)  # its first look
        assert index_state(b)["state"] == "building"
        started = time.monotonic()
        body = search(b, "frigate")  # not blocked by the build
        assert time.monotonic() - started < 1.0
        assert body["query"]["engine"] == "postgresql-tsvector" and body["total"] == 5
        metrics = b.get("/metrics").text
        assert "defcoop_search_index_in_step 0.0" in metrics
        release.set()
        eventually(lambda: in_step(b), 10)
        body = search(b, "frigate")
        assert body["query"]["engine"] == "tantivy"
        assert {item["id"] for item in body["items"]} == ids
        metrics = b.get("/metrics").text
        assert "defcoop_search_index_in_step 1.0" in metrics
        assert "defcoop_search_index_documents_behind 0.0" in metrics


def test_a_stale_index_catches_up_when_its_node_starts_again(
    url: str, key: str, tmp_path: Path
) -> None:
    with node(url, tmp_path / "a", key) as a:
        first = post(a, 1, title="Frigate order")
        eventually(lambda: found(a, "frigate") == {first} and in_step(a), 10)
    with node(url, tmp_path / "b", key) as b:  # while node a is down
        second = post(b, 2, title="Second frigate order")
        assert b.delete(f"/v1/articles/{first}").status_code == 204
    with node(url, tmp_path / "a", key) as a:
        eventually(lambda: in_step(a), 10)
        body = search(a, "frigate")
        assert body["query"]["engine"] == "tantivy" and found(a, "frigate") == {second}
        assert body["total"] == 1


_CRASH = """
import os, sys
from pathlib import Path
from app.db.session import make_engine
from sqlalchemy.orm import Session
from app.search import topk
from app.services import search_index
where = sys.argv[3]
def crash(*args, **kwargs):
    os._exit(3)
if where == "before_commit":  # documents written to the writer, never committed
    real = search_index.documents
    def documents(session, ids):
        index.upsert(real(session, ids))
        crash()
    search_index.documents = documents
else:  # tantivy committed, the cursor file not yet replaced
    topk._write_cursor = crash
index = topk.TopKIndex(Path(sys.argv[2]))
with Session(make_engine(sys.argv[1])) as session:
    search_index.catch_up(session, index)
"""


@pytest.mark.parametrize("where", ["before_commit", "after_commit"])
def test_a_crash_in_the_middle_of_a_catch_up_leaves_a_consistent_index(
    url: str, key: str, tmp_path: Path, where: str
) -> None:
    directory = tmp_path / "a"
    with node(url, directory, key) as a:
        first = post(a, 1, title="Frigate order")
        eventually(lambda: found(a, "frigate") == {first} and in_step(a), 10)
    with node(url, tmp_path / "b", key) as b:  # the changes node a will crash applying
        second = post(b, 2, title="Second frigate order")
        assert b.patch(f"/v1/articles/{first}", json={"title": "Corvette order"}).status_code == 200
    before = (directory / "defcoop-cursor.json").read_text()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    crashed = subprocess.run(
        [sys.executable, "-c", _CRASH, url, str(directory), where], env=env, timeout=60
    )
    assert crashed.returncode == 3
    assert (directory / "defcoop-cursor.json").read_text() == before  # the old position
    with node(url, directory, key) as a:
        eventually(lambda: in_step(a), 10)
        assert search(a, "frigate")["query"]["engine"] == "tantivy"
        assert found(a, "frigate") == {second} and found(a, "corvette") == {first}
        assert search(a, "frigate")["total"] == 1
    index = TopKIndex(directory)
    assert index.size() == 2  # no document twice


def test_reindex_builds_a_node_index_on_postgresql(url: str, key: str, tmp_path: Path) -> None:
    directory = tmp_path / "a"
    with node(url, tmp_path / "b", key) as b:
        ids = {post(b, n, title=f"Frigate order {n}") for n in range(1, 4)}
    env = {
        **os.environ,
        "DEFCOOP_DATABASE_URL": url,
        "DEFCOOP_SEARCH_INDEX_DIR": str(directory),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "defcoop"), "reindex", "--only", "topk"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 in the top-k index" in done.stdout + done.stderr
    with node(url, directory, key) as a:
        eventually(lambda: in_step(a), 10)
        assert index_state(a)["documents_behind"] == 0
        body = search(a, "frigate")
        assert body["query"]["engine"] == "tantivy"
        assert {item["id"] for item in body["items"]} == ids
