"""Request ids, one structured log line per request, and Prometheus metrics.

Every response carries `X-Request-ID` (the client's, when it is a sane token, else a new one).
Each request logs one JSON line (method, path, route, status, duration, request id) on the
`defcoop.access` logger; `/metrics` exposes counters and latency histograms by route and status.
"""

import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.methods import ROUTE_KEY
from app.services.index_keeper import IndexState, IndexStatus

ACCESS_LOG = "defcoop.access"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


@dataclass(frozen=True)
class Metrics:
    """The application's metrics, in a registry of its own (one per app, not per process)."""

    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    articles_ingested: Counter
    extraction_seconds: Histogram


def make_metrics() -> Metrics:
    registry = CollectorRegistry()
    return Metrics(
        registry=registry,
        requests=Counter(
            "defcoop_requests", "HTTP requests", ["method", "route", "status"], registry=registry
        ),
        latency=Histogram(
            "defcoop_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        ),
        articles_ingested=Counter(
            "defcoop_articles_ingested", "Articles stored", ["status"], registry=registry
        ),
        extraction_seconds=Histogram(
            "defcoop_extraction_seconds",
            "Time to extract one article",
            registry=registry,
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
        ),
    )


def watch_search_index(metrics: Metrics, status: Callable[[], IndexStatus]) -> None:
    """Gauges of this node's top-k index, read from its keeper at each scrape (no query)."""
    registry = metrics.registry
    Gauge(
        "defcoop_search_index_documents_behind",
        "Changes to articles and events the node's search index has not applied",
        registry=registry,
    ).set_function(lambda: status().documents_behind)
    Gauge(
        "defcoop_search_index_seconds_behind",
        "Age of the oldest change the node's search index has not applied",
        registry=registry,
    ).set_function(lambda: status().seconds_behind)
    Gauge(
        "defcoop_search_index_in_step",
        "1 while searches use the node's index, 0 while the database answers",
        registry=registry,
    ).set_function(lambda: float(status().state is IndexState.in_step))


def configure_logging(level: str) -> None:
    """JSON lines on stderr for the access log."""
    logger = logging.getLogger(ACCESS_LOG)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter("%(message)s", timestamp=True))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(level.upper() if level.upper() in logging._nameToLevel else "INFO")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.log = logging.getLogger(ACCESS_LOG)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = [500]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message["headers"] = [
                    *[
                        (k, v)
                        for k, v in message.get("headers", [])
                        if k.lower() != b"x-request-id"
                    ],
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route(scope)
            method = scope.get("method", "")
            self.metrics.requests.labels(method, route, str(status[0])).inc()
            self.metrics.latency.labels(method, route).observe(elapsed)
            self.log.info(
                "request",
                extra={
                    "method": method,
                    "path": scope.get("path", ""),
                    "route": route,
                    "status": status[0],
                    "duration_ms": round(elapsed * 1000, 2),
                    "request_id": request_id,
                },
            )


def _route(scope: Scope) -> str:
    """The route's path template; for answers given before routing (429, 413, 405), the one
    MethodsMiddleware matched; "unmatched" for paths no route has."""
    route: Any = scope.get("route")
    return str(getattr(route, "path", None) or scope.get(ROUTE_KEY) or "unmatched")
