"""Reading request bodies we parse ourselves (several media types on one route)."""

import codecs

from fastapi import Depends, Request
from pydantic import ValidationError
from starlette.requests import ClientDisconnect

from app.errors import BadRequest, UnsupportedMediaType, from_validation_error
from app.openapi import create_body
from app.schemas.article import ArticleCreate

# Python codecs that are not charsets a client can mean: they always fail ("undefined"), or
# turn text into other text (escapes, punycode, idna). Codecs between bytes and bytes (base64,
# zlib, rot13, ...) are caught by codecs' own `_is_text_encoding` flag.
_NOT_CHARSETS = {"undefined", "unicode-escape", "raw-unicode-escape", "punycode", "idna"}


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


def text_codec(charset: str | None) -> str:
    """The codec for a declared charset (UTF-8 when none is), or UnsupportedMediaType when it
    names no text encoding."""
    if charset is None:
        return "utf-8"
    try:
        codec = codecs.lookup(charset)
    except LookupError:
        codec = None
    if (
        codec is None
        or not getattr(codec, "_is_text_encoding", True)
        or codec.name in _NOT_CHARSETS
    ):
        raise UnsupportedMediaType(
            f"Unknown charset {charset!r}: send UTF-8 (or another text encoding).",
            field="Content-Type",
            location="header",
        )
    return codec.name


async def read_text(request: Request) -> str:
    """The body decoded by its declared charset (UTF-8 by default), strictly."""
    charset = media_type(request)[1]
    codec = text_codec(charset)
    try:
        raw = await request.body()
    except ClientDisconnect as error:  # nobody is left to read the answer; roll back quietly
        raise BadRequest("The client closed the connection before the body arrived.") from error
    try:
        return raw.decode(codec)
    except UnicodeError as error:  # UnicodeDecodeError, and any codec's own failure
        where = f" (byte {error.start})" if isinstance(error, UnicodeDecodeError) else ""
        raise BadRequest(
            f"The body is not valid {charset or 'UTF-8'}{where}.",
            errors=[{"field": "body", "in": "body", "message": "undecodable text"}],
        ) from error


def _json_body(request: Request) -> None:
    kind, charset = media_type(request)
    if kind != "application/json" and not kind.endswith("+json"):
        raise UnsupportedMediaType(
            f"Send application/json, not {kind or 'nothing'}.",
            field="Content-Type",
            location="header",
        )
    text_codec(charset)


# A route dependency for JSON bodies FastAPI parses: another media type is a 415, not a 422.
require_json = Depends(_json_body)


_JSON_TYPES = {"application/json"}
_PAGE_TYPES = {"text/plain"}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}

# The request body of the routes that take one article: documented by hand, parsed below.
CREATE_BODY = create_body(
    description="JSON (an ArticleCreate: `text` a raw page, `body` clean text or `html`, with "
    "optional curated entities and events), or the page itself as text/plain or text/html "
    "(`url` and `source` then come from the query)."
)


async def create_input(request: Request, url: str | None, source: str | None) -> ArticleCreate:
    """The article a request's body holds: JSON, a raw page (text/plain) or HTML."""
    kind, _ = media_type(request)
    text = await read_text(request)
    try:
        if kind in _JSON_TYPES or kind.endswith("+json"):
            return ArticleCreate.model_validate_json(text)
        if kind in _PAGE_TYPES:
            return ArticleCreate(text=text, url=url, source=source)
        if kind in _HTML_TYPES:
            return ArticleCreate(html=text, url=url, source=source)
    except ValidationError as error:
        raise from_validation_error(error) from error
    raise UnsupportedMediaType(
        f"Send application/json, text/plain (a raw page) or text/html, not {kind or 'nothing'}.",
        field="Content-Type",
        location="header",
    )
