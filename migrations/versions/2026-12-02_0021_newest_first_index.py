"""On PostgreSQL, an index in the order of every newest-first list of articles.

Lists sort `published_at DESC NULLS LAST, id DESC` (app.kit.pagination: undated articles last
either way). PostgreSQL reads a btree backwards only as DESC NULLS FIRST, so it could not use
`ix_article_published_at` for that order: it scanned and sorted the table for each first page
(11 ms at 20,000 articles, growing with the table; 0.08 ms with this index; issue 16, part 5).
SQLite keeps NULLs lowest, so its own index already serves the order, and it takes no NULLS
clause in an index: this one lives on PostgreSQL only, outside the ORM models
(app.migrate.POSTGRESQL_ONLY).

Revision ID: 0021_newest_first_index
Revises: 0020_copies_index
Create Date: 2026-12-02 15:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021_newest_first_index"
down_revision: str | None = "0020_copies_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_article_newest ON article (published_at DESC NULLS LAST, id DESC)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_article_newest")
