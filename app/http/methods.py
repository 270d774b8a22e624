"""The HTTP method rules the router leaves out: HEAD, OPTIONS, 405 with the whole `Allow`."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import MethodNotAllowed, problem_response
from app.http.body_limit import route_path

METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
ROUTE_KEY = "defcoop.route"  # the scope key that names the matched path template

Paths = Callable[[], dict[str, Any]]
_MATCHES_KEPT = 4096


@dataclass(frozen=True)
class _PathEntry:
    template: str
    literal: bool  # no parameters: /v1/articles/bulk, not /v1/articles/{article_id}
    regex: re.Pattern[str]
    methods: frozenset[str]


class MethodsMiddleware:
    """The HTTP method rules the router leaves out, read from the OpenAPI document's paths:

    - HEAD is answered as GET is, without the body (same status and headers);
    - OPTIONS is 204 with `Allow`;
    - a method the path does not take is a 405 whose `Allow` lists every method the path takes
      (all its routes, not the one route the router happened to try);
    - a path that is a literal route (/v1/articles/bulk) is never read as a parameter of
      another (/v1/articles/{article_id}): PATCH /v1/articles/bulk is a 405, not a 422.

    It also records the matched template in the scope, so that answers given before routing
    (429, 413) are counted under their route."""

    def __init__(self, app: ASGIApp, *, paths: Paths) -> None:
        self.app = app
        self.paths = paths
        self._entries: list[_PathEntry] | None = None
        self._matched: dict[str, tuple[str | None, frozenset[str]]] = {}

    def entries(self) -> list[_PathEntry]:
        if self._entries is None:
            entries = []
            for template, item in self.paths().items():
                methods = frozenset(m.upper() for m in item if m.upper() in METHOD_ORDER)
                regex, _, _ = compile_path(template)
                entries.append(_PathEntry(template, "{" not in template, regex, methods))
            self._entries = entries
        return self._entries

    def match(self, path: str) -> tuple[str | None, frozenset[str]]:
        """(the template, the methods) of the path: literal routes first. Remembered for the
        paths seen last (trying every route's pattern cost 25 us a request)."""
        known = self._matched.get(path)
        if known is None:
            if len(self._matched) >= _MATCHES_KEPT:  # bounded: /v1/articles/{id} has many
                self._matched.clear()
            known = self._matched[path] = self._match(path)
        return known

    def _match(self, path: str) -> tuple[str | None, frozenset[str]]:
        found = [e for e in self.entries() if e.regex.match(path)]
        literal = [e for e in found if e.literal]
        chosen = literal or found
        if not chosen:
            return None, frozenset()
        methods = frozenset().union(*(e.methods for e in chosen))
        if "GET" in methods:
            methods |= {"HEAD"}
        return chosen[0].template, methods | {"OPTIONS"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        template, methods = self.match(path)
        method = scope["method"]
        if template is not None:  # an API path (not /docs, the static files or nothing)
            scope[ROUTE_KEY] = template
            allow = {"Allow": ", ".join(m for m in METHOD_ORDER if m in methods)}
            if method == "OPTIONS":
                await Response(status_code=204, headers=allow)(scope, receive, send)
                return
            if method not in methods:
                await _not_allowed(path, method, allow)(scope, receive, send)
                return
        if method != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        # Routed, rate-limited and tagged as the GET it mirrors, on a copy of the scope: the
        # server holds the original, and must go on seeing HEAD, or it waits for a GET's body
        # (uvicorn: "Response content shorter than Content-Length", the connection dropped).
        await self.app({**scope, "method": "GET"}, receive, without_body)


def _not_allowed(path: str, method: str, allow: dict[str, str]) -> Response:
    refused = MethodNotAllowed(
        f"{path} takes {allow['Allow']}, not {method}.",
        errors=[{"field": "method", "in": "request", "message": f"{method} is not allowed"}],
        headers=allow,
    )
    return problem_response(refused, instance=path)
