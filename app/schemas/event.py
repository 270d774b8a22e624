import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from app.schemas.common import Schema
from app.schemas.entity import EntityRef
from app.taxonomy import DatePrecision, EventStatus, EventType, ParticipantRole

if TYPE_CHECKING:
    from app.models import Event


HappeningRole = Literal["report", "preview", "background"]
"""How a report tells of its happening: as it happens, announced before it, or mentioned after."""


class ParticipantRead(Schema):
    entity: EntityRef
    role: ParticipantRole


class EvidenceRead(Schema):
    text: str
    start: int | None = Field(description="Offset of the sentence in the article body")
    end: int | None


class EventRead(Schema):
    id: int
    article_id: int
    type: EventType
    cameo_code: str | None
    date: str | None = Field(
        description="Partial ISO 8601 date at its precision: 2022, 2022-02, 2022-02-01"
    )
    date_start: dt.date | None
    date_end: dt.date | None
    date_precision: DatePrecision | None
    date_text: str | None = Field(description="The words the date was read from")
    status: EventStatus
    name: str | None = Field(description="Name of a named exercise or agreement")
    location: EntityRef | None
    evidence: EvidenceRead | None
    confidence: float | None
    countries: list[str] = Field(description="Alpha-3 codes of the participating states")
    participants: list[ParticipantRead]
    happening_id: int | None = Field(
        description="The happening it reports (/v1/happenings/{id}); null until it is linked"
    )
    happening_role: HappeningRole | None = Field(
        description="report (as it happens), preview (announced before) or background "
        "(mentioned after)"
    )


def partial_date(start: dt.date | None, precision: str | None) -> str | None:
    """A date as partial ISO 8601 at its precision (2022, 2022-02, 2022-02-01)."""
    if start is None:
        return None
    if precision == "year":
        return f"{start.year:04d}"
    if precision == "month":
        return f"{start.year:04d}-{start.month:02d}"
    return start.isoformat()


def evidence_of(event: "Event") -> dict[str, Any] | None:
    """The event's evidence sentence and its offsets, when it has one."""
    if not event.evidence:
        return None
    return {"text": event.evidence, "start": event.evidence_start, "end": event.evidence_end}


def event_read(event: "Event") -> EventRead:
    """Build the API view of an ORM event (the partial date, the countries, the evidence)."""
    participants = [ParticipantRead.model_validate(p) for p in event.participants]
    countries = [
        p.entity.code for p in participants if p.entity.kind == "country" and p.entity.code
    ]
    return EventRead.model_validate(
        {
            "id": event.id,
            "article_id": event.article_id,
            "type": event.type,
            "cameo_code": event.cameo_code,
            "date": partial_date(event.date_start, event.date_precision),
            "date_start": event.date_start,
            "date_end": event.date_end,
            "date_precision": event.date_precision,
            "date_text": event.date_text,
            "status": event.status,
            "name": event.name,
            "location": event.location,
            "evidence": evidence_of(event),
            "confidence": event.confidence,
            "countries": list(dict.fromkeys(countries)),
            "participants": participants,
            "happening_id": event.happening_id,
            "happening_role": event.happening_role,
        }
    )
