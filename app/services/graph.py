"""A network of who appears with whom: entities as nodes, shared events or articles as edges."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, distinct, func, select
from sqlalchemy.orm import Session, aliased

from app.models import Entity, EventParticipant, Mention


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
    if request.of == "events":
        links = select(
            EventParticipant.event_id.label("unit"), EventParticipant.entity_id.label("entity")
        ).where(EventParticipant.event_id.in_(scope_ids))
    else:
        links = select(Mention.article_id.label("unit"), Mention.entity_id.label("entity")).where(
            Mention.article_id.in_(scope_ids)
        )
    pairs = links.distinct().subquery()
    left, right = aliased(pairs), aliased(pairs)
    e1, e2 = aliased(Entity), aliased(Entity)
    weight = func.count(distinct(left.c.unit))
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
    ids = {int(a) for a, _, _ in rows} | {int(b) for _, b, _ in rows}
    degree: dict[int, int] = {}
    for a, b, w in rows:
        degree[int(a)] = degree.get(int(a), 0) + int(w)
        degree[int(b)] = degree.get(int(b), 0) + int(w)
    entities = {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(ids)))}
    nodes = [
        {
            "id": f"e{e.id}",
            "entity_id": e.id,
            "label": e.name,
            "kind": e.kind,
            "code": e.code,
            "country": e.country_code,
            "weight": degree[e.id],
        }
        for e in sorted(entities.values(), key=lambda e: (-degree[e.id], e.id))
    ]
    edges = [
        {"id": f"e{a}-e{b}", "source": f"e{a}", "target": f"e{b}", "weight": int(w)}
        for a, b, w in rows
    ]
    return {"nodes": nodes, "edges": edges}
