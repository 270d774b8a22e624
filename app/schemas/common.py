from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from app.kit.dates import DAY_FORM, DAY_HELP, parse_day

T = TypeVar("T")


def _day(value: Any) -> date:
    if isinstance(value, str):
        return parse_day(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError(DAY_HELP)  # not a number: 0 is not 1970-01-01


Day = Annotated[
    date,
    BeforeValidator(_day),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": r"^\d{4}-\d{2}-\d{2}$",
            "description": DAY_FORM,
        }
    ),
]
"""A day in a query parameter: YYYY-MM-DD only, in the range every date has."""


class Schema(BaseModel):
    """Base of every API model: reads ORM rows, rejects unknown fields on input."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


# Fields of running text, where a NUL carries nothing and is dropped. Anywhere else (urls,
# names, codes, dates, ids) dropping it would silently change the value, so it is an error.
PROSE_FIELDS = frozenset({"text", "body", "html", "title", "evidence"})


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(isinstance(v, str) and "\x00" in v for v in value)
    return False


class InputSchema(BaseModel):
    """Base of every request body: unknown fields are errors. NUL characters (which PostgreSQL
    cannot store) are dropped from running text and refused everywhere else."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any, info: ValidationInfo) -> Any:
        if not _has_nul(value):
            return value
        if info.field_name not in PROSE_FIELDS:
            raise ValueError("contains a NUL character")
        if isinstance(value, str):
            return value.replace("\x00", "")
        return [v.replace("\x00", "") if isinstance(v, str) else v for v in value]


class Page(BaseModel, Generic[T]):
    """The envelope of every list: items, then how to get the next page."""

    items: list[T]
    limit: int = Field(description="The page size used")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end"
    )


class FieldError(BaseModel):
    field: str
    in_: str = Field(alias="in")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document (media type application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None
    model_config = ConfigDict(extra="allow")

    @classmethod
    def example(cls) -> dict[str, Any]:
        return {
            "type": "https://defcoop.dev/problems/400",
            "title": "Invalid parameter",
            "status": 400,
            "detail": "sort: must be one of published_at, -published_at",
            "errors": [{"field": "sort", "in": "query", "message": "must be one of ..."}],
        }
