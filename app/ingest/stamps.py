"""Date stamps a page's lines carry that the plain timestamp reader misses, and the site's
own date that is not the article's.

- A date widget whose spaces a scraper lost: "Jul282021UK and Kenya sign ..." starts with
  July 28, 2021, glued to the headline.
- A site banner shows today's date beside the weather ("14 C", "Agartala", "Friday,
  December 27, 2024"): the day the page was saved, not the day the article appeared.
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
