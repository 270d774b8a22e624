"""The per-language data files: Babel locales, date languages, demonyms and event triggers."""

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

_FOLDER = "extraction/data/languages"


@dataclass(frozen=True, eq=False)  # hashed by identity: rules_for keeps one per language
class LanguageRules:
    code: str
    locales: tuple[str, ...]  # Babel locales whose CLDR territory names the pages use
    date_languages: tuple[str, ...]  # dateparser's language codes
    inflected: bool  # names take case endings ("Турции", "Grčkom"): match by stem
    name_suffix: str  # a regex names may end with: Turkish endings ("Fransa'ya"), a genitive s
    adjectives: dict[str, tuple[str, ...]]  # alpha-3 -> demonyms; "stem*" matches endings
    names: dict[str, tuple[str, ...]]  # alpha-3 -> extra names CLDR lacks ("США", "ABD")
    organizations: dict[str, tuple[str, ...]]  # a multinational body -> its forms ("OTAN")
    organization_heads: re.Pattern[str] | None  # last words of named bodies ("Bakanlığı")
    titles: re.Pattern[str] | None  # offices before a person's name ("ministre", "генерал")
    not_names: re.Pattern[str] | None  # capitalised words of states' names ("République")
    oblique: re.Pattern[str] | None  # case endings of a name not in the nominative
    conjunctions: tuple[str, ...]  # the words joining two names ("et", "и")
    relative_days: tuple[str, ...]  # "hier", "вчера": dated from the publication day
    triggers: dict[str, tuple[re.Pattern[str], ...]]  # event type -> sentence patterns
    requires: dict[str, tuple[re.Pattern[str], ...]]  # event type -> one must also occur
    # alpha-3 -> its capital as the language writes it ("w Warszawie"): a visit's host
    capitals: tuple[tuple[str, re.Pattern[str]], ...] = ()


def _compile(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in patterns)


def _one(
    patterns: list[str] | None, *, flags: int, words: bool, end: bool = False
) -> re.Pattern[str] | None:
    """One regex for a list: whole words (titles), or endings (oblique cases)."""
    if not patterns:
        return None
    body = "|".join(f"(?:{p})" for p in patterns)
    if end:
        return re.compile(f"(?:{body})$", flags)
    return re.compile(rf"\b(?:{body})\b" if words else f"(?:{body})", flags)


@cache
def _files() -> dict[str, str]:
    """Language code -> data file name; a file may also serve other codes ("same_as")."""
    folder = resources.files("app").joinpath(_FOLDER)
    found: dict[str, str] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            code = entry.name[:-5]
            found[code] = entry.name
            data = json.loads(entry.read_text(encoding="utf-8"))
            for other in data.get("same_as", []):
                found.setdefault(other, entry.name)
    return found


def has_rules(language: str) -> bool:
    return language in _files()


@cache
def rules_for(language: str) -> LanguageRules | None:
    name = _files().get(language)
    if name is None:
        return None
    raw = resources.files("app").joinpath(f"{_FOLDER}/{name}").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(raw)
    events: dict[str, dict[str, list[str]]] = data.get("events", {})
    return LanguageRules(
        code=language,
        locales=tuple(data.get("locales", [language])),
        date_languages=tuple(data.get("dateparser", [language])),
        inflected=bool(data.get("inflected", False)),
        name_suffix=str(data.get("name_suffix", "")),
        adjectives={k: tuple(v) for k, v in data.get("adjectives", {}).items()},
        names={k: tuple(v) for k, v in data.get("names", {}).items()},
        organizations={k: tuple(v) for k, v in data.get("organizations", {}).items()},
        organization_heads=_one(data.get("organization_heads"), flags=0, words=False, end=True),
        titles=_one(data.get("titles"), flags=re.I, words=True),
        not_names=_one(data.get("not_names"), flags=0, words=False),
        oblique=_one(data.get("oblique_endings"), flags=0, words=False, end=True),
        conjunctions=tuple(data.get("and", [])),
        relative_days=tuple(data.get("relative_days", [])),
        triggers={t: _compile(v.get("triggers", [])) for t, v in events.items()},
        requires={t: _compile(v["requires"]) for t, v in events.items() if v.get("requires")},
        capitals=tuple(
            (code, re.compile(r"\b(?:" + "|".join(_form(f) for f in forms) + r")\b"))
            for code, forms in data.get("capitals", {}).items()
        ),
    )


def _form(written: str) -> str:
    """A name as written, case and all; 'stem*' takes the language's endings."""
    if written.endswith("*"):
        return re.escape(written[:-1]) + r"\w*"
    return re.escape(written)
