"""The cheap gates in front of the date patterns skip only searches that cannot match."""

from datetime import date

import pytest

from app.extraction import temporal

PUBLISHED = date(2021, 6, 10)
SENTENCES = [
    "The two navies held drills on 3 June 2021 off the coast.",
    "Ministers met in March and again on Monday.",
    "The deal was signed on May 4, 2019, in the capital.",
    "The exercise ran from 1 to 8 November.",
    "Talks resumed in September 2020 after a pause.",
    "The agreement dates from 1998.",
    "Both sides spoke of trust and of a shared future.",
    "The accord, signed three years ago, was renewed yesterday.",
    "The visit is planned for next month, officials said on Sunday.",
    "Seven ships took part, the ministry said.",
]


def _ungated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(temporal, "_NEEDS_MONTH", set())
    monkeypatch.setattr(temporal, "_NEEDS_DIGIT", set())
    monkeypatch.setattr(temporal, "_NEEDS_YEAR", set())
    monkeypatch.setattr(temporal, "_CUES", {})


@pytest.mark.parametrize("future", [False, True])
def test_gates_change_no_result(monkeypatch: pytest.MonkeyPatch, future: bool) -> None:
    gated = [temporal.date_candidates(s, PUBLISHED, future=future) for s in SENTENCES]
    _ungated(monkeypatch)
    plain = [temporal.date_candidates(s, PUBLISHED, future=future) for s in SENTENCES]
    assert gated == plain


def test_sentence_without_date_words_reads_nothing() -> None:
    assert temporal.date_candidates("Both sides spoke of trust.", PUBLISHED) == []


def test_month_and_day_still_read() -> None:
    found = temporal.date_candidates("The drills began on 3 June 2021.", PUBLISHED)
    assert [c[0].start.value for c in found] == [date(2021, 6, 3)]


def test_a_month_spelt_with_a_letter_re_i_folds_is_read_not_a_crash() -> None:
    # Under re.I the long s "ſ" matches "s", and str.lower() leaves it: the month lookup must
    # fold the way the pattern matched ("ſeptember" is September), not raise.
    from app.extraction import extract
    from app.extraction.base import Document

    text = "Chile and Peru signed a defence pact in Lima on ſeptember 3, 2024."
    result = extract(Document(text=text, published=PUBLISHED, language="en"))
    assert [e.date.iso() for e in result.events if e.date] == ["2024-09-03"]


@pytest.mark.parametrize(
    "when",
    ["on ſaturday", "ſix days ago", "laſt ſummer", "on ſeptember 3", "ſeven weeks ago"],
)
def test_every_date_word_folds_as_its_pattern_matched(when: str) -> None:
    from app.extraction import extract
    from app.extraction.base import Document

    text = f"Chile and Peru signed a defence pact in Lima {when}."
    extract(Document(text=text, published=PUBLISHED, language="en"))  # no KeyError, no ValueError
