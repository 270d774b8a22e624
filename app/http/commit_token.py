"""The `X-Commit-Token` header on the answers to writes, when read replicas are configured.

The request's unit of work (deps.get_session) notes the primary's WAL position after its commit
in the request state; this adds it to the answer's headers, whatever kind of response the route
built. A client that sends it back on its reads sees its own writes (app.db.replicas).
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATE_KEY = "commit_token"
HEADER = b"x-commit-token"


class CommitTokenMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_with_token(message: Message) -> None:
            token = state.get(STATE_KEY)
            if message["type"] == "http.response.start" and token:
                message["headers"] = [*message.get("headers", []), (HEADER, token.encode())]
            await send(message)

        await self.app(scope, receive, send_with_token)
