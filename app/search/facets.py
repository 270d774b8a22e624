"""Search facets described once, as data: what each one counts, and how it is answered.

Every backend reads the same table: the SQL backend builds one grouped statement from a spec,
the top-k index reads the field of the same name. Both give values most frequent first, ties
by value, with `truncated` when more values exist than were asked for (Datasette's facets).
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, distinct, func, literal_column, select
from sqlalchemy.orm import InstrumentedAttribute, join
from sqlalchemy.sql import FromClause

from app import countries
from app.models import Article, Entity, Event, Mention, Source


class Facet(StrEnum):
    country = "country"
    source = "source"
    event_type = "event_type"
    entity_kind = "entity_kind"
    person = "person"
    year = "year"
    month = "month"


Column = ColumnElement[Any] | InstrumentedAttribute[Any]


def _date_part(pattern: tuple[str, str]) -> Callable[[str], ColumnElement[Any]]:
    """The publication date as text in this form, (SQLite's, PostgreSQL's), per dialect."""

    def value(dialect: str) -> ColumnElement[Any]:
        if dialect == "sqlite":
            return func.strftime(pattern[0], Article.published_at)
        return func.to_char(func.timezone("UTC", Article.published_at), pattern[1])

    return value


def _country_label(value: str) -> str | None:
    country = countries.get(value)
    return country.name if country else None


@dataclass(frozen=True)
class FacetSpec:
    """One facet: the value it groups by, the rows that carry it (`rows`, whose `article`
    column is the article counted), what else those rows must be, and a value's label."""

    value: Callable[[str], Column]  # by the dialect's name
    rows: Callable[[], FromClause | type[Any]]
    article: Column
    where: Callable[[], tuple[ColumnElement[bool], ...]] = lambda: ()
    label: Callable[[str], str | None] | None = None

    def statement(self, dialect: str, ids: Select[Any], size: int) -> Select[Any, int]:
        """The facet's `size` + 1 most frequent values among the articles `ids` selects."""
        value = self.value(dialect)
        count = func.count(distinct(self.article))
        statement: Select[Any, int] = (
            select(value, count)
            .select_from(self.rows())
            .where(self.article.in_(ids), *self.where())
            .group_by(value)
            .order_by(count.desc(), literal_column("1"))
            .limit(size + 1)
        )
        return statement

    def counts(self, rows: Iterable[Sequence[Any]], size: int) -> dict[str, Any]:
        """The answer for one facet, from its (value, count) rows in order (at most one more
        than `size`, which says the list is truncated)."""
        listed = list(rows)
        values = []
        for value, count in listed[:size]:
            label = self.label(str(value)) if self.label and value else None
            values.append({"value": str(value), "count": int(count)} | _with(label))
        return {"values": values, "truncated": len(listed) > size}


def _with(label: str | None) -> dict[str, str]:
    return {"label": label} if label else {}


def _mentions() -> FromClause:
    return join(Entity, Mention, Mention.entity_id == Entity.id)


def _of_kind(kind: str) -> Callable[[], tuple[ColumnElement[bool], ...]]:
    return lambda: (Entity.kind == kind,)


FACETS: dict[Facet, FacetSpec] = {
    Facet.country: FacetSpec(
        value=lambda _d: Entity.code,
        rows=_mentions,
        article=Mention.article_id,
        where=_of_kind("country"),
        label=_country_label,
    ),
    Facet.person: FacetSpec(
        value=lambda _d: Entity.name,
        rows=_mentions,
        article=Mention.article_id,
        where=_of_kind("person"),
    ),
    Facet.entity_kind: FacetSpec(
        value=lambda _d: Entity.kind, rows=_mentions, article=Mention.article_id
    ),
    Facet.event_type: FacetSpec(
        value=lambda _d: Event.type, rows=lambda: Event, article=Event.article_id
    ),
    Facet.source: FacetSpec(
        value=lambda _d: Source.name,
        rows=lambda: join(Source, Article, Article.source_id == Source.id),
        article=Article.id,
    ),
    Facet.year: FacetSpec(
        value=_date_part(("%Y", "YYYY")),
        rows=lambda: Article,
        article=Article.id,
        where=lambda: (Article.published_at.is_not(None),),
    ),
    Facet.month: FacetSpec(
        value=_date_part(("%Y-%m", "YYYY-MM")),
        rows=lambda: Article,
        article=Article.id,
        where=lambda: (Article.published_at.is_not(None),),
    ),
}


def ranked(counted: Iterable[tuple[str, int]], size: int) -> list[tuple[str, int]]:
    """Counted values in the facets' order (most frequent, then by value), `size` + 1 at most:
    the order the SQL statement gives, for values counted elsewhere (the top-k index)."""
    return sorted(counted, key=lambda vc: (-vc[1], vc[0]))[: size + 1]
