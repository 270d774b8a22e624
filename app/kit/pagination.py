"""Keyset cursors over (sort value, id), with nulls always last.

These inner cursors name a position in one ordering; app.api.paging wraps each one with the
query that made it before it leaves the API. Whatever a cursor holds is checked for its type
and range before it reaches a statement, so a forged one is a 400, never a database error.
"""

import base64
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from app.errors import InvalidParameter

T = TypeVar("T")

MAX_ROW_ID = 2**31 - 1  # ids are INTEGER columns (32-bit on PostgreSQL)
MAX_BIGINT = 2**63 - 1


def parse_count(value: Any) -> int:
    """A sort value that is a whole number stored as a (64-bit) integer: a count, an offset."""
    if type(value) is not int or not 0 <= value <= MAX_BIGINT:
        raise ValueError("not a count")
    return value


def parse_row_id(value: Any) -> int:
    if type(value) is not int or not 1 <= value <= MAX_ROW_ID:
        raise ValueError("not an id")
    return value


def parse_score(value: Any) -> float:
    """A finite float (a relevance score)."""
    if type(value) is not float or not math.isfinite(value):
        raise ValueError("not a score")
    return value


def parse_text(value: Any) -> str:
    if type(value) is not str:
        raise ValueError("not text")
    return value


def parse_date(value: Any) -> date:
    return date.fromisoformat(parse_text(value))


def parse_utc_datetime(value: Any) -> datetime:
    """A timestamp as the API writes it: UTC (naive is read as UTC), so it converts safely."""
    moment = datetime.fromisoformat(parse_text(value))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    if moment.utcoffset() != timedelta(0):
        raise ValueError("not UTC")
    return moment


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


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
    parse: Callable[[Any], Any]  # a stored sort value back to its type; ValueError if it is not

    @classmethod
    def by(
        cls,
        sort: str,
        column: InstrumentedAttribute[Any],
        id_column: InstrumentedAttribute[int],
        parse: Callable[[Any], Any],
    ) -> "Keyset":
        """The order `sort` names: `column` (descending with a leading `-`), then the id."""
        return cls(sort, column, id_column, descending=sort.startswith("-"), parse=parse)

    def key_of(self, row: Any) -> tuple[Any, int]:
        """The (sort value, id) of an ORM row, read from the attributes named as the columns."""
        return getattr(row, str(self.column.key)), getattr(row, str(self.id_column.key))

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
    """(is the sort value null, the sort value, the last id) of a cursor made for `keyset`; a
    400 naming `cursor` for anything else: bad base64 or JSON, the wrong shape or types, an id
    outside 1..2**31-1, a value the keyset's column cannot hold."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(
            base64.urlsafe_b64decode(padded.encode()), parse_constant=_reject_constant
        )
        if not isinstance(payload, list) or len(payload) != 4:
            raise ValueError("not a cursor")
        name, is_null, value, last_id = payload
        if name != keyset.name:
            if not isinstance(name, str):
                raise ValueError("not a cursor")
            raise InvalidParameter("cursor", f"was made for sort={name}, not sort={keyset.name}")
        if type(is_null) is not bool or type(last_id) is not int:
            raise ValueError("not a cursor")
        if not 1 <= last_id <= MAX_ROW_ID:
            raise ValueError("no such id")
        return is_null, (None if is_null else keyset.parse(value)), last_id
    except InvalidParameter:
        raise
    except (ValueError, TypeError, OverflowError, RecursionError) as error:
        # binascii.Error, UnicodeDecodeError and json.JSONDecodeError are ValueErrors
        raise InvalidParameter("cursor", "is not a cursor this API issued") from error


def cursor_name(cursor: str) -> str | None:
    """The name of the ordering a cursor was made for, unchecked (None for no cursor of ours):
    which engine should read it on; decode_cursor still checks the whole of it."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, RecursionError):
        return None
    name = payload[0] if isinstance(payload, list) and payload else None
    return name if isinstance(name, str) else None


def scalars(session: Session) -> Callable[[Select[Any]], Sequence[Any]]:
    """The runner of a statement over ORM entities: each row's one entity, joined loads once."""
    return lambda stmt: session.scalars(stmt).unique().all()


def paginate(
    stmt: Select[Any],
    *,
    keyset: Keyset,
    limit: int,
    cursor: str | None,
    run: Callable[[Select[Any]], Sequence[T]],
    key_of: Callable[[T], tuple[Any, int]] | None = None,
) -> tuple[list[T], str | None]:
    """The one way a list pages: the keyset order and cursor applied, limit+1 rows fetched,
    the page and the next cursor returned. `key_of` reads a row's (sort value, id); by default
    from the ORM attributes named as the keyset's columns."""
    if cursor:
        stmt = stmt.where(keyset.after(*decode_cursor(keyset, cursor)))
    rows = list(run(stmt.order_by(*keyset.order_by()).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    value, last_id = (key_of or keyset.key_of)(rows[-1])
    return rows, encode_cursor(keyset, value, last_id)
