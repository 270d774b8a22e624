"""Dates in a sentence, resolved against the publication date."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from app.extraction.budget import Deadline, unlimited
from app.kit.dates import MONTHS, PartialDate
from app.kit.spans import overlaps
from app.taxonomy import DatePrecision

_MONTH_NUMBERS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_MONTH = r"(?P<month>" + MONTHS + r")"
_TO = r"\s*(?:[-–]|to|through|till|until)\s*"  # "1-8 November", "1 to 8 November"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("mdy", re.compile(_MONTH + r"\s+" + _DAY + r"(?:" + _TO + r"(?P<day2>[0-3]?\d))?(?:,?\s+" + _YEAR + r")?(?!\d)", re.I)),
    ("dmy", re.compile(r"(?<!\d)" + _DAY + r"(?:" + _TO + r"(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?)?\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+" + _YEAR + r")?", re.I)),
    ("my", re.compile(r"\b(?:in|since|from|of|during|by|until|before|after)?\s*" + _MONTH + r",?\s+" + _YEAR + r"\b", re.I)),
    ("weekday", re.compile(r"\b(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)),
    ("relative", re.compile(r"\b(?P<rel>today|tonight|this\s+(?:morning|afternoon|evening)|yesterday|tomorrow|last\s+(?:week|month|year)|next\s+(?:week|month|year)|earlier\s+this\s+(?:week|month|year)|this\s+(?:week|month|year))\b", re.I)),
    ("month", re.compile(r"\b(?:in|since|during|by|until|from|last|this|of|early|mid|late|end\s+of|beginning\s+of|start\s+of)\s+(?:(?:early|mid|late)[\s-]+)?" + _MONTH + r"\b(?!\s*[-–]?\s*\d)", re.I)),
    ("ago", re.compile(r"\b(?P<n>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(?P<unit>years?|months?|weeks?|days?)\s+ago\b", re.I)),
    ("season", re.compile(r"\b(?P<which>last|this|next|in\s+the)\s+(?P<season>spring|summer|fall|autumn|winter)\b", re.I)),
    ("document", re.compile(r"\b(?:the|a|an|its|their|this|that)\s+" + _YEAR + r"\s+(?:[\w-]+\s+){0,2}?(?:agreements?|deals?|pacts?|accords?|contracts?|treaty|treaties|mous?|memorand\w+|ceasefire|truce|declaration|framework|orders?|purchases?|sales?)\b", re.I)),
    ("year", re.compile(r"\b(?:in|since|of|from|during|by|until|before)\s+" + _YEAR + r"\b", re.I)),
]  # fmt: skip
# Words without which a pattern cannot match: the sentence is searched only when one is there.
_CUES: dict[str, tuple[str, ...]] = {
    "ago": ("ago",),
    "season": ("spring", "summer", "fall", "autumn", "winter"),
    "relative": ("today", "tonight", "this ", "yesterday", "tomorrow", "last ", "next ", "earlier"),
    "weekday": ("day",),  # every weekday's name ends in it
}
# Most sentences name no month and hold no digit: the month, day and year patterns are then not
# searched at all (each search walks the whole sentence, about a millisecond per article).
# Every month name starts with one of these; "ſ" (long s) matches "s" under re.I, so it counts.
_MONTH_STARTS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                 "dec", "ſ")  # fmt: skip
_DIGIT = re.compile(r"\d")
_NEEDS_MONTH = {"mdy", "dmy", "my", "month"}
_NEEDS_DIGIT = {"mdy", "dmy"}
_NEEDS_YEAR = {"my", "year", "document"}  # "19" or "20" begins every year the patterns read
_UNTIL = re.compile(r"\b(?:until|till|to|through|–|-)\s+" + _MONTH + r"\s+" + _DAY, re.I)
_MONTH_SPAN = re.compile(
    _MONTH
    + r"\s+"
    + _DAY
    + r"\s+(?:to|until|till|–|-)\s+(?P<month2>"
    + MONTHS
    + r")\s+(?P<day3>[0-3]?\d)",
    re.I,
)


_FROM_THE_DAY = {"weekday", "relative", "ago", "season"}  # counted from the publication day


@dataclass(frozen=True)
class FoundDate:
    start: PartialDate
    end: PartialDate | None
    text: str
    offset: int
    document: bool = False  # the year of a pact or deal it names ("the 2008 agreement")


def _month(token: str) -> int:
    return _MONTH_NUMBERS[token.casefold().rstrip(".")[:3]]


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _anchor(month: int, day: int, published: date, future: bool) -> date | None:
    """A month and day without a year: the nearest one before publication (after it, if planned)."""
    candidate = _safe(published.year, month, day)
    if candidate is None:
        return None
    if future:
        return (
            candidate
            if candidate >= published - timedelta(days=7)
            else _safe(published.year + 1, month, day)
        )
    if candidate > published + timedelta(days=1):
        if published.day == 1 and candidate.month == published.month:
            return candidate  # a month-only publication date ("2022-05"), stored as the 1st
        return _safe(published.year - 1, month, day)
    return candidate


def find_date(
    sentence: str,
    published: date | None,
    *,
    future: bool = False,
    near: int = 0,
    near_end: int | None = None,
    barrier: re.Pattern[str] | None = None,
    deadline: Deadline | None = None,
) -> FoundDate | None:
    """The date the sentence gives (the one nearest `near`, an offset), resolved; None when none.

    With a `barrier` (a pattern of other clauses' verbs), a date with such a verb between it and
    the words at `near`..`near_end` belongs to that verb ("the visit, after the MoU signed in
    2008"): it is not taken.
    """
    found = date_candidates(sentence, published, future=future, deadline=deadline)
    return pick_date(sentence, found, published, near=near, near_end=near_end, barrier=barrier)


Candidate = tuple[FoundDate, int, int]  # a resolved date, where its words start and end


def date_candidates(
    sentence: str,
    published: date | None,
    *,
    future: bool = False,
    month_only: bool = False,
    deadline: Deadline | None = None,
) -> list[Candidate]:
    """Every date expression of the sentence, resolved (a sentence with several events reads
    them once: `pick_date` chooses for each trigger). With `month_only` the publication date
    is a month's 1st: it places "28 September" or "in October", not "on Tuesday" or "today"."""
    deadline = deadline or unlimited()
    found: list[Candidate] = []
    taken: list[tuple[int, int]] = []  # what earlier patterns read, in order
    lowered = sentence.lower()
    month = any(start in lowered for start in _MONTH_STARTS)
    digit = _DIGIT.search(sentence) is not None
    year = "19" in sentence or "20" in sentence
    for kind, pattern in _PATTERNS:
        cues = _CUES.get(kind)
        if cues and not any(cue in lowered for cue in cues):
            continue  # a cheap look for the word the pattern needs
        if (
            (not month and kind in _NEEDS_MONTH)
            or (not digit and kind in _NEEDS_DIGIT)
            or (not year and kind in _NEEDS_YEAR)
        ):
            continue
        # One pattern's matches never overlap one another: only earlier patterns' can be hit.
        read: list[tuple[int, int]] = []
        for match in pattern.finditer(sentence):
            deadline.tick()
            if overlaps(taken, match.start(), match.end()):
                continue  # "July 10, 2017" already read: not "in 2017" again
            if kind == "weekday" and any(0 <= s - match.end() <= 3 for s, _ in taken):
                continue  # "on Monday, August 21, 2017": the full date beside it says it
            if month_only and kind in _FROM_THE_DAY:
                continue  # "on Tuesday", "next year" need the day: a dateline's month is too weak
            resolved = _resolve(kind, match, published, future)
            if resolved is None:
                continue
            read.append((match.start(), match.end()))
            found.append((resolved, match.start(), match.end()))
        if read:
            taken = sorted(taken + read)
    return found


def pick_date(
    sentence: str,
    candidates: list[Candidate],
    published: date | None,
    *,
    near: int = 0,
    near_end: int | None = None,
    barrier: re.Pattern[str] | None = None,
    barrier_after: re.Pattern[str] | None = None,
) -> FoundDate | None:
    """The candidate nearest the trigger at `near`..`near_end`, past no barrier verb (and, for
    a date after the trigger, no `barrier_after` words: "the first since the launch of X in
    June")."""
    end_at = near if near_end is None else near_end
    best: FoundDate | None = None
    for found, start, end in candidates:
        if barrier is not None and _blocked(sentence, start, end, near, end_at, barrier):
            continue
        if (
            barrier_after is not None
            and start >= end_at
            and barrier_after.search(sentence, end_at, start)
        ):
            continue
        if best is None or abs(found.offset - near) < abs(best.offset - near):
            best = found
    if best is None:
        return None
    if best.end is None and best.start.precision is DatePrecision.day:
        last = _end_of_span(sentence, best, published)
        if last is not None:
            best = FoundDate(best.start, last, best.text, best.offset)
    return best


def _blocked(
    sentence: str, start: int, end: int, near: int, near_end: int, barrier: re.Pattern[str]
) -> bool:
    """Another clause's verb stands between the date and the trigger."""
    if end <= near:
        return barrier.search(sentence, end, near) is not None
    if start >= near_end:
        return barrier.search(sentence, near_end, start) is not None
    return False


def _month_alone(
    token: str, text: str, offset: int, published: date | None, future: bool
) -> FoundDate | None:
    """'In October' without a year: the last October up to publication (the next, if planned).
    A lowercase word ('this may', 'in march') is no month."""
    if published is None or token[:1].islower():
        return None
    month = _month(token)
    year = published.year
    if future and month < published.month:
        year += 1
    elif not future and month > published.month:
        year -= 1
    return FoundDate(PartialDate(date(year, month, 1), DatePrecision.month), None, text, offset)


_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}  # fmt: skip


def _ago(n: str, unit: str, text: str, offset: int, published: date | None) -> FoundDate | None:
    """'60 years ago' is a year, 'three months ago' or 'two weeks ago' a month, '5 days ago' a
    day, counted back from publication."""
    if published is None:
        return None
    count = int(n) if n.isdigit() else _NUMBERS[n.casefold()]
    unit = unit.casefold().rstrip("s")
    if unit == "year":
        value, precision = date(published.year - count, 1, 1), DatePrecision.year
    elif unit == "day":
        value, precision = published - timedelta(days=count), DatePrecision.day
    else:
        back = published - (
            relativedelta(months=count) if unit == "month" else timedelta(weeks=count)
        )
        value, precision = date(back.year, back.month, 1), DatePrecision.month
    return FoundDate(PartialDate(value, precision), None, text, offset)


def _season(which: str, text: str, offset: int, published: date | None) -> FoundDate | None:
    """'Last fall': the year of the last such season before publication (a season has no month)."""
    if published is None:
        return None
    word = which.casefold()
    if word == "next":
        year = published.year + 1
    elif word == "last":
        season = text.split()[-1].casefold()
        starts = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}[season]
        year = published.year if published.month >= starts + 3 else published.year - 1
    else:
        year = published.year
    return FoundDate(PartialDate(date(year, 1, 1), DatePrecision.year), None, text, offset)


def _end_of_span(sentence: str, found: FoundDate, published: date | None) -> PartialDate | None:
    span = _MONTH_SPAN.search(sentence)
    if span and span.start() <= found.offset + 2:
        year = found.start.value.year
        end = _safe(year, _month(span.group("month2")), int(span.group("day3")))
        if end and end < found.start.value:
            end = _safe(year + 1, end.month, end.day)
        return PartialDate(end, DatePrecision.day) if end else None
    until = _UNTIL.search(sentence, found.offset + len(found.text))
    if until:
        end = _safe(found.start.value.year, _month(until.group("month")), int(until.group("day")))
        if end and end >= found.start.value:
            return PartialDate(end, DatePrecision.day)
    return None


def _resolve(
    kind: str, match: re.Match[str], published: date | None, future: bool
) -> FoundDate | None:
    text, offset = match.group().strip(), match.start()
    groups = match.groupdict()
    if kind in {"mdy", "dmy"}:
        month, day = _month(groups["month"]), int(groups["day"])
        if groups.get("year"):
            value = _safe(int(groups["year"]), month, day)
        elif published is not None:
            value = _anchor(month, day, published, future)
        else:
            return None
        if value is None:
            return None
        end = None
        if groups.get("day2"):
            last = _safe(value.year, value.month, int(groups["day2"]))
            end = PartialDate(last, DatePrecision.day) if last and last > value else None
        return FoundDate(PartialDate(value, DatePrecision.day), end, text, offset)
    if kind == "my":
        value = _safe(int(groups["year"]), _month(groups["month"]), 1)
        return (
            FoundDate(PartialDate(value, DatePrecision.month), None, text, offset)
            if value
            else None
        )
    if kind == "month":
        return _month_alone(groups["month"], text, offset, published, future)
    if kind == "ago":
        return _ago(groups["n"], groups["unit"], text, offset, published)
    if kind == "season":
        return _season(groups["which"], text, offset, published)
    if kind == "document":
        value = _safe(int(groups["year"]), 1, 1)
        return (
            FoundDate(PartialDate(value, DatePrecision.year), None, text, offset, document=True)
            if value
            else None
        )
    if kind == "year":
        value = _safe(int(groups["year"]), 1, 1)
        return (
            FoundDate(PartialDate(value, DatePrecision.year), None, text, offset) if value else None
        )
    if published is None:
        return None
    if kind == "weekday":
        target = _WEEKDAYS.index(groups["weekday"].casefold())
        delta = (published.weekday() - target) % 7
        value = (
            published + timedelta(days=(7 - delta) % 7)
            if future and delta
            else published - timedelta(days=delta)
        )
        return FoundDate(PartialDate(value, DatePrecision.day), None, text, offset)
    rel = " ".join(groups["rel"].casefold().split())
    if rel in {"today", "tonight"} or (
        rel.startswith("this ") and rel.split()[1] in {"morning", "afternoon", "evening"}
    ):
        return FoundDate(PartialDate(published, DatePrecision.day), None, text, offset)
    if rel == "yesterday":
        return FoundDate(
            PartialDate(published - timedelta(days=1), DatePrecision.day), None, text, offset
        )
    if rel == "tomorrow":
        return FoundDate(
            PartialDate(published + timedelta(days=1), DatePrecision.day), None, text, offset
        )
    unit = rel.split()[-1]
    shift = -1 if rel.startswith("last") else 1 if rel.startswith("next") else 0
    if unit == "year":
        return FoundDate(
            PartialDate(date(published.year + shift, 1, 1), DatePrecision.year), None, text, offset
        )
    if unit == "month":
        moved = published + relativedelta(months=shift)
        return FoundDate(
            PartialDate(date(moved.year, moved.month, 1), DatePrecision.month), None, text, offset
        )
    return None  # "last week": no day to name
