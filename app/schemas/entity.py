from typing import TYPE_CHECKING, Any

from pydantic import Field

from app.schemas.common import Schema
from app.taxonomy import EntityKind

if TYPE_CHECKING:
    from app.models import Entity


class EntityRef(Schema):
    """An entity as it appears inside other resources."""

    id: int
    kind: EntityKind
    name: str
    code: str | None = Field(default=None, description="ISO 3166-1 alpha-3, for countries")


class EntityRead(EntityRef):
    country: str | None = Field(default=None, description="Alpha-3 of its state")
    title: str | None = Field(default=None, description="Title or role, for people")
    aliases: list[str] = Field(default_factory=list)


class EntityCounts(Schema):
    mentions: int
    articles: int
    events: int


class EntityDetail(EntityRead):
    counts: EntityCounts


class EntityListItem(EntityRead):
    mention_count: int
    article_count: int


class MentionRead(Schema):
    id: int
    entity: EntityRef
    start: int | None
    end: int | None
    surface: str
    sentence_index: int | None


def entity_fields(entity: "Entity") -> dict[str, Any]:
    """The EntityRead fields of an ORM entity (aliases flattened to strings)."""
    return {
        "id": entity.id,
        "kind": entity.kind,
        "name": entity.name,
        "code": entity.code,
        "country": entity.country,
        "title": entity.title,
        "aliases": [alias.alias for alias in entity.aliases],
    }
