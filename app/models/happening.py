"""Happenings: the one real-world visit, signing, exercise edition or delivery that several
reports describe. Every event belongs to exactly one happening (alone, until other reports
join it), and exactly one event of each happening leads it: its type, date and states are the
happening's, so counting happenings is counting leading events (`Event.is_lead`)."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, UTCDateTime, utcnow


class Happening(Base):
    __tablename__ = "happening"
    __table_args__ = (Index("ix_happening_type_date_start", "type", "date_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(300))
    date_start: Mapped[date | None] = mapped_column(Date)
    date_end: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[str | None] = mapped_column(String(8))
    # "reported": the most precise date a report gives; "published": no report dates it, so
    # the first report's publication day stands in; None: nothing dates it
    date_basis: Mapped[str | None] = mapped_column(String(12))
    num_reports: Mapped[int] = mapped_column(Integer, default=1)
    num_sources: Mapped[int] = mapped_column(Integer, default=0)
    # copies of one wire story (Article.duplicate_of) count once
    num_independent_sources: Mapped[int] = mapped_column(Integer, default=0)
    first_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class HappeningDecision(Base):
    """An analyst's merge or split, kept as what it says about reports (an article's report of
    one type), so it holds across re-extraction and re-clustering, which make new event ids."""

    __tablename__ = "happening_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str | None] = mapped_column(String(200))  # the write key's name
    action: Mapped[str] = mapped_column(String(8))  # merge | split
    happening_id: Mapped[int | None] = mapped_column(Integer)  # as it was when decided
    note: Mapped[str | None] = mapped_column(String(500))

    reports: Mapped[list["HappeningDecisionReport"]] = relationship(
        back_populates="decision",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by="HappeningDecisionReport.id",
    )


class HappeningDecisionReport(Base):
    """One report a decision names: after a merge every report named belongs together; after
    a split the reports on side "a" belong together and apart from those on side "b"."""

    __tablename__ = "happening_decision_report"
    __table_args__ = (Index("ix_happening_decision_report_article", "article_id", "type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("happening_decision.id", ondelete="CASCADE"), index=True
    )
    article_id: Mapped[int] = mapped_column(Integer)  # no foreign key: it outlives a delete
    type: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(1), default="a")

    decision: Mapped[HappeningDecision] = relationship(back_populates="reports")


class HappeningState(Base):
    """Where a happening can be found by a new report: each of its states with the days its
    reports span (own dates, else publication days). A report looks here for candidates of its
    type that share a state and overlap its days, by index, at any size."""

    __tablename__ = "happening_state"
    __table_args__ = (
        Index("ix_happening_state_type_state_day_lo", "type", "state", "day_lo"),
        {"sqlite_with_rowid": False},
    )

    happening_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(3), primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    day_lo: Mapped[date | None] = mapped_column(Date)  # None: no report is placed in time
    day_hi: Mapped[date | None] = mapped_column(Date)
    # "AZE TUR" when the happening's reports name exactly two states: a report of two others
    # is vetoed by it (other counterparts), and the lookup leaves it out
    pair: Mapped[str | None] = mapped_column(String(7))
