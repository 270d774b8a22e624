from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import SessionDep, check_range
from app.errors import InvalidParameter, problem_responses
from app.schemas.common import Day
from app.schemas.relations import Graph, GraphEdge, GraphNode, Unit
from app.services.event import EventFilters
from app.services.filters import country_codes
from app.services.graph import graph
from app.taxonomy import EntityKind, EventType

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
    of: Annotated[Unit, Query(description="Shared events or shared articles")] = Unit.events,
    kinds: Annotated[
        str, Query(max_length=100, description="Comma-separated entity kinds")
    ] = "country,person,organization",
    type: Annotated[EventType | None, Query()] = None,
    country: Annotated[list[str] | None, Query(max_length=10)] = None,
    date_from: Annotated[Day | None, Query()] = None,
    date_to: Annotated[Day | None, Query()] = None,
    min_weight: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    limit: Annotated[
        int, Query(ge=1, le=1000, description="Most edges returned, heaviest first")
    ] = 200,
) -> Graph:
    wanted = _kinds(kinds)
    check_range(date_from, date_to, ("date_from", "date_to"))
    filters = EventFilters(
        type=type, countries=country_codes(country), date_from=date_from, date_to=date_to
    )
    found = graph(
        session, unit=of, kinds=wanted, filters=filters, min_weight=min_weight, limit=limit
    )
    return Graph(
        nodes=[GraphNode.model_validate(n) for n in found.nodes],
        edges=[GraphEdge.model_validate(e) for e in found.edges],
    )
