"""The change feed's commit order on PostgreSQL: each change row keeps its transaction's id.

PostgreSQL draws sequence values when rows are inserted, not when they commit, so reading the
feed by `id` can pass over a row that a slower transaction commits later with a lower id. The
feed is read instead in (xid, id) order, and only below the oldest transaction still running
(app.db.feed_order), where no row can appear any more. On PostgreSQL `xid` is filled by a
column default, `pg_current_xact_id()` (so every writer, ORM or not, fills it); on SQLite it is
0: writers are serialised there, so id order is commit order already and (0, id) keeps it.
Rows already in the feed were all committed before this revision: they get 0, which reads
them first, in id order, as before.

Revision ID: 0018_change_xid
Revises: 0017_happening_counts
Create Date: 2026-12-02 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_change_xid"
down_revision: str | None = "0017_happening_counts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRES_XID = "(pg_current_xact_id()::text::bigint)"  # xid8 has no cast to bigint but text


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    # added nullable and without a default (no table rewrite), then filled, defaulted and
    # made NOT NULL: a NULL xid would compare as unknown and its row never be read
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("xid", sa.BigInteger(), nullable=True))
    op.execute("UPDATE change SET xid = 0")
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.alter_column(
            "xid",
            existing_type=sa.BigInteger(),
            nullable=False,
            server_default=sa.text(POSTGRES_XID if postgres else "0"),
        )
        batch_op.create_index("ix_change_xid_id", ["xid", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index("ix_change_xid_id")
        batch_op.drop_column("xid")
