"""Happenings: one row per real-world happening, each event linked to one (issue 14).

Every event already stored becomes a happening of its own (the same id, so the backfill is
one statement each way) and leads it; `defcoop recluster` then links the reports of one
happening together. The decisions analysts make (merge, split) are kept by report.

Revision ID: 0016_happenings
Revises: 0015_copies
Create Date: 2026-12-02 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_happenings"
down_revision: str | None = "0015_copies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "happening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("date_start", sa.Date(), nullable=True),
        sa.Column("date_end", sa.Date(), nullable=True),
        sa.Column("date_precision", sa.String(length=8), nullable=True),
        sa.Column("date_basis", sa.String(length=12), nullable=True),
        sa.Column("num_reports", sa.Integer(), nullable=False),
        sa.Column("num_sources", sa.Integer(), nullable=False),
        sa.Column("num_independent_sources", sa.Integer(), nullable=False),
        sa.Column("first_reported_at", UTC, nullable=True),
        sa.Column("last_reported_at", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_happening")),
    )
    op.create_index("ix_happening_type_date_start", "happening", ["type", "date_start"])
    op.create_table(
        "happening_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("happening_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_happening_decision")),
    )
    op.create_table(
        "happening_decision_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("side", sa.String(length=1), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["happening_decision.id"],
            name=op.f("fk_happening_decision_report_decision_id_happening_decision"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_happening_decision_report")),
    )
    op.create_index(
        op.f("ix_happening_decision_report_decision_id"),
        "happening_decision_report",
        ["decision_id"],
    )
    op.create_index(
        "ix_happening_decision_report_article", "happening_decision_report", ["article_id", "type"]
    )
    op.create_table(
        "happening_state",
        sa.Column("happening_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=3), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("day_lo", sa.Date(), nullable=True),
        sa.Column("day_hi", sa.Date(), nullable=True),
        sa.Column("pair", sa.String(length=7), nullable=True),
        sa.PrimaryKeyConstraint("happening_id", "state", name=op.f("pk_happening_state")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_happening_state_type_state_day_lo", "happening_state", ["type", "state", "day_lo"]
    )
    # Plain ADD COLUMN, so `event` keeps its triggers (a batch-mode copy would lose them). No
    # foreign key: SQLite cannot drop a column that has one, and a happening is only deleted
    # once no event names it (app.services.happening), so nothing could dangle.
    op.add_column("event", sa.Column("happening_id", sa.Integer(), nullable=True))
    op.add_column("event", sa.Column("happening_role", sa.String(length=12), nullable=True))
    op.add_column(
        "event", sa.Column("is_lead", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    op.create_index(op.f("ix_event_happening_id"), "event", ["happening_id"])
    op.execute(
        """INSERT INTO happening (id, type, name, date_start, date_end, date_precision,
               date_basis, num_reports, num_sources, num_independent_sources,
               first_reported_at, last_reported_at, created_at, updated_at)
           SELECT e.id, e.type, e.name, e.date_start, e.date_end, e.date_precision,
               CASE WHEN e.date_start IS NULL THEN NULL ELSE 'reported' END, 1,
               CASE WHEN a.source_id IS NULL THEN 0 ELSE 1 END,
               CASE WHEN a.source_id IS NULL THEN 0 ELSE 1 END,
               COALESCE(a.published_at, a.created_at), COALESCE(a.published_at, a.created_at),
               e.created_at, e.created_at
           FROM event e JOIN article a ON a.id = e.article_id"""
    )
    op.execute("UPDATE event SET happening_id = id, happening_role = 'report'")
    # each one-report happening is found by its event's states, over its date or publication
    # day (`defcoop recluster` then widens month and year dates to their periods)
    published = (
        "date(a.published_at)"
        if op.get_bind().dialect.name == "sqlite"
        else "CAST(a.published_at AT TIME ZONE 'UTC' AS DATE)"
    )
    op.execute(
        f"""INSERT INTO happening_state (happening_id, state, type, day_lo, day_hi)
           SELECT DISTINCT e.id, c.code, e.type,
               COALESCE(e.date_start, {published}),
               COALESCE(e.date_end, e.date_start, {published})
           FROM event e JOIN article a ON a.id = e.article_id
           JOIN event_participant p ON p.event_id = e.id
           JOIN entity c ON c.id = p.entity_id AND c.kind = 'country' AND c.code IS NOT NULL"""
    )
    op.execute(
        """UPDATE happening_state SET pair = (
               SELECT min(x.state) || ' ' || max(x.state) FROM happening_state x
               WHERE x.happening_id = happening_state.happening_id)
           WHERE (SELECT count(*) FROM happening_state x
                  WHERE x.happening_id = happening_state.happening_id) = 2"""
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('happening', 'id'),"
            " COALESCE((SELECT max(id) FROM happening), 0) + 1, false)"
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_event_happening_id"), table_name="event")
    op.drop_column("event", "is_lead")
    op.drop_column("event", "happening_role")
    op.drop_column("event", "happening_id")
    op.drop_index("ix_happening_state_type_state_day_lo", table_name="happening_state")
    op.drop_table("happening_state")
    op.drop_table("happening_decision_report")
    op.drop_table("happening_decision")
    op.drop_index("ix_happening_type_date_start", table_name="happening")
    op.drop_table("happening")
