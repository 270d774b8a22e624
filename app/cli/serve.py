"""`defcoop serve` and `defcoop demo`."""

from typing import Annotated

import typer

from app import migrate
from app.cli.common import ensure_sqlite_dir, require_current_schema, sample_path, say
from app.cli.ingest import ingest_paths
from app.config import get_settings
from app.db.session import make_engine


def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
    migrate_first: Annotated[
        bool, typer.Option("--migrate", help="Apply migrations before serving")
    ] = False,
) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    settings = get_settings()
    if migrate_first:
        ensure_sqlite_dir(settings)
        migrate.upgrade(settings.database_url)
    else:
        engine = make_engine(settings.database_url)
        try:
            require_current_schema(engine, settings.database_url, hint=" (or serve with --migrate)")
        finally:
            engine.dispose()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level,
    )


def demo(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
    serve_api: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve after loading")
    ] = True,
) -> None:
    """Create the database if needed, migrate it, load the sample articles and serve."""
    settings = get_settings()
    ensure_sqlite_dir(settings)
    migrate.upgrade(settings.database_url)
    ingest_paths(settings, [sample_path()], show_progress=False).print()
    base = f"http://{host or settings.host}:{port or settings.port}"
    doing = "is serving" if serve_api else "is ready (`defcoop serve`) to serve"
    say(
        f"\ndefcoop {doing} {settings.database_url} at {base}\n"
        f"  docs:     {base}/docs\n"
        f"  try:      curl '{base}/v1/articles?country=AZE&country=TUR'\n"
        f"            curl '{base}/v1/events?type=agreement'\n"
        f"            curl '{base}/v1/entities?kind=person&q=ha'\n"
        f"  writes:   need a key: defcoop keys create --name me\n"
    )
    if serve_api:
        serve(host=host, port=port, workers=1, migrate_first=False)
