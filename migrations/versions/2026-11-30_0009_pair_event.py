"""The events of each pair of states, kept by triggers, so a pair's lists are read by key.

A dyad profile lists a pair's first, last, recent events and agreements. Found from the
events' own indexes, that means walking events by date and checking both states for each,
which costs most for the rarest pairs. `pair_event` holds one row per event and pair of
distinct country codes taking part (a < b), with the event's type and date, indexed by pair
then date (and pair, type, date).

Triggers: a country's participant row adds the pairs with the event's other countries
(already there: nothing); its removal takes them away unless another row of the event names
the same country; an event's new type or date is copied to its rows. Deleting an event first
deletes its participants (migration 0006), so its rows go with them. The upgrade fills the
table from the rows already there.

Revision ID: 0009_pair_event
Revises: 0008_summary_without_rowid
Create Date: 2026-11-30 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_pair_event"
down_revision: str | None = "0008_summary_without_rowid"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The pairs of country codes of one event's participants, each once (a < b).
PAIRS = """SELECT DISTINCT p.event_id, x.code AS a, y.code AS b
    FROM event_participant p JOIN entity x ON x.id = p.entity_id
    JOIN event_participant q ON q.event_id = p.event_id JOIN entity y ON y.id = q.entity_id
    WHERE x.kind = 'country' AND y.kind = 'country' AND x.code < y.code"""

BACKFILL = f"""INSERT INTO pair_event(event_id, a, b, type, date_start)
    SELECT pairs.event_id, pairs.a, pairs.b, e.type, e.date_start
    FROM ({PAIRS}) AS pairs JOIN event e ON e.id = pairs.event_id"""

# NEW's country code, and the other countries of its event (each statement is run for a row).
_ADD = """INSERT INTO pair_event(event_id, a, b, type, date_start)
        SELECT DISTINCT e.id, {least}(c.code, n.code), {greatest}(c.code, n.code), e.type,
               e.date_start
        FROM entity n, event e, event_participant q JOIN entity c ON c.id = q.entity_id
        WHERE n.id = NEW.entity_id AND e.id = NEW.event_id AND q.event_id = NEW.event_id
          AND c.kind = 'country' AND c.code IS NOT NULL AND c.code <> n.code
        ON CONFLICT DO NOTHING"""
_OWN_CODE = "(SELECT code FROM entity WHERE id = OLD.entity_id AND kind = 'country')"
_LAST_OF_CODE = f"""NOT EXISTS (
        SELECT 1 FROM event_participant o JOIN entity c ON c.id = o.entity_id
        WHERE o.event_id = OLD.event_id AND {{other}} AND c.kind = 'country'
          AND c.code = {_OWN_CODE})"""
_REMOVE = f"""DELETE FROM pair_event WHERE event_id = OLD.event_id
        AND {_OWN_CODE} IN (a, b)"""
_RETYPE = """UPDATE pair_event SET type = NEW.type, date_start = NEW.date_start
        WHERE event_id = NEW.id"""

SQLITE_UP = [
    f"""CREATE TRIGGER pair_event_insert AFTER INSERT ON event_participant
    WHEN (SELECT code FROM entity WHERE id = NEW.entity_id AND kind = 'country') IS NOT NULL
    BEGIN
        {_ADD.format(least="min", greatest="max")};
    END""",
    # +o.id: stay on the (event, entity) index rather than read an id range
    f"""CREATE TRIGGER pair_event_delete BEFORE DELETE ON event_participant
    WHEN {_OWN_CODE} IS NOT NULL AND {_LAST_OF_CODE.format(other="+o.id <> OLD.id")} BEGIN
        {_REMOVE};
    END""",
    f"""CREATE TRIGGER pair_event_update AFTER UPDATE OF date_start, type ON event BEGIN
        {_RETYPE};
    END""",
]
SQLITE_TRIGGERS = ["pair_event_insert", "pair_event_delete", "pair_event_update"]

POSTGRES_UP = [
    f"""CREATE FUNCTION defcoop_pair_event_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM entity WHERE id = NEW.entity_id AND kind = 'country'
                   AND code IS NOT NULL) THEN
            {_ADD.format(least="least", greatest="greatest")};
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER pair_event_insert AFTER INSERT ON event_participant
    FOR EACH ROW EXECUTE FUNCTION defcoop_pair_event_insert()""",
    # BEFORE, row by row: each deleted row still sees the rows the statement has not reached
    f"""CREATE FUNCTION defcoop_pair_event_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF {_OWN_CODE} IS NOT NULL AND {_LAST_OF_CODE.format(other="o.id <> OLD.id")} THEN
            {_REMOVE};
        END IF;
        RETURN OLD;
    END $$""",
    """CREATE TRIGGER pair_event_delete BEFORE DELETE ON event_participant
    FOR EACH ROW EXECUTE FUNCTION defcoop_pair_event_delete()""",
    f"""CREATE FUNCTION defcoop_pair_event_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_RETYPE};
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER pair_event_update AFTER UPDATE OF date_start, type ON event
    FOR EACH ROW EXECUTE FUNCTION defcoop_pair_event_update()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS pair_event_update ON event",
    "DROP TRIGGER IF EXISTS pair_event_delete ON event_participant",
    "DROP TRIGGER IF EXISTS pair_event_insert ON event_participant",
    "DROP FUNCTION IF EXISTS defcoop_pair_event_update()",
    "DROP FUNCTION IF EXISTS defcoop_pair_event_delete()",
    "DROP FUNCTION IF EXISTS defcoop_pair_event_insert()",
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "pair_event",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("a", sa.String(length=3), nullable=False),
        sa.Column("b", sa.String(length=3), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("date_start", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("event_id", "a", "b", name=op.f("pk_pair_event")),
        sqlite_with_rowid=False,
    )
    op.execute(BACKFILL)
    # indexes after the rows: built in one sort rather than row by row
    op.create_index("ix_pair_event_date", "pair_event", ["a", "b", "date_start", "event_id"])
    op.create_index(
        "ix_pair_event_type_date", "pair_event", ["a", "b", "type", "date_start", "event_id"]
    )
    for statement in SQLITE_UP if sqlite else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for statement in POSTGRES_DOWN:
            op.execute(statement)
    op.drop_index("ix_pair_event_type_date", table_name="pair_event")
    op.drop_index("ix_pair_event_date", table_name="pair_event")
    op.drop_table("pair_event")
