"""The application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.middleware.gzip import GZipMiddleware

from app import __version__
from app.api.auth import ReadKey
from app.api.routes import (
    articles,
    changes,
    countries,
    dyads,
    entities,
    events,
    explorer,
    extract,
    graph,
    happenings,
    meta,
    search,
    timeline,
)
from app.config import Settings, get_settings
from app.db.replicas import ReplicaSet
from app.db.session import make_engine, make_session_factory
from app.errors import install_error_handlers
from app.extraction import statistical
from app.http.body_limit import BodyLimitMiddleware
from app.http.commit_token import CommitTokenMiddleware
from app.http.etag import ETagMiddleware
from app.http.methods import MethodsMiddleware
from app.http.observability import (
    Metrics,
    RequestContextMiddleware,
    configure_logging,
    make_metrics,
    watch_search_index,
)
from app.http.ratelimit import RateLimitMiddleware
from app.http.replica_metrics import ReplicaCollector
from app.openapi import complete_openapi
from app.services.index_keeper import IndexKeeper, start_keeper, stop_keeper
from app.services.workers import SharedPool, default_workers

DESCRIPTION = """
News about defence cooperation between states, and the structured data in it: the people,
countries, organisations, places, agreements and weapon systems each article names, and the
events it reports, each dated and backed by the sentence that says so.

Every list is cursor-paginated (`limit`, `cursor`, `next_cursor`, and a `Link` header); every
error is `application/problem+json` (RFC 9457), with the offending field in `errors`.

Writes need an API key (`Authorization: Bearer <key>` or `X-API-Key`; **Authorize** above);
reads too when the server sets `DEFCOOP_REQUIRE_READ_KEY`. Every GET also answers HEAD, and
OPTIONS lists a path's methods in `Allow`.
"""

SWAGGER_UI_VERSION = "5.35.0"  # vendored under app/static/swagger-ui (no CDN at run time)
STATIC = Path(__file__).resolve().parent / "static"


# The primary's pooled connections are pinged before use only after lying idle this long
# (app.db.session.make_engine); a replica's always are, so that a stopped one falls through
# to the next at once.
PING_AFTER_IDLE_S = 1.0


def operation_id(route: APIRoute) -> str:
    """Operation ids are the route names (list_articles, create_article, ...), so generated
    clients get readable method names."""
    return route.name


def _serve_docs(app: FastAPI) -> None:
    """/docs from the vendored Swagger UI files: it works offline."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - API docs",
            swagger_js_url=f"{root}/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url=f"{root}/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url=f"{root}/static/swagger-ui/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
        )


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the API. The lifespan owns the engine unless one is passed in (tests)."""
    settings = settings or get_settings()
    if settings.spacy_model:  # fail at start-up, not on the first article
        statistical.load_model(settings.spacy_model)
    owned = engine is None
    engine = engine or make_engine(
        settings.database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        prepared_statements=settings.database_prepared_statements,
        ping_after_idle_s=PING_AFTER_IDLE_S,
    )

    # bulk requests of more than one chunk extract in these processes (started on first use)
    workers = settings.bulk_workers
    bulk_pool = SharedPool(default_workers() if workers is None else workers)
    replicas = _replicas(settings, engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if replicas is not None:
            replicas.start()
        keeper = _keep_search_index(settings, engine, metrics)
        app.state.index_keeper = keeper
        yield
        if keeper is not None:
            stop_keeper(keeper)
        if replicas is not None:
            replicas.stop()
        bulk_pool.shutdown()
        if owned:
            engine.dispose()

    app = FastAPI(
        title="defcoop",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by _serve_docs, from the package
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.bulk_pool = bulk_pool
    app.state.session_factory = make_session_factory(engine)
    app.state.replicas = replicas
    app.state.index_keeper = None
    install_error_handlers(app)
    metrics = make_metrics()
    app.state.metrics = metrics
    configure_logging(settings.log_level)
    _install_middleware(app, settings, metrics)
    if replicas is not None:
        metrics.registry.register(ReplicaCollector(replicas))
        app.add_middleware(CommitTokenMiddleware)
    for module in ROUTERS:
        app.include_router(module.router, dependencies=[ReadKey])  # open unless configured
    app.include_router(meta.router)
    _serve_docs(app)
    app.include_router(explorer.router)  # the browser front end: static, over /v1 like any client
    _document_problems(app, settings)
    return app


def _replicas(settings: Settings, primary: Engine) -> ReplicaSet | None:
    """The read replicas (checked from the app's start to its end), or None without any."""
    if not settings.database_replica_urls:
        return None
    return ReplicaSet(
        settings.database_replica_urls,
        primary=primary,
        max_lag_s=settings.replica_max_lag_seconds,
        check_every_s=settings.replica_check_interval_s,
        connect_timeout_s=settings.replica_connect_timeout_s,
        prepared_statements=settings.database_prepared_statements,
    )


def _keep_search_index(settings: Settings, engine: Engine, metrics: Metrics) -> IndexKeeper | None:
    """On PostgreSQL, this node's top-k index, fed in the background from start-up (a node that
    starts with none builds it meanwhile); its lag in /metrics."""
    directory = settings.topk_directory()
    if directory is None or engine.dialect.name != "postgresql":
        return None
    keeper = start_keeper(engine, directory, poll_s=settings.search_index_poll_s)
    watch_search_index(metrics, keeper.status)
    return keeper


ROUTERS = (
    articles,
    entities,
    events,
    happenings,
    extract,
    search,
    dyads,
    countries,
    timeline,
    graph,
    changes,
)

CORS_METHODS = ["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"]
CORS_REQUEST_HEADERS = [
    "Authorization",
    "X-API-Key",
    "Content-Type",
    "If-None-Match",
    "X-Request-ID",
    "X-Commit-Token",
]
CORS_EXPOSED_HEADERS = [
    "ETag",
    "Link",
    "Location",
    "X-Request-ID",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "X-Commit-Token",
]


# Starlette's default is 9: on a page of 20 search hits (30 kB) that took 2.2 ms, level 5 0.7,
# for an answer 0.5 % larger
GZIP_LEVEL = 5


def _install_middleware(app: FastAPI, settings: Settings, metrics: Metrics) -> None:
    """The ASGI stack around the routes."""
    # Added innermost first: request ids and logs see everything, CORS answers preflights,
    # gzip compresses what the ETag layer has tagged, and the body cap guards the routes.
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        per_path={"/v1/extract": settings.max_extract_bytes},  # keyless: a smaller page
    )
    app.add_middleware(ETagMiddleware, cache_control=settings.cache_control)
    app.add_middleware(
        RateLimitMiddleware, reads=settings.rate_limit_reads, writes=settings.rate_limit_writes
    )
    app.add_middleware(
        GZipMiddleware, minimum_size=settings.gzip_min_bytes, compresslevel=GZIP_LEVEL
    )
    app.add_middleware(MethodsMiddleware, paths=lambda: app.openapi()["paths"])
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=CORS_METHODS,
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_EXPOSED_HEADERS,
        )
    app.add_middleware(RequestContextMiddleware, metrics=metrics)


def _document_problems(app: FastAPI, settings: Settings) -> None:
    """The OpenAPI document, completed once with what the routes cannot say (app.openapi)."""
    original_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete_openapi(original_openapi(), settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
