"""Asking whether a stretch of text overlaps one already taken, in logarithmic time."""

import bisect


def overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether start..end overlaps a span of `taken`: (start, end) pairs in order, none
    overlapping another. Scanning the list instead costs its length per question: minutes,
    summed over the matches of a large page."""
    before = bisect.bisect_left(taken, end, key=lambda span: span[0])  # those starting before end
    return before > 0 and taken[before - 1][1] > start
