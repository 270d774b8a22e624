"""A report as the linker sees it: one event with what its article says around it."""

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Card:
    """One event of one article. `lo`/`hi` bound the days its own date allows (a month-precise
    date allows the whole month); None when the event has no date of its own."""

    event_id: int
    article_id: int
    type: str
    states: frozenset[str]
    lo: date | None
    hi: date | None
    precision: str | None
    published: date | None
    status: str = "reported"
    source: int | None = None  # the outlet
    copy_of: int | None = None  # the article this one copies (Article.duplicate_of)
    people: frozenset[int] = frozenset()  # entity ids the article names
    things: frozenset[int] = frozenset()  # agreements, equipment, organisations, places
    words: frozenset[str] = frozenset()  # content words of the title and evidence
    # the capitalised words of the title and evidence, cut to their stems ("błasz" of
    # "Błaszczakiem"): names a page's finders missed, as its language inflects them
    names: frozenset[str] = frozenset()
    editions: frozenset[str] = frozenset()  # years and edition numbers in names
    stage: str | None = None
    # (role, state) where the sentence gives a state a side: ("host", "POL"), ("supplier", ...)
    sides: frozenset[tuple[str, str]] = frozenset()
    name: str | None = None  # the event's own name ("Slavic Brotherhood 2017")
    moment: datetime | None = None  # when the article was published (else stored)
    # the last day a publication known to the month or year allows ("2021-09": the 30th);
    # None: `published` is the day
    published_last: date | None = None
    # an article's year-less dateline ("BAKU, Azerbaijan, Jan. 31"), read where it has no
    # publication date: (month, day)
    dateline: tuple[int, int] | None = None
    # where the event has no date: a year-less day its sentence names ("September 28"),
    # (month, day), and a weekday (0 Monday .. 6 Sunday)
    day_hint: tuple[int, int] | None = None
    weekday: int | None = None

    @property
    def story(self) -> int:
        """The wire story: copies share their original's."""
        return self.copy_of or self.article_id

    def anchor(self) -> date | None:
        """The day that places this report in time: its own date, else its publication."""
        return self.lo or self.published

    def published_span(self) -> tuple[date, date] | None:
        """The first and last day the article may have come out, None when unknown."""
        if self.published is None:
            return None
        return self.published, max(self.published_last or self.published, self.published)
