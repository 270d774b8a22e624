"""The event types and entity kinds of the annotation guideline, kept as data."""

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources


class EntityKind(StrEnum):
    country = "country"
    person = "person"
    organization = "organization"
    location = "location"
    agreement = "agreement"
    equipment = "equipment"


class EventType(StrEnum):
    visit = "visit"
    meeting = "meeting"
    agreement = "agreement"
    exercise = "exercise"
    arms_transfer = "arms_transfer"
    training = "training"
    military_aid = "military_aid"
    industry = "industry"
    statement = "statement"
    conflict = "conflict"


class EventStatus(StrEnum):
    planned = "planned"
    reported = "reported"


class DatePrecision(StrEnum):
    year = "year"
    month = "month"
    day = "day"


class ParticipantRole(StrEnum):
    participant = "participant"
    host = "host"
    visitor = "visitor"
    signatory = "signatory"
    supplier = "supplier"
    recipient = "recipient"
    donor = "donor"
    speaker = "speaker"
    subject = "subject"


# Who acts on whom, where the text or a curator says: visitor -> host, supplier -> recipient,
# donor -> recipient. A directed pair (A, B) has A in an acting role and B in an acted-on one.
ACTING_ROLES: tuple[str, ...] = (
    ParticipantRole.visitor.value,
    ParticipantRole.supplier.value,
    ParticipantRole.donor.value,
)
ACTED_ON_ROLES: tuple[str, ...] = (ParticipantRole.host.value, ParticipantRole.recipient.value)


@dataclass(frozen=True)
class EventTypeInfo:
    type: str
    label: str
    cameo_codes: tuple[str, ...]
    definition: str


@dataclass(frozen=True)
class EntityKindInfo:
    kind: str
    label: str
    definition: str


@cache
def _load() -> dict[str, list[dict[str, object]]]:
    text = resources.files("app").joinpath("data/taxonomy.json").read_text(encoding="utf-8")
    data: dict[str, list[dict[str, object]]] = json.loads(text)
    return data


def event_types() -> list[EventTypeInfo]:
    return [
        EventTypeInfo(
            type=str(row["type"]),
            label=str(row["label"]),
            cameo_codes=tuple(str(c) for c in row["cameo_codes"]),  # type: ignore[attr-defined]
            definition=str(row["definition"]),
        )
        for row in _load()["event_types"]
    ]


def entity_kinds() -> list[EntityKindInfo]:
    return [
        EntityKindInfo(kind=str(r["kind"]), label=str(r["label"]), definition=str(r["definition"]))
        for r in _load()["entity_kinds"]
    ]


@cache  # once per type: storing an extracted chunk asks for thousands
def cameo_code(event_type: str) -> str:
    """The primary CAMEO code of an event type."""
    for info in event_types():
        if info.type == event_type:
            return info.cameo_codes[0]
    raise KeyError(event_type)
