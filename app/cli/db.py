"""`defcoop db`: schema migrations."""

from typing import Annotated

import typer

from app import migrate
from app.cli.common import ensure_sqlite_dir
from app.config import Settings, get_settings
from app.db.session import make_engine

db_cli = typer.Typer(help="Database schema migrations.", no_args_is_help=True)


def current_revision(settings: Settings) -> str | None:
    """The database's revision (None before the first migration)."""
    engine = make_engine(
        settings.database_url, prepared_statements=settings.database_prepared_statements
    )
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: head)."""
    ensure_sqlite_dir(get_settings())
    migrate.upgrade(get_settings().database_url, revision)
    typer.echo(f"database at {current_revision(get_settings()) or 'base'}")


@db_cli.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="e.g. -1 or base")]) -> None:
    """Revert migrations down to REVISION."""
    migrate.downgrade(get_settings().database_url, revision)
    typer.echo(f"database at {current_revision(get_settings()) or 'base'}")


@db_cli.command("current")
def db_current() -> None:
    """Print the database's revision and the latest one."""
    settings = get_settings()
    head = migrate.head_revision(settings.database_url)
    current = current_revision(settings)
    typer.echo(f"current: {current or 'base'}\nhead:    {head}")
    if current != head:
        raise typer.Exit(1)
