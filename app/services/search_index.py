"""Keeping the top-k index (app.search.topk) in step with the database.

The change feed is the outbox: every committed write is a row in `change`, read in commit
order below the oldest running transaction (app.db.feed_order), so no committed change is ever
passed over. On SQLite a search first applies the changes the index has not seen, reading the
articles in its own snapshot, so it finds every article committed before it and none deleted
before it. On PostgreSQL each node's index is fed in the background instead
(app.services.index_keeper) and answers once it is within a bound of the feed. Either way hits
are loaded from the database again afterwards, so nothing it no longer holds is ever returned.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import feed_order
from app.db.feed_order import Position
from app.models import Article, Entity, Event, EventParticipant, Mention, Source
from app.search.topk import IndexDocument, TopKIndex

log = logging.getLogger("defcoop.search")

BATCH = 2_000
# Past this many articles, a missing index is built by `defcoop reindex` (SQLite) or the
# node's keeper (PostgreSQL), not by a request.
BUILD_IN_REQUEST = 20_000
# At most this many unseen changes are applied by one request. Further behind (a bulk load
# through the API), the request searches with the database's own index, having applied this
# many: later searches carry on from there, so the index catches up a step at a time.
CATCH_UP_IN_REQUEST = 2_000
# The kinds of change that alter an index document
INDEXED_KINDS = ("article", "event")


def documents(session: Session, ids: list[int]) -> list[IndexDocument]:
    """The index documents of these articles (those that exist)."""
    if not ids:
        return []
    docs: dict[int, IndexDocument] = {}
    rows = session.execute(
        select(
            Article.id,
            Article.title,
            Article.body,
            Article.published_at,
            Article.source_id,
            Source.name,
            Article.author,
            Article.language,
            Article.duplicate_of_id,
        )
        .outerjoin(Source, Source.id == Article.source_id)
        .where(Article.id.in_(ids))
    ).all()
    for article_id, title, body, published, source_id, source, author, lang, twin in rows:
        moment = published.astimezone(UTC) if published else None
        docs[article_id] = IndexDocument(
            id=article_id,
            title=title or "",
            body=body or "",
            published=int(moment.timestamp()) if moment else None,
            source_id=source_id,
            source=source,
            duplicate_of=twin,
            author=author,
            lang=lang,
            year=moment.strftime("%Y") if moment else None,
            month=moment.strftime("%Y-%m") if moment else None,
        )
    mentions = session.execute(
        select(Mention.article_id, Entity.id, Entity.kind, Entity.code, Entity.name)
        .join(Entity, Entity.id == Mention.entity_id)
        .where(Mention.article_id.in_(list(docs)))
        .distinct()
    ).all()
    for article_id, entity_id, kind, code, name in mentions:
        doc = docs[article_id]
        _add(doc.entities, entity_id)
        _add(doc.entity_kinds, kind)
        if kind == "country" and code:
            _add(doc.countries, code)
        elif kind == "person":
            _add(doc.persons, name)
    participants: dict[int, set[str]] = defaultdict(set)
    events = session.execute(
        select(Event.article_id, Event.id, Event.type, Entity.kind, Entity.code)
        .outerjoin(EventParticipant, EventParticipant.event_id == Event.id)
        .outerjoin(Entity, Entity.id == EventParticipant.entity_id)
        .where(Event.article_id.in_(list(docs)))
    ).all()
    for article_id, event_id, event_type, kind, code in events:
        doc = docs[article_id]
        _add(doc.events, event_id)
        _add(doc.event_types, event_type)
        if kind == "country" and code:
            participants[event_id].add(code)
    for article_id, event_id, *_ in events:
        codes = sorted(participants.pop(event_id, ()))
        for i, a in enumerate(codes):
            for b in codes[i + 1 :]:
                _add(docs[article_id].dyads, f"{a}-{b}")
    return [docs[i] for i in sorted(docs)]


def _add(values: list[Any], value: Any) -> None:
    if value not in values:
        values.append(value)


def _no_check() -> None:
    """Nothing stops a rebuild half way."""


def rebuild_topk(
    session: Session, index: TopKIndex, *, check: Callable[[], None] = _no_check
) -> int:
    """Index every article from scratch; the number indexed. `check` is called between
    batches (it raises to stop: nothing of the rebuild is kept, the old index stays)."""
    with index.lock, _abandoned_on_error(index):
        # the position first: what is committed after it is applied again by the next
        # catch-up, whichever batch's snapshot saw it already
        cursor = feed_order.last(session)
        index.clear()
        done, last = 0, 0
        while batch := list(
            session.scalars(
                select(Article.id).where(Article.id > last).order_by(Article.id).limit(BATCH)
            )
        ):
            check()
            index.upsert(documents(session, batch), fresh=True)
            done, last = done + len(batch), batch[-1]
        index.commit(cursor)
        return done


def catch_up(
    session: Session,
    index: TopKIndex,
    *,
    limit: int | None = None,
    build_limit: int | None = None,
) -> bool:
    """Apply the changes the index has not seen; False when it cannot answer yet: no index
    yet on a database of more than `build_limit` articles, more than `limit` changes behind
    (then `limit` of them are applied), or another process is writing."""
    try:
        with index.lock, _abandoned_on_error(index):
            cursor = index.cursor()
            if cursor is None:
                count = session.scalar(select(func.count()).select_from(Article)) or 0
                if build_limit is not None and count > build_limit:
                    log.warning("search index missing: run `defcoop reindex` to build it")
                    return False
                rebuild_topk(session, index)
                return True
            index.see(cursor)
            rows = feed_order.read(session, cursor, limit=None if limit is None else limit + 1)
            if not rows:
                return True
            behind = limit is not None and len(rows) > limit
            _apply(session, index, rows[:limit] if behind else rows)
            return not behind
    except ValueError as error:  # the writer's lock file is held by another process
        log.info("search index busy: %s", error)
        return False


@contextmanager
def _abandoned_on_error(index: TopKIndex) -> Iterator[None]:
    # a request stopped by its time limit half way: nothing half-written stays in the writer
    # (nor does its lock, which would keep other workers from catching up)
    try:
        yield
    except BaseException:
        index.abandon()
        raise


def _apply(session: Session, index: TopKIndex, rows: Sequence[Any]) -> None:
    """Apply these feed rows (in commit order) and commit the index at the last one."""
    articles = {object_id for _x, _i, kind, object_id, _a in rows if kind == "article"}
    events = {object_id for _x, _i, kind, object_id, _a in rows if kind == "event"}
    if events:
        articles |= set(session.scalars(select(Event.article_id).where(Event.id.in_(list(events)))))
        articles |= set(index.ids_with_event(events))  # documents of events now deleted
    wanted = sorted(articles)
    for start in range(0, len(wanted), BATCH):
        batch = wanted[start : start + BATCH]
        found = documents(session, batch)
        index.delete(set(batch) - {d.id for d in found})
        index.upsert(found)
    index.commit(feed_order.position_of(rows[-1]))


@dataclass(frozen=True)
class Lag:
    """How far an index is behind the change feed."""

    cursor: Position | None  # None: never built
    documents_behind: int  # changes to articles and events not applied yet
    seconds_behind: float  # since the oldest of them was written (0 when none is)


def lag(session: Session, cursor: Position | None, *, now: datetime | None = None) -> Lag:
    """The index at `cursor`, measured against the feed (never built: every article behind)."""
    if cursor is None:
        count = session.scalar(select(func.count()).select_from(Article)) or 0
        return Lag(None, int(count), 0.0)
    count, oldest = feed_order.pending(session, cursor, INDEXED_KINDS)
    if oldest is None:
        return Lag(cursor, count, 0.0)
    moment = now or datetime.now(UTC)
    return Lag(cursor, count, max(0.0, (moment - oldest.astimezone(UTC)).total_seconds()))
