from typing import Any, TypeVar

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from app.errors import InvalidParameter, NotFound
from app.kit.dates import parse_period
from app.kit.pagination import Keyset, paginate, parse_date, scalars
from app.models import Entity, Event, EventParticipant, PairEvent
from app.schemas.filters import Count, EventFilters, EventScope
from app.taxonomy import ACTED_ON_ROLES, ACTING_ROLES


def get_event(session: Session, *, event_id: int) -> Event:
    """The event with that id, or NotFound."""
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(f"No event with id {event_id}.", field="event_id", location="path")
    return event


def event_dates(start: str | None, end: str | None = None) -> dict[str, Any]:
    """The date columns of partial ISO dates ('2021', '2021-06', '2021-06-15') the schema has
    checked."""
    begun = parse_period(start) if start else None
    finished = parse_period(end) if end else None
    return {
        "date_start": begun.value if begun else None,
        "date_precision": begun.precision.value if begun else None,
        "date_end": finished.value if finished else None,
    }


def countries_filter(stmt: Select[Any], codes: list[str], *, counting: bool = False) -> Select[Any]:
    """Events in which every one of these states takes part.

    A list read in date order checks each event it walks (EXISTS), and stops at a page. To
    count them, every such event is wanted: with `counting`, they are found from the states'
    own rows instead (IN), not by checking every event there is."""
    codes = list(dict.fromkeys(codes))
    # the first two as a pair (pair_event, by key), any others one by one
    found = [_pair(codes[0], codes[1])] if len(codes) >= 2 else []
    found += [_participations(code) for code in codes[2 * len(found) :]]
    for number, (ids, event_id) in enumerate(found):
        if counting and number == 0:
            stmt = stmt.where(Event.id.in_(ids))
        else:
            stmt = stmt.where(ids.where(event_id == Event.id).exists())
    return stmt


def _pair_key(a: str, b: str) -> ColumnElement[bool]:
    first, second = sorted((a, b))
    return and_(PairEvent.a == first, PairEvent.b == second)


def _pair(a: str, b: str) -> tuple[Select[Any], Any]:
    return select(PairEvent.event_id).where(_pair_key(a, b)), PairEvent.event_id


def _participations(code: str) -> tuple[Select[Any], Any]:
    # aliased: several of these may sit in one statement
    participant = aliased(EventParticipant)
    # the state's entity ids, looked up once per statement, not once per event checked
    state = select(Entity.id).where(Entity.kind == "country", Entity.code == code)
    return select(participant.event_id).where(
        participant.entity_id.in_(state)
    ), participant.event_id


def filtered_events(filters: EventFilters, *, counting: bool = False) -> Select[Any]:
    """Events matching every filter (`counting`: see `countries_filter`)."""
    stmt = within(select(Event), Event, filters)
    stmt = countries_filter(stmt, list(filters.countries), counting=counting)
    return _narrowed(stmt, filters)


def _narrowed(stmt: Select[Any], filters: EventFilters) -> Select[Any]:
    """The filters on other things than the type, the states and the date."""
    if filters.count is Count.happenings:  # one event per happening: the one leading it
        stmt = stmt.where(Event.is_lead)
    if filters.entity_id is not None:
        stmt = stmt.where(
            select(EventParticipant.id)
            .where(
                EventParticipant.event_id == Event.id,
                EventParticipant.entity_id == filters.entity_id,
            )
            .exists()
        )
    if filters.status:
        stmt = stmt.where(Event.status == filters.status)
    if filters.article_id is not None:
        stmt = stmt.where(Event.article_id == filters.article_id)
    return stmt


_S = TypeVar("_S", bound="Select[*tuple[Any, ...]]")


def within(stmt: _S, table: Any, scope: EventScope) -> _S:
    """Events of the scope's type between its dates, read from `table`'s type and date_start
    (the event's, or pair_event's copy of them)."""
    if scope.type:
        stmt = stmt.where(table.type == scope.type)
    if scope.date_from:
        stmt = stmt.where(table.date_start >= scope.date_from)
    if scope.date_to:
        stmt = stmt.where(table.date_start <= scope.date_to)
    return stmt


def with_role(stmt: _S, code: str, roles: tuple[str, ...]) -> _S:
    """Events in which this state takes part in one of these roles."""
    participant = aliased(EventParticipant)
    country = aliased(Entity)
    return stmt.where(
        select(participant.id)
        .join(country, country.id == participant.entity_id)
        .where(
            participant.event_id == Event.id,
            country.kind == "country",
            country.code == code,
            participant.role.in_(roles),
        )
        .exists()
    )


def pair_events(a: str, b: str, filters: EventFilters) -> Select[Any]:
    """A pair's events matching the filters (and any other states they name), driven from
    pair_event so that date order, type and date range are read from its index
    (`PairEvent.date_start` is the event's date). With `directed`, A acts on B."""
    stmt = select(Event).join(PairEvent, PairEvent.event_id == Event.id).where(_pair_key(a, b))
    stmt = within(stmt, PairEvent, filters)
    stmt = countries_filter(stmt, [c for c in filters.countries if c not in (a, b)])
    if filters.directed:
        stmt = with_role(with_role(stmt, a, ACTING_ROLES), b, ACTED_ON_ROLES)
    return _narrowed(stmt, filters)


def listed_events(filters: EventFilters, *, sort: str) -> tuple[Select[Any], Keyset]:
    """The statement and date order of the event list: by the events' own date, or, with two
    states or more, by the first two's pair index (the same order and cursors)."""
    states = list(dict.fromkeys(filters.countries))
    if len(states) < 2:
        if filters.directed:
            raise InvalidParameter("directed", "needs two states (country=A&country=B)")
        return filtered_events(filters), Keyset.by(sort, Event.date_start, Event.id, parse_date)
    keyset = Keyset.by(sort, PairEvent.date_start, PairEvent.event_id, parse_date)
    return pair_events(states[0], states[1], filters), keyset


def list_events(
    session: Session, *, filters: EventFilters, sort: str, limit: int, cursor: str | None
) -> tuple[list[Event], str | None]:
    """Events matching the filters, ordered by their own date, keyset-paginated."""
    stmt, keyset = listed_events(filters, sort=sort)
    return paginate(
        stmt,
        keyset=keyset,
        limit=limit,
        cursor=cursor,
        run=scalars(session),
        key_of=lambda event: (event.date_start, event.id),
    )
