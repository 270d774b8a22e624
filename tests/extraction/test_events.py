"""Events: who took part, which happening is which, and when (sentences written for these tests)."""

from datetime import date

from app.extraction import extract
from app.extraction.base import Document, Extraction, FoundEvent


def run(text: str, published: date | None = date(2024, 3, 12)) -> Extraction:
    return extract(Document(text=text, published=published, language="en"))


def of_type(result: Extraction, event_type: str) -> list[FoundEvent]:
    return [e for e in result.events if e.type == event_type]


def test_news_without_a_date_is_dated_to_the_publication_month() -> None:
    (pact,) = of_type(run("Chile and Peru have signed a defence pact."), "agreement")
    assert pact.date is not None and pact.date.iso() == "2024-03"


def test_background_without_a_date_stays_undated() -> None:
    (pact,) = of_type(run("Chile and Peru had signed a defence pact."), "agreement")
    assert pact.date is None
