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


def test_two_speakers_make_two_statements_one_speaker_one() -> None:
    text = (
        "Turkish Defence Minister Selim Kaya met his Chilean counterpart Ana Rojas in Ankara. "
        "Kaya said the partnership between Turkey and Chile is strong. "
        "He added that the ties would grow. "
        "Rojas said Chile values its cooperation with Turkey."
    )
    assert len(of_type(run(text), "statement")) == 2


def test_statements_through_other_speech_verbs() -> None:
    text = "The Chilean minister tweeted that the friendship between Chile and Peru is unbreakable."
    (statement,) = of_type(run(text), "statement")
    assert sorted(statement.countries) == ["CHL", "PER"]


def test_a_further_meeting_on_the_same_occasion_is_another_event() -> None:
    text = (
        "Chilean Defence Minister Ana Rojas met Peruvian Defence Minister Luis Soto in Lima. "
        "During the meeting, the two ministers discussed cooperation between Chile and Peru. "
        "Rojas also met Peruvian army chief Jorge Vega."
    )
    assert len(of_type(run(text), "meeting")) == 2
