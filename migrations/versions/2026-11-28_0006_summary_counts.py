"""Summary counts kept by triggers: articles per day, events per day and type, pairs per year.

Timelines over everything, partner rankings and networks read these instead of counting a
million rows. Triggers keep them in the writing transaction; the upgrade fills them from the
rows already there.

Pairs count each event once per pair of distinct entities taking part, whatever their roles:
a participant row counts only if it is the entity's first in the event (on insert: no earlier
row of the same entity), against the other entities' earlier rows. That order rule gives the
same counts whether a database fires row triggers at once (SQLite) or at the end of the
statement (PostgreSQL's AFTER triggers). (`+o.id` keeps SQLite on the (event, entity) index:
with an id range it would read every row of the entity instead, a cost that grows with the
table.) Deleting an event first deletes its participants, while
the event (its type and year) can still be read.

Revision ID: 0006_summary_counts
Revises: 0005_api_keys
Create Date: 2026-11-28 11:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_summary_counts"
down_revision: str | None = "0005_api_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_YEAR = "coalesce(CAST(strftime('%Y', {0}) AS INTEGER), 0)"
POSTGRES_YEAR = "coalesce(CAST(extract(year FROM {0}) AS INTEGER), 0)"

# The pairs of the distinct entities of one event, each once (a < b).
PAIRS = """SELECT DISTINCT p.entity_id AS a, q.entity_id AS b
    FROM event_participant p JOIN event_participant q
      ON q.event_id = p.event_id AND q.entity_id > p.entity_id
    WHERE p.event_id = {0}"""

SQLITE_UP = [
    """CREATE TRIGGER article_day_count_insert AFTER INSERT ON article
    WHEN NEW.published_at IS NOT NULL BEGIN
        INSERT INTO article_day_count(day, n) VALUES (date(NEW.published_at), 1)
        ON CONFLICT(day) DO UPDATE SET n = n + 1;
    END""",
    """CREATE TRIGGER article_day_count_delete AFTER DELETE ON article
    WHEN OLD.published_at IS NOT NULL BEGIN
        UPDATE article_day_count SET n = n - 1 WHERE day = date(OLD.published_at);
    END""",
    """CREATE TRIGGER article_day_count_update AFTER UPDATE OF published_at ON article BEGIN
        UPDATE article_day_count SET n = n - 1
        WHERE OLD.published_at IS NOT NULL AND day = date(OLD.published_at);
        INSERT INTO article_day_count(day, n)
        SELECT date(NEW.published_at), 1 WHERE NEW.published_at IS NOT NULL
        ON CONFLICT(day) DO UPDATE SET n = n + 1;
    END""",
    """CREATE TRIGGER event_day_count_insert AFTER INSERT ON event
    WHEN NEW.date_start IS NOT NULL BEGIN
        INSERT INTO event_day_count(day, type, n) VALUES (NEW.date_start, NEW.type, 1)
        ON CONFLICT(day, type) DO UPDATE SET n = n + 1;
    END""",
    """CREATE TRIGGER event_day_count_delete AFTER DELETE ON event
    WHEN OLD.date_start IS NOT NULL BEGIN
        UPDATE event_day_count SET n = n - 1 WHERE day = OLD.date_start AND type = OLD.type;
    END""",
    f"""CREATE TRIGGER event_day_count_update AFTER UPDATE OF date_start, type ON event BEGIN
        UPDATE event_day_count SET n = n - 1
        WHERE OLD.date_start IS NOT NULL AND day = OLD.date_start AND type = OLD.type;
        INSERT INTO event_day_count(day, type, n)
        SELECT NEW.date_start, NEW.type, 1 WHERE NEW.date_start IS NOT NULL
        ON CONFLICT(day, type) DO UPDATE SET n = n + 1;
        UPDATE pair_year_count SET n = n - 1
        WHERE (entity_a, entity_b, type, year) IN (
            SELECT a, b, OLD.type, {SQLITE_YEAR.format("OLD.date_start")}
            FROM ({PAIRS.format("OLD.id")}));
        INSERT INTO pair_year_count(entity_a, entity_b, type, year, n)
        SELECT a, b, NEW.type, {SQLITE_YEAR.format("NEW.date_start")}, 1
        FROM ({PAIRS.format("NEW.id")}) WHERE true
        ON CONFLICT(entity_a, entity_b, type, year) DO UPDATE SET n = n + 1;
    END""",
    """CREATE TRIGGER event_participants_first BEFORE DELETE ON event BEGIN
        DELETE FROM event_participant WHERE event_id = OLD.id;
    END""",
    f"""CREATE TRIGGER pair_year_count_insert AFTER INSERT ON event_participant
    WHEN NOT EXISTS (SELECT 1 FROM event_participant o WHERE o.event_id = NEW.event_id
                     AND o.entity_id = NEW.entity_id AND +o.id < NEW.id) BEGIN
        INSERT INTO pair_year_count(entity_a, entity_b, type, year, n)
        SELECT DISTINCT min(q.entity_id, NEW.entity_id), max(q.entity_id, NEW.entity_id),
               e.type, {SQLITE_YEAR.format("e.date_start")}, 1
        FROM event_participant q JOIN event e ON e.id = q.event_id
        WHERE q.event_id = NEW.event_id AND q.entity_id != NEW.entity_id AND q.id < NEW.id
        ON CONFLICT(entity_a, entity_b, type, year) DO UPDATE SET n = n + 1;
    END""",
    f"""CREATE TRIGGER pair_year_count_delete BEFORE DELETE ON event_participant
    WHEN NOT EXISTS (SELECT 1 FROM event_participant o WHERE o.event_id = OLD.event_id
                     AND o.entity_id = OLD.entity_id AND +o.id != OLD.id) BEGIN
        UPDATE pair_year_count SET n = n - 1
        WHERE (entity_a, entity_b, type, year) IN (
            SELECT DISTINCT min(q.entity_id, OLD.entity_id), max(q.entity_id, OLD.entity_id),
                   e.type, {SQLITE_YEAR.format("e.date_start")}
            FROM event_participant q JOIN event e ON e.id = q.event_id
            WHERE q.event_id = OLD.event_id AND q.entity_id != OLD.entity_id);
    END""",
]
SQLITE_TRIGGERS = [
    "article_day_count_insert",
    "article_day_count_delete",
    "article_day_count_update",
    "event_day_count_insert",
    "event_day_count_delete",
    "event_day_count_update",
    "event_participants_first",
    "pair_year_count_insert",
    "pair_year_count_delete",
]

POSTGRES_UP = [
    """CREATE FUNCTION defcoop_article_day_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.published_at IS NOT NULL THEN
            UPDATE article_day_count SET n = n - 1
            WHERE day = CAST(OLD.published_at AT TIME ZONE 'UTC' AS date);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.published_at IS NOT NULL THEN
            INSERT INTO article_day_count(day, n)
            VALUES (CAST(NEW.published_at AT TIME ZONE 'UTC' AS date), 1)
            ON CONFLICT (day) DO UPDATE SET n = article_day_count.n + 1;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER article_day_count AFTER INSERT OR DELETE OR UPDATE OF published_at
    ON article FOR EACH ROW EXECUTE FUNCTION defcoop_article_day_count()""",
    f"""CREATE FUNCTION defcoop_event_counts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.date_start IS NOT NULL THEN
            UPDATE event_day_count SET n = n - 1
            WHERE day = OLD.date_start AND type = OLD.type;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.date_start IS NOT NULL THEN
            INSERT INTO event_day_count(day, type, n) VALUES (NEW.date_start, NEW.type, 1)
            ON CONFLICT (day, type) DO UPDATE SET n = event_day_count.n + 1;
        END IF;
        IF TG_OP = 'UPDATE' THEN
            UPDATE pair_year_count SET n = n - 1
            WHERE (entity_a, entity_b, type, year) IN (
                SELECT a, b, OLD.type, {POSTGRES_YEAR.format("OLD.date_start")}
                FROM ({PAIRS.format("OLD.id")}) AS pairs);
            INSERT INTO pair_year_count(entity_a, entity_b, type, year, n)
            SELECT a, b, NEW.type, {POSTGRES_YEAR.format("NEW.date_start")}, 1
            FROM ({PAIRS.format("NEW.id")}) AS pairs
            ON CONFLICT (entity_a, entity_b, type, year)
            DO UPDATE SET n = pair_year_count.n + 1;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER event_counts AFTER INSERT OR DELETE OR UPDATE OF date_start, type
    ON event FOR EACH ROW EXECUTE FUNCTION defcoop_event_counts()""",
    """CREATE FUNCTION defcoop_event_participants_first() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM event_participant WHERE event_id = OLD.id;
        RETURN OLD;
    END $$""",
    """CREATE TRIGGER event_participants_first BEFORE DELETE ON event
    FOR EACH ROW EXECUTE FUNCTION defcoop_event_participants_first()""",
    f"""CREATE FUNCTION defcoop_pair_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM event_participant o WHERE o.event_id = NEW.event_id
                   AND o.entity_id = NEW.entity_id AND o.id < NEW.id) THEN
            RETURN NULL;
        END IF;
        INSERT INTO pair_year_count(entity_a, entity_b, type, year, n)
        SELECT DISTINCT least(q.entity_id, NEW.entity_id), greatest(q.entity_id, NEW.entity_id),
               e.type, {POSTGRES_YEAR.format("e.date_start")}, 1
        FROM event_participant q JOIN event e ON e.id = q.event_id
        WHERE q.event_id = NEW.event_id AND q.entity_id <> NEW.entity_id AND q.id < NEW.id
        ON CONFLICT (entity_a, entity_b, type, year) DO UPDATE SET n = pair_year_count.n + 1;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER pair_year_count_insert AFTER INSERT ON event_participant
    FOR EACH ROW EXECUTE FUNCTION defcoop_pair_insert()""",
    # BEFORE, row by row: each deleted row still sees the ones the same statement has not
    # reached, so a pair is subtracted exactly once however many rows one DELETE removes.
    f"""CREATE FUNCTION defcoop_pair_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM event_participant o WHERE o.event_id = OLD.event_id
                   AND o.entity_id = OLD.entity_id AND o.id <> OLD.id) THEN
            RETURN OLD;
        END IF;
        UPDATE pair_year_count SET n = n - 1
        WHERE (entity_a, entity_b, type, year) IN (
            SELECT DISTINCT least(q.entity_id, OLD.entity_id), greatest(q.entity_id, OLD.entity_id),
                   e.type, {POSTGRES_YEAR.format("e.date_start")}
            FROM event_participant q JOIN event e ON e.id = q.event_id
            WHERE q.event_id = OLD.event_id AND q.entity_id <> OLD.entity_id);
        RETURN OLD;
    END $$""",
    """CREATE TRIGGER pair_year_count_delete BEFORE DELETE ON event_participant
    FOR EACH ROW EXECUTE FUNCTION defcoop_pair_delete()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS pair_year_count_delete ON event_participant",
    "DROP TRIGGER IF EXISTS pair_year_count_insert ON event_participant",
    "DROP TRIGGER IF EXISTS event_participants_first ON event",
    "DROP TRIGGER IF EXISTS event_counts ON event",
    "DROP TRIGGER IF EXISTS article_day_count ON article",
    "DROP FUNCTION IF EXISTS defcoop_pair_delete()",
    "DROP FUNCTION IF EXISTS defcoop_pair_insert()",
    "DROP FUNCTION IF EXISTS defcoop_event_participants_first()",
    "DROP FUNCTION IF EXISTS defcoop_event_counts()",
    "DROP FUNCTION IF EXISTS defcoop_article_day_count()",
]


def _backfill(year: str, article_day: str) -> list[str]:
    return [
        f"""INSERT INTO article_day_count(day, n)
        SELECT {article_day}, count(*) FROM article WHERE published_at IS NOT NULL
        GROUP BY {article_day}""",
        """INSERT INTO event_day_count(day, type, n)
        SELECT date_start, type, count(*) FROM event WHERE date_start IS NOT NULL
        GROUP BY date_start, type""",
        f"""INSERT INTO pair_year_count(entity_a, entity_b, type, year, n)
        SELECT pairs.a, pairs.b, e.type, {year.format("e.date_start")}, count(*)
        FROM (SELECT DISTINCT p.event_id, p.entity_id AS a, q.entity_id AS b
              FROM event_participant p JOIN event_participant q
                ON q.event_id = p.event_id AND q.entity_id > p.entity_id) AS pairs
        JOIN event e ON e.id = pairs.event_id
        GROUP BY pairs.a, pairs.b, e.type, {year.format("e.date_start")}""",
    ]


def upgrade() -> None:
    op.create_table(
        "article_day_count",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_article_day_count")),
    )
    op.create_table(
        "event_day_count",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "type", name=op.f("pk_event_day_count")),
    )
    op.create_table(
        "pair_year_count",
        sa.Column("entity_a", sa.Integer(), nullable=False),
        sa.Column("entity_b", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "entity_a", "entity_b", "type", "year", name=op.f("pk_pair_year_count")
        ),
    )
    op.create_index("ix_pair_year_count_entity_b", "pair_year_count", ["entity_b"])
    if op.get_bind().dialect.name == "sqlite":
        statements = [*_backfill(SQLITE_YEAR, "date(published_at)"), *SQLITE_UP]
    else:
        day = "CAST(published_at AT TIME ZONE 'UTC' AS date)"
        statements = [*_backfill(POSTGRES_YEAR, day), *POSTGRES_UP]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in reversed(SQLITE_TRIGGERS):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for statement in POSTGRES_DOWN:
            op.execute(statement)
    op.drop_index("ix_pair_year_count_entity_b", table_name="pair_year_count")
    op.drop_table("pair_year_count")
    op.drop_table("event_day_count")
    op.drop_table("article_day_count")
