"""GET /v1/changes: every write shows up, in order, with tombstones for deletions."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app import migrate
from app.api.paging import cursor_key, open_cursor, seal_cursor
from app.kit.pagination import encode_cursor
from app.services.changes import LEGACY_KEYSET, list_changes
from tests.factories import create, write_change
from tests.helpers import ON_POSTGRES, assert_problem


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


def test_a_cursor_issued_before_positions_carried_transactions_still_resumes(
    client: TestClient,
) -> None:
    create(client, 1)
    whole = client.get("/v1/changes", params={"limit": 100}).json()["items"]
    middle = whole[len(whole) // 2]["id"]
    # a cursor as the API sealed it before: ("changes", id, id) inside
    key = cursor_key(client.app.state.settings)  # type: ignore[attr-defined]
    issued = open_cursor(key, client.get("/v1/changes", params={"limit": 1}).json()["next_cursor"])
    old = seal_cursor(key, issued.path, issued.params, encode_cursor(LEGACY_KEYSET, middle, middle))
    after = client.get("/v1/changes", params={"since": old, "limit": 100})
    assert after.status_code == 200, after.text
    ids = [c["id"] for c in after.json()["items"]]
    # every change after it, and (on PostgreSQL, to be safe) perhaps some before it again
    assert {c["id"] for c in whole if c["id"] > middle} <= set(ids)
    assert after.json()["next_cursor"] != old


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite's writers are serialised: ids are commit order")
def test_a_slow_writer_that_drew_its_id_first_is_not_skipped_by_a_mirror(scratch_url: str) -> None:
    """By id, a mirror that had read a fast transaction's change would resume past a slower
    one's smaller id and never see it; the feed waits for the slow one, then gives both."""
    migrate.upgrade(scratch_url)
    engine = create_engine(scratch_url)
    reader = Session(engine)

    try:
        with engine.connect() as slow, engine.connect() as fast:
            slow.begin()
            slow_id = write_change(slow, 1)
            fast.begin()
            fast_id = write_change(fast, 2)
            fast.commit()
            assert slow_id < fast_id
            items, resume, _more = list_changes(reader, limit=100, since=None)
            assert items == [] and resume is None  # the fast one waits behind the slow one
            reader.rollback()
            slow.commit()
        items, resume, _more = list_changes(reader, limit=1, since=None)
        assert [c.id for c in items] == [slow_id]
        items, _resume, _more = list_changes(reader, limit=100, since=resume)
        assert [c.id for c in items] == [fast_id]
    finally:
        reader.close()
        engine.dispose()
