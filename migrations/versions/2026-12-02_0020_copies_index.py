"""Index only the copies: `ix_article_duplicate_of_id` becomes partial (NOT NULL).

Every list of articles leaves the copies out (`duplicate_of_id IS NULL`, app.schemas.filters
Duplicates.exclude). With an index holding every NULL, SQLite read that condition through it,
as if it were selective, then sorted the whole table for `ORDER BY published_at`: the plain
article list cost 23 ms at 20,000 articles and grows with the table (issue 16, part 5), where
walking `ix_article_published_at` and skipping copies stops after a page (0.1 ms). PostgreSQL
without statistics can make the same choice. The index is for finding an article's copies
(`duplicate_of_id = ?`, and the foreign key's ON DELETE), which implies NOT NULL, so a partial
index serves every lookup it served, and is a fraction of its size.

Revision ID: 0020_copies_index
Revises: 0019_count_triggers_by_key
Create Date: 2026-12-02 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_copies_index"
down_revision: str | None = "0019_count_triggers_by_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COPIES = sa.text("duplicate_of_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_article_duplicate_of_id", table_name="article")
    op.create_index(
        "ix_article_duplicate_of_id",
        "article",
        ["duplicate_of_id"],
        sqlite_where=COPIES,
        postgresql_where=COPIES,
    )


def downgrade() -> None:
    op.drop_index("ix_article_duplicate_of_id", table_name="article")
    op.create_index("ix_article_duplicate_of_id", "article", ["duplicate_of_id"])
