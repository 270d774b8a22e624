"""article.extractor_version holds 255 characters, not 64.

The version names every extraction stage ("rules:tokens-1+countries-1+...+events-2"); with one
stage per kind of name it passed 64 characters and was cut, so a change to a late stage left
stored articles looking current. PostgreSQL: ALTER COLUMN ... TYPE. SQLite cannot alter a
column's type, and batch mode would copy `article` and drop the old one, which loses its
triggers (search index, day counts) and, with foreign keys on, cascades the drop to every
mention and event. SQLite keeps any length in a VARCHAR anyway, so only the declared type in
the schema text changes: the procedure SQLite documents for changes that leave the stored
rows as they are (lang_altertable.html, "Making Other Kinds Of Table Schema Changes").

Revision ID: 0014_extractor_version
Revises: 0013_entity_country
Create Date: 2026-12-02 02:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_extractor_version"
down_revision: str | None = "0013_entity_country"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _width(old: int, new: int) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.alter_column(
            "article",
            "extractor_version",
            existing_type=sa.String(length=old),
            type_=sa.String(length=new),
            existing_nullable=True,
        )
        return
    schema_version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    before, after = f"extractor_version VARCHAR({old})", f"extractor_version VARCHAR({new})"
    changed = bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?)"
        " WHERE type = 'table' AND name = 'article' AND instr(sql, ?) > 0",
        (before, after, before),
    ).rowcount
    # a new schema version makes every connection read the schema again
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(schema_version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    if changed != 1:
        raise RuntimeError(f"article.extractor_version is not VARCHAR({old}) on this database")


def upgrade() -> None:
    _width(64, 255)


def downgrade() -> None:
    # Versions longer than 64 characters are cut back to the old width first (PostgreSQL would
    # refuse them).
    op.execute("UPDATE article SET extractor_version = substr(extractor_version, 1, 64)")
    _width(255, 64)
