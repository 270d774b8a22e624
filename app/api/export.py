"""Whole result sets as CSV or NDJSON, streamed page by page: no cap, flat memory.

Any list endpoint answers `format=csv|ndjson` (or `Accept: text/csv` / `application/x-ndjson`).
The stream reads with its own session, a keyset page at a time, after the request's unit of
work has closed.
"""

import csv
import io
import json
from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

PAGE_ROWS = 500

Pager = Callable[[Session, str | None, int], tuple[list[Any], str | None]]


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


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, f"{name}."))
        elif isinstance(value, list):
            out[name] = json.dumps(value, ensure_ascii=False, default=str)
        else:
            out[name] = value
    return out


def _rows(
    factory: sessionmaker[Session], pager: Pager, serialize: Callable[[Any], dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """Every row. The first page is read before the response starts, so a bad query or filter
    is still a problem+json answer rather than a stream cut short."""
    with factory() as session:
        items, cursor = pager(session, None, PAGE_ROWS)
        first = [serialize(item) for item in items]

    def rest() -> Iterator[dict[str, Any]]:
        yield from first
        next_cursor = cursor
        while next_cursor:
            with factory() as session:
                page, next_cursor = pager(session, next_cursor, PAGE_ROWS)
                rows = [serialize(item) for item in page]
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


def _csv(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer: csv.DictWriter[str] | None = None
    for row in rows:
        flat = _flat(row)
        if writer is None:
            writer = csv.DictWriter(buffer, fieldnames=list(flat), extrasaction="ignore")
            writer.writeheader()
        writer.writerow(flat)
        if buffer.tell() > CHUNK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def export(
    request: Request,
    fmt: ExportFormat,
    *,
    name: str,
    pager: Pager,
    serialize: Callable[[Any], dict[str, Any]],
) -> StreamingResponse:
    """Stream every row the pager yields, in `fmt`."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    rows = _rows(factory, pager, serialize)
    if fmt is ExportFormat.csv:
        body, media = _csv(rows), "text/csv; charset=utf-8"
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
        "content": {"text/csv": {}, "application/x-ndjson": {}},
    }
}
FORMAT_HELP = "json (a page), or csv / ndjson: every matching row, streamed"
