"""Copies: urls compared normalised, near-duplicate signatures with their LSH bands, and the
Idempotency-Key store.

- article.url_key: the url as compared (app.kit.urls.url_key), unique. Existing rows get
  theirs here; where two stored urls normalise alike, the earliest row keeps the key and the
  later ones none (they stay stored, found by their id).
- article.signature and article_band: the MinHash signature and its band keys
  (app.ingest.signature). Existing rows get none here: an article stored before this revision
  is found as a copy by its exact text only, until it is stored again (on_duplicate=update).
- idempotency_key: what a retried POST gets again.

Columns are added with ALTER TABLE ... ADD COLUMN on both databases: a batch that rebuilt
`article` on SQLite would drop the triggers that keep its search index and day counts.

Revision ID: 0015_copies
Revises: 0014_extractor_version
Create Date: 2026-12-02 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# The one normaliser: a copy of it here would drift from what lookups use.
from app.kit.urls import url_key

revision: str = "0015_copies"
down_revision: str | None = "0014_extractor_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = sa.DateTime(timezone=True)


def _fill_url_keys() -> None:
    bind = op.get_bind()
    article = sa.table(
        "article",
        sa.column("id", sa.Integer),
        sa.column("url", sa.String),
        sa.column("url_key", sa.String),
    )
    taken: set[str] = set()
    rows = bind.execute(
        sa.select(article.c.id, article.c.url)
        .where(article.c.url.is_not(None))
        .order_by(article.c.id)
    ).all()
    updates = []
    for article_id, url in rows:
        key = url_key(url)
        if key not in taken:
            taken.add(key)
            updates.append({"row_id": article_id, "key": key})
    if updates:
        bind.execute(
            sa.update(article)
            .where(article.c.id == sa.bindparam("row_id"))
            .values(url_key=sa.bindparam("key")),
            updates,
        )


def upgrade() -> None:
    op.add_column("article", sa.Column("url_key", sa.String(length=2048), nullable=True))
    op.add_column("article", sa.Column("signature", sa.LargeBinary(), nullable=True))
    _fill_url_keys()
    op.create_index(op.f("ix_article_url_key"), "article", ["url_key"], unique=True)
    op.create_table(
        "article_band",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.SmallInteger(), nullable=False),
        sa.Column("hash", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article.id"],
            name=op.f("fk_article_band_article_id_article"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "band", name=op.f("pk_article_band")),
    )
    op.create_index("ix_article_band_band_hash", "article_band", ["band", "hash"], unique=False)
    op.create_table(
        "idempotency_key",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("endpoint", sa.String(length=100), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("expires_at", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_key")),
    )
    op.create_index(
        op.f("ix_idempotency_key_expires_at"), "idempotency_key", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_idempotency_key_expires_at"), table_name="idempotency_key")
    op.drop_table("idempotency_key")
    op.drop_index("ix_article_band_band_hash", table_name="article_band")
    op.drop_table("article_band")
    op.drop_index(op.f("ix_article_url_key"), table_name="article")
    op.drop_column("article", "signature")  # SQLite 3.35+: ALTER TABLE ... DROP COLUMN
    op.drop_column("article", "url_key")
