"""Dates at the edges of the calendar: every date parameter and field takes 0001-01-01 to
9999-12-31 (in UTC) and nothing else, on SQLite and PostgreSQL alike, and never answers 500."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.kit.dates import parse_day, parse_moment, parse_period
from tests.factories import happenings_alone
from tests.helpers import ON_POSTGRES, PROBLEM, TEST_URL

RANGE = "0001-01-01 to 9999-12-31"

# --- the parsers ------------------------------------------------------------------------------


def test_parse_day_takes_yyyy_mm_dd_only() -> None:
    assert parse_day("0001-01-01").isoformat() == "0001-01-01"
    assert parse_day("9999-12-31").isoformat() == "9999-12-31"
    for text in ["0", "1700000000", "20240101", "2024-1-1", "0000-12-31", "10000-01-01",
                 "2024-02-30", "2024-03-01T00:00:00", " 2024-03-01", ""]:  # fmt: skip
        with pytest.raises(ValueError, match=RANGE):
            parse_day(text)


def test_parse_moment_checks_the_range_in_utc() -> None:
    moment, precision = parse_moment("9999-12-31T23:59:59+14:00")
    assert (moment.isoformat(), precision) == ("9999-12-31T23:59:59+14:00", "time")
    assert parse_moment("0001")[1] == "year" and parse_moment("9999-12")[1] == "month"
    assert parse_moment("1850-06-01")[1] == "day"  # any year, not only those pages carry
    for text in ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
                 "9999-12-31T23:59:59.999999-00:01", "0001-01-01T00:00:00+00:01",
                 "9999-12-31T23:59:59.9991", "9999-12-31T23:59:59.999001Z",
                 "0000", "10000-01-01", "2024-13", "2024-03-01junk", "yesterday"]:  # fmt: skip
        with pytest.raises(ValueError, match=re.escape("9999-12-31T23:59:59.999Z in UTC")):
            parse_moment(text)
    with pytest.raises(ValueError, match=RANGE):
        parse_period("0000")


# --- stored data at both ends --------------------------------------------------------------

# (published_at, event date): one article at each end of the calendar, one between
EDGE_ARTICLES = [
    ("0001-01-01T00:00:00-14:00", "0001-01-01"),  # 0001-01-01T14:00:00Z
    ("2024-05-01", "2024-05-01"),
    ("9999-12-31T23:59:59+14:00", "9999-12-31"),  # 9999-12-31T09:59:59Z
]


@pytest.fixture
def edges(client: TestClient, db: tuple[Any, Any, sessionmaker[Session]]) -> TestClient:
    for n, (published, day) in enumerate(EDGE_ARTICLES):
        response = client.post(
            "/v1/articles",
            json={
                "url": f"https://edge.example/{n}",
                "body": f"Chile and Peru signed a naval agreement, number {n}.",
                "published_at": published,
                "entities": [
                    {"kind": "country", "code": "CHL"},
                    {"kind": "country", "code": "PER"},
                ],
                "events": [{"type": "agreement", "date": day, "countries": ["CHL", "PER"]}],
            },
        )
        assert response.status_code == 201, response.text
    with db[2]() as session:
        happenings_alone(session)  # whatever linking left unlinked: a happening each
        session.commit()
    return client


def _items(body: dict[str, Any]) -> int:
    return len(body["items"])


def _buckets(body: dict[str, Any]) -> int:
    return sum(b["count"] for b in body["buckets"])


def _partners(body: dict[str, Any]) -> int:
    return sum(p["events"] for p in body["items"])


def _total(body: dict[str, Any]) -> int:
    return int(body["counts"]["total"])


def _edges(body: dict[str, Any]) -> int:
    return sum(e["weight"] for e in body["edges"])


# Every date query parameter of the API: (path, the two parameters, other parameters, count).
# test_every_date_parameter_is_covered checks this list against the OpenAPI document.
ROUTES: list[tuple[str, tuple[str, str], dict[str, str], Callable[[dict[str, Any]], int]]] = [
    ("/v1/articles", ("published_from", "published_to"), {}, _items),
    ("/v1/search", ("published_from", "published_to"), {"q": "Chile"}, _items),
    ("/v1/timeline", ("published_from", "published_to"), {"of": "articles", "interval": "year"}, _buckets),
    ("/v1/timeline", ("date_from", "date_to"), {"of": "events", "interval": "year"}, _buckets),
    ("/v1/events", ("date_from", "date_to"), {}, _items),
    ("/v1/happenings", ("date_from", "date_to"), {}, _items),
    ("/v1/dyads", ("date_from", "date_to"), {}, _partners),
    ("/v1/dyads/{pair}", ("date_from", "date_to"), {}, _total),
    ("/v1/countries/{code}", ("date_from", "date_to"), {}, _total),
    ("/v1/graph", ("date_from", "date_to"), {"of": "events"}, _edges),
    ("/v1/graph", ("date_from", "date_to"), {"of": "articles"}, _edges),
]  # fmt: skip
PATHS = {"/v1/dyads/{pair}": "/v1/dyads/CHL-PER", "/v1/countries/{code}": "/v1/countries/CHL"}
CASES = [pytest.param(*route, id=f"{route[0]}:{route[1][0]}:{route[2]}") for route in ROUTES]


def _date_parameters(schema: dict[str, Any]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                shapes = [parameter["schema"], *parameter["schema"].get("anyOf", [])]
                name = parameter["name"]
                if any(s.get("format") in ("date", "date-time") for s in shapes):
                    found.add((path, name))
                elif "date" in name or "published" in name:
                    found.add((path, f"{name} (not a date)"))
    return found


def test_every_date_parameter_is_covered(app: FastAPI) -> None:
    covered = {(path, name) for path, names, _, _ in ROUTES for name in names}
    assert _date_parameters(app.openapi()) == covered


@pytest.mark.parametrize(("path", "names", "extra", "count"), CASES)
def test_date_parameters_take_both_ends_of_the_calendar(
    edges: TestClient,
    path: str,
    names: tuple[str, str],
    extra: dict[str, str],
    count: Callable[[dict[str, Any]], int],
) -> None:
    start, end = names

    def counted(**params: str) -> int:
        response = edges.get(PATHS.get(path, path), params={**extra, **params})
        assert response.status_code == 200, response.text
        return count(response.json())

    every = counted()
    assert every == 3
    assert counted(**{start: "0001-01-01", end: "9999-12-31"}) == every
    assert counted(**{start: "0001-01-01"}) == every
    assert counted(**{end: "9999-12-31"}) == every
    assert counted(**{end: "0001-01-01"}) == every // 3
    assert counted(**{start: "9999-12-31"}) == every // 3
    assert counted(**{start: "0001-01-02", end: "9999-12-30"}) == every // 3


BAD_DAYS = ["0", "1700000000", "20240101", "2024-1-1", "0000-12-31", "10000-01-01",
            "2024-02-30", "2024-03-01T00:00:00", "yesterday", ""]  # fmt: skip


@pytest.mark.parametrize(("path", "names", "extra", "count"), CASES)
def test_date_parameters_refuse_all_but_days_in_the_calendar(
    client: TestClient,
    path: str,
    names: tuple[str, str],
    extra: dict[str, str],
    count: Callable[[dict[str, Any]], int],
) -> None:
    for name in names:
        for value in BAD_DAYS:
            response = client.get(PATHS.get(path, path), params={**extra, name: value})
            assert response.status_code == 422, (name, value, response.text)
            assert response.headers["content-type"].startswith(PROBLEM)
            [error] = response.json()["errors"]
            assert (error["field"], error["in"]) == (name, "query")
            assert RANGE in error["message"], error


# --- timelines ------------------------------------------------------------------------------


@pytest.mark.parametrize("interval", ["day", "week", "month", "year"])
@pytest.mark.parametrize("of", ["articles", "events"])
@pytest.mark.parametrize("narrowed", [False, True], ids=["counts", "rows"])
def test_timelines_reach_both_ends_without_overflowing(
    edges: TestClient, of: str, interval: str, narrowed: bool
) -> None:
    names = ("published_from", "published_to") if of == "articles" else ("date_from", "date_to")
    first = {"day": "0001-01-01", "week": "0001-01-01", "month": "0001-01-01", "year": "0001-01-01"}
    last = {"day": "9999-12-31", "week": "9999-12-27", "month": "9999-12-01", "year": "9999-01-01"}
    ranges = {  # a few buckets at each end
        "day": (("0001-01-01", "0001-01-03"), ("9999-12-29", "9999-12-31")),
        "week": (("0001-01-01", "0001-01-20"), ("9999-12-10", "9999-12-31")),
        "month": (("0001-01-01", "0001-03-31"), ("9999-10-15", "9999-12-31")),
        "year": (("0001-01-01", "0003-12-31"), ("9997-06-01", "9999-12-31")),
    }[interval]
    params = {"of": of, "interval": interval, **({"country": "CHL"} if narrowed else {})}
    for (start, end), edge in zip(ranges, (first, last), strict=True):
        response = edges.get("/v1/timeline", params={**params, names[0]: start, names[1]: end})
        assert response.status_code == 200, response.text
        buckets = response.json()["buckets"]
        at_edge = buckets[0] if edge is first else buckets[-1]
        assert at_edge == {"start": edge[interval], "count": 1, "by_type": None}
        assert sum(b["count"] for b in buckets) == 1
    if interval == "year":  # open-ended: from the first stored to the last stored (9999)
        response = edges.get("/v1/timeline", params=params)
        assert response.status_code == 200, response.text
        buckets = response.json()["buckets"]
        assert (buckets[0]["start"], buckets[-1]["start"], len(buckets)) == (
            "0001-01-01",
            "9999-01-01",
            9999,
        )
    else:  # far too many buckets to fill over the data's span: those with counts, no zeros
        response = edges.get("/v1/timeline", params=params)
        assert response.status_code == 200, response.text
        buckets = response.json()["buckets"]
        assert buckets[0]["start"] == first[interval] and buckets[-1]["start"] == last[interval]
        assert all(b["count"] > 0 for b in buckets) and len(buckets) < 10
        asked = edges.get("/v1/timeline", params={**params, names[0]: "0001-01-01", names[1]: "9999-12-31"})  # fmt: skip
        assert asked.status_code == 400, asked.text  # a range asked for: narrow it or coarsen


# --- date fields in bodies ------------------------------------------------------------------

GOOD_MOMENTS = [  # (given, answered in UTC, precision)
    ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "time"),
    ("0001-01-01T00:00:00-14:00", "0001-01-01T14:00:00Z", "time"),
    ("9999-12-31T23:59:59+14:00", "9999-12-31T09:59:59Z", "time"),
    ("9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999000Z", "time"),
    ("9999-12-31T23:59:59.999999+00:01", "9999-12-31T23:58:59.999999Z", "time"),
    ("2024-03-01T10:00:00+05:30", "2024-03-01T04:30:00Z", "time"),
    ("0001", "0001-01-01T00:00:00Z", "year"),
    ("9999-12", "9999-12-01T00:00:00Z", "month"),
    ("9999-12-31", "9999-12-31T00:00:00Z", "day"),
    ("1850-06-01", "1850-06-01T00:00:00Z", "day"),
]
BAD_MOMENTS = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
               "9999-12-31T23:59:59.999999-00:01", "9999-12-31T23:59:59.9991Z", "0000-12-31", "10000-01-01", "2024-13",
               "2024-03-01junk", "yesterday"]  # fmt: skip


def _body(n: int, **fields: Any) -> dict[str, Any]:
    return {"url": f"https://field.example/{n}", "body": f"Chile and Peru met, take {n}.", **fields}


def _assert_refused(response: Any, field: str, message: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert field in errors and message in errors[field], errors


@pytest.mark.parametrize(("given", "utc", "precision"), GOOD_MOMENTS)
def test_published_at_at_the_ends_is_stored_and_answered_in_utc(
    client: TestClient, given: str, utc: str, precision: str
) -> None:
    created = client.post("/v1/articles", json=_body(1, published_at=given))
    assert created.status_code == 201, created.text
    echoed = created.json()
    assert (echoed["published_at"], echoed["published_precision"]) == (utc, precision)
    assert client.get(f"/v1/articles/{echoed['id']}").json()["published_at"] == utc

    other = client.post("/v1/articles", json=_body(2)).json()
    patched = client.patch(f"/v1/articles/{other['id']}", json={"published_at": given})
    assert patched.status_code == 200, patched.text
    assert patched.json()["published_at"] == utc
    assert client.get(f"/v1/articles/{other['id']}").json()["published_at"] == utc


@pytest.mark.parametrize("given", BAD_MOMENTS)
def test_published_at_beyond_the_ends_is_refused_everywhere(client: TestClient, given: str) -> None:
    message = "9999-12-31T23:59:59.999Z in UTC"
    _assert_refused(client.post("/v1/articles", json=_body(1, published_at=given)), "published_at", message)  # fmt: skip
    _assert_refused(client.post("/v1/extract", json=_body(1, published_at=given)), "published_at", message)  # fmt: skip
    stored = client.post("/v1/articles", json=_body(2)).json()
    patched = client.patch(f"/v1/articles/{stored['id']}", json={"published_at": given})
    _assert_refused(patched, "published_at", message)
    assert client.get(f"/v1/articles/{stored['id']}").json()["published_at"] is None


@pytest.mark.parametrize(
    ("date", "date_end"),
    [("0001", None), ("0001-01-01", "9999-12-31"), ("9999", "9999"), ("9999-12-31", None),
     ("2024-06-15", "2024-06"), ("2024-12-31", "2024"), ("2024-06", "2024-06-01")],
)  # fmt: skip
def test_event_dates_at_the_ends_are_stored(
    client: TestClient, date: str, date_end: str | None
) -> None:
    event = {"type": "agreement", "date": date, "date_end": date_end, "countries": ["CHL", "PER"]}
    response = client.post("/v1/articles", json=_body(1, events=[event]))
    assert response.status_code == 201, response.text
    [stored] = response.json()["events"]
    assert stored["date"] == date
    listed = client.get("/v1/events", params={"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert [e["date"] for e in listed.json()["items"]] == [date]


@pytest.mark.parametrize(
    ("date", "date_end", "field", "message"),
    [("0000", None, "events.0.date", RANGE), ("10000", None, "events.0.date", RANGE),
     ("9999-13", None, "events.0.date", RANGE), ("2024", "0000-12-31", "events.0.date_end", RANGE),
     ("2024-05-02", "2024-05-01", "events.0.date_end", "is before date"),
     ("2024-06", "2024-05-31", "events.0.date_end", "is before date"),
     ("2024", "2023-12", "events.0.date_end", "is before date")],
)  # fmt: skip
def test_event_dates_beyond_the_ends_or_backwards_are_refused(
    client: TestClient, date: str, date_end: str | None, field: str, message: str
) -> None:
    event = {"type": "agreement", "date": date, "date_end": date_end, "countries": ["CHL", "PER"]}
    _assert_refused(client.post("/v1/articles", json=_body(1, events=[event])), field, message)
    assert client.get("/v1/articles").json()["items"] == []


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only")
def test_postgres_sessions_read_timestamps_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import text

    from app.db.session import make_engine

    # In a zone ahead of UTC, 9999-12-31T23:00Z is in year 10000; behind it, 0001-01-01T00:00Z
    # is in year 0: neither is a Python datetime. Sessions are in UTC whatever the client says.
    for zone, stored in [
        ("Pacific/Kiritimati", "9999-12-31 23:00:00+00"),
        ("America/New_York", "0001-01-01 00:00:00+00"),
    ]:
        monkeypatch.setenv("PGTZ", zone)
        engine = make_engine(TEST_URL)
        try:
            with engine.connect() as connection:
                connection.rollback()  # a rollback keeps it too
                moment = connection.execute(text(f"SELECT TIMESTAMPTZ '{stored}'")).scalar_one()
                assert moment.isoformat() == stored.replace(" ", "T")[:19] + "+00:00"
        finally:
            engine.dispose()


@pytest.mark.parametrize("of", ["articles", "events"])
@pytest.mark.parametrize("narrowed", [False, True])
def test_one_far_off_date_leaves_the_default_timeline_answerable(
    client: TestClient, of: str, narrowed: bool
) -> None:
    """A stored 9999-12-31 beside ordinary dates: the default (monthly) timeline over the data's
    own span would need about 96,000 buckets. It answers with the buckets that hold counts;
    a range the caller asks for that is too long stays a 400 that says so."""
    for n, day in enumerate(["2024-03-05", "2024-03-20", "2024-05-01", "9999-12-31"]):
        body = _body(n, published_at=day, entities=[{"kind": "country", "code": "CHL"}])
        body["events"] = [{"type": "agreement", "date": day, "countries": ["CHL", "PER"]}]
        assert client.post("/v1/articles", json=body).status_code == 201
    params = {"of": of, **({"country": "CHL"} if narrowed else {})}
    answer = client.get("/v1/timeline", params=params)
    assert answer.status_code == 200, answer.text
    assert [(b["start"], b["count"]) for b in answer.json()["buckets"]] == [
        ("2024-03-01", 2), ("2024-05-01", 1), ("9999-12-01", 1)
    ]  # fmt: skip
    whole = {"articles": ("published_from", "published_to"), "events": ("date_from", "date_to")}[of]
    asked = client.get(
        "/v1/timeline", params={**params, "interval": "day", whole[0]: "2000-01-01", whole[1]: "9999-12-31"}
    )  # fmt: skip
    assert asked.status_code == 400 and asked.json()["errors"][0]["field"] == "interval"
    small = client.get("/v1/timeline", params={**params, "interval": "year", whole[0]: "2024-01-01", whole[1]: "2026-12-31"})  # fmt: skip
    assert [(b["start"], b["count"]) for b in small.json()["buckets"]] == [
        ("2024-01-01", 3), ("2025-01-01", 0), ("2026-01-01", 0)
    ]  # fmt: skip
