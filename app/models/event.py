from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.article import Article
    from app.models.entity import Entity


class Event(Base):
    """A happening an article reports, dated, with the sentence that says so."""

    __tablename__ = "event"
    # one type's events newest first (a pair's agreements) walk this index and stop early
    __table_args__ = (Index("ix_event_type_date_start", "type", "date_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(16))  # indexed with the date (__table_args__)
    cameo_code: Mapped[str | None] = mapped_column(String(4))
    date_start: Mapped[date | None] = mapped_column(Date, index=True)
    date_end: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[str | None] = mapped_column(String(8))
    date_text: Mapped[str | None] = mapped_column(String(300))
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("entity.id", ondelete="SET NULL"), index=True
    )
    evidence: Mapped[str | None] = mapped_column(Text)
    evidence_start: Mapped[int | None] = mapped_column(Integer)
    evidence_end: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="reported")
    name: Mapped[str | None] = mapped_column(String(300))
    confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the happening this event reports (app.models.happening; no foreign key, see migration
    # 0016); None only between storing the event and linking it, in one transaction
    happening_id: Mapped[int | None] = mapped_column(Integer, index=True)
    happening_role: Mapped[str | None] = mapped_column(String(12))  # report | preview | background
    # the one event of its happening that stands for it: counting happenings counts these
    is_lead: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    article: Mapped["Article"] = relationship(back_populates="events")
    location: Mapped["Entity | None"] = relationship(lazy="joined")
    participants: Mapped[list["EventParticipant"]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by="EventParticipant.id",
    )


class EventParticipant(Base):
    __tablename__ = "event_participant"
    __table_args__ = (UniqueConstraint("event_id", "entity_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="participant")

    event: Mapped[Event] = relationship(back_populates="participants")
    entity: Mapped["Entity"] = relationship(lazy="joined")
