"""Running the extractor on stored articles and keeping what it finds."""

import time
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.extraction import PIPELINE_VERSION, extract
from app.extraction.base import Document, Extraction, FoundEntity
from app.kit.text import sentence_index, sentence_spans
from app.models import Article, Entity, Event, EventParticipant, Mention
from app.services.entity import get_or_create_entity
from app.services.happening import happenings_of_articles, relink
from app.taxonomy import DatePrecision, EntityKind, cameo_code

CURATED = "curated"


@dataclass(frozen=True)
class ExtractionOutcome:
    entities: int
    events: int
    skipped: str | None
    seconds: float = 0.0


def make_document(
    *,
    body: str,
    published_at: datetime | None,
    precision: str | None,
    language: str | None,
    title: str | None,
) -> Document:
    """What the extractor reads: the publication day anchors relative dates, when it is known;
    a publication month alone still places "28 September" and undated news in its year."""
    known = published_at is not None and precision in ("day", "time", "month")
    day = published_at.date() if published_at is not None and known else None
    return Document(
        text=body,
        published=day,
        language=language,
        title=title,
        published_month_only=day is not None and precision == "month",
    )


def document_of(article: Article) -> Document:
    return make_document(
        body=article.body,
        published_at=article.published_at,
        precision=article.published_precision,
        language=article.language,
        title=article.title,
    )


def timed_extract(
    document: Document, *, budget_s: float | None, spacy_model: str | None = None
) -> tuple[Extraction, float]:
    """The extractor's findings and the seconds they took."""
    started = time.perf_counter()
    result = extract(document, budget_s=budget_s, spacy_model=spacy_model)
    return result, time.perf_counter() - started


def extraction_marks(result: Extraction) -> tuple[str | None, str | None]:
    """An article's extraction note and extractor version after this extraction (no version
    when the time budget stopped it, so that `reextract --stale` tries it again)."""
    version = None if result.skipped and "budget" in result.skipped else result.version
    return result.skipped, version


def apply_extraction(
    session: Session, *, article: Article, result: Extraction
) -> ExtractionOutcome:
    """Replace an article's mentions and events with what the extractor found."""
    article.mentions.clear()
    for old in article.events:  # deleted by name, so the change feed sees tombstones
        session.delete(old)
    article.events.clear()
    session.flush()
    article.extraction_note, article.extractor_version = extraction_marks(result)
    spans = sentence_spans(article.body)
    stored: dict[int, Entity] = {}
    for found in result.entities:
        entity = entity_for(session, found)
        stored[id(found)] = entity
        for span in found.mentions:
            article.mentions.append(
                Mention(
                    entity=entity,
                    start=span.start,
                    end=span.end,
                    surface=span.text[:300],
                    sentence_index=sentence_index(spans, span.start),
                )
            )
    by_name = {(f.kind, f.name): stored[id(f)] for f in result.entities}
    by_code = {f.code: stored[id(f)] for f in result.entities if f.code}
    for found_event in result.events:
        event = Event(
            type=found_event.type,
            cameo_code=cameo_code(found_event.type),
            date_start=found_event.date.value if found_event.date else None,
            date_end=found_event.date_end.value if found_event.date_end else None,
            date_precision=found_event.date.precision.value if found_event.date else None,
            date_text=(found_event.date_text or None) and found_event.date_text[:300],
            evidence=found_event.evidence.text,
            evidence_start=found_event.evidence.start,
            evidence_end=found_event.evidence.end,
            status=found_event.status,
            name=found_event.name[:300] if found_event.name else None,
            confidence=found_event.confidence,
        )
        if found_event.date and found_event.date.precision is not DatePrecision.day:
            event.date_end = None
        if found_event.location:
            event.location = by_name.get(("location", found_event.location))
        article.events.append(event)
        taking_part: set[int | None] = set()  # a set: an event may name a person many times
        for code in found_event.countries:
            entity = by_code.get(code) or get_or_create_entity(
                session, kind=EntityKind.country, name=code, code=code
            )
            role = found_event.roles.get(code, "participant")
            event.participants.append(
                EventParticipant(entity=entity, entity_id=entity.id, role=role)
            )
            taking_part.add(entity.id)
        for person in found_event.persons:
            known = by_name.get(("person", person))
            if known is not None and known.id not in taking_part:
                taking_part.add(known.id)
                event.participants.append(
                    EventParticipant(entity=known, entity_id=known.id, role="participant")
                )
    session.flush()
    return ExtractionOutcome(len(result.entities), len(result.events), result.skipped)


def entity_for(session: Session, found: FoundEntity) -> Entity:
    """The stored entity of an extracted one, created if new."""
    return get_or_create_entity(
        session,
        kind=found.kind,
        name=found.name,
        code=found.code,
        country=found.country,
        title=found.title,
        aliases=[a for a in found.aliases if a != found.name],
    )


def extract_article(
    session: Session, *, article: Article, budget_s: float | None, spacy_model: str | None = None
) -> ExtractionOutcome:
    """Run the extractor on a stored article and keep its findings."""
    result, elapsed = timed_extract(
        document_of(article), budget_s=budget_s, spacy_model=spacy_model
    )
    left = happenings_of_articles(session, article_ids=[article.id])
    outcome = apply_extraction(session, article=article, result=result)
    relink(session, article_ids=[article.id], left=left)
    return replace(outcome, seconds=elapsed)


def articles_to_reextract(
    session: Session,
    *,
    everything: bool = False,
    stale: bool = False,
    article_id: int | None = None,
    version: str = PIPELINE_VERSION,
) -> list[int]:
    """Ids of the articles a `reextract` run covers (hand-coded articles only when named)."""
    stmt = select(Article.id).order_by(Article.id)
    if article_id is not None:
        return list(session.scalars(stmt.where(Article.id == article_id)))
    stmt = stmt.where(
        or_(Article.extractor_version.is_(None), Article.extractor_version != CURATED)
    )
    if stale and not everything:
        stmt = stmt.where(
            or_(Article.extractor_version.is_(None), Article.extractor_version != version)
        )
    return list(session.scalars(stmt))


def extraction_json(result: Extraction) -> dict[str, list[dict[str, object]]]:
    """Entities and events as the API's dry run shows them (offsets included)."""
    return {
        "entities": [
            {
                "kind": e.kind,
                "name": e.name,
                "code": e.code,
                "country": e.country,
                "title": e.title,
                "aliases": e.aliases,
                "mentions": [{"start": m.start, "end": m.end, "text": m.text} for m in e.mentions],
            }
            for e in result.entities
        ],
        "events": [
            {
                "type": ev.type,
                "cameo_code": cameo_code(ev.type),
                "date": ev.date.iso() if ev.date else None,
                "date_end": ev.date_end.iso() if ev.date_end else None,
                "date_text": ev.date_text,
                "countries": ev.countries,
                "participants": [
                    {"country": code, "role": ev.roles.get(code, "participant")}
                    for code in ev.countries
                ],
                "persons": ev.persons,
                "location": ev.location,
                "status": ev.status,
                "name": ev.name,
                "confidence": ev.confidence,
                "evidence": {
                    "start": ev.evidence.start,
                    "end": ev.evidence.end,
                    "text": ev.evidence.text,
                },
            }
            for ev in result.events
        ],
    }
