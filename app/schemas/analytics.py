from typing import Any

from pydantic import Field

from app import countries
from app.schemas.article import ArticleSummary
from app.schemas.common import Schema
from app.schemas.entity import EntityRead
from app.schemas.event import EventRead
from app.taxonomy import EventType


class CountryRef(Schema):
    code: str
    name: str


class YearCount(Schema):
    year: int
    count: int
    by_type: dict[str, int]


class EventList(Schema):
    items: list[EventRead]
    next: str | None = Field(description="The rest, page by page, from /v1/events")


class ArticleList(Schema):
    items: list[ArticleSummary]
    next: str | None = Field(description="The rest, page by page, from /v1/articles")


class PersonCount(Schema):
    person: EntityRead
    count: int = Field(description="Events (or articles, for a country profile) they appear in")


class DyadCounts(Schema):
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
    agreements: EventList
    recent_events: EventList
    people: dict[str, list[PersonCount]] = Field(
        description="The people most involved, per side (alpha-3)"
    )
    articles: ArticleList


class Partner(Schema):
    a: CountryRef
    b: CountryRef
    events: int
    by_type: dict[EventType, int] = Field(description="Event types with events, most first")


class PartnerList(Schema):
    items: list[Partner]
    limit: int


class CountryProfile(Schema):
    country: CountryRef
    counts: DyadCounts
    partners: list[Partner]
    people: list[PersonCount]
    agreements: EventList


def country_ref(code: str) -> dict[str, Any]:
    found = countries.get(code)
    return {"code": code, "name": found.name if found else code}
