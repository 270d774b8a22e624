"""Copies: which stored articles are one text, and which of them is canonical.

A copy is an article whose body has the same normalised text as another's (content_hash) or
an estimated Jaccard similarity of COPY_THRESHOLD or more over word shingles
(app.ingest.signature). Candidates come from the `article_band` table by its (band, hash)
index, so no process holds an index in memory, and are verified on the stored signatures.

Copies form a group: the articles linked by being copies, directly or through another copy.
Its canonical article is the earliest published (undated ones after every dated one, since
nothing says when they appeared), ties and undated ones by id: the first stored. Every other
member's duplicate_of names the canonical, never another copy. Every change goes through the
ORM, so the change feed records each article whose duplicate_of changed, and the top-k
index (which reads the feed) follows.
"""

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import cast

from sqlalchemy import Select, Table, and_, bindparam, delete, or_, select
from sqlalchemy.orm import Session, lazyload

from app.db.rows import insert_rows
from app.ingest.signature import COPY_THRESHOLD, Signature, similarity, stored_bands
from app.models import Article, ArticleBand

# Band matches verified per article at most: a body that is mostly boilerplate shared by a
# whole site could otherwise match thousands. The nearest are not known before verifying, so
# the earliest stored are taken (the canonical copies of older groups).
MAX_CANDIDATES = 500
_LAST = datetime.max
# the table, not the class: the ORM's bulk path costs more per row (as in db/changefeed.py)
_BANDS = cast(Table, ArticleBand.__table__)


def canonical_order(article: Article) -> tuple[bool, datetime, int]:
    """The order in which a group's members are canonical: earliest dated first, then id."""
    published = article.published_at
    return (published is None, published.replace(tzinfo=None) if published else _LAST, article.id)


def store_signature(session: Session, *, article: Article, signature: Signature | None) -> None:
    """Store an article's signature and band keys (replacing any it had); it has an id."""
    article.signature = signature.values if signature else None
    session.execute(delete(ArticleBand).where(ArticleBand.article_id == article.id))
    if signature is not None:
        add_bands(session, [(article.id, signature)])


def add_bands(session: Session, signed: Iterable[tuple[int, Signature]]) -> None:
    """Insert the band keys of new articles, in one statement."""
    rows = [
        {"article_id": article_id, "band": band, "hash": key}
        for article_id, signature in signed
        for band, key in enumerate(signature.bands)
    ]
    insert_rows(session, _BANDS, rows)


@cache
def _banded_query(bands: int) -> Select[int]:
    """The articles sharing a band key: built once (an OR of one condition per band, each
    found by the (band, hash) index; SQLite's planner would scan for a row-value IN), as
    building it for every article cost more than running it."""
    return (
        select(ArticleBand.article_id)
        .where(
            or_(
                *(
                    and_(ArticleBand.band == b, ArticleBand.hash == bindparam(f"k{b}"))
                    for b in range(bands)
                )
            ),
            ArticleBand.article_id != bindparam("article_id"),
        )
        .distinct()
        .order_by(ArticleBand.article_id)
        .limit(MAX_CANDIDATES)
    )


def find_copies(session: Session, *, article: Article) -> list[int]:
    """The ids of the stored articles this one is a copy of (or that are copies of it)."""
    same_text = set(
        session.scalars(
            select(Article.id).where(
                Article.content_hash == article.content_hash, Article.id != article.id
            )
        )
    )
    if article.signature is None:
        return sorted(same_text)
    keys = stored_bands(article.signature)
    params: dict[str, object] = {f"k{b}": k for b, k in enumerate(keys)}
    banded = (
        set(session.scalars(_banded_query(len(keys)), {**params, "article_id": article.id}))
        - same_text
    )
    near = {
        other_id
        for other_id, stored in session.execute(
            select(Article.id, Article.signature).where(Article.id.in_(sorted(banded)))
        )
        if stored is not None and similarity(article.signature, stored) >= COPY_THRESHOLD
    }
    return sorted(same_text | near)


def _members(session: Session, roots: set[int]) -> list[Article]:
    if not roots:
        return []
    return list(
        session.scalars(
            select(Article)
            .where(or_(Article.id.in_(sorted(roots)), Article.duplicate_of_id.in_(sorted(roots))))
            .options(lazyload(Article.source))
        )
    )


def regroup(members: Iterable[Article]) -> Article | None:
    """Make the earliest member canonical and point every other at it; the canonical."""
    ordered = sorted({id(m): m for m in members}.values(), key=canonical_order)
    if not ordered:
        return None
    canonical = ordered[0]
    for member in ordered:
        wanted = None if member is canonical else canonical.id
        if member.duplicate_of_id != wanted:
            member.duplicate_of_id = wanted
    return canonical


def place(session: Session, *, article: Article) -> None:
    """Put a stored article (its signature stored) in the group of the articles it copies,
    merging their groups, or in none; the group's canonical is chosen again."""
    if session.dirty:
        session.flush()  # the lookups read duplicate_of from the database
    matches = find_copies(session, article=article)
    if not matches:
        if article.duplicate_of_id is not None:
            article.duplicate_of_id = None
        return
    roots = {
        duplicate_of or other_id
        for other_id, duplicate_of in session.execute(
            select(Article.id, Article.duplicate_of_id).where(Article.id.in_(matches))
        )
    }
    regroup([article, *_members(session, roots)])


def leave_group(session: Session, *, article: Article) -> None:
    """Take an article out of its group (before it is deleted, or its text replaced): when it
    was the canonical, the next earliest member becomes canonical and the rest re-point."""
    if session.dirty:
        session.flush()
    if article.duplicate_of_id is not None:
        article.duplicate_of_id = None
        return
    rest = list(
        session.scalars(
            select(Article)
            .where(Article.duplicate_of_id == article.id)
            .options(lazyload(Article.source))
        )
    )
    regroup(rest)
    if rest:
        session.flush()  # re-pointed before the row goes: its ON DELETE SET NULL finds none


def reorder_group(session: Session, *, article: Article) -> None:
    """Choose a group's canonical again (a member's publication date changed)."""
    root = article.duplicate_of_id or article.id
    if session.dirty:
        session.flush()
    regroup(_members(session, {root}))
