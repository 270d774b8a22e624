"""A network of who appears with whom: entities as nodes, shared events or articles as edges."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from app.models import Entity, EventParticipant, Mention
from app.services.summary import Years, pair_edges


@dataclass(frozen=True)
class GraphRequest:
    of: str  # "events" or "articles"
    kinds: tuple[str, ...]
    min_weight: int
    limit: int


def graph(
    session: Session, *, request: GraphRequest, scope_ids: Select[Any]
) -> dict[str, list[dict[str, Any]]]:
    """The heaviest edges (at most `limit`, each of at least `min_weight`) and their nodes."""
    return _shape(session, _edges(session, request, scope_ids))


def graph_of_all_events(
    session: Session, *, request: GraphRequest, type: str | None, years: Years
) -> dict[str, list[dict[str, Any]]]:
    """The same network over every event (of `type`, in whole `years`), from the pair counts."""
    edges = pair_edges(
        session,
        kinds=request.kinds,
        type=type,
        years=years,
        min_weight=request.min_weight,
        limit=request.limit,
    )
    return _shape(session, edges)


def _edges(
    session: Session, request: GraphRequest, scope_ids: Select[Any]
) -> list[tuple[int, int, int]]:
    if request.of == "events":
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
        .join(e1, and_(e1.id == left.c.entity, e1.kind.in_(request.kinds)))
        .join(e2, and_(e2.id == right.c.entity, e2.kind.in_(request.kinds)))
        .group_by(left.c.entity, right.c.entity)
        .having(weight >= request.min_weight)
        .order_by(weight.desc(), left.c.entity, right.c.entity)
        .limit(request.limit)
    ).all()
    return [(int(a), int(b), int(w)) for a, b, w in rows]


def _shape(session: Session, rows: list[tuple[int, int, int]]) -> dict[str, list[dict[str, Any]]]:
    ids = {a for a, _, _ in rows} | {b for _, b, _ in rows}
    degree: dict[int, int] = {}
    for a, b, w in rows:
        degree[a] = degree.get(a, 0) + w
        degree[b] = degree.get(b, 0) + w
    entities = {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(ids)))}
    nodes = [
        {
            "id": f"e{e.id}",
            "entity_id": e.id,
            "label": e.name,
            "kind": e.kind,
            "code": e.code,
            "country": e.country,
            "weight": degree[e.id],
        }
        for e in sorted(entities.values(), key=lambda e: (-degree[e.id], e.id))
    ]
    edges = [
        {"id": f"e{a}-e{b}", "source": f"e{a}", "target": f"e{b}", "weight": w} for a, b, w in rows
    ]
    return {"nodes": nodes, "edges": edges}
