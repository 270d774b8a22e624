"""The change feed, read: what was created, updated and deleted, in the order it committed.

A page is read through app.db.feed_order: on PostgreSQL, ids are drawn when rows are written,
not when they commit, so a reader that resumed after the largest id it had seen would never
see a slower transaction's smaller one; feed_order reads in (transaction, id) order, below the
oldest transaction still running, and the cursor carries that position.
"""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import feed_order
from app.db.feed_order import Position
from app.kit.pagination import Keyset, cursor_name, decode_cursor, encode_cursor, parse_row_id
from app.models import Change


def _xid(value: Any) -> int:
    if type(value) is not int or not 0 <= value < 2**63:
        raise ValueError("not a transaction id")
    return value


# the cursor: ("feed", xid, id), the position of the last change returned
FEED_KEYSET = Keyset(
    name="feed", column=Change.xid, id_column=Change.id, descending=False, parse=_xid
)
# cursors issued before positions carried the transaction: ("changes", id, id)
LEGACY_KEYSET = Keyset(
    name="changes", column=Change.id, id_column=Change.id, descending=False, parse=parse_row_id
)


def list_changes(
    session: Session, *, limit: int, since: str | None
) -> tuple[list[Change], str | None, bool]:
    """Changes in commit order after `since`; the cursor to resume from (after the last one
    returned, or `since` again when nothing is new) and whether more are waiting."""
    rows = feed_order.changes(session, _resume_after(session, since), limit=limit + 1)
    items = rows[:limit]
    if items:
        resume: str | None = encode_cursor(FEED_KEYSET, items[-1].xid or 0, items[-1].id)
    else:
        resume = since
    return items, resume, len(rows) > limit


def _resume_after(session: Session, since: str | None) -> Position:
    if since is None:
        return feed_order.START
    if cursor_name(since) == LEGACY_KEYSET.name:
        return _legacy(session, decode_cursor(LEGACY_KEYSET, since)[2])
    _, xid, last_id = decode_cursor(FEED_KEYSET, since)
    return Position(xid, last_id)


def _legacy(session: Session, last_id: int) -> Position:
    """A position from which every change after id `last_id` is read (some before it may come
    again, which a mirror applies twice to the same effect). On SQLite ids are in commit order.
    On PostgreSQL: back to the oldest transaction that wrote one past it, or that still runs."""
    below = feed_order.horizon(session)
    if below is None:
        return Position(0, last_id)
    oldest = session.scalar(select(func.min(Change.xid)).where(Change.id > last_id))
    start = below if oldest is None else min(int(oldest), below)
    return Position(start - 1, 2**31)
