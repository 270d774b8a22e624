"""Pairs of states: what has happened between A and B, and who A's partners are."""

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, distinct, func, or_, select
from sqlalchemy.orm import Session

from app.errors import InvalidParameter
from app.kit.pagination import parse_count
from app.models import Entity, Event, EventParticipant, Mention, PairEvent
from app.models.summary import UNDATED_YEAR
from app.schemas.filters import Count, EventFilters, EventScope
from app.services import summary
from app.services.event import filtered_events, pair_events, within


def dyad_filters(a: str, b: str, *, directed: bool, scope: EventScope) -> EventFilters:
    """The event filters of a pair's profile: its lists page on from /v1/events with these."""
    return EventFilters(
        type=scope.type,
        country=(a, b),
        date_from=scope.date_from,
        date_to=scope.date_to,
        directed=directed,
        count=scope.count,
    )


def dyad_events(a: str, b: str, *, directed: bool, scope: EventScope) -> Select[Any]:
    """Events in which both states take part (with directed: A as visitor/supplier/donor, B as
    host/recipient), driven from pair_event: `first_and_last` orders by its columns. With
    count=happenings, the leading event of each happening only."""
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
    """How many events (or happenings) two states share, by type and by year."""
    years = None if directed else summary.whole_years(scope.date_from, scope.date_to)
    if years is None:  # roles or a part of a year: count the events themselves
        return count_events(session, dyad_events(a, b, directed=directed, scope=scope))
    return _counts(
        summary.pair_counts(session, a, b, type=scope.type, years=years, count=scope.count)
    )


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


@dataclass(frozen=True)
class PartnerCount:
    """A pair of states and the events they share, in all and per type (most first)."""

    a: str
    b: str
    events: int
    by_type: dict[str, int]


_CURSOR_NAME = "pairs"
_ALPHA3 = re.compile(r"[A-Z]{3}")


def _pair_cursor(last: PartnerCount) -> str:
    raw = json.dumps([_CURSOR_NAME, last.events, last.a, last.b], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _after_pair(cursor: str) -> tuple[int, str, str]:
    """The (-events, a, b) position a ranking cursor holds; a 400 naming `cursor` otherwise."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        name, events, a, b = payload
        if name != _CURSOR_NAME or not all(
            isinstance(c, str) and _ALPHA3.fullmatch(c) for c in (a, b)
        ):
            raise ValueError("not a ranking cursor")
        return -parse_count(events), a, b
    except (ValueError, TypeError, RecursionError) as error:
        raise InvalidParameter("cursor", "is not a cursor this API issued") from error


def partners(
    session: Session,
    *,
    code: str | None,
    scope: EventScope,
    limit: int | None,
    cursor: str | None = None,
) -> tuple[list[PartnerCount], str | None]:
    """With `code`: that state's partners ranked by shared events; without: the busiest pairs.
    Ranked by events, then by the pair's codes, and paged on that order (`limit` None: all)."""
    ranked = _ranked(_pair_rows(session, code=code, scope=scope))
    if cursor:
        position = _after_pair(cursor)
        ranked = [p for p in ranked if (-p.events, p.a, p.b) > position]
    if limit is None or len(ranked) <= limit:
        return ranked, None
    return ranked[:limit], _pair_cursor(ranked[limit - 1])


def _pair_rows(
    session: Session, *, code: str | None, scope: EventScope
) -> list[tuple[str, str, str, int]]:
    """(a, b, type, events) rows, `code` first in each when given."""
    years = summary.whole_years(scope.date_from, scope.date_to)
    if years is not None:
        return summary.pair_partners(
            session, code=code, type=scope.type, years=years, count=scope.count
        )
    # a part of a year: the events of those days (their date's index), then their pairs by key
    of_days = within(select(Event.id), Event, scope)
    if scope.count is Count.happenings:
        of_days = of_days.where(Event.is_lead)
    stmt = (
        select(PairEvent.a, PairEvent.b, PairEvent.type, func.count())
        .where(PairEvent.event_id.in_(of_days))
        .group_by(PairEvent.a, PairEvent.b, PairEvent.type)
    )
    if code:
        stmt = stmt.where(or_(PairEvent.a == code, PairEvent.b == code))
    return [
        (str(b), str(a), str(t), int(n)) if b == code else (str(a), str(b), str(t), int(n))
        for a, b, t, n in session.execute(stmt).all()
    ]


def _ranked(rows: list[tuple[str, str, str, int]]) -> list[PartnerCount]:
    pairs: dict[tuple[str, str], dict[str, int]] = {}
    for a, b, event_type, n in rows:  # an event has one type: the counts add up per pair
        by_type = pairs.setdefault((a, b), {})
        by_type[event_type] = by_type.get(event_type, 0) + n
    ranked = [
        PartnerCount(
            a=a,
            b=b,
            events=sum(by_type.values()),
            by_type=dict(sorted(by_type.items(), key=lambda i: (-i[1], i[0]))),
        )
        for (a, b), by_type in pairs.items()
    ]
    return sorted(ranked, key=lambda p: (-p.events, p.a, p.b))


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
        type=scope.type,
        country=(code,),
        date_from=scope.date_from,
        date_to=scope.date_to,
        count=scope.count,
    )
    return filtered_events(filters, counting=True)


def country_counts(session: Session, code: str, scope: EventScope) -> Counts:
    """How many events (or happenings) a state takes part in, by type and by year."""
    years = summary.whole_years(scope.date_from, scope.date_to)
    if years is None:  # a part of a year: count the events themselves
        return count_events(session, country_events(code, scope))
    return _counts(
        summary.state_counts(session, code, type=scope.type, years=years, count=scope.count)
    )
