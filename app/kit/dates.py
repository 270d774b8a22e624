"""Publication dates from page headers, urls and timestamp lines; and the one calendar range
the API accepts in its date parameters and fields (FIRST_DAY to LAST_DAY, in UTC)."""

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

from dateutil import parser as dateparser

from app.taxonomy import DatePrecision

MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)


@dataclass(frozen=True)
class PartialDate:
    """A date known to the day, the month or the year."""

    value: date
    precision: DatePrecision

    def iso(self) -> str:
        if self.precision is DatePrecision.year:
            return f"{self.value.year:04d}"
        if self.precision is DatePrecision.month:
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()


def _make(year: int, month: int | None = None, day: int | None = None) -> PartialDate | None:
    if not 1900 <= year <= 2100:  # read from a page: a year outside these is a misreading
        return None
    return _period(year, month, day)


def _period(year: int, month: int | None = None, day: int | None = None) -> PartialDate | None:
    try:
        if month is None:
            return PartialDate(date(year, 1, 1), DatePrecision.year)
        if day is None:
            return PartialDate(date(year, month, 1), DatePrecision.month)
        return PartialDate(date(year, month, day), DatePrecision.day)
    except ValueError:
        return None


_ISO_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_partial_iso(text: str) -> PartialDate | None:
    """'2022', '2022-02' or '2022-02-01' (a time after the date is ignored)."""
    match = _ISO_PARTIAL.match(text.strip()[:10])
    if not match:
        return None
    year, month, day = match.groups()
    return _make(int(year), int(month) if month else None, int(day) if day else None)


_URL_PATTERNS = (
    re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?!\d)"),
    re.compile(r"(?<!\d)((?:19|20)\d{2})/(" + MONTHS + r")/(0?[1-9]|[12]\d|3[01])(?!\d)", re.I),
    re.compile(r"(?<!\d)(0?[1-9]|[12]\d|3[01])-(" + MONTHS + r")-((?:19|20)\d{2})(?!\d)", re.I),
    re.compile(r"(?<!\d)((?:19|20)\d{2})/(0[1-9]|1[0-2])([0-2]\d|3[01])(?!\d)"),
    re.compile(r"(?<![\d])((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])"),
)


def _month_number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    try:
        return dateparser.parse(f"1 {token.rstrip('.')} 2000").month
    except (ValueError, OverflowError):
        return None


def date_from_url(url: str | None) -> PartialDate | None:
    """A date written in a url's path or query (…/2012/10/29/…, …?yyyy=2019&mm=02&dd=26)."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    query = parse_qs(parts.query)
    if query.get("yyyy") and query.get("mm") and query.get("dd"):
        try:
            found = _make(int(query["yyyy"][0]), int(query["mm"][0]), int(query["dd"][0]))
        except ValueError:
            found = None
        if found:
            return found
    haystack = parts.path + ("?" + parts.query if parts.query else "")
    for index, pattern in enumerate(_URL_PATTERNS):
        for match in pattern.finditer(haystack):
            groups = match.groups()
            if index == 2:
                day, month_token, year = groups
            else:
                year, month_token, day = groups
            month = _month_number(month_token)
            found = _make(int(year), month, int(day)) if month else None
            if found:
                return found
    monthly = re.search(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])/", parts.path)
    if monthly:
        return _make(int(monthly.group(1)), int(monthly.group(2)))
    return None


_TEXT_DATE = re.compile(
    r"(?<!\w)(?:(?:\d{1,2}(?:st|nd|rd|th)?\s+" + MONTHS + r",?\s+\d{4})"
    r"|(?:" + MONTHS + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})"
    r"|(?:\d{4}-\d{2}-\d{2})|(?:\d{1,2}-\d{1,2}-\d{4}))(?!\w)",
    re.I,
)


def date_in_line(line: str) -> PartialDate | None:
    """A full date (day, month, year) written in a short timestamp or dateline line."""
    match = _TEXT_DATE.search(line)
    if not match:
        return None
    token = match.group(0)
    try:
        parsed = dateparser.parse(token, dayfirst=bool(re.match(r"\d{1,2}-\d{1,2}-\d{4}", token)))
    except (ValueError, OverflowError):
        return None
    return _make(parsed.year, parsed.month, parsed.day)


# --- the range the API accepts ---------------------------------------------------------------
#
# Python's date and datetime hold years 1 to 9999, SQLite's date functions 0000-01-01 to
# 9999-12-31 23:59:59.999 (to the millisecond: later ones are NULL) and PostgreSQL's far more:
# the API takes what all three can store and compute with, decided here once. A date-time with
# an offset must fall in the range once converted to UTC (it is stored in UTC):
# 9999-12-31T23:59:59-14:00 is year 10000 in UTC, so it is refused.

FIRST_DAY = date.min  # 0001-01-01
LAST_DAY = date.max  # 9999-12-31
LAST_MOMENT = datetime.combine(LAST_DAY, time(23, 59, 59, 999_000))  # UTC
DAY_RANGE = f"from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"
MOMENT_RANGE = (
    f"from {FIRST_DAY.isoformat()}T00:00:00Z to {LAST_DAY.isoformat()}T23:59:59.999Z in UTC"
)
DAY_FORM = f"YYYY-MM-DD, {DAY_RANGE}"
PERIOD_FORM = f"YYYY, YYYY-MM or YYYY-MM-DD, {DAY_RANGE}"
MOMENT_FORM = f"an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD) or date-time, {MOMENT_RANGE}"
DAY_HELP = f"must be a date as {DAY_FORM}"
PERIOD_HELP = f"must be a date as {PERIOD_FORM}"
MOMENT_HELP = f"must be {MOMENT_FORM}"

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_PERIOD = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def parse_day(text: str) -> date:
    """A day written YYYY-MM-DD, FIRST_DAY to LAST_DAY; anything else (a number, a
    timestamp, another layout) is a ValueError saying what is accepted."""
    if not _DAY.fullmatch(text):
        raise ValueError(DAY_HELP)
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise ValueError(DAY_HELP) from error


def parse_period(text: str) -> PartialDate:
    """A date known to the year, month or day: YYYY, YYYY-MM or YYYY-MM-DD, FIRST_DAY to
    LAST_DAY (a ValueError otherwise)."""
    match = _PERIOD.fullmatch(text.strip())
    found = None
    if match:
        year, month, day = match.groups()
        found = _period(int(year), int(month) if month else None, int(day) if day else None)
    if found is None:
        raise ValueError(PERIOD_HELP)
    return found


def last_day(period: PartialDate) -> date:
    """The last day a date known to its precision can mean (31 December for a year)."""
    value = period.value
    if period.precision is DatePrecision.year:
        return value.replace(month=12, day=31)
    if period.precision is DatePrecision.month:
        return value.replace(day=calendar.monthrange(value.year, value.month)[1])
    return value


def parse_moment(text: str) -> tuple[datetime, str]:
    """A publication date as the API takes it, with its precision: YYYY, YYYY-MM or YYYY-MM-DD
    (midnight UTC; "year", "month", "day") or an ISO 8601 date-time ("time"; UTC when it has no
    offset). The date-time keeps the offset it was given; converted to UTC it is within
    FIRST_DAY to LAST_DAY, or this is a ValueError."""
    value = text.strip()
    if _PERIOD.fullmatch(value):
        try:
            period = parse_period(value)
        except ValueError as error:
            raise ValueError(MOMENT_HELP) from error
        return datetime.combine(period.value, time(), tzinfo=UTC), period.precision.value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise ValueError(MOMENT_HELP) from error
    try:  # the arithmetic astimezone(UTC) does, overflow included
        in_utc = moment.replace(tzinfo=None) - (moment.utcoffset() or timedelta())
    except OverflowError as error:
        raise ValueError(MOMENT_HELP) from error
    if in_utc > LAST_MOMENT:
        raise ValueError(MOMENT_HELP)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), "time"
