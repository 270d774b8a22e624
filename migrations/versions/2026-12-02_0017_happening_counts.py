"""Happenings counted beside events: an `h` column next to each event count (issue 14).

Counting happenings is counting the events that lead them (`event.is_lead`, migration 0015),
so `event_day_count`, `pair_year_count` and `entity_year_count` each gain `h`, the part of `n`
that leads. The triggers of migrations 0006 and 0010 that keep `n` are replaced by ones that
keep both in the same statements, and that also fire when `is_lead` changes: a change of type,
date or lead takes the event's old contribution (1, and 1 or 0) from its old key and adds its
new one to its new key. A participant row adds or subtracts the lead of its event as it is
then. `pair_event` needs no flag: every read of it joins the event by key, where `is_lead` is.

The downgrade puts back the triggers of 0006 and 0010 as those revisions wrote them (read
from their modules) and drops the columns. The upgrade fills `h` from the rows already there.

Revision ID: 0017_happening_counts
Revises: 0016_happenings
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence
from types import ModuleType

import sqlalchemy as sa
from alembic import context, op

revision: str = "0017_happening_counts"
down_revision: str | None = "0016_happenings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("event_day_count", "pair_year_count", "entity_year_count")
SQLITE_YEAR = "coalesce(CAST(strftime('%Y', {0}) AS INTEGER), 0)"
POSTGRES_YEAR = "coalesce(CAST(extract(year FROM {0}) AS INTEGER), 0)"
LEAD = "CASE WHEN {0}.is_lead THEN 1 ELSE 0 END"  # 1 for a leading event (boolean or 0/1)
OLD_LEAD, NEW_LEAD = LEAD.format("OLD"), LEAD.format("NEW")
EVENT_LEAD = f"(SELECT {LEAD.format('e')} FROM event e WHERE e.id = OLD.event_id)"

# The pairs of the distinct entities of one event, each once (a < b), as in migration 0006.
PAIRS = """SELECT DISTINCT p.entity_id AS a, q.entity_id AS b
    FROM event_participant p JOIN event_participant q
      ON q.event_id = p.event_id AND q.entity_id > p.entity_id
    WHERE p.event_id = {0}"""


def _add(table: str, key: str) -> str:
    """The upsert clause adding a row's n (1) and h (its lead) to `table`'s key."""
    return f"""ON CONFLICT ({key}) DO UPDATE SET n = {table}.n + 1,
            h = {table}.h + excluded.h"""


_DAY_ADD = _add("event_day_count", "day, type")
_PAIR_ADD = _add("pair_year_count", "entity_a, entity_b, type, year")
_ENTITY_ADD = _add("entity_year_count", "entity_id, type, year")


def _statements(year: str, least: str, greatest: str) -> dict[str, str]:
    """The trigger bodies, one dialect's year and min/max functions filled in."""
    old_year, new_year, e_year = (year.format(f"{row}.date_start") for row in ("OLD", "NEW", "e"))
    return {
        "day_add": f"""INSERT INTO event_day_count(day, type, n, h)
            VALUES (NEW.date_start, NEW.type, 1, {NEW_LEAD}) {_DAY_ADD}""",
        "day_subtract": f"""UPDATE event_day_count SET n = n - 1, h = h - {OLD_LEAD}
            WHERE day = OLD.date_start AND type = OLD.type""",
        "day_move": f"""UPDATE event_day_count SET n = n - 1, h = h - {OLD_LEAD}
            WHERE OLD.date_start IS NOT NULL AND day = OLD.date_start AND type = OLD.type;
        INSERT INTO event_day_count(day, type, n, h)
            SELECT NEW.date_start, NEW.type, 1, {NEW_LEAD} WHERE NEW.date_start IS NOT NULL
            {_DAY_ADD}""",
        "pair_move": f"""UPDATE pair_year_count SET n = n - 1, h = h - {OLD_LEAD}
            WHERE (entity_a, entity_b, type, year) IN (
                SELECT a, b, OLD.type, {old_year} FROM ({PAIRS.format("OLD.id")}) AS pairs);
        INSERT INTO pair_year_count(entity_a, entity_b, type, year, n, h)
            SELECT a, b, NEW.type, {new_year}, 1, {NEW_LEAD}
            FROM ({PAIRS.format("NEW.id")}) AS pairs WHERE true
            {_PAIR_ADD}""",
        "pair_add": f"""INSERT INTO pair_year_count(entity_a, entity_b, type, year, n, h)
            SELECT DISTINCT {least}(q.entity_id, NEW.entity_id),
                   {greatest}(q.entity_id, NEW.entity_id), e.type, {e_year}, 1, {LEAD.format("e")}
            FROM event_participant q JOIN event e ON e.id = q.event_id
            WHERE q.event_id = NEW.event_id AND q.entity_id <> NEW.entity_id AND q.id < NEW.id
            {_PAIR_ADD}""",
        "pair_subtract": f"""UPDATE pair_year_count SET n = n - 1, h = h - {EVENT_LEAD}
            WHERE (entity_a, entity_b, type, year) IN (
                SELECT DISTINCT {least}(q.entity_id, OLD.entity_id),
                       {greatest}(q.entity_id, OLD.entity_id), e.type, {e_year}
                FROM event_participant q JOIN event e ON e.id = q.event_id
                WHERE q.event_id = OLD.event_id AND q.entity_id <> OLD.entity_id)""",
        "entity_add": f"""INSERT INTO entity_year_count(entity_id, type, year, n, h)
            SELECT NEW.entity_id, e.type, {e_year}, 1, {LEAD.format("e")}
            FROM event e WHERE e.id = NEW.event_id
            {_ENTITY_ADD}""",
        "entity_subtract": f"""UPDATE entity_year_count SET n = n - 1, h = h - {EVENT_LEAD}
            WHERE entity_id = OLD.entity_id AND (type, year) IN (
                SELECT e.type, {e_year} FROM event e WHERE e.id = OLD.event_id)""",
        "entity_move": f"""UPDATE entity_year_count SET n = n - 1, h = h - {OLD_LEAD}
            WHERE type = OLD.type AND year = {old_year} AND entity_id IN (
                SELECT entity_id FROM event_participant WHERE event_id = OLD.id);
        INSERT INTO entity_year_count(entity_id, type, year, n, h)
            SELECT DISTINCT entity_id, NEW.type, {new_year}, 1, {NEW_LEAD}
            FROM event_participant WHERE event_id = NEW.id
            {_ENTITY_ADD}""",
    }


_SQLITE = _statements(SQLITE_YEAR, "min", "max")
_POSTGRES = _statements(POSTGRES_YEAR, "least", "greatest")

# The entity's first row in the event (insert) or its last (delete); +o.id keeps SQLite on the
# (event, entity) index, as in migration 0006.
_FIRST = """NOT EXISTS (SELECT 1 FROM event_participant o WHERE o.event_id = NEW.event_id
                     AND o.entity_id = NEW.entity_id AND {plus}o.id < NEW.id)"""
_LAST = """NOT EXISTS (SELECT 1 FROM event_participant o WHERE o.event_id = OLD.event_id
                     AND o.entity_id = OLD.entity_id AND {plus}o.id <> OLD.id)"""
_MOVED = "date_start, type, is_lead"

SQLITE_UP = {
    "event_day_count_insert": f"""CREATE TRIGGER event_day_count_insert AFTER INSERT ON event
    WHEN NEW.date_start IS NOT NULL BEGIN
        {_SQLITE["day_add"]};
    END""",
    "event_day_count_delete": f"""CREATE TRIGGER event_day_count_delete AFTER DELETE ON event
    WHEN OLD.date_start IS NOT NULL BEGIN
        {_SQLITE["day_subtract"]};
    END""",
    "event_day_count_update": f"""CREATE TRIGGER event_day_count_update
    AFTER UPDATE OF {_MOVED} ON event BEGIN
        {_SQLITE["day_move"]};
        {_SQLITE["pair_move"]};
    END""",
    "pair_year_count_insert": f"""CREATE TRIGGER pair_year_count_insert
    AFTER INSERT ON event_participant WHEN {_FIRST.format(plus="+")} BEGIN
        {_SQLITE["pair_add"]};
    END""",
    "pair_year_count_delete": f"""CREATE TRIGGER pair_year_count_delete
    BEFORE DELETE ON event_participant WHEN {_LAST.format(plus="+")} BEGIN
        {_SQLITE["pair_subtract"]};
    END""",
    "entity_year_count_insert": f"""CREATE TRIGGER entity_year_count_insert
    AFTER INSERT ON event_participant WHEN {_FIRST.format(plus="+")} BEGIN
        {_SQLITE["entity_add"]};
    END""",
    "entity_year_count_delete": f"""CREATE TRIGGER entity_year_count_delete
    BEFORE DELETE ON event_participant WHEN {_LAST.format(plus="+")} BEGIN
        {_SQLITE["entity_subtract"]};
    END""",
    "entity_year_count_update": f"""CREATE TRIGGER entity_year_count_update
    AFTER UPDATE OF {_MOVED} ON event BEGIN
        {_SQLITE["entity_move"]};
    END""",
}

# PostgreSQL: the functions keep their names (CREATE OR REPLACE); the two triggers on `event`
# that fire on an update are made again to fire on `is_lead` too.
POSTGRES_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION defcoop_event_counts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND OLD.date_start IS NOT NULL THEN
            {_POSTGRES["day_subtract"]};
        END IF;
        IF TG_OP = 'INSERT' AND NEW.date_start IS NOT NULL THEN
            {_POSTGRES["day_add"]};
        END IF;
        IF TG_OP = 'UPDATE' THEN
            {_POSTGRES["day_move"]};
            {_POSTGRES["pair_move"]};
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION defcoop_pair_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF {_FIRST.format(plus="")} THEN
            {_POSTGRES["pair_add"]};
        END IF;
        RETURN NULL;
    END $$""",
    # BEFORE, row by row: each deleted row still sees the ones the same statement has not
    # reached, so a pair is subtracted exactly once however many rows one DELETE removes.
    f"""CREATE OR REPLACE FUNCTION defcoop_pair_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF {_LAST.format(plus="")} THEN
            {_POSTGRES["pair_subtract"]};
        END IF;
        RETURN OLD;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION defcoop_entity_year_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF {_FIRST.format(plus="")} THEN
            {_POSTGRES["entity_add"]};
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION defcoop_entity_year_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF {_LAST.format(plus="")} THEN
            {_POSTGRES["entity_subtract"]};
        END IF;
        RETURN OLD;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION defcoop_entity_year_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        {_POSTGRES["entity_move"]};
        RETURN NULL;
    END $$""",
]
POSTGRES_TRIGGERS = [
    "DROP TRIGGER event_counts ON event",
    f"""CREATE TRIGGER event_counts AFTER INSERT OR DELETE OR UPDATE OF {_MOVED}
    ON event FOR EACH ROW EXECUTE FUNCTION defcoop_event_counts()""",
    "DROP TRIGGER entity_year_count_update ON event",
    f"""CREATE TRIGGER entity_year_count_update AFTER UPDATE OF {_MOVED} ON event
    FOR EACH ROW EXECUTE FUNCTION defcoop_entity_year_update()""",
]
# what downgrade drops before putting back 0006's and 0010's own definitions
POSTGRES_REPLACED = [
    ("event_counts", "event", "defcoop_event_counts"),
    ("pair_year_count_insert", "event_participant", "defcoop_pair_insert"),
    ("pair_year_count_delete", "event_participant", "defcoop_pair_delete"),
    ("entity_year_count_insert", "event_participant", "defcoop_entity_year_insert"),
    ("entity_year_count_delete", "event_participant", "defcoop_entity_year_delete"),
    ("entity_year_count_update", "event", "defcoop_entity_year_update"),
]

# h from the rows: the leading events among those each row counts
_LEADS = "SELECT id, type, date_start FROM event WHERE is_lead"
BACKFILL = {
    "event_day_count": f"""UPDATE event_day_count SET h = counted.h
        FROM (SELECT date_start, type, count(*) AS h FROM ({_LEADS}) AS e
              WHERE date_start IS NOT NULL GROUP BY date_start, type) AS counted
        WHERE event_day_count.day = counted.date_start AND event_day_count.type = counted.type""",
    "pair_year_count": f"""UPDATE pair_year_count SET h = counted.h
        FROM (SELECT pairs.a, pairs.b, e.type, {{year}} AS year, count(*) AS h
              FROM (SELECT DISTINCT p.event_id, p.entity_id AS a, q.entity_id AS b
                    FROM event_participant p JOIN event_participant q
                      ON q.event_id = p.event_id AND q.entity_id > p.entity_id) AS pairs
              JOIN ({_LEADS}) AS e ON e.id = pairs.event_id
              GROUP BY pairs.a, pairs.b, e.type, {{year}}) AS counted
        WHERE pair_year_count.entity_a = counted.a AND pair_year_count.entity_b = counted.b
          AND pair_year_count.type = counted.type AND pair_year_count.year = counted.year""",
    "entity_year_count": f"""UPDATE entity_year_count SET h = counted.h
        FROM (SELECT taking_part.entity_id, e.type, {{year}} AS year, count(*) AS h
              FROM (SELECT DISTINCT event_id, entity_id FROM event_participant) AS taking_part
              JOIN ({_LEADS}) AS e ON e.id = taking_part.event_id
              GROUP BY taking_part.entity_id, e.type, {{year}}) AS counted
        WHERE entity_year_count.entity_id = counted.entity_id
          AND entity_year_count.type = counted.type AND entity_year_count.year = counted.year""",
}


def _earlier(name: str) -> ModuleType:
    """An earlier revision's module, as Alembic loaded it: its trigger definitions."""
    return context.script.get_revision(name).module


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in TABLES:
        # NOT NULL with a default: a plain ADD COLUMN, so the tables keep WITHOUT ROWID
        op.add_column(table, sa.Column("h", sa.Integer(), server_default="0", nullable=False))
    year = (SQLITE_YEAR if sqlite else POSTGRES_YEAR).format("e.date_start")
    for statement in BACKFILL.values():
        op.execute(statement.replace("{year}", year))
    if sqlite:
        for name, statement in SQLITE_UP.items():
            op.execute(f"DROP TRIGGER {name}")
            op.execute(statement)
    else:
        for statement in [*POSTGRES_FUNCTIONS, *POSTGRES_TRIGGERS]:
            op.execute(statement)


def downgrade() -> None:
    summary, entity_years = _earlier("0006_summary_counts"), _earlier("0010_entity_year_count")
    if op.get_bind().dialect.name == "sqlite":
        earlier = {
            **dict(zip(summary.SQLITE_TRIGGERS, summary.SQLITE_UP, strict=True)),
            **dict(zip(entity_years.SQLITE_TRIGGERS, entity_years.SQLITE_UP, strict=True)),
        }
        for name in SQLITE_UP:
            op.execute(f"DROP TRIGGER {name}")
            op.execute(earlier[name])
    else:
        functions = [function for _, _, function in POSTGRES_REPLACED]
        for trigger, table, function in POSTGRES_REPLACED:
            op.execute(f"DROP TRIGGER {trigger} ON {table}")
            op.execute(f"DROP FUNCTION {function}()")
        for statement in [*summary.POSTGRES_UP, *entity_years.POSTGRES_UP]:
            if any(f"FUNCTION {function}()" in statement for function in functions):
                op.execute(statement)
    for table in TABLES:
        op.drop_column(table, "h")
