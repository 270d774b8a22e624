"""Multinational bodies a page names in its own language ("OTAN", "НАТО", "Evropska unija"):
the data file's forms per body. A body is named by its longest listed form the page uses,
without the case ending the page may add ("NATO'nun", "Евросоюза"): those are aliases."""

from functools import cache

from app.extraction.base import FoundEntity, Span
from app.extraction.languages.countries import NameForm, name_form
from app.extraction.languages.rules import LanguageRules


@cache
def _forms(rules: LanguageRules) -> list[NameForm]:
    forms = [
        name_form(surface, body, rules, any_case=False)
        for body, surfaces in rules.organizations.items()
        for surface in surfaces
    ]
    return sorted(forms, key=lambda f: -f.length)


def find_organizations(text: str, rules: LanguageRules) -> list[FoundEntity]:
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
    return list(found.values())
