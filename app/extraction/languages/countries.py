"""States named in a page's own language: CLDR territory names (Babel), the data file's
demonyms and extra names, and the English names a page quotes (a tweet, a translation).

Inflected languages put endings on names ("Турции", "Grčkom", "Polski"): there a word of four
letters or more matches by its stem (a final vowel dropped) and up to three more letters.
Names match with their capital letter; demonyms, lower-case in most of these languages
("grec", "турецкий"), match in any case.
"""

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pycountry

from app import countries
from app.extraction.base import FoundEntity, Span
from app.extraction.languages.rules import LanguageRules

# Letters with the combining marks of Indic scripts, which \w leaves out ("जापान")
LETTER = r"[\w\u0900-\u0DFF]"
_WORD = re.compile(LETTER + "+")
_VOWELS = frozenset("aeiouyáéíóúàèìòùâêîôûäëïöüąęıəаеёиоуыэюяіїєй")
STEM_LEAST = 4  # letters a stem keeps: shorter names ("Куба", "Чад") match only as written
ENDING_MOST = 3  # letters an ending adds to a stem


@dataclass(frozen=True)
class NameForm:
    pattern: re.Pattern[str]
    code: str
    length: int
    key: str  # the first two letters, lower-cased: where the index files it
    surface: str  # the name as listed, without an ending


def _word_pattern(token: str, rules: LanguageRules | None) -> str:
    if token.endswith("*"):
        return re.escape(token[:-1]) + LETTER + f"{{0,{ENDING_MOST + 1}}}"
    if rules is not None and rules.inflected and token.isalpha():
        stem = token[:-1] if token[-1].lower() in _VOWELS else token
        if len(stem) >= STEM_LEAST:
            return re.escape(stem) + LETTER + f"{{0,{ENDING_MOST}}}"
    return re.escape(token)


def name_form(surface: str, code: str, rules: LanguageRules | None, any_case: bool) -> NameForm:
    """The regex of one name as a page in this language may write it (a stem, an ending)."""
    body = r"[\s\u00a0]+".join(_word_pattern(t, rules) for t in surface.split())
    if rules is not None and rules.name_suffix and not any_case:
        body += "(?:" + rules.name_suffix + ")?"
    pattern = re.compile(body + "(?!" + LETTER + ")", re.I if any_case else 0)
    return NameForm(pattern, code, len(surface), surface[:2].lower(), surface)


@cache
def _english() -> list[tuple[str, str]]:
    """(name, alpha-3): the English names and demonyms the English stages know."""
    found: list[tuple[str, str]] = []
    for record in pycountry.countries:
        country = countries.get(record.alpha_3)
        for name in (record.name, getattr(record, "common_name", None), country and country.name):
            if name:
                found.append((name, record.alpha_3))
    for code, names in countries.aliases().items():
        found += [(n, code) for n in names]
    raw = resources.files("app").joinpath("extraction/data/demonyms.json").read_text("utf-8")
    for code, names in json.loads(raw).items():
        if not code.startswith("_"):
            found += [(n, code) for n in names]
    return found


def _alpha3(territory: str) -> str | None:
    if len(territory) != 2 or not territory.isalpha():
        return None  # a region ("150", Europe) or a CLDR-only code
    record = pycountry.countries.get(alpha_2=territory)
    return record.alpha_3 if record else None


@cache
def _index(rules: LanguageRules) -> dict[str, list[NameForm]]:
    """Forms by their first two letters (lower-cased), longest first."""
    from babel import Locale  # CLDR data: read once per language

    forms: list[NameForm] = []
    for locale in rules.locales:
        for territory, name in Locale.parse(locale).territories.items():
            code = _alpha3(territory)
            if code:
                forms.append(name_form(name, code, rules, any_case=False))
    for code, names in rules.names.items():
        forms += [name_form(n, code, rules, any_case=False) for n in names]
    for code, names in rules.adjectives.items():
        forms += [name_form(n, code, rules, any_case=True) for n in names]
    forms += [name_form(n, code, None, any_case=False) for n, code in _english()]
    index: dict[str, list[NameForm]] = defaultdict(list)
    for form in forms:
        index[form.key].append(form)
    for found in index.values():
        found.sort(key=lambda f: -f.length)
    return dict(index)


def find_countries(text: str, rules: LanguageRules) -> list[FoundEntity]:
    """Each state the text names, with every mention, in order of first mention."""
    index = _index(rules)
    by_code: dict[str, FoundEntity] = {}
    position = 0
    for word in _WORD.finditer(text):
        if word.start() < position:
            continue
        for form in index.get(word.group(0)[:2].lower(), ()):
            match = form.pattern.match(text, word.start())
            if match is None:
                continue
            surface = match.group(0)
            country = countries.get(form.code)
            entity = by_code.setdefault(
                form.code,
                FoundEntity(kind="country", name=country.name if country else form.code),
            )
            entity.code = form.code
            entity.mentions.append(Span(match.start(), match.end(), surface))
            if surface not in entity.aliases and surface != entity.name:
                entity.aliases.append(surface)
            position = match.end()
            break
    return list(by_code.values())
