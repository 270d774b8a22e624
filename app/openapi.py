"""The OpenAPI document: FastAPI's, completed with what the routes cannot say themselves.

Routes declare their own bodies and the problems only they raise (`responses=`). Added here,
once for every operation: the models bodies read by hand refer to (ArticleCreate, Problem and
FieldError), the answers middleware and dependencies give on any route (400 for a NUL in the
query, 429 past the rate limit, 503 past the database time limit, 401/403 where a key is needed,
413 where a body is read), the response headers (X-Request-ID, RateLimit-*, Retry-After, ETag,
Link, Location) and the security each operation needs. FastAPI's default 422 model
(HTTPValidationError) is replaced by the problem document every error really is.
"""

from copy import deepcopy
from typing import Any

from pydantic.json_schema import models_json_schema

from app.config import Settings
from app.errors import PROBLEM_RESPONSE_DOC
from app.http.ratelimit import EXEMPT
from app.schemas.article import ArticleCreate
from app.schemas.common import Problem

REF = "#/components/schemas/{model}"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
NO_DATABASE = ("/healthz", "/metrics", "/v1/taxonomy")  # never a 503
SECURITY_SCHEMES = ("bearer", "apiKey")

_HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The request's id: the client's own when it is a sane token, else a new one",
        "schema": {"type": "string"},
    },
    "RateLimit-Limit": {
        "description": "Requests allowed in the window (per key, or per address without one)",
        "schema": {"type": "integer"},
    },
    "RateLimit-Remaining": {
        "description": "Requests left in the window",
        "schema": {"type": "integer"},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the window frees a request",
        "schema": {"type": "integer"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer"},
    },
    "ETag": {
        "description": "A weak tag of the body; send it back as If-None-Match for a 304",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "How long the answer may be cached",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": 'The next page, as `<url>; rel="next"` (absent on the last page)',
        "schema": {"type": "string"},
    },
    "Location": {"description": "The article's own url", "schema": {"type": "string"}},
    "WWW-Authenticate": {
        "description": "The scheme to authenticate with",
        "schema": {"type": "string"},
    },
}

_RAW_PAGE = """ date 2024-03-12 By Leyla Mammadli

Azerbaijani defence minister begins working visit to Ankara

Azerbaijani Defence Minister Rauf Aliyarov arrived in Ankara on Monday for a working visit.

Aliyarov and his Turkish counterpart Selim Kaya signed a protocol on joint staff training.

---

Follow us @CaspianLedgerAz"""

_HTML_PAGE = """<!doctype html><html><head><title>Kenya and UK sign defence pact</title>
<meta name="author" content="Amina Otieno"><meta property="article:published_time" content="2024-09-02">
</head><body><article><h1>Kenya and UK sign defence pact</h1>
<p>Kenya and the United Kingdom signed a defence cooperation agreement in Nairobi on Monday.</p>
</article></body></html>"""

CREATE_EXAMPLES: dict[str, dict[str, Any]] = {
    "body": {
        "summary": "Clean text and metadata; the extractor finds entities and events",
        "value": {
            "url": "https://example.org/2024/05/06/chile-peru-pact",
            "body": "Chile and Peru signed a naval cooperation agreement in Lima on Monday.",
            "published_at": "2024-05-06",
            "source": "Example Wire",
        },
    },
    "curated": {
        "summary": "With hand-coded entities and events, stored as given",
        "value": {
            "url": "https://example.org/2024/05/07/chile-peru-curated",
            "body": "Chile and Peru signed a naval pact on Monday.",
            "published_at": "2024-05-06",
            "entities": [{"kind": "country", "code": "CHL"}, {"kind": "country", "name": "Peru"}],
            "events": [{"type": "agreement", "date": "2024-05-06", "countries": ["CHL", "PER"]}],
        },
    },
}

BULK_EXAMPLE = (
    '{"id": "a-1", "url": "https://example.org/bulk/1", "body": "Kenya and Uganda held joint '
    'drills near Lake Victoria on Friday.", "published_at": "2024-06-14"}\n'
    '{"id": "a-2", "url": "https://example.org/bulk/2", "body": "Poland ordered 96 howitzers '
    'from South Korea.", "published_at": "2024-06-15"}\n'
)
JSON_LINES = ("application/x-ndjson", "application/jsonl")


def create_body(*, description: str) -> dict[str, Any]:
    """The request body of POST /v1/articles and /v1/extract: JSON, a raw page or HTML."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                "application/json": {
                    "schema": {"$ref": REF.format(model="ArticleCreate")},
                    "examples": CREATE_EXAMPLES,
                },
                "text/plain": {
                    "schema": {
                        "type": "string",
                        "minLength": 1,
                        "description": "A raw page: a ' date YYYY-MM-DD' header line, the "
                        "page's text, a '---' footer",
                    },
                    "example": _RAW_PAGE,
                },
                "text/html": {
                    "schema": {"type": "string", "minLength": 1, "description": "An HTML page"},
                    "example": _HTML_PAGE,
                },
            },
        }
    }


def bulk_body() -> dict[str, Any]:
    """The request body of POST /v1/articles/bulk: JSON Lines, one ArticleCreate per line."""
    media = {
        "schema": {
            "type": "string",
            "minLength": 1,
            "description": "JSON Lines: one ArticleCreate object per line",
        },
        "example": BULK_EXAMPLE,
    }
    return {
        "requestBody": {
            "required": True,
            "description": "JSON Lines (application/x-ndjson or application/jsonl; without a "
            "Content-Type the body is read as JSON Lines too). Each line is an ArticleCreate.",
            "content": {kind: deepcopy(media) for kind in JSON_LINES},
        }
    }


def _register(schema: dict[str, Any]) -> None:
    """Put the models bodies read by hand refer to, and what they refer to, in components."""
    _, defs = models_json_schema(
        [(Problem, "validation"), (ArticleCreate, "validation")], ref_template=REF
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in defs.get("$defs", {}).items():
        components.setdefault(name, definition)
    components["Problem"]["examples"] = [Problem.example()]


def _header_refs(*names: str) -> dict[str, Any]:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def _problem(description: str, *headers: str) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description, **deepcopy(PROBLEM_RESPONSE_DOC)}
    if headers:
        answer["headers"] = _header_refs(*headers)
    return answer


def _scopes(operation: dict[str, Any]) -> set[str]:
    return {scope for need in operation.get("security", []) for s in need.values() for scope in s}


def _complete(path: str, method: str, operation: dict[str, Any], settings: Settings) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    limited = not path.startswith(EXEMPT)

    # FastAPI's own 422 model is not what the API sends: every error is a problem document.
    for answer in responses.values():
        content = answer.get("content", {})
        if "application/json" in content and "HTTPValidationError" in str(content):
            answer.pop("content")
            answer.update(deepcopy(PROBLEM_RESPONSE_DOC))

    scopes = _scopes(operation)
    needed = "write" if "write" in scopes else "read" if scopes else None
    if needed == "read" and not settings.require_read_key:
        needed = None
    if needed is None:
        operation.pop("security", None)
    else:
        operation["security"] = [{name: [needed]} for name in SECURITY_SCHEMES]
        responses.setdefault("401", _problem("No API key, or not a valid one", "WWW-Authenticate"))
        responses.setdefault("403", _problem(f"The key lacks the {needed} scope"))

    responses.setdefault("400", _problem("Bad request (a NUL character in the query, ...)"))
    if "requestBody" in operation:
        responses.setdefault("413", _problem("The body is larger than DEFCOOP_MAX_BODY_BYTES"))
    if limited:
        responses.setdefault(
            "429",
            _problem(
                "Too many requests: past the rate limit",
                "Retry-After",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
            ),
        )
    if path not in NO_DATABASE:
        responses.setdefault(
            "503", _problem("The database is busy, or the request ran past its time limit")
        )
    if "503" in responses:
        responses["503"].setdefault("headers", {}).update(_header_refs("Retry-After"))

    names = {p.get("name") for p in operation.get("parameters", [])}
    for status, answer in responses.items():
        headers = answer.setdefault("headers", {})
        headers.update(_header_refs("X-Request-ID"))
        if limited:
            headers.update(
                _header_refs("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
            )
        if status == "200" and method == "get" and "application/json" in answer.get("content", {}):
            headers.update(_header_refs("ETag", "Cache-Control"))
            if names & {"cursor", "since"}:
                headers.update(_header_refs("Link"))
        if operation.get("operationId") == "create_article" and status in ("200", "201", "409"):
            headers.update(_header_refs("Location"))
        if operation.get("operationId") == "update_article" and status == "409":
            headers.update(_header_refs("Location"))


def complete_openapi(schema: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """FastAPI's document, completed (see the module docstring)."""
    _register(schema)
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                _complete(path, method, item[method], settings)
    components = schema["components"]
    for unused in ("HTTPValidationError", "ValidationError"):
        components["schemas"].pop(unused, None)
    components["headers"] = deepcopy(_HEADERS)
    return schema
