from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from app.api.article_view import shown, summarized
from app.api.export import EXPORT_RESPONSES
from app.api.listing import ExportableDep, ListDep, Listing, respond
from app.api.paging import CursorRoute
from app.deps import EntityDep, EntityFiltersDep, SessionDep
from app.errors import problem_responses
from app.schemas.article import ArticleSummary
from app.schemas.common import Page
from app.schemas.entity import EntityCounts, EntityDetail, EntityListItem, entity_fields
from app.schemas.event import EventRead, event_read
from app.schemas.filters import ArticleFilters, Duplicates, EventFilters
from app.services import article as article_service
from app.services import entity as service
from app.services import event as event_service

router = APIRouter(prefix="/v1/entities", tags=["entities"], route_class=CursorRoute)

EntitySort = Annotated[
    str,
    Query(pattern=r"^-?(mentions|name)$", description="-mentions (default), mentions, name, -name"),
]


def _list_item(row: tuple[Any, int, int]) -> EntityListItem:
    entity, mentions, articles = row
    return EntityListItem(**entity_fields(entity), mention_count=mentions, article_count=articles)


@router.get(
    "",
    response_model=Page[EntityListItem],
    summary="List entities; `q` is a name prefix, for autocomplete (or all, as CSV or NDJSON)",
    responses={**EXPORT_RESPONSES, **problem_responses(400, 422)},
)
def list_entities(
    asked: ExportableDep, filters: EntityFiltersDep, sort: EntitySort = "-mentions"
) -> Response:
    listing = Listing(
        "entities",
        EntityListItem,
        fetch=lambda s, c, n: service.list_entities(
            s, filters=filters, sort=sort, limit=n, cursor=c
        ),
        serialize=_list_item,
    )
    return respond(asked, listing, model=Page[EntityListItem])


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
    asked: ListDep,
    entity: EntityDep,
    duplicates: Annotated[
        Duplicates, Query(description="exclude (default): copies are not listed; include: all")
    ] = Duplicates.exclude,
) -> Response:
    filters = ArticleFilters(entity=entity.id, duplicates=duplicates)
    listing = Listing(
        "articles",
        ArticleSummary,
        fetch=lambda s, c, n: summarized(
            s,
            article_service.list_articles(
                s, filters=filters, sort="-published_at", limit=n, cursor=c
            ),
        ),
        serialize=shown,
    )
    return respond(asked, listing, model=Page[ArticleSummary])


@router.get(
    "/{entity_id}/events",
    response_model=Page[EventRead],
    operation_id="list_entity_events",
    summary="Events the entity takes part in, latest first",
    responses=problem_responses(400, 404, 422),
)
def entity_events(asked: ListDep, entity: EntityDep) -> Response:
    filters = EventFilters(entity=entity.id)
    listing = Listing(
        "events",
        EventRead,
        fetch=lambda s, c, n: event_service.list_events(
            s, filters=filters, sort="-date", limit=n, cursor=c
        ),
        serialize=event_read,
    )
    return respond(asked, listing, model=Page[EventRead])
