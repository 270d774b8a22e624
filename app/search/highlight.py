"""Highlights: matched words marked in the title and in up to three body snippets.

Matching follows the index's own rules (English stemming, accents folded, prefixes), so what is
marked is what matched. Everything that is not a marker is HTML-escaped.
"""

import html
import re
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, islice
from typing import Any

import snowballstemmer

from app.kit.text import fold
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


@lru_cache(maxsize=200_000)  # bounded: a million articles hold many more distinct words
def stem(word: str) -> str:
    return str(_stemmer().stemWord(fold(word)))


@dataclass(frozen=True)
class Marks:
    pre: str = "<mark>"
    post: str = "</mark>"


@lru_cache(maxsize=200_000)
def _folded(word: str) -> str:
    return fold(word)


_RUN = re.compile(r"\w+")  # `_WORD`'s words and underscores: twice as fast to find


def _distinct_words(text: str) -> set[str]:
    """The distinct words `_WORD` reads in the text."""
    runs = set(_RUN.findall(text))
    words = {run for run in runs if "_" not in run}
    for run in runs - words:
        words.update(part for part in run.split("_") if part)
    return words


@lru_cache(maxsize=4096)
def _words_pattern(words: frozenset[str]) -> re.Pattern[str]:
    """These words, not followed by more of a word (the caller checks what precedes: an
    assertion before the words keeps the regex engine from skipping ahead to them)."""
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?:{alternatives})(?![^\W_])")


def _ascii_spans(text: str, stems: set[str]) -> Iterator[tuple[int, int]]:
    """`_spans` of single words in an ASCII text, without reading every word: Porter2 only
    rewrites a word's end, at most two letters of a stem are not the word's own (`biliti` ->
    `ble`), so a word that stems to `s` holds `s[:-2]`. Only the words around those letters
    are read and stemmed (0.25 ms -> 0.02 ms for a 4 kB body)."""
    lowered = text.lower()  # the same offsets: ASCII
    ends: dict[int, int] = {}
    for core in {s[:-2] for s in stems}:
        at = lowered.find(core)
        while at != -1:
            start, end = at, at + len(core)
            while start > 0 and text[start - 1].isalnum():  # [^\W_], as `_WORD` reads
                start -= 1
            while end < len(text) and text[end].isalnum():
                end += 1
            ends[start] = end
            at = lowered.find(core, end)
    for start in sorted(ends):
        if stem(text[start : ends[start]]) in stems:
            yield start, ends[start]


def _spans(text: str, wanted: list[Term | Phrase]) -> Iterator[tuple[int, int]]:
    """The (start, end) of each match in the text, in order, found lazily: a caller that has
    its snippets stops reading the text there."""
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
    reach = max((len(key) for _kind, key in keys), default=1)
    found = _WORD.finditer(text)
    if reach == 1 and all(kind == "words" for kind, _key in keys):
        # single words only (most queries): which of the text's distinct words match, then
        # where those are, found by the regex engine. Stemming each word as it was read cost
        # 0.2 ms for a 3.5 kB body, most of a rare word's highlighting (read to the end)
        stems = {key[0] for _kind, key in keys}
        if text.isascii() and all(len(s) > 2 for s in stems):
            yield from _ascii_spans(text, stems)
            return
        words = list(_distinct_words(text))
        matching = frozenset(compress(words, map(stems.__contains__, map(stem, words))))
        if matching:
            for match in _words_pattern(matching).finditer(text):
                start = match.start()
                # where `_WORD` begins a word: [^\W_] is what str.isalnum() says
                if start == 0 or not text[start - 1].isalnum():
                    yield match.span()
        return
    ahead: deque[tuple[int, int, str, str]] = deque()  # (start, end, word, stem)

    def read() -> bool:
        match = next(found, None)
        if match is not None:
            ahead.append((match.start(), match.end(), match.group(), stem(match.group())))
        return match is not None

    while ahead or read():
        while len(ahead) < reach and read():
            pass
        start, end, word, stemmed = ahead[0]
        for kind, key in keys:
            if kind == "prefix":
                if _folded(word).startswith(key[0]):
                    yield start, end
                    break
            elif stemmed == key[0] and tuple(t[3] for t in islice(ahead, len(key))) == key:
                yield start, ahead[len(key) - 1][1]
                break
        ahead.popleft()


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
    return _render(title, list(_spans(title, wanted)), marks)


def snippets(
    body: str, wanted: list[Term | Phrase], marks: Marks, *, count: int = 3, width: int = 160
) -> list[str]:
    """Up to `count` windows of about `width` characters around the first distinct matches."""
    spans: list[tuple[int, int]] = []
    windows: list[tuple[int, int]] = []
    for start, end in _spans(body, wanted):
        if len(windows) == count and start >= windows[-1][1]:
            break  # windows only move right: nothing further can be in one
        spans.append((start, end))
        if len(windows) == count or any(a <= start < b for a, b in windows):
            continue
        left = max(0, start - width // 3)
        right = min(len(body), left + width)
        # widen to word boundaries
        while left > 0 and not body[left - 1].isspace():
            left -= 1
        while right < len(body) and not body[right].isspace():
            right += 1
        windows.append((left, right))
    if not spans:
        return [html.escape(body[:width].rstrip()) + ("…" if len(body) > width else "")]
    out = []
    for left, right in windows:
        inside = [(s - left, e - left) for s, e in spans if left <= s and e <= right]
        text = _render(body[left:right].replace("\n", " "), inside, marks)
        out.append(("…" if left > 0 else "") + text.strip() + ("…" if right < len(body) else ""))
    return out
