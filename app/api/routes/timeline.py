from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import ArticleFiltersDep, EventScopeDep, SessionDep
from app.errors import problem_responses
from app.schemas.filters import EventFilters
from app.schemas.relations import Bucket, Interval, Timeline, Unit
from app.services.timeline import timeline
from app.taxonomy import EventStatus

router = APIRouter(prefix="/v1", tags=["relations"])


@router.get(
    "/timeline",
    response_model=Timeline,
    summary="Articles or events per day, week, month or year, zero-filled",
    responses=problem_responses(400, 422),
)
def get_timeline(
    session: SessionDep,
    scope: EventScopeDep,
    articles: ArticleFiltersDep,
    of: Annotated[Unit, Query(description="articles or events")] = Unit.events,
    interval: Annotated[Interval, Query()] = Interval.month,
    group_by: Annotated[
        str | None, Query(pattern=r"^type$", description="type: counts per event type")
    ] = None,
    q: Annotated[str | None, Query(max_length=500, description="Search query (articles)")] = None,
    status: Annotated[EventStatus | None, Query(description="Events: their status")] = None,
) -> Timeline:
    # `country` and `entity` narrow either count; the scope (type, event dates) and status
    # are the events', the article filters and `q` the articles'
    events = EventFilters(
        type=scope.type,
        date_from=scope.date_from,
        date_to=scope.date_to,
        country=articles.countries,
        entity=articles.entity_id,
        status=status,
        count=scope.count,
    )
    buckets = timeline(
        session,
        unit=of,
        filters=events if of is Unit.events else articles,
        interval=interval,
        group_by_type=group_by == "type",
        q=q,
    )
    return Timeline(of=of, interval=interval, buckets=[Bucket.model_validate(b) for b in buckets])
