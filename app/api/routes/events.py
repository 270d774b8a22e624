from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.api.export import EXPORT_RESPONSES, FORMAT_HELP, ExportFormat, export, wanted_format
from app.api.paging import CursorRoute, page_response
from app.deps import MAX_ID, EventDep, PageDep, SessionDep, check_range
from app.errors import problem_responses
from app.schemas.common import Day, Page
from app.schemas.event import EventRead, event_read
from app.services import event as service
from app.services.event import EventFilters
from app.services.filters import country_codes
from app.taxonomy import EventStatus, EventType

router = APIRouter(prefix="/v1/events", tags=["events"], route_class=CursorRoute)


@router.get(
    "",
    response_model=Page[EventRead],
    summary="List events by their own date, latest first (or every one, as CSV or NDJSON)",
    responses={**EXPORT_RESPONSES, **problem_responses(400, 422)},
)
def list_events(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    type: Annotated[EventType | None, Query()] = None,
    country: Annotated[
        list[str] | None,
        Query(max_length=10, description="Repeatable: events in which all of them take part"),
    ] = None,
    entity: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Participant entity id")
    ] = None,
    date_from: Annotated[Day | None, Query(description="Event date on or after")] = None,
    date_to: Annotated[Day | None, Query(description="Event date on or before")] = None,
    status: Annotated[EventStatus | None, Query()] = None,
    article: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Article id")] = None,
    sort: Annotated[str, Query(pattern=r"^-?date$", description="date or -date")] = "-date",
    directed: Annotated[
        bool,
        Query(
            description="With two `country`: the first acts on the second "
            "(visitor/supplier/donor -> host/recipient)"
        ),
    ] = False,
    format: Annotated[ExportFormat | None, Query(description=FORMAT_HELP)] = None,
) -> Page[EventRead] | StreamingResponse:
    check_range(date_from, date_to, ("date_from", "date_to"))
    codes = country_codes(country)
    filters = EventFilters(
        type=type,
        countries=codes,
        directed=directed,
        entity_id=entity,
        date_from=date_from,
        date_to=date_to,
        status=status,
        article_id=article,
    )
    fmt = wanted_format(request, format)
    if fmt is not ExportFormat.json:
        return export(
            request,
            fmt,
            name="events",
            pager=lambda s, c, n: service.list_events(
                s, filters=filters, sort=sort, limit=n, cursor=c
            ),
            schema=EventRead,
            serialize=event_read,
        )
    items, next_cursor = service.list_events(
        session, filters=filters, sort=sort, limit=page.limit, cursor=page.cursor
    )
    return page_response(
        request,
        response,
        Page[EventRead],
        [event_read(e) for e in items],
        limit=page.limit,
        next_cursor=next_cursor,
    )


@router.get(
    "/{event_id}",
    response_model=EventRead,
    summary="One event with its participants and evidence",
    responses=problem_responses(404, 422),
)
def get_event(event: EventDep) -> EventRead:
    return event_read(event)
