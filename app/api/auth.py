"""API keys: who may read and write, as security dependencies (documented in OpenAPI)."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.deps import SessionFactoryDep, SettingsDep
from app.errors import Forbidden, Unauthorized
from app.models import ApiKey
from app.services.keys import Scope, allows, find_key

# The two ways to present a key. As security dependencies they also put the schemes, and
# which operations need which scope, into the OpenAPI document (and an Authorize button in /docs).
BEARER = HTTPBearer(
    scheme_name="bearer",
    description="`Authorization: Bearer <key>`, a key from `defcoop keys create`: needed to "
    "write, and to read when DEFCOOP_REQUIRE_READ_KEY is set",
    auto_error=False,
)
API_KEY = APIKeyHeader(
    name="X-API-Key",
    scheme_name="apiKey",
    description="The same key in an `X-API-Key` header",
    auto_error=False,
)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
ApiKeyHeaderDep = Annotated[str | None, Depends(API_KEY)]

KeyCheck = Callable[
    [SessionFactoryDep, SettingsDep, BearerDep, ApiKeyHeaderDep], Awaitable[ApiKey | None]
]


def _require(needed: Scope) -> KeyCheck:
    # async, and the lookup alone in the thread pool: a read that needs no key (the default)
    # pays no thread hop for being let through
    async def check(
        factory: SessionFactoryDep,
        settings: SettingsDep,
        bearer: BearerDep,
        api_key: ApiKeyHeaderDep,
    ) -> ApiKey | None:
        if needed is Scope.read and not settings.require_read_key:
            return None
        secret = (bearer.credentials.strip() if bearer else None) or api_key or None
        header = "Authorization" if bearer or api_key is None else "X-API-Key"
        challenge = {"WWW-Authenticate": 'Bearer realm="defcoop"'}
        if secret is None:
            raise Unauthorized(
                "An API key is required: send `Authorization: Bearer <key>` or `X-API-Key`.",
                headers=challenge,
                field="Authorization",
                location="header",
            )
        # A read of its own, not the request's session: that one, in a write, would begin its
        # transaction here and take SQLite's write lock for the whole request (its extraction
        # too), and a request with a bad key would hold every writer up.
        key = await run_in_threadpool(_find, factory, secret)
        if key is None:
            raise Unauthorized(
                "The API key is not valid (unknown or revoked).",
                headers=challenge,
                field=header,
                location="header",
            )
        if not allows(key, needed):
            raise Forbidden(
                f"This key has the {key.scope} scope; this needs {needed.value}.",
                field=header,
                location="header",
            )
        return key

    return check


def _find(factory: sessionmaker[Session], secret: str) -> ApiKey | None:
    with factory() as session:
        return find_key(session, secret=secret)


WriteKey = Security(_require(Scope.write), scopes=[Scope.write.value])
WriteKeyDep = Annotated[ApiKey | None, WriteKey]  # the key itself, to name who did a thing
ReadKey = Security(_require(Scope.read), scopes=[Scope.read.value])  # open unless configured
