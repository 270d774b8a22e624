"""Whether the database answers and its schema is at the latest migration."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app import migrate
from app.db.replicas import ReplicaSet, format_lsn
from app.errors import ServiceUnavailable
from app.services.index_keeper import IndexKeeper, IndexStatus, sqlite_status


@dataclass(frozen=True)
class Readiness:
    database: str
    revision: str
    search_index: IndexStatus | None = None  # None: no top-k index on this node


def check_readiness(
    engine: Engine,
    *,
    url: str,
    index_dir: Path | None = None,
    keeper: IndexKeeper | None = None,
) -> Readiness:
    """The database's dialect and revision, and how far the node's search index is behind,
    or ServiceUnavailable saying what is wrong. A node whose index is behind is ready: the
    database answers its searches meanwhile."""
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
    index: IndexStatus | None = None
    if keeper is not None:
        index = keeper.status()
    elif index_dir is not None and engine.dialect.name == "sqlite":
        with Session(engine) as session:
            index = sqlite_status(session, index_dir)
    return Readiness(database=engine.dialect.name, revision=current or "", search_index=index)


def replica_report(replicas: ReplicaSet) -> list[dict[str, Any]]:
    """Each read replica as its last check found it (no replica is asked now)."""
    return [
        {
            "name": state.name,
            "in_rotation": state.in_rotation,
            "reachable": state.reachable,
            "lag_seconds": state.lag_seconds,
            "behind_bytes": state.behind_bytes,
            "replayed": None if state.replayed is None else format_lsn(state.replayed),
            "reason": state.reason,
        }
        for state in replicas.states()
    ]
