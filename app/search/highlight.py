"""Highlights: matched words marked in the title and in up to three body snippets.

Matching follows the index's own rules (English stemming, accents folded, prefixes), so what is
marked is what matched. Everything that is not a marker is HTML-escaped.
"""

import html
import re
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

import snowballstemmer

from app.ingest.text import fold
from app.search.query import Phrase, Term

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


_LOCAL = threading.local()


def _stemmer() -> Any:
    """One stemmer per thread: a snowball stemmer keeps state while it works, so threads that
    share one corrupt each other's words (seen under load as IndexError)."""
    stemmer = getattr(_LOCAL, "stemmer", None)
    if stemmer is None:
        stemmer = _LOCAL.stemmer = snowballstemmer.stemmer("english")
    return stemmer


@cache
def stem(word: str) -> str:
    return str(_stemmer().stemWord(fold(word)))


@dataclass(frozen=True)
class Marks:
    pre: str = "<mark>"
    post: str = "</mark>"


@cache
def _folded(word: str) -> str:
    return fold(word)


def _matches(text: str, wanted: list[Term | Phrase]) -> list[tuple[int, int]]:
    # what each wanted item matches, worked out once (not once per word of the text)
    keys = [
        ("prefix", (_folded(item.text),))
        if isinstance(item, Term) and item.prefix
        else (
            "words",
            (stem(item.text),) if isinstance(item, Term) else tuple(map(stem, item.words)),
        )
        for item in wanted
    ]
    tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    stems = [stem(word) for _s, _e, word in tokens]
    spans: list[tuple[int, int]] = []
    for index, (start, end, word) in enumerate(tokens):
        for kind, key in keys:
            if kind == "prefix":
                if _folded(word).startswith(key[0]):
                    spans.append((start, end))
                    break
            elif stems[index] == key[0] and tuple(stems[index : index + len(key)]) == key:
                spans.append((start, tokens[index + len(key) - 1][1]))
                break
    return spans


def _render(text: str, spans: list[tuple[int, int]], marks: Marks) -> str:
    out: list[str] = []
    at = 0
    for start, end in spans:
        if start < at:
            continue
        out.append(html.escape(text[at:start]))
        out.append(marks.pre + html.escape(text[start:end]) + marks.post)
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out)


def highlight_title(title: str | None, wanted: list[Term | Phrase], marks: Marks) -> str | None:
    if not title:
        return None
    return _render(title, _matches(title, wanted), marks)


def snippets(
    body: str, wanted: list[Term | Phrase], marks: Marks, *, count: int = 3, width: int = 160
) -> list[str]:
    """Up to `count` windows of about `width` characters around the first distinct matches."""
    spans = _matches(body, wanted)
    if not spans:
        return [html.escape(body[:width].rstrip()) + ("…" if len(body) > width else "")]
    windows: list[tuple[int, int]] = []
    for start, _end in spans:
        if any(a <= start < b for a, b in windows):
            continue
        left = max(0, start - width // 3)
        right = min(len(body), left + width)
        # widen to word boundaries
        while left > 0 and not body[left - 1].isspace():
            left -= 1
        while right < len(body) and not body[right].isspace():
            right += 1
        windows.append((left, right))
        if len(windows) == count:
            break
    out = []
    for left, right in windows:
        inside = [(s - left, e - left) for s, e in spans if left <= s and e <= right]
        text = _render(body[left:right].replace("\n", " "), inside, marks)
        out.append(("…" if left > 0 else "") + text.strip() + ("…" if right < len(body) else ""))
    return out
