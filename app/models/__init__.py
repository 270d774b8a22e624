"""SQLAlchemy ORM models. Importing this package registers every table on Base.metadata."""

from app.models.api_key import ApiKey
from app.models.article import Article, ArticleBand, Source
from app.models.change import Change
from app.models.entity import Entity, EntityAlias, Mention
from app.models.event import Event, EventParticipant
from app.models.happening import (
    Happening,
    HappeningDecision,
    HappeningDecisionReport,
    HappeningState,
)
from app.models.idempotency import IdempotencyKey
from app.models.summary import (
    ArticleDayCount,
    EntityMentionCount,
    EntityYearCount,
    EventDayCount,
    PairEvent,
    PairYearCount,
)

__all__ = [
    "ApiKey",
    "Article",
    "ArticleBand",
    "ArticleDayCount",
    "Change",
    "Entity",
    "EntityAlias",
    "EntityMentionCount",
    "EntityYearCount",
    "Event",
    "EventDayCount",
    "EventParticipant",
    "Happening",
    "HappeningDecision",
    "HappeningDecisionReport",
    "HappeningState",
    "IdempotencyKey",
    "Mention",
    "PairEvent",
    "PairYearCount",
    "Source",
]
