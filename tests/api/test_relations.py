"""Pairs of states, country profiles, timelines and graphs, counted exactly on a known fixture."""

import pytest
from fastapi.testclient import TestClient

from tests.factories import RELATIONS_EVENTS as EVENTS
from tests.factories import create
from tests.helpers import assert_problem


def _follow(client: TestClient, nested: dict) -> dict:
    """The next page of a list nested in a profile: its path, with its cursor alone."""
    assert nested["next_cursor"] is not None
    response = client.get(nested["path"], params={"cursor": nested["next_cursor"]})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def fixture(client: TestClient) -> list[dict]:
    return [create(client, n, events=events) for n, events in enumerate(EVENTS, 1)]


def test_dyad_profile_counts_exactly(client: TestClient, fixture: list[dict]) -> None:
    body = client.get("/v1/dyads/TUR-AZE").json()
    assert body["a"] == {"code": "TUR", "name": "Turkey"} and body["b"]["code"] == "AZE"
    assert body["counts"]["total"] == 4
    assert body["counts"]["by_type"] == {"agreement": 2, "exercise": 1, "visit": 1}
    assert body["counts"]["by_year"] == [
        {"year": 1992, "count": 1, "by_type": {"agreement": 1}},
        {"year": 2023, "count": 1, "by_type": {"exercise": 1}},
        {"year": 2024, "count": 2, "by_type": {"agreement": 1, "visit": 1}},
    ]
    assert body["first_event"]["date"] == "1992" and body["last_event"]["date"] == "2024-03-11"
    assert [e["date"] for e in body["agreements"]["items"]] == ["2024-03-11", "1992"]
    assert [p["person"]["name"] for p in body["people"]["AZE"]] == ["Rauf Aliyarov"]
    assert body["people"]["TUR"] == []
    assert {a["id"] for a in body["articles"]["items"]} == {fixture[0]["id"], fixture[1]["id"]}
    assert client.get("/v1/dyads/Azerbaijan-Turkey").json()["counts"]["total"] == 4


def test_dyad_lists_are_paginated(client: TestClient, fixture: list[dict]) -> None:
    body = client.get("/v1/dyads/AZE-TUR", params={"limit": 1}).json()
    assert len(body["recent_events"]["items"]) == 1
    assert body["recent_events"]["path"] == "/v1/events"
    follow = _follow(client, body["recent_events"])
    assert (
        len(follow["items"]) == 1
        and follow["items"][0]["id"] != body["recent_events"]["items"][0]["id"]
    )
    assert body["articles"]["next_cursor"] is not None and body["articles"]["limit"] == 1
    assert _follow(client, body["articles"])["items"]


def _pages(client: TestClient, params: dict) -> list[dict]:
    items, body = [], client.get("/v1/events", params=params).json()
    while True:
        items += body["items"]
        if not body["next_cursor"]:
            return items
        body = client.get("/v1/events", params={**params, "cursor": body["next_cursor"]}).json()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "date"},
        {"type": "agreement"},
        {"date_from": "2023-06-01", "date_to": "2024-03-11"},
    ],
)
def test_a_pairs_events_page_like_any_other_list(
    client: TestClient, fixture: list[dict], params: dict
) -> None:
    # undated events come last either way; two on one day are ordered by id
    create(client, 4, events=[{"type": "statement", "countries": ["TUR", "AZE"]}])
    both = {"AZE", "TUR"}
    everything = _pages(client, {**params, "limit": 100})

    def having(states: set[str]) -> list[int]:
        codes = [{p["entity"].get("code") for p in e["participants"]} for e in everything]
        return [e["id"] for e, c in zip(everything, codes, strict=True) if states <= c]

    paged = _pages(client, {**params, "country": ["TUR", "AZE"], "limit": 1})
    assert [e["id"] for e in paged] == having(both) and len(having(both)) >= 2
    with_third = _pages(client, {**params, "country": ["TUR", "AZE", "GEO"], "limit": 1})
    assert [e["id"] for e in with_third] == having(both | {"GEO"})


def test_dyad_filters_and_direction(client: TestClient, fixture: list[dict]) -> None:
    assert (
        client.get("/v1/dyads/AZE-TUR", params={"type": "agreement"}).json()["counts"]["total"] == 2
    )
    ranged = client.get(
        "/v1/dyads/AZE-TUR", params={"date_from": "2023-01-01", "date_to": "2023-12-31"}
    ).json()
    assert ranged["counts"]["by_type"] == {"exercise": 1}
    assert (
        client.get("/v1/dyads/AZE-TUR", params={"directed": "true"}).json()["counts"]["total"] == 0
    )


def test_partners_and_busiest_pairs(client: TestClient, fixture: list[dict]) -> None:
    partners = client.get("/v1/dyads", params={"country": "AZE"}).json()["items"]
    assert [(p["b"]["code"], p["events"]) for p in partners] == [("TUR", 4), ("GEO", 2)]
    assert partners[1]["by_type"] == {"exercise": 1, "meeting": 1}
    pairs = client.get("/v1/dyads").json()["items"]
    assert [(p["a"]["code"], p["b"]["code"], p["events"]) for p in pairs] == [
        ("AZE", "TUR", 4),
        ("AZE", "GEO", 2),
        ("GEO", "TUR", 1),
        ("KOR", "POL", 1),
    ]
    assert (
        client.get("/v1/dyads", params={"country": "AZE", "type": "meeting"}).json()["items"][0][
            "b"
        ]["code"]
        == "GEO"
    )


def test_country_profile(client: TestClient, fixture: list[dict]) -> None:
    body = client.get("/v1/countries/AZE").json()
    assert body["country"] == {"code": "AZE", "name": "Azerbaijan"}
    assert body["counts"]["total"] == 5
    assert [p["b"]["code"] for p in body["partners"]["items"]] == ["TUR", "GEO"]
    assert body["partners"]["path"] == "/v1/dyads" and body["partners"]["next_cursor"] is None
    assert [p["person"]["name"] for p in body["people"]] == ["Rauf Aliyarov"]
    assert len(body["agreements"]["items"]) == 2


def test_timeline_zero_filled_and_grouped(client: TestClient, fixture: list[dict]) -> None:
    body = client.get(
        "/v1/timeline",
        params={"of": "events", "interval": "year", "group_by": "type", "date_from": "2022-01-01"},
    ).json()
    assert [(b["start"], b["count"]) for b in body["buckets"]] == [
        ("2022-01-01", 0),
        ("2023-01-01", 2),
        ("2024-01-01", 3),
    ]
    assert body["buckets"][2]["by_type"] == {"agreement": 1, "arms_transfer": 1, "visit": 1}
    months = client.get(
        "/v1/timeline",
        params={
            "interval": "month",
            "country": "AZE",
            "date_from": "2023-06-01",
            "date_to": "2023-08-31",
        },
    ).json()
    assert [(b["start"], b["count"]) for b in months["buckets"]] == [
        ("2023-06-01", 2),
        ("2023-07-01", 0),
        ("2023-08-01", 0),
    ]
    weeks = client.get(
        "/v1/timeline",
        params={"interval": "week", "date_from": "2024-03-06", "date_to": "2024-03-13"},
    ).json()
    assert [(b["start"], b["count"]) for b in weeks["buckets"]] == [
        ("2024-03-04", 0),
        ("2024-03-11", 2),
    ]
    articles = client.get("/v1/timeline", params={"of": "articles", "interval": "day"}).json()
    assert [(b["start"], b["count"]) for b in articles["buckets"]] == [
        ("2024-03-01", 1),
        ("2024-03-02", 1),
        ("2024-03-03", 1),
    ]
    searched = client.get(
        "/v1/timeline",
        params={"of": "articles", "interval": "day", "q": "story", "dyad": "AZE-GEO"},
    ).json()
    assert [(b["start"], b["count"]) for b in searched["buckets"]] == [("2024-03-02", 1)]


@pytest.mark.parametrize(
    "params",
    [
        {"country": "AZE"},
        {"country": ["AZE", "TUR"]},
        {"country": ["GEO", "AZE", "TUR"]},
        {"country": ["KOR", "AZE"]},
        {"type": "agreement", "country": "TUR"},
    ],
)
def test_timelines_count_what_the_lists_list(
    client: TestClient, fixture: list[dict], params: dict
) -> None:
    # the lists check each row (EXISTS); the timelines find the rows from the states' (IN)
    def counted(of: str, extra: dict) -> int:
        body = client.get("/v1/timeline", params={"of": of, "interval": "year", **extra}).json()
        return sum(b["count"] for b in body["buckets"])

    events = client.get("/v1/events", params={**params, "limit": 100}).json()["items"]
    assert counted("events", params) == len([e for e in events if e["date"]])
    articles_params = {"country": params["country"]}
    if "type" in params:
        articles_params["event_type"] = params["type"]
    articles = client.get("/v1/articles", params={**articles_params, "limit": 100}).json()
    assert counted("articles", articles_params) == len(articles["items"])


def test_graph_nodes_and_weighted_edges(client: TestClient, fixture: list[dict]) -> None:
    body = client.get("/v1/graph", params={"kinds": "country"}).json()
    edges = {(e["source"], e["target"]): e["weight"] for e in body["edges"]}
    codes = {n["id"]: n["code"] for n in body["nodes"]}
    named = {tuple(sorted((codes[a], codes[b]))): w for (a, b), w in edges.items()}
    assert named == {("AZE", "TUR"): 4, ("AZE", "GEO"): 2, ("GEO", "TUR"): 1, ("KOR", "POL"): 1}
    heavy = client.get("/v1/graph", params={"kinds": "country", "min_weight": 2}).json()
    assert len(heavy["edges"]) == 2
    people = client.get("/v1/graph", params={"kinds": "country,person"}).json()
    assert any(n["kind"] == "person" for n in people["nodes"])
    by_article = client.get(
        "/v1/graph", params={"of": "articles", "kinds": "country", "type": "arms_transfer"}
    ).json()
    # article 3 (the only one with an arms transfer) mentions AZE and TUR: one shared article
    assert [e["weight"] for e in by_article["edges"]] == [1]
    assert {n["code"] for n in by_article["nodes"]} == {"AZE", "TUR"}


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/v1/dyads/AZE-AZE", {}, 400),
        ("/v1/dyads/AZE-ATL", {}, 400),
        ("/v1/dyads/AZE", {}, 400),
        ("/v1/dyads/AZE-TUR", {"date_from": "2024-02-01", "date_to": "2024-01-01"}, 400),
        ("/v1/dyads/AZE-TUR", {"type": "party"}, 422),
        ("/v1/dyads", {"country": "Atlantis"}, 400),
        ("/v1/countries/XXX", {}, 400),
        ("/v1/timeline", {"interval": "fortnight"}, 422),
        ("/v1/timeline", {"of": "people"}, 422),
        ("/v1/timeline", {"date_from": "2024-02-01", "date_to": "2024-01-01"}, 400),
        (
            "/v1/timeline",
            {"interval": "day", "date_from": "1900-01-01", "date_to": "2024-01-01"},
            400,
        ),
        ("/v1/graph", {"kinds": "planet"}, 400),
        ("/v1/graph", {"limit": 0}, 422),
    ],
)
def test_bad_requests(client: TestClient, path: str, params: dict, status: int) -> None:
    assert_problem(client.get(path, params=params), status)


def test_seed_article_dyad(client: TestClient, eval_articles) -> None:
    seed = next(a for a in eval_articles if a["id"] == "seed")
    client.post(
        "/v1/articles", content=seed["text"].encode(), headers={"content-type": "text/plain"}
    )
    body = client.get("/v1/dyads/AZE-TUR", params={"limit": 50}).json()
    dated = {(e["type"], e["date"]) for e in body["recent_events"]["items"]}
    assert {("visit", "2022-02-01"), ("agreement", "2021-06-15"), ("agreement", "1992")} <= dated
    assert {("agreement", "2021-06-15"), ("agreement", "1992")} <= {
        (e["type"], e["date"]) for e in body["agreements"]["items"]
    }


PEOPLE = [
    {"kind": "country", "code": "AZE"},
    {"kind": "country", "code": "TUR"},
    {"kind": "person", "name": "Rauf Aliyarov", "country": "AZE"},
    {"kind": "person", "name": "Selim Kaya", "country": "TUR"},
]
DIRECTED = [
    # article 1: Azerbaijan visits Turkey; and a pact with no direction
    [
        {
            "type": "visit",
            "date": "2024-03-11",
            "countries": ["AZE", "TUR"],
            "roles": {"AZE": "visitor", "TUR": "host"},
            "persons": ["Rauf Aliyarov"],
        },
        {"type": "agreement", "date": "2024-03-12", "countries": ["AZE", "TUR"]},
    ],
    # article 2: Turkey visits Azerbaijan, a year before
    [
        {
            "type": "visit",
            "date": "2023-05-02",
            "countries": ["TUR", "AZE"],
            "roles": {"TUR": "visitor", "AZE": "host"},
            "persons": ["Selim Kaya"],
        }
    ],
    # article 3: Turkey sells to Azerbaijan under a contract (an agreement with a direction)
    [
        {
            "type": "arms_transfer",
            "date": "2022-09",
            "countries": ["TUR", "AZE"],
            "roles": {"TUR": "supplier", "AZE": "recipient"},
        },
        {
            "type": "agreement",
            "date": "2022-08",
            "countries": ["TUR", "AZE"],
            "roles": {"TUR": "supplier", "AZE": "recipient"},
        },
    ],
    # article 4: a joint exercise, no one acting on the other
    [{"type": "exercise", "date": "2021-06-01", "countries": ["AZE", "TUR"]}],
]


@pytest.fixture
def directed_fixture(client: TestClient) -> list[dict]:
    return [
        create(client, n, events=events, entities=PEOPLE) for n, events in enumerate(DIRECTED, 1)
    ]


def _all_events(client: TestClient, params: dict) -> list[dict]:
    return _pages(client, {**params, "limit": 100})


def _acts_on(event: dict, a: str, b: str) -> bool:
    roles = {p["entity"].get("code"): p["role"] for p in event["participants"]}
    return roles.get(a) in {"visitor", "supplier", "donor"} and roles.get(b) in {
        "host",
        "recipient",
    }


@pytest.mark.parametrize(("a", "b", "expected"), [("AZE", "TUR", 1), ("TUR", "AZE", 3)])
def test_directed_profile_agrees_with_itself(
    client: TestClient, directed_fixture: list[dict], a: str, b: str, expected: int
) -> None:
    body = client.get(f"/v1/dyads/{a}-{b}", params={"directed": "true", "limit": 100}).json()
    listed = body["recent_events"]["items"]
    assert body["directed"] is True and body["recent_events"]["next_cursor"] is None
    assert len(listed) == body["counts"]["total"] == expected
    assert all(_acts_on(e, a, b) for e in listed)
    by_type: dict[str, int] = {}
    for event in listed:
        by_type[event["type"]] = by_type.get(event["type"], 0) + 1
    assert body["counts"]["by_type"] == by_type
    assert sum(y["count"] for y in body["counts"]["by_year"]) == expected
    dated = sorted((e["date_start"], e["id"]) for e in listed)
    assert body["first_event"]["id"] == dated[0][1] and body["last_event"]["id"] == dated[-1][1]
    assert [e["id"] for e in body["agreements"]["items"]] == [
        e["id"] for e in listed if e["type"] == "agreement"
    ]
    # the same events from the event list, and their articles from the article list
    same = _all_events(client, {"country": [a, b], "directed": "true"})
    assert [e["id"] for e in same] == [e["id"] for e in listed]
    articles = client.get(
        "/v1/articles", params={"dyad": f"{a}-{b}", "directed": "true", "limit": 100}
    ).json()["items"]
    assert {x["id"] for x in articles} == {e["article_id"] for e in listed}
    assert {x["id"] for x in body["articles"]["items"]} == {e["article_id"] for e in listed}
    # people: those of the listed events only, each counted once per event
    state_of = {p["name"]: p["country"] for p in PEOPLE if p["kind"] == "person"}
    for code in (a, b):
        counted = {p["person"]["name"]: p["count"] for p in body["people"][code]}
        expected_people: dict[str, int] = {}
        for event in listed:
            for p in event["participants"]:
                if p["entity"]["kind"] == "person" and state_of[p["entity"]["name"]] == code:
                    name = p["entity"]["name"]
                    expected_people[name] = expected_people.get(name, 0) + 1
        assert counted == expected_people


def test_directed_profiles_split_the_pair(client: TestClient, directed_fixture: list[dict]) -> None:
    def ids(pair: str, **params: str) -> set[int]:
        body = client.get(f"/v1/dyads/{pair}", params={**params, "limit": 100}).json()
        return {e["id"] for e in body["recent_events"]["items"]}

    forward, reverse, both = (
        ids("AZE-TUR", directed="true"),
        ids("TUR-AZE", directed="true"),
        ids("AZE-TUR"),
    )
    assert forward and reverse and not forward & reverse
    assert forward | reverse < both  # the pact and the exercise have no direction
    forward_body = client.get("/v1/dyads/AZE-TUR", params={"directed": "true"}).json()
    assert [p["person"]["name"] for p in forward_body["people"]["AZE"]] == ["Rauf Aliyarov"]
    assert forward_body["people"]["TUR"] == [] and forward_body["agreements"]["items"] == []
    assert forward_body["articles"]["items"][0]["id"] == directed_fixture[0]["id"]
    reverse_body = client.get("/v1/dyads/Turkey-Azerbaijan", params={"directed": "true"}).json()
    assert [e["type"] for e in reverse_body["agreements"]["items"]] == ["agreement"]
    assert [p["person"]["name"] for p in reverse_body["people"]["TUR"]] == ["Selim Kaya"]
    # paging on keeps the direction
    first = client.get("/v1/dyads/TUR-AZE", params={"directed": "true", "limit": 1}).json()
    seen = [e["id"] for e in first["recent_events"]["items"]]
    nested = first["recent_events"]
    page = _follow(client, nested)
    # the cursor is bound to the directed query: sent with those parameters it is the same page
    explicit = {"country": ["TUR", "AZE"], "directed": "true", "count": "happenings", "limit": 1}
    same = client.get("/v1/events", params={**explicit, "cursor": nested["next_cursor"]})
    assert same.status_code == 200 and same.json() == page
    while True:  # the next pages, with the link's own filters
        seen += [e["id"] for e in page["items"]]
        if not page["next_cursor"]:
            break
        page = client.get(
            "/v1/events",
            params={
                "country": ["TUR", "AZE"],
                "directed": "true",
                "count": "happenings",
                "limit": 1,
                "cursor": page["next_cursor"],
            },
        ).json()
    assert sorted(seen) == sorted(reverse) and len(seen) == len(reverse)
    more = _follow(client, first["articles"])["items"]
    assert {x["id"] for x in more} <= {directed_fixture[1]["id"], directed_fixture[2]["id"]}


def test_directed_lists_need_a_pair(client: TestClient) -> None:
    assert_problem(
        client.get("/v1/events", params={"country": "AZE", "directed": "true"}), 400, "directed"
    )
    assert_problem(client.get("/v1/events", params={"directed": "true"}), 400, "directed")
    assert_problem(client.get("/v1/articles", params={"directed": "true"}), 400, "directed")
    assert_problem(
        client.get("/v1/articles", params={"country": "AZE", "directed": "yes please"}),
        422,
        "directed",
    )
