"""Text helpers shared by ingestion and storage: normalising, hashing, counting, sentences."""

import bisect
import hashlib
import math
import re
import unicodedata
from functools import lru_cache

_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+", re.UNICODE)
# A sentence ends at . ! or ? (optionally closed by a quote or bracket) followed by space and
# an upper-case letter, digit or opening quote; common abbreviations are not ends.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9À-Ý])")
_ABBREVIATIONS = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Gen|Col|Lt|Maj|Capt|Adm|Sgt|Brig|Rear|Vice|St|Jr|Sr|No|Jan|Feb|Mar|Apr"
    r"|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.K|Inc|Co|Corp|Ltd|vs|etc|e\.g|i\.e)\.$"
    r"|(?:^|[\s.])[A-Z]\.$"  # an initial: "S.P.S. Cheema", "L.V. Sarat Babu"
)


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Case-fold and strip accents: the key under which names are compared."""
    return _fold(text)


def fold_text(text: str) -> str:
    """`fold` for a whole body: not kept in fold's cache (see content_hash)."""
    return _fold(text)


def _fold(text: str) -> str:
    if text.isascii():  # nothing to decompose (the common case, and a hot path of ingest)
        stripped = text
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WS.sub(" ", re.sub(r"[^\w]+", " ", stripped.casefold())).strip()


def normalize_body(text: str) -> str:
    """Unicode NFC, Unix newlines, no trailing spaces, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\ufeff", "")
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def content_hash(body: str) -> str:
    """SHA-256 of the body with case, accents, punctuation and spacing folded away."""
    # not through fold's cache: it would keep every body (and its folded copy) of a long
    # ingest, some 7 KB an article, up to 200,000 of them in each process
    return hashlib.sha256(_fold(body).encode("utf-8")).hexdigest()


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text` (paragraph breaks always end one)."""
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        start = para.start()
        for match in _SENTENCE_END.finditer(para.group()):
            end = para.start() + match.start()
            if _ABBREVIATIONS.search(text[max(start, end - 6) : end]):
                continue
            if end > start:
                spans.append((start, end))
            start = para.start() + match.end()
        if para.end() > start:
            spans.append((start, para.end()))
    return spans


def sentence_index(spans: list[tuple[int, int]], offset: int) -> int | None:
    """The index of the sentence holding `offset` (spans as `sentence_spans` gives them: in
    order, not overlapping), or None. A binary search: it runs once per mention. A span
    sorts before (offset, inf) exactly when it starts at or before offset: the tuples compare
    in C, where a key function would be a Python call at every step."""
    index = bisect.bisect_right(spans, (offset, math.inf)) - 1
    if index >= 0 and offset < spans[index][1]:
        return index
    return None
