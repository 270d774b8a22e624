"""SQLAlchemy ORM models. Importing this package registers every table on Base.metadata."""

from app.models.api_key import ApiKey
from app.models.article import Article, Source
from app.models.change import Change
from app.models.entity import Entity, EntityAlias, Mention
from app.models.event import Event, EventParticipant

__all__ = [
    "ApiKey",
    "Article",
    "Change",
    "Entity",
    "EntityAlias",
    "Event",
    "EventParticipant",
    "Mention",
    "Source",
]
