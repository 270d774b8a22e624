"""Service-level guarantees: all-or-nothing storage, one entity per key under a race, and the
read services over rows that the session factories add."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import false, func, select
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.models import Article, Entity, Event, Mention
from app.schemas.article import ArticleCreate
from app.services import ingest as article_service
from app.services.article import delete_article, get_article
from app.services.changes import list_changes
from app.services.entity import get_or_create_entity
from app.services.event import get_event
from tests.factories import article_payload, make_article, make_event


def test_an_article_is_stored_whole_or_not_at_all(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real = article_service.get_or_create_entity

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("the disk is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(article_service, "get_or_create_entity", failing)
    data = ArticleCreate.model_validate(article_payload())
    with pytest.raises(RuntimeError):
        article_service.create_article(session, data=data)
    session.rollback()
    for model in (Article, Entity, Mention, Event):
        assert session.scalar(select(func.count()).select_from(model)) == 0, model


def test_get_or_create_survives_a_concurrent_insert(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = Entity(kind="person", name="Selim Kaya", key="selim kaya")
    session.add(theirs)
    session.flush()
    # Our lookups run before the other writer's row is visible: they miss, the insert
    # then hits the unique key, and we must end up with their row, not an error.
    original = session.scalars
    misses = {"left": 2}

    def scalars(stmt, *args, **kwargs):  # type: ignore[no-untyped-def]
        if misses["left"]:
            misses["left"] -= 1
            return original(select(Entity).where(false()))
        return original(stmt, *args, **kwargs)

    monkeypatch.setattr(session, "scalars", scalars)
    ours = get_or_create_entity(session, kind="person", name="SELIM  KAYA")
    assert ours.id == theirs.id
    assert session.scalar(select(func.count()).select_from(Entity)) == 1


# --- the stable read services over rows from the session factories ---------------------------


def test_get_article_returns_the_row_or_a_not_found_naming_article_id(session: Session) -> None:
    article = make_article(session, 3)
    found = get_article(session, article_id=article.id)
    assert found is article and found.source is not None and found.source.name == "Test Wire"
    assert sorted(m.surface for m in found.mentions) == ["Azerbaijani", "Turkish"]
    with pytest.raises(NotFound) as missing:
        get_article(session, article_id=article.id + 1000)
    assert missing.value.status == 404
    assert [(e["field"], e["in"]) for e in missing.value.errors] == [("article_id", "path")]


def test_get_event_returns_the_row_with_its_participants(session: Session) -> None:
    event = make_event(session, make_article(session), countries=("AZE", "TUR", "GEO"))
    found = get_event(session, event_id=event.id)
    assert found.article_id == event.article_id and found.type == "meeting"
    assert [p.entity.code for p in found.participants] == ["AZE", "TUR", "GEO"]
    assert found.participants[2].entity.name == "Georgia"
    with pytest.raises(NotFound) as missing:
        get_event(session, event_id=event.id + 1000)
    assert [e["field"] for e in missing.value.errors] == ["event_id"]


def test_the_change_feed_records_factory_rows_and_their_tombstones(session: Session) -> None:
    article = make_article(session)
    make_event(session, article)
    make_event(session, article, type="agreement", cameo_code="057")
    session.commit()
    items, cursor, more = list_changes(session, limit=100, since=None)
    assert not more and cursor is not None
    assert sorted((c.kind, c.action) for c in items) == [
        ("article", "created"),
        ("entity", "created"),
        ("entity", "created"),
        ("event", "created"),
        ("event", "created"),
    ]
    assert ("article", article.id) in {(c.kind, c.object_id) for c in items}
    assert list_changes(session, limit=100, since=cursor)[0] == []

    delete_article(session, article=article)
    session.commit()
    after, _, _ = list_changes(session, limit=100, since=cursor)
    assert sorted((c.kind, c.action) for c in after) == [
        ("article", "deleted"),
        ("event", "deleted"),
        ("event", "deleted"),
    ]


def test_factory_rows_read_back_through_the_api(session: Session, client: TestClient) -> None:
    article = make_article(session, 2, author="Ayla Demir")
    event = make_event(session, article)
    session.commit()
    body = client.get(f"/v1/articles/{article.id}", params={"include": "events"}).json()
    assert (body["author"], body["published_at"]) == ("Ayla Demir", "2024-03-02T00:00:00Z")
    assert body["content_hash"] == article.content_hash
    assert [(e["id"], e["countries"]) for e in body["events"]] == [(event.id, ["AZE", "TUR"])]
