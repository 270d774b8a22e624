"""Events per entity, type and year, kept by triggers: a country's profile counts read by key.

Counting a state's events by type and year from the rows reads every event it takes part in
(tens of thousands at a million articles). `entity_year_count` holds those counts, kept the way
`pair_year_count` is (migration 0006): a participant row counts only if it is the entity's
first in the event (no earlier row of the same entity), its deletion subtracts only if it was
the entity's last, and an event's new type or date moves its entities' counts. Year 0 is an
undated event. The upgrade fills the table from the rows already there.

Revision ID: 0010_entity_year_count
Revises: 0009_pair_event
Create Date: 2026-11-30 09:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_entity_year_count"
down_revision: str | None = "0009_pair_event"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_YEAR = "coalesce(CAST(strftime('%Y', {0}) AS INTEGER), 0)"
POSTGRES_YEAR = "coalesce(CAST(extract(year FROM {0}) AS INTEGER), 0)"

_ADD = """INSERT INTO entity_year_count(entity_id, type, year, n)
        SELECT {entity}, e.type, {year}, 1 FROM event e WHERE e.id = {event}
        ON CONFLICT (entity_id, type, year) DO UPDATE SET n = entity_year_count.n + 1"""
_SUBTRACT = """UPDATE entity_year_count SET n = n - 1
        WHERE entity_id = {entity} AND (type, year) IN (
            SELECT e.type, {year} FROM event e WHERE e.id = {event})"""
# An event's new type or date: its distinct entities move from the old key to the new.
_MOVE = """UPDATE entity_year_count SET n = n - 1
        WHERE type = OLD.type AND year = {old_year} AND entity_id IN (
            SELECT entity_id FROM event_participant WHERE event_id = OLD.id);
        INSERT INTO entity_year_count(entity_id, type, year, n)
        SELECT DISTINCT entity_id, NEW.type, {new_year}, 1
        FROM event_participant WHERE event_id = NEW.id
        ON CONFLICT (entity_id, type, year) DO UPDATE SET n = entity_year_count.n + 1"""


def _statements(year: str) -> dict[str, str]:
    return {
        "add": _ADD.format(
            entity="NEW.entity_id", event="NEW.event_id", year=year.format("e.date_start")
        ),
        "subtract": _SUBTRACT.format(
            entity="OLD.entity_id", event="OLD.event_id", year=year.format("e.date_start")
        ),
        "move": _MOVE.format(
            old_year=year.format("OLD.date_start"), new_year=year.format("NEW.date_start")
        ),
    }


_SQLITE = _statements(SQLITE_YEAR)
_POSTGRES = _statements(POSTGRES_YEAR)

# (+o.id keeps SQLite on the (event, entity) index, as in migration 0006.)
SQLITE_UP = [
    f"""CREATE TRIGGER entity_year_count_insert AFTER INSERT ON event_participant
    WHEN NOT EXISTS (SELECT 1 FROM event_participant o WHERE o.event_id = NEW.event_id
                     AND o.entity_id = NEW.entity_id AND +o.id < NEW.id) BEGIN
        {_SQLITE["add"]};
    END""",
    f"""CREATE TRIGGER entity_year_count_delete BEFORE DELETE ON event_participant
    WHEN NOT EXISTS (SELECT 1 FROM event_participant o WHERE o.event_id = OLD.event_id
                     AND o.entity_id = OLD.entity_id AND +o.id <> OLD.id) BEGIN
        {_SQLITE["subtract"]};
    END""",
    f"""CREATE TRIGGER entity_year_count_update AFTER UPDATE OF date_start, type ON event BEGIN
        {_SQLITE["move"]};
    END""",
]
SQLITE_TRIGGERS = [
    "entity_year_count_insert",
    "entity_year_count_delete",
    "entity_year_count_update",
]

POSTGRES_UP = [
    f"""CREATE FUNCTION defcoop_entity_year_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM event_participant o WHERE o.event_id = NEW.event_id
                       AND o.entity_id = NEW.entity_id AND o.id < NEW.id) THEN
            {_POSTGRES["add"]};
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER entity_year_count_insert AFTER INSERT ON event_participant
    FOR EACH ROW EXECUTE FUNCTION defcoop_entity_year_insert()""",
    # BEFORE, row by row: each deleted row still sees the rows the statement has not reached
    f"""CREATE FUNCTION defcoop_entity_year_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM event_participant o WHERE o.event_id = OLD.event_id
                       AND o.entity_id = OLD.entity_id AND o.id <> OLD.id) THEN
            {_POSTGRES["subtract"]};
        END IF;
        RETURN OLD;
    END $$""",
    """CREATE TRIGGER entity_year_count_delete BEFORE DELETE ON event_participant
    FOR EACH ROW EXECUTE FUNCTION defcoop_entity_year_delete()""",
    f"""CREATE FUNCTION defcoop_entity_year_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_POSTGRES["move"]};
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER entity_year_count_update AFTER UPDATE OF date_start, type ON event
    FOR EACH ROW EXECUTE FUNCTION defcoop_entity_year_update()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS entity_year_count_update ON event",
    "DROP TRIGGER IF EXISTS entity_year_count_delete ON event_participant",
    "DROP TRIGGER IF EXISTS entity_year_count_insert ON event_participant",
    "DROP FUNCTION IF EXISTS defcoop_entity_year_update()",
    "DROP FUNCTION IF EXISTS defcoop_entity_year_delete()",
    "DROP FUNCTION IF EXISTS defcoop_entity_year_insert()",
]

BACKFILL = """INSERT INTO entity_year_count(entity_id, type, year, n)
    SELECT taking_part.entity_id, e.type, {year}, count(*)
    FROM (SELECT DISTINCT event_id, entity_id FROM event_participant) AS taking_part
    JOIN event e ON e.id = taking_part.event_id
    GROUP BY taking_part.entity_id, e.type, {year}"""


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "entity_year_count",
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", "type", "year", name=op.f("pk_entity_year_count")),
        sqlite_with_rowid=False,
    )
    year = (SQLITE_YEAR if sqlite else POSTGRES_YEAR).format("e.date_start")
    op.execute(BACKFILL.format(year=year))
    for statement in SQLITE_UP if sqlite else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for statement in POSTGRES_DOWN:
            op.execute(statement)
    op.drop_table("entity_year_count")
