"""Request dependencies: the unit of work, paging, and load-or-404 lookups."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.models import Article, Entity, Event
from app.services.article import get_article
from app.services.entity import get_entity
from app.services.event import get_event


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session(request: Request) -> Iterator[Session]:
    """The one transaction boundary of a request: commit on success, roll back on error."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": the commit (or rollback) runs before the response is sent, so a client
# never sees 201 for a write that then fails to commit, nor reads before the commit lands.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: str | None


def get_page(
    settings: SettingsDep,
    limit: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Items per page (default 20, clamped to the maximum)"),
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=500, description="`next_cursor` of the previous page")
    ] = None,
) -> PageParams:
    size = settings.page_size_default if limit is None else min(limit, settings.page_size_max)
    return PageParams(limit=size, cursor=cursor or None)


PageDep = Annotated[PageParams, Depends(get_page)]


ArticleId = Annotated[int, Path(ge=1, le=MAX_ID, description="Article id")]
EntityId = Annotated[int, Path(ge=1, le=MAX_ID, description="Entity id")]
EventId = Annotated[int, Path(ge=1, le=MAX_ID, description="Event id")]


def load_article(session: SessionDep, article_id: ArticleId) -> Article:
    return get_article(session, article_id=article_id)


def load_entity(session: SessionDep, entity_id: EntityId) -> Entity:
    return get_entity(session, entity_id=entity_id)


def load_event(session: SessionDep, event_id: EventId) -> Event:
    return get_event(session, event_id=event_id)


ArticleDep = Annotated[Article, Depends(load_article)]
EntityDep = Annotated[Entity, Depends(load_entity)]
EventDep = Annotated[Event, Depends(load_event)]
