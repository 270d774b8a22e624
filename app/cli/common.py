"""What the commands share: the console, the engine's lifecycle, progress bars."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app import migrate
from app.config import Settings, get_settings
from app.db.session import make_engine, make_session_factory, session_scope

T = TypeVar("T")

console = Console(stderr=True)


@contextmanager
def open_factory(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """A session factory on a new engine, disposed of afterwards."""
    engine = make_engine(
        settings.database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        prepared_statements=settings.database_prepared_statements,
    )
    try:
        require_current_schema(engine, settings.database_url)
        yield make_session_factory(engine)
    finally:
        engine.dispose()


def require_current_schema(engine: Engine, url: str, *, hint: str = "") -> None:
    """Stop the command, saying what to do, when the database cannot be reached or its schema
    is not this version's: otherwise the first statement fails deep inside with "no such
    table" and a traceback."""
    try:
        current = migrate.current_revision(engine)
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error  # the driver's own words, without SQL
        where = engine.url.render_as_string()
        say(f"Cannot open the database {where}: {type(error).__name__}: {cause}")
        raise typer.Exit(2) from error
    head = migrate.head_revision(url)
    if current != head:
        say(
            f"The database {engine.url.render_as_string()} is at schema revision "
            f"{current or 'none (it is empty)'}, not {head}: run `defcoop db upgrade` first{hint}."
        )
        raise typer.Exit(2)


def with_session(work: Callable[[Session], T]) -> T:
    """The result of `work` in one committed transaction of the configured database."""
    with open_factory(get_settings()) as factory, session_scope(factory) as session:
        return work(session)


def progress(label: str, *, disable: bool = False) -> Progress:
    """A progress bar on stderr: label, bar, done of total, time elapsed."""
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=console, disable=disable)


def say(text: str) -> None:
    """Print to stderr as given (no markup, no highlighting, long lines kept whole)."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def ensure_sqlite_dir(settings: Settings) -> None:
    """Create the folder of a SQLite database file, so that migrating can create the file."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def sample_path() -> Path:
    """The sample articles shipped with the package."""
    return Path(str(resources.files("app").joinpath("data/samples/articles.jsonl")))
