"""Plain functions that build request payloads, and rows in a session, for tests."""

from datetime import UTC, date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Connection, insert, select, text
from sqlalchemy.orm import Session

from app import countries as countries_data
from app.kit.text import content_hash
from app.models import (
    Article,
    Change,
    Entity,
    Event,
    EventParticipant,
    Happening,
    Mention,
    Source,
)
from app.services.entity import entity_key

PAGE = """ date 2024-03-12 By Test Writer

Kazakh and Uzbek defence ministers meet in Astana

Kazakh Defence Minister Nurlan Ospanov met Uzbek Defence Minister Bakhtiyor Tursunov in Astana on Monday.

The two ministers signed a plan of military cooperation for 2024.

---

Follow us on Twitter @SteppeWireKz"""


def article_payload(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """A JSON article with curated entities and events; `n` makes url and body unique."""
    payload: dict[str, Any] = {
        "url": f"https://news.example/{n}",
        "title": f"Defence talks number {n}",
        "body": (
            f"Story {n}. Azerbaijani Defence Minister Rauf Aliyarov met Turkish Defence Minister "
            f"Selim Kaya in Baku on Monday. The two signed a memorandum on training."
        ),
        "published_at": f"2024-03-{n:02d}" if n <= 28 else "2024-03-28",
        "author": "Test Writer",
        "source": "Test Wire",
        "entities": [
            {"kind": "country", "code": "AZE"},
            {"kind": "country", "name": "Turkey"},
            {"kind": "person", "name": "Rauf Aliyarov", "aliases": ["Aliyarov"], "country": "AZE"},
            {"kind": "location", "name": "Baku"},
        ],
        "events": [
            {
                "type": "meeting",
                "date": "2024-03-11",
                "countries": ["AZE", "TUR"],
                "persons": ["Rauf Aliyarov"],
                "evidence": "Azerbaijani Defence Minister Rauf Aliyarov met Turkish Defence Minister",
                "location": "Baku",
            },
            {"type": "agreement", "date": "2024-03", "countries": ["AZE", "TUR"]},
        ],
    }
    payload.update(overrides)
    return payload


def create(client: TestClient, n: int = 1, **overrides: Any) -> dict[str, Any]:
    response = client.post("/v1/articles", json=article_payload(n, **overrides))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


# --- rows in a session, without HTTP or the ingest pipeline ----------------------------------
# These add ORM rows and flush (services never commit; neither do these): a test of a service
# then needs only a session. Entity keys come from entity_key, so services find these rows.

BODY = (
    "Story {n}. Azerbaijani Defence Minister Rauf Aliyarov met Turkish Defence Minister "
    "Selim Kaya in Baku on Monday. The two signed a memorandum on training."
)


def make_source(
    session: Session, *, name: str = "Test Wire", domain: str = "news.example"
) -> Source:
    """The source of that name, added if it is not there yet."""
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        source = Source(name=name, domain=domain)
        session.add(source)
        session.flush()
    return source


def make_entity(
    session: Session, *, kind: str = "country", name: str = "Azerbaijan", **overrides: Any
) -> Entity:
    """The entity of that kind and name (a country's key is its `code`), added if new."""
    key = entity_key(kind, name, overrides.get("code"))
    entity = session.scalar(select(Entity).where(Entity.kind == kind, Entity.key == key))
    if entity is None:
        entity = Entity(kind=kind, name=name, key=key, **overrides)
        session.add(entity)
        session.flush()
    return entity


def make_article(session: Session, n: int = 1, **overrides: Any) -> Article:
    """An article like article_payload(n), with its source and country mentions; no events."""
    body = overrides.pop("body", BODY.format(n=n))
    fields: dict[str, Any] = {
        "url": f"https://news.example/{n}",
        "title": f"Defence talks number {n}",
        "author": "Test Writer",
        "published_at": datetime(2024, 3, min(n, 28), tzinfo=UTC),
        "published_precision": "day",
        "language": "en",
        "body": body,
        "content_hash": content_hash(body),
        "word_count": len(body.split()),
        "extractor_version": "curated",
        "source": make_source(session),
    }
    fields.update(overrides)
    # Entities first, then the article with its mentions in one flush, as an ingest stores it
    # (a mention flushed after its article would put an extra "updated" in the change feed).
    mentions = []
    for code, name, surface in (("AZE", "Azerbaijan", "Azerbaijani"), ("TUR", "Turkey", "Turkish")):
        start = body.find(surface)
        if start >= 0:
            entity = make_entity(session, name=name, code=code)
            mentions.append(
                Mention(entity=entity, start=start, end=start + len(surface), surface=surface)
            )
    article = Article(**fields, mentions=mentions)
    session.add(article)
    session.flush()
    return article


def make_event(
    session: Session,
    article: Article,
    *,
    countries: tuple[str, ...] = ("AZE", "TUR"),
    **overrides: Any,
) -> Event:
    """A meeting of `countries` (alpha-3 codes, each a participant) reported by `article`."""
    fields: dict[str, Any] = {
        "type": "meeting",
        "cameo_code": "040",
        "date_start": date(2024, 3, 11),
        "date_precision": "day",
        "status": "reported",
    }
    fields.update(overrides)
    participants = []
    for code in countries:
        known = countries_data.get(code)
        country = make_entity(session, name=known.name if known else code, code=code)
        participants.append(EventParticipant(entity=country, role="participant"))
    event = Event(article=article, participants=participants, **fields)
    session.add(event)
    session.flush()
    return event


def happenings_alone(session: Session) -> list[Happening]:
    """Each event no happening holds becomes a happening of its own that it leads, as
    migration 0016 makes of the events stored before it (what is linked is left alone)."""
    made = []
    for event in session.scalars(select(Event).where(Event.happening_id.is_(None))):
        happening = Happening(
            type=event.type,
            name=event.name,
            date_start=event.date_start,
            date_end=event.date_end,
            date_precision=event.date_precision,
            date_basis="reported" if event.date_start else None,
        )
        session.add(happening)
        session.flush()
        event.happening_id, event.happening_role, event.is_lead = happening.id, "report", True
        made.append(happening)
    session.flush()
    return made


# Three articles whose events the relations tests count exactly: pairs, a trio, an old
# agreement and another region.
RELATIONS_EVENTS = [
    # article 1
    [
        {
            "type": "visit",
            "date": "2024-03-11",
            "countries": ["AZE", "TUR"],
            "persons": ["Rauf Aliyarov"],
        },
        {"type": "agreement", "date": "2024-03-11", "countries": ["AZE", "TUR"]},
        {"type": "agreement", "date": "1992", "countries": ["AZE", "TUR"]},
    ],
    # article 2
    [
        {"type": "exercise", "date": "2023-06-01", "countries": ["AZE", "TUR", "GEO"]},
        {"type": "meeting", "date": "2023-06-20", "countries": ["AZE", "GEO"]},
    ],
    # article 3
    [{"type": "arms_transfer", "date": "2024-01-05", "countries": ["KOR", "POL"]}],
]


def write_change(connection: Connection, object_id: int) -> int:
    """One change row written on `connection`, in whatever transaction it has open; its id
    (the commit-order tests hold a slow transaction open beside a fast one)."""
    inserted = connection.execute(
        insert(Change)
        .values(at=text("now()"), kind="entity", object_id=object_id, action="created")
        .returning(Change.id)
    )
    change_id: int = inserted.scalar_one()
    return change_id
