from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse

from app.api.export import EXPORT_RESPONSES, FORMAT_HELP, ExportFormat, export, wanted_format
from app.api.paging import list_url
from app.deps import ReaderDep, SessionDep, check_range
from app.errors import problem_responses
from app.schemas.analytics import (
    ArticleList,
    CountryProfile,
    DyadCounts,
    DyadProfile,
    EventList,
    Partner,
    PartnerList,
    PersonCount,
    country_ref,
)
from app.schemas.article import ArticleSummary
from app.schemas.common import Day
from app.schemas.entity import EntityRead, entity_fields
from app.schemas.event import event_read
from app.schemas.filters import ArticleListFilters, EventFilters, EventScope
from app.services import dyads as service
from app.services.article import list_articles
from app.services.event import list_events
from app.services.filters import country_codes, dyad_codes
from app.taxonomy import EventType

router = APIRouter(prefix="/v1", tags=["relations"])

ListLimit = Annotated[int, Query(ge=1, le=100, description="Items in each list")]


def _scope(type: EventType | None, date_from: date | None, date_to: date | None) -> EventScope:
    check_range(date_from, date_to, ("date_from", "date_to"))
    return EventScope(type=type, date_from=date_from, date_to=date_to)


def _next(request: Request, path: str, params: dict[str, object], cursor: str | None) -> str | None:
    query = [(k, str(v)) for k, v in params.items() if v is not None and not isinstance(v, list)]
    query += [(k, str(item)) for k, v in params.items() if isinstance(v, list) for item in v]
    return list_url(request, path, query, cursor)


def _events(request: Request, session: SessionDep, filters: EventFilters, limit: int) -> EventList:
    items, cursor = list_events(session, filters=filters, sort="-date", limit=limit, cursor=None)
    params: dict[str, object] = {
        "type": filters.type,
        "country": list(filters.countries),
        "directed": "true" if filters.directed else None,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "limit": limit,
    }
    return EventList(
        items=[event_read(e) for e in items], next=_next(request, "/v1/events", params, cursor)
    )


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
    pair: Annotated[str, Path(max_length=100, description="AZE-TUR, or names: Azerbaijan-Turkey")],
    directed: Annotated[
        bool, Query(description="A acts on B (visitor/supplier/donor -> host/recipient)")
    ] = False,
    type: Annotated[EventType | None, Query()] = None,
    date_from: Annotated[Day | None, Query()] = None,
    date_to: Annotated[Day | None, Query()] = None,
    limit: ListLimit = 10,
) -> DyadProfile:
    codes = dyad_codes(pair, field="pair")
    assert codes is not None
    a, b = codes
    scope = _scope(type, date_from, date_to)
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
        agreements=_events(request, session, agreements, limit),
        recent_events=_events(request, session, filters, limit),
        people={
            code: [
                PersonCount(person=EntityRead(**entity_fields(p)), count=n)
                for p, n in service.people_by_side(session, events, code, limit)
            ]
            for code in (a, b)
        },
        articles=ArticleList(
            items=[ArticleSummary.model_validate(x) for x in article_items],
            next=_next(
                request,
                "/v1/articles",
                {"dyad": f"{a}-{b}", "directed": "true" if directed else None, "limit": limit},
                article_cursor,
            ),
        ),
    )


@router.get(
    "/dyads",
    response_model=PartnerList,
    summary="A state's partners ranked by shared events; without `country`, the busiest pairs",
    responses={**EXPORT_RESPONSES, **problem_responses(400, 422)},
)
def list_dyads(
    request: Request,
    session: SessionDep,
    reader: ReaderDep,
    country: Annotated[str | None, Query(max_length=60)] = None,
    type: Annotated[EventType | None, Query()] = None,
    date_from: Annotated[Day | None, Query()] = None,
    date_to: Annotated[Day | None, Query()] = None,
    limit: ListLimit = 20,
    format: Annotated[ExportFormat | None, Query(description=FORMAT_HELP)] = None,
) -> PartnerList | StreamingResponse:
    code = country_codes([country])[0] if country else None
    scope = _scope(type, date_from, date_to)
    fmt = wanted_format(request, format)
    if fmt is not ExportFormat.json:  # every pair, however many
        return export(
            reader,
            fmt,
            name="dyads",
            pager=lambda s, _cursor, _n: (
                service.partners(s, code=code, scope=scope, limit=None),
                None,
            ),
            schema=Partner,
            serialize=_partner,
        )
    ranked = service.partners(session, code=code, scope=scope, limit=limit)
    return PartnerList(items=[_partner(p) for p in ranked], limit=limit)


def _partner(entry: dict[str, Any]) -> Partner:
    return Partner(
        a=country_ref(str(entry["a"])),
        b=country_ref(str(entry["b"])),
        events=entry["events"],
        by_type=entry["by_type"],
    )


@router.get(
    "/countries/{code}",
    response_model=CountryProfile,
    operation_id="get_country",
    summary="A state's profile: partners, events over time, people, agreements",
    responses=problem_responses(400, 422),
)
def country_profile(
    request: Request,
    session: SessionDep,
    code: Annotated[str, Path(max_length=60, description="Alpha-3, alpha-2 or a name")],
    type: Annotated[EventType | None, Query()] = None,
    date_from: Annotated[Day | None, Query()] = None,
    date_to: Annotated[Day | None, Query()] = None,
    limit: ListLimit = 10,
) -> CountryProfile:
    alpha3 = country_codes([code], field="code")[0]
    scope = _scope(type, date_from, date_to)
    return CountryProfile(
        country=country_ref(alpha3),
        counts=DyadCounts(**asdict(service.country_counts(session, alpha3, scope))),
        partners=[
            _partner(p) for p in service.partners(session, code=alpha3, scope=scope, limit=limit)
        ],
        people=[
            PersonCount(person=EntityRead(**entity_fields(p)), count=n)
            for p, n in service.country_people(session, alpha3, limit)
        ],
        agreements=_events(
            request,
            session,
            EventFilters(
                type=EventType.agreement, country=(alpha3,), date_from=date_from, date_to=date_to
            ),
            limit,
        ),
    )
