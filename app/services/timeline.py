"""Counts over time: articles or events per day, week, month or year, zero-filled."""

from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.errors import InvalidParameter
from app.models import Article, Event
from app.services import summary

MAX_BUCKETS = 10_000


class Interval(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    year = "year"


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
    of: str,
    ids: Select[Any] | None,
    interval: Interval,
    group_by_type: bool,
    start: date | None,
    end: date | None,
    type: str | None = None,
) -> list[dict[str, Any]]:
    """Buckets from the first to the last (or the range asked for), with zeros in between;
    when the data's own span holds more than MAX_BUCKETS, only the buckets with counts.
    `ids` picks the articles or events to count; None counts every one (of `type`, between
    `start` and `end`) from the day counts, without reading the rows."""
    if ids is None:
        bucket = _bucket(session, summary.day_column(of), interval).label("bucket")
        rows: Sequence[Any] = summary.day_counts(
            session, of=of, bucket=bucket, by_type=group_by_type, type=type, start=start, end=end
        )
    else:
        column: Any = Event.date_start if of == "events" else Article.published_at
        table: Any = Event if of == "events" else Article
        bucket = _bucket(session, column, interval).label("bucket")
        columns = [bucket, Event.type] if group_by_type and of == "events" else [bucket]
        stmt = (
            select(*columns, func.count())
            .where(table.id.in_(ids), column.is_not(None))
            .group_by(*columns)
        )
        rows = session.execute(stmt).all()
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
    filled = _zero_filled(counts, first, last, interval, by_type=group_by_type and of == "events")
    if filled is not None:
        return filled
    if start and end:  # the caller asked for this range: they can narrow it or coarsen
        raise InvalidParameter(
            "interval", f"more than {MAX_BUCKETS} buckets: use a longer interval or a shorter range"
        )
    # The range comes from the data, and one far-off date (a stored 9999-12-31) would make
    # the timeline unanswerable for everyone: list the buckets that hold counts, and no zeros.
    return [
        _row(key, counts[key], by_type=group_by_type and of == "events") for key in sorted(counts)
    ]


def _row(start: str, entry: dict[str, int], *, by_type: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"start": start, "count": sum(entry.values())}
    if by_type:
        row["by_type"] = {k: v for k, v in sorted(entry.items())}
    return row


def _zero_filled(
    counts: dict[str, dict[str, int]], first: date, last: date, interval: Interval, *, by_type: bool
) -> list[dict[str, Any]] | None:
    """Every bucket from first to last, zeros included; None past MAX_BUCKETS."""
    buckets: list[dict[str, Any]] = []
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
