"""What extraction works on and what it produces. Plain data: no database, no web framework."""

from dataclasses import dataclass, field
from datetime import date

from app.kit.dates import PartialDate


@dataclass(frozen=True)
class Span:
    """A stretch of the article body: character offsets and the text there."""

    start: int
    end: int
    text: str


@dataclass
class FoundEntity:
    kind: str
    name: str
    code: str | None = None  # alpha-3, countries
    country: str | None = None  # alpha-3, people and organisations
    title: str | None = None  # people
    aliases: list[str] = field(default_factory=list)
    mentions: list[Span] = field(default_factory=list)


@dataclass
class FoundEvent:
    type: str
    evidence: Span
    sentence: int
    date: PartialDate | None = None
    date_end: PartialDate | None = None
    date_text: str | None = None
    countries: list[str] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)  # alpha-3 -> role
    persons: list[str] = field(default_factory=list)
    location: str | None = None
    status: str = "reported"
    name: str | None = None
    confidence: float = 0.5


@dataclass(frozen=True)
class Document:
    """An article as extraction sees it: its clean body, publication date and language."""

    text: str
    published: date | None = None
    language: str | None = None
    title: str | None = None
    # a dateline of a month alone ("2021-09") is kept as that month's 1st, said here
    published_month_only: bool = False


@dataclass
class Extraction:
    version: str
    entities: list[FoundEntity] = field(default_factory=list)
    events: list[FoundEvent] = field(default_factory=list)
    skipped: str | None = None  # why nothing was extracted (language, time budget)
