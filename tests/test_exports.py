"""Every list endpoint streams all its rows as CSV or NDJSON, page by page inside."""

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from app.api import export
from tests.factories import create
from tests.test_articles_api import assert_problem


@pytest.fixture
def many(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    monkeypatch.setattr(export, "PAGE_ROWS", 2)  # several internal pages from a few rows
    return [create(client, n) for n in range(1, 8)]


def _ndjson(client: TestClient, path: str, **params) -> list[dict]:
    response = client.get(path, params={**params, "format": "ndjson"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-ndjson"
    return [json.loads(line) for line in response.text.splitlines()]


def test_articles_as_ndjson_and_csv(client: TestClient, many: list[dict]) -> None:
    rows = _ndjson(client, "/v1/articles", limit=1)
    assert sorted(r["id"] for r in rows) == sorted(
        a["id"] for a in many
    )  # limit is a page size only
    response = client.get(
        "/v1/articles", headers={"accept": "text/csv"}, params={"sort": "published_at"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(r["id"]) for r in table] == [a["id"] for a in many]
    assert table[0]["source.name"] == "Test Wire" and table[0]["title"] == "Defence talks number 1"


def test_events_entities_search_and_dyads_export(client: TestClient, many: list[dict]) -> None:
    events = _ndjson(client, "/v1/events", country=["AZE", "TUR"])
    assert len(events) == 14 and all(e["countries"] == ["AZE", "TUR"] for e in events)
    entities = _ndjson(client, "/v1/entities")
    assert {e["name"] for e in entities} == {"Azerbaijan", "Turkey", "Rauf Aliyarov", "Baku"}
    hits = _ndjson(client, "/v1/search", q="story")
    assert len(hits) == 7 and all("score" in h for h in hits)
    pairs = _ndjson(client, "/v1/dyads")
    assert [(p["a"]["code"], p["b"]["code"], p["events"]) for p in pairs] == [("AZE", "TUR", 14)]
    table = list(
        csv.DictReader(io.StringIO(client.get("/v1/events", params={"format": "csv"}).text))
    )
    assert len(table) == 14 and json.loads(table[0]["countries"]) == ["AZE", "TUR"]


def test_export_keeps_filters_and_rejects_unknown_formats(
    client: TestClient, many: list[dict]
) -> None:
    assert len(_ndjson(client, "/v1/articles", published_to="2024-03-03")) == 3
    assert_problem(client.get("/v1/articles", params={"format": "xml"}), 422, "format")
    assert_problem(
        client.get("/v1/articles", params={"format": "csv", "country": "Atlantis"}), 400, "country"
    )
    assert client.get("/v1/articles", params={"format": "csv", "author": "nobody"}).text == ""


def test_a_bad_query_is_a_problem_before_the_stream_starts(client: TestClient) -> None:
    create(client, 1)
    assert_problem(client.get("/v1/search", params={"q": ":", "format": "csv"}), 400, "q")
    assert_problem(client.get("/v1/search", params={"q": '"open', "format": "ndjson"}), 400, "q")
