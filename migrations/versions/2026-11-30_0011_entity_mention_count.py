"""Mentions indexed by article and entity together; each entity's mention and article counts
kept by triggers.

`/v1/entities` lists entities with how often and in how many articles they are named, sorted
by it: counted from the mentions, that reads every mention there is (ten million at a million
articles) for each page. `entity_mention_count` holds both numbers, kept in the writing
transaction: a mention adds one mention, and one article when it is the entity's first in the
article (no earlier row of the same article and entity); its deletion subtracts the same way
(no other row left). "Does this article name that entity?" is one seek in the new
(article_id, entity_id) index, which also serves every lookup by article the old one did.
The upgrade fills the counts from the rows already there.

Revision ID: 0011_entity_mention_count
Revises: 0010_entity_year_count
Create Date: 2026-11-30 10:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_entity_mention_count"
down_revision: str | None = "0010_entity_year_count"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (+o.id keeps SQLite on the (article, entity) index, as in migration 0006.)
_OTHER = """EXISTS (SELECT 1 FROM mention o WHERE o.article_id = {row}.article_id
            AND o.entity_id = {row}.entity_id AND {other})"""
_ADD = """INSERT INTO entity_mention_count(entity_id, mentions, articles)
        VALUES (NEW.entity_id, 1, CASE WHEN {earlier} THEN 0 ELSE 1 END)
        ON CONFLICT (entity_id) DO UPDATE SET
            mentions = entity_mention_count.mentions + 1,
            articles = entity_mention_count.articles + excluded.articles"""
_SUBTRACT = """UPDATE entity_mention_count SET mentions = mentions - 1,
            articles = articles - CASE WHEN {others} THEN 0 ELSE 1 END
        WHERE entity_id = OLD.entity_id"""


def _statements(plus: str) -> dict[str, str]:
    earlier = _OTHER.format(row="NEW", other=f"{plus}o.id < NEW.id")
    others = _OTHER.format(row="OLD", other=f"{plus}o.id <> OLD.id")
    return {"add": _ADD.format(earlier=earlier), "subtract": _SUBTRACT.format(others=others)}


_SQLITE = _statements("+")
_POSTGRES = _statements("")

SQLITE_UP = [
    f"""CREATE TRIGGER entity_mention_count_insert AFTER INSERT ON mention BEGIN
        {_SQLITE["add"]};
    END""",
    f"""CREATE TRIGGER entity_mention_count_delete BEFORE DELETE ON mention BEGIN
        {_SQLITE["subtract"]};
    END""",
]
SQLITE_TRIGGERS = ["entity_mention_count_insert", "entity_mention_count_delete"]

POSTGRES_UP = [
    f"""CREATE FUNCTION defcoop_entity_mention_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_POSTGRES["add"]};
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER entity_mention_count_insert AFTER INSERT ON mention
    FOR EACH ROW EXECUTE FUNCTION defcoop_entity_mention_insert()""",
    # BEFORE, row by row: each deleted row still sees the rows the statement has not reached
    f"""CREATE FUNCTION defcoop_entity_mention_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_POSTGRES["subtract"]};
        RETURN OLD;
    END $$""",
    """CREATE TRIGGER entity_mention_count_delete BEFORE DELETE ON mention
    FOR EACH ROW EXECUTE FUNCTION defcoop_entity_mention_delete()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS entity_mention_count_delete ON mention",
    "DROP TRIGGER IF EXISTS entity_mention_count_insert ON mention",
    "DROP FUNCTION IF EXISTS defcoop_entity_mention_delete()",
    "DROP FUNCTION IF EXISTS defcoop_entity_mention_insert()",
]

BACKFILL = """INSERT INTO entity_mention_count(entity_id, mentions, articles)
    SELECT entity_id, count(*), count(DISTINCT article_id) FROM mention GROUP BY entity_id"""


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_index("ix_mention_article_entity", "mention", ["article_id", "entity_id"])
    op.drop_index("ix_mention_article_id", table_name="mention")
    op.create_table(
        "entity_mention_count",
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_entity_mention_count")),
        sqlite_with_rowid=False,
    )
    op.execute(BACKFILL)
    for statement in SQLITE_UP if sqlite else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for statement in POSTGRES_DOWN:
            op.execute(statement)
    op.drop_table("entity_mention_count")
    op.create_index("ix_mention_article_id", "mention", ["article_id"])
    op.drop_index("ix_mention_article_entity", table_name="mention")
