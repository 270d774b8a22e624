"""Request dependencies: the unit of work, paging, filters, and load-or-404 lookups (the API
keys are app.api.auth)."""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.api.export import Reader
from app.api.paging import MAX_CURSOR_CHARS
from app.config import Settings
from app.db.limits import time_limit
from app.db.replicas import ReplicaSet, parse_lsn
from app.db.session import writing_session
from app.errors import BadRequest
from app.http.commit_token import STATE_KEY
from app.http.observability import Metrics
from app.models import Article, Entity, Event, Happening
from app.schemas.filters import (
    ArticleFilters,
    ArticleListFilters,
    EntityFilters,
    EventFilters,
    EventScope,
    HappeningFilters,
)
from app.services.article import get_article
from app.services.entity import get_entity
from app.services.event import get_event
from app.services.happening_read import get_happening


# Dependencies that only read app state or query values are `async def`: FastAPI runs a plain
# `def` dependency in the thread pool, a hop per dependency on every request; those that touch
# the database (loading a row) stay `def`, and the session and the key check hand their I/O to
# the pool themselves, only where there is some.
async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


def metrics_of(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


async def get_metrics(request: Request) -> Metrics:
    return metrics_of(request)


MetricsDep = Annotated[Metrics, Depends(get_metrics)]


async def get_replicas(request: Request) -> ReplicaSet | None:
    replicas: ReplicaSet | None = getattr(request.app.state, "replicas", None)
    return replicas


ReplicasDep = Annotated[ReplicaSet | None, Depends(get_replicas)]

COMMIT_TOKEN = "X-Commit-Token"
READS = ("GET", "HEAD", "OPTIONS")


def commit_token_of(request: Request) -> int | None:
    """The WAL position a read must see (the `X-Commit-Token` of the client's last write)."""
    given = request.headers.get(COMMIT_TOKEN)
    if given is None:
        return None
    try:
        return parse_lsn(given)
    except ValueError as error:
        raise BadRequest(str(error), field=COMMIT_TOKEN, location="header") from error


async def get_session(
    request: Request, factory: SessionFactoryDep, settings: SettingsDep, replicas: ReplicasDep
) -> AsyncIterator[Session]:
    """The one transaction boundary of a request: commit on success, roll back on error; the
    request's database work is stopped past DEFCOOP_DB_TIME_LIMIT_S (a 503, never a hung worker).
    With read replicas, a read goes to one that can serve it (else the primary), and a write's
    answer carries the primary's position after its commit (`X-Commit-Token`).

    It is `app.db.session.transaction` for a request, run on the event loop rather than in the
    thread pool: a search paid a thread hop to open its session and another to end it. Opening a
    session does no I/O, and on SQLite ending a read takes microseconds, so those stay on the
    loop. What may wait runs in the pool: choosing a replica (it may connect), a write's commit
    (SQLite's lock, fsync), and every commit or rollback on a server database (a round trip; a
    server that stopped answering would stall the loop, and every request with it). The commit
    or rollback is inside the time limit: leaving the limit then has no transaction to reset (on
    PostgreSQL, a statement saved)."""
    write = request.method not in READS
    if write:
        session = writing_session(factory)
    elif replicas is None:
        session = factory()
    else:
        token = commit_token_of(request)
        chosen: Session | None = await run_in_threadpool(replicas.open_read, token)
        session = chosen or factory()
    on_loop = not write and session.get_bind().dialect.name == "sqlite"

    async def end(step: Callable[[], object]) -> None:
        if on_loop:
            step()
        else:
            await run_in_threadpool(step)

    try:
        with time_limit(session, settings.db_time_limit_s):
            try:
                yield session
                if write:
                    await run_in_threadpool(_commit_write, request, session, replicas)
                else:
                    await end(session.commit)
            except BaseException:
                await end(session.rollback)
                raise
    finally:
        session.close()  # no transaction is left open: no round trip


def _commit_write(request: Request, session: Session, replicas: ReplicaSet | None) -> None:
    session.commit()
    if replicas is not None:  # committed: a token covers the commit
        setattr(request.state, STATE_KEY, replicas.commit_token())


# scope="function": the commit (or rollback) runs before the response is sent, so a client
# never sees 201 for a write that then fails to commit, nor reads before the commit lands.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_reader(
    request: Request, factory: SessionFactoryDep, settings: SettingsDep, replicas: ReplicasDep
) -> Reader:
    """Sessions for the reads outside the request's own (an export's pages), under its limit;
    on a replica that has the client's token, if there is one."""
    if replicas is not None and request.method in READS:
        factory = replicas.read_factory(commit_token_of(request)) or factory

    @contextmanager
    def read() -> Iterator[Session]:
        with factory() as session, time_limit(session, settings.db_time_limit_s):
            yield session

    return read


ReaderDep = Annotated[Reader, Depends(get_reader)]


MAX_ID = 2**31 - 1  # ids are INTEGER columns (32-bit on PostgreSQL)
LIMIT_HELP = "Items per page (default {default}, clamped to {maximum})"

LimitCheck = Callable[[SettingsDep, int | None], Awaitable[int]]


def limit_of(
    default: int | None = None, maximum: int | None = None, *, description: str = LIMIT_HELP
) -> LimitCheck:
    """The `limit` parameter of a list: one rule everywhere, a value above the maximum is
    clamped to it (a value below 1 is a 422). Without `default` and `maximum`, those are
    DEFCOOP_PAGE_SIZE_DEFAULT and DEFCOOP_PAGE_SIZE_MAX."""
    help = description.format(default=default or 20, maximum=maximum or "the maximum")

    async def clamped(
        settings: SettingsDep,
        limit: Annotated[int | None, Query(ge=1, le=MAX_ID, description=help)] = None,
    ) -> int:
        most = maximum or settings.page_size_max
        return min(limit or default or settings.page_size_default, most)

    return clamped


LimitDep = Annotated[int, Depends(limit_of())]


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: str | None


async def get_page(
    limit: LimitDep,
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
    return PageParams(limit=limit, cursor=cursor or None)


PageDep = Annotated[PageParams, Depends(get_page)]


ArticleId = Annotated[int, Path(ge=1, le=MAX_ID, description="Article id")]
EntityId = Annotated[int, Path(ge=1, le=MAX_ID, description="Entity id")]
EventId = Annotated[int, Path(ge=1, le=MAX_ID, description="Event id")]
HappeningId = Annotated[int, Path(ge=1, le=MAX_ID, description="Happening id")]


def load_article(session: SessionDep, article_id: ArticleId) -> Article:
    return get_article(session, article_id=article_id)


def load_entity(session: SessionDep, entity_id: EntityId) -> Entity:
    return get_entity(session, entity_id=entity_id)


def load_event(session: SessionDep, event_id: EventId) -> Event:
    return get_event(session, event_id=event_id)


def load_happening(session: SessionDep, happening_id: HappeningId) -> Happening:
    return get_happening(session, happening_id=happening_id)


ArticleDep = Annotated[Article, Depends(load_article)]
EntityDep = Annotated[Entity, Depends(load_entity)]
EventDep = Annotated[Event, Depends(load_event)]
HappeningDep = Annotated[Happening, Depends(load_happening)]


# The filter models, received as query-parameter models: each field is a query parameter.
ArticleFiltersDep = Annotated[ArticleFilters, Query()]
ArticleListFiltersDep = Annotated[ArticleListFilters, Query()]
EventScopeDep = Annotated[EventScope, Query()]
EventFiltersDep = Annotated[EventFilters, Query()]
HappeningFiltersDep = Annotated[HappeningFilters, Query()]
EntityFiltersDep = Annotated[EntityFilters, Query()]
