from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.deps import EventScopeDep, SessionDep, limit_of
from app.errors import InvalidParameter, problem_responses
from app.schemas.filters import MAX_STATES, EventFilters
from app.schemas.relations import Graph, GraphEdge, GraphNode, Unit
from app.services.graph import graph
from app.taxonomy import EntityKind

router = APIRouter(prefix="/v1", tags=["relations"])


def _kinds(kinds: str) -> tuple[str, ...]:
    """The entity kinds of a comma-separated list; a 400 naming `kinds` for any other."""
    wanted = tuple(k.strip() for k in kinds.split(",") if k.strip())
    unknown = [k for k in wanted if k not in EntityKind.__members__]
    if unknown or not wanted:
        raise InvalidParameter("kinds", f"use some of {', '.join(EntityKind)}")
    return wanted


@router.get(
    "/graph",
    response_model=Graph,
    summary="Who appears with whom: nodes and weighted edges for graph libraries",
    responses=problem_responses(400, 422),
)
def get_graph(
    session: SessionDep,
    scope: EventScopeDep,
    limit: Annotated[
        int,
        Depends(
            limit_of(
                200,
                1000,
                description="Most edges returned, heaviest first "
                "(default {default}, clamped to {maximum})",
            )
        ),
    ],
    of: Annotated[Unit, Query(description="Shared events or shared articles")] = Unit.events,
    kinds: Annotated[
        str, Query(max_length=100, description="Comma-separated entity kinds")
    ] = "country,person,organization",
    country: Annotated[list[str] | None, Query(max_length=MAX_STATES)] = None,
    min_weight: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Graph:
    wanted = _kinds(kinds)
    filters = EventFilters(
        type=scope.type,
        country=country or (),
        date_from=scope.date_from,
        date_to=scope.date_to,
        count=scope.count,
    )
    found = graph(
        session, unit=of, kinds=wanted, filters=filters, min_weight=min_weight, limit=limit
    )
    return Graph(
        nodes=[GraphNode.model_validate(n) for n in found.nodes],
        edges=[GraphEdge.model_validate(e) for e in found.edges],
    )
