"""Events indexed by type and date together (a type's events in date order, without a sort).

Revision ID: 0007_event_type_date
Revises: 0006_summary_counts
Create Date: 2026-11-28 11:35:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_event_type_date"
down_revision: str | None = "0006_summary_counts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_event_type_date_start", "event", ["type", "date_start"])
    op.drop_index("ix_event_type", table_name="event")


def downgrade() -> None:
    op.create_index("ix_event_type", "event", ["type"])
    op.drop_index("ix_event_type_date_start", table_name="event")
