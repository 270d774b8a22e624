"""Keeping the top-k index (app.search.topk) in step with the database.

The change feed is the outbox: every committed write is a row in `change`, in commit order
(SQLite writes one transaction at a time). Before a search, the index applies the changes it
has not seen, reading the articles in the searching transaction's own snapshot, so a search
finds every article committed before it and none deleted before it. Hits are loaded from the
database again afterwards, so nothing the database no longer holds is ever returned.
"""

import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Article, Change, Entity, Event, EventParticipant, Mention, Source
from app.search.topk import IndexDocument, TopKIndex

log = logging.getLogger("defcoop.search")

BATCH = 2_000
# Past this many articles, a missing index is built by `defcoop reindex`, not by a request.
BUILD_IN_REQUEST = 20_000
# At most this many unseen changes are applied by one request. Further behind (a bulk load
# through the API), the request searches with the database's own index, having applied this
# many: later searches carry on from there, so the index catches up a step at a time.
CATCH_UP_IN_REQUEST = 2_000


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


def _last_change(session: Session) -> int:
    return int(session.scalar(select(func.max(Change.id))) or 0)


def rebuild_topk(session: Session, index: TopKIndex) -> int:
    """Index every article from scratch; the number indexed."""
    with index.lock:
        cursor = _last_change(session)
        index.clear()
        done, last = 0, 0
        while batch := list(
            session.scalars(
                select(Article.id).where(Article.id > last).order_by(Article.id).limit(BATCH)
            )
        ):
            index.upsert(documents(session, batch), fresh=True)
            done, last = done + len(batch), batch[-1]
        index.commit(cursor)
        return done


def catch_up(session: Session, index: TopKIndex, *, limit: int | None = None) -> bool:
    """Apply the changes the index has not seen; False when it cannot answer yet (no index
    yet on a large database, more than `limit` changes behind: then `limit` of them are
    applied, or another process is writing)."""
    try:
        with index.lock, _abandoned_on_error(index):
            cursor = index.cursor()
            if cursor is None:
                count = session.scalar(select(func.count()).select_from(Article)) or 0
                if limit is not None and count > BUILD_IN_REQUEST:
                    log.warning("search index missing: run `defcoop reindex` to build it")
                    return False
                rebuild_topk(session, index)
                return True
            index.see(cursor)
            last = _last_change(session)
            if last <= cursor:
                return True
            if limit is not None and last - cursor > limit:
                _apply(session, index, cursor, cursor + limit)
                return False
            _apply(session, index, cursor, last)
            return True
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


def _apply(session: Session, index: TopKIndex, cursor: int, last: int) -> None:
    rows = session.execute(
        select(Change.kind, Change.object_id, Change.action).where(
            Change.id > cursor, Change.id <= last, Change.kind.in_(("article", "event"))
        )
    ).all()
    articles = {i for kind, i, _action in rows if kind == "article"}
    events = {i for kind, i, _action in rows if kind == "event"}
    if events:
        articles |= set(session.scalars(select(Event.article_id).where(Event.id.in_(list(events)))))
        articles |= set(index.ids_with_event(events))  # documents of events now deleted
    wanted = sorted(articles)
    for start in range(0, len(wanted), BATCH):
        batch = wanted[start : start + BATCH]
        found = documents(session, batch)
        index.delete(set(batch) - {d.id for d in found})
        index.upsert(found)
    index.commit(last)
