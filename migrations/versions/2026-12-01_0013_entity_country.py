"""An entity's state is `country` everywhere: the ORM, the API and the extraction input.

The column was `country_code`, beside `code` (the entity's own alpha-3 when it is a state), which
read as one thing twice. RENAME COLUMN on both databases (SQLite 3.25+ also rewrites any trigger
or view that names it); SQLite has no ALTER INDEX, so the index is dropped and made again.

Revision ID: 0013_entity_country
Revises: 0012_article_agency
Create Date: 2026-12-01 23:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_entity_country"
down_revision: str | None = "0012_article_agency"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_entity_country_code", table_name="entity")
    op.execute("ALTER TABLE entity RENAME COLUMN country_code TO country")
    op.create_index(op.f("ix_entity_country"), "entity", ["country"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_entity_country"), table_name="entity")
    op.execute("ALTER TABLE entity RENAME COLUMN country TO country_code")
    op.create_index("ix_entity_country_code", "entity", ["country_code"], unique=False)
