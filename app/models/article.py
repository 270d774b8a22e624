from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.entity import Mention
    from app.models.event import Event


class Source(Base):
    """An outlet: a site's domain, or an agency named in the page."""

    __tablename__ = "source"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    domain: Mapped[str | None] = mapped_column(String(253), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Article(Base):
    __tablename__ = "article"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str | None] = mapped_column(String(2048), unique=True)  # as given, for display
    # the url as compared (app.kit.urls.url_key): lookups go by it, and it is unique
    url_key: Mapped[str | None] = mapped_column(String(2048), index=True, unique=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("source.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str | None] = mapped_column(Text)
    title_is_derived: Mapped[bool] = mapped_column(Boolean, default=False)
    author: Mapped[str | None] = mapped_column(String(300), index=True)  # a person
    # the wire or outlet the page credits: "(AA) –", "/TASS/.", "Source: MENA", "—APP"
    agency: Mapped[str | None] = mapped_column(String(200), index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    published_precision: Mapped[str | None] = mapped_column(String(8))
    language: Mapped[str | None] = mapped_column(String(8), index=True)
    body: Mapped[str] = mapped_column(Text)
    raw: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    # the canonical copy (the earliest, app.services.copies), never another copy; the SET NULL
    # is a last resort: deleting through the API re-points the copies first
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("article.id", ondelete="SET NULL")
    )
    # MinHash of the body's shingles (app.ingest.signature), to verify a band match
    signature: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    extractor_version: Mapped[str | None] = mapped_column(String(255))
    extraction_note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    source: Mapped[Source | None] = relationship(lazy="joined")
    mentions: Mapped[list["Mention"]] = relationship(
        back_populates="article", cascade="all, delete-orphan", passive_deletes=True
    )
    events: Mapped[list["Event"]] = relationship(
        back_populates="article", cascade="all, delete-orphan", passive_deletes=True
    )

    # Only the copies are indexed (migration 0019): an index of every NULL let the planner read
    # `duplicate_of_id IS NULL` (every list) through it and sort the whole table.
    __table_args__ = (
        Index(
            "ix_article_duplicate_of_id",
            "duplicate_of_id",
            sqlite_where=text("duplicate_of_id IS NOT NULL"),
            postgresql_where=text("duplicate_of_id IS NOT NULL"),
        ),
    )


class ArticleBand(Base):
    """One LSH band key of an article's signature: articles sharing a key are candidate copies
    (looked up by the (band, hash) index, then verified on the signatures)."""

    __tablename__ = "article_band"
    __table_args__ = (Index("ix_article_band_band_hash", "band", "hash"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    hash: Mapped[int] = mapped_column(BigInteger)
