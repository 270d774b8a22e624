from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.deps import EngineDep, MetricsDep, ReplicasDep, SettingsDep
from app.errors import problem_responses
from app.schemas.taxonomy import EntityKindRead, EventTypeRead, TaxonomyRead
from app.services.readiness import check_readiness, replica_report
from app.taxonomy import (
    DatePrecision,
    EventStatus,
    ParticipantRole,
    entity_kinds,
    event_types,
)

router = APIRouter(tags=["meta"])


@router.get(
    "/v1/taxonomy",
    response_model=TaxonomyRead,
    operation_id="get_taxonomy",
    summary="Event types and entity kinds",
)
def taxonomy() -> TaxonomyRead:
    return TaxonomyRead(
        event_types=[
            EventTypeRead(
                type=t.type, label=t.label, cameo_codes=list(t.cameo_codes), definition=t.definition
            )
            for t in event_types()
        ],
        entity_kinds=[
            EntityKindRead(kind=k.kind, label=k.label, definition=k.definition)
            for k in entity_kinds()
        ],
        participant_roles=[r.value for r in ParticipantRole],
        date_precisions=[p.value for p in DatePrecision],
        event_statuses=[s.value for s in EventStatus],
    )


@router.get(
    "/metrics",
    operation_id="get_metrics",
    summary="Prometheus metrics: requests and latency by route and status, ingest, extraction",
    response_class=PlainTextResponse,
)
def metrics(metrics: MetricsDep) -> PlainTextResponse:
    return PlainTextResponse(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/healthz", operation_id="get_health", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    operation_id="get_readiness",
    summary="The database answers and its schema is at the latest migration; how far the "
    "node's search index is behind (`search_index`, where the node has one)",
    description="With read replicas, `replicas` lists each as its last check found it: in "
    "rotation or not (and why), its lag in seconds and WAL bytes behind the primary",
    responses=problem_responses(503),
)
def readyz(
    request: Request, engine: EngineDep, settings: SettingsDep, replicas: ReplicasDep
) -> dict[str, Any]:
    ready = check_readiness(
        engine,
        url=settings.database_url,
        index_dir=settings.topk_directory(),
        keeper=request.app.state.index_keeper,
    )
    body: dict[str, Any] = {
        "status": "ready",
        "database": ready.database,
        "revision": ready.revision,
    }
    if replicas is not None:
        body["replicas"] = replica_report(replicas)
    if ready.search_index is not None:
        body["search_index"] = ready.search_index.as_json()
    return body
