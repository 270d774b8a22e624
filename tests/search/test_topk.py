"""The top-k index beside SQLite: in step with every write, and answering as FTS5 does (on
PostgreSQL each node's index is fed in the background: test_topk_postgres.py)."""

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import Event
from benchmarks.corpus import generate
from tests.factories import article_payload, create


@pytest.fixture(autouse=True)
def sqlite_only(db: Any) -> None:
    if db[0].database_url.startswith("postgresql"):
        pytest.skip("SQLite's in-request catch-up; PostgreSQL's keeper: test_topk_postgres.py")


def search(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/v1/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def ids(body: dict[str, Any]) -> set[int]:
    return {item["id"] for item in body["items"]}


def test_every_committed_write_is_searched_and_no_deleted_article_is(
    client: TestClient, db: Any
) -> None:
    first = create(client, 1, title="Frigate order", events=[{"type": "arms_transfer", "countries": ["AZE", "TUR"]}])  # fmt: skip
    body = search(client, q="frigate")
    assert body["query"]["engine"] == "tantivy" and ids(body) == {first["id"]}
    second = create(client, 2, title="Second frigate order")
    assert ids(search(client, q="frigate")) == {first["id"], second["id"]}
    # an edit: the old title is gone from the index, the new one is there
    assert client.patch(f"/v1/articles/{second['id']}", json={"title": "Corvette order"}).status_code == 200  # fmt: skip
    assert ids(search(client, q="frigate")) == {first["id"]}
    assert ids(search(client, q="corvette")) == {second["id"]}
    # the article's events replaced: its filters follow
    assert ids(search(client, q="order", event_type="arms_transfer")) == {first["id"]}
    replaced = article_payload(1, title="Frigate order", events=[{"type": "training", "countries": ["AZE", "KOR"]}])  # fmt: skip
    assert client.post("/v1/articles?on_duplicate=update", json=replaced).status_code == 200
    assert ids(search(client, q="order", event_type="arms_transfer")) == set()
    assert ids(search(client, q="order", dyad="KOR-AZE")) == {first["id"]}
    # an event deleted on its own (no change to the article row): the filter follows
    with db[2]() as session:
        session.delete(session.scalars(select(Event).where(Event.type == "training")).one())
        session.commit()
    assert ids(search(client, q="order", event_type="training")) == set()
    assert client.delete(f"/v1/articles/{first['id']}").status_code == 204
    assert ids(search(client, q="frigate")) == set()


def _corpus(count: int) -> list[dict[str, Any]]:
    return list(generate(count, seed=7))


@pytest.fixture
def synthetic(client: TestClient) -> int:
    rows = _corpus(300)
    for row in rows:
        row.pop("source")
    lines = "\n".join(json.dumps(r) for r in rows)
    response = client.post(
        "/v1/articles/bulk", content=lines, headers={"Content-Type": "application/x-ndjson"}
    )
    assert response.status_code == 200 and response.json()["created"] == 300, response.text
    return len(rows)


QUERIES: list[dict[str, Any]] = [
    {"q": "defence"},
    {"q": "frigate cooperation"},
    {"q": '"military cooperation"'},
    {"q": "submar*"},
    {"q": "frigate OR corvette"},
    {"q": "frigate -corvette"},
    {"q": "(drone OR tank) minister"},
    {"q": "Turkey"},
    {"q": "defence", "published_from": "2015-01-01", "published_to": "2016-12-31"},
    {"q": "defence", "country": ["AZE", "TUR"]},
    {"q": "defence", "event_type": "visit"},
    {"q": "defence", "dyad": "TUR-AZE"},
    {"q": "defence", "source": "wire03.example"},
    {"q": "defence", "lang": "en", "sort": "-published_at"},
    {"q": "minister", "sort": "published_at"},
]


def _all_pages(client: TestClient, params: dict[str, Any]) -> tuple[list[int], dict[str, Any]]:
    first = search(client, **params, limit=37, facets="country,event_type,year,month,source")
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = search(client, **params, limit=37, cursor=cursor)
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    return seen, first


def test_the_index_answers_as_fts5_does(app: FastAPI, client: TestClient, synthetic: int) -> None:
    for params in QUERIES:
        app.state.settings.search_index = "auto"
        fast_ids, fast = _all_pages(client, params)
        app.state.settings.search_index = "off"
        slow_ids, slow = _all_pages(client, params)
        assert fast["query"]["engine"] == "tantivy" and slow["query"]["engine"] == "sqlite-fts5"
        assert len(fast_ids) == len(set(fast_ids)), params  # no hit twice across pages
        assert set(fast_ids) == set(slow_ids), params
        assert fast["total"] == slow["total"] == len(slow_ids), params
        assert fast["facets"] == slow["facets"], params
        if params.get("sort", "relevance") != "relevance":  # same order: date, then id
            assert fast_ids == slow_ids, params
    app.state.settings.search_index = "auto"


def test_pages_stay_whole_when_articles_arrive_between_them(
    client: TestClient, synthetic: int
) -> None:
    first = search(client, q="defence", limit=25)
    for n in range(5):
        create(client, 1000 + n, title=f"Defence defence defence {n}", body=f"Defence news {n}.")
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = search(client, q="defence", limit=25, cursor=cursor)
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen))


def test_raw_mode_and_the_off_switch_use_fts5(app: FastAPI, client: TestClient) -> None:
    create(client, 1, title="Frigate order")
    assert search(client, q='"frigate"', mode="raw")["query"]["engine"] == "sqlite-fts5"
    app.state.settings.search_index = "off"
    assert search(client, q="frigate")["query"]["engine"] == "sqlite-fts5"


def test_a_cursor_from_the_other_engine_is_a_clear_400(app: FastAPI, client: TestClient) -> None:
    for n in range(3):
        create(client, n + 1, title=f"Frigate order {n}")
    app.state.settings.search_index = "off"
    cursor = search(client, q="frigate", limit=1)["next_cursor"]
    app.state.settings.search_index = "auto"
    response = client.get("/v1/search", params={"q": "frigate", "limit": 1, "cursor": cursor})
    assert response.status_code == 400 and "cursor" in response.text


def test_two_processes_share_the_index(client: TestClient, db: Any, tmp_path: Path) -> None:
    """Another worker's handle reads what this one committed; while one writes, the other
    answers from FTS5 instead of waiting (catch_up says it cannot)."""
    from app.search.query import parse
    from app.search.topk import TopKIndex
    from app.services.search_index import catch_up

    directory = tmp_path / "shared.search"
    first, second = TopKIndex(directory), TopKIndex(directory)
    create(client, 1, title="Frigate order")
    with db[2]() as session:
        assert catch_up(session, first)
        assert catch_up(session, second)  # nothing left to do: only reads the new state
    found = second.search(second.compile(parse("frigate")), limit=5, offset=0, sort="relevance")
    assert found.total == 1
    create(client, 2, title="Second frigate order")
    with db[2]() as session:
        first.upsert([])  # holds the writer, as a worker in the middle of catching up would
        assert not catch_up(session, second)
        assert catch_up(session, first)
        assert catch_up(session, second)
    found = second.search(second.compile(parse("frigate")), limit=5, offset=0, sort="relevance")
    assert found.total == 2


def test_a_catch_up_that_fails_half_way_leaves_nothing_behind(
    client: TestClient, db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.search.query import parse
    from app.search.topk import TopKIndex
    from app.services import search_index

    directory = tmp_path / "shared.search"
    first, second = TopKIndex(directory), TopKIndex(directory)
    create(client, 1, title="Frigate order")
    with db[2]() as session:
        assert search_index.catch_up(session, first)
    create(client, 2, title="Second frigate order")
    real = search_index.documents

    def failing(session: Any, ids: list[int]) -> Any:
        first.upsert(real(session, ids))  # written, then the request is stopped
        raise TimeoutError("stopped by the time limit")

    monkeypatch.setattr(search_index, "documents", failing)
    with db[2]() as session, pytest.raises(TimeoutError):
        search_index.catch_up(session, first)
    monkeypatch.setattr(search_index, "documents", real)
    with db[2]() as session:
        assert search_index.catch_up(session, second)  # the writer's lock was let go
    found = second.search(second.compile(parse("frigate")), limit=5, offset=0, sort="relevance")
    assert found.total == 2


def test_far_behind_the_index_catches_up_a_step_per_search(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import search as search_service

    create(client, 1, title="Frigate order")
    assert search(client, q="frigate")["query"]["engine"] == "tantivy"
    for n in range(2, 6):  # four new articles: a backlog of a few changes each
        create(client, n, title=f"Frigate order {n}")
    monkeypatch.setattr(search_service, "CATCH_UP_IN_REQUEST", 3)
    engines = []
    for _ in range(10):
        body = search(client, q="frigate")
        engines.append(body["query"]["engine"])
        assert body["total"] == 5  # right either way
    assert engines[0] == "sqlite-fts5" and engines[-1] == "tantivy"
