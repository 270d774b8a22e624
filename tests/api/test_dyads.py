"""The dyad profile's whole contract, and the relations lists as pages: /v1/dyads by its
ranking's cursor, and the partners a country profile continues there."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import RELATIONS_EVENTS as EVENTS
from tests.factories import create
from tests.helpers import assert_problem


@pytest.fixture
def stored(client: TestClient) -> list[dict]:
    """The known fixture of test_relations: three articles, six events."""
    return [create(client, n, events=events) for n, events in enumerate(EVENTS, 1)]


def _shape(value: Any) -> Any:
    """The keys and JSON types of a body: a list by the one shape all its items share."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        shapes = [_shape(item) for item in value]
        assert all(s == shapes[0] for s in shapes), shapes
        return shapes[:1]
    return type(value).__name__


ENTITY_REF = {"id": "int", "kind": "str", "name": "str", "code": "str"}
EVENT = {
    "id": "int",
    "article_id": "int",
    "type": "str",
    "cameo_code": "str",
    "date": "str",
    "date_start": "str",
    "date_end": "NoneType",
    "date_precision": "str",
    "date_text": "NoneType",
    "status": "str",
    "name": "NoneType",
    "location": "NoneType",
    "evidence": "NoneType",
    "confidence": "NoneType",
    "countries": ["str"],
    "participants": [{"entity": ENTITY_REF, "role": "str"}],
    "happening_id": "int",
    "happening_role": "str",
}
ARTICLE = {
    "id": "int",
    "url": "str",
    "title": "str",
    "title_is_derived": "bool",
    "author": "str",
    "agency": "NoneType",
    "source": {"id": "int", "name": "str", "domain": "str"},
    "published_at": "str",
    "published_precision": "str",
    "language": "str",
    "word_count": "int",
    "duplicate_of": "NoneType",
    "happenings": ["int"],
    "extractor_version": "str",
    "extraction_note": "NoneType",
    "created_at": "str",
    "updated_at": "str",
}
PERSON = {
    "id": "int",
    "kind": "str",
    "name": "str",
    "code": "NoneType",
    "country": "str",
    "title": "NoneType",
    "aliases": ["str"],
}


def test_the_dyad_profile_contract(client: TestClient, stored: list[dict]) -> None:
    body = client.get("/v1/dyads/AZE-TUR", params={"limit": 1}).json()

    def nested(item: dict) -> dict:
        return {"items": [item], "limit": "int", "next_cursor": "str", "path": "str"}

    year = {"year": "int", "count": "int", "by_type": {}}
    shape = _shape({**body, "counts": {**body["counts"], "by_year": []}})
    assert shape == {
        "a": {"code": "str", "name": "str"},
        "b": {"code": "str", "name": "str"},
        "directed": "bool",
        "counts": {
            "total": "int",
            "by_type": {"agreement": "int", "exercise": "int", "visit": "int"},
            "by_year": [],
        },
        "first_event": EVENT,
        "last_event": EVENT,
        "agreements": nested(EVENT),
        "recent_events": nested(EVENT),
        "people": {"AZE": [{"person": PERSON, "count": "int"}], "TUR": []},
        "articles": nested(ARTICLE),
    }
    for entry in body["counts"]["by_year"]:  # each year's types differ: the keys, then types
        assert {**_shape(entry), "by_type": {}} == year
        assert set(_shape(entry["by_type"]).values()) == {"int"}
    assert [body[p]["path"] for p in ("agreements", "recent_events", "articles")] == [
        "/v1/events",
        "/v1/events",
        "/v1/articles",
    ]
    assert body["agreements"]["limit"] == body["recent_events"]["limit"] == 1


def test_dyads_are_a_page_with_a_cursor_on_their_ranking(
    client: TestClient, stored: list[dict]
) -> None:
    everything = client.get("/v1/dyads").json()
    assert everything["limit"] == 20 and everything["next_cursor"] is None
    pairs = [(p["a"]["code"], p["b"]["code"]) for p in everything["items"]]
    first = client.get("/v1/dyads", params={"limit": 1})
    body = first.json()
    assert body["limit"] == 1 and 'rel="next"' in first.headers["link"]
    seen = [(p["a"]["code"], p["b"]["code"]) for p in body["items"]]
    while body["next_cursor"]:
        body = client.get("/v1/dyads", params={"cursor": body["next_cursor"]}).json()
        assert body["limit"] == 1 and len(body["items"]) == 1
        seen += [(p["a"]["code"], p["b"]["code"]) for p in body["items"]]
    assert seen == pairs and len(pairs) == 4
    # a state's partners page the same way, and the cursor keeps the state
    of_aze = client.get("/v1/dyads", params={"country": "AZE", "limit": 1}).json()
    rest = client.get("/v1/dyads", params={"cursor": of_aze["next_cursor"]}).json()
    assert [p["b"]["code"] for p in of_aze["items"] + rest["items"]] == ["TUR", "GEO"]
    assert rest["next_cursor"] is None
    other = client.get("/v1/dyads", params={"country": "GEO", "cursor": of_aze["next_cursor"]})
    assert_problem(other, 400, "cursor")
    # one limit rule: clamped to the maximum, like /v1/events; below 1 is still a 422
    clamped = client.get("/v1/dyads", params={"limit": 500})
    assert clamped.status_code == 200 and clamped.json()["limit"] == 100
    assert_problem(client.get("/v1/dyads", params={"limit": 0}), 422, "limit")
    profile = client.get("/v1/dyads/AZE-TUR", params={"limit": 500})
    assert profile.status_code == 200 and profile.json()["recent_events"]["limit"] == 100


def test_a_country_profiles_partners_continue_in_the_ranking(
    client: TestClient, stored: list[dict]
) -> None:
    partners = client.get("/v1/countries/AZE", params={"limit": 1}).json()["partners"]
    assert partners["path"] == "/v1/dyads" and partners["limit"] == 1
    assert [p["b"]["code"] for p in partners["items"]] == ["TUR"]
    rest = client.get(partners["path"], params={"cursor": partners["next_cursor"]}).json()
    assert [p["b"]["code"] for p in rest["items"]] == ["GEO"] and rest["limit"] == 1
