"""Tokens with character offsets, grouped by sentence."""

import re
from dataclasses import dataclass

from app.extraction.budget import Deadline, unlimited
from app.kit.text import sentence_spans

# Initials ("S.P.S."), words with inner hyphens, apostrophes, slashes or dots ("Col-Gen",
# "Dato'", "F/A-18", "U.S."), numbers, and any other single character.
_TOKEN = re.compile(
    r"(?:[A-Z]\.){2,}|[^\W_]+(?:[-'’/][^\W_]+)*|\S",
    re.UNICODE,
)


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    sentence: int

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()

    @property
    def bare(self) -> str:
        """The word without a possessive ending."""
        for suffix in ("'s", "’s", "’", "'"):
            if self.text.endswith(suffix) and len(self.text) > len(suffix) + 1:
                return self.text[: -len(suffix)]
        return self.text

    @property
    def possessive(self) -> bool:
        return self.bare != self.text


def tokenize(
    text: str, deadline: Deadline | None = None
) -> tuple[list[Token], list[tuple[int, int]]]:
    """Tokens of `text` (each knowing its sentence) and the sentence spans."""
    deadline = deadline or unlimited()
    sentences = sentence_spans(text)
    deadline.check()
    tokens: list[Token] = []
    for index, (start, end) in enumerate(sentences):
        for match in _TOKEN.finditer(text, start, end):
            deadline.tick()
            word = match.group()
            # "'s" glued to a word stays with it; a closing quote does not
            tokens.append(Token(word, match.start(), match.end(), index))
    return tokens, sentences
