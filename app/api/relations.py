"""What the relations routes share: the event scope of a profile or ranking, and the lists
shown inside another answer (a profile's events, articles, partners), each a first page
named with the list that continues it."""

from collections.abc import Mapping, Sequence
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from app.api.paging import cursor_key, seal_cursor
from app.deps import SessionDep, limit_of
from app.schemas.event import EventRead, event_read
from app.schemas.filters import EventFilters
from app.schemas.relations import NestedPage, Partner, country_ref
from app.services.dyads import PartnerCount
from app.services.event import list_events

T = TypeVar("T")


def query_of(params: Mapping[str, object]) -> list[tuple[str, str]]:
    """Query parameters from named values: None left out, a list repeated, a bool as true."""
    query: list[tuple[str, str]] = []
    for name, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if item is None or item is False:
                continue
            query.append((name, "true" if item is True else str(item)))
    return query


def nested_page(
    request: Request,
    items: Sequence[T],
    *,
    path: str,
    params: Mapping[str, object],
    limit: int,
    inner: str | None,
) -> NestedPage[T]:
    """The first page of the list at `path` queried by `params`, its cursor sealed for that
    list as the list's own next page would be."""
    cursor = None
    if inner is not None:
        key = cursor_key(request.app.state.settings)
        cursor = seal_cursor(key, path, query_of({**params, "limit": limit}), inner)
    return NestedPage[T](items=list(items), limit=limit, next_cursor=cursor, path=path)


ProfileLimit = Annotated[
    int,
    Depends(
        limit_of(10, description="Items in each list (default {default}, clamped to {maximum})")
    ),
]
"""The length of each list in a profile: the one limit rule, with a default of 10."""


def event_page(
    request: Request, session: SessionDep, filters: EventFilters, limit: int
) -> NestedPage[EventRead]:
    """The newest events of these filters, continued by /v1/events."""
    items, inner = list_events(session, filters=filters, sort="-date", limit=limit, cursor=None)
    params = {
        "type": filters.type,
        "country": list(filters.countries),
        "directed": filters.directed,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "count": filters.count,
    }
    return nested_page(
        request,
        [event_read(e) for e in items],
        path="/v1/events",
        params=params,
        limit=limit,
        inner=inner,
    )


def partner_read(entry: PartnerCount) -> Partner:
    return Partner(
        a=country_ref(entry.a),
        b=country_ref(entry.b),
        events=entry.events,
        by_type=entry.by_type,
    )
