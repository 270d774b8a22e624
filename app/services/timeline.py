"""Counts over time: articles or events (or happenings) per day, week, month or year,
zero-filled."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.errors import InvalidParameter
from app.models import Article, Event
from app.schemas.filters import ArticleFilters, Count, EventFilters
from app.schemas.relations import Interval, Unit
from app.services import summary
from app.services.article_filters import apply_filters
from app.services.event import filtered_events
from app.services.search import QueryMode, SearchRequest, matching_ids

MAX_BUCKETS = 10_000


@dataclass(frozen=True)
class BucketCount:
    """One bucket of a timeline: its first day, its count and (grouped) its count per type."""

    start: str
    count: int
    by_type: dict[str, int] | None = field(default=None)


def _bucket(session: Session, column: Any, interval: Interval) -> Any:
    """The first day of the column's bucket, as an ISO date string, in the database."""
    if session.get_bind().dialect.name == "sqlite":
        # dates and timestamps are ISO text: cutting the text is cheaper than date functions
        if interval is Interval.day:
            return func.substr(column, 1, 10)
        if interval is Interval.week:  # the Monday on or before
            return func.date(column, "-6 days", "weekday 1")
        if interval is Interval.month:
            return func.substr(column, 1, 7).concat("-01")
        return func.substr(column, 1, 4).concat("-01-01")
    if column is Article.published_at:
        column = func.timezone("UTC", column)
    return func.to_char(func.date_trunc(interval.value, column), "YYYY-MM-DD")


def _start_of(day: date, interval: Interval) -> date:
    if interval is Interval.day:
        return day
    if interval is Interval.week:
        return day - timedelta(days=day.weekday())
    if interval is Interval.month:
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _step(interval: Interval) -> relativedelta:
    return {
        Interval.day: relativedelta(days=1),
        Interval.week: relativedelta(weeks=1),
        Interval.month: relativedelta(months=1),
        Interval.year: relativedelta(years=1),
    }[interval]


def timeline(
    session: Session,
    *,
    unit: Unit,
    filters: EventFilters | ArticleFilters,
    interval: Interval,
    group_by_type: bool,
    q: str | None = None,
) -> list[BucketCount]:
    """Buckets from the first to the last (or the range asked for), with zeros in between;
    when the data's own span holds more than MAX_BUCKETS, only the buckets with counts.
    Every article or event of a range (and type) is counted from the day counts, without
    reading the rows; anything narrower is counted from the rows the filters pick."""
    if unit is Unit.events:
        assert isinstance(filters, EventFilters)
        start, end = filters.date_from, filters.date_to
        rows = _event_rows(session, filters, interval, group_by_type=group_by_type)
    else:
        assert isinstance(filters, ArticleFilters)
        if group_by_type:
            raise InvalidParameter("group_by", "type applies to of=events")
        start, end = filters.published_from, filters.published_to
        rows = _article_rows(session, filters, interval, q=q)
    return _buckets(rows, interval, start, end, by_type=group_by_type and unit is Unit.events)


def _event_rows(
    session: Session, filters: EventFilters, interval: Interval, *, group_by_type: bool
) -> Sequence[Any]:
    """(bucket, [type,] count) rows of the events the filters pick."""
    if _only_scope(filters):
        bucket = _bucket(session, summary.day_column(Unit.events), interval).label("bucket")
        return summary.day_counts(
            session,
            unit=Unit.events,
            bucket=bucket,
            by_type=group_by_type,
            type=filters.type,
            start=filters.date_from,
            end=filters.date_to,
            count=filters.count,
        )
    ids = filtered_events(filters, counting=True).with_only_columns(Event.id)
    bucket = _bucket(session, Event.date_start, interval).label("bucket")
    columns = [bucket, Event.type] if group_by_type else [bucket]
    return session.execute(
        select(*columns, func.count())
        .where(Event.id.in_(ids), Event.date_start.is_not(None))
        .group_by(*columns)
    ).all()


def _only_scope(filters: EventFilters) -> bool:
    """Whether the filters pick events by their type and date only (the day counts answer,
    counting events or happenings)."""
    cleared = filters.model_copy(update={"type": None, "date_from": None, "date_to": None})
    return cleared == EventFilters(count=filters.count)


def _only_range(filters: ArticleFilters) -> bool:
    """Whether the filters pick articles by their publication date only."""
    cleared = filters.model_copy(update={"published_from": None, "published_to": None})
    return cleared == type(filters)()


def _article_rows(
    session: Session, filters: ArticleFilters, interval: Interval, *, q: str | None
) -> Sequence[Any]:
    """(bucket, count) rows of the articles the query and filters pick."""
    if not q and _only_range(filters):
        bucket = _bucket(session, summary.day_column(Unit.articles), interval).label("bucket")
        return summary.day_counts(
            session,
            unit=Unit.articles,
            bucket=bucket,
            by_type=False,
            type=None,
            start=filters.published_from,
            end=filters.published_to,
            count=Count.reports,  # articles: not a count of events
        )
    ids: Select[Any] = (
        matching_ids(session, SearchRequest(q=q, mode=QueryMode.simple, filters=filters))
        if q
        else apply_filters(select(Article.id), filters, counting=True)
    )
    bucket = _bucket(session, Article.published_at, interval).label("bucket")
    return session.execute(
        select(bucket, func.count())
        .where(Article.id.in_(ids), Article.published_at.is_not(None))
        .group_by(bucket)
    ).all()


def _buckets(
    rows: Sequence[Any], interval: Interval, start: date | None, end: date | None, *, by_type: bool
) -> list[BucketCount]:
    """The rows as buckets, zero-filled over the range asked for or the data's own span."""
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        key = str(row[0])[:10]
        entry = counts.setdefault(key, {})
        kind = str(row[1]) if len(row) == 3 else "_all"
        entry[kind] = entry.get(kind, 0) + int(row[-1])
    if not counts and not (start and end):
        return []
    first = _start_of(start, interval) if start else min(date.fromisoformat(k) for k in counts)
    last = _start_of(end, interval) if end else max(date.fromisoformat(k) for k in counts)
    filled = _zero_filled(counts, first, last, interval, by_type=by_type)
    if filled is not None:
        return filled
    if start and end:  # the caller asked for this range: they can narrow it or coarsen
        raise InvalidParameter(
            "interval", f"more than {MAX_BUCKETS} buckets: use a longer interval or a shorter range"
        )
    # The range comes from the data, and one far-off date (a stored 9999-12-31) would make
    # the timeline unanswerable for everyone: list the buckets that hold counts, and no zeros.
    return [_row(key, counts[key], by_type=by_type) for key in sorted(counts)]


def _row(start: str, entry: dict[str, int], *, by_type: bool) -> BucketCount:
    grouped = dict(sorted(entry.items())) if by_type else None
    return BucketCount(start=start, count=sum(entry.values()), by_type=grouped)


def _zero_filled(
    counts: dict[str, dict[str, int]], first: date, last: date, interval: Interval, *, by_type: bool
) -> list[BucketCount] | None:
    """Every bucket from first to last, zeros included; None past MAX_BUCKETS."""
    buckets: list[BucketCount] = []
    current = first
    while current <= last:
        if len(buckets) >= MAX_BUCKETS:
            return None
        buckets.append(
            _row(current.isoformat(), counts.get(current.isoformat(), {}), by_type=by_type)
        )
        if current == last:  # stepping past the last bucket may leave the calendar (9999-12)
            break
        current = current + _step(interval)
    return buckets
