"""Cheap first checks for the event patterns: words a pattern cannot match without.

Most sentences name none of an event type's head words, yet each case-insensitive alternation
led by `\\b` is tried at every position of every sentence. A gate is the set of literal pieces
(lowercased) of which any match of the pattern must contain one; searching the sentence's
lowercased text for them is a plain literal scan, and when none is there the full pattern
cannot match, so it is not run. The answer is the same either way: a gate only skips searches
that would have failed.

The pieces are read from the pattern's parse tree, so the gate follows the data file's
patterns without a second word list to keep in step.
"""

import re
from bisect import bisect_right
from collections.abc import Iterable
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

# Under re.IGNORECASE these also match ASCII letters ("ı" and "İ" match "i", "ſ" matches
# "s"), which str.lower() does not turn into them: a sentence holding one skips the gates.
UNSAFE = frozenset("ıİſ")
_PIECE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 -")

Needles = frozenset[str] | None  # any one of these must be in a match; None: no such set


def _best(candidates: list[frozenset[str]]) -> Needles:
    """The candidate whose shortest piece is longest: the rarest to find by chance; on a tie
    the later one ("the war": "war"), as function words lead English phrases."""
    if not candidates:
        return None
    ranked = enumerate(candidates)
    return max(ranked, key=lambda c: (min(len(n) for n in c[1]), -len(c[1]), c[0]))[1]


def _lead(items: Any) -> str:
    """The literal letters a parsed sequence starts with ("" when it starts otherwise)."""
    lead = []
    for op, arg in items:
        if op is not sre.LITERAL or chr(arg).lower() not in _PIECE:
            break
        lead.append(chr(arg).lower())
    return "".join(lead)


def _needles(items: Any) -> Needles:
    """What a sequence of parsed items needs: one of its literal runs, or one sub-item's."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            candidates.append(frozenset({"".join(run)}))
            run.clear()

    for op, arg in items:
        if op is sre.LITERAL:
            char = chr(arg).lower()
            if char in _PIECE:
                run.append(char)
                continue
            flush()
        elif op is sre.SUBPATTERN:
            flush()
            found = _needles(arg[3])
            if found:
                candidates.append(found)
        elif op is sre.ATOMIC_GROUP:
            flush()
            found = _needles(arg)
            if found:
                candidates.append(found)
        elif op is sre.BRANCH:
            if run:  # "me(?:t|eting)": the run and each alternative's first letters, joined
                candidates.append(frozenset("".join(run) + _lead(a) for a in arg[1]))
                run.clear()
            union: set[str] = set()
            for alternative in arg[1]:
                found = _needles(alternative)
                if not found:
                    break  # one alternative needs nothing: the branch needs nothing
                union |= found
            else:
                candidates.append(frozenset(union))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            flush()
            if arg[0] >= 1:  # at least once: what the repeated item needs, the whole needs
                found = _needles(arg[2])
                if found:
                    candidates.append(found)
        elif (
            op is sre.IN
            and run
            and all(o is sre.LITERAL and chr(c).lower() in _PIECE for o, c in arg)
        ):
            joined = "".join(run)  # "emphasi[sz]": both spellings, as pieces
            candidates.append(frozenset(joined + chr(c).lower() for _, c in arg))
            run.clear()
        else:  # \b, classes, lookarounds, any char...: they end a literal run, need nothing
            flush()
    flush()
    return _best(candidates)


def needles(pattern: re.Pattern[str]) -> Needles:
    """The lowercased literal pieces one of which any match of `pattern` holds."""
    return _needles(_parser.parse(pattern.pattern, pattern.flags)) or None


def _trie(words: Iterable[str]) -> str:
    """One regex for many words, branching letter by letter: sre then tries a handful of
    first letters at each position instead of every word."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        alternatives = [re.escape(c) + pattern(rest) for c, rest in node.items() if c]
        if not alternatives:
            return ""
        if len(alternatives) == 1 and "" not in node:
            return alternatives[0]
        body = "(?:" + "|".join(alternatives) + ")"
        return body + "?" if "" in node else body  # greedy: the longest word is found first

    return pattern(root)


class Gates:
    """For many gated patterns at once, which of them may match each sentence of a text.

    One scan of the lowercased text finds every position where some piece begins (a lookahead,
    so that overlapping pieces are all seen); a pattern may match a sentence only if one of its
    pieces begins inside it. A pattern without pieces may match every sentence.
    """

    def __init__(self, patterns: dict[tuple[str, str], re.Pattern[str] | None]) -> None:
        found = {key: needles(p) for key, p in patterns.items() if p is not None}
        self.always = frozenset(key for key, n in found.items() if n is None)
        pieces = sorted({n for group in found.values() if group for n in group})
        # the scan reports the longest piece at a position; the shorter ones there are its
        # prefixes, so each piece stands for the keys of all its prefixes
        self.keys_of = {
            piece: frozenset(
                key
                for key, group in found.items()
                if group and any(piece.startswith(n) for n in group)
            )
            for piece in pieces
        }
        self.scan = re.compile("(?=(" + _trie(pieces) + "))") if pieces else None

    def by_sentence(
        self, text: str, sentences: list[tuple[int, int]]
    ) -> list[frozenset[tuple[str, str]]]:
        """The keys whose pattern may match each sentence (text[start:end])."""
        every = self.always | frozenset().union(*self.keys_of.values())
        if self.scan is None:
            return [self.always] * len(sentences)
        # "İ" lowers to two characters: as "I" it keeps the positions (its sentence is unsafe)
        low = text.replace("İ", "I").lower()
        starts = [start for start, _ in sentences]
        found: list[set[tuple[str, str]]] = [set(self.always) for _ in sentences]
        for hit in self.scan.finditer(low):
            at = hit.start()
            index = bisect_right(starts, at) - 1
            if index >= 0 and at < sentences[index][1]:
                found[index] |= self.keys_of[hit.group(1)]
        unsafe = not UNSAFE.isdisjoint(text)
        return [
            every if unsafe and not UNSAFE.isdisjoint(text[start:end]) else frozenset(keys)
            for (start, end), keys in zip(sentences, found, strict=True)
        ]
