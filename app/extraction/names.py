"""Named things in an article: countries, people, organisations, places, agreements, equipment.

Rules over capitalised chunks, helped by word lists and gazetteers (see data/). A chunk is a run
of capitalised tokens in one sentence, joined by a few connectors ("of", "bin", ...). Within a
chunk, titles mark where a person's name starts, head words ("Ministry", "Navy", "Sea") mark
organisations and places, and the rest is looked up.
"""

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app import countries
from app.extraction.base import FoundEntity, Span
from app.extraction.budget import Deadline, unlimited
from app.extraction.lexicon import Lexicon
from app.extraction.tokens import Token
from app.kit.text import fold

_MODEL = re.compile(
    r"^(?:[A-Z][A-Za-z]{0,6}-?\d{1,4}[A-Z]{0,4}(?:-\d{1,2}|-[A-Z]\d?)?|[A-Z][a-z]+-[A-Z]\d)s?$"
)
_YEARLIKE = re.compile(r"^(?:19|20)\d\d$")
_INITIALS = re.compile(r"^(?:[A-Z]\.){1,4}$|^[A-Z]{1,2}$")
_ACRONYM = re.compile(r"^[A-Z][A-Z&]{1,7}$")
_QUOTES = {"'", "‘", "’", '"', "“", "”"}


_OPENERS = {")": "(", "]": "[", "}": "{", "”": "“", "’": "‘", "»": "«"}


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
        return entity


class NameFinder:
    def __init__(
        self, text: str, tokens: list[Token], lex: Lexicon, deadline: Deadline | None = None
    ) -> None:
        self.text = text
        self.tokens = tokens
        self.lex = lex
        self.deadline = deadline or unlimited()
        self.found = _Found()
        self.country_at: dict[int, str] = {}

    # --- helpers ---------------------------------------------------------------------------

    def span(self, i: int, j: int) -> Span:
        """The text of tokens i..j-1 (a trailing possessive and trailing punctuation left out:
        a name looked up by its folded form matches "Nairobi." and "HANOI —" too)."""
        while j - 1 > i and _trailing_punctuation(self.tokens[i : j - 1], self.tokens[j - 1]):
            j -= 1
        start, end = self.tokens[i].start, self.tokens[j - 1].end
        last = self.tokens[j - 1]
        if last.possessive:
            end -= len(last.text) - len(last.bare)
        return Span(start, end, self.text[start:end])

    def is_cap(self, i: int) -> bool:
        token = self.tokens[i]
        return token.cap and (token.text[0].isalpha() or bool(_INITIALS.match(token.text)))

    def same_sentence(self, i: int, j: int) -> bool:
        return (
            0 <= i < len(self.tokens)
            and 0 <= j < len(self.tokens)
            and (self.tokens[i].sentence == self.tokens[j].sentence)
        )

    def word(self, i: int) -> str:
        return self.tokens[i].text if 0 <= i < len(self.tokens) else ""

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

    # --- countries --------------------------------------------------------------------------

    def countries(self) -> None:
        words = self.lex.country_words
        longest = max(len(w.split()) for w in words)
        i = 0
        while i < len(self.tokens):
            self.deadline.tick()
            token = self.tokens[i]
            if not token.cap:
                i += 1
                continue
            matched = False
            for size in range(min(longest, len(self.tokens) - i), 0, -1):
                j = i + size
                if not self.same_sentence(i, j - 1):
                    continue
                surface = " ".join(t.text for t in self.tokens[i : j - 1]) + (
                    " " if size > 1 else ""
                )
                surface += self.tokens[j - 1].bare
                code = words.get(surface)
                if code is None and size == 1 and token.text in words:
                    code = words[token.text]
                if code:
                    self._country(i, j, code)
                    i, matched = j, True
                    break
            if matched:
                continue
            if "-" in token.text:  # "Indo-US", "Malaysia-Turkiye", "Kazakhstan-Uzbekistan"
                parts = token.bare.split("-")
                codes = [words.get(p) for p in parts]
                if len(parts) > 1 and all(codes):
                    offset = token.start
                    for part, code in zip(parts, codes, strict=True):
                        start = self.text.index(part, offset)
                        self.found.add(
                            "country",
                            part,
                            Span(start, start + len(part), part),
                            code=code,
                        )
                        offset = start + len(part)
                    self.country_at[i] = codes[0] or ""
            i += 1

    def _country(self, i: int, j: int, code: str) -> None:
        if self.word(j) == "$" or self._in_dateline(i):
            return  # "US$6.5 billion"; "(UrduPoint / Pakistan Point News / WAM)" is a source
        country = countries.get(code)
        name = country.name if country else self.span(i, j).text
        self.found.add("country", name, self.span(i, j), code=code)
        for k in range(i, j):
            self.country_at[k] = code

    # --- chunks -----------------------------------------------------------------------------

    def chunks(self) -> list[tuple[int, int]]:
        """Runs of capitalised tokens within a sentence, with connectors between them."""
        out: list[tuple[int, int]] = []
        i, n = 0, len(self.tokens)
        while i < n:
            self.deadline.tick()
            if not self.is_cap(i):
                i += 1
                continue
            j = i + 1
            while j < n and self.same_sentence(i, j):
                if self.tokens[j - 1].possessive:
                    break
                if self.is_cap(j):
                    j += 1
                    continue
                if (
                    self.word(j) == "."
                    and self.word(j - 1) in self.lex.title_core
                    and len(self.word(j - 1)) <= 4
                    and j + 1 < n
                    and self.same_sentence(j, j + 1)
                    and self.is_cap(j + 1)
                ):
                    j += 2  # "Dr. Toga Gayewea McIntosh"
                    continue
                if (
                    self.word(j) in self.lex.connectors
                    and j + 1 < n
                    and self.same_sentence(j, j + 1)
                    and self.is_cap(j + 1)
                ):
                    j += 2
                    continue
                break
            out.append((i, j))
            i = j
        return out

    # --- organisations ----------------------------------------------------------------------

    def lexicon_matches(self, table: dict[str, str], kind: str, max_size: int = 6) -> None:
        starts = self.lex.starts(table)
        i = 0
        while i < len(self.tokens):
            self.deadline.tick()
            if not self.tokens[i].cap or i in self.found.used:
                i += 1
                continue
            first = fold(self.tokens[i].text).split(" ", 1)[0]
            if first not in starts:
                i += 1
                continue
            for size in range(min(max_size, starts[first]), 0, -1):
                j = i + size
                if j > len(self.tokens) or not self.same_sentence(i, j - 1):
                    continue
                if any(k in self.found.used for k in range(i, j)):
                    continue
                span = self.span(i, j)
                canonical = table.get(fold(span.text))
                if canonical and (
                    size > 1 or self.tokens[i].bare == canonical or kind != "location"
                ):
                    if kind == "organization" and self._in_dateline(i):
                        break
                    start = i
                    if kind == "equipment":
                        canonical = span.text  # "MiG-29" as written, not "MiG 29"
                        if self.word(i - 1) in self.lex.makers and (i - 1) not in self.found.used:
                            start = i - 1  # "Mikoyan MiG-29"
                            span = self.span(start, j)
                            canonical = span.text
                    self.found.add(kind, canonical, span, indices=range(start, j))
                    i = j - 1
                    break
            i += 1

    def _in_dateline(self, i: int) -> bool:
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

    def organisations(self, chunk: tuple[int, int]) -> None:
        i, j = chunk
        heads = [k for k in range(i, j) if self.tokens[k].bare in self.lex.org_heads]
        for h in reversed(heads):
            if h in self.found.used:
                continue
            start = h
            while start - 1 >= i and (start - 1) not in self.found.used:
                prev = self.tokens[start - 1]
                if prev.bare in self.lex.title_core and prev.bare not in self.lex.org_heads:
                    break
                if start in self.country_at and start < h and prev.bare not in self.lex.org_leads:
                    break  # an organisation's name starts at its state: "British Armed Forces"
                if prev.text in {"and", "&"} and start - 2 >= i and self.is_cap(start - 2):
                    start -= 1
                    continue
                if not self.is_cap(start - 1):
                    break
                start -= 1
            while self.word(start) in {"The", "the", "A", "An"} and start < h:
                start += 1
            end = h + 1
            joiners = (
                {"of", "for", "on"}
                if self.tokens[h].bare in self.lex.sets["forum_heads"]
                else {"of", "for"}
            )
            while end < j and end not in self.found.used and self.word(end) in joiners:
                nxt = end + 1
                if self.word(nxt) == "the":
                    nxt += 1
                stop = nxt
                while (
                    stop < j
                    and self.is_cap(stop)
                    and self.tokens[stop].bare not in self.lex.title_core
                ):
                    stop += 1
                    if self.tokens[stop - 1].possessive:
                        break
                if stop == nxt:
                    break
                end = stop
            # "Chief of Army Staff", "Minister of Defence": the words belong to a title
            before = self.word(start - 1)
            before2 = self.word(start - 2)
            if before in {"of", "the"} and (
                before2 in self.lex.title_core or self.word(start - 3) in self.lex.title_core
            ):
                continue
            if end - start < 2 and self.tokens[h].bare not in self.lex.org_names.values():
                continue
            span = self.span(start, end)
            if all(w in self.lex.sets["generic_org_words"] for w in span.text.split()):
                continue  # "the Air Force", "Armed Forces": no one in particular
            if self.word(end) in self.lex.sets["offices"] and self.word(end + 1) != "of":
                continue  # "Armed Forces Minister James Holloway": part of a title
            country = next(
                (self.country_at[k] for k in range(start, end) if k in self.country_at), None
            )
            alias = self._acronym_after(end)
            self.found.add(
                "organization",
                span.text,
                span,
                indices=range(start, end),
                country=country,
                alias=alias,
            )

    def _acronym_after(self, end: int) -> str | None:
        if (
            self.word(end) == "("
            and self.word(end + 2) == ")"
            and _ACRONYM.match(self.word(end + 1))
        ):
            self.found.used.add(end + 1)
            return self.word(end + 1)
        return None

    def defined_acronyms(self, chunk: tuple[int, int]) -> None:
        """'General Border Committee (GBC)': a multi-word name defined by an acronym is an organisation."""
        i, j = chunk
        if j - i < 2 or any(k in self.found.used for k in range(i, j)):
            return
        if any(self.tokens[k].bare in self.lex.title_core for k in range(i, j)):
            return
        if self.word(j) == "(" and self.word(j + 2) == ")" and _ACRONYM.match(self.word(j + 1)):
            if all(k in self.country_at for k in range(i, j)):
                return
            start = i + 1 if self.word(i) in {"The", "the"} else i
            span = self.span(start, j)
            self.found.add(
                "organization", span.text, span, indices=range(start, j), alias=self.word(j + 1)
            )
            self.found.used.add(j + 1)

    # --- agreements -------------------------------------------------------------------------

    def agreements(self, chunk: tuple[int, int]) -> None:
        i, j = chunk
        for h in range(i, j):
            if self.tokens[h].bare not in self.lex.sets["agreement_heads"] or h in self.found.used:
                continue
            start = h
            while start - 1 >= i and self.is_cap(start - 1) and (start - 1) not in self.found.used:
                if self.tokens[start - 1].bare in self.lex.title_core:
                    break
                start -= 1
            while self.word(start) in {"The", "the", "A", "An"} and start < h:
                start += 1
            end = h + 1
            if (
                self.word(end) in {"on", "of", "for", "between"}
                and end + 1 < j
                and self.is_cap(end + 1)
            ):
                end += 1
                while end < j and (self.is_cap(end) or self.word(end) in {"and", "of", "the"}):
                    end += 1
            span = self.span(start, end)
            if all(w in self.lex.sets["generic_agreement_words"] for w in fold(span.text).split()):
                continue
            if self.word(start - 1) == "(":
                continue
            self.found.add("agreement", span.text, span, indices=range(start, end))
            return

    # --- equipment --------------------------------------------------------------------------

    def equipment(self) -> None:
        self.lexicon_matches(self.lex.equipment_names, "equipment", max_size=3)
        n = len(self.tokens)
        for i in range(n):
            self.deadline.tick()
            if i in self.found.used:
                continue
            word = self.tokens[i].bare
            if word in self.lex.ship_prefixes and i + 1 < n and self.same_sentence(i, i + 1):
                self._ship(i, i + 1, prefix=word)
                continue
            if word.lower() in self.lex.sets["ship_words"]:
                if self.word(i + 1) in _QUOTES:
                    self._ship(i + 1, i + 1, prefix=None)
                continue
            if self._model_number(word):
                self._model(i, word)

    def _model_number(self, word: str) -> bool:
        """'K2', 'T-72', 'MiG-29K', 'Su-30MKI', 'Buk-M1' (not a year such as 'EFES-2024', not 'G20')."""
        if not _MODEL.match(word) or _YEARLIKE.match(re.sub(r"\D", "", word) or "0"):
            return False
        return not (word[:1] == "G" and len(word) <= 4)  # G7, G20: groups of states

    def _model(self, i: int, word: str) -> None:
        """A model number is equipment next to a weapon noun ('K9 howitzers'), after a maker
        ('Mikoyan MiG-29') or as the plural of a known system ('K2s')."""
        plural_of_known = word.endswith("s") and word[:-1] in self.lex.equipment_names.values()
        nouns = {t.text.lower() for t in self.tokens[i + 1 : i + 5]}
        maker = self.word(i - 1) in self.lex.makers
        if not (nouns & self.lex.equipment_nouns or maker or plural_of_known):
            return
        singular = word[:-1] if word.endswith("s") and word[-2:-1].isdigit() else word
        name = singular if _MODEL.match(singular) else word
        start = i - 1 if maker else i
        label = f"{self.word(start)} {name}" if maker else name
        self.found.add("equipment", label, self.span(start, i + 1), indices=range(start, i + 1))

    def _ship(self, i: int, j: int, *, prefix: str | None) -> None:
        k = j
        quoted = self.word(k) in _QUOTES
        if quoted:
            k += 1
        start_name = k
        while (
            k < len(self.tokens)
            and self.same_sentence(i, k)
            and self.is_cap(k)
            and k - start_name < 3
        ):
            if self.word(k) in self.lex.ship_prefixes and k > start_name:
                break
            k += 1
            if self.tokens[k - 1].possessive:
                break
        if k == start_name:
            return
        name_span = self.span(start_name, k)
        name = name_span.text
        if name.isupper() and len(name) > 3:
            name = name.title()
        full = f"{prefix} {name}" if prefix else name
        span = self.span(i, k) if not quoted and prefix else name_span
        self.found.add("equipment", full, span, indices=range(i, k))

    # --- people -----------------------------------------------------------------------------

    def people(self, chunk: tuple[int, int]) -> None:
        i, j = chunk
        cuts = [k for k in range(i, j) if self.word(k) in {"and", "&"}]
        if cuts:  # "Minister X Y and Deputy Minister Z W": two people
            bounds = [i, *[c for c in cuts], j]
            for a, b in itertools.pairwise(bounds):
                a = a + 1 if self.word(a) in {"and", "&"} else a
                if b > a:
                    self._people_in(a, b)
            return
        self._people_in(i, j)

    def _people_in(self, i: int, j: int) -> None:
        core = [
            k
            for k in range(i, j)
            if self.tokens[k].bare in self.lex.title_core and k not in self.found.used
        ]
        if core:
            k = core[-1]
            start = k + 1
            if self.word(start) == ".":  # "Dr. Maria Lopez"
                start += 1
            if self.word(start) in {"of", "for"}:  # "Minister of National Defense Li Shangfu"
                start += 1
                while start < j and (
                    self.tokens[start].bare in self.lex.sets["title_complement"]
                    or self.word(start) in {"of", "the", "and", "for"}
                ):
                    start += 1
            run = self._name_run(start, j)
            if run:
                title_start = next(
                    (
                        m
                        for m in range(i, k + 1)
                        if m not in self.country_at and self.word(m) not in {"The", "the"}
                    ),
                    k,
                )
                title = self.span(title_start, k + 1).text if title_start <= k else None
                self._person(run, title=title)
                return
        # context before the chunk: "his Turkish counterpart Hulusi Akar", "Ambassador to London X Y"
        run = self._name_run(i, j)
        if not run:
            if i in self.country_at or self._place_key(i, i + 1):
                rest = self._name_run(i + 1, j)
                if rest and self._title_before(i, distance=3):
                    self._person(rest, title=None)
            return
        a, b = run
        before = i - 1
        while self.word(before) in {",", "[", "(", "'", "‘", '"', "“"} and before > 0:
            before -= 1
        if self._title_before(i, distance=1) or (
            self.word(before) in self.lex.lower_title_context
            and not self.word(before)[:1].isupper()
        ):
            self._person(run, title=None)
            return
        if b - a >= 2 and b == j:
            after = self.word(j)
            after2 = self.word(j + 1)
            previous = self.tokens[a - 1] if a > 0 else None
            determined = previous is not None and (
                previous.text in {"the", "The", "a", "an"} or previous.possessive
            )
            if after in self.lex.speech_verbs and not determined:
                self._person(run, title=None)
                return
            if after == "," and (
                after2 in self.lex.title_core
                or (after2 in {"the", "a", "who"} and self.word(j + 2)[:1].isupper())
                or after2 in self.lex.title_tokens
            ):
                self._person(run, title=None)

    def _title_before(self, i: int, *, distance: int) -> bool:
        back, seen = 1, 0
        while seen < distance and i - back >= 0 and self.same_sentence(i - back, i):
            word = self.tokens[i - back].bare
            back += 1
            if word in {"[", "(", "'", "‘", '"', "“", ","}:
                continue  # "Minister [Hulusi Akar]", "Minister, Colonel ..."
            if word in self.lex.title_core:
                return True
            seen += 1
        return False

    def _name_run(self, i: int, j: int) -> tuple[int, int] | None:
        start = i
        while start < j and self.word(start) in self.lex.particles:
            start += 1
        end = start
        while end < j and (
            self.name_like(end)
            or (
                self.word(end) in self.lex.sets["months_inside_names"]
                and end > start
                and end + 1 < j
                and self.name_like(end + 1)
            )
        ):
            end += 1
            if self.tokens[end - 1].possessive:
                break
        while end > start and self.word(end - 1) in self.lex.particles:
            end -= 1
        if end <= start or end - start > 5:
            return None
        if end - start == 1 and not self._title_before(start, distance=2):
            return None
        return start, end

    def _person(self, run: tuple[int, int], *, title: str | None) -> None:
        a, b = run
        span = self.span(a, b)
        if any(self._place_key(k, k + 1) for k in range(a, b)) and b - a == 1:
            return
        country = self._country_before(a)
        self.found.add("person", span.text, span, indices=range(a, b), country=country, title=title)

    def _country_before(self, a: int) -> str | None:
        """The state a person's title ties them to: 'Turkish counterpart X', 'Pakistan's Chief ... X'."""
        k = a - 1
        steps = 0
        while k >= 0 and self.same_sentence(k, a) and steps < 12:
            if k in self.country_at:
                return self.country_at[k]
            token = self.tokens[k]
            if not (
                token.cap
                or token.text in {"of", "the", "and", "(", ")", ",", "for"}
                or token.text in self.lex.lower_title_context
            ):
                return None
            k -= 1
            steps += 1
        return None

    # --- places -----------------------------------------------------------------------------

    def _place_key(self, i: int, j: int) -> str | None:
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

    def places(self, chunk: tuple[int, int]) -> None:
        i, j = chunk
        k = i
        while k < j:
            if k in self.found.used or k in self.country_at:
                k += 1
                continue
            matched = False
            for end in range(min(j, k + 4), k, -1):
                if any(m in self.found.used or m in self.country_at for m in range(k, end)):
                    continue
                name = self._place_key(k, end)
                if (
                    (
                        name is None
                        and end < len(self.tokens)
                        and self.word(end) in self.lex.place_heads
                    )
                    and end - k <= 3
                    and all(self.is_cap(m) for m in range(k, end))
                ):
                    head_end = end + 1
                    name = self.span(k, head_end).text
                    end = head_end
                if (
                    name is None
                    and self.tokens[end - 1].bare in self.lex.place_heads
                    and end - k >= 2
                ) and all(self.is_cap(m) or self.word(m) in {"of", "the"} for m in range(k, end)):
                    name = self.span(k, end).text
                if name:
                    span = self.span(k, end)
                    if span.text.isupper():
                        name = name if not name.isupper() else name.title()
                    self.found.add("location", name, span, indices=range(k, end))
                    k, matched = end, True
                    break
            if not matched:
                k += 1

    # --- short forms ------------------------------------------------------------------------

    def short_forms(self) -> None:
        """'Akar' after 'Hulusi Akar', 'ISPR' after 'Inter-Services Public Relations (ISPR)'."""
        lookup: dict[str, FoundEntity] = {}
        for entity in list(self.found.by_key.values()):
            if entity.kind == "person":
                parts = entity.name.split()
                if len(parts) >= 2:
                    lookup.setdefault(parts[-1], entity)
            elif entity.kind in {"organization", "location", "equipment", "agreement"}:
                for alias in entity.aliases:
                    if _ACRONYM.match(alias) or alias.isupper():
                        lookup.setdefault(alias, entity)
        for i, token in enumerate(self.tokens):
            self.deadline.tick()
            if i in self.found.used or i in self.country_at:
                continue
            known = lookup.get(token.bare)
            if known is not None:
                self.found.mention(known, self.span(i, i + 1))
                self.found.used.add(i)

    # --- the whole pass ---------------------------------------------------------------------

    def each(self, chunks: list[tuple[int, int]], step: Callable[[tuple[int, int]], None]) -> None:
        """Run one step over every chunk, minding the deadline."""
        for chunk in chunks:
            self.deadline.tick()
            step(chunk)

    def run(self) -> list[FoundEntity]:
        self.countries()
        chunks = self.chunks()
        self.each(chunks, self.agreements)  # first: "Caspian Declaration" is a document, not a sea
        self.lexicon_matches(self.lex.place_names, "location", max_size=4)
        self.equipment()
        self.lexicon_matches(self.lex.org_names, "organization", max_size=5)
        self.each(chunks, self.organisations)
        self.each(chunks, self.defined_acronyms)
        self.each(chunks, self.people)
        self.short_forms()  # before places: "Kaya" after "Selim Kaya" is him, not the town
        self.each(chunks, self.places)
        entities = _merge_prefixes(list(self.found.by_key.values()), self.deadline)
        for entity in entities:
            entity.mentions.sort(key=lambda s: s.start)
        return entities


_MERGED_KINDS = {"organization", "agreement", "location", "equipment"}


def _merge_prefixes(entities: list[FoundEntity], deadline: Deadline) -> list[FoundEntity]:
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


def find_names(
    text: str, tokens: list[Token], lex: Lexicon, deadline: Deadline | None = None
) -> list[FoundEntity]:
    """Every named entity of the article, one per real thing, with its mentions."""
    return NameFinder(text, tokens, lex, deadline).run()
