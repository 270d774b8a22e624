from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, UTCDateTime, utcnow


class Change(Base):
    """One line of the change feed: an article, entity or event created, updated or deleted.

    Written in the same transaction as the change itself (see app.services.changes), so the feed
    never says more or less than the database holds."""

    __tablename__ = "change"
    __table_args__ = (Index("ix_change_kind_object_id", "kind", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(8))
