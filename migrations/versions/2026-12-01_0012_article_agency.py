"""Articles keep the wire or outlet their page credits (`agency`) beside the person (`author`).

A dateline's "(AA) –" or "/TASS/.", a "Source: MENA" line, a closing "—APP", "(MENAFN- X)":
the page reader no longer takes them for authors, and keeps them here. Existing rows get NULL
(re-ingest a page to fill it).

Revision ID: 0012_article_agency
Revises: 0011_entity_mention_count
Create Date: 2026-12-01 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_article_agency"
down_revision: str | None = "0011_entity_mention_count"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ALTER TABLE ... ADD COLUMN on both: a batch that rebuilt `article` on SQLite would drop
    # the triggers that keep its search index and day counts
    op.add_column("article", sa.Column("agency", sa.String(length=200), nullable=True))
    op.create_index(op.f("ix_article_agency"), "article", ["agency"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_article_agency"), table_name="article")
    op.drop_column("article", "agency")  # SQLite 3.35+: ALTER TABLE ... DROP COLUMN
