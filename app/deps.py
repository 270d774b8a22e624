"""Request dependencies: the unit of work, paging, and load-or-404 lookups."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from app.api.paging import MAX_CURSOR_CHARS
from app.config import Settings
from app.db.limits import time_limit
from app.db.session import begin_write
from app.errors import Forbidden, InvalidParameter, Unauthorized
from app.models import ApiKey, Article, Entity, Event
from app.schemas.common import Day
from app.services.article import ArticleFilters, get_article
from app.services.entity import get_entity
from app.services.event import get_event
from app.services.filters import country_codes, dyad_codes
from app.services.keys import Scope, allows, find_key
from app.taxonomy import EventType


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session(request: Request) -> Iterator[Session]:
    """The one transaction boundary of a request: commit on success, roll back on error; the
    request's database work is stopped past DEFCOOP_DB_TIME_LIMIT_S (a 503, never a hung worker)."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    settings: Settings = request.app.state.settings
    session = factory()
    try:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            begin_write(session)
        with time_limit(session, settings.db_time_limit_s):
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


MAX_ID = 2**31 - 1  # ids are INTEGER columns (32-bit on PostgreSQL)


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
        str | None,
        Query(
            max_length=MAX_CURSOR_CHARS,
            description="`next_cursor` of the previous page. Alone, it continues that page's "
            "query (filters, sort, limit); with other parameters, they must be the same as "
            "that page's (`limit` may change)",
        ),
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


# The two ways to present a key. As security dependencies they also put the schemes, and
# which operations need which scope, into the OpenAPI document (and an Authorize button in /docs).
BEARER = HTTPBearer(
    scheme_name="bearer",
    description="`Authorization: Bearer <key>`, a key from `defcoop keys create`: needed to "
    "write, and to read when DEFCOOP_REQUIRE_READ_KEY is set",
    auto_error=False,
)
API_KEY = APIKeyHeader(
    name="X-API-Key",
    scheme_name="apiKey",
    description="The same key in an `X-API-Key` header",
    auto_error=False,
)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
ApiKeyHeaderDep = Annotated[str | None, Depends(API_KEY)]

KeyCheck = Callable[[SessionDep, SettingsDep, BearerDep, ApiKeyHeaderDep], ApiKey | None]


def _require(needed: Scope) -> KeyCheck:
    def check(
        session: SessionDep, settings: SettingsDep, bearer: BearerDep, api_key: ApiKeyHeaderDep
    ) -> ApiKey | None:
        if needed is Scope.read and not settings.require_read_key:
            return None
        secret = (bearer.credentials.strip() if bearer else None) or api_key or None
        header = "Authorization" if bearer or api_key is None else "X-API-Key"
        challenge = {"WWW-Authenticate": 'Bearer realm="defcoop"'}
        if secret is None:
            raise Unauthorized(
                "An API key is required: send `Authorization: Bearer <key>` or `X-API-Key`.",
                headers=challenge,
                field="Authorization",
                location="header",
            )
        key = find_key(session, secret=secret)
        if key is None:
            raise Unauthorized(
                "The API key is not valid (unknown or revoked).",
                headers=challenge,
                field=header,
                location="header",
            )
        if not allows(key, needed):
            raise Forbidden(
                f"This key has the {key.scope} scope; this needs {needed.value}.",
                field=header,
                location="header",
            )
        return key

    return check


WriteKey = Security(_require(Scope.write), scopes=[Scope.write.value])
ReadKey = Security(_require(Scope.read), scopes=[Scope.read.value])  # open unless configured


def check_range(start: date | None, end: date | None, names: tuple[str, str]) -> None:
    """A from/to pair of query parameters whose end comes before its start is a 400."""
    if start and end and start > end:
        raise InvalidParameter(names[0], f"is after {names[1]}")


def get_article_filters(
    source: Annotated[
        str | None, Query(max_length=200, description="Source name or domain")
    ] = None,
    author: Annotated[str | None, Query(max_length=300)] = None,
    agency: Annotated[
        str | None, Query(max_length=200, description="The wire credited (AA, TASS...)")
    ] = None,
    lang: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$", description="ISO 639-1")] = None,
    published_from: Annotated[Day | None, Query(description="On or after (YYYY-MM-DD)")] = None,
    published_to: Annotated[Day | None, Query(description="On or before (YYYY-MM-DD)")] = None,
    country: Annotated[
        list[str] | None,
        Query(max_length=10, description="Repeatable: articles that mention all of them"),
    ] = None,
    entity: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Mentions this entity")
    ] = None,
    event_type: Annotated[
        EventType | None, Query(description="Reports an event of this type")
    ] = None,
    dyad: Annotated[
        str | None, Query(max_length=100, description="AZE-TUR: an event in which both take part")
    ] = None,
) -> ArticleFilters:
    """The article filters every article list and search shares, checked."""
    check_range(published_from, published_to, ("published_from", "published_to"))
    return ArticleFilters(
        source=source,
        author=author,
        agency=agency,
        lang=lang,
        published_from=published_from,
        published_to=published_to,
        countries=country_codes(country),
        entity_id=entity,
        event_type=event_type,
        dyad=dyad_codes(dyad),
    )


ArticleFiltersDep = Annotated[ArticleFilters, Depends(get_article_filters)]
