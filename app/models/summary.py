"""Counts kept up to date by the database itself, for answers over everything at any size.

Triggers (migration 0006) add and subtract as articles, events and participants are written,
in the writing transaction, so the counts can never be out of step with the rows they count.
`app.services.summary.recount` computes the same numbers from scratch; the tests compare them.

Each event count `n` has a happening count `h` beside it (migration 0016): the events counted
that lead their happening (`Event.is_lead`), so counting happenings reads the same rows.
"""

from datetime import date

from sqlalchemy import Date, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base

UNDATED_YEAR = 0  # pair_year_count.year of events without a date


class ArticleDayCount(Base):
    """Articles per publication day (UTC)."""

    __tablename__ = "article_day_count"
    __table_args__ = ({"sqlite_with_rowid": False},)  # rows in key order (migration 0008)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class EventDayCount(Base):
    """Dated events per day and type."""

    __tablename__ = "event_day_count"
    __table_args__ = ({"sqlite_with_rowid": False},)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    type: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    h: Mapped[int] = mapped_column(Integer, server_default=text("0"))  # of them, leads


class PairYearCount(Base):
    """Events in which two entities both take part, per type and year (entity_a < entity_b).
    Rows whose count went back to zero stay; readers skip them."""

    __tablename__ = "pair_year_count"
    __table_args__ = (
        Index("ix_pair_year_count_entity_b", "entity_b"),
        {"sqlite_with_rowid": False},
    )

    entity_a: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_b: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    h: Mapped[int] = mapped_column(Integer, server_default=text("0"))  # of them, leads


class PairEvent(Base):
    """Each event two states both take part in (a < b, alpha-3 codes), with the event's type and
    date: a pair's events in date order are read by key, however rare or common the pair."""

    __tablename__ = "pair_event"
    __table_args__ = (
        Index("ix_pair_event_date", "a", "b", "date_start", "event_id"),
        Index("ix_pair_event_type_date", "a", "b", "type", "date_start", "event_id"),
        {"sqlite_with_rowid": False},
    )

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a: Mapped[str] = mapped_column(String(3), primary_key=True)
    b: Mapped[str] = mapped_column(String(3), primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    date_start: Mapped[date | None] = mapped_column(Date)


class EntityYearCount(Base):
    """Events each entity takes part in, per type and year (year 0: undated). Rows whose count
    went back to zero stay; readers skip them."""

    __tablename__ = "entity_year_count"
    __table_args__ = ({"sqlite_with_rowid": False},)

    entity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    h: Mapped[int] = mapped_column(Integer, server_default=text("0"))  # of them, leads


class EntityMentionCount(Base):
    """How often each entity is named, and in how many articles (migration 0011)."""

    __tablename__ = "entity_mention_count"
    __table_args__ = ({"sqlite_with_rowid": False},)

    entity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentions: Mapped[int] = mapped_column(Integer)
    articles: Mapped[int] = mapped_column(Integer)
