"""People named after a title in a page's own language: "le premier ministre grec Kyriakos
Mitsotakis", "генерал-полковник Закир Гасанов", "Predsednik Francuske Emanuel Makron".

A title word of the data file, then at most a few lower-case words or state names (the
office's department, the state), then two or three capitalised words: the person. In
inflected languages a name in an oblique case ("с министром Яшаром Гюлером") is not the
name as the guideline records it (the nominative), so a name whose words end in an oblique
ending of the data file is left out rather than reported misspelt.
"""

import re
from collections.abc import Callable

from app.extraction.base import FoundEntity, Span
from app.extraction.languages.countries import LETTER
from app.extraction.languages.rules import LanguageRules
from app.kit.text import fold

_TOKEN = re.compile(LETTER + r"+(?:[-'’]" + LETTER + r"+)*")
_APOSTROPHE_ENDING = re.compile(r"['’]" + LETTER + "+$")
BETWEEN_MOST = 4  # words between a title and the name ("ministre de la Défense")
NAME_WORDS = (2, 3)  # a first name and a surname, maybe a middle or a second surname


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isupper()


def find_people(text: str, rules: LanguageRules, countries: list[FoundEntity]) -> list[FoundEntity]:
    if rules.titles is None:
        return []
    state_spans = [(m.start, m.end) for e in countries for m in e.mentions]

    def in_state(start: int) -> bool:
        return any(a <= start < b for a, b in state_spans)

    found: dict[str, FoundEntity] = {}
    for title in rules.titles.finditer(text):
        tokens = list(_TOKEN.finditer(text, title.end(), min(len(text), title.end() + 160)))
        _titled(text, rules, tokens, title, in_state, found)
    return list(found.values())


def _titled(
    text: str,
    rules: LanguageRules,
    tokens: list[re.Match[str]],
    title: re.Match[str],
    in_state: Callable[[int], bool],
    found: dict[str, FoundEntity],
    *,
    joined: bool = False,
) -> None:
    """The person after one title, and the one joined to them by the language's "and"
    ("le premier ministre grec Kyriakos Mitsotakis et Emmanuel Macron")."""
    index, skipped = 0, 0
    while index < len(tokens) and skipped <= BETWEEN_MOST:
        word = tokens[index]
        if not _capitalised(word.group(0)) or in_state(word.start()):
            if (
                joined  # the name after "et" starts at once
                or (rules.titles is not None and rules.titles.fullmatch(word.group(0)))
                or text[title.end() : word.start()].count(".")
            ):
                break
            index, skipped = index + 1, skipped + 1
            continue
        run = [word]
        for nxt in tokens[index + 1 : index + NAME_WORDS[1]]:
            gap = text[run[-1].end() : nxt.start()]
            if gap.strip() or not _capitalised(nxt.group(0)) or in_state(nxt.start()):
                break
            run.append(nxt)
        words = [w.group(0) for w in run]
        if "'" in rules.name_suffix:  # Turkish endings after an apostrophe: "Güler'in"
            words[-1] = _APOSTROPHE_ENDING.sub("", words[-1])
        stop = rules.not_names
        if (
            len(run) >= NAME_WORDS[0]
            and not (stop and any(stop.fullmatch(w) for w in words))
            and not (rules.oblique and any(rules.oblique.search(w) for w in words))
        ):
            name = " ".join(words)
            entity = found.setdefault(name, FoundEntity(kind="person", name=name))
            end = run[-1].start() + len(words[-1])  # without a stripped ending
            entity.mentions.append(Span(run[0].start(), end, name))
            entity.title = entity.title or title.group(0)
            rest = tokens[index + len(run) :]
            if len(rest) > 1 and rest[0].group(0) in rules.conjunctions:
                between = text[run[-1].end() : rest[1].start()]
                if between.split() == [rest[0].group(0)]:  # no comma, no full stop
                    _titled(text, rules, rest[1:], title, in_state, found, joined=True)
        break


# Spellings of one name across scripts' transliterations: "Macron" / "Makron",
# "Mitsotakis" / "Micotakis", "Kyriakos" / "Kirjakos"
_SPELLINGS = (("ts", "c"), ("k", "c"), ("y", "i"), ("j", "i"), ("w", "v"), ("ph", "f"))


def _skeleton(word: str) -> str:
    folded = fold(word)
    for a, b in _SPELLINGS:
        folded = folded.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", folded)


def merge_spellings(people: list[FoundEntity]) -> list[FoundEntity]:
    """One person per surname spelling: a later spelling ("Emmanuel Macron" in an English
    tweet) becomes an alias of the first ("Emanuel Makron" in the Serbian text)."""
    kept: dict[str, FoundEntity] = {}
    for person in people:
        key = _skeleton(person.name.split()[-1])
        first = kept.get(key)
        if first is None:
            kept[key] = person
            continue
        first.mentions += person.mentions
        for name in (person.name, *person.aliases):
            if name != first.name and name not in first.aliases:
                first.aliases.append(name)
    return list(kept.values())
