"""Year-less days and weekdays an undated report's sentence names (app.linking.days), and
how they are read (features.day_hints): invented reports."""

from datetime import date

from app.linking.compare import compare
from app.linking.features import day_hints
from tests.linking.test_compare import card

UNDATED = {"lo": None, "hi": None, "precision": None, "published": None}


def signing(n: int, **fields: object) -> object:
    return card(n, type="agreement", **fields)


def test_day_hints_reads_one_year_less_day_and_one_weekday() -> None:
    assert day_hints("They signed on Tuesday, September 28, a contract.") == ((9, 28), 1)
    assert day_hints("The drill lasts until 19 June.") == ((6, 19), None)
    assert day_hints("Earlier, on Sept. 15, the pact emerged.") == ((9, 15), None)
    assert day_hints("They met on Friday.") == (None, 4)
    assert day_hints("They signed on June 15, 2021 a pact.") == (None, None)  # a date, not a hint
    assert day_hints("In May 2020 they met.") == (None, None)
    assert day_hints("Talks on May 5 and on June 6 went well.") == (None, None)  # which one?
    assert day_hints("They met on Monday and left on Friday.") == (None, None)
    # a weekday away from the day is not that day's
    assert day_hints("He said on Friday the pact was signed on May 5.") == ((5, 5), None)
    assert day_hints(None) == (None, None)


def test_a_year_less_day_is_checked_against_a_dated_report() -> None:
    dated = signing(1, lo=date(2021, 9, 28), hi=date(2021, 9, 28), published=date(2021, 9, 28))
    same = signing(2, day_hint=(9, 28), **UNDATED)
    assert compare(dated, same).veto is None
    assert compare(dated, signing(3, day_hint=(9, 15), **UNDATED)).veto == "different day"
    # a weekday beside it pins the year: 28 September was a Tuesday in 2021, not in 2025
    later = signing(4, lo=date(2025, 1, 1), hi=date(2025, 12, 31), precision="year")
    assert compare(later, signing(5, day_hint=(9, 28), weekday=1, **UNDATED)).veto == (
        "different day"
    )
    assert compare(later, signing(6, day_hint=(9, 28), **UNDATED)).veto is None  # any year
    # a drill's reports may name any of its days
    drill = card(7, type="exercise", lo=date(2021, 6, 6), hi=date(2021, 6, 6))
    assert compare(drill, card(8, type="exercise", day_hint=(6, 19), **UNDATED)).veto is None


def test_a_weekday_tells_apart_happenings_of_a_day() -> None:
    dated = signing(1, lo=date(2024, 3, 13), hi=date(2024, 3, 13))  # a Wednesday
    assert compare(dated, signing(2, weekday=2, **UNDATED)).veto is None
    assert compare(dated, signing(3, weekday=3, **UNDATED)).veto is None  # a day later
    assert compare(dated, signing(4, weekday=4, **UNDATED)).veto == "different weekday"
    assert compare(signing(5, weekday=0, **UNDATED), signing(6, weekday=2, **UNDATED)).veto == (
        "different weekday"
    )
    # a visit lasts days: "arrived on Monday", "met on Wednesday"
    assert compare(card(7, weekday=0, **UNDATED), card(8, weekday=2, **UNDATED)).veto is None


def test_two_year_less_days_and_a_publication() -> None:
    assert (
        compare(
            signing(1, day_hint=(9, 28), **UNDATED), signing(2, day_hint=(9, 29), **UNDATED)
        ).veto
        is None
    )
    assert (
        compare(
            signing(3, day_hint=(12, 31), **UNDATED), signing(4, day_hint=(1, 1), **UNDATED)
        ).veto
        is None
    )
    assert compare(
        signing(5, day_hint=(9, 28), **UNDATED), signing(6, day_hint=(9, 15), **UNDATED)
    ).veto == ("different day")
    published = signing(7, lo=None, hi=None, precision=None, published=date(2021, 9, 29))
    assert compare(published, signing(8, day_hint=(9, 28), **UNDATED)).veto is None
    assert compare(published, signing(9, day_hint=(3, 2), **UNDATED)).veto == (
        "published out of range"
    )
