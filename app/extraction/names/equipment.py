"""Equipment: known systems, model numbers beside a weapon noun or a maker, named ships."""

import re

from app.extraction.names.common import CLOCK_EVERY, Page
from app.kit.text import fold

_MODEL = re.compile(
    r"^(?:[A-Z][A-Za-z]{0,6}-?\d{1,4}[A-Z]{0,4}(?:-\d{1,2}|-[A-Z]\d?)?|[A-Z][a-z]+-[A-Z]\d)s?$"
)
_YEARLIKE = re.compile(r"^(?:19|20)\d\d$")
_QUOTES = {"'", "‘", "’", '"', "“", "”"}


def find(page: Page) -> None:
    """The equipment stage."""
    page.lexicon_matches(page.lex.equipment_names, "equipment", max_size=3)
    n = len(page.tokens)
    for i in range(n):
        if not i % CLOCK_EVERY:
            page.deadline.check()
        if i in page.found.used:
            continue
        word = page.tokens[i].bare
        if word in page.lex.ship_prefixes and i + 1 < n and page.same_sentence(i, i + 1):
            _ship(page, i, i + 1, prefix=word)
            continue
        if word.lower() in page.lex.sets["ship_words"]:
            if page.word(i + 1) in _QUOTES:
                _ship(page, i + 1, i + 1, prefix=None)
            continue
        if "A" <= word[:1] <= "Z" and _model_number(page, word):  # _MODEL's first letter
            _model(page, i, word)


def _model_number(page: Page, word: str) -> bool:
    """'K2', 'T-72', 'MiG-29K', 'Su-30MKI', 'Buk-M1' (not a year such as 'EFES-2024', not 'G20')."""
    if not _MODEL.match(word) or _YEARLIKE.match(re.sub(r"\D", "", word) or "0"):
        return False
    return not (word[:1] == "G" and len(word) <= 4)  # G7, G20: groups of states


def _model(page: Page, i: int, word: str) -> None:
    """A model number is equipment next to a weapon noun ('K9 howitzers'), after a maker
    ('Mikoyan MiG-29') or as the plural of a known system ('K2s')."""
    plural_of_known = word.endswith("s") and word[:-1] in page.lex.equipment_names.values()
    nouns = {t.text.lower() for t in page.tokens[i + 1 : i + 5]}
    maker = page.word(i - 1) in page.lex.makers
    if not (nouns & page.lex.equipment_nouns or maker or plural_of_known or _variant(page, word)):
        return
    singular = word[:-1] if word.endswith("s") and word[-2:-1].isdigit() else word
    name = singular if _MODEL.match(singular) else word
    start = i - 1 if maker else i
    label = f"{page.word(start)} {name}" if maker else name
    page.found.add("equipment", label, page.span(start, i + 1), indices=range(start, i + 1))


# a version's letters after a model number: "K2GF", "F-16V", "Su-30MKI"
_VERSION = re.compile(r"(?<=\d)[A-Z]{1,4}$")


def _variant(page: Page, word: str) -> bool:
    """A known system's model number with a version's letters after it ('K2GF' of 'K2')."""
    base = _VERSION.sub("", word)
    return base != word and page.lex.equipment_names.get(fold(base)) is not None


def _ship(page: Page, i: int, j: int, *, prefix: str | None) -> None:
    k = j
    quoted = page.word(k) in _QUOTES
    if quoted:
        k += 1
    start_name = k
    while (
        k < len(page.tokens) and page.same_sentence(i, k) and page.is_cap(k) and k - start_name < 3
    ):
        if page.word(k) in page.lex.ship_prefixes and k > start_name:
            break
        k += 1
        if page.tokens[k - 1].possessive:
            break
    if k == start_name:
        return
    name_span = page.span(start_name, k)
    name = name_span.text
    if name.isupper() and len(name) > 3:
        name = name.title()
    full = f"{prefix} {name}" if prefix else name
    span = page.span(i, k) if not quoted and prefix else name_span
    page.found.add("equipment", full, span, indices=range(i, k))
