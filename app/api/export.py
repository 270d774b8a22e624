"""Whole result sets as CSV or NDJSON, streamed page by page: no cap, flat memory.

Any list endpoint answers `format=csv|ndjson` (or `Accept: text/csv` / `application/x-ndjson`).
The stream reads with its own sessions, a keyset page at a time, after the request's unit of
work has closed; each one under the request's time limit (DEFCOOP_DB_TIME_LIMIT_S), as every
other read is.

A CSV's columns come from the schema of the list's items, never from the rows (a first row
without a location must not cost every later row its location): the fields in schema order,
nested models flattened with dots, lists as JSON text, a map keyed by an enum (per-type
counts) one column per member.
"""

import csv
import functools
import io
import json
import types
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, TypeVar, Union, get_args, get_origin

from fastapi import Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

PAGE_ROWS = 500

Pager = Callable[[Session, str | None, int], tuple[Sequence[Any], str | None]]
Reader = Callable[[], AbstractContextManager[Session]]
S = TypeVar("S", bound=BaseModel)


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"
    ndjson = "ndjson"


def wanted_format(request: Request, fmt: ExportFormat | None) -> ExportFormat:
    if fmt is not None:
        return fmt
    accept = request.headers.get("accept", "")
    if "text/csv" in accept:
        return ExportFormat.csv
    if "application/x-ndjson" in accept or "application/jsonl" in accept:
        return ExportFormat.ndjson
    return ExportFormat.json


@dataclass(frozen=True)
class Column:
    """One CSV column: its header, where its value sits in a row, and how it is written."""

    name: str
    path: tuple[str, ...]
    as_json: bool = False
    absent: Any = None  # a key an enum-keyed map lacks: 0 for counts, an empty cell otherwise


@functools.cache  # a schema's columns never change: worked out once per schema
def csv_columns(schema: type[BaseModel]) -> tuple[Column, ...]:
    """The columns of `schema`'s CSV, whatever the rows hold."""
    return tuple(_model_columns(schema, ()))


def _model_columns(schema: type[BaseModel], path: tuple[str, ...]) -> Iterator[Column]:
    for name, field in schema.model_fields.items():
        yield from _field_columns(field.annotation, (*path, name))


def _field_columns(annotation: Any, path: tuple[str, ...]) -> Iterator[Column]:
    kind = _without_none(annotation)
    origin = get_origin(kind)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        yield from _model_columns(kind, path)
    elif origin is dict and _is_enum(get_args(kind)[0]):
        keys, values = get_args(kind)
        absent = 0 if values is int else None
        for member in keys:
            key = str(member.value)
            yield Column(".".join((*path, key)), (*path, key), absent=absent)
    elif origin in (list, tuple, set, frozenset, dict) or kind in (list, tuple, set, dict):
        yield Column(".".join(path), path, as_json=True)
    elif origin in (Union, types.UnionType) and any(_is_model(arm) for arm in get_args(kind)):
        raise TypeError(f"{'.'.join(path)}: a union of models has no fixed columns")
    else:
        yield Column(".".join(path), path)


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        arms = [arm for arm in get_args(annotation) if arm is not type(None)]
        if len(arms) == 1:
            return arms[0]
    return annotation


def _is_enum(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, Enum)


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


_MISSING = object()


def _cell(row: dict[str, Any], column: Column) -> Any:
    value: Any = row
    for key in column.path:
        if value is None:
            return None
        value = value.get(key, _MISSING)
        if value is _MISSING:
            return column.absent
    if value is not None and column.as_json:
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _rows(
    reader: Reader, pager: Pager, serialize: Callable[[Any], BaseModel]
) -> Iterator[dict[str, Any]]:
    """Every row. The first page is read before the response starts, so a bad query or filter,
    or a first page past the time limit, is still a problem+json answer rather than a stream
    cut short."""
    with reader() as session:
        items, cursor = pager(session, None, PAGE_ROWS)
        first = [serialize(item).model_dump(mode="json") for item in items]

    def rest() -> Iterator[dict[str, Any]]:
        yield from first
        next_cursor = cursor
        while next_cursor:
            with reader() as session:
                page, next_cursor = pager(session, next_cursor, PAGE_ROWS)
                rows = [serialize(item).model_dump(mode="json") for item in page]
            yield from rows

    return rest()


CHUNK_BYTES = 64_000  # the stream is sent in chunks: each one is a hop to a worker thread


def _ndjson(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    lines: list[str] = []
    size = 0
    for row in rows:
        line = json.dumps(row, ensure_ascii=False, default=str) + "\n"
        lines.append(line)
        size += len(line)
        if size > CHUNK_BYTES:
            yield "".join(lines).encode()
            lines, size = [], 0
    yield "".join(lines).encode()


def _csv(rows: Iterator[dict[str, Any]], columns: Sequence[Column]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.name for column in columns])  # the header, rows or none
    for row in rows:
        writer.writerow([_cell(row, column) for column in columns])
        if buffer.tell() > CHUNK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def export(
    reader: Reader,
    fmt: ExportFormat,
    *,
    name: str,
    pager: Pager,
    schema: type[S],
    serialize: Callable[[Any], S],
) -> StreamingResponse:
    """Stream every row the pager yields, as `schema`, in `fmt`."""
    rows = _rows(reader, pager, serialize)
    if fmt is ExportFormat.csv:
        body, media = _csv(rows, csv_columns(schema)), "text/csv; charset=utf-8"
    else:
        body, media = _ndjson(rows), "application/x-ndjson"
    extension = "csv" if fmt is ExportFormat.csv else "ndjson"
    return StreamingResponse(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'},
    )


EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A page as JSON; with format=csv or format=ndjson, every matching row, streamed",
        # Declared as text, so a generated client hands the stream over instead of parsing
        # it as JSON (an empty schema there made openapi-python-client call .json() on CSV).
        "content": {
            "text/csv": {"schema": {"type": "string", "description": "CSV with a header row"}},
            "application/x-ndjson": {
                "schema": {"type": "string", "description": "One JSON object per line"}
            },
        },
    }
}
FORMAT_HELP = (
    "json (a page), or csv / ndjson: every matching row, streamed. A CSV's columns are the item"
    " schema's fields flattened with dots (`source.name`), in schema order, whatever the rows"
    " hold: lists as JSON text, per-type counts one column per event type (`by_type.visit`,"
    " 0 when none), and the header comes even when no row matches"
)
