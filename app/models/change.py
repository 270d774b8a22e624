from datetime import datetime

from sqlalchemy import BigInteger, FetchedValue, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, UTCDateTime, utcnow


class Change(Base):
    """One line of the change feed: an article, entity or event created, updated or deleted.

    Written in the same transaction as the change itself (see app.db.changefeed), so the feed
    never says more or less than the database holds. Read in (xid, id) order below the oldest
    running transaction (app.db.feed_order), which is commit order on both databases."""

    __tablename__ = "change"
    __table_args__ = (
        Index("ix_change_kind_object_id", "kind", "object_id"),
        Index("ix_change_xid_id", "xid", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(8))
    # the writing transaction's id on PostgreSQL, 0 on SQLite: a column default (migration 0018)
    xid: Mapped[int] = mapped_column(BigInteger, server_default=FetchedValue())
