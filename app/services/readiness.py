"""Whether the database answers and its schema is at the latest migration."""

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Engine

from app import migrate
from app.errors import ServiceUnavailable


@dataclass(frozen=True)
class Readiness:
    database: str
    revision: str


def check_readiness(engine: Engine, *, url: str) -> Readiness:
    """The database's dialect and revision, or ServiceUnavailable saying what is wrong."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        current = migrate.current_revision(engine)
    except Exception as error:
        raise ServiceUnavailable(
            f"The database is not reachable: {type(error).__name__}."
        ) from error
    head = migrate.head_revision(url)
    if current != head:
        raise ServiceUnavailable(
            f"The database schema is at {current or 'nothing'}, not {head}: run `defcoop db upgrade`.",
            headers={"Retry-After": "30"},
        )
    return Readiness(database=engine.dialect.name, revision=current or "")
