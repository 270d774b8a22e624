"""Who acts on whom in an event, where the sentence says: visitor and host, supplier and
recipient, donor and recipient. The rules are data (events.json, the "roles" of each type).

A state stands in a sentence as its name or demonym ("Turkish"), as one of its people or
organisations ("Defence Minister of Chile", "Turkish Defence Minister Selim Kaya"), or as its
capital ("arrived in Ankara"). A rule's subject is the state named in the words before its verb,
back to the start of the clause; its object is the state named first after the verb (or after
the rule's `via` word), before the clause ends. Where those words name two states for one side,
or a state would get two roles, no role is given: the default stays "participant". When only
one side is named and the event has two states, the other (named in the sentence too) takes
the other side: "Poland bought tanks" in a sentence that also names South Korea.
"""

import re
from dataclasses import dataclass

from app.extraction.base import FoundEntity, Span
from app.extraction.lexicon import EventPatterns, Lexicon, RoleRule
from app.kit.text import fold

# Where a clause begins or ends: punctuation, and the words that open another clause.
_CLAUSE = re.compile(
    r"[,;:()\[\]—–]|\s-\s|\b(?:and|but|or|nor|while|whereas|after|before|when|that|which|who"
    r"|whom|whose|where|although|though|because|since|if|as|than|until|unless)\b",
    re.I,
)
# Between a verb and its `via` word, "and" may join the things delivered ("tanks and howitzers
# to Poland"); a comma or another clause ends the search.
_GAP_END = re.compile(
    r"[,;:()\[\]—–]|\s-\s|\b(?:but|while|whereas|which|who|whom|whose|where|although|though"
    r"|because|since|that|until|unless)\b",
    re.I,
)
# Words that cannot open the phrase naming the object, or that end it ("visited a base in X"
# names no host; "of" may stand inside it: "the Defence Minister of Chile").
_PREPOSITION = re.compile(
    r"(?:of|with|for|on|at|in|by|from|to|into|about|over|under|during|after|before|against"
    r"|between|among|alongside|across|through|via|per|than|towards?)",
    re.I,
)
_PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being|gets?|got)\s+(?:\w+ly\s+)?$", re.I)
# A verb inside the words before the rule's verb ("India signed a pact with France to buy",
# "Embraer won an order from the Brazilian Air Force to supply"): the states named after it are
# its objects, not the subject. Lowercase only: "United", "Armed" are names.
_VERB_LIKE = re.compile(
    r"\b(?!(?:hundred|armed|united|need|speed|seed|feed|shed|bed|red)\b)(?:[a-z]{2,}ed|met|held"
    r"|led|made|paid|sent|told|said|gave|took|won|began|brought|sought|left|got|struck|kept)\b"
)
_WORD = re.compile(r"\S+")
_OBJECT_WORDS = 5  # the object's state is named within this many words of where it starts
_SUBJECT_WORDS = 15  # a longer run of words before the verb is no clear subject


@dataclass(frozen=True)
class _Named:
    """A state named in the sentence: offsets relative to the sentence."""

    start: int
    end: int
    code: str


def _state(entity: FoundEntity, lex: Lexicon) -> str | None:
    if entity.kind == "country":
        return entity.code
    if entity.kind in ("person", "organization"):
        return entity.country
    if entity.kind == "location":
        return lex.capitals.get(fold(entity.name))
    return None


def _named(evidence: Span, mentions: list[tuple[Span, FoundEntity]], lex: Lexicon) -> list[_Named]:
    """The states the sentence names, from its own mentions only: a pass over every mention of
    each entity in the article would cost article x events."""
    found: list[_Named] = []
    for mention, entity in mentions:
        code = _state(entity, lex)
        if code is not None and evidence.start <= mention.start and mention.end <= evidence.end:
            found.append(_Named(mention.start - evidence.start, mention.end - evidence.start, code))
    return sorted(found, key=lambda n: n.start)


def _subject(sentence: str, at: int, named: list[_Named]) -> str | None:
    """The one state named between the start of the verb's clause and the verb (and before any
    other verb there)."""
    boundaries = list(_CLAUSE.finditer(sentence, 0, at))
    boundary = boundaries[-1] if boundaries else None
    begin = boundary.end() if boundary else 0
    if boundary and boundary.group().strip().lower() in {",", "and", "or"}:
        joined = sentence[: boundary.start()].rstrip(" ’'s")
        if any(n.end == len(joined) for n in named):
            return None  # "Estonia, Latvia and Lithuania will buy": more than one subject
    if len(_WORD.findall(sentence, begin, at)) > _SUBJECT_WORDS:
        return None
    other_verb = _VERB_LIKE.search(sentence, begin, at)
    end = other_verb.start() if other_verb else at
    codes = {n.code for n in named if begin <= n.start and n.end <= end}
    return codes.pop() if len(codes) == 1 else None


def _object(sentence: str, at: int, rule: RoleRule, named: list[_Named]) -> str | None:
    """The state named first in the phrase after the verb (or after its `via` word)."""
    start = at
    if rule.via is not None:
        end = _GAP_END.search(sentence, at)
        via = rule.via.search(sentence, at, end.start() if end else len(sentence))
        if via is None or len(_WORD.findall(sentence, at, via.start())) > rule.within:
            return None
        start = via.end()
    end = _CLAUSE.search(sentence, start)
    limit = end.start() if end else len(sentence)
    for index, word in enumerate(_WORD.finditer(sentence, start, limit)):
        if index >= _OBJECT_WORDS:
            break
        hit = next((n for n in named if word.start() <= n.start < word.end()), None)
        if hit is not None:
            return hit.code
        if _PREPOSITION.fullmatch(word.group()) and (index == 0 or word.group().lower() != "of"):
            return None
    return None


def _passive(sentence: str, verb: re.Match[str]) -> bool:
    """'were delivered', 'was sold': the subject is what was moved, not who moved it."""
    first = verb.group().split()[0].lower() if verb.group().split() else ""
    return bool(_PASSIVE.search(sentence, 0, verb.start())) and not first.endswith("ing")


def _counterparts(patterns: EventPatterns, event_type: str) -> dict[str, str]:
    """Each role's other side in this type's rules: visitor <-> host, supplier <-> recipient."""
    pairs: dict[str, str] = {}
    for rule in patterns.roles.get(event_type, ()):
        if rule.subject and rule.object and rule.subject != rule.object:
            pairs.setdefault(rule.subject, rule.object)
            pairs.setdefault(rule.object, rule.subject)
    return pairs


def find_roles(
    event_type: str,
    evidence: Span,
    mentions: list[tuple[Span, FoundEntity]],
    countries: list[str],
    lex: Lexicon,
) -> dict[str, str]:
    """alpha-3 -> role for the states of one event, where its sentence makes them clear
    (`mentions`: the sentence's own mentions and their entities)."""
    patterns = lex.events
    everyone = patterns.role_of_all.get(event_type)
    if everyone:
        return {code: everyone for code in countries}
    rules = patterns.roles.get(event_type, ())
    if not rules or len(countries) < 2:
        return {}
    sentence = evidence.text
    named = _named(evidence, mentions, lex)
    found: dict[str, str] = {}
    elsewhere = False  # a side names a state the event does not have: the sentence is not clear
    for rule in rules:
        for verb in rule.verb.finditer(sentence):
            subject = None
            if rule.subject and not (rule.active and _passive(sentence, verb)):
                subject = _subject(sentence, verb.start(), named)
            obj = _object(sentence, verb.end(), rule, named) if rule.object else None
            if (subject is not None and subject == obj) or (
                rule.both and (subject is None or obj is None)
            ):
                continue  # "Poland's ministry bought Polish tanks" says nothing of direction
            for code, role in ((subject, rule.subject), (obj, rule.object)):
                if code is None or role is None:
                    continue
                if code not in countries:
                    elsewhere = True
                    continue
                if found.get(code, role) != role:
                    return {}  # one state on both sides: the sentence is not clear
                found[code] = role
    if len(found) >= 2 and len(set(found.values())) < 2:
        return {}  # everyone on one side: no direction is given
    if len(found) == 1 and len(countries) == 2 and not elsewhere:
        # one side named: the other state, named in the sentence too, is the other side
        ((code, role),) = found.items()
        other = next(c for c in countries if c != code)
        counterpart = _counterparts(patterns, event_type).get(role)
        if counterpart is not None and any(n.code == other for n in named):
            found[other] = counterpart
    return found
