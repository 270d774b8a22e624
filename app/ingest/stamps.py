"""Date stamps a page's lines carry that the plain timestamp reader misses, and the site's
own date that is not the article's.

- A date widget whose spaces a scraper lost: "Jul282021UK and Kenya sign ..." starts with
  July 28, 2021, glued to the headline.
- A site banner shows today's date beside the weather ("14 C", "Agartala", "Friday,
  December 27, 2024"): the day the page was saved, not the day the article appeared.
- A numeric day-first date a line starts with, before a time or a dateline, or glued to
  the first sentence: "23.06.2021 | 15:38Special drills ...", "03.04.2018 - Ankara / ...".
- A date a credit line says the page was issued or published on: "(Source: the ministry;
  issued Sept. 11, 2019)".
- A url's date as app.kit.dates reads it (a day, or a month: ".../2025/08/slug", where that
  is all the page says), else a ddmmyy folder before the slug
  (".../international/100222/indonesia-agrees-deal...").
"""

import re
from datetime import date
from urllib.parse import urlsplit

from app.kit.dates import MONTHS, PartialDate, date_from_url, date_in_line
from app.taxonomy import DatePrecision

_GLUED = re.compile(r"^(" + MONTHS + r")(0[1-9]|[12]\d|3[01])((?:19|20)\d{2})(?=[A-Z\W]|$)", re.I)
_WEATHER = re.compile(r"^-?\d{1,2}(?:[.,]\d)?\s?°?\s?[CF]\b", re.I)
_WORD = re.compile(r"\w+")
# "/100222/indonesia-...": day, month, two-digit year, then a slug
_DDMMYY = re.compile(r"/(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])(\d{2})/(?=[a-z])", re.I)
# "23.06.2021", "3.4.2018", then "| 15:38" or "15:38" (a time may be glued to what follows)
_DOTTED = re.compile(
    r"^(0?[1-9]|[12]\d|3[01])\.(0?[1-9]|1[0-2])\.((?:19|20)\d{2})(?![\d.])"
    r"(?:\s*[|,]?\s*(?:[01]?\d|2[0-3]):[0-5]\d(?!\d))?\s*[|/–—-]?\s*"
)
# the words a credit line dates the page with: "issued Sept. 11, 2019", "Published on: ..."
_ISSUED = re.compile(
    r"\b(?:issued|published|posted|released)(?:\s+on)?\s*:?\s*(?=\d|" + MONTHS + r"\b)", re.I
)
EARLIEST_YY = 2000  # a two-digit year is this century's
STAMP_WORDS = 8  # a stamp line is short: "Thu - 10 Oct 2019 - 02:48 PM" is 7 words


def glued_stamp(line: str) -> tuple[PartialDate, str] | None:
    """The date a line starts with, written without spaces, and the rest of the line."""
    match = _GLUED.match(line)
    if match is None:
        return None
    month, day, year = match.groups()
    found = date_in_line(f"{day} {month.rstrip('.')} {year}")
    return (found, line[match.end() :].strip()) if found else None


def dotted_stamp(line: str) -> tuple[PartialDate, str] | None:
    """A day-first dotted date (a time after it) a line starts with, and the rest of the line.
    Dots write a day before its month wherever they are used as a page's stamp."""
    match = _DOTTED.match(line)
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        found = PartialDate(date(year, month, day), DatePrecision.day)
    except ValueError:
        return None
    return found, line[match.end() :].strip()


def issued_stamp(line: str) -> PartialDate | None:
    """The full date a line gives right after 'issued', 'published', 'posted' or 'released'."""
    match = _ISSUED.search(line)
    return date_in_line(line[match.end() :]) if match else None


def is_banner(lines: list[str], index: int) -> bool:
    """Whether the date line at `index` sits in a site banner: weather just above it."""
    return any(_WEATHER.match(line.strip()) for line in lines[max(0, index - 2) : index])


def stamp_words(line: str) -> int:
    """Words, not counting the dashes and bars a stamp is laid out with."""
    return len(_WORD.findall(line))


def url_date(url: str | None, today: date | None = None) -> PartialDate | None:
    """The day a url's path gives, if it gives one."""
    found = date_from_url(url)
    if found is not None:
        return found
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:  # "http://[" and other urls no parser accepts
        return None
    match = _DDMMYY.search(path)
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        value = date(EARLIEST_YY + year, month, day)
    except ValueError:
        return None
    if value > (today or date.today()):
        return None  # an id that reads as a date to come
    return PartialDate(value, DatePrecision.day)
