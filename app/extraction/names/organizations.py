"""Organisations: names ending in a head word ("Ministry", "Navy"), known names, defined acronyms."""

import re
from functools import cache

import pycountry

from app.extraction.names.common import ACRONYM, Page
from app.kit.text import fold

# a unit's or a district's number inside a name: "Military Zone 5 High Command", "60th"
_NUMBER = re.compile(r"^\d{1,3}(?:st|nd|rd|th)?$")


def _number_inside(page: Page, k: int) -> bool:
    """Token k is a short number between two capitalised words of one sentence."""
    return (
        bool(_NUMBER.match(page.word(k)))
        and page.same_sentence(k - 1, k + 1)
        and page.is_cap(k - 1)
        and page.is_cap(k + 1)
    )


@cache
def _formal_state_names() -> frozenset[str]:
    """The folded formal names of the states ("union of the comoros")."""
    return frozenset(
        fold(name)
        for record in pycountry.countries
        if (name := getattr(record, "official_name", None))
    )


def _capitals_end(page: Page, k: int) -> int:
    """The end of the run of capitalised words no stage took from token k on, in k's
    sentence; k itself when that run goes on with "of" ("the Republic of Korea"), which
    the name stops short of."""
    start, n = k, len(page.tokens)
    while k < n and page.same_sentence(start, k) and k not in page.found.used and page.is_cap(k):
        k += 1
    return start if page.word(k) == "of" else k


def _known_order(page: Page, name: str) -> str:
    """'High Command of Military Zone 5' after 'Military Zone 5 High Command' (or before it):
    one body named in two word orders takes the name found first (a few look-ups a name)."""
    head, of, rest = name.partition(" of ")
    if of:
        others = [f"{rest.removeprefix('the ')} {head}"]
    else:
        words = name.split()
        others = [
            f"{' '.join(words[k:])} of{the} {' '.join(words[:k])}"
            for k in range(1, len(words))
            for the in ("", " the")
        ]
    for other in others:
        found = page.found.by_key.get(("organization", fold(other)))
        if found is not None:
            return found.name
    return name


def organisations(page: Page, chunk: tuple[int, int]) -> None:
    i, j = chunk
    heads = [k for k in range(i, j) if page.tokens[k].bare in page.lex.org_heads]
    for h in reversed(heads):
        if h in page.found.used:
            continue
        start, low = h, i
        while start - 1 >= 0 and (start - 1) not in page.found.used:
            if start - 1 < low:
                # "Military Zone 5 High Command": a number joins two runs of capitals
                if start - 1 == low - 1 and _number_inside(page, start - 1):
                    start -= 1
                    low = 0  # the capitals before the number: the same walk, past the chunk
                    continue
                break
            prev = page.tokens[start - 1]
            if prev.bare in page.lex.title_core and prev.bare not in page.lex.org_heads:
                break
            if start in page.country_at and start < h and prev.bare not in page.lex.org_leads:
                break  # an organisation's name starts at its state: "British Armed Forces"
            if prev.text in {"and", "&"} and start - 2 >= low and page.is_cap(start - 2):
                start -= 1
                continue
            if (
                prev.text == "of"
                and start - 2 >= low
                and page.is_cap(start - 2)
                and page.tokens[start - 2].bare not in page.lex.title_core
                and page.tokens[start - 2].bare not in page.lex.org_heads
                and (start - 2) not in page.country_at
            ):
                start -= 1  # "Joint Chiefs of Staff Committee": one name across its "of"
                continue
            if not page.is_cap(start - 1):
                break
            start -= 1
        while page.word(start) in {"The", "the", "A", "An"} and start < h:
            start += 1
        end = h + 1
        joiners = (
            {"of", "for", "on"}
            if page.tokens[h].bare in page.lex.sets["forum_heads"]
            else {"of", "for"}
        )
        while (
            (end < j or (end == j and page.word(end + 1) == "the"))
            and end not in page.found.used
            and page.word(end) in joiners
        ):
            nxt = end + 1
            limit = j
            if page.word(nxt) == "the":
                nxt += 1
                # "Armed Forces of the Philippines": a chunk ends at "of the", the name does not
                limit = max(j, _capitals_end(page, nxt) if page.same_sentence(h, nxt) else j)
            stop = nxt
            while (
                stop < limit
                and page.is_cap(stop)
                and page.tokens[stop].bare not in page.lex.title_core
            ):
                stop += 1
                if page.tokens[stop - 1].possessive:
                    break
                if stop == j and _NUMBER.match(page.word(stop)) and page.same_sentence(h, stop):
                    stop += 1  # "High Command of Military Zone 5": the number ends the name
                    break
            if stop == nxt:
                break
            end = stop
        # "Chief of Army Staff", "Minister of Defence": the words belong to a title
        before = page.word(start - 1)
        before2 = page.word(start - 2)
        forum = page.tokens[h].bare in page.lex.sets["forum_heads"] and end - start >= 3
        if (
            before in {"of", "the"}
            and (before2 in page.lex.title_core or page.word(start - 3) in page.lex.title_core)
            and not forum  # "Vice Chairman of Central Military Commission": a body of its own
        ):
            continue
        if end - start < 2 and page.tokens[h].bare not in page.lex.org_names.values():
            continue
        span = page.span(start, end)
        if fold(span.text) in _formal_state_names():
            continue  # "Union of the Comoros": a state's formal name, not a body of it
        owner = start - 1 if start > 0 and page.tokens[start - 1].possessive else None
        state = page.country_at.get(owner) if owner is not None else None
        if state is None and all(
            w in page.lex.sets["generic_org_words"] for w in span.text.split()
        ):
            continue  # "the Air Force", "Armed Forces": no one in particular, unless
            # a state owns it: "India's Ministry of Defence"
        if page.word(end) in page.lex.sets["offices"] and page.word(end + 1) != "of":
            continue  # "Armed Forces Minister James Holloway": part of a title
        country = state or next(
            (page.country_at[k] for k in range(start, end) if k in page.country_at), None
        )
        alias = page.acronym_after(end)
        page.found.add(
            "organization",
            _known_order(page, span.text),
            span,
            indices=range(start, end),
            country=country,
            alias=alias,
        )


def defined_acronyms(page: Page, chunk: tuple[int, int]) -> None:
    """'General Border Committee (GBC)': a multi-word name defined by an acronym is an organisation."""
    i, j = chunk
    if j - i < 2 or any(k in page.found.used for k in range(i, j)):
        return
    if any(page.tokens[k].bare in page.lex.title_core for k in range(i, j)):
        return
    if any(page.tokens[k].bare in page.lex.sets["agreement_heads"] for k in range(i, j)):
        return  # "Memorandum of Understanding (MoU)": a document
    if page.word(j) == "(" and page.word(j + 2) == ")" and ACRONYM.match(page.word(j + 1)):
        if all(k in page.country_at for k in range(i, j)):
            return
        start = i + 1 if page.word(i) in {"The", "the"} else i
        span = page.span(start, j)
        page.found.add(
            "organization", span.text, span, indices=range(start, j), alias=page.word(j + 1)
        )
        page.found.used.add(j + 1)


# a state's services, written in lowercase: "the Indian navy", "the Brazilian air force"
_SERVICES = (("navy",), ("army",), ("air", "force"), ("coast", "guard"), ("armed", "forces"))


def state_services(page: Page) -> None:
    """'Indian navy', 'Brazilian air force': a state's word and a lowercase service."""
    for k, code in page.country_at.items():
        if k + 1 in page.country_at or k in page.found.used:
            continue
        for words in _SERVICES:
            end = k + 1 + len(words)
            if all(page.word(k + 1 + n) == w for n, w in enumerate(words)) and not any(
                m in page.found.used for m in range(k + 1, end)
            ):
                span = page.span(k, end)
                page.found.add("organization", span.text, span, indices=range(k, end), country=code)
                break


# lowercase words after an outlet's name: "the Politika daily", "the Kommersant newspaper"
_OUTLET_WORDS = frozenset({"daily", "newspaper", "weekly", "magazine", "broadcaster", "tabloid"})
_NEWS_WORDS = frozenset({"agency", "channel", "portal", "website", "outlet"})


def outlets(page: Page, chunk: tuple[int, int]) -> None:
    """'Speaking to the Politika daily', 'the Yonhap news agency': a name of one to three
    capitalised words inside a sentence, before a lowercase word for a news outlet."""
    i, j = chunk
    if page.word(i) == "The" and i + 1 < j:
        i += 1  # "The Korlat newspaper said"
    if page.word(j) == "news" and page.word(j + 1) in _NEWS_WORDS:
        head = j + 1  # "agency" alone follows too many names that are no outlet's
    elif page.word(j) in _OUTLET_WORDS:
        head = j
    else:
        return
    if j - i > 3 or i == 0 or not page.same_sentence(i - 1, head):
        return
    before = page.word(i - 1)
    if (before[:1].isupper() and before != "The") or not before.isalpha():
        return  # a title's words, or a list's
    for k in range(i, j):
        token = page.tokens[k]
        if (
            k in page.found.used
            or k in page.country_at
            or token.bare in page.lex.title_core
            or token.bare in page.lex.not_names
            or not token.text[:1].isalpha()
        ):
            return
    span = page.span(i, j)
    page.found.add(
        "organization",
        span.text,
        span,
        indices=range(i, head + 1),
        alias=page.span(i, head + 1).text,
    )


def find(page: Page) -> None:
    """The organisations stage: known names, then head words, then acronyms defined in brackets."""
    page.lexicon_matches(page.lex.org_names, "organization", max_size=5)
    page.each(lambda chunk: organisations(page, chunk))
    page.each(lambda chunk: defined_acronyms(page, chunk))
    page.each(lambda chunk: outlets(page, chunk))
    state_services(page)
