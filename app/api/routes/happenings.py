from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from app.api.export import EXPORT_RESPONSES
from app.api.listing import ExportableDep, Listing, respond
from app.api.paging import CursorRoute
from app.api.relations import nested_page
from app.deps import HappeningDep, HappeningFiltersDep, SessionDep, limit_of
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.happening import (
    HappeningRead,
    HappeningReport,
    HappeningSummary,
    happening_read,
    happening_report,
    happening_summary,
)
from app.services import happening_read as service

router = APIRouter(prefix="/v1/happenings", tags=["happenings"], route_class=CursorRoute)

HappeningSort = Annotated[
    str, Query(pattern=r"^-?date$", description="date or -date (the leading report's date)")
]

# the reports shown in a happening: the one limit rule, with a default that shows them all
# for most happenings
ReportLimit = Annotated[
    int,
    Depends(limit_of(50, description="Reports shown (default {default}, clamped to {maximum})")),
]

LIST_HELP = """A happening is one real-world visit, signing, exercise edition, delivery or
statement, however many articles report it: each report (an event) belongs to one happening,
and one report leads it, giving its type, date, states and participants. Counting happenings
counts what happened once; counting events counts its reports.

The filters are those of `/v1/events`, applied to each happening's leading report (`type`,
`country`, `entity`, `status`, `date_from`/`date_to`, `article`, `directed`), with
`min_reports`, `min_sources` and `min_independent_sources` for how widely it was reported.
A happening dated only by its reports' publication (`date_basis: published`) sorts with the
undated ones, last, and is not matched by a date range."""


@router.get(
    "",
    response_model=Page[HappeningSummary],
    summary="List happenings by date, latest first (or every one, as CSV or NDJSON)",
    description=LIST_HELP,
    responses={**EXPORT_RESPONSES, **problem_responses(400, 422)},
)
def list_happenings(
    asked: ExportableDep, filters: HappeningFiltersDep, sort: HappeningSort = "-date"
) -> Page[HappeningSummary] | StreamingResponse:
    listing = Listing(
        "happenings",
        HappeningSummary,
        fetch=lambda s, c, n: service.list_happenings(
            s, filters=filters, sort=sort, limit=n, cursor=c
        ),
        serialize=lambda row: happening_summary(row[1], row[0]),
    )
    return respond(asked, listing, model=Page[HappeningSummary])


@router.get(
    "/{happening_id}",
    response_model=HappeningRead,
    summary="One happening with its reports and the analysts' decisions",
    description="Its date says how it was decided (`date_basis`); each report gives its own "
    "date, or the happening's with `date_inferred: true` when it has none. `reports` is the "
    "first page of `/v1/happenings/{happening_id}/reports` (`limit` of them): its "
    "`next_cursor` continues there.",
    responses=problem_responses(404, 422),
)
def get_happening(
    request: Request, session: SessionDep, happening: HappeningDep, limit: ReportLimit
) -> HappeningRead:
    lead = service.happening_lead(session, happening=happening)
    rows, inner = service.list_reports(session, happening=happening, limit=limit, cursor=None)
    reports = nested_page(
        request,
        [happening_report(event, article, happening) for event, article in rows],
        path=f"/v1/happenings/{happening.id}/reports",
        params={},
        limit=limit,
        inner=inner,
    )
    decisions = service.happening_decisions(session, happening=happening)
    return happening_read(happening_summary(happening, lead), reports, decisions)


@router.get(
    "/{happening_id}/reports",
    response_model=Page[HappeningReport],
    operation_id="list_happening_reports",
    summary="A happening's reports, the earliest published first (or every one, as CSV or NDJSON)",
    responses={**EXPORT_RESPONSES, **problem_responses(400, 404, 422)},
)
def happening_reports(
    asked: ExportableDep, happening: HappeningDep
) -> Page[HappeningReport] | StreamingResponse:
    listing = Listing(
        "reports",
        HappeningReport,
        fetch=lambda s, c, n: service.list_reports(s, happening=happening, limit=n, cursor=c),
        serialize=lambda row: happening_report(row[0], row[1], happening),
    )
    return respond(asked, listing, model=Page[HappeningReport])
