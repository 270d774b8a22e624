"""A chunk of new articles stored together: their rows added to the session and flushed at
once, the entities they name looked up and created in a few queries."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app import countries
from app.db.changefeed import insert_created, insert_parts
from app.db.session import session_cache
from app.extraction.base import Extraction, FoundEntity
from app.ingest.signature import Signature
from app.kit.text import fold, sentence_index, sentence_spans
from app.kit.urls import url_key
from app.models import Article, Entity, EntityAlias, Event, EventParticipant, Mention
from app.schemas.article import ArticleCreate
from app.services.copies import add_bands, place
from app.services.entity import entity_key, get_or_create_entity
from app.services.extraction import entity_for, extraction_marks
from app.services.happening import relink
from app.services.ingest import (
    CuratedEventRows,
    IngestOutcome,
    OnDuplicate,
    Prepared,
    curated_events,
    curated_mentions,
    fill_article,
    known_article,
    new_article,
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


class ArticleBatch:
    """New articles added to a session and flushed together, their hand-coded mentions and
    events kept as rows for one insert each (a mapped object each costs more than the row)."""

    def __init__(self, session: Session, *, urls: list[str], digests: list[str]) -> None:
        """`urls`: the chunk's urls; `digests`: the texts of its pages without a url."""
        self.session = session
        keys = sorted({url_key(u) for u in urls})
        known_keys = set(session.scalars(select(Article.url_key).where(Article.url_key.in_(keys))))
        known_texts = set(
            session.scalars(
                select(Article.content_hash).where(
                    Article.content_hash.in_(digests), Article.url_key.is_(None)
                )
            )
        )
        # what the database does not have, so that `add` need not ask one article at a time
        self.absent_keys = {k for k in keys if k not in known_keys}
        self.absent_texts = {d for d in digests if d not in known_texts}
        self.pending_keys: set[str] = set()
        self.pending_texts: set[str] = set()  # of pages without a url
        self.added: list[tuple[Article, Signature | None]] = []
        self.mentions: list[tuple[Article, Entity, dict[str, Any]]] = []
        self.events: list[tuple[Article, CuratedEventRows]] = []
        self.extracted: list[tuple[Article, Extraction]] = []
        self.entities: dict[tuple[str, str, str | None], Entity] = {}
        self.created: list[Article] = []

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
                    self.entities[_found_key(found)] = entity_for(self.session, found)
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
        key = url_key(data.url) if data.url else None
        if key is not None and key in self.pending_keys:
            session.flush()  # the same url twice in one batch: let the check below see the first
            self.absent_keys.discard(key)
        if key is None:  # a page without a url is known by its text
            # not prepared when refused already: nothing stored
            prepared = prepared or prepare_article(data)
            if prepared.digest in self.pending_texts:
                session.flush()
                self.absent_texts.discard(prepared.digest)
        known = (
            known_article(session, data, prepared.digest if prepared else None)
            if (key is not None and key not in self.absent_keys)
            or (key is None and prepared is not None and prepared.digest not in self.absent_texts)
            else None
        )
        if known is not None:
            return settle_known(
                session, existing=known, data=data, on_duplicate=on_duplicate, prepared=prepared
            )
        # not prepared when its url was known: deleted since, by another writer
        prepared = prepared or prepare_article(data)
        article = new_article(data, prepared)
        self.added.append((article, prepared.signature))
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
        self.created.append(article)
        if key is not None:
            self.pending_keys.add(key)
        else:
            self.pending_texts.add(prepared.digest)
        return IngestOutcome("created", article, prepared.extraction_s)

    def flush(self) -> None:
        """Flush the articles, then insert the rows kept for them (with the feed's entries),
        and put each in its group of copies (the chunk's bands all stored first: a group's
        canonical is the earliest whatever order its members came in)."""
        self.session.flush()
        added, self.added = self.added, []
        add_bands(self.session, [(a.id, sig) for a, sig in added if sig is not None])
        for article, _signature in added:
            place(self.session, article=article)
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
        created, self.created = self.created, []
        relink(self.session, article_ids=[article.id for article in created])

    def discard(self) -> None:
        """Forget the kept rows (their articles were rolled back)."""
        self.mentions, self.events, self.extracted, self.added = [], [], [], []
        self.created = []
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
