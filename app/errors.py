"""Typed errors and the one application/problem+json (RFC 9457) renderer."""

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DataError, OperationalError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class AppError(Exception):
    """Base of every error the API renders; subclasses fix the status and title."""

    status: int = 500
    title: str = "Internal error"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        field: str | None = None,
        location: str = "body",
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors or [])
        if field is not None and not self.errors:  # the one field the problem is about
            self.errors = [{"field": field, "in": location, "message": detail}]
        self.headers = headers or {}
        self.extra = extra or {}


class BadRequest(AppError):
    status, title = 400, "Bad request"


class InvalidParameter(AppError):
    """A query parameter or body field has a value we cannot use."""

    status, title = 400, "Invalid parameter"

    def __init__(self, field: str, message: str, *, location: str = "query") -> None:
        super().__init__(
            f"{field}: {message}", errors=[{"field": field, "in": location, "message": message}]
        )


class Unauthorized(AppError):
    status, title = 401, "Unauthorized"


class Forbidden(AppError):
    status, title = 403, "Forbidden"


class NotFound(AppError):
    status, title = 404, "Not found"


class Conflict(AppError):
    status, title = 409, "Conflict"


class PayloadTooLarge(AppError):
    status, title = 413, "Payload too large"


class UnsupportedMediaType(AppError):
    status, title = 415, "Unsupported media type"


class ValidationFailed(AppError):
    status, title = 422, "Validation failed"


class ServiceUnavailable(AppError):
    status, title = 503, "Service unavailable"


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    errors: Sequence[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
    instance: str | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://defcoop.dev/problems/{status}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = list(errors)
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _located(request: Request, errors: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Errors about a path parameter say `"in": "path"`, whichever check raised them."""
    params = request.path_params
    return [
        {**e, "in": "path"} if e.get("in") == "query" and e.get("field") in params else dict(e)
        for e in errors
    ]


def _field_path(loc: Sequence[Any]) -> tuple[str, str]:
    where = str(loc[0]) if loc else "body"
    rest = [str(part) for part in loc[1:]]
    return where, ".".join(rest) if rest else where


def _validation_errors(exc: RequestValidationError) -> tuple[int, str, list[dict[str, Any]]]:
    errors: list[dict[str, Any]] = []
    malformed = False
    for err in exc.errors():
        where, field = _field_path(err.get("loc", ()))
        if err.get("type") == "json_invalid":
            malformed = True
        errors.append({"field": field, "in": where, "message": err.get("msg", "invalid")})
    if malformed:
        return 400, "Malformed JSON", errors
    return 422, "Validation failed", errors


def from_validation_error(exc: ValidationError, *, location: str = "body") -> AppError:
    """A pydantic error on a body we parsed ourselves, as a 400 (bad JSON) or 422 problem."""
    errors: list[dict[str, Any]] = []
    malformed = False
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        malformed = malformed or err.get("type") == "json_invalid"
        errors.append({"field": ".".join(loc) or location, "in": location, "message": err["msg"]})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    if malformed:
        return BadRequest(f"Malformed JSON: {detail}", errors=errors)
    return ValidationFailed(detail, errors=errors)


def line_failure(exc: Exception) -> AppError:
    """Why one article of a bulk load (API or CLI) was not stored, as the problem storing it
    alone would have answered, so that it costs that article only. What is not the article's
    fault (the database stopped the work, or is gone) is raised again: it would fail them all.
    Anything unforeseen is logged with its traceback and reported as this article's."""
    if isinstance(exc, OperationalError):
        raise exc
    if isinstance(exc, AppError):
        return exc
    if isinstance(exc, ValidationError):
        return from_validation_error(exc)
    log = logging.getLogger("defcoop.ingest")
    if isinstance(exc, SQLAlchemyError):
        # a value the database refused (DataError), or one that could not be converted for it
        log.warning("the database refused one article of a bulk load", exc_info=exc)
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__]
        return BadRequest(f"A value cannot be stored: {cause[0][:300]}")
    log.error("storing one article of a bulk load failed", exc_info=exc)
    return AppError("This article could not be stored (an internal error; it is logged).")


def install_error_handlers(app: FastAPI) -> None:
    """Render every error the app can raise as problem+json."""

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            errors=_located(request, exc.errors),
            headers=exc.headers,
            extra=exc.extra,
            instance=request.url.path,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, title, errors = _validation_errors(exc)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem_response(status, title, detail, errors=errors, instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = HTTPStatus(exc.status_code).phrase
        detail = exc.detail if isinstance(exc.detail, str) else title
        errors: list[dict[str, Any]] = []
        if exc.status_code == 404:  # no route has this path
            detail = f"No resource at {request.url.path}."
            errors = [{"field": "path", "in": "path", "message": "no such resource"}]
        elif exc.status_code == 405:
            errors = [
                {"field": "method", "in": "request", "message": f"{request.method} is not allowed"}
            ]
        return problem_response(
            exc.status_code,
            title,
            detail,
            errors=errors,
            headers=dict(exc.headers or {}),
            instance=request.url.path,
        )

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> JSONResponse:
        return problem_response(
            400, "Bad request", "A value cannot be stored or compared.", instance=request.url.path
        )

    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: OperationalError) -> JSONResponse:
        message = str(exc.orig).lower() if exc.orig else ""
        stopped = "interrupt" in message or "statement timeout" in message or "canceling" in message
        return problem_response(
            503,
            "Service unavailable",
            "The request took longer than its time limit; narrow it and try again."
            if stopped
            else "The database is busy or unreachable; try again shortly.",
            headers={"Retry-After": "2"},
            instance=request.url.path,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(
            500, "Internal error", "An unexpected error occurred.", instance=request.url.path
        )


PROBLEM_RESPONSE_DOC: dict[str, Any] = {
    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry that documents problem+json answers for a route."""
    return {
        status: {"description": HTTPStatus(status).phrase, **PROBLEM_RESPONSE_DOC}
        for status in statuses
    }
