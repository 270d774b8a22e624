"""The change feed's one writer: every flush records what it created, updated and deleted, in
its transaction. It depends on the models only, so the session machinery can install it."""

from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session, sessionmaker

from app.db.base import utcnow
from app.models import (
    Article,
    Change,
    Entity,
    EntityAlias,
    Event,
    EventParticipant,
    Happening,
    Mention,
)

_KINDS: dict[type[Any], str] = {
    Article: "article",
    Entity: "entity",
    Event: "event",
    Happening: "happening",
}


def _owner(obj: Any) -> tuple[str, int | None] | None:
    """Changes to a part count as an update of the whole: a mention updates its article."""
    if isinstance(obj, Mention):
        return "article", obj.article_id
    if isinstance(obj, EntityAlias):
        return "entity", obj.entity_id
    if isinstance(obj, EventParticipant):
        return "event", obj.event_id
    return None


_PRECEDENCE = {"updated": 0, "created": 1, "deleted": 2}


def _record(session: Session, _context: Any) -> None:
    rows: dict[tuple[str, int], str] = {}

    def note(kind: str, object_id: int | None, action: str) -> None:
        if object_id is None:
            return
        known = rows.get((kind, object_id))
        if known is None or _PRECEDENCE[action] > _PRECEDENCE[known]:
            rows[(kind, object_id)] = action

    for action, objects in (
        ("created", session.new),
        ("updated", session.dirty),
        ("deleted", session.deleted),
    ):
        for obj in objects:
            kind = _KINDS.get(type(obj))
            if kind is None:
                owner = _owner(obj)
                if owner is not None:
                    note(owner[0], owner[1], "updated")
            elif action != "updated" or session.is_modified(obj, include_collections=False):
                note(kind, obj.id, action)
    if rows:
        now = utcnow()
        session.connection().execute(
            insert(Change),
            [
                {"at": now, "kind": k, "object_id": i, "action": a}
                for (k, i), a in sorted(rows.items())
            ],
        )


def insert_created(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    """Insert new rows of a fed kind (article, entity, event) in one statement, bypassing the
    unit of work, with their feed entries: the one way rows are inserted in bulk."""
    kind = _KINDS[model]
    if not rows:
        return []
    ids = list(
        session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows)
    )
    now = utcnow()
    session.execute(
        insert(Change),
        [{"at": now, "kind": kind, "object_id": i, "action": "created"} for i in ids],
    )
    return ids


def insert_parts(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert parts (mentions, participants) of objects created in this same transaction, in
    one statement: their owners' `created` entries already tell the feed."""
    if model not in (Mention, EventParticipant):
        raise TypeError(f"{model.__name__} is not a part; use insert_created")
    if rows:  # the table, not the class: the ORM's bulk path costs more per row than SQLite
        session.execute(insert(model.__table__), rows)


def track_changes(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Make every session of `factory` write the change feed."""
    # A flag on the factory itself, not event.contains(): SQLAlchemy's registry can still hold
    # an entry for a collected factory whose id a new one reuses, and then nothing would listen.
    if not getattr(factory, "_defcoop_tracks_changes", False):
        event.listen(factory, "after_flush", _record)
        factory._defcoop_tracks_changes = True  # type: ignore[attr-defined]
    return factory


def note_changes(session: Session, kind: str, ids: list[int], action: str) -> None:
    """Record changes made by statements the unit of work does not see (an UPDATE or DELETE
    written in Core), in the same transaction."""
    if kind not in _KINDS.values():
        raise ValueError(f"{kind} is not a kind the feed records")
    if ids:
        now = utcnow()
        session.execute(
            insert(Change),
            [{"at": now, "kind": kind, "object_id": i, "action": action} for i in ids],
        )
