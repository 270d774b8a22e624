"""The relations between states: dyad and country profiles, partner rankings, timelines and
the co-occurrence graph."""

from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import Field, field_validator

from app import countries
from app.schemas.article import ArticleSummary
from app.schemas.common import Page, Schema
from app.schemas.entity import EntityRead
from app.schemas.event import EventRead
from app.schemas.filters import EventScope, country_codes
from app.taxonomy import EventType

T = TypeVar("T")


class CountryRef(Schema):
    code: str
    name: str


class YearCount(Schema):
    year: int
    count: int
    by_type: dict[str, int]


class NestedPage(Page[T], Generic[T]):
    """The first page of a list shown inside another answer, and the list that continues it."""

    # A Link header speaks for the whole response, so a list nested in it names its own
    # continuation: the cursor alone continues the query that made this page.
    path: str = Field(description="The list this page is from: GET it with `cursor=next_cursor`")


class PersonCount(Schema):
    person: EntityRead
    count: int = Field(
        description="Happenings (events with count=reports; articles, for a country profile) "
        "they appear in"
    )


class DyadCounts(Schema):
    """Happenings (with count=reports: events), in all, by type and by year."""

    total: int
    by_type: dict[str, int]
    by_year: list[YearCount]


class DyadProfile(Schema):
    a: CountryRef
    b: CountryRef
    directed: bool = Field(
        description="Only events with A as visitor/supplier/donor and B as host/recipient: "
        "the counts, first and last event, lists, people and articles alike"
    )
    counts: DyadCounts
    first_event: EventRead | None
    last_event: EventRead | None
    agreements: NestedPage[EventRead]
    recent_events: NestedPage[EventRead]
    people: dict[str, list[PersonCount]] = Field(
        description="The people most involved, per side (alpha-3)"
    )
    articles: NestedPage[ArticleSummary]


class DyadFilters(EventScope):
    """The pairs of a ranking: one state's (or every pair), counting the events in scope."""

    country: str | None = Field(
        None, max_length=60, description="The state whose partners (code or name); else all"
    )

    @field_validator("country")
    @classmethod
    def _state(cls, value: str | None) -> str | None:
        return country_codes([value])[0] if value else None


class Partner(Schema):
    a: CountryRef
    b: CountryRef
    events: int = Field(description="Happenings the two share (with count=reports: events)")
    by_type: dict[EventType, int] = Field(description="Event types with events, most first")


class CountryProfile(Schema):
    country: CountryRef
    counts: DyadCounts
    partners: NestedPage[Partner]
    people: list[PersonCount]
    agreements: NestedPage[EventRead]


class Unit(StrEnum):
    """What a timeline or a graph counts."""

    articles = "articles"
    events = "events"


class Interval(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    year = "year"


class Bucket(Schema):
    start: str = Field(description="First day of the bucket (ISO 8601)")
    count: int = Field(description="Articles, or happenings (with count=reports: events)")
    by_type: dict[str, int] | None = None


class Timeline(Schema):
    of: Unit
    interval: Interval
    buckets: list[Bucket]


class GraphNode(Schema):
    id: str
    entity_id: int
    label: str
    kind: str
    code: str | None
    country: str | None
    weight: int = Field(description="Sum of the weights of its edges")


class GraphEdge(Schema):
    id: str
    source: str
    target: str
    weight: int = Field(
        description="Happenings the two share (count=reports: events; of=articles: articles)"
    )


class Graph(Schema):
    nodes: list[GraphNode]
    edges: list[GraphEdge]


def country_ref(code: str) -> dict[str, Any]:
    found = countries.get(code)
    return {"code": code, "name": found.name if found else code}
