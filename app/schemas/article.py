from datetime import datetime
from typing import Literal, Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

from app import countries
from app.kit.dates import MOMENT_FORM, PERIOD_FORM, last_day, parse_moment, parse_period
from app.schemas.common import FieldError, InputSchema, Schema
from app.schemas.entity import MentionRead
from app.schemas.event import EventRead
from app.taxonomy import EntityKind, EventStatus, EventType, ParticipantRole

_LANG = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"


def _country_code(value: str) -> str:
    found = countries.lookup(value)
    if found is None:
        raise ValueError(f"unknown country {value!r}: use an ISO 3166-1 code or a country name")
    return found.code


def _partial_date(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    return parse_period(value).iso()


def _published_at(value: str | None) -> str | None:
    if not value:
        return None
    parse_moment(value)  # the service reads it again, the same way
    return value


class CuratedEntity(InputSchema):
    """A hand-coded entity of a data set, stored as given."""

    kind: EntityKind
    name: str | None = Field(default=None, min_length=1, max_length=300)
    code: str | None = Field(default=None, description="Countries: ISO 3166-1 code or name")
    aliases: list[str] = Field(default_factory=list, max_length=50)
    title: str | None = Field(default=None, max_length=300)
    country: str | None = Field(default=None, description="Alpha-3 of the person's state")
    optional: bool = Field(default=False, description="Borderline in the annotation; stored")

    @field_validator("code", "country")
    @classmethod
    def _codes(cls, value: str | None) -> str | None:
        return _country_code(value) if value else None

    @model_validator(mode="after")
    def _named(self) -> Self:
        if self.kind is EntityKind.country and not self.code:
            if not self.name:
                raise ValueError("a country needs a code or a name")
            self.code = _country_code(self.name)
        if not self.name and not self.code:
            raise ValueError("an entity needs a name")
        return self


class CuratedEvent(InputSchema):
    """A hand-coded event of a data set, stored as given."""

    type: EventType
    date: str | None = Field(default=None, description=f"The day, month or year: {PERIOD_FORM}")
    date_end: str | None = Field(default=None, description="The last day, month or year")
    countries: list[str] = Field(default_factory=list, max_length=100)
    roles: dict[str, ParticipantRole] = Field(
        default_factory=dict,
        max_length=100,
        description=(
            "Who acts on whom: a state (ISO 3166-1 code or name) -> its role, e.g. "
            '{"KOR": "supplier", "POL": "recipient"} or {"AZE": "visitor", "TUR": "host"}. '
            "A state given a role takes part (it is added to `countries`); the others are "
            "`participant`. Directed pair views read visitor/supplier/donor -> host/recipient."
        ),
        examples=[{"KOR": "supplier", "POL": "recipient"}],
    )
    persons: list[str] = Field(default_factory=list, max_length=100)
    evidence: str | None = Field(default=None, max_length=5000)
    name: str | None = Field(default=None, max_length=300)
    location: str | None = Field(default=None, max_length=300)
    status: EventStatus = EventStatus.reported
    confidence: float | None = Field(default=None, ge=0, le=1)
    optional: bool = False

    @field_validator("date", "date_end")
    @classmethod
    def _dates(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = _partial_date(value)
        begun = info.data.get("date") if info.field_name == "date_end" else None
        if value and begun and last_day(parse_period(value)) < parse_period(begun).value:
            raise ValueError(f"is before date ({begun})")
        return value

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(_country_code(v) for v in value))

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: dict[str, ParticipantRole]) -> dict[str, ParticipantRole]:
        roles: dict[str, ParticipantRole] = {}
        for name, role in value.items():
            code = _country_code(name)
            if roles.get(code, role) != role:
                raise ValueError(f"two roles for {code}: {roles[code].value} and {role.value}")
            roles[code] = role
        return roles

    @model_validator(mode="after")
    def _roles_take_part(self) -> Self:
        self.countries = list(dict.fromkeys([*self.countries, *self.roles]))
        return self


class ArticleCreate(InputSchema):
    """One article: a raw page (`text`), clean text (`body`) or an HTML page (`html`)."""

    id: str | int | None = Field(default=None, description="A data set's own id; echoed back")
    url: str | None = Field(default=None, max_length=2048, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://\S+$")
    title: str | None = Field(default=None, max_length=1000)
    text: str | None = Field(default=None, description="The page as crawled, chrome and all")
    body: str | None = Field(default=None, description="Clean article text")
    html: str | None = Field(default=None, description="An HTML page")
    published_at: str | None = Field(default=None, description=MOMENT_FORM.capitalize())
    author: str | None = Field(default=None, max_length=300)
    agency: str | None = Field(
        default=None, max_length=200, description="The wire or outlet credited (AA, TASS...)"
    )
    source: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, pattern=_LANG)
    lang: str | None = Field(default=None, pattern=_LANG, description="Alias of `language`")
    entities: list[CuratedEntity] | None = Field(default=None, max_length=2000)
    events: list[CuratedEvent] | None = Field(default=None, max_length=2000)

    @field_validator("published_at")
    @classmethod
    def _published(cls, value: str | None) -> str | None:
        return _published_at(value)

    @model_validator(mode="after")
    def _one_content(self) -> Self:
        given = [f for f in ("text", "body", "html") if getattr(self, f)]
        if not given:
            raise ValueError("one of text, body or html is required")
        if len(given) > 1:
            raise ValueError(f"give only one of text, body or html (got {', '.join(given)})")
        return self


class ArticleUpdate(InputSchema):
    """Metadata a curator may correct. The body is not editable: re-ingest instead."""

    title: str | None = Field(default=None, max_length=1000)
    author: str | None = Field(default=None, max_length=300)
    agency: str | None = Field(
        default=None, max_length=200, description="The wire or outlet credited (AA, TASS...)"
    )
    url: str | None = Field(default=None, max_length=2048, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://\S+$")
    published_at: str | None = Field(default=None, description=MOMENT_FORM.capitalize())
    language: str | None = Field(default=None, pattern=_LANG)
    source: str | None = Field(default=None, max_length=200)

    @field_validator("published_at")
    @classmethod
    def _published(cls, value: str | None) -> str | None:
        return _published_at(value)


class SourceRead(Schema):
    id: int
    name: str
    domain: str | None


class ArticleSummary(Schema):
    id: int
    url: str | None
    title: str | None
    title_is_derived: bool
    author: str | None = Field(description="The byline's person")
    agency: str | None = Field(description="The wire or outlet the page credits (AA, TASS...)")
    source: SourceRead | None
    published_at: datetime | None
    published_precision: str | None
    language: str | None
    word_count: int
    duplicate_of: int | None = Field(validation_alias="duplicate_of_id")
    # filled for a whole page at once (app.api.article_view): an ORM article has no such field
    happenings: list[int] = Field(
        default_factory=list, description="The happenings its events report (/v1/happenings/{id})"
    )
    extractor_version: str | None
    extraction_note: str | None = Field(
        default=None, description="Why extraction was skipped (language, time budget)"
    )
    created_at: datetime
    updated_at: datetime


class ArticleRead(ArticleSummary):
    body: str
    content_hash: str
    raw: str | None = Field(default=None, description="The page as received (include=raw)")
    mentions: list[MentionRead] | None = Field(default=None, description="include=mentions")
    events: list[EventRead] | None = Field(default=None, description="include=events")


class BulkLineResult(Schema):
    line: int = Field(description="The line number in the body (blank lines are counted)")
    id: str | int | None = Field(default=None, description="The line's own `id`, echoed")
    status: Literal["created", "updated", "skipped", "duplicate", "rejected"] = Field(
        description="created, updated, skipped (url known, on_duplicate=skip), duplicate (url "
        "known, on_duplicate=error: not stored) or rejected"
    )
    article_id: int | None = Field(default=None, description="The stored article")
    duplicate_of: int | None = Field(
        default=None,
        description="duplicate: the article that has the url; created or updated: the stored "
        "article with the same text",
    )
    errors: list[FieldError] | None = Field(
        default=None, description="rejected or duplicate: why (field, in, message)"
    )


class BulkResult(Schema):
    """What became of each line. created + updated + skipped + url_duplicates + rejected =
    lines; content_duplicates are among created and updated."""

    lines: int = Field(description="Lines read (blank lines aside)")
    created: int = Field(description="Lines stored as new articles")
    updated: int = Field(description="Known urls replaced (on_duplicate=update)")
    skipped: int = Field(description="Known urls left as they were (on_duplicate=skip)")
    url_duplicates: int = Field(
        description="Known urls refused (on_duplicate=error; status `duplicate`): not stored"
    )
    rejected: int = Field(description="Lines not JSON, not valid or not storable")
    content_duplicates: int = Field(
        description="Created or updated lines whose text is already stored under another url: "
        "stored, marked `duplicate_of` (counted in created or updated too)"
    )
    duplicates: int = Field(
        description="The old name of url_duplicates", json_schema_extra={"deprecated": True}
    )
    results: list[BulkLineResult]


class ExtractedEntity(Schema):
    kind: str
    name: str
    code: str | None = None
    country: str | None = None
    title: str | None = None
    aliases: list[str]
    mentions: list[dict[str, int | str]]


class ExtractedParticipant(Schema):
    country: str = Field(description="Alpha-3 code")
    role: ParticipantRole = Field(description="`participant` unless the sentence says more")


class ExtractedEvent(Schema):
    type: str
    cameo_code: str
    date: str | None
    date_end: str | None
    date_text: str | None
    countries: list[str]
    participants: list[ExtractedParticipant] = Field(
        description="The states of `countries`, in that order, with their roles as stored"
    )
    persons: list[str]
    location: str | None
    status: str
    name: str | None
    confidence: float
    evidence: dict[str, int | str]


class ExtractResult(Schema):
    """What ingesting would store, without storing it."""

    title: str | None
    title_is_derived: bool
    author: str | None = Field(description="The byline's person")
    agency: str | None = Field(description="The wire or outlet the page credits (AA, TASS...)")
    published_at: str | None
    source: str | None
    language: str | None
    body: str
    extractor_version: str
    skipped: str | None
    entities: list[ExtractedEntity]
    events: list[ExtractedEvent]
