"""Reading request bodies we parse ourselves (several media types on one route)."""

from fastapi import Request
from starlette.requests import ClientDisconnect

from app.errors import BadRequest, UnsupportedMediaType


def media_type(request: Request) -> tuple[str, str | None]:
    """(media type, charset) of the request's Content-Type."""
    header = request.headers.get("content-type", "")
    parts = [p.strip() for p in header.split(";")]
    charset = None
    for param in parts[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return parts[0].lower(), charset


async def read_text(request: Request) -> str:
    """The body decoded by its declared charset (UTF-8 by default), strictly."""
    try:
        raw = await request.body()
    except ClientDisconnect as error:  # nobody is left to read the answer; roll back quietly
        raise BadRequest("The client closed the connection before the body arrived.") from error
    _, charset = media_type(request)
    try:
        return raw.decode(charset or "utf-8")
    except LookupError as error:
        raise UnsupportedMediaType(f"Unknown charset {charset!r}.") from error
    except UnicodeDecodeError as error:
        raise BadRequest(
            f"The body is not valid {charset or 'UTF-8'} (byte {error.start}).",
            errors=[{"field": "body", "in": "body", "message": "undecodable text"}],
        ) from error
