"""Events in a page's own language: a sentence with a trigger of the data file's lexicon
reports an event of that type, among the states it names, at the date that governs it.

Less than the English stage reads (no roles, no clause structure): the states are those the
sentence names, or the article's two main states where it names fewer than two ("the two
countries", a visit whose host is only implied); the date is the one written nearest the
trigger in the sentence. Sentences reporting the same type among the same states at
compatible dates are one happening.

Pages quote English (a tweet, a translation beside the original): a sentence that reads as
English is read with the English stage's triggers.
"""

import re
from collections import Counter

from app.extraction.base import FoundEntity, FoundEvent, Span
from app.extraction.languages.dates import FoundDate
from app.extraction.languages.rules import LanguageRules
from app.extraction.lexicon import lexicon
from app.kit.language import reads_as_english

_WORDS = re.compile(r"[^\W\d_]+")

# A sentence ends at . ! ? or the Devanagari danda, before a space; or at a line break. Not
# after a day's number: German, Polish, Serbian and Turkish write "am 27. Juli".
_SENTENCE_END = re.compile(r"(?<=[.!?।])(?<!(?<!\d)\d\.)(?<!(?<!\d)\d\d\.)\s+|\n+")
MAIN_STATES = 2
SPEAKER_TYPES = frozenset({"statement"})  # one per speaker: each says their own
HOSTED_TYPES = frozenset({"visit"})  # a capital named after the trigger names the host
_HOST_AFTER = 60  # characters after the trigger: "z wizytą w Warszawie", "visitou Brasília"


def sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        if text[start : end.start()].strip():
            spans.append((start, end.start()))
        start = end.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _states_in(entities: list[FoundEntity], start: int, end: int) -> list[str]:
    found: list[tuple[int, str]] = []
    for entity in entities:
        first = next((m.start for m in entity.mentions if start <= m.start < end), None)
        if first is not None and entity.code:
            found.append((first, entity.code))
    return [code for _, code in sorted(found)]


def _main_states(entities: list[FoundEntity]) -> list[str]:
    weight = Counter({e.code: len(e.mentions) for e in entities if e.code})
    return [code for code, _ in weight.most_common(MAIN_STATES)]


def _nearest(dates: list[FoundDate], start: int, end: int, at: int) -> FoundDate | None:
    inside = [d for d in dates if start <= d.start < end]
    return min(inside, key=lambda d: abs(d.start - at), default=None)


def _triggered(sentence: str, rules: LanguageRules) -> list[tuple[str, re.Match[str]]]:
    """(type, trigger match) for each type the sentence reports."""
    found: list[tuple[str, re.Match[str]]] = []
    if reads_as_english(_WORDS.findall(sentence)):
        english = lexicon().events
        for kind, pattern in english.triggers.items():
            required = english.requires.get(kind)
            match = pattern.search(sentence)
            if match and (required is None or required.search(sentence)):
                found.append((kind, match))
        return found
    for kind, triggers in rules.triggers.items():
        match = next((m for t in triggers if (m := t.search(sentence))), None)
        needed = rules.requires.get(kind)
        if match and (not needed or any(p.search(sentence) for p in needed)):
            found.append((kind, match))
    return found


def _hosts(
    sentence: str, trigger: re.Match[str], rules: LanguageRules, states: list[str]
) -> list[str]:
    """The state whose capital the words just after a visit's trigger name, where the
    sentence does not name it otherwise (issue 14: "z wizytą w Warszawie" is a visit to
    Poland, not one between the article's main states)."""
    after = sentence[trigger.end() : trigger.end() + _HOST_AFTER]
    return [
        code for code, capital in rules.capitals if code not in states and capital.search(after)
    ][:1]


def _compatible(a: FoundEvent, b: FoundEvent) -> bool:
    if a.type != b.type or sorted(a.countries) != sorted(b.countries):
        return False
    if a.type in SPEAKER_TYPES and a.persons and b.persons and not set(a.persons) & set(b.persons):
        return False  # two people's statements are two statements
    return a.date is None or b.date is None or a.date == b.date


def _people_in(people: list[FoundEntity], start: int, end: int) -> list[str]:
    return [p.name for p in people if any(start <= m.start < end for m in p.mentions)]


def find_events(
    text: str,
    spans: list[tuple[int, int]],
    entities: list[FoundEntity],
    dates: list[FoundDate],
    rules: LanguageRules,
    people: list[FoundEntity] | None = None,
) -> list[FoundEvent]:
    """`entities`: the states; `people`: those named, who tell one statement from another."""
    main = _main_states(entities)
    events: list[FoundEvent] = []
    for number, (start, end) in enumerate(spans):
        sentence = text[start:end]
        for kind, trigger in _triggered(sentence, rules):
            states = _states_in(entities, start, end)
            if kind in HOSTED_TYPES:
                states += _hosts(sentence, trigger, rules, states)
            for code in main:
                if len(states) >= MAIN_STATES:
                    break
                if code not in states:
                    states.append(code)
            if len(states) < MAIN_STATES:
                continue  # cooperation needs two parties
            when = _nearest(dates, start, end, start + trigger.start())
            event = FoundEvent(
                type=kind,
                evidence=Span(start, end, sentence),
                sentence=number,
                date=when.value if when else None,
                date_text=when.text if when else None,
                countries=states,
                persons=_people_in(people or [], start, end),
            )
            same = next((e for e in events if _compatible(e, event)), None)
            if same is None:
                events.append(event)
            elif same.date is None and event.date is not None:
                same.date, same.date_text = event.date, event.date_text
    return events
