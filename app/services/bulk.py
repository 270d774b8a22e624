"""Bulk ingest, the one way for the CLI and POST /v1/articles/bulk: records are read and
extracted outside the write, then stored a chunk at a time with one flush, and one at a time
(each whole or absent) should the chunk fail, so that a bad record costs only itself."""

import itertools
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from app import countries
from app.db.changefeed import insert_created, insert_parts
from app.db.limits import not_counted
from app.db.session import session_cache, session_scope
from app.errors import AppError, BadRequest, line_failure
from app.extraction.base import Extraction, FoundEntity
from app.extraction.lexicon import lexicon
from app.ingest.formats import Format, Record
from app.kit.text import fold, sentence_index, sentence_spans
from app.models import Article, Entity, EntityAlias, Event, EventParticipant, Mention
from app.schemas.article import ArticleCreate
from app.services.entity import entity_key, get_or_create_entity
from app.services.extraction import extraction_marks
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
from app.taxonomy import DatePrecision, EntityKind, cameo_code

_EVENT_SLICE = 50
_IN_SLICE = 500  # keys per IN (...): well inside any database's limit on parameters


def _canonical(found: FoundEntity) -> tuple[str, str]:
    """The name and key get_or_create_entity stores this entity under."""
    name = found.name
    if found.kind == EntityKind.country and found.code:
        state = countries.get(found.code)
        if state:
            name = state.name
    return name, entity_key(found.kind, name, found.code)


def _prefill(session: Session, founds: list[FoundEntity]) -> None:
    """Put these entities in the session's cache of entities (get_or_create_entity's first
    look): the stored ones found by key or alias in a few queries, their aliases loaded, the
    others created (flushed with the chunk). A key that is an alias of another entity of the
    chunk is left to get_or_create_entity, which sees that alias once it is added."""
    known = session_cache(session, "entities")
    wanted: dict[tuple[str, str], FoundEntity] = {}
    aliased: set[tuple[str, str]] = set()
    for found in founds:
        name, key = _canonical(found)
        if (found.kind, key) not in known:
            wanted.setdefault((found.kind, key), found)
        aliased.update((found.kind, fold(alias)) for alias in found.aliases if alias != name)
    by_kind: dict[str, list[str]] = {}
    for kind, key in wanted:
        by_kind.setdefault(kind, []).append(key)
    for kind, keys in by_kind.items():
        for at in range(0, len(keys), _IN_SLICE):
            for entity in session.scalars(
                select(Entity)
                .where(Entity.kind == kind, Entity.key.in_(keys[at : at + _IN_SLICE]))
                .options(selectinload(Entity.aliases))
            ):
                known[(kind, entity.key)] = entity
        missing = [key for key in keys if (kind, key) not in known]
        for at in range(0, len(missing) if kind != EntityKind.country else 0, _IN_SLICE):
            rows = session.execute(
                select(EntityAlias.key, Entity)
                .join(Entity, Entity.id == EntityAlias.entity_id)
                .where(Entity.kind == kind, EntityAlias.key.in_(missing[at : at + _IN_SLICE]))
                .order_by(EntityAlias.id)
                .options(selectinload(Entity.aliases))
            )
            for alias_key, entity in rows:
                known.setdefault((kind, alias_key), entity)
        for key in missing:
            if (kind, key) in known or (kind, key) in aliased:
                continue
            name, _key = _canonical(wanted[(kind, key)])
            found_code = wanted[(kind, key)].code
            entity = Entity(kind=kind, name=name.strip()[:300], key=key, code=found_code)
            entity.aliases = []  # new: nothing to load
            session.add(entity)
            known[(kind, key)] = entity


def _found_key(found: FoundEntity) -> tuple[str, str, str | None]:
    return (found.kind, found.name, found.code)


def _entity(session: Session, found: FoundEntity) -> Entity:
    return get_or_create_entity(
        session,
        kind=found.kind,
        name=found.name,
        code=found.code,
        country=found.country,
        title=found.title,
        aliases=[a for a in found.aliases if a != found.name],
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
        self.extracted: list[tuple[Article, Extraction]] = []
        self.entities: dict[tuple[str, str, str | None], Entity] = {}

    def resolve(self, results: list[Extraction]) -> None:
        """Find or create every entity these extractions name, before any article is added.
        One at a time (get_or_create_entity) this was most of the cost of storing a chunk:
        two lookups each, and a savepoint for each new one, which flushes the session. So the
        chunk's entities are looked up together and the new ones created together first
        (`_prefill`); get_or_create_entity then finds them in the session's cache and only
        adds aliases, titles and countries, as it always has."""
        named = [found for result in results for found in result.entities]
        states = [
            FoundEntity(kind=EntityKind.country.value, name=code, code=code)
            for result in results
            for event in result.events
            for code in event.countries
        ]
        _prefill(self.session, [*named, *states])
        asked: set[tuple[object, ...]] = set()
        for result in results:
            for found in result.entities:
                # every one, as apply_extraction does (each may add aliases or a title), but
                # once for the same question: a second call with the same values changes nothing
                question = (*_found_key(found), found.country, found.title, tuple(found.aliases))
                if question not in asked:
                    asked.add(question)
                    self.entities[_found_key(found)] = _entity(self.session, found)
            for event in result.events:
                for code in event.countries:
                    key = (EntityKind.country.value, code, code)
                    if key not in self.entities and not any(
                        f.code == code for f in result.entities
                    ):
                        self.entities[key] = get_or_create_entity(
                            self.session, kind=EntityKind.country, name=code, code=code
                        )

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
            # kept as rows, like hand-coded data: a mapped object per mention cost more than
            # the extraction itself
            article.extraction_note, article.extractor_version = extraction_marks(
                prepared.extraction
            )
            self.extracted.append((article, prepared.extraction))
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
        extracted, self.extracted = self.extracted, []
        for article, result in extracted:
            mentions, events = self._extracted_rows(article, result)
            self.mentions += mentions
            self.events += events
        events, self.events = self.events, []
        # one statement takes rows with the same columns: hand-coded rows have no date_text
        columns = dict.fromkeys(name for _article, rows in events for name in rows.row)
        event_rows = [
            {
                **(columns if len(rows.row) < len(columns) else {}),
                **rows.row,
                "article_id": article.id,
                "location_id": rows.location.id if rows.location else None,
            }
            for article, rows in events
        ]
        # In slices: SQLite returns the ids in order one row at a time, and each row's result
        # is spliced onto the statement's result so far, so one statement costs the square of
        # its rows (a 200-article chunk has some 1,500 events).
        ids = [
            event_id
            for at in range(0, len(event_rows), _EVENT_SLICE)
            for event_id in insert_created(self.session, Event, event_rows[at : at + _EVENT_SLICE])
        ]
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
        self.mentions, self.events, self.extracted = [], [], []
        self.entities = {}

    def _extracted_rows(
        self, article: Article, result: Extraction
    ) -> tuple[
        list[tuple[Article, Entity, dict[str, Any]]], list[tuple[Article, CuratedEventRows]]
    ]:
        """The rows `apply_extraction` would store for an extraction, as rows (same values)."""
        entities = self.entities
        spans = sentence_spans(article.body)
        mentions: list[tuple[Article, Entity, dict[str, Any]]] = []
        by_name: dict[tuple[str, str], Entity] = {}
        by_code: dict[str, Entity] = {}
        for found in result.entities:
            entity = entities[(found.kind, found.name, found.code)]
            by_name[(found.kind, found.name)] = entity
            if found.code:
                by_code[found.code] = entity
            mentions += [
                (
                    article,
                    entity,
                    {
                        "start": span.start,
                        "end": span.end,
                        "surface": span.text[:300],
                        "sentence_index": sentence_index(spans, span.start),
                    },
                )
                for span in found.mentions
            ]
        events: list[tuple[Article, CuratedEventRows]] = []
        for found_event in result.events:
            date = found_event.date
            row: dict[str, Any] = {
                "type": found_event.type,
                "cameo_code": cameo_code(found_event.type),
                "date_start": date.value if date else None,
                "date_end": (
                    found_event.date_end.value
                    if found_event.date_end
                    and (date is None or date.precision is DatePrecision.day)
                    else None
                ),
                "date_precision": date.precision.value if date else None,
                "date_text": (found_event.date_text or None) and found_event.date_text[:300],
                "evidence": found_event.evidence.text,
                "evidence_start": found_event.evidence.start,
                "evidence_end": found_event.evidence.end,
                "status": found_event.status,
                "name": found_event.name[:300] if found_event.name else None,
                "confidence": found_event.confidence,
            }
            location = (
                by_name.get(("location", found_event.location)) if found_event.location else None
            )
            taking_part: list[tuple[Entity, str]] = []
            for code in found_event.countries:
                entity = by_code.get(code) or entities[(EntityKind.country.value, code, code)]
                taking_part.append((entity, found_event.roles.get(code, "participant")))
            for person in found_event.persons:
                known = by_name.get(("person", person))
                if known is not None and not any(e is known for e, _role in taking_part):
                    taking_part.append((known, "participant"))
            events.append((article, CuratedEventRows(row, location, taking_part)))
        return mentions, events


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
    order, one writer."""
    stream = iter(records)
    if pool is not None:
        yield from _pipelined(target, stream, options, pool)
        return
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
    todo = [
        item
        for item in lines
        if item.data is not None and not (item.data.url and item.data.url in known)
    ]
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


def prepare_many(
    articles: list[ArticleCreate | None], *, budget_s: float | None, spacy_model: str | None
) -> list[Prepared | Exception]:
    """Run in a worker: each article prepared, or why it could not be (an error that can
    travel back to the writer, so that it becomes that line's result)."""
    done: list[Prepared | Exception] = []
    for data in articles:
        assert data is not None
        try:
            done.append(prepare_article(data, budget_s=budget_s, spacy_model=spacy_model))
        except Exception as error:
            done.append(_portable(error))
    return done


def _portable(error: Exception) -> Exception:
    """The error itself when it survives pickling (refuse then reads it as it would here),
    else the problem it amounts to (unforeseen ones are logged here, with their traceback)."""
    if isinstance(error, ValidationError):
        try:
            return pickle.loads(pickle.dumps(error))  # type: ignore[no-any-return]
        except Exception:
            pass
    failure = line_failure(error)
    try:
        pickle.loads(pickle.dumps(failure))
    except Exception:
        return AppError(failure.detail)
    return failure


def _start_worker(writer: int) -> None:
    # Ctrl-C is the writer's to handle (it rolls back its chunk and stops the pool); workers
    # that took it too would die mid-task and break the pool instead.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A writer killed outright (kill -9) cannot stop its pool: each worker leaves by itself
    # once its parent is gone, instead of waiting for work forever.
    threading.Thread(target=_leave_with, args=(writer,), daemon=True).start()
    lexicon()  # loaded once per worker, before its first article (a no-op when forked)


def _leave_with(writer: int) -> None:
    while os.getppid() == writer:
        time.sleep(1.0)
    os._exit(1)


def default_workers() -> int:
    """The processes that extract by default: one per CPU this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def extraction_pool(workers: int) -> Iterator[Executor | None]:
    """Worker processes for `ingest_records` (None for 0 or 1: extract in this process).

    On Linux they are forked now, before this process starts any thread (a progress bar's),
    and share the loaded lexicon; elsewhere they are spawned and load it themselves."""
    if workers <= 1:
        yield None
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    if method == "fork":
        lexicon()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )
    try:
        pool.submit(int).result()  # starts every worker (forked at once, before any thread)
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class SharedPool:
    """Worker processes a server's bulk requests share, started on first use (a request of
    one chunk never needs them) and stopped with the app.

    Spawned, not forked: the server runs threads (the event loop's pool), and a fork copies
    whatever locks they hold. A spawned worker's parent is this process, so it still leaves
    by itself should this process be killed outright. Thread-safe: requests ask for it from
    the threadpool."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False

    def get(self) -> Executor | None:
        """The pool (None with fewer than two workers, or once shut down)."""
        if self.workers <= 1:
            return None
        with self._lock:
            if self._pool is None and not self._closed:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(os.getpid(),),
                )
            return self._pool

    @property
    def started(self) -> bool:
        return self._pool is not None

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool, self._closed = self._pool, None, True
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
