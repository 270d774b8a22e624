"""The one way a list answers: a `Page[T]` with its `Link: rel="next"` header, or, with
`format=csv|ndjson` (or the matching `Accept`), every row streamed (app.api.export).

A route describes its list once, as a `Listing` (how to fetch a page of rows, and how each
row is shown), takes the `ListDep` or `ExportableDep` dependency, and returns
`respond(listing, ...)`. The page size is the clamped `limit` of app.deps; cursors are sealed
and opened by app.api.paging.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, NamedTuple, TypeVar

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.api.export import FORMAT_HELP, ExportFormat, Reader, export, wanted_format
from app.api.paging import page_response
from app.deps import PageDep, PageParams, ReaderDep, SessionDep, limit_of

S = TypeVar("S", bound=BaseModel)
P = TypeVar("P", bound=BaseModel)


class Rows(NamedTuple):
    """A page of rows as a service returns it, and any more fields of the page's envelope."""

    items: Sequence[Any]
    next_cursor: str | None  # the service's inner cursor
    fields: Mapping[str, Any] = {}  # search's total, facets and query

    def page(self) -> tuple[Sequence[Any], str | None]:
        return self.items, self.next_cursor


Fetch = Callable[[Session, str | None, int], Rows | tuple[Sequence[Any], str | None]]
"""(session, inner cursor, limit) -> one page of rows and the inner cursor of the next."""


@dataclass(frozen=True)
class Listing(Generic[S]):
    """A list: its rows, page by page, and how one row is shown."""

    name: str  # of the export's file
    schema: type[S]  # of an item, and so of a CSV's columns
    fetch: Fetch
    serialize: Callable[[Any], S]


@dataclass(frozen=True)
class ListRequest:
    """What a list route answers with: the request's page and session, and the format wanted."""

    request: Request
    response: Response
    session: Session
    page: PageParams
    reader: Reader
    fmt: ExportFormat = ExportFormat.json


async def _list_request(
    request: Request, response: Response, session: SessionDep, page: PageDep, reader: ReaderDep
) -> ListRequest:
    return ListRequest(request, response, session, page, reader)


async def _exportable(
    base: Annotated[ListRequest, Depends(_list_request)],
    format: Annotated[ExportFormat | None, Query(description=FORMAT_HELP)] = None,
) -> ListRequest:
    fmt = wanted_format(base.request, format)
    return ListRequest(base.request, base.response, base.session, base.page, base.reader, fmt)


def top_list(*, default: int, maximum: int) -> Callable[..., Awaitable[ListRequest]]:
    """The dependency of a ranked top list: one page of `limit` (clamped as every limit is)
    best rows, no cursor."""

    async def asked(
        request: Request,
        response: Response,
        session: SessionDep,
        reader: ReaderDep,
        limit: Annotated[int, Depends(limit_of(default, maximum))],
    ) -> ListRequest:
        return ListRequest(request, response, session, PageParams(limit, None), reader)

    return asked


ListDep = Annotated[ListRequest, Depends(_list_request)]
"""A list answered as a page only."""
ExportableDep = Annotated[ListRequest, Depends(_exportable)]
"""A list answered as a page, or exported whole (`format`, `Accept`)."""


def respond(
    asked: ListRequest,
    listing: Listing[S],
    *,
    model: type[P],
    exported: Listing[Any] | None = None,
) -> Response:
    """The answer of every list: `model` (a `Page[T]`, or one extending it) with a page of
    `listing`, as JSON, or the stream of every row of `exported` (by default `listing`
    itself)."""
    if asked.fmt is not ExportFormat.json:
        whole = exported or listing
        return export(
            asked.reader,
            asked.fmt,
            name=whole.name,
            pager=lambda s, c, n: _rows(whole.fetch(s, c, n)).page(),
            schema=whole.schema,
            serialize=whole.serialize,
        )
    page = _rows(listing.fetch(asked.session, asked.page.cursor, asked.page.limit))
    return page_response(
        asked.request,
        asked.response,
        model,
        [listing.serialize(item) for item in page.items],
        limit=asked.page.limit,
        next_cursor=page.next_cursor,
        **page.fields,
    )


def _rows(fetched: Rows | tuple[Sequence[Any], str | None]) -> Rows:
    return fetched if isinstance(fetched, Rows) else Rows(*fetched)
