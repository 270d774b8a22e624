"""The keyset cursor codec of app.kit.pagination on its own, against a plain SQLite table: pages
meet without gaps or repeats across the null boundary, and a cursor that was altered or made
for another sort is a 400 naming `cursor`."""

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select
from sqlalchemy.engine import Connection

from app.errors import InvalidParameter
from app.kit.pagination import Keyset, cursor_name, decode_cursor, encode_cursor, parse_count

ROWS = Table(
    "row", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer, nullable=True)
)
# Ties, nulls among them and ids that do not follow the values: every boundary a page can meet.
VALUES = {1: 5, 2: None, 3: 5, 4: 1, 5: None, 6: 9, 7: 1, 8: None, 9: 5}


@pytest.fixture
def connection() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    ROWS.metadata.create_all(engine)
    with engine.connect() as conn:
        conn.execute(insert(ROWS), [{"id": i, "n": n} for i, n in VALUES.items()])
        yield conn
    engine.dispose()


def _keyset(descending: bool, name: str = "n") -> Keyset:
    return Keyset(
        name=name, column=ROWS.c.n, id_column=ROWS.c.id, descending=descending, parse=parse_count
    )


def _expected(descending: bool) -> list[int]:
    """The ids in keyset order: by value (nulls last either way), then by id the same way."""
    present = sorted((n, i) for i, n in VALUES.items() if n is not None)
    nulls = sorted(i for i, n in VALUES.items() if n is None)
    if descending:
        return [i for _, i in reversed(present)] + nulls[::-1]
    return [i for _, i in present] + nulls


def _walk(connection: Connection, keyset: Keyset, limit: int) -> list[list[int]]:
    """Every page, each one continued from an encoded and decoded cursor of the last row."""
    pages: list[list[int]] = []
    cursor: str | None = None
    while True:
        stmt = select(ROWS.c.id, ROWS.c.n).order_by(*keyset.order_by()).limit(limit)
        if cursor is not None:
            stmt = stmt.where(keyset.after(*decode_cursor(keyset, cursor)))
        rows = connection.execute(stmt).all()
        if not rows:
            return pages
        pages.append([row.id for row in rows])
        cursor = encode_cursor(keyset, rows[-1].n, rows[-1].id)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("limit", [1, 2, 3, 4, 9])
def test_pages_meet_across_the_null_boundary(
    connection: Connection, descending: bool, limit: int
) -> None:
    pages = _walk(connection, _keyset(descending), limit)
    assert [i for page in pages for i in page] == _expected(descending)
    assert all(len(page) == limit for page in pages[:-1])


@pytest.mark.parametrize("descending", [False, True])
def test_after_the_last_value_come_the_nulls_and_after_a_null_the_rest(
    connection: Connection, descending: bool
) -> None:
    keyset = _keyset(descending)
    order = _expected(descending)

    def after(value: Any, last_id: int) -> list[int]:
        is_null, decoded, row_id = decode_cursor(keyset, encode_cursor(keyset, value, last_id))
        stmt = select(ROWS.c.id).where(keyset.after(is_null, decoded, row_id))
        return list(connection.scalars(stmt.order_by(*keyset.order_by())))

    last_valued = order[5]  # the sixth of nine rows holds the last value; three nulls follow
    assert VALUES[last_valued] is not None and after(VALUES[last_valued], last_valued) == order[6:]
    assert after(None, order[6]) == order[7:]
    assert after(None, order[8]) == []
    assert decode_cursor(keyset, encode_cursor(keyset, None, 8)) == (True, None, 8)


def _is_cursor_problem(error: pytest.ExceptionInfo[InvalidParameter]) -> bool:
    return error.value.status == 400 and [e["field"] for e in error.value.errors] == ["cursor"]


def _payload(*parts: Any) -> str:
    raw = json.dumps(list(parts), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# The inner codec is not signed (app.api.paging seals it, tests/api/test_paging.py forges that
# seal): here an altered cursor is one that no longer decodes to a position of this keyset.
TAMPERED = {
    "first letter changed": lambda c: ("B" if c[0] != "B" else "C") + c[1:],
    "cut short": lambda c: c[:-3],
    "one letter more": lambda c: c + "A",
    "value of another type": lambda c: _payload("n", False, "5", 3),
    "null flag as text": lambda c: _payload("n", "false", 5, 3),
    "null flag with a value": lambda c: _payload("n", 0, 5, 3),
    "id out of range": lambda c: _payload("n", False, 5, 2**31),
    "id of another type": lambda c: _payload("n", False, 5, 3.0),
    "one part short": lambda c: _payload("n", False, 5),
    "a sort that is not text": lambda c: _payload(1, False, 5, 3),
    "not a list": lambda c: _payload({"n": 5}),
}


@pytest.mark.parametrize("alter", TAMPERED.values(), ids=TAMPERED.keys())
def test_a_tampered_cursor_is_a_400_naming_cursor(alter: Any) -> None:
    keyset = _keyset(False)
    cursor = encode_cursor(keyset, 5, 3)
    assert decode_cursor(keyset, cursor) == (False, 5, 3)
    with pytest.raises(InvalidParameter) as error:
        decode_cursor(keyset, alter(cursor))
    assert _is_cursor_problem(error)


@pytest.mark.parametrize(
    "cursor", ["", "not-a-cursor", "====", "W10", "bnVsbA", "e30", "WzEsMiwzXQ", "%%%"]
)
def test_anything_but_a_cursor_is_a_400_naming_cursor(cursor: str) -> None:
    with pytest.raises(InvalidParameter) as error:
        decode_cursor(_keyset(False), cursor)
    assert _is_cursor_problem(error)


def test_a_cursor_of_another_sort_is_a_400_that_names_both() -> None:
    by_value = encode_cursor(_keyset(True, "-n"), 5, 3)
    with pytest.raises(InvalidParameter) as error:
        decode_cursor(_keyset(False, "n"), by_value)
    assert _is_cursor_problem(error)
    assert "sort=-n" in error.value.detail and "sort=n" in error.value.detail
    assert decode_cursor(_keyset(True, "-n"), by_value) == (False, 5, 3)


def test_a_cursor_names_its_ordering_and_anything_else_names_none() -> None:
    assert cursor_name(encode_cursor(_keyset(True, "topk:relevance"), 40, 7)) == "topk:relevance"
    for junk in ("", "!!!", base64.urlsafe_b64encode(b"[1, 2]").decode(), "e30"):
        assert cursor_name(junk) is None
