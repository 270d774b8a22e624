"""Organisations a page names in its own language.

- Multinational bodies ("OTAN", "НАТО", "Evropska unija"): the data file's forms per body,
  named by the longest listed form the page uses, without the case ending the page may add
  ("NATO'nun", "Евросоюза"): those are aliases.
- In languages that put the head noun last (Turkish), capitalised words ending in a head of
  the data file: "Milli Savunma Bakanlığı", "Türk Silahlı Kuvvetleri", "Anadolu Ajansı".
"""

import re
from functools import cache

from app.extraction.base import FoundEntity, Span
from app.extraction.languages.countries import LETTER, NameForm, name_form
from app.extraction.languages.rules import LanguageRules

# Capitalised words in a row (an apostrophe ending on the last one: "Bakanlığı'nın")
_CAPITALISED_RUN = re.compile(
    r"(?<!" + LETTER + r")(?:[A-ZÇĞİÖŞÜ]" + LETTER + r"*\s+){1,5}[A-ZÇĞİÖŞÜ]" + LETTER + r"*"
)
_ENDING = re.compile(r"['’]" + LETTER + "+$")


def _headed(text: str, rules: LanguageRules, found: dict[str, FoundEntity]) -> None:
    heads = rules.organization_heads
    if heads is None:
        return
    for run in _CAPITALISED_RUN.finditer(text):
        words = run.group(0).split()
        last = next((i for i in range(len(words) - 1, 0, -1) if heads.search(words[i])), None)
        if last is None:
            continue
        name = " ".join(words[: last + 1])
        entity = found.setdefault(name, FoundEntity(kind="organization", name=name))
        start = run.start()
        entity.mentions.append(Span(start, start + len(name), name))


@cache
def _forms(rules: LanguageRules) -> list[NameForm]:
    forms = [
        name_form(surface, body, rules, any_case=False)
        for body, surfaces in rules.organizations.items()
        for surface in surfaces
    ]
    return sorted(forms, key=lambda f: -f.length)


@cache
def _company_names(names: frozenset[str]) -> re.Pattern[str] | None:
    """Known names of two words or more, as written ("Naval Group", "Hyundai Rotem"): a
    company is named alike in every language; a name of one word may be a word of the page's
    own ("Rafael", "Leonardo"), so those are left to the data file."""
    many = sorted((n for n in names if " " in n), key=len, reverse=True)
    if not many:
        return None
    body = "|".join(re.escape(n) for n in many)
    return re.compile(r"(?<!" + LETTER + r")(?:" + body + r")(?!" + LETTER + r")")


def _companies(
    text: str,
    known: frozenset[str],
    found: dict[str, FoundEntity],
    taken: list[tuple[int, int]],
) -> None:
    pattern = _company_names(known)
    if pattern is None:
        return
    for match in pattern.finditer(text):
        start, end = match.span()
        if any(a < end and start < b for a, b in taken):
            continue
        taken.append((start, end))
        name = match.group(0)
        entity = found.setdefault(name, FoundEntity(kind="organization", name=name))
        entity.mentions.append(Span(start, end, name))


def find_organizations(
    text: str, rules: LanguageRules, known: frozenset[str] = frozenset()
) -> list[FoundEntity]:
    """The page's multinational bodies, then the known companies and bodies of `known`
    (names as the English lexicon writes them), then bodies ending in a head noun."""
    found: dict[str, FoundEntity] = {}
    taken: list[tuple[int, int]] = []
    for form in _forms(rules):
        for match in form.pattern.finditer(text):
            start, end = match.span()
            inside_word = start > 0 and text[start - 1].isalnum()
            if inside_word or any(a < end and start < b for a, b in taken):
                continue
            taken.append((start, end))
            surface = match.group(0)
            entity = found.setdefault(
                form.code, FoundEntity(kind="organization", name=form.surface)
            )
            entity.mentions.append(Span(start, end, surface))
            for name in (surface, form.surface):
                if name != entity.name and name not in entity.aliases:
                    entity.aliases.append(name)
    _companies(text, known, found, taken)
    _headed(text, rules, found)
    return list(found.values())
