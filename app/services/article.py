import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import StrEnum
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.changefeed import record_created
from app.db.session import session_cache
from app.errors import Conflict, NotFound, ValidationFailed
from app.extraction.base import Extraction
from app.extraction.lexicon import country_spellings
from app.extraction.spans import overlaps
from app.ingest.page import ParsedPage
from app.ingest.reader import read_content
from app.kit.dates import PartialDate, parse_moment
from app.kit.pagination import Keyset, paginate, parse_utc_datetime, scalars
from app.kit.text import content_hash, sentence_index, sentence_spans, word_count
from app.models import Article, Entity, Event, EventParticipant, Mention
from app.schemas.article import ArticleCreate, ArticleUpdate, CuratedEntity, CuratedEvent
from app.schemas.filters import ArticleFilters
from app.services.article_filters import filtered_articles
from app.services.entity import get_or_create_entity
from app.services.event import event_dates
from app.services.extraction import CURATED, apply_extraction, make_document, timed_extract
from app.services.source import get_or_create_source
from app.taxonomy import EntityKind, cameo_code


class OnDuplicate(StrEnum):
    error = "error"
    skip = "skip"
    update = "update"


@dataclass(frozen=True)
class Prepared:
    """An article read and extracted, before any database work (no lock is held meanwhile)."""

    page: ParsedPage
    digest: str
    published: datetime | None
    precision: str | None
    language: str | None
    extraction: Extraction | None  # None for hand-coded data
    extraction_s: float | None


@dataclass(frozen=True)
class IngestOutcome:
    status: Literal["created", "updated", "skipped"]
    article: Article
    extraction_s: float | None = None  # when the extractor ran


def get_article(session: Session, *, article_id: int) -> Article:
    """The article with that id, or NotFound."""
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(f"No article with id {article_id}.", field="article_id", location="path")
    return article


def _published(value: str | None) -> tuple[datetime | None, str | None]:
    """The moment and precision of a `published_at` the schema has checked (its own offset
    kept: the writer's day anchors relative dates in the text)."""
    return parse_moment(value) if value else (None, None)


def _in_utc(moment: datetime | None) -> datetime | None:
    # stored in UTC, so answered in UTC from the start, as a later GET answers it
    return moment.astimezone(UTC) if moment is not None else None


def _from_partial(partial: PartialDate | None) -> tuple[datetime | None, str | None]:
    if partial is None:
        return None, None
    return datetime.combine(partial.value, time(), tzinfo=UTC), partial.precision.value


@lru_cache(maxsize=20_000)
def _name_pattern(name: str) -> re.Pattern[str]:
    # "US", "UK": acronyms match as written, or "us" in "told us" would be the United States
    flags = 0 if name.isupper() and len(name) <= 4 else re.I
    return re.compile(r"(?<!\w)" + re.escape(name.strip()) + r"(?!\w)", flags)


def _find_spans(body: str, names: list[str]) -> list[tuple[int, int]]:
    """Where the names occur, longest first, none overlapping another."""
    spans: list[tuple[int, int]] = []  # in order; one name's matches never overlap each other
    for name in sorted({n for n in names if n and n.strip()}, key=len, reverse=True):
        found = [
            (match.start(), match.end())
            for match in _name_pattern(name).finditer(body)
            if not overlaps(spans, match.start(), match.end())
        ]
        if found:
            spans = sorted(spans + found)
    return spans


def _find_evidence(body: str, evidence: str) -> tuple[int | None, int | None]:
    for fragment in (evidence, *re.split(r"\s*(?:\.\.\.|…)\s*", evidence)):
        fragment = fragment.strip().strip("[]")
        if len(fragment) >= 12:
            start = body.find(fragment)
            if start >= 0:
                return start, start + len(fragment)
    return None, None


_PENDING_MENTIONS = "defcoop_pending_mentions"
_PENDING_EVENTS = "defcoop_pending_events"


def _store_entities(
    session: Session,
    article: Article,
    entities: list[CuratedEntity],
    spans: list[tuple[int, int]],
    deferred: list[dict[str, Any]] | None = None,
) -> None:
    """The article's mentions of each entity, found in its body. With `deferred`, as rows for
    one insert after the batch's flush (a mapped object each costs more than the row)."""
    for item in entities:
        name = item.name or item.code or ""
        entity = get_or_create_entity(
            session,
            kind=item.kind,
            name=name,
            code=item.code if item.kind is EntityKind.country else None,
            country=item.country,
            title=item.title,
            aliases=item.aliases,
        )
        names = [name, *item.aliases]
        if item.kind is EntityKind.country and item.code:
            names += country_spellings().get(item.code, ())  # "Azerbaijani" mentions Azerbaijan
        found = _find_spans(article.body, names)
        rows: list[dict[str, Any]] = [
            {
                "start": start,
                "end": end,
                "surface": article.body[start:end][:300],
                "sentence_index": sentence_index(spans, start),
            }
            for start, end in found
        ] or [{"start": None, "end": None, "surface": name[:300], "sentence_index": None}]
        for row in rows:
            if deferred is None:
                article.mentions.append(Mention(entity=entity, **row))
            else:
                deferred.append({"article": article, "entity": entity, **row})


def look_up_batch(session: Session, urls: list[str], digests: list[str]) -> None:
    """Look up a batch's urls and texts at once, so `create_article` need not, one by one,
    for those the database does not have (until the session's next rollback)."""
    absent = session_cache(session, "absent")
    known_urls = set(session.scalars(select(Article.url).where(Article.url.in_(urls))))
    known_texts = set(
        session.scalars(select(Article.content_hash).where(Article.content_hash.in_(digests)))
    )
    absent.update({("url", u): True for u in urls if u not in known_urls})
    absent.update({("text", d): True for d in digests if d not in known_texts})


def flush_deferred(session: Session) -> None:
    """Flush the session, then insert the mentions and events that
    `create_article(defer_flush=True)` kept as rows (and their entries in the change feed)."""
    session.flush()
    events = session.info.pop(_PENDING_EVENTS, [])
    if events:
        ids = session.scalars(
            insert(Event).returning(Event.id, sort_by_parameter_order=True),
            [
                {
                    **e["row"],
                    "article_id": e["article"].id,
                    "location_id": e["location"].id if e["location"] else None,
                }
                for e in events
            ],
        ).all()
        participants = [
            {"event_id": event_id, "entity_id": entity.id, "role": role}
            for event_id, e in zip(ids, events, strict=True)
            for entity, role in e["with"]
        ]
        if participants:
            session.execute(insert(EventParticipant), participants)
        record_created(session, "event", list(ids))
    rows = session.info.pop(_PENDING_MENTIONS, [])
    if rows:
        session.execute(
            insert(Mention),
            [
                {
                    "article_id": r.pop("article").id,
                    "entity_id": r.pop("entity").id,
                    **r,
                }
                for r in rows
            ],
        )


def discard_deferred(session: Session) -> None:
    """Forget the kept rows (their articles were rolled back)."""
    session.info.pop(_PENDING_MENTIONS, None)
    session.info.pop(_PENDING_EVENTS, None)


def _store_events(
    session: Session,
    article: Article,
    events: list[CuratedEvent],
    deferred: list[dict[str, Any]] | None = None,
) -> None:
    """The article's hand-coded events with the entities taking part. With `deferred`, as rows
    for the batch's inserts after its flush."""
    for item in events:
        row: dict[str, Any] = {
            "type": item.type.value,
            "cameo_code": cameo_code(item.type.value),
            "status": item.status.value,
            "name": item.name,
            "confidence": item.confidence,
            "evidence": item.evidence or None,
            "evidence_start": None,
            "evidence_end": None,
            **event_dates(item.date, item.date_end),
        }
        if item.evidence:
            row["evidence_start"], row["evidence_end"] = _find_evidence(article.body, item.evidence)
        location = (
            get_or_create_entity(session, kind="location", name=item.location)
            if item.location
            else None
        )
        taking_part: list[tuple[Entity, str]] = []
        for entity, role in [
            *(
                (
                    get_or_create_entity(session, kind="country", name=c, code=c),
                    item.roles[c].value if c in item.roles else "participant",
                )
                for c in item.countries
            ),
            *(
                (get_or_create_entity(session, kind="person", name=p), "participant")
                for p in item.persons
            ),
        ]:
            # by identity: new ones have no id yet
            if not any(e is entity for e, _role in taking_part):
                taking_part.append((entity, role))
        if deferred is not None:
            deferred.append(
                {"article": article, "row": row, "location": location, "with": taking_part}
            )
            continue
        event = Event(**row, location=location)
        article.events.append(event)
        for entity, role in taking_part:
            event.participants.append(EventParticipant(entity=entity, role=role))


def prepare_article(
    data: ArticleCreate, *, budget_s: float | None = None, spacy_model: str | None = None
) -> Prepared:
    """Read the page and run the extractor: the pure, CPU-bound half of storing an article."""
    page = read_article(data)
    published, precision = _published(data.published_at)
    if published is None:
        published, precision = _from_partial(page.published)
    language = page.language  # the declared one (as its primary subtag), else detected
    extraction, seconds = None, None
    if data.entities is None and data.events is None:
        document = make_document(
            body=page.body,
            published_at=published,
            precision=precision,
            language=language,
            title=data.title or page.title,
        )
        extraction, seconds = timed_extract(document, budget_s=budget_s, spacy_model=spacy_model)
    return Prepared(
        page, content_hash(page.body), published, precision, language, extraction, seconds
    )


def _apply_content(
    session: Session,
    article: Article,
    data: ArticleCreate,
    prepared: Prepared,
    deferred: list[dict[str, Any]] | None = None,
) -> None:
    page = prepared.page
    published, precision = prepared.published, prepared.precision
    article.title = data.title or page.title
    article.title_is_derived = data.title is None and page.title_is_derived
    article.author = data.author or page.author
    article.agency = data.agency or page.agency
    article.published_at, article.published_precision = _in_utc(published), precision
    article.language = prepared.language
    article.body = page.body
    article.content_hash = prepared.digest
    article.word_count = word_count(page.body)
    source_name = data.source or page.source_name
    article.source = (
        get_or_create_source(
            session, name=source_name, domain=page.source_domain, from_page=not data.source
        )
        if source_name
        else None
    )
    if prepared.extraction is not None:
        session.flush()
        apply_extraction(session, article=article, result=prepared.extraction)
        return
    article.extractor_version = CURATED
    article.extraction_note = None
    spans = sentence_spans(page.body)
    _store_entities(session, article, data.entities or [], spans, deferred)
    _store_events(
        session,
        article,
        data.events or [],
        None if deferred is None else session.info.setdefault(_PENDING_EVENTS, []),
    )


def read_article(data: ArticleCreate) -> ParsedPage:
    """The page behind an article's input, or ValidationFailed when no article text is left."""
    page = read_content(
        text=data.text,
        body=data.body,
        html=data.html,
        url=data.url,
        language=data.language or data.lang,
    )
    if not page.body.strip():
        raise ValidationFailed(
            "The page holds no article text once its boilerplate is removed.",
            errors=[{"field": "text", "in": "body", "message": "no article text"}],
        )
    return page


def create_article(
    session: Session,
    *,
    data: ArticleCreate,
    on_duplicate: OnDuplicate = OnDuplicate.error,
    budget_s: float | None = None,
    spacy_model: str | None = None,
    prepared: Prepared | None = None,
    defer_flush: bool = False,
) -> IngestOutcome:
    """Parse and store one article with its entities and events, whole or not at all. Pass
    `prepared` (prepare_article) to do the reading and extraction before the transaction.

    With `defer_flush`, a new article is only added to the session: a bulk load flushes many
    at once (far less work per article), and stores them one by one if that flush fails."""
    pending_urls = session_cache(session, "pending_urls")
    absent = session_cache(session, "absent")  # what look_up_batch found unknown
    if defer_flush and data.url in pending_urls:
        session.flush()  # the same url twice in one batch: let the check below see the first
        absent.pop(("url", data.url), None)
    existing = (
        session.scalars(select(Article).where(Article.url == data.url)).first()
        if data.url and ("url", data.url) not in absent
        else None
    )
    if existing is not None:
        if on_duplicate is OnDuplicate.skip:
            return IngestOutcome("skipped", existing)
        if on_duplicate is OnDuplicate.error:
            raise Conflict(
                f"An article with this url already exists (id {existing.id}).",
                headers={"Location": f"/v1/articles/{existing.id}"},
                extra={"existing_id": existing.id},
                field="url",
            )
        prepared = prepared or prepare_article(data, budget_s=budget_s, spacy_model=spacy_model)
        existing.mentions.clear()
        for old in existing.events:  # deleted by name, so the change feed sees tombstones
            session.delete(old)
        existing.events.clear()
        session.flush()
        existing.raw = data.text or data.html or existing.raw
        _apply_content(session, existing, data, prepared)
        session.flush()
        return IngestOutcome("updated", existing, prepared.extraction_s)

    prepared = prepared or prepare_article(data, budget_s=budget_s, spacy_model=spacy_model)
    digest = prepared.digest
    article = Article(url=data.url, raw=data.text or data.html, content_hash=digest)
    pending_texts = session_cache(session, "pending_texts")
    if defer_flush and digest in pending_texts:
        session.flush()
    twin = (
        session.scalars(
            select(Article).where(Article.content_hash == digest).order_by(Article.id).limit(1)
        ).first()
        if ("text", digest) not in absent or digest in pending_texts
        else None
    )
    if twin is not None:
        article.duplicate_of_id = twin.duplicate_of_id or twin.id
    if defer_flush:
        session.add(article)
        _apply_content(
            session, article, data, prepared, session.info.setdefault(_PENDING_MENTIONS, [])
        )
        pending_texts[digest] = True
        if data.url:
            pending_urls[data.url] = True
        return IngestOutcome("created", article, prepared.extraction_s)
    try:
        with session.begin_nested():
            session.add(article)
            _apply_content(session, article, data, prepared)
            session.flush()
    except IntegrityError as error:
        raise Conflict(
            "An article with this url was stored at the same moment.", field="url"
        ) from error
    return IngestOutcome("created", article, prepared.extraction_s)


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
        published, precision = _published(changes["published_at"])
        article.published_at, article.published_precision = _in_utc(published), precision
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


def list_articles(
    session: Session, *, filters: ArticleFilters, sort: str, limit: int, cursor: str | None
) -> tuple[list[Article], str | None]:
    """Articles matching every filter, by publication date, keyset-paginated."""
    keyset = Keyset.by(sort, Article.published_at, Article.id, parse_utc_datetime)
    stmt = filtered_articles(filters)
    return paginate(stmt, keyset=keyset, limit=limit, cursor=cursor, run=scalars(session))


def article_events(session: Session, *, article_id: int) -> list[Event]:
    return list(
        session.scalars(select(Event).where(Event.article_id == article_id).order_by(Event.id))
    )


def article_mentions(session: Session, *, article_id: int) -> list[Mention]:
    return list(
        session.scalars(
            select(Mention)
            .where(Mention.article_id == article_id)
            .order_by(Mention.start.is_(None), Mention.start, Mention.id)
        )
    )
