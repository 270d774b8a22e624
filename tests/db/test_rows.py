"""insert_rows: the driver's way on SQLite and Core's way store the same rows."""

from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from app.db.rows import _driver_insert, insert_rows
from app.models import Event, EventParticipant, Mention
from tests.factories import make_article, make_entity

MENTIONS = cast(Table, Mention.__table__)


def _rows(session: Session) -> list[tuple[Any, ...]]:
    columns = [c for c in MENTIONS.c if c.name != "id"]
    return [tuple(row) for row in session.execute(select(*columns).order_by(MENTIONS.c.id))]


def test_rows_go_straight_to_sqlite_only_where_nothing_is_lost(session: Session) -> None:
    dialect = session.get_bind().dialect
    plain = _driver_insert(MENTIONS, ("article_id", "entity_id", "end"), dialect)
    assert (plain is not None) is (dialect.name == "sqlite")
    if plain is not None:
        assert '"end"' in plain  # a keyword, quoted
    # a date converts on the way in (SQLite stores text), and a role left out has a default
    assert _driver_insert(cast(Table, Event.__table__), ("id", "date_start"), dialect) is None
    assert _driver_insert(cast(Table, EventParticipant.__table__), ("event_id",), dialect) is None


def test_the_same_rows_whichever_way_they_go(session: Session) -> None:
    article = make_article(session)
    entity = make_entity(session)
    session.flush()
    row = {"article_id": article.id, "entity_id": entity.id, "start": 0, "end": 5}
    rows = [{**row, "surface": "Chile", "sentence_index": 0}, {**row, "surface": "Peru"}]
    rows[1]["sentence_index"] = None
    session.execute(insert(MENTIONS), rows)  # Core's way
    insert_rows(session, MENTIONS, rows)  # the driver's on SQLite
    stored = _rows(session)
    assert (
        stored[-4:]
        == [
            (article.id, entity.id, 0, 5, "Chile", 0),
            (article.id, entity.id, 0, 5, "Peru", None),
        ]
        * 2
    )
