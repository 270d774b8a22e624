"""Opaque keyset cursors over (sort value, id), with nulls always last."""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from app.errors import InvalidParameter

T = TypeVar("T")


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Keyset:
    """How a list is ordered: one sortable column (nullable), then the id as tie-break."""

    name: str
    column: ColumnElement[Any] | InstrumentedAttribute[Any]
    id_column: ColumnElement[int] | InstrumentedAttribute[int]
    descending: bool
    parse: Callable[[Any], Any] = lambda v: v

    def order_by(self) -> list[ColumnElement[Any]]:
        # NULLS LAST rather than a CASE: SQLite then walks the column's index for the common
        # newest-first order instead of sorting every row for each page.
        if self.descending:
            return [self.column.desc().nulls_last(), self.id_column.desc()]
        return [self.column.asc().nulls_last(), self.id_column.asc()]

    def after(self, is_null: bool, value: Any, last_id: int) -> ColumnElement[bool]:
        ahead = self.id_column < last_id if self.descending else self.id_column > last_id
        if is_null:
            return and_(self.column.is_(None), ahead)
        beyond = self.column < value if self.descending else self.column > value
        return or_(
            self.column.is_(None),
            beyond,
            and_(self.column == value, ahead),
        )


def encode_cursor(keyset: Keyset, value: Any, last_id: int) -> str:
    payload = [keyset.name, value is None, _encode_value(value), last_id]
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(keyset: Keyset, cursor: str) -> tuple[bool, Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, is_null, value, last_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if name != keyset.name:
            raise InvalidParameter("cursor", f"was made for sort={name}, not sort={keyset.name}")
        if not isinstance(last_id, int) or not isinstance(is_null, bool):
            raise ValueError("bad cursor")
        return is_null, (None if is_null else keyset.parse(value)), last_id
    except InvalidParameter:
        raise
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidParameter("cursor", "is not a cursor this API issued") from error


def page_by(
    session: Session,
    stmt: Select[Any],
    *,
    column: InstrumentedAttribute[Any],
    id_column: InstrumentedAttribute[int],
    sort: str,
    parse: Callable[[Any], Any],
    limit: int,
    cursor: str | None,
) -> tuple[list[Any], str | None]:
    """One page of ORM rows ordered by `column` (`-` in `sort` for descending), then id."""
    keyset = Keyset(
        name=sort, column=column, id_column=id_column, descending=sort.startswith("-"), parse=parse
    )
    return paginate(
        stmt,
        keyset=keyset,
        limit=limit,
        cursor=cursor,
        run=lambda s: session.scalars(s).unique().all(),
        key_of=lambda row: (getattr(row, column.key), getattr(row, id_column.key)),
    )


def paginate(
    stmt: Select[Any],
    *,
    keyset: Keyset,
    limit: int,
    cursor: str | None,
    run: Callable[[Select[Any]], Sequence[T]],
    key_of: Callable[[T], tuple[Any, int]],
) -> tuple[list[T], str | None]:
    """Apply the keyset order and cursor, fetch limit+1 rows, and return the page and next cursor."""
    if cursor:
        stmt = stmt.where(keyset.after(*decode_cursor(keyset, cursor)))
    rows = list(run(stmt.order_by(*keyset.order_by()).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    value, last_id = key_of(rows[-1])
    return rows, encode_cursor(keyset, value, last_id)
