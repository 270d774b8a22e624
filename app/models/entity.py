from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.article import Article


class Entity(Base):
    """One real thing (a country, a person, ...) across the whole database."""

    __tablename__ = "entity"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        Index("ix_entity_kind_name", "kind", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300))
    code: Mapped[str | None] = mapped_column(String(3), index=True)
    country: Mapped[str | None] = mapped_column(String(3), index=True)
    title: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    aliases: Mapped[list["EntityAlias"]] = relationship(
        back_populates="entity",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="EntityAlias.id",
    )


class EntityAlias(Base):
    __tablename__ = "entity_alias"
    __table_args__ = (UniqueConstraint("entity_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300), index=True)

    entity: Mapped[Entity] = relationship(back_populates="aliases")


class Mention(Base):
    """Where an article names an entity: character offsets into the article body."""

    __tablename__ = "mention"
    # "does this article name that entity?" in one seek; lookups by article use it too
    __table_args__ = (Index("ix_mention_article_entity", "article_id", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), index=True)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    surface: Mapped[str] = mapped_column(String(300))
    sentence_index: Mapped[int | None] = mapped_column(Integer)

    article: Mapped["Article"] = relationship(back_populates="mentions")
    entity: Mapped[Entity] = relationship(lazy="joined")
