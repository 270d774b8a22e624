"""The change feed's one writer, compacted: each flush notes what it created, updated and
deleted, and the transaction writes one row per object just before it commits (`created` and
`updated` in one transaction is `created`; a deletion outweighs both). Notes made inside a
savepoint that is rolled back are dropped with it. It depends on the models only, so the
session machinery can install it."""

from typing import Any

from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from app.db.base import utcnow
from app.db.rows import insert_rows
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


_NOTES = "defcoop_feed_notes"  # session.info: {transaction: {(kind, id): action}}
_RELEASED = "defcoop_feed_released"  # session.info: savepoints committed, not yet ended

Notes = dict[tuple[str, int], str]


def _notes(session: Session) -> Notes:
    """The notes of the innermost transaction (a savepoint's, else the session's)."""
    transaction = session.get_nested_transaction() or session.get_transaction()
    assert transaction is not None  # a flush or an insert runs in one
    by_transaction: dict[SessionTransaction, Notes] = session.info.setdefault(_NOTES, {})
    return by_transaction.setdefault(transaction, {})


def _note(notes: Notes, kind: str, object_id: int | None, action: str) -> None:
    if object_id is None:
        return
    known = notes.get((kind, object_id))
    if known is None or _PRECEDENCE[action] > _PRECEDENCE[known]:
        notes[(kind, object_id)] = action


def _merge(into: Notes, notes: Notes) -> None:
    for (kind, object_id), action in notes.items():
        _note(into, kind, object_id, action)


def _record(session: Session, _context: Any) -> None:
    notes = _notes(session)
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
                    _note(notes, owner[0], owner[1], "updated")
            elif action != "updated" or session.is_modified(obj, include_collections=False):
                _note(notes, kind, obj.id, action)


def _released(session: Session) -> None:
    nested = session.get_nested_transaction()
    if nested is not None:  # a savepoint released: its notes go to its parent at its end
        session.info.setdefault(_RELEASED, set()).add(nested)


def _ended(session: Session, transaction: SessionTransaction) -> None:
    by_transaction: dict[SessionTransaction, Notes] = session.info.get(_NOTES, {})
    notes = by_transaction.pop(transaction, None)
    released = transaction in session.info.get(_RELEASED, set())
    session.info.get(_RELEASED, set()).discard(transaction)
    if notes and released and transaction.parent is not None:
        _merge(by_transaction.setdefault(transaction.parent, {}), notes)


def _write(session: Session) -> None:
    """Write the transaction's notes, once, just before it commits."""
    if session.in_nested_transaction():
        return  # a savepoint released: see _released
    session.flush()  # the commit would flush after this hook: its notes must be in
    transaction = session.get_transaction()
    by_transaction: dict[SessionTransaction, Notes] = session.info.get(_NOTES, {})
    notes = by_transaction.pop(transaction, None) if transaction is not None else None
    if notes:
        now = utcnow()
        session.connection().execute(
            insert(Change),
            [
                {"at": now, "kind": k, "object_id": i, "action": a}
                for (k, i), a in sorted(notes.items())
            ],
        )


def insert_created(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    """Insert new rows of a fed kind (article, entity, event) in one statement, bypassing the
    unit of work, their feed entries noted with the flushes': the one way rows are inserted
    in bulk."""
    kind = _KINDS[model]
    if not rows:
        return []
    if session.get_bind().dialect.name == "sqlite":
        ids = _insert_numbered(session, model, rows)
    else:
        ids = list(
            session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows)
        )
    notes = _notes(session)
    for object_id in ids:
        _note(notes, kind, object_id, "created")
    return ids


def _insert_numbered(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    """SQLite: the rows inserted with the ids SQLite would give them, in one executemany.
    RETURNING in the order of the rows is not something SQLite promises, so SQLAlchemy sent
    them one statement per row (11,000 statements per 1,000 articles). A table without
    AUTOINCREMENT numbers a new row one past its largest rowid, and the writing transaction
    holds the write lock, so the next ids are known; the rows go in Core (the same column
    defaults), with every key each row names (the ORM leaves out a None)."""
    table = model.__table__
    top = session.scalar(select(func.max(table.c.id))) or 0
    ids = list(range(top + 1, top + 1 + len(rows)))
    session.execute(insert(table), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
    return ids


def insert_parts(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert parts (mentions, participants) of objects created in this same transaction, in
    one statement: their owners' `created` entries already tell the feed."""
    if model not in (Mention, EventParticipant):
        raise TypeError(f"{model.__name__} is not a part; use insert_created")
    # the table, not the class: the ORM's bulk path costs more per row than SQLite
    insert_rows(session, model.__table__, rows)


def track_changes(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Make every session of `factory` write the change feed."""
    # A flag on the factory itself, not event.contains(): SQLAlchemy's registry can still hold
    # an entry for a collected factory whose id a new one reuses, and then nothing would listen.
    if not getattr(factory, "_defcoop_tracks_changes", False):
        event.listen(factory, "after_flush", _record)
        event.listen(factory, "before_commit", _write)
        event.listen(factory, "after_commit", _released)
        event.listen(factory, "after_transaction_end", _ended)
        factory._defcoop_tracks_changes = True  # type: ignore[attr-defined]
    return factory


def note_changes(session: Session, kind: str, ids: list[int], action: str) -> None:
    """Note changes made by statements the unit of work does not see (rows inserted, updated
    or deleted in Core), with the flushes' notes of the same transaction."""
    if kind not in _KINDS.values() or action not in _PRECEDENCE:
        raise ValueError(f"the feed records no {action!r} of {kind!r}")
    notes = _notes(session)
    for object_id in ids:
        _note(notes, kind, object_id, action)
