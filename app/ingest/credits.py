"""Who a page credits: a person (the author) and a wire or outlet (the agency), told apart."""

import json
import re
from functools import cache
from importlib import resources


def _tidy_author(name: str) -> str:
    name = name.strip(" .,-–—:")
    shouted = name.isupper() and len(name.split()) >= 2  # "JOHN SMITH"
    words = [
        w.capitalize() if w.isupper() and (len(w) > 4 or (shouted and len(w) > 1)) else w
        for w in name.split()
    ]
    return " ".join(words)


@cache
def _name_words() -> dict[str, frozenset[str]]:
    raw = resources.files("app").joinpath("data/boilerplate.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    return {
        key: frozenset(w.lower() for w in data[key])
        for key in ("agency_words", "desk_words", "name_particles")
    }


_INITIALS = re.compile(r"(?:[A-Z]\.)+")


def _author(name: str | None) -> str | None:
    """A byline's name, when it reads as a person's: two to five capitalised words (initials and
    particles such as "bin", "van" allowed). An agency code in a dateline ("(VDW)", "Source:
    BW"), an outlet ("Steppe Wire") or a desk ("Staff Reporter") is no author; an author the
    page declares in its metadata (HTML meta, a JSON field) is taken as given elsewhere."""
    if not name:
        return None
    tidy = _tidy_author(name)
    words = tidy.split()
    if not 2 <= len(words) <= 5:
        return None
    named = 0
    for word in words:
        bare = word.strip(",")
        particles = _name_words()["name_particles"]
        head = bare.lower().split("-", 1)[0]
        if bare.lower() in particles or ("-" in bare and head in particles):  # "al-Sisi"
            continue
        if _INITIALS.fullmatch(bare):
            named += 1
            continue
        letters = re.sub(r"[-'’.]", "", bare)
        if (
            not letters.isalpha()
            or not bare[0].isupper()
            or (len(letters) > 1 and letters.isupper())  # a code: "VDW", "AFP"
            or bare.lower() in _name_words()["agency_words"]
            or bare.lower() in _name_words()["desk_words"]
        ):
            return None
        named += 1
    return tidy if named >= 2 else None


_AGENCY_WORD = re.compile(r"[A-Z0-9][\w.'’&-]*")
_AGENCY_JOINS = frozenset({"of", "and", "&", "for", "the", "de", "du"})


def wire(name: str | None) -> str | None:
    """A wire's or outlet's name in a credit ("VNA", "Xinhua", "Trend News Agency", "Ministry
    of Defence"): one to six capitalised words or codes, with "of", "and"... between. A desk
    ("Staff Reporter", "Agencies") is no agency."""
    if not name:
        return None
    tidy = _tidy_author(name)
    words = tidy.split()
    if not 1 <= len(words) <= 6:
        return None
    for index, word in enumerate(words):
        if word.lower() in _name_words()["desk_words"]:
            return None
        if not _AGENCY_WORD.fullmatch(word) and not (index and word.lower() in _AGENCY_JOINS):
            return None
    return tidy


def credit(name: str | None) -> tuple[str | None, str | None]:
    """What a byline credits, as (person, agency): at most one of them."""
    person = _author(name)
    return (person, None) if person else (None, wire(name))
