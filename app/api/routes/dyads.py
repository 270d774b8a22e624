from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.api.article_view import summaries
from app.api.export import EXPORT_RESPONSES
from app.api.listing import ExportableDep, Listing, respond
from app.api.paging import CursorRoute
from app.api.relations import ProfileLimit, event_page, nested_page, partner_read
from app.deps import EventScopeDep, SessionDep
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.entity import EntityRead, entity_fields
from app.schemas.event import event_read
from app.schemas.filters import ArticleListFilters, dyad_codes
from app.schemas.relations import (
    DyadCounts,
    DyadFilters,
    DyadProfile,
    Partner,
    PersonCount,
    country_ref,
)
from app.services import dyads as service
from app.services.article import list_articles
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
    scope: EventScopeDep,
    limit: ProfileLimit,
    pair: Annotated[str, Path(max_length=100, description="AZE-TUR, or names: Azerbaijan-Turkey")],
    directed: Annotated[
        bool, Query(description="A acts on B (visitor/supplier/donor -> host/recipient)")
    ] = False,
) -> DyadProfile:
    codes = dyad_codes(pair, field="pair")
    assert codes is not None
    a, b = codes
    # every part of the profile reads the same events: with directed, A acting on B
    filters = service.dyad_filters(a, b, directed=directed, scope=scope)
    events = service.dyad_events(a, b, directed=directed, scope=scope)
    counts = service.dyad_counts(session, a, b, directed=directed, scope=scope)
    first, last = service.first_and_last(session, events)
    agreements = filters.model_copy(update={"type": EventType.agreement})
    article_items, article_cursor = list_articles(
        session,
        filters=ArticleListFilters(dyad=(a, b), directed=directed),
        sort="-published_at",
        limit=limit,
        cursor=None,
    )
    return DyadProfile(
        a=country_ref(a),
        b=country_ref(b),
        directed=directed,
        counts=DyadCounts(**asdict(counts)),
        first_event=event_read(first) if first else None,
        last_event=event_read(last) if last else None,
        agreements=event_page(request, session, agreements, limit),
        recent_events=event_page(request, session, filters, limit),
        people={
            code: [
                PersonCount(person=EntityRead(**entity_fields(p)), count=n)
                for p, n in service.people_by_side(session, events, code, limit)
            ]
            for code in (a, b)
        },
        articles=nested_page(
            request,
            summaries(session, article_items),
            path="/v1/articles",
            params={"dyad": f"{a}-{b}", "directed": directed},
            limit=limit,
            inner=article_cursor,
        ),
    )


@router.get(
    "/dyads",
    response_model=Page[Partner],
    summary="A state's partners ranked by shared events; without `country`, the busiest pairs",
    responses={**EXPORT_RESPONSES, **problem_responses(400, 422)},
)
def list_dyads(asked: ExportableDep, filters: Annotated[DyadFilters, Query()]) -> Response:
    ranked = Listing(
        name="dyads",
        schema=Partner,
        fetch=lambda s, cursor, n: service.partners(
            s, code=filters.country, scope=filters, limit=n, cursor=cursor
        ),
        serialize=partner_read,
    )
    # an export ranks every pair once, rather than once for each of its pages
    whole = Listing(
        name="dyads",
        schema=Partner,
        fetch=lambda s, _cursor, _n: service.partners(
            s, code=filters.country, scope=filters, limit=None
        ),
        serialize=partner_read,
    )
    return respond(asked, ranked, model=Page[Partner], exported=whole)
