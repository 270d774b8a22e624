"""A network of who appears with whom: entities as nodes, shared events or articles as edges."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from app.models import Entity, Event, EventParticipant, Mention
from app.schemas.filters import Count, EventFilters
from app.schemas.relations import Unit
from app.services.event import filtered_events
from app.services.summary import pair_edges, whole_years


@dataclass(frozen=True)
class Node:
    id: str
    entity_id: int
    label: str
    kind: str
    code: str | None
    country: str | None
    weight: int


@dataclass(frozen=True)
class Edge:
    id: str
    source: str
    target: str
    weight: int


@dataclass(frozen=True)
class Network:
    nodes: list[Node]
    edges: list[Edge]


def graph(
    session: Session,
    *,
    unit: Unit,
    kinds: tuple[str, ...],
    filters: EventFilters,
    min_weight: int,
    limit: int,
) -> Network:
    """The heaviest edges (at most `limit`, each of at least `min_weight`) between entities of
    these kinds that share the filtered events (or happenings: `filters.count`; or those
    events' articles), and their nodes."""
    years = whole_years(filters.date_from, filters.date_to)
    cleared = filters.model_copy(update={"type": None, "date_from": None, "date_to": None})
    unscoped = cleared == EventFilters(count=filters.count)
    if unit is Unit.events and unscoped and years is not None:
        # every event of a type in whole years: the pair counts answer, no rows are read
        edges = pair_edges(
            session,
            kinds=kinds,
            type=filters.type,
            years=years,
            count=filters.count,
            min_weight=min_weight,
            limit=limit,
        )
        return _shape(session, edges)
    if unit is Unit.events:
        scope = filtered_events(filters, counting=True).with_only_columns(Event.id)
    else:  # the articles of every report: `count` is about events
        reports = filters.model_copy(update={"count": Count.reports})
        event_ids = filtered_events(reports, counting=True).with_only_columns(Event.id)
        scope = select(Event.article_id).where(Event.id.in_(event_ids)).distinct()
    return _shape(session, _edges(session, unit, kinds, scope, min_weight, limit))


def _edges(
    session: Session,
    unit: Unit,
    kinds: tuple[str, ...],
    scope_ids: Select[Any],
    min_weight: int,
    limit: int,
) -> list[tuple[int, int, int]]:
    if unit is Unit.events:
        links = select(
            EventParticipant.event_id.label("unit"), EventParticipant.entity_id.label("entity")
        ).where(EventParticipant.event_id.in_(scope_ids))
    else:
        links = select(Mention.article_id.label("unit"), Mention.entity_id.label("entity")).where(
            Mention.article_id.in_(scope_ids)
        )
    # one list of distinct links (a CTE), paired with itself: each (unit, a, b) once, so a
    # plain count weighs an edge
    pairs = links.distinct().cte("links")
    left, right = aliased(pairs), aliased(pairs)
    e1, e2 = aliased(Entity), aliased(Entity)
    weight = func.count()
    rows = session.execute(
        select(left.c.entity, right.c.entity, weight)
        .join(right, and_(right.c.unit == left.c.unit, right.c.entity > left.c.entity))
        .join(e1, and_(e1.id == left.c.entity, e1.kind.in_(kinds)))
        .join(e2, and_(e2.id == right.c.entity, e2.kind.in_(kinds)))
        .group_by(left.c.entity, right.c.entity)
        .having(weight >= min_weight)
        .order_by(weight.desc(), left.c.entity, right.c.entity)
        .limit(limit)
    ).all()
    return [(int(a), int(b), int(w)) for a, b, w in rows]


def _shape(session: Session, rows: list[tuple[int, int, int]]) -> Network:
    ids = {a for a, _, _ in rows} | {b for _, b, _ in rows}
    degree: dict[int, int] = {}
    for a, b, w in rows:
        degree[a] = degree.get(a, 0) + w
        degree[b] = degree.get(b, 0) + w
    entities = {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(ids)))}
    nodes = [
        Node(
            id=f"e{e.id}",
            entity_id=e.id,
            label=e.name,
            kind=e.kind,
            code=e.code,
            country=e.country,
            weight=degree[e.id],
        )
        for e in sorted(entities.values(), key=lambda e: (-degree[e.id], e.id))
    ]
    edges = [Edge(id=f"e{a}-e{b}", source=f"e{a}", target=f"e{b}", weight=w) for a, b, w in rows]
    return Network(nodes=nodes, edges=edges)
