"""People: names after a title ("Defence Minister X Y"), before a speech verb, or in apposition.

Also the short forms found after the long ones ("Akar" after "Hulusi Akar", "ISPR" after its
definition): they run here, before the places, so "Kaya" after "Selim Kaya" is him, not the town.
"""

import itertools

from app.extraction.base import FoundEntity
from app.extraction.names.common import ACRONYM, Page


def people(page: Page, chunk: tuple[int, int]) -> None:
    i, j = chunk
    # "Minister of Defense and Military Production X": an "and" inside a title cuts nothing
    complements = page.lex.sets["title_complement"]
    cuts = [
        k
        for k in range(i, j)
        if page.word(k) in {"and", "&"}
        and not (page.tokens[k - 1].bare in complements and page.tokens[k + 1].bare in complements)
    ]
    if cuts:  # "Minister X Y and Deputy Minister Z W": two people
        bounds = [i, *[c for c in cuts], j]
        plural = False
        for a, b in itertools.pairwise(bounds):
            a = a + 1 if page.word(a) in {"and", "&"} else a
            if b > a:
                run = _name_run(page, a, b) if plural else None
                if run is not None and run[0] == a:
                    _person(page, run, title=None)  # "Prime Ministers X Y and Z W"
                    continue
                plural = plural or _plural_title(page, a, b)
                _people_in(page, a, b)
        return
    _people_in(page, i, j)


def _people_in(page: Page, i: int, j: int) -> None:
    core = [
        k
        for k in range(i, j)
        if page.tokens[k].bare in page.lex.title_core and k not in page.found.used
    ]
    if core:
        k = core[-1]
        start = k + 1
        if page.word(start) == ".":  # "Dr. Maria Lopez"
            start += 1
        if page.word(start) in {"of", "for"}:  # "Minister of National Defense Li Shangfu"
            start += 1
            while start < j and (
                page.tokens[start].bare in page.lex.sets["title_complement"]
                or page.word(start) in {"of", "the", "and", "for"}
                or start in page.country_at  # "President of the Russian Federation X"
            ):
                start += 1
        run = _name_run(page, start, j)
        if run:
            title_start = next(
                (
                    m
                    for m in range(i, k + 1)
                    if m not in page.country_at and page.word(m) not in {"The", "the"}
                ),
                k,
            )
            title = page.span(title_start, k + 1).text if title_start <= k else None
            _person(page, run, title=title)
            return
    speaker = _inverted_speaker(page, i, j)
    if speaker is not None:
        _person(page, speaker, title=None)
        return
    # context before the chunk: "his Turkish counterpart Hulusi Akar", "Ambassador to London X Y"
    run = _name_run(page, i, j)
    if not run:
        complements = page.lex.sets["title_complement"]
        if i in page.country_at or page.place_key(i, i + 1) or page.tokens[i].bare in complements:
            first = i + 1
            # "President of the Russian Federation Vladimir Putin", "Minister of the Armed
            # Forces Florence Parly": the rest of the title, then the name
            while first < j and (
                first in page.country_at or page.tokens[first].bare in complements
            ):
                first += 1
            rest = _name_run(page, first, j)
            if rest and _title_before(page, i, distance=3):
                _person(page, rest, title=None)
        return
    a, b = run
    if _after_title_of_places(page, a, b):
        _person(page, run, title=None)
        return
    before = i - 1
    while page.word(before) in {",", "[", "(", "'", "‘", '"', "“"} and before > 0:
        before -= 1
    if _title_before(page, i, distance=1) or (
        page.word(before) in page.lex.lower_title_context and not page.word(before)[:1].isupper()
    ):
        _person(page, run, title=None)
        return
    if b - a >= 2 and b == j:
        after = page.word(j)
        after2 = page.word(j + 1)
        previous = page.tokens[a - 1] if a > 0 else None
        determined = previous is not None and (
            previous.text in {"the", "The", "a", "an"} or previous.possessive
        )
        if after in page.lex.speech_verbs and not determined:
            _person(page, run, title=None)
            return
        if after == "," and (
            _apposition(page, j)[0]
            or after2 in page.lex.title_core
            or (after2 in {"the", "a", "who"} and page.word(j + 2)[:1].isupper())
            or after2 in page.lex.title_tokens
        ):
            _person(page, run, title=None)


# the verbs of an attribution written after the quote: '"...," said Hegseth.'
_INVERTED_VERBS = {"said", "added", "says", "adds", "noted", "stressed", "continued", "explained"}
_QUOTE_ENDS = {",", "”", '"', "’", "'"}


def _inverted_speaker(page: Page, i: int, j: int) -> tuple[int, int] | None:
    """'..., added Hegseth.', '"...," said Maria Lopez.': the speaker after a quote's verb, a
    name of one to three words that ends the clause (a single word is a surname here)."""
    if page.word(i - 1) not in _INVERTED_VERBS or page.word(i - 2) not in _QUOTE_ENDS:
        return None
    if not page.same_sentence(i - 2, i) or j - i > 3:
        return None
    if page.same_sentence(i, j) and page.word(j) not in {".", ",", ";"}:
        return None
    if not all(page.name_like(k) for k in range(i, j)):
        return None
    if any(page.place_key(k, k + 1) for k in range(i, j)):
        return None
    return i, j


def _after_title_of_places(page: Page, a: int, b: int) -> bool:
    """'Ambassador to Pakistan and Afghanistan, X Y', 'Defence Minister of the Philippines, X Y':
    a title, the states it serves, a comma, then the name (two words or more)."""
    if b - a < 2 or page.word(a - 1) != ",":
        return False
    k, seen_state = a - 2, False
    while k >= 0 and page.same_sentence(k, a) and a - k <= 8:
        if k in page.country_at or page.place_key(k, k + 1):
            seen_state = True
        elif k in page.found.used and k not in page.found.people:
            seen_state = True  # "President of Hyundai Rotem, X Y": the body the title serves
        elif page.tokens[k].bare in page.lex.title_core:
            return seen_state
        elif page.word(k) not in {"and", "of", "to", "the", ")", "in"}:
            return False
        k -= 1
    return False


def _plural_title(page: Page, a: int, b: int) -> bool:
    """'Prime Ministers', 'Captains': a title of more than one person."""
    return any(
        page.tokens[k].bare.endswith("s")
        and page.tokens[k].bare in page.lex.title_core
        and page.tokens[k].bare[:-1] in page.lex.title_core
        for k in range(a, b)
    )


def _title_before(page: Page, i: int, *, distance: int) -> bool:
    back, seen = 1, 0
    complement = False
    while seen < distance and i - back >= 0 and page.same_sentence(i - back, i):
        word = page.tokens[i - back].bare
        back += 1
        if word in {"[", "(", "'", "‘", '"', "“", ","}:
            continue  # "Minister [Hulusi Akar]", "Minister, Colonel ..."
        if word in page.lex.title_core:
            return True
        if word.capitalize() in page.lex.sets["title_complement"]:
            complement = True
            continue  # "Secretary of defence Mark Esper", "Chief of Staff of the Armed Forces X"
        if word in {"of", "the", "for"} and complement:
            continue
        seen += 1
    return False


def _name_run(page: Page, i: int, j: int) -> tuple[int, int] | None:
    start = i
    while start < j and page.word(start) in page.lex.particles:
        start += 1
    end = start
    while end < j and (
        page.name_like(end)
        or (
            page.word(end) in page.lex.sets["months_inside_names"]
            and end > start
            and end + 1 < j
            and page.name_like(end + 1)
        )
    ):
        end += 1
        if page.tokens[end - 1].possessive:
            break
    while end > start and page.word(end - 1) in page.lex.particles:
        end -= 1
    if end <= start or end - start > 5:
        return None
    if all(page.tokens[k].bare in _SUFFIXES for k in range(start, end)):
        return None  # "King Jr.": a suffix is no name by itself
    if end - start == 1 and not _title_before(page, start, distance=2):
        return None
    return start, end


_SUFFIXES = {"Jr", "Jr.", "Sr", "Sr.", "II", "III"}


def _spaced_initials(page: Page, a: int, b: int) -> int:
    """'B. S. Dhanoa': the tokenizer splits initials from their full stops, which end the run
    after 'B'; the initials and the name after them belong to it."""
    end = b
    while (
        page.word(end) == "."
        and len(page.word(end - 1)) == 1
        and page.word(end - 1).isupper()
        and end + 1 < len(page.tokens)
        and page.same_sentence(a, end + 1)
        and (end + 1) not in page.found.used
        and page.is_cap(end + 1)
    ):
        end += 2
    if end == b:
        return b
    while end < len(page.tokens) and page.same_sentence(a, end) and page.name_like(end):
        end += 1  # the surname after the last initial
    return end if len(page.word(end - 1)) > 1 else b


def _person(page: Page, run: tuple[int, int], *, title: str | None) -> None:
    a, b = run
    b = _spaced_initials(page, a, b)
    span = page.span(a, b)
    if any(page.place_key(k, k + 1) for k in range(a, b)) and b - a == 1:
        return
    country = _country_before(page, a) or _apposition(page, b)[1]
    page.found.add("person", span.text, span, indices=range(a, b), country=country, title=title)


_TITLE_WORDS: dict[int, tuple[frozenset[str], frozenset[str]]] = {}


def _title_words(page: Page) -> tuple[frozenset[str], frozenset[str]]:
    """The words of a title in any case ("defence minister" as well as "Defence Minister"):
    the heads ("minister", "chief") and the words that go with them ("defence", "naval")."""
    words = _TITLE_WORDS.get(id(page.lex))
    if words is None:
        lex = page.lex
        groups = (lex.title_core, lex.lower_title_context, lex.sets["offices"])
        heads = frozenset(w.lower() for group in groups for w in group) - {"by"}
        words = heads, frozenset(w.lower() for w in lex.sets["title_complement"])
        _TITLE_WORDS[id(lex)] = words
    return words


def _country_before(page: Page, a: int) -> str | None:
    """The state a person's title ties them to: 'Turkish counterpart X', 'Pakistan's Chief ... X',
    'the Russian defence minister X'."""
    k = a - 1
    steps = 0
    heads, complements = _title_words(page)
    while k >= 0 and page.same_sentence(k, a) and steps < 12:
        if k in page.country_at:
            return page.country_at[k]
        if k in page.found.people:
            return None  # "for Japan's Minister Hiroyuki Miyazawa, General X": his state, not X's
        token = page.tokens[k]
        if token.text == "and" and page.word(k - 1) == ",":
            return None  # "..., French Chief of Defence, and X": the state is the last one's
        if not (
            token.cap
            or token.text in {"of", "the", "and", "(", ")", ",", "for"}
            or token.text in page.lex.lower_title_context
            or token.text.lower() in heads
            or token.text.lower() in complements
        ):
            return None
        k -= 1
        steps += 1
    return None


_APPOSITION_GLUE = {"the", "a", "an", "of", "for", "and", "'s", "’s"}


def _apposition(page: Page, b: int) -> tuple[bool, str | None]:
    """Whether a title in apposition follows token b, and its state: 'X, Chile's defence minister, said', 'X, the
    Minister of Defence of Peru', 'General X, French Chief of Defence'.

    The title must end the apposition: 'X, Indian Defence Minister Y' names the next person.
    """
    if page.word(b) != ",":
        return False, None
    heads, complements = _title_words(page)
    country: str | None = None
    has_title = False
    k = b + 1
    while k < len(page.tokens) and page.same_sentence(b, k) and k - b <= 9:
        token = page.tokens[k]
        if k in page.country_at:
            country = country or page.country_at[k]
        elif token.bare.lower() in heads:
            has_title = True
        elif token.text.lower() not in _APPOSITION_GLUE and token.bare.lower() not in complements:
            break
        k += 1
    if not has_title or (k < len(page.tokens) and page.same_sentence(b, k) and page.is_cap(k)):
        return False, None  # no title, or a name follows: the title is the next person's
    return True, country


def short_forms(page: Page) -> None:
    """'Akar' after 'Hulusi Akar', 'ISPR' after 'Inter-Services Public Relations (ISPR)'."""
    lookup: dict[str, FoundEntity] = {}
    for entity in list(page.found.by_key.values()):
        if entity.kind == "person":
            parts = entity.name.split()
            if len(parts) >= 2:
                lookup.setdefault(parts[-1], entity)
        elif entity.kind in {"organization", "location", "equipment", "agreement"}:
            for alias in entity.aliases:
                if ACRONYM.match(alias) or alias.isupper():
                    lookup.setdefault(alias, entity)
    for i, token in enumerate(page.tokens):
        page.deadline.tick()
        if i in page.found.used or i in page.country_at:
            continue
        known = lookup.get(token.bare)
        if known is not None:
            page.found.mention(known, page.span(i, i + 1))
            page.found.used.add(i)


def find(page: Page) -> None:
    """The people stage, with the short forms of everything found so far."""
    page.each(lambda chunk: people(page, chunk))
    short_forms(page)
