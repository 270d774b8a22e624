"""Articles record why extraction was skipped (language, time budget).

Revision ID: 0002_extraction_note
Revises: 0001_initial
Create Date: 2026-11-28 08:29:41.725342
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_extraction_note"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extraction_note", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_column("extraction_note")
