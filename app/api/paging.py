"""Cursor-paged lists: one way to answer a page, and cursors that carry their query.

A list's `next_cursor` continues the query that made it, and only that query. The cursor
holds the path, the query parameters of the page it came from (those the route declares,
other than the cursor itself: filters, `q`, sort, limit, facets...) and the service's inner
keyset cursor (app.kit.pagination), signed with an HMAC:

    <base64url(deflate(JSON [1, path, [name, value, ...], inner]))>.<base64url(HMAC-SHA256)[:16]>

`CursorRoute` reads it before FastAPI reads the route's parameters:

- `?cursor=X` alone restores every parameter of the page it came from;
- `?cursor=X&<the same parameters>` (in any order) is the same request;
- other parameters that choose the rows (a filter, `q`, `sort`...), or another path, are a
  400 naming `cursor`, as is a cursor the API did not issue or one that was altered.

The parameters that only shape the answer (FREE_PARAMS: `limit`, and search's facets and
highlight marks) may change from page to page; those not given keep the cursor's values. The
route then sees its usual parameters with the inner cursor in place of the public one, and
answers with `page_response`, which seals the next cursor and writes the `Link: rel="next"`
header.
"""

import base64
import hashlib
import hmac
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.datastructures import QueryParams
from starlette.types import Receive, Scope, Send

from app.config import Settings
from app.errors import InvalidParameter
from app.http.body_limit import route_path

TOKEN_PARAMS = ("cursor", "since")  # a route's cursor; /v1/changes also names it `since`
# They shape the answer, not which rows come next, so they may change between pages.
FREE_PARAMS = frozenset({"limit", "facets", "facet_size", "highlight_pre", "highlight_post"})
MAX_CURSOR_CHARS = 8192  # the longest query the API accepts still fits (deflate, then base64)
_MAX_PAYLOAD_BYTES = 64 * 1024
_MAX_INNER_CHARS = 2048  # a sort value (an entity's name at most) and an id
_MAC_CHARS = 16  # 96 bits of HMAC-SHA256, base64url
_VERSION = 1

Params = list[tuple[str, str]]
M = TypeVar("M", bound=BaseModel)


def cursor_key(settings: Settings) -> bytes:
    """The HMAC key of cursors: DEFCOOP_CURSOR_SECRET, else a fixed one. The signature only
    tells a cursor this API issued from one altered by hand; what a cursor may ask for is
    checked value by value whatever the key, so the default needs no secret (and is not made
    from the database URL, which holds its password and changes when the password does)."""
    secret = settings.cursor_secret.get_secret_value() if settings.cursor_secret else ""
    return _key(secret)


@lru_cache(maxsize=8)
def _key(secret: str) -> bytes:
    return hashlib.sha256(b"defcoop cursor\x00" + secret.encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _mac(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())[:_MAC_CHARS]


def canonical(params: Sequence[tuple[str, str]]) -> Params:
    """Parameters in name order; a repeated parameter keeps its values' order."""
    return sorted(params, key=lambda pair: pair[0])


@dataclass(frozen=True)
class BoundCursor:
    path: str
    params: Params
    inner: str


def seal_cursor(key: bytes, path: str, params: Sequence[tuple[str, str]], inner: str) -> str:
    """The public cursor for `inner`, the position in the list at `path` queried by `params`."""
    flat = [part for pair in canonical(params) for part in pair]
    document = json.dumps([_VERSION, path, flat, inner], ensure_ascii=False, separators=(",", ":"))
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: no header, no checksum
    payload = _b64(packer.compress(document.encode()) + packer.flush())
    return f"{payload}.{_mac(key, payload)}"


def open_cursor(key: bytes, token: str) -> BoundCursor:
    """What a public cursor is bound to; a 400 naming `cursor` unless the API issued it."""
    unknown = InvalidParameter("cursor", "is not a cursor this API issued (or it was altered)")
    payload, dot, mac = token.partition(".")
    if len(token) > MAX_CURSOR_CHARS or not dot or not payload.isascii():
        raise unknown
    if not hmac.compare_digest(mac.encode(), _mac(key, payload).encode()):
        raise unknown
    try:
        packed = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        unpacker = zlib.decompressobj(-15)
        document = unpacker.decompress(packed, _MAX_PAYLOAD_BYTES)
        if unpacker.unconsumed_tail or not unpacker.eof:
            raise ValueError("not a whole payload")
        version, path, flat, inner = json.loads(document)
    except (ValueError, TypeError, zlib.error, RecursionError) as error:
        raise unknown from error
    if (
        version != _VERSION
        or not isinstance(path, str)
        or not isinstance(inner, str)
        or not 0 < len(inner) <= _MAX_INNER_CHARS
        or not isinstance(flat, list)
        or len(flat) % 2
        or not all(isinstance(part, str) for part in flat)
    ):
        raise unknown
    return BoundCursor(path, list(zip(flat[::2], flat[1::2], strict=True)), inner)


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters a route reads: its own, its dependencies', and each field of a
    query-parameter model (a filter model of app.schemas.filters) under its query name."""
    names: set[str] = set()
    for field in dependant.query_params:
        model = field.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            names |= {info.alias or name for name, info in model.model_fields.items()}
        else:
            names.add(field.alias)
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


class CursorRoute(APIRoute):
    """A route whose cursor is bound to its query (see the module's docstring). Every router
    with a cursor-paged list uses it: `APIRouter(..., route_class=CursorRoute)`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        declared = _query_names(self.dependant)
        self.cursor_params = tuple(name for name in TOKEN_PARAMS if name in declared)
        # the name its next pages are linked with: `since` where the route documents it (the
        # change feed; `cursor` there is a deprecated alias), else `cursor`
        self.cursor_name = "since" if "since" in self.cursor_params else "cursor"
        self.bound_params = frozenset(declared - set(self.cursor_params))

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.cursor_params
            and scope["type"] == "http"
            and scope["method"] in (self.methods or ())
        ):
            resumed = self._resume(scope)
            if resumed is not None:
                scope["query_string"] = resumed
        await super().handle(scope, receive, send)

    def _resume(self, scope: Scope) -> bytes | None:
        """The query string to run: the cursor's query, with its inner cursor."""
        items = QueryParams(scope.get("query_string", b"")).multi_items()
        tokens = [(k, v) for k, v in items if k in self.cursor_params and v]
        if not tokens:
            return None
        if len(tokens) > 1:
            raise InvalidParameter("cursor", "give one cursor (`cursor` or `since`), not several")
        name, token = tokens[0]
        settings: Settings = scope["app"].state.settings
        bound = open_cursor(cursor_key(settings), token)
        path = route_path(scope)  # without a proxy's root path, as list_url seals it
        if bound.path != path:
            raise InvalidParameter("cursor", f"was made for {bound.path}, not {path}")
        asked = [(k, v) for k, v in items if k in self.bound_params and k not in FREE_PARAMS]
        made = [(k, v) for k, v in bound.params if k not in FREE_PARAMS]
        if asked and canonical(asked) != canonical(made):
            differ = sorted(
                {
                    k
                    for k, _ in asked + made
                    if [v for n, v in asked if n == k] != [v for n, v in made if n == k]
                }
            )
            raise InvalidParameter(
                "cursor",
                f"was made for another query (it differs in {', '.join(differ)}): send the "
                "cursor alone, or with the parameters of the page it came from",
            )
        query = [(k, v) for k, v in items if k not in self.cursor_params]
        if not asked:
            query = made + query
        given = {k for k, _ in query}
        query += [(k, v) for k, v in bound.params if k in FREE_PARAMS and k not in given]
        return urlencode([*query, (name, bound.inner)]).encode("ascii")


def _route(request: Request) -> CursorRoute:
    route = request.scope.get("route")
    if not isinstance(route, CursorRoute):
        raise TypeError(f"{request.url.path} pages with cursors: its router needs CursorRoute")
    return route


def seal_next(request: Request, inner: str | None) -> str | None:
    """The public cursor of the page after this request's, from the service's inner one."""
    if inner is None:
        return None
    route = _route(request)
    params = [(k, v) for k, v in request.query_params.multi_items() if k in route.bound_params]
    key = cursor_key(request.app.state.settings)
    return seal_cursor(key, route_path(request.scope), params, inner)


def list_url(
    request: Request, path: str, params: Sequence[tuple[str, str]], inner: str | None
) -> str | None:
    """The URL of the next page of another list (`path` queried by `params`), or None."""
    if inner is None:
        return None
    cursor = seal_cursor(cursor_key(request.app.state.settings), path, params, inner)
    return f"{path}?{urlencode([*params, ('cursor', cursor)])}"


def page_response(
    request: Request,
    response: Response,
    model: type[M],
    items: Sequence[Any],
    *,
    limit: int,
    next_cursor: str | None,
    more: bool = True,
    **fields: Any,
) -> Response:
    """The answer of every cursor-paged list: `model`, as JSON, with the page, its limit and
    the public next cursor (from the service's inner `next_cursor`), and, when `more` rows
    wait, the same as a `Link: <...>; rel="next"` header."""
    public = seal_next(request, next_cursor)
    if public and more:
        route = _route(request)
        url = request.url.remove_query_params(route.cursor_params)
        link = url.include_query_params(**{route.cursor_name: public})
        response.headers["Link"] = f'<{link}>; rel="next"'
    return json_response(model(items=items, limit=limit, next_cursor=public, **fields), response)


def json_response(body: BaseModel, response: Response) -> Response:
    """`body` as JSON, with the headers (and status) the request's `response` was given.
    What FastAPI would send for the route's `response_model`, without handing the model to
    the thread pool to be validated again (for a `def` route, one more thread hop a request)."""
    answer = Response(
        body.model_dump_json(by_alias=True),
        status_code=response.status_code or 200,
        media_type="application/json",
    )
    answer.headers.raw.extend(response.headers.raw)
    return answer
