"""Reading the trigger-kept counts (app.models.summary), and recounting them from the rows
(the events of each pair of states and each entity's counts too).

Answers come from the counts only when the question fits them exactly: events by type and day;
articles by day; pairs by type and whole years (a date range that starts on 1 January and ends
on 31 December, or open). Anything narrower is counted from the rows by the callers.
Every event count is read as events (`n`) or as happenings (`h`, the leading events), as the
caller's `count` says.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, and_, case, cast, delete, distinct, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import (
    Article,
    ArticleDayCount,
    Entity,
    EntityMentionCount,
    EntityYearCount,
    Event,
    EventDayCount,
    EventParticipant,
    Mention,
    PairEvent,
    PairYearCount,
)
from app.models.summary import UNDATED_YEAR
from app.schemas.filters import Count
from app.schemas.relations import Unit


@dataclass(frozen=True)
class Years:
    """Whole calendar years, either end open; `None` from `whole_years` when a range is not."""

    first: int | None = None
    last: int | None = None


def whole_years(date_from: date | None, date_to: date | None) -> Years | None:
    if date_from and (date_from.month, date_from.day) != (1, 1):
        return None
    if date_to and (date_to.month, date_to.day) != (12, 31):
        return None
    return Years(date_from.year if date_from else None, date_to.year if date_to else None)


def counted(table: Any, count: Count) -> Any:
    """The column of a per-event count table that counts what `count` asks for."""
    return table.h if count is Count.happenings else table.n


def _in_years(years: Years, table: Any, count: Count) -> list[Any]:
    conditions: list[Any] = [counted(table, count) > 0]
    if years.first is not None:
        conditions.append(table.year >= years.first)
    if years.last is not None:
        conditions.append(table.year.between(1, years.last))
    return conditions


def _country_ids(session: Session, codes: Iterable[str] | None = None) -> dict[int, str]:
    """Entity id -> alpha-3 code of the states (these, or all): a few hundred rows at most,
    so the counts are read by their own key rather than joined row by row."""
    stmt = select(Entity.id, Entity.code).where(Entity.kind == "country", Entity.code.is_not(None))
    if codes is not None:
        stmt = stmt.where(Entity.code.in_(list(codes)))
    return {int(i): str(c) for i, c in session.execute(stmt)}


def pair_counts(
    session: Session, a: str, b: str, *, type: str | None, years: Years, count: Count
) -> list[tuple[str, int, int]]:
    """(type, year, events) for the events two states share; year 0 means undated."""
    ids = _country_ids(session, (a, b))
    keys = [
        (min(x, y), max(x, y))
        for x in (i for i, c in ids.items() if c == a)
        for y in (i for i, c in ids.items() if c == b)
    ]
    if not keys:
        return []
    of_pair = or_(
        *(and_(PairYearCount.entity_a == x, PairYearCount.entity_b == y) for x, y in keys)
    )
    return _by_type_and_year(session, PairYearCount, of_pair, type=type, years=years, count=count)


def state_counts(
    session: Session, code: str, *, type: str | None, years: Years, count: Count
) -> list[tuple[str, int, int]]:
    """(type, year, events) for the events a state takes part in; year 0 means undated."""
    of_state = EntityYearCount.entity_id.in_(list(_country_ids(session, (code,))))
    return _by_type_and_year(
        session, EntityYearCount, of_state, type=type, years=years, count=count
    )


def _by_type_and_year(
    session: Session, table: Any, where: Any, *, type: str | None, years: Years, count: Count
) -> list[tuple[str, int, int]]:
    """(type, year, count) summed over the rows of a per-type-and-year count table."""
    stmt = (
        select(table.type, table.year, func.sum(counted(table, count)))
        .where(where, *_in_years(years, table, count))
        .group_by(table.type, table.year)
    )
    if type:
        stmt = stmt.where(table.type == type)
    return [(str(t), int(y), int(n)) for t, y, n in session.execute(stmt).all()]


def pair_partners(
    session: Session, *, code: str | None, type: str | None, years: Years, count: Count
) -> list[tuple[str, str, str, int]]:
    """(a, b, type, events) for every pair of states, or for `code` and each partner."""
    ids = _country_ids(session)
    states = list(ids)
    stmt = (
        select(
            PairYearCount.entity_a,
            PairYearCount.entity_b,
            PairYearCount.type,
            func.sum(counted(PairYearCount, count)),
        )
        .where(
            PairYearCount.entity_a.in_(states),
            PairYearCount.entity_b.in_(states),
            *_in_years(years, PairYearCount, count),
        )
        .group_by(PairYearCount.entity_a, PairYearCount.entity_b, PairYearCount.type)
    )
    if code:
        own = [i for i, c in ids.items() if c == code]
        stmt = stmt.where(or_(PairYearCount.entity_a.in_(own), PairYearCount.entity_b.in_(own)))
    if type:
        stmt = stmt.where(PairYearCount.type == type)
    found: dict[tuple[str, str, str], int] = {}
    for x, y, event_type, n in session.execute(stmt).all():
        first, second = ids[x], ids[y]
        if first == second:
            continue
        if (code and second == code) or (not code and second < first):
            first, second = second, first
        key = (first, second, str(event_type))
        found[key] = found.get(key, 0) + int(n)
    return [(a, b, t, n) for (a, b, t), n in found.items()]


def pair_edges(
    session: Session,
    *,
    kinds: Iterable[str],
    type: str | None,
    years: Years,
    count: Count,
    min_weight: int,
    limit: int,
) -> list[tuple[int, int, int]]:
    """The heaviest (entity, entity, events) edges between entities of these kinds."""
    of_kinds = select(Entity.id).where(Entity.kind.in_(list(kinds)))
    weight = func.sum(counted(PairYearCount, count))
    stmt = (
        select(PairYearCount.entity_a, PairYearCount.entity_b, weight)
        .where(
            PairYearCount.entity_a.in_(of_kinds),
            PairYearCount.entity_b.in_(of_kinds),
            *_in_years(years, PairYearCount, count),
        )
        .group_by(PairYearCount.entity_a, PairYearCount.entity_b)
        .having(weight >= min_weight)
        .order_by(weight.desc(), PairYearCount.entity_a, PairYearCount.entity_b)
        .limit(limit)
    )
    if type:
        stmt = stmt.where(PairYearCount.type == type)
    return [(int(a), int(b), int(w)) for a, b, w in session.execute(stmt).all()]


def day_counts(
    session: Session,
    *,
    unit: Unit,
    bucket: Any,
    by_type: bool,
    type: str | None,
    start: date | None,
    end: date | None,
    count: Count,
) -> list[tuple[Any, ...]]:
    """(bucket, [type,] count) over every article or event (or happening: `count`), from the
    day counts; `bucket` is built by the caller from the `day` column of the table this picks
    (`day_column`)."""
    table: Any = EventDayCount if unit is Unit.events else ArticleDayCount
    columns = [bucket, EventDayCount.type] if by_type and unit is Unit.events else [bucket]
    n = counted(table, count) if unit is Unit.events else table.n
    stmt = select(*columns, func.sum(n)).where(n > 0).group_by(*columns)
    if type and unit is Unit.events:
        stmt = stmt.where(EventDayCount.type == type)
    if start:
        stmt = stmt.where(table.day >= start)
    if end:
        stmt = stmt.where(table.day <= end)
    return [tuple(row) for row in session.execute(stmt).all()]


def day_column(unit: Unit) -> Any:
    return EventDayCount.day if unit is Unit.events else ArticleDayCount.day


# Recounting from the rows: the reference the triggers must agree with (tests, `reindex`).


def year_of(session: Session, column: Any) -> Any:
    """The year of a date column, UNDATED_YEAR where it has none."""
    if session.get_bind().dialect.name == "sqlite":
        return func.coalesce(cast(func.strftime("%Y", column), Integer), UNDATED_YEAR)
    return func.coalesce(cast(func.extract("year", column), Integer), UNDATED_YEAR)


def _article_day(session: Session) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.date(Article.published_at)
    return cast(func.timezone("UTC", Article.published_at), type_=ArticleDayCount.day.type)


def recount_statements(session: Session) -> dict[str, Any]:
    """For each summary table, a SELECT of its rows computed from the articles and events."""
    day = _article_day(session)
    articles = select(day, func.count()).where(Article.published_at.is_not(None)).group_by(day)
    leads = func.count(case((Event.is_lead, 1)))  # count() skips the NULL of the others
    events = (
        select(Event.date_start, Event.type, func.count(), leads)
        .where(Event.date_start.is_not(None))
        .group_by(Event.date_start, Event.type)
    )
    p, q = aliased(EventParticipant), aliased(EventParticipant)
    pairs = (
        select(p.event_id, p.entity_id.label("a"), q.entity_id.label("b"))
        .join(q, and_(q.event_id == p.event_id, q.entity_id > p.entity_id))
        .distinct()
        .subquery()
    )
    year = year_of(session, Event.date_start)
    pair_rows = (
        select(pairs.c.a, pairs.c.b, Event.type, year, func.count(), leads)
        .join(Event, Event.id == pairs.c.event_id)
        .group_by(pairs.c.a, pairs.c.b, Event.type, year)
    )
    x, y = aliased(Entity), aliased(Entity)
    state_pairs = (
        select(p.event_id, x.code, y.code, Event.type, Event.date_start)
        .join(x, and_(x.id == p.entity_id, x.kind == "country"))
        .join(q, q.event_id == p.event_id)
        .join(y, and_(y.id == q.entity_id, y.kind == "country", x.code < y.code))
        .join(Event, Event.id == p.event_id)
        .distinct()
    )
    taking_part = (
        select(EventParticipant.event_id, EventParticipant.entity_id).distinct().subquery()
    )
    entity_rows = (
        select(taking_part.c.entity_id, Event.type, year, func.count(), leads)
        .join(Event, Event.id == taking_part.c.event_id)
        .group_by(taking_part.c.entity_id, Event.type, year)
    )
    return {
        "article_day_count": articles,
        "event_day_count": events,
        "pair_year_count": pair_rows,
        "pair_event": state_pairs,
        "entity_year_count": entity_rows,
        "entity_mention_count": select(
            Mention.entity_id, func.count(), func.count(distinct(Mention.article_id))
        ).group_by(Mention.entity_id),
    }


_TABLES: tuple[Any, ...] = (
    ArticleDayCount,
    EventDayCount,
    PairYearCount,
    PairEvent,
    EntityYearCount,
    EntityMentionCount,
)


def stored(session: Session) -> dict[str, set[tuple[Any, ...]]]:
    """The summary tables' rows (of the counts, those above zero), as sets of tuples (dates as
    ISO strings)."""
    return {
        model.__tablename__: _rows(session, select(*model.__table__.columns).where(*_kept(model)))
        for model in _TABLES
    }


def _kept(model: Any) -> list[Any]:
    """Rows that count something: a count that went back to zero leaves its row behind."""
    column = getattr(model, "n", None) or getattr(model, "mentions", None)
    return [] if column is None else [column > 0]


def recount(session: Session) -> dict[str, set[tuple[Any, ...]]]:
    """What `stored` should return, counted from scratch."""
    return {name: _rows(session, stmt) for name, stmt in recount_statements(session).items()}


def _rows(session: Session, stmt: Any) -> set[tuple[Any, ...]]:
    return {
        tuple(v.isoformat()[:10] if isinstance(v, date) else v for v in row)
        for row in session.execute(stmt).all()
    }


def replace_all(session: Session) -> None:
    """Replace every summary count with a fresh recount (after a bulk load or a repair)."""
    statements = recount_statements(session)  # their columns are in the tables' order
    for model in _TABLES:
        session.execute(delete(model))
        columns = [c.name for c in model.__table__.columns]
        session.execute(insert(model).from_select(columns, statements[model.__tablename__]))
