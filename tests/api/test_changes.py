"""GET /v1/changes: every write shows up, in order, with tombstones for deletions."""

from fastapi.testclient import TestClient

from tests.factories import create
from tests.helpers import assert_problem


def _read(client: TestClient, since: str | None = None) -> tuple[list[tuple[str, str]], str | None]:
    body = client.get(
        "/v1/changes", params={"since": since, "limit": 100} if since else {"limit": 100}
    ).json()
    return [(c["kind"], c["action"]) for c in body["items"]], body["next_cursor"]


def test_changes_follow_every_write(client: TestClient) -> None:
    assert _read(client) == ([], None)
    article = create(client, 1)
    seen, cursor = _read(client)
    assert ("article", "created") in seen
    assert seen.count(("event", "created")) == 2
    assert ("entity", "created") in seen
    assert cursor is not None
    assert _read(client, cursor) == ([], cursor)  # nothing new: resume from the same place

    client.patch(f"/v1/articles/{article['id']}", json={"title": "New title"})
    seen, cursor = _read(client, cursor)
    assert seen == [("article", "updated")]

    client.post(
        "/v1/articles",
        params={"on_duplicate": "update"},
        json={"url": article["url"], "body": "Chile and Peru held talks on Monday.", "events": []},
    )
    seen, cursor = _read(client, cursor)
    assert ("article", "updated") in seen and seen.count(("event", "deleted")) == 2

    client.delete(f"/v1/articles/{article['id']}")
    seen, cursor = _read(client, cursor)
    assert seen == [("article", "deleted")]


def test_deleting_an_article_tombstones_its_events(client: TestClient) -> None:
    article = create(client, 1)
    _, cursor = _read(client)
    deleted = client.delete(f"/v1/articles/{article['id']}")
    assert deleted.status_code == 204, deleted.text
    seen, _ = _read(client, cursor)
    assert sorted(seen) == [
        ("article", "deleted"),
        ("event", "deleted"),
        ("event", "deleted"),
        ("happening", "deleted"),  # the last report of each of its two happenings went
        ("happening", "deleted"),
    ]


def test_changes_page_in_order_and_reject_bad_cursors(client: TestClient) -> None:
    articles = [create(client, n) for n in range(1, 4)]
    first = client.get("/v1/changes", params={"limit": 2})
    body = first.json()
    assert 'rel="next"' in first.headers["link"]
    # the feed links its next page with its one documented cursor name
    assert f"since={body['next_cursor']}" in first.headers["link"]
    assert "cursor=" not in first.headers["link"]
    ids = [c["id"] for c in body["items"]]
    rest = client.get("/v1/changes", params={"since": body["next_cursor"], "limit": 100}).json()
    assert ids + [c["id"] for c in rest["items"]] == sorted(ids + [c["id"] for c in rest["items"]])

    # pages of two, each resumed from the last one's cursor, add up to the whole feed once
    whole = client.get("/v1/changes", params={"limit": 100}).json()["items"]
    assert 0 < len(whole) < 100  # all of it, on one page
    paged: list[dict[str, object]] = []
    since = None
    while True:
        page = client.get("/v1/changes", params={"limit": 2, **({"since": since} if since else {})})
        items = page.json()["items"]
        if not items:
            assert "link" not in page.headers or 'rel="next"' not in page.headers["link"]
            break
        assert len(items) <= 2
        paged += items
        since = page.json()["next_cursor"]
    assert [c["id"] for c in paged] == sorted({c["id"] for c in paged})  # in order, no repeats
    assert paged == whole
    created = {(c["kind"], c["object_id"]) for c in whole if c["action"] == "created"}
    assert {("article", a["id"]) for a in articles} <= created
    events = {("event", e["id"]) for a in articles for e in a["events"]}
    assert len(events) == 6 and events <= created
    assert_problem(client.get("/v1/changes", params={"since": "garbage"}), 400, "cursor")
