from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.export import EXPORT_RESPONSES
from app.api.listing import ExportableDep, Listing, respond
from app.api.paging import CursorRoute
from app.deps import EventDep, EventFiltersDep
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.event import EventRead, event_read
from app.services import event as service

router = APIRouter(prefix="/v1/events", tags=["events"], route_class=CursorRoute)

EventSort = Annotated[str, Query(pattern=r"^-?date$", description="date or -date")]


@router.get(
    "",
    response_model=Page[EventRead],
    summary="List events by their own date, latest first (or every one, as CSV or NDJSON)",
    responses={**EXPORT_RESPONSES, **problem_responses(400, 422)},
)
def list_events(
    asked: ExportableDep, filters: EventFiltersDep, sort: EventSort = "-date"
) -> Response:
    listing = Listing(
        "events",
        EventRead,
        fetch=lambda s, c, n: service.list_events(s, filters=filters, sort=sort, limit=n, cursor=c),
        serialize=event_read,
    )
    return respond(asked, listing, model=Page[EventRead])


@router.get(
    "/{event_id}",
    response_model=EventRead,
    summary="One event with its participants and evidence",
    responses=problem_responses(404, 422),
)
def get_event(event: EventDep) -> EventRead:
    return event_read(event)
