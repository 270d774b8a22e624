"""Dates in a page's own language: candidate spans found by the language's month and weekday
names (CLDR, through Babel) and by numbers, each read by dateparser.

dateparser's search over a whole text is slow and finds "dates" in ordinary words; here it only
reads short spans that look like dates. A date without a year needs the publication date to
place it: without one it is left out, never guessed.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from app.extraction.languages.countries import LETTER
from app.extraction.languages.rules import LanguageRules
from app.kit.dates import PartialDate
from app.taxonomy import DatePrecision

_PERIODS = {"day": DatePrecision.day, "month": DatePrecision.month, "year": DatePrecision.year}
_NOT_LETTER = "(?<!" + LETTER + ")"
_NUMERIC = r"\d{1,2}[./]\d{1,2}[./](?:19|20)\d{2}"
_YEAR = r"(?:19|20)\d{2}"
_WRITTEN_YEAR = re.compile(_YEAR)
FUTURE_YEARS = 10  # a year this far past publication is a number, not a date


@dataclass(frozen=True)
class FoundDate:
    start: int
    end: int
    text: str
    value: PartialDate


def _names(rules: LanguageRules, kind: str, width: str) -> list[str]:
    from babel import Locale  # CLDR data: read once per language

    names: set[str] = set()
    for locale in rules.locales:
        table = getattr(Locale.parse(locale), kind)
        for context in ("format", "stand-alone"):
            names.update(str(n).rstrip(".") for n in table[context][width].values())
    return sorted((n for n in names if len(n) >= 3), key=len, reverse=True)


def _alternation(names: list[str], inflected: bool) -> str:
    parts = []
    for name in names:
        stem = name[:-1] if inflected and len(name) > 4 else name
        ending = LETTER + "{0,3}" if inflected else LETTER + "{0,2}"
        parts.append(re.escape(stem) + ending + r"\.?")
    return "(?:" + "|".join(parts) + ")"


@cache
def _candidates(rules: LanguageRules) -> re.Pattern[str]:
    """Spans that may be dates. An abbreviated month ("mar", also Spanish for the sea) needs
    a day or a year beside it; a weekday alone, or "yesterday", needs the publication date
    (find_dates drops what has no year to stand on)."""
    month = _alternation(_names(rules, "months", "wide"), rules.inflected)
    short = _alternation(_names(rules, "months", "abbreviated"), inflected=False)
    weekday = _alternation(_names(rules, "days", "wide"), rules.inflected)
    relative = "|".join(re.escape(w) for w in rules.relative_days) or "(?!)"
    glue = r"(?:\s+(?:de|del|of)\s+|[\s,]+)"  # "28 de septiembre de 2021"
    day = r"\d{1,2}\.?"
    spelled = (  # "Hulyo 8, 2024" before "Hulyo" alone: the first alternative that fits wins
        rf"{month}\s+\d{{1,2}}(?!\d)(?:,?\s+{_YEAR})?"
        rf"|(?:{weekday},?\s+)?(?:{day}{glue})?{month}(?:{glue}{_YEAR})?"
        rf"|{day}{glue}{short}(?:{glue}{_YEAR})?|{short}{glue}{_YEAR}"
    )
    alone = rf"{weekday}|{relative}"
    pattern = rf"{_NOT_LETTER}(?:{spelled}|{_NUMERIC}|{_YEAR}|{alone})(?!{LETTER}|\d)"
    return re.compile(pattern, re.I)


@lru_cache(maxsize=64)  # one per publication day: a bounded few kept
def _parser(languages: tuple[str, ...], base: date | None) -> Any:
    from dateparser.date import DateDataParser  # type: ignore[import-untyped]  # slow import

    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first"}
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day)
    return DateDataParser(languages=list(languages), settings=settings)


def find_dates(
    text: str, rules: LanguageRules, published: date | None, *, month_only: bool = False
) -> list[FoundDate]:
    """The dates written in the text, in order, each at the precision the text gives
    (`month_only`: `published` is the 1st of the month a dateline gives, not a day)."""
    found: list[FoundDate] = []
    base = published
    if published is not None and month_only:  # "28 septembre" of a September page: this one
        base = (date(published.year, published.month, 1) + timedelta(days=31)).replace(day=1)
        base -= timedelta(days=1)
    parser = _parser(rules.date_languages, base)
    for match in _candidates(rules).finditer(text):
        span = match.group(0)
        data = parser.get_date_data(span)
        if data.date_obj is None or data.period not in _PERIODS:
            continue
        if published is None and not _WRITTEN_YEAR.search(span):
            continue  # "26 August", "Tuesday" of an undated page: which year is not said
        moment = data.date_obj.date()
        if published is not None and moment.year > published.year + FUTURE_YEARS:
            continue
        precision = _PERIODS[data.period]
        if month_only and not any(c.isdigit() for c in span) and precision is DatePrecision.day:
            continue  # "mardi", "hier": counted from a day the dateline does not give
        value = date(moment.year, moment.month if precision is not DatePrecision.year else 1, 1)
        if precision is DatePrecision.day:
            value = moment
        found.append(FoundDate(match.start(), match.end(), span, PartialDate(value, precision)))
    return found
