"""Finding a data set's hand-coded names and evidence in an article's text (pure: no database)."""

import re
from functools import lru_cache

from app.kit.spans import overlaps


@lru_cache(maxsize=20_000)
def name_pattern(name: str) -> re.Pattern[str]:
    """The pattern of a name as a whole word (acronyms case-sensitive)."""
    # "US", "UK": acronyms match as written, or "us" in "told us" would be the United States
    flags = 0 if name.isupper() and len(name) <= 4 else re.I
    return re.compile(r"(?<!\w)" + re.escape(name.strip()) + r"(?!\w)", flags)


def find_spans(body: str, names: list[str]) -> list[tuple[int, int]]:
    """Where the names occur, longest first, none overlapping another."""
    spans: list[tuple[int, int]] = []  # in order; one name's matches never overlap each other
    for name in sorted({n for n in names if n and n.strip()}, key=len, reverse=True):
        found = [
            (match.start(), match.end())
            for match in name_pattern(name).finditer(body)
            if not overlaps(spans, match.start(), match.end())
        ]
        if found:
            spans = sorted(spans + found)
    return spans


def find_evidence(body: str, evidence: str) -> tuple[int | None, int | None]:
    """Where a stated evidence sentence (or its longest fragments around an ellipsis) occurs."""
    for fragment in (evidence, *re.split(r"\s*(?:\.\.\.|…)\s*", evidence)):
        fragment = fragment.strip().strip("[]")
        if len(fragment) >= 12:
            start = body.find(fragment)
            if start >= 0:
                return start, start + len(fragment)
    return None, None
