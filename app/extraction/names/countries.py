"""States named in the text: "Pakistan", "the United States", "Indo-US" (two states).

Runs first: the other kinds skip the tokens it claims (`Page.country_at`).
"""

from app import countries as states
from app.extraction.base import Span
from app.extraction.names.common import CLOCK_EVERY, Page
from app.kit.text import fold


def countries(page: Page) -> None:
    words = page.lex.country_words
    starts = page.lex.country_starts
    tokens = page.tokens
    sentence = page.sentence_of
    n = len(tokens)
    resume = 0  # the first token after the last state found
    clock = 0  # the token index at which to look at the clock next
    for i in page.capitalised:  # a state's name starts with a capital: only those are read
        if i < resume:
            continue
        if i >= clock:
            page.deadline.check()
            clock = i + CLOCK_EVERY
        token = tokens[i]
        matched = False
        # only the lengths of the names this word starts, longest first, then the word alone
        for size in (*starts.get(token.text, ()), 1):
            j = i + size
            if j > n or sentence[i] != sentence[j - 1]:
                continue
            if size > 1:
                surface = " ".join(t.text for t in tokens[i : j - 1]) + " " + tokens[j - 1].bare
                code = words.get(surface)
            else:
                code = words.get(token.bare)
                if code is None and token.text in words:
                    code = words[token.text]
            if code and _in_place_name(page, i, j):
                break  # "South China Sea", "Indo Pacific": the state is not meant
            if code:
                _country(page, i, j, code)
                resume, matched = j, True
                break
        if matched:
            continue
        if "-" in token.text:  # "Indo-US", "Malaysia-Turkiye", "Kazakhstan-Uzbekistan"
            parts = token.bare.split("-")
            least = 2
            if len(parts) > 1 and parts[-1].islower():
                parts, least = parts[:-1], 1  # "Russian-made", "Turkish-built"
            codes = [words.get(p) for p in parts]
            if len(parts) >= least and all(codes):
                offset = token.start
                for part, code in zip(parts, codes, strict=True):
                    start = page.text.index(part, offset)
                    state = states.get(code) if code else None
                    page.found.add(
                        "country",
                        state.name if state else part,
                        Span(start, start + len(part), part),
                        code=code,
                    )
                    offset = start + len(part)
                page.country_at[i] = codes[0] or ""


def _in_place_name(page: Page, i: int, j: int) -> bool:
    """Whether tokens i..j-1 sit inside a known place's name (at most two words around)."""
    starts = page.lex.starts(page.lex.place_names)
    for start in range(max(0, i - 2), i + 1):
        if fold(page.tokens[start].text).split(" ", 1)[0] not in starts:
            continue  # no known place begins with this word
        for end in range(j, min(len(page.tokens), j + 2) + 1):
            if (
                (start, end) != (i, j)
                and page.same_sentence(start, end - 1)
                and fold(page.span(start, end).text) in page.lex.place_names
            ):
                return True
    return False


def _country(page: Page, i: int, j: int, code: str) -> None:
    if page.word(j) == "$" or page.in_dateline(i):
        return  # "US$6.5 billion"; "(UrduPoint / Pakistan Point News / WAM)" is a source
    country = states.get(code)
    name = country.name if country else page.span(i, j).text
    page.found.add("country", name, page.span(i, j), code=code)
    for k in range(i, j):
        page.country_at[k] = code


def find(page: Page) -> None:
    """The countries stage."""
    countries(page)
