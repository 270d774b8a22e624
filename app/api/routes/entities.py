from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.api.export import EXPORT_RESPONSES, FORMAT_HELP, ExportFormat, export, wanted_format
from app.api.paging import CursorRoute, page_response
from app.deps import EntityDep, PageDep, SessionDep
from app.errors import problem_responses
from app.schemas.article import ArticleSummary
from app.schemas.common import Page
from app.schemas.entity import EntityCounts, EntityDetail, EntityListItem, entity_fields
from app.schemas.event import EventRead, event_read
from app.services import article as article_service
from app.services import entity as service
from app.services import event as event_service
from app.services.article import ArticleFilters
from app.services.entity import EntityFilters
from app.services.event import EventFilters
from app.services.filters import country_codes
from app.taxonomy import EntityKind

router = APIRouter(prefix="/v1/entities", tags=["entities"], route_class=CursorRoute)


@router.get(
    "",
    response_model=Page[EntityListItem],
    summary="List entities; `q` is a name prefix, for autocomplete (or all, as CSV or NDJSON)",
    responses={**EXPORT_RESPONSES, **problem_responses(400, 422)},
)
def list_entities(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[EntityKind | None, Query()] = None,
    country: Annotated[
        str | None, Query(max_length=60, description="The entity's state (code or name)")
    ] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="Name prefix")] = None,
    sort: Annotated[
        str,
        Query(
            pattern=r"^-?(mentions|name)$", description="-mentions (default), mentions, name, -name"
        ),
    ] = "-mentions",
    format: Annotated[ExportFormat | None, Query(description=FORMAT_HELP)] = None,
) -> Page[EntityListItem] | StreamingResponse:
    codes = country_codes([country] if country else None)
    filters = EntityFilters(kind=kind, country=codes[0] if codes else None, q=q)
    fmt = wanted_format(request, format)
    if fmt is not ExportFormat.json:
        return export(
            request,
            fmt,
            name="entities",
            pager=lambda s, c, n: service.list_entities(
                s, filters=filters, sort=sort, limit=n, cursor=c
            ),
            schema=EntityListItem,
            serialize=lambda row: EntityListItem(
                **entity_fields(row[0]), mention_count=row[1], article_count=row[2]
            ),
        )
    rows, next_cursor = service.list_entities(
        session, filters=filters, sort=sort, limit=page.limit, cursor=page.cursor
    )
    items = [
        EntityListItem(**entity_fields(entity), mention_count=mentions, article_count=articles)
        for entity, mentions, articles in rows
    ]
    return page_response(
        request, response, Page[EntityListItem], items, limit=page.limit, next_cursor=next_cursor
    )


@router.get(
    "/{entity_id}",
    response_model=EntityDetail,
    summary="One entity with its aliases and counts",
    responses=problem_responses(404, 422),
)
def get_entity(session: SessionDep, entity: EntityDep) -> EntityDetail:
    counts = service.entity_counts(session, entity_id=entity.id)
    return EntityDetail(**entity_fields(entity), counts=EntityCounts(**counts))


@router.get(
    "/{entity_id}/articles",
    response_model=Page[ArticleSummary],
    operation_id="list_entity_articles",
    summary="Articles that mention the entity, newest first",
    responses=problem_responses(400, 404, 422),
)
def entity_articles(
    request: Request, response: Response, session: SessionDep, entity: EntityDep, page: PageDep
) -> Page[ArticleSummary]:
    items, next_cursor = article_service.list_articles(
        session,
        filters=ArticleFilters(entity_id=entity.id),
        sort="-published_at",
        limit=page.limit,
        cursor=page.cursor,
    )
    return page_response(
        request,
        response,
        Page[ArticleSummary],
        [ArticleSummary.model_validate(a) for a in items],
        limit=page.limit,
        next_cursor=next_cursor,
    )


@router.get(
    "/{entity_id}/events",
    response_model=Page[EventRead],
    operation_id="list_entity_events",
    summary="Events the entity takes part in, latest first",
    responses=problem_responses(400, 404, 422),
)
def entity_events(
    request: Request, response: Response, session: SessionDep, entity: EntityDep, page: PageDep
) -> Page[EventRead]:
    items, next_cursor = event_service.list_events(
        session,
        filters=EventFilters(entity_id=entity.id),
        sort="-date",
        limit=page.limit,
        cursor=page.cursor,
    )
    return page_response(
        request,
        response,
        Page[EventRead],
        [event_read(e) for e in items],
        limit=page.limit,
        next_cursor=next_cursor,
    )
