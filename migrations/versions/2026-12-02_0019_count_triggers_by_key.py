"""PostgreSQL's count triggers reach each count row by its key, whatever the planner knows.

The triggers of migration 0017 matched count rows with `(key) IN (SELECT ...)` joins. PostgreSQL
plans a PL/pgSQL statement once, generically, from the table statistics; a fresh database has
none (autovacuum analyses later, or never where it is off), so it guessed 281 participants an
event, and joined by hashing all of `pair_year_count` or walking every `entity_year_count` row
of a year: 5 ms for each linked event at 3,000 articles, ~40 ms at 20,000, which made a bulk
load crawl at ~3 articles/s (issue 16, part 4). Now each count row is updated by its primary
key, one row at a time for the event's one to three pairs and entities, which no plan can turn
into a scan. And an update of an event that changes none of type, date and lead (the linker
setting `happening_id` and `happening_role`, with `is_lead` in the same statement) returns at
once instead of taking the event's contribution away and adding it back.

SQLite's triggers are untouched: it plans each trigger statement with its key's index.
The downgrade puts back 0017's functions (read from its module).

Revision ID: 0019_count_triggers_by_key
Revises: 0018_change_xid
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

from alembic import context, op

revision: str = "0019_count_triggers_by_key"
down_revision: str | None = "0018_change_xid"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

YEAR = "coalesce(CAST(extract(year FROM {0}) AS INTEGER), 0)"
LEAD = "CASE WHEN {0}.is_lead THEN 1 ELSE 0 END"
OLD_YEAR, NEW_YEAR, E_YEAR = (YEAR.format(f"{row}.date_start") for row in ("OLD", "NEW", "e"))
OLD_LEAD, NEW_LEAD, E_LEAD = (LEAD.format(row) for row in ("OLD", "NEW", "e"))
# what the counts key on: an update that changes none of these moves nothing
MOVED = "(OLD.type, OLD.date_start, OLD.is_lead) IS DISTINCT FROM (NEW.type, NEW.date_start, NEW.is_lead)"  # fmt: skip
PAIRS = """SELECT DISTINCT p.entity_id AS a, q.entity_id AS b
    FROM event_participant p JOIN event_participant q
      ON q.event_id = p.event_id AND q.entity_id > p.entity_id
    WHERE p.event_id = {0}"""
LAST = """NOT EXISTS (SELECT 1 FROM event_participant o WHERE o.event_id = OLD.event_id
                     AND o.entity_id = OLD.entity_id AND o.id <> OLD.id)"""

FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION defcoop_event_counts() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        pair record;
    BEGIN
        IF TG_OP = 'DELETE' AND OLD.date_start IS NOT NULL THEN
            UPDATE event_day_count SET n = n - 1, h = h - {OLD_LEAD}
            WHERE day = OLD.date_start AND type = OLD.type;
        END IF;
        IF TG_OP = 'INSERT' AND NEW.date_start IS NOT NULL THEN
            INSERT INTO event_day_count(day, type, n, h)
            VALUES (NEW.date_start, NEW.type, 1, {NEW_LEAD})
            ON CONFLICT (day, type) DO UPDATE SET n = event_day_count.n + 1,
            h = event_day_count.h + excluded.h;
        END IF;
        IF TG_OP = 'UPDATE' AND {MOVED} THEN
            UPDATE event_day_count SET n = n - 1, h = h - {OLD_LEAD}
            WHERE OLD.date_start IS NOT NULL AND day = OLD.date_start AND type = OLD.type;
            INSERT INTO event_day_count(day, type, n, h)
            SELECT NEW.date_start, NEW.type, 1, {NEW_LEAD} WHERE NEW.date_start IS NOT NULL
            ON CONFLICT (day, type) DO UPDATE SET n = event_day_count.n + 1,
            h = event_day_count.h + excluded.h;
            FOR pair IN {PAIRS.format("OLD.id")} LOOP
                UPDATE pair_year_count SET n = n - 1, h = h - {OLD_LEAD}
                WHERE entity_a = pair.a AND entity_b = pair.b AND type = OLD.type
                  AND year = {OLD_YEAR};
            END LOOP;
            INSERT INTO pair_year_count(entity_a, entity_b, type, year, n, h)
            SELECT a, b, NEW.type, {NEW_YEAR}, 1, {NEW_LEAD}
            FROM ({PAIRS.format("NEW.id")}) AS pairs WHERE true
            ON CONFLICT (entity_a, entity_b, type, year) DO UPDATE SET n = pair_year_count.n + 1,
            h = pair_year_count.h + excluded.h;
        END IF;
        RETURN NULL;
    END $$""",
    # BEFORE, row by row (as in 0017): each deleted row still sees the rows the same statement
    # has not reached, so a pair is subtracted exactly once.
    f"""CREATE OR REPLACE FUNCTION defcoop_pair_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        pair record;
    BEGIN
        IF {LAST} THEN
            FOR pair IN SELECT DISTINCT least(q.entity_id, OLD.entity_id) AS a,
                    greatest(q.entity_id, OLD.entity_id) AS b, e.type, {E_YEAR} AS year,
                    {E_LEAD} AS lead
                FROM event_participant q JOIN event e ON e.id = q.event_id
                WHERE q.event_id = OLD.event_id AND q.entity_id <> OLD.entity_id LOOP
                UPDATE pair_year_count SET n = n - 1, h = h - pair.lead
                WHERE entity_a = pair.a AND entity_b = pair.b AND type = pair.type
                  AND year = pair.year;
            END LOOP;
        END IF;
        RETURN OLD;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION defcoop_entity_year_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        taking_part record;
    BEGIN
        IF {MOVED} THEN
            FOR taking_part IN SELECT DISTINCT entity_id FROM event_participant
                WHERE event_id = OLD.id LOOP
                UPDATE entity_year_count SET n = n - 1, h = h - {OLD_LEAD}
                WHERE entity_id = taking_part.entity_id AND type = OLD.type
                  AND year = {OLD_YEAR};
            END LOOP;
            INSERT INTO entity_year_count(entity_id, type, year, n, h)
            SELECT DISTINCT entity_id, NEW.type, {NEW_YEAR}, 1, {NEW_LEAD}
            FROM event_participant WHERE event_id = NEW.id
            ON CONFLICT (entity_id, type, year) DO UPDATE SET n = entity_year_count.n + 1,
            h = entity_year_count.h + excluded.h;
        END IF;
        RETURN NULL;
    END $$""",
]
REPLACED = ("defcoop_event_counts", "defcoop_pair_delete", "defcoop_entity_year_update")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in FUNCTIONS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    previous = context.script.get_revision("0017_happening_counts").module
    for statement in previous.POSTGRES_FUNCTIONS:
        if any(f"FUNCTION {name}()" in statement for name in REPLACED):
            op.execute(statement)
