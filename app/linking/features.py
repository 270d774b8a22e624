"""What a report's text contributes to its card: its content words, the editions its names
carry, and the stage of a deal it reports. Pure; rules kept as data (data/stages.json)."""

import json
import re
from functools import cache, lru_cache
from importlib import resources

_WORD = re.compile(r"[^\W\d_]{3,}")
_NONE: frozenset[str] = frozenset()
# "Slavic Brotherhood 2017", "JIMEX-24", "the 11th edition", "Vajra Prahar XI"
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_SHORT_YEAR = re.compile(r"\b[A-Z][A-Za-z]+[- ](\d{2})\b")
_EDITION = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)\s+(?:edition|round|iteration|session|meeting|dialogue)\b", re.I
)


@cache
def _stopwords() -> frozenset[str]:
    raw = resources.files("app").joinpath("search/data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in raw.splitlines() if line and line[0] != "#")


def content_words(*texts: str | None) -> frozenset[str]:
    """Lower-case words of three letters or more that are not stopwords."""
    if len(texts) == 1:  # the common case: the cached set itself, not a copy of it
        return _words(texts[0]) if texts[0] else _NONE
    return frozenset().union(*(_words(text) for text in texts if text))


@lru_cache(maxsize=65536)  # a report is read again by every later chunk it is a candidate in
def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower())) - _stopwords()


_NAME = re.compile(r"\b[^\W\d_]{4,}")  # capitalised: below (\w has no case of its own)
NAME_STEM = 5  # letters: "Reznikov" and "Reznikowem", "Pistorius" in any language


def name_stems(*texts: str | None) -> frozenset[str]:
    """The stems of the capitalised words of four letters or more that are not stopwords."""
    if len(texts) == 1:
        return _stems(texts[0]) if texts[0] else _NONE
    return frozenset().union(*(_stems(text) for text in texts if text))


@lru_cache(maxsize=65536)
def _stems(text: str) -> frozenset[str]:
    words = {word.lower() for word in _NAME.findall(text) if word[0].isupper()}
    words -= _stopwords()
    return frozenset([w[:NAME_STEM] for w in words])


def editions(*names: str | None) -> frozenset[str]:
    """The edition marks in names of a happening: full years ('y2017'), two-digit years after
    a name ('y2024' from 'JIMEX-24'), ordinals ('n11' from '11th edition')."""
    marks: set[str] = set()
    for name in names:
        if not name:
            continue
        marks.update(f"y{y}" for y in _YEAR.findall(name))
        marks.update(f"y20{y}" for y in _SHORT_YEAR.findall(name))
        marks.update(f"n{int(n)}" for n in _EDITION.findall(name))
    return frozenset(marks)


_MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# "BAKU, Azerbaijan, Jan. 31", "SEOUL, July 4 (UPI) --", "New Delhi [India], Sept 6 :": a
# place, a month and a day with no year after it, then the agency, a colon, dash or the end
_PLACE_WORD = r"(?:[A-Z][\w.'’-]*|\([^)\n]{1,30}\)|\[[^\]\n]{1,30}\])"
_DATELINE = re.compile(
    r"^\W{0,3}" + _PLACE_WORD + r"(?:,?\s+" + _PLACE_WORD + r"){0,5}"
    r",\s*([A-Za-z]{3,9})\.?\s+(\d{1,2})(?!\d|,?\s*\d{4})"
    r"\s*(?:\([^)\n]{1,20}\)|/[^/\n]{1,20}/)?\s*(?:[:.\n\u2013\u2014-]|$)"
)


@lru_cache(maxsize=65536)
def dateline(opening: str | None) -> tuple[int, int] | None:
    """The month and day of a year-less dateline an article's text opens with, if any."""
    match = _DATELINE.match(opening.strip()) if opening else None
    if match is None:
        return None
    month = _MONTH_NUMBERS.get(match.group(1).lower())
    day = int(match.group(2))
    return (month, day) if month and 1 <= day <= 31 else None


_WEEKDAYS = {
    name: number
    for number, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}
_WEEKDAY = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b", re.I)
# "September 28", "Sept. 15", "28th of September", "19 June" with no year after them
_YEARLESS = re.compile(
    r"\b(?:([A-Z][a-z]{2,8})\.?\s+(\d{1,2})(?:st|nd|rd|th)?"
    r"|(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([A-Z][a-z]{2,8})\.?)(?!\w)(?!,?\s*\d{4})"
)


@lru_cache(maxsize=65536)
def day_hints(evidence: str | None) -> tuple[tuple[int, int] | None, int | None]:
    """The one year-less day (month, day) and the one weekday an evidence sentence names;
    None for either where it names none, or several."""
    if not evidence:
        return None, None
    days, starts = set(), []
    for match in _YEARLESS.finditer(evidence):
        month_name = match.group(1) or match.group(4)
        month = _MONTH_NUMBERS.get(month_name.lower())
        day = int(match.group(2) or match.group(3))
        if month and 1 <= day <= 31:
            days.add((month, day))
            starts.append(match.start())
    found = list(_WEEKDAY.finditer(evidence))
    weekdays = {_WEEKDAYS[w.group(1).lower()] for w in found}
    one_day = next(iter(days)) if len(days) == 1 else None
    weekday = next(iter(weekdays)) if len(weekdays) == 1 else None
    # beside a day, a weekday is that day's only when written with it ("Tuesday, September
    # 28"): then it pins the year; elsewhere in the sentence it may be another thing's
    if one_day and weekday is not None:
        beside = any(0 <= s - w.end() <= 3 for w in found for s in starts)
        weekday = weekday if beside else None
    return one_day, weekday


@cache
def _stage_rules() -> tuple[
    frozenset[str], frozenset[str], tuple[tuple[str, re.Pattern[str]], ...]
]:
    raw = resources.files("app.linking").joinpath("data/stages.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    rules = tuple(
        (
            stage,
            re.compile(
                r"\b(?:"
                + "|".join(
                    re.escape(w) for w in sorted(data["stages"][stage], key=len, reverse=True)
                )
                + r")\b",
                re.I,
            ),
        )
        for stage in data["order"]
    )
    return frozenset(data["types"]), frozenset(data["not_yet"]), rules


@cache
def _compatible() -> frozenset[frozenset[str]]:
    raw = resources.files("app.linking").joinpath("data/stages.json").read_text(encoding="utf-8")
    return frozenset(frozenset(pair) for pair in json.loads(raw)["compatible"])


def stages_agree(a: str, b: str) -> bool:
    """Whether reports of these two stages may be one happening's: the same, or a pair that
    stages.json says one deal's reports both give ('agreed' and 'signed')."""
    return a == b or frozenset((a, b)) in _compatible()


@lru_cache(maxsize=65536)
def stage(event_type: str, evidence: str | None) -> str | None:
    """The milestone of a deal an evidence sentence reports (delivered, signed, ...), for the
    types whose reports come in milestones; None when it says none. A milestone still to come
    ('to be delivered in 2025') gives way to one the sentence reports ('signed a contract
    under which ...'); alone, it is the milestone the sentence previews ('is expected to be
    signed' announces the signing, not a delivery)."""
    types, not_yet, rules = _stage_rules()
    if event_type not in types or not evidence:
        return None
    coming = None
    for name, pattern in rules:
        for match in pattern.finditer(evidence):
            before = evidence[max(0, match.start() - 40) : match.start()].lower().split()[-3:]
            if not not_yet & set(before):
                return name
            coming = coming or name
    return coming
