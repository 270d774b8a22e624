"""SQLite: the summary tables stored in their key's order (WITHOUT ROWID).

A timeline or a ranking reads thousands of count rows by key; in a rowid table each one is a
second lookup from the key's index into the table. PostgreSQL: nothing to do.

Revision ID: 0008_summary_without_rowid
Revises: 0007_event_type_date
Create Date: 2026-11-28 11:55:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_summary_without_rowid"
down_revision: str | None = "0007_event_type_date"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = {
    "article_day_count": ("day DATE NOT NULL, n INTEGER NOT NULL", "day"),
    "event_day_count": ("day DATE NOT NULL, type VARCHAR(16) NOT NULL, n INTEGER NOT NULL", "day, type"),
    "pair_year_count": (
        "entity_a INTEGER NOT NULL, entity_b INTEGER NOT NULL, type VARCHAR(16) NOT NULL, "
        "year INTEGER NOT NULL, n INTEGER NOT NULL",
        "entity_a, entity_b, type, year",
    ),
}  # fmt: skip


def _rebuild(rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # the triggers name these tables: leave them be while a table is briefly missing
    op.execute("PRAGMA legacy_alter_table = ON")
    for name, (columns, key) in TABLES.items():
        option = "" if rowid else " WITHOUT ROWID"
        op.execute(
            f"CREATE TABLE {name}_new ({columns}, CONSTRAINT pk_{name} PRIMARY KEY ({key})){option}"
        )
        op.execute(f"INSERT INTO {name}_new SELECT * FROM {name}")
        if name == "pair_year_count":
            op.execute("DROP INDEX ix_pair_year_count_entity_b")
        op.execute(f"DROP TABLE {name}")
        op.execute(f"ALTER TABLE {name}_new RENAME TO {name}")
    op.execute("CREATE INDEX ix_pair_year_count_entity_b ON pair_year_count (entity_b)")
    op.execute("PRAGMA legacy_alter_table = OFF")


def upgrade() -> None:
    _rebuild(rowid=False)


def downgrade() -> None:
    _rebuild(rowid=True)
