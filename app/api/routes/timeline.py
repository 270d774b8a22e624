from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import ArticleFiltersDep, SessionDep, check_range
from app.errors import problem_responses
from app.schemas.common import Day
from app.schemas.relations import Bucket, Interval, Timeline, Unit
from app.services.event import EventFilters
from app.services.timeline import timeline
from app.taxonomy import EventStatus, EventType

router = APIRouter(prefix="/v1", tags=["relations"])


@router.get(
    "/timeline",
    response_model=Timeline,
    summary="Articles or events per day, week, month or year, zero-filled",
    responses=problem_responses(400, 422),
)
def get_timeline(
    session: SessionDep,
    articles: ArticleFiltersDep,
    of: Annotated[Unit, Query(description="articles or events")] = Unit.events,
    interval: Annotated[Interval, Query()] = Interval.month,
    group_by: Annotated[
        str | None, Query(pattern=r"^type$", description="type: counts per event type")
    ] = None,
    q: Annotated[str | None, Query(max_length=500, description="Search query (articles)")] = None,
    type: Annotated[EventType | None, Query(description="Event type (events)")] = None,
    status: Annotated[EventStatus | None, Query()] = None,
    date_from: Annotated[Day | None, Query(description="Events: on or after")] = None,
    date_to: Annotated[Day | None, Query()] = None,
) -> Timeline:
    if of is Unit.events:
        check_range(date_from, date_to, ("date_from", "date_to"))
    events = EventFilters(
        type=type,
        countries=articles.countries,
        entity_id=articles.entity_id,
        date_from=date_from,
        date_to=date_to,
        status=status,
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
