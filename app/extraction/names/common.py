"""What the name stages share for one article: tokens, the entities found so far, helpers.

A chunk is a run of capitalised tokens in one sentence, joined by a few connectors ("of",
"bin", ...). Within a chunk, titles mark where a person's name starts, head words ("Ministry",
"Navy", "Sea") mark organisations and places, and the rest is looked up. Each kind's stage
(see the sibling modules) claims tokens in `found.used`, so a later stage leaves them alone:
the order of the stages in the pipeline is part of what they find.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.extraction.base import FoundEntity, Span
from app.extraction.budget import Deadline, unlimited
from app.extraction.lexicon import Lexicon
from app.extraction.tokens import Token
from app.kit.text import fold

# a name that starts with a lowercase particle: "al-Assaf", "el-Sisi", "al-Shabaab"
_PARTICLE_NAME = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|ul|ud|bin|ibn|abu|bint)-[A-Z]")
_INITIALS = re.compile(r"^(?:[A-Z]\.){1,4}$|^[A-Z]{1,2}$")
# "ISPR", "NATO", and the mixed three-letter kind: "LoC", "MoD"
ACRONYM = re.compile(r"^(?:[A-Z][A-Z&]{1,7}|[A-Z][a-z][A-Z])$")


# a city's facility, named after it
FACILITIES = {"airport", "Airport", "airbase", "Airbase"}
_COMPASS = {
    "North",
    "South",
    "East",
    "West",
    "Northern",
    "Southern",
    "Eastern",
    "Western",
    "Central",
}
_OPENERS = {")": "(", "]": "[", "}": "{", "”": "“", "’": "‘", "»": "«"}
# How many tokens a per-token loop steps over between two looks at the deadline: a call to
# `Deadline.tick()` on every token cost as much as some of the loops' own work.
CLOCK_EVERY = 256
_CHUNKS_EVERY = 32  # a step over a chunk costs more than one over a token


def _trailing_punctuation(before: list[Token], last: Token) -> bool:
    """A last token with no letter or digit, other than a bracket or quote closing one opened
    inside the span ("Inter-Services Public Relations (ISPR)")."""
    if any(ch.isalnum() for ch in last.text):
        return False
    opener = _OPENERS.get(last.text)
    return opener is None or all(opener not in t.text for t in before)


@dataclass
class _Found:
    """Entities found so far, keyed by kind and folded name, and the tokens already used.

    `seen` holds each entity's mentions and aliases as well as its lists do: asking a list
    whether it holds a span costs a scan per mention, minutes on a large page.
    """

    by_key: dict[tuple[str, str], FoundEntity] = field(default_factory=dict)
    used: set[int] = field(default_factory=set)
    people: set[int] = field(default_factory=set)  # the tokens of the people found
    seen: set[tuple[int, Span | str]] = field(default_factory=set)

    def mention(self, entity: FoundEntity, span: Span) -> None:
        """Add the span to the entity's mentions unless it is there already."""
        if (id(entity), span) not in self.seen:
            self.seen.add((id(entity), span))
            entity.mentions.append(span)

    def add(
        self,
        kind: str,
        name: str,
        span: Span,
        *,
        indices: range | None = None,
        code: str | None = None,
        country: str | None = None,
        title: str | None = None,
        alias: str | None = None,
    ) -> FoundEntity:
        key = (kind, code or fold(name))
        entity = self.by_key.get(key)
        if entity is None:
            entity = FoundEntity(kind=kind, name=name, code=code, country=country, title=title)
            self.by_key[key] = entity
        if country and not entity.country:
            entity.country = country
        if title and not entity.title:
            entity.title = title
        for extra in (span.text, alias):
            if extra and fold(extra) != fold(entity.name) and (id(entity), extra) not in self.seen:
                self.seen.add((id(entity), extra))
                entity.aliases.append(extra)
        self.mention(entity, span)
        if indices is not None:
            self.used.update(indices)
            if kind == "person":
                self.people.update(indices)
        return entity


class Page:
    """One article on its way through the name stages."""

    def __init__(
        self, text: str, tokens: list[Token], lex: Lexicon, deadline: Deadline | None = None
    ) -> None:
        self.text = text
        self.tokens = tokens
        self.lex = lex
        self.deadline = deadline or unlimited()
        self.found = _Found()
        self.country_at: dict[int, str] = {}  # token index -> the state it names
        self._chunks: list[tuple[int, int]] | None = None
        # token index -> its sentence: the stages compare sentences hundreds of thousands
        # of times a page, and a list lookup is cheaper than two token attribute reads
        self.sentence_of = [token.sentence for token in tokens]
        self._first_folded: list[str | None] | None = None
        self._texts = [token.text for token in tokens]
        self._caps = [self._cap(token) for token in tokens]
        self._cap_at = [i for i, cap in enumerate(self._caps) if cap]
        # the tokens that start with a capital letter (`Token.cap`), in order
        self.capitalised = [i for i, token in enumerate(tokens) if token.cap]

    # --- helpers ---------------------------------------------------------------------------

    def span(self, i: int, j: int) -> Span:
        """The text of tokens i..j-1 (a trailing possessive and trailing punctuation left out:
        a name looked up by its folded form matches "Nairobi." and "HANOI —" too)."""
        tokens = self.tokens
        last = tokens[j - 1]
        if j - 1 > i and not last.text[:1].isalnum():  # a word last: nothing to trim
            while j - 1 > i and _trailing_punctuation(tokens[i : j - 1], tokens[j - 1]):
                j -= 1
            last = tokens[j - 1]
        start, end = tokens[i].start, last.end
        if last.possessive:
            end -= len(last.text) - len(last.bare)
        return Span(start, end, self.text[start:end])

    def is_cap(self, i: int) -> bool:
        """Whether token i can be part of a name (worked out once per token: asked ~600
        times a page)."""
        return self._caps[i]

    @staticmethod
    def _cap(token: Token) -> bool:
        if not token.cap:
            return "-" in token.text and bool(_PARTICLE_NAME.match(token.text))
        return token.text[0].isalpha() or bool(_INITIALS.match(token.text))

    def same_sentence(self, i: int, j: int) -> bool:
        sentence = self.sentence_of
        n = len(sentence)
        return 0 <= i < n and 0 <= j < n and sentence[i] == sentence[j]

    def first_folded(self, i: int) -> str:
        """The folded first word of token i, as the lexicon tables' first words are written.
        Worked out once per token for all the tables `lexicon_matches` reads."""
        folded = self._first_folded
        if folded is None:
            folded = self._first_folded = [None] * len(self.tokens)
        first = folded[i]
        if first is None:
            first = folded[i] = fold(self.tokens[i].text).split(" ", 1)[0]
        return first

    def word(self, i: int) -> str:
        texts = self._texts
        return texts[i] if 0 <= i < len(texts) else ""

    def name_like(self, i: int) -> bool:
        token = self.tokens[i]
        text = token.bare
        if i in self.country_at or i in self.found.used:
            return False
        if text in self.lex.particles:
            return True
        if not self.is_cap(i) or text in self.lex.not_names or text in self.lex.title_core:
            return False
        if text in self.lex.org_heads or text in self.lex.sets["agreement_heads"]:
            return False
        if text.isupper() and len(text) > 2 and not _INITIALS.match(text):
            return False
        return not any(ch.isdigit() for ch in text)

    def free_words(self, i: int, j: int, *excluded: frozenset[str]) -> bool:
        """Tokens i..j-1 are plain words no stage has taken: alphabetic, unused, not a state,
        and none of them in the word lists given (a name read from its context, such as a
        place after "in" or a document before its lowercase head, must be only that)."""
        for k in range(i, j):
            token = self.tokens[k]
            if k in self.found.used or k in self.country_at or not token.text.isalpha():
                return False
            if any(token.bare in words for words in excluded):
                return False
        return True

    def chunks(self) -> list[tuple[int, int]]:
        """Runs of capitalised tokens within a sentence, with connectors between them."""
        tokens, caps, sentence, texts = self.tokens, self._caps, self.sentence_of, self._texts
        title_core, connectors = self.lex.title_core, self.lex.connectors
        out: list[tuple[int, int]] = []
        n = len(tokens)
        i = 0  # the tokens before i are in a chunk already
        clock = 0  # the token index at which to look at the clock next
        for first in self._cap_at:  # a chunk starts at a capitalised token
            if first < i:
                continue
            i = first
            if i >= clock:
                self.deadline.check()
                clock = i + CLOCK_EVERY
            j = i + 1
            here = sentence[i]
            while j < n and sentence[j] == here:
                if tokens[j - 1].possessive:
                    break
                if caps[j]:
                    j += 1
                    continue
                word = texts[j]
                if (
                    word == "."
                    and texts[j - 1] in title_core
                    and len(texts[j - 1]) <= 4
                    and j + 1 < n
                    and sentence[j + 1] == here
                    and caps[j + 1]
                ):
                    j += 2  # "Dr. Toga Gayewea McIntosh"
                    continue
                if word in connectors and j + 1 < n and sentence[j + 1] == here and caps[j + 1]:
                    j += 2
                    continue
                break
            out.append((i, j))
            i = j
        return out

    def lexicon_matches(self, table: dict[str, str], kind: str, max_size: int = 6) -> None:
        starts = self.lex.starts(table)
        tokens = self.tokens
        sentence = self.sentence_of
        used = self.found.used
        n = len(tokens)
        resume = 0  # the first token after the last match: the tokens before it are taken
        clock = 0  # the token index at which to look at the clock next
        for i in self._cap_at:  # a name starts with a capitalised token: only those are read
            if i < resume or i in used:
                continue
            if i >= clock:
                self.deadline.check()
                clock = i + CLOCK_EVERY
            first = self.first_folded(i)
            if first not in starts:
                continue
            longest = min(max_size, starts[first])
            # the first used token after i (within reach): a span may not cover it
            free, reach = i + 1, min(n, i + longest)
            while free < reach and free not in used:
                free += 1
            for size in range(longest, 0, -1):
                j = i + size
                if j > n or sentence[i] != sentence[j - 1] or j > free:
                    continue
                if size > 1 and not any(ch.isalnum() for ch in tokens[j - 1].text):
                    continue  # the same name one token shorter: "(" after it stays free
                span = self.span(i, j)
                canonical = table.get(fold(span.text))
                if canonical and (
                    size > 1 or self.tokens[i].bare == canonical or kind != "location"
                ):
                    if kind == "organization" and self.in_dateline(i):
                        break
                    if kind == "location" and self._inside_organisation(i, j):
                        break
                    start = i
                    if kind == "equipment":
                        canonical = span.text  # "MiG-29" as written, not "MiG 29"
                        if self.word(i - 1) in self.lex.makers and (i - 1) not in self.found.used:
                            start = i - 1  # "Mikoyan MiG-29"
                            span = self.span(start, j)
                            canonical = span.text
                    if (
                        kind == "location"
                        and self.word(i - 1) in _COMPASS
                        and (i - 1) not in self.found.used
                        and (i - 1) not in self.country_at
                    ):
                        start = i - 1  # "Southern Indian Ocean", "Eastern Mediterranean"
                        span = self.span(start, j)
                        canonical = span.text
                    if kind == "location" and self.word(j) in FACILITIES:
                        j += 1  # "Baghdad airport": the airport, not the city
                        span = self.span(start, j)
                        canonical = span.text
                    # "Inter-Services Public Relations (ISPR)", "Line of Control (LoC)"
                    alias = self.acronym_after(j) if kind in {"organization", "location"} else None
                    self.found.add(kind, canonical, span, indices=range(start, j), alias=alias)
                    resume = j
                    break
            else:
                self._hyphen_prefix(i, table, kind)

    def _hyphen_prefix(self, i: int, table: dict[str, str], kind: str) -> None:
        """'Dassault-made', 'Baykar-built': the name before a hyphen and a lowercase word."""
        token = self.tokens[i]
        prefix, dash, tail = token.bare.rpartition("-")
        if not dash or not tail.islower() or not prefix:
            return
        canonical = table.get(fold(prefix))
        if canonical is None:
            return
        span = Span(token.start, token.start + len(prefix), prefix)
        self.found.add(
            kind, prefix if kind == "equipment" else canonical, span, indices=range(i, i + 1)
        )

    def _inside_organisation(self, i: int, j: int) -> bool:
        """A known place in an organisation's name: "Africa Command", "Council of Europe",
        "Southern Africa Development Community", a name defined by an acronym."""
        heads = self.lex.org_heads
        k = j
        while k < len(self.tokens) and k - j < 4 and self.same_sentence(i, k) and self.is_cap(k):
            if self.tokens[k].bare in heads:
                return True
            k += 1
        if k > j and self.word(k) == "(" and ACRONYM.match(self.word(k + 1)):
            return True  # "Asia Pacific Defence Reporter (APDR)": the whole is defined
        before = self.word(i - 2) if self.word(i - 1) == "of" else self.word(i - 3)
        return "of" in {self.word(i - 1), self.word(i - 2)} and before in heads

    def in_dateline(self, i: int) -> bool:
        """Inside '(AGENCY)' or '/AGENCY/' in an article's first line: the outlet, not an entity."""
        token = self.tokens[i]
        if token.sentence != 0 or i > 20:
            return False
        opened = max((k for k in range(i) if self.word(k) == "("), default=-1)
        closed = max((k for k in range(i) if self.word(k) == ")"), default=-1)
        inside = opened > closed and any(
            self.word(k) == "/" for k in range(opened, min(i + 8, len(self.tokens)))
        )
        return inside or self.word(i - 1) in {"(", "/"} or self.word(i + 1) in {")", "/"}

    def acronym_after(self, end: int) -> str | None:
        if (
            self.word(end) == "("
            and self.word(end + 2) == ")"
            and ACRONYM.match(self.word(end + 1))
        ):
            self.found.used.add(end + 1)
            return self.word(end + 1)
        return None

    def place_key(self, i: int, j: int) -> str | None:
        surface = self.span(i, j).text
        key = fold(surface)
        if key in self.lex.place_names:
            return self.lex.place_names[key]
        if surface in self.lex.not_places or self.tokens[i].bare in self.lex.not_places:
            return None
        city = self.lex.cities.get(key)
        if city is None:
            return None
        name, population = city
        prep = self.word(i - 1).lower() in self.lex.sets["place_prepositions"]
        dateline = self.tokens[i].sentence == 0 and i < 3 and surface.isupper()
        if population >= 100_000 or prep or dateline:
            return name
        return None

    def each(self, step: Callable[[tuple[int, int]], None]) -> None:
        """Run one step over every chunk, minding the deadline."""
        if self._chunks is None:
            self._chunks = self.chunks()  # one pass for all the stages: they do not change it
        for n, chunk in enumerate(self._chunks):
            if not n % _CHUNKS_EVERY:
                self.deadline.check()
            step(chunk)

    def entities(self) -> list[FoundEntity]:
        """What the stages found, short names merged into the long ones, mentions in order."""
        entities = merge_name_orders(list(self.found.by_key.values()))
        entities = merge_prefixes(entities, self.deadline)
        entities = merge_short_forms(entities, self.deadline)
        entities = merge_initials(entities)
        for entity in entities:
            entity.mentions.sort(key=lambda s: s.start)
        return entities


_MERGED_KINDS = {"organization", "agreement", "location", "equipment"}


def merge_prefixes(entities: list[FoundEntity], deadline: Deadline) -> list[FoundEntity]:
    """'Shusha Declaration' after 'Shusha Declaration on Allied Relations' is the same document.

    Each entity goes into the first longer one kept whose folded name starts with its own
    and a space. The kept names are looked up in a trie of their words, not compared one by
    one: a page with many distinct names would otherwise take their number squared.
    """
    kept: list[FoundEntity] = []
    # kind -> nested {word: node}; a node's None key holds the first entity kept through it
    tries: dict[str, dict[str | None, Any]] = {}
    for entity in sorted(entities, key=lambda e: -len(e.name)):
        deadline.tick()
        if entity.kind not in _MERGED_KINDS:
            kept.append(entity)
            continue
        words = fold(entity.name).split(" ")
        key = " ".join(words)
        node: dict[str | None, Any] | None = tries.get(entity.kind)
        for word in words:
            node = node.get(word) if node is not None else None
        longer = node.get(None) if node is not None and len(key) > 3 else None
        if longer is not None:
            longer.aliases.append(entity.name)
            longer.mentions.extend(entity.mentions)
            continue
        kept.append(entity)
        node = tries.setdefault(entity.kind, {})
        for word in words[:-1]:  # every proper prefix: a longer name goes on after it
            node = node.setdefault(word, {})
            node.setdefault(None, entity)
    return kept


_INITIAL_SKIPS = {"of", "the", "and", "for", "on", "&"}


def _initials(name: str) -> str:
    """'Inter-Services Public Relations' -> 'ISPR', 'Australian Defence Force' -> 'ADF'."""
    words = [w for w in re.split(r"[\s-]+", name) if w and w not in _INITIAL_SKIPS]
    return "".join(w[0] for w in words).upper() if all(w[:1].isalpha() for w in words) else ""


def merge_initials(entities: list[FoundEntity]) -> list[FoundEntity]:
    """'ISPR' beside 'Inter-Services Public Relations' (never defined in brackets): an
    organisation's acronym found on its own is an alias of the one name whose initials (three
    letters or more) it spells; two such names leave it apart."""
    owners: dict[str, FoundEntity | None] = {}
    for entity in entities:
        if entity.kind == "organization" and len(entity.name.split()) >= 2:
            key = _initials(entity.name)
            if len(key) >= 3:
                owners[key] = entity if owners.get(key, entity) is entity else None
    kept: list[FoundEntity] = []
    for entity in entities:
        owner = owners.get(entity.name) if entity.kind == "organization" else None
        if owner is None or owner is entity or not ACRONYM.match(entity.name):
            kept.append(entity)
            continue
        owner.mentions.extend(entity.mentions)
        for alias in (entity.name, *entity.aliases):
            if alias not in owner.aliases and fold(alias) != fold(owner.name):
                owner.aliases.append(alias)
        owner.country = owner.country or entity.country
    return kept


def _order_keys(name: str) -> tuple[str, str]:
    """Two keys under which one person's name written two ways meets itself: its words in
    any order ("Kishida Fumio" of "Fumio Kishida") and its letters with no breaks between
    words ("Jeong Kyeongdoo" of "Jeong Kyeong-doo")."""
    words = fold(name.replace("-", "")).split(" ")
    return " ".join(sorted(words)), fold(name).replace(" ", "")


def merge_name_orders(entities: list[FoundEntity]) -> list[FoundEntity]:
    """'Kishida Fumio' beside 'Fumio Kishida', 'Lee Yong-bae' beside 'Yongbae Lee': a person
    written with the family name first, or with a name's parts joined or hyphenated, is one
    person (the first found keeps the name, the other spelling is an alias). Names of one
    word are left to the short forms."""
    owners: dict[str, FoundEntity] = {}
    kept: list[FoundEntity] = []
    for entity in entities:
        if entity.kind != "person" or " " not in entity.name.strip():
            kept.append(entity)
            continue
        keys = _order_keys(entity.name)
        owner = next((owners[k] for k in keys if k in owners), None)
        if owner is None:
            for key in keys:
                owners[key] = entity
            kept.append(entity)
            continue
        owner.mentions.extend(entity.mentions)
        for alias in (entity.name, *entity.aliases):
            if fold(alias) != fold(owner.name) and alias not in owner.aliases:
                owner.aliases.append(alias)
        owner.country = owner.country or entity.country
        owner.title = owner.title or entity.title
    return kept


_TAILED_KINDS = {"organization", "agreement", "location"}
_PATRONYMIC = {"bin", "ibn", "bint", "binti"}


def _short_keys(entity: FoundEntity) -> list[str]:
    """The folded short forms another mention of this entity may take: its aliases ("ISPR"
    defined in brackets); for a person or a weapon of two words or more, each shorter tail of
    the name ("Wallace", "Jae Myung" of "Lee Jae Myung", "Rafale" of "Dassault Rafale"); for
    other names, each tail of two words or more ("Ministry of Defence" of "Indian Ministry of
    Defence")."""
    keys = [fold(a) for a in entity.aliases]
    words = fold(entity.name).split(" ")
    if entity.kind in {"person", "equipment"}:  # "Rafale" of "Dassault Rafale", "INS X"
        keys.extend(
            " ".join(words[k:])
            for k in range(1, len(words))
            # "Khalid bin Salman" is not "Salman": a father's name is no surname
            if not {words[k - 1], words[k]} & _PATRONYMIC
        )
        if entity.kind == "person" and len(words) > 2 and words[1] in _PATRONYMIC:
            keys.append(words[0])  # "Prince Khalid" is "Khalid bin Salman"
    elif entity.kind in _TAILED_KINDS:  # "Reciprocal Access Agreement" of "Japan-Australia ..."
        keys.extend(" ".join(words[k:]) for k in range(1, len(words) - 1))
    if entity.kind == "organization" and len(words) >= 3 and words[:2] == ["ministry", "of"]:
        # "Defence Ministry of Azerbaijan" is "Ministry of Defence of Azerbaijan"
        keys.append(" ".join([words[2], "ministry", *words[3:]]))
    return keys


def merge_short_forms(entities: list[FoundEntity], deadline: Deadline) -> list[FoundEntity]:
    """'Hegseth' (found after "Secretary") beside 'Pete Hegseth', 'ISPR' beside
    'Inter-Services Public Relations' with "(ISPR)": one thing, the short name an alias.

    A short form two longer entities share ("Singh" of two Singhs) stays apart: which one it
    is cannot be told from the name.
    """
    owners: dict[tuple[str, str], FoundEntity | None] = {}
    for entity in entities:
        if entity.kind == "country":
            continue
        for key in set(_short_keys(entity)):
            slot = (entity.kind, key)
            owners[slot] = entity if owners.get(slot, entity) is entity else None
    kept: list[FoundEntity] = []
    for entity in entities:
        deadline.tick()
        owner = owners.get((entity.kind, fold(entity.name)))
        if owner is None or owner is entity or len(owner.name) <= len(entity.name):
            kept.append(entity)
            continue
        owner.mentions.extend(entity.mentions)
        known = {fold(a) for a in owner.aliases} | {fold(owner.name)}
        for alias in (entity.name, *entity.aliases):
            if fold(alias) not in known:
                known.add(fold(alias))
                owner.aliases.append(alias)
        owner.country = owner.country or entity.country
        owner.title = owner.title or entity.title
    return kept
