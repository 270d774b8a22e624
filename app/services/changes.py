"""The change feed, read: what was created, updated and deleted, in the order it was made."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.kit.pagination import Keyset, encode_cursor, paginate, parse_row_id
from app.models import Change

CHANGES_KEYSET = Keyset(
    name="changes", column=Change.id, id_column=Change.id, descending=False, parse=parse_row_id
)


def list_changes(
    session: Session, *, limit: int, since: str | None
) -> tuple[list[Change], str | None, bool]:
    """Changes in the order they were made after `since`; the cursor to resume from (after the
    last one returned, or `since` again when nothing is new) and whether more are waiting."""
    items, more = paginate(
        select(Change),
        keyset=CHANGES_KEYSET,
        limit=limit,
        cursor=since,
        run=lambda s: session.scalars(s).all(),
        key_of=lambda c: (c.id, c.id),
    )
    resume = encode_cursor(CHANGES_KEYSET, items[-1].id, items[-1].id) if items else since
    return items, resume, more is not None
