"""The filters that choose a list's rows: one model per noun, checked and normalised once.

Routes receive them as query-parameter models (`Annotated[EventFilters, Query()]`, aliased in
app.deps), so each field is a query parameter of its own in the OpenAPI document. A field keeps
the name the services read (`countries`, `entity_id`) and takes the query's name as its alias
(`country`, `entity`): code builds them by the query's names too, `EventFilters(entity=5)`.

Bad values are what they were before the models: a malformed value is a 422 from the field's
own constraints; a from/to pair out of order, an unknown state or a bad dyad is a 400
`InvalidParameter` naming the query parameter.
"""

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app import countries
from app.errors import InvalidParameter
from app.kit.pagination import MAX_ROW_ID
from app.schemas.common import Day
from app.taxonomy import EntityKind, EventStatus, EventType

MAX_STATES = 10  # states one list may be narrowed to (each is one more EXISTS)
_DYAD_CHARS = 100


def country_codes(values: list[str] | None, *, field: str = "country") -> tuple[str, ...]:
    """Alpha-3 codes of the countries named (codes or names); unknown ones are a 400."""
    codes: list[str] = []
    for value in values or []:
        found = countries.lookup(value)
        if found is None:
            raise InvalidParameter(field, f"unknown country {value!r}")
        codes.append(found.code)
    return tuple(dict.fromkeys(codes))


def dyad_codes(value: str | None, *, field: str = "dyad") -> tuple[str, str] | None:
    """'AZE-TUR' (codes or names, either order) as two alpha-3 codes; one state twice is a 400."""
    if value is None:
        return None
    parts = [p for p in value.replace("–", "-").split("-") if p.strip()]
    if len(parts) != 2:
        raise InvalidParameter(field, "must be two states joined by '-', as in AZE-TUR")
    codes = country_codes(parts, field=field)
    if len(codes) != 2:
        raise InvalidParameter(field, "must name two different states")
    return codes[0], codes[1]


def check_range(start: date | None, end: date | None, names: tuple[str, str]) -> None:
    """A from/to pair of query parameters whose end comes before its start is a 400."""
    if start and end and start > end:
        raise InvalidParameter(names[0], f"is after {names[1]}")


def _dyad(value: Any) -> Any:
    # A tuple is a pair of codes from code. From a query the pair is one string; FastAPI hands
    # a tuple-typed field over as the list of its values, and the last one counts, as it does
    # for every other single-valued parameter.
    if isinstance(value, list):
        value = value[-1] if value else None
    if isinstance(value, str):
        if len(value) > _DYAD_CHARS:
            raise PydanticCustomError(
                "string_too_long",
                "String should have at most {max_length} characters",
                {"max_length": _DYAD_CHARS},
            )
        return dyad_codes(value)
    return value


Dyad = Annotated[
    tuple[str, str] | None,
    BeforeValidator(_dyad),
    WithJsonSchema({"anyOf": [{"type": "string", "maxLength": _DYAD_CHARS}, {"type": "null"}]}),
]
"""Two states as `AZE-TUR` (codes or names, either order) in a query; two alpha-3 codes after."""

States = Annotated[tuple[str, ...], Field(max_length=MAX_STATES)]
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


class FilterModel(BaseModel):
    """Base of the filter models: immutable, other query parameters ignored, ranges checked."""

    model_config = ConfigDict(frozen=True)
    ranges: ClassVar[tuple[tuple[str, str], ...]] = ()  # (from, to) fields, named as queried

    @model_validator(mode="after")
    def _in_order(self) -> "FilterModel":
        for start, end in self.ranges:
            check_range(getattr(self, start), getattr(self, end), (start, end))
        return self


class Duplicates(StrEnum):
    """Whether copies (articles with duplicate_of set) are listed and counted."""

    exclude = "exclude"
    include = "include"


class ArticleFilters(FilterModel):
    """The article filters every article list, search and article timeline shares."""

    ranges = (("published_from", "published_to"),)

    source: str | None = Field(None, max_length=200, description="Source name or domain")
    author: str | None = Field(None, max_length=300)
    agency: str | None = Field(None, max_length=200, description="The wire credited (AA, TASS...)")
    lang: str | None = Field(None, pattern=r"^[a-z]{2,3}$", description="ISO 639-1")
    published_from: Day | None = Field(None, description="On or after (YYYY-MM-DD)")
    published_to: Day | None = Field(None, description="On or before (YYYY-MM-DD)")
    countries: States = Field(
        (), alias="country", description="Repeatable: articles that mention all of them"
    )
    entity_id: RowId | None = Field(None, alias="entity", description="Mentions this entity")
    event_type: EventType | None = Field(None, description="Reports an event of this type")
    dyad: Dyad = Field(None, description="AZE-TUR: an event in which both take part")
    duplicates: Duplicates = Field(
        Duplicates.exclude,
        description="exclude (default): copies of another article (duplicate_of set) are "
        "neither listed nor counted; include: every stored article",
    )

    @field_validator("countries")
    @classmethod
    def _states(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        return country_codes(list(codes))


class ArticleListFilters(ArticleFilters):
    """The article list's filters: the shared ones, and which way the dyad's events run."""

    directed: bool = Field(
        False, description="With dyad=A-B: an event in which A acts on B (visitor -> host, ...)"
    )

    @model_validator(mode="after")
    def _directed_needs_dyad(self) -> "ArticleListFilters":
        if self.directed and self.dyad is None:
            raise InvalidParameter("directed", "needs a dyad (dyad=A-B)")
        return self


class Count(StrEnum):
    """What a count counts (issue 14): each happening once, however many reports describe it
    (its leading event stands for it), or every report (event) there is."""

    happenings = "happenings"
    reports = "reports"


_COUNT = (
    "happenings: each happening once, however many articles report it (a list shows each "
    "happening's leading event only); reports: every event each article reports"
)


class EventScope(FilterModel):
    """Which events count: their type, their own date range, and happenings or reports."""

    ranges = (("date_from", "date_to"),)

    type: EventType | None = None
    date_from: Day | None = Field(None, description="Event date on or after")
    date_to: Day | None = Field(None, description="Event date on or before")
    count: Count = Field(Count.happenings, description=_COUNT)


class EventFilters(EventScope):
    """The event list's filters: the scope, then who takes part, the status and the article.
    A list of events lists every report unless asked for happenings: the profiles' own lists
    ask, and their next pages carry it."""

    count: Count = Field(Count.reports, description=_COUNT)

    countries: States = Field(
        (), alias="country", description="Repeatable: events in which all of them take part"
    )
    entity_id: RowId | None = Field(None, alias="entity", description="Participant entity id")
    status: EventStatus | None = None
    article_id: RowId | None = Field(None, alias="article", description="Article id")
    # the first two states as a directed pair: the first acting (visitor/supplier/donor), the
    # second acted on (host/recipient)
    directed: bool = Field(
        False,
        description="With two `country`: the first acts on the second "
        "(visitor/supplier/donor -> host/recipient)",
    )

    @field_validator("countries")
    @classmethod
    def _states(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        return country_codes(list(codes))


class EntityFilters(FilterModel):
    """The entity list's filters: kind, state and name prefix."""

    kind: EntityKind | None = None
    country: str | None = Field(
        None, max_length=60, description="The entity's state (code or name)"
    )
    q: str | None = Field(None, min_length=1, max_length=100, description="Name prefix")

    @field_validator("country")
    @classmethod
    def _state(cls, value: str | None) -> str | None:
        return country_codes([value])[0] if value else None


class HappeningFilters(EventFilters):
    """The happening list's filters: the event filters, read from each happening's leading
    report, and how widely it was reported."""

    min_reports: int | None = Field(
        None, ge=1, le=MAX_ROW_ID, description="Reported at least this many times"
    )
    min_sources: int | None = Field(
        None, ge=1, le=MAX_ROW_ID, description="Reported by at least this many outlets"
    )
    min_independent_sources: int | None = Field(
        None,
        ge=1,
        le=MAX_ROW_ID,
        description="Reported by at least this many outlets, copies of one story counted once",
    )
