"""The days a report's own sentence names without a year ("on Tuesday, September 28", "on
Wednesday") where its event has no date: pages with no publication date leave them
unresolved, yet they still tell two happenings apart, or place one beside a dated report.
Pure: read from the evidence sentence (features.day_hints), judged here."""

from datetime import date, timedelta

from app.linking.cards import Card

# Happenings that last days or weeks: a day their reports name may be any of them ("until
# 19 June"), and a weekday says little; the others happen in a day, reported a day apart at most
LASTING = frozenset({"exercise", "training", "visit", "conflict"})
LASTING_SLACK = timedelta(days=21)
DAY_SLACK = timedelta(days=1)
_ANY_YEAR = 2000  # where two year-less days are set side by side: a leap year


def _slack(card: Card) -> timedelta:
    return LASTING_SLACK if card.type in LASTING else DAY_SLACK


def days_near(card: Card, year: int) -> list[date]:
    """The days the card's year-less day may be in the years around `year`: with a weekday
    written with it, only those on that weekday."""
    if card.day_hint is None:
        return []
    month, day = card.day_hint
    found = []
    for y in (year - 1, year, year + 1):
        try:
            found.append(date(y, month, day))
        except ValueError:  # 29 February of a common year
            continue
    if card.weekday is None:
        return found
    return [d for d in found if d.weekday() == card.weekday]


def _around(lo: date, hi: date, slack: timedelta) -> tuple[date, date]:
    """lo - slack to hi + slack, held inside the calendar."""
    try:
        lo = lo - slack
    except OverflowError:
        lo = date.min
    try:
        hi = hi + slack
    except OverflowError:
        hi = date.max
    return lo, hi


def _weekdays_apart(a: int, b: int) -> bool:
    return (a - b) % 7 not in (0, 1, 6)


def veto_against_dated(dated: Card, other: Card) -> str | None:
    """Why an undated report's year-less day or weekday cannot be a dated report's."""
    if dated.lo is None or dated.hi is None:
        return None
    slack = _slack(dated)
    if other.day_hint is not None:
        if not within(other, *_around(dated.lo, dated.hi, slack)):
            return "different day"
        return None
    if (
        other.weekday is not None
        and dated.type not in LASTING
        and dated.precision == "day"
        and dated.lo == dated.hi
        and _weekdays_apart(dated.lo.weekday(), other.weekday)
    ):
        return "different weekday"
    return None


def veto_between_undated(a: Card, b: Card) -> str | None:
    """Why two undated reports' year-less days or weekdays cannot be one happening's."""
    if a.day_hint and b.day_hint:
        a_day = date(_ANY_YEAR, *a.day_hint)
        b_days = [d.replace(year=y) for d in _plain(b) for y in (1999, 2000, 2001) if _can(d, y)]
        if not any(abs(a_day - d) <= _slack(a) for d in b_days):
            return "different day"
        return None
    if (
        a.day_hint is None
        and b.day_hint is None
        and a.weekday is not None
        and b.weekday is not None
        and a.type not in LASTING
        and _weekdays_apart(a.weekday, b.weekday)
    ):
        return "different weekday"
    return None


def _plain(card: Card) -> list[date]:
    """The card's year-less day in the leap year _ANY_YEAR."""
    return [date(_ANY_YEAR, *card.day_hint)] if card.day_hint else []


def _can(day: date, year: int) -> bool:
    return not (day.month == 2 and day.day == 29 and year != _ANY_YEAR)


def within(card: Card, lo: date, hi: date) -> bool:
    """Whether the card's year-less day may fall between two days (True when it names none)."""
    if card.day_hint is None:
        return True
    return any(lo <= d <= hi for d in days_near(card, lo.year))
