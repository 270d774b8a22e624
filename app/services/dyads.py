"""Pairs of states: what has happened between A and B, and who A's partners are."""

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, distinct, func, or_, select
from sqlalchemy.orm import Session

from app.models import Entity, Event, EventParticipant, Mention, PairEvent
from app.models.summary import UNDATED_YEAR
from app.schemas.filters import EventFilters, EventScope
from app.services import summary
from app.services.event import filtered_events, pair_events, within

_S = TypeVar("_S", bound="Select[*tuple[Any, ...]]")


def _scoped(stmt: _S, scope: EventScope) -> _S:
    return within(stmt, Event, scope)


def dyad_filters(a: str, b: str, *, directed: bool, scope: EventScope) -> EventFilters:
    """The event filters of a pair's profile: its lists page on from /v1/events with these."""
    return EventFilters(
        type=scope.type,
        country=(a, b),
        date_from=scope.date_from,
        date_to=scope.date_to,
        directed=directed,
    )


def dyad_events(a: str, b: str, *, directed: bool, scope: EventScope) -> Select[Any]:
    """Events in which both states take part (with directed: A as visitor/supplier/donor, B as
    host/recipient), driven from pair_event: `first_and_last` orders by its columns."""
    return pair_events(a, b, dyad_filters(a, b, directed=directed, scope=scope))


@dataclass(frozen=True)
class Counts:
    total: int
    by_type: dict[str, int]
    by_year: list[dict[str, Any]]


def _counts(rows: list[tuple[str, int, int]]) -> Counts:
    """(type, year, events) rows, year 0 for undated events, as totals by type and by year."""
    by_type: dict[str, int] = {}
    for event_type, _year, n in rows:
        by_type[event_type] = by_type.get(event_type, 0) + n
    dated = sorted((year, event_type, n) for event_type, year, n in rows if year != UNDATED_YEAR)
    return Counts(
        sum(by_type.values()),
        dict(sorted(by_type.items(), key=lambda item: (-item[1], item[0]))),
        _by_year(dated),
    )


def count_events(session: Session, events: Select[Any]) -> Counts:
    """How many of these events there are, by type and by year, in one pass over them."""
    ids = events.with_only_columns(Event.id).subquery()
    year = summary.year_of(session, Event.date_start)
    rows = session.execute(
        select(Event.type, year, func.count())
        .where(Event.id.in_(select(ids.c.id)))
        .group_by(Event.type, year)
    ).all()
    return _counts([(str(t), int(y), int(n)) for t, y, n in rows])


def dyad_counts(session: Session, a: str, b: str, *, directed: bool, scope: EventScope) -> Counts:
    """How many events two states share, by type and by year."""
    years = None if directed else summary.whole_years(scope.date_from, scope.date_to)
    if years is None:  # roles or a part of a year: count the events themselves
        return count_events(session, dyad_events(a, b, directed=directed, scope=scope))
    return _counts(summary.pair_counts(session, a, b, type=scope.type, years=years))


def _by_year(rows: list[tuple[int, str, int]]) -> list[dict[str, Any]]:
    """(year, type, events) rows, in year order, as one entry per year."""
    years: dict[int, dict[str, Any]] = {}
    for y, event_type, n in rows:
        bucket = years.setdefault(y, {"year": y, "count": 0, "by_type": {}})
        bucket["count"] += n
        bucket["by_type"][event_type] = n
    return list(years.values())


def first_and_last(session: Session, events: Select[Any]) -> tuple[Event | None, Event | None]:
    """The earliest and latest dated of a pair's events (from `dyad_events`)."""
    dated = events.where(PairEvent.date_start.is_not(None))
    first = session.scalars(dated.order_by(PairEvent.date_start, PairEvent.event_id).limit(1))
    last = session.scalars(
        dated.order_by(PairEvent.date_start.desc(), PairEvent.event_id.desc()).limit(1)
    )
    return first.first(), last.first()


def people_by_side(
    session: Session, events: Select[Any], code: str, limit: int
) -> list[tuple[Entity, int]]:
    """The people of one state most often taking part in these events."""
    # Correlated, from the people's own events: a list of every event of the pair would be
    # built first otherwise, by reading every event there is.
    of_pair = events.with_only_columns(Event.id).where(Event.id == EventParticipant.event_id)
    count = func.count(distinct(EventParticipant.event_id))
    rows = session.execute(
        select(Entity, count)
        .join(EventParticipant, EventParticipant.entity_id == Entity.id)
        .where(
            of_pair.exists(),
            Entity.kind == "person",
            Entity.country == code,
        )
        .group_by(Entity.id)
        .order_by(count.desc(), Entity.id)
        .limit(limit)
    ).all()
    return [(entity, int(n)) for entity, n in rows]


def partners(
    session: Session, *, code: str | None, scope: EventScope, limit: int | None
) -> list[dict[str, Any]]:
    """With `code`: that state's partners ranked by shared events; without: the busiest pairs."""
    years = summary.whole_years(scope.date_from, scope.date_to)
    if years is not None:
        found = summary.pair_partners(session, code=code, type=scope.type, years=years)
        return _ranked(found, limit)
    # a part of a year: the events of those days (their date's index), then their pairs by key
    of_days = _scoped(select(Event.id), scope)
    stmt = (
        select(PairEvent.a, PairEvent.b, PairEvent.type, func.count())
        .where(PairEvent.event_id.in_(of_days))
        .group_by(PairEvent.a, PairEvent.b, PairEvent.type)
    )
    if code:
        stmt = stmt.where(or_(PairEvent.a == code, PairEvent.b == code))
    rows = [
        (str(b), str(a), str(t), int(n)) if b == code else (str(a), str(b), str(t), int(n))
        for a, b, t, n in session.execute(stmt).all()
    ]
    return _ranked(rows, limit)


def _ranked(rows: list[tuple[str, str, str, int]], limit: int | None) -> list[dict[str, Any]]:
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for a, b, event_type, n in rows:  # an event has one type: the counts add up per pair
        entry = pairs.setdefault((a, b), {"a": a, "b": b, "events": 0, "by_type": {}})
        entry["by_type"][event_type] = entry["by_type"].get(event_type, 0) + n
        entry["events"] += n
    for entry in pairs.values():
        entry["by_type"] = dict(sorted(entry["by_type"].items(), key=lambda i: (-i[1], i[0])))
    ranked = sorted(pairs.values(), key=lambda e: (-e["events"], e["a"], e["b"]))
    return ranked[:limit]


def country_people(session: Session, code: str, limit: int) -> list[tuple[Entity, int]]:
    """A state's people, by how many articles name them."""
    count = func.count(distinct(Mention.article_id))
    rows = session.execute(
        select(Entity, count)
        .join(Mention, Mention.entity_id == Entity.id)
        .where(Entity.kind == "person", Entity.country == code)
        .group_by(Entity.id)
        .order_by(count.desc(), Entity.id)
        .limit(limit)
    ).all()
    return [(entity, int(n)) for entity, n in rows]


def country_events(code: str, scope: EventScope) -> Select[Any]:
    """A state's events, found from its own participations (an index lookup), for counting."""
    filters = EventFilters(
        type=scope.type, country=(code,), date_from=scope.date_from, date_to=scope.date_to
    )
    return filtered_events(filters, counting=True)


def country_counts(session: Session, code: str, scope: EventScope) -> Counts:
    """How many events a state takes part in, by type and by year."""
    years = summary.whole_years(scope.date_from, scope.date_to)
    if years is None:  # a part of a year: count the events themselves
        return count_events(session, country_events(code, scope))
    return _counts(summary.state_counts(session, code, type=scope.type, years=years))
