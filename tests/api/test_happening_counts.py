"""Counting counts happenings by default (issue 14): one visit reported by three articles is
one on every counting endpoint, and three with count=reports, read from the summary counts
(whole years) and from the rows (part of a year) alike; the lists inside a profile show the
happening's leading report only. The counts follow whatever `is_lead` says as it moves."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.models import Event
from tests.factories import create
from tests.helpers import assert_problem

VISIT = {"type": "visit", "date": "2024-03-11", "countries": ["AZE", "TUR"], "persons": ["Rauf Aliyarov"]}  # fmt: skip
# one agreement of GEO and AZE, reported once: a happening of its own, counted 1 both ways
AGREEMENT = {"type": "agreement", "date": "2023-05-02", "countries": ["AZE", "GEO"]}
WHOLE = {"date_from": "2023-01-01", "date_to": "2024-12-31"}  # read from the counts
PART = {"date_from": "2023-01-02", "date_to": "2024-12-30"}  # counted from the rows
SCOPES = [pytest.param({}, id="everything"), pytest.param(WHOLE, id="whole-years"), pytest.param(PART, id="part-of-a-year")]  # fmt: skip


def _lead(factory: sessionmaker[Session], index: int) -> None:
    """The visit's three reports one happening, led by the report at `index` (as the linker
    would leave them: one happening id, one lead)."""
    with factory() as session:
        reports = session.scalars(select(Event).where(Event.type == "visit").order_by(Event.id))
        reports = list(reports)
        for n, event in enumerate(reports):
            event.happening_id, event.is_lead = reports[0].id, n == index
        session.commit()


@pytest.fixture
def visit(client: TestClient, db: Any) -> list[dict[str, Any]]:
    articles = [create(client, n, events=[VISIT]) for n in (1, 2, 3)]
    articles.append(create(client, 4, events=[AGREEMENT]))
    _lead(db[2], 0)
    return articles


def _get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _counts(client: TestClient, count: str | None, scope: dict[str, str]) -> dict[str, Any]:
    """What each counting endpoint says about the AZE-TUR visit, counting `count`."""
    params = {**scope, **({"count": count} if count else {})}
    dyad = _get(client, "/v1/dyads/AZE-TUR", **params)
    partners = _get(client, "/v1/dyads", country="AZE", **params)["items"]
    pairs = _get(client, "/v1/dyads", **params)["items"]
    country = _get(client, "/v1/countries/TUR", **params)
    buckets = _get(client, "/v1/timeline", of="events", interval="year", **params)["buckets"]
    # a state narrows the timeline: counted from the rows, whatever the range
    narrowed = _get(client, "/v1/timeline", of="events", country="TUR", **params)["buckets"]
    graph = _get(client, "/v1/graph", kinds="country", **params)
    return {
        "dyad": dyad["counts"]["total"],
        "dyad_by_type": dyad["counts"]["by_type"],
        "dyad_by_year": [(y["year"], y["count"]) for y in dyad["counts"]["by_year"]],
        "recent_events": len(dyad["recent_events"]["items"]),
        "people": [p["count"] for p in dyad["people"]["AZE"]],
        "partners": [(p["b"]["code"], p["events"], p["by_type"]) for p in partners],
        "pairs": sorted((p["a"]["code"], p["b"]["code"], p["events"]) for p in pairs),
        "country": country["counts"]["total"],
        "country_partners": [(p["b"]["code"], p["events"]) for p in country["partners"]["items"]],
        "timeline": sum(b["count"] for b in buckets),
        "timeline_tur": sum(b["count"] for b in narrowed),
        "graph": sorted(
            (
                sorted(n["code"] for n in graph["nodes"] if n["id"] in (e["source"], e["target"])),
                e["weight"],
            )
            for e in graph["edges"]
        ),
    }


def _expected(visits: int) -> dict[str, Any]:
    return {
        "dyad": visits,
        "dyad_by_type": {"visit": visits},
        "dyad_by_year": [(2024, visits)],
        "recent_events": visits,
        "people": [visits],
        "partners": sorted(
            [("TUR", visits, {"visit": visits}), ("GEO", 1, {"agreement": 1})],
            key=lambda p: (-p[1], p[0]),
        ),
        "pairs": [("AZE", "GEO", 1), ("AZE", "TUR", visits)],
        "country": visits,
        "country_partners": [("AZE", visits)],
        "timeline": visits + 1,
        "timeline_tur": visits,
        "graph": sorted([(["AZE", "GEO"], 1), (["AZE", "TUR"], visits)]),
    }


@pytest.mark.parametrize("scope", SCOPES)
def test_one_happening_three_reports(
    client: TestClient, visit: list[dict[str, Any]], scope: dict[str, str]
) -> None:
    assert _counts(client, None, scope) == _expected(1)  # happenings, by default
    assert _counts(client, "happenings", scope) == _expected(1)
    assert _counts(client, "reports", scope) == _expected(3)


def test_counts_follow_the_lead(client: TestClient, db: Any, visit: list[dict[str, Any]]) -> None:
    """A new lead: still one happening, and the lists show the new one; the leading report's
    article deleted: its reports stay, and the linker elects another to lead at once."""
    _lead(db[2], 2)
    for scope in ({}, PART):
        assert _counts(client, None, scope) == _expected(1)
    recent = _get(client, "/v1/dyads/AZE-TUR")["recent_events"]["items"]
    assert [e["article_id"] for e in recent] == [visit[2]["id"]]
    assert client.delete(f"/v1/articles/{visit[2]['id']}").status_code == 204
    for scope in ({}, PART):
        assert _counts(client, "reports", scope) == _expected(2)
        assert _counts(client, None, scope) == _expected(1)
    _lead(db[2], 1)  # and another lead set by hand is counted as one too
    assert _counts(client, None, {}) == _expected(1)
    assert _counts(client, None, PART) == _expected(1)


def test_event_lists_page_on_with_the_count(
    client: TestClient, visit: list[dict[str, Any]]
) -> None:
    """/v1/events lists every report unless asked; a profile's list of happenings continues
    there with count=happenings, and its list of reports with count=reports."""
    assert len(_get(client, "/v1/events", country="TUR")["items"]) == 3
    leads = _get(client, "/v1/events", country="TUR", count="happenings")["items"]
    assert [e["article_id"] for e in leads] == [visit[0]["id"]]
    for count, reports in (("reports", 3), ("happenings", 1)):
        recent = _get(client, "/v1/dyads/AZE-TUR", count=count, limit=1)["recent_events"]
        seen = [e["id"] for e in recent["items"]]
        cursor = recent["next_cursor"]
        while cursor:
            page = _get(client, recent["path"], cursor=cursor)
            seen += [e["id"] for e in page["items"]]
            cursor = page["next_cursor"]
        assert len(set(seen)) == reports


@pytest.mark.parametrize(
    "path",
    [
        "/v1/dyads/AZE-TUR",
        "/v1/dyads",
        "/v1/countries/AZE",
        "/v1/timeline",
        "/v1/graph",
        "/v1/events",
    ],
)
def test_count_is_checked_and_documented(client: TestClient, path: str) -> None:
    assert_problem(client.get(path, params={"count": "articles"}), 422, "count")
    operation = client.get("/openapi.json").json()["paths"][path.replace("AZE-TUR", "{pair}").replace("AZE", "{code}")]["get"]  # fmt: skip
    (parameter,) = [p for p in operation["parameters"] if p["name"] == "count"]
    default = "reports" if path == "/v1/events" else "happenings"
    assert parameter["schema"]["default"] == default and parameter["description"]
    schema = parameter["schema"]
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = client.get("/openapi.json").json()["components"]["schemas"][name]
    assert set(schema["enum"]) == {"happenings", "reports"}
