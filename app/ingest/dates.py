"""Publication dates from page headers, urls and timestamp lines."""

import re
from dataclasses import dataclass
from datetime import date
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
    if not 1900 <= year <= 2100:
        return None
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
