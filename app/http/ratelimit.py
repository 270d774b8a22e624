"""Rate limits per API key (or per client address without one), with the standard headers.

Every answer carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset (seconds); past
the limit the answer is 429 problem+json with Retry-After. Counting is a moving window (the
`limits` library's strategy of that name: at most `amount` requests in any `expiry` seconds), in
memory: each worker process counts for itself.
"""

import hashlib
import math
import threading
import time
from collections import deque

from limits import RateLimitItem, parse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import TooManyRequests, problem_response

EXEMPT = ("/healthz", "/readyz", "/metrics", "/explore/assets/")  # the explorer's files: static
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def is_write(scope: Scope) -> bool:
    """Whether a request counts against the write limit: anything but a safe method. So the
    keyless POST /v1/extract is a write too: it runs the extractor as storing does."""
    return scope.get("method") not in SAFE_METHODS


class MovingWindow:
    """The times of each key's requests in the last `expiry` seconds, oldest first. The
    `limits` library's memory storage did the same with a list it inserted at the front of,
    and started a timer thread to expire entries whenever its last one had ended: about once a
    request under load, a third of what the rate limit cost."""

    SWEEP_EVERY_S = 60.0  # keys with no request left in their window are dropped this often

    def __init__(self) -> None:
        self._times: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._swept = time.monotonic()

    def hit(self, key: str, amount: int, expiry: float) -> tuple[bool, int, float]:
        """(counted, requests left, seconds until the oldest one counted leaves the window):
        counted unless `amount` requests are already in the window."""
        now = time.monotonic()
        with self._lock:
            if now - self._swept > self.SWEEP_EVERY_S:
                self._sweep(now, expiry)
            times = self._times.setdefault(key, deque())
            while times and times[0] <= now - expiry:
                times.popleft()
            allowed = len(times) < amount
            if allowed:
                times.append(now)
            oldest = times[0] if times else now
            return allowed, amount - len(times), oldest + expiry - now

    def _sweep(self, now: float, expiry: float) -> None:
        self._swept = now
        for key in [
            k for k, times in self._times.items() if not times or times[-1] <= now - expiry
        ]:
            del self._times[key]


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, reads: str, writes: str) -> None:
        self.app = app
        self.reads: RateLimitItem = parse(reads)
        self.writes: RateLimitItem = parse(writes)
        # one window each: the two limits count apart, even where they read the same
        self.windows = {"reads": MovingWindow(), "writes": MovingWindow()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        write = is_write(scope)
        item = self.writes if write else self.reads
        window = self.windows["writes" if write else "reads"]
        allowed, remaining, left_s = window.hit(_identity(scope), item.amount, item.get_expiry())
        reset = max(0, math.ceil(left_s))
        headers = [
            (b"ratelimit-limit", str(item.amount).encode()),
            (b"ratelimit-remaining", str(max(0, remaining)).encode()),
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
