from typing import Any

from sqlalchemy import Select, false, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app import countries
from app.db.session import session_cache
from app.errors import NotFound
from app.kit.pagination import Keyset, paginate, parse_count, parse_text
from app.kit.text import fold
from app.models import Entity, EntityAlias, EntityMentionCount, EntityYearCount
from app.schemas.filters import EntityFilters
from app.taxonomy import EntityKind


def entity_key(kind: str, name: str, code: str | None = None) -> str:
    """The normalised key an entity is unique under within its kind."""
    if kind == EntityKind.country and code:
        return code.upper()
    return fold(name)[:300]


def get_entity(session: Session, *, entity_id: int) -> Entity:
    """The entity with that id, or NotFound."""
    entity = session.get(Entity, entity_id, options=[selectinload(Entity.aliases)])
    if entity is None:
        raise NotFound(f"No entity with id {entity_id}.", field="entity_id", location="path")
    return entity


def add_alias(session: Session, *, entity: Entity, alias: str) -> None:
    """Record another spelling of an entity's name (no-op if known)."""
    alias = alias.strip()[:300]
    key = fold(alias)
    if not key or key in (entity.key, fold(entity.name)):
        return
    if any(a.key == key for a in entity.aliases):
        return
    entity.aliases.append(EntityAlias(alias=alias, key=key))


def get_or_create_entity(
    session: Session,
    *,
    kind: str,
    name: str,
    code: str | None = None,
    country: str | None = None,
    title: str | None = None,
    aliases: list[str] | None = None,
) -> Entity:
    """One entity per real thing: found by its normalised key (or an alias), else created."""
    aliases = list(aliases or [])
    if kind == EntityKind.country and code:
        state = countries.get(code)
        if state and state.name != name:
            aliases.append(name)  # "Türkiye" stays findable under Turkey
            name = state.name
    key = entity_key(kind, name, code)
    known = session_cache(session, "entities")  # a bulk load names the same few again and again
    entity = known.get((kind, key))
    if entity is None:
        entity = session.scalars(
            select(Entity).where(Entity.kind == kind, Entity.key == key)
        ).first()
    if entity is None and kind != EntityKind.country:
        entity = session.scalars(
            select(Entity)
            .join(EntityAlias)
            .where(Entity.kind == kind, EntityAlias.key == key)
            .limit(1)
        ).first()
    if entity is None:
        entity = Entity(kind=kind, name=name.strip()[:300], key=key, code=code)
        try:
            with session.begin_nested():
                session.add(entity)
        except IntegrityError:  # another writer created it first: use theirs
            entity = session.scalars(
                select(Entity).where(Entity.kind == kind, Entity.key == key)
            ).one()
    else:
        add_alias(session, entity=entity, alias=name)
    known[(kind, key)] = entity
    if country and not entity.country:
        entity.country = country
    if title and not entity.title:
        entity.title = title[:300]
    for alias in aliases:
        if alias.upper() != code:
            add_alias(session, entity=entity, alias=alias)
    return entity


_SORTS = {"mentions": True, "-mentions": True, "name": False, "-name": True}


def list_entities(
    session: Session, *, filters: EntityFilters, sort: str, limit: int, cursor: str | None
) -> tuple[list[tuple[Entity, int, int]], str | None]:
    """Entities with their mention and article counts (kept by the database: see
    app.models.summary), filtered and keyset-paginated."""
    mention_count: Any = func.coalesce(EntityMentionCount.mentions, 0)
    article_count: Any = func.coalesce(EntityMentionCount.articles, 0)
    stmt: Select[Any] = (
        select(Entity, mention_count.label("mc"), article_count.label("ac"))
        .outerjoin(EntityMentionCount, EntityMentionCount.entity_id == Entity.id)
        .options(selectinload(Entity.aliases))
    )
    if filters.kind:
        stmt = stmt.where(Entity.kind == filters.kind)
    if filters.country:
        stmt = stmt.where((Entity.country == filters.country) | (Entity.code == filters.country))
    if filters.q is not None:
        prefix = fold(filters.q)  # punctuation-only input folds to "" and matches nothing
        if not prefix:
            stmt = stmt.where(false())
        alias_hit = select(EntityAlias.entity_id).where(
            EntityAlias.key.startswith(prefix, autoescape=True)
        )
        stmt = stmt.where(Entity.key.startswith(prefix, autoescape=True) | Entity.id.in_(alias_hit))
    by_name = sort.endswith("name")
    sort_column = func.lower(Entity.name) if by_name else mention_count
    keyset = Keyset(
        name=sort,
        column=sort_column,
        id_column=Entity.id,
        descending=_SORTS[sort],
        parse=parse_text if by_name else parse_count,
    )
    rows, next_cursor = paginate(
        stmt.add_columns(sort_column.label("sort_value")),
        keyset=keyset,
        limit=limit,
        cursor=cursor,
        run=lambda s: session.execute(s).unique().all(),
        key_of=lambda row: (row[3], row[0].id),
    )
    return [(row[0], row[1], row[2]) for row in rows], next_cursor


def entity_counts(session: Session, *, entity_id: int) -> dict[str, int]:
    named = session.get(EntityMentionCount, entity_id)
    events = session.scalar(
        select(func.sum(EntityYearCount.n)).where(EntityYearCount.entity_id == entity_id)
    )
    return {
        "mentions": named.mentions if named else 0,
        "articles": named.articles if named else 0,
        "events": int(events or 0),
    }
