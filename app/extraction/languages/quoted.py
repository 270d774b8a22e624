"""English quoted in a page in another language (a tweet, a translation beside the original):
the English stages read those sentences, the rest of the page blanked out so that offsets hold.

Only what the page's own rules do not give is kept: people, organisations, places and
equipment (the states come from the page's language stage, which reads English names too).
"""

import re

from app.extraction.base import FoundEntity
from app.extraction.budget import Deadline
from app.extraction.lexicon import lexicon
from app.extraction.names import find_names
from app.extraction.tokens import tokenize
from app.kit.language import reads_as_english

_WORDS = re.compile(r"[^\W\d_]+")
KINDS = frozenset({"person", "organization", "location", "equipment"})


def english_sentences(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(a, b) for a, b in spans if reads_as_english(_WORDS.findall(text[a:b]))]


def quoted_english_names(
    text: str, spans: list[tuple[int, int]], deadline: Deadline
) -> list[FoundEntity]:
    english = english_sentences(text, spans)
    if not english:
        return []
    chars = [c if c == "\n" else " " for c in text]
    for start, end in english:
        chars[start:end] = text[start:end]
    blanked = "".join(chars)
    tokens, _ = tokenize(blanked, deadline)
    found = find_names(blanked, tokens, lexicon(), deadline)
    return [e for e in found if e.kind in KINDS]
