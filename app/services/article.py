"""Articles: get, list, correct and delete, and the filters their lists share."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.errors import Conflict, NotFound
from app.kit.dates import LAST_DAY
from app.kit.pagination import page_by, parse_utc_datetime
from app.models import Article, Entity, Event, Mention, Source
from app.schemas.article import ArticleUpdate
from app.services.event import EventFilters, pair_events
from app.services.ingest import in_utc, published_moment
from app.services.source import get_or_create_source
from app.taxonomy import EventType


def get_article(session: Session, *, article_id: int) -> Article:
    """The article with that id, or NotFound."""
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(f"No article with id {article_id}.", field="article_id", location="path")
    return article


def update_article(session: Session, *, article: Article, data: ArticleUpdate) -> Article:
    """Correct an article's metadata."""
    changes = data.model_dump(exclude_unset=True)
    if "url" in changes and changes["url"] and changes["url"] != article.url:
        clash = session.scalars(select(Article.id).where(Article.url == changes["url"])).first()
        if clash is not None:
            raise Conflict(
                f"Another article has this url (id {clash}).",
                headers={"Location": f"/v1/articles/{clash}"},
                field="url",
            )
    for field in ("title", "author", "agency", "url", "language"):
        if field in changes:
            setattr(article, field, changes[field])
    if "title" in changes:
        article.title_is_derived = False
    if "published_at" in changes:
        published, precision = published_moment(changes["published_at"])
        article.published_at, article.published_precision = in_utc(published), precision
    if "source" in changes:
        name = changes["source"]
        article.source = get_or_create_source(session, name=name) if name else None
    session.flush()
    return article


def delete_article(session: Session, *, article: Article) -> None:
    """Delete an article; its mentions and events go with it (loaded, so the feed shows them)."""
    for event in article.events:
        session.delete(event)
    session.delete(article)
    session.flush()


@dataclass(frozen=True)
class ArticleFilters:
    source: str | None = None
    author: str | None = None
    agency: str | None = None
    lang: str | None = None
    published_from: date | None = None
    published_to: date | None = None
    countries: tuple[str, ...] = ()
    entity_id: int | None = None
    event_type: EventType | None = None
    dyad: tuple[str, str] | None = None  # an event in which both states take part
    directed: bool = False  # ... the first acting on the second (see EventFilters.directed)


def _filtered(filters: ArticleFilters) -> Select[Any]:
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
        of_pair = pair_events(
            *filters.dyad, EventFilters(directed=filters.directed)
        ).with_only_columns(Event.article_id)
        stmt = stmt.where(Article.id.in_(of_pair))
    return stmt


def list_articles(
    session: Session, *, filters: ArticleFilters, sort: str, limit: int, cursor: str | None
) -> tuple[list[Article], str | None]:
    """Articles matching every filter, by publication date, keyset-paginated."""
    return page_by(
        session,
        _filtered(filters),
        column=Article.published_at,
        id_column=Article.id,
        sort=sort,
        parse=parse_utc_datetime,
        limit=limit,
        cursor=cursor,
    )


def article_events(session: Session, *, article_id: int) -> list[Event]:
    """An article's events, in the order they were stored."""
    return list(
        session.scalars(select(Event).where(Event.article_id == article_id).order_by(Event.id))
    )


def article_mentions(session: Session, *, article_id: int) -> list[Mention]:
    """An article's mentions, in text order (those without offsets last)."""
    return list(
        session.scalars(
            select(Mention)
            .where(Mention.article_id == article_id)
            .order_by(Mention.start.is_(None), Mention.start, Mention.id)
        )
    )
