"""ETag and Cache-Control on JSON GET responses; If-None-Match answers 304 Not Modified.

The tag is a hash of the body, so it changes exactly when the answer does (search and facets
included). Streamed exports (CSV, NDJSON) pass through untouched.
"""

import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ETagMiddleware:
    def __init__(self, app: ASGIApp, *, cache_control: str) -> None:
        self.app = app
        self.cache_control = cache_control.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        wanted = dict(scope.get("headers") or []).get(b"if-none-match", b"")
        start: Message | None = None
        chunks: list[bytes] = []
        passing = False

        async def buffered(message: Message) -> None:
            nonlocal start, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                kind = dict(message.get("headers", [])).get(b"content-type", b"")
                json_body = kind.startswith(b"application/json")
                if message["status"] != 200 or not json_body:
                    passing = True
                    await send(message)
                    return
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            assert start is not None
            body = b"".join(chunks)
            tag = b'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'
            headers = [
                (k, v)
                for k, v in start.get("headers", [])
                if k.lower() not in (b"etag", b"cache-control")
            ]
            headers += [(b"etag", tag), (b"cache-control", self.cache_control)]
            if (
                wanted and tag in [t.strip() for t in wanted.split(b",")]
            ) or wanted.strip() == b"*":
                kept = [
                    (k, v)
                    for k, v in headers
                    if k.lower() not in (b"content-length", b"content-type")
                ]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffered)
