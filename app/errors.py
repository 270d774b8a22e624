"""Typed errors and the one application/problem+json (RFC 9457) renderer."""

import logging
from collections.abc import Mapping, Sequence
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


class MalformedJson(AppError):
    status, title = 400, "Malformed JSON"


class InvalidQuery(AppError):
    status, title = 400, "Invalid search query"


class MethodNotAllowed(AppError):
    status, title = 405, "Method not allowed"


class TooManyRequests(AppError):
    status, title = 429, "Too many requests"


class ServiceUnavailable(AppError):
    status, title = 503, "Service unavailable"


def _render(
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


def problem_response(error: AppError, *, instance: str | None = None) -> JSONResponse:
    """The problem+json answer for an error: its class gives the status and title."""
    return _render(
        error.status,
        error.title,
        error.detail,
        errors=error.errors,
        headers=error.headers,
        extra=error.extra,
        instance=instance,
    )


def _located(request: Request, errors: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Errors about a path parameter say `"in": "path"`, whichever check raised them."""
    params = request.path_params
    return [
        {**e, "in": "path"} if e.get("in") == "query" and e.get("field") in params else dict(e)
        for e in errors
    ]


def _field_error(err: Mapping[str, Any], located: bool, default_in: str) -> dict[str, Any]:
    """One pydantic error as a field problem. `located`: the error's path starts with where
    the value was (FastAPI's `body`, `query`, `path`...), else it lies in `default_in`."""
    loc = [str(part) for part in err.get("loc", ())]
    where, path = (loc[0], loc[1:]) if located and loc else (default_in, loc)
    message = str(err.get("msg", "invalid"))
    if err.get("type") == "json_invalid":
        # FastAPI's path ends with the character offset where parsing stopped: a position,
        # not a field. Either way the field is the body, and the detail says where it broke.
        reason = str((err.get("ctx") or {}).get("error") or message)
        offset = err.get("loc", ())[-1:] if located else ()
        at = f" at character {offset[0] + 1}" if offset and isinstance(offset[0], int) else ""
        return {"field": "body", "in": "body", "message": reason + at}
    return {"field": ".".join(path) or where, "in": where, "message": message}


def problem_from_pydantic(
    errors: Sequence[Mapping[str, Any]], *, located: bool = False, default_in: str = "body"
) -> AppError:
    """The one translation of pydantic's errors, from FastAPI's request validation
    (`located`) or a body we parsed ourselves: a 400 for JSON that does not parse, else a 422."""
    fields = [_field_error(err, located, default_in) for err in errors]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in fields[:5])
    if any(err.get("type") == "json_invalid" for err in errors):
        return MalformedJson(f"Malformed JSON: {detail}", errors=fields)
    return ValidationFailed(detail, errors=fields)


def from_validation_error(exc: ValidationError, *, location: str = "body") -> AppError:
    """A pydantic error on a body we parsed ourselves, as a 400 (bad JSON) or 422 problem."""
    return problem_from_pydantic(exc.errors(), default_in=location)


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


def _http_problem(request: Request, exc: StarletteHTTPException) -> AppError:
    """Starlette's own errors (no route, a method no route takes) as a problem."""
    title = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) else title
    problem = AppError(detail, headers=dict(exc.headers or {}))
    problem.status, problem.title = exc.status_code, title
    if exc.status_code == 404:  # no route has this path
        problem.detail = f"No resource at {request.url.path}."
        problem.errors = [{"field": "path", "in": "path", "message": "no such resource"}]
    elif exc.status_code == 405:
        problem.errors = [
            {"field": "method", "in": "request", "message": f"{request.method} is not allowed"}
        ]
    return problem


def install_error_handlers(app: FastAPI) -> None:
    """Render every error the app can raise as problem+json."""

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        exc.errors = _located(request, exc.errors)
        return problem_response(exc, instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problem = problem_from_pydantic(exc.errors(), located=True)
        return problem_response(problem, instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(_http_problem(request, exc), instance=request.url.path)

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> JSONResponse:
        problem = BadRequest("A value cannot be stored or compared.")
        return problem_response(problem, instance=request.url.path)

    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: OperationalError) -> JSONResponse:
        # a statement stopped by its time limit is a ServiceUnavailable already
        # (app.db.limits.time_limit): what arrives here is the database itself failing
        problem = ServiceUnavailable(
            "The database is busy or unreachable; try again shortly.",
            headers={"Retry-After": "2"},
        )
        return problem_response(problem, instance=request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        problem = AppError("An unexpected error occurred.")
        return problem_response(problem, instance=request.url.path)


PROBLEM_RESPONSE_DOC: dict[str, Any] = {
    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry that documents problem+json answers for a route."""
    return {
        status: {"description": HTTPStatus(status).phrase, **PROBLEM_RESPONSE_DOC}
        for status in statuses
    }
