"""Places: known names (seas, regions), the cities gazetteer, and names ending in a head ("Island").

Two stages: the known names run early (before equipment and organisations take their tokens:
"Red Sea"), the gazetteer and heads run last, after the people and their short forms.
"""

from app.extraction.names.common import FACILITIES, Page

# "Exercise Yama Sakura", "Operation Sindoor": a named exercise is an event, not a place
_EVENT_WORDS = {"Exercise", "Exercises", "Operation", "exercise", "exercises", "operation"}
# "the city of Liepaja", "the capital Moresby": the word says the next name is a place
_PLACE_CUES = {"city", "town", "village", "capital", "port", "province", "district", "region"}
# lowercase heads that only say what kind of area a place is: "Gurez sector" is Gurez
_AREA_HEADS = {"sector", "district", "region", "province", "belt", "area", "forest", "tehsil"}
# "Uri and Tanghdar sectors": a plural head after two names makes each a place
_AREA_PLURALS = {f"{head}s" for head in _AREA_HEADS}
# heads that come before a place's own name: "RAAF Base Tindal", "Camp Lemonnier"
_LEADING_HEADS = {"Base", "Airbase", "Camp"}


def places(page: Page, chunk: tuple[int, int]) -> None:
    i, j = chunk
    if page.word(i) in _EVENT_WORDS or page.word(i - 1) in _EVENT_WORDS:
        return
    if _cued(page, i, j):
        return
    k = i
    while k < j:
        if k in page.found.used or k in page.country_at:
            k += 1
            continue
        matched = False
        for end in range(min(j, k + 4), k, -1):
            if any(m in page.found.used or m in page.country_at for m in range(k, end)):
                continue
            name = page.place_key(k, end)
            if name and page.word(end) in FACILITIES:
                end += 1  # "Mosul airport": the airport, not the city
                name = page.span(k, end).text
            if name is None and _before_plural_area(page, k, end):
                name = page.span(k, end).text
            if (
                (name is None and end < len(page.tokens) and page.word(end) in page.lex.place_heads)
                and end - k <= 3
                and all(page.is_cap(m) for m in range(k, end))
                and page.word(k - 1) not in {"a", "an"}  # "(a Buddhist Temple)": a kind of place
            ):
                head_end = end + 1
                # "Gurez sector", "Rajouri district": the place is "Gurez", the rest an alias
                area = page.word(end) in _AREA_HEADS
                name = page.span(k, end if area else head_end).text
                end = head_end
            if (
                (
                    name is None
                    and page.tokens[end - 1].bare in page.lex.place_heads
                    and end - k >= 2
                )
                and all(page.is_cap(m) or page.word(m) in {"of", "the"} for m in range(k, end))
                and page.word(k - 1) not in {"a", "an"}
            ):
                name = page.span(k, end).text
            if name and page.word(end - 1) in _LEADING_HEADS:
                end = _own_name(page, end)  # "RAAF Base Tindal"
                name = page.span(k, end).text
            if name:
                span = page.span(k, end)
                if span.text.isupper():
                    name = name if not name.isupper() else name.title()
                page.found.add("location", name, span, indices=range(k, end))
                k, matched = end, True
                break
        if not matched:
            k += 1


def _before_plural_area(page: Page, k: int, end: int) -> bool:
    """Tokens k..end-1, capitalised, before a plural area head ("Tanghdar sectors") or before
    "and" and one more capitalised name and such a head ("Uri and Tanghdar sectors")."""
    if end - k > 2 or not all(page.is_cap(m) for m in range(k, end)):
        return False
    after = end
    if page.word(after) == "and":
        after += 1
        while after < len(page.tokens) and after - end <= 3 and page.is_cap(after):
            after += 1
        if after == end + 1:
            return False
    return page.word(after) in _AREA_PLURALS and page.same_sentence(k, after)


def _own_name(page: Page, end: int) -> int:
    """The end of the name after a leading head: one or two capitalised words no stage took."""
    k = end
    while (
        k < len(page.tokens)
        and k - end < 2
        and page.same_sentence(end - 1, k)
        and page.is_cap(k)
        and k not in page.found.used
        and k not in page.country_at
        and page.tokens[k].bare not in page.lex.not_names
    ):
        k += 1
    return k


def _cued(page: Page, i: int, j: int) -> bool:
    """A short name after a place word: 'the Latvian city of Liepaja', 'capital Moresby'."""
    before = i - 2 if page.word(i - 1) == "of" else i - 1
    if page.word(before) not in _PLACE_CUES or not page.same_sentence(before, i):
        return False
    j = next((k for k in range(i, j) if not page.tokens[k].cap), j)  # "Tarawa on Monday"
    if j - i > 3 or any(k in page.found.used or k in page.country_at for k in range(i, j)):
        return False
    if any(page.tokens[k].bare in page.lex.not_names for k in range(i, j)):
        return False
    span = page.span(i, j)
    name = page.place_key(i, j) or span.text
    page.found.add("location", name, span, indices=range(i, j))
    return True


def find_known(page: Page) -> None:
    """The known-places stage: names from the places list, before equipment and organisations."""
    page.lexicon_matches(page.lex.place_names, "location", max_size=4)


# words before a place's name: "at Bakloh in Himachal Pradesh" ("to", "from" take people too)
_AT = {"in", "at", "near"}
# lowercase words that end a place's mention before "and": "in Haryana state and X in ..."
_AREA_WORDS = _AREA_HEADS | {"state", "county", "city", "town"}


def located(page: Page, chunk: tuple[int, int]) -> None:
    """'at Bakloh in Himachal Pradesh', 'in Ambala in Haryana state and Hashimara in West
    Bengal': a name of one or two words, after "in", "at" or "near" (or after "and" that
    follows another place), placed "in" a known place or state."""
    i, j = chunk
    if j - i > 2 or page.word(j) != "in" or not page.same_sentence(i, j + 1):
        return
    inside = j + 1
    if not (
        inside in page.country_at
        or (inside in page.found.used and page.is_cap(inside) and inside not in page.found.people)
    ):
        return
    before = page.word(i - 1)
    if before == "and":
        previous = i - 2
        if not (
            page.word(previous) in _AREA_WORDS
            or previous in page.country_at
            or (previous in page.found.used and previous not in page.found.people)
        ):
            return
    elif before not in _AT:
        return
    if not page.free_words(i, j, page.lex.not_names, page.lex.not_places, page.lex.title_core):
        return
    span = page.span(i, j)
    page.found.add("location", page.place_key(i, j) or span.text, span, indices=range(i, j))


def find(page: Page) -> None:
    """The places stage: the gazetteer and place heads in what no other kind took."""
    page.each(lambda chunk: places(page, chunk))
    page.each(lambda chunk: located(page, chunk))
