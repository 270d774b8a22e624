"""The change feed is compacted: one row per object per transaction, written at commit, and
nothing from a savepoint that was rolled back."""

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db.changefeed import insert_created
from app.models import Change, Entity
from tests.factories import make_article, make_entity


def _feed(factory: sessionmaker[Session]) -> list[tuple[str, int, str]]:
    with factory() as session:
        rows = session.execute(
            select(Change.kind, Change.object_id, Change.action).order_by(Change.id)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_many_flushes_make_one_row_per_object(db) -> None:  # type: ignore[no-untyped-def]
    _settings, _engine, factory = db
    with factory() as session:
        article = make_article(session, 1)
        for title in ("one", "two", "three"):
            article.title = title
            session.flush()
        assert _feed(factory) == []  # nothing is written before the commit
        session.commit()
    assert _feed(factory).count(("article", article.id, "created")) == 1
    assert not [row for row in _feed(factory) if row[2] == "updated"]
    with factory() as session:
        stored = session.get(Entity, make_entity_id(factory))
        assert stored is not None
        stored.name = "Renamed"
        session.flush()
        stored.name = "Renamed again"
        session.flush()
        session.delete(stored)
        session.commit()
    assert [row for row in _feed(factory) if row[1] == stored.id and row[0] == "entity"][-1][
        2
    ] == "deleted"


def make_entity_id(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        entity = make_entity(session, kind="person", name="Ana Costa")
        session.commit()
        return entity.id


def test_a_rolled_back_savepoint_leaves_nothing_in_the_feed(db) -> None:  # type: ignore[no-untyped-def]
    _settings, _engine, factory = db
    entity_id = make_entity_id(factory)
    before = _feed(factory)
    with factory() as session:
        entity = session.get(Entity, entity_id)
        assert entity is not None
        try:
            with session.begin_nested():
                entity.name = "Not kept"
                session.flush()
                raise RuntimeError("refused")
        except RuntimeError:
            pass
        with session.begin_nested():  # a released savepoint's notes are kept
            ids = insert_created(
                session, Entity, [{"kind": "person", "name": "Kept", "key": "kept"}]
            )
        session.commit()
    assert _feed(factory)[len(before) :] == [("entity", ids[0], "created")]
