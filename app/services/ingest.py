"""Storing one article: reading and extraction first (no database), then the rows."""

from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import Conflict, ValidationFailed
from app.extraction.base import Extraction
from app.extraction.lexicon import country_spellings
from app.ingest.curated import find_evidence, find_spans
from app.ingest.page import ParsedPage
from app.ingest.reader import read_content
from app.ingest.signature import Signature, signature
from app.kit.dates import PartialDate, parse_moment
from app.kit.text import content_hash, sentence_index, sentence_spans, word_count
from app.kit.urls import url_key
from app.models import Article, Entity, Event, EventParticipant, Mention
from app.schemas.article import ArticleCreate, CuratedEntity, CuratedEvent
from app.services.copies import leave_group, place, store_signature
from app.services.entity import get_or_create_entity
from app.services.event import event_dates
from app.services.extraction import CURATED, apply_extraction, make_document, timed_extract
from app.services.happening import happenings_of_articles, relink
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
    signature: Signature | None = None  # the body's MinHash, to find its near-copies


@dataclass(frozen=True)
class IngestOutcome:
    status: Literal["created", "updated", "skipped"]
    article: Article
    extraction_s: float | None = None  # when the extractor ran


@dataclass(frozen=True)
class CuratedEventRows:
    """A hand-coded event as its row, its place and the entities taking part (with roles)."""

    row: dict[str, Any]
    location: Entity | None
    taking_part: list[tuple[Entity, str]]


def published_moment(value: str | None) -> tuple[datetime | None, str | None]:
    """The moment and precision of a `published_at` the schema has checked (its own offset
    kept: the writer's day anchors relative dates in the text)."""
    return parse_moment(value) if value else (None, None)


def in_utc(moment: datetime | None) -> datetime | None:
    """A moment as stored: in UTC, so answered in UTC from the start, as a later GET answers it."""
    return moment.astimezone(UTC) if moment is not None else None


def partial_moment(partial: PartialDate | None) -> tuple[datetime | None, str | None]:
    """A page's partial date as the first moment of its period, with its precision."""
    if partial is None:
        return None, None
    return datetime.combine(partial.value, time(), tzinfo=UTC), partial.precision.value


def curated_mentions(
    session: Session, body: str, entities: list[CuratedEntity]
) -> list[tuple[Entity, dict[str, Any]]]:
    """Each hand-coded entity with the rows of its mentions, found in the body (one without
    offsets when it is not found)."""
    spans = sentence_spans(body)
    found_rows: list[tuple[Entity, dict[str, Any]]] = []
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
        rows: list[dict[str, Any]] = [
            {
                "start": start,
                "end": end,
                "surface": body[start:end][:300],
                "sentence_index": sentence_index(spans, start),
            }
            for start, end in find_spans(body, names)
        ] or [{"start": None, "end": None, "surface": name[:300], "sentence_index": None}]
        found_rows += [(entity, row) for row in rows]
    return found_rows


def curated_events(
    session: Session, body: str, events: list[CuratedEvent]
) -> list[CuratedEventRows]:
    """The hand-coded events as rows, with the entities taking part."""
    stored: list[CuratedEventRows] = []
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
            row["evidence_start"], row["evidence_end"] = find_evidence(body, item.evidence)
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
        stored.append(CuratedEventRows(row, location, taking_part))
    return stored


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


def prepare_article(
    data: ArticleCreate, *, budget_s: float | None = None, spacy_model: str | None = None
) -> Prepared:
    """Read the page and run the extractor: the pure, CPU-bound half of storing an article."""
    page = read_article(data)
    published, precision = published_moment(data.published_at)
    if published is None:
        published, precision = partial_moment(page.published)
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
        page,
        content_hash(page.body),
        published,
        precision,
        language,
        extraction,
        seconds,
        signature(page.body),
    )


def fill_article(
    session: Session, article: Article, data: ArticleCreate, prepared: Prepared
) -> None:
    """Set an article's text and metadata from its input and page (entities and events aside)."""
    page = prepared.page
    article.title = data.title or page.title
    article.title_is_derived = data.title is None and page.title_is_derived
    article.author = data.author or page.author
    article.agency = data.agency or page.agency
    article.published_at, article.published_precision = (
        in_utc(prepared.published),
        prepared.precision,
    )
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
    if prepared.extraction is None:
        article.extractor_version = CURATED
        article.extraction_note = None


def _apply_content(
    session: Session, article: Article, data: ArticleCreate, prepared: Prepared
) -> None:
    fill_article(session, article, data, prepared)
    if prepared.extraction is not None:
        session.flush()
        apply_extraction(session, article=article, result=prepared.extraction)
        return
    for entity, row in curated_mentions(session, article.body, data.entities or []):
        article.mentions.append(Mention(entity=entity, **row))
    for curated in curated_events(session, article.body, data.events or []):
        event = Event(**curated.row, location=curated.location)
        article.events.append(event)
        for entity, role in curated.taking_part:
            event.participants.append(EventParticipant(entity=entity, role=role))


def settle_known(
    session: Session,
    *,
    existing: Article,
    data: ArticleCreate,
    on_duplicate: OnDuplicate,
    prepared: Prepared | None,
    budget_s: float | None = None,
    spacy_model: str | None = None,
) -> IngestOutcome:
    """What becomes of an article already stored (its url, or for a page without one its
    text): skipped, refused (Conflict) or replaced."""
    if on_duplicate is OnDuplicate.skip:
        return IngestOutcome("skipped", existing)
    if on_duplicate is OnDuplicate.error:
        what, field = ("url", "url") if data.url else ("text and no url", "text")
        raise Conflict(
            f"An article with this {what} already exists (id {existing.id}).",
            headers={"Location": f"/v1/articles/{existing.id}"},
            extra={"existing_id": existing.id},
            field=field,
        )
    prepared = prepared or prepare_article(data, budget_s=budget_s, spacy_model=spacy_model)
    left = happenings_of_articles(session, article_ids=[existing.id])
    leave_group(session, article=existing)  # its text may no longer be a copy's
    existing.mentions.clear()
    for old in existing.events:  # deleted by name, so the change feed sees tombstones
        session.delete(old)
    existing.events.clear()
    session.flush()
    existing.raw = data.text or data.html or existing.raw
    _apply_content(session, existing, data, prepared)
    session.flush()
    store_signature(session, article=existing, signature=prepared.signature)
    place(session, article=existing)
    session.flush()
    relink(session, article_ids=[existing.id], left=left)  # after place: copies link as one
    return IngestOutcome("updated", existing, prepared.extraction_s)


def known_article(session: Session, data: ArticleCreate, digest: str | None) -> Article | None:
    """The stored article this input is: the one with its url (compared normalised), or for a
    page without a url, the earliest one without a url and with the same text."""
    if data.url:
        return session.scalars(select(Article).where(Article.url_key == url_key(data.url))).first()
    if digest is None:
        return None
    return session.scalars(
        select(Article)
        .where(Article.content_hash == digest, Article.url_key.is_(None))
        .order_by(Article.id)
        .limit(1)
    ).first()


def new_article(data: ArticleCreate, prepared: Prepared) -> Article:
    """The row of a new article, before its content is filled in."""
    return Article(
        url=data.url,
        url_key=url_key(data.url) if data.url else None,
        raw=data.text or data.html,
        content_hash=prepared.digest,
        signature=prepared.signature.values if prepared.signature else None,
    )


def create_article(
    session: Session,
    *,
    data: ArticleCreate,
    on_duplicate: OnDuplicate = OnDuplicate.error,
    budget_s: float | None = None,
    spacy_model: str | None = None,
    prepared: Prepared | None = None,
) -> IngestOutcome:
    """Parse and store one article with its entities and events, whole or not at all. Pass
    `prepared` (prepare_article) to do the reading and extraction before the transaction."""
    if not data.url:  # known by its text: read it first
        prepared = prepared or prepare_article(data, budget_s=budget_s, spacy_model=spacy_model)
    existing = known_article(session, data, prepared.digest if prepared else None)
    if existing is not None:
        return settle_known(
            session,
            existing=existing,
            data=data,
            on_duplicate=on_duplicate,
            prepared=prepared,
            budget_s=budget_s,
            spacy_model=spacy_model,
        )
    prepared = prepared or prepare_article(data, budget_s=budget_s, spacy_model=spacy_model)
    article = new_article(data, prepared)
    try:
        with session.begin_nested():
            session.add(article)
            _apply_content(session, article, data, prepared)
            session.flush()
            store_signature(session, article=article, signature=prepared.signature)
            place(session, article=article)
            session.flush()
            relink(session, article_ids=[article.id])  # after place: copies link as one
    except IntegrityError as error:
        raise Conflict(
            "An article with this url was stored at the same moment.", field="url"
        ) from error
    return IngestOutcome("created", article, prepared.extraction_s)
