"""Who speaks in a statement: statements by different people are different happenings.

A statement's speaker is the person named next to its speech verb, in the verb's clause ("Kaya
said", "said Kaya", "Kaya, the minister, told reporters"); failing a name, the one state named
as the clause's subject ("the Turkish ministry said"). A sentence that names no speaker ("he
said", "the statement added") continues the last statement's speaker.
"""

import re

from app.extraction.base import FoundEntity, Span
from app.extraction.lexicon import Lexicon
from app.extraction.roles import find_roles
from app.kit.text import fold

# Where the speaker's clause begins or ends: a speaker stands in the verb's own clause.
_CLAUSE_END = re.compile(r"[;:()\[\]“”\"]|\s[—–-]\s|,\s*(?:and|but|while|which|who)\b", re.I)
_BEFORE = 80  # characters: a subject further back than this is no clear speaker
_AFTER = 40  # "said Kaya", "said the Turkish minister, Selim Kaya"


_WORD_BEFORE = re.compile(r"([A-Za-z][\w-]*)\s+(?:(?:also|further|then|\w+ly)\s+)?$")
_PRONOUNS = frozenset({"he", "she", "they", "it", "who", "which", "and", "also", "has", "had"})


def unnamed_speaker(sentence: str, verb_at: int) -> str | None:
    """'The COAS thanked', 'the ministry said': the word before the verb names a speaker the
    finder has no entity for; None for a pronoun ('he said'), which continues the last one."""
    word = _WORD_BEFORE.search(sentence, max(0, verb_at - 40), verb_at)
    if word is None or word.group(1).lower() in _PRONOUNS:
        return None
    return f"words:{word.group(1).lower()}"


def speaker(
    evidence: Span,
    verb_at: int,
    mentions: list[tuple[Span, FoundEntity]],
    state_of: dict[int, str],
) -> str | None:
    """A key for the one who speaks through the verb at `verb_at` (an offset in the sentence):
    'person:<name>' or 'state:<alpha-3>'; None when the clause names no one."""
    sentence = evidence.text
    ends = [m.end() for m in _CLAUSE_END.finditer(sentence, max(0, verb_at - _BEFORE), verb_at)]
    begin = ends[-1] if ends else max(0, verb_at - _BEFORE)
    after = _CLAUSE_END.search(sentence, verb_at)
    stop = min(after.start() if after else len(sentence), verb_at + _AFTER)
    best: tuple[int, str] | None = None
    for mention, entity in mentions:  # the sentence's own mentions
        start, end = mention.start - evidence.start, mention.end - evidence.start
        if not (begin <= start and end <= stop):
            continue
        distance = verb_at - end if end <= verb_at else start - verb_at
        if entity.kind == "person":
            key = f"person:{entity.name}"
        elif id(entity) in state_of and end <= verb_at:
            key = f"state:{state_of[id(entity)]}"
            distance += _BEFORE  # a person named there speaks before his state does
        else:
            continue
        if best is None or distance < best[0]:
            best = (distance, key)
    return best[1] if best else None


def one_per_state(
    evidence: Span, list_at: int, mentions: list[tuple[Span, FoundEntity]]
) -> tuple[list[str], list[str]] | None:
    """'held bilateral meetings with his counterparts from Malaysia, China and Japan', 'ratified
    the pacts with Niger and Britain': one happening with each state listed after `list_at`.

    Returns (the states before the list that are not places: the acting side, the states
    listed), or None when fewer than two are listed. A place ("in Vientiane") is the venue."""
    sentence = evidence.text
    end = _LIST_END.search(sentence, list_at)
    stop = end.start() if end else len(sentence)
    actors: list[str] = []
    listed: list[str] = []
    for mention, entity in sorted(mentions, key=lambda pair: pair[0].start):
        at = mention.start - evidence.start
        code = (
            entity.code
            if entity.kind == "country"
            else entity.country
            if entity.kind in ("person", "organization")
            else None
        )
        if code is None:
            continue
        if at < list_at:
            if code not in actors:
                actors.append(code)
        elif at < stop and code not in listed:
            listed.append(code)
    if len(listed) < 2:
        return None
    return [c for c in actors if c not in listed], listed


_LIST_END = re.compile(r"[;.!?()]|\s[—–-]\s|,\s*(?:where|which|who|while|but)\b", re.I)


# The words of a title phrase before a name: "Indian Defence Minister", "Minister of Defence of
# Chile", "the Chilean Navy's Rear Admiral". Punctuation ends it: "Vientiane, Lao PDR, Defence
# Minister X" does not make X a Lao official.
_TITLE_RUN = re.compile(r"(?:(?:[A-Z][\w.’'-]*|of|the|for|and)\s+){1,8}$")
_POSSESSIVE = re.compile(r"[’']s$")


def official_states(text: str, entities: list[FoundEntity], lex: Lexicon) -> dict[int, str]:
    """id(person) -> the state his title phrase names ("Indian Defence Minister Rajnath Singh",
    "the Defence Minister of Chile, Ana Rojas"), read at each of his mentions; the first found
    holds for the article (later mentions are often the surname alone).

    '' where the state the name finder gave him is only the place named before his title
    ("in Vientiane, Laos, Defence Minister X"): a venue, not his state."""
    found: dict[int, str] = {}
    words = lex.country_words
    for entity in entities:
        if entity.kind != "person":
            continue
        venue_only = False
        for mention in entity.mentions:
            before = text[max(0, mention.start - 120) : mention.start]
            run = _TITLE_RUN.search(before)
            if run is None:
                continue
            tokens = [_POSSESSIVE.sub("", t) for t in run.group().split()]
            if not any(t in lex.title_core for t in tokens):
                continue  # no title: "Turkey Ana Rojas" says nothing of Rojas
            code = _country_in(tokens, words)
            if code is not None:
                found[id(entity)] = code
                break
            place = _PLACE_BEFORE.search(before, 0, run.start())
            if place and words.get(place.group(1)) == entity.country:
                venue_only = True
        if venue_only and id(entity) not in found:
            found[id(entity)] = ""
    _states_by_title(text, entities, found, lex)
    return found


_TITLE_PHRASE = re.compile(
    r"\b(?:[Tt]he|[Aa]n?)\s+((?:[A-Z][\w’'-]*\s+){1,3}?)((?:[a-z]+\s+){0,2}[a-z]+)\b"
)


def _states_by_title(
    text: str, entities: list[FoundEntity], found: dict[int, str], lex: Lexicon
) -> None:
    """A titled person whose mentions name no state takes the one the article gives his title
    elsewhere without a name: "Defense Minister General X" and "the Vietnamese defense
    minister's visit" (issue 13: officials linked to their state across the article). Only a
    state no other person holds, and only when one such state is left."""
    stateless = [
        e
        for e in entities
        if e.kind == "person" and e.title and not found.get(id(e), e.country or "")
    ]
    if not stateless:
        return
    held = {found.get(id(e), e.country) for e in entities if e.kind == "person"} - {None, ""}
    by_words: dict[frozenset[str], set[str]] = {}
    core = {w.lower() for w in lex.title_core}
    for phrase in _TITLE_PHRASE.finditer(text):
        title = frozenset(phrase.group(2).split())
        if title.isdisjoint(core):
            continue
        code = _country_in(
            [_POSSESSIVE.sub("", t) for t in phrase.group(1).split()], lex.country_words
        )
        if code is not None and code not in held:
            by_words.setdefault(title, set()).add(code)
    for entity in stateless:
        words = frozenset(w.lower() for w in (entity.title or "").split())
        codes = {c for title, cs in by_words.items() if title <= words for c in cs}
        if len(codes) == 1:
            found[id(entity)] = codes.pop()


_PLACE_BEFORE = re.compile(r"\b((?:[A-Z][\w.-]*\s){0,2}[A-Z][\w.-]*),\s*$")


def _country_in(tokens: list[str], words: dict[str, str]) -> str | None:
    """The one state the tokens name (three words at most: "South Korean", "United States")."""
    codes: set[str] = set()
    i = 0
    while i < len(tokens):
        for size in (3, 2, 1):
            phrase = " ".join(tokens[i : i + size])
            if len(tokens) - i >= size and phrase in words:
                codes.add(words[phrase])
                i += size
                break
        else:
            i += 1
    return codes.pop() if len(codes) == 1 else None


def topic_states(
    text: str,
    mentions: list[tuple[Span, FoundEntity]],
    before: re.Pattern[str],
    after: re.Pattern[str],
) -> set[str]:
    """States the sentence names only as a topic or background: "tensions over Taiwan", "amid
    Russia's invasion of Ukraine", "the Afghanistan peace process". Not participants."""
    topical: set[str] = set()
    plain: set[str] = set()
    for mention, entity in mentions:
        if entity.kind != "country" or not entity.code:
            continue
        window = text[max(0, mention.start - _CUE_WINDOW) : mention.start]
        cued = before.search(window) is not None or after.match(text, mention.end) is not None
        (topical if cued else plain).add(entity.code)
    return topical - plain


_CUE_WINDOW = 80  # "on the sidelines of the regional defence summit in X"


def visited_states(
    event_type: str,
    evidence: Span,
    mentions: list[tuple[Span, FoundEntity]],
    codes: list[str],
    lex: Lexicon,
) -> list[str]:
    """States a visit's sentence names only by the city it makes the host ("was visiting
    Warsaw", "arrived in Ankara"): the host's state, which the article's main states would
    otherwise stand in for (issue 14: a visit to Warsaw filed under Germany and Ukraine)."""
    cities = [
        code
        for _mention, entity in mentions
        if entity.kind == "location"
        and (code := lex.capitals.get(fold(entity.name)))
        and code not in codes
    ]
    if not cities:
        return []
    roles = find_roles(event_type, evidence, mentions, [*codes, *dict.fromkeys(cities)], lex)
    return [code for code in dict.fromkeys(cities) if roles.get(code) == "host"]
