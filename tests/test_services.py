"""Service-level guarantees: all-or-nothing storage, one entity per key under a race."""

import pytest
from sqlalchemy import false, func, select
from sqlalchemy.orm import Session

from app.models import Article, Entity, Event, Mention
from app.schemas.article import ArticleCreate
from app.services import ingest as article_service
from app.services.entity import get_or_create_entity
from tests.factories import article_payload


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
