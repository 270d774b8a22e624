from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app import migrate
from app.config import Settings
from app.db.session import make_engine
from app.main import create_app
from tests.helpers import assert_problem


def test_taxonomy_lists_the_guideline(client: TestClient) -> None:
    body = client.get("/v1/taxonomy").json()
    types = {t["type"]: t for t in body["event_types"]}
    assert set(types) == {
        "visit",
        "meeting",
        "agreement",
        "exercise",
        "arms_transfer",
        "training",
        "military_aid",
        "industry",
        "statement",
        "conflict",
    }
    assert types["agreement"]["cameo_codes"] == ["057"]
    assert types["visit"]["cameo_codes"] == ["042", "043"]
    assert [k["kind"] for k in body["entity_kinds"]] == [
        "country",
        "person",
        "organization",
        "location",
        "agreement",
        "equipment",
    ]
    assert "host" in body["participant_roles"] and body["date_precisions"] == [
        "year",
        "month",
        "day",
    ]


def test_health_and_readiness(client: TestClient, db: tuple[Settings, Engine, Any]) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    settings, engine, _ = db
    head = migrate.head_revision(settings.database_url)
    assert head and migrate.current_revision(engine) == head
    assert ready.status_code == 200
    expected: dict[str, Any] = {
        "status": "ready",
        "database": engine.dialect.name,
        "revision": head,
    }
    if engine.dialect.name == "sqlite":  # the index beside the file, not built before a search
        expected["search_index"] = {
            "state": "missing",
            "documents_behind": 0,
            "seconds_behind": 0.0,
        }
    assert ready.json() == expected


def test_readiness_fails_on_an_unmigrated_database(scratch_url: str) -> None:
    engine: Engine = make_engine(scratch_url)
    try:
        with TestClient(create_app(Settings(database_url=scratch_url), engine=engine)) as client:
            response = client.get("/readyz")
            assert_problem(response, 503)
            assert "defcoop db upgrade" in response.json()["detail"]
            assert client.get("/healthz").status_code == 200
    finally:
        engine.dispose()


def test_unknown_routes_and_methods_are_problems(client: TestClient) -> None:
    assert_problem(client.get("/v1/nothing"), 404)
    assert_problem(client.put("/v1/articles"), 405)


def test_openapi_documents_problems_and_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "Problem" in spec["components"]["schemas"]
    paths = set(spec["paths"])
    for path in (
        "/v1/articles",
        "/v1/articles/bulk",
        "/v1/articles/{article_id}",
        "/v1/entities",
        "/v1/entities/{entity_id}",
        "/v1/entities/{entity_id}/articles",
        "/v1/entities/{entity_id}/events",
        "/v1/events",
        "/v1/events/{event_id}",
        "/v1/taxonomy",
        "/healthz",
        "/readyz",
    ):
        assert path in paths
    create = spec["paths"]["/v1/articles"]["post"]
    assert set(create["requestBody"]["content"]) == {"application/json", "text/plain", "text/html"}
    assert "application/problem+json" in create["responses"]["409"]["content"]
    assert client.get("/docs").status_code == 200
