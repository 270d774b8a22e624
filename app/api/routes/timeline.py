from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field
from sqlalchemy import Select, select

from app.deps import MAX_ID, SessionDep, check_range
from app.errors import InvalidParameter, problem_responses
from app.models import Article, Event
from app.schemas.common import Day, Schema
from app.schemas.filters import ArticleFilters, EventFilters
from app.services.article_filters import apply_filters
from app.services.event import filtered_events
from app.services.filters import country_codes, dyad_codes
from app.services.graph import GraphRequest, graph, graph_of_all_events
from app.services.search import QueryMode, SearchRequest, matching_ids
from app.services.summary import whole_years
from app.services.timeline import Interval, timeline
from app.taxonomy import EntityKind, EventStatus, EventType

router = APIRouter(prefix="/v1", tags=["relations"])


class Bucket(Schema):
    start: str = Field(description="First day of the bucket (ISO 8601)")
    count: int
    by_type: dict[str, int] | None = None


class Timeline(Schema):
    of: str
    interval: Interval
    buckets: list[Bucket]


class GraphNode(Schema):
    id: str
    entity_id: int
    label: str
    kind: str
    code: str | None
    country: str | None
    weight: int = Field(description="Sum of the weights of its edges")


class GraphEdge(Schema):
    id: str
    source: str
    target: str
    weight: int = Field(description="Events (or articles) the two share")


class Graph(Schema):
    nodes: list[GraphNode]
    edges: list[GraphEdge]


def _event_ids(
    type: EventType | None, country: list[str] | None, entity: int | None,
    date_from: date | None, date_to: date | None, status: EventStatus | None,
) -> Select[Any]:  # fmt: skip
    filters = EventFilters(
        type=type, country=country_codes(country), entity=entity,
        date_from=date_from, date_to=date_to, status=status,
    )  # fmt: skip
    return filtered_events(filters, counting=True).with_only_columns(Event.id)


@router.get(
    "/timeline",
    response_model=Timeline,
    summary="Articles or events per day, week, month or year, zero-filled",
    responses=problem_responses(400, 422),
)
def get_timeline(
    session: SessionDep,
    of: Annotated[
        str, Query(pattern=r"^(articles|events)$", description="articles or events")
    ] = "events",
    interval: Annotated[Interval, Query()] = Interval.month,
    group_by: Annotated[
        str | None, Query(pattern=r"^type$", description="type: counts per event type")
    ] = None,
    q: Annotated[str | None, Query(max_length=500, description="Search query (articles)")] = None,
    type: Annotated[EventType | None, Query(description="Event type (events)")] = None,
    status: Annotated[EventStatus | None, Query()] = None,
    country: Annotated[list[str] | None, Query(max_length=10)] = None,
    entity: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    date_from: Annotated[Day | None, Query(description="Events: on or after")] = None,
    date_to: Annotated[Day | None, Query()] = None,
    published_from: Annotated[Day | None, Query(description="Articles: on or after")] = None,
    published_to: Annotated[Day | None, Query()] = None,
    source: Annotated[str | None, Query(max_length=200)] = None,
    lang: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$")] = None,
    event_type: Annotated[
        EventType | None, Query(description="Articles reporting this type")
    ] = None,
    dyad: Annotated[str | None, Query(max_length=100)] = None,
) -> Timeline:
    ids: Select[Any] | None
    if of == "events":
        check_range(date_from, date_to, ("date_from", "date_to"))
        narrowed = bool(country or entity or status)
        ids = _event_ids(type, country, entity, date_from, date_to, status) if narrowed else None
        start, end = date_from, date_to
    else:
        if group_by:
            raise InvalidParameter("group_by", "type applies to of=events")
        check_range(published_from, published_to, ("published_from", "published_to"))
        filters = ArticleFilters(
            source=source, lang=lang, published_from=published_from, published_to=published_to,
            country=country_codes(country), entity=entity, event_type=event_type, dyad=dyad_codes(dyad),
        )  # fmt: skip
        ids = (
            matching_ids(session, SearchRequest(q=q, mode=QueryMode.simple, filters=filters))
            if q
            else apply_filters(select(Article.id), filters, counting=True)
        )
        if not (q or source or lang or country or entity or event_type or dyad):
            ids = None  # every article in the range: the day counts answer
        start, end = published_from, published_to
    buckets = timeline(
        session,
        of=of,
        ids=ids,
        interval=interval,
        group_by_type=group_by == "type",
        start=start,
        end=end,
        type=type if of == "events" else None,
    )
    return Timeline(of=of, interval=interval, buckets=[Bucket(**b) for b in buckets])


@router.get(
    "/graph",
    response_model=Graph,
    summary="Who appears with whom: nodes and weighted edges for graph libraries",
    responses=problem_responses(400, 422),
)
def get_graph(
    session: SessionDep,
    of: Annotated[
        str, Query(pattern=r"^(events|articles)$", description="Shared events or shared articles")
    ] = "events",
    kinds: Annotated[
        str, Query(max_length=100, description="Comma-separated entity kinds")
    ] = "country,person,organization",
    type: Annotated[EventType | None, Query()] = None,
    country: Annotated[list[str] | None, Query(max_length=10)] = None,
    date_from: Annotated[Day | None, Query()] = None,
    date_to: Annotated[Day | None, Query()] = None,
    min_weight: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    limit: Annotated[
        int, Query(ge=1, le=1000, description="Most edges returned, heaviest first")
    ] = 200,
) -> Graph:
    wanted = tuple(k.strip() for k in kinds.split(",") if k.strip())
    unknown = [k for k in wanted if k not in EntityKind.__members__]
    if unknown or not wanted:
        raise InvalidParameter("kinds", f"use some of {', '.join(EntityKind)}")
    check_range(date_from, date_to, ("date_from", "date_to"))
    request = GraphRequest(of=of, kinds=wanted, min_weight=min_weight, limit=limit)
    years = whole_years(date_from, date_to)
    if of == "events" and not country and years is not None:
        found = graph_of_all_events(session, request=request, type=type, years=years)
    else:
        event_ids = _event_ids(type, country, None, date_from, date_to, None)
        if of == "events":
            scope = event_ids
        else:
            scope = select(Event.article_id).where(Event.id.in_(event_ids)).distinct()
        found = graph(session, request=request, scope_ids=scope)
    return Graph(
        nodes=[GraphNode(**n) for n in found["nodes"]],
        edges=[GraphEdge(**e) for e in found["edges"]],
    )
