"""The filter models (app.schemas.filters) without HTTP, and the one limit rule of every list."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.errors import InvalidParameter
from app.schemas.filters import (
    ArticleFilters,
    ArticleListFilters,
    EntityFilters,
    EventFilters,
    EventScope,
)
from app.taxonomy import EventType
from tests.factories import create


def test_countries_become_alpha3_codes_once_each() -> None:
    filters = ArticleFilters(country=["Azerbaijan", "tur", "AZE", "Türkiye"])
    assert filters.countries == ("AZE", "TUR")
    assert EventFilters(country=["Georgia"]).countries == ("GEO",)
    assert EntityFilters(country="Turkey").country == "TUR"
    assert EntityFilters().country is None and ArticleFilters().countries == ()


@pytest.mark.parametrize(
    ("model", "values", "field"),
    [
        (ArticleFilters, {"country": ["Atlantis"]}, "country"),
        (EventFilters, {"country": ["AZE", "Narnia"]}, "country"),
        (EntityFilters, {"country": "Narnia"}, "country"),
        (ArticleFilters, {"dyad": "AZE"}, "dyad"),
        (ArticleFilters, {"dyad": "AZE-AZE"}, "dyad"),
        (ArticleFilters, {"dyad": "AZE-Atlantis"}, "dyad"),
        (
            ArticleFilters,
            {"published_from": "2024-05-01", "published_to": "2024-01-01"},
            "published_from",
        ),
        (EventScope, {"date_from": "2024-02-01", "date_to": "2024-01-01"}, "date_from"),
        (EventFilters, {"date_from": "2024-02-01", "date_to": "2024-01-01"}, "date_from"),
        (ArticleListFilters, {"directed": True}, "directed"),
    ],
)
def test_bad_values_are_a_400_naming_the_parameter(
    model: type, values: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidParameter) as raised:
        model(**values)
    assert raised.value.status == 400
    assert [e["field"] for e in raised.value.errors] == [field]


@pytest.mark.parametrize(
    ("model", "values", "field"),
    [
        (ArticleFilters, {"lang": "EN"}, "lang"),
        (ArticleFilters, {"published_from": "2024-02-30"}, "published_from"),
        (ArticleFilters, {"country": [f"C{n}" for n in range(11)]}, "country"),
        (ArticleFilters, {"dyad": "A" * 101}, "dyad"),
        (EventFilters, {"entity": 0}, "entity"),
        (EventFilters, {"type": "picnic"}, "type"),
        (EntityFilters, {"q": ""}, "q"),
    ],
)
def test_malformed_values_fail_the_field_validation(
    model: type, values: dict[str, object], field: str
) -> None:
    """A malformed value is a validation error of its field (a 422 over HTTP), under the
    query's name."""
    with pytest.raises(ValidationError) as raised:
        model(**values)
    assert [error["loc"] for error in raised.value.errors()] == [(field,)]


def test_a_dyad_is_two_codes_from_a_string_a_list_or_a_pair() -> None:
    assert ArticleFilters(dyad="Turkey-AZE").dyad == ("TUR", "AZE")
    assert ArticleFilters(dyad="AZE–GEO").dyad == ("AZE", "GEO")  # an en dash too
    # FastAPI hands a query's values over as a list: the last one counts, as for any parameter
    assert ArticleFilters(dyad=["AZE-GEO", "TUR-AZE"]).dyad == ("TUR", "AZE")
    assert ArticleFilters(dyad=("AZE", "TUR")).dyad == ("AZE", "TUR")
    assert ArticleListFilters(dyad="AZE-TUR", directed=True).directed


def test_fields_keep_the_services_names_and_the_query_names_as_aliases() -> None:
    filters = EventFilters(
        type="agreement", country=["AZE", "TUR"], entity=3, article=4, date_from="2024-01-01"
    )
    assert filters.type is EventType.agreement and filters.countries == ("AZE", "TUR")
    assert (filters.entity_id, filters.article_id) == (3, 4)
    assert filters.date_from == date(2024, 1, 1) and isinstance(filters, EventScope)
    assert ArticleFilters(entity=5).entity_id == 5
    with pytest.raises(ValidationError):  # immutable: a route's filters are what it was sent
        filters.type = None  # type: ignore[misc]


def test_the_query_names_are_the_only_names_over_http(client: TestClient) -> None:
    """A field's own name is not a second, undocumented parameter (a cursor would not carry it)."""
    create(client, 1)
    everything = client.get("/v1/events").json()["items"]
    assert everything
    assert client.get("/v1/events", params={"entity_id": 999999}).json()["items"] == everything
    assert client.get("/v1/events", params={"entity": 999999}).json()["items"] == []


LISTS = [
    ("/v1/articles", {}),
    ("/v1/events", {}),
    ("/v1/entities", {}),
    ("/v1/search", {"q": "story"}),
    ("/v1/entities/{entity}/articles", {}),
    ("/v1/entities/{entity}/events", {}),
]


@pytest.mark.parametrize(("path", "query"), LISTS)
def test_every_list_clamps_its_limit(client: TestClient, path: str, query: dict) -> None:
    """One rule: a limit over the maximum is the maximum; below 1 it is a 422."""
    create(client, 1)
    entity = client.get("/v1/entities", params={"kind": "person"}).json()["items"][0]["id"]
    url = path.format(entity=entity)
    over = client.get(url, params={**query, "limit": 500})
    assert over.status_code == 200, over.text
    assert over.json()["limit"] == 100 and over.json()["items"]
    assert client.get(url, params={**query, "limit": 100}).json()["limit"] == 100
    assert client.get(url, params=query).json()["limit"] == 20
    zero = client.get(url, params={**query, "limit": 0})
    assert zero.status_code == 422 and zero.json()["errors"][0]["field"] == "limit"


def test_similar_clamps_to_its_own_maximum(client: TestClient) -> None:
    article = create(client, 1)
    create(client, 2)
    url = f"/v1/articles/{article['id']}/similar"
    assert client.get(url, params={"limit": 60}).json()["limit"] == 50
    assert client.get(url).json()["limit"] == 10
    assert client.get(url, params={"limit": 0}).status_code == 422
