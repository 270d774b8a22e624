"""Bulk ingest, the one way for the CLI and POST /v1/articles/bulk: records are read and
extracted outside the write, then stored a chunk at a time with one flush, and one at a time
(each whole or absent) should the chunk fail, so that a bad record costs only itself."""

import itertools
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db.changefeed import insert_created, insert_parts
from app.db.limits import not_counted
from app.db.session import session_scope
from app.errors import AppError, BadRequest, line_failure
from app.ingest.formats import Format, Record
from app.models import Article, Entity, Event, EventParticipant, Mention
from app.schemas.article import ArticleCreate
from app.services.extraction import apply_extraction
from app.services.ingest import (
    CuratedEventRows,
    IngestOutcome,
    OnDuplicate,
    Prepared,
    create_article,
    curated_events,
    curated_mentions,
    fill_article,
    first_with_text,
    prepare_article,
    settle_known,
)


class ArticleBatch:
    """New articles added to a session and flushed together, their hand-coded mentions and
    events kept as rows for one insert each (a mapped object each costs more than the row)."""

    def __init__(self, session: Session, *, urls: list[str], digests: list[str]) -> None:
        self.session = session
        known_urls = set(session.scalars(select(Article.url).where(Article.url.in_(urls))))
        known_texts = set(
            session.scalars(select(Article.content_hash).where(Article.content_hash.in_(digests)))
        )
        # what the database does not have, so that `add` need not ask one article at a time
        self.absent_urls = {u for u in urls if u not in known_urls}
        self.absent_texts = {d for d in digests if d not in known_texts}
        self.pending_urls: set[str] = set()
        self.pending_texts: set[str] = set()
        self.mentions: list[tuple[Article, Entity, dict[str, Any]]] = []
        self.events: list[tuple[Article, CuratedEventRows]] = []

    def add(
        self, data: ArticleCreate, prepared: Prepared | None, *, on_duplicate: OnDuplicate
    ) -> IngestOutcome:
        """Add one article (or settle its known url); its rows wait for `flush`."""
        session = self.session
        if data.url and data.url in self.pending_urls:
            session.flush()  # the same url twice in one batch: let the check below see the first
            self.absent_urls.discard(data.url)
        existing = (
            session.scalars(select(Article).where(Article.url == data.url)).first()
            if data.url and data.url not in self.absent_urls
            else None
        )
        if existing is not None:
            return settle_known(
                session, existing=existing, data=data, on_duplicate=on_duplicate, prepared=prepared
            )
        # not prepared when its url was known: deleted since, by another writer
        prepared = prepared or prepare_article(data)
        digest = prepared.digest
        if digest in self.pending_texts:
            session.flush()
        twin = (
            first_with_text(session, digest)
            if digest not in self.absent_texts or digest in self.pending_texts
            else None
        )
        article = Article(url=data.url, raw=data.text or data.html, content_hash=digest)
        if twin is not None:
            article.duplicate_of_id = twin.duplicate_of_id or twin.id
        session.add(article)
        fill_article(session, article, data, prepared)
        if prepared.extraction is not None:
            session.flush()
            apply_extraction(session, article=article, result=prepared.extraction)
        else:
            mentions = curated_mentions(session, article.body, data.entities or [])
            self.mentions += [(article, entity, row) for entity, row in mentions]
            events = curated_events(session, article.body, data.events or [])
            self.events += [(article, rows) for rows in events]
        self.pending_texts.add(digest)
        if data.url:
            self.pending_urls.add(data.url)
        return IngestOutcome("created", article, prepared.extraction_s)

    def flush(self) -> None:
        """Flush the articles, then insert the rows kept for them (with the feed's entries)."""
        self.session.flush()
        events, self.events = self.events, []
        ids = insert_created(
            self.session,
            Event,
            [
                {
                    **rows.row,
                    "article_id": article.id,
                    "location_id": rows.location.id if rows.location else None,
                }
                for article, rows in events
            ],
        )
        insert_parts(
            self.session,
            EventParticipant,
            [
                {"event_id": event_id, "entity_id": entity.id, "role": role}
                for event_id, (_article, rows) in zip(ids, events, strict=True)
                for entity, role in rows.taking_part
            ],
        )
        mentions, self.mentions = self.mentions, []
        insert_parts(
            self.session,
            Mention,
            [
                {"article_id": article.id, "entity_id": entity.id, **row}
                for article, entity, row in mentions
            ],
        )

    def discard(self) -> None:
        """Forget the kept rows (their articles were rolled back)."""
        self.mentions, self.events = [], []


Status = Literal["created", "updated", "skipped", "duplicate", "rejected"]


@dataclass
class LineResult:
    """What became of one record: its outcome, or the problem that refused it."""

    where: str
    line: int
    id: str | int | None = None
    data: ArticleCreate | None = None
    prepared: Prepared | None = None
    status: Status = "rejected"
    article: Article | None = None
    problem: AppError | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)  # the fields at fault
    extraction_s: float | None = None
    duplicate_of: int | None = None  # the article with the url, or with the same text

    def refuse(self, error: Exception) -> None:
        """Record why the record was not stored (a database stop is raised again)."""
        failure = line_failure(error)
        existing = failure.extra.get("existing_id")
        self.status = "duplicate" if existing else "rejected"
        self.problem = failure
        self.errors = (failure.errors if isinstance(error, ValidationError) else []) or [
            {"field": "line", "in": "body", "message": failure.detail}
        ]
        self.duplicate_of = existing

    def settle(self, outcome: IngestOutcome) -> None:
        """Record what storing the record did."""
        self.status, self.article = outcome.status, outcome.article
        self.extraction_s = outcome.extraction_s
        self.duplicate_of = outcome.article.duplicate_of_id


def to_input(record: Record, source: str | None) -> ArticleCreate:
    """The article a record holds (a JSON object, or a page's text or HTML)."""
    if record.data is not None:
        data = dict(record.data)
        if source and not data.get("source"):
            data["source"] = source
        return ArticleCreate.model_validate(data)
    if record.format is Format.html:
        return ArticleCreate(html=record.content, source=source)
    return ArticleCreate(text=record.content, source=source)


def _read(where: str, record: Record, source: str | None) -> LineResult:
    echoed = record.data.get("id") if record.data else None
    result = LineResult(where, record.line, echoed if isinstance(echoed, str | int) else None)
    try:
        if record.error:
            raise BadRequest(record.error)
        result.data = to_input(record, source)
    except Exception as error:
        result.refuse(error)
    return result


@dataclass(frozen=True)
class IngestOptions:
    """How a bulk load stores: known urls, the source for records naming none, the
    extractor's settings, and the lines per chunk."""

    on_duplicate: OnDuplicate = OnDuplicate.error
    source: str | None = None  # for records that name none
    budget_s: float | None = None
    spacy_model: str | None = None
    batch: int = 200


def _prepare(lines: list[LineResult], known: set[str], options: IngestOptions) -> None:
    for item in lines:
        if item.data is None or (item.data.url and item.data.url in known):
            continue  # refused already, or to be skipped or refused without extraction
        try:
            item.prepared = prepare_article(
                item.data, budget_s=options.budget_s, spacy_model=options.spacy_model
            )
        except Exception as error:
            item.refuse(error)


def _known_urls(session: Session, lines: list[LineResult], options: IngestOptions) -> set[str]:
    urls = [item.data.url for item in lines if item.data is not None and item.data.url]
    if not urls or options.on_duplicate is OnDuplicate.update:
        return set()
    return set(session.scalars(select(Article.url).where(Article.url.in_(urls))))


def _store(session: Session, lines: list[LineResult], options: IngestOptions) -> None:
    """Store a chunk with one flush (the fast way); should anything in it fail, store it again
    one article at a time, each whole or absent, so that one bad article costs only itself."""
    waiting = [item for item in lines if item.data is not None and item.problem is None]
    batch = ArticleBatch(
        session,
        urls=[item.data.url for item in waiting if item.data and item.data.url],
        digests=[item.prepared.digest for item in waiting if item.prepared],
    )
    try:
        with session.begin_nested():
            outcomes = [
                batch.add(item.data, item.prepared, on_duplicate=options.on_duplicate)
                for item in waiting
                if item.data is not None
            ]
            batch.flush()
    except Exception:  # whatever it was, the one-by-one pass finds whose it is
        batch.discard()
        for item in waiting:
            _store_one(session, item, options)
        return
    for item, outcome in zip(waiting, outcomes, strict=True):
        item.settle(outcome)


def _store_one(session: Session, item: LineResult, options: IngestOptions) -> None:
    assert item.data is not None
    try:
        with session.begin_nested():
            outcome = create_article(
                session, data=item.data, on_duplicate=options.on_duplicate, prepared=item.prepared
            )
    except Exception as error:
        item.refuse(error)
    else:
        item.settle(outcome)


def _chunk(
    target: Session | sessionmaker[Session],
    chunk: list[tuple[str, Record]],
    options: IngestOptions,
) -> list[LineResult]:
    lines = [_read(where, record, options.source) for where, record in chunk]
    reading: AbstractContextManager[Session] = (
        nullcontext(target) if isinstance(target, Session) else target()
    )
    with reading as session:
        known = _known_urls(session, lines, options)
    outside = not_counted(target) if isinstance(target, Session) else nullcontext()
    with outside:
        _prepare(lines, known, options)
    writing = nullcontext(target) if isinstance(target, Session) else session_scope(target)
    with writing as session:
        _store(session, lines, options)
    return lines


def ingest_records(
    target: Session | sessionmaker[Session],
    records: Iterable[tuple[str, Record]],
    options: IngestOptions,
) -> Iterator[LineResult]:
    """Store every record (named by where it came from), a chunk at a time, yielding what
    became of each. Given a factory, each chunk is its own transaction (session_scope), opened
    only once its records are extracted. Given a session (a request's), its transaction holds
    them all; extraction does not count against its time limit, and each chunk has the
    limit's time for its own database work (a chunk past it still stops the whole request)."""
    stream = iter(records)
    while chunk := list(itertools.islice(stream, options.batch)):
        if isinstance(target, Session):
            with not_counted(target):
                lines = _chunk(target, chunk, options)
        else:
            lines = _chunk(target, chunk, options)
        yield from lines
