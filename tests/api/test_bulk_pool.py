"""POST /v1/articles/bulk with the app's worker processes: started for a request of more than
one chunk only, stopped with the app, and storing exactly what the request's thread stores."""

import json
import random
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app import migrate
from app.api.routes.articles import BULK_CHUNK
from app.config import Settings
from app.db.session import make_engine, make_session_factory, session_scope
from app.main import create_app
from app.services.keys import Scope, create_key

STATES = ("Chile", "Peru", "Kenya", "Japan", "India", "Brazil")
NDJSON = {"content-type": "application/x-ndjson"}
WORDS = [
    "radar",
    "training",
    "fuel",
    "ports",
    "logistics",
    "cyber",
    "satellites",
    "drones",
    "mines",
    "submarines",
    "helicopters",
    "medicine",
    "academies",
    "maps",
    "uniforms",
    "bridges",
    "tunnels",
    "rations",
    "engines",
    "spares",
    "ammunition",
    "frigates",
    "lasers",
    "sonar",
    "airfields",
    "convoys",
    "hospitals",
    "schools",
    "exercises",
    "observers",
    "rifles",
    "tankers",
    "corvettes",
    "barracks",
    "pensions",
    "budgets",
    "treaties",
    "flares",
    "parachutes",
    "trucks",
]
WHEN = {"created_at", "updated_at", "extracted_at", "ingested_at"}


def _lines(count: int) -> str:
    """`count` JSON lines: varied articles, a line that is refused, and a copy of a body under
    another url (a content duplicate)."""
    rows: list[dict[str, Any]] = []
    for n in range(count - 2):
        one, two = STATES[n % len(STATES)], STATES[(n + 1) % len(STATES)]
        # each with words of its own: bodies that differ only by a date and a number are
        # near-copies (app.ingest.signature), and this test wants one copy, the last line
        own = ", ".join(random.Random(n).sample(WORDS, 20))
        body = (
            f"Defence Minister Ana Rojas of {one} met the navy chief of {two} in Lima on "
            f"May {n % 28 + 1}, 2024. {one} and {two} signed an agreement on joint patrols, "
            f"report number {n}. {two} will deliver K9 howitzers to {one}. Talks covered {own}."
        )
        rows.append({"url": f"https://pool.example/{n}", "body": body})
    rows.append({"url": "not a url", "body": "Chile and Peru met."})
    rows.append({"url": "https://pool.example/copy", "body": rows[0]["body"]})
    return "".join(json.dumps(row) + "\n" for row in rows)


def _app(tmp_path: Path, name: str, workers: int) -> tuple[Any, str]:
    url = f"sqlite:///{tmp_path / name}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        key = create_key(session, name="tests", scope=Scope.write).secret
    engine.dispose()
    return create_app(Settings(database_url=url, bulk_workers=workers)), key


def _stored(client: TestClient, body: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    response = client.post("/v1/articles/bulk", content=body, headers=NDJSON)
    assert response.status_code == 200, response.text
    answer = response.json()
    articles = []
    for item in answer["results"]:
        if item["article_id"] is None:
            continue
        read = client.get(f"/v1/articles/{item['article_id']}?include=mentions,events")
        articles.append({k: v for k, v in read.json().items() if k not in WHEN})
    return answer, articles


def test_the_pool_stores_what_the_request_thread_stores(tmp_path: Path) -> None:
    body = _lines(BULK_CHUNK * 2 + 10)  # three chunks: two wait extracted while one is stored
    results = []
    for name, workers in (("alone.db", 0), ("pooled.db", 2)):
        app, key = _app(tmp_path, name, workers)
        with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
            results.append(_stored(client, body))
            assert app.state.bulk_pool.started is (workers > 1)
        assert not app.state.bulk_pool.started  # stopped with the app
    (alone, alone_articles), (pooled, pooled_articles) = results
    assert pooled == alone
    assert pooled_articles == alone_articles
    assert alone["created"] == BULK_CHUNK * 2 + 9 and alone["rejected"] == 1
    assert alone["content_duplicates"] == 1
    assert any(article["events"] for article in alone_articles)


def test_a_request_of_one_chunk_starts_no_workers(tmp_path: Path) -> None:
    app, key = _app(tmp_path, "small.db", 2)
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        answer, _ = _stored(client, _lines(BULK_CHUNK))
        assert answer["created"] == BULK_CHUNK - 1
        assert not app.state.bulk_pool.started
    assert app.state.bulk_pool.get() is None  # shut down: no pool starts after the app stops
