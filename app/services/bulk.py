"""Bulk ingest, the one way for the CLI and POST /v1/articles/bulk: records are read and
extracted outside the write, then stored a chunk at a time with one flush, and one at a time
(each whole or absent) should the chunk fail, so that a bad record costs only itself."""

import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db.limits import not_counted
from app.db.session import session_scope
from app.db.statistics import analyze_grown, settle
from app.errors import AppError, BadRequest, line_failure
from app.ingest.formats import Format, Record
from app.kit.urls import url_key
from app.models import Article
from app.schemas.article import ArticleCreate
from app.services.batch import ArticleBatch
from app.services.ingest import (
    IngestOutcome,
    OnDuplicate,
    Prepared,
    create_article,
    prepare_article,
)
from app.services.workers import prepare_many

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


def _known(item: LineResult, known: set[str]) -> bool:
    """Whether the record's url (normalised) was stored when its chunk began."""
    return bool(item.data and item.data.url and url_key(item.data.url) in known)


def _prepare(lines: list[LineResult], known: set[str], options: IngestOptions) -> None:
    for item in lines:
        if item.data is None or _known(item, known):
            continue  # refused already, or to be skipped or refused without extraction
        try:
            item.prepared = prepare_article(
                item.data, budget_s=options.budget_s, spacy_model=options.spacy_model
            )
        except Exception as error:
            item.refuse(error)


def _known_urls(session: Session, lines: list[LineResult], options: IngestOptions) -> set[str]:
    keys = sorted(
        {url_key(item.data.url) for item in lines if item.data is not None and item.data.url}
    )
    if not keys or options.on_duplicate is OnDuplicate.update:
        return set()
    return set(session.scalars(select(Article.url_key).where(Article.url_key.in_(keys))))


def _store(session: Session, lines: list[LineResult], options: IngestOptions) -> None:
    """Store a chunk with one flush (the fast way); should anything in it fail, store it again
    one article at a time, each whole or absent, so that one bad article costs only itself."""
    waiting = [item for item in lines if item.data is not None and item.problem is None]
    batch = ArticleBatch(
        session,
        urls=[item.data.url for item in waiting if item.data and item.data.url],
        digests=[
            item.prepared.digest
            for item in waiting
            if item.prepared and item.data and not item.data.url
        ],
    )
    try:
        with session.begin_nested():
            batch.resolve(
                [
                    item.prepared.extraction
                    for item in waiting
                    if item.prepared is not None and item.prepared.extraction is not None
                ]
            )
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


def _begin(
    target: Session | sessionmaker[Session], chunk: list[tuple[str, Record]], options: IngestOptions
) -> tuple[list[LineResult], set[str]]:
    """A chunk's records read and checked, and which of their urls are stored already."""
    lines = [_read(where, record, options.source) for where, record in chunk]
    reading: AbstractContextManager[Session] = (
        nullcontext(target) if isinstance(target, Session) else target()
    )
    with reading as session:
        known = _known_urls(session, lines, options)
    return lines, known


def _finish(
    target: Session | sessionmaker[Session], lines: list[LineResult], options: IngestOptions
) -> None:
    writing = nullcontext(target) if isinstance(target, Session) else session_scope(target)
    with writing as session:
        _store(session, lines, options)
    _between_transactions(target, analyze_grown)


def _between_transactions(
    target: Session | sessionmaker[Session], upkeep: Callable[[Session], object]
) -> None:
    """Statistics upkeep in a transaction of its own, for a load of its own transactions (the
    CLI's); nothing for a request's load, whose one transaction holds all of it."""
    if not isinstance(target, Session):
        with session_scope(target) as session:
            upkeep(session)


def _chunk(
    target: Session | sessionmaker[Session],
    chunk: list[tuple[str, Record]],
    options: IngestOptions,
) -> list[LineResult]:
    lines, known = _begin(target, chunk, options)
    outside = not_counted(target) if isinstance(target, Session) else nullcontext()
    with outside:
        _prepare(lines, known, options)
    _finish(target, lines, options)
    return lines


def ingest_records(
    target: Session | sessionmaker[Session],
    records: Iterable[tuple[str, Record]],
    options: IngestOptions,
    pool: Executor | None = None,
) -> Iterator[LineResult]:
    """Store every record (named by where it came from), a chunk at a time, yielding what
    became of each. Given a factory, each chunk is its own transaction (session_scope), opened
    only once its records are extracted. Given a session (a request's), its transaction holds
    them all; extraction does not count against its time limit, and each chunk has the
    limit's time for its own database work (a chunk past it still stops the whole request).

    Given a pool (`extraction_pool`), the records are read and extracted in its worker
    processes, chunks ahead of the one being stored here: the same results, in the same
    order, one writer. A load of its own transactions keeps PostgreSQL's planner statistics
    current as it goes and settles its indexes at the end (app.db.statistics)."""
    stream = iter(records)
    if pool is not None:
        yield from _pipelined(target, stream, options, pool)
    else:
        yield from _serial(target, stream, options)
    _between_transactions(target, settle)


def _serial(
    target: Session | sessionmaker[Session],
    stream: Iterator[tuple[str, Record]],
    options: IngestOptions,
) -> Iterator[LineResult]:
    while chunk := list(itertools.islice(stream, options.batch)):
        if isinstance(target, Session):
            with not_counted(target):
                lines = _chunk(target, chunk, options)
        else:
            lines = _chunk(target, chunk, options)
        yield from lines


# Parallel extraction. Workers get articles to prepare in parts of PART (small enough to share
# a chunk among the workers evenly, large enough that passing them costs little), and at most
# AHEAD chunks wait extracted or in extraction besides the one being stored: memory stays flat
# however long the input.
PART = 8
AHEAD = 2


def _pipelined(
    target: Session | sessionmaker[Session],
    stream: Iterator[tuple[str, Record]],
    options: IngestOptions,
    pool: Executor,
) -> Iterator[LineResult]:
    waiting: deque[tuple[list[LineResult], list[tuple[list[LineResult], Future[Any]]]]] = deque()
    try:
        while True:
            chunk = list(itertools.islice(stream, options.batch))
            if chunk:
                with _outside(target):
                    lines, known = _begin(target, chunk, options)
                waiting.append((lines, _submit(pool, lines, known, options)))
                if len(waiting) <= AHEAD:
                    continue
            if not waiting:
                return
            lines, parts = waiting.popleft()
            with _outside(target):
                _collect(parts)
            with _outside(target):
                _finish(target, lines, options)
            yield from lines
    finally:  # stopped early (an interruption, a database stop): drop what waits
        for _lines, parts in waiting:
            for _items, future in parts:
                future.cancel()


def _outside(target: Session | sessionmaker[Session]) -> AbstractContextManager[None]:
    return not_counted(target) if isinstance(target, Session) else nullcontext()


def _submit(
    pool: Executor, lines: list[LineResult], known: set[str], options: IngestOptions
) -> list[tuple[list[LineResult], Future[Any]]]:
    todo = [item for item in lines if item.data is not None and not _known(item, known)]
    return [
        (
            part,
            pool.submit(
                prepare_many,
                [item.data for item in part],
                budget_s=options.budget_s,
                spacy_model=options.spacy_model,
            ),
        )
        for part in (todo[at : at + PART] for at in range(0, len(todo), PART))
    ]


def _collect(parts: list[tuple[list[LineResult], Future[Any]]]) -> None:
    for items, future in parts:
        for item, outcome in zip(items, future.result(), strict=True):
            if isinstance(outcome, Prepared):
                item.prepared = outcome
            else:
                item.refuse(outcome)
