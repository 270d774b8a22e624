"""Places: known names (seas, regions), the cities gazetteer, and names ending in a head ("Island").

Two stages: the known names run early (before equipment and organisations take their tokens:
"Red Sea"), the gazetteer and heads run last, after the people and their short forms.
"""

from app.extraction.names.common import Page


def places(page: Page, chunk: tuple[int, int]) -> None:
    i, j = chunk
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
            if (
                (name is None and end < len(page.tokens) and page.word(end) in page.lex.place_heads)
                and end - k <= 3
                and all(page.is_cap(m) for m in range(k, end))
            ):
                head_end = end + 1
                # "Gurez sector", "Rajouri district": the place is "Gurez", the rest an alias
                head = page.word(end)
                name = page.span(k, head_end if head[:1].isupper() else end).text
                end = head_end
            if (
                name is None and page.tokens[end - 1].bare in page.lex.place_heads and end - k >= 2
            ) and all(page.is_cap(m) or page.word(m) in {"of", "the"} for m in range(k, end)):
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


def find_known(page: Page) -> None:
    """The known-places stage: names from the places list, before equipment and organisations."""
    page.lexicon_matches(page.lex.place_names, "location", max_size=4)


def find(page: Page) -> None:
    """The places stage: the gazetteer and place heads in what no other kind took."""
    page.each(lambda chunk: places(page, chunk))
