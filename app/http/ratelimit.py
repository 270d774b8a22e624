"""Rate limits per API key (or per client address without one), with the standard headers.

Every answer carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset (seconds); past
the limit the answer is 429 problem+json with Retry-After. Counting uses the `limits` library's
moving window, in memory: each worker process counts for itself.
"""

import hashlib
import math
import time

from limits import RateLimitItem, parse, storage, strategies
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import TooManyRequests, problem_response

EXEMPT = ("/healthz", "/readyz", "/metrics", "/explore/assets/")  # the explorer's files: static
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def is_write(scope: Scope) -> bool:
    """Whether a request counts against the write limit: anything but a safe method. So the
    keyless POST /v1/extract is a write too: it runs the extractor as storing does."""
    return scope.get("method") not in SAFE_METHODS


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, reads: str, writes: str) -> None:
        self.app = app
        self.limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())
        self.reads: RateLimitItem = parse(reads)
        self.writes: RateLimitItem = parse(writes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        write = is_write(scope)
        item = self.writes if write else self.reads
        # Counted apart: with equal limits the two would otherwise share one counter.
        kind = "writes" if write else "reads"
        who = _identity(scope)
        allowed = self.limiter.hit(item, kind, who)
        stats = self.limiter.get_window_stats(item, kind, who)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        headers = [
            (b"ratelimit-limit", str(item.amount).encode()),
            (b"ratelimit-remaining", str(max(0, stats.remaining)).encode()),
            (b"ratelimit-reset", str(reset).encode()),
        ]
        if not allowed:
            refused = TooManyRequests(
                f"More than {item.amount} requests per {item.get_expiry()} s; try again in {reset} s.",
                headers={
                    "Retry-After": str(max(1, reset)),
                    **{k.decode(): v.decode() for k, v in headers},
                },
            )
            response = problem_response(refused, instance=str(scope.get("path", "")))
            await response(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, with_headers)


def _identity(scope: Scope) -> str:
    """The presented key (hashed: keys never sit in memory as text longer than needed), else the
    client address."""
    headers = dict(scope.get("headers") or [])
    presented = headers.get(b"authorization", b"") or headers.get(b"x-api-key", b"")
    if presented:
        return "key:" + hashlib.sha256(presented).hexdigest()[:32]
    client = scope.get("client") or ("unknown", 0)
    return f"ip:{client[0]}"
