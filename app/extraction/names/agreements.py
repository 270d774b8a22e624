"""Agreement names: capitalised words up to a head ("Declaration", "Treaty") and what it is on."""

from app.extraction.names.common import Page
from app.kit.text import fold


def agreements(page: Page, chunk: tuple[int, int]) -> None:
    i, j = chunk
    for h in range(i, j):
        if page.tokens[h].bare not in page.lex.sets["agreement_heads"] or h in page.found.used:
            continue
        if h + 1 < j and page.tokens[h + 1].bare in page.lex.org_heads:
            continue  # "North Atlantic Treaty Organization": an organisation's name
        start = h
        while start - 1 >= i and page.is_cap(start - 1) and (start - 1) not in page.found.used:
            if page.tokens[start - 1].bare in page.lex.title_core:
                break
            start -= 1
        while page.word(start) in {"The", "the", "A", "An"} and start < h:
            start += 1
        end = h + 1
        if (
            page.word(end) in {"on", "of", "for", "between"}
            and end + 1 < j
            and page.is_cap(end + 1)
            and page.tokens[end + 1].bare not in page.lex.not_names  # "... on Monday"
        ):
            end += 1
            while end < j and (page.is_cap(end) or page.word(end) in {"and", "of", "the"}):
                end += 1
        span = page.span(start, end)
        words = span.text.split()
        generic = all(
            w in page.lex.sets["generic_agreement_words"] for w in fold(span.text).split()
        )
        if generic and not _named(page, start, words):
            continue
        if page.word(start - 1) == "(":
            continue
        page.found.add("agreement", span.text, span, indices=range(start, end))
        return


def _named(page: Page, start: int, words: list[str]) -> bool:
    """Generic words made a name by their capitals: "signed a new Defence Cooperation Agreement"
    (three words or more, inside a sentence, not a memorandum: "a Memorandum of
    Understanding" is how any MoU is written)."""
    if len(words) < 3 or words[0] in {"Memorandum", "MoU"}:
        return False
    previous = page.tokens[start - 1] if start > 0 else None
    inside = previous is not None and page.same_sentence(start - 1, start)
    return inside and all(w[:1].isupper() for w in words if w not in {"of", "on", "the"})


# a document's kind written in lowercase after its name: "the Reciprocal Access agreement"
_LOWER_HEADS = frozenset({"program", "programme", "agreement", "treaty", "accord", "pact"})


def lowercase_head(page: Page, chunk: tuple[int, int]) -> None:
    """'its Official Security Assistance program': capitalised words named by a lowercase head
    after them (two words or more, none of them a state, a title or an organisation's head)."""
    i, j = chunk
    if j - i < 2 or page.word(j) not in _LOWER_HEADS or not page.same_sentence(i, j):
        return
    if i == 0 or not page.same_sentence(i - 1, i):
        return  # the first words of a sentence are capitalised anyway
    if not page.free_words(i, j, page.lex.title_core, page.lex.org_heads):
        return
    span = page.span(i, j + 1)
    page.found.add("agreement", span.text, span, indices=range(i, j + 1))


def find(page: Page) -> None:
    """The agreements stage: first of the chunk kinds ("Caspian Declaration" is a document, not a sea)."""
    page.each(lambda chunk: agreements(page, chunk))
    page.each(lambda chunk: lowercase_head(page, chunk))
