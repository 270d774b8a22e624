"""Every list endpoint streams all its rows as CSV or NDJSON, page by page inside."""

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from app.api import export
from app.api.export import csv_columns
from app.schemas.article import ArticleSummary
from app.schemas.entity import EntityListItem
from app.schemas.event import EventRead
from app.schemas.relations import Partner
from app.schemas.search import ScoredArticle
from app.taxonomy import EventType
from tests.factories import article_payload, create
from tests.helpers import assert_problem


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
    pairs = _ndjson(client, "/v1/dyads", count="reports")
    assert [(p["a"]["code"], p["b"]["code"], p["events"]) for p in pairs] == [("AZE", "TUR", 14)]
    # the seven stories report one meeting and one agreement: two happenings
    pairs = _ndjson(client, "/v1/dyads")
    assert [(p["a"]["code"], p["b"]["code"], p["events"]) for p in pairs] == [("AZE", "TUR", 2)]
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
    nothing = client.get("/v1/articles", params={"format": "csv", "author": "nobody"}).text
    assert nothing.splitlines() == [",".join(c.name for c in csv_columns(ArticleSummary))]


def test_a_bad_query_is_a_problem_before_the_stream_starts(client: TestClient) -> None:
    create(client, 1)
    assert_problem(client.get("/v1/search", params={"q": ":", "format": "csv"}), 400, "q")
    assert_problem(client.get("/v1/search", params={"q": '"open', "format": "ndjson"}), 400, "q")


# Each export: its path, a filter that matches nothing, and the schema of its rows.
EXPORTS = [
    ("/v1/articles", {"author": "nobody"}, ArticleSummary),
    ("/v1/events", {"type": "conflict"}, EventRead),
    ("/v1/entities", {"q": "zzz"}, EntityListItem),
    ("/v1/search", {"q": "story", "author": "nobody"}, ScoredArticle),
    ("/v1/dyads", {"type": "conflict"}, Partner),
]


def _csv(client: TestClient, path: str, **params) -> tuple[list[str], list[dict[str, str]]]:
    response = client.get(path, params={**params, "format": "csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(response.text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def test_the_columns_are_the_schemas_fields_flattened() -> None:
    assert [c.name for c in csv_columns(EventRead)] == [
        "id", "article_id", "type", "cameo_code", "date", "date_start", "date_end",
        "date_precision", "date_text", "status", "name",
        "location.id", "location.kind", "location.name", "location.code",
        "evidence.text", "evidence.start", "evidence.end",
        "confidence", "countries", "participants", "happening_id", "happening_role",
    ]  # fmt: skip
    assert [c.name for c in csv_columns(Partner)] == [
        "a.code", "a.name", "b.code", "b.name", "events",
        *(f"by_type.{t.value}" for t in EventType),
    ]  # fmt: skip
    assert [c.name for c in csv_columns(ScoredArticle)][-3:] == [
        "created_at",
        "updated_at",
        "score",
    ]
    assert "source.domain" in [c.name for c in csv_columns(ArticleSummary)]


@pytest.mark.parametrize(("path", "nothing", "schema"), EXPORTS)
def test_every_csv_header_is_its_schema_rows_or_none(
    client: TestClient, path: str, nothing: dict, schema: type
) -> None:
    create(client, 1)
    expected = [c.name for c in csv_columns(schema)]
    params = {"q": "story"} if path == "/v1/search" else {}
    header, rows = _csv(client, path, **params)
    assert header == expected and rows
    header, rows = _csv(client, path, **nothing)
    assert header == expected and rows == []


def test_a_value_the_first_row_lacks_is_kept_in_later_rows(client: TestClient) -> None:
    located = article_payload(1)["events"][0]  # in Baku
    unplaced = {**located, "date": "2024-05-01", "location": None}
    create(client, 1, events=[located])
    create(client, 2, events=[unplaced])
    _, rows = _csv(client, "/v1/events", sort="-date")
    assert [r["date"] for r in rows] == ["2024-05-01", "2024-03-11"]
    assert rows[0]["location.name"] == "" and rows[1]["location.name"] == "Baku"
    assert rows[1]["location.kind"] == "location"


def test_every_pair_keeps_its_own_type_counts(client: TestClient) -> None:
    create(client, 1)  # AZE-TUR: a meeting and an agreement
    create(client, 2)
    korea_poland = [
        {"type": "industry", "date": "2024-04-01", "countries": ["KOR", "POL"]},
        {"type": "arms_transfer", "date": "2024-04-02", "countries": ["KOR", "POL"]},
        {"type": "meeting", "date": "2024-04-03", "countries": ["KOR", "POL"]},
    ]
    create(client, 3, events=korea_poland, entities=[])
    none = dict.fromkeys((t.value for t in EventType), 0)
    # the two AZE-TUR stories report one meeting and one agreement
    for count, each in (("reports", 2), ("happenings", 1)):
        _, rows = _csv(client, "/v1/dyads", count=count)
        counts = {
            (r["a.code"], r["b.code"]): {t.value: int(r[f"by_type.{t.value}"]) for t in EventType}
            for r in rows
        }
        assert counts == {
            ("AZE", "TUR"): {**none, "meeting": each, "agreement": each},
            ("KOR", "POL"): {**none, "industry": 1, "arms_transfer": 1, "meeting": 1},
        }, count


def test_ndjson_rows_are_the_json_items(client: TestClient, many: list[dict]) -> None:
    for path in ("/v1/articles", "/v1/events", "/v1/entities", "/v1/dyads"):
        page = client.get(path, params={"limit": 100}).json()["items"]
        assert _ndjson(client, path) == page, path
    hits = client.get("/v1/search", params={"q": "story", "limit": 100}).json()["items"]
    without_highlights = [{k: v for k, v in h.items() if k != "highlights"} for h in hits]
    assert _ndjson(client, "/v1/search", q="story") == without_highlights


def test_an_export_obeys_the_request_time_limit(
    app, many: list[dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export reads under DEFCOOP_DB_TIME_LIMIT_S as every other read does: its first page
    is read before the stream starts, so past the limit it is the same problem+json 503."""
    from app.config import Settings
    from app.main import create_app
    from tests.conftest import ON_POSTGRES

    if ON_POSTGRES:
        pytest.skip("a sub-millisecond statement_timeout is not reliably reached on PostgreSQL")
    limited = create_app(
        Settings(database_url=app.state.settings.database_url, db_time_limit_s=1e-9),
        engine=app.state.engine,
    )
    limited.state.session_factory = app.state.session_factory
    # every row in the first page: its read, before the stream, is what passes the limit
    monkeypatch.setattr(export, "PAGE_ROWS", 500)
    query = {"country": ["AZE", "TUR"]}  # a read long enough to pass a limit of 1 ns
    with TestClient(limited) as client:
        page = assert_problem(client.get("/v1/events", params=query), 503)
        for fmt in ("csv", "ndjson"):
            exported = assert_problem(
                client.get("/v1/events", params={**query, "format": fmt}), 503
            )
            assert (exported["type"], exported["title"]) == (page["type"], page["title"])
    with TestClient(app) as client:  # the pooled connection is not left limited
        assert client.get("/v1/events", params={**query, "format": "csv"}).status_code == 200
