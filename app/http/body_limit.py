"""A hard cap on request body size, enforced while the body streams in (a declared
Content-Length over it is refused before reading), and no NUL characters in query strings (no
database can compare them)."""

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import BadRequest, PayloadTooLarge, problem_response


def route_path(scope: Scope) -> str:
    """The path as the routes see it: without the root path a proxy mounts the app under
    (uvicorn --root-path puts the prefix into scope["path"] too)."""
    root = str(scope.get("root_path", ""))
    path = str(scope.get("path", ""))
    return path[len(root) :] if root and path.startswith(root) else path


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(
        self, app: ASGIApp, *, max_bytes: int, per_path: Mapping[str, int] | None = None
    ) -> None:
        """`per_path`: a lower cap for some paths (the keyless dry run of extraction)."""
        self.app = app
        self.max_bytes = max_bytes
        self.per_path = dict(per_path or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").lower()
        if b"%00" in query or b"\x00" in query:
            refused = BadRequest(
                "The query string contains a NUL character.",
                errors=[{"field": "query", "in": "query", "message": "NUL character"}],
            )
            response = problem_response(refused, instance=str(scope.get("path", "")))
            await response(scope, receive, send)
            return
        path = route_path(scope)  # without a proxy's root path: the cap is per route
        limit = min(self.max_bytes, self.per_path.get(path, self.max_bytes))
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(scope, receive, send, limit)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(scope, receive, send, limit)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        path = str(scope.get("path", ""))
        where = f" for {path}" if path in self.per_path else ""
        refused = PayloadTooLarge(
            f"The request body is larger than the limit of {limit} bytes{where}.",
            errors=[{"field": "body", "in": "body", "message": f"over {limit} bytes"}],
        )
        response = problem_response(refused, instance=path)
        await response(scope, receive, send)
