from dataclasses import asdict, replace
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.api.export import EXPORT_RESPONSES, FORMAT_HELP, ExportFormat, export, wanted_format
from app.api.paging import CursorRoute, page_response
from app.api.relations import (
    EventScopeDep,
    ListLimit,
    event_page,
    list_limit,
    nested_page,
    partner_read,
)
from app.deps import PageDep, SessionDep, SettingsDep
from app.errors import problem_responses
from app.schemas.article import ArticleSummary
from app.schemas.common import Page
from app.schemas.entity import EntityRead, entity_fields
from app.schemas.event import event_read
from app.schemas.relations import (
    DyadCounts,
    DyadProfile,
    Partner,
    PersonCount,
    country_ref,
)
from app.services import dyads as service
from app.services.article import ArticleFilters, list_articles
from app.services.filters import country_codes, dyad_codes
from app.taxonomy import EventType

router = APIRouter(prefix="/v1", tags=["relations"], route_class=CursorRoute)


@router.get(
    "/dyads/{pair}",
    response_model=DyadProfile,
    operation_id="get_dyad",
    summary="What has happened between two states",
    responses=problem_responses(400, 422),
)
def dyad_profile(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    scope: EventScopeDep,
    pair: Annotated[str, Path(max_length=100, description="AZE-TUR, or names: Azerbaijan-Turkey")],
    directed: Annotated[
        bool, Query(description="A acts on B (visitor/supplier/donor -> host/recipient)")
    ] = False,
    limit: ListLimit = 10,
) -> DyadProfile:
    codes = dyad_codes(pair, field="pair")
    assert codes is not None
    a, b = codes
    size = list_limit(settings, limit)
    # every part of the profile reads the same events: with directed, A acting on B
    filters = service.dyad_filters(a, b, directed=directed, filters=scope)
    events = service.dyad_events(a, b, directed=directed, filters=scope)
    counts = service.dyad_counts(session, a, b, directed=directed, filters=scope)
    first, last = service.first_and_last(session, events)
    article_items, article_cursor = list_articles(
        session,
        filters=ArticleFilters(dyad=(a, b), directed=directed),
        sort="-published_at",
        limit=size,
        cursor=None,
    )
    return DyadProfile(
        a=country_ref(a),
        b=country_ref(b),
        directed=directed,
        counts=DyadCounts(**asdict(counts)),
        first_event=event_read(first) if first else None,
        last_event=event_read(last) if last else None,
        agreements=event_page(request, session, replace(filters, type=EventType.agreement), size),
        recent_events=event_page(request, session, filters, size),
        people={
            code: [
                PersonCount(person=EntityRead(**entity_fields(p)), count=n)
                for p, n in service.people_by_side(session, events, code, size)
            ]
            for code in (a, b)
        },
        articles=nested_page(
            request,
            [ArticleSummary.model_validate(x) for x in article_items],
            path="/v1/articles",
            params={"dyad": f"{a}-{b}", "directed": directed},
            limit=size,
            inner=article_cursor,
        ),
    )


@router.get(
    "/dyads",
    response_model=Page[Partner],
    summary="A state's partners ranked by shared events; without `country`, the busiest pairs",
    responses={**EXPORT_RESPONSES, **problem_responses(400, 422)},
)
def list_dyads(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    scope: EventScopeDep,
    country: Annotated[str | None, Query(max_length=60)] = None,
    format: Annotated[ExportFormat | None, Query(description=FORMAT_HELP)] = None,
) -> Page[Partner] | StreamingResponse:
    code = country_codes([country])[0] if country else None
    fmt = wanted_format(request, format)
    if fmt is not ExportFormat.json:  # every pair, however many
        return export(
            request,
            fmt,
            name="dyads",
            pager=lambda s, _cursor, _n: service.partners(s, code=code, filters=scope, limit=None),
            schema=Partner,
            serialize=partner_read,
        )
    ranked, inner = service.partners(
        session, code=code, filters=scope, limit=page.limit, cursor=page.cursor
    )
    return page_response(
        request,
        response,
        Page[Partner],
        [partner_read(p) for p in ranked],
        limit=page.limit,
        next_cursor=inner,
    )
