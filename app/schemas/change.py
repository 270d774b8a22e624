"""The change feed's entries."""

from datetime import datetime

from pydantic import Field

from app.schemas.common import Schema


class ChangeRead(Schema):
    id: int
    at: datetime
    kind: str = Field(description="article, entity, event or happening")
    object_id: int
    action: str = Field(description="created, updated or deleted (a tombstone)")
