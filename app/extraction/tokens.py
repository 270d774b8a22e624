"""Tokens with character offsets, grouped by sentence."""

import re

from app.extraction.budget import Deadline, unlimited
from app.kit.text import sentence_spans

# Initials ("S.P.S."), words with inner hyphens, apostrophes, slashes or dots ("Col-Gen",
# "Dato'", "F/A-18", "U.S."), numbers, and any other single character.
_TOKEN = re.compile(
    r"(?:[A-Z]\.){2,}|[^\W_]+(?:[-'’/][^\W_]+)*|\S",
    re.UNICODE,
)
_QUOTES = "'’"
# Tokens between two looks at the clock: tokenizing one costs far less than reading it.
_CLOCK_EVERY = 1024


class Token:
    """One token: its text, offsets and sentence, with what the stages ask of it over and
    over (`bare`, `cap`, `possessive`) worked out once, when it is made. The names stage
    reads `bare` about five times per token: as a property it was the extractor's single
    largest cost. Treat a token as immutable (it is compared and hashed by its fields)."""

    __slots__ = ("bare", "cap", "end", "possessive", "sentence", "start", "text")

    text: str
    start: int
    end: int
    sentence: int
    bare: str  # the word without a possessive ending ("Russia's" -> "Russia")
    cap: bool  # starts with a capital
    possessive: bool

    def __init__(self, text: str, start: int, end: int, sentence: int) -> None:
        self.text, self.start, self.end, self.sentence = text, start, end, sentence
        bare = text
        last = text[-1:]
        # "'s" / "’s" when at least two letters stay; else a lone trailing quote
        if last == "s" and len(text) > 3 and text[-2] in _QUOTES:
            bare = text[:-2]
        elif last and last in _QUOTES and len(text) > 2:
            bare = text[:-1]
        self.bare = bare
        self.cap = text[:1].isupper()
        self.possessive = bare is not text

    def _key(self) -> tuple[str, int, int, int]:
        return (self.text, self.start, self.end, self.sentence)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Token(text={self.text!r}, start={self.start}, end={self.end}, sentence={self.sentence})"


def tokenize(
    text: str, deadline: Deadline | None = None
) -> tuple[list[Token], list[tuple[int, int]]]:
    """Tokens of `text` (each knowing its sentence) and the sentence spans."""
    deadline = deadline or unlimited()
    sentences = sentence_spans(text)
    deadline.check()
    tokens: list[Token] = []
    append = tokens.append
    for index, (start, end) in enumerate(sentences):
        for match in _TOKEN.finditer(text, start, end):
            # "'s" glued to a word stays with it; a closing quote does not
            append(Token(match.group(), match.start(), match.end(), index))
            if not len(tokens) % _CLOCK_EVERY:
                deadline.check()
        deadline.check()
    return tokens, sentences
