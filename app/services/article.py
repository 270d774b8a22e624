"""Articles: get, list, correct and delete."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound
from app.kit.pagination import Keyset, paginate, parse_utc_datetime, scalars
from app.kit.urls import url_key
from app.models import Article, Event, Mention
from app.schemas.article import ArticleUpdate
from app.schemas.filters import ArticleFilters
from app.services.article_filters import filtered_articles
from app.services.copies import leave_group, reorder_group
from app.services.happening import happenings_of_articles, relink
from app.services.ingest import in_utc, published_moment
from app.services.source import get_or_create_source


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
        clash = session.scalars(
            select(Article.id).where(
                Article.url_key == url_key(changes["url"]), Article.id != article.id
            )
        ).first()
        if clash is not None:
            raise Conflict(
                f"Another article has this url (id {clash}).",
                headers={"Location": f"/v1/articles/{clash}"},
                field="url",
            )
    for field in ("title", "author", "agency", "url", "language"):
        if field in changes:
            setattr(article, field, changes[field])
    if "url" in changes:
        article.url_key = url_key(article.url) if article.url else None
    if "title" in changes:
        article.title_is_derived = False
    if "published_at" in changes:
        published, precision = published_moment(changes["published_at"])
        article.published_at, article.published_precision = in_utc(published), precision
        reorder_group(session, article=article)  # the earliest copy may be another now
    if "source" in changes:
        name = changes["source"]
        article.source = get_or_create_source(session, name=name) if name else None
    session.flush()
    return article


def delete_article(session: Session, *, article: Article) -> None:
    """Delete an article; its mentions and events go with it (loaded, so the feed shows them),
    and so do its reports in happenings. Were it a group's canonical copy, the next earliest
    becomes canonical."""
    left = happenings_of_articles(session, article_ids=[article.id])
    leave_group(session, article=article)
    for event in article.events:
        session.delete(event)
    session.delete(article)
    session.flush()
    relink(session, article_ids=[], left=left)


def list_articles(
    session: Session, *, filters: ArticleFilters, sort: str, limit: int, cursor: str | None
) -> tuple[list[Article], str | None]:
    """Articles matching every filter, by publication date, keyset-paginated."""
    keyset = Keyset.by(sort, Article.published_at, Article.id, parse_utc_datetime)
    stmt = filtered_articles(filters)
    return paginate(stmt, keyset=keyset, limit=limit, cursor=cursor, run=scalars(session))


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
