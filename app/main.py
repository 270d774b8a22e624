"""The application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy.engine import Engine
from starlette.middleware.gzip import GZipMiddleware

from app import __version__
from app.api.routes import (
    articles,
    changes,
    dyads,
    entities,
    events,
    extract,
    meta,
    search,
    timeline,
)
from app.caching import ETagMiddleware
from app.config import Settings, get_settings
from app.db import make_engine, make_session_factory
from app.deps import ReadKey
from app.errors import install_error_handlers
from app.extraction import statistical
from app.middleware import BodyLimitMiddleware
from app.observability import RequestContextMiddleware, configure_logging, make_metrics
from app.ratelimit import RateLimitMiddleware
from app.schemas.common import Problem

DESCRIPTION = """
News about defence cooperation between states, and the structured data in it: the people,
countries, organisations, places, agreements and weapon systems each article names, and the
events it reports, each dated and backed by the sentence that says so.

Every list is cursor-paginated (`limit`, `cursor`, `next_cursor`); every error is
`application/problem+json` (RFC 9457).
"""


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the API. The lifespan owns the engine unless one is passed in (tests)."""
    settings = settings or get_settings()
    if settings.spacy_model:  # fail at start-up, not on the first article
        statistical.load_model(settings.spacy_model)
    owned = engine is None
    engine = engine or make_engine(
        settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            engine.dispose()

    app = FastAPI(
        title="defcoop",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    install_error_handlers(app)
    metrics = make_metrics()
    app.state.metrics = metrics
    configure_logging(settings.log_level)
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
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_min_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "X-API-Key",
                "Content-Type",
                "If-None-Match",
                "X-Request-ID",
            ],
            expose_headers=[
                "ETag",
                "Link",
                "Location",
                "X-Request-ID",
                "Retry-After",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
            ],
        )
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    for module in (articles, entities, events, extract, search, dyads, timeline, changes):
        app.include_router(module.router, dependencies=[ReadKey])  # open unless configured
    app.include_router(meta.router)

    original_openapi = app.openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema is None:
            schema = original_openapi()
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = (
                Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
