from fastapi.testclient import TestClient

from tests.factories import article_payload, create
from tests.helpers import assert_problem


def _entity(client: TestClient, **params) -> dict:
    items = client.get("/v1/entities", params=params).json()["items"]
    assert len(items) == 1, items
    return items[0]


def test_one_entity_per_real_thing_across_articles(client: TestClient) -> None:
    create(client, 1)
    create(
        client,
        2,
        entities=[{"kind": "person", "name": "Aliyarov"}, {"kind": "country", "name": "Türkiye"}],
    )
    person = _entity(client, kind="person")
    assert person["name"] == "Rauf Aliyarov"
    assert person["country"] == "AZE"
    assert person["aliases"] == ["Aliyarov"]
    assert person["article_count"] == 2
    turkey = _entity(client, kind="country", q="tur")
    assert turkey["code"] == "TUR" and turkey["name"] == "Turkey"
    assert "Türkiye" in turkey["aliases"]


def test_entity_list_filters_sort_and_autocomplete(client: TestClient) -> None:
    create(client, 1)
    by_mentions = client.get("/v1/entities").json()["items"]
    counts = [e["mention_count"] for e in by_mentions]
    assert counts == sorted(counts, reverse=True)
    names = [
        e["name"]
        for e in client.get("/v1/entities", params={"sort": "name", "limit": 100}).json()["items"]
    ]
    assert names == sorted(names, key=str.casefold)
    assert [e["name"] for e in client.get("/v1/entities", params={"q": "ali"}).json()["items"]] == [
        "Rauf Aliyarov"
    ]
    assert [e["name"] for e in client.get("/v1/entities", params={"q": "Bak"}).json()["items"]] == [
        "Baku"
    ]
    assert client.get("/v1/entities", params={"q": "%"}).json()["items"] == []
    assert _entity(client, kind="person", country="Azerbaijan")["name"] == "Rauf Aliyarov"
    assert_problem(client.get("/v1/entities", params={"kind": "planet"}), 422, "kind")
    assert_problem(client.get("/v1/entities", params={"sort": "size"}), 422, "sort")
    assert_problem(client.get("/v1/entities", params={"country": "Narnia"}), 400, "country")


def test_entity_pagination_by_mentions_is_complete(client: TestClient) -> None:
    create(client, 1)
    seen: list[int] = []
    params: dict = {"limit": 2}
    while True:
        body = client.get("/v1/entities", params=params).json()
        seen += [e["id"] for e in body["items"]]
        if not body["next_cursor"]:
            break
        params["cursor"] = body["next_cursor"]
    everything = [
        e["id"] for e in client.get("/v1/entities", params={"limit": 100}).json()["items"]
    ]
    assert seen == everything and len(seen) == len(set(seen)) == 4


def test_entity_detail_articles_and_events(client: TestClient) -> None:
    assert_problem(client.get("/v1/entities/999"), 404)
    assert_problem(client.get("/v1/entities/x"), 422)
    first = create(client, 1)
    create(client, 2, events=[])
    person = _entity(client, kind="person")
    detail = client.get(f"/v1/entities/{person['id']}").json()
    assert detail["counts"] == {"mentions": 2, "articles": 2, "events": 1}
    articles = client.get(f"/v1/entities/{person['id']}/articles").json()["items"]
    assert len(articles) == 2
    events = client.get(f"/v1/entities/{person['id']}/events").json()["items"]
    assert [e["article_id"] for e in events] == [first["id"]]
    assert_problem(client.get("/v1/entities/999/articles"), 404)
    assert_problem(client.get("/v1/entities/999/events"), 404)


def test_events_filters(client: TestClient) -> None:
    create(client, 1)
    create(
        client,
        2,
        events=[
            {
                "type": "exercise",
                "date": "2023-06-01",
                "countries": ["AZE", "GEO"],
                "status": "planned",
            },
            {"type": "visit", "countries": ["GEO", "TUR"]},
        ],
    )

    def types(**params) -> list[str]:
        response = client.get("/v1/events", params=params)
        assert response.status_code == 200, response.text
        return [e["type"] for e in response.json()["items"]]

    assert types() == ["meeting", "agreement", "exercise", "visit"]
    assert types(sort="date") == ["exercise", "agreement", "meeting", "visit"]
    assert types(type="exercise") == ["exercise"]
    assert types(country="GEO") == ["exercise", "visit"]
    assert types(country=["AZE", "TUR"]) == ["meeting", "agreement"]
    assert types(date_from="2024-01-01") == ["meeting", "agreement"]
    assert types(date_to="2023-12-31") == ["exercise"]
    assert types(status="planned") == ["exercise"]
    person = _entity(client, kind="person")
    assert types(entity=person["id"]) == ["meeting"]
    article_id = client.get("/v1/articles", params={"sort": "published_at"}).json()["items"][0][
        "id"
    ]
    assert types(article=article_id) == ["meeting", "agreement"]
    assert_problem(client.get("/v1/events", params={"type": "party"}), 422, "type")
    assert_problem(client.get("/v1/events", params={"status": "rumoured"}), 422, "status")
    assert_problem(client.get("/v1/events", params={"date_from": "2024-13-01"}), 422, "date_from")
    assert_problem(
        client.get("/v1/events", params={"date_from": "2024-02-01", "date_to": "2024-01-01"}), 400
    )
    assert_problem(client.get("/v1/events", params={"sort": "type"}), 422, "sort")


def test_events_pagination_and_detail(client: TestClient) -> None:
    for n in range(1, 4):
        create(client, n)
    seen: list[int] = []
    params: dict = {"limit": 4}
    while True:
        body = client.get("/v1/events", params=params).json()
        seen += [e["id"] for e in body["items"]]
        if not body["next_cursor"]:
            break
        params["cursor"] = body["next_cursor"]
    assert len(seen) == len(set(seen)) == 6
    assert_problem(client.get("/v1/events/999"), 404)
    event = client.get(f"/v1/events/{seen[0]}").json()
    assert event["id"] == seen[0]
    assert {p["entity"]["kind"] for p in event["participants"]} <= {"country", "person"}
    assert event["countries"] == ["AZE", "TUR"]


def test_undated_events_come_last_in_both_orders(client: TestClient) -> None:
    create(
        client,
        1,
        events=[{"type": "visit", "countries": ["AZE"]}, {"type": "meeting", "date": "2020"}],
    )
    assert [e["type"] for e in client.get("/v1/events").json()["items"]] == ["meeting", "visit"]
    assert [
        e["type"] for e in client.get("/v1/events", params={"sort": "date"}).json()["items"]
    ] == [
        "meeting",
        "visit",
    ]


def test_curated_dataset_round_trip(client: TestClient) -> None:
    payload = article_payload(
        1,
        entities=[
            {
                "kind": "agreement",
                "name": "Shusha Declaration on Allied Relations",
                "aliases": ["Shusha Declaration"],
            },
            {"kind": "equipment", "name": "Bayraktar TB2"},
            {"kind": "organization", "name": "NATO", "optional": True},
        ],
    )
    body = client.post("/v1/articles", json=payload).json()
    kinds = {m["entity"]["kind"] for m in body["mentions"]}
    assert kinds == {"agreement", "equipment", "organization"}
    assert all(m["start"] is None for m in body["mentions"])
