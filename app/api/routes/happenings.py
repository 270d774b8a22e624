from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app.api.auth import WriteKeyDep
from app.api.export import EXPORT_RESPONSES
from app.api.listing import ExportableDep, Listing, respond
from app.api.paging import CursorRoute
from app.api.relations import nested_page
from app.deps import HappeningDep, HappeningFiltersDep, SessionDep, limit_of
from app.errors import ValidationFailed, problem_responses
from app.schemas.common import Page
from app.schemas.happening import (
    HappeningMerge,
    HappeningRead,
    HappeningReport,
    HappeningSplit,
    HappeningSummary,
    happening_read,
    happening_report,
    happening_summary,
)
from app.services import happening as linking
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
) -> Response:
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
    return _read(request, session, happening, limit)


def _read(
    request: Request, session: SessionDep, happening: HappeningDep, limit: int
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


DECISION_HELP = """An analyst's decision, with a write key: kept as what it says about the
reports (an article's report of one type), so it holds when articles are re-extracted and when
`defcoop reindex --only happenings` rebuilds every happening; listed on the happening
(`decisions`: who, when, what) and written to the change feed."""


@router.post(
    "/{happening_id}/merge",
    response_model=HappeningRead,
    operation_id="merge_happenings",
    summary="Fold another happening into this one",
    description=DECISION_HELP + " The other happening is deleted; its reports join this one.",
    responses=problem_responses(401, 403, 404, 413, 415, 422),
)
def merge_happening(
    request: Request,
    session: SessionDep,
    happening: HappeningDep,
    body: HappeningMerge,
    key: WriteKeyDep,
    limit: ReportLimit,
) -> HappeningRead:
    other = service.find_happening(session, happening_id=body.happening_id)
    if other is None:
        raise ValidationFailed(f"There is no happening {body.happening_id}.", field="happening_id")
    merged = linking.merge_happenings(
        session, happening=happening, other=other, actor=key.name if key else None, note=body.note
    )
    return _read(request, session, merged, limit)


@router.post(
    "/{happening_id}/split",
    response_model=HappeningRead,
    status_code=201,
    operation_id="split_happening",
    summary="Move some reports of this happening to a new one",
    description=DECISION_HELP + " Answers the new happening (its url in `Location`).",
    responses=problem_responses(401, 403, 404, 413, 415, 422),
)
def split_happening(
    request: Request,
    response: Response,
    session: SessionDep,
    happening: HappeningDep,
    body: HappeningSplit,
    key: WriteKeyDep,
    limit: ReportLimit,
) -> HappeningRead:
    fresh = linking.split_happening(
        session,
        happening=happening,
        event_ids=body.events,
        actor=key.name if key else None,
        note=body.note,
    )
    response.headers["Location"] = f"/v1/happenings/{fresh.id}"
    return _read(request, session, fresh, limit)


@router.get(
    "/{happening_id}/reports",
    response_model=Page[HappeningReport],
    operation_id="list_happening_reports",
    summary="A happening's reports, the earliest published first (or every one, as CSV or NDJSON)",
    responses={**EXPORT_RESPONSES, **problem_responses(400, 404, 422)},
)
def happening_reports(asked: ExportableDep, happening: HappeningDep) -> Response:
    listing = Listing(
        "reports",
        HappeningReport,
        fetch=lambda s, c, n: service.list_reports(s, happening=happening, limit=n, cursor=c),
        serialize=lambda row: happening_report(row[0], row[1], happening),
    )
    return respond(asked, listing, model=Page[HappeningReport])
