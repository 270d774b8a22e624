from app.schemas.common import Schema


class EventTypeRead(Schema):
    type: str
    label: str
    cameo_codes: list[str]
    definition: str


class EntityKindRead(Schema):
    kind: str
    label: str
    definition: str


class TaxonomyRead(Schema):
    event_types: list[EventTypeRead]
    entity_kinds: list[EntityKindRead]
    participant_roles: list[str]
    date_precisions: list[str]
    event_statuses: list[str]
