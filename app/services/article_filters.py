"""The statements behind the article filters (the models are app.schemas.filters)."""

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from app.kit.dates import LAST_DAY
from app.models import Article, Entity, Event, Mention, Source
from app.schemas.filters import ArticleFilters, ArticleListFilters, Duplicates, EventFilters
from app.services.event import pair_events


def filtered_articles(filters: ArticleFilters) -> Select[Any]:
    """Articles matching every filter, with their sources loaded."""
    return apply_filters(select(Article).options(selectinload(Article.source)), filters)


def sources_named(name: str) -> Select[Any]:
    """The ids of the sources with this name or domain (case-insensitive)."""
    name = name.lower()
    return select(Source.id).where(
        or_(func.lower(Source.name) == name, func.lower(Source.domain) == name)
    )


def published_bounds(filters: ArticleFilters) -> tuple[datetime | None, datetime | None]:
    """The published_from/to days as [start, end) instants, UTC (either may be open; the day
    after LAST_DAY has no instant, and nothing stored is later, so it is open)."""
    start = (
        datetime.combine(filters.published_from, time(), tzinfo=UTC)
        if filters.published_from
        else None
    )
    end = (
        datetime.combine(filters.published_to + timedelta(days=1), time(), tzinfo=UTC)
        if filters.published_to and filters.published_to < LAST_DAY
        else None
    )
    return start, end


def apply_filters(
    stmt: Select[Any], filters: ArticleFilters, *, counting: bool = False
) -> Select[Any]:
    """Restrict any statement over `article` to the articles matching every filter.

    A list read in date order checks each article it walks for its mentions and events
    (EXISTS), and stops at a page. To count them, every such article is wanted: with
    `counting`, they are found from the mentions and events instead (IN)."""
    if filters.duplicates is Duplicates.exclude:
        stmt = stmt.where(Article.duplicate_of_id.is_(None))
    if filters.source:
        stmt = stmt.where(Article.source_id.in_(sources_named(filters.source)))
    if filters.author:
        stmt = stmt.where(func.lower(Article.author) == filters.author.lower())
    if filters.agency:
        stmt = stmt.where(func.lower(Article.agency) == filters.agency.lower())
    if filters.lang:
        stmt = stmt.where(Article.language == filters.lang)
    start, end = published_bounds(filters)
    if start:
        stmt = stmt.where(Article.published_at >= start)
    if end:
        stmt = stmt.where(Article.published_at < end)
    found: list[tuple[Select[Any], Any]] = [
        (
            select(Mention.article_id)
            .join(Entity, Entity.id == Mention.entity_id)
            .where(Entity.kind == "country", Entity.code == code),
            Mention.article_id,
        )
        for code in filters.countries
    ]
    if filters.entity_id is not None:
        mentions = select(Mention.article_id).where(Mention.entity_id == filters.entity_id)
        found.append((mentions, Mention.article_id))
    if filters.event_type:
        events = select(Event.article_id).where(Event.type == filters.event_type)
        found.append((events, Event.article_id))
    for ids, article_id in found:
        if counting:
            stmt = stmt.where(Article.id.in_(ids))
        else:
            stmt = stmt.where(ids.where(article_id == Article.id).exists())
    if filters.dyad:
        # from the pair's own events: its articles are found, not every article checked
        directed = isinstance(filters, ArticleListFilters) and filters.directed
        of_pair = pair_events(*filters.dyad, EventFilters(directed=directed)).with_only_columns(
            Event.article_id
        )
        stmt = stmt.where(Article.id.in_(of_pair))
    return stmt
