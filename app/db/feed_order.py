"""Reading the change feed gap-free, in commit order, on both databases.

A feed position is (xid, id): the writing transaction's id, then the row's. On SQLite xid is 0
(writers are serialised, so id order is commit order). On PostgreSQL ids are drawn when rows
are inserted, not when they commit: a slow transaction can commit id 10 after a fast one has
committed id 11, and a reader that had passed 11 would never see 10. So a reader takes only
the rows of transactions older than the oldest one still running (the horizon): those
transactions have all ended, so no row below the horizon can appear later, and (xid, id) past
the last position read misses nothing. A long writing transaction holds the horizon back for
as long as it runs: readers wait, they never skip.

The horizon counts the transactions of this database only. Transaction ids are the cluster's,
so `pg_snapshot_xmin(pg_current_snapshot())` would let a long transaction in any other database
of the server (another application's, a test run's) stall the feed, though none of them can
write a row of this `change` table. It is read in two steps, in this order:
1. the statement's snapshot (taken as it starts): its xmax is one past the newest transaction
   that had ended, so every row of an ended transaction lies below it, and the horizon is at
   most that; except that the reader's own rows, whose transaction has not ended, lie below it
   too (its xid may be past that xmax when no transaction ended after it began);
2. the transaction id of every backend connected to this database (and of its prepared
   transactions), read live after that snapshot (the statistics snapshot is cleared first: it
   would otherwise be the one cached at the transaction's first look). A transaction below the
   xmax that is not among them had ended by then.
On a streaming replica the primary's transactions are no backends of its own: there the
snapshot's xmin (the whole cluster's oldest) bounds the horizon as well.
The rows are then read by a later statement, whose snapshot (READ COMMITTED, the default)
sees every transaction that had ended. The reader's own transaction is left out, as
`pg_current_snapshot` leaves it out: one that has written reads its own rows as SQLite's
readers do (the test suite runs each test in one outer transaction). A read-only reader (every
request that reads the feed, and the index's keeper) has no transaction id of its own anyway.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, bindparam, func, select, text, tuple_
from sqlalchemy.orm import Session

from app.models import Change

_CLEAR_STATISTICS = text("SELECT pg_stat_clear_snapshot()")
# xids in pg_stat_activity are 32 bits; widened against the snapshot's 64-bit xmax, and those
# at or past it (assigned after the snapshot) counted as the xmax itself
_HORIZON = text(
    """
    WITH bound AS (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax),
    running AS (
        SELECT backend_xid::text::bigint AS xid FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND backend_xid IS NOT NULL
        UNION ALL
        SELECT transaction::text::bigint FROM pg_prepared_xacts
        WHERE database = current_database()
    ),
    distance AS (
        SELECT xmax, ((xid - xmax) % 4294967296 + 4294967296) % 4294967296 AS d
        FROM bound CROSS JOIN running
    )
    SELECT least(
        greatest(
            (SELECT xmax FROM bound),
            pg_current_xact_id_if_assigned()::text::bigint + 1
        ),
        (SELECT min(xmax - 4294967296 + d) FROM distance WHERE d >= 2147483648),
        CASE WHEN pg_is_in_recovery()
            THEN pg_snapshot_xmin(pg_current_snapshot())::text::bigint END
    )
    """
)


@dataclass(frozen=True, order=True)
class Position:
    """A place in the feed: every row at or before it has been read."""

    xid: int
    id: int

    def as_json(self) -> list[int]:
        return [self.xid, self.id]

    @classmethod
    def from_json(cls, value: object) -> "Position":
        """The position a cursor file holds; a bare id is one written before xids (0, id)."""
        if type(value) is int:
            return cls(0, value)
        if isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value):
            return cls(value[0], value[1])
        raise ValueError(f"not a feed position: {value!r}")


START = Position(0, 0)


def horizon(session: Session) -> int | None:
    """Rows with an xid below this are final; None where every visible row is (SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    session.execute(_CLEAR_STATISTICS)
    return int(session.scalar(_HORIZON) or 0)


def _past(session: Session, after: Position) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":  # a row comparison, on (xid, id)
        return tuple_(Change.xid, Change.id) > tuple_(after.xid, after.id)
    # every xid is 0 on SQLite; its planner would seek (xid, id) on xid alone and then scan
    # every row before `after`
    return Change.id > after.id


def _in_order(session: Session) -> tuple[Any, ...]:
    if session.get_bind().dialect.name == "postgresql":
        return (Change.xid, Change.id)
    return (Change.id,)


def _final(session: Session, after: Position) -> ColumnElement[bool]:
    """The rows past `after` that no later commit can precede."""
    below = horizon(session)
    past = _past(session, after)
    return past if below is None else and_(past, Change.xid < below)


_FEED_ROW = (Change.xid, Change.id, Change.kind, Change.object_id, Change.action)
# What a search on SQLite reads before it answers (app.services.search_index.catch_up), built
# once: building it per search cost twice running it. Every xid is 0 there (see `_past`).
_SQLITE_READ = (
    select(*_FEED_ROW)
    .where(Change.id > bindparam("after"))
    .order_by(Change.id)
    .limit(bindparam("limit"))
)


def read(session: Session, after: Position, *, limit: int | None = None) -> list[Row[Any]]:
    """(xid, id, kind, object_id, action) of the final rows past `after`, in commit order (at
    most `limit`)."""
    if session.get_bind().dialect.name != "postgresql" and limit is not None:
        return list(session.execute(_SQLITE_READ, {"after": after.id, "limit": limit}))
    statement = select(*_FEED_ROW).where(_final(session, after)).order_by(*_in_order(session))
    return list(session.execute(statement if limit is None else statement.limit(limit)))


def changes(session: Session, after: Position, *, limit: int) -> list[Change]:
    """The final change rows past `after`, in commit order, at most `limit` (the API's feed)."""
    statement = select(Change).where(_final(session, after)).order_by(*_in_order(session))
    return list(session.scalars(statement.limit(limit)))


def position_of(row: Row[Any]) -> Position:
    return Position(int(row.xid or 0), int(row.id))


def last(session: Session) -> Position:
    """The position of the newest final row (START for an empty feed)."""
    below = horizon(session)
    statement = select(Change.xid, Change.id).order_by(*(c.desc() for c in _in_order(session)))
    if below is not None:
        statement = statement.where(Change.xid < below)
    row = session.execute(statement.limit(1)).first()
    return Position(int(row[0] or 0), row[1]) if row else START


def pending(
    session: Session, after: Position, kinds: tuple[str, ...]
) -> tuple[int, datetime | None]:
    """How many rows of these kinds past `after` are not read yet (final or not), and when the
    oldest of them was written (None when none is): how far behind a reader at `after` is."""
    count, oldest = session.execute(
        select(func.count(), func.min(Change.at)).where(
            _past(session, after), Change.kind.in_(kinds)
        )
    ).one()
    return int(count), oldest
